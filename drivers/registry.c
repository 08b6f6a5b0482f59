/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The in-memory registry every lookup and list is served from, and the driver list. */
#include <strings.h>

#include "driver.h"
#include "job.h"
#include "qemu/qemu-driver.h"
#include "xml-util.h"

static const VbDriver *const drivers[] = {
        &vb_test_driver,
        &vb_qemu_driver,
};

const VbDriver *vb_driver_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(drivers); i++)
                if (strcasecmp(drivers[i]->name, name) == 0)
                        return drivers[i];
        return NULL;
}

int vb_connect_open(const VbDriver *drv, const char *root, VbConnect **ret, VbError *e) {
        VbConnect *c;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        c->driver = drv;
        c->next_id = 1;
        c->root = vb_strdup(root);
        if (drv->open) {
                r = drv->open(c, root, e);
                if (r < 0) {
                        free(c->root);
                        free(c);
                        return r;
                }
        }
        r = drv->storage && drv->storage->open ? drv->storage->open(c, e) : 0;
        if (r < 0) {
                vb_connect_close(c);
                return r;
        }
        *ret = c;
        return 0;
}

VbConnect *vb_connect_close(VbConnect *c) {
        if (!c)
                return NULL;
        if (c->driver->storage && c->driver->storage->close)
                c->driver->storage->close(c);
        if (c->driver->close)
                c->driver->close(c);
        vb_jobs_free_all(c);
        while (c->n_domains > 0)
                vb_domain_obj_remove(c->domains[c->n_domains - 1]);
        free(c->domains);
        vb_hashmap_done(&c->domains_by_uuid);
        vb_hashmap_done(&c->domains_by_name);
        free(c->root);
        free(c);
        return NULL;
}

static bool match_uuid(const void *value, const void *key) {
        return memcmp(((const VbDomainObj *) value)->def->uuid, key, 16) == 0;
}

static bool match_name(const void *value, const void *key) {
        return streq(((const VbDomainObj *) value)->def->name, key);
}

int vb_domain_obj_new(VbConnect *c, VbDomainDef *def, VbDomainObj **ret) {
        VbDomainObj *d;

        if (c->n_domains == c->n_domains_alloc) {
                size_t m = c->n_domains_alloc ? c->n_domains_alloc * 2 : 16;
                VbDomainObj **n = reallocarray(c->domains, m, sizeof(*n));
                if (!n)
                        return -ENOMEM;
                c->domains = n;
                c->n_domains_alloc = m;
        }
        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->n_ref = 1;
        d->conn = c;
        d->def = def;
        d->id = -1;
        d->state = VB_DOMAIN_SHUTOFF;
        d->name_hash = vb_hash_string(def->name);
        if (vb_hashmap_put(&c->domains_by_uuid, vb_hash_bytes(def->uuid, 16), d) < 0) {
                free(d);
                return -ENOMEM;
        }
        if (vb_hashmap_put(&c->domains_by_name, d->name_hash, d) < 0) {
                vb_hashmap_remove(&c->domains_by_uuid, vb_hash_bytes(def->uuid, 16), d);
                free(d);
                return -ENOMEM;
        }
        c->domains[c->n_domains++] = d;
        *ret = d;
        return 0;
}

int vb_domain_obj_renamed(VbDomainObj *d) {
        VbConnect *c = d->conn;
        vb_hashmap_remove(&c->domains_by_name, d->name_hash, d);
        d->name_hash = vb_hash_string(d->def->name);
        return vb_hashmap_put(&c->domains_by_name, d->name_hash, d);
}

VbDomainObj *vb_domain_obj_ref(VbDomainObj *d) {
        if (d)
                d->n_ref++;
        return d;
}

VbDomainObj *vb_domain_obj_unref(VbDomainObj *d) {
        if (!d || --d->n_ref > 0)
                return NULL;
        if (d->conn && d->conn->driver->domain_obj_free)
                d->conn->driver->domain_obj_free(d);
        vb_domain_def_free(d->def);
        vb_domain_def_free(d->newdef);
        free(d->snapshots);
        free(d->bus_path);
        free(d);
        return NULL;
}

void vb_domain_obj_remove(VbDomainObj *d) {
        VbConnect *c = d->conn;
        /* from the end: closing removes the last first, and fresh domains go first */
        for (size_t i = c->n_domains; i-- > 0;)
                if (c->domains[i] == d) {
                        memmove(c->domains + i, c->domains + i + 1,
                                (c->n_domains - i - 1) * sizeof(*c->domains));
                        c->n_domains--;
                        vb_hashmap_remove(&c->domains_by_uuid, vb_hash_bytes(d->def->uuid, 16), d);
                        vb_hashmap_remove(&c->domains_by_name, d->name_hash, d);
                        d->removed = true;
                        vb_domain_obj_unref(d);
                        return;
                }
}

