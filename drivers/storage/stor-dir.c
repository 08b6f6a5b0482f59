/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `dir` backend: a pool is a directory, its volumes are the regular files directly
 * in it. Build makes the directory, start checks it, delete removes it when empty, and
 * a refresh scans it: every regular file (never a symlink, never anything below) is
 * described by `qemu-img info --output=json`, run one file at a time on the event loop
 * on a descriptor opened here, so a file swapped for a symlink meanwhile is not
 * followed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "qemu/qemu-status.h"
#include "stor-driver.h"
#include "stor-qemuimg.h"
#include "xml-util.h"

#define DEFAULT_POOL_MODE 0711          /* libvirt's for dir pools */

/* ---- names and paths ---- */

int vb_stor_vol_name_check(const char *name, VbError *e) {
        int r = vb_name_validate(name, "volume", e);
        if (r < 0)
                return r;
        if (streq(name, ".") || streq(name, ".."))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "volume name '%s' is not allowed", name);
        return 0;
}

bool vb_stor_path_in_dir(const char *dir, const char *path) {
        size_t n;
        const char *name;

        if (!dir || !path || dir[0] != '/' || path[0] != '/')
                return false;
        n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
                n--;
        if (strncmp(dir, path, n) != 0 || path[n] != '/')
                return false;
        name = path + n + 1;
        return *name && !strchr(name, '/') && !streq(name, ".") && !streq(name, "..") &&
               strlen(name) <= 255;
}

VbStorageVolDef *vb_stor_vol_def_new(VbPoolObj *p, const char *name, const char *format,
                                     uint64_t capacity, uint64_t allocation) {
        VbStorageVolDef *def = calloc(1, sizeof(*def));

        if (!def)
                return NULL;
        def->type = vb_strdup("file");
        def->name = vb_strdup(name);
        def->target_path = vb_strdupf("%s/%s", VB_POOL_DEF(p)->target_path, name);
        def->key = vb_strdup(def->target_path);
        def->target_format = vb_strdup(format);
        def->capacity = capacity;
        def->allocation = allocation;
        def->has_allocation = true;
        def->perms = (VbStoragePerms) { .mode = -1, .owner = -1, .group = -1 };
        return def;
}

/* ---- pool directory ---- */

int vb_stor_dir_build(const VbStoragePoolDef *def, unsigned flags, VbError *e) {
        const VbStoragePerms *pm = &def->perms;
        mode_t mode = pm->mode != -1 ? (mode_t) pm->mode : DEFAULT_POOL_MODE;
        _cleanup_free_ char *parent = vb_strdup(def->target_path);
        char *slash = strrchr(parent, '/');
        struct stat st;
        int r;

        if (slash && slash != parent) {
                *slash = 0;
                r = vb_qemu_mkdir_p(parent, 0755);
                if (r < 0)
                        return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot create path '%s': %s", parent,
                                            strerror(-r));
        }
        if (mkdir(def->target_path, mode) < 0 && errno != EEXIST)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot create path '%s': %m", def->target_path);
        if (lstat(def->target_path, &st) < 0 || !S_ISDIR(st.st_mode))
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "'%s' exists and is not a directory",
                                    def->target_path);
        /* an existing directory gets the permissions the definition asks for, as in libvirt */
        if (chmod(def->target_path, mode) < 0 ||
            ((pm->owner != -1 || pm->group != -1) &&
             chown(def->target_path, (uid_t) pm->owner, (gid_t) pm->group) < 0))
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot set the permissions of '%s': %m",
                                    def->target_path);
        return 0;
}

int vb_stor_dir_check(const VbStoragePoolDef *def, VbError *e) {
        struct stat st;

        if (stat(def->target_path, &st) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "cannot open directory '%s': %m",
                                    def->target_path);
        if (!S_ISDIR(st.st_mode))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "'%s' is not a directory", def->target_path);
        return 0;
}

int vb_stor_dir_delete(const VbStoragePoolDef *def, VbError *e) {
        if (rmdir(def->target_path) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "failed to remove pool '%s': %m",
                                    def->target_path);
        return 0;
}

