/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Connect methods for networks, host interfaces, secrets and network
 * filters. Lookups and lists are served from the registry; everything else goes to
 * the driver. Authorization already happened in the gate (gate.c). */
#include "bus-object.h"
#include "connect-net.h"
#include "object-path.h"
#include "xml-util.h"

/* ListNetworks, ListInterfaces, ListSecrets, ListNWFilters: flags → ao */
#define LIST_METHOD(fname, Type, listfn, kind)                                                  \
        int fname(sd_bus_message *m, void *userdata, sd_bus_error *error) {                     \
                _cleanup_vb_error_ VbError e = VB_ERROR_NULL;                                   \
                _cleanup_free_ Type **list = NULL;                                              \
                uint32_t flags;                                                                 \
                size_t n = 0;                                                                   \
                int r = sd_bus_message_read(m, "u", &flags);                                    \
                if (r < 0)                                                                      \
                        return r;                                                               \
                r = listfn(userdata, flags, &list, &n, &e);                                     \
                if (r < 0)                                                                      \
                        return vb_bus_error(error, &e);                                         \
                return vb_reply_object_paths(m, &(kind), (void *const *) list, n);                        \
        }

LIST_METHOD(vb_connect_method_list_networks, VbNetworkObj, vb_network_list, vb_bus_kind_network)
LIST_METHOD(vb_connect_method_list_interfaces, VbIfaceObj, vb_iface_list, vb_bus_kind_interface)
LIST_METHOD(vb_connect_method_list_secrets, VbSecretObj, vb_secret_list, vb_bus_kind_secret)
LIST_METHOD(vb_connect_method_list_nwfilters, VbNWFilterObj, vb_nwfilter_list, vb_bus_kind_nwfilter)

/* ---- networks ---- */

static int network_define_or_create(sd_bus_message *m, VbConnect *c, bool create, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbNetworkObj *n = NULL;
        const char *xml;
        int r;

        r = sd_bus_message_read(m, "s", &xml);
        if (r < 0)
                return r;
        if (create)
                r = VB_DRIVER_CALL(c, network, create_xml, "virNetworkCreateXML", &e, c, xml, 0, &n, &e);
        else
                r = VB_DRIVER_CALL(c, network, define_xml, "virNetworkDefineXML", &e, c, xml, 0, &n, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return vb_reply_path(m, &vb_bus_kind_network, n);
}

int vb_connect_method_network_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return network_define_or_create(m, userdata, true, error);
}

int vb_connect_method_network_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return network_define_or_create(m, userdata, false, error);
}

int vb_connect_method_network_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_name(m, userdata, &vb_bus_kind_network, error);
}

int vb_connect_method_network_lookup_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_uuid(m, userdata, &vb_bus_kind_network, "virNetworkLookupByUUIDString", error);
}

/* ---- host interfaces ---- */

int vb_connect_method_interface_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = userdata;
        VbIfaceObj *i = NULL;
        const char *xml;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(c, iface, define_xml, "virInterfaceDefineXML", &e, c, xml, flags, &i, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return vb_reply_path(m, &vb_bus_kind_interface, i);
}

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

int vb_connect_method_secret_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = userdata;
        VbSecretObj *s = NULL;
        const char *xml;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(c, secret, define_xml, "virSecretDefineXML", &e, c, xml, flags, &s, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return vb_reply_path(m, &vb_bus_kind_secret, s);
}

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

int vb_connect_method_nwfilter_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = userdata;
        VbNWFilterObj *f = NULL;
        const char *xml;
        int r;

        r = sd_bus_message_read(m, "s", &xml);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(c, nwfilter, define_xml, "virNWFilterDefineXML", &e, c, xml, 0, &f, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return vb_reply_path(m, &vb_bus_kind_nwfilter, f);
}

int vb_connect_method_nwfilter_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_name(m, userdata, &vb_bus_kind_nwfilter, error);
}

int vb_connect_method_nwfilter_lookup_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vb_bus_lookup_by_uuid(m, userdata, &vb_bus_kind_nwfilter, "virNWFilterLookupByUUIDString", error);
}
