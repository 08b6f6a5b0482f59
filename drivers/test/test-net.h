/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Networks, host interfaces, secrets and network filters of the test driver. */
#include "driver.h"

/* Cap on objects of each of these kinds per connection. */
#define VB_TEST_NET_OBJECTS_MAX 4096

extern const VbNetworkOps vb_test_network_ops;
extern const VbIfaceOps vb_test_iface_ops;
extern const VbSecretOps vb_test_secret_ops;
extern const VbNWFilterOps vb_test_nwfilter_ops;

/* libvirt's test:///default: network 'default' (active) and interface 'eth1' (active). */
int vb_test_network_seed(VbConnect *c, VbError *e);
int vb_test_iface_seed(VbConnect *c, VbError *e);
