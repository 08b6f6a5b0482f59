/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DomainSnapshot for QEMU domains: internal snapshots in the domain's qcow2 disks.
 * A running (or paused) domain snapshots its disks and its memory through QEMU
 * (snapshot-save/-load/-delete jobs); a shut off one through `qemu-img snapshot`.
 * The tree (names, parents, the current snapshot, the domain definition at the
 * time) is our metadata, one file per snapshot under
 * <root>/QEMU/snapshot/<domain>/<name>.xml. Create, revert and delete hold the
 * domain's state change lock and reply when the work is done. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "qemu-snapshot.h"
#include "qemu-status.h"
#include "snapshot.h"
#include "xml-util.h"

enum { /* libvirt's flag values */
        CREATE_ATOMIC = 128, CREATE_VALIDATE = 512,
        REVERT_RUNNING = 1, REVERT_PAUSED = 2, REVERT_FORCE = 4,
        DELETE_METADATA_ONLY = 2,
};

typedef enum SnapKind { SNAP_CREATE, SNAP_REVERT, SNAP_DELETE } SnapKind;

typedef struct SnapCtx {
        unsigned n_ref;
        VbOp inner;                /* the state change lock's op */
        VbOp *op;                  /* the caller's */
        VbDomainObj *dom;          /* referenced */
        SnapKind kind;
        char *name;
        VbSnapshotDef *def;        /* create: the new snapshot */
        unsigned flags;
        bool lock_gone;            /* the lock's op finished (QEMU or the domain went) */
        /* revert: the snapshot's definition; QEMU being stopped for it (stop_op) or
         * started from it (the snapshot is loaded in the start hook) */
        VbDomainDef *revert_def;
        VbOp stop_op;
        bool starting;
} SnapCtx;

static VbSnapshotDef *snap_def(const VbSnapshotObj *s) {
        return s->priv;
}

/* ---- metadata ---- */

static char *meta_dir(VbDomainObj *d) {
        return vb_strdupf("%s/snapshot/%s", vb_qemu_driver_of(d->conn)->root, vb_domain_persistent_def(d)->name);
}

static int meta_write(VbSnapshotObj *s) {
        VbQemuDriver *drv = vb_qemu_driver_of(s->dom->conn);
        _cleanup_free_ char *top = vb_strdupf("%s/snapshot", drv->root), *dir = meta_dir(s->dom);
        _cleanup_free_ char *path = NULL, *xml = NULL;
        VbSnapshotDef *def = snap_def(s);

        def->active = s->dom->current_snapshot == s;
        free(def->parent);
        def->parent = s->parent ? vb_strdup(s->parent) : NULL;
        xml = vb_snapshot_def_format(def, VB_SNAPSHOT_FORMAT_SECURE | VB_SNAPSHOT_FORMAT_INTERNAL);
        path = vb_strdupf("%s/%s.xml", dir, s->name);
        if (!top || !dir || !xml || !path)
                return -ENOMEM;
        if ((mkdir(top, 0700) < 0 && errno != EEXIST) || (mkdir(dir, 0700) < 0 && errno != EEXIST))
                return -errno;
        return vb_qemu_write_file_atomic(path, xml, strlen(xml), 0600);
}

static void meta_write_logged(VbSnapshotObj *s) {
        int r = s ? meta_write(s) : 0;
        if (r < 0)
                vb_qemu_log("cannot save the metadata of snapshot '%s': %s", s->name, strerror(-r));
}

static void meta_remove(VbSnapshotObj *s) {
        _cleanup_free_ char *dir = meta_dir(s->dom);
        _cleanup_free_ char *path = vb_strdupf("%s/%s.xml", dir, s->name);

        if (path)
                (void) unlink(path);
        if (dir && s->dom->n_snapshots <= 1)
                (void) rmdir(dir);
}

