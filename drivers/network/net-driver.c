/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QEMU connection's network driver: libvirt's network API over persistent
 * definitions (network/<name>.xml), autostart links and the runtime state of
 * net-start.c. Semantics and messages follow libvirt's bridge driver. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "net-internal.h"
#include "qemu/qemu-status.h"
#include "xml-util.h"

enum {
        NET_DEFINE_VALIDATE = 1,        /* VIR_NETWORK_DEFINE_VALIDATE (we always validate) */
        NET_CREATE_VALIDATE = 1,        /* VIR_NETWORK_CREATE_VALIDATE */
        NET_XML_INACTIVE = 1,           /* VIR_NETWORK_XML_INACTIVE */
        NET_UPDATE_LIVE = 1,            /* VIR_NETWORK_UPDATE_AFFECT_LIVE */
        NET_UPDATE_CONFIG = 2,          /* VIR_NETWORK_UPDATE_AFFECT_CONFIG */
};

static char *config_path(VbNetDriver *drv, const char *name) {
        return vb_strdupf("%s/%s.xml", drv->config_dir, name);
}

static char *autostart_path(VbNetDriver *drv, const char *name) {
        return vb_strdupf("%s/%s.xml", drv->autostart_dir, name);
}

static int save_config(VbNetDriver *drv, const VbNetworkDef *def, VbError *e) {
        _cleanup_free_ char *path = config_path(drv, def->name), *xml = vb_network_def_format(def, 0);
        int r;

        if (!xml)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = vb_qemu_write_file_atomic(path, xml, strlen(xml), 0600);
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot write %s: %s", path, strerror(-r));
        return 0;
}

static void remove_config(VbNetDriver *drv, const char *name) {
        _cleanup_free_ char *path = config_path(drv, name), *link = autostart_path(drv, name);
        (void) unlink(link);
        (void) unlink(path);
}

static int parse_checked(const char *xml, VbNetworkDef **ret, VbError *e) {
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = NULL;
        int r = vb_network_def_parse(xml, 0, &def, e);

        if (r >= 0)
                r = vb_net_def_check(def, e);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(def);
        return 0;
}

static void obj_remove(VbNetworkObj *n) {
        n->priv = vb_net_run_free(n->priv);
        vb_network_obj_remove(n);
}

static int net_define_xml(VbConnect *c, const char *xml, unsigned flags, VbNetworkObj **ret, VbError *e) {
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = NULL;
        VbNetDriver *drv = vb_net_driver_of(c);
        VbNetworkObj *n = NULL;
        int r;

        VB_CHECK_FLAGS(flags, NET_DEFINE_VALIDATE, e);
        r = parse_checked(xml, &def, e);
        if (r >= 0)
                r = vb_network_check_unique(c, def->name, def->uuid, &n, e);
        if (r >= 0 && !n && c->n_networks >= VB_NET_OBJECTS_MAX)
                r = vb_error_set(e, VB_ERR_LIMIT, "too many networks (at most %d)", VB_NET_OBJECTS_MAX);
        /* on disk first: a failed write changes nothing in memory */
        if (r >= 0)
                r = save_config(drv, def, e);
        if (r < 0)
                return r;
        return vb_network_define(c, n, VB_NET_OBJECTS_MAX, &def, ret, e);
}

static int net_create_xml(VbConnect *c, const char *xml, unsigned flags, VbNetworkObj **ret, VbError *e) {
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = NULL;
        VbNetworkDef *config = NULL;
        VbNetworkObj *n = NULL;
        bool added = false;
        int r;

        VB_CHECK_FLAGS(flags, NET_CREATE_VALIDATE, e);
        r = parse_checked(xml, &def, e);
        if (r >= 0)
                r = vb_network_check_unique(c, def->name, def->uuid, &n, e);
        if (r >= 0 && n && n->active)
                r = vb_error_set(e, VB_ERR_OPERATION_INVALID, "network is already active as '%s'", n->name);
        if (r < 0)
                return r;
        if (!n) {
                r = vb_network_obj_add(c, VB_NET_OBJECTS_MAX, &def, &n, e);
                if (r < 0)
                        return r;
                added = true;
        } else {
                /* a defined network runs this definition; its config waits in newdef */
                config = TAKE_PTR(n->def);
                n->def = TAKE_PTR(def);
        }
        r = vb_net_start(vb_net_driver_of(c), n, e);
        if (r < 0) {
                if (added)
                        obj_remove(n);   /* never announced */
                else {
                        vb_network_def_free(n->def);
                        n->def = config;
                }
                return r;
        }
        if (config) {
                vb_network_def_free(n->newdef);
                n->newdef = config;
        }
        vb_network_obj_started(n, added);
        *ret = n;
        return 0;
}

static int net_create(VbNetworkObj *n, VbError *e) {
        int r;

        if (n->active)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "network is already active");
        r = vb_net_start(vb_net_driver_of(n->conn), n, e);
        if (r < 0)
                return r;
        vb_network_obj_started(n, false);
        return 0;
}

