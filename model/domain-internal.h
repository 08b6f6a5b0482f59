/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Shared between domain.c, domain-devices.c and domain-kept.c; not for other layers. */
#include <libxml/tree.h>

#include "domain.h"
#include "xml-util.h"

/* An element the model keeps without structuring it: its libvirt-style text and the
 * position (slot) it is formatted at inside its parent. */
typedef struct VbKept {
        unsigned slot;
        char *xml;
} VbKept;

typedef struct VbKeptList {
        VbKept *items;
        size_t n;
} VbKeptList;

struct VbDomainDefPrivate {
        char **root_ns;             /* "prefix", "href" pairs declared on <domain>, NULL-terminated */
        VbKeptList top;             /* top-level elements kept, slot = position in libvirt's order */
        char *os_attrs;             /* <os firmware='efi'> ... */
        char *os_type_extra;        /* other <type> attributes */
        VbKeptList os;              /* <os> children kept (loader, nvram, bootmenu, smbios...) */
        bool features_present;
        VbKeptList features;        /* slot = libvirt's feature order */
        char *cpu_match, *cpu_check, *cpu_migratable, *cpu_extra_attrs;
        char *cpu_model_attrs;      /* attributes of <model> (fallback, vendor_id) */
        VbKeptList cpu;             /* other <cpu> children */
        bool cpu_present;
        char *clock_attrs;          /* <clock> attributes other than offset */
        char *clock_body;
        char *devices_attrs;        /* attributes of <devices> itself (none in libvirt) */
        bool device_boot;           /* parse state: a device has <boot order=''/> */
};

/* domain-kept.c: generic libvirt-style serialisation of elements the model keeps. */
/* Format @n and its subtree: one element per line, 2-space indent, attributes in
 * single quotes, <address> normalised. Blank text between elements is dropped. */
void vb_dom_fmt_node(VbBuf *b, xmlNodePtr n);
char *vb_dom_node_string(xmlNodePtr n);
/* " a='v' b='w'" for the attributes of @n not named in @skip (NULL-terminated, may be
 * NULL); NULL when there are none. */
char *vb_dom_attrs_string(xmlNodePtr n, const char *const *skip);
/* Child elements of @n not named in @skip, formatted at indent 0; NULL when none. */
char *vb_dom_children_string(xmlNodePtr n, const char *const *skip);
bool vb_dom_is_name(xmlNodePtr n, const char *name);   /* element named @name, no namespace */
char *vb_dom_qname(xmlNodePtr n);                      /* prefix:name */
bool vb_dom_name_in(const char *name, const char *const *list);

int vb_kept_add(VbKeptList *l, unsigned slot, char *xml);   /* takes @xml */
void vb_kept_emit(VbBuf *b, const VbKeptList *l, unsigned slot);
void vb_kept_clear(VbKeptList *l);
int vb_kept_copy(VbKeptList *dst, const VbKeptList *src);
/* Index of @name in @order (NULL-terminated), or its length when absent. */
unsigned vb_dom_slot(const char *const *order, const char *name);

/* domain-devices.c */
int vb_domain_devices_parse(VbDomainDef *def, xmlNodePtr devices, unsigned flags,
                            bool *ret_device_boot, VbError *e);
int vb_domain_devices_post_parse(VbDomainDef *def, VbError *e);
void vb_domain_devices_format(VbBuf *b, const VbDomainDef *def, unsigned flags);
void vb_domain_disk_clear(VbDomainDisk *d);
void vb_domain_net_clear(VbDomainNet *n);
void vb_domain_device_clear(VbDomainDevice *d);
void vb_domain_graphics_clear(VbDomainGraphics *g);
int vb_domain_devices_copy(VbDomainDef *dst, const VbDomainDef *src);
