/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Live UpdateDevice of the QEMU driver, after libvirt's qemuDomainUpdateDeviceLive:
 *
 *   - a cdrom gets new media or is ejected: blockdev-open-tray (force),
 *     blockdev-remove-medium, blockdev-del of the old nodes, and for new media
 *     blockdev-add (file-X, fmt-X, read-only), blockdev-open-tray again, blockdev-insert-medium,
 *     blockdev-close-tray. The node names are the ones the command line uses
 *     (qemu-command.h), so the next change finds them. An eject leaves the tray open
 *     (tray='open' in the live definition), as libvirt does;
 *   - an interface's <link state='up|down'/>: set_link on its NIC "nicN".
 *
 * Anything else that differs from the live device is refused before QEMU is asked,
 * with libvirt's "cannot modify field ..." texts. The commands run in order under the
 * state change lock; the live definition (and the status file) follow once QEMU
 * accepted them all. */
#include <errno.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "qemu-update.h"
#include "xml-util.h"

#define UPDATE_CMDS_MAX 10

/* ---- what may change (pure) ---- */

static int inherit(char **new, const char *old) {
        if (*new || !old)
                return 0;
        *new = vb_strdup(old);
        return *new ? 0 : -ENOMEM;
}

char *vb_qemu_attrs_without_tray(const char *attrs) {
        VbBuf b = { 0 };
        const char *p = attrs;

        /* our own normalised form: " name='value'" with the value escaped (no quote inside) */
        while (p && *p) {
                const char *end = strchr(p + 1, '\'');
                end = end ? strchr(end + 1, '\'') : NULL;
                end = end ? end + 1 : p + strlen(p);
                if (strncmp(p, " tray='", 7) != 0)
                        vb_buf_add(&b, p, (size_t) (end - p));
                p = end;
        }
        if (b.len == 0) {
                vb_buf_free(&b);
                return NULL;
        }
        return vb_buf_steal(&b);
}

static int disk_field(VbError *e, const char *field) {
        return vb_error_set(e, VB_ERR_OPERATION_UNSUPPORTED, "cannot modify field '%s' of the disk", field);
}

/* The new media must be something the command line could have opened. */
static int media_check(const VbDomainDisk *k, VbError *e) {
        const char *fmt = k->driver_type ? k->driver_type : "raw";

        if (k->source_xml)
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "disk '%s': only a plain file or block device can be inserted", k->target_dev);
        if (isempty(k->source))
                return 0;       /* eject */
        if (!streq_ptr(k->type, "file") && !streq_ptr(k->type, "block"))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "disk '%s': type '%s' is not supported (file, block)",
                                    k->target_dev, strempty(k->type));
        if (k->source[0] != '/' || strstr(k->source, "/../") || strchr(k->source, '\n'))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "disk '%s' needs an absolute source path", k->target_dev);
        if (!streq(fmt, "raw") && !streq(fmt, "qcow2"))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "disk '%s': format '%s' is not supported (raw, qcow2)",
                                    k->target_dev, fmt);
        return 0;
}

