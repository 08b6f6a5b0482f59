/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Network filter definition (<filter>): name, uuid, chain, priority; rules and filter
 * references are kept verbatim, in order. */
#include <stdint.h>

#include "vb-error.h"

typedef struct VbNWFilterDef {
        char *name;
        uint8_t uuid[16];       /* generated when absent */
        char *chain;            /* root, mac, vlan, stp, arp, rarp, ipv4, ipv6 or <proto>-<suffix> */
        int priority;           /* chain default when not given */
        char *rules_xml;        /* <rule> and <filterref> elements, kept in order */
} VbNWFilterDef;

int vb_nwfilter_def_parse(const char *xml, unsigned flags, VbNWFilterDef **ret, VbError *e);
char *vb_nwfilter_def_format(const VbNWFilterDef *def, unsigned flags);
VbNWFilterDef *vb_nwfilter_def_copy(const VbNWFilterDef *def);
VbNWFilterDef *vb_nwfilter_def_free(VbNWFilterDef *def);
DEFINE_TRIVIAL_CLEANUP_FUNC(VbNWFilterDef *, vb_nwfilter_def_free);
