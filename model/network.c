/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <ctype.h>
#include <sys/socket.h>

#include "network.h"
#include "xml-keep.h"
#include "xml-util.h"

static const char *const forward_modes[_VB_NET_FORWARD_MAX] = {
        "none", "nat", "route", "open", "bridge", "private", "vepa", "passthrough", "hostdev",
};

static const char *const section_names[_VB_NET_SECTION_MAX] = {
        "none", "bridge", "domain", "ip", "ip-dhcp-host", "ip-dhcp-range", "forward",
        "forward-interface", "forward-pf", "portgroup", "dns-host", "dns-txt", "dns-srv",
};

const char *vb_net_forward_mode_to_string(VbNetForwardMode m) {
        return (unsigned) m < _VB_NET_FORWARD_MAX ? forward_modes[m] : NULL;
}

int vb_net_forward_mode_from_string(const char *s) {
        for (int i = 0; s && i < _VB_NET_FORWARD_MAX; i++)
                if (streq(s, forward_modes[i]))
                        return i;
        return -EINVAL;
}

const char *vb_net_section_to_string(unsigned section) {
        return section < _VB_NET_SECTION_MAX ? section_names[section] : NULL;
}

/* ---- freeing and copying ---- */

static void range_clear(VbNetworkDhcpRange *r) {
        free(r->start);
        free(r->end);
        free(r->lease_xml);
        *r = (VbNetworkDhcpRange) { 0 };
}

static void host_clear(VbNetworkDhcpHost *h) {
        free(h->mac);
        free(h->id);
        free(h->name);
        free(h->ip);
        free(h->lease_xml);
        *h = (VbNetworkDhcpHost) { 0 };
}

static void ip_clear(VbNetworkIp *ip) {
        free(ip->family);
        free(ip->address);
        free(ip->netmask);
        free(ip->local_ptr);
        free(ip->tftp_root);
        for (size_t i = 0; i < ip->n_ranges; i++)
                range_clear(&ip->ranges[i]);
        free(ip->ranges);
        for (size_t i = 0; i < ip->n_hosts; i++)
                host_clear(&ip->hosts[i]);
        free(ip->hosts);
        free(ip->dhcp_extra_xml);
        *ip = (VbNetworkIp) { 0 };
}

VbNetworkDef *vb_network_def_free(VbNetworkDef *def) {
        if (!def)
                return NULL;
        free(def->name);
        free(def->ipv6);
        free(def->trust_guest_rx_filters);
        free(def->metadata_xml);
        free(def->forward_dev);
        vb_strv_free(def->forward_ifs);
        free(def->forward_extra_xml);
        free(def->forward_managed);
        free(def->bridge);
        free(def->bridge_zone);
        free(def->bridge_mac_table_manager);
        free(def->mac);
        free(def->pre_ip_xml);
        for (size_t i = 0; i < def->n_ips; i++)
                ip_clear(&def->ips[i]);
        free(def->ips);
        free(def->post_ip_xml);
        free(def);
        return NULL;
}

static void host_copy(VbNetworkDhcpHost *d, const VbNetworkDhcpHost *s) {
        d->mac = vb_strdup(s->mac);
        d->id = vb_strdup(s->id);
        d->name = vb_strdup(s->name);
        d->ip = vb_strdup(s->ip);
        d->lease_xml = vb_strdup(s->lease_xml);
}

static void ip_copy(VbNetworkIp *d, const VbNetworkIp *s) {
        d->family = vb_strdup(s->family);
        d->address = vb_strdup(s->address);
        d->netmask = vb_strdup(s->netmask);
        d->prefix = s->prefix;
        d->local_ptr = vb_strdup(s->local_ptr);
        d->tftp_root = vb_strdup(s->tftp_root);
        d->ranges = vb_calloc(s->n_ranges, sizeof(*d->ranges));
        for (size_t i = 0; i < s->n_ranges; i++) {
                d->ranges[i].start = vb_strdup(s->ranges[i].start);
                d->ranges[i].end = vb_strdup(s->ranges[i].end);
                d->ranges[i].lease_xml = vb_strdup(s->ranges[i].lease_xml);
        }
        d->n_ranges = s->n_ranges;
        d->hosts = vb_calloc(s->n_hosts, sizeof(*d->hosts));
        for (size_t i = 0; i < s->n_hosts; i++)
                host_copy(&d->hosts[i], &s->hosts[i]);
        d->n_hosts = s->n_hosts;
        d->dhcp_extra_xml = vb_strdup(s->dhcp_extra_xml);
        d->has_dhcp = s->has_dhcp;
}

