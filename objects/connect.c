/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Connect at /org/libvirt/<Driver>. Handlers: read → validate →
 * driver op → reply; authorization already happened in the gate (gate.c). */
#include <unistd.h>

#include "bus-method.h"
#include "connect-storage.h"
#include "domain-extra.h"   /* helper-H */
#include "config.h"
#include "connect-node.h"
#include "connect-net.h"
#include "object-path.h"
#include "xml-util.h"

static VbConnect *conn_of(sd_bus_message *m, void *userdata) {
        return userdata;
}

static VB_BUS_CONNECT_LIST(method_list_domains, VbDomainObj, vb_domain_list, vb_bus_kind_domain)

static int method_domain_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_name(m, userdata, &vb_bus_kind_domain, error);
}

static int method_domain_lookup_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_uuid(m, userdata, &vb_bus_kind_domain, "virDomainLookupByUUIDString", error);
}

static int method_domain_lookup_by_id(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int32_t id;
        VbDomainObj *d;
        int r;

        r = sd_bus_message_read(m, "i", &id);
        if (r < 0)
                return r;
        d = vb_domain_find_id(conn_of(m, userdata), id);
        if (!d)
                return vb_bus_errorf(error, VB_ERR_NO_DOMAIN, "no domain with matching id %d", id);
        return vb_reply_path(m, &vb_bus_kind_domain, d);
}

static int domain_define_or_create(sd_bus_message *m, VbConnect *c, bool create, const char *xml,
                                   uint32_t flags, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainObj *d = NULL;
        VbOp *op;
        int r;

        if (!create) {
                r = VB_DRIVER_CALL(c, domain, define_xml, "virDomainDefineXML", &e, c, xml, flags, &d, &e);
                if (r < 0)
                        return vb_bus_error(error, &e);
                return vb_reply_path(m, &vb_bus_kind_domain, d);
        }
        if (!VB_DRIVER_HAS(c, domain, create_xml))
                return vb_bus_unsupported(error, "virDomainCreateXML");
        /* a real guest replies once it runs (op->result is then the domain) */
        op = vb_bus_reply_op_new(m, &vb_bus_kind_domain);
        if (!op)
                return -ENOMEM;
        r = c->driver->domain->create_xml(c, xml, flags, op, &d, &e);
        if (r == 0)
                op->result = d;
        return vb_bus_reply_op_result(op, r, &e);
}

static int method_domain_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *xml;
        int r = sd_bus_message_read(m, "s", &xml);
        if (r < 0)
                return r;
        return domain_define_or_create(m, conn_of(m, userdata), false, xml, 0, error);
}

static int method_domain_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *xml;
        uint32_t flags;
        int r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        return domain_define_or_create(m, conn_of(m, userdata), true, xml, flags, error);
}

static int method_domain_create_xml_with_files(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *xml;
        uint32_t flags;
        int r = sd_bus_message_read(m, "s", &xml);
        if (r < 0)
                return r;
        /* the ah array content is ignored: the fds travel in the message (libvirt-dbus) */
        r = sd_bus_message_skip(m, "ah");
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        return domain_define_or_create(m, conn_of(m, userdata), true, xml, flags, error);
}

static int method_string_op(sd_bus_message *m, void *userdata, sd_bus_error *error,
                            bool with_flags, bool caps) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *s = NULL;
        VbConnect *c = conn_of(m, userdata);
        uint32_t flags = 0;
        int r;

        if (with_flags) {
                r = sd_bus_message_read(m, "u", &flags);
                if (r < 0)
                        return r;
        }
        if (caps)
                r = VB_DRIVER_CALL(c, connect, get_capabilities, "virConnectGetCapabilities", &e, c, &s, &e);
        else
                r = VB_DRIVER_CALL(c, connect, get_sysinfo, "virConnectGetSysinfo", &e, c, flags, &s, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "s", s);
}

static int method_get_capabilities(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return method_string_op(m, userdata, error, false, true);
}

static int method_get_sysinfo(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return method_string_op(m, userdata, error, true, false);
}

static int property_const_bool(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        /* local connections are neither encrypted nor "secure" in libvirt's sense
         * (libvirt-dbus reports virConnectIsEncrypted for both) */
        return sd_bus_message_append(reply, "b", 0);
}

static int property_hostname(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        char host[256] = "";
        gethostname(host, sizeof(host) - 1);
        return sd_bus_message_append(reply, "s", host);
}

static int property_lib_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "t", (uint64_t) VB_LIB_VERSION);
}

