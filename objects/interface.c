/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Interface (host interface) at <connect>/interface/<enc(MAC)>. The gate
 * (gate.c) has already authorized the call. */
#include "bus-method.h"
#include "object-path.h"
#include "xml-util.h"

/* ---- the kind: paths, lookups, polkit details ---- */

static void *iface_find(VbConnect *c, const char *label) {
        _cleanup_free_ char *mac = vb_label_decode(label), *canonical = NULL;
        VbIfaceObj *i = NULL;
        if (!mac)
                return NULL;
        vb_iface_find_mac(c, mac, &i);
        if (!i)
                return NULL;
        /* one path per object: only the encoding of the stored MAC finds it */
        canonical = vb_label_encode(i->mac);
        return streq(canonical, label) ? i : NULL;
}

static char *iface_label(const void *obj) {
        return vb_label_encode(((const VbIfaceObj *) obj)->mac);
}

static size_t iface_list(VbConnect *c, void ***ret) {
        void **l = calloc(c->n_ifaces + 1, sizeof(void *));
        if (!l)
                return 0;
        for (size_t i = 0; i < c->n_ifaces; i++)
                l[i] = c->ifaces[i];
        *ret = l;
        return c->n_ifaces;
}

static size_t iface_details(const void *obj, const char *kv[], char *buf, size_t bufsz) {
        const VbIfaceObj *i = obj;
        kv[0] = "interface_name";
        kv[1] = i->name;
        kv[2] = "interface_macaddr";
        kv[3] = strempty(i->mac);
        return 2;
}

static VbConnect *iface_conn_of(const void *obj) {
        return ((const VbIfaceObj *) obj)->conn;
}

/* ---- methods ---- */

static VB_BUS_METHOD_FLAGS(method_create, VbIfaceObj, conn, iface, create, "virInterfaceCreate")
static VB_BUS_METHOD_FLAGS(method_destroy, VbIfaceObj, conn, iface, destroy, "virInterfaceDestroy")
/* frees @i */
static VB_BUS_METHOD_NOARGS(method_undefine, VbIfaceObj, conn, iface, undefine, "virInterfaceUndefine")
static VB_BUS_METHOD_GET_XML(method_get_xml_desc, VbIfaceObj, conn, iface, get_xml_desc, "virInterfaceGetXMLDesc")

/* ---- properties ---- */

#define FLAGS_METHOD(name, handler)                                                              \
        SD_BUS_METHOD_WITH_NAMES(name, "u", SD_BUS_PARAM(flags), "", , handler, SD_BUS_VTABLE_UNPRIVILEGED)

static const sd_bus_vtable iface_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Active", "b", vb_bus_property_get_bool, offsetof(VbIfaceObj, active),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("MAC", "s", vb_bus_property_get_string, offsetof(VbIfaceObj, mac), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Name", "s", vb_bus_property_get_string, offsetof(VbIfaceObj, name), SD_BUS_VTABLE_PROPERTY_CONST),
        FLAGS_METHOD("Create", method_create),
        FLAGS_METHOD("Destroy", method_destroy),
        SD_BUS_METHOD_WITH_NAMES("GetXMLDesc", "u", SD_BUS_PARAM(flags), "s", SD_BUS_PARAM(xml),
                                 method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Undefine", "", "", method_undefine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

const VbBusKind vb_bus_kind_interface = {
        .interface = "org.libvirt.Interface",
        .element = "interface",
        .vtable = iface_vtable,
        .kind = VB_KIND_IFACE,
        .acl_object = "interface",
        .find = iface_find,
        .label = iface_label,
        .list = iface_list,
        .details = iface_details,
        .conn_of = iface_conn_of,
        .find_name = (void *(*)(VbConnect *, const char *)) vb_iface_find_name,
        .not_found = VB_ERR_NO_INTERFACE,
        .noun = "interface",
};
