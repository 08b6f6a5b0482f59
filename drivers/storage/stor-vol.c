/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Volumes of `dir` pools: files directly in the pool's directory, named by the volume
 * (key = path = <target>/<name>, as libvirt's dir backend). raw files are made here
 * (sparse, or allocated with fallocate as a job); qcow2 through `qemu-img create`;
 * clones through `qemu-img convert -p` (a job with progress; Cancel kills it and
 * removes the partial file); resizes through `qemu-img resize`. Every long operation
 * is a VbStorWork driven by the event loop, listed in its pool so a stopping daemon
 * can end it. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stor-driver.h"
#include "stor-qemuimg.h"
#include "vol-stream.h"
#include "xml-keep.h"
#include "xml-util.h"

#define FALLOC_CHUNK (64ULL * 1024 * 1024)
#define WIPE_CHUNK (1024U * 1024U)
#define WIPE_CHUNKS_PER_RUN 8

enum {
        VOL_GET_PHYSICAL = 1,
        VOL_RESIZE_ALLOCATE = 1, VOL_RESIZE_DELTA = 2, VOL_RESIZE_SHRINK = 4,
        VOL_WIPE_ALG_ZERO = 0, VOL_WIPE_ALG_LAST = 10,
        VOL_STREAM_SPARSE = 1,
};

/* libvirt's virStorageFileFormat names: known, but only raw and qcow2 are made here */
static const char *const known_formats[] = {
        "none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd", "ploop",
        "cow", "qcow", "qcow2", "qed", "vmdk", "luks", "vhdx",
};

typedef enum WorkKind { WORK_FALLOCATE, WORK_CREATE_IMG, WORK_CLONE, WORK_WIPE, WORK_RESIZE } WorkKind;

struct VbStorWork {
        VbStorWork *next;
        WorkKind kind;
        VbPoolObj *pool;
        VbVolObj *vol;                  /* wiped/resized volume, or the clone's source */
        VbJob *job;
        VbOp *op;
        VbStorageVolDef *def;           /* the volume being created */
        char *path;                     /* the file being created: removed when it fails */
        int fd;
        uint64_t pos, total;
        sd_event_source *defer;
        VbStorCmd *cmd;
};

/* ---- helpers ---- */

static const char *vol_target_dir(VbVolObj *v) {
        return VB_POOL_DEF(v->pool)->target_path;
}

static int require_confined(VbVolObj *v, VbError *e) {
        if (!vb_stor_path_in_dir(vol_target_dir(v), v->path))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "volume path '%s' is outside of pool '%s'",
                                    v->path, v->pool->name);
        return 0;
}

/* Before the file is changed or read whole: its pool runs, no job holds it, and it is
 * inside the pool's directory. */
static int require_changeable(VbVolObj *v, VbError *e) {
        int r = vb_vol_require_active_idle(v, e);
        if (r >= 0)
                r = require_confined(v, e);
        return r;
}

static int vol_stat(VbVolObj *v, struct stat *st, VbError *e) {
        if (lstat(v->path, st) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot stat file '%s': %m", v->path);
        if (!S_ISREG(st->st_mode))
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "'%s' is not a regular file", v->path);
        return 0;
}

static bool is_raw(const VbStorageVolDef *def) {
        return !def->target_format || streq(def->target_format, "raw");
}

/* capacity/allocation as the file is now */
static void vol_update(VbVolObj *v, const struct stat *st) {
        VbStorageVolDef *def = VB_VOL_DEF(v);
        if (is_raw(def))
                def->capacity = (uint64_t) st->st_size;
        def->allocation = (uint64_t) st->st_blocks * 512;
}

static int check_format(const char *format, VbError *e) {
        for (size_t i = 0; i < ELEMENTSOF(known_formats); i++)
                if (streq(format, known_formats[i]))
                        return streq(format, "raw") || streq(format, "qcow2") ? 0 :
                               vb_error_set(e, VB_ERR_NO_SUPPORT, "volume format '%s' is not supported "
                                            "(raw and qcow2 are)", format);
        return vb_error_set(e, VB_ERR_INVALID_ARG, "unknown volume format type '%s'", format);
}

static bool strv_contains(char **l, const char *s) {
        for (size_t i = 0; l && l[i]; i++)
                if (streq(l[i], s))
                        return true;
        return false;
}