static void snapshot_drop(VbSnapshotObj *s, bool emit) {
        if (emit)
                vb_event_obj(s->dom->conn, VB_EVENT_OBJECT_REMOVED, VB_KIND_SNAPSHOT, s, 0, 0);
        vb_snapshot_def_free(s->priv);
        s->priv = NULL;
        vb_snapshot_obj_remove(s);
}

void vb_qemu_snapshots_free(VbDomainObj *d) {
        while (d->n_snapshots > 0)
                snapshot_drop(d->snapshots[d->n_snapshots - 1], false);
}

static void load_one(VbDomainObj *d, const char *dir, const char *file) {
        _cleanup_free_ char *path = vb_strdupf("%s/%s", dir, file), *xml = NULL;
        _cleanup_(vb_snapshot_def_freep) VbSnapshotDef *def = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbSnapshotObj *s;
        int r;

        r = vb_qemu_read_file(path, 4 * 1024 * 1024, &xml);
        if (r >= 0)
                r = vb_snapshot_def_parse(xml, VB_SNAPSHOT_PARSE_REDEFINE | VB_SNAPSHOT_PARSE_INTERNAL, &def, &e);
        if (r >= 0 && (!def->name || vb_snapshot_find(d, def->name)))
                r = -EEXIST;
        if (r >= 0 && vb_snapshot_obj_new(d, def->name, &s) < 0)
                r = -ENOMEM;
        if (r < 0) {
                vb_qemu_log("ignoring snapshot metadata %s: %s", path, e.message ? e.message : strerror(-r));
                return;
        }
        s->parent = def->parent ? vb_strdup(def->parent) : NULL;
        if (def->active)
                d->current_snapshot = s;
        s->priv = TAKE_PTR(def);
}

void vb_qemu_snapshots_load(VbDomainObj *d) {
        _cleanup_free_ char *dir = meta_dir(d);
        DIR *dp = dir ? opendir(dir) : NULL;
        struct dirent *de;

        if (!dp)
                return;
        while ((de = readdir(dp))) {
                size_t n = strlen(de->d_name);
                if (de->d_name[0] != '.' && n > 4 && streq(de->d_name + n - 4, ".xml"))
                        load_one(d, dir, de->d_name);
        }
        closedir(dp);
}

/* ---- the operation context ---- */

static void ctx_unref(SnapCtx *c) {
        if (--c->n_ref > 0)
                return;
        vb_domain_obj_unref(c->dom);
        vb_snapshot_def_free(c->def);
        vb_domain_def_free(c->revert_def);
        free(c->name);
        free(c);
}

static void inner_done(VbOp *op, int r, const VbError *e) {
        SnapCtx *c = (SnapCtx *) ((char *) op - offsetof(SnapCtx, inner));
        VbOp *caller = TAKE_PTR(c->op);
        VbQemuDom *q = c->dom->priv;

        c->lock_gone = true;
        if (q && q->revert_ctx == c)
                q->revert_ctx = NULL;
        if (caller)
                caller->done(caller, r, e);
        ctx_unref(c);
}

static SnapCtx *ctx_new(VbDomainObj *d, SnapKind kind, const char *name, unsigned flags, VbOp *op) {
        SnapCtx *c = calloc(1, sizeof(*c));

        if (!c)
                return NULL;
        *c = (SnapCtx) { .n_ref = 1, .inner.done = inner_done, .op = op, .dom = vb_domain_obj_ref(d),
                         .kind = kind, .name = vb_strdup(name), .flags = flags };
        return c;
}

static void strv_freep(char ***p) {
        vb_strv_free(*p);
}

/* Only qcow2 files can hold internal snapshots: their paths (NULL-terminated) and
 * QEMU's format node names ("fmt-<target>"). */
