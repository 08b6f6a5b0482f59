/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Managed save, save and restore of QEMU domains: the guest is stopped and migrated
 * into a file (qemu-save-image.h: a header with the domain XML, then QEMU's stream),
 * then QEMU quits (STOPPED/SAVED). A restore spawns QEMU with -incoming defer, feeds
 * it the file with migrate-incoming and continues it (STARTED/RESTORED). Both run
 * under the domain's state change lock and as org.virtbus.Job1 jobs: progress from
 * query-migrate's ram counters, Cancel → migrate_cancel. Nothing here blocks: QMP is
 * asynchronous and completion is polled from an sd-event timer.
 *
 * Managed save images live at <root>/QEMU/save/<name>.save; they are written to
 * <name>.save.part and renamed when QEMU completed the migration. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "job.h"
#include "qemu-driver.h"
#include "qemu-save-image.h"

#define POLL_USEC (100ULL * 1000ULL)
#define RESTORE_FDNAME "vb-restore"

enum { /* libvirt's flag values */
        SAVE_BYPASS_CACHE = 1 << 0, SAVE_RUNNING = 1 << 1, SAVE_PAUSED = 1 << 2,
        CREATE_START_PAUSED = 1 << 0,
};

typedef struct SaveCtx {
        unsigned n_ref;
        VbOp inner;                /* the state change lock's op */
        VbOp *op;                  /* the caller's */
        VbDomainObj *dom;          /* referenced */
        VbJob *job;
        int fd;
        char *path, *part;         /* final image; file being written (save) */
        bool restore, managed, was_running, finished;
        sd_event_source *timer;
} SaveCtx;

static VbQemuDom *dom_priv(VbDomainObj *d) {
        return d->priv;
}

char *vb_qemu_managed_save_path(VbQemuDriver *drv, const char *name) {
        return vb_strdupf("%s/save/%s.save", drv->root, name);
}

static SaveCtx *ctx_ref(SaveCtx *c) {
        c->n_ref++;
        return c;
}

static void ctx_unref(SaveCtx *c) {
        if (!c || --c->n_ref > 0)
                return;
        sd_event_source_disable_unref(c->timer);
        if (c->fd >= 0)
                close(c->fd);
        free(c->path);
        free(c->part);
        vb_domain_obj_unref(c->dom);
        free(c);
}

/* The end of the job: progress object, temporary file, back link. Once. */
static void ctx_finish(SaveCtx *c, int r, const VbError *e) {
        if (c->finished)
                return;
        c->finished = true;
        if (c->job)
                vb_job_finish(c->job, r, e);
        c->job = NULL;
        if (c->part && r < 0)
                (void) unlink(c->part);
        if (c->fd >= 0)
                close(c->fd);
        c->fd = -1;
        if (c->dom->priv && dom_priv(c->dom)->save_ctx == c)
                dom_priv(c->dom)->save_ctx = NULL;
}

/* The lock's op: the caller's op finishes with it (also when QEMU died meanwhile). */
static void inner_done(VbOp *op, int r, const VbError *e) {
        SaveCtx *c = (SaveCtx *) ((char *) op - offsetof(SaveCtx, inner));
        VbOp *caller = TAKE_PTR(c->op);

        ctx_finish(c, r, e);
        if (caller)
                caller->done(caller, r, e);
        ctx_unref(c);
}

static SaveCtx *ctx_new(VbDomainObj *d, const char *path, bool restore, bool managed, VbOp *op) {
        SaveCtx *c = calloc(1, sizeof(*c));

        if (!c)
                return NULL;
        *c = (SaveCtx) {
                .n_ref = 1, .inner.done = inner_done, .op = op, .dom = vb_domain_obj_ref(d), .fd = -1,
                .path = vb_strdup(path), .restore = restore, .managed = managed,
        };
        if (!c->path) {
                ctx_unref(c);
                return NULL;
        }
        return c;
}

static void log_reply(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *userdata) {
        if (r < 0 && r != -ECANCELED)
                vb_qemu_log("QMP command failed: %s", desc ? desc : strerror(-r));
}

/* ---- query-migrate polling (both directions) ---- */

static void save_status(SaveCtx *c, const char *status, const char *error_desc, json_object *ret);
static void restore_status(SaveCtx *c, const char *status, const char *error_desc);

static void on_migrate_status(SaveCtx *c, const char *status, const char *error_desc, json_object *ret) {
        if (c->restore)
                restore_status(c, status, error_desc);
        else
                save_status(c, status, error_desc, ret);
}

static void poll_reply(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *userdata) {
        SaveCtx *c = userdata;
        json_object *v = NULL, *ed = NULL;

        if (r == -ECANCELED || c->finished) {
                ctx_unref(c);
                return;
        }
        if (r < 0)
                on_migrate_status(c, "failed", desc ? desc : strerror(-r), NULL);
        else {
                if (ret && json_object_object_get_ex(ret, "error-desc", &ed))
                        desc = json_object_get_string(ed);
                on_migrate_status(c, ret && json_object_object_get_ex(ret, "status", &v)
                                  ? json_object_get_string(v) : "none", desc, ret);
        }
        ctx_unref(c);
}

static int on_poll_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        SaveCtx *c = userdata;
        VbQemuDom *q = c->dom->priv;
        int r;

        if (c->finished)
                return 0;
        if (!q || !q->qmp)
                return 0;       /* the process is going: its exit ends the job */
        r = vb_qmp_command(q->qmp, "query-migrate", NULL, NULL, 0, poll_reply, ctx_ref(c));
        if (r < 0) {
                ctx_unref(c);
                on_migrate_status(c, "failed", strerror(-r), NULL);
        }
        return 0;
}