static void pending_remove(VbPoolObj *p, const char *name) {
        char **l = vb_stor_pool(p)->pending;
        for (size_t i = 0; l && l[i]; i++)
                if (streq(l[i], name)) {
                        free(l[i]);
                        memmove(l + i, l + i + 1, (vb_strv_length(l) - i) * sizeof(char *));
                        return;
                }
}

/* ---- work ---- */

static void work_unlink(VbStorWork *w) {
        VbStorWork **pp = &vb_stor_pool(w->pool)->works;
        while (*pp && *pp != w)
                pp = &(*pp)->next;
        if (*pp)
                *pp = w->next;
}

static void work_free(VbStorWork *w) {
        sd_event_source_disable_unref(w->defer);
        if (w->fd >= 0)
                close(w->fd);
        vb_vol_def_free(w->def);
        free(w->path);
        free(w);
}

/* A created volume joins the registry. */
static VbVolObj *work_add_vol(VbStorWork *w, VbError *e) {
        VbStorageVolDef *def = w->def;
        struct stat st;
        VbVolObj *v;

        if (lstat(w->path, &st) == 0) {
                def->allocation = (uint64_t) st.st_blocks * 512;
                if (is_raw(def))
                        def->capacity = (uint64_t) st.st_size;
        }
        v = vb_vol_obj_add(w->pool, def);
        if (!v) {
                vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                return NULL;
        }
        w->def = NULL;
        vb_event_obj(w->pool->conn, VB_EVENT_OBJECT_ADDED, VB_KIND_VOL, v, 0, 0);
        return v;
}

/* The one way out: the volume is added (creations) or the partial file removed, the
 * volume released, the job finished, the caller answered. */
static void work_end(VbStorWork *w, int r, const VbError *err) {
        _cleanup_vb_error_ VbError e2 = VB_ERROR_NULL;
        const VbError *e = err;
        bool creating = w->def != NULL;
        VbVolObj *v = NULL;

        work_unlink(w);
        if (creating) {
                pending_remove(w->pool, w->def->name);
                vb_stor_pool(w->pool)->n_ops--;
        }
        if (r >= 0 && creating) {
                v = work_add_vol(w, &e2);
                if (!v) {
                        r = -ENOMEM;
                        e = &e2;
                }
        }
        if (r < 0 && w->path)
                (void) unlink(w->path);
        if (w->vol)
                w->vol->job = NULL;
        if (w->op)
                w->op->result = v;
        if (w->job)
                vb_job_finish(w->job, r, e);
        if (w->op)
                w->op->done(w->op, r, e);
        work_free(w);
}

static void work_fail(VbStorWork *w, int r, VbErrorCode code, const char *msg) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        vb_error_set(&e, code, "%s", msg);
        work_end(w, r, &e);
}

static int work_cancel(VbJob *j, VbError *e) {
        VbStorWork *w = j->priv;

        if (w && w->cmd)
                vb_stor_cmd_cancel(w->cmd);     /* its end comes with -ECANCELED */
        return 0;                               /* defer sources see cancel_requested */
}

static const char *const operation_names[] = {
        [WORK_FALLOCATE] = "StorageVolCreateXML", [WORK_CREATE_IMG] = "StorageVolCreateXML",
        [WORK_CLONE] = "StorageVolCreateXMLFrom", [WORK_WIPE] = "StorageVolWipe",
        [WORK_RESIZE] = "StorageVolResize",
};

