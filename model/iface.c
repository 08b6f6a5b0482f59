/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/socket.h>

#include "iface.h"
#include "xml-keep.h"
#include "xml-util.h"

static const char *const iface_types[] = { "ethernet", "bridge", "bond", "vlan" };
static const char *const start_modes[] = { "none", "onboot", "hotplug" };

static void protocol_clear(VbIfaceProtocol *p) {
        free(p->family);
        free(p->dhcp_peerdns);
        for (size_t i = 0; i < p->n_ips; i++)
                free(p->ips[i].address);
        free(p->ips);
        free(p->gateway);
        *p = (VbIfaceProtocol) { 0 };
}

VbInterfaceDef *vb_iface_def_free(VbInterfaceDef *def) {
        if (!def)
                return NULL;
        free(def->type);
        free(def->name);
        free(def->start_mode);
        free(def->mac);
        free(def->link_xml);
        for (size_t i = 0; i < def->n_protocols; i++)
                protocol_clear(&def->protocols[i]);
        free(def->protocols);
        free(def->sub_xml);
        free(def);
        return NULL;
}

VbInterfaceDef *vb_iface_def_copy(const VbInterfaceDef *s) {
        VbInterfaceDef *d;
        if (!s)
                return NULL;
        d = vb_calloc(1, sizeof(*d));
        d->type = vb_strdup(s->type);
        d->name = vb_strdup(s->name);
        d->start_mode = vb_strdup(s->start_mode);
        d->mac = vb_strdup(s->mac);
        d->mtu = s->mtu;
        d->link_xml = vb_strdup(s->link_xml);
        d->protocols = vb_calloc(s->n_protocols, sizeof(*d->protocols));
        for (size_t i = 0; i < s->n_protocols; i++) {
                const VbIfaceProtocol *sp = &s->protocols[i];
                VbIfaceProtocol *dp = &d->protocols[i];
                dp->family = vb_strdup(sp->family);
                dp->dhcp = sp->dhcp;
                dp->dhcp_peerdns = vb_strdup(sp->dhcp_peerdns);
                dp->autoconf = sp->autoconf;
                dp->ips = vb_calloc(sp->n_ips, sizeof(*dp->ips));
                for (size_t j = 0; j < sp->n_ips; j++) {
                        dp->ips[j].address = vb_strdup(sp->ips[j].address);
                        dp->ips[j].prefix = sp->ips[j].prefix;
                }
                dp->n_ips = sp->n_ips;
                dp->gateway = vb_strdup(sp->gateway);
        }
        d->n_protocols = s->n_protocols;
        d->sub_xml = vb_strdup(s->sub_xml);
        return d;
}

static int ip_parse(xmlNodePtr n, int fam, VbIfaceIp *ip, VbError *e) {
        _cleanup_free_ char *prefix = vb_xml_prop(n, "prefix");
        ip->address = vb_xml_prop(n, "address");
        if (vb_ip_family(ip->address) != fam)
                return vb_error_set(e, VB_ERR_XML_ERROR, "invalid IP address '%s' in interface protocol",
                                    strempty(ip->address));
        if (prefix) {
                unsigned long long p;
                if (vb_xml_parse_uint(prefix, fam == AF_INET ? 32 : 128, &p) < 0)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "Invalid ip address prefix value");
                ip->prefix = (unsigned) p;
        }
        return 0;
}

