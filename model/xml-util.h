/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Safe XML input and libvirt-style XML output shared by every model. */
#include <libxml/tree.h>
#include <stdint.h>

#include "vb-error.h"

#define VB_XML_MAX_SIZE (1024 * 1024)    /* bytes of XML accepted from a caller */
#define VB_XML_MAX_ELEMENTS 20000        /* elements in one document */
#define VB_XML_MAX_DEPTH 64

/* Parse a caller's XML: size, DTD, entities, network and element count refused;
 * the root element must be @root. On failure, sets a libvirt-style XML error. */
int vb_xml_parse(const char *xml, const char *root, xmlDocPtr *ret, VbError *e);

/* Before parsing on more than one thread: libxml2's global setup, once, on the main
 * thread. A thread that parsed with vb_xml_parse() calls vb_xml_thread_done() before it
 * ends (frees the parser it kept). */
void vb_xml_init(void);
void vb_xml_thread_done(void);

/* Accessors on a node; returned strings are malloc'd (NULL when absent). */
char *vb_xml_prop(xmlNodePtr n, const char *name);
char *vb_xml_content(xmlNodePtr n);
xmlNodePtr vb_xml_child(xmlNodePtr n, const char *name);     /* first child element by name */
unsigned vb_xml_count_children(xmlNodePtr n, const char *name);
/* Copy a node verbatim (libxml's serialisation) into a string, for elements the
 * model does not know; it is formatted back unchanged. */
char *vb_xml_node_dump(xmlNodePtr n);

/* Numbers with libvirt's scaling units (b, KiB, k, MiB, M, GiB, ...). Result in @unit_out scale. */
int vb_xml_parse_scaled(const char *value, const char *unit, uint64_t scale_to,
                        uint64_t *ret);
int vb_xml_parse_uint(const char *s, unsigned long long max, unsigned long long *ret);

/* Output buffer with libvirt's formatting: two-space indentation, single-quoted
 * attributes, escaped text. Aborts on OOM (short internal strings). */
typedef struct VbBuf {
        char *data;
        size_t len, alloc;
        int indent;
} VbBuf;

void vb_buf_add(VbBuf *b, const char *s, size_t n);
void vb_buf_puts(VbBuf *b, const char *s);
void vb_buf_printf(VbBuf *b, const char *fmt, ...) _printf_(2, 3);
/* Like printf at the current indentation; %s arguments are NOT escaped. */
void vb_buf_line(VbBuf *b, const char *fmt, ...) _printf_(2, 3);
/* Escape for attribute values (single quotes) or text. */
void vb_buf_escape(VbBuf *b, const char *s);
/* The current indentation, to start a line built piece by piece. */
void vb_buf_pad(VbBuf *b);
/* " name='escaped value'", skipped when value is NULL. */
void vb_buf_attr(VbBuf *b, const char *name, const char *value);
/* <name>escaped text</name> at the current indent, skipped when text is NULL. */
void vb_buf_elem(VbBuf *b, const char *name, const char *text);
/* Add a pre-formatted XML fragment, re-indenting each line to the current indent. */
void vb_buf_fragment(VbBuf *b, const char *xml);
void vb_buf_indent(VbBuf *b, int delta);
char *vb_buf_steal(VbBuf *b);
void vb_buf_free(VbBuf *b);
static inline void vb_buf_freep(VbBuf *b) { vb_buf_free(b); }
#define _cleanup_vb_buf_ _cleanup_(vb_buf_freep)

/* UUIDs: libvirt accepts 32 hex digits with '-' anywhere between them. */
int vb_uuid_parse(const char *s, uint8_t ret[16]);
void vb_uuid_format(const uint8_t uuid[16], char ret[37]);
/* <uuid>…</uuid> on a line of its own. */
void vb_buf_uuid(VbBuf *b, const uint8_t uuid[16]);
void vb_uuid_generate(uint8_t ret[16]);
bool vb_uuid_is_null(const uint8_t uuid[16]);

/* Object names: non-empty, no '/', at most 255 bytes, valid UTF-8 without control chars. */
int vb_name_validate(const char *name, const char *what, VbError *e);
/* MAC "aa:bb:cc:dd:ee:ff" (case-insensitive). Normalised lower-case into ret. */
int vb_mac_parse(const char *s, char ret[18]);
