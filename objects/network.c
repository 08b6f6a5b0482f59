/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Network at <connect>/network/_<uuid>. The gate (gate.c) has already
 * authorized the call; handlers read → validate → driver op → reply. */
#include "bus-method.h"
#include "object-path.h"
#include "xml-util.h"

/* ---- the kind: paths, lookups, polkit details ---- */

static void *network_find(VbConnect *c, const char *label) {
        uint8_t uuid[16];
        if (vb_uuid_label_parse(label, uuid) < 0)
                return NULL;
        return vb_network_find_uuid(c, uuid);
}

static char *network_label(const void *obj) {
        char label[38];
        vb_uuid_label(((const VbNetworkObj *) obj)->uuid, label);
        return vb_strdup(label);
}

static size_t network_list(VbConnect *c, void ***ret) {
        void **l = calloc(c->n_networks + 1, sizeof(void *));
        if (!l)
                return 0;
        for (size_t i = 0; i < c->n_networks; i++)
                l[i] = c->networks[i];
        *ret = l;
        return c->n_networks;
}

static size_t network_details(const void *obj, const char *kv[], char *buf, size_t bufsz) {
        const VbNetworkObj *n = obj;
        if (bufsz < 37)
                return 0;
        vb_uuid_format(n->uuid, buf);
        kv[0] = "network_name";
        kv[1] = n->name;
        kv[2] = "network_uuid";
        kv[3] = buf;
        return 2;
}

static VbConnect *network_conn_of(const void *obj) {
        return ((const VbNetworkObj *) obj)->conn;
}

/* ---- methods ---- */

static VB_BUS_METHOD_NOARGS(method_create, VbNetworkObj, conn, network, create, "virNetworkCreate")
static VB_BUS_METHOD_NOARGS(method_destroy, VbNetworkObj, conn, network, destroy, "virNetworkDestroy")
static VB_BUS_METHOD_NOARGS(method_undefine, VbNetworkObj, conn, network, undefine, "virNetworkUndefine")
static VB_BUS_METHOD_GET_XML(method_get_xml_desc, VbNetworkObj, conn, network, get_xml_desc, "virNetworkGetXMLDesc")

static int method_update(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbNetworkObj *n = userdata;
        uint32_t command, section, flags;
        int32_t parent_index;
        const char *xml;
        int r;

        r = sd_bus_message_read(m, "uuisu", &command, &section, &parent_index, &xml, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(n->conn, network, update, "virNetworkUpdate", &e,
                           n, command, section, parent_index, xml, flags, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "");
}

static int append_leases(sd_bus_message *reply, const VbNetworkLease *l, size_t n) {
        int r = sd_bus_message_open_container(reply, 'a', "(sxisssuss)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = sd_bus_message_append(reply, "(sxisssuss)", strempty(l[i].iface), l[i].expirytime,
                                          (int32_t) l[i].type, strempty(l[i].mac), strempty(l[i].iaid),
                                          strempty(l[i].ipaddr), (uint32_t) l[i].prefix,
                                          strempty(l[i].hostname), strempty(l[i].clientid));
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int method_get_dhcp_leases(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        VbNetworkObj *n = userdata;
        VbNetworkLease *leases = NULL;
        size_t n_leases = 0;
        const char *mac;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "su", &mac, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(n->conn, network, get_dhcp_leases, "virNetworkGetDHCPLeases", &e,
                           n, isempty(mac) ? NULL : mac, flags, &leases, &n_leases, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = append_leases(reply, leases, n_leases);
        vb_network_leases_free(leases, n_leases);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* ---- properties ---- */

VB_BUS_DEFINE_AUTOSTART_SETTER(property_set_autostart, VbNetworkObj, network, set_autostart, "virNetworkSetAutostart")

static const sd_bus_vtable network_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Active", "b", vb_bus_property_get_bool, offsetof(VbNetworkObj, active),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        VB_BUS_AUTOSTART_PROPERTY(VbNetworkObj, property_set_autostart),
        SD_BUS_PROPERTY("Name", "s", vb_bus_property_get_string, offsetof(VbNetworkObj, name),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Persistent", "b", vb_bus_property_get_bool, offsetof(VbNetworkObj, persistent),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("UUID", "s", vb_bus_property_get_uuid, offsetof(VbNetworkObj, uuid),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD("Create", "", "", method_create, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Destroy", "", "", method_destroy, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetDHCPLeases", "su", SD_BUS_PARAM(mac) SD_BUS_PARAM(flags),
                                 "a(sxisssuss)", SD_BUS_PARAM(leases), method_get_dhcp_leases,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetXMLDesc", "u", SD_BUS_PARAM(flags), "s", SD_BUS_PARAM(xml),
                                 method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Undefine", "", "", method_undefine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Update", "uuisu",
                                 SD_BUS_PARAM(command) SD_BUS_PARAM(section) SD_BUS_PARAM(parentIndex)
                                 SD_BUS_PARAM(xml) SD_BUS_PARAM(flags),
                                 "", , method_update, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

const VbBusKind vb_bus_kind_network = {
        .interface = "org.libvirt.Network",
        .element = "network",
        .vtable = network_vtable,
        .kind = VB_KIND_NETWORK,
        .acl_object = "network",
        .find = network_find,
        .label = network_label,
        .list = network_list,
        .details = network_details,
        .conn_of = network_conn_of,
        .find_name = (void *(*)(VbConnect *, const char *)) vb_network_find_name,
        .find_uuid = (void *(*)(VbConnect *, const uint8_t *)) vb_network_find_uuid,
        .not_found = VB_ERR_NO_NETWORK,
        .noun = "network",
};
