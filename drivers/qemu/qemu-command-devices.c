/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Domain devices → QEMU -blockdev/-netdev/-chardev/-device options. Controllers are
 * emitted last into their own section, once every device has said what it needs. */
#include <libxml/parser.h>
#include <stdio.h>
#include <sys/socket.h>

#include "qemu-command-internal.h"
#include "xml-util.h"

#define BASE VB_QEMU_ARGS_BASE
#define CTRL VB_QEMU_ARGS_CONTROLLERS
#define DEVS VB_QEMU_ARGS_DEVICES

typedef struct StrMap {
        const char *from, *to;
} StrMap;

static const char *map_lookup(const StrMap *map, const char *from) {
        for (; map->from; map++)
                if (streq_ptr(map->from, from))
                        return map->to;
        return NULL;
}

static const char *bootindex(VbQemuCmd *c, int order) {
        if (order <= 0)
                return "";
        return vb_qemu_cmd_keep(c, vb_strdupf(",bootindex=%d", order));
}

/* ---- kept devices: the element rebuilt from its attributes and body ---- */

static inline void xml_free_docp(xmlDocPtr *d) {
        if (*d)
                xmlFreeDoc(*d);
}
#define _cleanup_xml_doc_ _cleanup_(xml_free_docp)

static xmlDocPtr fragment_doc(VbQemuCmd *c, const char *attrs, const char *body) {
        _cleanup_free_ char *text = vb_strdupf("<dev%s>%s</dev>", strempty(attrs), strempty(body));
        xmlDocPtr doc = xmlReadMemory(text, (int) strlen(text), NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!doc || !xmlDocGetRootElement(doc)) {
                if (doc)
                        xmlFreeDoc(doc);
                vb_qemu_cmd_fail(c, VB_ERR_INTERNAL, "cannot read a kept device element");
                return NULL;
        }
        return doc;
}

static xmlDocPtr device_doc(VbQemuCmd *c, const VbDomainDevice *d) {
        return fragment_doc(c, d->attrs, d->body);
}

/* Attribute @attr of the first child @child of @n (@child NULL: of @n); kept. */
static const char *prop(VbQemuCmd *c, xmlNodePtr n, const char *child, const char *attr) {
        if (n && child)
                n = vb_xml_child(n, child);
        return vb_qemu_cmd_keep(c, vb_xml_prop(n, attr));
}

static const char *text_of(VbQemuCmd *c, xmlNodePtr n, const char *child) {
        return vb_qemu_cmd_keep(c, vb_xml_content(vb_xml_child(n, child)));
}

static unsigned index_attr(VbQemuCmd *c, xmlNodePtr n, const char *child, const char *attr) {
        const char *s = prop(c, n, child, attr);
        unsigned long long v = 0;
        if (s && vb_xml_parse_uint(s, 65535, &v) < 0)
                vb_qemu_cmd_fail(c, VB_ERR_INVALID_ARG, "invalid %s '%s'", attr,
                                 vb_qemu_cmd_raw(c, attr, s));
        return (unsigned) v;
}

/* ---- disks ---- */

/* The number in a target name: "vda" → 0, "sdb" → 1, "hdaa" → 26. */
static int disk_index(const char *dev, unsigned *ret) {
        static const char *const prefixes[] = { "xvd", "hd", "sd", "vd", NULL };
        const char *p = NULL;
        unsigned long idx = 0;

        for (const char *const *q = prefixes; *q && !p; q++)
                if (strncmp(dev, *q, strlen(*q)) == 0)
                        p = dev + strlen(*q);
        if (!p || !*p || strlen(p) > 3)
                return -EINVAL;
        for (; *p; p++) {
                if (*p < 'a' || *p > 'z')
                        return -EINVAL;
                idx = idx * 26 + (unsigned long) (*p - 'a' + 1);
        }
        *ret = (unsigned) (idx - 1);
        return 0;
}

static bool disk_has_media(const VbDomainDisk *d) {
        return !isempty(d->source);
}

