/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test driver: domain snapshots held in memory. A snapshot records the domain's
 * definition and run state; revert restores both, with libvirt's events. */
#include <time.h>

#include "test-private.h"
#include "xml-util.h"

enum {
        CREATE_REDEFINE = 1, CREATE_CURRENT = 2, CREATE_NO_METADATA = 4, CREATE_HALT = 8,
        CREATE_DISK_ONLY = 16, CREATE_REUSE_EXT = 32, CREATE_QUIESCE = 64, CREATE_ATOMIC = 128,
        CREATE_LIVE = 256, CREATE_VALIDATE = 512,
        REVERT_RUNNING = 1, REVERT_PAUSED = 2, REVERT_FORCE = 4, REVERT_RESET_NVRAM = 8,
        DELETE_CHILDREN = 1, DELETE_METADATA_ONLY = 2, DELETE_CHILDREN_ONLY = 4,
        RUNNING_FROM_SNAPSHOT = 4, PAUSED_FROM_SNAPSHOT = 7, SHUTOFF_FROM_SNAPSHOT = 7,
        STATE_DISK_SNAPSHOT = 100,
};

typedef struct TestSnapshot {
        char *description;
        int state;                 /* VbDomainState, or STATE_DISK_SNAPSHOT */
        int64_t creation_time;
        VbDomainDef *def;
} TestSnapshot;

static const char *const state_names[] = {
        "nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended",
};

static const char *state_name(int s) {
        if (s == STATE_DISK_SNAPSHOT)
                return "disk-snapshot";
        return s >= 0 && (size_t) s < ELEMENTSOF(state_names) ? state_names[s] : "nostate";
}

static void test_snapshot_free(TestSnapshot *t) {
        if (!t)
                return;
        free(t->description);
        vb_domain_def_free(t->def);
        free(t);
}

static void snapshot_drop(VbSnapshotObj *s, bool emit) {
        if (emit)
                vb_event_obj(s->dom->conn, VB_EVENT_OBJECT_REMOVED, VB_KIND_SNAPSHOT, s, 0, 0);
        test_snapshot_free(s->priv);
        vb_snapshot_obj_remove(s);
}

void vb_test_snapshots_free(VbDomainObj *d) {
        while (d->n_snapshots > 0)
                snapshot_drop(d->snapshots[d->n_snapshots - 1], false);
}

static TestSnapshot *snap_data(const VbSnapshotObj *s) {
        return s->priv;
}

/* ---- create ---- */

typedef struct SnapInput {
        char *name, *description, *parent, *state;
        int64_t creation_time;
        VbDomainDef *def;
} SnapInput;

static void snap_input_clear(SnapInput *in) {
        free(in->name);
        free(in->description);
        free(in->parent);
        free(in->state);
        vb_domain_def_free(in->def);
}

static int parse_input(const char *xml, unsigned flags, SnapInput *in, VbError *e) {
        xmlDocPtr doc = NULL;
        xmlNodePtr root, n;
        _cleanup_free_ char *ctime = NULL;
        int r;

        r = vb_xml_parse(xml, "domainsnapshot", &doc, e);
        if (r < 0)
                return r;
        root = xmlDocGetRootElement(doc);
        in->name = (n = vb_xml_child(root, "name")) ? vb_xml_content(n) : NULL;
        in->description = (n = vb_xml_child(root, "description")) ? vb_xml_content(n) : NULL;
        if ((flags & CREATE_REDEFINE)) {
                in->state = (n = vb_xml_child(root, "state")) ? vb_xml_content(n) : NULL;
                if ((n = vb_xml_child(root, "parent")) && (n = vb_xml_child(n, "name")))
                        in->parent = vb_xml_content(n);
                ctime = (n = vb_xml_child(root, "creationTime")) ? vb_xml_content(n) : NULL;
                if ((n = vb_xml_child(root, "domain"))) {
                        _cleanup_free_ char *dxml = vb_xml_node_dump(n);
                        r = dxml ? vb_domain_def_parse(dxml, VB_DOMAIN_PARSE_INACTIVE, &in->def, e)
                                 : vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                }
        }
        xmlFreeDoc(doc);
        if (r < 0)
                return r;
        if (ctime) {
                unsigned long long v;
                if (vb_xml_parse_uint(ctime, INT64_MAX, &v) < 0)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "invalid creationTime '%s'", ctime);
                in->creation_time = (int64_t) v;
        }
        if (in->name) {
                /* libvirt allows any text in snapshot names ('/' included), the path codec copes */
                if (!*in->name || strlen(in->name) > 1024)
                        return vb_error_set(e, VB_ERR_XML_ERROR, "invalid snapshot name");
                for (const char *c = in->name; *c; c++)
                        if ((unsigned char) *c < 0x20)
                                return vb_error_set(e, VB_ERR_XML_ERROR, "invalid snapshot name");
                return 0;
        }
        if (flags & CREATE_REDEFINE)
                return vb_error_set(e, VB_ERR_XML_ERROR, "a redefined snapshot must have a name");
        return 0;
}

