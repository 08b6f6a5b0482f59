/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The in-memory registry of networks, host interfaces, secrets and network filters:
 * creation, lookup, removal and libvirt's virConnectListAll* filter flags. */
#include <strings.h>

#include "driver.h"
#include "iface.h"
#include "network.h"
#include "nwfilter.h"
#include "secret.h"
#include "xml-util.h"

/* Append @item to the array @arr of @n elements; -ENOMEM leaves both unchanged. */
#define ARRAY_APPEND(arr, n, item)                                                      \
        ({                                                                             \
                __typeof__(arr) _a = realloc((arr), ((n) + 1) * sizeof(*(arr)));       \
                int _r = -ENOMEM;                                                      \
                if (_a) {                                                              \
                        _a[(n)++] = (item);                                            \
                        (arr) = _a;                                                    \
                        _r = 0;                                                        \
                }                                                                      \
                _r;                                                                    \
        })

/* Drop @item from the array; returns true when it was there. */
#define ARRAY_DROP(arr, n, item)                                                        \
        ({                                                                             \
                bool _found = false;                                                   \
                for (size_t _i = 0; _i < (n); _i++)                                    \
                        if ((arr)[_i] == (item)) {                                     \
                                memmove((arr) + _i, (arr) + _i + 1,                    \
                                        ((n) - _i - 1) * sizeof(*(arr)));              \
                                (n)--;                                                 \
                                _found = true;                                         \
                                break;                                                 \
                        }                                                              \
                _found;                                                                \
        })

void vb_network_leases_free(VbNetworkLease *l, size_t n) {
        for (size_t i = 0; l && i < n; i++) {
                free(l[i].iface);
                free(l[i].mac);
                free(l[i].iaid);
                free(l[i].ipaddr);
                free(l[i].hostname);
                free(l[i].clientid);
        }
        free(l);
}

/* ---- networks ---- */

int vb_network_obj_new(VbConnect *c, VbNetworkDef *def, VbNetworkObj **ret) {
        VbNetworkObj *n = calloc(1, sizeof(*n));

        if (!n)
                return -ENOMEM;
        n->conn = c;
        n->name = vb_strdup(def->name);
        memcpy(n->uuid, def->uuid, 16);
        if (ARRAY_APPEND(c->networks, c->n_networks, n) < 0) {
                free(n->name);
                free(n);
                return -ENOMEM;
        }
        n->def = def;
        *ret = n;
        return 0;
}

static VbNetworkObj *network_free(VbNetworkObj *n) {
        if (!n)
                return NULL;
        vb_network_def_free(n->def);
        vb_network_def_free(n->newdef);
        free(n->name);
        free(n);
        return NULL;
}

void vb_network_obj_remove(VbNetworkObj *n) {
        VbConnect *c = n->conn;

        if (!ARRAY_DROP(c->networks, c->n_networks, n))
                return;
        vb_event_obj(c, VB_EVENT_OBJECT_REMOVED, VB_KIND_NETWORK, n, 0, 0);
        network_free(n);
}

VbNetworkObj *vb_network_find_uuid(VbConnect *c, const uint8_t uuid[16]) {
        for (size_t i = 0; i < c->n_networks; i++)
                if (memcmp(c->networks[i]->uuid, uuid, 16) == 0)
                        return c->networks[i];
        return NULL;
}

VbNetworkObj *vb_network_find_name(VbConnect *c, const char *name) {
        for (size_t i = 0; i < c->n_networks; i++)
                if (streq(c->networks[i]->name, name))
                        return c->networks[i];
        return NULL;
}

int vb_network_check_unique(VbConnect *c, const char *name, const uint8_t uuid[16],
                            VbNetworkObj **ret_existing, VbError *e) {
        VbNetworkObj *n = vb_network_find_uuid(c, uuid);
        VbNetworkObj *by_name = n ? NULL : vb_network_find_name(c, name);
        int r;

        r = vb_check_unique("network", name, uuid, n ? n->name : NULL, by_name ? by_name->uuid : NULL, e);
        if (r < 0)
                return r;
        if (ret_existing)
                *ret_existing = n;
        return 0;
}

/* ---- lifecycle steps both network drivers take ---- */

void vb_network_event(VbNetworkObj *n, int event) {
        vb_event_obj(n->conn, VB_EVENT_NETWORK_LIFECYCLE, VB_KIND_NETWORK, n, event, 0);
}

void vb_network_changed(VbNetworkObj *n) {
        vb_event_obj(n->conn, VB_EVENT_OBJECT_CHANGED, VB_KIND_NETWORK, n, 0, 0);
}

