/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.StoragePool at <connect>/storagepool/_<uuid>. The gate (gate.c) has
 * already authorized the call; handlers read → validate → driver op → reply. */
#include "bus-method.h"
#include "connect-storage.h"
#include "object-path.h"
#include "xml-util.h"

/* ---- the kind: paths, lookups, polkit details ---- */

static void *pool_find(VbConnect *c, const char *label) {
        uint8_t uuid[16];
        if (vb_uuid_label_parse(label, uuid) < 0)
                return NULL;
        return vb_pool_find_uuid(c, uuid);
}

static char *pool_label(const void *obj) {
        char label[38];
        vb_uuid_label(((const VbPoolObj *) obj)->uuid, label);
        return vb_strdup(label);
}

static size_t pool_list(VbConnect *c, void ***ret) {
        void **l = calloc(c->n_pools + 1, sizeof(void *));
        if (!l)
                return 0;
        for (size_t i = 0; i < c->n_pools; i++)
                l[i] = c->pools[i];
        *ret = l;
        return c->n_pools;
}

static size_t pool_details(const void *obj, const char *kv[], char *buf, size_t bufsz) {
        const VbPoolObj *p = obj;
        if (bufsz < 37)
                return 0;
        vb_uuid_format(p->uuid, buf);
        kv[0] = "pool_name";
        kv[1] = p->name;
        kv[2] = "pool_uuid";
        kv[3] = buf;
        return 2;
}

static VbConnect *pool_conn_of(const void *obj) {
        return ((const VbPoolObj *) obj)->conn;
}

/* ---- methods ---- */

static VB_BUS_METHOD_FLAGS(method_build, VbPoolObj, conn, storage, pool_build, "virStoragePoolBuild")
static VB_BUS_METHOD_FLAGS(method_create, VbPoolObj, conn, storage, pool_create, "virStoragePoolCreate")
static VB_BUS_METHOD_FLAGS(method_delete, VbPoolObj, conn, storage, pool_delete, "virStoragePoolDelete")
/* Refresh on drivers that scan at once (no pool_refresh_op) */
static VB_BUS_METHOD_FLAGS(method_refresh_now, VbPoolObj, conn, storage, pool_refresh, "virStoragePoolRefresh")
static VB_BUS_METHOD_NOARGS(method_destroy, VbPoolObj, conn, storage, pool_destroy, "virStoragePoolDestroy")
static VB_BUS_METHOD_NOARGS(method_undefine, VbPoolObj, conn, storage, pool_undefine, "virStoragePoolUndefine")
static VB_BUS_METHOD_GET_XML(method_get_xml_desc, VbPoolObj, conn, storage, pool_get_xml_desc,
                             "virStoragePoolGetXMLDesc")

static int method_refresh(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbPoolObj *p = userdata;
        uint32_t flags;
        VbOp *op;
        int r;

        if (!VB_DRIVER_HAS(p->conn, storage, pool_refresh_op))
                return method_refresh_now(m, userdata, error);
        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        /* a scan that asks qemu-img about each file: the reply comes at its end */
        op = vb_bus_reply_op_new(m, NULL);
        if (!op)
                return -ENOMEM;
        r = p->conn->driver->storage->pool_refresh_op(p, flags, op, &e);
        return vb_bus_reply_op_result(op, r, &e);
}

static int method_get_info(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbPoolObj *p = userdata;
        VbPoolInfo info = { 0 };
        int r;

        r = VB_DRIVER_CALL(p->conn, storage, pool_get_info, "virStoragePoolGetInfo", &e, p, &info, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "(ittt)", (int32_t) info.state, info.capacity, info.allocation,
                                          info.available);
}

static int method_list_storage_volumes(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ VbVolObj **list = NULL;
        VbPoolObj *p = userdata;
        uint32_t flags;
        size_t n = 0;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(p->conn, storage, pool_list_volumes, "virStoragePoolListAllVolumes", &e,
                           p, flags, &list, &n, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return vb_reply_object_paths(m, &vb_bus_kind_storage_vol, (void *const *) list, n);
}

static int method_storage_vol_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbPoolObj *p = userdata;
        VbVolObj *v = NULL;
        const char *xml;
        uint32_t flags;
        VbOp *op;
        int r;

        r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        if (!VB_DRIVER_HAS(p->conn, storage, vol_create_xml))
                return vb_bus_unsupported(error, "virStorageVolCreateXML");
        /* allocating may run as an org.virtbus.Job1; the reply (the path) comes at its end */
        op = vb_bus_reply_op_new(m, &vb_bus_kind_storage_vol);
        if (!op)
                return -ENOMEM;
        r = p->conn->driver->storage->vol_create_xml(p, xml, flags, op, &v, &e);
        if (r == 0)
                op->result = v;
        return vb_bus_reply_op_result(op, r, &e);
}

