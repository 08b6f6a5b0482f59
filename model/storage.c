/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "storage.h"
#include "xml-keep.h"
#include "xml-util.h"

static const char *const pool_types[] = {
        "dir", "fs", "netfs", "logical", "disk", "iscsi", "iscsi-direct", "scsi", "mpath",
        "rbd", "sheepdog", "gluster", "zfs", "vstorage",
};

bool vb_pool_type_is_valid(const char *type) {
        for (size_t i = 0; type && i < ELEMENTSOF(pool_types); i++)
                if (streq(type, pool_types[i]))
                        return true;
        return false;
}

static const char *pool_default_format(const char *type) {
        if (streq(type, "fs") || streq(type, "netfs"))
                return "auto";
        if (streq(type, "logical"))
                return "lvm2";
        if (streq(type, "disk"))
                return "unknown";
        return NULL;
}

/* ---- permissions (shared by pool and volume targets) ---- */

static int perms_parse(xmlNodePtr n, VbStoragePerms *p, VbError *e) {
        _cleanup_free_ char *mode = vb_xml_child_text(n, "mode");
        _cleanup_free_ char *owner = vb_xml_child_text(n, "owner");
        _cleanup_free_ char *group = vb_xml_child_text(n, "group");
        char *end;

        p->mode = p->owner = p->group = -1;
        if (!n)
                return 0;
        if (mode) {
                long m = strtol(mode, &end, 8);
                if (*mode == 0 || *end || m < 0 || m > 0777)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "malformed octal mode");
                p->mode = m;
        }
        if (owner) {
                long v = strtol(owner, &end, 10);
                if (*owner == 0 || *end || v < -1)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "malformed owner element");
                p->owner = v;
        }
        if (group) {
                long v = strtol(group, &end, 10);
                if (*group == 0 || *end || v < -1)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "malformed group element");
                p->group = v;
        }
        p->label = vb_xml_child_text(n, "label");
        return 0;
}

static void perms_format(VbBuf *b, const VbStoragePerms *p) {
        if (p->mode == -1 && p->owner == -1 && p->group == -1 && !p->label)
                return;
        vb_buf_line(b, "<permissions>");
        vb_buf_indent(b, 2);
        if (p->mode != -1)
                vb_buf_line(b, "<mode>0%lo</mode>", (unsigned long) p->mode);
        if (p->owner != -1)
                vb_buf_line(b, "<owner>%ld</owner>", p->owner);
        if (p->group != -1)
                vb_buf_line(b, "<group>%ld</group>", p->group);
        vb_buf_elem(b, "label", p->label);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</permissions>");
}

static void perms_copy(VbStoragePerms *d, const VbStoragePerms *s) {
        *d = *s;
        d->label = vb_strdup(s->label);
}

/* <capacity unit='...'>N</capacity> in bytes */
static int sized_parse(xmlNodePtr n, const char *what, uint64_t *ret, VbError *e) {
        _cleanup_free_ char *unit = vb_xml_prop(n, "unit");
        _cleanup_free_ char *value = vb_strstrip(vb_xml_content(n));
        if (vb_xml_parse_scaled(value, unit, 1, ret) < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "malformed %s element", what);
        return 0;
}

/* ---- pool ---- */

VbStoragePoolDef *vb_pool_def_free(VbStoragePoolDef *def) {
        if (!def)
                return NULL;
        free(def->type);
        free(def->name);
        for (size_t i = 0; i < def->n_hosts; i++)
                free(def->hosts[i].name);
        free(def->hosts);
        vb_strv_free(def->devices);
        free(def->source_dir);
        free(def->source_name);
        free(def->source_format);
        free(def->source_extra_xml);
        free(def->target_path);
        free(def->perms.label);
        free(def->extra_xml);
        free(def);
        return NULL;
}