static int snapshot_disks(const VbDomainDef *def, char ***ret_files, json_object **ret_nodes, VbError *e) {
        _cleanup_(strv_freep) char **files = calloc(def->n_disks + 1, sizeof(char *));
        json_object *nodes = json_object_new_array();
        size_t n = 0;

        if (!files || !nodes) {
                json_object_put(nodes);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        for (size_t i = 0; i < def->n_disks; i++) {
                const VbDomainDisk *k = &def->disks[i];
                if (k->readonly || streq_ptr(k->device, "cdrom"))
                        continue;
                if (!streq_ptr(k->driver_type, "qcow2") || !streq_ptr(k->type, "file") || !k->source) {
                        json_object_put(nodes);
                        return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                            "internal snapshot for disk %s unsupported for storage type %s",
                                            strempty(k->target_dev), k->driver_type ? k->driver_type : "raw");
                }
                _cleanup_free_ char *node = vb_strdupf("fmt-%s", strempty(k->target_dev));
                files[n++] = vb_strdup(k->source);
                json_object_array_add(nodes, json_object_new_string(strempty(node)));
        }
        if (n == 0) {
                json_object_put(nodes);
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "internal snapshots need a writable qcow2 disk");
        }
        *ret_files = TAKE_PTR(files);
        *ret_nodes = nodes;
        return 0;
}

/* Runs the work of @c under the lock: QEMU when it runs, else qemu-img. */
static void on_run_done(void *userdata, int r, const char *error);

static int run_work(SnapCtx *c, const char *qmp_cmd, const char *img_op, bool with_vmstate, VbError *e) {
        VbDomainObj *d = c->dom;
        VbQemuDom *q = d->priv;
        _cleanup_(strv_freep) char **files = NULL;
        json_object *nodes = NULL, *args;
        int r;

        /* a shut off domain reverts the disks its snapshot knows */
        r = snapshot_disks(c->revert_def && !vb_domain_is_active(d) ? c->revert_def : d->def, &files, &nodes, e);
        if (r < 0)
                return r;
        if (!vb_domain_is_active(d)) {
                json_object_put(nodes);
                r = vb_qemu_snap_img(q->drv->event, img_op, c->name, files, on_run_done, c, e);
                if (r >= 0)
                        TAKE_PTR(files);
                return r;
        }
        args = json_object_new_object();
        json_object_object_add(args, "tag", json_object_new_string(c->name));
        if (with_vmstate)
                json_object_object_add(args, "vmstate",
                                       json_object_get(json_object_array_get_idx(nodes, 0)));
        json_object_object_add(args, "devices", nodes);
        if (c->kind == SNAP_REVERT && d->state == VB_DOMAIN_RUNNING) {
                /* libvirt pauses first (queued before the job, so QEMU does it first) */
                (void) vb_qmp_command(q->qmp, "stop", NULL, NULL, 0, NULL, NULL);
                vb_qemu_set_state(d, VB_DOMAIN_PAUSED, VB_PAUSED_FROM_SNAPSHOT, VB_EV_SUSPENDED,
                                  VB_EV_SUSPENDED_FROM_SNAPSHOT);
        }
        r = vb_qemu_snap_qmp_job(d, qmp_cmd, args, on_run_done, c);
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot send %s to QEMU: %s", qmp_cmd, strerror(-r));
        return 0;
}

/* Lock, then the work; 1: @op finishes later. */
static int begin(SnapCtx *c, const char *api, const char *qmp_cmd, const char *img_op, bool vmstate, VbError *e) {
        VbDomainObj *d = c->dom;
        VbQemuDom *q = d->priv;
        int r;

        if (vb_domain_is_active(d) && (q->starting || !q->qmp || d->state == VB_DOMAIN_SHUTDOWN))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain is not ready for snapshots");
        r = vb_qemu_job_begin(d, api, &c->inner, e);
        if (r < 0)
                return r;
        r = run_work(c, qmp_cmd, img_op, vmstate, e);
        if (r < 0) {
                vb_qemu_job_abort(d);
                return r;
        }
        c->n_ref++;     /* one for the lock's op, one for the work */
        return 1;
}

