/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.NWFilter at <connect>/nwfilter/_<uuid>. The gate (gate.c) has already
 * authorized the call. */
#include "bus-method.h"
#include "object-path.h"
#include "xml-util.h"

/* ---- the kind: paths, lookups, polkit details ---- */

static void *nwfilter_find(VbConnect *c, const char *label) {
        uint8_t uuid[16];
        if (vb_uuid_label_parse(label, uuid) < 0)
                return NULL;
        return vb_nwfilter_find_uuid(c, uuid);
}

static char *nwfilter_label(const void *obj) {
        char label[38];
        vb_uuid_label(((const VbNWFilterObj *) obj)->uuid, label);
        return vb_strdup(label);
}

static size_t nwfilter_list(VbConnect *c, void ***ret) {
        void **l = calloc(c->n_nwfilters + 1, sizeof(void *));
        if (!l)
                return 0;
        for (size_t i = 0; i < c->n_nwfilters; i++)
                l[i] = c->nwfilters[i];
        *ret = l;
        return c->n_nwfilters;
}

static size_t nwfilter_details(const void *obj, const char *kv[], char *buf, size_t bufsz) {
        const VbNWFilterObj *f = obj;
        if (bufsz < 37)
                return 0;
        vb_uuid_format(f->uuid, buf);
        kv[0] = "nwfilter_name";
        kv[1] = f->name;
        kv[2] = "nwfilter_uuid";
        kv[3] = buf;
        return 2;
}

static VbConnect *nwfilter_conn_of(const void *obj) {
        return ((const VbNWFilterObj *) obj)->conn;
}

/* ---- methods ---- */

static VB_BUS_METHOD_GET_XML(method_get_xml_desc, VbNWFilterObj, conn, nwfilter, get_xml_desc,
                             "virNWFilterGetXMLDesc")
/* frees @f */
static VB_BUS_METHOD_NOARGS(method_undefine, VbNWFilterObj, conn, nwfilter, undefine, "virNWFilterUndefine")

/* ---- properties ---- */

static const sd_bus_vtable nwfilter_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", vb_bus_property_get_string, offsetof(VbNWFilterObj, name), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("UUID", "s", vb_bus_property_get_uuid, offsetof(VbNWFilterObj, uuid), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD_WITH_NAMES("GetXMLDesc", "u", SD_BUS_PARAM(flags), "s", SD_BUS_PARAM(xml),
                                 method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Undefine", "", "", method_undefine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

const VbBusKind vb_bus_kind_nwfilter = {
        .interface = "org.libvirt.NWFilter",
        .element = "nwfilter",
        .vtable = nwfilter_vtable,
        .kind = VB_KIND_NWFILTER,
        .acl_object = "nwfilter",
        .find = nwfilter_find,
        .label = nwfilter_label,
        .list = nwfilter_list,
        .details = nwfilter_details,
        .conn_of = nwfilter_conn_of,
        .find_name = (void *(*)(VbConnect *, const char *)) vb_nwfilter_find_name,
        .find_uuid = (void *(*)(VbConnect *, const uint8_t *)) vb_nwfilter_find_uuid,
        .not_found = VB_ERR_NO_NWFILTER,
        .noun = "nwfilter",
};
