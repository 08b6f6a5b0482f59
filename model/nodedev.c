/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>

#include "nodedev.h"
#include "xml-keep.h"
#include "xml-util.h"

static const char *const cap_types[] = {
        "system", "pci", "usb_device", "usb", "net", "scsi_host", "scsi_target", "scsi", "storage",
        "fc_host", "vports", "scsi_generic", "drm", "mdev_types", "mdev", "ccw", "css", "vdpa",
        "ap_card", "ap_queue", "ap_matrix", "vpd",
};

/* nested capabilities ListCaps reports, in libvirt's order */
static const char *const sub_cap_types[] = { "phys_function", "virt_functions", "mdev_types", "vpd" };

static void cap_clear(VbNodeDevCap *c) {
        free(c->type);
        free(c->xml);
        vb_strv_free(c->sub_caps);
        free(c->scsi_host.wwnn);
        free(c->scsi_host.wwpn);
        free(c->scsi_host.fabric_wwn);
        free(c->scsi_host.fc_extra_xml);
        *c = (VbNodeDevCap) { 0 };
}

VbNodeDeviceDef *vb_node_device_def_free(VbNodeDeviceDef *def) {
        if (!def)
                return NULL;
        free(def->name);
        free(def->path);
        free(def->devnode_xml);
        free(def->parent);
        free(def->parent_wwnn);
        free(def->parent_wwpn);
        free(def->parent_fabric_wwn);
        free(def->driver_xml);
        for (size_t i = 0; i < def->n_caps; i++)
                cap_clear(&def->caps[i]);
        free(def->caps);
        free(def);
        return NULL;
}

VbNodeDeviceDef *vb_node_device_def_copy(const VbNodeDeviceDef *s) {
        VbNodeDeviceDef *d;
        if (!s)
                return NULL;
        d = vb_calloc(1, sizeof(*d));
        d->name = vb_strdup(s->name);
        d->path = vb_strdup(s->path);
        d->devnode_xml = vb_strdup(s->devnode_xml);
        d->parent = vb_strdup(s->parent);
        d->parent_wwnn = vb_strdup(s->parent_wwnn);
        d->parent_wwpn = vb_strdup(s->parent_wwpn);
        d->parent_fabric_wwn = vb_strdup(s->parent_fabric_wwn);
        d->driver_xml = vb_strdup(s->driver_xml);
        d->caps = vb_calloc(s->n_caps, sizeof(*d->caps));
        for (size_t i = 0; i < s->n_caps; i++) {
                const VbNodeDevCap *sc = &s->caps[i];
                VbNodeDevCap *dc = &d->caps[i];
                dc->type = vb_strdup(sc->type);
                dc->xml = vb_strdup(sc->xml);
                dc->sub_caps = vb_strv_copy(sc->sub_caps);
                dc->scsi_host = sc->scsi_host;
                dc->scsi_host.wwnn = vb_strdup(sc->scsi_host.wwnn);
                dc->scsi_host.wwpn = vb_strdup(sc->scsi_host.wwpn);
                dc->scsi_host.fabric_wwn = vb_strdup(sc->scsi_host.fabric_wwn);
                dc->scsi_host.fc_extra_xml = vb_strdup(sc->scsi_host.fc_extra_xml);
        }
        d->n_caps = s->n_caps;
        return d;
}

/* WWNs: 16 hex digits, optionally prefixed by 0x; stored without the prefix. */
static int wwn_parse(xmlNodePtr n, const char *what, const char *dev, char **ret, VbError *e) {
        _cleanup_free_ char *v = vb_xml_child_text(n, what);
        const char *p = v;
        if (!v)
                return 0;
        if (strncmp(p, "0x", 2) == 0)
                p += 2;
        if (strlen(p) != 16)
                goto bad;
        for (const char *q = p; *q; q++)
                if (!isxdigit((unsigned char) *q))
                        goto bad;
        *ret = vb_strdup(p);
        return 0;
bad:
        return vb_error_set(e, VB_ERR_XML_ERROR, "Malformed %s '%s' for '%s'", what, v, dev);
}

static int uint_child(xmlNodePtr n, const char *what, const char *dev, unsigned *ret, bool *found,
                      VbError *e) {
        _cleanup_free_ char *v = vb_xml_child_text(n, what);
        unsigned long long x;
        if (!v) {
                if (found)
                        *found = false;
                return 0;
        }
        if (vb_xml_parse_uint(v, UINT32_MAX, &x) < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "invalid %s value '%s' for '%s'", what, v, dev);
        *ret = (unsigned) x;
        if (found)
                *found = true;
        return 0;
}