static bool valid_name(const char *name) {
        if (isempty(name) || name[0] == '.' || strchr(name, '/') || strlen(name) > 200)
                return false;
        for (const char *p = name; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

/* ---- create ---- */

static int prepare_def(VbDomainObj *d, const char *xml, VbSnapshotDef **ret, VbError *e) {
        _cleanup_(vb_snapshot_def_freep) VbSnapshotDef *def = NULL;
        bool active = vb_domain_is_active(d);
        int r;

        r = vb_snapshot_def_parse(xml, 0, &def, e);
        if (r < 0)
                return r;
        if (streq_ptr(def->memory_snapshot, "external") || streq_ptr(def->memory_snapshot, "manual") ||
            def->memory_file || (def->disks_xml && strstr(def->disks_xml, "external")))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "only internal snapshots are supported");
        if (!def->name)
                def->name = vb_strdupf("%lld", (long long) time(NULL));
        if (!valid_name(def->name))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "invalid snapshot name '%s'", strempty(def->name));
        if (vb_snapshot_find(d, def->name))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain snapshot '%s' already exists", def->name);
        free(def->state);
        def->state = vb_strdup(!active ? "shutoff" : d->state == VB_DOMAIN_PAUSED ? "paused" : "running");
        free(def->memory_snapshot);
        def->memory_snapshot = vb_strdup(active ? "internal" : "no");
        def->creation_time = (long long) time(NULL);
        free(def->domain_xml);
        def->domain_xml = vb_domain_def_format(d->def, -1, VB_DOMAIN_XML_INACTIVE | VB_DOMAIN_XML_SECURE);
        if (!def->state || !def->memory_snapshot || !def->domain_xml)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        *ret = TAKE_PTR(def);
        return 0;
}

