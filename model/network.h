/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Virtual network definition: libvirt's <network> XML, parsed and formatted back in
 * libvirt's layout, plus virNetworkUpdate semantics. Pure data. */
#include <stdint.h>

#include "vb-error.h"

/* Forward modes, values equal to libvirt's virNetworkForwardType */
typedef enum VbNetForwardMode {
        VB_NET_FORWARD_NONE = 0,
        VB_NET_FORWARD_NAT,
        VB_NET_FORWARD_ROUTE,
        VB_NET_FORWARD_OPEN,
        VB_NET_FORWARD_BRIDGE,
        VB_NET_FORWARD_PRIVATE,
        VB_NET_FORWARD_VEPA,
        VB_NET_FORWARD_PASSTHROUGH,
        VB_NET_FORWARD_HOSTDEV,
        _VB_NET_FORWARD_MAX,
} VbNetForwardMode;

/* virNetworkUpdateCommand / virNetworkUpdateSection values */
enum {
        VB_NET_UPDATE_COMMAND_MODIFY = 1,
        VB_NET_UPDATE_COMMAND_DELETE = 2,
        VB_NET_UPDATE_COMMAND_ADD_LAST = 3,
        VB_NET_UPDATE_COMMAND_ADD_FIRST = 4,
};
enum {
        VB_NET_SECTION_BRIDGE = 1,
        VB_NET_SECTION_DOMAIN,
        VB_NET_SECTION_IP,
        VB_NET_SECTION_IP_DHCP_HOST,
        VB_NET_SECTION_IP_DHCP_RANGE,
        VB_NET_SECTION_FORWARD,
        VB_NET_SECTION_FORWARD_INTERFACE,
        VB_NET_SECTION_FORWARD_PF,
        VB_NET_SECTION_PORTGROUP,
        VB_NET_SECTION_DNS_HOST,
        VB_NET_SECTION_DNS_TXT,
        VB_NET_SECTION_DNS_SRV,
        _VB_NET_SECTION_MAX,
};
/* virNetworkUpdateFlags: AFFECT_CURRENT 0, LIVE 1, CONFIG 2 (the driver's business) */
#define VB_NET_UPDATE_FLAGS_MASK 0x3u

typedef struct VbNetworkDhcpRange {
        char *start;
        char *end;
        char *lease_xml;        /* <lease .../> kept */
} VbNetworkDhcpRange;

typedef struct VbNetworkDhcpHost {
        char *mac;              /* normalised lower-case, NULL when absent */
        char *id;               /* IPv6 DUID */
        char *name;
        char *ip;
        char *lease_xml;
} VbNetworkDhcpHost;

typedef struct VbNetworkIp {
        char *family;           /* "ipv4", "ipv6" or NULL (from the address) */
        char *address;
        char *netmask;          /* NULL when prefix given */
        unsigned prefix;        /* 0 = not given */
        char *local_ptr;        /* "yes"/"no"/NULL */
        char *tftp_root;
        VbNetworkDhcpRange *ranges;
        size_t n_ranges;
        VbNetworkDhcpHost *hosts;
        size_t n_hosts;
        char *dhcp_extra_xml;   /* <bootp/> and unknown children of <dhcp> */
        bool has_dhcp;          /* a <dhcp> element was present */
} VbNetworkIp;

typedef struct VbNetworkDef {
        char *name;
        uint8_t uuid[16];
        char *ipv6;                     /* root attribute ipv6='yes', kept */
        char *trust_guest_rx_filters;   /* root attribute, kept */
        char *metadata_xml;             /* the whole <metadata> element, kept */
        VbNetForwardMode forward_mode;
        bool has_forward;               /* <forward> present (mode none otherwise) */
        char *forward_dev;              /* dev= (== forward_ifs[0] when both) */
        char **forward_ifs;             /* NULL-terminated <interface dev=> list */
        char *forward_extra_xml;        /* <nat>, <pf>, <driver>, <address>: kept */
        char *forward_managed;          /* hostdev managed='yes|no' */
        char *bridge;                   /* bridge name */
        char *bridge_zone;
        char *bridge_mac_table_manager;
        bool stp;                       /* default on */
        unsigned long delay;
        unsigned mtu;                   /* 0 = not set */
        char *mac;                      /* bridge MAC, normalised */
        char *pre_ip_xml;               /* <domain>, <dns>, <vlan>, <bandwidth>, <port>: kept */
        VbNetworkIp *ips;
        size_t n_ips;
        char *post_ip_xml;              /* <route>, <virtualport>, <portgroup>, unknown: kept */
} VbNetworkDef;

const char *vb_net_forward_mode_to_string(VbNetForwardMode m);
int vb_net_forward_mode_from_string(const char *s);   /* -EINVAL when unknown */
const char *vb_net_section_to_string(unsigned section); /* "ip-dhcp-host", ... */

int vb_network_def_parse(const char *xml, unsigned flags, VbNetworkDef **ret, VbError *e);
char *vb_network_def_format(const VbNetworkDef *def, unsigned flags);
VbNetworkDef *vb_network_def_copy(const VbNetworkDef *def);
VbNetworkDef *vb_network_def_free(VbNetworkDef *def);
DEFINE_TRIVIAL_CLEANUP_FUNC(VbNetworkDef *, vb_network_def_free);

/* virNetworkUpdate on a definition. On error @def is unchanged. Sections other than
 * IP_DHCP_HOST / IP_DHCP_RANGE are refused with VB_ERR_NO_SUPPORT. */
int vb_network_def_update(VbNetworkDef *def, unsigned command, unsigned section,
                          int parent_index, const char *xml, unsigned flags, VbError *e);