int vb_qemu_disk_update_check(const VbDomainDisk *old, VbDomainDisk *new, bool *ret_media, VbError *e) {
        _cleanup_free_ char *old_target = vb_qemu_attrs_without_tray(old->target_extra);
        _cleanup_free_ char *new_target = vb_qemu_attrs_without_tray(new->target_extra);
        bool cdrom = streq_ptr(old->device, "cdrom"), media;

        if (inherit(&new->alias, old->alias) < 0 || inherit(&new->address, old->address) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        /* libvirt's qemuDomainDiskChangeSupported, for the fields the model keeps */
        if (!streq_ptr(old->device, new->device))
                return disk_field(e, "device");
        if (!streq_ptr(old->target_bus, new->target_bus))
                return disk_field(e, "bus");
        if (!streq_ptr(old->driver_name, new->driver_name) || !streq_ptr(old->driver_extra, new->driver_extra))
                return disk_field(e, "driver");
        if (!streq_ptr(old_target, new_target))
                return disk_field(e, "target");
        if (old->readonly != new->readonly && !cdrom)      /* a cdrom is read-only anyway */
                return disk_field(e, "readonly");
        if (old->shareable != new->shareable)
                return disk_field(e, "shareable");
        if (old->boot_order != new->boot_order)
                return disk_field(e, "boot order");
        if (!streq_ptr(old->alias, new->alias))
                return disk_field(e, "alias");
        if (!streq_ptr(old->address, new->address))
                return disk_field(e, "address");
        if (!streq_ptr(old->extra_attrs, new->extra_attrs) || !streq_ptr(old->extra_xml, new->extra_xml) ||
            !streq_ptr(old->extra_pre_xml, new->extra_pre_xml))
                return disk_field(e, "device configuration");
        media = !streq_ptr(old->source, new->source) || !streq_ptr(old->source_xml, new->source_xml) ||
                !streq_ptr(old->type, new->type) || !streq_ptr(old->driver_type, new->driver_type);
        if (media && !cdrom)
                return vb_error_set(e, VB_ERR_OPERATION_UNSUPPORTED,
                                    "disk source can be changed only in removable drives");
        if (media && media_check(new, e) < 0)
                return -EINVAL;
        *ret_media = media;
        return 0;
}

static void xml_doc_freep(xmlDocPtr *d) {
        if (*d)
                xmlFreeDoc(*d);
}

int vb_qemu_net_link_state(const char *extra_xml, char **ret_rest, VbError *e) {
        _cleanup_(xml_doc_freep) xmlDocPtr doc = NULL;
        _cleanup_free_ char *wrapped = NULL;
        _cleanup_(vb_buf_freep) VbBuf rest = { 0 };
        int up = 1;

        if (ret_rest)
                *ret_rest = NULL;
        if (isempty(extra_xml))
                return 1;
        wrapped = vb_strdupf("<kept>%s</kept>", extra_xml);
        if (!wrapped)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (vb_xml_parse(wrapped, "kept", &doc, NULL) < 0) {
                /* kept children in a namespace declared elsewhere: no <link> among them */
                if (strstr(extra_xml, "<link"))
                        return vb_error_set(e, VB_ERR_XML_ERROR, "cannot read the interface's link state");
                if (ret_rest && !(*ret_rest = vb_strdup(extra_xml)))
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                return 1;
        }
        for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; c; c = c->next) {
                _cleanup_free_ char *state = NULL, *dump = NULL;

                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (!c->ns && xmlStrEqual(c->name, BAD_CAST "link")) {
                        state = vb_xml_prop(c, "state");
                        if (state && !streq(state, "up") && !streq(state, "down"))
                                return vb_error_set(e, VB_ERR_XML_ERROR, "unknown interface link state '%s'", state);
                        up = !state || streq(state, "up");
                        continue;
                }
                dump = vb_xml_node_dump(c);
                if (!dump)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                vb_buf_puts(&rest, dump);
        }
        if (ret_rest && rest.len > 0)
                *ret_rest = vb_buf_steal(&rest);
        return up;
}

static int net_field(VbError *e, const char *what) {
        return vb_error_set(e, VB_ERR_OPERATION_UNSUPPORTED, "cannot modify network device %s", what);
}

