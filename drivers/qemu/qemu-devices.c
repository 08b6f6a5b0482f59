/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device attach/detach/update of the QEMU driver, with libvirt's AFFECT_LIVE and
 * AFFECT_CONFIG. Disks (<disk type='file|block' device='disk'> on the virtio bus),
 * user-mode and bridge interfaces are hot-plugged through QMP; every other change is
 * config only.
 *
 * Definitions are edited as documents: the definition is formatted, the device
 * element inserted/removed/replaced in <devices>, and the result parsed again, so
 * every rule of the domain model applies and a refused edit changes nothing.
 *
 * QEMU object names are the ones qemu-command.h documents: disk "vdb" has the file
 * node "file-vdb", the format node "fmt-vdb" and the qdev id "vdb"; an interface
 * carries the alias "netN" in the live definition, its netdev is "netN" and its qdev
 * "nicN" (interfaces present at start get the alias of their position the first time
 * the live set of interfaces changes, which is the name they were started with).
 *
 * Live attach: blockdev-add (file, format) + device_add, or netdev_add + device_add
 * (a bridge interface first passes its tap fd with getfd, named "fd-netN"), under the
 * state change lock; a failure removes what was added. Live detach:
 * device_del, then the guest lets go and QEMU sends DEVICE_DELETED: the backend is
 * deleted, the device leaves the live definition and DeviceRemoved is emitted. The
 * call waits for that up to DETACH_WAIT_USEC and then succeeds anyway, like libvirt:
 * a guest that ignores the request keeps the device until it complies. */
#include <errno.h>
#include <libxml/parser.h>

#include "dev-edit.h"
#include "qemu-driver.h"
#include "qemu-tap.h"
#include "qemu-update.h"
#include "xml-util.h"

#define DETACH_WAIT_USEC (10ULL * 1000000ULL)

enum { AFFECT_LIVE = 1 << 0, AFFECT_CONFIG = 1 << 1, UPDATE_FORCE = 1 << 2 };
typedef VbDevEditHow DevHow;

/* ---- the device the caller wrote ---- */

typedef struct DevSpec {
        xmlDocPtr doc;
        xmlNodePtr node;          /* <disk> or <interface> */
        bool disk;
        char *key;                /* disk target, or the normalised MAC (NULL: none given) */
} DevSpec;

static void dev_spec_clear(DevSpec *s) {
        if (s->doc)
                xmlFreeDoc(s->doc);
        free(s->key);
        *s = (DevSpec) {};
}

static char *child_prop(xmlNodePtr n, const char *child, const char *prop) {
        xmlNodePtr c = vb_xml_child(n, child);
        return c ? vb_xml_prop(c, prop) : NULL;
}

static int dev_spec_parse(const char *xml, DevSpec *s, VbError *e) {
        _cleanup_free_ char *mac = NULL;
        char norm[18];
        int r;

        r = vb_xml_parse(xml, NULL, &s->doc, e);
        if (r < 0)
                return r;
        s->node = xmlDocGetRootElement(s->doc);
        s->disk = xmlStrEqual(s->node->name, BAD_CAST "disk");
        if (!s->disk && !xmlStrEqual(s->node->name, BAD_CAST "interface"))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "device type '%s' is not supported by the QEMU driver's device API (disk, interface)",
                                    (const char *) s->node->name);
        if (s->disk) {
                s->key = child_prop(s->node, "target", "dev");
                if (isempty(s->key))
                        return vb_error_set(e, VB_ERR_XML_ERROR, "missing disk target device name");
                return 0;
        }
        mac = child_prop(s->node, "mac", "address");
        if (mac && vb_mac_parse(mac, norm) < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "unable to parse mac address '%s'", mac);
        s->key = mac ? vb_strdup(norm) : NULL;
        return 0;
}

static bool node_matches(xmlNodePtr c, const DevSpec *s) {
        _cleanup_free_ char *v = NULL;
        char norm[18];

        if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, s->node->name))
                return false;
        if (s->disk) {
                v = child_prop(c, "target", "dev");
                return streq_ptr(v, s->key);
        }
        if (!s->key)
                return true;    /* no MAC given: the first interface */
        v = child_prop(c, "mac", "address");
        return v && vb_mac_parse(v, norm) >= 0 && streq(norm, s->key);
}

static int not_found(const DevSpec *s, VbError *e) {
        if (s->disk)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "disk %s not found", s->key);
        if (s->key)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "no device matching MAC address %s found", s->key);
        return vb_error_set(e, VB_ERR_OPERATION_FAILED, "matching interface device not found");
}

