/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <ctype.h>
#include <sys/socket.h>

#include "xml-keep.h"

static bool text_is_blank(const xmlChar *s) {
        for (; s && *s; s++)
                if (!isspace(*s))
                        return false;
        return true;
}

void vb_xml_keep_text(VbBuf *b, const char *s, bool attr) {
        const char *breaks = attr ? "\n\r\t" : "\n\r";

        while (s && *s) {
                size_t n = strcspn(s, breaks);
                if (n > 0) {
                        _cleanup_free_ char *part = strndup(s, n);
                        if (!part)
                                abort();
                        vb_buf_escape(b, part);
                }
                s += n;
                if (*s) {
                        vb_buf_puts(b, *s == '\n' ? "&#10;" : *s == '\r' ? "&#13;" : "&#9;");
                        s++;
                }
        }
}

static void keep_name(VbBuf *b, xmlNodePtr n) {
        if (n->ns && n->ns->prefix)
                vb_buf_printf(b, "%s:", (const char *) n->ns->prefix);
        vb_buf_puts(b, (const char *) n->name);
}

/* libxml2 (without XML_PARSE_NOENT) keeps an '&' of an attribute value as the text
 * "&#38;", to be decoded by xmlNodeListGetString(); namespace URIs never are, so a
 * declaration's href still holds it. Decoded here, or each save would escape it again. */
static char *ns_href(const xmlChar *href) {
        static const char amp[] = "&#38;";
        char *r = vb_strdup((const char *) href), *p = r;

        while (p && (p = strstr(p, amp))) {
                memmove(p + 1, p + strlen(amp), strlen(p + strlen(amp)) + 1);
                p++;
        }
        return r;
}

static void keep_attrs(VbBuf *b, xmlNodePtr n) {
        for (xmlNsPtr ns = n->nsDef; ns; ns = ns->next) {
                _cleanup_free_ char *href = ns_href(ns->href);
                vb_buf_puts(b, ns->prefix ? " xmlns:" : " xmlns");
                if (ns->prefix)
                        vb_buf_puts(b, (const char *) ns->prefix);
                vb_buf_puts(b, "='");
                vb_xml_keep_text(b, href, true);
                vb_buf_puts(b, "'");
        }
        for (xmlAttrPtr a = n->properties; a; a = a->next) {
                xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
                vb_buf_puts(b, " ");
                if (a->ns && a->ns->prefix)
                        vb_buf_printf(b, "%s:", (const char *) a->ns->prefix);
                vb_buf_printf(b, "%s='", (const char *) a->name);
                vb_xml_keep_text(b, (const char *) v, true);
                vb_buf_puts(b, "'");
                xmlFree(v);
        }
}

static void keep_node(VbBuf *b, xmlNodePtr n) {
        bool has_elem = false;
        xmlChar *text = NULL;

        for (xmlNodePtr c = n->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE)
                        has_elem = true;
        vb_buf_pad(b);
        vb_buf_puts(b, "<");
        keep_name(b, n);
        keep_attrs(b, n);
        if (!has_elem) {
                text = xmlNodeGetContent(n);
                if (!text || !*text) {
                        vb_buf_puts(b, "/>\n");
                } else {
                        vb_buf_puts(b, ">");
                        vb_xml_keep_text(b, (const char *) text, false);
                        vb_buf_puts(b, "</");
                        keep_name(b, n);
                        vb_buf_puts(b, ">\n");
                }
                xmlFree(text);
                return;
        }
        vb_buf_puts(b, ">\n");
        vb_buf_indent(b, 2);
        for (xmlNodePtr c = n->children; c; c = c->next) {
                if (c->type == XML_ELEMENT_NODE)
                        keep_node(b, c);
                else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
                         !text_is_blank(c->content)) {
                        /* text between elements: the indentation around it is ours */
                        _cleanup_free_ char *t = vb_strstrip(vb_strdup((const char *) c->content));
                        vb_buf_pad(b);
                        vb_xml_keep_text(b, t, false);
                        vb_buf_puts(b, "\n");
                }
        }
        vb_buf_indent(b, -2);
        vb_buf_pad(b);
        vb_buf_puts(b, "</");
        keep_name(b, n);
        vb_buf_puts(b, ">\n");
}

