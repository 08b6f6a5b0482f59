/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Definitions → what ip(8), nft(8) and dnsmasq(8) get, in libvirt's manner (bridge
 * driver): dnsmasq with strict-order, bind-dynamic on the bridge only, one dhcp-range
 * and dhcp-host lines; one nftables table per network with masquerade for nat and
 * forward rules that keep the subnet to itself unless forwarding is asked for. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>

#include "net-conf.h"
#include "xml-keep.h"

int vb_net_subnet(const VbNetworkIp *ip, VbNetSubnet *ret) {
        uint32_t a;
        int p;

        if (vb_ip_family(ip->address) != AF_INET || vb_ipv4_parse(ip->address, &a) < 0)
                return -EINVAL;
        if (ip->prefix > 0)
                p = (int) ip->prefix;
        else if (ip->netmask)
                p = vb_netmask_prefix(ip->netmask);
        else  /* libvirt's natural class */
                p = (a >> 31) == 0 ? 8 : (a >> 30) == 2 ? 16 : (a >> 29) == 6 ? 24 : -EINVAL;
        if (p <= 0 || p > 32)
                return -EINVAL;
        *ret = (VbNetSubnet) {
                .address = a, .prefix = (unsigned) p,
                .network = a & (p == 32 ? ~0u : ~(~0u >> p)),
        };
        return 0;
}

static uint32_t mask_of(unsigned prefix) {
        return prefix == 0 ? 0 : ~0u << (32 - prefix);
}

bool vb_net_subnets_overlap(const VbNetSubnet *a, const VbNetSubnet *b) {
        uint32_t m = mask_of(a->prefix < b->prefix ? a->prefix : b->prefix);
        return (a->network & m) == (b->network & m);
}

static const char *ipv4_str(uint32_t a, char buf[16]) {
        snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
        return buf;
}

const char *vb_net_subnet_str(const VbNetSubnet *s, char buf[32]) {
        char a[16];
        snprintf(buf, 32, "%s/%u", ipv4_str(s->network, a), s->prefix);
        return buf;
}

static bool chars_ok(const char *s, const char *extra, size_t max) {
        if (isempty(s) || strlen(s) > max)
                return false;
        for (const char *p = s; *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr(extra, *p))
                        return false;
        return true;
}

bool vb_net_ifname_ok(const char *name) {
        return chars_ok(name, "_.-", 15) && !streq(name, ".") && !streq(name, "..");
}

/* The name of the first top-level element of a kept fragment (elements start at
 * column 0), or NULL. */
static char *first_elem(const char *kept, const char *const *allowed) {
        for (const char *p = kept; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
                size_t n;
                bool ok = false;

                if (p[0] != '<' || p[1] == '/')
                        continue;
                n = strcspn(p + 1, " />\n");
                for (const char *const *a = allowed; a && *a; a++)
                        ok = ok || (strlen(*a) == n && strncmp(*a, p + 1, n) == 0);
                if (!ok)
                        return strndup(p + 1, n);
        }
        return NULL;
}

static int check_kept(const VbNetworkDef *def, const char *kept, const char *const *allowed, VbError *e) {
        _cleanup_free_ char *elem = first_elem(kept, allowed);

        if (elem)
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "<%s> in network '%s' is not supported by the QEMU connection's network driver",
                                    elem, def->name);
        return 0;
}

static int check_host(const VbNetworkDef *def, const VbNetSubnet *s, const VbNetworkDhcpHost *h, VbError *e) {
        VbNetSubnet hs;
        uint32_t a;
        char net[32];

        if (h->id)
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "DHCP host ids (IPv6) are not supported in network '%s'",
                                    def->name);
        if (h->name && !chars_ok(h->name, "-.", 63))
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "Cannot use host name '%s' in network '%s': only letters, digits, '-' and '.'",
                                    h->name, def->name);
        if (vb_ipv4_parse(h->ip, &a) < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "Invalid IP address in static host definition for network '%s'",
                                    def->name);
        hs = (VbNetSubnet) { .address = a, .network = a, .prefix = 32 };
        if (!vb_net_subnets_overlap(s, &hs))
                return vb_error_set(e, VB_ERR_XML_ERROR, "DHCP host address %s is not within network %s of '%s'",
                                    h->ip, vb_net_subnet_str(s, net), def->name);
        return 0;
}

