/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Connect methods for storage pools, volumes and node devices.
 * Handlers: read → validate → driver op → reply; the gate has authorized the call. */
#include "bus-method.h"
#include "connect-storage.h"
#include "object-path.h"
#include "xml-util.h"

VB_BUS_CONNECT_LIST(vb_method_list_storage_pools, VbPoolObj, vb_pool_list, vb_bus_kind_storage_pool)
VB_BUS_CONNECT_LIST(vb_method_list_node_devices, VbNodeDevObj, vb_nodedev_list, vb_bus_kind_node_device)

VB_BUS_CONNECT_XML(vb_method_storage_pool_create_xml, VbPoolObj, storage, pool_create_xml, "virStoragePoolCreateXML",
                   vb_bus_kind_storage_pool, true)
VB_BUS_CONNECT_XML(vb_method_storage_pool_define_xml, VbPoolObj, storage, pool_define_xml, "virStoragePoolDefineXML",
                   vb_bus_kind_storage_pool, true)

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

VB_BUS_CONNECT_XML(vb_method_node_device_create_xml, VbNodeDevObj, nodedev, create_xml, "virNodeDeviceCreateXML",
                   vb_bus_kind_node_device, true)

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