static int property_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = userdata;
        uint64_t v = 0;
        int r = VB_DRIVER_CALL(c, connect, get_version, "virConnectGetVersion", &e, c, &v, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_message_append(reply, "t", v);
}

static const sd_bus_vtable connect_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Encrypted", "b", property_const_bool, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Hostname", "s", property_hostname, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LibVersion", "t", property_lib_version, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Secure", "b", property_const_bool, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Version", "t", property_version, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_NAMES("BaselineCPU", "asu", SD_BUS_PARAM(xmlCPUs) SD_BUS_PARAM(flags),
                                 "s", SD_BUS_PARAM(cpu), vb_connect_method_baseline_cpu, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("CompareCPU", "su", SD_BUS_PARAM(xmlDesc) SD_BUS_PARAM(flags),
                                 "i", SD_BUS_PARAM(compareResult), vb_connect_method_compare_cpu,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("DomainCreateXML", "su", SD_BUS_PARAM(xml) SD_BUS_PARAM(flags),
                                 "o", SD_BUS_PARAM(domain), method_domain_create_xml, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("DomainCreateXMLWithFiles", "sahu",
                                 SD_BUS_PARAM(xml) SD_BUS_PARAM(files) SD_BUS_PARAM(flags),
                                 "o", SD_BUS_PARAM(domain), method_domain_create_xml_with_files,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("DomainDefineXML", "s", SD_BUS_PARAM(xml),
                                 "o", SD_BUS_PARAM(domain), method_domain_define_xml, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("DomainLookupByID", "i", SD_BUS_PARAM(id),
                                 "o", SD_BUS_PARAM(domain), method_domain_lookup_by_id, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("DomainLookupByName", "s", SD_BUS_PARAM(name),
                                 "o", SD_BUS_PARAM(domain), method_domain_lookup_by_name, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("DomainLookupByUUID", "s", SD_BUS_PARAM(uuid),
                                 "o", SD_BUS_PARAM(domain), method_domain_lookup_by_uuid, SD_BUS_VTABLE_UNPRIVILEGED),
        /* StoragePool, StorageVol, NodeDevice */
        SD_BUS_METHOD_WITH_NAMES("FindStoragePoolSources", "ssu", SD_BUS_PARAM(type) SD_BUS_PARAM(srcSpec) SD_BUS_PARAM(flags),
                                 "s", SD_BUS_PARAM(storagePoolSources), vb_method_find_storage_pool_sources, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetCapabilities", "", , "s", SD_BUS_PARAM(capabilities),
                                 method_get_capabilities, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetCPUModelNames", "su", SD_BUS_PARAM(arch) SD_BUS_PARAM(flags),
                                 "as", SD_BUS_PARAM(models), vb_connect_method_get_cpu_model_names,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetDomainCapabilities", "ssssu",
                                 SD_BUS_PARAM(emulatorbin) SD_BUS_PARAM(arch) SD_BUS_PARAM(machine)
                                 SD_BUS_PARAM(virttype) SD_BUS_PARAM(flags),
                                 "s", SD_BUS_PARAM(domCapabilities), vb_connect_method_get_domain_capabilities,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetSysinfo", "u", SD_BUS_PARAM(flags), "s", SD_BUS_PARAM(sysinfo),
                                 method_get_sysinfo, SD_BUS_VTABLE_UNPRIVILEGED),
        /* helper-H: domain images and statistics (handlers in domain-params.c) */
        SD_BUS_METHOD_WITH_NAMES("DomainRestore", "ssu", SD_BUS_PARAM(from) SD_BUS_PARAM(xml) SD_BUS_PARAM(flags),
                                 "", , vb_connect_method_domain_restore, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("DomainSaveImageDefineXML", "ssu",
                                 SD_BUS_PARAM(file) SD_BUS_PARAM(xml) SD_BUS_PARAM(flags), "", ,
                                 vb_connect_method_domain_save_image_define_xml, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("DomainSaveImageGetXMLDesc", "su", SD_BUS_PARAM(file) SD_BUS_PARAM(flags),
                                 "s", SD_BUS_PARAM(xml), vb_connect_method_domain_save_image_get_xml_desc,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetAllDomainStats", "uu", SD_BUS_PARAM(stats) SD_BUS_PARAM(flags),
                                 "a(sa{sv})", SD_BUS_PARAM(records), vb_connect_method_get_all_domain_stats,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListDomains", "u", SD_BUS_PARAM(flags), "ao", SD_BUS_PARAM(domains),
                                 method_list_domains, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NodeGetCPUMap", "u", SD_BUS_PARAM(flags), "ab", SD_BUS_PARAM(res),
                                 vb_connect_method_node_get_cpu_map, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NodeGetCPUStats", "iu", SD_BUS_PARAM(cpuNum) SD_BUS_PARAM(flags),
                                 "a{st}", SD_BUS_PARAM(cpuStats), vb_connect_method_node_get_cpu_stats,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NodeGetFreeMemory", "", , "t", SD_BUS_PARAM(freemem),
                                 vb_connect_method_node_get_free_memory, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NodeGetMemoryParameters", "u", SD_BUS_PARAM(flags),
                                 "a{sv}", SD_BUS_PARAM(memoryParameters),
                                 vb_connect_method_node_get_memory_parameters, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NodeGetMemoryStats", "iu", SD_BUS_PARAM(cellNum) SD_BUS_PARAM(flags),
                                 "a{st}", SD_BUS_PARAM(stats), vb_connect_method_node_get_memory_stats,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NodeGetSecurityModel", "", , "(ss)", SD_BUS_PARAM(secModel),
                                 vb_connect_method_node_get_security_model, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NodeSetMemoryParameters", "a{sv}u", SD_BUS_PARAM(params) SD_BUS_PARAM(flags),
                                 "", , vb_connect_method_node_set_memory_parameters, SD_BUS_VTABLE_UNPRIVILEGED),
        /* StoragePool, StorageVol, NodeDevice */
        SD_BUS_METHOD_WITH_NAMES("ListNodeDevices", "u", SD_BUS_PARAM(flags),
                                 "ao", SD_BUS_PARAM(devs), vb_method_list_node_devices, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListStoragePools", "u", SD_BUS_PARAM(flags),
                                 "ao", SD_BUS_PARAM(storagePools), vb_method_list_storage_pools, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NodeDeviceCreateXML", "su", SD_BUS_PARAM(xml) SD_BUS_PARAM(flags),
                                 "o", SD_BUS_PARAM(dev), vb_method_node_device_create_xml, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NodeDeviceLookupByName", "s", SD_BUS_PARAM(name),
                                 "o", SD_BUS_PARAM(dev), vb_method_node_device_lookup_by_name, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NodeDeviceLookupSCSIHostByWWN", "ssu", SD_BUS_PARAM(wwnn) SD_BUS_PARAM(wwpn) SD_BUS_PARAM(flags),
                                 "o", SD_BUS_PARAM(dev), vb_method_node_device_lookup_scsi_host_by_wwn, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("StoragePoolCreateXML", "su", SD_BUS_PARAM(xml) SD_BUS_PARAM(flags),
                                 "o", SD_BUS_PARAM(storagePool), vb_method_storage_pool_create_xml, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("StoragePoolDefineXML", "su", SD_BUS_PARAM(xml) SD_BUS_PARAM(flags),
                                 "o", SD_BUS_PARAM(storagePool), vb_method_storage_pool_define_xml, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("StoragePoolLookupByName", "s", SD_BUS_PARAM(name),
                                 "o", SD_BUS_PARAM(storagePool), vb_method_storage_pool_lookup_by_name, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("StoragePoolLookupByUUID", "s", SD_BUS_PARAM(uuid),
                                 "o", SD_BUS_PARAM(storagePool), vb_method_storage_pool_lookup_by_uuid, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("StorageVolLookupByKey", "s", SD_BUS_PARAM(key),
                                 "o", SD_BUS_PARAM(storageVol), vb_method_storage_vol_lookup_by_key, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("StorageVolLookupByPath", "s", SD_BUS_PARAM(path),
                                 "o", SD_BUS_PARAM(storageVol), vb_method_storage_vol_lookup_by_path, SD_BUS_VTABLE_UNPRIVILEGED),
        /* networks, host interfaces, secrets, nwfilters (handlers in connect-net.c) */
        SD_BUS_METHOD_WITH_NAMES("InterfaceChangeBegin", "u", SD_BUS_PARAM(flags), "", ,
                                 vb_connect_method_interface_change_begin, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("InterfaceChangeCommit", "u", SD_BUS_PARAM(flags), "", ,
                                 vb_connect_method_interface_change_commit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("InterfaceChangeRollback", "u", SD_BUS_PARAM(flags), "", ,
                                 vb_connect_method_interface_change_rollback, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("InterfaceDefineXML", "su", SD_BUS_PARAM(xml) SD_BUS_PARAM(flags),
                                 "o", SD_BUS_PARAM(interface), vb_connect_method_interface_define_xml,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("InterfaceLookupByMAC", "s", SD_BUS_PARAM(mac), "o", SD_BUS_PARAM(interface),
                                 vb_connect_method_interface_lookup_by_mac, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("InterfaceLookupByName", "s", SD_BUS_PARAM(name), "o", SD_BUS_PARAM(interface),
                                 vb_connect_method_interface_lookup_by_name, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListInterfaces", "u", SD_BUS_PARAM(flags), "ao", SD_BUS_PARAM(interfaces),
                                 vb_connect_method_list_interfaces, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListNetworks", "u", SD_BUS_PARAM(flags), "ao", SD_BUS_PARAM(networks),
                                 vb_connect_method_list_networks, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListNWFilters", "u", SD_BUS_PARAM(flags), "ao", SD_BUS_PARAM(nwfilters),
                                 vb_connect_method_list_nwfilters, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListSecrets", "u", SD_BUS_PARAM(flags), "ao", SD_BUS_PARAM(secrets),
                                 vb_connect_method_list_secrets, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NetworkCreateXML", "s", SD_BUS_PARAM(xml), "o", SD_BUS_PARAM(network),
                                 vb_connect_method_network_create_xml, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NetworkDefineXML", "s", SD_BUS_PARAM(xml), "o", SD_BUS_PARAM(network),
                                 vb_connect_method_network_define_xml, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NetworkLookupByName", "s", SD_BUS_PARAM(name), "o", SD_BUS_PARAM(network),
                                 vb_connect_method_network_lookup_by_name, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NetworkLookupByUUID", "s", SD_BUS_PARAM(uuid), "o", SD_BUS_PARAM(network),
                                 vb_connect_method_network_lookup_by_uuid, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NWFilterDefineXML", "s", SD_BUS_PARAM(xml), "o", SD_BUS_PARAM(nwfilter),
                                 vb_connect_method_nwfilter_define_xml, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NWFilterLookupByName", "s", SD_BUS_PARAM(name), "o", SD_BUS_PARAM(nwfilter),
                                 vb_connect_method_nwfilter_lookup_by_name, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("NWFilterLookupByUUID", "s", SD_BUS_PARAM(uuid), "o", SD_BUS_PARAM(nwfilter),
                                 vb_connect_method_nwfilter_lookup_by_uuid, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SecretDefineXML", "su", SD_BUS_PARAM(xml) SD_BUS_PARAM(flags),
                                 "o", SD_BUS_PARAM(secret), vb_connect_method_secret_define_xml,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SecretLookupByUUID", "s", SD_BUS_PARAM(uuid), "o", SD_BUS_PARAM(secret),
                                 vb_connect_method_secret_lookup_by_uuid, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SecretLookupByUsage", "is", SD_BUS_PARAM(usageType) SD_BUS_PARAM(usageID),
                                 "o", SD_BUS_PARAM(secret), vb_connect_method_secret_lookup_by_usage,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_NAMES("DomainEvent", "oii", SD_BUS_PARAM(domain) SD_BUS_PARAM(event) SD_BUS_PARAM(detail), 0),
        SD_BUS_SIGNAL_WITH_NAMES("NetworkEvent", "oi", SD_BUS_PARAM(network) SD_BUS_PARAM(event), 0),
        SD_BUS_SIGNAL_WITH_NAMES("NodeDeviceEvent", "oii", SD_BUS_PARAM(dev) SD_BUS_PARAM(event) SD_BUS_PARAM(detail), 0),
        SD_BUS_SIGNAL_WITH_NAMES("SecretEvent", "oii", SD_BUS_PARAM(secret) SD_BUS_PARAM(event) SD_BUS_PARAM(detail), 0),
        SD_BUS_SIGNAL_WITH_NAMES("StoragePoolEvent", "oii",
                                 SD_BUS_PARAM(storagePool) SD_BUS_PARAM(event) SD_BUS_PARAM(detail), 0),
        SD_BUS_VTABLE_END
};

/* org.virtbus.Connect1: node facts libvirt has and libvirt-dbus does not publish. */
static const sd_bus_vtable connect_ext_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_NAMES("NodeGetInfo", "", , "(stuuuuuu)", SD_BUS_PARAM(info),
                                 vb_connect_method_node_get_info, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

const sd_bus_vtable *const vb_connect_ext_vtable = connect_ext_vtable;

static VbConnect *connect_conn_of(const void *obj) {
        return (VbConnect *) obj;
}

const VbBusKind vb_bus_kind_connect = {
        .interface = "org.libvirt.Connect",
        .element = NULL,
        .vtable = connect_vtable,
        .acl_object = "connect",
        .conn_of = connect_conn_of,
};