VbNetworkDef *vb_network_def_copy(const VbNetworkDef *s) {
        VbNetworkDef *d;
        if (!s)
                return NULL;
        d = vb_calloc(1, sizeof(*d));
        d->name = vb_strdup(s->name);
        memcpy(d->uuid, s->uuid, 16);
        d->ipv6 = vb_strdup(s->ipv6);
        d->trust_guest_rx_filters = vb_strdup(s->trust_guest_rx_filters);
        d->metadata_xml = vb_strdup(s->metadata_xml);
        d->forward_mode = s->forward_mode;
        d->has_forward = s->has_forward;
        d->forward_dev = vb_strdup(s->forward_dev);
        d->forward_ifs = vb_strv_copy(s->forward_ifs);
        d->forward_extra_xml = vb_strdup(s->forward_extra_xml);
        d->forward_managed = vb_strdup(s->forward_managed);
        d->bridge = vb_strdup(s->bridge);
        d->bridge_zone = vb_strdup(s->bridge_zone);
        d->bridge_mac_table_manager = vb_strdup(s->bridge_mac_table_manager);
        d->stp = s->stp;
        d->delay = s->delay;
        d->mtu = s->mtu;
        d->mac = vb_strdup(s->mac);
        d->pre_ip_xml = vb_strdup(s->pre_ip_xml);
        d->ips = vb_calloc(s->n_ips, sizeof(*d->ips));
        for (size_t i = 0; i < s->n_ips; i++)
                ip_copy(&d->ips[i], &s->ips[i]);
        d->n_ips = s->n_ips;
        d->post_ip_xml = vb_strdup(s->post_ip_xml);
        return d;
}

/* ---- addresses ---- */

static bool ip_equal(const char *a, const char *b) {
        unsigned char x[16] = { 0 }, y[16] = { 0 };
        int fa, fb;
        if (!a || !b)
                return false;
        fa = vb_ip_family(a);
        fb = vb_ip_family(b);
        if (fa < 0 || fa != fb)
                return false;
        inet_pton(fa, a, x);
        inet_pton(fb, b, y);
        return memcmp(x, y, sizeof(x)) == 0;
}

/* Prefix length of an IPv4 <ip>, as libvirt derives it (natural class when unset). */
static int ipv4_prefix(const VbNetworkIp *ip) {
        uint32_t a;
        if (ip->prefix > 0)
                return (int) ip->prefix;
        if (ip->netmask)
                return vb_netmask_prefix(ip->netmask);
        if (vb_ipv4_parse(ip->address, &a) < 0)
                return -EINVAL;
        if ((a >> 31) == 0)
                return 8;
        if ((a >> 30) == 2)
                return 16;
        if ((a >> 29) == 6)
                return 24;
        return -EINVAL;
}

static bool ip_is_v6(const VbNetworkIp *ip) {
        return vb_ip_family(ip->address) == AF_INET6;
}

/* ---- parsing ---- */

static int host_parse(xmlNodePtr n, const char *net, bool v6, bool partial,
                      VbNetworkDhcpHost *ret, VbError *e) {
        _cleanup_free_ char *mac = vb_xml_prop(n, "mac"), *id = vb_xml_prop(n, "id");
        _cleanup_free_ char *name = vb_xml_prop(n, "name"), *ip = vb_xml_prop(n, "ip");
        char norm[18];

        if (mac) {
                if (v6)
                        return vb_error_set(e, VB_ERR_XML_ERROR,
                                            "Invalid to specify MAC address '%s' in network '%s' IPv6 static host definition",
                                            mac, net);
                if (vb_mac_parse(mac, norm) < 0)
                        return vb_error_set(e, VB_ERR_XML_ERROR,
                                            "Cannot parse MAC address '%s' in network '%s'", mac, net);
                if (strtoul(norm, NULL, 16) & 1)
                        return vb_error_set(e, VB_ERR_XML_ERROR,
                                            "expected unicast mac address, found multicast '%s' in network '%s'",
                                            mac, net);
                free(mac);
                mac = vb_strdup(norm);
        }
        if (name && !isalpha((unsigned char) name[0]))
                return vb_error_set(e, VB_ERR_XML_ERROR, "Cannot use host name '%s' in network '%s'",
                                    name, net);
        if (ip && vb_ip_family(ip) != (v6 ? AF_INET6 : AF_INET))
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "Invalid IP address in static host definition for network '%s'", net);
        if (!partial) {
                if (!v6 && !mac && !name)
                        return vb_error_set(e, VB_ERR_XML_ERROR,
                                            "Static host definition in IPv4 network '%s' must have mac or name attribute",
                                            net);
                if (v6 && !id && !name)
                        return vb_error_set(e, VB_ERR_XML_ERROR,
                                            "Static host definition in IPv6 network '%s' must have id or name attribute",
                                            net);
                if (!ip)
                        return vb_error_set(e, VB_ERR_XML_ERROR,
                                            "Missing IP address in static host definition for network '%s'", net);
        } else if (!mac && !id && !name && !ip)
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "At least one of name, mac, or ip attribute must be specified for static host definition in network '%s'",
                                    net);
        ret->mac = TAKE_PTR(mac);
        ret->id = TAKE_PTR(id);
        ret->name = TAKE_PTR(name);
        ret->ip = TAKE_PTR(ip);
        ret->lease_xml = vb_xml_keep(vb_xml_child(n, "lease"));
        return 0;
}

