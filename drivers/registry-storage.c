/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The in-memory registry of storage pools, their volumes and node devices: every
 * lookup and list is served from here. */
#include <strings.h>

#include "driver.h"
#include "nodedev.h"
#include "storage.h"
#include "xml-keep.h"
#include "xml-util.h"

/* ---- pools ---- */

VbPoolObj *vb_pool_obj_new(VbConnect *c, VbStoragePoolDef *def) {
        VbPoolObj *p, **n;

        n = realloc(c->pools, (c->n_pools + 1) * sizeof(*n));
        if (!n)
                return NULL;
        c->pools = n;
        p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        p->conn = c;
        p->def = (VbPoolDef *) def;
        p->name = vb_strdup(def->name);
        memcpy(p->uuid, def->uuid, 16);
        c->pools[c->n_pools++] = p;
        return p;
}

static void vol_free(VbVolObj *v) {
        vb_vol_def_free(VB_VOL_DEF(v));
        free(v->name);
        free(v->key);
        free(v->path);
        free(v);
}

static void pool_free(VbPoolObj *p) {
        for (size_t i = 0; i < p->n_vols; i++)
                vol_free(p->vols[i]);
        free(p->vols);
        vb_pool_def_free(VB_POOL_DEF(p));
        vb_pool_def_free(VB_POOL_NEWDEF(p));
        free(p->name);
        free(p);
}

void vb_pool_obj_remove(VbPoolObj *p) {
        VbConnect *c = p->conn;
        for (size_t i = 0; i < c->n_pools; i++)
                if (c->pools[i] == p) {
                        memmove(c->pools + i, c->pools + i + 1, (c->n_pools - i - 1) * sizeof(*c->pools));
                        c->n_pools--;
                        pool_free(p);
                        return;
                }
}

VbPoolObj *vb_pool_find_name(VbConnect *c, const char *name) {
        for (size_t i = 0; i < c->n_pools; i++)
                if (streq(c->pools[i]->name, name))
                        return c->pools[i];
        return NULL;
}

VbPoolObj *vb_pool_find_uuid(VbConnect *c, const uint8_t uuid[16]) {
        for (size_t i = 0; i < c->n_pools; i++)
                if (memcmp(c->pools[i]->uuid, uuid, 16) == 0)
                        return c->pools[i];
        return NULL;
}

int vb_pool_check_unique(VbConnect *c, const VbStoragePoolDef *def, bool check_active,
                         VbPoolObj **ret_existing, VbError *e) {
        VbPoolObj *by_uuid = vb_pool_find_uuid(c, def->uuid);
        VbPoolObj *by_name = by_uuid ? NULL : vb_pool_find_name(c, def->name);
        int r;

        r = vb_check_unique("pool", def->name, def->uuid, by_uuid ? by_uuid->name : NULL,
                            by_name ? by_name->uuid : NULL, e);
        if (r < 0)
                return r;
        if (check_active && by_uuid && by_uuid->active)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "pool is already active as '%s'", by_uuid->name);
        /* two pools must not manage the same storage */
        for (size_t i = 0; i < c->n_pools; i++) {
                const VbStoragePoolDef *o = VB_POOL_DEF(c->pools[i]);
                if (c->pools[i] == by_uuid || !streq(o->type, def->type))
                        continue;
                if (o->target_path && def->target_path && streq(o->target_path, def->target_path) &&
                    (streq(def->type, "dir") || streq(def->type, "fs") || streq(def->type, "netfs")))
                        return vb_error_set(e, VB_ERR_OPERATION_FAILED,
                                            "Storage source conflict with pool: '%s'", c->pools[i]->name);
        }
        if (ret_existing)
                *ret_existing = by_uuid;
        return 0;
}

enum {
        POOLS_INACTIVE = 1 << 0, POOLS_ACTIVE = 1 << 1, POOLS_PERSISTENT = 1 << 2,
        POOLS_TRANSIENT = 1 << 3, POOLS_AUTOSTART = 1 << 4, POOLS_NO_AUTOSTART = 1 << 5,
        POOLS_TYPE_SHIFT = 6,
};

