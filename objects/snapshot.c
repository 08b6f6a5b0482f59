/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.DomainSnapshot at <connect>/domainsnapshot/_<domain uuid>_<encoded name>,
 * and the Domain methods that create, find and list snapshots. */
#include "bus-method.h"
#include "domain-extra.h"
#include "object-path.h"
#include "xml-util.h"

#define UUID_LABEL_LEN 37   /* "_" + 36 */

static char *snapshot_label_of(const VbDomainObj *d, const char *name) {
        _cleanup_free_ char *enc = vb_label_encode(name);
        char label[38];
        vb_uuid_label(d->def->uuid, label);
        return vb_strdupf("%s_%s", label, enc);
}

static void *snapshot_find(VbConnect *c, const char *label) {
        _cleanup_free_ char *uuid_label = NULL, *name = NULL;
        uint8_t uuid[16];
        VbDomainObj *d;

        if (strlen(label) <= UUID_LABEL_LEN + 1 || label[UUID_LABEL_LEN] != '_')
                return NULL;
        uuid_label = strndup(label, UUID_LABEL_LEN);
        if (!uuid_label || vb_uuid_label_parse(uuid_label, uuid) < 0)
                return NULL;
        d = vb_domain_find_uuid(c, uuid);
        name = d ? vb_label_decode(label + UUID_LABEL_LEN + 1) : NULL;
        return name ? vb_snapshot_find(d, name) : NULL;
}

static char *snapshot_label(const void *obj) {
        const VbSnapshotObj *s = obj;
        return snapshot_label_of(s->dom, s->name);
}

static size_t snapshot_list(VbConnect *c, void ***ret) {
        size_t total = 0, n = 0;
        void **l;
        for (size_t i = 0; i < c->n_domains; i++)
                total += c->domains[i]->n_snapshots;
        l = calloc(total + 1, sizeof(void *));
        if (!l)
                return 0;
        for (size_t i = 0; i < c->n_domains; i++)
                for (size_t j = 0; j < c->domains[i]->n_snapshots; j++)
                        l[n++] = c->domains[i]->snapshots[j];
        *ret = l;
        return n;
}

static size_t snapshot_details(const void *obj, const char *kv[], char *buf, size_t bufsz) {
        const VbSnapshotObj *s = obj;
        if (bufsz < 37)
                return 0;
        vb_uuid_format(s->dom->def->uuid, buf);
        kv[0] = "domain_name";
        kv[1] = s->dom->def->name;
        kv[2] = "domain_uuid";
        kv[3] = buf;
        return 2;
}

static VbConnect *snapshot_conn_of(const void *obj) {
        return ((const VbSnapshotObj *) obj)->dom->conn;
}

static int reply_snapshot_path(sd_bus_message *m, VbDomainObj *d, const char *name) {
        VbBusConnect *bc = vb_bus_connect_of(d->conn);
        _cleanup_free_ char *label = NULL, *path = NULL;
        if (!bc)
                return -ENOENT;
        label = snapshot_label_of(d, name);
        path = vb_path_child(bc->path, "domainsnapshot", label);
        return sd_bus_reply_method_return(m, "o", path);
}

static int reply_snapshot_list(sd_bus_message *m, VbSnapshotObj **l, size_t n) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "o");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ char *path = vb_bus_object_path(&vb_bus_kind_snapshot, l[i]);
                r = path ? sd_bus_message_append(reply, "o", path) : -ENOMEM;
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

#define SCALL(c, op, api, ...)                                                               \
        do {                                                                                 \
                r = VB_DRIVER_CALL(c, snapshot, op, api, &e, __VA_ARGS__);                   \
                if (r < 0)                                                                   \
                        return vb_bus_error(error, &e);                                      \
        } while (0)

typedef struct CreateOp {
        VbOp op;
        sd_bus_message *m;
        VbDomainObj *dom;          /* referenced */
        char *name;
} CreateOp;

static void create_op_done(VbOp *op, int r, const VbError *e) {
        CreateOp *o = (CreateOp *) op;

        if (r >= 0)
                r = o->name ? reply_snapshot_path(o->m, o->dom, o->name) : -EINVAL;
        if (r < 0) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                if (e && e->code)
                        vb_bus_error(&error, e);
                else
                        sd_bus_error_set_errno(&error, r);
                sd_bus_reply_method_error(o->m, &error);
                sd_bus_error_free(&error);
        }
        sd_bus_message_unref(o->m);
        vb_domain_obj_unref(o->dom);
        free(o->name);
        free(o);
}

/* ---- org.libvirt.Domain ---- */

VB_HANDLER(vb_domain_method_snapshot_create_xml) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainObj *d = userdata;
        const char *xml;
        uint32_t flags;
        CreateOp *o;
        int r;

        r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        if (!VB_DRIVER_HAS(d->conn, snapshot, create_xml))
                return vb_bus_unsupported(error, "virDomainSnapshotCreateXML");
        o = calloc(1, sizeof(*o));
        if (!o)
                return -ENOMEM;
        o->op.done = create_op_done;
        o->m = sd_bus_message_ref(m);
        o->dom = vb_domain_obj_ref(d);
        /* a running QEMU guest replies once its state is written */
        r = d->conn->driver->snapshot->create_xml(d, xml, flags, &o->name, &o->op, &e);
        if (r != 1)
                o->op.done(&o->op, r < 0 ? r : 0, &e);
        return 1;
}