static int range_parse(xmlNodePtr n, const char *net, const VbNetworkIp *ip,
                       VbNetworkDhcpRange *ret, VbError *e) {
        _cleanup_free_ char *start = vb_xml_prop(n, "start"), *end = vb_xml_prop(n, "end");
        int fam = ip_is_v6(ip) ? AF_INET6 : AF_INET;

        if (!start)
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "Missing 'start' attribute in dhcp range for network '%s'", net);
        if (!end)
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "Missing 'end' attribute in dhcp range for network '%s'", net);
        if (vb_ip_family(start) != fam || vb_ip_family(end) != fam)
                return vb_error_set(e, VB_ERR_XML_ERROR, "Invalid dhcp range '%s' to '%s' in network '%s'",
                                    start, end, net);
        if (fam == AF_INET) {
                uint32_t s, en, a;
                int p = ipv4_prefix(ip);
                vb_ipv4_parse(start, &s);
                vb_ipv4_parse(end, &en);
                vb_ipv4_parse(ip->address, &a);
                if (p >= 0) {
                        uint32_t mask = p == 0 ? 0 : ~0u << (32 - p);
                        if ((s & mask) != (a & mask) || (en & mask) != (a & mask))
                                return vb_error_set(e, VB_ERR_XML_ERROR,
                                                    "range %s - %s is not entirely within network %s/%d",
                                                    start, end, ip->address, p);
                }
                if (s > en)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "range %s - %s is reversed ", start, end);
        }
        ret->start = TAKE_PTR(start);
        ret->end = TAKE_PTR(end);
        ret->lease_xml = vb_xml_keep(vb_xml_child(n, "lease"));
        return 0;
}

static int dhcp_parse(xmlNodePtr dhcp, const char *net, VbNetworkIp *ip, VbError *e) {
        bool v6 = ip_is_v6(ip);
        int r;
        ip->has_dhcp = true;
        ip->ranges = vb_calloc(vb_xml_count_children(dhcp, "range"), sizeof(*ip->ranges));
        ip->hosts = vb_calloc(vb_xml_count_children(dhcp, "host"), sizeof(*ip->hosts));
        for (xmlNodePtr c = dhcp->children; c; c = c->next) {
                if (vb_xml_is(c, "range")) {
                        r = range_parse(c, net, ip, &ip->ranges[ip->n_ranges], e);
                        if (r < 0)
                                return r;
                        ip->n_ranges++;
                } else if (vb_xml_is(c, "host")) {
                        r = host_parse(c, net, v6, false, &ip->hosts[ip->n_hosts], e);
                        if (r < 0)
                                return r;
                        ip->n_hosts++;
                } else if (c->type == XML_ELEMENT_NODE)
                        vb_xml_keep_append(&ip->dhcp_extra_xml, c);
        }
        return 0;
}

static int ip_parse_address(xmlNodePtr n, const char *net, VbNetworkIp *ip, VbError *e) {
        _cleanup_free_ char *prefix = vb_xml_prop(n, "prefix");
        int fam;

        ip->family = vb_xml_prop(n, "family");
        ip->address = vb_xml_prop(n, "address");
        ip->netmask = vb_xml_prop(n, "netmask");
        ip->local_ptr = vb_xml_prop(n, "localPtr");
        fam = vb_ip_family(ip->address);
        if (fam < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "Bad address '%s' in definition of network '%s'",
                                    strempty(ip->address), net);
        if (ip->family && !streq(ip->family, fam == AF_INET ? "ipv4" : "ipv6"))
                return vb_error_set(e, VB_ERR_XML_ERROR, "family '%s' specified for address '%s' in network '%s'",
                                    ip->family, ip->address, net);
        if (ip->netmask && prefix)
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "Network '%s' IP address cannot have both a prefix and a netmask", net);
        if (ip->netmask && (fam != AF_INET || vb_netmask_prefix(ip->netmask) < 0))
                return vb_error_set(e, VB_ERR_XML_ERROR, "Bad netmask address '%s' in definition of network '%s'",
                                    ip->netmask, net);
        if (prefix) {
                unsigned long long p;
                if (vb_xml_parse_uint(prefix, fam == AF_INET ? 32 : 128, &p) < 0)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "Invalid ip address prefix value '%s' in network '%s'",
                                            prefix, net);
                ip->prefix = (unsigned) p;
        }
        return 0;
}