/* A work with its job, listed in its pool. Takes @def and @path (also on failure). */
static int work_new(VbPoolObj *p, WorkKind kind, VbVolObj *vol, VbStorageVolDef *def, char *path,
                    uint64_t total, VbOp *op, VbStorWork **ret, VbError *e) {
        VbStorPool *sp = vb_stor_pool(p);
        VbStorWork *w = calloc(1, sizeof(*w));
        int r;

        if (!w) {
                vb_vol_def_free(def);
                free(path);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        *w = (VbStorWork) { .kind = kind, .pool = p, .vol = vol, .def = def, .path = path, .fd = -1,
                            .total = total, .op = op };
        r = vb_job_new(p->conn, operation_names[kind], vol && kind != WORK_CLONE ? VB_KIND_VOL : VB_KIND_POOL,
                       vol && kind != WORK_CLONE ? (void *) vol : (void *) p, total, work_cancel, &w->job, e);
        if (r < 0) {
                if (path)
                        (void) unlink(path);
                work_free(w);
                return r;
        }
        w->job->priv = w;
        if (vol)
                vol->job = w->job;
        if (def) {
                vb_strv_push(&sp->pending, def->name);
                sp->n_ops++;
        }
        w->next = sp->works;
        sp->works = w;
        *ret = w;
        return 0;
}

void vb_stor_vols_abandon(VbPoolObj *p) {
        VbStorPool *sp = vb_stor_pool(p);

        while (sp && sp->works) {
                VbStorWork *w = sp->works;
                sp->works = w->next;
                vb_stor_cmd_abandon(w->cmd);
                if (w->path)
                        (void) unlink(w->path);
                /* the job goes with the connection; a waiting caller gets no reply from a
                 * daemon that is stopping */
                work_free(w);
        }
}

void vb_stor_vol_remove(VbVolObj *v) {
        vb_event_obj(v->pool->conn, VB_EVENT_OBJECT_REMOVED, VB_KIND_VOL, v, 0, 0);
        vb_vol_obj_remove(v);
}

/* ---- chunked file work on the loop: fallocate, zeroes ---- */

static int chunk_fallocate(VbStorWork *w) {
        uint64_t n = w->total - w->pos < FALLOC_CHUNK ? w->total - w->pos : FALLOC_CHUNK;
        if (fallocate(w->fd, 0, (off_t) w->pos, (off_t) n) < 0)
                return -errno;
        w->pos += n;
        return 0;
}

static int chunk_zero(VbStorWork *w) {
        static const uint8_t zeroes[WIPE_CHUNK];

        for (unsigned i = 0; i < WIPE_CHUNKS_PER_RUN && w->pos < w->total; i++) {
                size_t n = w->total - w->pos < WIPE_CHUNK ? (size_t) (w->total - w->pos) : WIPE_CHUNK;
                ssize_t k = pwrite(w->fd, zeroes, n, (off_t) w->pos);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EIO;
                w->pos += (uint64_t) k;
        }
        return 0;
}

static int on_chunk(sd_event_source *s, void *userdata) {
        VbStorWork *w = userdata;
        char msg[512];
        int r;

        if (w->job->cancel_requested) {
                snprintf(msg, sizeof(msg), "%s of volume '%s' was cancelled",
                         w->kind == WORK_WIPE ? "wiping" : "allocating", w->vol ? w->vol->name : w->def->name);
                work_fail(w, -ECANCELED, VB_ERR_OPERATION_ABORTED, msg);
                return 0;
        }
        r = w->kind == WORK_WIPE ? chunk_zero(w) : chunk_fallocate(w);
        if (r < 0) {
                snprintf(msg, sizeof(msg), "cannot %s '%s': %s", w->kind == WORK_WIPE ? "wipe" : "allocate",
                         w->vol ? w->vol->path : w->path, strerror(-r));
                work_fail(w, r, VB_ERR_OPERATION_FAILED, msg);
                return 0;
        }
        vb_job_progress(w->job, w->pos, w->total);
        if (w->pos >= w->total) {
                if (w->kind == WORK_WIPE)
                        (void) fdatasync(w->fd);
                work_end(w, 0, NULL);
        }
        return 0;
}

static int work_start_chunks(VbStorWork *w, VbError *e) {
        VbStorDriver *drv = vb_stor_driver_of(w->pool->conn);
        int r = sd_event_add_defer(drv->event, &w->defer, on_chunk, w);

        if (r >= 0)
                r = sd_event_source_set_priority(w->defer, SD_EVENT_PRIORITY_IDLE);
        if (r >= 0)
                r = sd_event_source_set_enabled(w->defer, SD_EVENT_ON);
        if (r < 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "cannot schedule the work: %s", strerror(-r));
        return 0;
}

/* ---- qemu-img work ---- */

static void on_cmd_progress(VbStorCmd *c, double fraction, void *userdata) {
        VbStorWork *w = userdata;
        vb_job_progress(w->job, (uint64_t) (fraction * (double) w->total), w->total);
}

static void on_cmd_done(VbStorCmd *c, int r, const char *output, void *userdata) {
        VbStorWork *w = userdata;
        char msg[1200];

        w->cmd = NULL;
        if (r == -ECANCELED) {
                snprintf(msg, sizeof(msg), "%s was cancelled", operation_names[w->kind]);
                work_fail(w, r, VB_ERR_OPERATION_ABORTED, msg);
        } else if (r < 0) {
                snprintf(msg, sizeof(msg), "%s", strempty(output));
                work_fail(w, r, VB_ERR_OPERATION_FAILED, msg);
        } else {
                if (w->kind == WORK_RESIZE)
                        VB_VOL_DEF(w->vol)->capacity = w->total;
                work_end(w, 0, NULL);
        }
}

static int work_run(VbStorWork *w, char *const *argv, bool progress, VbError *e) {
        VbStorDriver *drv = vb_stor_driver_of(w->pool->conn);
        return vb_stor_cmd_run(drv->event, argv, NULL, 0, progress ? on_cmd_progress : NULL, on_cmd_done, w,
                               &w->cmd, e);
}

/* A failed start: nothing stays (file, job, registry). */
static int work_abort(VbStorWork *w, int r) {
        w->op = NULL;           /* the caller reports @r itself */
        work_end(w, r, NULL);
        return r;
}

/* ---- creation ---- */

/* Parses and checks a new volume of @p: name, format, not there yet (registry, in
 * creation, or a file of that name); key and path set from the pool. */
static int new_vol_def(VbPoolObj *p, const char *xml, VbStorageVolDef **ret, VbError *e) {
        _cleanup_(vb_vol_def_freep) VbStorageVolDef *def = NULL;
        const char *dir = VB_POOL_DEF(p)->target_path;
        struct stat st;
        int r;

        r = vb_pool_require_active(p, e);
        if (r >= 0)
                r = vb_vol_def_parse(xml, 0, &def, e);
        if (r >= 0)
                r = vb_stor_vol_name_check(def->name, e);
        if (r >= 0)
                r = check_format(def->target_format, e);
        if (r < 0)
                return r;
        if (!streq(def->type, "file"))
                return vb_error_set(e, VB_ERR_NO_SUPPORT, "volume type '%s' is not supported in a dir pool",
                                    def->type);
        free(def->target_path);
        def->target_path = vb_strdupf("%s/%s", dir, def->name);
        free(def->key);
        def->key = vb_strdup(def->target_path);
        if (!vb_stor_path_in_dir(dir, def->target_path))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "volume path '%s' is outside of pool '%s'",
                                    def->target_path, p->name);
        if (vb_vol_find_name(p, def->name) || strv_contains(vb_stor_pool(p)->pending, def->name) ||
            lstat(def->target_path, &st) == 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "storage vol already exists");
        *ret = TAKE_PTR(def);
        return 0;
}

