/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Elements the domain model keeps without structuring them are re-serialised the way
 * libvirt writes XML, so that a kept element looks like a formatted one. */
#include <ctype.h>
#include <stdio.h>

#include "domain-internal.h"
#include "xml-keep.h"

bool vb_dom_is_name(xmlNodePtr n, const char *name) {
        return n && n->type == XML_ELEMENT_NODE && !n->ns && xmlStrEqual(n->name, BAD_CAST name);
}

bool vb_dom_name_in(const char *name, const char *const *list) {
        for (; list && *list; list++)
                if (streq(*list, name))
                        return true;
        return false;
}

char *vb_dom_qname(xmlNodePtr n) {
        if (n->ns && n->ns->prefix)
                return vb_strdupf("%s:%s", (const char *) n->ns->prefix, (const char *) n->name);
        return vb_strdup((const char *) n->name);
}

unsigned vb_dom_slot(const char *const *order, const char *name) {
        unsigned i;
        for (i = 0; order[i]; i++)
                if (streq(order[i], name))
                        return i;
        return i;
}

static bool is_blank(const xmlChar *s) {
        for (; s && *s; s++)
                if (!isspace(*s))
                        return false;
        return true;
}

static bool has_element_children(xmlNodePtr n) {
        for (xmlNodePtr c = n->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE)
                        return true;
        return false;
}

/* In the domain's kept elements, text has its tabs as references too, not only
 * attribute values. */
static void put_text(VbBuf *b, const char *s) {
        vb_xml_keep_text(b, s, true);
}

static void put_attr(VbBuf *b, const char *name, const char *value) {
        vb_buf_printf(b, " %s='", name);
        put_text(b, value);
        vb_buf_puts(b, "'");
}

/* PCI and drive addresses are written with every field, in libvirt's notation. */
static bool fmt_address_attrs(VbBuf *b, xmlNodePtr n) {
        static const char *const pci[] = { "domain", "bus", "slot", "function", NULL };
        static const int pci_width[] = { 4, 2, 2, 1 };
        static const char *const drive[] = { "controller", "bus", "target", "unit", NULL };
        _cleanup_free_ char *type = vb_xml_prop(n, "type");
        const char *const *names;
        unsigned long v[4];

        if (streq_ptr(type, "pci"))
                names = pci;
        else if (streq_ptr(type, "drive"))
                names = drive;
        else
                return false;
        for (int i = 0; i < 4; i++) {
                _cleanup_free_ char *s = vb_xml_prop(n, names[i]);
                char *end;
                v[i] = 0;
                if (!s)
                        continue;
                errno = 0;
                v[i] = strtoul(s, &end, 0);
                if (errno || *end || end == s)
                        return false;   /* not ours to fix: keep it as written */
        }
        put_attr(b, "type", type);
        for (int i = 0; i < 4; i++) {
                char num[32];
                if (names == pci)
                        snprintf(num, sizeof num, "0x%0*lx", pci_width[i], v[i]);
                else
                        snprintf(num, sizeof num, "%lu", v[i]);
                put_attr(b, names[i], num);
        }
        for (xmlAttrPtr a = n->properties; a; a = a->next) {
                if (a->ns || streq((const char *) a->name, "type") ||
                    vb_dom_name_in((const char *) a->name, names))
                        continue;
                xmlChar *val = xmlNodeGetContent((xmlNodePtr) a);
                put_attr(b, (const char *) a->name, (const char *) val);
                xmlFree(val);
        }
        return true;
}

static void fmt_attrs(VbBuf *b, xmlNodePtr n, const char *const *skip) {
        if (vb_dom_is_name(n, "address") && !skip && fmt_address_attrs(b, n))
                return;
        for (xmlNsPtr ns = n->nsDef; ns; ns = ns->next) {
                if (ns->prefix)
                        vb_buf_printf(b, " xmlns:%s='", (const char *) ns->prefix);
                else
                        vb_buf_puts(b, " xmlns='");
                put_text(b, (const char *) ns->href);
                vb_buf_puts(b, "'");
        }
        for (xmlAttrPtr a = n->properties; a; a = a->next) {
                _cleanup_free_ char *name = NULL;
                xmlChar *val;
                if (!a->ns && vb_dom_name_in((const char *) a->name, skip))
                        continue;
                if (a->ns && a->ns->prefix)
                        name = vb_strdupf("%s:%s", (const char *) a->ns->prefix, (const char *) a->name);
                else
                        name = vb_strdup((const char *) a->name);
                val = xmlNodeGetContent((xmlNodePtr) a);
                put_attr(b, name, (const char *) val);
                xmlFree(val);
        }
}

