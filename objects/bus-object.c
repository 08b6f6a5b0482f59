/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Registration of each driver's object tree, the polkit gate every call passes
 * (a bus filter, so no method can be added without it), GetAll with libvirt-dbus's
 * double variants, and errors. */
#include <stdarg.h>
#include <stdio.h>

#include "acl.h"
#include "bus-object.h"
#include "console.h"
#include "object-path.h"
#include "polkit.h"
#include "storage-vol-stream.h"
#include "xml-util.h"

#define MAX_CONNECTS 8
static VbBusConnect *connects[MAX_CONNECTS];

const VbBusKind *const vb_bus_kinds[] = {
        &vb_bus_kind_connect,
        &vb_bus_kind_domain,
        &vb_bus_kind_job,
        &vb_bus_kind_storage_pool,      /* StoragePool, StorageVol, NodeDevice */
        &vb_bus_kind_storage_vol,
        &vb_bus_kind_node_device,
        /* helper-F kinds */
        &vb_bus_kind_network,
        &vb_bus_kind_interface,
        &vb_bus_kind_secret,
        &vb_bus_kind_nwfilter,
        &vb_bus_kind_snapshot,   /* helper-H */
        NULL,
};

const VbBusKind *vb_bus_kind_by_interface(const char *interface) {
        for (size_t i = 0; vb_bus_kinds[i]; i++)
                if (interface && streq(vb_bus_kinds[i]->interface, interface))
                        return vb_bus_kinds[i];
        return NULL;
}

const VbBusKind *vb_bus_kind_by_kind(VbObjKind kind) {
        for (size_t i = 1; vb_bus_kinds[i]; i++)
                if (vb_bus_kinds[i]->kind == kind)
                        return vb_bus_kinds[i];
        return NULL;
}

VbBusConnect *vb_bus_connect_of(const VbConnect *conn) {
        for (size_t i = 0; i < MAX_CONNECTS; i++)
                if (connects[i] && connects[i]->conn == conn)
                        return connects[i];
        return NULL;
}

static char *make_path(const VbBusKind *k, const void *obj) {
        VbBusConnect *bc = vb_bus_connect_of(k->conn_of(obj));
        _cleanup_free_ char *label = NULL;
        if (!bc)
                return NULL;
        if (!k->element)
                return vb_strdup(bc->path);
        label = k->label(obj);
        return vb_path_child(bc->path, k->element, label);
}

/* A path never changes while its object lives (made from the UUID), so kinds that
 * are listed by the thousand keep it: ListDomains and the enumerator then format
 * nothing. */
const char *vb_bus_object_path_borrow(const VbBusKind *k, const void *obj, char **buf) {
        char **cache = k->path_cache ? k->path_cache(obj) : NULL;
        *buf = NULL;
        if (cache) {
                if (!*cache)
                        *cache = make_path(k, obj);
                return *cache;
        }
        return *buf = make_path(k, obj);
}

char *vb_bus_object_path(const VbBusKind *k, const void *obj) {
        _cleanup_free_ char *buf = NULL;
        const char *p = vb_bus_object_path_borrow(k, obj, &buf);
        return buf ? TAKE_PTR(buf) : p ? vb_strdup(p) : NULL;
}

int vb_bus_error(sd_bus_error *error, const VbError *e) {
        int r = e && e->code ? vb_error_code_to_errno(e->code) : -EIO;
        sd_bus_error_set(error, VB_ERROR_NAME, e && e->message ? e->message : "unknown error");
        return r;
}

int vb_bus_errorf(sd_bus_error *error, VbErrorCode code, const char *fmt, ...) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *detail = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&detail, fmt, ap) < 0)
                detail = NULL;
        va_end(ap);
        vb_error_set(&e, code, "%s", strempty(detail));
        return vb_bus_error(error, &e);
}

int vb_reply_path(sd_bus_message *m, const VbBusKind *k, const void *obj) {
        _cleanup_free_ char *buf = NULL;
        const char *path = vb_bus_object_path_borrow(k, obj, &buf);
        if (!path)
                return -ENOMEM;
        return sd_bus_reply_method_return(m, "o", path);
}

/* ---- replies to slow driver ops: sent exactly once, when the op is done ---- */

typedef struct ReplyOp {
        VbOp op;
        sd_bus_message *m;
        const VbBusKind *result_kind;   /* reply with the path of op.result */
} ReplyOp;

