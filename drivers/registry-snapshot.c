/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Snapshot registry: each domain keeps its snapshots in d->snapshots; the tree is
 * given by parent names. */
#include "driver.h"

int vb_snapshot_obj_new(VbDomainObj *d, const char *name, VbSnapshotObj **ret) {
        VbSnapshotObj **l, *s;

        l = realloc(d->snapshots, (d->n_snapshots + 1) * sizeof(*l));
        if (!l)
                return -ENOMEM;
        d->snapshots = l;
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->dom = d;
        s->name = vb_strdup(name);
        d->snapshots[d->n_snapshots++] = s;
        *ret = s;
        return 0;
}

VbSnapshotObj *vb_snapshot_find(VbDomainObj *d, const char *name) {
        for (size_t i = 0; i < d->n_snapshots; i++)
                if (streq(d->snapshots[i]->name, name))
                        return d->snapshots[i];
        return NULL;
}

void vb_snapshot_obj_remove(VbSnapshotObj *s) {
        VbDomainObj *d = s->dom;
        for (size_t i = 0; i < d->n_snapshots; i++)
                if (d->snapshots[i] == s) {
                        memmove(d->snapshots + i, d->snapshots + i + 1,
                                (d->n_snapshots - i - 1) * sizeof(*d->snapshots));
                        d->n_snapshots--;
                        break;
                }
        if (d->current_snapshot == s)
                d->current_snapshot = NULL;
        free(s->name);
        free(s->parent);
        free(s);
}

static bool is_descendant(VbDomainObj *d, const VbSnapshotObj *s, const VbSnapshotObj *ancestor) {
        /* depth is bounded by the number of snapshots (no cycles by construction) */
        for (size_t depth = 0; s && s->parent && depth <= d->n_snapshots; depth++) {
                if (streq(s->parent, ancestor->name))
                        return true;
                s = vb_snapshot_find(d, s->parent);
        }
        return false;
}

size_t vb_snapshot_children(VbDomainObj *d, const VbSnapshotObj *s, bool descendants,
                            VbSnapshotObj ***ret) {
        VbSnapshotObj **l = calloc(d->n_snapshots + 1, sizeof(*l));
        size_t n = 0;

        if (!l) {
                *ret = NULL;
                return 0;
        }
        for (size_t i = 0; i < d->n_snapshots; i++) {
                VbSnapshotObj *c = d->snapshots[i];
                bool match;
                if (!s)
                        match = descendants || !c->parent;
                else if (descendants)
                        match = is_descendant(d, c, s);
                else
                        match = streq_ptr(c->parent, s->name);
                if (match)
                        l[n++] = c;
        }
        *ret = l;
        return n;
}

/* ---- lookups and lists every driver serves the same way (flags are checked by the
 * caller, so that libvirt's "unsupported flags" text names the driver's entry point) ---- */

int vb_snapshot_current(VbDomainObj *d, VbSnapshotObj **ret, VbError *e) {
        if (!d->current_snapshot)
                return vb_error_set(e, VB_ERR_NO_DOMAIN_SNAPSHOT, "the domain does not have a current snapshot");
        *ret = d->current_snapshot;
        return 0;
}

int vb_snapshot_lookup(VbDomainObj *d, const char *name, VbSnapshotObj **ret, VbError *e) {
        *ret = vb_snapshot_find(d, name);
        if (!*ret)
                return vb_error_set(e, VB_ERR_NO_DOMAIN_SNAPSHOT, "no domain snapshot with matching name '%s'", name);
        return 0;
}

int vb_snapshot_parent(VbSnapshotObj *s, VbSnapshotObj **ret, VbError *e) {
        if (!s->parent)
                return vb_error_set(e, VB_ERR_NO_DOMAIN_SNAPSHOT, "snapshot '%s' does not have a parent", s->name);
        return vb_snapshot_lookup(s->dom, s->parent, ret, e);
}

static bool is_leaf(VbDomainObj *d, const VbSnapshotObj *s) {
        for (size_t i = 0; i < d->n_snapshots; i++)
                if (streq_ptr(d->snapshots[i]->parent, s->name))
                        return false;
        return true;
}

/* libvirt's virDomainSnapshotObjListFilter: a pair of group flags filters only when
 * one side is set; @kind says which side of each group @s is on. */
static bool snapshot_matches(VbDomainObj *d, VbSnapshotObj *s, unsigned flags, VbSnapshotKindFn kind) {
        unsigned groups = flags & (VB_SNAPSHOT_LIST_LEAVES | VB_SNAPSHOT_LIST_NO_LEAVES);

        if (groups && groups != (VB_SNAPSHOT_LIST_LEAVES | VB_SNAPSHOT_LIST_NO_LEAVES) &&
            is_leaf(d, s) != !!(flags & VB_SNAPSHOT_LIST_LEAVES))
                return false;
        if ((flags & (VB_SNAPSHOT_LIST_METADATA | VB_SNAPSHOT_LIST_NO_METADATA)) == VB_SNAPSHOT_LIST_NO_METADATA)
                return false;   /* every snapshot in the registry has metadata */
        groups = flags & (VB_SNAPSHOT_LIST_INACTIVE | VB_SNAPSHOT_LIST_ACTIVE | VB_SNAPSHOT_LIST_DISK_ONLY);
        if (groups && !(groups & kind(s)))
                return false;
        groups = flags & (VB_SNAPSHOT_LIST_INTERNAL | VB_SNAPSHOT_LIST_EXTERNAL);
        return !groups || (groups & kind(s));
}

/* @s NULL: all snapshots (roots only with LIST_ROOTS); else @s's children (all
 * descendants with LIST_DESCENDANTS). Both flags have the value 1. */
int vb_snapshot_list(VbDomainObj *d, VbSnapshotObj *s, unsigned flags, VbSnapshotKindFn kind,
                     VbSnapshotObj ***ret, size_t *ret_n, VbError *e) {
        bool one = flags & VB_SNAPSHOT_LIST_ROOTS;
        VbSnapshotObj **l;
        size_t n, k = 0;

        n = vb_snapshot_children(d, s, s ? one : !one, &l);
        if (!l)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < n; i++)
                if (snapshot_matches(d, l[i], flags, kind))
                        l[k++] = l[i];
        *ret = l;
        *ret_n = k;
        return 0;
}