static int poll_arm(SaveCtx *c) {
        sd_event *event = dom_priv(c->dom)->drv->event;
        int r;

        if (!c->timer)
                return sd_event_add_time_relative(event, &c->timer, CLOCK_MONOTONIC, POLL_USEC, 0,
                                                  on_poll_timer, c);
        r = sd_event_source_set_time_relative(c->timer, POLL_USEC);
        return r < 0 ? r : sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
}

static uint64_t get_u64(json_object *o, const char *key) {
        json_object *v;
        return o && json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

static void report_progress(SaveCtx *c, json_object *ret) {
        json_object *ram = NULL;
        uint64_t total, done;

        if (!c->job || !ret || !json_object_object_get_ex(ret, "ram", &ram))
                return;
        total = get_u64(ram, "total");
        done = get_u64(ram, "transferred");
        if (total > 0)
                vb_job_progress(c->job, done < total ? done : total, total);
}

/* ---- save ---- */

static void save_failed(SaveCtx *c, int r, const char *what, const char *detail) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbQemuDom *q = dom_priv(c->dom);

        if (r == -ECANCELED)
                vb_error_set(&e, VB_ERR_OPERATION_ABORTED, "operation aborted: %s was cancelled",
                             c->managed ? "managed save" : "save");
        else
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, "%s: %s", what, strempty(detail));
        if (c->was_running && q->qmp)
                (void) vb_qmp_cont(q->qmp, log_reply, NULL);
        ctx_finish(c, r, &e);
        vb_qemu_job_end(c->dom, r, &e);
}

static void save_completed(SaveCtx *c) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainObj *d = c->dom;
        VbQemuDom *q = dom_priv(d);
        int r;

        if (rename(c->part, c->path) < 0) {
                save_failed(c, -errno, "cannot rename the save image", strerror(errno));
                return;
        }
        c->part = mfree(c->part);
        if (c->managed)
                d->has_managed_save = true;
        ctx_finish(c, 0, NULL);
        /* QEMU goes now; the caller's op finishes when the process is gone, after the
         * state is SHUTOFF/SAVED */
        q->saved = true;
        vb_qemu_job_abort(d);
        r = vb_qmp_quit(q->qmp, log_reply, NULL);
        r = vb_qemu_kill(d, r >= 0, &c->inner, &e);
        if (r < 0)
                inner_done(&c->inner, r, &e);
}