static void disk_blockdev(VbQemuCmd *c, const VbDomainDisk *d, const char *dev) {
        bool ro = d->readonly || streq_ptr(d->device, "cdrom");
        bool cdrom = streq_ptr(d->device, "cdrom");
        const char *fmt = d->driver_type ? d->driver_type : "raw";
        const char *proto;

        if (streq_ptr(d->type, "file"))
                proto = "file";
        else if (streq_ptr(d->type, "block"))
                proto = cdrom ? "host_cdrom" : "host_device";
        else {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                 "disk '%s': type '%s' is not supported (file, block)", dev,
                                 vb_qemu_cmd_raw(c, "disk type", d->type));
                return;
        }
        if (!streq(fmt, "raw") && !streq(fmt, "qcow2")) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                 "disk '%s': format '%s' is not supported (raw, qcow2)", dev,
                                 vb_qemu_cmd_raw(c, "disk format", fmt));
                return;
        }
        vb_qemu_cmd_opt(c, DEVS, "-blockdev", "driver=%s,filename=%s,node-name=file-%s,read-only=%s",
                        proto, vb_qemu_cmd_path(c, "disk source", d->source), dev, ro ? "on" : "off");
        vb_qemu_cmd_opt(c, DEVS, "-blockdev", "driver=%s,file=file-%s,node-name=fmt-%s,read-only=%s",
                        fmt, dev, dev, ro ? "on" : "off");
}

/* ",drive=fmt-vda" or "" for an empty cdrom. */
static const char *disk_drive(VbQemuCmd *c, const VbDomainDisk *d, const char *dev) {
        return disk_has_media(d) ? vb_qemu_cmd_keep(c, vb_strdupf(",drive=fmt-%s", dev)) : "";
}

static void disk_ide(VbQemuCmd *c, const VbDomainDisk *d, const char *dev, unsigned idx) {
        bool sata = streq(d->target_bus, "sata");
        const char *model = streq_ptr(d->device, "cdrom") ? "ide-cd" : "ide-hd";
        _cleanup_free_ char *bus = NULL;

        if (!sata && c->q35) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                 "disk '%s': IDE is not available on q35 machines, use bus='sata'", dev);
                return;
        }
        if (idx >= (sata ? 6u : 4u)) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "disk '%s': no %s unit left for it",
                                 dev, sata ? "SATA" : "IDE");
                return;
        }
        if (!sata)
                bus = vb_strdupf("ide.%u,unit=%u", idx / 2, idx % 2);
        else if (c->q35)
                bus = vb_strdupf("ide.%u", idx);
        else {
                bus = vb_strdupf("sata0.%u", idx);
                c->need_sata = true;
        }
        vb_qemu_cmd_opt(c, DEVS, "-device", "%s,bus=%s%s,id=%s%s", model, bus,
                        disk_drive(c, d, dev), dev, bootindex(c, d->boot_order));
}

static void disk_device(VbQemuCmd *c, const VbDomainDisk *d, const char *dev, unsigned idx) {
        bool cdrom = streq_ptr(d->device, "cdrom");
        const char *bus = d->target_bus;

        if (streq(bus, "ide") || streq(bus, "sata"))
                return disk_ide(c, d, dev, idx);
        if (streq(bus, "virtio") && !cdrom)
                vb_qemu_cmd_opt(c, DEVS, "-device", "virtio-blk-pci%s,id=%s%s", disk_drive(c, d, dev),
                                dev, bootindex(c, d->boot_order));
        else if (streq(bus, "scsi") && idx < 256) {
                c->need_scsi = true;
                vb_qemu_cmd_opt(c, DEVS, "-device", "%s,bus=scsi0.0,channel=0,scsi-id=%u,lun=0%s,id=%s%s",
                                cdrom ? "scsi-cd" : "scsi-hd", idx, disk_drive(c, d, dev), dev,
                                bootindex(c, d->boot_order));
        } else if (streq(bus, "usb") && !cdrom) {
                c->need_usb = true;
                vb_qemu_cmd_opt(c, DEVS, "-device", "usb-storage,bus=usb.0%s,id=%s%s",
                                disk_drive(c, d, dev), dev, bootindex(c, d->boot_order));
        } else
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                 "disk '%s': device '%s' on bus '%s' is not supported", dev,
                                 vb_qemu_cmd_raw(c, "disk device", d->device),
                                 vb_qemu_cmd_raw(c, "disk bus", bus));
}

