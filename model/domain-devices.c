/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <devices>: disks, interfaces and graphics structured; the other devices kept with
 * their type, model, alias and address; all formatted in libvirt's device order. */
#include <stdio.h>
#include <sys/random.h>

#include "domain-internal.h"

/* Element names of VbDomainDeviceKind, same order. */
static const char *const kind_names[] = {
        "controller", "lease", "filesystem", "smartcard", "serial", "parallel", "console",
        "channel", "input", "tpm", "sound", "audio", "video", "hostdev", "redirdev",
        "redirfilter", "hub", "watchdog", "memballoon", "rng", "nvram", "panic", "shmem",
        "memory", "iommu", "vsock", "crypto", NULL,
};

static const char *const disk_types[] = {
        "file", "block", "dir", "network", "volume", "nvme", "vhostuser", NULL,
};
static const char *const disk_devices[] = { "disk", "cdrom", "floppy", "lun", NULL };
static const char *const net_types[] = {
        "user", "ethernet", "vhostuser", "server", "client", "mcast", "network", "bridge",
        "internal", "direct", "hostdev", "udp", "vdpa", "null", "vds", NULL,
};
static const char *const graphics_types[] = {
        "sdl", "vnc", "rdp", "desktop", "spice", "egl-headless", "dbus", NULL,
};
/* Children libvirt writes between <source> and <target>. */
static const char *const disk_pre_target[] = {
        "auth", "backingStore", "backenddomain", "geometry", "blockio", "mirror", NULL,
};
static const char *const net_pre_target[] = {
        "virtualport", "ip", "route", "script", "downscript", "backenddomain", NULL,
};
/* Interface names a driver generates: not part of the persistent definition. */
static const char *const net_generated_prefixes[] = { "vnet", "macvtap", "macvlan", NULL };

/* ---- clearing and copying ---- */

void vb_domain_disk_clear(VbDomainDisk *d) {
        free(d->type);
        free(d->device);
        free(d->driver_name);
        free(d->driver_type);
        free(d->source);
        free(d->target_dev);
        free(d->target_bus);
        free(d->extra_xml);
        free(d->driver_extra);
        free(d->source_xml);
        free(d->target_extra);
        free(d->extra_pre_xml);
        free(d->alias);
        free(d->address);
        free(d->extra_attrs);
        *d = (VbDomainDisk) { 0 };
}

void vb_domain_net_clear(VbDomainNet *n) {
        free(n->type);
        free(n->mac);
        free(n->source);
        free(n->model);
        free(n->target_dev);
        free(n->extra_xml);
        free(n->source_xml);
        free(n->extra_pre_xml);
        free(n->alias);
        free(n->address);
        free(n->source_bridge);
        *n = (VbDomainNet) { 0 };
}

void vb_domain_device_clear(VbDomainDevice *d) {
        free(d->element);
        free(d->type);
        free(d->model);
        free(d->attrs);
        free(d->body);
        free(d->alias);
        free(d->address);
        *d = (VbDomainDevice) { 0 };
}

void vb_domain_graphics_clear(VbDomainGraphics *g) {
        free(g->type);
        free(g->listen);
        free(g->passwd);
        free(g->keymap);
        free(g->extra_attrs);
        free(g->body);
        *g = (VbDomainGraphics) { 0 };
}

static void disk_copy(VbDomainDisk *d, const VbDomainDisk *s) {
        *d = *s;
        d->type = vb_strdup(s->type);
        d->device = vb_strdup(s->device);
        d->driver_name = vb_strdup(s->driver_name);
        d->driver_type = vb_strdup(s->driver_type);
        d->source = vb_strdup(s->source);
        d->target_dev = vb_strdup(s->target_dev);
        d->target_bus = vb_strdup(s->target_bus);
        d->extra_xml = vb_strdup(s->extra_xml);
        d->driver_extra = vb_strdup(s->driver_extra);
        d->source_xml = vb_strdup(s->source_xml);
        d->target_extra = vb_strdup(s->target_extra);
        d->extra_pre_xml = vb_strdup(s->extra_pre_xml);
        d->alias = vb_strdup(s->alias);
        d->address = vb_strdup(s->address);
        d->extra_attrs = vb_strdup(s->extra_attrs);
}

