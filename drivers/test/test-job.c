/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <systemd/sd-event.h>

#include "test-job.h"

typedef struct TestJob {
        VbJob *job;
        VbOp *op;
        sd_event_source *timer;
        unsigned step;
        VbTestJobFinish finish;
        void *userdata;
} TestJob;

static void test_job_end(TestJob *t, int r) {
        VbError e = VB_ERROR_NULL;
        r = t->finish(t->userdata, r, t->op, &e);
        /* Finished goes out before the method's reply; the job's last PropertiesChanged
         * is coalesced and may follow the reply */
        vb_job_finish(t->job, r, &e);
        t->op->done(t->op, r, &e);
        vb_error_clear(&e);
        sd_event_source_disable_unref(t->timer);
        free(t);
}

static int test_job_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        TestJob *t = userdata;
        uint64_t total = t->job->bytes_total;

        if (t->job->cancel_requested) {
                test_job_end(t, -ECANCELED);
                return 0;
        }
        t->step++;
        vb_job_progress(t->job, total / VB_TEST_JOB_STEPS * t->step, total);
        if (t->step >= VB_TEST_JOB_STEPS) {
                test_job_end(t, 0);
                return 0;
        }
        if (sd_event_source_set_time_relative(s, VB_TEST_JOB_STEP_USEC) < 0)
                return 0;
        return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static int test_job_cancel(VbJob *j, VbError *e) {
        return 0;   /* the next tick sees cancel_requested */
}

int vb_test_job_start(VbConnect *c, const char *operation, VbObjKind kind, void *target,
                      uint64_t bytes_total, VbTestJobFinish finish, void *userdata, VbOp *op,
                      VbJob **ret, VbError *e) {
        _cleanup_free_ TestJob *t = calloc(1, sizeof(TestJob));
        sd_event *event = NULL;
        int r;

        if (!t)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = sd_event_default(&event);
        if (r >= 0) {
                r = sd_event_add_time_relative(event, &t->timer, CLOCK_MONOTONIC, VB_TEST_JOB_STEP_USEC,
                                               0, test_job_tick, t);
                sd_event_unref(event);
        }
        if (r < 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "cannot start job: %s", strerror(-r));
        r = vb_job_new(c, operation, kind, target, bytes_total, test_job_cancel, &t->job, e);
        if (r < 0) {
                sd_event_source_disable_unref(t->timer);
                return r;
        }
        t->op = op;
        t->finish = finish;
        t->userdata = userdata;
        if (ret)
                *ret = t->job;
        TAKE_PTR(t);
        return 0;
}