static int method_storage_vol_create_xml_from(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbPoolObj *p = userdata;
        VbVolObj *src;
        const char *xml, *key;
        VbOp *op;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "ssu", &xml, &key, &flags);
        if (r < 0)
                return r;
        src = vb_vol_find_key(p->conn, key);
        if (!src)
                return vb_bus_errorf(error, VB_ERR_NO_STORAGE_VOL, "no storage vol with matching key '%s'", key);
        if (!VB_DRIVER_HAS(p->conn, storage, vol_create_xml_from))
                return vb_bus_unsupported(error, "virStorageVolCreateXMLFrom");
        op = vb_bus_reply_op_new(m, &vb_bus_kind_storage_vol);
        if (!op)
                return -ENOMEM;
        /* may run as an org.virtbus.Job1; the reply (the new volume's path) comes at its end */
        r = p->conn->driver->storage->vol_create_xml_from(p, xml, src, flags, op, &e);
        return vb_bus_reply_op_result(op, r, &e);
}

static int method_storage_vol_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbPoolObj *p = userdata;
        VbVolObj *v = NULL;
        const char *name;
        int r;

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(p->conn, storage, vol_lookup_by_name, "virStorageVolLookupByName", &e, p, name, &v, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return vb_reply_path(m, &vb_bus_kind_storage_vol, v);
}

/* ---- properties ---- */

VB_BUS_DEFINE_AUTOSTART_SETTER(property_set_autostart, VbPoolObj, storage, pool_set_autostart,
                               "virStoragePoolSetAutostart")

static const sd_bus_vtable pool_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Active", "b", vb_bus_property_get_bool, offsetof(VbPoolObj, active),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        VB_BUS_AUTOSTART_PROPERTY(VbPoolObj, property_set_autostart),
        SD_BUS_PROPERTY("Name", "s", vb_bus_property_get_string, offsetof(VbPoolObj, name),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Persistent", "b", vb_bus_property_get_bool, offsetof(VbPoolObj, persistent),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("UUID", "s", vb_bus_property_get_uuid, offsetof(VbPoolObj, uuid),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD_WITH_NAMES("Build", "u", SD_BUS_PARAM(flags), "", , method_build, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Create", "u", SD_BUS_PARAM(flags), "", , method_create, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Delete", "u", SD_BUS_PARAM(flags), "", , method_delete, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Destroy", "", "", method_destroy, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetInfo", "", , "(ittt)", SD_BUS_PARAM(info), method_get_info,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetXMLDesc", "u", SD_BUS_PARAM(flags), "s", SD_BUS_PARAM(xml),
                                 method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListStorageVolumes", "u", SD_BUS_PARAM(flags), "ao", SD_BUS_PARAM(storageVols),
                                 method_list_storage_volumes, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Refresh", "u", SD_BUS_PARAM(flags), "", , method_refresh,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("StorageVolCreateXML", "su", SD_BUS_PARAM(xml) SD_BUS_PARAM(flags),
                                 "o", SD_BUS_PARAM(storageVol), method_storage_vol_create_xml,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("StorageVolCreateXMLFrom", "ssu",
                                 SD_BUS_PARAM(xml) SD_BUS_PARAM(key) SD_BUS_PARAM(flags),
                                 "o", SD_BUS_PARAM(storageVol), method_storage_vol_create_xml_from,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("StorageVolLookupByName", "s", SD_BUS_PARAM(name),
                                 "o", SD_BUS_PARAM(storageVol), method_storage_vol_lookup_by_name,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Undefine", "", "", method_undefine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL("Refresh", "", 0),
        SD_BUS_VTABLE_END
};

const VbBusKind vb_bus_kind_storage_pool = {
        .interface = "org.libvirt.StoragePool",
        .element = "storagepool",
        .vtable = pool_vtable,
        .kind = VB_KIND_POOL,
        .acl_object = "storage-pool",
        .find = pool_find,
        .label = pool_label,
        .list = pool_list,
        .details = pool_details,
        .conn_of = pool_conn_of,
        .find_name = (void *(*)(VbConnect *, const char *)) vb_pool_find_name,
        .find_uuid = (void *(*)(VbConnect *, const uint8_t *)) vb_pool_find_uuid,
        .not_found = VB_ERR_NO_STORAGE_POOL,
        .noun = "storage pool",
};