/* ---- editing a definition ---- */

typedef struct DevEdit {
        const DevSpec *spec;
        DevHow how;
} DevEdit;

static int edit_devices(xmlNodePtr devices, void *userdata, VbError *e) {
        const DevEdit *x = userdata;
        const DevSpec *s = x->spec;
        xmlNodePtr old = NULL;

        for (xmlNodePtr c = devices->children; c && !old; c = c->next)
                if (node_matches(c, s))
                        old = c;
        if (x->how == VB_DEV_ATTACH && old && (s->disk || s->key))
                return s->disk ? vb_error_set(e, VB_ERR_OPERATION_FAILED, "target %s already exists", s->key)
                               : vb_error_set(e, VB_ERR_OPERATION_FAILED,
                                              "interface with MAC address %s already exists", s->key);
        if (x->how != VB_DEV_ATTACH && !old)
                return not_found(s, e);
        return vb_devices_apply(devices, old, s->node, x->how, e);
}

/* A new definition: @def with the device of @s attached, detached or replaced. */
static int def_edit(const VbDomainDef *def, bool live, const DevSpec *s, DevHow how, VbDomainDef **ret,
                    VbError *e) {
        DevEdit x = { .spec = s, .how = how };

        return vb_domain_def_edit_devices(def, live, edit_devices, &x, ret, e);
}

/* The edited persistent config: checked first, saved and swapped in by config_apply. */
static int config_edit(VbDomainObj *d, const DevSpec *s, DevHow how, VbDomainDef **ret, VbError *e) {
        return def_edit(vb_domain_persistent_def(d), false, s, how, ret, e);
}

static int config_apply(VbDomainObj *d, VbDomainDef *config, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *c = config;
        int r = vb_qemu_save_config(vb_qemu_driver_of(d->conn), c, e);

        if (r < 0)
                return r;
        vb_domain_obj_set_persistent_def(d, TAKE_PTR(c));
        vb_event_obj(d->conn, VB_EVENT_OBJECT_CHANGED, VB_KIND_DOMAIN, d, 0, 0);
        return 0;
}

/* A new live definition replaces d->def; the config stays what it was. */
static void live_swap(VbDomainObj *d, VbDomainDef *live) {
        if (d->persistent && !d->newdef)
                d->newdef = vb_domain_def_copy(d->def);
        vb_domain_def_free(d->def);
        d->def = live;
        vb_qemu_save_status(d);
}

static void emit_device(VbDomainObj *d, VbEventType type, const char *alias) {
        vb_event_emit(&(VbEvent) { .type = type, .conn = d->conn, .kind = VB_KIND_DOMAIN, .obj = d,
                                   .str = alias });
}

/* ---- interface names in the live definition ---- */

/* The N of an interface's QEMU names (netdev "netN", qdev "nicN"). */
static unsigned net_number(const VbDomainDef *def, size_t i) {
        const char *a = def->nets[i].alias;
        unsigned long long v;

        if (a && strncmp(a, "net", 3) == 0 && vb_xml_parse_uint(a + 3, 65535, &v) >= 0)
                return (unsigned) v;
        return (unsigned) i;
}

static unsigned net_free_number(const VbDomainDef *def) {
        for (unsigned n = 0;; n++) {
                bool used = false;
                for (size_t i = 0; i < def->n_nets && !used; i++)
                        used = net_number(def, i) == n;
                if (!used)
                        return n;
        }
}

/* Give every interface its "netN" alias (before the set changes). */
static void net_fix_aliases(VbDomainDef *def) {
        for (size_t i = 0; i < def->n_nets; i++)
                if (!def->nets[i].alias)
                        def->nets[i].alias = vb_strdupf("net%u", net_number(def, i));
}

static int find_net(const VbDomainDef *def, const char *mac, size_t *ret) {
        char norm[18];

        for (size_t i = 0; i < def->n_nets; i++)
                if (!mac || (vb_mac_parse(def->nets[i].mac, norm) >= 0 && streq(norm, mac))) {
                        *ret = i;
                        return 0;
                }
        return -ENOENT;
}

static int find_disk(const VbDomainDef *def, const char *target, size_t *ret) {
        for (size_t i = 0; i < def->n_disks; i++)
                if (streq_ptr(def->disks[i].target_dev, target)) {
                        *ret = i;
                        return 0;
                }
        return -ENOENT;
}

/* ---- QMP sequences ---- */

typedef struct Hotplug Hotplug;
typedef void (*HotplugStep)(Hotplug *h);