static int net_destroy(VbNetworkObj *n, VbError *e) {
        int r = vb_network_require_active(n, e);
        if (r < 0)
                return r;
        /* guests still plugged into it lose their connection, as with libvirt */
        if (n->priv)
                vb_net_stop(vb_net_driver_of(n->conn), n->name, n->priv);
        n->priv = vb_net_run_free(n->priv);
        vb_network_obj_stopped(n, obj_remove);
        return 0;
}

static int net_undefine(VbNetworkObj *n, VbError *e) {
        if (!n->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "cannot undefine transient network");
        remove_config(vb_net_driver_of(n->conn), n->name);
        vb_network_event(n, VB_OBJ_EV_UNDEFINED);
        if (n->active) {
                /* libvirt: a running network becomes transient and keeps running */
                n->persistent = false;
                n->autostart = false;
                n->newdef = vb_network_def_free(n->newdef);
                vb_network_changed(n);
                return 0;
        }
        obj_remove(n);
        return 0;
}

static int net_get_xml_desc(VbNetworkObj *n, unsigned flags, char **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, NET_XML_INACTIVE, e);
        return vb_network_format_xml(n, flags & NET_XML_INACTIVE, ret, e);
}

/* The autostart link, as libvirt's network driver keeps it. */
static int autostart_link(VbNetworkObj *n, bool autostart, VbError *e) {
        VbNetDriver *drv = vb_net_driver_of(n->conn);
        _cleanup_free_ char *link = autostart_path(drv, n->name), *target = NULL;

        target = vb_strdupf("../%s.xml", n->name);
        if (autostart && symlink(target, link) < 0 && errno != EEXIST)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Failed to create symlink '%s' to '%s': %s", link,
                                    target, strerror(errno));
        if (!autostart && unlink(link) < 0 && errno != ENOENT)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Failed to delete symlink '%s': %s", link,
                                    strerror(errno));
        return 0;
}

static int net_set_autostart(VbNetworkObj *n, bool autostart, VbError *e) {
        return vb_network_set_autostart(n, autostart, autostart_link, e);
}

/* The persistent config only: changing a running dnsmasq is not supported (yet). */
static int net_update(VbNetworkObj *n, unsigned command, unsigned section, int parent_index,
                      const char *xml, unsigned flags, VbError *e) {
        _cleanup_(vb_network_def_freep) VbNetworkDef *config = NULL;
        VbNetworkDef **slot = n->active ? &n->newdef : &n->def;
        int r;

        VB_CHECK_FLAGS(flags, NET_UPDATE_LIVE | NET_UPDATE_CONFIG, e);
        if ((flags & NET_UPDATE_LIVE) || (flags == 0 && n->active))
                return vb_error_set(e, VB_ERR_NO_SUPPORT,
                                    "updating a running network (AFFECT_LIVE) is not supported: use AFFECT_CONFIG and restart it");
        if (!n->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "cannot change persistent config of a transient network");
        config = vb_network_def_copy(*slot ? *slot : n->def);
        if (!config)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = vb_network_def_update(config, command, section, parent_index, xml, 0, e);
        if (r >= 0)
                r = vb_net_def_check(config, e);
        if (r >= 0)
                r = save_config(vb_net_driver_of(n->conn), config, e);
        if (r < 0)
                return r;
        vb_network_def_free(*slot);
        *slot = TAKE_PTR(config);
        return 0;
}

static int net_get_dhcp_leases(VbNetworkObj *n, const char *mac, unsigned flags, VbNetworkLease **ret,
                               size_t *ret_n, VbError *e) {
        char norm[18];

        VB_CHECK_FLAGS(flags, 0, e);
        if (!isempty(mac) && vb_mac_parse(mac, norm) < 0)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "invalid MAC address '%s'", mac);
        return vb_net_leases(vb_net_driver_of(n->conn), n, isempty(mac) ? NULL : norm, ret, ret_n, e);
}

const VbNetworkOps vb_net_bridge_ops = {
        .define_xml = net_define_xml,
        .create_xml = net_create_xml,
        .undefine = net_undefine,
        .create = net_create,
        .destroy = net_destroy,
        .update = net_update,
        .get_xml_desc = net_get_xml_desc,
        .set_autostart = net_set_autostart,
        .get_dhcp_leases = net_get_dhcp_leases,
};

/* ---- open, close, autostart ---- */

static bool has_suffix(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a > b && streq(s + a - b, suffix);
}