static int check_ip(const VbNetworkDef *def, const VbNetworkIp *ip, VbError *e) {
        uint32_t host_mask;
        VbNetSubnet s;
        int r;

        if (vb_ip_family(ip->address) != AF_INET)
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "IPv6 address '%s' in network '%s': only IPv4 is supported by the QEMU connection's network driver",
                                    strempty(ip->address), def->name);
        if (vb_net_subnet(ip, &s) < 0 || s.prefix > 30)
                return vb_error_set(e, VB_ERR_XML_ERROR, "Invalid prefix or netmask for address '%s' in network '%s'",
                                    ip->address, def->name);
        host_mask = ~mask_of(s.prefix);
        if ((s.address & host_mask) == 0 || (s.address & host_mask) == host_mask)
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "address '%s' in network '%s' is the network or broadcast address of its subnet",
                                    ip->address, def->name);
        if (ip->tftp_root || ip->dhcp_extra_xml)
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "TFTP and BOOTP in network '%s' are not supported by the QEMU connection's network driver",
                                    def->name);
        for (size_t i = 0; i < ip->n_ranges; i++)
                if (ip->ranges[i].lease_xml)
                        return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "<lease> in network '%s' is not supported",
                                            def->name);
        for (size_t i = 0; i < ip->n_hosts; i++) {
                r = check_host(def, &s, &ip->hosts[i], e);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_bridge_mode(const VbNetworkDef *def, VbError *e) {
        if (!def->bridge)
                return vb_error_set(e, VB_ERR_XML_ERROR, "network '%s' has forward mode 'bridge' but no bridge name",
                                    def->name);
        if (def->n_ips > 0)
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "Unsupported <ip> element in network %s with forward mode='bridge'", def->name);
        if (def->mac || def->mtu)
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "<mac> and <mtu> in network '%s' with forward mode='bridge' are not supported",
                                    def->name);
        return 0;
}

static int check_forward(const VbNetworkDef *def, VbError *e) {
        static const char *const forward_kept[] = { "nat", NULL };
        size_t n_ifs = vb_strv_length(def->forward_ifs);

        switch (def->forward_mode) {
        case VB_NET_FORWARD_NONE: case VB_NET_FORWARD_NAT: case VB_NET_FORWARD_ROUTE:
        case VB_NET_FORWARD_OPEN: case VB_NET_FORWARD_BRIDGE:
                break;
        default:
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "forward mode '%s' of network '%s' is not supported by the QEMU connection's network driver",
                                    vb_net_forward_mode_to_string(def->forward_mode), def->name);
        }
        if (def->forward_mode == VB_NET_FORWARD_BRIDGE)
                return check_bridge_mode(def, e);
        if (n_ifs > 1 || (def->forward_dev && !vb_net_ifname_ok(def->forward_dev)))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "network '%s' may name one valid forward device at most", def->name);
        return check_kept(def, def->forward_extra_xml, forward_kept, e);
}

