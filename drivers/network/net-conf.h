/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The pure half of the QEMU connection's network driver: which definitions it can run,
 * and what the tools get for one (dnsmasq's configuration file, the nftables ruleset,
 * the names of devices and tables). Everything bound for ip(8), nft(8) or dnsmasq(8)
 * is checked here, before anything runs. No processes, no files, no bus. */
#include <stdbool.h>
#include <stdint.h>

#include "network.h"
#include "vb-error.h"

#define VB_NET_NAME_MAX 64          /* network names this driver runs (files, nft table) */
#define VB_NET_BRIDGE_TEMPLATE "virbr%u"

/* One IPv4 <ip> of a definition, as numbers (host byte order). */
typedef struct VbNetSubnet {
        uint32_t address, network;
        unsigned prefix;
} VbNetSubnet;

/* The <ip> as a subnet; -EINVAL when it is not IPv4 or has no usable prefix. */
int vb_net_subnet(const VbNetworkIp *ip, VbNetSubnet *ret);
bool vb_net_subnets_overlap(const VbNetSubnet *a, const VbNetSubnet *b);
/* "10.0.0.0/24" into @buf. */
const char *vb_net_subnet_str(const VbNetSubnet *s, char buf[32]);

/* A name the kernel and our tools accept as an interface: 1-15 of [A-Za-z0-9_.-]. */
bool vb_net_ifname_ok(const char *name);

/* Everything this driver can start (forward modes none/nat/route/open, and bridge on an
 * existing host bridge; IPv4 addresses; DHCP ranges and hosts), with every value that
 * reaches a tool checked. VB_ERR_CONFIG_UNSUPPORTED for what it cannot do, VB_ERR_XML_ERROR
 * for values it refuses. */
int vb_net_def_check(const VbNetworkDef *def, VbError *e);

/* Whether the network has its own bridge (not forward mode='bridge'), dnsmasq (an IPv4
 * address) and an nftables table (nat, route, none). */
bool vb_net_has_own_bridge(const VbNetworkDef *def);
bool vb_net_needs_dnsmasq(const VbNetworkDef *def);
bool vb_net_needs_nft(const VbNetworkDef *def);
bool vb_net_needs_forwarding(const VbNetworkDef *def);

/* "virtbus_<name>": the nftables table (family ip) of a network. */
char *vb_net_nft_table(const char *name);

/* dnsmasq's configuration for @def on @bridge (vb_net_def_check() passed). */
char *vb_net_dnsmasq_conf(const VbNetworkDef *def, const char *bridge, const char *pid_file,
                          const char *lease_file);
/* The nft -f input: creates (replacing a stale one) the network's table. */
char *vb_net_nft_ruleset(const VbNetworkDef *def, const char *bridge);
