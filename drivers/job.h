/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Long operations (volume create/clone/wipe, save/restore, migration) as jobs with
 * progress and cancellation. Drivers create and drive them; objects/ publishes each
 * as an org.virtbus.Job1 object. The method that started a job still replies only
 * when it is over (libvirt-dbus's semantics); a job adds progress and Cancel. */
#include "driver.h"

#define VB_JOBS_MAX 64                  /* running + recently finished, per connection */
#define VB_JOB_LINGER_USEC (10ULL * 1000000ULL)  /* finished jobs stay visible this long */

typedef enum VbJobState {
        VB_JOB_RUNNING, VB_JOB_COMPLETED, VB_JOB_FAILED, VB_JOB_CANCELLED,
} VbJobState;

typedef struct VbJob VbJob;
struct VbJob {
        VbConnect *conn;
        unsigned id;
        char *operation;                /* "StorageVolWipe", "Save", ... */
        char *target_path;              /* filled in by objects/ when the job is announced */
        VbObjKind target_kind;
        void *target;                   /* borrowed; only valid while running */
        double progress;
        uint64_t bytes_done, bytes_total;
        VbJobState state;
        char *error;
        bool cancel_requested;
        /* Asks the driver to stop; it finishes the job later with -ECANCELED. */
        int (*cancel)(VbJob *j, VbError *e);
        void *priv;
        void *linger;                   /* removal timer */
};

const char *vb_job_state_to_string(VbJobState s);
/* @bytes_total: expected work in bytes, 0 when unknown. Announced at once. */
int vb_job_new(VbConnect *c, const char *operation, VbObjKind kind, void *target, uint64_t bytes_total,
               int (*cancel)(VbJob *, VbError *), VbJob **ret, VbError *e);
void vb_job_progress(VbJob *j, uint64_t done, uint64_t total);
/* r = 0 success, -ECANCELED cancelled, other < 0 failed with @e's message. */
void vb_job_finish(VbJob *j, int r, const VbError *e);
int vb_job_cancel(VbJob *j, VbError *e);
VbJob *vb_job_find(VbConnect *c, unsigned id);
size_t vb_job_list(VbConnect *c, VbJob ***ret);
void vb_jobs_free_all(VbConnect *c);