static int ip_parse(xmlNodePtr n, const char *net, VbNetworkIp *ip, VbError *e) {
        xmlNodePtr c;
        int r = ip_parse_address(n, net, ip, e);
        if (r < 0)
                return r;
        c = vb_xml_child(n, "tftp");
        if (c)
                ip->tftp_root = vb_xml_prop(c, "root");
        c = vb_xml_child(n, "dhcp");
        if (c)
                return dhcp_parse(c, net, ip, e);
        return 0;
}

static int forward_parse(xmlNodePtr n, VbNetworkDef *def, VbError *e) {
        _cleanup_free_ char *mode = vb_xml_prop(n, "mode");
        int m = VB_NET_FORWARD_NAT;

        if (mode) {
                m = vb_net_forward_mode_from_string(mode);
                if (m < 0)
                        return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "unknown forwarding type '%s'", mode);
        }
        def->has_forward = m != VB_NET_FORWARD_NONE;
        def->forward_mode = m;
        def->forward_dev = vb_xml_prop(n, "dev");
        def->forward_managed = vb_xml_prop(n, "managed");
        for (xmlNodePtr c = n->children; c; c = c->next) {
                if (vb_xml_is(c, "interface") && xmlHasProp(c, BAD_CAST "dev")) {
                        _cleanup_free_ char *dev = vb_xml_prop(c, "dev");
                        vb_strv_push(&def->forward_ifs, dev);
                } else if (c->type == XML_ELEMENT_NODE)
                        vb_xml_keep_append(&def->forward_extra_xml, c);
        }
        if (def->forward_dev && def->forward_ifs && !streq(def->forward_dev, def->forward_ifs[0]))
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "forward dev '%s' must match first interface element dev value '%s' in network '%s'",
                                    def->forward_dev, def->forward_ifs[0], def->name);
        if (def->forward_dev && !def->forward_ifs && !strstr(strempty(def->forward_extra_xml), "<pf "))
                vb_strv_push(&def->forward_ifs, def->forward_dev);
        if (!def->forward_dev && def->forward_ifs)
                def->forward_dev = vb_strdup(def->forward_ifs[0]);
        return 0;
}

static int bridge_parse(xmlNodePtr n, VbNetworkDef *def, VbError *e) {
        _cleanup_free_ char *stp = vb_xml_prop(n, "stp"), *delay = vb_xml_prop(n, "delay");
        def->bridge = vb_xml_prop(n, "name");
        def->bridge_zone = vb_xml_prop(n, "zone");
        def->bridge_mac_table_manager = vb_xml_prop(n, "macTableManager");
        if (stp) {
                int b = vb_xml_parse_bool(stp, true);
                if (b < 0)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "Invalid stp value '%s' in network '%s'",
                                            stp, def->name);
                def->stp = b;
        }
        if (delay) {
                unsigned long long d;
                if (vb_xml_parse_uint(delay, UINT32_MAX, &d) < 0)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "Invalid delay value in network '%s'", def->name);
                def->delay = (unsigned long) d;
        }
        if (def->bridge && (strlen(def->bridge) > 15 || strchr(def->bridge, '/')))
                return vb_error_set(e, VB_ERR_XML_ERROR, "invalid bridge name '%s' in network '%s'",
                                    def->bridge, def->name);
        return 0;
}

static int mac_parse(xmlNodePtr n, VbNetworkDef *def, VbError *e) {
        _cleanup_free_ char *mac = vb_xml_prop(n, "address");
        char norm[18];
        if (vb_mac_parse(mac, norm) < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "Invalid bridge mac address '%s' in network '%s'",
                                    strempty(mac), def->name);
        if (strtoul(norm, NULL, 16) & 1)
                return vb_error_set(e, VB_ERR_XML_ERROR, "Invalid multicast bridge mac address '%s' in network '%s'",
                                    mac, def->name);
        def->mac = vb_strdup(norm);
        return 0;
}

static int mtu_parse(xmlNodePtr n, VbNetworkDef *def, VbError *e) {
        _cleanup_free_ char *size = vb_xml_prop(n, "size");
        unsigned long long v;
        if (vb_xml_parse_uint(size, 65535, &v) < 0 || v == 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "Invalid mtu size '%s' in network '%s'",
                                    strempty(size), def->name);
        def->mtu = (unsigned) v;
        return 0;
}