int vb_qemu_net_update_check(const VbDomainNet *old, VbDomainNet *new, int *ret_link, VbError *e) {
        _cleanup_free_ char *old_rest = NULL, *new_rest = NULL;
        int old_up, new_up;

        if (inherit(&new->alias, old->alias) < 0 || inherit(&new->address, old->address) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (!new->target_dev && old->target_dev) {
                if (inherit(&new->target_dev, old->target_dev) < 0)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                new->target_generated = old->target_generated;
        }
        old_up = vb_qemu_net_link_state(old->extra_xml, &old_rest, e);
        if (old_up < 0)
                return old_up;
        new_up = vb_qemu_net_link_state(new->extra_xml, &new_rest, e);
        if (new_up < 0)
                return new_up;
        /* libvirt's qemuDomainChangeNet texts; we cannot reconnect or re-plug live */
        if (!streq_ptr(old->mac, new->mac))
                return vb_error_set(e, VB_ERR_OPERATION_UNSUPPORTED,
                                    "cannot change network interface mac address from %s to %s",
                                    strempty(old->mac), strempty(new->mac));
        if (!streq_ptr(old->type, new->type))
                return vb_error_set(e, VB_ERR_OPERATION_UNSUPPORTED, "cannot change network interface type");
        if (!streq_ptr(old->model, new->model))
                return vb_error_set(e, VB_ERR_OPERATION_UNSUPPORTED, "cannot modify network device model from %s to %s",
                                    strempty(old->model), strempty(new->model));
        if (!streq_ptr(old->source, new->source) || !streq_ptr(old->source_xml, new->source_xml))
                return net_field(e, "source");
        if (!streq_ptr(old->target_dev, new->target_dev))
                return net_field(e, "tap name");
        if (old->boot_order != new->boot_order)
                return net_field(e, "boot index setting");
        if (!streq_ptr(old->address, new->address))
                return net_field(e, "guest address");
        if (!streq_ptr(old->alias, new->alias))
                return net_field(e, "alias");
        if (!streq_ptr(old_rest, new_rest) || !streq_ptr(old->extra_pre_xml, new->extra_pre_xml))
                return net_field(e, "configuration other than its link state");
        *ret_link = old_up == new_up ? -1 : new_up;
        return 0;
}

/* ---- running the QMP commands ---- */

typedef struct Update {
        VbDomainObj *dom;            /* referenced */
        VbOp *op;
        VbDomainDef *live, *config;  /* installed once QEMU did it all */
        size_t index;                /* the device in @live */
        bool disk, eject;
        size_t removed_at;           /* cmds index after which the old medium is out (0: none) */
        json_object *cmds[UPDATE_CMDS_MAX];
        const char *names[UPDATE_CMDS_MAX];
        size_t n, sent;
        char *qdev;                  /* the cdrom's QEMU device id */
        json_object *resend;         /* the medium command in flight, to send again */
        unsigned tray_retries;
        bool reopening;
        size_t added_at;             /* cmds index of the new medium's first blockdev-add (0: none) */
        char *target_dev;            /* names the new nodes: file-<dev>, fmt-<dev> */
        unsigned dropping;           /* node deletions still to answer after a failure */
        int fail_r;                  /* the failure reported once they are answered */
        VbError fail;
} Update;

static Update *update_free(Update *u) {
        if (!u)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(u->cmds); i++)
                json_object_put(u->cmds[i]);
        json_object_put(u->resend);
        vb_error_clear(&u->fail);
        free(u->target_dev);
        free(u->qdev);
        vb_domain_def_free(u->live);
        vb_domain_def_free(u->config);
        vb_domain_obj_unref(u->dom);
        return mfree(u);
}

/* Arguments from (key, type, value) triples: 's' string, 'b' boolean; NULL ends. */
static json_object *args_new(const char *key, ...) {
        json_object *o = json_object_new_object();
        va_list ap;

        va_start(ap, key);
        for (; o && key; key = va_arg(ap, const char *)) {
                int type = va_arg(ap, int);
                json_object *v = type == 's' ? json_object_new_string(va_arg(ap, const char *))
                                             : json_object_new_boolean(va_arg(ap, int));
                if (!v || json_object_object_add(o, key, v) < 0) {
                        json_object_put(v);
                        o = (json_object_put(o), NULL);
                }
        }
        va_end(ap);
        return o;
}

static int add(Update *u, const char *name, json_object *args) {
        if (!args || u->n >= UPDATE_CMDS_MAX) {
                json_object_put(args);
                return -ENOMEM;
        }
        u->names[u->n] = name;
        u->cmds[u->n++] = args;
        return 0;
}

static int media_cmds(Update *u, const VbDomainDisk *old, const VbDomainDisk *k, const char *qdev) {
        _cleanup_free_ char *file = vb_strdupf("file-%s", k->target_dev), *fmt = vb_strdupf("fmt-%s", k->target_dev);
        int r;

        if (!file || !fmt)
                return -ENOMEM;
        free(u->qdev);
        u->qdev = vb_strdup(qdev);
        r = add(u, "blockdev-open-tray", args_new("id", 's', qdev, "force", 'b', true, NULL));
        if (r >= 0)
                r = add(u, "blockdev-remove-medium", args_new("id", 's', qdev, NULL));
        u->removed_at = u->n;
        if (r >= 0 && !isempty(old->source))
                r = add(u, "blockdev-del", args_new("node-name", 's', fmt, NULL));
        if (r >= 0 && !isempty(old->source))
                r = add(u, "blockdev-del", args_new("node-name", 's', file, NULL));
        u->eject = isempty(k->source);
        if (r < 0 || u->eject)
                return r;
        u->added_at = u->n;
        free(u->target_dev);
        u->target_dev = vb_strdup(k->target_dev);
        r = add(u, "blockdev-add", args_new("driver", 's', streq(k->type, "block") ? "host_cdrom" : "file",
                                            "filename", 's', k->source, "node-name", 's', file,
                                            "read-only", 'b', true, NULL));
        if (r >= 0)
                r = add(u, "blockdev-add", args_new("driver", 's', k->driver_type ? k->driver_type : "raw",
                                                    "file", 's', file, "node-name", 's', fmt, "read-only", 'b', true,
                                                    NULL));
        /* again right before the insert: a guest (SeaBIOS polling an IDE cdrom, say) may
         * load, i.e. close, an open tray at any moment, and the insert needs it open */
        if (r >= 0)
                r = add(u, "blockdev-open-tray", args_new("id", 's', qdev, "force", 'b', true, NULL));
        if (r >= 0)
                r = add(u, "blockdev-insert-medium", args_new("id", 's', qdev, "node-name", 's', fmt, NULL));
        if (r >= 0)
                r = add(u, "blockdev-close-tray", args_new("id", 's', qdev, NULL));
        return r;
}