static void build_disk(VbQemuCmd *c, const VbDomainDisk *d) {
        const char *dev = vb_qemu_cmd_ident(c, "disk target", d->target_dev);
        unsigned idx;

        if (c->r < 0)
                return;
        if (disk_index(dev, &idx) < 0) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                 "disk target '%s' is not of the form hdX, sdX, vdX", dev);
                return;
        }
        if (!streq_ptr(d->device, "disk") && !streq_ptr(d->device, "cdrom")) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "disk '%s': device '%s' is not supported",
                                 dev, vb_qemu_cmd_raw(c, "disk device", d->device));
                return;
        }
        if (!d->target_bus) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "disk '%s' has no bus", dev);
                return;
        }
        if (disk_has_media(d))
                disk_blockdev(c, d, dev);
        else if (!streq(d->device, "cdrom")) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "disk '%s' has no source", dev);
                return;
        }
        disk_device(c, d, dev, idx);
}

static void build_disks(VbQemuCmd *c) {
        for (size_t i = 0; i < c->def->n_disks; i++) {
                for (size_t j = 0; j < i; j++)
                        if (streq_ptr(c->def->disks[i].target_dev, c->def->disks[j].target_dev))
                                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                                 "two disks use the target '%s'",
                                                 vb_qemu_cmd_raw(c, "disk target", c->def->disks[i].target_dev));
                build_disk(c, &c->def->disks[i]);
        }
}

/* ---- interfaces ---- */

static const StrMap net_models[] = {
        { "virtio", "virtio-net-pci" }, { "e1000", "e1000" }, { "e1000e", "e1000e" },
        { "rtl8139", "rtl8139" }, { "ne2k_pci", "ne2k_pci" }, { "vmxnet3", "vmxnet3" },
        { NULL, NULL },
};

static void build_netdev(VbQemuCmd *c, const VbDomainNet *n, size_t i) {
        const int *fds = c->o->tap_fds;
        size_t k;

        if (streq_ptr(n->type, "user")) {
                vb_qemu_cmd_opt(c, DEVS, "-netdev", "user,id=net%zu", i);
                return;
        }
        if (!streq_ptr(n->type, "network") && !streq_ptr(n->type, "bridge")) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                 "interface type '%s' is not supported (user, network, bridge)",
                                 vb_qemu_cmd_raw(c, "interface type", n->type));
                return;
        }
        k = c->next_tap++;
        if (!fds || k >= c->o->n_tap_fds || fds[k] < 0) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                 "interface %zu (type '%s') needs a tap device and none was given",
                                 i, n->type);
                return;
        }
        vb_qemu_cmd_opt(c, DEVS, "-netdev", "tap,fd=%d,id=net%zu", fds[k], i);
}

static void build_net(VbQemuCmd *c, const VbDomainNet *n, size_t i) {
        /* libvirt's default model for x86 guests */
        const char *model = map_lookup(net_models, n->model ? n->model : "rtl8139");
        char mac[18];

        if (!model) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "interface model '%s' is not supported",
                                 vb_qemu_cmd_raw(c, "interface model", n->model));
                return;
        }
        if (vb_mac_parse(n->mac, mac) < 0 || (strtoul(mac, NULL, 16) & 1)) {
                vb_qemu_cmd_fail(c, VB_ERR_INVALID_ARG, "interface %zu: '%s' is not a unicast MAC address",
                                 i, vb_qemu_cmd_raw(c, "MAC address", n->mac));
                return;
        }
        build_netdev(c, n, i);
        vb_qemu_cmd_opt(c, DEVS, "-device", "%s,netdev=net%zu,id=nic%zu,mac=%s%s", model, i, i, mac,
                        bootindex(c, n->boot_order));
}

/* ---- character devices ---- */

/* -chardev for a serial, console or channel of @type; @generated_path: unix socket
 * path to use when <source path=''/> is absent (NULL: required). */