VbStoragePoolDef *vb_pool_def_copy(const VbStoragePoolDef *s) {
        VbStoragePoolDef *d;
        if (!s)
                return NULL;
        d = vb_calloc(1, sizeof(*d));
        d->type = vb_strdup(s->type);
        d->name = vb_strdup(s->name);
        memcpy(d->uuid, s->uuid, 16);
        d->capacity = s->capacity;
        d->allocation = s->allocation;
        d->available = s->available;
        d->hosts = vb_calloc(s->n_hosts, sizeof(*d->hosts));
        for (size_t i = 0; i < s->n_hosts; i++) {
                d->hosts[i].name = vb_strdup(s->hosts[i].name);
                d->hosts[i].port = s->hosts[i].port;
        }
        d->n_hosts = s->n_hosts;
        d->devices = vb_strv_copy(s->devices);
        d->source_dir = vb_strdup(s->source_dir);
        d->source_name = vb_strdup(s->source_name);
        d->source_format = vb_strdup(s->source_format);
        d->source_extra_xml = vb_strdup(s->source_extra_xml);
        d->target_path = vb_strdup(s->target_path);
        perms_copy(&d->perms, &s->perms);
        d->extra_xml = vb_strdup(s->extra_xml);
        return d;
}

static int pool_source_host(xmlNodePtr c, VbStoragePoolDef *def, VbError *e) {
        _cleanup_free_ char *port = vb_xml_prop(c, "port");
        VbPoolSourceHost *h = &def->hosts[def->n_hosts];
        h->name = vb_xml_prop(c, "name");
        if (!h->name)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing storage pool host name");
        def->n_hosts++;
        if (port) {
                unsigned long long p;
                if (vb_xml_parse_uint(port, 65535, &p) < 0)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "Invalid port number: %s", port);
                h->port = (unsigned) p;
        }
        return 0;
}

static int pool_source_parse(xmlNodePtr src, VbStoragePoolDef *def, VbError *e) {
        int r;
        def->hosts = vb_calloc(vb_xml_count_children(src, "host"), sizeof(*def->hosts));
        for (xmlNodePtr c = src ? src->children : NULL; c; c = c->next) {
                if (vb_xml_is(c, "host")) {
                        r = pool_source_host(c, def, e);
                        if (r < 0)
                                return r;
                } else if (vb_xml_is(c, "device")) {
                        _cleanup_free_ char *path = vb_xml_prop(c, "path");
                        if (!path)
                                return vb_error_set(e, VB_ERR_XML_ERROR, "missing storage pool source device path");
                        vb_strv_push(&def->devices, path);
                } else if (vb_xml_is(c, "dir")) {
                        free(def->source_dir);
                        def->source_dir = vb_xml_prop(c, "path");
                } else if (vb_xml_is(c, "name")) {
                        free(def->source_name);
                        def->source_name = vb_strstrip(vb_xml_content(c));
                } else if (vb_xml_is(c, "format")) {
                        free(def->source_format);
                        def->source_format = vb_xml_prop(c, "type");
                } else if (c->type == XML_ELEMENT_NODE)
                        vb_xml_keep_append(&def->source_extra_xml, c);
        }
        return 0;
}

static int pool_validate(VbStoragePoolDef *def, VbError *e) {
        const char *t = def->type;
        if ((streq(t, "fs") || streq(t, "disk")) && !def->devices)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing storage pool source device path");
        if (streq(t, "netfs") && !def->n_hosts)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing storage pool source host name");
        if (streq(t, "netfs") && !def->source_dir)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing storage pool source path");
        if (streq(t, "logical")) {
                if (!def->source_name)
                        def->source_name = vb_strdup(def->name);
                if (!def->target_path)
                        def->target_path = vb_strdupf("/dev/%s", def->source_name);
        }
        if ((streq(t, "rbd") || streq(t, "sheepdog") || streq(t, "gluster")) && !def->source_name)
                return vb_error_set(e, VB_ERR_XML_ERROR, "element 'name' is mandatory for %s pool", t);
        if (!def->target_path && !streq(t, "rbd") && !streq(t, "sheepdog") && !streq(t, "gluster") &&
            !streq(t, "iscsi-direct"))
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing storage pool target path");
        if (def->target_path && def->target_path[0] != '/')
                return vb_error_set(e, VB_ERR_XML_ERROR, "storage pool target path '%s' must be absolute",
                                    def->target_path);
        if (!def->source_format && pool_default_format(t))
                def->source_format = vb_strdup(pool_default_format(t));
        return 0;
}

