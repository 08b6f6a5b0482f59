/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Storage pools of a hypervisor connection (libvirt's storage driver): definitions kept
 * atomically under <root>/storage, active pools remembered in storage/run so a
 * restarted daemon has them active again (and rescanned), autostart once per boot.
 * Only `dir` pools have a backend (stor-dir.c); other types are "not supported". */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu/qemu-status.h"
#include "stor-driver.h"
#include "xml-keep.h"
#include "xml-util.h"

enum { POOL_STATE_INACTIVE = 0, POOL_STATE_RUNNING = 2 };
enum {
        POOL_CREATE_WITH_BUILD = 1, POOL_CREATE_WITH_BUILD_OVERWRITE = 2,
        POOL_CREATE_WITH_BUILD_NO_OVERWRITE = 4,
        POOL_BUILD_NO_OVERWRITE = 4, POOL_BUILD_OVERWRITE = 8,
        POOL_DEFINE_VALIDATE = 1, POOL_XML_INACTIVE = 1,
        POOL_CREATE_FLAGS = POOL_CREATE_WITH_BUILD | POOL_CREATE_WITH_BUILD_OVERWRITE |
                            POOL_CREATE_WITH_BUILD_NO_OVERWRITE,
};

static VbStorDriver *drivers[8];

VbStorDriver *vb_stor_driver_of(VbConnect *c) {
        for (size_t i = 0; i < ELEMENTSOF(drivers); i++)
                if (drivers[i] && drivers[i]->conn == c)
                        return drivers[i];
        return NULL;
}

void vb_stor_log(const char *fmt, ...) {
        va_list ap;

        fputs("virtbusd: storage: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

VbStorPool *vb_stor_pool(VbPoolObj *p) {
        return p->priv;
}

static int require_inactive(VbPoolObj *p, VbError *e) {
        if (p->active)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "storage pool '%s' is still active", p->name);
        return 0;
}

/* A pool operation (create, delete, upload...) in flight also keeps it busy. */
static int require_active_idle(VbPoolObj *p, VbError *e) {
        return vb_pool_require_active_idle(p, vb_stor_pool(p)->n_ops > 0, e);
}

/* ---- files ---- */

static char *config_path(VbStorDriver *drv, const char *name) {
        return vb_strdupf("%s/%s.xml", drv->dir, name);
}

static char *autostart_path(VbStorDriver *drv, const char *name) {
        return vb_strdupf("%s/%s.xml", drv->autostart_dir, name);
}

static char *state_path(VbStorDriver *drv, const char *name) {
        return vb_strdupf("%s/%s.xml", drv->run_dir, name);
}

static int write_def(const char *path, const VbStoragePoolDef *def, VbError *e) {
        _cleanup_free_ char *xml = vb_pool_def_format(def, 0);
        int r;

        if (!xml || !path)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = vb_qemu_write_file_atomic(path, xml, strlen(xml), 0600);
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot write '%s': %s", path, strerror(-r));
        return 0;
}

void vb_stor_save_state(VbPoolObj *p) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *path = state_path(vb_stor_driver_of(p->conn), p->name);

        if (write_def(path, VB_POOL_DEF(p), &e) < 0)
                vb_stor_log("%s", e.message);
}

static void remove_state(VbPoolObj *p) {
        _cleanup_free_ char *path = state_path(vb_stor_driver_of(p->conn), p->name);
        if (path && unlink(path) < 0 && errno != ENOENT)
                vb_stor_log("cannot remove '%s': %m", path);
}

/* ---- pool objects ---- */

static VbPoolObj *pool_new(VbConnect *c, VbStoragePoolDef *def) {
        VbStorPool *sp = calloc(1, sizeof(*sp));
        VbPoolObj *p = sp ? vb_pool_obj_new(c, def) : NULL;

        if (!p) {
                free(sp);
                return NULL;
        }
        p->priv = sp;
        return p;
}

static void vols_clear(VbPoolObj *p, bool announce) {
        vb_stor_vols_abandon(p);
        while (p->n_vols > 0) {
                VbVolObj *v = p->vols[p->n_vols - 1];
                if (announce)
                        vb_event_obj(p->conn, VB_EVENT_OBJECT_REMOVED, VB_KIND_VOL, v, 0, 0);
                vb_vol_obj_remove(v);
        }
}

/* Out of the registry (with its volumes); @announce: InterfacesRemoved first. */
static void pool_drop(VbPoolObj *p, bool announce) {
        VbStorPool *sp = p->priv;

        vb_stor_dir_refresh_abandon(p);
        vols_clear(p, announce && p->active);
        if (announce)
                vb_event_obj(p->conn, VB_EVENT_OBJECT_REMOVED, VB_KIND_POOL, p, 0, 0);
        if (sp)
                vb_strv_free(sp->pending);
        free(sp);
        p->priv = NULL;
        vb_pool_obj_remove(p);
}

static bool endswith(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && streq(s + a - b, suffix);
}

static int check_type(const VbStoragePoolDef *def, VbError *e) {
        const char *t = def->target_path;

        if (!streq(def->type, "dir"))
                return vb_error_set(e, VB_ERR_NO_SUPPORT, "storage pool type '%s' is not supported by this "
                                    "connection (only 'dir')", def->type);
        if (strstr(t, "/../") || strstr(t, "/./") || strstr(t, "//") || endswith(t, "/..") || endswith(t, "/."))
                return vb_error_set(e, VB_ERR_XML_ERROR, "storage pool target path '%s' is not canonical", t);
        return 0;
}

/* Active from now on: state file, events, a scan in the background. */
static void pool_start(VbPoolObj *p, bool announce) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;

        vb_stor_dir_sizes(VB_POOL_DEF(p));
        p->active = true;
        vb_stor_save_state(p);
        if (announce)
                vb_pool_event(p, VB_OBJ_EV_STARTED);
        if (vb_stor_dir_refresh(p, NULL, &e) < 0)
                vb_stor_log("pool '%s': %s", p->name, strempty(e.message));
}