static int create_finish(SnapCtx *c, VbError *e) {
        VbDomainObj *d = c->dom;
        VbSnapshotObj *s, *old = d->current_snapshot;

        if (vb_snapshot_obj_new(d, c->name, &s) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        s->parent = old ? vb_strdup(old->name) : NULL;
        s->priv = TAKE_PTR(c->def);
        d->current_snapshot = s;
        meta_write_logged(s);
        meta_write_logged(old);
        vb_event_obj(d->conn, VB_EVENT_OBJECT_ADDED, VB_KIND_SNAPSHOT, s, 0, 0);
        return 0;
}

static int qemu_snapshot_create_xml(VbDomainObj *d, const char *xml, unsigned flags, char **ret_name, VbOp *op,
                                    VbError *e) {
        _cleanup_(vb_snapshot_def_freep) VbSnapshotDef *def = NULL;
        SnapCtx *c;
        int r;

        if (flags & ~(unsigned) (CREATE_ATOMIC | CREATE_VALIDATE))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "snapshot flags 0x%x are not supported by the QEMU driver",
                                    flags & ~(unsigned) (CREATE_ATOMIC | CREATE_VALIDATE));
        r = vb_qemu_job_busy(d, e);
        if (r >= 0)
                r = prepare_def(d, xml, &def, e);
        if (r < 0)
                return r;
        c = ctx_new(d, SNAP_CREATE, def->name, flags, op);
        if (!c || !(*ret_name = vb_strdup(def->name))) {
                if (c)
                        ctx_unref(c);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        c->def = TAKE_PTR(def);
        r = begin(c, "virDomainSnapshotCreateXML", "snapshot-save", "-c", true, e);
        if (r < 0)
                ctx_unref(c);
        return r;
}

/* ---- revert (libvirt's qemuSnapshotRevert) ----
 *
 *   snapshot of a running/paused guest, domain running: pause (SUSPENDED/FROM_SNAPSHOT),
 *     snapshot-load, then cont (RESUMED/FROM_SNAPSHOT) or stay paused;
 *   ... domain shut off: start QEMU paused from the snapshot's definition, load the
 *     snapshot in the start hook, then cont (STARTED/FROM_SNAPSHOT) or stay paused
 *     (+ SUSPENDED/FROM_SNAPSHOT);
 *   shut off snapshot, domain running: stop QEMU (STOPPED/FROM_SNAPSHOT), then as below;
 *   ... domain shut off: `qemu-img snapshot -a` on its disks; with REVERT_RUNNING or
 *     _PAUSED the domain is started afterwards.
 * The persistent definition becomes the snapshot's (DEFINED/FROM_SNAPSHOT). The
 * running or paused end state follows the flags, else the snapshot's state. */

static bool revert_paused(SnapCtx *c, VbSnapshotObj *s) {
        return (c->flags & REVERT_PAUSED) ||
               (s && streq_ptr(snap_def(s)->state, "paused") && !(c->flags & REVERT_RUNNING));
}

/* The snapshot's definition becomes the persistent one. */
static int revert_define(SnapCtx *c, VbError *e) {
        VbDomainObj *d = c->dom;
        VbDomainDef *def;
        int r;

        if (!d->persistent)
                return 0;
        def = vb_domain_def_copy(c->revert_def);
        if (!def)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = vb_qemu_save_config(vb_qemu_driver_of(d->conn), def, e);
        if (r < 0) {
                vb_domain_def_free(def);
                return r;
        }
        vb_domain_obj_set_persistent_def(d, def);
        vb_event_domain(d, VB_EV_DEFINED, VB_EV_DEFINED_FROM_SNAPSHOT);
        return 0;
}

static void revert_resumed(VbDomainObj *d) {
        vb_qemu_set_state(d, VB_DOMAIN_RUNNING, VB_RUNNING_FROM_SNAPSHOT, VB_EV_RESUMED, VB_EV_RESUMED_FROM_SNAPSHOT);
}

static void on_revert_cont(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *userdata) {
        VbDomainObj *d = userdata;

        if (r == -ECANCELED)
                return;
        if (r < 0)
                vb_qemu_start_failed(d, vb_strdupf("cannot start the guest CPUs: %s", desc ? desc : strerror(-r)));
        else
                vb_qemu_startup_done(d);
}

/* QEMU was started for the revert and has loaded the snapshot. */
static void revert_started(SnapCtx *c, bool paused) {
        VbDomainObj *d = c->dom;
        VbQemuDom *q = d->priv;
        int r;

        q->start_paused = paused;
        if (paused) {
                vb_qemu_startup_done(d);
                return;
        }
        r = vb_qmp_command(q->qmp, "cont", NULL, NULL, 0, on_revert_cont, d);
        if (r < 0)
                vb_qemu_start_failed(d, vb_strdupf("cannot start the guest CPUs: %s", strerror(-r)));
}

/* The disks were reverted with qemu-img: define, and start when asked. */
static void revert_offline_done(SnapCtx *c) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainObj *d = c->dom;
        int r;

        r = revert_define(c, &e);
        if (r < 0 || !(c->flags & (REVERT_RUNNING | REVERT_PAUSED))) {
                vb_qemu_job_end(d, r, &e);
                return;
        }
        vb_qemu_job_abort(d);   /* the start takes the lock with the same op */
        r = vb_qemu_start(d, c->flags & REVERT_PAUSED, VB_EV_STARTED_FROM_SNAPSHOT, "virDomainRevertToSnapshot",
                          &c->inner, &e);
        if (r < 0)
                inner_done(&c->inner, r, &e);
}

static void revert_finish(SnapCtx *c) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainObj *d = c->dom;
        VbSnapshotObj *s = vb_snapshot_find(d, c->name), *old = d->current_snapshot;
        bool paused = revert_paused(c, s);
        int r;

        if (s) {
                d->current_snapshot = s;
                meta_write_logged(s);
                if (old != s)
                        meta_write_logged(old);
        }
        if (c->starting)
                return revert_started(c, paused);
        if (!vb_domain_is_active(d))
                return revert_offline_done(c);
        r = revert_define(c, &e);
        if (r >= 0 && paused) {
                vb_qemu_set_state(d, VB_DOMAIN_PAUSED, VB_PAUSED_FROM_SNAPSHOT, VB_EV_SUSPENDED,
                                  VB_EV_SUSPENDED_FROM_SNAPSHOT);
                vb_qemu_job_end(d, 0, NULL);
                return;
        }
        /* the job ends with QEMU's reply */
        if (r >= 0)
                r = vb_qemu_job_qmp(d, "cont", NULL, revert_resumed, &e);
        if (r < 0)
                vb_qemu_job_end(d, r, &e);
}