static int pool_parse_root(xmlNodePtr root, unsigned flags, void *userdata, VbError *e) {
        VbStoragePoolDef *def = userdata;
        _cleanup_free_ char *uuid = NULL;
        xmlNodePtr target;
        int r;

        def->type = vb_xml_prop(root, "type");
        if (!def->type)
                return vb_error_set(e, VB_ERR_XML_ERROR, "storage pool missing type attribute");
        if (!vb_pool_type_is_valid(def->type))
                return vb_error_set(e, VB_ERR_XML_ERROR, "unknown storage pool type %s", def->type);
        r = pool_source_parse(vb_xml_child(root, "source"), def, e);
        if (r < 0)
                return r;
        def->name = vb_xml_child_text(root, "name");
        if (!def->name && def->source_name && !streq(def->type, "dir") && !streq(def->type, "fs") &&
            !streq(def->type, "netfs"))
                def->name = vb_strdup(def->source_name);
        if (!def->name)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing pool source name element");
        r = vb_name_validate(def->name, "pool", e);
        if (r < 0)
                return r;
        uuid = vb_xml_child_text(root, "uuid");
        if (!uuid)
                vb_uuid_generate(def->uuid);
        else if (vb_uuid_parse(uuid, def->uuid) < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "malformed uuid element");
        target = vb_xml_child(root, "target");
        def->target_path = vb_xml_child_text(target, "path");
        r = perms_parse(vb_xml_child(target, "permissions"), &def->perms, e);
        if (r < 0)
                return r;
        for (xmlNodePtr c = root->children; c; c = c->next) {
                static const char *const known[] = { "name", "uuid", "source", "target", "capacity",
                                                     "allocation", "available" };
                bool k = c->type != XML_ELEMENT_NODE;
                for (size_t i = 0; !k && i < ELEMENTSOF(known); i++)
                        k = vb_xml_is(c, known[i]);
                if (!k)
                        vb_xml_keep_append(&def->extra_xml, c);
        }
        return pool_validate(def, e);
}

VB_XML_DEFINE_PARSE(vb_pool_def_parse, VbStoragePoolDef, vb_pool_def_freep, "pool", pool_parse_root)

static void pool_source_format(VbBuf *b, const VbStoragePoolDef *def) {
        vb_buf_line(b, "<source>");
        vb_buf_indent(b, 2);
        for (size_t i = 0; i < def->n_hosts; i++) {
                vb_buf_pad(b);
                vb_buf_puts(b, "<host");
                vb_buf_attr(b, "name", def->hosts[i].name);
                if (def->hosts[i].port)
                        vb_buf_printf(b, " port='%u'", def->hosts[i].port);
                vb_buf_puts(b, "/>\n");
        }
        for (size_t i = 0; def->devices && def->devices[i]; i++) {
                vb_buf_pad(b);
                vb_buf_puts(b, "<device");
                vb_buf_attr(b, "path", def->devices[i]);
                vb_buf_puts(b, "/>\n");
        }
        if (def->source_dir) {
                vb_buf_pad(b);
                vb_buf_puts(b, "<dir");
                vb_buf_attr(b, "path", def->source_dir);
                vb_buf_puts(b, "/>\n");
        }
        vb_buf_elem(b, "name", def->source_name);
        if (def->source_format) {
                vb_buf_pad(b);
                vb_buf_puts(b, "<format");
                vb_buf_attr(b, "type", def->source_format);
                vb_buf_puts(b, "/>\n");
        }
        vb_buf_fragment(b, def->source_extra_xml);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</source>");
}