static void net_copy(VbDomainNet *d, const VbDomainNet *s) {
        *d = *s;
        d->type = vb_strdup(s->type);
        d->mac = vb_strdup(s->mac);
        d->source = vb_strdup(s->source);
        d->model = vb_strdup(s->model);
        d->target_dev = vb_strdup(s->target_dev);
        d->extra_xml = vb_strdup(s->extra_xml);
        d->source_xml = vb_strdup(s->source_xml);
        d->extra_pre_xml = vb_strdup(s->extra_pre_xml);
        d->alias = vb_strdup(s->alias);
        d->address = vb_strdup(s->address);
        d->source_bridge = vb_strdup(s->source_bridge);
}

static void device_copy(VbDomainDevice *d, const VbDomainDevice *s) {
        d->kind = s->kind;
        d->element = vb_strdup(s->element);
        d->type = vb_strdup(s->type);
        d->model = vb_strdup(s->model);
        d->attrs = vb_strdup(s->attrs);
        d->body = vb_strdup(s->body);
        d->alias = vb_strdup(s->alias);
        d->address = vb_strdup(s->address);
}

static void graphics_copy(VbDomainGraphics *d, const VbDomainGraphics *s) {
        *d = *s;
        d->type = vb_strdup(s->type);
        d->listen = vb_strdup(s->listen);
        d->passwd = vb_strdup(s->passwd);
        d->keymap = vb_strdup(s->keymap);
        d->extra_attrs = vb_strdup(s->extra_attrs);
        d->body = vb_strdup(s->body);
}

int vb_domain_devices_copy(VbDomainDef *dst, const VbDomainDef *src) {
        dst->emulator = vb_strdup(src->emulator);
        dst->disks = calloc(src->n_disks ? src->n_disks : 1, sizeof(VbDomainDisk));
        dst->nets = calloc(src->n_nets ? src->n_nets : 1, sizeof(VbDomainNet));
        dst->graphics = calloc(src->n_graphics ? src->n_graphics : 1, sizeof(VbDomainGraphics));
        dst->devices = calloc(src->n_devices ? src->n_devices : 1, sizeof(VbDomainDevice));
        if (!dst->disks || !dst->nets || !dst->graphics || !dst->devices)
                return -ENOMEM;
        for (; dst->n_disks < src->n_disks; dst->n_disks++)
                disk_copy(&dst->disks[dst->n_disks], &src->disks[dst->n_disks]);
        for (; dst->n_nets < src->n_nets; dst->n_nets++)
                net_copy(&dst->nets[dst->n_nets], &src->nets[dst->n_nets]);
        for (; dst->n_graphics < src->n_graphics; dst->n_graphics++)
                graphics_copy(&dst->graphics[dst->n_graphics], &src->graphics[dst->n_graphics]);
        for (; dst->n_devices < src->n_devices; dst->n_devices++)
                device_copy(&dst->devices[dst->n_devices], &src->devices[dst->n_devices]);
        return 0;
}

/* ---- parse helpers ---- */

static void str_append(char **dst, char *s) {
        if (!s)
                return;
        if (!*dst) {
                *dst = s;
                return;
        }
        char *n = vb_strdupf("%s%s", *dst, s);
        free(*dst);
        free(s);
        *dst = n;
}

/* Only @keep_attr, no children: the element is fully described by that attribute. */
static bool element_is_simple(xmlNodePtr n, const char *keep_attr) {
        for (xmlNodePtr c = n->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE)
                        return false;
        for (xmlAttrPtr a = n->properties; a; a = a->next)
                if (a->ns || !xmlStrEqual(a->name, BAD_CAST keep_attr))
                        return false;
        return true;
}

static int parse_boot_order(xmlNodePtr n, int *ret, bool *device_boot, VbError *e) {
        _cleanup_free_ char *s = vb_xml_prop(n, "order");
        unsigned long long v;
        if (!s || vb_xml_parse_uint(s, 65535, &v) < 0 || v == 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "incorrect boot order '%s', expecting positive integer",
                                    strempty(s));
        *ret = (int) v;
        *device_boot = true;
        return 0;
}

/* As in libvirt, only the first <alias> and <address> count; later ones are dropped. */
static bool parse_common_child(xmlNodePtr c, char **alias, char **address) {
        if (vb_dom_is_name(c, "alias")) {
                if (!*alias)
                        *alias = vb_xml_prop(c, "name");
                return true;
        }
        if (vb_dom_is_name(c, "address")) {
                if (!*address)
                        *address = vb_dom_node_string(c);
                return true;
        }
        return false;
}

static const char *disk_source_attr(const char *type) {
        if (streq(type, "block"))
                return "dev";
        if (streq(type, "dir"))
                return "dir";
        if (streq(type, "file"))
                return "file";
        return NULL;
}