static void build_chardev(VbQemuCmd *c, xmlNodePtr root, const char *type, const char *id,
                          const char *generated_path) {
        const char *path = prop(c, root, "source", "path");
        const char *mode = prop(c, root, "source", "mode");

        if (streq_ptr(type, "pty"))
                vb_qemu_cmd_opt(c, DEVS, "-chardev", "pty,id=%s", id);
        else if (streq_ptr(type, "null"))
                vb_qemu_cmd_opt(c, DEVS, "-chardev", "null,id=%s", id);
        else if (streq_ptr(type, "file"))
                vb_qemu_cmd_opt(c, DEVS, "-chardev", "file,id=%s,path=%s", id,
                                vb_qemu_cmd_path(c, "character device file", path));
        else if (streq_ptr(type, "unix")) {
                if (!path && generated_path)
                        path = generated_path;
                else
                        path = vb_qemu_cmd_socket_path(c, "character device socket", path);
                if (mode && !streq(mode, "bind") && !streq(mode, "connect"))
                        vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "unknown socket mode");
                vb_qemu_cmd_opt(c, DEVS, "-chardev", "socket,id=%s,path=%s%s", id, path,
                                streq_ptr(mode, "connect") ? "" : ",server=on,wait=off");
        } else if (streq_ptr(type, "spicevmc") && c->spice)
                vb_qemu_cmd_opt(c, DEVS, "-chardev", "spicevmc,id=%s,name=vdagent", id);
        else
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                 "character device type '%s' is not supported%s",
                                 vb_qemu_cmd_raw(c, "character device type", type),
                                 streq_ptr(type, "spicevmc") ? " without SPICE graphics" : "");
}

static void build_serial(VbQemuCmd *c, const VbDomainDevice *d, unsigned i) {
        _cleanup_xml_doc_ xmlDocPtr doc = device_doc(c, d);
        xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
        const char *ttype = prop(c, root, "target", "type");
        unsigned port = index_attr(c, root, "target", "port");
        _cleanup_free_ char *id = vb_strdupf("charserial%u", i);

        if (!root)
                return;
        if (ttype && !streq(ttype, "isa-serial") && !streq(ttype, "pci-serial")) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "serial target type '%s' is not supported",
                                 vb_qemu_cmd_raw(c, "serial target type", ttype));
                return;
        }
        if (port >= 4 || (c->serial_ports & (1u << port))) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "serial port %u is not available", port);
                return;
        }
        c->serial_ports |= 1u << port;
        build_chardev(c, root, d->type, id, NULL);
        vb_qemu_cmd_opt(c, DEVS, "-device", "%s,chardev=%s,id=serial%u",
                        streq_ptr(ttype, "pci-serial") ? "pci-serial" : "isa-serial", id, i);
}

static void build_console(VbQemuCmd *c, const VbDomainDevice *d, unsigned i) {
        _cleanup_xml_doc_ xmlDocPtr doc = device_doc(c, d);
        xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
        const char *ttype = prop(c, root, "target", "type");
        unsigned port = index_attr(c, root, "target", "port");
        _cleanup_free_ char *id = vb_strdupf("charconsole%u", i);

        if (!root)
                return;
        if (!ttype || streq(ttype, "serial")) {
                /* The console of a <serial> is that serial port itself. */
                if (port < 4 && (c->serial_ports & (1u << port)))
                        return;
                if (port >= 4) {
                        vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "serial port %u is not available", port);
                        return;
                }
                c->serial_ports |= 1u << port;
                build_chardev(c, root, d->type, id, NULL);
                vb_qemu_cmd_opt(c, DEVS, "-device", "isa-serial,chardev=%s,id=console%u", id, i);
        } else if (streq(ttype, "virtio")) {
                c->need_vserial = true;
                build_chardev(c, root, d->type, id, NULL);
                vb_qemu_cmd_opt(c, DEVS, "-device", "virtconsole,bus=virtio-serial0.0,chardev=%s,id=console%u",
                                id, i);
        } else
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "console target type '%s' is not supported",
                                 vb_qemu_cmd_raw(c, "console target type", ttype));
}