/* The file, created here (never over an existing one), 0600 or the asked mode. */
static int create_file(const VbStorageVolDef *def, VbError *e) {
        mode_t mode = def->perms.mode != -1 ? (mode_t) def->perms.mode : 0600;
        int fd = open(def->target_path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

        if (fd < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot create volume '%s': %m", def->target_path);
        if ((def->perms.owner != -1 || def->perms.group != -1) &&
            fchown(fd, (uid_t) def->perms.owner, (gid_t) def->perms.group) < 0) {
                vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot set the owner of '%s': %m", def->target_path);
                close(fd);
                (void) unlink(def->target_path);
                return -EPERM;
        }
        return fd;
}

static int create_raw(VbPoolObj *p, VbStorageVolDef *def, VbOp *op, VbVolObj **ret, VbError *e) {
        _cleanup_close_ int fd = create_file(def, e);
        uint64_t alloc = def->has_allocation ? def->allocation : 0;
        VbStorWork *w;
        int r;

        if (fd < 0)
                return fd;
        if (ftruncate(fd, (off_t) def->capacity) < 0) {
                r = vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot resize '%s': %m", def->target_path);
                (void) unlink(def->target_path);
                vb_vol_def_free(def);
                return r;
        }
        if (alloc > def->capacity)
                alloc = def->capacity;
        if (alloc == 0) {       /* sparse: there at once, no job */
                def->allocation = 0;
                *ret = vb_vol_obj_add(p, def);
                if (!*ret) {
                        (void) unlink(def->target_path);
                        vb_vol_def_free(def);
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                }
                vb_event_obj(p->conn, VB_EVENT_OBJECT_ADDED, VB_KIND_VOL, *ret, 0, 0);
                return 0;
        }
        r = work_new(p, WORK_FALLOCATE, NULL, def, vb_strdup(def->target_path), alloc, op, &w, e);
        if (r < 0)
                return r;
        w->fd = TAKE_FD(fd);
        r = work_start_chunks(w, e);
        return r < 0 ? work_abort(w, r) : 1;
}

static char *size_arg(uint64_t bytes) {
        return vb_strdupf("%" PRIu64, bytes);
}

static int backing_format(VbPoolObj *p, VbStorageVolDef *def, VbError *e) {
        VbVolObj *b;
        struct stat st;

        if (def->backing_path[0] != '/' || stat(def->backing_path, &st) < 0 || !S_ISREG(st.st_mode))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "backing store '%s' is not an existing file "
                                    "(an absolute path)", def->backing_path);
        if (def->backing_format)
                return check_format(def->backing_format, e);
        b = vb_vol_find_path(p->conn, def->backing_path);
        if (!b)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "the format of backing store '%s' must be given",
                                    def->backing_path);
        def->backing_format = vb_strdup(VB_VOL_DEF(b)->target_format);
        return 0;
}

