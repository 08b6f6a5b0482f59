/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "secret.h"
#include "xml-keep.h"
#include "xml-util.h"

static const char *const usage_types[_VB_SECRET_USAGE_MAX] = {
        "none", "volume", "ceph", "iscsi", "tls", "vtpm",
};

/* element holding the usage id, per usage type */
static const char *const usage_elems[_VB_SECRET_USAGE_MAX] = {
        NULL, "volume", "name", "target", "name", "name",
};

static const char *const usage_missing[_VB_SECRET_USAGE_MAX] = {
        NULL,
        "volume usage specified, but volume path is missing",
        "Ceph usage specified, but name is missing",
        "iSCSI usage specified, but target is missing",
        "TLS usage specified, but name is missing",
        "vTPM usage specified, but name is missing",
};

const char *vb_secret_usage_type_to_string(VbSecretUsageType t) {
        return (unsigned) t < _VB_SECRET_USAGE_MAX ? usage_types[t] : NULL;
}

int vb_secret_usage_type_from_string(const char *s) {
        for (int i = 0; s && i < _VB_SECRET_USAGE_MAX; i++)
                if (streq(s, usage_types[i]))
                        return i;
        return -EINVAL;
}

VbSecretDef *vb_secret_def_free(VbSecretDef *def) {
        if (!def)
                return NULL;
        free(def->description);
        free(def->usage_id);
        free(def);
        return NULL;
}

VbSecretDef *vb_secret_def_copy(const VbSecretDef *s) {
        VbSecretDef *d;
        if (!s)
                return NULL;
        d = vb_memdup(s, sizeof(*s));
        d->description = vb_strdup(s->description);
        d->usage_id = vb_strdup(s->usage_id);
        return d;
}

static int bool_attr(xmlNodePtr n, const char *name, bool *ret, VbError *e) {
        _cleanup_free_ char *v = vb_xml_prop(n, name);
        int b;
        if (!v)
                return 0;
        b = vb_xml_parse_bool(v, false);
        if (b < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "invalid value of '%s'", name);
        *ret = b;
        return 0;
}

static int usage_parse(xmlNodePtr usage, VbSecretDef *def, VbError *e) {
        _cleanup_free_ char *type = vb_xml_prop(usage, "type");
        int t;
        if (!type)
                return vb_error_set(e, VB_ERR_XML_ERROR, "unknown secret usage type");
        t = vb_secret_usage_type_from_string(type);
        if (t < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "unknown secret usage type %s", type);
        def->usage_type = t;
        if (t == VB_SECRET_USAGE_NONE)
                return 0;
        def->usage_id = vb_xml_child_text(usage, usage_elems[t]);
        if (isempty(def->usage_id))
                return vb_error_set(e, VB_ERR_XML_ERROR, "%s", usage_missing[t]);
        return 0;
}

static int secret_parse_root(xmlNodePtr root, unsigned flags, void *userdata, VbError *e) {
        VbSecretDef *def = userdata;
        _cleanup_free_ char *uuid = NULL;
        xmlNodePtr usage;
        int r;

        if ((r = bool_attr(root, "ephemeral", &def->ephemeral, e)) < 0 ||
            (r = bool_attr(root, "private", &def->private_, e)) < 0)
                return r;
        uuid = vb_xml_child_text(root, "uuid");
        if (!uuid)
                vb_uuid_generate(def->uuid);
        else if (vb_uuid_parse(uuid, def->uuid) < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "malformed uuid element");
        def->description = vb_xml_content(vb_xml_child(root, "description"));
        usage = vb_xml_child(root, "usage");
        if (usage)
                return usage_parse(usage, def, e);
        return 0;
}

VB_XML_DEFINE_PARSE(vb_secret_def_parse, VbSecretDef, vb_secret_def_freep, "secret", secret_parse_root)

char *vb_secret_def_format(const VbSecretDef *def, unsigned flags) {
        _cleanup_vb_buf_ VbBuf b = { 0 };

        vb_buf_printf(&b, "<secret ephemeral='%s' private='%s'>\n",
                      def->ephemeral ? "yes" : "no", def->private_ ? "yes" : "no");
        vb_buf_indent(&b, 2);
        vb_buf_uuid(&b, def->uuid);
        vb_buf_elem(&b, "description", def->description);
        if (def->usage_type != VB_SECRET_USAGE_NONE &&
            (unsigned) def->usage_type < _VB_SECRET_USAGE_MAX) {
                vb_buf_line(&b, "<usage type='%s'>", usage_types[def->usage_type]);
                vb_buf_indent(&b, 2);
                vb_buf_elem(&b, usage_elems[def->usage_type], def->usage_id);
                vb_buf_indent(&b, -2);
                vb_buf_line(&b, "</usage>");
        }
        vb_buf_indent(&b, -2);
        vb_buf_puts(&b, "</secret>\n");
        return vb_buf_steal(&b);
}