/* VbQemuDom.start_hook: QEMU waits paused (-S); load the snapshot into it. */
static void revert_hook(VbDomainObj *d) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbQemuDom *q = d->priv;
        SnapCtx *c = TAKE_PTR(q->revert_ctx);

        if (!c || q->job_op != &c->inner) {
                vb_qemu_start_failed(d, vb_strdup("the snapshot revert was abandoned"));
                return;
        }
        if (run_work(c, "snapshot-load", "-a", true, &e) < 0) {
                vb_qemu_start_failed(d, vb_strdup(strempty(e.message)));
                return;
        }
        c->n_ref++;     /* for the work */
}

/* Shut off, snapshot of a running guest: start QEMU from its definition. */
static int revert_start(SnapCtx *c, VbError *e) {
        VbDomainObj *d = c->dom;
        VbQemuDom *q = d->priv;
        int r;

        r = revert_define(c, e);
        if (r < 0)
                return r;
        q->start_hook = revert_hook;
        q->revert_ctx = c;
        c->starting = true;
        r = vb_qemu_start(d, true, VB_EV_STARTED_FROM_SNAPSHOT, "virDomainRevertToSnapshot", &c->inner, e);
        if (r < 0) {
                q->start_hook = NULL;
                q->revert_ctx = NULL;
        }
        return r;
}

/* QEMU is gone (stop_op held the context's first reference: the lock's op takes it). */
static void on_revert_stopped(VbOp *op, int r, const VbError *e) {
        _cleanup_vb_error_ VbError e2 = VB_ERROR_NULL;
        SnapCtx *c = (SnapCtx *) ((char *) op - offsetof(SnapCtx, stop_op));
        VbOp *caller;

        if (r >= 0) {
                r = begin(c, "virDomainRevertToSnapshot", "snapshot-load", "-a", false, &e2);
                if (r >= 0)
                        return;
                e = &e2;
        }
        caller = TAKE_PTR(c->op);
        if (caller)
                caller->done(caller, r, e);
        ctx_unref(c);
}

/* Running, shut off snapshot: QEMU goes first (the disks must be closed). */
static int revert_stop(SnapCtx *c, VbError *e) {
        VbDomainObj *d = c->dom;
        VbQemuDom *q = d->priv;
        int r;

        c->stop_op.done = on_revert_stopped;
        q->reverting = true;
        r = vb_qemu_kill(d, false, &c->stop_op, e);
        if (r < 0)
                q->reverting = false;
        return r;
}

static int revert_validate(VbSnapshotObj *s, unsigned flags, VbDomainDef **ret, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        VbDomainObj *d = s->dom;
        VbQemuDom *q = d->priv;
        bool offline = streq_ptr(snap_def(s)->state, "shutoff");
        int r;

        if (!snap_def(s)->domain_xml)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "snapshot '%s' lacks domain '%s' rollback info",
                                    s->name, d->def->name);
        if (offline && !d->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                    "transient domain needs to request run or pause to revert to inactive snapshot");
        if (vb_domain_is_active(d) && (q->starting || !q->qmp || d->state == VB_DOMAIN_SHUTDOWN))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain is not ready for snapshots");
        r = vb_domain_def_parse(snap_def(s)->domain_xml, VB_DOMAIN_PARSE_INACTIVE, &def, e);
        if (r < 0)
                return r;
        if (!streq(def->name, d->def->name) || memcmp(def->uuid, d->def->uuid, 16) != 0)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "the definition in snapshot '%s' is of another domain",
                                    s->name);
        *ret = TAKE_PTR(def);
        return 0;
}