static int create_qcow2(VbPoolObj *p, VbStorageVolDef *def, VbOp *op, VbError *e) {
        _cleanup_free_ char *size = size_arg(def->capacity);
        _cleanup_close_ int fd = -1;
        VbStorWork *w;
        int r;

        r = def->backing_path ? backing_format(p, def, e) : 0;
        if (r < 0) {
                vb_vol_def_free(def);
                return r;
        }
        fd = create_file(def, e);      /* reserves the name; qemu-img writes into it */
        if (fd < 0) {
                vb_vol_def_free(def);
                return fd;
        }
        r = work_new(p, WORK_CREATE_IMG, NULL, def, vb_strdup(def->target_path), def->capacity, op, &w, e);
        if (r < 0)
                return r;
        if (def->backing_path) {
                char *argv[] = { (char *) VB_QEMU_IMG, (char *) "create", (char *) "-q", (char *) "-f",
                                 (char *) "qcow2", (char *) "-b", def->backing_path, (char *) "-F",
                                 def->backing_format, def->target_path, size, NULL };
                r = work_run(w, argv, false, e);
        } else {
                char *argv[] = { (char *) VB_QEMU_IMG, (char *) "create", (char *) "-q", (char *) "-f",
                                 (char *) "qcow2", def->target_path, size, NULL };
                r = work_run(w, argv, false, e);
        }
        return r < 0 ? work_abort(w, r) : 1;
}

int vb_stor_vol_create_xml(VbPoolObj *p, const char *xml, unsigned flags, VbOp *op, VbVolObj **ret,
                           VbError *e) {
        VbStorageVolDef *def = NULL;
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = new_vol_def(p, xml, &def, e);
        if (r < 0)
                return r;
        if (def->backing_path && streq(def->target_format, "raw")) {
                vb_vol_def_free(def);
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "backing storage not supported for raw volumes");
        }
        if (streq(def->target_format, "raw"))
                return create_raw(p, def, op, ret, e);
        return create_qcow2(p, def, op, e);
}

int vb_stor_vol_create_xml_from(VbPoolObj *p, const char *xml, VbVolObj *src, unsigned flags, VbOp *op,
                                VbError *e) {
        VbStorageVolDef *def = NULL;
        const VbStorageVolDef *sdef = VB_VOL_DEF(src);
        _cleanup_close_ int fd = -1;
        VbStorWork *w;
        struct stat st;
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_vol_require_idle(src, e);
        if (r >= 0)
                r = require_confined(src, e);
        if (r >= 0)
                r = vol_stat(src, &st, e);
        if (r >= 0)
                r = new_vol_def(p, xml, &def, e);
        if (r < 0)
                return r;
        def->capacity = sdef->capacity;         /* convert copies the source's size */
        free(def->backing_path);
        def->backing_path = NULL;
        fd = create_file(def, e);
        if (fd < 0) {
                vb_vol_def_free(def);
                return fd;
        }
        r = work_new(p, WORK_CLONE, src, def, vb_strdup(def->target_path), (uint64_t) st.st_size, op, &w, e);
        if (r < 0)
                return r;
        {
                char *argv[] = { (char *) VB_QEMU_IMG, (char *) "convert", (char *) "-p", (char *) "-f",
                                 sdef->target_format ? sdef->target_format : (char *) "raw", (char *) "-O",
                                 w->def->target_format, src->path, w->def->target_path, NULL };
                r = work_run(w, argv, true, e);
        }
        return r < 0 ? work_abort(w, r) : 1;
}

