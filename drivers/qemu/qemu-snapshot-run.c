/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The two ways internal qcow2 snapshots are taken, loaded and deleted, both
 * asynchronous: QMP background jobs of a running QEMU (snapshot-save,
 * snapshot-load, snapshot-delete; polled with query-jobs until concluded, then
 * dismissed) and `qemu-img snapshot` on the disk files of a shut off domain (spawned
 * with argv, one file after the other, reaped from sd-event). */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "qemu-snapshot.h"

#define JOB_POLL_USEC (50ULL * 1000ULL)
#define QEMU_IMG "/usr/bin/qemu-img"
#define ERROR_MAX 512

static unsigned job_counter;

/* ---- QMP jobs ---- */

typedef struct QmpJob {
        VbDomainObj *dom;          /* referenced */
        char id[32];
        char *cmd;
        sd_event_source *timer;
        VbSnapRunDone done;
        void *userdata;
} QmpJob;

static void qmp_job_end(QmpJob *j, int r, const char *error) {
        j->done(j->userdata, r, error);
        sd_event_source_disable_unref(j->timer);
        vb_domain_obj_unref(j->dom);
        free(j->cmd);
        free(j);
}

static VbQmp *qmp_of(QmpJob *j) {
        VbQemuDom *q = j->dom->priv;
        return q ? q->qmp : NULL;
}

static void ignore_reply(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *u) {
}

static json_object *find_job(json_object *list, const char *id) {
        for (size_t i = 0; list && json_object_is_type(list, json_type_array) &&
                           i < json_object_array_length(list); i++) {
                json_object *o = json_object_array_get_idx(list, i), *v;
                if (json_object_object_get_ex(o, "id", &v) && streq_ptr(json_object_get_string(v), id))
                        return o;
        }
        return NULL;
}

static void on_query_jobs(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QmpJob *j = userdata;
        json_object *o, *v;
        const char *status;

        if (r < 0) {
                qmp_job_end(j, r, desc ? desc : "the QEMU monitor is gone");
                return;
        }
        o = find_job(ret, j->id);
        if (!o) {
                qmp_job_end(j, -EIO, "the QEMU job vanished");
                return;
        }
        status = json_object_object_get_ex(o, "status", &v) ? json_object_get_string(v) : "";
        if (!streq_ptr(status, "concluded")) {
                if (sd_event_source_set_time_relative(j->timer, JOB_POLL_USEC) < 0 ||
                    sd_event_source_set_enabled(j->timer, SD_EVENT_ONESHOT) < 0)
                        qmp_job_end(j, -EIO, "cannot poll the QEMU job");
                return;
        }
        {
                _cleanup_free_ char *error = json_object_object_get_ex(o, "error", &v)
                                             ? vb_strdup(json_object_get_string(v)) : NULL;
                json_object *args = json_object_new_object();
                json_object_object_add(args, "id", json_object_new_string(j->id));
                (void) vb_qmp_command(qmp, "job-dismiss", args, NULL, 0, ignore_reply, NULL);
                qmp_job_end(j, error ? -EIO : 0, error);
        }
}

static int on_job_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        QmpJob *j = userdata;
        VbQmp *qmp = qmp_of(j);
        int r = qmp ? vb_qmp_command(qmp, "query-jobs", NULL, NULL, 0, on_query_jobs, j) : -ENOTCONN;

        if (r < 0)
                qmp_job_end(j, r, "the QEMU monitor is gone");
        return 0;
}

static void on_job_started(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QmpJob *j = userdata;
        sd_event *event;

        if (r < 0) {
                qmp_job_end(j, r, desc ? desc : "the QEMU monitor is gone");
                return;
        }
        event = ((VbQemuDom *) j->dom->priv)->drv->event;
        r = sd_event_add_time_relative(event, &j->timer, CLOCK_MONOTONIC, JOB_POLL_USEC, 0, on_job_timer, j);
        if (r < 0)
                qmp_job_end(j, r, "cannot poll the QEMU job");
}