static int check_create_flags(VbDomainObj *d, unsigned flags, VbError *e) {
        VB_CHECK_FLAGS(flags, CREATE_REDEFINE | CREATE_CURRENT | CREATE_NO_METADATA | CREATE_HALT |
                       CREATE_DISK_ONLY | CREATE_REUSE_EXT | CREATE_QUIESCE | CREATE_ATOMIC |
                       CREATE_LIVE | CREATE_VALIDATE, e);
        if ((flags & CREATE_CURRENT) && !(flags & CREATE_REDEFINE))
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "Flag 'VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE' is required by flag 'VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT'");
        if ((flags & CREATE_REDEFINE) && (flags & (CREATE_NO_METADATA | CREATE_HALT)))
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "Flags 'VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE' and '%s' are mutually exclusive",
                                    (flags & CREATE_HALT) ? "VIR_DOMAIN_SNAPSHOT_CREATE_HALT"
                                                          : "VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA");
        if ((flags & CREATE_QUIESCE) && !(flags & CREATE_DISK_ONLY))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "quiesce requires disk-only");
        if ((flags & CREATE_LIVE) && !vb_domain_is_active(d))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "live snapshot creation requires a running domain");
        if ((flags & CREATE_HALT) && !d->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                    "transient domain needs to remain running");
        return 0;
}

static int state_from_name(const char *s) {
        if (streq(s, "disk-snapshot"))
                return STATE_DISK_SNAPSHOT;
        for (size_t i = 0; i < ELEMENTSOF(state_names); i++)
                if (streq(s, state_names[i]))
                        return (int) i;
        return -1;
}