static int protocol_parse(xmlNodePtr n, VbIfaceProtocol *p, VbError *e) {
        xmlNodePtr dhcp = vb_xml_child(n, "dhcp");
        int fam, r;

        p->family = vb_xml_prop(n, "family");
        if (!p->family)
                return vb_error_set(e, VB_ERR_XML_ERROR, "protocol misses the family attribute");
        if (streq(p->family, "ipv4"))
                fam = AF_INET;
        else if (streq(p->family, "ipv6"))
                fam = AF_INET6;
        else
                return vb_error_set(e, VB_ERR_XML_ERROR, "unsupported protocol family '%s'", p->family);
        p->dhcp = dhcp != NULL;
        p->dhcp_peerdns = vb_xml_prop(dhcp, "peerdns");
        p->autoconf = fam == AF_INET6 && vb_xml_child(n, "autoconf");
        p->gateway = vb_xml_prop(vb_xml_child(n, "route"), "gateway");
        if (p->gateway && vb_ip_family(p->gateway) != fam)
                return vb_error_set(e, VB_ERR_XML_ERROR, "invalid gateway address '%s'", p->gateway);
        p->ips = vb_calloc(vb_xml_count_children(n, "ip"), sizeof(*p->ips));
        for (xmlNodePtr c = n->children; c; c = c->next)
                if (vb_xml_is(c, "ip")) {
                        r = ip_parse(c, fam, &p->ips[p->n_ips++], e);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int iface_parse_basics(xmlNodePtr root, VbInterfaceDef *def, VbError *e) {
        _cleanup_free_ char *mac = vb_xml_prop(vb_xml_child(root, "mac"), "address");
        _cleanup_free_ char *mtu = vb_xml_prop(vb_xml_child(root, "mtu"), "size");
        bool ok = false;
        char norm[18];
        int r;

        def->type = vb_xml_prop(root, "type");
        if (!def->type)
                return vb_error_set(e, VB_ERR_XML_ERROR, "interface misses the type attribute");
        for (size_t i = 0; i < ELEMENTSOF(iface_types); i++)
                ok = ok || streq(def->type, iface_types[i]);
        if (!ok)
                return vb_error_set(e, VB_ERR_XML_ERROR, "unknown interface type %s", def->type);
        def->name = vb_xml_prop(root, "name");
        if (!def->name)
                return vb_error_set(e, VB_ERR_XML_ERROR, "interface has no name");
        r = vb_name_validate(def->name, "interface", e);
        if (r < 0)
                return r;
        def->start_mode = vb_xml_prop(vb_xml_child(root, "start"), "mode");
        ok = !def->start_mode;
        for (size_t i = 0; !ok && i < ELEMENTSOF(start_modes); i++)
                ok = streq(def->start_mode, start_modes[i]);
        if (!ok)
                return vb_error_set(e, VB_ERR_XML_ERROR, "unknown interface startmode %s", def->start_mode);
        if (mac) {
                if (vb_mac_parse(mac, norm) < 0)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "invalid MAC address '%s'", mac);
                def->mac = vb_strdup(norm);
        }
        if (mtu) {
                unsigned long long v;
                if (vb_xml_parse_uint(mtu, 65535, &v) < 0 || v == 0)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "interface mtu value is improper");
                def->mtu = (unsigned) v;
        }
        return 0;
}

static int iface_parse_root(xmlNodePtr root, unsigned flags, void *userdata, VbError *e) {
        VbInterfaceDef *def = userdata;
        int r = iface_parse_basics(root, def, e);
        if (r < 0)
                return r;
        def->link_xml = vb_xml_keep(vb_xml_child(root, "link"));
        def->protocols = vb_calloc(vb_xml_count_children(root, "protocol"), sizeof(*def->protocols));
        for (xmlNodePtr c = root->children; c; c = c->next) {
                if (vb_xml_is(c, "protocol")) {
                        r = protocol_parse(c, &def->protocols[def->n_protocols++], e);
                        if (r < 0)
                                return r;
                } else if (vb_xml_is(c, "bridge") || vb_xml_is(c, "bond") || vb_xml_is(c, "vlan"))
                        vb_xml_keep_append(&def->sub_xml, c);
        }
        if (!streq(def->type, "ethernet") && !def->sub_xml)
                return vb_error_set(e, VB_ERR_XML_ERROR, "%s interface misses the %s element",
                                    def->type, def->type);
        return 0;
}

VB_XML_DEFINE_PARSE(vb_iface_def_parse, VbInterfaceDef, vb_iface_def_freep, "interface", iface_parse_root)

static void protocol_format(VbBuf *b, const VbIfaceProtocol *p) {
        vb_buf_line(b, "<protocol family='%s'>", p->family);
        vb_buf_indent(b, 2);
        if (p->autoconf)
                vb_buf_line(b, "<autoconf/>");
        if (p->dhcp) {
                if (p->dhcp_peerdns)
                        vb_buf_line(b, "<dhcp peerdns='%s'/>", streq(p->dhcp_peerdns, "yes") ? "yes" : "no");
                else
                        vb_buf_line(b, "<dhcp/>");
        }
        for (size_t i = 0; i < p->n_ips; i++) {
                if (p->ips[i].prefix > 0)
                        vb_buf_line(b, "<ip address='%s' prefix='%u'/>", p->ips[i].address, p->ips[i].prefix);
                else
                        vb_buf_line(b, "<ip address='%s'/>", p->ips[i].address);
        }
        if (p->gateway)
                vb_buf_line(b, "<route gateway='%s'/>", p->gateway);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</protocol>");
}

char *vb_iface_def_format(const VbInterfaceDef *def, unsigned flags) {
        _cleanup_vb_buf_ VbBuf b = { 0 };

        vb_buf_printf(&b, "<interface type='%s' name='", def->type);
        vb_buf_escape(&b, def->name);
        vb_buf_puts(&b, "'>\n");
        vb_buf_indent(&b, 2);
        if (def->start_mode)
                vb_buf_line(&b, "<start mode='%s'/>", def->start_mode);
        if (def->mac)
                vb_buf_line(&b, "<mac address='%s'/>", def->mac);
        vb_buf_fragment(&b, def->link_xml);
        if (def->mtu)
                vb_buf_line(&b, "<mtu size='%u'/>", def->mtu);
        for (size_t i = 0; i < def->n_protocols; i++)
                protocol_format(&b, &def->protocols[i]);
        vb_buf_fragment(&b, def->sub_xml);
        vb_buf_indent(&b, -2);
        vb_buf_puts(&b, "</interface>\n");
        return vb_buf_steal(&b);
}
