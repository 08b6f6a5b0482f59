/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Storage pools, volumes and node devices of the test driver. */
#include "driver.h"

extern const VbStorageOps vb_test_storage_ops;
extern const VbNodeDevOps vb_test_nodedev_ops;

/* libvirt's test:///default objects: default-pool; computer, scsi_host1/2/11. */
int vb_test_storage_seed(VbConnect *c, VbError *e);
/* Releases the volumes' contents (memfds) before the registry frees them: driver close. */
void vb_test_storage_close(VbConnect *c);
int vb_test_nodedev_seed(VbConnect *c, VbError *e);