static int scsi_host_parse_sub(xmlNodePtr c, const char *dev, VbNodeDevScsiHost *h, VbError *e) {
        _cleanup_free_ char *type = vb_xml_prop(c, "type");
        int r;
        if (streq_ptr(type, "fc_host")) {
                if (h->fc_host)
                        return 0;       /* only the first one counts (a second leaked) */
                h->fc_host = true;
                if ((r = wwn_parse(c, "wwnn", dev, &h->wwnn, e)) < 0 ||
                    (r = wwn_parse(c, "wwpn", dev, &h->wwpn, e)) < 0 ||
                    (r = wwn_parse(c, "fabric_wwn", dev, &h->fabric_wwn, e)) < 0)
                        return r;
                for (xmlNodePtr k = c->children; k; k = k->next)
                        if (k->type == XML_ELEMENT_NODE && !vb_xml_is(k, "wwnn") && !vb_xml_is(k, "wwpn") &&
                            !vb_xml_is(k, "fabric_wwn"))
                                vb_xml_keep_append(&h->fc_extra_xml, k);
                return 0;
        }
        if (streq_ptr(type, "vport_ops")) {
                h->vport_ops = true;
                if ((r = uint_child(c, "max_vports", dev, &h->max_vports, NULL, e)) < 0 ||
                    (r = uint_child(c, "vports", dev, &h->vports, NULL, e)) < 0)
                        return r;
                return 0;
        }
        return vb_error_set(e, VB_ERR_XML_ERROR, "unknown SCSI host capability type '%s' for '%s'",
                            strempty(type), dev);
}

static int scsi_host_parse(xmlNodePtr n, const char *dev, unsigned flags, VbNodeDevScsiHost *h,
                           VbError *e) {
        _cleanup_free_ char *uid = vb_xml_child_text(n, "unique_id");
        int r = uint_child(n, "host", dev, &h->host, &h->has_host, e);
        if (r < 0)
                return r;
        if (!h->has_host && !(flags & VB_NODEDEV_PARSE_CREATE))
                return vb_error_set(e, VB_ERR_XML_ERROR, "no SCSI host ID supplied for '%s'", dev);
        h->unique_id = -1;
        if (uid) {
                unsigned long long x;
                if (vb_xml_parse_uint(uid, INT32_MAX, &x) < 0)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "invalid unique_id supplied for '%s'", dev);
                h->unique_id = (int) x;
        }
        for (xmlNodePtr c = n->children; c; c = c->next)
                if (vb_xml_is(c, "capability")) {
                        r = scsi_host_parse_sub(c, dev, h, e);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static void cap_collect_sub(VbNodeDevCap *cap, xmlNodePtr n) {
        for (size_t i = 0; i < ELEMENTSOF(sub_cap_types); i++)
                for (xmlNodePtr c = n->children; c; c = c->next)
                        if (vb_xml_is(c, "capability")) {
                                _cleanup_free_ char *t = vb_xml_prop(c, "type");
                                if (streq_ptr(t, sub_cap_types[i])) {
                                        vb_strv_push(&cap->sub_caps, t);
                                        break;
                                }
                        }
}

static int cap_parse(xmlNodePtr n, const char *dev, unsigned flags, VbNodeDevCap *cap, VbError *e) {
        bool known = false;
        cap->type = vb_xml_prop(n, "type");
        if (!cap->type)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing capability type");
        for (size_t i = 0; i < ELEMENTSOF(cap_types); i++)
                known = known || streq(cap->type, cap_types[i]);
        if (!known)
                return vb_error_set(e, VB_ERR_XML_ERROR, "unknown capability type '%s'", cap->type);
        if (streq(cap->type, "scsi_host")) {
                int r = scsi_host_parse(n, dev, flags, &cap->scsi_host, e);
                if (r < 0)
                        return r;
                if (cap->scsi_host.fc_host)
                        vb_strv_push(&cap->sub_caps, "fc_host");
                if (cap->scsi_host.vport_ops)
                        vb_strv_push(&cap->sub_caps, "vport_ops");
                return 0;
        }
        cap->xml = vb_xml_keep(n);
        if (streq(cap->type, "pci") || streq(cap->type, "css") || streq(cap->type, "ap_matrix") ||
            streq(cap->type, "ap_card"))
                cap_collect_sub(cap, n);
        return 0;
}

static int device_parse_root(xmlNodePtr root, unsigned flags, void *userdata, VbError *e) {
        VbNodeDeviceDef *def = userdata;
        xmlNodePtr parent = vb_xml_child(root, "parent");
        int r;

        def->name = vb_xml_child_text(root, "name");
        if (!def->name && !(flags & VB_NODEDEV_PARSE_CREATE))
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing name information");
        if (def->name && (r = vb_name_validate(def->name, "node device", e)) < 0)
                return r;
        def->path = vb_xml_child_text(root, "path");
        def->parent = vb_xml_child_text(root, "parent");
        if (def->parent && !*def->parent) {
                free(def->parent);
                def->parent = NULL;
        }
        def->parent_wwnn = vb_xml_prop(parent, "wwnn");
        def->parent_wwpn = vb_xml_prop(parent, "wwpn");
        def->parent_fabric_wwn = vb_xml_prop(parent, "fabric_wwn");
        def->driver_xml = vb_xml_keep(vb_xml_child(root, "driver"));
        def->caps = vb_calloc(vb_xml_count_children(root, "capability"), sizeof(*def->caps));
        for (xmlNodePtr c = root->children; c; c = c->next) {
                if (vb_xml_is(c, "devnode"))
                        vb_xml_keep_append(&def->devnode_xml, c);
                if (!vb_xml_is(c, "capability"))
                        continue;
                r = cap_parse(c, strempty(def->name), flags, &def->caps[def->n_caps++], e);
                if (r < 0)
                        return r;
        }
        if (def->n_caps == 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "no device capabilities for '%s'", strempty(def->name));
        return 0;
}

int vb_node_device_def_parse(const char *xml, unsigned flags, VbNodeDeviceDef **ret, VbError *e) {
        _cleanup_(vb_node_device_def_freep) VbNodeDeviceDef *def = vb_calloc(1, sizeof(*def));
        int r;

        if (flags & ~VB_NODEDEV_PARSE_CREATE)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "unsupported flags (0x%x)", flags);
        r = vb_xml_parse_def(xml, "device", device_parse_root, flags, def, e);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(def);
        return 0;
}