struct Hotplug {
        VbDomainObj *dom;            /* referenced */
        DevHow how;
        DevSpec spec;
        unsigned flags;
        char *qdev, *alias;          /* "vdb" / "nic2" and the name in events */
        unsigned net;                /* N of a new interface */
        json_object *cmds[3];        /* attach: what to send, in order */
        const char *names[3];
        size_t n_cmds, sent;
        char *undo[3];               /* attach: what cmds[i] created, removed on failure */
        VbQemuTap tap;               /* attach of a bridge interface: our copy of its fd */
        size_t n_undo;
        sd_event_source *timer;      /* detach: waiting for DEVICE_DELETED */
        bool deleted;                /* detach: DEVICE_DELETED came before device_del's reply */
        Hotplug *next;
        VbOp *op;
};

static Hotplug *hotplug_free(Hotplug *h) {
        if (!h)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(h->cmds); i++)
                json_object_put(h->cmds[i]);
        for (size_t i = 0; i < ELEMENTSOF(h->undo); i++)
                free(h->undo[i]);
        if (h->tap.fd >= 0)
                close(h->tap.fd);       /* QEMU has its own (getfd), or the tap goes now */
        free(h->tap.name);
        free(h->tap.bridge);
        sd_event_source_disable_unref(h->timer);
        dev_spec_clear(&h->spec);
        free(h->qdev);
        free(h->alias);
        vb_domain_obj_unref(h->dom);
        return mfree(h);
}

static bool still_ours(Hotplug *h) {
        VbQemuDom *q = h->dom->priv;
        return q && q->job_op == h->op && q->qmp;
}

static void log_reply(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *u) {
        if (r < 0 && r != -ECANCELED)
                vb_qemu_log("device cleanup: %s failed: %s", (const char *) u, desc ? desc : strerror(-r));
}

static void qmp_fire(VbDomainObj *d, const char *cmd, const char *key, const char *value) {
        VbQemuDom *q = d->priv;
        json_object *args = json_object_new_object();

        if (!q || !q->qmp || !args) {
                json_object_put(args);
                return;
        }
        json_object_object_add(args, key, json_object_new_string(value));
        (void) vb_qmp_command(q->qmp, cmd, args, NULL, 0, log_reply, (void *) cmd);
}

/* Undo what an attach had added before it failed (in reverse: format before file). */
static void attach_undo(Hotplug *h) {
        for (size_t i = h->n_undo; i > 0; i--) {
                const char *cmd = h->names[i - 1];
                if (streq(cmd, "blockdev-add"))
                        qmp_fire(h->dom, "blockdev-del", "node-name", h->undo[i - 1]);
                else if (streq(cmd, "netdev_add"))
                        qmp_fire(h->dom, "netdev_del", "id", h->undo[i - 1]);
                else if (streq(cmd, "getfd") && i == h->n_undo)
                        /* not yet taken by a netdev_add: QEMU would keep the tap open */
                        qmp_fire(h->dom, "closefd", "fdname", h->undo[i - 1]);
        }
}

/* Everything is in QEMU: the live definition (and the config) follow. */
static int attach_commit(Hotplug *h, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *live = NULL, *config = NULL;
        VbDomainObj *d = h->dom;
        size_t i;
        int r;

        r = def_edit(d->def, true, &h->spec, VB_DEV_ATTACH, &live, e);
        if (r >= 0 && (h->flags & AFFECT_CONFIG))
                r = config_edit(d, &h->spec, VB_DEV_ATTACH, &config, e);
        if (r < 0)
                return r;
        if (!h->spec.disk && find_net(live, h->spec.key, &i) >= 0) {
                free(live->nets[i].alias);
                live->nets[i].alias = vb_strdupf("net%u", h->net);
                net_fix_aliases(live);
                if (h->tap.name)
                        vb_qemu_taps_apply(live, &(VbQemuTaps) {
                                .taps = &(VbQemuTap) { .net = i, .name = h->tap.name,
                                                       .generated = h->tap.generated,
                                                       .bridge = h->tap.bridge },
                                .n = 1 });
        }
        live_swap(d, TAKE_PTR(live));
        if (config)
                r = config_apply(d, TAKE_PTR(config), e);
        emit_device(d, VB_EVENT_DOMAIN_DEVICE_ADDED, h->alias);
        return r;
}

static void attach_next(Hotplug *h);