void vb_stor_dir_sizes(VbStoragePoolDef *def) {
        struct statvfs sv;

        if (statvfs(def->target_path, &sv) < 0)
                return;
        def->capacity = (uint64_t) sv.f_blocks * sv.f_frsize;
        def->available = (uint64_t) sv.f_bavail * sv.f_frsize;
        def->allocation = (uint64_t) (sv.f_blocks - sv.f_bfree) * sv.f_frsize;
}

/* ---- refresh ---- */

typedef struct Found {
        char *name;
        struct stat st;
        VbImgInfo info;
        bool ok;
} Found;

struct VbStorRefresh {
        VbPoolObj *pool;
        VbOp **ops;                     /* callers waiting for the end (NULL entries allowed) */
        size_t n_ops;
        Found *found;
        size_t n_found, next;
        int dirfd;
        VbStorCmd *cmd;
};

static void refresh_free(VbStorRefresh *rf) {
        for (size_t i = 0; i < rf->n_found; i++) {
                free(rf->found[i].name);
                vb_img_info_clear(&rf->found[i].info);
        }
        free(rf->found);
        free(rf->ops);
        if (rf->dirfd >= 0)
                close(rf->dirfd);
        free(rf);
}

static void refresh_end(VbStorRefresh *rf, int r, const VbError *e) {
        vb_stor_pool(rf->pool)->refresh = NULL;
        for (size_t i = 0; i < rf->n_ops; i++)
                if (rf->ops[i])
                        rf->ops[i]->done(rf->ops[i], r, e);
        refresh_free(rf);
}

static bool is_pending(VbPoolObj *p, const char *name) {
        char **l = vb_stor_pool(p)->pending;
        for (size_t i = 0; l && l[i]; i++)
                if (streq(l[i], name))
                        return true;
        return false;
}

static void describe(VbStorageVolDef *def, const Found *f) {
        bool raw = streq(f->info.format, "raw");

        free(def->target_format);
        def->target_format = vb_strdup(f->info.format);
        def->capacity = raw ? (uint64_t) f->st.st_size : f->info.virtual_size;
        def->allocation = (uint64_t) f->st.st_blocks * 512;
        free(def->backing_path);
        def->backing_path = vb_strdup(f->info.backing);
        free(def->backing_format);
        def->backing_format = vb_strdup(f->info.backing_format);
}

/* Only the registry changes here, all at once: vanished files go, new ones come, the
 * others are described anew. Volumes with work running keep what they are. */
static void refresh_apply(VbStorRefresh *rf) {
        VbPoolObj *p = rf->pool;

        for (size_t i = p->n_vols; i-- > 0;) {
                VbVolObj *v = p->vols[i];
                bool seen = false;
                for (size_t j = 0; !seen && j < rf->n_found; j++)
                        seen = rf->found[j].ok && streq(rf->found[j].name, v->name);
                if (!seen && !v->job)
                        vb_stor_vol_remove(v);
        }
        for (size_t j = 0; j < rf->n_found; j++) {
                Found *f = &rf->found[j];
                VbVolObj *v;
                if (!f->ok || is_pending(p, f->name))
                        continue;
                v = vb_vol_find_name(p, f->name);
                if (v && !v->job)
                        describe(VB_VOL_DEF(v), f);
                else if (!v && p->n_vols < VB_STOR_VOLS_MAX) {
                        VbStorageVolDef *def = vb_stor_vol_def_new(p, f->name, "raw", 0, 0);
                        if (!def)
                                continue;
                        describe(def, f);
                        v = vb_vol_obj_add(p, def);
                        if (!v) {
                                vb_vol_def_free(def);
                                continue;
                        }
                        if (p->active)
                                vb_event_obj(p->conn, VB_EVENT_OBJECT_ADDED, VB_KIND_VOL, v, 0, 0);
                }
        }
        vb_stor_dir_sizes(VB_POOL_DEF(p));
}

static int refresh_next(VbStorRefresh *rf);

static void on_info(VbStorCmd *c, int r, const char *output, void *userdata) {
        VbStorRefresh *rf = userdata;
        Found *f = &rf->found[rf->next - 1];

        rf->cmd = NULL;
        /* a file qemu-img cannot read is left out, as libvirt does */
        f->ok = r == 0 && vb_img_info_parse(output, &f->info) == 0;
        if (r < 0)
                vb_stor_log("pool '%s': ignoring '%s': %s", rf->pool->name, f->name, strempty(output));
        (void) refresh_next(rf);
}

