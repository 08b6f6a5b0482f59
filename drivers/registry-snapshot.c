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