static void build_channel(VbQemuCmd *c, const VbDomainDevice *d, unsigned i) {
        _cleanup_xml_doc_ xmlDocPtr doc = device_doc(c, d);
        xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
        const char *ttype = prop(c, root, "target", "type");
        const char *name = prop(c, root, "target", "name");
        const char *generated = NULL;
        _cleanup_free_ char *id = vb_strdupf("charchannel%u", i);

        if (!root)
                return;
        if (!streq_ptr(ttype, "virtio")) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "channel target type '%s' is not supported (virtio)",
                                 vb_qemu_cmd_raw(c, "channel target type", ttype));
                return;
        }
        if (!name && streq_ptr(d->type, "spicevmc"))
                name = "com.redhat.spice.0";
        name = vb_qemu_cmd_ident(c, "channel name", name);
        if (streq_ptr(d->type, "unix") && !prop(c, root, "source", "path")) {
                _cleanup_free_ char *file = vb_strdupf("channel-%s.sock", name);
                generated = vb_qemu_cmd_runtime_socket(c, "channel socket", file);
        }
        c->need_vserial = true;
        build_chardev(c, root, d->type, id, generated);
        vb_qemu_cmd_opt(c, DEVS, "-device", "virtserialport,bus=virtio-serial0.0,chardev=%s,id=channel%u,name=%s",
                        id, i, name);
}

/* ---- graphics ---- */

/* The first <listen> child: its type and its address or socket. */
static void graphics_listen(VbQemuCmd *c, const VbDomainGraphics *g, const char **ret_type,
                            const char **ret_value) {
        _cleanup_xml_doc_ xmlDocPtr doc = fragment_doc(c, NULL, g->body);
        xmlNodePtr l = doc ? vb_xml_child(xmlDocGetRootElement(doc), "listen") : NULL;
        const char *type = l ? prop(c, l, NULL, "type") : NULL;

        *ret_type = type ? type : "address";
        *ret_value = streq(*ret_type, "socket") ? prop(c, l, NULL, "socket") : g->listen;
        if (streq(*ret_type, "address") && !*ret_value && l)
                *ret_value = prop(c, l, NULL, "address");
}

/* "127.0.0.1" or "[::1]"; an explicit address must parse as IPv4 or IPv6. */
static const char *listen_host(VbQemuCmd *c, const char *addr) {
        int family;
        if (!addr)
                return "127.0.0.1";
        family = vb_ip_family(vb_qemu_cmd_raw(c, "graphics listen address", addr));
        if (family < 0) {
                vb_qemu_cmd_fail(c, VB_ERR_INVALID_ARG, "graphics listen address '%s' is not an IP address",
                                 addr);
                return "";
        }
        return family == AF_INET ? addr : vb_qemu_cmd_keep(c, vb_strdupf("[%s]", addr));
}

static void build_vnc(VbQemuCmd *c, const VbDomainGraphics *g) {
        const char *ltype, *lvalue, *pw = g->passwd ? ",password=on" : "";
        int port = g->autoport ? 0 : g->port;   /* autoport: a port in the XML is stale */

        graphics_listen(c, g, &ltype, &lvalue);
        if (streq(ltype, "none"))
                vb_qemu_cmd_opt(c, DEVS, "-vnc", "none");
        else if (streq(ltype, "socket") || (streq(ltype, "address") && !lvalue && port <= 0))
                vb_qemu_cmd_opt(c, DEVS, "-vnc", "unix:%s%s",
                                lvalue ? vb_qemu_cmd_socket_path(c, "VNC socket", lvalue)
                                       : vb_qemu_cmd_runtime_socket(c, "VNC socket", "vnc.sock"), pw);
        else if (!streq(ltype, "address"))
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "graphics listen type '%s' is not supported",
                                 vb_qemu_cmd_raw(c, "listen type", ltype));
        else if (port <= 0)
                /* autoport on an explicit address: QEMU takes the first free display */
                vb_qemu_cmd_opt(c, DEVS, "-vnc", "%s:0,to=99%s", listen_host(c, lvalue), pw);
        else if (port >= 5900)
                vb_qemu_cmd_opt(c, DEVS, "-vnc", "%s:%d%s", listen_host(c, lvalue), port - 5900, pw);
        else
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "VNC port %d is below 5900", port);
}

