/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/random.h>

#include "xml-util.h"

static unsigned count_elements(xmlNodePtr n, unsigned depth, bool *too_deep) {
        unsigned c = 0;
        if (depth > VB_XML_MAX_DEPTH) {
                *too_deep = true;
                return 0;
        }
        for (xmlNodePtr k = n; k; k = k->next)
                if (k->type == XML_ELEMENT_NODE) {
                        c++;
                        if (c > VB_XML_MAX_ELEMENTS)
                                return c;
                        c += count_elements(k->children, depth + 1, too_deep);
                }
        return c;
}

/* One parser context per thread, reused from document to document: a new one (with its
 * dictionary and its stacks) costs about as much as parsing a small domain does, and a
 * daemon starting with thousands of configs parses them back to back (the QEMU driver on
 * worker threads). The dictionary keeps the element and attribute names (and short or blank
 * texts) of every document parsed with it, which callers choose, so the context is dropped
 * once it holds more than PARSER_DICT_MAX of them: memory stays bounded, a config dir of
 * ordinary domains never gets there. */
#define PARSER_DICT_MAX 4096
static _Thread_local xmlParserCtxtPtr cached_parser;

void vb_xml_init(void) {
        xmlInitParser();
}

void vb_xml_thread_done(void) {
        xmlFreeParserCtxt(TAKE_PTR(cached_parser));
}

static xmlParserCtxtPtr parser_get(void) {
        return TAKE_PTR(cached_parser) ?: xmlNewParserCtxt();
}

static void parser_put(xmlParserCtxtPtr ctxt) {
        if (cached_parser || !ctxt->dict || xmlDictSize(ctxt->dict) > PARSER_DICT_MAX) {
                xmlFreeParserCtxt(ctxt);
                return;
        }
        /* xmlCtxtReadMemory() resets it before use; drop the last document's input now */
        xmlCtxtReset(ctxt);
        cached_parser = ctxt;
}

/* Blanks appended to every document. libxml2 2.9 asks its memory input for more data
 * whenever fewer than 250 bytes (INPUT_CHUNK) are left, i.e. all through the last 250 bytes
 * of a document, and each of those futile reads cost a small domain config a quarter of
 * its whole parse. Blanks after the root element are allowed (Misc) and make no node, so
 * with them the lookahead never runs short inside the document; errors and their line
 * numbers are the same. (A static input buffer would avoid the copy, but 2.9 reports
 * "Premature end of data" for one longer than 500 bytes.) */
#define PARSE_PAD 256

static xmlDocPtr parse_padded(xmlParserCtxtPtr ctxt, const char *xml, size_t len) {
        _cleanup_free_ char *buf = malloc(len + PARSE_PAD + 1);
        xmlDocPtr doc;

        if (!buf)
                return NULL;
        memcpy(buf, xml, len);
        memset(buf + len, ' ', PARSE_PAD);
        buf[len + PARSE_PAD] = 0;
        /* no URL: nothing reads doc->URL, and setting it parses it as a URI. COMPACT keeps
         * short texts inside their node (fewer allocations). */
        doc = xmlCtxtReadMemory(ctxt, buf, (int) (len + PARSE_PAD), NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR |
                                XML_PARSE_NOCDATA | XML_PARSE_COMPACT);
        return doc;
}

static int parse_error(xmlParserCtxtPtr ctxt, VbError *e) {
        const xmlError *err = xmlCtxtGetLastError(ctxt);
        _cleanup_free_ char *m = NULL;
        size_t l;

        if (!err || !err->message)
                return vb_error_set(e, VB_ERR_XML_ERROR, "failed to parse document");
        m = vb_strdup(err->message);
        l = strlen(m);
        while (l > 0 && (m[l - 1] == '\n' || m[l - 1] == ' '))
                m[--l] = 0;
        return vb_error_set(e, VB_ERR_XML_DETAIL, "line %d: %s", err->line, m);
}