static int qemu_snapshot_revert(VbSnapshotObj *s, unsigned flags, VbOp *op, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        VbDomainObj *d = s->dom;
        bool offline = streq_ptr(snap_def(s)->state, "shutoff");
        SnapCtx *c;
        int r;

        VB_CHECK_FLAGS(flags, REVERT_RUNNING | REVERT_PAUSED | REVERT_FORCE, e);
        if ((flags & REVERT_RUNNING) && (flags & REVERT_PAUSED))
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "Flags 'VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING' and 'VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED' are mutually exclusive");
        r = vb_qemu_job_busy(d, e);
        if (r >= 0)
                r = revert_validate(s, flags, &def, e);
        if (r < 0)
                return r;
        c = ctx_new(d, SNAP_REVERT, s->name, flags, op);
        if (!c)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        c->revert_def = TAKE_PTR(def);
        if (!vb_domain_is_active(d))
                r = offline ? begin(c, "virDomainRevertToSnapshot", "snapshot-load", "-a", false, e)
                            : revert_start(c, e);
        else
                r = offline ? revert_stop(c, e) : begin(c, "virDomainRevertToSnapshot", "snapshot-load", "-a", true, e);
        if (r < 0)
                ctx_unref(c);
        return r;
}

/* ---- delete ---- */

static void delete_finish(VbDomainObj *d, const char *name) {
        VbSnapshotObj *s = vb_snapshot_find(d, name);

        if (!s)
                return;
        /* direct children move up to the deleted snapshot's parent */
        for (size_t i = 0; i < d->n_snapshots; i++)
                if (streq_ptr(d->snapshots[i]->parent, s->name)) {
                        free(d->snapshots[i]->parent);
                        d->snapshots[i]->parent = s->parent ? vb_strdup(s->parent) : NULL;
                        meta_write_logged(d->snapshots[i]);
                }
        if (d->current_snapshot == s) {
                d->current_snapshot = s->parent ? vb_snapshot_find(d, s->parent) : NULL;
                meta_write_logged(d->current_snapshot);
        }
        meta_remove(s);
        snapshot_drop(s, true);
}

static int qemu_snapshot_delete(VbSnapshotObj *s, unsigned flags, VbOp *op, VbError *e) {
        VbDomainObj *d = s->dom;
        SnapCtx *c;
        int r;

        VB_CHECK_FLAGS(flags, DELETE_METADATA_ONLY, e);
        r = vb_qemu_job_busy(d, e);
        if (r < 0)
                return r;
        if (flags & DELETE_METADATA_ONLY) {
                delete_finish(d, s->name);
                return 0;
        }
        c = ctx_new(d, SNAP_DELETE, s->name, flags, op);
        if (!c)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = begin(c, "virDomainSnapshotDelete", "snapshot-delete", "-d", false, e);
        if (r < 0)
                ctx_unref(c);
        return r;
}

static void on_run_done(void *userdata, int r, const char *error) {
        static const char *const what[] = { "creating", "reverting to", "deleting" };
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        SnapCtx *c = userdata;
        VbDomainObj *d = c->dom;

        if (c->lock_gone)
                ;       /* QEMU or the domain went: the lock's op already failed */
        else if (r < 0 && c->starting)
                vb_qemu_start_failed(d, vb_strdupf("reverting to snapshot '%s' failed: %s", c->name,
                                                   error ? error : strerror(-r)));
        else if (r < 0) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, "%s snapshot '%s' failed: %s", what[c->kind], c->name,
                             error ? error : strerror(-r));
                vb_qemu_job_end(d, r, &e);
        } else if (c->kind == SNAP_CREATE) {
                r = create_finish(c, &e);
                vb_qemu_job_end(d, r, &e);
        } else if (c->kind == SNAP_DELETE) {
                delete_finish(d, c->name);
                vb_qemu_job_end(d, 0, NULL);
        } else
                revert_finish(c);
        ctx_unref(c);
}

/* ---- lookups and lists ---- */