static void parse_disk_source(VbDomainDisk *d, xmlNodePtr c) {
        const char *attr = disk_source_attr(d->type);
        if (attr && element_is_simple(c, attr)) {
                d->source = vb_xml_prop(c, attr);
                return;
        }
        d->source = attr ? vb_xml_prop(c, attr) : NULL;
        if (!d->source)
                d->source = vb_xml_prop(c, streq(d->type, "volume") ? "volume" : "name");
        d->source_xml = vb_dom_node_string(c);
}

static void parse_disk_driver(VbDomainDisk *d, xmlNodePtr c) {
        static const char *const skip[] = { "name", "type", NULL };
        d->driver_name = vb_xml_prop(c, "name");
        d->driver_type = vb_xml_prop(c, "type");
        d->driver_extra = vb_dom_attrs_string(c, skip);
}

static void parse_disk_target(VbDomainDisk *d, xmlNodePtr c) {
        static const char *const skip[] = { "dev", "bus", NULL };
        d->target_dev = vb_xml_prop(c, "dev");
        d->target_bus = vb_xml_prop(c, "bus");
        d->target_extra = vb_dom_attrs_string(c, skip);
}

static int parse_disk_children(VbDomainDisk *d, xmlNodePtr n, bool *device_boot, VbError *e) {
        for (xmlNodePtr c = n->children; c; c = c->next) {
                int r = 0;
                if (c->type != XML_ELEMENT_NODE || parse_common_child(c, &d->alias, &d->address))
                        continue;
                if (vb_dom_is_name(c, "driver") && !d->driver_name && !d->driver_type && !d->driver_extra)
                        parse_disk_driver(d, c);
                else if (vb_dom_is_name(c, "source") && !d->source && !d->source_xml)
                        parse_disk_source(d, c);
                else if (vb_dom_is_name(c, "target") && !d->target_dev && !d->target_bus &&
                         !d->target_extra)
                        parse_disk_target(d, c);
                else if (vb_dom_is_name(c, "readonly"))
                        d->readonly = true;
                else if (vb_dom_is_name(c, "shareable"))
                        d->shareable = true;
                else if (vb_dom_is_name(c, "boot") && !d->boot_order)
                        r = parse_boot_order(c, &d->boot_order, device_boot, e);
                else if (!c->ns && vb_dom_name_in((const char *) c->name, disk_pre_target))
                        str_append(&d->extra_pre_xml, vb_dom_node_string(c));
                else
                        str_append(&d->extra_xml, vb_dom_node_string(c));
                if (r < 0)
                        return r;
        }
        return 0;
}

static const char *disk_bus_from_dev(const char *dev, const char *device) {
        static const struct { const char *prefix, *bus; } map[] = {
                { "hd", "ide" }, { "fd", "fdc" }, { "sd", "scsi" }, { "vd", "virtio" },
                { "xvd", "xen" }, { "ubd", "uml" },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (strncmp(dev, map[i].prefix, strlen(map[i].prefix)) == 0)
                        return map[i].bus;
        return streq(device, "floppy") ? "fdc" : "ide";
}

static int parse_disk(VbDomainDisk *d, xmlNodePtr n, bool *device_boot, VbError *e) {
        static const char *const skip[] = { "type", "device", NULL };
        int r;

        d->type = vb_xml_prop(n, "type");
        d->device = vb_xml_prop(n, "device");
        if (!d->type)
                d->type = vb_strdup("file");
        if (!d->device)
                d->device = vb_strdup("disk");
        if (!vb_dom_name_in(d->type, disk_types))
                return vb_error_set(e, VB_ERR_XML_ERROR, "unknown disk type '%s'", d->type);
        if (!vb_dom_name_in(d->device, disk_devices))
                return vb_error_set(e, VB_ERR_XML_ERROR, "unknown disk device '%s'", d->device);
        d->extra_attrs = vb_dom_attrs_string(n, skip);
        r = parse_disk_children(d, n, device_boot, e);
        if (r < 0)
                return r;
        if (isempty(d->target_dev))
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing target information for device %s",
                                    d->source ? d->source : "disk");
        if (!d->target_bus)
                d->target_bus = vb_strdup(disk_bus_from_dev(d->target_dev, d->device));
        return 0;
}