static void load_config(VbNetDriver *drv, const char *file) {
        _cleanup_free_ char *path = vb_strdupf("%s/%s", drv->config_dir, file), *xml = NULL;
        _cleanup_free_ char *link = NULL;
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbNetworkObj *n;
        struct stat st;
        int r;

        r = vb_qemu_read_file(path, VB_NET_FILE_MAX, &xml);
        if (r < 0)
                r = vb_error_set(&e, VB_ERR_OPERATION_FAILED, "cannot read it: %s", strerror(-r));
        if (r >= 0)
                r = parse_checked(xml, &def, &e);
        if (r >= 0 && (strlen(def->name) + 4 != strlen(file) || strncmp(def->name, file, strlen(def->name)) != 0))
                r = vb_error_set(&e, VB_ERR_INTERNAL, "the file name does not match the network name '%s'", def->name);
        if (r >= 0)
                r = vb_network_check_unique(drv->conn, def->name, def->uuid, NULL, &e);
        if (r >= 0)
                r = vb_network_obj_add(drv->conn, VB_NET_OBJECTS_MAX, &def, &n, &e);
        if (r < 0) {
                vb_net_log("ignoring %s: %s", path, strempty(e.message));
                return;
        }
        n->persistent = true;
        link = autostart_path(drv, n->name);
        n->autostart = lstat(link, &st) == 0;
}

/* A network a previous daemon started: adopted when still running, else cleaned up. */
static void load_status(VbNetDriver *drv, const char *file) {
        _cleanup_free_ char *name = strndup(file, strlen(file) - strlen(".status"));
        _cleanup_(vb_network_def_freep) VbNetworkDef *live = NULL;
        _cleanup_(vb_net_run_freep) VbNetRun *run = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbNetworkObj *n;

        if (!name || vb_net_status_load(drv, name, &live, &run) <= 0)
                return;
        n = vb_network_find_name(drv->conn, name);
        if (n && memcmp(n->uuid, live->uuid, 16) != 0) {
                vb_net_log("network '%s' runs with another uuid than its config: stopping it", name);
                vb_net_stop(drv, name, run);
                return;
        }
        if (!n && vb_network_obj_add(drv->conn, VB_NET_OBJECTS_MAX, &live, &n, &e) < 0) {
                vb_net_stop(drv, name, run);
                return;
        }
        if (live) {
                n->newdef = n->def;
                n->def = TAKE_PTR(live);
        }
        n->priv = TAKE_PTR(run);
        n->active = true;
}

static void for_each(VbNetDriver *drv, const char *dir, const char *suffix, void (*fn)(VbNetDriver *, const char *)) {
        struct dirent **list = NULL;
        int n = scandir(dir, &list, NULL, alphasort);

        for (int i = 0; i < n; i++) {
                if (list[i]->d_name[0] != '.' && has_suffix(list[i]->d_name, suffix))
                        fn(drv, list[i]->d_name);
                free(list[i]);
        }
        free(list);
}

static VbNetDriver *driver_free(VbNetDriver *drv) {
        if (!drv)
                return NULL;
        free(drv->config_dir);
        free(drv->autostart_dir);
        free(drv->run_dir);
        free(drv);
        return NULL;
}

int vb_net_driver_open(VbConnect *c, const char *root, VbError *e) {
        VbNetDriver *drv = calloc(1, sizeof(*drv));
        const char *dirs[3];

        if (!drv)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        drv->conn = c;
        drv->config_dir = vb_strdupf("%s/network", root);
        drv->autostart_dir = vb_strdupf("%s/network/autostart", root);
        drv->run_dir = vb_strdupf("%s/run/network", root);
        dirs[0] = drv->config_dir;
        dirs[1] = drv->autostart_dir;
        dirs[2] = drv->run_dir;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                int r = vb_qemu_mkdir_p(dirs[i], 0700);
                if (r < 0) {
                        vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot create %s: %s", dirs[i], strerror(-r));
                        driver_free(drv);
                        return r;
                }
        }
        c->net_priv = drv;
        for_each(drv, drv->config_dir, ".xml", load_config);
        for_each(drv, drv->run_dir, ".status", load_status);
        return 0;
}

void vb_net_driver_autostart(VbConnect *c) {
        for (size_t i = 0; i < c->n_networks; i++) {
                _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
                VbNetworkObj *n = c->networks[i];

                if (!n->persistent || !n->autostart || n->active)
                        continue;
                if (net_create(n, &e) < 0)
                        vb_net_log("cannot autostart network '%s': %s", n->name, strempty(e.message));
        }
}

void vb_net_driver_close(VbConnect *c) {
        /* running networks stay up: the next daemon adopts them from their status */
        for (size_t i = 0; i < c->n_networks; i++)
                c->networks[i]->priv = vb_net_run_free(c->networks[i]->priv);
        vb_net_registry_free(c);
        c->net_priv = driver_free(c->net_priv);
}

int vb_net_driver_bridge(VbConnect *c, const char *name, char **ret, VbError *e) {
        VbNetworkObj *n = name ? vb_network_find_name(c, name) : NULL;
        VbNetRun *run;

        if (!n)
                return vb_error_set(e, VB_ERR_NO_NETWORK, "no network with matching name '%s'", strempty(name));
        run = n->priv;
        if (!n->active || !run)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "network '%s' is not active", n->name);
        *ret = vb_strdup(run->bridge);
        return 0;
}