int vb_net_def_check(const VbNetworkDef *def, VbError *e) {
        int r;

        if (!chars_ok(def->name, "_.-", VB_NET_NAME_MAX) || !isalnum((unsigned char) def->name[0]))
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "network name '%s' is not supported by the QEMU connection: use up to %d letters, digits, '_', '.' or '-', starting with a letter or digit",
                                    def->name, VB_NET_NAME_MAX);
        if (def->bridge && !vb_net_ifname_ok(def->bridge))
                return vb_error_set(e, VB_ERR_XML_ERROR, "invalid bridge name '%s' in network '%s'", def->bridge,
                                    def->name);
        if (def->bridge_zone || (def->bridge_mac_table_manager && !streq(def->bridge_mac_table_manager, "kernel")))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "bridge zone and macTableManager of network '%s' are not supported", def->name);
        r = check_forward(def, e);
        if (r >= 0)
                r = check_kept(def, def->pre_ip_xml, NULL, e);
        if (r >= 0)
                r = check_kept(def, def->post_ip_xml, NULL, e);
        for (size_t i = 0; r >= 0 && i < def->n_ips; i++)
                r = check_ip(def, &def->ips[i], e);
        return r;
}

bool vb_net_has_own_bridge(const VbNetworkDef *def) {
        return def->forward_mode != VB_NET_FORWARD_BRIDGE;
}

bool vb_net_needs_dnsmasq(const VbNetworkDef *def) {
        return vb_net_has_own_bridge(def) && def->n_ips > 0;
}

bool vb_net_needs_nft(const VbNetworkDef *def) {
        return def->forward_mode == VB_NET_FORWARD_NAT || def->forward_mode == VB_NET_FORWARD_ROUTE ||
               def->forward_mode == VB_NET_FORWARD_NONE;
}

bool vb_net_needs_forwarding(const VbNetworkDef *def) {
        return def->forward_mode == VB_NET_FORWARD_NAT || def->forward_mode == VB_NET_FORWARD_ROUTE;
}

char *vb_net_nft_table(const char *name) {
        return vb_strdupf("virtbus_%s", name);
}

/* ---- dnsmasq ---- */

static const VbNetworkIp *dhcp_ip(const VbNetworkDef *def) {
        for (size_t i = 0; i < def->n_ips; i++)
                if (def->ips[i].n_ranges || def->ips[i].n_hosts)
                        return &def->ips[i];
        return NULL;
}

static unsigned range_size(const VbNetworkDhcpRange *r) {
        uint32_t s = 0, en = 0;
        (void) vb_ipv4_parse(r->start, &s);
        (void) vb_ipv4_parse(r->end, &en);
        return en >= s ? en - s + 1 : 0;
}

static void dnsmasq_dhcp(VbBuf *b, const VbNetworkIp *ip) {
        VbNetSubnet s;
        unsigned max = 0;
        char mask[16];

        (void) vb_net_subnet(ip, &s);
        ipv4_str(mask_of(s.prefix), mask);
        for (size_t i = 0; i < ip->n_ranges; i++) {
                vb_buf_printf(b, "dhcp-range=%s,%s,%s\n", ip->ranges[i].start, ip->ranges[i].end, mask);
                max += range_size(&ip->ranges[i]);
        }
        if (ip->n_ranges == 0)  /* hosts only: static leases on the subnet */
                vb_buf_printf(b, "dhcp-range=%s,static,%s\n", ip->hosts[0].ip, mask);
        vb_buf_puts(b, "dhcp-no-override\ndhcp-authoritative\n");
        vb_buf_printf(b, "dhcp-lease-max=%u\n", max + (unsigned) ip->n_hosts);
        for (size_t i = 0; i < ip->n_hosts; i++) {
                const VbNetworkDhcpHost *h = &ip->hosts[i];
                vb_buf_puts(b, "dhcp-host=");
                if (h->mac)
                        vb_buf_printf(b, "%s,", h->mac);
                vb_buf_puts(b, h->ip);
                if (h->name)
                        vb_buf_printf(b, ",%s", h->name);
                vb_buf_puts(b, "\n");
        }
}