/* A namespace used by @n but declared on an ancestor below the root is declared again
 * on @n, so the kept text stands alone. */
static void fmt_missing_ns(VbBuf *b, xmlNodePtr n) {
        xmlNodePtr root;
        if (!n->ns || !n->ns->prefix)
                return;
        for (xmlNsPtr d = n->nsDef; d; d = d->next)
                if (d == n->ns)
                        return;
        root = n->doc ? xmlDocGetRootElement(n->doc) : NULL;
        for (xmlNsPtr d = root ? root->nsDef : NULL; d; d = d->next)
                if (d == n->ns)
                        return;
        vb_buf_printf(b, " xmlns:%s='", (const char *) n->ns->prefix);
        put_text(b, (const char *) n->ns->href);
        vb_buf_puts(b, "'");
}

static void fmt_node(VbBuf *b, xmlNodePtr n, bool top) {
        _cleanup_free_ char *name = vb_dom_qname(n);
        xmlChar *text;

        vb_buf_pad(b);
        vb_buf_printf(b, "<%s", name);
        if (top)
                fmt_missing_ns(b, n);
        fmt_attrs(b, n, NULL);
        if (!has_element_children(n)) {
                text = xmlNodeGetContent(n);
                if (!text || !*text)
                        vb_buf_puts(b, "/>\n");
                else {
                        vb_buf_puts(b, ">");
                        put_text(b, (const char *) text);
                        vb_buf_printf(b, "</%s>\n", name);
                }
                xmlFree(text);
                return;
        }
        vb_buf_puts(b, ">\n");
        vb_buf_indent(b, 2);
        for (xmlNodePtr c = n->children; c; c = c->next) {
                if (c->type == XML_ELEMENT_NODE)
                        fmt_node(b, c, false);
                else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
                         !is_blank(c->content)) {
                        /* text between elements: the indentation around it is ours */
                        _cleanup_free_ char *t = vb_strstrip(vb_strdup((const char *) c->content));
                        vb_buf_pad(b);
                        put_text(b, t);
                        vb_buf_puts(b, "\n");
                }
        }
        vb_buf_indent(b, -2);
        vb_buf_pad(b);
        vb_buf_printf(b, "</%s>\n", name);
}

void vb_dom_fmt_node(VbBuf *b, xmlNodePtr n) {
        fmt_node(b, n, true);
}

char *vb_dom_node_string(xmlNodePtr n) {
        VbBuf b = { 0 };
        vb_dom_fmt_node(&b, n);
        return vb_buf_steal(&b);
}

char *vb_dom_attrs_string(xmlNodePtr n, const char *const *skip) {
        VbBuf b = { 0 };
        fmt_attrs(&b, n, skip ? skip : (const char *const[]) { NULL });
        if (b.len == 0) {
                vb_buf_free(&b);
                return NULL;
        }
        return vb_buf_steal(&b);
}

char *vb_dom_children_string(xmlNodePtr n, const char *const *skip) {
        VbBuf b = { 0 };
        for (xmlNodePtr c = n->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (!c->ns && vb_dom_name_in((const char *) c->name, skip))
                        continue;
                vb_dom_fmt_node(&b, c);
        }
        if (b.len == 0) {
                vb_buf_free(&b);
                return NULL;
        }
        return vb_buf_steal(&b);
}

int vb_kept_add(VbKeptList *l, unsigned slot, char *xml) {
        VbKept *k = reallocarray(l->items, l->n + 1, sizeof(VbKept));
        if (!k) {
                free(xml);
                return -ENOMEM;
        }
        l->items = k;
        l->items[l->n++] = (VbKept) { .slot = slot, .xml = xml };
        return 0;
}

void vb_kept_emit(VbBuf *b, const VbKeptList *l, unsigned slot) {
        for (size_t i = 0; i < l->n; i++)
                if (l->items[i].slot == slot)
                        vb_buf_fragment(b, l->items[i].xml);
}

void vb_kept_clear(VbKeptList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->items[i].xml);
        free(l->items);
        *l = (VbKeptList) { 0 };
}

int vb_kept_copy(VbKeptList *dst, const VbKeptList *src) {
        *dst = (VbKeptList) { 0 };
        for (size_t i = 0; i < src->n; i++)
                if (vb_kept_add(dst, src->items[i].slot, vb_strdup(src->items[i].xml)) < 0)
                        return -ENOMEM;
        return 0;
}
