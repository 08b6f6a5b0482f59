/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Host interface definition (<interface> of virInterface, not the domain device). */
#include <stdint.h>

#include "vb-error.h"

typedef struct VbIfaceIp {
        char *address;
        unsigned prefix;        /* 0 = not given */
} VbIfaceIp;

typedef struct VbIfaceProtocol {
        char *family;           /* ipv4, ipv6 */
        bool dhcp;
        char *dhcp_peerdns;     /* yes/no/NULL */
        bool autoconf;          /* ipv6 <autoconf/> */
        VbIfaceIp *ips;
        size_t n_ips;
        char *gateway;          /* <route gateway=> */
} VbIfaceProtocol;

typedef struct VbInterfaceDef {
        char *type;             /* ethernet, bridge, bond, vlan */
        char *name;
        char *start_mode;       /* onboot, none, hotplug; NULL = not given */
        char *mac;              /* normalised */
        unsigned mtu;           /* 0 = not given */
        char *link_xml;         /* <link>, kept */
        VbIfaceProtocol *protocols;
        size_t n_protocols;
        char *sub_xml;          /* <bridge>, <bond>, <vlan> with their member interfaces, kept */
} VbInterfaceDef;

int vb_iface_def_parse(const char *xml, unsigned flags, VbInterfaceDef **ret, VbError *e);
char *vb_iface_def_format(const VbInterfaceDef *def, unsigned flags);
VbInterfaceDef *vb_iface_def_copy(const VbInterfaceDef *def);
VbInterfaceDef *vb_iface_def_free(VbInterfaceDef *def);
DEFINE_TRIVIAL_CLEANUP_FUNC(VbInterfaceDef *, vb_iface_def_free);