static void reply_op_done(VbOp *op, int r, const VbError *e) {
        ReplyOp *o = (ReplyOp *) op;
        if (r >= 0 && o->result_kind && op->result)
                r = vb_reply_path(o->m, o->result_kind, op->result);
        else if (r >= 0)
                r = sd_bus_reply_method_return(o->m, "");
        else {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                vb_bus_error(&error, e);
                sd_bus_reply_method_error(o->m, &error);
                sd_bus_error_free(&error);
        }
        sd_bus_message_unref(o->m);
        free(o);
}

VbOp *vb_bus_reply_op_new(sd_bus_message *m, const VbBusKind *result_kind) {
        ReplyOp *o = calloc(1, sizeof(*o));
        if (!o)
                return NULL;
        o->op.done = reply_op_done;
        o->m = sd_bus_message_ref(m);
        o->result_kind = result_kind;
        return &o->op;
}

int vb_bus_reply_op_result(VbOp *op, int r, const VbError *e) {
        if (r != 1)
                op->done(op, r, e);   /* finished (or failed) at once */
        return 1;
}

int vb_bus_lookup_by_name(sd_bus_message *m, VbConnect *c, const VbBusKind *k, sd_bus_error *error) {
        const char *name;
        void *obj;
        int r;

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        obj = k->find_name(c, name);
        if (!obj)
                return vb_bus_errorf(error, k->not_found, "no %s with matching name '%s'", k->noun, name);
        return vb_reply_path(m, k, obj);
}

int vb_bus_lookup_by_uuid(sd_bus_message *m, VbConnect *c, const VbBusKind *k, const char *api,
                          sd_bus_error *error) {
        const char *s;
        uint8_t uuid[16];
        void *obj;
        int r;

        r = sd_bus_message_read(m, "s", &s);
        if (r < 0)
                return r;
        if (vb_uuid_parse(s, uuid) < 0)
                return vb_bus_errorf(error, VB_ERR_INVALID_ARG, "uuidstr in %s must be a valid UUID", api);
        obj = k->find_uuid(c, uuid);
        if (!obj)
                return vb_bus_errorf(error, k->not_found, "no %s with matching uuid '%s'", k->noun, s);
        return vb_reply_path(m, k, obj);
}

/* ---- object resolution: path → (connection, kind, object) ---- */

static VbBusConnect *connect_of_path(const char *path, const char **ret_rest) {
        for (size_t i = 0; i < MAX_CONNECTS; i++) {
                size_t n;
                if (!connects[i])
                        continue;
                n = strlen(connects[i]->path);
                if (strncmp(path, connects[i]->path, n) == 0 && (path[n] == 0 || path[n] == '/')) {
                        *ret_rest = path + n;
                        return connects[i];
                }
        }
        return NULL;
}

int vb_bus_resolve(const char *path, VbBusConnect **ret_bc, const VbBusKind **ret_kind, void **ret_obj) {
        const char *rest, *slash;
        VbBusConnect *bc = connect_of_path(path, &rest);
        if (!bc)
                return -ENOENT;
        *ret_bc = bc;
        if (*rest == 0) {
                *ret_kind = &vb_bus_kind_connect;
                *ret_obj = bc->conn;
                return 0;
        }
        rest++;
        slash = strchr(rest, '/');
        if (!slash || strchr(slash + 1, '/'))
                return -ENOENT;
        for (size_t i = 1; vb_bus_kinds[i]; i++) {
                const VbBusKind *k = vb_bus_kinds[i];
                if (strlen(k->element) == (size_t) (slash - rest) &&
                    strncmp(k->element, rest, (size_t) (slash - rest)) == 0) {
                        *ret_kind = k;
                        *ret_obj = k->find(bc->conn, slash + 1);
                        return *ret_obj ? 0 : -ENOENT;
                }
        }
        return -ENOENT;
}

/* ---- sd-bus callbacks: find and enumerate ---- */

typedef struct Subtree {
        VbBusConnect *bc;
        const VbBusKind *kind;
        char *prefix;
} Subtree;

static void subtree_destroy(void *userdata) {
        Subtree *s = userdata;

        free(s->prefix);
        free(s);
}

static int subtree_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                        void **ret_found, sd_bus_error *error) {
        Subtree *s = userdata;
        const char *label = vb_path_child_label(path, s->prefix);
        void *obj;
        if (!label)
                return 0;
        obj = s->kind->find(s->bc->conn, label);
        /* Like libvirt-dbus, every path under a collection is introspectable, also
         * when nothing is there: the gate (gate.c) answers every other call on such
         * a path with "<Kind> not found" before any handler could see NULL. */
        *ret_found = obj;
        return 1;
}