int vb_qemu_snap_qmp_job(VbDomainObj *d, const char *cmd, json_object *args, VbSnapRunDone done, void *userdata) {
        VbQemuDom *q = d->priv;
        QmpJob *j;
        int r;

        if (!q || !q->qmp || !args) {
                json_object_put(args);
                return -ENOTCONN;
        }
        j = calloc(1, sizeof(*j));
        if (!j) {
                json_object_put(args);
                return -ENOMEM;
        }
        *j = (QmpJob) { .dom = vb_domain_obj_ref(d), .cmd = vb_strdup(cmd), .done = done, .userdata = userdata };
        snprintf(j->id, sizeof(j->id), "vb-snapshot-%u", ++job_counter);
        json_object_object_add(args, "job-id", json_object_new_string(j->id));
        r = vb_qmp_command(q->qmp, cmd, args, NULL, 0, on_job_started, j);
        if (r < 0) {
                vb_domain_obj_unref(j->dom);
                free(j->cmd);
                free(j);
        }
        return r;
}

/* ---- qemu-img snapshot ---- */

typedef struct ImgRun {
        sd_event *event;
        char *op, *name;
        char **files;
        size_t next;
        int out_fd;                /* memfd: qemu-img's output, for errors */
        VbQemuProc *proc;
        VbSnapRunDone done;
        void *userdata;
} ImgRun;

static void img_run_end(ImgRun *run, int r, const char *error) {
        run->done(run->userdata, r, error);
        vb_qemu_proc_free(run->proc);
        if (run->out_fd >= 0)
                close(run->out_fd);
        sd_event_unref(run->event);
        free(run->op);
        free(run->name);
        vb_strv_free(run->files);
        free(run);
}

static int img_run_next(ImgRun *run, VbError *e);

static void on_img_exit(VbQemuProc *p, const siginfo_t *si, void *userdata) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        ImgRun *run = userdata;
        char buf[ERROR_MAX + 1];
        ssize_t n;

        run->proc = vb_qemu_proc_free(run->proc);
        if (!si || si->si_code != CLD_EXITED || si->si_status != 0) {
                n = pread(run->out_fd, buf, ERROR_MAX, 0);
                buf[n > 0 ? n : 0] = 0;
                while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
                        buf[--n] = 0;
                img_run_end(run, -EIO, n > 0 ? buf : "qemu-img failed");
                return;
        }
        if (!run->files[run->next]) {
                img_run_end(run, 0, NULL);
                return;
        }
        if (img_run_next(run, &e) < 0)
                img_run_end(run, -EIO, e.message);
}

static int img_run_next(ImgRun *run, VbError *e) {
        char *argv[] = { (char *) QEMU_IMG, (char *) "snapshot", run->op, run->name,
                         run->files[run->next], NULL };

        run->next++;
        if (ftruncate(run->out_fd, 0) < 0 || lseek(run->out_fd, 0, SEEK_SET) < 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "cannot reset qemu-img's output: %s", strerror(errno));
        return vb_qemu_proc_spawn(run->event, argv, run->out_fd, on_img_exit, run, &run->proc, e);
}

int vb_qemu_snap_img(sd_event *event, const char *op, const char *name, char **files, VbSnapRunDone done,
                     void *userdata, VbError *e) {
        ImgRun *run;
        int r;

        if (!files || !files[0])
                return vb_error_set(e, VB_ERR_INTERNAL, "no disk to snapshot");
        run = calloc(1, sizeof(*run));
        if (!run)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        *run = (ImgRun) { .event = sd_event_ref(event), .op = vb_strdup(op), .name = vb_strdup(name),
                          .files = files, .done = done, .userdata = userdata };
        run->out_fd = memfd_create("qemu-img", MFD_CLOEXEC);
        r = run->out_fd < 0 ? vb_error_set(e, VB_ERR_INTERNAL, "memfd_create: %s", strerror(errno))
                            : img_run_next(run, e);
        if (r < 0) {
                run->files = NULL;      /* the caller keeps them on failure */
                run->done = NULL;
                vb_qemu_proc_free(run->proc);
                if (run->out_fd >= 0)
                        close(run->out_fd);
                sd_event_unref(run->event);
                free(run->op);
                free(run->name);
                free(run);
        }
        return r;
}