char *vb_pool_def_format(const VbStoragePoolDef *def, unsigned flags) {
        _cleanup_vb_buf_ VbBuf b = { 0 };

        vb_buf_puts(&b, "<pool");
        vb_buf_attr(&b, "type", def->type);
        vb_buf_puts(&b, ">\n");
        vb_buf_indent(&b, 2);
        vb_buf_elem(&b, "name", def->name);
        vb_buf_uuid(&b, def->uuid);
        vb_buf_line(&b, "<capacity unit='bytes'>%llu</capacity>", (unsigned long long) def->capacity);
        vb_buf_line(&b, "<allocation unit='bytes'>%llu</allocation>", (unsigned long long) def->allocation);
        vb_buf_line(&b, "<available unit='bytes'>%llu</available>", (unsigned long long) def->available);
        pool_source_format(&b, def);
        if (def->target_path || def->perms.mode != -1 || def->perms.owner != -1 ||
            def->perms.group != -1 || def->perms.label) {
                vb_buf_line(&b, "<target>");
                vb_buf_indent(&b, 2);
                vb_buf_elem(&b, "path", def->target_path);
                perms_format(&b, &def->perms);
                vb_buf_indent(&b, -2);
                vb_buf_line(&b, "</target>");
        }
        vb_buf_fragment(&b, def->extra_xml);
        vb_buf_indent(&b, -2);
        vb_buf_puts(&b, "</pool>\n");
        return vb_buf_steal(&b);
}

/* ---- volume ---- */

static const char *const vol_types[] = { "file", "block", "dir", "network", "netdir", "ploop" };

VbStorageVolDef *vb_vol_def_free(VbStorageVolDef *def) {
        if (!def)
                return NULL;
        free(def->type);
        free(def->name);
        free(def->key);
        free(def->target_path);
        free(def->target_format);
        free(def->perms.label);
        free(def->target_extra_xml);
        free(def->backing_path);
        free(def->backing_format);
        free(def->source_extra_xml);
        free(def->extra_xml);
        free(def);
        return NULL;
}

VbStorageVolDef *vb_vol_def_copy(const VbStorageVolDef *s) {
        VbStorageVolDef *d;
        if (!s)
                return NULL;
        d = vb_calloc(1, sizeof(*d));
        d->type = vb_strdup(s->type);
        d->name = vb_strdup(s->name);
        d->key = vb_strdup(s->key);
        d->capacity = s->capacity;
        d->allocation = s->allocation;
        d->has_allocation = s->has_allocation;
        d->physical = s->physical;
        d->target_path = vb_strdup(s->target_path);
        d->target_format = vb_strdup(s->target_format);
        perms_copy(&d->perms, &s->perms);
        d->target_extra_xml = vb_strdup(s->target_extra_xml);
        d->backing_path = vb_strdup(s->backing_path);
        d->backing_format = vb_strdup(s->backing_format);
        d->source_extra_xml = vb_strdup(s->source_extra_xml);
        d->extra_xml = vb_strdup(s->extra_xml);
        return d;
}

static int vol_target_parse(xmlNodePtr target, VbStorageVolDef *def, VbError *e) {
        int r;
        def->target_path = vb_xml_child_text(target, "path");
        def->target_format = vb_xml_prop(vb_xml_child(target, "format"), "type");
        if (vb_xml_child(target, "format") && !def->target_format)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing volume format type");
        if (!def->target_format)
                def->target_format = vb_strdup("raw");
        r = perms_parse(vb_xml_child(target, "permissions"), &def->perms, e);
        if (r < 0)
                return r;
        for (xmlNodePtr c = target ? target->children : NULL; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && !vb_xml_is(c, "path") && !vb_xml_is(c, "format") &&
                    !vb_xml_is(c, "permissions"))
                        vb_xml_keep_append(&def->target_extra_xml, c);
        return 0;
}

static int vol_sizes_parse(xmlNodePtr root, VbStorageVolDef *def, VbError *e) {
        xmlNodePtr cap = vb_xml_child(root, "capacity"), alloc = vb_xml_child(root, "allocation");
        int r;
        if (!cap)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing capacity element");
        r = sized_parse(cap, "capacity", &def->capacity, e);
        if (r < 0)
                return r;
        if (alloc) {
                r = sized_parse(alloc, "allocation", &def->allocation, e);
                if (r < 0)
                        return r;
                def->has_allocation = true;
        } else
                def->allocation = def->capacity;
        return 0;
}

