/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Long operations of the test driver: a job whose work is a timer of
 * VB_TEST_JOB_STEPS ticks, so progress and Cancel are observable in tests. */
#include "job.h"

#define VB_TEST_JOB_STEPS 10
#define VB_TEST_JOB_STEP_USEC (50 * 1000ULL)

/* Called once at the end: r = 0 when all steps ran, -ECANCELED after Cancel. It
 * does the operation's real work (when r == 0), may set op->result, frees its
 * userdata and returns the outcome (with @e set on failure). The job then ends
 * with that outcome (Finished) and @op completes (the method's reply). */
typedef int (*VbTestJobFinish)(void *userdata, int r, VbOp *op, VbError *e);

int vb_test_job_start(VbConnect *c, const char *operation, VbObjKind kind, void *target,
                      uint64_t bytes_total, VbTestJobFinish finish, void *userdata, VbOp *op,
                      VbJob **ret, VbError *e);