static void build_spice(VbQemuCmd *c, const VbDomainGraphics *g) {
        const char *ltype, *lvalue, *ticket = g->passwd ? "" : ",disable-ticketing=on";
        int port = g->autoport ? 0 : g->port;

        graphics_listen(c, g, &ltype, &lvalue);
        if (g->tls_port > 0)
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "SPICE TLS ports are not supported");
        else if (streq(ltype, "socket") || (streq(ltype, "address") && !lvalue && port <= 0))
                vb_qemu_cmd_opt(c, DEVS, "-spice", "unix=on,addr=%s%s",
                                lvalue ? vb_qemu_cmd_socket_path(c, "SPICE socket", lvalue)
                                       : vb_qemu_cmd_runtime_socket(c, "SPICE socket", "spice.sock"), ticket);
        else if (!streq(ltype, "address"))
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "graphics listen type '%s' is not supported",
                                 vb_qemu_cmd_raw(c, "listen type", ltype));
        else if (port <= 0)
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                 "SPICE with autoport on an address needs an explicit port or a socket listen");
        else {
                const char *host = listen_host(c, lvalue);
                if (*host == '[')
                        host = vb_qemu_cmd_keep(c, vb_strdupf("%.*s", (int) strlen(host) - 2, host + 1));
                vb_qemu_cmd_opt(c, DEVS, "-spice", "port=%d,addr=%s%s", port, host, ticket);
        }
}

static void build_graphics(VbQemuCmd *c) {
        unsigned vnc = 0, spice = 0;

        for (size_t i = 0; i < c->def->n_graphics; i++) {
                vnc += streq_ptr(c->def->graphics[i].type, "vnc");
                spice += streq_ptr(c->def->graphics[i].type, "spice");
        }
        c->spice = spice > 0;
        if (vnc > 1 || spice > 1) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                 "at most one VNC and one SPICE graphics device are supported");
                return;
        }
        for (size_t i = 0; i < c->def->n_graphics && c->r == 0; i++) {
                const VbDomainGraphics *g = &c->def->graphics[i];
                if (streq_ptr(g->type, "vnc"))
                        build_vnc(c, g);
                else if (streq_ptr(g->type, "spice"))
                        build_spice(c, g);
                else
                        vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                         "graphics type '%s' is not supported (vnc, spice)",
                                         vb_qemu_cmd_raw(c, "graphics type", g->type));
        }
}

/* ---- video, input, balloon, rng ---- */

static const StrMap video_primary[] = {
        { "vga", "VGA" }, { "cirrus", "cirrus-vga" }, { "qxl", "qxl-vga" },
        { "virtio", "virtio-vga" }, { "bochs", "bochs-display" }, { "ramfb", "ramfb" },
        { NULL, NULL },
};
static const StrMap video_secondary[] = {
        { "qxl", "qxl" }, { "virtio", "virtio-gpu-pci" }, { "bochs", "bochs-display" },
        { NULL, NULL },
};

static void build_video(VbQemuCmd *c, const VbDomainDevice *d, unsigned i, bool primary) {
        const char *model = d->model ? d->model : (c->spice ? "qxl" : "vga");
        const char *dev;

        if (streq(model, "none"))
                return;
        dev = map_lookup(primary ? video_primary : video_secondary, model);
        if (!dev) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "video model '%s' is not supported%s",
                                 vb_qemu_cmd_raw(c, "video model", model), primary ? "" : " as a secondary device");
                return;
        }
        vb_qemu_cmd_opt(c, DEVS, "-device", "%s,id=video%u", dev, i);
}