static int subtree_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***ret_nodes,
                             sd_bus_error *error) {
        Subtree *s = userdata;
        _cleanup_free_ void **objs = NULL;
        size_t n;
        char **nodes;

        /* sd-bus passes the path being introspected and keeps only its direct
         * children: those are ours only when it is the collection itself. Objects
         * have no children, and above the collection its own node is enough. */
        if (!streq(prefix, s->prefix)) {
                *ret_nodes = calloc(1, sizeof(char *));
                return *ret_nodes ? 1 : -ENOMEM;
        }
        n = s->kind->list(s->bc->conn, &objs);
        nodes = calloc(n + 1, sizeof(char *));
        if (!nodes)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                nodes[i] = vb_bus_object_path(s->kind, objs[i]);
                if (!nodes[i]) {
                        while (i > 0)
                                free(nodes[--i]);
                        free(nodes);
                        return -ENOMEM;
                }
        }
        *ret_nodes = nodes;
        return 1;
}

/* One kind's collection under a driver tree: its fallback vtable(s) and enumerator. */
static int register_subtree(sd_bus *bus, VbBusConnect *bc, const VbBusKind *kind) {
        /* lives as long as the bus: freed with the fallback's floating slot */
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *fslot = NULL;
        Subtree *s = calloc(1, sizeof(*s));
        int r;

        if (!s)
                return -ENOMEM;
        s->bc = bc;
        s->kind = kind;
        s->prefix = vb_strdupf("%s/%s", bc->path, kind->element);
        r = sd_bus_add_fallback_vtable(bus, &fslot, s->prefix, kind->interface, kind->vtable, subtree_find, s);
        if (r < 0) {
                subtree_destroy(s);
                return r;
        }
        /* org.virtbus.Console1 next to org.libvirt.Domain (same lookup, same lifetime) */
        if (kind == &vb_bus_kind_domain)
                r = sd_bus_add_fallback_vtable(bus, NULL, s->prefix, VB_CONSOLE_INTERFACE,
                                               vb_domain_console_vtable, subtree_find, s);
        /* org.virtbus.StorageVol1 next to org.libvirt.StorageVol, the same way */
        else if (kind == &vb_bus_kind_storage_vol)
                r = sd_bus_add_fallback_vtable(bus, NULL, s->prefix, VB_STORAGE_VOL_STREAM_INTERFACE,
                                               vb_storage_vol_stream_vtable, subtree_find, s);
        if (r < 0) {
                subtree_destroy(s);
                return r;
        }
        sd_bus_slot_set_destroy_callback(fslot, subtree_destroy);
        r = sd_bus_slot_set_floating(fslot, 1);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(bus, NULL, s->prefix, subtree_enumerate, s);
}

int vb_bus_connect_register(sd_bus *bus, VbConnect *conn, VbBusConnect **ret) {
        VbBusConnect *bc;
        size_t slot;
        int r;

        for (slot = 0; slot < MAX_CONNECTS && connects[slot]; slot++)
                ;
        if (slot == MAX_CONNECTS)
                return -ENOBUFS;
        bc = calloc(1, sizeof(*bc));
        if (!bc)
                return -ENOMEM;
        bc->bus = sd_bus_ref(bus);
        bc->conn = conn;
        bc->path = vb_strdupf("/org/libvirt/%s", conn->driver->name);
        connects[slot] = bc;

        r = sd_bus_add_object_vtable(bus, NULL, bc->path, vb_bus_kind_connect.interface,
                                     vb_bus_kind_connect.vtable, conn);
        if (r < 0)
                return r;
        r = sd_bus_add_object_vtable(bus, NULL, bc->path, "org.virtbus.Connect1", vb_connect_ext_vtable, conn);
        if (r < 0)
                return r;
        r = sd_bus_add_object_manager(bus, NULL, bc->path);
        if (r < 0)
                return r;
        for (size_t i = 1; vb_bus_kinds[i]; i++) {
                r = register_subtree(bus, bc, vb_bus_kinds[i]);
                if (r < 0)
                        return r;
        }
        *ret = bc;
        return 0;
}

VbBusConnect *vb_bus_connect_free(VbBusConnect *bc) {
        if (!bc)
                return NULL;
        for (size_t i = 0; i < MAX_CONNECTS; i++)
                if (connects[i] == bc)
                        connects[i] = NULL;
        sd_bus_unref(bc->bus);
        vb_introspect_cache_free(bc->introspect);
        free(bc->path);
        free(bc);
        return NULL;
}