static void save_status(SaveCtx *c, const char *status, const char *error_desc, json_object *ret) {
        if (streq(status, "completed"))
                save_completed(c);
        else if (streq(status, "cancelled"))
                save_failed(c, -ECANCELED, NULL, NULL);
        else if (streq(status, "failed") || streq(status, "none"))
                save_failed(c, -EIO, "migration to the save image failed", error_desc ?: status);
        else {
                report_progress(c, ret);
                if (poll_arm(c) < 0)
                        save_failed(c, -EIO, "cannot watch the migration", "timer");
        }
}

static void on_migrate_started(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc,
                               void *userdata) {
        SaveCtx *c = userdata;

        if (r != -ECANCELED && !c->finished) {
                if (r < 0)
                        save_failed(c, r, "QEMU refused the migration", desc ?: strerror(-r));
                else if (c->job && c->job->cancel_requested) {
                        (void) vb_qmp_command(qmp, "migrate_cancel", NULL, NULL, 0, log_reply, NULL);
                        save_status(c, "active", NULL, NULL);
                } else
                        save_status(c, "active", NULL, NULL);
        }
        ctx_unref(c);
}

static void on_stopped(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *userdata) {
        SaveCtx *c = userdata;

        if (r != -ECANCELED && !c->finished) {
                if (r < 0)
                        save_failed(c, r, "cannot stop the guest CPUs", desc ?: strerror(-r));
                else if (c->job && c->job->cancel_requested)
                        save_failed(c, -ECANCELED, NULL, NULL);
                else if ((r = vb_qmp_migrate_to_fd(qmp, c->fd, on_migrate_started, ctx_ref(c))) < 0) {
                        ctx_unref(c);
                        save_failed(c, r, "cannot start the migration", strerror(-r));
                }
        }
        ctx_unref(c);
}

static int job_cancel(VbJob *j, VbError *e) {
        SaveCtx *c = j->priv;
        VbQemuDom *q = c && !c->finished ? c->dom->priv : NULL;

        if (!q)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "the job is over");
        if (c->restore)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "a restore cannot be cancelled");
        /* before the migration started, on_stopped/on_migrate_started see the request */
        if (q->qmp)
                (void) vb_qmp_command(q->qmp, "migrate_cancel", NULL, NULL, 0, log_reply, NULL);
        return 0;
}


static int open_part(SaveCtx *c, VbDomainObj *d, bool restore_running, VbError *e) {
        _cleanup_free_ char *xml = vb_domain_def_format(d->def, -1, VB_DOMAIN_XML_SECURE);
        int r;

        c->part = vb_strdupf("%s.part", c->path);
        if (!xml || !c->part)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        c->fd = open(c->part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
        if (c->fd < 0) {
                r = vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot create '%s': %s", c->part, strerror(errno));
                c->part = mfree(c->part);
                return r;
        }
        r = vb_qemu_image_write_header(c->fd, xml, restore_running, e);
        if (r < 0) {
                (void) unlink(c->part);
                c->part = mfree(c->part);
        }
        return r;
}

static int check_save(VbDomainObj *d, unsigned flags, VbError *e) {
        VbQemuDom *q = dom_priv(d);
        int r;

        VB_CHECK_FLAGS(flags, SAVE_BYPASS_CACHE | SAVE_RUNNING | SAVE_PAUSED, e);
        if ((flags & SAVE_RUNNING) && (flags & SAVE_PAUSED))
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "flags 'running' and 'paused' in function %s are mutually exclusive", __func__);
        if (!vb_domain_is_active(d))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain is not running");
        r = vb_qemu_job_busy(d, e);
        if (r < 0)
                return r;
        if (q->starting || !q->qmp || !vb_qmp_is_ready(q->qmp) || d->state == VB_DOMAIN_SHUTDOWN)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain is not ready to be saved");
        return 0;
}

/* Lock taken, image header written, job announced; then stop (when running), migrate
 * into the file and poll until QEMU completed it. */