static void pool_stop(VbPoolObj *p) {
        vb_stor_dir_refresh_abandon(p);
        vols_clear(p, true);
        remove_state(p);
        p->active = false;
        if (p->newdef) {
                vb_pool_def_free(VB_POOL_DEF(p));
                p->def = TAKE_PTR(p->newdef);
        }
        vb_pool_event(p, VB_OBJ_EV_STOPPED);
        if (!p->persistent)
                pool_drop(p, true);
}

static int parse_def(const char *xml, VbStoragePoolDef **ret, VbError *e) {
        _cleanup_(vb_pool_def_freep) VbStoragePoolDef *def = NULL;
        int r = vb_pool_def_parse(xml, 0, &def, e);
        if (r >= 0)
                r = check_type(def, e);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(def);
        return 0;
}

/* ---- pool ops ---- */

static int stor_pool_define_xml(VbConnect *c, const char *xml, unsigned flags, VbPoolObj **ret, VbError *e) {
        _cleanup_(vb_pool_def_freep) VbStoragePoolDef *def = NULL;
        VbStorDriver *drv = vb_stor_driver_of(c);
        _cleanup_free_ char *path = NULL;
        VbPoolObj *p = NULL;
        int r;

        VB_CHECK_FLAGS(flags, POOL_DEFINE_VALIDATE, e);
        r = parse_def(xml, &def, e);
        if (r >= 0)
                r = vb_pool_check_unique(c, def, false, &p, e);
        if (r < 0)
                return r;
        /* on disk first: a definition that cannot be saved changes nothing */
        path = config_path(drv, def->name);
        r = write_def(path, def, e);
        if (r < 0)
                return r;
        if (!p) {
                p = pool_new(c, def);
                if (!p) {
                        (void) unlink(path);
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                }
                TAKE_PTR(def);
                vb_event_obj(c, VB_EVENT_OBJECT_ADDED, VB_KIND_POOL, p, 0, 0);
        } else
                vb_pool_obj_set_persistent_def(p, TAKE_PTR(def));
        p->persistent = true;
        vb_pool_event(p, VB_OBJ_EV_DEFINED);
        *ret = p;
        return 0;
}

static int stor_pool_create_xml(VbConnect *c, const char *xml, unsigned flags, VbPoolObj **ret, VbError *e) {
        _cleanup_(vb_pool_def_freep) VbStoragePoolDef *def = NULL;
        VbPoolObj *p = NULL;
        int r;

        VB_CHECK_FLAGS(flags, POOL_CREATE_FLAGS, e);
        r = vb_pool_check_build_flags(POOL_CREATE_WITH_BUILD_OVERWRITE, POOL_CREATE_WITH_BUILD_NO_OVERWRITE, flags, e);
        if (r >= 0)
                r = parse_def(xml, &def, e);
        if (r >= 0)
                r = vb_pool_check_unique(c, def, true, &p, e);
        if (r >= 0 && (flags & POOL_CREATE_FLAGS))
                r = vb_stor_dir_build(def, 0, e);
        if (r >= 0)
                r = vb_stor_dir_check(def, e);
        if (r >= 0)
                r = vb_pool_obj_create(c, p, &def, pool_new, &p, e);
        if (r < 0)
                return r;
        pool_start(p, true);
        *ret = p;
        return 0;
}