static void attach_reply(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *u) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        Hotplug *h = u;

        if (r == -ECANCELED || !still_ours(h)) {
                hotplug_free(h);        /* whoever dropped the monitor ended the job */
                return;
        }
        if (r < 0) {
                attach_undo(h);
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, "QEMU refused %s: %s", h->names[h->sent - 1],
                             desc ? desc : strerror(-r));
                vb_qemu_job_end(h->dom, r, &e);
                hotplug_free(h);
                return;
        }
        if (h->sent < h->n_cmds)
                h->n_undo = h->sent;    /* backends QEMU has accepted so far */
        attach_next(h);
}

static void attach_next(Hotplug *h) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbQemuDom *q = h->dom->priv;
        size_t n_fds;
        int r;

        if (h->sent == h->n_cmds) {
                r = attach_commit(h, &e);
                vb_qemu_job_end(h->dom, r < 0 ? r : 0, r < 0 ? &e : NULL);
                hotplug_free(h);
                return;
        }
        /* only getfd carries a descriptor: the tap's */
        n_fds = streq(h->names[h->sent], "getfd") ? 1 : 0;
        r = q && q->qmp ? vb_qmp_command(q->qmp, h->names[h->sent], TAKE_PTR(h->cmds[h->sent]), &h->tap.fd,
                                         n_fds, attach_reply, h)
                        : -ENOTCONN;
        if (r < 0) {
                attach_undo(h);
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, "cannot send %s to QEMU: %s", h->names[h->sent],
                             strerror(-r));
                vb_qemu_job_end(h->dom, r, &e);
                hotplug_free(h);
                return;
        }
        h->sent++;
}

/* ---- attach ---- */

static Hotplug *hotplug_new(VbDomainObj *d, DevHow how, unsigned flags, VbOp *op) {
        Hotplug *h = calloc(1, sizeof(*h));
        if (!h)
                return NULL;
        h->dom = vb_domain_obj_ref(d);
        h->tap.fd = -1;
        h->how = how;
        h->flags = flags;
        h->op = op;
        return h;
}

static json_object *blockdev(const char *driver, const char *file_key, const char *file, const char *node,
                             bool ro) {
        json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        json_object_object_add(o, "driver", json_object_new_string(driver));
        json_object_object_add(o, file_key, json_object_new_string(file));
        json_object_object_add(o, "node-name", json_object_new_string(node));
        json_object_object_add(o, "read-only", json_object_new_boolean(ro));
        return o;
}

static json_object *device_args(const char *driver, const char *backend_key, const char *backend,
                                const char *id, const char *mac) {
        json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        json_object_object_add(o, "driver", json_object_new_string(driver));
        json_object_object_add(o, backend_key, json_object_new_string(backend));
        json_object_object_add(o, "id", json_object_new_string(id));
        if (mac)
                json_object_object_add(o, "mac", json_object_new_string(mac));
        return o;
}

static bool valid_target(const char *t) {
        if (strlen(t) < 3 || strlen(t) > 6 || (strncmp(t, "vd", 2) != 0 && strncmp(t, "sd", 2) != 0 &&
                                               strncmp(t, "hd", 2) != 0))
                return false;
        for (const char *p = t + 2; *p; p++)
                if (*p < 'a' || *p > 'z')
                        return false;
        return true;
}

static int disk_live_check(const VbDomainDisk *k, VbError *e) {
        const char *fmt = k->driver_type ? k->driver_type : "raw";

        if (!valid_target(k->target_dev))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "disk target '%s' is not of the form vdX", k->target_dev);
        if (!streq_ptr(k->device ? k->device : "disk", "disk") || !streq_ptr(k->target_bus, "virtio"))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "disk '%s': only disks on the virtio bus can be hot-plugged", k->target_dev);
        if (!streq_ptr(k->type, "file") && !streq_ptr(k->type, "block"))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "disk '%s': type '%s' cannot be hot-plugged (file, block)",
                                    k->target_dev, strempty(k->type));
        if (isempty(k->source) || k->source[0] != '/')
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "disk '%s' needs an absolute source path", k->target_dev);
        if (!streq(fmt, "raw") && !streq(fmt, "qcow2"))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "disk '%s': format '%s' is not supported (raw, qcow2)",
                                    k->target_dev, fmt);
        return 0;
}