static void scsi_host_format(VbBuf *b, const VbNodeDevScsiHost *h) {
        if (h->has_host)
                vb_buf_line(b, "<host>%u</host>", h->host);
        if (h->unique_id >= 0)
                vb_buf_line(b, "<unique_id>%d</unique_id>", h->unique_id);
        if (h->fc_host) {
                vb_buf_line(b, "<capability type='fc_host'>");
                vb_buf_indent(b, 2);
                vb_buf_elem(b, "wwnn", h->wwnn);
                vb_buf_elem(b, "wwpn", h->wwpn);
                vb_buf_elem(b, "fabric_wwn", h->fabric_wwn);
                vb_buf_fragment(b, h->fc_extra_xml);
                vb_buf_indent(b, -2);
                vb_buf_line(b, "</capability>");
        }
        if (h->vport_ops) {
                vb_buf_line(b, "<capability type='vport_ops'>");
                vb_buf_indent(b, 2);
                vb_buf_line(b, "<max_vports>%u</max_vports>", h->max_vports);
                vb_buf_line(b, "<vports>%u</vports>", h->vports);
                vb_buf_indent(b, -2);
                vb_buf_line(b, "</capability>");
        }
}

char *vb_node_device_def_format(const VbNodeDeviceDef *def, unsigned flags) {
        _cleanup_vb_buf_ VbBuf b = { 0 };

        vb_buf_puts(&b, "<device>\n");
        vb_buf_indent(&b, 2);
        vb_buf_elem(&b, "name", def->name);
        vb_buf_elem(&b, "path", def->path);
        vb_buf_fragment(&b, def->devnode_xml);
        vb_buf_elem(&b, "parent", def->parent);
        vb_buf_fragment(&b, def->driver_xml);
        for (size_t i = 0; i < def->n_caps; i++) {
                const VbNodeDevCap *c = &def->caps[i];
                if (!streq(c->type, "scsi_host")) {
                        vb_buf_fragment(&b, c->xml);
                        continue;
                }
                vb_buf_line(&b, "<capability type='scsi_host'>");
                vb_buf_indent(&b, 2);
                scsi_host_format(&b, &c->scsi_host);
                vb_buf_indent(&b, -2);
                vb_buf_line(&b, "</capability>");
        }
        vb_buf_indent(&b, -2);
        vb_buf_puts(&b, "</device>\n");
        return vb_buf_steal(&b);
}

char **vb_node_device_def_list_caps(const VbNodeDeviceDef *def) {
        char **r = vb_calloc(1, sizeof(char *));
        for (size_t i = 0; i < def->n_caps; i++) {
                vb_strv_push(&r, def->caps[i].type);
                for (size_t j = 0; def->caps[i].sub_caps && def->caps[i].sub_caps[j]; j++)
                        vb_strv_push(&r, def->caps[i].sub_caps[j]);
        }
        return r;
}

VbNodeDevCap *vb_node_device_def_find_cap(const VbNodeDeviceDef *def, const char *type) {
        for (size_t i = 0; i < def->n_caps; i++)
                if (streq(def->caps[i].type, type))
                        return &def->caps[i];
        return NULL;
}