static int stor_pool_undefine(VbPoolObj *p, VbError *e) {
        VbStorDriver *drv = vb_stor_driver_of(p->conn);
        _cleanup_free_ char *path = NULL, *link = NULL;
        int r;

        r = require_inactive(p, e);
        if (r < 0)
                return r;
        if (!p->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "storage pool '%s' is not persistent", p->name);
        path = config_path(drv, p->name);
        link = autostart_path(drv, p->name);
        if (unlink(path) < 0 && errno != ENOENT)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot remove config file '%s': %m", path);
        (void) unlink(link);
        vb_pool_event(p, VB_OBJ_EV_UNDEFINED);
        pool_drop(p, true);
        return 0;
}

static int stor_pool_create(VbPoolObj *p, unsigned flags, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, POOL_CREATE_FLAGS, e);
        r = vb_pool_check_build_flags(POOL_CREATE_WITH_BUILD_OVERWRITE, POOL_CREATE_WITH_BUILD_NO_OVERWRITE, flags, e);
        if (r >= 0)
                r = require_inactive(p, e);
        if (r >= 0 && (flags & POOL_CREATE_FLAGS))
                r = vb_stor_dir_build(VB_POOL_DEF(p), 0, e);
        if (r >= 0)
                r = vb_stor_dir_check(VB_POOL_DEF(p), e);
        if (r < 0)
                return r;
        pool_start(p, true);
        return 0;
}

static int stor_pool_destroy(VbPoolObj *p, VbError *e) {
        int r = require_active_idle(p, e);
        if (r < 0)
                return r;
        pool_stop(p);
        return 0;
}

static int stor_pool_build(VbPoolObj *p, unsigned flags, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, POOL_BUILD_OVERWRITE | POOL_BUILD_NO_OVERWRITE, e);
        r = vb_pool_check_build_flags(POOL_BUILD_OVERWRITE, POOL_BUILD_NO_OVERWRITE, flags, e);
        if (r >= 0)
                r = require_inactive(p, e);
        if (r >= 0)
                r = vb_stor_dir_build(VB_POOL_DEF(p), flags, e);
        if (r < 0)
                return r;
        vb_pool_event(p, VB_OBJ_EV_CREATED);
        return 0;
}

static int stor_pool_delete(VbPoolObj *p, unsigned flags, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, 0, e);   /* ZEROED: not for dir pools, as in libvirt */
        r = require_inactive(p, e);
        if (r >= 0)
                r = vb_stor_dir_delete(VB_POOL_DEF(p), e);
        if (r < 0)
                return r;
        vb_pool_event(p, VB_OBJ_EV_DELETED);
        return 0;
}

static int stor_pool_refresh_op(VbPoolObj *p, unsigned flags, VbOp *op, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = require_active_idle(p, e);
        if (r >= 0)
                r = vb_stor_dir_check(VB_POOL_DEF(p), e);
        if (r < 0)
                return r;
        return vb_stor_dir_refresh(p, op, e);
}

static int stor_pool_get_info(VbPoolObj *p, VbPoolInfo *ret, VbError *e) {
        VbStoragePoolDef *def = VB_POOL_DEF(p);

        if (p->active)
                vb_stor_dir_sizes(def);
        *ret = (VbPoolInfo) {
                .state = p->active ? POOL_STATE_RUNNING : POOL_STATE_INACTIVE,
                .capacity = p->active ? def->capacity : 0,
                .allocation = p->active ? def->allocation : 0,
                .available = p->active ? def->available : 0,
        };
        return 0;
}

static int stor_pool_get_xml_desc(VbPoolObj *p, unsigned flags, char **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, POOL_XML_INACTIVE, e);
        if (p->active)
                vb_stor_dir_sizes(VB_POOL_DEF(p));
        return vb_pool_format_xml(p, flags & POOL_XML_INACTIVE, ret, e);
}

