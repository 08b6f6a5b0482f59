/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.StorageVol at <connect>/storagevol/<enc(key)>. A volume is there
 * while its pool is active (libvirt-dbus finds it with virStorageVolLookupByKey).
 * The gate has already authorized the call. */
#include "bus-method.h"
#include "connect-storage.h"
#include "object-path.h"
#include "xml-util.h"

/* ---- the kind ---- */

static void *vol_find(VbConnect *c, const char *label) {
        _cleanup_free_ char *key = vb_label_decode(label);
        return key ? vb_vol_find_key(c, key) : NULL;
}

static char *vol_label(const void *obj) {
        return vb_label_encode(((const VbVolObj *) obj)->key);
}

static size_t vol_list(VbConnect *c, void ***ret) {
        size_t n = 0, total = 0;
        void **l;

        for (size_t i = 0; i < c->n_pools; i++)
                if (c->pools[i]->active)
                        total += c->pools[i]->n_vols;
        l = calloc(total + 1, sizeof(void *));
        if (!l)
                return 0;
        for (size_t i = 0; i < c->n_pools; i++)
                for (size_t j = 0; c->pools[i]->active && j < c->pools[i]->n_vols; j++)
                        l[n++] = c->pools[i]->vols[j];
        *ret = l;
        return n;
}

static size_t vol_details(const void *obj, const char *kv[], char *buf, size_t bufsz) {
        const VbVolObj *v = obj;
        if (bufsz < 37)
                return 0;
        vb_uuid_format(v->pool->uuid, buf);
        kv[0] = "pool_name";
        kv[1] = v->pool->name;
        kv[2] = "pool_uuid";
        kv[3] = buf;
        kv[4] = "vol_name";
        kv[5] = v->name;
        kv[6] = "vol_key";
        kv[7] = v->key;
        return 4;
}

static VbConnect *vol_conn_of(const void *obj) {
        return ((const VbVolObj *) obj)->pool->conn;
}

/* ---- methods ---- */

/* @v is freed on success */
static VB_BUS_METHOD_FLAGS(method_delete, VbVolObj, pool->conn, storage, vol_delete, "virStorageVolDelete")

static int method_get_info(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbVolObj *v = userdata;
        VbVolInfo info = { 0 };
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(v->pool->conn, storage, vol_get_info, "virStorageVolGetInfoFlags", &e,
                           v, flags, &info, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "(itt)", (int32_t) info.type, info.capacity, info.allocation);
}

static VB_BUS_METHOD_GET_XML(method_get_xml_desc, VbVolObj, pool->conn, storage, vol_get_xml_desc,
                             "virStorageVolGetXMLDesc")

static int method_resize(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbVolObj *v = userdata;
        uint64_t capacity;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "tu", &capacity, &flags);
        if (r < 0)
                return r;
        if (VB_DRIVER_HAS(v->pool->conn, storage, vol_resize_op)) {
                /* qemu-img resize: the reply comes when it is done */
                VbOp *op = vb_bus_reply_op_new(m, NULL);
                if (!op)
                        return -ENOMEM;
                r = v->pool->conn->driver->storage->vol_resize_op(v, capacity, flags, op, &e);
                return vb_bus_reply_op_result(op, r, &e);
        }
        r = VB_DRIVER_CALL(v->pool->conn, storage, vol_resize, "virStorageVolResize", &e, v, capacity, flags, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "");
}

static int method_wipe(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbVolObj *v = userdata;
        uint32_t pattern, flags;
        VbOp *op;
        int r;

        r = sd_bus_message_read(m, "uu", &pattern, &flags);
        if (r < 0)
                return r;
        if (!VB_DRIVER_HAS(v->pool->conn, storage, vol_wipe))
                return vb_bus_unsupported(error, "virStorageVolWipePattern");
        op = vb_bus_reply_op_new(m, NULL);
        if (!op)
                return -ENOMEM;
        /* may run as an org.virtbus.Job1; the reply comes when it is over */
        r = v->pool->conn->driver->storage->vol_wipe(v, pattern, flags, op, &e);
        return vb_bus_reply_op_result(op, r, &e);
}

/* ---- properties ---- */

static const sd_bus_vtable vol_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", vb_bus_property_get_string, offsetof(VbVolObj, name), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Key", "s", vb_bus_property_get_string, offsetof(VbVolObj, key), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Path", "s", vb_bus_property_get_string, offsetof(VbVolObj, path), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD_WITH_NAMES("Delete", "u", SD_BUS_PARAM(flags), "", , method_delete, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetInfo", "u", SD_BUS_PARAM(flags), "(itt)", SD_BUS_PARAM(info),
                                 method_get_info, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetXMLDesc", "u", SD_BUS_PARAM(flags), "s", SD_BUS_PARAM(xml),
                                 method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Resize", "tu", SD_BUS_PARAM(capacity) SD_BUS_PARAM(flags), "", ,
                                 method_resize, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Wipe", "uu", SD_BUS_PARAM(pattern) SD_BUS_PARAM(flags), "", ,
                                 method_wipe, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

const VbBusKind vb_bus_kind_storage_vol = {
        .interface = "org.libvirt.StorageVol",
        .element = "storagevol",
        .vtable = vol_vtable,
        .kind = VB_KIND_VOL,
        .acl_object = "storage-vol",
        .find = vol_find,
        .label = vol_label,
        .list = vol_list,
        .details = vol_details,
        .conn_of = vol_conn_of,
        .not_found = VB_ERR_NO_STORAGE_VOL,
        .noun = "storage vol",
};