/* Describe the next file; at the end apply everything. 1 = qemu-img runs, 0 = done. */
static int refresh_next(VbStorRefresh *rf) {
        VbStorDriver *drv = vb_stor_driver_of(rf->pool->conn);
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;

        while (rf->next < rf->n_found) {
                Found *f = &rf->found[rf->next++];
                char *argv[] = { (char *) VB_QEMU_IMG, (char *) "info", (char *) "--output=json", (char *) "-U",
                                 (char *) "/dev/fd/3", NULL };
                _cleanup_close_ int fd = openat(rf->dirfd, f->name,
                                                O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
                if (fd < 0 || fstat(fd, &f->st) < 0 || !S_ISREG(f->st.st_mode))
                        continue;
                if (vb_stor_cmd_run(drv->event, argv, &fd, 1, NULL, on_info, rf, &rf->cmd, &e) >= 0)
                        return 1;
                vb_stor_log("pool '%s': cannot describe '%s': %s", rf->pool->name, f->name, strempty(e.message));
        }
        refresh_apply(rf);
        vb_event_obj(rf->pool->conn, VB_EVENT_POOL_REFRESH, VB_KIND_POOL, rf->pool, 0, 0);
        refresh_end(rf, 0, NULL);
        return 0;
}

static int collect(VbStorRefresh *rf, VbError *e) {
        VbPoolObj *p = rf->pool;
        struct dirent *de;
        int fd;
        DIR *d;

        fd = fcntl(rf->dirfd, F_DUPFD_CLOEXEC, 3);
        d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot read directory '%s': %m",
                                    VB_POOL_DEF(p)->target_path);
        }
        while ((de = readdir(d)) && rf->n_found < VB_STOR_VOLS_MAX) {
                struct stat st;
                Found *n;
                if (vb_stor_vol_name_check(de->d_name, NULL) < 0 || is_pending(p, de->d_name) ||
                    fstatat(rf->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        continue;
                n = reallocarray(rf->found, rf->n_found + 1, sizeof(*n));
                if (!n)
                        break;
                rf->found = n;
                rf->found[rf->n_found++] = (Found) { .name = vb_strdup(de->d_name), .st = st };
        }
        closedir(d);
        return 0;
}

static int refresh_join(VbStorRefresh *rf, VbOp *op) {
        VbOp **n = reallocarray(rf->ops, rf->n_ops + 1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        rf->ops = n;
        rf->ops[rf->n_ops++] = op;
        return 0;
}

int vb_stor_dir_refresh(VbPoolObj *p, VbOp *op, VbError *e) {
        VbStorPool *sp = vb_stor_pool(p);
        VbStorRefresh *rf;
        int r;

        if (sp->refresh)        /* one scan at a time: a second caller waits for the same */
                return op && refresh_join(sp->refresh, op) < 0 ? vb_error_set(e, VB_ERR_NO_MEMORY, NULL) : 1;
        rf = calloc(1, sizeof(*rf));
        if (!rf)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        rf->pool = p;
        rf->dirfd = open(VB_POOL_DEF(p)->target_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rf->dirfd < 0)
                r = vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot open directory '%s': %m",
                                 VB_POOL_DEF(p)->target_path);
        else
                r = collect(rf, e);
        if (r < 0) {
                refresh_free(rf);
                return r;
        }
        sp->refresh = rf;
        if (refresh_next(rf) == 0)
                return 0;       /* nothing to ask qemu-img: finished already */
        /* the op joins only now, so it is never finished before we return 1 */
        if (op && refresh_join(rf, op) < 0) {
                vb_stor_dir_refresh_abandon(p);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        return 1;
}

void vb_stor_dir_refresh_abandon(VbPoolObj *p) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbStorRefresh *rf = vb_stor_pool(p)->refresh;

        if (!rf)
                return;
        vb_stor_cmd_abandon(TAKE_PTR(rf->cmd));
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, "storage pool '%s' was stopped during the refresh", p->name);
        refresh_end(rf, -EIO, &e);
}