static int snapshot_store(VbDomainObj *d, SnapInput *in, unsigned flags, VbError *e) {
        VbSnapshotObj *s = vb_snapshot_find(d, in->name);
        TestSnapshot *t;
        bool added = false;

        if (s && !(flags & CREATE_REDEFINE))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain snapshot '%s' already exists", in->name);
        if (in->parent && (!vb_snapshot_find(d, in->parent) || streq(in->parent, in->name)))
                return vb_error_set(e, VB_ERR_NO_DOMAIN_SNAPSHOT, "parent %s for snapshot %s not found",
                                    in->parent, in->name);
        t = calloc(1, sizeof(*t));
        if (!t)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        t->description = TAKE_PTR(in->description);
        t->creation_time = in->creation_time ? in->creation_time : (int64_t) time(NULL);
        t->state = (flags & CREATE_DISK_ONLY) ? STATE_DISK_SNAPSHOT : (int) d->state;
        if (in->state && state_from_name(in->state) >= 0)
                t->state = state_from_name(in->state);
        t->def = in->def ? TAKE_PTR(in->def) : vb_domain_def_copy(d->def);
        if (!t->def || (!s && vb_snapshot_obj_new(d, in->name, &s) < 0)) {
                test_snapshot_free(t);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        added = s->priv == NULL;
        test_snapshot_free(s->priv);
        s->priv = t;
        if (flags & CREATE_REDEFINE) {
                free(s->parent);
                s->parent = TAKE_PTR(in->parent);
        } else if (!s->parent && d->current_snapshot)
                s->parent = vb_strdup(d->current_snapshot->name);
        if (!(flags & CREATE_REDEFINE) || (flags & CREATE_CURRENT))
                d->current_snapshot = s;
        if (added)
                vb_event_obj(d->conn, VB_EVENT_OBJECT_ADDED, VB_KIND_SNAPSHOT, s, 0, 0);
        return 0;
}

static int test_snapshot_create_xml(VbDomainObj *d, const char *xml, unsigned flags, char **ret_name, VbOp *op,
                                    VbError *e) {
        _cleanup_(snap_input_clear) SnapInput in = {};
        int r;

        r = check_create_flags(d, flags, e);
        if (r < 0)
                return r;
        r = parse_input(xml, flags, &in, e);
        if (r < 0)
                return r;
        if (!in.name)
                in.name = vb_strdupf("%lld", (long long) time(NULL));
        if (!(flags & CREATE_NO_METADATA)) {
                r = snapshot_store(d, &in, flags, e);
                if (r < 0)
                        return r;
        } else if (vb_snapshot_find(d, in.name))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain snapshot '%s' already exists", in.name);
        *ret_name = vb_strdup(in.name);
        if ((flags & CREATE_HALT) && vb_domain_is_active(d))
                vb_test_domain_stop(d, SHUTOFF_FROM_SNAPSHOT, VB_EV_STOPPED_FROM_SNAPSHOT);
        return 0;
}

/* ---- lookups and lists ---- */

static int test_snapshot_current(VbDomainObj *d, unsigned flags, VbSnapshotObj **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        return vb_snapshot_current(d, ret, e);
}

static int test_snapshot_lookup_by_name(VbDomainObj *d, const char *name, unsigned flags, VbSnapshotObj **ret,
                                        VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        return vb_snapshot_lookup(d, name, ret, e);
}

/* A disk-only snapshot is external; the others are internal, with or without memory. */
static unsigned snapshot_kind(VbSnapshotObj *s) {
        int state = snap_data(s)->state;

        if (state == STATE_DISK_SNAPSHOT)
                return VB_SNAPSHOT_LIST_DISK_ONLY | VB_SNAPSHOT_LIST_EXTERNAL;
        if (state == VB_DOMAIN_SHUTOFF)
                return VB_SNAPSHOT_LIST_INACTIVE | VB_SNAPSHOT_LIST_INTERNAL;
        return VB_SNAPSHOT_LIST_ACTIVE | VB_SNAPSHOT_LIST_INTERNAL;
}

static int test_snapshot_list_all(VbDomainObj *d, unsigned flags, VbSnapshotObj ***ret, size_t *ret_n, VbError *e) {
        VB_CHECK_FLAGS(flags, VB_SNAPSHOT_LIST_ROOTS | VB_SNAPSHOT_LIST_FILTERS, e);
        return vb_snapshot_list(d, NULL, flags, snapshot_kind, ret, ret_n, e);
}

static int test_snapshot_list_children(VbSnapshotObj *s, unsigned flags, VbSnapshotObj ***ret, size_t *ret_n,
                                       VbError *e) {
        VB_CHECK_FLAGS(flags, VB_SNAPSHOT_LIST_DESCENDANTS | VB_SNAPSHOT_LIST_FILTERS, e);
        return vb_snapshot_list(s->dom, s, flags, snapshot_kind, ret, ret_n, e);
}

static int test_snapshot_get_parent(VbSnapshotObj *s, unsigned flags, VbSnapshotObj **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        return vb_snapshot_parent(s, ret, e);
}

static int test_snapshot_is_current(VbSnapshotObj *s, unsigned flags, bool *ret, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        *ret = s->dom->current_snapshot == s;
        return 0;
}

static int test_snapshot_get_xml_desc(VbSnapshotObj *s, unsigned flags, char **ret, VbError *e) {
        _cleanup_vb_buf_ VbBuf b = {};
        _cleanup_free_ char *dxml = NULL;
        TestSnapshot *t = snap_data(s);
        bool disk_only = t->state == STATE_DISK_SNAPSHOT;

        VB_CHECK_FLAGS(flags, 1 /* SECURE */, e);
        dxml = vb_domain_def_format(t->def, -1, (flags & 1) ? VB_DOMAIN_XML_SECURE : 0);
        if (!dxml)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        vb_buf_line(&b, "<domainsnapshot>\n");
        vb_buf_indent(&b, 2);
        vb_buf_elem(&b, "name", s->name);
        vb_buf_elem(&b, "description", t->description);
        vb_buf_elem(&b, "state", state_name(t->state));
        if (s->parent) {
                vb_buf_line(&b, "<parent>\n");
                vb_buf_indent(&b, 2);
                vb_buf_elem(&b, "name", s->parent);
                vb_buf_indent(&b, -2);
                vb_buf_line(&b, "</parent>\n");
        }
        vb_buf_line(&b, "<creationTime>%lld</creationTime>\n", (long long) t->creation_time);
        vb_buf_line(&b, "<memory snapshot='%s'/>\n",
                    disk_only || t->state == VB_DOMAIN_SHUTOFF ? "no" : "internal");
        vb_buf_line(&b, "<disks>\n");
        vb_buf_indent(&b, 2);
        for (size_t i = 0; i < t->def->n_disks; i++) {
                vb_buf_line(&b, "<disk name='");
                vb_buf_escape(&b, strempty(t->def->disks[i].target_dev));
                vb_buf_printf(&b, "' snapshot='%s'/>\n", disk_only ? "external" : "internal");
        }
        vb_buf_indent(&b, -2);
        vb_buf_line(&b, "</disks>\n");
        vb_buf_fragment(&b, dxml);
        vb_buf_indent(&b, -2);
        vb_buf_line(&b, "</domainsnapshot>\n");
        *ret = vb_buf_steal(&b);
        return *ret ? 0 : vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
}

/* ---- revert ---- */

static void run_from_snapshot(VbDomainObj *d, bool paused) {
        if (!vb_domain_is_active(d)) {
                vb_test_domain_running(d, RUNNING_FROM_SNAPSHOT, VB_EV_STARTED_FROM_SNAPSHOT, false);
        } else if (d->state == VB_DOMAIN_PAUSED && !paused) {
                d->state = VB_DOMAIN_RUNNING;
                d->reason = RUNNING_FROM_SNAPSHOT;
                vb_event_domain(d, VB_EV_RESUMED, VB_EV_RESUMED_FROM_SNAPSHOT);
        }
        if (paused && d->state != VB_DOMAIN_PAUSED) {
                d->state = VB_DOMAIN_PAUSED;
                d->reason = PAUSED_FROM_SNAPSHOT;
                vb_event_domain(d, VB_EV_SUSPENDED, VB_EV_SUSPENDED_FROM_SNAPSHOT);
        }
}

static int test_snapshot_revert(VbSnapshotObj *s, unsigned flags, VbOp *op, VbError *e) {
        VbDomainObj *d = s->dom;
        TestSnapshot *t = snap_data(s);
        bool run, paused, was_active = vb_domain_is_active(d);
        VbDomainDef *def;

        VB_CHECK_FLAGS(flags, REVERT_RUNNING | REVERT_PAUSED | REVERT_FORCE | REVERT_RESET_NVRAM, e);
        if ((flags & REVERT_RUNNING) && (flags & REVERT_PAUSED))
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "Flags 'VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING' and 'VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED' are mutually exclusive");
        if (t->state == STATE_DISK_SNAPSHOT)
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "revert to external snapshot not supported yet");
        run = (flags & (REVERT_RUNNING | REVERT_PAUSED)) || t->state == VB_DOMAIN_RUNNING ||
              t->state == VB_DOMAIN_PAUSED;
        paused = (flags & REVERT_PAUSED) || (t->state == VB_DOMAIN_PAUSED && !(flags & REVERT_RUNNING));
        if (!run && !d->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                    "transient domain needs to request run or pause to revert to inactive snapshot");
        def = vb_domain_def_copy(t->def);
        if (!def)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (!run && was_active)
                vb_test_domain_stop(d, SHUTOFF_FROM_SNAPSHOT, VB_EV_STOPPED_FROM_SNAPSHOT);
        vb_domain_def_free(d->def);
        d->def = def;
        d->newdef = vb_domain_def_free(d->newdef);
        if (run)
                run_from_snapshot(d, paused);
        else if (!was_active)
                vb_event_domain(d, VB_EV_DEFINED, VB_EV_DEFINED_FROM_SNAPSHOT);
        d->current_snapshot = s;
        return 0;
}