/* The tray as the last command left it: open after an eject, closed with media. */
static int set_tray(VbDomainDisk *k, bool open) {
        char *rest = vb_qemu_attrs_without_tray(k->target_extra);

        free(k->target_extra);
        k->target_extra = open ? vb_strdupf("%s tray='open'", strempty(rest)) : rest;
        if (open)
                free(rest);
        return open && !k->target_extra ? -ENOMEM : 0;
}

static int install(Update *u, VbError *e) {
        VbDomainObj *d = u->dom;
        int r = 0;

        if (u->disk && set_tray(&u->live->disks[u->index], u->eject) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        vb_qemu_device_live_swap(d, TAKE_PTR(u->live));
        if (u->config)
                r = vb_qemu_device_config_apply(d, TAKE_PTR(u->config), e);
        vb_event_obj(d->conn, VB_EVENT_OBJECT_CHANGED, VB_KIND_DOMAIN, d, 0, 0);
        return r;
}

/* QEMU refused a command after the old medium went out: the drive is empty now. */
static void install_empty(Update *u) {
        VbDomainDisk *k = &u->live->disks[u->index];

        k->source = mfree(k->source);
        k->source_xml = mfree(k->source_xml);
        u->eject = true;
        u->config = vb_domain_def_free(u->config);
        (void) install(u, NULL);
}

static void update_next(Update *u);
static void update_reply(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *userdata);

static void drop_reply(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *userdata) {
        Update *u = userdata;
        VbQemuDom *q = u->dom->priv;

        if (r == -ECANCELED || !q || q->job_op != u->op || !q->qmp) {
                update_free(u);         /* whoever dropped the monitor ended the job */
                return;
        }
        if (--u->dropping > 0)
                return;
        vb_qemu_job_end(u->dom, u->fail_r, &u->fail);
        update_free(u);
}

/* A failure after the new medium's nodes were added but before they went in: delete
 * them (their errors do not matter: a node that was not made cannot be deleted), or
 * the next media change could not add nodes of the same names. The job ends with
 * @r and @e once QEMU answered. true when that is under way. */
static bool drop_new_nodes(Update *u, int r, VbError *e) {
        const char *dev = u->target_dev;
        _cleanup_free_ char *file = NULL, *fmt = NULL;
        VbQmp *qmp = ((VbQemuDom *) u->dom->priv)->qmp;

        if (!u->disk || u->added_at == 0 || u->sent <= u->added_at || !dev || !qmp)
                return false;
        file = vb_strdupf("file-%s", dev);
        fmt = vb_strdupf("fmt-%s", dev);
        if (!file || !fmt ||
            vb_qmp_command(qmp, "blockdev-del", args_new("node-name", 's', fmt, NULL), NULL, 0, drop_reply, u) < 0)
                return false;
        u->dropping = 1;
        if (vb_qmp_command(qmp, "blockdev-del", args_new("node-name", 's', file, NULL), NULL, 0, drop_reply, u) >= 0)
                u->dropping = 2;
        u->fail_r = r;
        u->fail = *e;           /* reported when the deletions are answered */
        *e = VB_ERROR_NULL;
        return true;
}

static void update_reply(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *userdata);

#define TRAY_RETRIES_MAX 5

/* A guest may close an open tray between two of our commands (SeaBIOS polling an IDE
 * cdrom loads it, say): a medium command refused for that opens the tray again and is
 * sent again, a few times. */
static bool tray_closed_again(Update *u, const char *desc) {
        const char *name = u->names[u->sent - 1];

        if (u->reopening || !u->resend || !u->qdev || u->tray_retries >= TRAY_RETRIES_MAX ||
            !desc || !strstr(desc, "is not open"))
                return false;
        if (!streq(name, "blockdev-remove-medium") && !streq(name, "blockdev-insert-medium"))
                return false;
        u->tray_retries++;
        u->sent--;
        u->cmds[u->sent] = TAKE_PTR(u->resend);
        u->reopening = true;
        return vb_qmp_command(((VbQemuDom *) u->dom->priv)->qmp, "blockdev-open-tray",
                              args_new("id", 's', u->qdev, "force", 'b', true, NULL), NULL, 0,
                              update_reply, u) >= 0;
}

static void update_reply(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *userdata) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        Update *u = userdata;
        VbQemuDom *q = u->dom->priv;

        if (r == -ECANCELED || !q || q->job_op != u->op || !q->qmp) {
                update_free(u);         /* whoever dropped the monitor ended the job */
                return;
        }
        if (r < 0 && tray_closed_again(u, desc))
                return;
        if (r < 0) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, "QEMU refused %s: %s",
                             u->reopening ? "blockdev-open-tray" : u->names[u->sent - 1],
                             desc ? desc : strerror(-r));
                if (u->disk && u->removed_at > 0 && u->sent > u->removed_at)
                        install_empty(u);
                if (drop_new_nodes(u, r, &e))
                        return;
                vb_qemu_job_end(u->dom, r, &e);
                update_free(u);
                return;
        }
        u->reopening = false;
        update_next(u);
}