static int network_parse_child(xmlNodePtr c, VbNetworkDef *def, unsigned *seen, VbError *e) {
        static const char *const pre_ip[] = { "domain", "dns", "vlan", "bandwidth", "port" };
        static const char *const single[] = { "forward", "bridge", "mac", "mtu" };

        if (vb_xml_is(c, "name") || vb_xml_is(c, "uuid") || vb_xml_is(c, "ip"))
                return 0;
        /* like libvirt, only the first of these counts; later ones are dropped */
        for (size_t i = 0; i < ELEMENTSOF(single); i++)
                if (vb_xml_is(c, single[i])) {
                        if (*seen & (1u << i))
                                return 0;
                        *seen |= 1u << i;
                }
        if (vb_xml_is(c, "metadata")) {
                free(def->metadata_xml);
                def->metadata_xml = vb_xml_keep(c);
                return 0;
        }
        if (vb_xml_is(c, "forward"))
                return forward_parse(c, def, e);
        if (vb_xml_is(c, "bridge"))
                return bridge_parse(c, def, e);
        if (vb_xml_is(c, "mac"))
                return mac_parse(c, def, e);
        if (vb_xml_is(c, "mtu"))
                return mtu_parse(c, def, e);
        for (size_t i = 0; i < ELEMENTSOF(pre_ip); i++)
                if (vb_xml_is(c, pre_ip[i])) {
                        vb_xml_keep_append(&def->pre_ip_xml, c);
                        return 0;
                }
        vb_xml_keep_append(&def->post_ip_xml, c);
        return 0;
}

static int network_parse_root(xmlNodePtr root, unsigned flags, void *userdata, VbError *e) {
        VbNetworkDef *def = userdata;
        _cleanup_free_ char *uuid = NULL;
        unsigned n_v4_dhcp = 0, seen = 0;
        int r;

        def->name = vb_xml_child_text(root, "name");
        r = vb_name_validate(def->name, "network", e);
        if (r < 0)
                return r;
        uuid = vb_xml_child_text(root, "uuid");
        if (!uuid)
                vb_uuid_generate(def->uuid);
        else if (vb_uuid_parse(uuid, def->uuid) < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "malformed uuid element");
        def->ipv6 = vb_xml_prop(root, "ipv6");
        def->trust_guest_rx_filters = vb_xml_prop(root, "trustGuestRxFilters");
        def->stp = true;
        for (xmlNodePtr c = root->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                r = network_parse_child(c, def, &seen, e);
                if (r < 0)
                        return r;
        }
        def->ips = vb_calloc(vb_xml_count_children(root, "ip"), sizeof(*def->ips));
        for (xmlNodePtr c = root->children; c; c = c->next) {
                if (!vb_xml_is(c, "ip"))
                        continue;
                r = ip_parse(c, def->name, &def->ips[def->n_ips], e);
                def->n_ips++;
                if (r < 0)
                        return r;
                if (!ip_is_v6(&def->ips[def->n_ips - 1]) &&
                    (def->ips[def->n_ips - 1].n_ranges || def->ips[def->n_ips - 1].n_hosts))
                        n_v4_dhcp++;
        }
        if (n_v4_dhcp > 1)
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "Multiple IPv4 dhcp sections found -- dhcp is supported only for a single IPv4 address on each network");
        return 0;
}

VB_XML_DEFINE_PARSE(vb_network_def_parse, VbNetworkDef, vb_network_def_freep, "network", network_parse_root)

/* ---- formatting ---- */

static void format_forward(VbBuf *b, const VbNetworkDef *def) {
        bool empty = !def->forward_ifs && !def->forward_extra_xml;

        vb_buf_pad(b);
        vb_buf_puts(b, "<forward");
        if (def->forward_ifs)
                vb_buf_attr(b, "dev", def->forward_dev);
        vb_buf_printf(b, " mode='%s'", vb_net_forward_mode_to_string(def->forward_mode));
        if (def->forward_managed)
                vb_buf_printf(b, " managed='%s'", def->forward_managed);
        vb_buf_puts(b, empty ? "/>\n" : ">\n");
        if (empty)
                return;
        vb_buf_indent(b, 2);
        vb_buf_fragment(b, def->forward_extra_xml);
        for (size_t i = 0; def->forward_ifs && def->forward_ifs[i]; i++) {
                vb_buf_pad(b);
                vb_buf_puts(b, "<interface");
                vb_buf_attr(b, "dev", def->forward_ifs[i]);
                vb_buf_puts(b, "/>\n");
        }
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</forward>");
}

static void format_bridge(VbBuf *b, const VbNetworkDef *def) {
        VbNetForwardMode m = def->forward_mode;
        bool full = m == VB_NET_FORWARD_NONE || m == VB_NET_FORWARD_NAT ||
                    m == VB_NET_FORWARD_ROUTE || m == VB_NET_FORWARD_OPEN;

        if (!full && !def->bridge && !def->bridge_mac_table_manager)
                return;
        vb_buf_pad(b);
        vb_buf_puts(b, "<bridge");
        vb_buf_attr(b, "name", def->bridge);
        if (full)
                vb_buf_attr(b, "zone", def->bridge_zone);
        vb_buf_attr(b, "macTableManager", def->bridge_mac_table_manager);
        if (full)
                vb_buf_printf(b, " stp='%s' delay='%lu'", def->stp ? "on" : "off", def->delay);
        vb_buf_puts(b, "/>\n");
}