char *vb_net_dnsmasq_conf(const VbNetworkDef *def, const char *bridge, const char *pid_file,
                          const char *lease_file) {
        _cleanup_vb_buf_ VbBuf b = { 0 };
        const VbNetworkIp *ip = dhcp_ip(def);

        vb_buf_printf(&b, "# generated by virtbusd for network '%s', rewritten at every start\n", def->name);
        vb_buf_puts(&b, "strict-order\n");
        vb_buf_printf(&b, "pid-file=%s\n", pid_file);
        vb_buf_puts(&b, "except-interface=lo\nbind-dynamic\n");
        vb_buf_printf(&b, "interface=%s\n", bridge);
        vb_buf_printf(&b, "dhcp-leasefile=%s\n", lease_file);
        if (ip)
                dnsmasq_dhcp(&b, ip);
        return vb_buf_steal(&b);
}

/* ---- nftables ---- */

static void nft_postrouting(VbBuf *b, const VbNetworkDef *def) {
        vb_buf_puts(b, "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        for (size_t i = 0; i < def->n_ips; i++) {
                const char *out = def->forward_dev;
                char net[32];
                VbNetSubnet s;

                (void) vb_net_subnet(&def->ips[i], &s);
                vb_net_subnet_str(&s, net);
                /* multicast and broadcast stay unchanged, like libvirt's rules */
                vb_buf_printf(b, "\t\tip saddr %s ip daddr 224.0.0.0/24 return\n", net);
                vb_buf_printf(b, "\t\tip saddr %s ip daddr 255.255.255.255 return\n", net);
                vb_buf_printf(b, "\t\tip saddr %s ip daddr != %s %s%s%smeta l4proto { tcp, udp } masquerade to :1024-65535\n",
                              net, net, out ? "oifname \"" : "", strempty(out), out ? "\" " : "");
                vb_buf_printf(b, "\t\tip saddr %s ip daddr != %s %s%s%smasquerade\n",
                              net, net, out ? "oifname \"" : "", strempty(out), out ? "\" " : "");
        }
        vb_buf_puts(b, "\t}\n");
}

static void nft_forward(VbBuf *b, const VbNetworkDef *def, const char *br) {
        vb_buf_puts(b, "\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
        vb_buf_printf(b, "\t\tiifname \"%s\" oifname \"%s\" accept\n", br, br);
        for (size_t i = 0; vb_net_needs_forwarding(def) && i < def->n_ips; i++) {
                char net[32];
                VbNetSubnet s;

                (void) vb_net_subnet(&def->ips[i], &s);
                vb_net_subnet_str(&s, net);
                /* <forward dev=''>: out through that device only */
                vb_buf_printf(b, "\t\tiifname \"%s\" ip saddr %s %s%s%saccept\n", br, net,
                              def->forward_dev ? "oifname \"" : "", strempty(def->forward_dev),
                              def->forward_dev ? "\" " : "");
                if (def->forward_mode == VB_NET_FORWARD_NAT)
                        vb_buf_printf(b, "\t\toifname \"%s\" ip daddr %s ct state related,established accept\n",
                                      br, net);
                else
                        vb_buf_printf(b, "\t\toifname \"%s\" ip daddr %s accept\n", br, net);
        }
        /* everything else in or out of the bridge: isolated */
        vb_buf_printf(b, "\t\tiifname \"%s\" reject\n\t\toifname \"%s\" reject\n\t}\n", br, br);
}

char *vb_net_nft_ruleset(const VbNetworkDef *def, const char *bridge) {
        _cleanup_vb_buf_ VbBuf b = { 0 };
        _cleanup_free_ char *table = vb_net_nft_table(def->name);

        /* one transaction: an old table of the same name (a crash) goes, the new one comes */
        vb_buf_printf(&b, "table ip %s\ndelete table ip %s\n", table, table);
        vb_buf_printf(&b, "table ip %s {\n", table);
        if (def->forward_mode == VB_NET_FORWARD_NAT)
                nft_postrouting(&b, def);
        nft_forward(&b, def, bridge);
        vb_buf_puts(&b, "}\n");
        return vb_buf_steal(&b);
}
