/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Secret at <connect>/secret/_<uuid>. The value travels only through
 * SetValue/GetValue, never as a property. The gate (gate.c) has already authorized
 * the call. */
#include "bus-method.h"
#include "object-path.h"
#include "secret.h"
#include "xml-util.h"

/* ---- the kind: paths, lookups, polkit details ---- */

static void *secret_find(VbConnect *c, const char *label) {
        uint8_t uuid[16];
        if (vb_uuid_label_parse(label, uuid) < 0)
                return NULL;
        return vb_secret_find_uuid(c, uuid);
}

static char *secret_label(const void *obj) {
        char label[38];
        vb_uuid_label(((const VbSecretObj *) obj)->uuid, label);
        return vb_strdup(label);
}

static size_t secret_list(VbConnect *c, void ***ret) {
        void **l = calloc(c->n_secrets + 1, sizeof(void *));
        if (!l)
                return 0;
        for (size_t i = 0; i < c->n_secrets; i++)
                l[i] = c->secrets[i];
        *ret = l;
        return c->n_secrets;
}

/* libvirt's ACL details: the usage id goes under a key naming the usage type */
static const char *usage_detail_key(int usage_type) {
        switch (usage_type) {
        case VB_SECRET_USAGE_VOLUME:
                return "secret_usage_volume";
        case VB_SECRET_USAGE_CEPH:
                return "secret_usage_ceph";
        case VB_SECRET_USAGE_ISCSI:
                return "secret_usage_target";
        case VB_SECRET_USAGE_TLS:
        case VB_SECRET_USAGE_VTPM:
                return "secret_usage_name";
        default:
                return NULL;
        }
}

static size_t secret_details(const void *obj, const char *kv[], char *buf, size_t bufsz) {
        const VbSecretObj *s = obj;
        const char *key = usage_detail_key(s->usage_type);
        if (bufsz < 37)
                return 0;
        vb_uuid_format(s->uuid, buf);
        kv[0] = "secret_uuid";
        kv[1] = buf;
        if (!key || !s->usage_id)
                return 1;
        kv[2] = key;
        kv[3] = s->usage_id;
        return 2;
}

static VbConnect *secret_conn_of(const void *obj) {
        return ((const VbSecretObj *) obj)->conn;
}

/* ---- methods ---- */

static VB_BUS_METHOD_GET_XML(method_get_xml_desc, VbSecretObj, conn, secret, get_xml_desc, "virSecretGetXMLDesc")

static int method_set_value(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbSecretObj *s = userdata;
        const void *value = NULL;
        size_t n = 0;
        uint32_t flags;
        int r;

        r = sd_bus_message_read_array(m, 'y', &value, &n);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(s->conn, secret, set_value, "virSecretSetValue", &e, s, value, n, flags, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "");
}

static int method_get_value(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        VbSecretObj *s = userdata;
        uint8_t *value = NULL;
        size_t n = 0;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(s->conn, secret, get_value, "virSecretGetValue", &e, s, flags, &value, &n, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_sensitive(reply);   /* wiped when freed */
        if (r >= 0)
                r = sd_bus_message_append_array(reply, 'y', value, n);
        explicit_bzero(value, n);
        free(value);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* frees @s */
static VB_BUS_METHOD_NOARGS(method_undefine, VbSecretObj, conn, secret, undefine, "virSecretUndefine")

/* ---- properties ---- */

static int property_usage_type(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "i", (int32_t) ((VbSecretObj *) userdata)->usage_type);
}

static const sd_bus_vtable secret_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("UUID", "s", vb_bus_property_get_uuid, offsetof(VbSecretObj, uuid), SD_BUS_VTABLE_PROPERTY_CONST),
        /* a secret without usage reports "" */
        SD_BUS_PROPERTY("UsageID", "s", vb_bus_property_get_string, offsetof(VbSecretObj, usage_id),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("UsageType", "i", property_usage_type, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD_WITH_NAMES("GetValue", "u", SD_BUS_PARAM(flags), "ay", SD_BUS_PARAM(value),
                                 method_get_value, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetXMLDesc", "u", SD_BUS_PARAM(flags), "s", SD_BUS_PARAM(xml),
                                 method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetValue", "ayu", SD_BUS_PARAM(value) SD_BUS_PARAM(flags), "", ,
                                 method_set_value, SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD("Undefine", "", "", method_undefine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

const VbBusKind vb_bus_kind_secret = {
        .interface = "org.libvirt.Secret",
        .element = "secret",
        .vtable = secret_vtable,
        .kind = VB_KIND_SECRET,
        .acl_object = "secret",
        .find = secret_find,
        .label = secret_label,
        .list = secret_list,
        .details = secret_details,
        .conn_of = secret_conn_of,
        .find_uuid = (void *(*)(VbConnect *, const uint8_t *)) vb_secret_find_uuid,
        .not_found = VB_ERR_NO_SECRET,
        .noun = "secret",
};