static void format_host(VbBuf *b, const VbNetworkDhcpHost *h) {
        vb_buf_pad(b);
        vb_buf_puts(b, "<host");
        vb_buf_attr(b, "mac", h->mac);
        vb_buf_attr(b, "id", h->id);
        vb_buf_attr(b, "name", h->name);
        vb_buf_attr(b, "ip", h->ip);
        if (!h->lease_xml) {
                vb_buf_puts(b, "/>\n");
                return;
        }
        vb_buf_puts(b, ">\n");
        vb_buf_indent(b, 2);
        vb_buf_fragment(b, h->lease_xml);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</host>");
}

static void format_range(VbBuf *b, const VbNetworkDhcpRange *r) {
        vb_buf_pad(b);
        vb_buf_puts(b, "<range");
        vb_buf_attr(b, "start", r->start);
        vb_buf_attr(b, "end", r->end);
        if (!r->lease_xml) {
                vb_buf_puts(b, "/>\n");
                return;
        }
        vb_buf_puts(b, ">\n");
        vb_buf_indent(b, 2);
        vb_buf_fragment(b, r->lease_xml);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</range>");
}

static void format_ip(VbBuf *b, const VbNetworkIp *ip) {
        bool dhcp = ip->n_ranges || ip->n_hosts || ip->dhcp_extra_xml;

        vb_buf_pad(b);
        vb_buf_puts(b, "<ip");
        vb_buf_attr(b, "family", ip->family);
        vb_buf_attr(b, "address", ip->address);
        vb_buf_attr(b, "netmask", ip->netmask);
        if (ip->prefix > 0)
                vb_buf_printf(b, " prefix='%u'", ip->prefix);
        vb_buf_attr(b, "localPtr", ip->local_ptr);
        if (!dhcp && !ip->tftp_root) {
                vb_buf_puts(b, "/>\n");
                return;
        }
        vb_buf_puts(b, ">\n");
        vb_buf_indent(b, 2);
        if (ip->tftp_root) {
                vb_buf_pad(b);
                vb_buf_puts(b, "<tftp");
                vb_buf_attr(b, "root", ip->tftp_root);
                vb_buf_puts(b, "/>\n");
        }
        if (dhcp) {
                vb_buf_line(b, "<dhcp>");
                vb_buf_indent(b, 2);
                for (size_t i = 0; i < ip->n_ranges; i++)
                        format_range(b, &ip->ranges[i]);
                for (size_t i = 0; i < ip->n_hosts; i++)
                        format_host(b, &ip->hosts[i]);
                vb_buf_fragment(b, ip->dhcp_extra_xml);
                vb_buf_indent(b, -2);
                vb_buf_line(b, "</dhcp>");
        }
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</ip>");
}

char *vb_network_def_format(const VbNetworkDef *def, unsigned flags) {
        _cleanup_vb_buf_ VbBuf b = { 0 };

        vb_buf_puts(&b, "<network");
        vb_buf_attr(&b, "ipv6", def->ipv6);
        vb_buf_attr(&b, "trustGuestRxFilters", def->trust_guest_rx_filters);
        vb_buf_puts(&b, ">\n");
        vb_buf_indent(&b, 2);
        vb_buf_elem(&b, "name", def->name);
        vb_buf_uuid(&b, def->uuid);
        vb_buf_fragment(&b, def->metadata_xml);
        if (def->forward_mode != VB_NET_FORWARD_NONE)
                format_forward(&b, def);
        format_bridge(&b, def);
        if (def->mtu)
                vb_buf_line(&b, "<mtu size='%u'/>", def->mtu);
        if (def->mac)
                vb_buf_line(&b, "<mac address='%s'/>", def->mac);
        vb_buf_fragment(&b, def->pre_ip_xml);
        for (size_t i = 0; i < def->n_ips; i++)
                format_ip(&b, &def->ips[i]);
        vb_buf_fragment(&b, def->post_ip_xml);
        vb_buf_indent(&b, -2);
        vb_buf_puts(&b, "</network>\n");
        return vb_buf_steal(&b);
}

/* ---- virNetworkUpdate ---- */

static VbNetworkIp *update_find_ip(VbNetworkDef *def, int parent_index, VbError *e) {
        if (parent_index >= 0) {
                if ((size_t) parent_index >= def->n_ips) {
                        vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                     "couldn't update dhcp host entry - no <ip> element found at index %d in network '%s'",
                                     parent_index, def->name);
                        return NULL;
                }
                return &def->ips[parent_index];
        }
        /* -1: the <ip> that already has dhcp, else the first IPv4 one */
        for (size_t i = 0; i < def->n_ips; i++)
                if (def->ips[i].n_ranges || def->ips[i].n_hosts)
                        return &def->ips[i];
        for (size_t i = 0; i < def->n_ips; i++)
                if (!ip_is_v6(&def->ips[i]))
                        return &def->ips[i];
        vb_error_set(e, VB_ERR_OPERATION_INVALID,
                     "couldn't update dhcp host entry - no <ip> element found in network '%s'", def->name);
        return NULL;
}