VbDomainObj *vb_domain_find_uuid(VbConnect *c, const uint8_t uuid[16]) {
        return vb_hashmap_find(&c->domains_by_uuid, vb_hash_bytes(uuid, 16), match_uuid, uuid);
}

VbDomainObj *vb_domain_find_name(VbConnect *c, const char *name) {
        return vb_hashmap_find(&c->domains_by_name, vb_hash_string(name), match_name, name);
}

VbDomainObj *vb_domain_find_id(VbConnect *c, int id) {
        if (id < 0)
                return NULL;
        for (size_t i = 0; i < c->n_domains; i++)
                if (c->domains[i]->id == id)
                        return c->domains[i];
        return NULL;
}

int vb_check_unique(const char *kind, const char *name, const uint8_t uuid[16], const char *uuid_owner,
                    const uint8_t *name_owner_uuid, VbError *e) {
        char uuidstr[37];

        if (uuid_owner && !streq(uuid_owner, name)) {
                vb_uuid_format(uuid, uuidstr);
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "%s '%s' is already defined with uuid %s", kind,
                                    uuid_owner, uuidstr);
        }
        if (!uuid_owner && name_owner_uuid) {
                vb_uuid_format(name_owner_uuid, uuidstr);
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "%s '%s' already exists with uuid %s", kind, name,
                                    uuidstr);
        }
        return 0;
}

int vb_domain_check_unique(VbConnect *c, const VbDomainDef *def, VbDomainObj **ret_existing, VbError *e) {
        VbDomainObj *by_uuid = vb_domain_find_uuid(c, def->uuid);
        VbDomainObj *by_name = by_uuid ? NULL : vb_domain_find_name(c, def->name);
        int r;

        r = vb_check_unique("domain", def->name, def->uuid, by_uuid ? by_uuid->def->name : NULL,
                            by_name ? by_name->def->uuid : NULL, e);
        if (r < 0)
                return r;
        if (ret_existing)
                *ret_existing = by_uuid;
        return 0;
}

bool vb_domain_is_active(const VbDomainObj *d) {
        return d->id >= 0;
}

const VbDomainDef *vb_domain_persistent_def(const VbDomainObj *d) {
        return d->newdef ? d->newdef : d->def;
}

/* ---- checks and steps every driver's domain ops share ---- */

void vb_domain_obj_set_persistent_def(VbDomainObj *d, VbDomainDef *def) {
        /* a running domain keeps its live definition until it stops */
        VbDomainDef **slot = vb_domain_is_active(d) ? &d->newdef : &d->def;

        vb_domain_def_free(*slot);
        *slot = def;
}

int vb_domain_obj_run_def(VbDomainObj *d, VbDomainDef **def, VbError *e) {
        if (vb_domain_is_active(d))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain '%s' is already active", d->def->name);
        d->newdef = d->def;
        d->def = TAKE_PTR(*def);
        return 0;
}

void vb_domain_obj_drop_live_def(VbDomainObj *d) {
        if (d->newdef) {
                vb_domain_def_free(d->def);
                d->def = TAKE_PTR(d->newdef);
        }
}

void vb_domain_obj_defined(VbDomainObj *d, bool existed) {
        d->persistent = true;
        vb_event_domain(d, VB_EV_DEFINED, existed ? VB_EV_DEFINED_UPDATED : VB_EV_DEFINED_ADDED);
}

int vb_domain_require_active(const VbDomainObj *d, VbError *e) {
        if (!vb_domain_is_active(d))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain is not running");
        return 0;
}

int vb_domain_affect(const VbDomainObj *d, unsigned *flags, VbError *e) {
        if ((*flags & (VB_DOMAIN_AFFECT_LIVE | VB_DOMAIN_AFFECT_CONFIG)) == 0)
                *flags |= vb_domain_is_active(d) ? VB_DOMAIN_AFFECT_LIVE : VB_DOMAIN_AFFECT_CONFIG;
        if ((*flags & VB_DOMAIN_AFFECT_LIVE) && !vb_domain_is_active(d))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain is not running");
        if ((*flags & VB_DOMAIN_AFFECT_CONFIG) && !d->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                    "transient domains do not have any persistent config");
        return 0;
}

int vb_domain_check_undefine_snapshots(const VbDomainObj *d, bool snapshots_metadata, VbError *e) {
        if (d->n_snapshots > 0 && !snapshots_metadata)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                    "cannot delete inactive domain with %zu snapshots", d->n_snapshots);
        return 0;
}

void vb_domain_obj_undefined(VbDomainObj *d, void (*remove)(VbDomainObj *d)) {
        vb_event_domain(d, VB_EV_UNDEFINED, VB_EV_UNDEFINED_REMOVED);
        if (vb_domain_is_active(d)) {
                /* libvirt: a running domain goes on as a transient one */
                d->persistent = false;
                d->newdef = vb_domain_def_free(d->newdef);
        } else
                remove(d);
}