static void build_input(VbQemuCmd *c, const VbDomainDevice *d, unsigned i) {
        static const StrMap usb[] = {
                { "tablet", "usb-tablet" }, { "mouse", "usb-mouse" }, { "keyboard", "usb-kbd" }, { NULL, NULL },
        };
        static const StrMap virtio[] = {
                { "tablet", "virtio-tablet-pci" }, { "mouse", "virtio-mouse-pci" },
                { "keyboard", "virtio-keyboard-pci" }, { NULL, NULL },
        };
        _cleanup_xml_doc_ xmlDocPtr doc = device_doc(c, d);
        const char *bus = doc ? prop(c, xmlDocGetRootElement(doc), NULL, "bus") : NULL;
        const char *dev = NULL;

        if (!bus)
                bus = streq_ptr(d->type, "tablet") ? "usb" : "ps2";
        if (streq(bus, "ps2") && (streq_ptr(d->type, "mouse") || streq_ptr(d->type, "keyboard")))
                return;   /* the i8042 of pc and q35 machines */
        if (streq(bus, "usb"))
                dev = map_lookup(usb, d->type);
        else if (streq(bus, "virtio"))
                dev = map_lookup(virtio, d->type);
        if (!dev) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "input device '%s' on bus '%s' is not supported",
                                 vb_qemu_cmd_raw(c, "input type", d->type), vb_qemu_cmd_raw(c, "input bus", bus));
                return;
        }
        if (streq(bus, "usb")) {
                c->need_usb = true;
                vb_qemu_cmd_opt(c, DEVS, "-device", "%s,bus=usb.0,id=input%u", dev, i);
        } else
                vb_qemu_cmd_opt(c, DEVS, "-device", "%s,id=input%u", dev, i);
}

static void build_balloon(VbQemuCmd *c, const VbDomainDevice *d) {
        const char *model = d ? d->model : "virtio";   /* libvirt's default balloon */

        if (streq_ptr(model, "none"))
                return;
        if (!streq_ptr(model, "virtio")) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "memballoon model '%s' is not supported",
                                 vb_qemu_cmd_raw(c, "memballoon model", model));
                return;
        }
        vb_qemu_cmd_opt(c, DEVS, "-device", "virtio-balloon-pci,id=balloon0");
}

static void build_rng(VbQemuCmd *c, const VbDomainDevice *d, unsigned i) {
        _cleanup_xml_doc_ xmlDocPtr doc = device_doc(c, d);
        xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
        const char *backend = prop(c, root, "backend", "model");
        const char *file = text_of(c, root, "backend");

        if (!root)
                return;
        if (!streq_ptr(d->model, "virtio") || !streq_ptr(backend, "random")) {
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                 "rng model '%s' with backend '%s' is not supported (virtio, random)",
                                 vb_qemu_cmd_raw(c, "rng model", strempty(d->model)),
                                 vb_qemu_cmd_raw(c, "rng backend", strempty(backend)));
                return;
        }
        vb_qemu_cmd_opt(c, DEVS, "-object", "rng-random,id=objrng%u,filename=%s", i,
                        vb_qemu_cmd_path(c, "rng source", isempty(file) ? "/dev/urandom" : file));
        vb_qemu_cmd_opt(c, DEVS, "-device", "virtio-rng-pci,rng=objrng%u,id=rng%u", i, i);
}

/* ---- controllers ---- */

static const StrMap usb_models[] = {
        { "qemu-xhci", "qemu-xhci" }, { "nec-xhci", "nec-usb-xhci" },
        { "piix3-uhci", "piix3-usb-uhci" }, { "piix4-uhci", "piix4-usb-uhci" },
        { "ich9-ehci1", "ich9-usb-ehci1" }, { NULL, NULL },
};
static const StrMap scsi_models[] = {
        { "virtio-scsi", "virtio-scsi-pci" }, { "lsilogic", "lsi53c895a" }, { NULL, NULL },
};

static void scan_controller(VbQemuCmd *c, const VbDomainDevice *d) {
        _cleanup_xml_doc_ xmlDocPtr doc = device_doc(c, d);
        unsigned index = doc ? index_attr(c, xmlDocGetRootElement(doc), NULL, "index") : 0;
        const char *type = d->type;

        if (streq_ptr(type, "pci") || streq_ptr(type, "ide") || streq_ptr(type, "fdc"))
                return;   /* buses of the machine itself; devices are placed automatically */
        if (index > 0 && (streq_ptr(type, "usb") || streq_ptr(type, "sata") ||
                          streq_ptr(type, "scsi") || streq_ptr(type, "virtio-serial")))
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "controller '%s' index %u is not supported",
                                 type, index);
        else if (streq_ptr(type, "usb")) {
                c->usb_declared = true;
                c->usb_model = streq_ptr(d->model, "none") ? NULL :
                               map_lookup(usb_models, d->model ? d->model : "qemu-xhci");
                if (!c->usb_model && !streq_ptr(d->model, "none"))
                        vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "USB controller model '%s' is not supported",
                                         vb_qemu_cmd_raw(c, "USB controller model", d->model));
        } else if (streq_ptr(type, "sata"))
                c->sata_declared = true;
        else if (streq_ptr(type, "virtio-serial"))
                c->vserial_declared = true;
        else if (streq_ptr(type, "scsi")) {
                c->scsi_declared = true;
                c->scsi_model = map_lookup(scsi_models, d->model ? d->model : "virtio-scsi");
                if (!c->scsi_model)
                        vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "SCSI controller model '%s' is not supported",
                                         vb_qemu_cmd_raw(c, "SCSI controller model", d->model));
        } else
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "controller type '%s' is not supported",
                                 vb_qemu_cmd_raw(c, "controller type", type));
}

