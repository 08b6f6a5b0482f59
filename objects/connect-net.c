/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Connect methods for networks, host interfaces, secrets and network
 * filters. Lookups and lists are served from the registry; everything else goes to
 * the driver. Authorization already happened in the gate (gate.c). */
#include "bus-method.h"
#include "connect-net.h"
#include "object-path.h"
#include "xml-util.h"

/* ListNetworks, ListInterfaces, ListSecrets, ListNWFilters: flags → ao */
VB_BUS_CONNECT_LIST(vb_connect_method_list_networks, VbNetworkObj, vb_network_list, vb_bus_kind_network)
VB_BUS_CONNECT_LIST(vb_connect_method_list_interfaces, VbIfaceObj, vb_iface_list, vb_bus_kind_interface)
VB_BUS_CONNECT_LIST(vb_connect_method_list_secrets, VbSecretObj, vb_secret_list, vb_bus_kind_secret)
VB_BUS_CONNECT_LIST(vb_connect_method_list_nwfilters, VbNWFilterObj, vb_nwfilter_list, vb_bus_kind_nwfilter)

/* ---- networks ---- */

VB_BUS_CONNECT_XML(vb_connect_method_network_create_xml, VbNetworkObj, network, create_xml, "virNetworkCreateXML",
                   vb_bus_kind_network, false)
VB_BUS_CONNECT_XML(vb_connect_method_network_define_xml, VbNetworkObj, network, define_xml, "virNetworkDefineXML",
                   vb_bus_kind_network, false)

int vb_connect_method_network_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_name(m, userdata, &vb_bus_kind_network, error);
}

int vb_connect_method_network_lookup_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_uuid(m, userdata, &vb_bus_kind_network, "virNetworkLookupByUUIDString", error);
}

/* ---- host interfaces ---- */

VB_BUS_CONNECT_XML(vb_connect_method_interface_define_xml, VbIfaceObj, iface, define_xml, "virInterfaceDefineXML",
                   vb_bus_kind_interface, true)

int vb_connect_method_interface_lookup_by_mac(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        VbIfaceObj *i = NULL;
        const char *mac;
        int r;

        r = sd_bus_message_read(m, "s", &mac);
        if (r < 0)
                return r;
        if (vb_iface_find_mac(userdata, mac, &i) == 0)
                return vb_bus_errorf(error, VB_ERR_NO_INTERFACE, "no interface with matching mac '%s'", mac);
        return vb_reply_path(m, &vb_bus_kind_interface, i);
}

int vb_connect_method_interface_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_name(m, userdata, &vb_bus_kind_interface, error);
}

typedef int (*IfaceTxFn)(VbConnect *c, unsigned flags, VbError *e);

static int interface_transaction(sd_bus_message *m, VbConnect *c, IfaceTxFn fn, const char *api,
                                 sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = fn ? fn(c, flags, &e) : vb_error_unsupported(&e, api);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "");
}

#define IFACE_OPS(c) (((VbConnect *) (c))->driver->iface)

int vb_connect_method_interface_change_begin(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return interface_transaction(m, userdata, IFACE_OPS(userdata) ? IFACE_OPS(userdata)->change_begin : NULL,
                                     "virInterfaceChangeBegin", error);
}

int vb_connect_method_interface_change_commit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return interface_transaction(m, userdata, IFACE_OPS(userdata) ? IFACE_OPS(userdata)->change_commit : NULL,
                                     "virInterfaceChangeCommit", error);
}

int vb_connect_method_interface_change_rollback(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return interface_transaction(m, userdata,
                                     IFACE_OPS(userdata) ? IFACE_OPS(userdata)->change_rollback : NULL,
                                     "virInterfaceChangeRollback", error);
}

/* ---- secrets ---- */

VB_BUS_CONNECT_XML(vb_connect_method_secret_define_xml, VbSecretObj, secret, define_xml, "virSecretDefineXML",
                   vb_bus_kind_secret, true)

int vb_connect_method_secret_lookup_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_uuid(m, userdata, &vb_bus_kind_secret, "virSecretLookupByUUIDString", error);
}

int vb_connect_method_secret_lookup_by_usage(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *usage_id;
        int32_t usage_type;
        VbSecretObj *s;
        int r;

        r = sd_bus_message_read(m, "is", &usage_type, &usage_id);
        if (r < 0)
                return r;
        s = vb_secret_find_usage(userdata, usage_type, usage_id);
        if (!s)
                return vb_bus_errorf(error, VB_ERR_NO_SECRET, "no secret with matching usage '%s'", usage_id);
        return vb_reply_path(m, &vb_bus_kind_secret, s);
}

/* ---- network filters ---- */

VB_BUS_CONNECT_XML(vb_connect_method_nwfilter_define_xml, VbNWFilterObj, nwfilter, define_xml,
                   "virNWFilterDefineXML", vb_bus_kind_nwfilter, false)

int vb_connect_method_nwfilter_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_name(m, userdata, &vb_bus_kind_nwfilter, error);
}

int vb_connect_method_nwfilter_lookup_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_uuid(m, userdata, &vb_bus_kind_nwfilter, "virNWFilterLookupByUUIDString", error);
}