/* ---- the other volume calls ---- */

int vb_stor_vol_delete(VbVolObj *v, unsigned flags, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = require_changeable(v, e);
        if (r < 0)
                return r;
        if (unlink(v->path) < 0 && errno != ENOENT)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot unlink file '%s': %m", v->path);
        vb_stor_vol_remove(v);
        return 0;
}

int vb_stor_vol_get_info(VbVolObj *v, unsigned flags, VbVolInfo *ret, VbError *e) {
        struct stat st;
        int r;

        VB_CHECK_FLAGS(flags, VOL_GET_PHYSICAL, e);
        r = vb_pool_require_active(v->pool, e);
        if (r >= 0)
                r = vol_stat(v, &st, e);
        if (r < 0)
                return r;
        vol_update(v, &st);
        *ret = (VbVolInfo) {
                .type = VB_STOR_VOL_FILE,
                .capacity = VB_VOL_DEF(v)->capacity,
                .allocation = (flags & VOL_GET_PHYSICAL) ? (uint64_t) st.st_size : VB_VOL_DEF(v)->allocation,
        };
        return 0;
}

int vb_stor_vol_get_xml_desc(VbVolObj *v, unsigned flags, char **ret, VbError *e) {
        struct stat st;
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_pool_require_active(v->pool, e);
        if (r < 0)
                return r;
        if (lstat(v->path, &st) == 0 && S_ISREG(st.st_mode)) {
                vol_update(v, &st);
                VB_VOL_DEF(v)->physical = (uint64_t) st.st_size;
        }
        *ret = vb_vol_def_format(VB_VOL_DEF(v), 0);
        return *ret ? 0 : vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
}

static int resize_target(VbVolObj *v, uint64_t capacity, unsigned flags, uint64_t *ret, VbError *e) {
        const VbStorageVolDef *def = VB_VOL_DEF(v);
        uint64_t cur = def->capacity, abs_capacity;

        if (!(flags & VOL_RESIZE_DELTA))
                abs_capacity = capacity;
        else if (flags & VOL_RESIZE_SHRINK) {
                if (capacity > cur)
                        return vb_error_set(e, VB_ERR_INVALID_ARG, "can't shrink capacity below 0");
                abs_capacity = cur - capacity;
        } else if (capacity > UINT64_MAX - cur)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "capacity overflow");
        else
                abs_capacity = cur + capacity;
        if (abs_capacity < cur && !(flags & VOL_RESIZE_SHRINK))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "Can't shrink capacity below current capacity unless "
                                    "shrink flag explicitly specified");
        if (abs_capacity == 0)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "can't shrink capacity below 0");
        if (abs_capacity > (uint64_t) INT64_MAX)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "capacity %" PRIu64 " is too large", abs_capacity);
        *ret = abs_capacity;
        return 0;
}

int vb_stor_vol_resize_op(VbVolObj *v, uint64_t capacity, unsigned flags, VbOp *op, VbError *e) {
        _cleanup_free_ char *size = NULL;
        const char *fmt = VB_VOL_DEF(v)->target_format ? VB_VOL_DEF(v)->target_format : "raw";
        uint64_t target = 0;
        VbStorWork *w;
        int r;

        VB_CHECK_FLAGS(flags, VOL_RESIZE_ALLOCATE | VOL_RESIZE_DELTA | VOL_RESIZE_SHRINK, e);
        r = require_changeable(v, e);
        if (r >= 0)
                r = resize_target(v, capacity, flags, &target, e);
        if (r < 0)
                return r;
        if (target == VB_VOL_DEF(v)->capacity)
                return 0;
        if ((flags & VOL_RESIZE_ALLOCATE) && target < VB_VOL_DEF(v)->capacity)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "preallocation is only possible when growing");
        size = size_arg(target);
        r = work_new(v->pool, WORK_RESIZE, v, NULL, NULL, target, op, &w, e);
        if (r < 0)
                return r;
        {
                char *argv[] = { (char *) VB_QEMU_IMG, (char *) "resize", (char *) "-q", (char *) "-f",
                                 (char *) fmt, NULL, NULL, NULL, NULL };
                size_t n = 5;
                if (flags & VOL_RESIZE_SHRINK)
                        argv[n++] = (char *) "--shrink";
                if (flags & VOL_RESIZE_ALLOCATE)
                        argv[n++] = (char *) "--preallocation=falloc";
                argv[n++] = v->path;
                argv[n] = size;
                r = work_run(w, argv, false, e);
        }
        return r < 0 ? work_abort(w, r) : 1;
}

