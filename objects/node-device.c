/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.NodeDevice at <connect>/nodedev/<enc(name)>. The gate has already
 * authorized the call; handlers read → validate → driver op → reply. */
#include "bus-method.h"
#include "object-path.h"
#include "xml-keep.h"
#include "xml-util.h"

/* ---- the kind ---- */

static void *nodedev_find(VbConnect *c, const char *label) {
        _cleanup_free_ char *name = vb_label_decode(label);
        return name ? vb_nodedev_find_name(c, name) : NULL;
}

static char *nodedev_label(const void *obj) {
        return vb_label_encode(((const VbNodeDevObj *) obj)->name);
}

static size_t nodedev_list(VbConnect *c, void ***ret) {
        void **l = calloc(c->n_nodedevs + 1, sizeof(void *));
        if (!l)
                return 0;
        for (size_t i = 0; i < c->n_nodedevs; i++)
                l[i] = c->nodedevs[i];
        *ret = l;
        return c->n_nodedevs;
}

static size_t nodedev_details(const void *obj, const char *kv[], char *buf, size_t bufsz) {
        kv[0] = "node_device_name";
        kv[1] = ((const VbNodeDevObj *) obj)->name;
        return 1;
}

static VbConnect *nodedev_conn_of(const void *obj) {
        return ((const VbNodeDevObj *) obj)->conn;
}

/* ---- methods ---- */

/* @d is freed on success */
static VB_BUS_METHOD_NOARGS(method_destroy, VbNodeDevObj, conn, nodedev, destroy, "virNodeDeviceDestroy")

static int method_detach(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbNodeDevObj *d = userdata;
        const char *driver_name;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "su", &driver_name, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(d->conn, nodedev, detach, "virNodeDeviceDetachFlags", &e,
                           d, isempty(driver_name) ? NULL : driver_name, flags, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "");
}

static VB_BUS_METHOD_NOARGS(method_reattach, VbNodeDevObj, conn, nodedev, reattach, "virNodeDeviceReAttach")
static VB_BUS_METHOD_NOARGS(method_reset, VbNodeDevObj, conn, nodedev, reset, "virNodeDeviceReset")

static VB_BUS_METHOD_GET_XML(method_get_xml_desc, VbNodeDevObj, conn, nodedev, get_xml_desc,
                             "virNodeDeviceGetXMLDesc")

static int method_list_caps(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        VbNodeDevObj *d = userdata;
        char **caps = NULL;
        int r;

        r = VB_DRIVER_CALL(d->conn, nodedev, list_caps, "virNodeDeviceListCaps", &e, d, &caps, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append_strv(reply, caps);
        vb_strv_free(caps);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* ---- properties ---- */

static int property_parent(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const VbNodeDevObj *d = userdata;
        /* the root device has none: Get fails, GetAll leaves it out (libvirt-dbus) */
        if (!d->parent)
                return vb_bus_errorf(error, VB_ERR_INTERNAL, "no parent for this device");
        return sd_bus_message_append(reply, "s", d->parent);
}

static const sd_bus_vtable nodedev_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", vb_bus_property_get_string, offsetof(VbNodeDevObj, name),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Parent", "s", property_parent, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD("Destroy", "", "", method_destroy, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Detach", "su", SD_BUS_PARAM(driverName) SD_BUS_PARAM(flags), "", ,
                                 method_detach, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetXMLDesc", "u", SD_BUS_PARAM(flags), "s", SD_BUS_PARAM(xml),
                                 method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListCaps", "", , "as", SD_BUS_PARAM(names), method_list_caps,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("ReAttach", "", "", method_reattach, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Reset", "", "", method_reset, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

const VbBusKind vb_bus_kind_node_device = {
        .interface = "org.libvirt.NodeDevice",
        .element = "nodedev",
        .vtable = nodedev_vtable,
        .kind = VB_KIND_NODEDEV,
        .acl_object = "node-device",
        .find = nodedev_find,
        .label = nodedev_label,
        .list = nodedev_list,
        .details = nodedev_details,
        .conn_of = nodedev_conn_of,
        .find_name = (void *(*)(VbConnect *, const char *)) vb_nodedev_find_name,
        .not_found = VB_ERR_NO_NODE_DEVICE,
        .noun = "node device",
};