VB_HANDLER(vb_domain_method_snapshot_current) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainObj *d = userdata;
        VbSnapshotObj *s = NULL;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        SCALL(d->conn, current, "virDomainSnapshotCurrent", d, flags, &s, &e);
        return vb_reply_path(m, &vb_bus_kind_snapshot, s);
}

VB_HANDLER(vb_domain_method_snapshot_lookup_by_name) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainObj *d = userdata;
        VbSnapshotObj *s = NULL;
        const char *name;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "su", &name, &flags);
        if (r < 0)
                return r;
        SCALL(d->conn, lookup_by_name, "virDomainSnapshotLookupByName", d, name, flags, &s, &e);
        return vb_reply_path(m, &vb_bus_kind_snapshot, s);
}

VB_HANDLER(vb_domain_method_list_domain_snapshots) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ VbSnapshotObj **l = NULL;
        VbDomainObj *d = userdata;
        uint32_t flags;
        size_t n = 0;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        SCALL(d->conn, list_all, "virDomainListAllSnapshots", d, flags, &l, &n, &e);
        return reply_snapshot_list(m, l, n);
}

/* ---- org.libvirt.DomainSnapshot ---- */

/* VbSnapshotOps.delete and .revert: may finish later, on @op */
typedef int SnapshotOpFn(VbSnapshotObj *s, unsigned flags, VbOp *op, VbError *e);

/* Delete and Revert differ only in the driver op, and the API named when the driver
 * has none. The reply is an error or nothing; drivers without a slow path finish at once. */
static int snapshot_op(sd_bus_message *m, VbSnapshotObj *s, bool revert, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        const VbSnapshotOps *ops = s->dom->conn->driver->snapshot;
        SnapshotOpFn *fn = NULL;
        uint32_t flags;
        VbOp *op;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        if (ops)
                fn = revert ? ops->revert : ops->delete;
        if (!fn)
                return vb_bus_unsupported(error, revert ? "virDomainRevertToSnapshot"
                                                        : "virDomainSnapshotDelete");
        op = vb_bus_reply_op_new(m, NULL);
        if (!op)
                return -ENOMEM;
        r = fn(s, flags, op, &e);
        return vb_bus_reply_op_result(op, r, &e);
}

static int method_delete(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return snapshot_op(m, userdata, false, error);
}

static int method_get_parent(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbSnapshotObj *s = userdata, *p = NULL;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        SCALL(s->dom->conn, get_parent, "virDomainSnapshotGetParent", s, flags, &p, &e);
        return vb_reply_path(m, &vb_bus_kind_snapshot, p);
}

static VB_BUS_METHOD_GET_XML(method_get_xml_desc, VbSnapshotObj, dom->conn, snapshot, get_xml_desc,
                             "virDomainSnapshotGetXMLDesc")

static int method_is_current(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbSnapshotObj *s = userdata;
        uint32_t flags;
        bool b = false;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        SCALL(s->dom->conn, is_current, "virDomainSnapshotIsCurrent", s, flags, &b, &e);
        return sd_bus_reply_method_return(m, "b", (int) b);
}

static int method_list_children(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ VbSnapshotObj **l = NULL;
        VbSnapshotObj *s = userdata;
        uint32_t flags;
        size_t n = 0;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        SCALL(s->dom->conn, list_children, "virDomainSnapshotListAllChildren", s, flags, &l, &n, &e);
        return reply_snapshot_list(m, l, n);
}

static int method_revert(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return snapshot_op(m, userdata, true, error);
}

static const sd_bus_vtable snapshot_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_NAMES("Delete", "u", SD_BUS_PARAM(flags), "", , method_delete,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetParent", "u", SD_BUS_PARAM(flags), "o", SD_BUS_PARAM(domainSnapshot),
                                 method_get_parent, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetXMLDesc", "u", SD_BUS_PARAM(flags), "s", SD_BUS_PARAM(xml),
                                 method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("IsCurrent", "u", SD_BUS_PARAM(flags), "b", SD_BUS_PARAM(domainSnapshot),
                                 method_is_current, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListChildren", "u", SD_BUS_PARAM(flags), "ao", SD_BUS_PARAM(domainSnapshots),
                                 method_list_children, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Revert", "u", SD_BUS_PARAM(flags), "", , method_revert,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

const VbBusKind vb_bus_kind_snapshot = {
        .interface = "org.libvirt.DomainSnapshot",
        .element = "domainsnapshot",
        .vtable = snapshot_vtable,
        .kind = VB_KIND_SNAPSHOT,
        .acl_object = "domain",
        .find = snapshot_find,
        .label = snapshot_label,
        .list = snapshot_list,
        .details = snapshot_details,
        .conn_of = snapshot_conn_of,
        .not_found = VB_ERR_NO_DOMAIN_SNAPSHOT,
        .noun = "domain snapshot",
};