static void update_next(Update *u) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbQemuDom *q = u->dom->priv;
        int r;

        if (u->sent == u->n) {
                r = install(u, &e);
                vb_qemu_job_end(u->dom, r < 0 ? r : 0, r < 0 ? &e : NULL);
                update_free(u);
                return;
        }
        json_object_put(TAKE_PTR(u->resend));
        if (streq(u->names[u->sent], "blockdev-remove-medium") || streq(u->names[u->sent], "blockdev-insert-medium"))
                u->resend = json_object_get(u->cmds[u->sent]);
        r = q->qmp ? vb_qmp_command(q->qmp, u->names[u->sent], TAKE_PTR(u->cmds[u->sent]), NULL, 0, update_reply, u)
                   : -ENOTCONN;
        if (r < 0) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, "cannot send %s to QEMU: %s", u->names[u->sent], strerror(-r));
                vb_qemu_job_end(u->dom, r, &e);
                update_free(u);
                return;
        }
        u->sent++;
}

static int source_access(const VbDomainDisk *k, VbError *e) {
        struct stat st;

        if (isempty(k->source))
                return 0;
        if (stat(k->source, &st) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Cannot access storage file '%s': %s", k->source,
                                    strerror(errno));
        if (streq(k->type, "file") ? !S_ISREG(st.st_mode) : !S_ISBLK(st.st_mode))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "disk '%s': '%s' is not a %s", k->target_dev, k->source,
                                    streq(k->type, "file") ? "regular file" : "block device");
        return 0;
}

int vb_qemu_update_live(VbDomainObj *d, VbDomainDef *live, VbDomainDef *config, bool disk, size_t old_index,
                        size_t index, const char *qdev, VbOp *op, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *l = live, *c = config;
        Update *u;
        bool media = false;
        int link = -1, r;

        r = disk ? vb_qemu_disk_update_check(&d->def->disks[old_index], &l->disks[index], &media, e)
                 : vb_qemu_net_update_check(&d->def->nets[old_index], &l->nets[index], &link, e);
        if (r >= 0 && media)
                r = source_access(&l->disks[index], e);
        if (r < 0)
                return r;
        u = calloc(1, sizeof(*u));
        if (!u)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        *u = (Update) { .dom = vb_domain_obj_ref(d), .op = op, .live = TAKE_PTR(l), .config = TAKE_PTR(c),
                        .index = index, .disk = disk };
        /* a cdrom keeps its tray as it is unless the media change */
        u->eject = disk && !media && strstr(strempty(d->def->disks[old_index].target_extra), " tray='open'");
        if (media)
                r = media_cmds(u, &d->def->disks[old_index], &u->live->disks[index], qdev);
        else if (link >= 0)
                r = add(u, "set_link", args_new("name", 's', qdev, "up", 'b', link == 1, NULL));
        if (r >= 0 && u->n > 0)
                r = vb_qemu_job_begin(d, "virDomainUpdateDeviceFlags", op, e);
        else if (r < 0)
                r = vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (r >= 0 && u->n == 0) {
                r = install(u, e);      /* nothing for QEMU to do */
                update_free(u);
                return r;
        }
        if (r < 0) {
                update_free(u);
                return r;
        }
        update_next(u);
        return 1;
}