static int prepare_disk(Hotplug *h, const VbDomainDef *live, VbError *e) {
        const VbDomainDisk *k;
        _cleanup_free_ char *file = NULL, *fmt = NULL;
        size_t i;
        int r;

        if (find_disk(live, h->spec.key, &i) < 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "attached disk %s is not in the new definition", h->spec.key);
        k = &live->disks[i];
        r = disk_live_check(k, e);
        if (r < 0)
                return r;
        file = vb_strdupf("file-%s", k->target_dev);
        fmt = vb_strdupf("fmt-%s", k->target_dev);
        h->qdev = vb_strdup(k->target_dev);
        h->alias = vb_strdup(k->target_dev);
        h->cmds[0] = blockdev(streq(k->type, "block") ? "host_device" : "file", "filename", k->source, file,
                              k->readonly);
        h->cmds[1] = blockdev(k->driver_type ? k->driver_type : "raw", "file", file, fmt, k->readonly);
        h->cmds[2] = device_args("virtio-blk-pci", "drive", fmt, k->target_dev, NULL);
        h->names[0] = h->names[1] = "blockdev-add";
        h->names[2] = "device_add";
        h->n_cmds = 3;
        h->undo[0] = TAKE_PTR(file);
        h->undo[1] = TAKE_PTR(fmt);
        if (!h->qdev || !h->alias || !h->cmds[0] || !h->cmds[1] || !h->cmds[2] || !h->undo[0] || !h->undo[1])
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

static const char *net_model(const char *model) {
        static const char *const map[][2] = {
                { "virtio", "virtio-net-pci" }, { "e1000", "e1000" }, { "e1000e", "e1000e" }, { "rtl8139", "rtl8139" },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (streq(model ? model : "rtl8139", map[i][0]))
                        return map[i][1];
        return NULL;
}

/* The MAC the model made up goes into the device XML: the config gets the same one. */
static int spec_fix_mac(DevSpec *s, const char *mac, VbError *e) {
        xmlNodePtr m;

        if (s->key)
                return 0;
        m = xmlNewChild(s->node, NULL, BAD_CAST "mac", NULL);
        s->key = vb_strdup(mac);
        if (!m || !s->key || !xmlNewProp(m, BAD_CAST "address", BAD_CAST mac))
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

static json_object *netdev_args(const char *type, const char *id, const char *fdname) {
        json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        json_object_object_add(o, "type", json_object_new_string(type));
        json_object_object_add(o, "id", json_object_new_string(id));
        if (fdname)
                json_object_object_add(o, "fd", json_object_new_string(fdname));
        return o;
}

/* A bridge interface: its tap now (gone again with h->tap.fd if the attach fails),
 * passed to QEMU by getfd before netdev_add names it. */
static int prepare_tap(Hotplug *h, const VbDomainNet *n, const char *netdev, VbError *e) {
        _cleanup_free_ char *fdname = vb_strdupf("fd-%s", netdev);
        json_object *args = json_object_new_object();
        int r;

        if (!fdname || !args) {
                json_object_put(args);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        json_object_object_add(args, "fdname", json_object_new_string(fdname));
        h->cmds[0] = args;
        h->names[0] = "getfd";
        r = vb_qemu_tap_open(h->dom->conn, n, &h->tap, e);
        if (r < 0)
                return r;
        h->cmds[1] = netdev_args("tap", netdev, fdname);
        h->names[1] = "netdev_add";
        h->undo[0] = TAKE_PTR(fdname);
        return 0;
}

static int prepare_net(Hotplug *h, const VbDomainDef *old, const VbDomainDef *live, VbError *e) {
        const VbDomainNet *n = &live->nets[live->n_nets - 1];   /* appended last */
        const char *model = net_model(n->model);
        bool tap = vb_qemu_net_uses_tap(n);
        _cleanup_free_ char *netdev = NULL;
        size_t k = tap ? 1 : 0;         /* index of netdev_add */
        int r;

        if (!tap && !streq_ptr(n->type, "user"))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "interface type '%s' cannot be hot-plugged by the QEMU driver (user, bridge)",
                                    strempty(n->type));
        if (!model)
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "interface model '%s' is not supported", n->model);
        r = spec_fix_mac(&h->spec, n->mac, e);
        if (r < 0)
                return r;
        h->net = net_free_number(old);
        netdev = vb_strdupf("net%u", h->net);
        h->qdev = vb_strdupf("nic%u", h->net);
        h->alias = vb_strdup(netdev);
        if (!netdev)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (tap) {
                r = prepare_tap(h, n, netdev, e);
                if (r < 0)
                        return r;
        } else {
                h->cmds[0] = netdev_args("user", netdev, NULL);
                h->names[0] = "netdev_add";
        }
        h->cmds[k + 1] = device_args(model, "netdev", netdev, h->qdev, n->mac);
        h->names[k + 1] = "device_add";
        h->n_cmds = k + 2;
        h->undo[k] = TAKE_PTR(netdev);
        if (!h->qdev || !h->alias || !h->cmds[k] || !h->cmds[k + 1] || !h->undo[k])
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

static int attach_live_prepare(Hotplug *h, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *live = NULL;
        VbDomainObj *d = h->dom;
        int r;

        r = vb_qemu_job_busy(d, e);
        if (r >= 0)
                r = def_edit(d->def, true, &h->spec, VB_DEV_ATTACH, &live, e);
        if (r < 0)
                return r;
        return h->spec.disk ? prepare_disk(h, live, e) : prepare_net(h, d->def, live, e);
}

/* The common start of attach and detach: AFFECT_* resolved, the device parsed. */
static int hotplug_start(VbDomainObj *d, const char *xml, DevHow how, unsigned *flags, VbOp *op, Hotplug **ret,
                         VbError *e) {
        Hotplug *h;
        int r;

        r = vb_domain_affect(d, flags, e);
        if (r < 0)
                return r;
        h = hotplug_new(d, how, *flags, op);
        if (!h)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = dev_spec_parse(xml, &h->spec, e);
        if (r < 0) {
                hotplug_free(h);
                return r;
        }
        *ret = h;
        return 0;
}

/* The config side of attach and detach: edited (so checked) now; saved at once
 * when there is no live side, else once the live side is done. */
static int config_step(Hotplug *h, unsigned flags, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *config = NULL;
        int r = 0;

        if (flags & AFFECT_CONFIG)
                r = config_edit(h->dom, &h->spec, h->how, &config, e);
        if (r >= 0 && !(flags & AFFECT_LIVE))
                r = config_apply(h->dom, TAKE_PTR(config), e);
        return r;
}

int vb_qemu_attach_device_op(VbDomainObj *d, const char *xml, unsigned flags, VbOp *op, VbError *e) {
        Hotplug *h;
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG, e);
        r = hotplug_start(d, xml, VB_DEV_ATTACH, &flags, op, &h, e);
        if (r < 0)
                return r;
        if (flags & AFFECT_LIVE)
                r = attach_live_prepare(h, e);
        if (r >= 0)
                r = config_step(h, flags, e);
        if (r >= 0 && (flags & AFFECT_LIVE))
                r = vb_qemu_job_begin(d, "virDomainAttachDeviceFlags", op, e);
        if (r < 0 || !(flags & AFFECT_LIVE)) {
                hotplug_free(h);
                return r < 0 ? r : 0;
        }
        attach_next(h);
        return 1;
}

/* ---- detach ---- */

static Hotplug *waiting;        /* detaches waiting for DEVICE_DELETED (linked by ->next) */

static void waiting_remove(Hotplug *h) {
        for (Hotplug **p = &waiting; *p; p = &(*p)->next)
                if (*p == h) {
                        *p = h->next;
                        return;
                }
}

/* The detach call is over: the config follows (when asked), then the reply. */
static void detach_finish(Hotplug *h) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *config = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        int r = 0;

        waiting_remove(h);
        if (still_ours(h)) {
                if (h->flags & AFFECT_CONFIG) {
                        r = config_edit(h->dom, &h->spec, VB_DEV_DETACH, &config, &e);
                        if (r >= 0)
                                r = config_apply(h->dom, TAKE_PTR(config), &e);
                }
                vb_qemu_job_end(h->dom, r, r < 0 ? &e : NULL);
        }
        hotplug_free(h);
}

static int on_detach_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Hotplug *h = userdata;
        vb_qemu_log("domain '%s': device '%s' not yet released by the guest", h->dom->def->name, h->qdev);
        detach_finish(h);
        return 0;
}

