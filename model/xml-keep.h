/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Helpers shared by the non-domain models: elements a model does not interpret are
 * kept as strings in libvirt's layout (2-space indent, single-quoted attributes)
 * and emitted back unchanged; small parse helpers for attributes and numbers. */
#include <libxml/tree.h>
#include <stdint.h>

#include "xml-util.h"

/* Serialise @n (element) libvirt-style at indent 0, one element per line, ending
 * with a newline. Whitespace-only text and comments are dropped. */
char *vb_xml_keep(xmlNodePtr n);
/* Append the kept form of @n to *list (a concatenation of kept elements). */
void vb_xml_keep_append(char **list, xmlNodePtr n);
/* Inner content of @n (its element children), kept; NULL when it has none. */
char *vb_xml_keep_children(xmlNodePtr n);
/* Escaped text. Line breaks become character references so that vb_buf_fragment()
 * can re-indent a kept fragment line by line without touching its content; in
 * attribute values (@attr) tabs do too, as a parser would turn a literal one into a space. */
void vb_xml_keep_text(VbBuf *b, const char *s, bool attr);

/* The parse every non-domain model does: @xml through vb_xml_parse() with root element
 * @root, then @parse_root on that element with @flags, filling @def (the caller's, zeroed,
 * which it frees on failure). */
typedef int (*VbXmlRootParser)(xmlNodePtr root, unsigned flags, void *def, VbError *e);
int vb_xml_parse_def(const char *xml, const char *root, VbXmlRootParser parse_root,
                     unsigned flags, void *def, VbError *e);

/* Defines "int fn(const char *xml, unsigned flags, Type **ret, VbError *e)": the public
 * parse of a model whose flags need no check of their own, by vb_xml_parse_def() into a
 * new zeroed Type that freep frees on failure. */
#define VB_XML_DEFINE_PARSE(fn, Type, freep, root, parse_root)                                  \
        int fn(const char *xml, unsigned flags, Type **ret, VbError *e) {                       \
                _cleanup_(freep) Type *def = vb_calloc(1, sizeof(*def));                        \
                int r = vb_xml_parse_def(xml, root, parse_root, flags, def, e);                 \
                if (r < 0)                                                                      \
                        return r;                                                               \
                *ret = TAKE_PTR(def);                                                           \
                return 0;                                                                       \
        }

/* Element helpers */
static inline bool vb_xml_is(xmlNodePtr n, const char *name) {
        return n && n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);
}
/* Text of the first child element @name of @n, trimmed; NULL when absent. */
char *vb_xml_child_text(xmlNodePtr n, const char *name);
/* "yes"/"no" (and "on"/"off" when @onoff): 1, 0; -EINVAL otherwise. */
int vb_xml_parse_bool(const char *s, bool onoff);
/* Strings arrays (NULL-terminated) */
char **vb_strv_copy(char *const *v);
void vb_strv_free(char **v);
size_t vb_strv_length(char *const *v);
void vb_strv_push(char ***v, const char *s);
/* Trim leading/trailing whitespace in place, returns s. */
char *vb_strstrip(char *s);
/* Address helpers for the network/interface models. */
int vb_ip_family(const char *addr);           /* AF_INET, AF_INET6 or -EINVAL */
int vb_ipv4_parse(const char *addr, uint32_t *ret);   /* host byte order */
int vb_netmask_prefix(const char *netmask);   /* -EINVAL when not contiguous */