static void announce(VbNetworkObj *n, int event, bool added) {
        vb_network_event(n, event);
        if (added)
                vb_event_obj(n->conn, VB_EVENT_OBJECT_ADDED, VB_KIND_NETWORK, n, 0, 0);
        else
                vb_network_changed(n);
}

int vb_network_obj_add(VbConnect *c, size_t max, VbNetworkDef **def, VbNetworkObj **ret, VbError *e) {
        if (c->n_networks >= max)
                return vb_error_set(e, VB_ERR_LIMIT, "too many networks (at most %zu)", max);
        if (vb_network_obj_new(c, *def, ret) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        *def = NULL;
        return 0;
}

void vb_network_obj_set_persistent_def(VbNetworkObj *n, VbNetworkDef *def) {
        /* a running network keeps its live definition until it stops */
        VbNetworkDef **slot = n->active ? &n->newdef : &n->def;

        vb_network_def_free(*slot);
        *slot = def;
}

void vb_network_obj_defined(VbNetworkObj *n, bool added) {
        n->persistent = true;
        announce(n, VB_OBJ_EV_DEFINED, added);
}

int vb_network_define(VbConnect *c, VbNetworkObj *n, size_t max, VbNetworkDef **def, VbNetworkObj **ret,
                      VbError *e) {
        int r;

        if (n) {
                vb_network_obj_set_persistent_def(n, TAKE_PTR(*def));
                vb_network_obj_defined(n, false);
        } else {
                r = vb_network_obj_add(c, max, def, &n, e);
                if (r < 0)
                        return r;
                vb_network_obj_defined(n, true);
        }
        *ret = n;
        return 0;
}

void vb_network_obj_started(VbNetworkObj *n, bool added) {
        n->active = true;
        announce(n, VB_OBJ_EV_STARTED, added);
}

int vb_network_require_active(const VbNetworkObj *n, VbError *e) {
        if (!n->active)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "network is not active");
        return 0;
}

void vb_network_obj_stopped(VbNetworkObj *n, void (*remove)(VbNetworkObj *n)) {
        n->active = false;
        if (n->newdef) {
                vb_network_def_free(n->def);
                n->def = TAKE_PTR(n->newdef);
        }
        vb_network_event(n, VB_OBJ_EV_STOPPED);
        if (!n->persistent)
                remove(n);
        else
                vb_network_changed(n);
}