static void detach_reply(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *u) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        Hotplug *h = u;
        VbQemuDom *q;

        if (r == -ECANCELED || !still_ours(h)) {
                waiting_remove(h);
                hotplug_free(h);
                return;
        }
        if (r < 0) {
                waiting_remove(h);
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, "QEMU refused device_del: %s", desc ? desc : strerror(-r));
                vb_qemu_job_end(h->dom, r, &e);
                hotplug_free(h);
                return;
        }
        if (h->deleted)
                return detach_finish(h);
        q = h->dom->priv;
        r = sd_event_add_time_relative(q->drv->event, &h->timer, CLOCK_MONOTONIC, DETACH_WAIT_USEC, 0,
                                       on_detach_timeout, h);
        if (r < 0)
                detach_finish(h);
}

/* Where the device of @s is in the live definition: QEMU's id and the alias. */
static int detach_target(Hotplug *h, VbError *e) {
        const VbDomainDef *def = h->dom->def;
        size_t i;

        if (h->spec.disk) {
                if (find_disk(def, h->spec.key, &i) < 0)
                        return not_found(&h->spec, e);
                if (!streq_ptr(def->disks[i].target_bus, "virtio") || !valid_target(h->spec.key))
                        return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                            "disk '%s': only disks on the virtio bus can be hot-unplugged", h->spec.key);
                h->qdev = vb_strdup(h->spec.key);
                h->alias = vb_strdup(h->spec.key);
        } else {
                if (find_net(def, h->spec.key, &i) < 0)
                        return not_found(&h->spec, e);
                h->qdev = vb_strdupf("nic%u", net_number(def, i));
                h->alias = vb_strdupf("net%u", net_number(def, i));
        }
        if (!h->qdev || !h->alias)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

