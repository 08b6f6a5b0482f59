/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <time.h>

#include "snapshot.h"
#include "xml-keep.h"
#include "xml-util.h"

#define PARSE_FLAGS (VB_SNAPSHOT_PARSE_REDEFINE | VB_SNAPSHOT_PARSE_DISKS | \
                     VB_SNAPSHOT_PARSE_INTERNAL | VB_SNAPSHOT_PARSE_OFFLINE)

static const char *const states[] = {
        "nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed",
        "pmsuspended", "disk-snapshot",
};
static const char *const memory_modes[] = { "no", "internal", "external", "manual" };

static bool in_list(const char *s, const char *const *list, size_t n) {
        for (size_t i = 0; s && i < n; i++)
                if (streq(s, list[i]))
                        return true;
        return false;
}

VbSnapshotDef *vb_snapshot_def_free(VbSnapshotDef *def) {
        if (!def)
                return NULL;
        free(def->name);
        free(def->description);
        free(def->state);
        free(def->parent);
        free(def->memory_snapshot);
        free(def->memory_file);
        free(def->disks_xml);
        free(def->domain_xml);
        free(def->cookie_xml);
        free(def);
        return NULL;
}

VbSnapshotDef *vb_snapshot_def_copy(const VbSnapshotDef *s) {
        VbSnapshotDef *d;
        if (!s)
                return NULL;
        d = vb_memdup(s, sizeof(*s));
        d->name = vb_strdup(s->name);
        d->description = vb_strdup(s->description);
        d->state = vb_strdup(s->state);
        d->parent = vb_strdup(s->parent);
        d->memory_snapshot = vb_strdup(s->memory_snapshot);
        d->memory_file = vb_strdup(s->memory_file);
        d->disks_xml = vb_strdup(s->disks_xml);
        d->domain_xml = vb_strdup(s->domain_xml);
        d->cookie_xml = vb_strdup(s->cookie_xml);
        return d;
}

static int redefine_parse(xmlNodePtr root, VbSnapshotDef *def, VbError *e) {
        _cleanup_free_ char *ctime = vb_xml_child_text(root, "creationTime");
        unsigned long long t;

        if (!ctime)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing creationTime from existing snapshot");
        if (vb_xml_parse_uint(ctime, INT64_MAX, &t) < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "invalid creationTime '%s'", ctime);
        def->creation_time = (long long) t;
        def->state = vb_xml_child_text(root, "state");
        if (!def->state)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing state from existing snapshot");
        if (!in_list(def->state, states, ELEMENTSOF(states)))
                return vb_error_set(e, VB_ERR_XML_ERROR, "Invalid state '%s' in domain snapshot XML",
                                    def->state);
        def->parent = vb_xml_child_text(vb_xml_child(root, "parent"), "name");
        def->domain_xml = vb_xml_keep(vb_xml_child(root, "domain"));
        def->cookie_xml = vb_xml_keep(vb_xml_child(root, "cookie"));
        return 0;
}

static int snapshot_parse_root(xmlNodePtr root, unsigned flags, void *userdata, VbError *e) {
        VbSnapshotDef *def = userdata;
        xmlNodePtr mem = vb_xml_child(root, "memory");
        int r;

        def->name = vb_xml_child_text(root, "name");
        if (def->name && (r = vb_name_validate(def->name, "snapshot", e)) < 0)
                return r;
        def->description = vb_xml_content(vb_xml_child(root, "description"));
        if (flags & VB_SNAPSHOT_PARSE_REDEFINE) {
                r = redefine_parse(root, def, e);
                if (r < 0)
                        return r;
        } else
                def->creation_time = (long long) time(NULL);
        if (!def->name)
                def->name = vb_strdupf("%lld", def->creation_time);
        if (mem) {
                def->memory_snapshot = vb_xml_prop(mem, "snapshot");
                def->memory_file = vb_xml_prop(mem, "file");
                if (def->memory_snapshot && !in_list(def->memory_snapshot, memory_modes, ELEMENTSOF(memory_modes)))
                        return vb_error_set(e, VB_ERR_XML_ERROR, "unknown memory snapshot setting '%s'",
                                            def->memory_snapshot);
                if (!def->memory_snapshot && def->memory_file)
                        def->memory_snapshot = vb_strdup("external");
        }
        def->disks_xml = vb_xml_keep(vb_xml_child(root, "disks"));
        if (flags & VB_SNAPSHOT_PARSE_INTERNAL) {
                _cleanup_free_ char *active = vb_xml_child_text(root, "active");
                if (!active || (!streq(active, "0") && !streq(active, "1")))
                        return vb_error_set(e, VB_ERR_INTERNAL, "Could not find 'active' element");
                def->active = streq(active, "1");
        }
        return 0;
}

int vb_snapshot_def_parse(const char *xml, unsigned flags, VbSnapshotDef **ret, VbError *e) {
        _cleanup_(vb_snapshot_def_freep) VbSnapshotDef *def = vb_calloc(1, sizeof(*def));
        int r;

        if (flags & ~PARSE_FLAGS)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "unsupported flags (0x%x)", flags & ~PARSE_FLAGS);
        r = vb_xml_parse_def(xml, "domainsnapshot", snapshot_parse_root, flags, def, e);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(def);
        return 0;
}

char *vb_snapshot_def_format(const VbSnapshotDef *def, unsigned flags) {
        _cleanup_vb_buf_ VbBuf b = { 0 };

        vb_buf_puts(&b, "<domainsnapshot>\n");
        vb_buf_indent(&b, 2);
        vb_buf_elem(&b, "name", def->name);
        vb_buf_elem(&b, "description", def->description);
        vb_buf_elem(&b, "state", def->state);
        if (def->parent) {
                vb_buf_line(&b, "<parent>");
                vb_buf_indent(&b, 2);
                vb_buf_elem(&b, "name", def->parent);
                vb_buf_indent(&b, -2);
                vb_buf_line(&b, "</parent>");
        }
        vb_buf_line(&b, "<creationTime>%lld</creationTime>", def->creation_time);
        if (def->memory_snapshot) {
                vb_buf_pad(&b);
                vb_buf_printf(&b, "<memory snapshot='%s'", def->memory_snapshot);
                vb_buf_attr(&b, "file", def->memory_file);
                vb_buf_puts(&b, "/>\n");
        }
        vb_buf_fragment(&b, def->disks_xml);
        vb_buf_fragment(&b, def->domain_xml);
        vb_buf_fragment(&b, def->cookie_xml);
        if (flags & VB_SNAPSHOT_FORMAT_INTERNAL)
                vb_buf_line(&b, "<active>%d</active>", def->active ? 1 : 0);
        vb_buf_indent(&b, -2);
        vb_buf_puts(&b, "</domainsnapshot>\n");
        return vb_buf_steal(&b);
}
