/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Connect methods for storage pools, volumes and node devices.
 * Handlers: read → validate → driver op → reply; the gate has authorized the call. */
#include "connect-storage.h"
#include "object-path.h"
#include "xml-util.h"

int vb_method_list_storage_pools(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ VbPoolObj **list = NULL;
        uint32_t flags;
        size_t n;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = vb_pool_list(userdata, flags, &list, &n, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return vb_reply_object_paths(m, &vb_bus_kind_storage_pool, (void *const *) list, n);
}

int vb_method_list_node_devices(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ VbNodeDevObj **list = NULL;
        uint32_t flags;
        size_t n;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = vb_nodedev_list(userdata, flags, &list, &n, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return vb_reply_object_paths(m, &vb_bus_kind_node_device, (void *const *) list, n);
}

static int pool_define_or_create(sd_bus_message *m, VbConnect *c, bool create, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbPoolObj *p = NULL;
        const char *xml;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        if (create)
                r = VB_DRIVER_CALL(c, storage, pool_create_xml, "virStoragePoolCreateXML", &e, c, xml, flags, &p, &e);
        else
                r = VB_DRIVER_CALL(c, storage, pool_define_xml, "virStoragePoolDefineXML", &e, c, xml, flags, &p, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return vb_reply_path(m, &vb_bus_kind_storage_pool, p);
}

int vb_method_storage_pool_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return pool_define_or_create(m, userdata, true, error);
}

int vb_method_storage_pool_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return pool_define_or_create(m, userdata, false, error);
}

int vb_method_storage_pool_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_name(m, userdata, &vb_bus_kind_storage_pool, error);
}

int vb_method_storage_pool_lookup_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_uuid(m, userdata, &vb_bus_kind_storage_pool, "virStoragePoolLookupByUUIDString", error);
}

int vb_method_storage_vol_lookup_by_key(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *key;
        VbVolObj *v;
        int r;

        r = sd_bus_message_read(m, "s", &key);
        if (r < 0)
                return r;
        v = vb_vol_find_key(userdata, key);
        if (!v)
                return vb_bus_errorf(error, VB_ERR_NO_STORAGE_VOL, "no storage vol with matching key '%s'", key);
        return vb_reply_path(m, &vb_bus_kind_storage_vol, v);
}

int vb_method_storage_vol_lookup_by_path(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *path;
        VbVolObj *v;
        int r;

        r = sd_bus_message_read(m, "s", &path);
        if (r < 0)
                return r;
        v = vb_vol_find_path(userdata, path);
        if (!v)
                return vb_bus_errorf(error, VB_ERR_NO_STORAGE_VOL, "no storage vol with matching path '%s'", path);
        return vb_reply_path(m, &vb_bus_kind_storage_vol, v);
}

int vb_method_find_storage_pool_sources(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *xml = NULL;
        VbConnect *c = userdata;
        const char *type, *spec;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "ssu", &type, &spec, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(c, storage, find_pool_sources, "virConnectFindStoragePoolSources", &e,
                           c, type, isempty(spec) ? NULL : spec, flags, &xml, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "s", xml);
}

int vb_method_node_device_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = userdata;
        VbNodeDevObj *d = NULL;
        const char *xml;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(c, nodedev, create_xml, "virNodeDeviceCreateXML", &e, c, xml, flags, &d, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return vb_reply_path(m, &vb_bus_kind_node_device, d);
}

int vb_method_node_device_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_name(m, userdata, &vb_bus_kind_node_device, error);
}

int vb_method_node_device_lookup_scsi_host_by_wwn(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *wwnn, *wwpn;
        uint32_t flags;
        VbNodeDevObj *d;
        int r;

        r = sd_bus_message_read(m, "ssu", &wwnn, &wwpn, &flags);
        if (r < 0)
                return r;
        if (flags != 0)
                return vb_bus_errorf(error, VB_ERR_INVALID_ARG,
                                     "unsupported flags (0x%x) in function virNodeDeviceLookupSCSIHostByWWN", flags);
        d = vb_nodedev_find_scsi_host_wwn(userdata, wwnn, wwpn);
        if (!d)
                return vb_bus_errorf(error, VB_ERR_NO_NODE_DEVICE,
                                     "no node device with matching wwnn '%s' and wwpn '%s'", wwnn, wwpn);
        return vb_reply_path(m, &vb_bus_kind_node_device, d);
}