static int check_doc(xmlDocPtr doc, const char *root, VbError *e) {
        xmlNodePtr r = xmlDocGetRootElement(doc);
        bool too_deep = false;

        if (!r)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing root element");
        if (doc->intSubset || doc->extSubset)
                return vb_error_set(e, VB_ERR_XML_ERROR, "DTDs and entities are not allowed");
        if (root && !xmlStrEqual(r->name, BAD_CAST root))
                return vb_error_set(e, VB_ERR_XML_ERROR, "unexpected root element <%s>, expecting <%s>",
                                    (const char *) r->name, root);
        if (count_elements(r, 0, &too_deep) > VB_XML_MAX_ELEMENTS || too_deep)
                return vb_error_set(e, VB_ERR_XML_ERROR, "document too complex");
        return 0;
}

int vb_xml_parse(const char *xml, const char *root, xmlDocPtr *ret, VbError *e) {
        xmlParserCtxtPtr ctxt;
        xmlDocPtr doc;
        size_t len;
        int r;

        if (!xml || !*xml)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing XML document");
        len = strnlen(xml, VB_XML_MAX_SIZE + 1);
        if (len > VB_XML_MAX_SIZE)
                return vb_error_set(e, VB_ERR_XML_ERROR, "document too large: more than %d bytes",
                                    VB_XML_MAX_SIZE);
        /* Reject DTDs outright: no internal subsets means no entity definitions,
         * hence no billion-laughs; external ones are never fetched (NONET). */
        if (strstr(xml, "<!DOCTYPE") || strstr(xml, "<!ENTITY"))
                return vb_error_set(e, VB_ERR_XML_ERROR, "DTDs and entities are not allowed");

        ctxt = parser_get();
        if (!ctxt)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        doc = parse_padded(ctxt, xml, len);
        r = doc ? 0 : parse_error(ctxt, e);
        parser_put(ctxt);
        if (r < 0)
                return r;
        r = check_doc(doc, root, e);
        if (r < 0) {
                xmlFreeDoc(doc);
                return r;
        }
        *ret = doc;
        return 0;
}

/* The text of @children when it is a single text node (or nothing: ""), NULL otherwise.
 * The common case of an attribute or a leaf element, without the growable buffer
 * xmlNodeGetContent() and xmlGetNoNsProp() build for every value. */
static const char *single_text(xmlNodePtr children) {
        if (!children)
                return "";
        if (children->type == XML_TEXT_NODE && !children->next && children->content)
                return (const char *) children->content;
        return NULL;
}

char *vb_xml_prop(xmlNodePtr n, const char *name) {
        xmlChar *v;
        char *r;
        if (!n)
                return NULL;
        if (n->type == XML_ELEMENT_NODE)
                for (xmlAttrPtr a = n->properties; a; a = a->next)
                        if (!a->ns && xmlStrEqual(a->name, BAD_CAST name)) {
                                const char *t = single_text(a->children);
                                if (t)
                                        return vb_strdup(t);
                                break;
                        }
        v = xmlGetNoNsProp(n, BAD_CAST name);
        if (!v)
                return NULL;
        r = vb_strdup((const char *) v);
        xmlFree(v);
        return r;
}

char *vb_xml_content(xmlNodePtr n) {
        const char *t;
        xmlChar *v;
        char *r;
        if (!n)
                return NULL;
        t = n->type == XML_ELEMENT_NODE ? single_text(n->children) : NULL;
        if (t)
                return vb_strdup(t);
        v = xmlNodeGetContent(n);
        if (!v)
                return NULL;
        r = vb_strdup((const char *) v);
        xmlFree(v);
        return r;
}

xmlNodePtr vb_xml_child(xmlNodePtr n, const char *name) {
        if (!n)
                return NULL;
        for (xmlNodePtr c = n->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST name))
                        return c;
        return NULL;
}

unsigned vb_xml_count_children(xmlNodePtr n, const char *name) {
        unsigned k = 0;
        if (!n)
                return 0;
        for (xmlNodePtr c = n->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST name))
                        k++;
        return k;
}