static int stor_pool_set_autostart(VbPoolObj *p, bool autostart, VbError *e) {
        VbStorDriver *drv = vb_stor_driver_of(p->conn);
        _cleanup_free_ char *link = autostart_path(drv, p->name), *target = NULL;

        if (!p->persistent)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "cannot set autostart for transient pool");
        if (autostart == p->autostart)
                return 0;
        if (autostart) {
                target = vb_strdupf("../%s.xml", p->name);
                if (symlink(target, link) < 0 && errno != EEXIST)
                        return vb_error_set(e, VB_ERR_OPERATION_FAILED, "failed to create symlink '%s': %m", link);
        } else if (unlink(link) < 0 && errno != ENOENT)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "failed to delete symlink '%s': %m", link);
        p->autostart = autostart;
        vb_event_obj(p->conn, VB_EVENT_OBJECT_CHANGED, VB_KIND_POOL, p, 0, 0);
        return 0;
}

static int stor_pool_list_volumes(VbPoolObj *p, unsigned flags, VbVolObj ***ret, size_t *ret_n, VbError *e) {
        VbVolObj **l;
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_pool_require_active(p, e);
        if (r < 0)
                return r;
        l = calloc(p->n_vols + 1, sizeof(*l));
        if (!l)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < p->n_vols; i++)
                l[i] = p->vols[i];
        *ret = l;
        *ret_n = p->n_vols;
        return 0;
}

/* ---- open: configs, state of active pools, autostart ---- */

static int read_def(const char *path, VbStoragePoolDef **ret) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *xml = NULL;
        int r = vb_qemu_read_file(path, VB_STOR_POOL_XML_MAX, &xml);

        if (r < 0) {
                vb_stor_log("ignoring '%s': %s", path, strerror(-r));
                return r;
        }
        r = parse_def(xml, ret, &e);
        if (r < 0)
                vb_stor_log("ignoring '%s': %s", path, strempty(e.message));
        return r;
}

static bool name_matches_file(const char *name, const char *file) {
        size_t n = strlen(name);
        return strncmp(name, file, n) == 0 && streq(file + n, ".xml");
}

static void load_config(VbStorDriver *drv, const char *file) {
        _cleanup_(vb_pool_def_freep) VbStoragePoolDef *def = NULL;
        _cleanup_free_ char *path = vb_strdupf("%s/%s", drv->dir, file), *link = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        struct stat st;
        VbPoolObj *p;

        if (read_def(path, &def) < 0)
                return;
        if (!name_matches_file(def->name, file) || vb_pool_check_unique(drv->conn, def, false, NULL, &e) < 0) {
                vb_stor_log("ignoring '%s': %s", path, e.message ? e.message : "the file name is not the pool's");
                return;
        }
        p = pool_new(drv->conn, TAKE_PTR(def));
        if (!p)
                return;
        p->persistent = true;
        link = autostart_path(drv, p->name);
        p->autostart = link && lstat(link, &st) == 0;
}

/* A pool that was active when the daemon stopped is active again, unless its
 * directory went away meanwhile. */
static void load_state(VbStorDriver *drv, const char *file) {
        _cleanup_(vb_pool_def_freep) VbStoragePoolDef *def = NULL;
        _cleanup_free_ char *path = vb_strdupf("%s/%s", drv->run_dir, file);
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbPoolObj *p;

        if (read_def(path, &def) < 0 || !name_matches_file(def->name, file))
                return;
        p = vb_pool_find_uuid(drv->conn, def->uuid);
        if ((p && !streq(p->name, def->name)) || (!p && vb_pool_find_name(drv->conn, def->name)) ||
            vb_stor_dir_check(def, &e) < 0) {
                vb_stor_log("pool '%s' is not active any more: %s", def->name,
                            e.message ? e.message : "its definition changed");
                (void) unlink(path);
                return;
        }
        if (p) {
                vb_pool_obj_run_def(p, TAKE_PTR(def));
        } else {
                p = pool_new(drv->conn, TAKE_PTR(def));
                if (!p)
                        return;
        }
        pool_start(p, false);
}

static bool has_xml_suffix(const char *s) {
        size_t n = strlen(s);
        return n > 4 && streq(s + n - 4, ".xml") && s[0] != '.';
}