static int vol_parse_root(xmlNodePtr root, unsigned flags, void *userdata, VbError *e) {
        VbStorageVolDef *def = userdata;
        xmlNodePtr bs;
        bool ok = false;
        int r;

        def->name = vb_xml_child_text(root, "name");
        if (!def->name)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing volume name element");
        if (strchr(def->name, '/'))
                return vb_error_set(e, VB_ERR_XML_ERROR, "volume name '%s' cannot contain '/'", def->name);
        r = vb_name_validate(def->name, "volume", e);
        if (r < 0)
                return r;
        def->type = vb_xml_prop(root, "type");
        for (size_t i = 0; def->type && i < ELEMENTSOF(vol_types); i++)
                ok = ok || streq(def->type, vol_types[i]);
        if (def->type && !ok)
                return vb_error_set(e, VB_ERR_XML_ERROR, "unknown volume type '%s'", def->type);
        if (!def->type)
                def->type = vb_strdup("file");
        def->key = vb_xml_child_text(root, "key");
        r = vol_sizes_parse(root, def, e);
        if (r < 0)
                return r;
        r = vol_target_parse(vb_xml_child(root, "target"), def, e);
        if (r < 0)
                return r;
        bs = vb_xml_child(root, "backingStore");
        if (bs) {
                def->backing_path = vb_xml_child_text(bs, "path");
                if (!def->backing_path)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "missing volume backing store path");
                def->backing_format = vb_xml_prop(vb_xml_child(bs, "format"), "type");
        }
        def->source_extra_xml = vb_xml_keep_children(vb_xml_child(root, "source"));
        for (xmlNodePtr c = root->children; c; c = c->next) {
                static const char *const known[] = { "name", "key", "source", "capacity", "allocation",
                                                     "physical", "target", "backingStore" };
                bool k = c->type != XML_ELEMENT_NODE;
                for (size_t i = 0; !k && i < ELEMENTSOF(known); i++)
                        k = vb_xml_is(c, known[i]);
                if (!k)
                        vb_xml_keep_append(&def->extra_xml, c);
        }
        return 0;
}

VB_XML_DEFINE_PARSE(vb_vol_def_parse, VbStorageVolDef, vb_vol_def_freep, "volume", vol_parse_root)

static void vol_target_format(VbBuf *b, const VbStorageVolDef *def) {
        vb_buf_line(b, "<target>");
        vb_buf_indent(b, 2);
        vb_buf_elem(b, "path", def->target_path);
        if (def->target_format) {
                vb_buf_pad(b);
                vb_buf_puts(b, "<format");
                vb_buf_attr(b, "type", def->target_format);
                vb_buf_puts(b, "/>\n");
        }
        perms_format(b, &def->perms);
        vb_buf_fragment(b, def->target_extra_xml);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</target>");
}

char *vb_vol_def_format(const VbStorageVolDef *def, unsigned flags) {
        _cleanup_vb_buf_ VbBuf b = { 0 };

        vb_buf_puts(&b, "<volume");
        vb_buf_attr(&b, "type", def->type);
        vb_buf_puts(&b, ">\n");
        vb_buf_indent(&b, 2);
        vb_buf_elem(&b, "name", def->name);
        vb_buf_elem(&b, "key", def->key);
        vb_buf_line(&b, "<source>");
        vb_buf_indent(&b, 2);
        vb_buf_fragment(&b, def->source_extra_xml);
        vb_buf_indent(&b, -2);
        vb_buf_line(&b, "</source>");
        vb_buf_line(&b, "<capacity unit='bytes'>%llu</capacity>", (unsigned long long) def->capacity);
        vb_buf_line(&b, "<allocation unit='bytes'>%llu</allocation>", (unsigned long long) def->allocation);
        if (def->physical)
                vb_buf_line(&b, "<physical unit='bytes'>%llu</physical>", (unsigned long long) def->physical);
        vol_target_format(&b, def);
        if (def->backing_path) {
                vb_buf_line(&b, "<backingStore>");
                vb_buf_indent(&b, 2);
                vb_buf_elem(&b, "path", def->backing_path);
                if (def->backing_format) {
                        vb_buf_pad(&b);
                        vb_buf_puts(&b, "<format");
                        vb_buf_attr(&b, "type", def->backing_format);
                        vb_buf_puts(&b, "/>\n");
                }
                vb_buf_indent(&b, -2);
                vb_buf_line(&b, "</backingStore>");
        }
        vb_buf_fragment(&b, def->extra_xml);
        vb_buf_indent(&b, -2);
        vb_buf_puts(&b, "</volume>\n");
        return vb_buf_steal(&b);
}