int vb_network_format_xml(const VbNetworkObj *n, bool inactive, char **ret, VbError *e) {
        *ret = vb_network_def_format(inactive && n->newdef ? n->newdef : n->def, 0);
        if (!*ret)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

int vb_network_set_autostart(VbNetworkObj *n, bool autostart,
                             int (*apply)(VbNetworkObj *n, bool autostart, VbError *e), VbError *e) {
        int r;

        if (!n->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "cannot set autostart for transient network");
        if (n->autostart == autostart)
                return 0;
        r = apply ? apply(n, autostart, e) : 0;
        if (r < 0)
                return r;
        n->autostart = autostart;
        vb_network_changed(n);
        return 0;
}

enum {
        NET_LIST_INACTIVE = 1 << 0, NET_LIST_ACTIVE = 1 << 1, NET_LIST_PERSISTENT = 1 << 2,
        NET_LIST_TRANSIENT = 1 << 3, NET_LIST_AUTOSTART = 1 << 4, NET_LIST_NO_AUTOSTART = 1 << 5,
};

int vb_network_list(VbConnect *c, unsigned flags, VbNetworkObj ***ret, size_t *ret_n, VbError *e) {
        VbNetworkObj **list;
        size_t n = 0;

        VB_CHECK_FLAGS(flags, 0x3f, e);
        list = calloc(c->n_networks + 1, sizeof(*list));
        if (!list)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < c->n_networks; i++) {
                VbNetworkObj *o = c->networks[i];
                if (vb_list_pass(flags, NET_LIST_ACTIVE, NET_LIST_INACTIVE, o->active) &&
                    vb_list_pass(flags, NET_LIST_PERSISTENT, NET_LIST_TRANSIENT, o->persistent) &&
                    vb_list_pass(flags, NET_LIST_AUTOSTART, NET_LIST_NO_AUTOSTART, o->autostart))
                        list[n++] = o;
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

/* ---- host interfaces ---- */

int vb_iface_obj_new(VbConnect *c, VbIfaceDef *def, const char *name, const char *mac, VbIfaceObj **ret) {
        VbIfaceObj *i = calloc(1, sizeof(*i));

        if (!i)
                return -ENOMEM;
        i->conn = c;
        i->name = vb_strdup(name);
        i->mac = vb_strdup(mac);
        if (ARRAY_APPEND(c->ifaces, c->n_ifaces, i) < 0) {
                free(i->name);
                free(i->mac);
                free(i);
                return -ENOMEM;
        }
        i->def = def;
        *ret = i;
        return 0;
}

VbIfaceObj *vb_iface_obj_free(VbIfaceObj *i) {
        if (!i)
                return NULL;
        /* VbIfaceDef is the driver-facing name of the model's VbInterfaceDef */
        vb_iface_def_free((VbInterfaceDef *) i->def);
        free(i->name);
        free(i->mac);
        free(i);
        return NULL;
}

void vb_iface_obj_remove(VbIfaceObj *i) {
        VbConnect *c = i->conn;

        if (!ARRAY_DROP(c->ifaces, c->n_ifaces, i))
                return;
        vb_event_obj(c, VB_EVENT_OBJECT_REMOVED, VB_KIND_IFACE, i, 0, 0);
        vb_iface_obj_free(i);
}

VbIfaceObj *vb_iface_find_name(VbConnect *c, const char *name) {
        for (size_t i = 0; i < c->n_ifaces; i++)
                if (streq(c->ifaces[i]->name, name))
                        return c->ifaces[i];
        return NULL;
}

size_t vb_iface_find_mac(VbConnect *c, const char *mac, VbIfaceObj **ret) {
        size_t n = 0;

        if (ret)
                *ret = NULL;
        for (size_t i = 0; i < c->n_ifaces; i++)
                if (c->ifaces[i]->mac && strcasecmp(c->ifaces[i]->mac, mac) == 0) {
                        if (n++ == 0 && ret)
                                *ret = c->ifaces[i];
                }
        return n;
}

int vb_iface_list(VbConnect *c, unsigned flags, VbIfaceObj ***ret, size_t *ret_n, VbError *e) {
        VbIfaceObj **list;
        size_t n = 0;

        VB_CHECK_FLAGS(flags, 0x3 /* INACTIVE | ACTIVE */, e);
        list = calloc(c->n_ifaces + 1, sizeof(*list));
        if (!list)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < c->n_ifaces; i++)
                if (vb_list_pass(flags, 2, 1, c->ifaces[i]->active))
                        list[n++] = c->ifaces[i];
        *ret = list;
        *ret_n = n;
        return 0;
}

/* ---- secrets ---- */

int vb_secret_obj_new(VbConnect *c, VbSecretDef *def, const uint8_t uuid[16], int usage_type,
                      const char *usage_id, VbSecretObj **ret) {
        VbSecretObj *s = calloc(1, sizeof(*s));

        if (!s)
                return -ENOMEM;
        s->conn = c;
        memcpy(s->uuid, uuid, 16);
        s->usage_type = usage_type;
        s->usage_id = vb_strdup(usage_id);
        if (ARRAY_APPEND(c->secrets, c->n_secrets, s) < 0) {
                free(s->usage_id);
                free(s);
                return -ENOMEM;
        }
        s->def = def;
        *ret = s;
        return 0;
}

void vb_secret_obj_set_value(VbSecretObj *s, uint8_t *value, size_t n) {
        if (s->value)
                explicit_bzero(s->value, s->value_len);
        free(s->value);
        s->value = value;
        s->value_len = value ? n : 0;
}

static VbSecretObj *secret_free(VbSecretObj *s) {
        if (!s)
                return NULL;
        vb_secret_obj_set_value(s, NULL, 0);
        vb_secret_def_free(s->def);
        free(s->usage_id);
        free(s);
        return NULL;
}

void vb_secret_obj_remove(VbSecretObj *s) {
        VbConnect *c = s->conn;

        if (!ARRAY_DROP(c->secrets, c->n_secrets, s))
                return;
        vb_event_obj(c, VB_EVENT_OBJECT_REMOVED, VB_KIND_SECRET, s, 0, 0);
        secret_free(s);
}

VbSecretObj *vb_secret_find_uuid(VbConnect *c, const uint8_t uuid[16]) {
        for (size_t i = 0; i < c->n_secrets; i++)
                if (memcmp(c->secrets[i]->uuid, uuid, 16) == 0)
                        return c->secrets[i];
        return NULL;
}

VbSecretObj *vb_secret_find_usage(VbConnect *c, int usage_type, const char *usage_id) {
        /* a secret without usage is only found by its UUID */
        if (usage_type == VB_SECRET_USAGE_NONE || !usage_id)
                return NULL;
        for (size_t i = 0; i < c->n_secrets; i++)
                if (c->secrets[i]->usage_type == usage_type &&
                    streq_ptr(c->secrets[i]->usage_id, usage_id))
                        return c->secrets[i];
        return NULL;
}

enum {
        SECRET_LIST_EPHEMERAL = 1 << 0, SECRET_LIST_NO_EPHEMERAL = 1 << 1,
        SECRET_LIST_PRIVATE = 1 << 2, SECRET_LIST_NO_PRIVATE = 1 << 3,
};

int vb_secret_list(VbConnect *c, unsigned flags, VbSecretObj ***ret, size_t *ret_n, VbError *e) {
        VbSecretObj **list;
        size_t n = 0;

        VB_CHECK_FLAGS(flags, 0xf, e);
        list = calloc(c->n_secrets + 1, sizeof(*list));
        if (!list)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < c->n_secrets; i++) {
                VbSecretObj *s = c->secrets[i];
                if (vb_list_pass(flags, SECRET_LIST_EPHEMERAL, SECRET_LIST_NO_EPHEMERAL, s->def->ephemeral) &&
                    vb_list_pass(flags, SECRET_LIST_PRIVATE, SECRET_LIST_NO_PRIVATE, s->def->private_))
                        list[n++] = s;
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

/* ---- network filters ---- */

int vb_nwfilter_obj_new(VbConnect *c, VbNWFilterDef *def, const char *name, const uint8_t uuid[16],
                        VbNWFilterObj **ret) {
        VbNWFilterObj *f = calloc(1, sizeof(*f));

        if (!f)
                return -ENOMEM;
        f->conn = c;
        f->name = vb_strdup(name);
        memcpy(f->uuid, uuid, 16);
        if (ARRAY_APPEND(c->nwfilters, c->n_nwfilters, f) < 0) {
                free(f->name);
                free(f);
                return -ENOMEM;
        }
        f->def = def;
        *ret = f;
        return 0;
}

static VbNWFilterObj *nwfilter_free(VbNWFilterObj *f) {
        if (!f)
                return NULL;
        vb_nwfilter_def_free(f->def);
        free(f->name);
        free(f);
        return NULL;
}

void vb_nwfilter_obj_remove(VbNWFilterObj *f) {
        VbConnect *c = f->conn;

        if (!ARRAY_DROP(c->nwfilters, c->n_nwfilters, f))
                return;
        vb_event_obj(c, VB_EVENT_OBJECT_REMOVED, VB_KIND_NWFILTER, f, 0, 0);
        nwfilter_free(f);
}

VbNWFilterObj *vb_nwfilter_find_uuid(VbConnect *c, const uint8_t uuid[16]) {
        for (size_t i = 0; i < c->n_nwfilters; i++)
                if (memcmp(c->nwfilters[i]->uuid, uuid, 16) == 0)
                        return c->nwfilters[i];
        return NULL;
}

VbNWFilterObj *vb_nwfilter_find_name(VbConnect *c, const char *name) {
        for (size_t i = 0; i < c->n_nwfilters; i++)
                if (streq(c->nwfilters[i]->name, name))
                        return c->nwfilters[i];
        return NULL;
}

int vb_nwfilter_list(VbConnect *c, unsigned flags, VbNWFilterObj ***ret, size_t *ret_n, VbError *e) {
        VbNWFilterObj **list;

        VB_CHECK_FLAGS(flags, 0, e);
        list = calloc(c->n_nwfilters + 1, sizeof(*list));
        if (!list)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (c->n_nwfilters > 0)
                memcpy(list, c->nwfilters, c->n_nwfilters * sizeof(*list));
        *ret = list;
        *ret_n = c->n_nwfilters;
        return 0;
}

/* ---- teardown ---- */

void vb_net_registry_free(VbConnect *c) {
        for (size_t i = 0; i < c->n_networks; i++)
                network_free(c->networks[i]);
        for (size_t i = 0; i < c->n_ifaces; i++)
                vb_iface_obj_free(c->ifaces[i]);
        for (size_t i = 0; i < c->n_iface_backup; i++)
                vb_iface_obj_free(c->iface_backup[i]);
        for (size_t i = 0; i < c->n_secrets; i++)
                secret_free(c->secrets[i]);
        for (size_t i = 0; i < c->n_nwfilters; i++)
                nwfilter_free(c->nwfilters[i]);
        free(c->networks);
        free(c->ifaces);
        free(c->iface_backup);
        free(c->secrets);
        free(c->nwfilters);
        c->networks = NULL;
        c->ifaces = c->iface_backup = NULL;
        c->secrets = NULL;
        c->nwfilters = NULL;
        c->n_networks = c->n_ifaces = c->n_iface_backup = c->n_secrets = c->n_nwfilters = 0;
        c->iface_transaction = false;
}