/* virConnectListAllStoragePools type bits, from 1 << 6 on */
static const char *const pool_type_bits[] = {
        "dir", "fs", "netfs", "logical", "disk", "iscsi", "scsi", "mpath", "rbd", "sheepdog",
        "gluster", "zfs", "vstorage", "iscsi-direct",
};

static bool pool_matches(const VbPoolObj *p, unsigned flags) {
        unsigned types = flags >> POOLS_TYPE_SHIFT;

        if (!vb_list_pass(flags, POOLS_ACTIVE, POOLS_INACTIVE, p->active) ||
            !vb_list_pass(flags, POOLS_PERSISTENT, POOLS_TRANSIENT, p->persistent) ||
            !vb_list_pass(flags, POOLS_AUTOSTART, POOLS_NO_AUTOSTART, p->autostart))
                return false;
        if (types) {
                for (size_t i = 0; i < ELEMENTSOF(pool_type_bits); i++)
                        if ((types & (1u << i)) && streq(VB_POOL_DEF(p)->type, pool_type_bits[i]))
                                return true;
                return false;
        }
        return true;
}

int vb_pool_list(VbConnect *c, unsigned flags, VbPoolObj ***ret, size_t *ret_n, VbError *e) {
        VbPoolObj **list;
        size_t n = 0;

        VB_CHECK_FLAGS(flags, (1u << (POOLS_TYPE_SHIFT + ELEMENTSOF(pool_type_bits))) - 1, e);
        list = calloc(c->n_pools + 1, sizeof(*list));
        if (!list)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < c->n_pools; i++)
                if (pool_matches(c->pools[i], flags))
                        list[n++] = c->pools[i];
        *ret = list;
        *ret_n = n;
        return 0;
}

/* ---- volumes ---- */

VbVolObj *vb_vol_obj_add(VbPoolObj *p, VbStorageVolDef *def) {
        VbVolObj *v, **n;

        n = realloc(p->vols, (p->n_vols + 1) * sizeof(*n));
        if (!n)
                return NULL;
        p->vols = n;
        v = calloc(1, sizeof(*v));
        if (!v)
                return NULL;
        v->pool = p;
        v->def = (VbVolDef *) def;
        v->name = vb_strdup(def->name);
        v->key = vb_strdup(def->key);
        v->path = vb_strdup(def->target_path);
        p->vols[p->n_vols++] = v;
        return v;
}

void vb_vol_obj_remove(VbVolObj *v) {
        VbPoolObj *p = v->pool;
        for (size_t i = 0; i < p->n_vols; i++)
                if (p->vols[i] == v) {
                        memmove(p->vols + i, p->vols + i + 1, (p->n_vols - i - 1) * sizeof(*p->vols));
                        p->n_vols--;
                        vol_free(v);
                        return;
                }
}

VbVolObj *vb_vol_find_name(VbPoolObj *p, const char *name) {
        for (size_t i = 0; i < p->n_vols; i++)
                if (streq(p->vols[i]->name, name))
                        return p->vols[i];
        return NULL;
}

VbVolObj *vb_vol_find_key(VbConnect *c, const char *key) {
        for (size_t i = 0; i < c->n_pools; i++) {
                if (!c->pools[i]->active)
                        continue;
                for (size_t j = 0; j < c->pools[i]->n_vols; j++)
                        if (streq(c->pools[i]->vols[j]->key, key))
                                return c->pools[i]->vols[j];
        }
        return NULL;
}

VbVolObj *vb_vol_find_path(VbConnect *c, const char *path) {
        for (size_t i = 0; i < c->n_pools; i++) {
                if (!c->pools[i]->active)
                        continue;
                for (size_t j = 0; j < c->pools[i]->n_vols; j++)
                        if (streq(c->pools[i]->vols[j]->path, path))
                                return c->pools[i]->vols[j];
        }
        return NULL;
}

/* ---- node devices ---- */