char *vb_xml_node_dump(xmlNodePtr n) {
        xmlBufferPtr buf = xmlBufferCreate();
        char *r;
        if (!buf)
                return NULL;
        if (xmlNodeDump(buf, n->doc, n, 0, 0) < 0) {
                xmlBufferFree(buf);
                return NULL;
        }
        r = vb_strdup((const char *) xmlBufferContent(buf));
        xmlBufferFree(buf);
        return r;
}

int vb_xml_parse_uint(const char *s, unsigned long long max, unsigned long long *ret) {
        char *end;
        unsigned long long v;
        if (!s || !*s || !isdigit((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || *end || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

static int unit_scale(const char *unit, uint64_t *ret) {
        static const struct { const char *name; uint64_t f; } u[] = {
                { "b", 1 }, { "bytes", 1 },
                { "KB", 1000ULL }, { "k", 1024ULL }, { "KiB", 1024ULL },
                { "MB", 1000000ULL }, { "M", 1ULL << 20 }, { "MiB", 1ULL << 20 },
                { "GB", 1000000000ULL }, { "G", 1ULL << 30 }, { "GiB", 1ULL << 30 },
                { "TB", 1000000000000ULL }, { "T", 1ULL << 40 }, { "TiB", 1ULL << 40 },
                { "PB", 1000000000000000ULL }, { "P", 1ULL << 50 }, { "PiB", 1ULL << 50 },
                { "EB", 1000000000000000000ULL }, { "E", 1ULL << 60 }, { "EiB", 1ULL << 60 },
        };
        for (size_t i = 0; i < ELEMENTSOF(u); i++)
                if (streq(unit, u[i].name)) {
                        *ret = u[i].f;
                        return 0;
                }
        return -EINVAL;
}

int vb_xml_parse_scaled(const char *value, const char *unit, uint64_t scale_to, uint64_t *ret) {
        unsigned long long v;
        uint64_t f;
        int r;

        r = vb_xml_parse_uint(value, UINT64_MAX, &v);
        if (r < 0)
                return r;
        if (!unit || !*unit)
                f = scale_to;
        else if (unit_scale(unit, &f) < 0)
                return -EINVAL;
        if (f != 0 && v > UINT64_MAX / f)
                return -ERANGE;
        v *= f;
        /* libvirt rounds up to the target unit */
        *ret = (v + scale_to - 1) / scale_to;
        return 0;
}

static void buf_grow(VbBuf *b, size_t need) {
        if (b->len + need + 1 <= b->alloc)
                return;
        size_t n = b->alloc ? b->alloc * 2 : 256;
        while (n < b->len + need + 1)
                n *= 2;
        char *d = realloc(b->data, n);
        if (!d)
                abort();
        b->data = d;
        b->alloc = n;
}

void vb_buf_add(VbBuf *b, const char *s, size_t n) {
        buf_grow(b, n);
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = 0;
}

void vb_buf_puts(VbBuf *b, const char *s) {
        vb_buf_add(b, s, strlen(s));
}

static void buf_vsnprintf(VbBuf *b, const char *fmt, va_list ap) {
        va_list ap2;
        int n;
        va_copy(ap2, ap);
        buf_grow(b, 64);
        n = vsnprintf(b->data + b->len, b->alloc - b->len, fmt, ap2);
        va_end(ap2);
        if (n < 0)
                abort();
        if ((size_t) n >= b->alloc - b->len) {
                buf_grow(b, (size_t) n);
                vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
        }
        b->len += (size_t) n;
}

static void buf_unsigned(VbBuf *b, unsigned long long v, bool neg) {
        char d[24], *p = d + sizeof(d);
        do
                *--p = (char) ('0' + v % 10);
        while ((v /= 10) > 0);
        if (neg)
                *--p = '-';
        vb_buf_add(b, p, (size_t) (d + sizeof(d) - p));
}

static void buf_signed(VbBuf *b, long long v) {
        buf_unsigned(b, v < 0 ? -(unsigned long long) v : (unsigned long long) v, v < 0);
}

/* Formatting a domain is hundreds of these calls; vsnprintf costs ~10x a copy
 * for the literal text, %s and integers that make up nearly all of them. Those
 * are done here; anything else (width, hex, ...) goes to vsnprintf from there on. */
static void buf_vprintf(VbBuf *b, const char *fmt, va_list ap) {
        const char *p = fmt;

        for (;;) {
                const char *pct = strchr(p, '%');
                int len = 0;    /* 0: int, 1: long, 2: long long, 3: size_t */

                if (!pct) {
                        vb_buf_puts(b, p);
                        return;
                }
                vb_buf_add(b, p, (size_t) (pct - p));
                p = pct + 1;
                if (*p == 'z')
                        len = 3, p++;
                else
                        while (*p == 'l' && len < 2)
                                len++, p++;
                if (*p == 's' && len == 0) {
                        const char *a = va_arg(ap, const char *);
                        vb_buf_puts(b, a ? a : "(null)");
                } else if (*p == '%' && len == 0)
                        vb_buf_add(b, "%", 1);
                else if (*p == 'd' && len < 3)
                        buf_signed(b, len == 0 ? va_arg(ap, int) :
                                      len == 1 ? va_arg(ap, long) : va_arg(ap, long long));
                else if (*p == 'u')
                        buf_unsigned(b, len == 0 ? va_arg(ap, unsigned) :
                                        len == 1 ? va_arg(ap, unsigned long) :
                                        len == 2 ? va_arg(ap, unsigned long long) : va_arg(ap, size_t),
                                     false);
                else {
                        buf_vsnprintf(b, pct, ap);
                        return;
                }
                p++;
        }
}

void vb_buf_printf(VbBuf *b, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        buf_vprintf(b, fmt, ap);
        va_end(ap);
}

void vb_buf_pad(VbBuf *b) {
        buf_grow(b, (size_t) b->indent);
        memset(b->data + b->len, ' ', (size_t) b->indent);
        b->len += (size_t) b->indent;
        b->data[b->len] = 0;
}

void vb_buf_line(VbBuf *b, const char *fmt, ...) {
        va_list ap;
        vb_buf_pad(b);
        va_start(ap, fmt);
        buf_vprintf(b, fmt, ap);
        va_end(ap);
        vb_buf_add(b, "\n", 1);
}

void vb_buf_escape(VbBuf *b, const char *s) {
        while (s && *s) {
                size_t n = strcspn(s, "<>&'\"");   /* plain runs in one copy */
                vb_buf_add(b, s, n);
                s += n;
                switch (*s) {
                case '<': vb_buf_puts(b, "&lt;"); break;
                case '>': vb_buf_puts(b, "&gt;"); break;
                case '&': vb_buf_puts(b, "&amp;"); break;
                case '\'': vb_buf_puts(b, "&apos;"); break;
                case '"': vb_buf_puts(b, "&quot;"); break;
                default: return;
                }
                s++;
        }
}

void vb_buf_attr(VbBuf *b, const char *name, const char *value) {
        if (!value)
                return;
        vb_buf_printf(b, " %s='", name);
        vb_buf_escape(b, value);
        vb_buf_puts(b, "'");
}

void vb_buf_elem(VbBuf *b, const char *name, const char *text) {
        if (!text)
                return;
        vb_buf_pad(b);
        vb_buf_add(b, "<", 1);
        vb_buf_puts(b, name);
        vb_buf_add(b, ">", 1);
        vb_buf_escape(b, text);
        vb_buf_add(b, "</", 2);
        vb_buf_puts(b, name);
        vb_buf_add(b, ">\n", 2);
}

void vb_buf_fragment(VbBuf *b, const char *xml) {
        const char *p = xml;
        while (p && *p) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t) (nl - p) : strlen(p);
                /* keep relative indentation of the fragment's own lines */
                if (n > 0) {
                        vb_buf_pad(b);
                        vb_buf_add(b, p, n);
                }
                vb_buf_add(b, "\n", 1);
                p = nl ? nl + 1 : p + n;
        }
}

void vb_buf_indent(VbBuf *b, int delta) {
        b->indent += delta;
        if (b->indent < 0)
                b->indent = 0;
}

char *vb_buf_steal(VbBuf *b) {
        char *r = b->data ? b->data : vb_strdup("");
        *b = (VbBuf) { 0 };
        return r;
}

void vb_buf_free(VbBuf *b) {
        free(b->data);
        *b = (VbBuf) { 0 };
}

static int hexval(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
}

int vb_uuid_parse(const char *s, uint8_t ret[16]) {
        uint8_t u[16];
        size_t i = 0;
        if (!s)
                return -EINVAL;
        while (*s == ' ')
                s++;
        while (i < 16) {
                int hi, lo;
                if (*s == '-') { s++; continue; }
                hi = hexval(s[0]);
                if (hi < 0) return -EINVAL;
                lo = hexval(s[1]);
                if (lo < 0) return -EINVAL;
                u[i++] = (uint8_t) (hi << 4 | lo);
                s += 2;
        }
        while (*s == ' ')
                s++;
        if (*s)
                return -EINVAL;
        memcpy(ret, u, 16);
        return 0;
}

void vb_uuid_format(const uint8_t u[16], char ret[37]) {
        /* on every path and polkit check: a table, not snprintf */
        static const char hex[] = "0123456789abcdef";
        char *p = ret;
        for (int i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                        *p++ = '-';
                *p++ = hex[u[i] >> 4];
                *p++ = hex[u[i] & 15];
        }
        *p = 0;
}

void vb_buf_uuid(VbBuf *b, const uint8_t uuid[16]) {
        char s[37];

        vb_uuid_format(uuid, s);
        vb_buf_line(b, "<uuid>%s</uuid>", s);
}

void vb_uuid_generate(uint8_t ret[16]) {
        size_t got = 0;
        while (got < 16) {
                ssize_t n = getrandom(ret + got, 16 - got, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        abort();
                }
                got += (size_t) n;
        }
        ret[6] = (ret[6] & 0x0f) | 0x40;  /* version 4 */
        ret[8] = (ret[8] & 0x3f) | 0x80;  /* RFC 4122 variant */
}

bool vb_uuid_is_null(const uint8_t u[16]) {
        for (int i = 0; i < 16; i++)
                if (u[i])
                        return false;
        return true;
}

int vb_name_validate(const char *name, const char *what, VbError *e) {
        if (!name || !*name)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing %s name", what);
        if (strlen(name) > 255)
                return vb_error_set(e, VB_ERR_XML_ERROR, "%s name '%.32s...' is too long", what, name);
        if (strchr(name, '/'))
                return vb_error_set(e, VB_ERR_XML_ERROR, "name %s cannot contain '/'", name);
        for (const unsigned char *p = (const unsigned char *) name; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return vb_error_set(e, VB_ERR_XML_ERROR,
                                            "%s name contains control characters", what);
        if (!xmlCheckUTF8(BAD_CAST name))
                return vb_error_set(e, VB_ERR_XML_ERROR, "%s name is not valid UTF-8", what);
        return 0;
}

int vb_mac_parse(const char *s, char ret[18]) {
        char out[18];
        if (!s || strlen(s) != 17)
                return -EINVAL;
        for (int i = 0; i < 17; i++) {
                if (i % 3 == 2) {
                        if (s[i] != ':')
                                return -EINVAL;
                        out[i] = ':';
                } else {
                        if (hexval(s[i]) < 0)
                                return -EINVAL;
                        out[i] = (char) tolower((unsigned char) s[i]);
                }
        }
        out[17] = 0;
        memcpy(ret, out, 18);
        return 0;
}