static int qemu_snapshot_current(VbDomainObj *d, unsigned flags, VbSnapshotObj **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        return vb_snapshot_current(d, ret, e);
}

static int qemu_snapshot_lookup_by_name(VbDomainObj *d, const char *name, unsigned flags, VbSnapshotObj **ret,
                                        VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        return vb_snapshot_lookup(d, name, ret, e);
}

/* Internal snapshots only; a shut off domain's has no memory state. */
static unsigned snapshot_kind(VbSnapshotObj *s) {
        bool inactive = streq_ptr(snap_def(s)->state, "shutoff");

        return (inactive ? VB_SNAPSHOT_LIST_INACTIVE : VB_SNAPSHOT_LIST_ACTIVE) | VB_SNAPSHOT_LIST_INTERNAL;
}

static int qemu_snapshot_list_all(VbDomainObj *d, unsigned flags, VbSnapshotObj ***ret, size_t *ret_n, VbError *e) {
        VB_CHECK_FLAGS(flags, VB_SNAPSHOT_LIST_ROOTS | VB_SNAPSHOT_LIST_FILTERS, e);
        return vb_snapshot_list(d, NULL, flags, snapshot_kind, ret, ret_n, e);
}

static int qemu_snapshot_list_children(VbSnapshotObj *s, unsigned flags, VbSnapshotObj ***ret, size_t *ret_n,
                                       VbError *e) {
        VB_CHECK_FLAGS(flags, VB_SNAPSHOT_LIST_DESCENDANTS | VB_SNAPSHOT_LIST_FILTERS, e);
        return vb_snapshot_list(s->dom, s, flags, snapshot_kind, ret, ret_n, e);
}

static int qemu_snapshot_get_parent(VbSnapshotObj *s, unsigned flags, VbSnapshotObj **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        return vb_snapshot_parent(s, ret, e);
}

static int qemu_snapshot_is_current(VbSnapshotObj *s, unsigned flags, bool *ret, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        *ret = s->dom->current_snapshot == s;
        return 0;
}

static int qemu_snapshot_get_xml_desc(VbSnapshotObj *s, unsigned flags, char **ret, VbError *e) {
        VbSnapshotDef *def = snap_def(s);

        VB_CHECK_FLAGS(flags, VB_SNAPSHOT_FORMAT_SECURE, e);
        free(def->parent);
        def->parent = s->parent ? vb_strdup(s->parent) : NULL;
        *ret = vb_snapshot_def_format(def, flags & VB_SNAPSHOT_FORMAT_SECURE);
        return *ret ? 0 : vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
}

const VbSnapshotOps vb_qemu_snapshot_ops = {
        .create_xml = qemu_snapshot_create_xml,
        .current = qemu_snapshot_current,
        .lookup_by_name = qemu_snapshot_lookup_by_name,
        .list_all = qemu_snapshot_list_all,
        .list_children = qemu_snapshot_list_children,
        .get_parent = qemu_snapshot_get_parent,
        .get_xml_desc = qemu_snapshot_get_xml_desc,
        .is_current = qemu_snapshot_is_current,
        .revert = qemu_snapshot_revert,
        .delete = qemu_snapshot_delete,
};

int vb_qemu_undefine_images(VbDomainObj *d, bool managed_save, bool snapshots, VbError *e) {
        bool has_image = false;
        int r;

        r = vb_qemu_has_managed_save_image(d, 0, &has_image, e);
        if (r < 0)
                return r;
        if (has_image && !managed_save)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "Refusing to undefine while domain managed save image exists");
        if (has_image) {
                r = vb_qemu_managed_save_remove(d, 0, e);
                if (r < 0)
                        return r;
        }
        if (snapshots) {
                _cleanup_free_ char *dir = meta_dir(d);
                for (size_t i = d->n_snapshots; i > 0; i--)
                        meta_remove(d->snapshots[i - 1]);
                if (dir)
                        (void) rmdir(dir);
        }
        return 0;
}