static int update_parse_elem(const VbNetworkDef *def, const char *xml, const char *want,
                             xmlDocPtr *ret, VbError *e) {
        xmlDocPtr doc = NULL;
        xmlNodePtr root;
        int r = vb_xml_parse(xml, NULL, &doc, e);
        if (r < 0)
                return r;
        root = xmlDocGetRootElement(doc);
        if (!xmlStrEqual(root->name, BAD_CAST want)) {
                r = vb_error_set(e, VB_ERR_XML_ERROR,
                                 "unexpected element <%s>, expecting <%s>, while updating network '%s'",
                                 (const char *) root->name, want, def->name);
                xmlFreeDoc(doc);
                return r;
        }
        *ret = doc;
        return 0;
}

static bool host_conflicts(const VbNetworkDhcpHost *a, const VbNetworkDhcpHost *b) {
        return (a->mac && b->mac && streq(a->mac, b->mac)) ||
               (a->id && b->id && streq(a->id, b->id)) ||
               (a->name && b->name && streq(a->name, b->name)) ||
               (a->ip && b->ip && ip_equal(a->ip, b->ip));
}

/* DELETE matches an entry on every attribute the caller gave. */
static bool host_matches_partial(const VbNetworkDhcpHost *want, const VbNetworkDhcpHost *h) {
        return (!want->mac || streq_ptr(want->mac, h->mac)) &&
               (!want->id || streq_ptr(want->id, h->id)) &&
               (!want->name || streq_ptr(want->name, h->name)) &&
               (!want->ip || ip_equal(want->ip, h->ip));
}

static void hosts_insert(VbNetworkIp *ip, size_t at, VbNetworkDhcpHost *h) {
        VbNetworkDhcpHost *n = realloc(ip->hosts, (ip->n_hosts + 1) * sizeof(*n));
        if (!n)
                abort();
        memmove(n + at + 1, n + at, (ip->n_hosts - at) * sizeof(*n));
        n[at] = *h;
        *h = (VbNetworkDhcpHost) { 0 };
        ip->hosts = n;
        ip->n_hosts++;
}

static int update_host_add(VbNetworkDef *def, VbNetworkIp *ip, unsigned command,
                           VbNetworkDhcpHost *host, VbError *e) {
        for (size_t i = 0; i < ip->n_hosts; i++)
                if (host_conflicts(host, &ip->hosts[i]))
                        return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                            "there is an existing dhcp host entry in network '%s' that matches \"<host mac='%s' name='%s' ip='%s'/>\"",
                                            def->name, strempty(ip->hosts[i].mac),
                                            strempty(ip->hosts[i].name), strempty(ip->hosts[i].ip));
        hosts_insert(ip, command == VB_NET_UPDATE_COMMAND_ADD_FIRST ? 0 : ip->n_hosts, host);
        return 0;
}

static int update_host_modify(VbNetworkDef *def, VbNetworkIp *ip, VbNetworkDhcpHost *host, VbError *e) {
        for (size_t i = 0; i < ip->n_hosts; i++) {
                VbNetworkDhcpHost *h = &ip->hosts[i];
                bool match = host->mac ? streq_ptr(host->mac, h->mac) :
                             host->id ? streq_ptr(host->id, h->id) : streq_ptr(host->name, h->name);
                if (!match)
                        continue;
                host_clear(h);
                *h = *host;
                *host = (VbNetworkDhcpHost) { 0 };
                return 0;
        }
        if (host->mac || host->id)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                    "couldn't locate an existing dhcp host entry with \"%s='%s'\" in network '%s'",
                                    host->mac ? "mac" : "id", host->mac ? host->mac : host->id, def->name);
        return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                            "couldn't locate an existing dhcp host entry with \"name='%s'\" in network '%s'",
                            strempty(host->name), def->name);
}

static int update_host_delete(VbNetworkDef *def, VbNetworkIp *ip, const VbNetworkDhcpHost *host, VbError *e) {
        for (size_t i = 0; i < ip->n_hosts; i++) {
                if (!host_matches_partial(host, &ip->hosts[i]))
                        continue;
                host_clear(&ip->hosts[i]);
                memmove(ip->hosts + i, ip->hosts + i + 1, (ip->n_hosts - i - 1) * sizeof(*ip->hosts));
                ip->n_hosts--;
                return 0;
        }
        return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                            "couldn't locate a matching dhcp host entry in network '%s'", def->name);
}