static int detach_send(Hotplug *h, VbError *e) {
        VbQemuDom *q = h->dom->priv;
        json_object *args = json_object_new_object();
        int r;

        if (!args)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        json_object_object_add(args, "id", json_object_new_string(h->qdev));
        r = q->qmp ? vb_qmp_command(q->qmp, "device_del", args, NULL, 0, detach_reply, h) : -ENOTCONN;
        if (r < 0) {
                if (!q->qmp)
                        json_object_put(args);
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot send device_del to QEMU: %s", strerror(-r));
        }
        h->next = waiting;
        waiting = h;
        return 0;
}

int vb_qemu_detach_device_op(VbDomainObj *d, const char *xml, unsigned flags, VbOp *op, VbError *e) {
        Hotplug *h;
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG, e);
        r = hotplug_start(d, xml, VB_DEV_DETACH, &flags, op, &h, e);
        if (r < 0)
                return r;
        r = config_step(h, flags, e);    /* with a live side: checked now, applied at the end */
        if (r >= 0 && (flags & AFFECT_LIVE))
                r = vb_qemu_job_busy(d, e);
        if (r >= 0 && (flags & AFFECT_LIVE))
                r = detach_target(h, e);
        if (r >= 0 && (flags & AFFECT_LIVE))
                r = vb_qemu_job_begin(d, "virDomainDetachDeviceFlags", op, e);
        if (r >= 0 && (flags & AFFECT_LIVE)) {
                r = detach_send(h, e);
                if (r < 0)
                        vb_qemu_job_abort(d);
        }
        if (r < 0 || !(flags & AFFECT_LIVE)) {
                hotplug_free(h);
                return r < 0 ? r : 0;
        }
        return 1;
}

/* ---- DEVICE_DELETED: the guest let go ---- */

/* A DevSpec naming a device of the live definition (for def_edit). */
static int spec_for(DevSpec *s, bool disk, const char *key) {
        s->doc = xmlNewDoc(BAD_CAST "1.0");
        s->node = s->doc ? xmlNewDocNode(s->doc, NULL, BAD_CAST (disk ? "disk" : "interface"), NULL) : NULL;
        if (!s->node)
                return -ENOMEM;
        xmlDocSetRootElement(s->doc, s->node);
        s->disk = disk;
        s->key = vb_strdup(key);
        return s->key ? 0 : -ENOMEM;
}

/* The live device with QEMU id @qdev: a spec for it, its alias and its backends. */
static int deleted_device(VbDomainDef *def, const char *qdev, DevSpec *s, char **alias) {
        char mac[18];
        size_t i;

        if (find_disk(def, qdev, &i) >= 0) {
                *alias = vb_strdup(qdev);
                return spec_for(s, true, qdev);
        }
        net_fix_aliases(def);           /* the remaining ones keep their names */
        for (i = 0; i < def->n_nets; i++) {
                _cleanup_free_ char *nic = vb_strdupf("nic%u", net_number(def, i));
                if (!nic || !streq(nic, qdev))
                        continue;
                if (vb_mac_parse(def->nets[i].mac, mac) < 0)
                        return -EINVAL;
                *alias = vb_strdupf("net%u", net_number(def, i));
                return spec_for(s, false, mac);
        }
        return -ENOENT;
}

static void release_backend(VbDomainObj *d, const DevSpec *s, const char *alias) {
        _cleanup_free_ char *fmt = NULL, *file = NULL;

        if (!s->disk) {
                qmp_fire(d, "netdev_del", "id", alias);
                return;
        }
        fmt = vb_strdupf("fmt-%s", s->key);
        file = vb_strdupf("file-%s", s->key);
        if (fmt && file) {
                qmp_fire(d, "blockdev-del", "node-name", fmt);        /* in order: format, then file */
                qmp_fire(d, "blockdev-del", "node-name", file);
        }
}