static void build_controllers(VbQemuCmd *c) {
        if (c->need_usb && c->usb_declared && !c->usb_model)
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                 "a USB device needs a USB controller, but its model is 'none'");
        if ((c->usb_declared && c->usb_model) || c->need_usb)
                vb_qemu_cmd_opt(c, CTRL, "-device", "%s,id=usb", c->usb_model ? c->usb_model : "qemu-xhci");
        if (!c->q35 && (c->sata_declared || c->need_sata))
                vb_qemu_cmd_opt(c, CTRL, "-device", "ich9-ahci,id=sata0");
        if (c->scsi_declared || c->need_scsi)
                vb_qemu_cmd_opt(c, CTRL, "-device", "%s,id=scsi0", c->scsi_model ? c->scsi_model : "virtio-scsi-pci");
        if (c->vserial_declared || c->need_vserial)
                vb_qemu_cmd_opt(c, CTRL, "-device", "virtio-serial-pci,id=virtio-serial0");
}

/* ---- all devices ---- */

static void build_kept_devices(VbQemuCmd *c) {
        unsigned n[_VB_DOMAIN_DEVICE_KIND_MAX] = { 0 };
        const VbDomainDevice *balloon = NULL;
        bool video = false;

        /* serial ports first: consoles refer to them */
        for (size_t i = 0; i < c->def->n_devices; i++)
                if (c->def->devices[i].kind == VB_DOMAIN_DEVICE_SERIAL)
                        build_serial(c, &c->def->devices[i], n[VB_DOMAIN_DEVICE_SERIAL]++);
        for (size_t i = 0; i < c->def->n_devices && c->r == 0; i++) {
                const VbDomainDevice *d = &c->def->devices[i];
                unsigned k = d->kind < _VB_DOMAIN_DEVICE_KIND_MAX ? n[d->kind] : 0;
                switch (d->kind) {
                case VB_DOMAIN_DEVICE_SERIAL: continue;
                case VB_DOMAIN_DEVICE_CONTROLLER: scan_controller(c, d); break;
                case VB_DOMAIN_DEVICE_CONSOLE: build_console(c, d, k); break;
                case VB_DOMAIN_DEVICE_CHANNEL: build_channel(c, d, k); break;
                case VB_DOMAIN_DEVICE_INPUT: build_input(c, d, k); break;
                case VB_DOMAIN_DEVICE_VIDEO: build_video(c, d, k, !video); video = true; break;
                case VB_DOMAIN_DEVICE_MEMBALLOON: balloon = d; break;
                case VB_DOMAIN_DEVICE_RNG: build_rng(c, d, k); break;
                default:
                        vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                         "device <%s> is not supported by the QEMU driver",
                                         vb_qemu_cmd_raw(c, "device element", d->element));
                }
                n[d->kind]++;
        }
        /* graphics without a video device: libvirt's default adapter */
        if (!video && c->def->n_graphics > 0)
                build_video(c, &(VbDomainDevice) { .kind = VB_DOMAIN_DEVICE_VIDEO }, 0, true);
        build_balloon(c, balloon);
}

void vb_qemu_build_devices(VbQemuCmd *c) {
        build_disks(c);
        for (size_t i = 0; i < c->def->n_nets && c->r == 0; i++)
                build_net(c, &c->def->nets[i], i);
        build_graphics(c);
        build_kept_devices(c);
        build_controllers(c);
}