char *vb_xml_keep(xmlNodePtr n) {
        VbBuf b = { 0 };
        if (!n || n->type != XML_ELEMENT_NODE)
                return NULL;
        keep_node(&b, n);
        return vb_buf_steal(&b);
}

void vb_xml_keep_append(char **list, xmlNodePtr n) {
        _cleanup_free_ char *k = vb_xml_keep(n);
        char *joined;
        if (!k)
                return;
        joined = vb_strdupf("%s%s", strempty(*list), k);
        free(*list);
        *list = joined;
}

char *vb_xml_keep_children(xmlNodePtr n) {
        char *r = NULL;
        for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE)
                        vb_xml_keep_append(&r, c);
        return r;
}

int vb_xml_parse_def(const char *xml, const char *root, VbXmlRootParser parse_root,
                     unsigned flags, void *def, VbError *e) {
        xmlDocPtr doc = NULL;
        int r = vb_xml_parse(xml, root, &doc, e);

        if (r < 0)
                return r;
        r = parse_root(xmlDocGetRootElement(doc), flags, def, e);
        xmlFreeDoc(doc);
        return r;
}

char *vb_strstrip(char *s) {
        size_t l;
        char *p = s;
        if (!s)
                return NULL;
        while (isspace((unsigned char) *p))
                p++;
        l = strlen(p);
        while (l > 0 && isspace((unsigned char) p[l - 1]))
                l--;
        memmove(s, p, l);
        s[l] = 0;
        return s;
}

char *vb_xml_child_text(xmlNodePtr n, const char *name) {
        xmlNodePtr c = vb_xml_child(n, name);
        if (!c)
                return NULL;
        return vb_strstrip(vb_xml_content(c));
}

int vb_xml_parse_bool(const char *s, bool onoff) {
        if (!s)
                return -EINVAL;
        if (streq(s, "yes") || (onoff && streq(s, "on")))
                return 1;
        if (streq(s, "no") || (onoff && streq(s, "off")))
                return 0;
        return -EINVAL;
}

size_t vb_strv_length(char *const *v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

char **vb_strv_copy(char *const *v) {
        size_t n = vb_strv_length(v);
        char **r;
        if (!v)
                return NULL;
        r = vb_calloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                r[i] = vb_strdup(v[i]);
        return r;
}

void vb_strv_free(char **v) {
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

void vb_strv_push(char ***v, const char *s) {
        size_t n = vb_strv_length(*v);
        char **r = realloc(*v, (n + 2) * sizeof(char *));
        if (!r)
                abort();
        r[n] = vb_strdup(s);
        r[n + 1] = NULL;
        *v = r;
}

int vb_ip_family(const char *addr) {
        unsigned char buf[sizeof(struct in6_addr)];
        if (!addr)
                return -EINVAL;
        if (inet_pton(AF_INET, addr, buf) == 1)
                return AF_INET;
        if (inet_pton(AF_INET6, addr, buf) == 1)
                return AF_INET6;
        return -EINVAL;
}

int vb_ipv4_parse(const char *addr, uint32_t *ret) {
        struct in_addr a;
        if (!addr || inet_pton(AF_INET, addr, &a) != 1)
                return -EINVAL;
        *ret = ntohl(a.s_addr);
        return 0;
}

int vb_netmask_prefix(const char *netmask) {
        uint32_t m;
        int p = 0;
        if (vb_ipv4_parse(netmask, &m) < 0)
                return -EINVAL;
        while (p < 32 && (m & (1u << (31 - p))))
                p++;
        if (p < 32 && (m << p) != 0)
                return -EINVAL;
        return p;
}