static int parse_net_mac(VbDomainNet *net, xmlNodePtr c, VbError *e) {
        _cleanup_free_ char *s = vb_xml_prop(c, "address");
        char mac[18];
        if (vb_mac_parse(s, mac) < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "unable to parse mac address '%s'", strempty(s));
        if (strtoul(mac, NULL, 16) & 1)
                return vb_error_set(e, VB_ERR_XML_ERROR, "expected unicast mac address, found multicast '%s'",
                                    mac);
        net->mac = vb_strdup(mac);
        return 0;
}

static void parse_net_source(VbDomainNet *net, xmlNodePtr c) {
        const char *attr = streq(net->type, "network") ? "network" :
                           streq(net->type, "bridge") ? "bridge" :
                           streq(net->type, "direct") ? "dev" : NULL;
        net->source = attr ? vb_xml_prop(c, attr) : NULL;
        if (streq(net->type, "network") && xmlHasProp(c, BAD_CAST "bridge")) {
                /* the live XML's <source network='' bridge=''/> (status files) */
                _cleanup_free_ char *bridge = vb_xml_prop(c, "bridge");
                xmlUnsetProp(c, BAD_CAST "bridge");
                if (element_is_simple(c, attr))
                        net->source_bridge = TAKE_PTR(bridge);
                else
                        xmlSetProp(c, BAD_CAST "bridge", BAD_CAST bridge);
        }
        if (!attr || !element_is_simple(c, attr))
                net->source_xml = vb_dom_node_string(c);
}

static bool net_target_is_generated(const char *dev) {
        for (const char *const *p = net_generated_prefixes; *p; p++)
                if (strncmp(dev, *p, strlen(*p)) == 0)
                        return true;
        return false;
}

static int parse_net_children(VbDomainNet *net, xmlNodePtr n, unsigned flags,
                              bool *device_boot, VbError *e) {
        for (xmlNodePtr c = n->children; c; c = c->next) {
                int r = 0;
                if (c->type != XML_ELEMENT_NODE || parse_common_child(c, &net->alias, &net->address))
                        continue;
                if (vb_dom_is_name(c, "mac") && !net->mac)
                        r = parse_net_mac(net, c, e);
                else if (vb_dom_is_name(c, "source") && !net->source && !net->source_xml &&
                         !net->source_bridge)
                        parse_net_source(net, c);
                else if (vb_dom_is_name(c, "target") && !net->target_dev && element_is_simple(c, "dev"))
                        net->target_dev = vb_xml_prop(c, "dev");
                else if (vb_dom_is_name(c, "model") && !net->model && element_is_simple(c, "type"))
                        net->model = vb_xml_prop(c, "type");
                else if (vb_dom_is_name(c, "boot") && !net->boot_order)
                        r = parse_boot_order(c, &net->boot_order, device_boot, e);
                else if (!c->ns && vb_dom_name_in((const char *) c->name, net_pre_target))
                        str_append(&net->extra_pre_xml, vb_dom_node_string(c));
                else
                        str_append(&net->extra_xml, vb_dom_node_string(c));
                if (r < 0)
                        return r;
        }
        if (net->target_dev && (flags & VB_DOMAIN_PARSE_INACTIVE) &&
            net_target_is_generated(net->target_dev)) {
                free(net->target_dev);
                net->target_dev = NULL;
        }
        return 0;
}

static void generate_mac(char ret[18]) {
        uint8_t b[3];
        if (getrandom(b, sizeof b, 0) != sizeof b)
                abort();
        snprintf(ret, 18, "52:54:00:%02x:%02x:%02x", b[0], b[1], b[2]);
}

static int parse_net(VbDomainNet *net, xmlNodePtr n, unsigned flags, bool *device_boot, VbError *e) {
        int r;

        net->type = vb_xml_prop(n, "type");
        if (!net->type)
                net->type = vb_strdup("user");
        if (!vb_dom_name_in(net->type, net_types))
                return vb_error_set(e, VB_ERR_XML_ERROR, "unknown interface type '%s'", net->type);
        r = parse_net_children(net, n, flags, device_boot, e);
        if (r < 0)
                return r;
        if ((streq(net->type, "network") || streq(net->type, "bridge")) && isempty(net->source))
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "No <source> '%s' attribute specified with <interface type='%s'/>",
                                    net->type, net->type);
        if (!net->mac) {
                char mac[18];
                generate_mac(mac);
                net->mac = vb_strdup(mac);
        }
        return 0;
}