int vb_stor_vol_wipe(VbVolObj *v, unsigned algorithm, unsigned flags, VbOp *op, VbError *e) {
        _cleanup_close_ int fd = -1;
        VbStorWork *w;
        struct stat st;
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        if (algorithm >= VOL_WIPE_ALG_LAST)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "wiping algorithm %u not supported", algorithm);
        if (algorithm != VOL_WIPE_ALG_ZERO)
                return vb_error_set(e, VB_ERR_NO_SUPPORT, "wiping algorithm %u is not supported (only zero, 0)",
                                    algorithm);
        if (!is_raw(VB_VOL_DEF(v)))
                return vb_error_set(e, VB_ERR_NO_SUPPORT, "wiping a '%s' volume is not supported (only raw)",
                                    VB_VOL_DEF(v)->target_format);
        r = require_changeable(v, e);
        if (r < 0)
                return r;
        fd = open(v->path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot open volume '%s' for wiping", v->path);
        r = work_new(v->pool, WORK_WIPE, v, NULL, NULL, (uint64_t) st.st_size, op, &w, e);
        if (r < 0)
                return r;
        w->fd = TAKE_FD(fd);
        r = work_start_chunks(w, e);
        return r < 0 ? work_abort(w, r) : 1;
}

static void stream_end(void *userdata, int r) {
        ((VbVolObj *) userdata)->job = NULL;
}

/* The raw bytes of the file, whatever its format (as libvirt streams a qcow2 file). */
static int vol_stream(VbVolObj *v, VbVolStreamDir dir, int fd, uint64_t offset, uint64_t length,
                      unsigned flags, VbJob **ret, VbError *e) {
        const char *api = dir == VB_VOL_UPLOAD ? "virStorageVolUpload" : "virStorageVolDownload";
        _cleanup_close_ int vol_fd = -1;
        struct stat st;
        uint64_t size;
        int r;

        VB_CHECK_FLAGS(flags, VOL_STREAM_SPARSE, e);
        if (flags & VOL_STREAM_SPARSE)
                return vb_error_set(e, VB_ERR_NO_SUPPORT, "%s: sparse streams (flag 0x%x) are not supported",
                                    api, VOL_STREAM_SPARSE);
        r = require_changeable(v, e);
        if (r < 0)
                return r;
        vol_fd = open(v->path, (dir == VB_VOL_UPLOAD ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (vol_fd < 0 || fstat(vol_fd, &st) < 0 || !S_ISREG(st.st_mode))
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot open volume '%s': %m", v->path);
        size = (uint64_t) st.st_size;
        if (dir == VB_VOL_UPLOAD && VB_VOL_DEF(v)->capacity > size)
                size = VB_VOL_DEF(v)->capacity;
        return vb_vol_stream_start(v, dir == VB_VOL_UPLOAD ? "StorageVolUpload" : "StorageVolDownload", dir, fd,
                                   vol_fd, size, offset, length, stream_end, v, ret, e);
}

int vb_stor_vol_upload(VbVolObj *v, int fd, uint64_t offset, uint64_t length, unsigned flags, VbJob **ret,
                       VbError *e) {
        return vol_stream(v, VB_VOL_UPLOAD, fd, offset, length, flags, ret, e);
}

int vb_stor_vol_download(VbVolObj *v, int fd, uint64_t offset, uint64_t length, unsigned flags, VbJob **ret,
                         VbError *e) {
        return vol_stream(v, VB_VOL_DOWNLOAD, fd, offset, length, flags, ret, e);
}