void vb_qemu_on_device_deleted(VbDomainObj *d, json_object *data) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_(vb_domain_def_freep) VbDomainDef *live = NULL;
        _cleanup_(dev_spec_clear) DevSpec s = {};
        _cleanup_free_ char *alias = NULL;
        json_object *v;
        const char *qdev;

        if (!data || !json_object_object_get_ex(data, "device", &v) || !json_object_is_type(v, json_type_string))
                return;
        qdev = json_object_get_string(v);
        if (deleted_device(d->def, qdev, &s, &alias) < 0 || !alias)
                return;
        release_backend(d, &s, alias);
        if (def_edit(d->def, true, &s, VB_DEV_DETACH, &live, &e) < 0)
                vb_qemu_log("domain '%s': cannot drop device '%s' from the live definition: %s", d->def->name,
                            qdev, e.message);
        else
                live_swap(d, TAKE_PTR(live));
        emit_device(d, VB_EVENT_DOMAIN_DEVICE_REMOVED, alias);
        for (Hotplug *h = waiting; h; h = h->next)
                if (h->dom == d && streq_ptr(h->qdev, qdev)) {
                        if (!h->timer)
                                h->deleted = true;      /* device_del's reply is still to come */
                        else
                                detach_finish(h);
                        break;
                }
}

/* ---- update ---- */

void vb_qemu_device_live_swap(VbDomainObj *d, VbDomainDef *live) {
        live_swap(d, live);
}

int vb_qemu_device_config_apply(VbDomainObj *d, VbDomainDef *config, VbError *e) {
        return config_apply(d, config, e);
}

/* The device of @s in d->def and in @live, and its QEMU id. */
static int update_target(VbDomainObj *d, const DevSpec *s, const VbDomainDef *live, size_t *ret_old,
                         size_t *ret_new, char **ret_qdev, VbError *e) {
        int r;

        if (s->disk) {
                r = find_disk(d->def, s->key, ret_old);
                if (r >= 0)
                        r = find_disk(live, s->key, ret_new);
                *ret_qdev = r >= 0 ? vb_strdup(s->key) : NULL;
        } else {
                r = find_net(d->def, s->key, ret_old);
                if (r >= 0)
                        r = find_net(live, s->key, ret_new);
                *ret_qdev = r >= 0 ? vb_strdupf("nic%u", net_number(d->def, *ret_old)) : NULL;
        }
        if (r < 0)
                return not_found(s, e);
        return *ret_qdev ? 0 : vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
}

/* An interface given without a MAC means the first one: it keeps its MAC. */
static int update_fix_mac(VbDomainObj *d, DevSpec *s, unsigned flags, VbError *e) {
        const VbDomainDef *def = (flags & AFFECT_LIVE) ? d->def : vb_domain_persistent_def(d);
        char mac[18];

        if (s->disk || s->key)
                return 0;
        if (def->n_nets == 0 || vb_mac_parse(def->nets[0].mac, mac) < 0)
                return not_found(s, e);
        return spec_fix_mac(s, mac, e);
}

int vb_qemu_update_device_op(VbDomainObj *d, const char *xml, unsigned flags, VbOp *op, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *config = NULL, *live = NULL;
        _cleanup_(dev_spec_clear) DevSpec s = {};
        _cleanup_free_ char *qdev = NULL;
        size_t old_index = 0, index = 0;
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG | UPDATE_FORCE, e);
        r = vb_domain_affect(d, &flags, e);
        if (r >= 0)
                r = dev_spec_parse(xml, &s, e);
        if (r >= 0)
                r = update_fix_mac(d, &s, flags, e);
        if (r >= 0 && (flags & AFFECT_CONFIG))          /* checked now, applied with the live change */
                r = config_edit(d, &s, VB_DEV_UPDATE, &config, e);
        if (r < 0 || !(flags & AFFECT_LIVE))
                return r < 0 ? r : config_apply(d, TAKE_PTR(config), e);
        r = vb_qemu_job_busy(d, e);
        if (r >= 0)
                r = def_edit(d->def, true, &s, VB_DEV_UPDATE, &live, e);
        if (r >= 0)
                r = update_target(d, &s, live, &old_index, &index, &qdev, e);
        if (r < 0)
                return r;
        return vb_qemu_update_live(d, TAKE_PTR(live), TAKE_PTR(config), s.disk, old_index, index, qdev, op, e);
}