static int save_begin(VbDomainObj *d, const char *path, bool managed, unsigned flags, const char *api,
                      VbOp *op, VbError *e) {
        VbQemuDom *q = dom_priv(d);
        SaveCtx *c;
        int r;

        r = check_save(d, flags, e);
        if (r < 0)
                return r;
        c = ctx_new(d, path, false, managed, op);
        if (!c)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        c->was_running = d->state == VB_DOMAIN_RUNNING;
        r = open_part(c, d, (flags & SAVE_RUNNING) || (c->was_running && !(flags & SAVE_PAUSED)), e);
        if (r >= 0)
                r = vb_qemu_job_begin(d, api, &c->inner, e);
        if (r >= 0) {
                r = vb_job_new(d->conn, managed ? "ManagedSave" : "Save", VB_KIND_DOMAIN, d, 0, job_cancel,
                               &c->job, e);
                if (r < 0)
                        vb_qemu_job_abort(d);
        }
        if (r < 0) {
                if (c->part)
                        (void) unlink(c->part);
                ctx_unref(c);
                return r;
        }
        c->job->priv = c;
        q->save_ctx = c;
        if (c->was_running)
                r = vb_qmp_stop(q->qmp, on_stopped, ctx_ref(c));
        else
                r = vb_qmp_migrate_to_fd(q->qmp, c->fd, on_migrate_started, ctx_ref(c));
        if (r < 0) {
                ctx_unref(c);
                save_failed(c, r, "cannot talk to QEMU", strerror(-r));
        }
        return 1;
}

int vb_qemu_managed_save(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e) {
        VbQemuDriver *drv = vb_qemu_driver_of(d->conn);
        _cleanup_free_ char *dir = vb_strdupf("%s/save", drv->root);
        _cleanup_free_ char *path = vb_qemu_managed_save_path(drv, d->def->name);

        if (!dir || !path)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (!d->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "cannot do managed save for transient domain");
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot create %s: %s", dir, strerror(errno));
        return save_begin(d, path, true, flags, "virDomainManagedSave", op, e);
}

int vb_qemu_save(VbDomainObj *d, const char *to, const char *xml, unsigned flags, VbOp *op, VbError *e) {
        int r;

        if (!isempty(xml))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "xml modification unsupported");
        r = vb_qemu_image_check_path(to, false, e);
        if (r < 0)
                return r;
        return save_begin(d, to, false, flags, "virDomainSaveFlags", op, e);
}

/* ---- restore ---- */

static void restore_failed(SaveCtx *c, const char *detail) {
        vb_qemu_start_failed(c->dom, vb_strdupf("cannot restore domain '%s' from '%s': %s", c->dom->def->name,
                                                c->path, strempty(detail)));
}

static void on_restore_cont(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc,
                            void *userdata) {
        SaveCtx *c = userdata;

        if (r == -ECANCELED)
                ;
        else if (r < 0)
                vb_qemu_start_failed(c->dom, vb_strdupf("cannot start the guest CPUs: %s", desc ?: strerror(-r)));
        else
                vb_qemu_startup_done(c->dom);
        ctx_unref(c);
}

static void restore_status(SaveCtx *c, const char *status, const char *error_desc) {
        VbDomainObj *d = c->dom;
        VbQemuDom *q = dom_priv(d);
        int r;

        if (streq(status, "failed") || streq(status, "cancelled")) {
                restore_failed(c, error_desc ?: status);
                return;
        }
        if (!streq(status, "completed")) {
                if (poll_arm(c) < 0)
                        restore_failed(c, "cannot watch the migration");
                return;
        }
        if (c->managed) {
                (void) unlink(c->path);
                d->has_managed_save = false;
        }
        ctx_finish(c, 0, NULL);
        if (q->start_paused) {
                vb_qemu_startup_done(d);
                return;
        }
        r = vb_qmp_cont(q->qmp, on_restore_cont, ctx_ref(c));
        if (r < 0) {
                ctx_unref(c);
                vb_qemu_start_failed(d, vb_strdupf("cannot start the guest CPUs: %s", strerror(-r)));
        }
}

static void on_incoming(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *userdata) {
        SaveCtx *c = userdata;

        if (r != -ECANCELED && !c->finished) {
                if (r < 0)
                        restore_failed(c, desc ?: strerror(-r));
                else if (poll_arm(c) < 0)
                        restore_failed(c, "cannot watch the migration");
        }
        ctx_unref(c);
}