static void for_each_xml(VbStorDriver *drv, const char *dir, void (*fn)(VbStorDriver *, const char *)) {
        struct dirent **list = NULL;
        int n = scandir(dir, &list, NULL, alphasort);

        for (int i = 0; i < n; i++) {
                if (has_xml_suffix(list[i]->d_name) && list[i]->d_type != DT_DIR)
                        fn(drv, list[i]->d_name);
                free(list[i]);
        }
        free(list);
}

/* once per host boot, as the domains (vb_qemu_autostart_due) */
static void autostart(VbStorDriver *drv) {
        VbConnect *c = drv->conn;

        if (!vb_qemu_autostart_due(drv->run_dir))
                return;
        for (size_t i = 0; i < c->n_pools; i++) {
                _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
                VbPoolObj *p = c->pools[i];

                if (!p->autostart || p->active)
                        continue;
                if (vb_stor_dir_check(VB_POOL_DEF(p), &e) < 0)
                        vb_stor_log("cannot autostart pool '%s': %s", p->name, strempty(e.message));
                else
                        pool_start(p, false);
        }
}

static void driver_free(VbStorDriver *drv) {
        if (!drv)
                return;
        sd_event_unref(drv->event);
        free(drv->dir);
        free(drv->autostart_dir);
        free(drv->run_dir);
        free(drv);
}

static int stor_open(VbConnect *c, VbError *e) {
        VbStorDriver *drv = calloc(1, sizeof(*drv));
        size_t slot = ELEMENTSOF(drivers);
        int r = 0;

        for (size_t i = 0; i < ELEMENTSOF(drivers) && slot == ELEMENTSOF(drivers); i++)
                if (!drivers[i])
                        slot = i;
        if (!drv || slot == ELEMENTSOF(drivers)) {
                free(drv);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        drv->conn = c;
        drv->dir = vb_strdupf("%s/storage", c->root);
        drv->autostart_dir = vb_strdupf("%s/autostart", drv->dir);
        drv->run_dir = vb_strdupf("%s/run", drv->dir);
        r = sd_event_default(&drv->event);
        if (r < 0)
                r = vb_error_set(e, VB_ERR_INTERNAL, "cannot get the event loop: %s", strerror(-r));
        for (const char *const *d = (const char *const[]) { drv->autostart_dir, drv->run_dir, NULL };
             r >= 0 && *d; d++)
                if ((r = vb_qemu_mkdir_p(*d, 0700)) < 0)
                        r = vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot create '%s': %s", *d, strerror(-r));
        if (r < 0) {
                driver_free(drv);
                return r;
        }
        drivers[slot] = drv;
        for_each_xml(drv, drv->dir, load_config);
        for_each_xml(drv, drv->run_dir, load_state);
        autostart(drv);
        return 0;
}

static void stor_close(VbConnect *c) {
        VbStorDriver *drv = vb_stor_driver_of(c);

        /* running work stops (partial files go); active pools stay active for the next start */
        while (c->n_pools > 0)
                pool_drop(c->pools[c->n_pools - 1], false);
        vb_storage_registry_clear(c);
        for (size_t i = 0; i < ELEMENTSOF(drivers); i++)
                if (drivers[i] == drv)
                        drivers[i] = NULL;
        driver_free(drv);
}

const VbStorageOps vb_stor_ops = {
        .open = stor_open,
        .close = stor_close,
        .pool_define_xml = stor_pool_define_xml,
        .pool_create_xml = stor_pool_create_xml,
        .pool_undefine = stor_pool_undefine,
        .pool_create = stor_pool_create,
        .pool_destroy = stor_pool_destroy,
        .pool_build = stor_pool_build,
        .pool_delete = stor_pool_delete,
        .pool_refresh_op = stor_pool_refresh_op,
        .pool_get_info = stor_pool_get_info,
        .pool_get_xml_desc = stor_pool_get_xml_desc,
        .pool_set_autostart = stor_pool_set_autostart,
        .pool_list_volumes = stor_pool_list_volumes,
        .vol_lookup_by_name = vb_vol_lookup_by_name,
        .vol_create_xml = vb_stor_vol_create_xml,
        .vol_create_xml_from = vb_stor_vol_create_xml_from,
        .vol_delete = vb_stor_vol_delete,
        .vol_get_info = vb_stor_vol_get_info,
        .vol_get_xml_desc = vb_stor_vol_get_xml_desc,
        .vol_resize_op = vb_stor_vol_resize_op,
        .vol_wipe = vb_stor_vol_wipe,
        .vol_upload = vb_stor_vol_upload,
        .vol_download = vb_stor_vol_download,
};
