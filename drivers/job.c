/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <systemd/sd-event.h>

#include "job.h"

/* Jobs per connection, kept beside VbConnect so drivers without jobs pay nothing. */
typedef struct JobList {
        VbConnect *conn;
        VbJob *jobs[VB_JOBS_MAX];
        size_t n;
        unsigned next_id;
} JobList;

static JobList lists[8];

static JobList *list_of(VbConnect *c, bool create) {
        JobList *free_slot = NULL;
        for (size_t i = 0; i < ELEMENTSOF(lists); i++) {
                if (lists[i].conn == c)
                        return &lists[i];
                if (!lists[i].conn && !free_slot)
                        free_slot = &lists[i];
        }
        if (!create || !free_slot)
                return NULL;
        *free_slot = (JobList) { .conn = c, .next_id = 1 };
        return free_slot;
}

const char *vb_job_state_to_string(VbJobState s) {
        static const char *const t[] = { "running", "completed", "failed", "cancelled" };
        return (unsigned) s < ELEMENTSOF(t) ? t[s] : "failed";
}

static void job_free(VbJob *j) {
        sd_event_source_unref(j->linger);
        free(j->operation);
        free(j->target_path);
        free(j->error);
        free(j);
}

static void job_remove(VbJob *j) {
        JobList *l = list_of(j->conn, false);
        vb_event_obj(j->conn, VB_EVENT_OBJECT_REMOVED, VB_KIND_JOB, j, 0, 0);
        for (size_t i = 0; l && i < l->n; i++)
                if (l->jobs[i] == j) {
                        memmove(l->jobs + i, l->jobs + i + 1, (l->n - i - 1) * sizeof(VbJob *));
                        l->n--;
                        break;
                }
        job_free(j);
}

int vb_job_new(VbConnect *c, const char *operation, VbObjKind kind, void *target, uint64_t bytes_total,
               int (*cancel)(VbJob *, VbError *), VbJob **ret, VbError *e) {
        JobList *l = list_of(c, true);
        VbJob *j;

        if (!l)
                return vb_error_set(e, VB_ERR_LIMIT, "too many drivers with jobs");
        /* make room by dropping the oldest finished job */
        for (size_t i = 0; l->n == VB_JOBS_MAX && i < l->n; i++)
                if (l->jobs[i]->state != VB_JOB_RUNNING)
                        job_remove(l->jobs[i]);
        if (l->n == VB_JOBS_MAX)
                return vb_error_set(e, VB_ERR_LIMIT, "too many jobs running (%d)", VB_JOBS_MAX);
        j = calloc(1, sizeof(*j));
        if (!j)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        j->conn = c;
        j->id = l->next_id++;
        j->operation = vb_strdup(operation);
        j->target_kind = kind;
        j->target = target;
        j->cancel = cancel;
        j->bytes_total = bytes_total;
        l->jobs[l->n++] = j;
        vb_event_obj(c, VB_EVENT_OBJECT_ADDED, VB_KIND_JOB, j, 0, 0);
        *ret = j;
        return 0;
}

void vb_job_progress(VbJob *j, uint64_t done, uint64_t total) {
        if (j->state != VB_JOB_RUNNING)
                return;
        j->bytes_done = done;
        j->bytes_total = total;
        j->progress = total > 0 ? (double) done / (double) total : 0.0;
        if (j->progress > 1.0)
                j->progress = 1.0;
        vb_event_obj(j->conn, VB_EVENT_OBJECT_CHANGED, VB_KIND_JOB, j, 0, 0);
}

static int on_linger(sd_event_source *s, uint64_t usec, void *userdata) {
        job_remove(userdata);
        return 0;
}

void vb_job_finish(VbJob *j, int r, const VbError *e) {
        sd_event *event = NULL;

        if (j->state != VB_JOB_RUNNING)
                return;
        j->target = NULL;
        if (r >= 0) {
                j->state = VB_JOB_COMPLETED;
                j->progress = 1.0;
                if (j->bytes_total)
                        j->bytes_done = j->bytes_total;
        } else {
                j->state = r == -ECANCELED ? VB_JOB_CANCELLED : VB_JOB_FAILED;
                j->error = vb_strdup(e && e->message ? e->message :
                                     r == -ECANCELED ? "operation cancelled" : "operation failed");
        }
        vb_event_obj(j->conn, VB_EVENT_JOB_FINISHED, VB_KIND_JOB, j, 0, 0);
        if (sd_event_default(&event) >= 0) {
                sd_event_add_time_relative(event, (sd_event_source **) &j->linger, CLOCK_MONOTONIC,
                                           VB_JOB_LINGER_USEC, 0, on_linger, j);
                sd_event_unref(event);
        }
}

int vb_job_cancel(VbJob *j, VbError *e) {
        if (j->state != VB_JOB_RUNNING)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "job %u is not running", j->id);
        if (!j->cancel)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "job %u (%s) cannot be cancelled",
                                    j->id, j->operation);
        j->cancel_requested = true;
        return j->cancel(j, e);
}

VbJob *vb_job_find(VbConnect *c, unsigned id) {
        JobList *l = list_of(c, false);
        for (size_t i = 0; l && i < l->n; i++)
                if (l->jobs[i]->id == id)
                        return l->jobs[i];
        return NULL;
}

size_t vb_job_list(VbConnect *c, VbJob ***ret) {
        JobList *l = list_of(c, false);
        VbJob **r = calloc(l ? l->n + 1 : 1, sizeof(VbJob *));
        size_t n = 0;
        if (!r)
                return 0;
        for (size_t i = 0; l && i < l->n; i++)
                r[n++] = l->jobs[i];
        *ret = r;
        return n;
}

void vb_jobs_free_all(VbConnect *c) {
        JobList *l = list_of(c, false);
        if (!l)
                return;
        for (size_t i = 0; i < l->n; i++)
                job_free(l->jobs[i]);
        *l = (JobList) { 0 };
}