static int update_dhcp_host(VbNetworkDef *def, unsigned command, int parent_index,
                            const char *xml, VbError *e) {
        VbNetworkDhcpHost host = { 0 };
        VbNetworkIp *ip;
        xmlDocPtr doc = NULL;
        int r;

        ip = update_find_ip(def, parent_index, e);
        if (!ip)
                return vb_error_code_to_errno(VB_ERR_OPERATION_INVALID);
        r = update_parse_elem(def, xml, "host", &doc, e);
        if (r < 0)
                return r;
        r = host_parse(xmlDocGetRootElement(doc), def->name, ip_is_v6(ip),
                       command == VB_NET_UPDATE_COMMAND_DELETE, &host, e);
        xmlFreeDoc(doc);
        if (r < 0)
                return r;
        if (command == VB_NET_UPDATE_COMMAND_MODIFY)
                r = update_host_modify(def, ip, &host, e);
        else if (command == VB_NET_UPDATE_COMMAND_DELETE)
                r = update_host_delete(def, ip, &host, e);
        else
                r = update_host_add(def, ip, command, &host, e);
        host_clear(&host);
        return r;
}

static int update_dhcp_range(VbNetworkDef *def, unsigned command, int parent_index,
                             const char *xml, VbError *e) {
        VbNetworkDhcpRange range = { 0 };
        VbNetworkIp *ip;
        xmlDocPtr doc = NULL;
        size_t i;
        int r;

        ip = update_find_ip(def, parent_index, e);
        if (!ip)
                return vb_error_code_to_errno(VB_ERR_OPERATION_INVALID);
        if (command == VB_NET_UPDATE_COMMAND_MODIFY)
                return vb_error_set(e, VB_ERR_NO_SUPPORT, "dhcp ranges cannot be modified, only added or deleted");
        r = update_parse_elem(def, xml, "range", &doc, e);
        if (r < 0)
                return r;
        r = range_parse(xmlDocGetRootElement(doc), def->name, ip, &range, e);
        xmlFreeDoc(doc);
        if (r < 0)
                return r;
        for (i = 0; i < ip->n_ranges; i++)
                if (ip_equal(range.start, ip->ranges[i].start) && ip_equal(range.end, ip->ranges[i].end))
                        break;
        if (command == VB_NET_UPDATE_COMMAND_DELETE) {
                if (i == ip->n_ranges)
                        r = vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                         "couldn't locate a matching dhcp range entry \"<range start='%s' end='%s'/>\" in network '%s'",
                                         range.start, range.end, def->name);
                else {
                        range_clear(&ip->ranges[i]);
                        memmove(ip->ranges + i, ip->ranges + i + 1, (ip->n_ranges - i - 1) * sizeof(*ip->ranges));
                        ip->n_ranges--;
                }
        } else if (i < ip->n_ranges)
                r = vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                 "there is an existing dhcp range entry in network '%s' that matches \"<range start='%s' end='%s'/>\"",
                                 def->name, range.start, range.end);
        else {
                VbNetworkDhcpRange *n = realloc(ip->ranges, (ip->n_ranges + 1) * sizeof(*n));
                size_t at = command == VB_NET_UPDATE_COMMAND_ADD_FIRST ? 0 : ip->n_ranges;
                if (!n)
                        abort();
                memmove(n + at + 1, n + at, (ip->n_ranges - at) * sizeof(*n));
                n[at] = range;
                range = (VbNetworkDhcpRange) { 0 };
                ip->ranges = n;
                ip->n_ranges++;
        }
        range_clear(&range);
        return r;
}

int vb_network_def_update(VbNetworkDef *def, unsigned command, unsigned section,
                          int parent_index, const char *xml, unsigned flags, VbError *e) {
        if (flags & ~VB_NET_UPDATE_FLAGS_MASK)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "unsupported flags (0x%x) in function vb_network_def_update",
                                    flags & ~VB_NET_UPDATE_FLAGS_MASK);
        if (command < VB_NET_UPDATE_COMMAND_MODIFY || command > VB_NET_UPDATE_COMMAND_ADD_FIRST)
                return vb_error_set(e, VB_ERR_NO_SUPPORT, "unrecognized network update command code %u", command);
        if (section == 0 || section >= _VB_NET_SECTION_MAX)
                return vb_error_set(e, VB_ERR_NO_SUPPORT, "can't update unrecognized section of network");
        switch (section) {
        case VB_NET_SECTION_IP_DHCP_HOST:
                return update_dhcp_host(def, command, parent_index, xml, e);
        case VB_NET_SECTION_IP_DHCP_RANGE:
                return update_dhcp_range(def, command, parent_index, xml, e);
        default:
                return vb_error_set(e, VB_ERR_NO_SUPPORT, "can't update '%s' section of network '%s'",
                                    vb_net_section_to_string(section), def->name);
        }
}