static int parse_graphics_port(xmlNodePtr n, const char *name, int *ret, VbError *e) {
        _cleanup_free_ char *s = vb_xml_prop(n, name);
        char *end;
        long v;
        if (!s)
                return 0;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || *end || end == s || v < -1 || v > 65535)
                return vb_error_set(e, VB_ERR_XML_ERROR, "cannot parse %s %s", name, s);
        *ret = (int) v;
        return 0;
}

/* The listen address: the attribute, else the first <listen type='address'>. */
static void parse_graphics_listen(VbDomainGraphics *g, xmlNodePtr n) {
        g->listen = vb_xml_prop(n, "listen");
        for (xmlNodePtr c = n->children; c; c = c->next) {
                _cleanup_free_ char *type = NULL;
                if (!vb_dom_is_name(c, "listen"))
                        continue;
                type = vb_xml_prop(c, "type");
                if (!g->listen && streq_ptr(type, "address"))
                        g->listen = vb_xml_prop(c, "address");
                return;
        }
        if (g->listen) {
                VbBuf b = { 0 };
                vb_buf_puts(&b, "<listen type='address' address='");
                vb_buf_escape(&b, g->listen);
                vb_buf_puts(&b, "'/>\n");
                str_append(&g->body, vb_buf_steal(&b));
        }
}

static int parse_graphics(VbDomainGraphics *g, xmlNodePtr n, unsigned flags, VbError *e) {
        static const char *const skip[] = {
                "type", "port", "tlsPort", "autoport", "listen", "passwd", "keymap", NULL,
        };
        _cleanup_free_ char *autoport = vb_xml_prop(n, "autoport");
        _cleanup_free_ char *port = vb_xml_prop(n, "port");
        int r;

        g->type = vb_xml_prop(n, "type");
        if (!g->type || !vb_dom_name_in(g->type, graphics_types))
                return vb_error_set(e, VB_ERR_XML_ERROR, "unknown graphics device type '%s'",
                                    strempty(g->type));
        if ((r = parse_graphics_port(n, "port", &g->port, e)) < 0 ||
            (r = parse_graphics_port(n, "tlsPort", &g->tls_port, e)) < 0)
                return r;
        /* as in libvirt, an explicit autoport wins over what the ports imply */
        g->autoport = autoport ? streq(autoport, "yes") :
                      g->port == -1 || (streq(g->type, "vnc") && !port);
        if (g->autoport && (flags & VB_DOMAIN_PARSE_INACTIVE) && g->port > 0)
                g->port = 0;
        g->passwd = vb_xml_prop(n, "passwd");
        g->keymap = vb_xml_prop(n, "keymap");
        g->extra_attrs = vb_dom_attrs_string(n, skip);
        g->body = vb_dom_children_string(n, NULL);
        parse_graphics_listen(g, n);
        return 0;
}

static int parse_device(VbDomainDevice *d, VbDomainDeviceKind kind, xmlNodePtr n,
                        bool *device_boot, VbError *e) {
        d->kind = kind;
        d->element = vb_dom_qname(n);
        d->type = vb_xml_prop(n, "type");
        d->model = vb_xml_prop(n, "model");
        d->attrs = vb_dom_attrs_string(n, NULL);
        for (xmlNodePtr c = n->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE || parse_common_child(c, &d->alias, &d->address))
                        continue;
                if (vb_dom_is_name(c, "boot"))
                        *device_boot = true;
                if (kind == VB_DOMAIN_DEVICE_VIDEO && vb_dom_is_name(c, "model") && !d->model)
                        d->model = vb_xml_prop(c, "type");
                str_append(&d->body, vb_dom_node_string(c));
        }
        return 0;
}

#define GROW(array, n, max, what, e)                                                          \
        ({                                                                                    \
                int _r = 0;                                                                   \
                if ((n) >= (max))                                                             \
                        _r = vb_error_set(e, VB_ERR_LIMIT, "too many %s (at most %d)", what,  \
                                          (int) (max));                                       \
                else {                                                                        \
                        __typeof__(array) _a = reallocarray(array, (n) + 1, sizeof(*(array))); \
                        if (!_a)                                                              \
                                _r = vb_error_set(e, VB_ERR_NO_MEMORY, NULL);                 \
                        else {                                                                \
                                (array) = _a;                                                 \
                                memset(&(array)[n], 0, sizeof(*(array)));                     \
                        }                                                                     \
                }                                                                             \
                _r;                                                                           \
        })

static size_t device_total(const VbDomainDef *def) {
        return def->n_disks + def->n_nets + def->n_graphics + def->n_devices;
}

