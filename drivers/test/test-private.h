/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Shared between the test driver's files. */
#include "driver.h"

extern const VbConnectOps vb_test_connect_ops;
extern const VbDomainOps vb_test_domain_ops;

/* Start an inactive domain: id, state, events. */
void vb_test_domain_start(VbDomainObj *d, int reason, bool paused);
/* Stop an active one; removes a transient domain after emitting the event. */
void vb_test_domain_stop(VbDomainObj *d, int reason, int event_detail);