static json_object *one_string_arg(const char *key, const char *value) {
        json_object *args = json_object_new_object();

        if (args && json_object_object_add(args, key, json_object_new_string(value)) < 0)
                args = (json_object_put(args), NULL);
        return args;
}

/* VbQemuDom.start_hook: QEMU waits with -incoming defer; hand it the image. */
static void restore_hook(VbDomainObj *d) {
        VbQemuDom *q = dom_priv(d);
        SaveCtx *c = q->save_ctx;
        int r;

        if (!c || c->fd < 0) {
                vb_qemu_start_failed(d, vb_strdup("the restore was abandoned"));
                return;
        }
        r = vb_qmp_command(q->qmp, "getfd", one_string_arg("fdname", RESTORE_FDNAME), &c->fd, 1, log_reply, NULL);
        if (r >= 0)
                r = vb_qmp_command(q->qmp, "migrate-incoming", one_string_arg("uri", "fd:" RESTORE_FDNAME), NULL, 0,
                                   on_incoming, ctx_ref(c));
        if (r < 0) {
                ctx_unref(c);
                restore_failed(c, strerror(-r));
        }
}

int vb_qemu_argv_add_incoming(char ***argv) {
        size_t n = 0;
        char **l;

        while ((*argv)[n])
                n++;
        l = realloc(*argv, (n + 3) * sizeof(char *));
        if (!l)
                return -ENOMEM;
        *argv = l;
        l[n] = vb_strdup("-incoming");
        l[n + 1] = vb_strdup("defer");
        l[n + 2] = NULL;
        return l[n] && l[n + 1] ? 0 : -ENOMEM;
}

/* @d is inactive with d->def = the image's definition. The caller's op finishes
 * once the guest runs again (or the start failed). */
static int restore_onto(VbDomainObj *d, VbSaveImage *img, const char *path, bool managed, bool paused,
                        const char *api, VbOp *op, VbError *e) {
        _cleanup_vb_error_ VbError je = VB_ERROR_NULL;
        VbQemuDom *q = dom_priv(d);
        SaveCtx *c = ctx_new(d, path, true, managed, op);
        int r;

        if (!c)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        c->fd = TAKE_FD(img->fd);
        q->incoming = true;
        q->start_hook = restore_hook;
        q->save_ctx = c;
        r = vb_qemu_start(d, paused, VB_EV_STARTED_RESTORED, api, &c->inner, e);
        if (r < 0) {
                q->incoming = false;
                q->start_hook = NULL;
                q->save_ctx = NULL;
                ctx_unref(c);
                return r;
        }
        if (vb_job_new(d->conn, "Restore", VB_KIND_DOMAIN, d, img->data_size, job_cancel, &c->job, &je) >= 0)
                c->job->priv = c;
        else
                vb_qemu_log("domain '%s': restore runs without a job: %s", d->def->name, strempty(je.message));
        return 1;
}

static int image_def(VbSaveImage *img, VbDomainDef **ret, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        int r = vb_domain_def_parse(img->xml, 0, &def, e);

        if (r < 0)
                return r;
        if (!streq_ptr(def->virt_type, "qemu") && !streq_ptr(def->virt_type, "kvm"))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "the save image is not of a QEMU domain");
        *ret = TAKE_PTR(def);
        return 0;
}

static bool restore_paused(unsigned flags, const VbSaveImage *img) {
        return (flags & SAVE_PAUSED) || (!(flags & SAVE_RUNNING) && !img->was_running);
}