static int parse_one_device(VbDomainDef *def, xmlNodePtr c, unsigned flags, bool *boot, VbError *e) {
        int r;

        if (device_total(def) >= VB_DOMAIN_MAX_DEVICES)
                return vb_error_set(e, VB_ERR_LIMIT, "too many devices (at most %d)", VB_DOMAIN_MAX_DEVICES);
        if (vb_dom_is_name(c, "emulator") && !def->emulator) {
                def->emulator = vb_xml_content(c);
                return 0;
        }
        if (vb_dom_is_name(c, "disk")) {
                if ((r = GROW(def->disks, def->n_disks, VB_DOMAIN_MAX_DISKS, "disks", e)) < 0)
                        return r;
                def->n_disks++;
                return parse_disk(&def->disks[def->n_disks - 1], c, boot, e);
        }
        if (vb_dom_is_name(c, "interface")) {
                if ((r = GROW(def->nets, def->n_nets, VB_DOMAIN_MAX_NETS, "interfaces", e)) < 0)
                        return r;
                def->n_nets++;
                return parse_net(&def->nets[def->n_nets - 1], c, flags, boot, e);
        }
        if (vb_dom_is_name(c, "graphics")) {
                if ((r = GROW(def->graphics, def->n_graphics, VB_DOMAIN_MAX_DEVICES, "graphics", e)) < 0)
                        return r;
                def->n_graphics++;
                return parse_graphics(&def->graphics[def->n_graphics - 1], c, flags, e);
        }
        if ((r = GROW(def->devices, def->n_devices, VB_DOMAIN_MAX_DEVICES, "devices", e)) < 0)
                return r;
        def->n_devices++;
        return parse_device(&def->devices[def->n_devices - 1],
                            (VbDomainDeviceKind) vb_dom_slot(kind_names, c->ns ? "" : (const char *) c->name),
                            c, boot, e);
}