/* ---- delete ---- */

static int test_snapshot_delete(VbSnapshotObj *s, unsigned flags, VbOp *op, VbError *e) {
        VbDomainObj *d = s->dom;
        _cleanup_free_ VbSnapshotObj **desc = NULL;
        size_t n;

        VB_CHECK_FLAGS(flags, DELETE_CHILDREN | DELETE_METADATA_ONLY | DELETE_CHILDREN_ONLY, e);
        if ((flags & DELETE_CHILDREN) && (flags & DELETE_CHILDREN_ONLY))
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "Flags 'VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN' and 'VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY' are mutually exclusive");
        n = vb_snapshot_children(d, s, true, &desc);
        if (!desc)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (flags & (DELETE_CHILDREN | DELETE_CHILDREN_ONLY)) {
                bool current_gone = false;
                for (size_t i = 0; i < n; i++)
                        current_gone = current_gone || d->current_snapshot == desc[i];
                for (size_t i = n; i > 0; i--)
                        snapshot_drop(desc[i - 1], true);
                if (current_gone)
                        d->current_snapshot = s;
                if (flags & DELETE_CHILDREN_ONLY)
                        return 0;
        }
        /* direct children move up to the deleted snapshot's parent */
        for (size_t i = 0; i < d->n_snapshots; i++)
                if (streq_ptr(d->snapshots[i]->parent, s->name)) {
                        free(d->snapshots[i]->parent);
                        d->snapshots[i]->parent = s->parent ? vb_strdup(s->parent) : NULL;
                }
        if (d->current_snapshot == s)
                d->current_snapshot = s->parent ? vb_snapshot_find(d, s->parent) : NULL;
        snapshot_drop(s, true);
        return 0;
}

const VbSnapshotOps vb_test_snapshot_ops = {
        .create_xml = test_snapshot_create_xml,
        .current = test_snapshot_current,
        .lookup_by_name = test_snapshot_lookup_by_name,
        .list_all = test_snapshot_list_all,
        .list_children = test_snapshot_list_children,
        .get_parent = test_snapshot_get_parent,
        .get_xml_desc = test_snapshot_get_xml_desc,
        .is_current = test_snapshot_is_current,
        .revert = test_snapshot_revert,
        .delete = test_snapshot_delete,
};