int vb_qemu_restore(VbConnect *c, const char *from, const char *xml, unsigned flags, VbOp *op, VbError *e) {
        _cleanup_(vb_save_image_clear) VbSaveImage img = VB_SAVE_IMAGE_NULL;
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        VbDomainObj *d = NULL;
        bool created = false;
        int r;

        VB_CHECK_FLAGS(flags, SAVE_BYPASS_CACHE | SAVE_RUNNING | SAVE_PAUSED, e);
        if (!isempty(xml))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "xml modification unsupported");
        r = vb_qemu_image_check_path(from, true, e);
        if (r >= 0)
                r = vb_qemu_image_open(from, &img, e);
        if (r >= 0)
                r = image_def(&img, &def, e);
        if (r >= 0)
                r = vb_domain_check_unique(c, def, &d, e);
        if (r >= 0 && d)
                r = vb_qemu_job_busy(d, e);
        if (r >= 0 && d)
                r = vb_domain_obj_run_def(d, &def, e);
        if (r < 0)
                return r;
        if (!d) {
                if (vb_qemu_domain_new(c, TAKE_PTR(def), &d) < 0)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                created = true;
        }
        r = restore_onto(d, &img, from, false, restore_paused(flags, &img), "virDomainRestoreFlags", op, e);
        if (r < 0 && created)
                vb_qemu_dom_remove(d);
        else if (r < 0)
                vb_domain_obj_drop_live_def(d);
        return r;
}

int vb_qemu_start_managed(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e) {
        _cleanup_free_ char *path = vb_qemu_managed_save_path(vb_qemu_driver_of(d->conn), d->def->name);
        _cleanup_(vb_save_image_clear) VbSaveImage img = VB_SAVE_IMAGE_NULL;
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        int r;

        if (!path)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        d->has_managed_save = access(path, F_OK) == 0;
        if (!d->has_managed_save)
                return 0;
        r = vb_qemu_image_open(path, &img, e);
        if (r >= 0)
                r = image_def(&img, &def, e);
        if (r < 0)
                return r;
        if (memcmp(def->uuid, d->def->uuid, sizeof(def->uuid)) != 0 || !streq(def->name, d->def->name))
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "the managed save image of '%s' is of another domain",
                                    d->def->name);
        r = vb_domain_obj_run_def(d, &def, e);     /* the caller made sure it is shut off */
        if (r < 0)
                return r;
        r = restore_onto(d, &img, path, true, (flags & CREATE_START_PAUSED) || !img.was_running,
                         "virDomainCreateWithFlags", op, e);
        if (r < 0)
                vb_domain_obj_drop_live_def(d);
        return r;
}

int vb_qemu_has_managed_save_image(VbDomainObj *d, unsigned flags, bool *ret, VbError *e) {
        _cleanup_free_ char *path = vb_qemu_managed_save_path(vb_qemu_driver_of(d->conn),
                                                              vb_domain_persistent_def(d)->name);

        VB_CHECK_FLAGS(flags, 0, e);
        if (!path)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        d->has_managed_save = d->persistent && access(path, F_OK) == 0;
        *ret = d->has_managed_save;
        return 0;
}

int vb_qemu_managed_save_remove(VbDomainObj *d, unsigned flags, VbError *e) {
        _cleanup_free_ char *path = vb_qemu_managed_save_path(vb_qemu_driver_of(d->conn),
                                                              vb_domain_persistent_def(d)->name);
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        if (!path)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = vb_qemu_job_busy(d, e);
        if (r < 0)
                return r;
        if (unlink(path) < 0 && errno != ENOENT)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "failed to remove managed save file '%s': %s", path,
                                    strerror(errno));
        d->has_managed_save = false;
        return 0;
}

int vb_qemu_save_image_get_xml_desc(VbConnect *c, const char *file, unsigned flags, char **ret, VbError *e) {
        _cleanup_(vb_save_image_clear) VbSaveImage img = VB_SAVE_IMAGE_NULL;
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        int r;

        VB_CHECK_FLAGS(flags, VB_DOMAIN_XML_SECURE, e);
        r = vb_qemu_image_check_path(file, true, e);
        if (r >= 0)
                r = vb_qemu_image_open(file, &img, e);
        if (r >= 0)
                r = vb_domain_def_parse(img.xml, VB_DOMAIN_PARSE_INACTIVE, &def, e);
        if (r < 0)
                return r;
        *ret = vb_domain_def_format(def, -1, VB_DOMAIN_XML_INACTIVE | flags);
        return *ret ? 0 : vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
}