int vb_domain_devices_parse(VbDomainDef *def, xmlNodePtr devices, unsigned flags,
                            bool *ret_device_boot, VbError *e) {
        for (xmlNodePtr c = devices->children; c; c = c->next) {
                int r;
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                r = parse_one_device(def, c, flags, ret_device_boot, e);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- post-parse: libvirt's serial/console defaults ---- */

/* Offset of the top-level <target> element in a device body (children are at column 0). */
static const char *body_find_target(const char *body) {
        for (const char *p = body; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
                if (strncmp(p, "<target", 7) == 0 && strchr(" />", p[7]))
                        return p;
        return NULL;
}

/* The body without its top-level <target> element. */
static char *body_without_target(const char *body) {
        const char *t = body_find_target(body), *end;
        const char *nl = t ? strchr(t, '\n') : NULL;
        if (!t)
                return vb_strdup(body);
        if (nl && nl > t + 1 && nl[-2] == '/' && nl[-1] == '>')
                end = nl + 1;
        else {
                end = strstr(t, "\n</target>\n");
                end = end ? end + 11 : t + strlen(t);
        }
        return vb_strdupf("%.*s%s", (int) (t - body), body, end);
}

static int add_console_for_serial(VbDomainDef *def, const VbDomainDevice *serial, VbError *e) {
        _cleanup_free_ char *rest = serial->body ? body_without_target(serial->body) : vb_strdup("");
        VbDomainDevice *c;
        int r = GROW(def->devices, def->n_devices, VB_DOMAIN_MAX_DEVICES, "devices", e);
        if (r < 0)
                return r;
        c = &def->devices[def->n_devices++];
        c->kind = VB_DOMAIN_DEVICE_CONSOLE;
        c->element = vb_strdup("console");
        c->type = vb_strdup(serial->type);
        c->attrs = vb_strdup(serial->attrs);
        c->body = vb_strdupf("%s<target type='serial' port='0'/>\n", rest);
        c->alias = vb_strdup(serial->alias);
        return 0;
}

/* Serial ports get a target port; an HVM guest with a serial port and no console gets
 * a console on that port (libvirt's compatibility console). */
int vb_domain_devices_post_parse(VbDomainDef *def, VbError *e) {
        const VbDomainDevice *first_serial = NULL;
        bool console = false;
        unsigned port = 0;

        for (size_t i = 0; i < def->n_devices; i++) {
                VbDomainDevice *d = &def->devices[i];
                if (d->kind == VB_DOMAIN_DEVICE_CONSOLE)
                        console = true;
                if (d->kind != VB_DOMAIN_DEVICE_SERIAL)
                        continue;
                if (!body_find_target(d->body))
                        str_append(&d->body, vb_strdupf("<target port='%u'/>\n", port));
                port++;
                if (!first_serial)
                        first_serial = d;
        }
        if (first_serial && !console && streq_ptr(def->os_type, "hvm")) {
                size_t idx = (size_t) (first_serial - def->devices);
                /* GROW may move the array: pass a stable copy of the pointer's index */
                VbDomainDevice copy = def->devices[idx];
                return add_console_for_serial(def, &copy, e);
        }
        return 0;
}

/* ---- format ---- */

static void fmt_info(VbBuf *b, int boot_order, const char *alias, const char *address,
                     unsigned flags) {
        if (boot_order > 0)
                vb_buf_line(b, "<boot order='%d'/>", boot_order);
        if (alias && (!(flags & VB_DOMAIN_XML_INACTIVE) || strncmp(alias, "ua-", 3) == 0)) {
                vb_buf_pad(b);
                vb_buf_puts(b, "<alias");
                vb_buf_attr(b, "name", alias);
                vb_buf_puts(b, "/>\n");
        }
        if (address)
                vb_buf_fragment(b, address);
}

static void fmt_disk_source(VbBuf *b, const VbDomainDisk *d) {
        const char *attr = disk_source_attr(d->type);
        if (d->source_xml) {
                vb_buf_fragment(b, d->source_xml);
                return;
        }
        if (!d->source)
                return;
        vb_buf_pad(b);
        vb_buf_puts(b, "<source");
        vb_buf_attr(b, attr ? attr : "name", d->source);
        vb_buf_puts(b, "/>\n");
}

static void fmt_disk(VbBuf *b, const VbDomainDisk *d, unsigned flags) {
        vb_buf_pad(b);
        vb_buf_puts(b, "<disk");
        vb_buf_attr(b, "type", d->type ? d->type : "file");
        vb_buf_attr(b, "device", d->device ? d->device : "disk");
        vb_buf_printf(b, "%s>\n", strempty(d->extra_attrs));
        vb_buf_indent(b, 2);
        if (d->driver_name || d->driver_type || d->driver_extra) {
                vb_buf_pad(b);
                vb_buf_puts(b, "<driver");
                vb_buf_attr(b, "name", d->driver_name);
                vb_buf_attr(b, "type", d->driver_type);
                vb_buf_printf(b, "%s/>\n", strempty(d->driver_extra));
        }
        fmt_disk_source(b, d);
        if (d->extra_pre_xml)
                vb_buf_fragment(b, d->extra_pre_xml);
        vb_buf_pad(b);
        vb_buf_puts(b, "<target");
        vb_buf_attr(b, "dev", d->target_dev);
        vb_buf_attr(b, "bus", d->target_bus);
        vb_buf_printf(b, "%s/>\n", strempty(d->target_extra));
        if (d->readonly)
                vb_buf_line(b, "<readonly/>");
        if (d->shareable)
                vb_buf_line(b, "<shareable/>");
        if (d->extra_xml)
                vb_buf_fragment(b, d->extra_xml);
        fmt_info(b, d->boot_order, d->alias, d->address, flags);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</disk>");
}

static void fmt_net_source(VbBuf *b, const VbDomainNet *n, unsigned flags) {
        const char *attr = streq(n->type, "network") ? "network" :
                           streq(n->type, "bridge") ? "bridge" : "dev";
        if (n->source_xml) {
                vb_buf_fragment(b, n->source_xml);
                return;
        }
        if (!n->source)
                return;
        vb_buf_pad(b);
        vb_buf_puts(b, "<source");
        vb_buf_attr(b, attr, n->source);
        if (n->source_bridge && !(flags & VB_DOMAIN_XML_INACTIVE))
                vb_buf_attr(b, "bridge", n->source_bridge);
        vb_buf_puts(b, "/>\n");
}

static void fmt_net(VbBuf *b, const VbDomainNet *n, unsigned flags) {
        bool drop_target = (flags & VB_DOMAIN_XML_INACTIVE) && n->target_dev &&
                           (n->target_generated || net_target_is_generated(n->target_dev));
        vb_buf_pad(b);
        vb_buf_puts(b, "<interface");
        vb_buf_attr(b, "type", n->type ? n->type : "user");
        vb_buf_puts(b, ">\n");
        vb_buf_indent(b, 2);
        if (n->mac)
                vb_buf_line(b, "<mac address='%s'/>", n->mac);
        fmt_net_source(b, n, flags);
        if (n->extra_pre_xml)
                vb_buf_fragment(b, n->extra_pre_xml);
        if (n->target_dev && !drop_target) {
                vb_buf_pad(b);
                vb_buf_puts(b, "<target");
                vb_buf_attr(b, "dev", n->target_dev);
                vb_buf_puts(b, "/>\n");
        }
        if (n->model) {
                vb_buf_pad(b);
                vb_buf_puts(b, "<model");
                vb_buf_attr(b, "type", n->model);
                vb_buf_puts(b, "/>\n");
        }
        if (n->extra_xml)
                vb_buf_fragment(b, n->extra_xml);
        fmt_info(b, n->boot_order, n->alias, n->address, flags);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</interface>");
}

static void fmt_graphics_ports(VbBuf *b, const VbDomainGraphics *g, unsigned flags) {
        bool inactive = flags & VB_DOMAIN_XML_INACTIVE;
        if (streq(g->type, "vnc")) {
                if (g->port > 0 && (!g->autoport || !inactive))
                        vb_buf_printf(b, " port='%d'", g->port);
                else if (g->autoport)
                        vb_buf_puts(b, " port='-1'");
                vb_buf_printf(b, " autoport='%s'", g->autoport ? "yes" : "no");
        } else if (streq(g->type, "spice")) {
                if (g->port && !(g->autoport && inactive && g->port > 0))
                        vb_buf_printf(b, " port='%d'", g->port);
                if (g->tls_port && !(g->autoport && inactive && g->tls_port > 0))
                        vb_buf_printf(b, " tlsPort='%d'", g->tls_port);
                vb_buf_printf(b, " autoport='%s'", g->autoport ? "yes" : "no");
        } else if (g->port)
                vb_buf_printf(b, " port='%d'", g->port);
}

static void fmt_graphics(VbBuf *b, const VbDomainGraphics *g, unsigned flags) {
        vb_buf_pad(b);
        vb_buf_puts(b, "<graphics");
        vb_buf_attr(b, "type", g->type);
        fmt_graphics_ports(b, g, flags);
        vb_buf_puts(b, strempty(g->extra_attrs));
        vb_buf_attr(b, "listen", g->listen);
        vb_buf_attr(b, "keymap", g->keymap);
        if (flags & VB_DOMAIN_XML_SECURE)
                vb_buf_attr(b, "passwd", g->passwd);
        if (!g->body) {
                vb_buf_puts(b, "/>\n");
                return;
        }
        vb_buf_puts(b, ">\n");
        vb_buf_indent(b, 2);
        vb_buf_fragment(b, g->body);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</graphics>");
}

static void fmt_device(VbBuf *b, const VbDomainDevice *d, unsigned flags) {
        bool alias = d->alias && (!(flags & VB_DOMAIN_XML_INACTIVE) || strncmp(d->alias, "ua-", 3) == 0);
        vb_buf_pad(b);
        vb_buf_printf(b, "<%s%s", d->element, strempty(d->attrs));
        if (!d->body && !alias && !d->address) {
                vb_buf_puts(b, "/>\n");
                return;
        }
        vb_buf_puts(b, ">\n");
        vb_buf_indent(b, 2);
        if (d->body)
                vb_buf_fragment(b, d->body);
        fmt_info(b, 0, d->alias, d->address, flags);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</%s>", d->element);
}

static void fmt_devices_of_kind(VbBuf *b, const VbDomainDef *def, VbDomainDeviceKind kind,
                                unsigned flags) {
        for (size_t i = 0; i < def->n_devices; i++)
                if (def->devices[i].kind == kind)
                        fmt_device(b, &def->devices[i], flags);
}

void vb_domain_devices_format(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        vb_buf_elem(b, "emulator", def->emulator);
        for (size_t i = 0; i < def->n_disks; i++)
                fmt_disk(b, &def->disks[i], flags);
        for (int k = 0; k < _VB_DOMAIN_DEVICE_KIND_MAX; k++) {
                if (k == VB_DOMAIN_DEVICE_SMARTCARD)
                        for (size_t i = 0; i < def->n_nets; i++)
                                fmt_net(b, &def->nets[i], flags);
                if (k == VB_DOMAIN_DEVICE_SOUND)
                        for (size_t i = 0; i < def->n_graphics; i++)
                                fmt_graphics(b, &def->graphics[i], flags);
                fmt_devices_of_kind(b, def, (VbDomainDeviceKind) k, flags);
        }
}