VbNodeDevObj *vb_nodedev_obj_new(VbConnect *c, VbNodeDeviceDef *def) {
        VbNodeDevObj *d, **n;

        n = realloc(c->nodedevs, (c->n_nodedevs + 1) * sizeof(*n));
        if (!n)
                return NULL;
        c->nodedevs = n;
        d = calloc(1, sizeof(*d));
        if (!d)
                return NULL;
        d->conn = c;
        d->def = (VbNodedevDef *) def;
        d->name = vb_strdup(def->name);
        d->parent = vb_strdup(def->parent);
        c->nodedevs[c->n_nodedevs++] = d;
        return d;
}

void vb_nodedev_obj_remove(VbNodeDevObj *d) {
        VbConnect *c = d->conn;
        for (size_t i = 0; i < c->n_nodedevs; i++)
                if (c->nodedevs[i] == d) {
                        memmove(c->nodedevs + i, c->nodedevs + i + 1,
                                (c->n_nodedevs - i - 1) * sizeof(*c->nodedevs));
                        c->n_nodedevs--;
                        vb_node_device_def_free(VB_NODEDEV_DEF(d));
                        free(d->name);
                        free(d->parent);
                        free(d);
                        return;
                }
}

VbNodeDevObj *vb_nodedev_find_name(VbConnect *c, const char *name) {
        for (size_t i = 0; i < c->n_nodedevs; i++)
                if (streq(c->nodedevs[i]->name, name))
                        return c->nodedevs[i];
        return NULL;
}

VbNodeDevObj *vb_nodedev_find_scsi_host_wwn(VbConnect *c, const char *wwnn, const char *wwpn) {
        for (size_t i = 0; i < c->n_nodedevs; i++) {
                VbNodeDevCap *cap = vb_node_device_def_find_cap(VB_NODEDEV_DEF(c->nodedevs[i]), "scsi_host");
                if (cap && cap->scsi_host.fc_host && cap->scsi_host.wwnn && cap->scsi_host.wwpn &&
                    strcasecmp(cap->scsi_host.wwnn, wwnn) == 0 && strcasecmp(cap->scsi_host.wwpn, wwpn) == 0)
                        return c->nodedevs[i];
        }
        return NULL;
}

/* virConnectListAllNodeDevices capability bits, in order, as ListCaps names them */
static const char *const nodedev_cap_bits[] = {
        "system", "pci", "usb_device", "usb", "net", "scsi_host", "scsi_target", "scsi",
        "storage", "fc_host", "vport_ops", "scsi_generic", "drm", "mdev_types", "mdev", "ccw",
        "css", "vdpa", "ap_card", "ap_queue", "ap_matrix", "vpd",
};

static bool nodedev_matches(const VbNodeDevObj *d, unsigned flags) {
        char **caps;
        bool ok = false;

        if (flags == 0)
                return true;
        caps = vb_node_device_def_list_caps(VB_NODEDEV_DEF(d));
        for (size_t i = 0; !ok && i < ELEMENTSOF(nodedev_cap_bits); i++) {
                if (!(flags & (1u << i)))
                        continue;
                for (size_t j = 0; caps && caps[j]; j++)
                        if (streq(caps[j], nodedev_cap_bits[i]))
                                ok = true;
        }
        vb_strv_free(caps);
        return ok;
}

int vb_nodedev_list(VbConnect *c, unsigned flags, VbNodeDevObj ***ret, size_t *ret_n, VbError *e) {
        VbNodeDevObj **list;
        size_t n = 0;

        VB_CHECK_FLAGS(flags, (1u << ELEMENTSOF(nodedev_cap_bits)) - 1, e);
        list = calloc(c->n_nodedevs + 1, sizeof(*list));
        if (!list)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < c->n_nodedevs; i++)
                if (nodedev_matches(c->nodedevs[i], flags))
                        list[n++] = c->nodedevs[i];
        *ret = list;
        *ret_n = n;
        return 0;
}