int vb_domain_format_xml(const VbDomainObj *d, unsigned flags, char **ret, VbError *e) {
        if ((flags & VB_DOMAIN_XML_INACTIVE) || !vb_domain_is_active(d))
                *ret = vb_domain_def_format(vb_domain_persistent_def(d), -1, flags);
        else
                *ret = vb_domain_def_format(d->def, d->id, flags);
        if (!*ret)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

/* ---- events ---- */

static VbEventSink event_sink;
static void *event_sink_userdata;

void vb_event_set_sink(VbEventSink sink, void *userdata) {
        event_sink = sink;
        event_sink_userdata = userdata;
}

void vb_event_emit(const VbEvent *ev) {
        if (event_sink)
                event_sink(ev, event_sink_userdata);
}

void vb_event_domain(VbDomainObj *dom, int event, int detail) {
        vb_event_emit(&(VbEvent) {
                .type = VB_EVENT_DOMAIN_LIFECYCLE, .conn = dom->conn, .kind = VB_KIND_DOMAIN,
                .obj = dom, .event = event, .detail = detail,
        });
}

void vb_event_obj(VbConnect *c, VbEventType type, VbObjKind kind, void *obj, int event, int detail) {
        vb_event_emit(&(VbEvent) {
                .type = type, .conn = c, .kind = kind, .obj = obj, .event = event, .detail = detail,
        });
}

enum {
        LIST_ACTIVE = 1 << 0, LIST_INACTIVE = 1 << 1, LIST_PERSISTENT = 1 << 2,
        LIST_TRANSIENT = 1 << 3, LIST_RUNNING = 1 << 4, LIST_PAUSED = 1 << 5,
        LIST_SHUTOFF = 1 << 6, LIST_OTHER = 1 << 7, LIST_MANAGEDSAVE = 1 << 8,
        LIST_NO_MANAGEDSAVE = 1 << 9, LIST_AUTOSTART = 1 << 10, LIST_NO_AUTOSTART = 1 << 11,
        LIST_HAS_SNAPSHOT = 1 << 12, LIST_NO_SNAPSHOT = 1 << 13,
        LIST_HAS_CHECKPOINT = 1 << 14, LIST_NO_CHECKPOINT = 1 << 15,
};

bool vb_list_pass(unsigned flags, unsigned yes, unsigned no, bool value) {
        if ((flags & yes) && !(flags & no))
                return value;
        if ((flags & no) && !(flags & yes))
                return !value;
        return true;
}

static bool domain_matches(const VbDomainObj *d, unsigned flags) {
        bool active = vb_domain_is_active(d);
        unsigned st = flags & (LIST_RUNNING | LIST_PAUSED | LIST_SHUTOFF | LIST_OTHER);

        if (!vb_list_pass(flags, LIST_ACTIVE, LIST_INACTIVE, active) ||
            !vb_list_pass(flags, LIST_PERSISTENT, LIST_TRANSIENT, d->persistent) ||
            !vb_list_pass(flags, LIST_MANAGEDSAVE, LIST_NO_MANAGEDSAVE, d->has_managed_save) ||
            !vb_list_pass(flags, LIST_AUTOSTART, LIST_NO_AUTOSTART, d->autostart) ||
            !vb_list_pass(flags, LIST_HAS_SNAPSHOT, LIST_NO_SNAPSHOT, d->n_snapshots > 0) ||
            !vb_list_pass(flags, LIST_HAS_CHECKPOINT, LIST_NO_CHECKPOINT, false))
                return false;
        if (st) {
                bool ok = ((st & LIST_RUNNING) && d->state == VB_DOMAIN_RUNNING) ||
                          ((st & LIST_PAUSED) && d->state == VB_DOMAIN_PAUSED) ||
                          ((st & LIST_SHUTOFF) && d->state == VB_DOMAIN_SHUTOFF) ||
                          ((st & LIST_OTHER) && d->state != VB_DOMAIN_RUNNING &&
                           d->state != VB_DOMAIN_PAUSED && d->state != VB_DOMAIN_SHUTOFF);
                if (!ok)
                        return false;
        }
        return true;
}

int vb_domain_list(VbConnect *c, unsigned flags, VbDomainObj ***ret, size_t *ret_n, VbError *e) {
        VbDomainObj **list;
        size_t n = 0;

        VB_CHECK_FLAGS(flags, 0xffff, e);
        list = calloc(c->n_domains + 1, sizeof(*list));
        if (!list)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (flags == 0) {       /* all of them: no need to read 10,000 objects here */
                memcpy(list, c->domains, c->n_domains * sizeof(*list));
                n = c->n_domains;
        } else
                for (size_t i = 0; i < c->n_domains; i++)
                        if (domain_matches(c->domains[i], flags))
                                list[n++] = c->domains[i];
        *ret = list;
        *ret_n = n;
        return 0;
}