void vb_storage_registry_clear(VbConnect *c) {
        while (c->n_pools > 0)
                vb_pool_obj_remove(c->pools[c->n_pools - 1]);
        free(c->pools);
        c->pools = NULL;
        while (c->n_nodedevs > 0)
                vb_nodedev_obj_remove(c->nodedevs[c->n_nodedevs - 1]);
        free(c->nodedevs);
        c->nodedevs = NULL;
}

int vb_pool_check_build_flags(unsigned overwrite, unsigned no_overwrite, unsigned flags, VbError *e) {
        if ((flags & overwrite) && (flags & no_overwrite))
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "Flags 'VIR_STORAGE_POOL_BUILD_OVERWRITE' and "
                                    "'VIR_STORAGE_POOL_BUILD_NO_OVERWRITE' are mutually exclusive");
        return 0;
}

int vb_pool_require_active(const VbPoolObj *p, VbError *e) {
        if (!p->active)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "storage pool '%s' is not active", p->name);
        return 0;
}

/* A volume job holds its volume: the pool cannot go away under it. */
int vb_pool_require_active_idle(const VbPoolObj *p, bool busy, VbError *e) {
        int r = vb_pool_require_active(p, e);
        if (r < 0)
                return r;
        busy = busy || p->n_jobs > 0;
        for (size_t i = 0; !busy && i < p->n_vols; i++)
                busy = p->vols[i]->job != NULL;
        if (busy)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "pool '%s' has asynchronous jobs running.",
                                    p->name);
        return 0;
}

int vb_pool_format_xml(const VbPoolObj *p, bool inactive, char **ret, VbError *e) {
        if (inactive && p->newdef)
                *ret = vb_pool_def_format(VB_POOL_NEWDEF(p), 0);
        else
                *ret = vb_pool_def_format(VB_POOL_DEF(p), 0);
        return *ret ? 0 : vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
}

void vb_pool_event(VbPoolObj *p, int event) {
        vb_event_obj(p->conn, VB_EVENT_POOL_LIFECYCLE, VB_KIND_POOL, p, event, 0);
}

void vb_pool_obj_set_persistent_def(VbPoolObj *p, VbStoragePoolDef *def) {
        /* a running pool keeps its live definition until it stops */
        VbPoolDef **slot = p->active ? &p->newdef : &p->def;

        vb_pool_def_free((VbStoragePoolDef *) *slot);
        *slot = (VbPoolDef *) def;
}

void vb_pool_obj_run_def(VbPoolObj *p, VbStoragePoolDef *def) {
        p->newdef = p->def;
        p->def = (VbPoolDef *) def;
}

int vb_pool_obj_create(VbConnect *c, VbPoolObj *p, VbStoragePoolDef **def, VbPoolNewFn new_pool, VbPoolObj **ret,
                       VbError *e) {
        if (p) {
                /* a defined, inactive pool runs this definition until it stops */
                vb_pool_obj_run_def(p, TAKE_PTR(*def));
        } else {
                p = new_pool(c, *def);
                if (!p)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                *def = NULL;
                vb_event_obj(c, VB_EVENT_OBJECT_ADDED, VB_KIND_POOL, p, 0, 0);
        }
        *ret = p;
        return 0;
}

/* StorageVolLookupByName: volumes are visible only while their pool runs. */
int vb_vol_lookup_by_name(VbPoolObj *p, const char *name, VbVolObj **ret, VbError *e) {
        int r = vb_pool_require_active(p, e);
        if (r < 0)
                return r;
        *ret = vb_vol_find_name(p, name);
        if (!*ret)
                return vb_error_set(e, VB_ERR_NO_STORAGE_VOL, "no storage vol with matching name '%s'", name);
        return 0;
}

int vb_vol_require_idle(const VbVolObj *v, VbError *e) {
        if (v->job)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "volume '%s' is still in use.", v->name);
        return 0;
}

int vb_vol_require_active_idle(const VbVolObj *v, VbError *e) {
        int r = vb_pool_require_active(v->pool, e);
        if (r < 0)
                return r;
        return vb_vol_require_idle(v, e);
}
