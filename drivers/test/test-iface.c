/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host interfaces of the in-memory test driver, with libvirt's test-driver semantics:
 * define/undefine, start/stop, and ChangeBegin/Commit/Rollback transactions that
 * snapshot the whole interface list. */
#include "iface.h"
#include "test-net.h"
#include "xml-util.h"

#define IFACE_DEFINE_VALIDATE 1u        /* VIR_INTERFACE_DEFINE_VALIDATE */
#define IFACE_XML_INACTIVE 1u           /* VIR_INTERFACE_XML_INACTIVE */

/* The seed document's interface, as libvirt's defaultConnXML has it. */
static const char seed_iface[] =
        "<interface type=\"ethernet\" name=\"eth1\">\n"
        "  <start mode=\"onboot\"/>\n"
        "  <mac address=\"aa:bb:cc:dd:ee:ff\"/>\n"
        "  <mtu size=\"1492\"/>\n"
        "  <protocol family=\"ipv4\">\n"
        "    <ip address=\"192.168.0.5\" prefix=\"24\"/>\n"
        "    <route gateway=\"192.168.0.1\"/>\n"
        "  </protocol>\n"
        "</interface>\n";

/* VbIfaceDef is the driver contract's name of the model's VbInterfaceDef. */
static VbInterfaceDef *iface_def(const VbIfaceObj *i) {
        return (VbInterfaceDef *) i->def;
}

static void iface_added(VbIfaceObj *i) {
        vb_event_obj(i->conn, VB_EVENT_OBJECT_ADDED, VB_KIND_IFACE, i, 0, 0);
}

static void iface_changed(VbIfaceObj *i) {
        vb_event_obj(i->conn, VB_EVENT_OBJECT_CHANGED, VB_KIND_IFACE, i, 0, 0);
}

static int iface_add(VbConnect *c, VbInterfaceDef **def, VbIfaceObj **ret, VbError *e) {
        if (c->n_ifaces >= VB_TEST_NET_OBJECTS_MAX)
                return vb_error_set(e, VB_ERR_LIMIT, "too many interfaces (at most %d)", VB_TEST_NET_OBJECTS_MAX);
        if (vb_iface_obj_new(c, (VbIfaceDef *) *def, (*def)->name, (*def)->mac, ret) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        *def = NULL;
        return 0;
}

int vb_test_iface_seed(VbConnect *c, VbError *e) {
        _cleanup_(vb_iface_def_freep) VbInterfaceDef *def = NULL;
        VbIfaceObj *i;
        int r;

        r = vb_iface_def_parse(seed_iface, 0, &def, e);
        if (r < 0)
                return r;
        r = iface_add(c, &def, &i, e);
        if (r < 0)
                return r;
        i->active = true;
        return 0;
}

/* The object path is keyed by the MAC address, so every interface needs one and no
 * two interfaces may share it. */
static int check_mac(VbConnect *c, const VbInterfaceDef *def, VbError *e) {
        VbIfaceObj *other = NULL;

        if (!def->mac)
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "interface '%s' has no MAC address", def->name);
        if (vb_iface_find_mac(c, def->mac, &other) > 0 && !streq(other->name, def->name))
                return vb_error_set(e, VB_ERR_OPERATION_FAILED,
                                    "interface '%s' already has MAC address %s", other->name, def->mac);
        return 0;
}

static int test_define_xml(VbConnect *c, const char *xml, unsigned flags, VbIfaceObj **ret, VbError *e) {
        _cleanup_(vb_iface_def_freep) VbInterfaceDef *def = NULL;
        VbIfaceObj *i;
        int r;

        VB_CHECK_FLAGS(flags, IFACE_DEFINE_VALIDATE, e);
        r = vb_iface_def_parse(xml, 0, &def, e);
        if (r < 0)
                return r;
        r = check_mac(c, def, e);
        if (r < 0)
                return r;
        i = vb_iface_find_name(c, def->name);
        if (!i) {
                r = iface_add(c, &def, &i, e);
                if (r < 0)
                        return r;
                iface_added(i);
                *ret = i;
                return 0;
        }
        /* same name: the definition is replaced, the state kept */
        if (!streq(i->mac, def->mac)) {
                /* the path changes with the MAC */
                vb_event_obj(c, VB_EVENT_OBJECT_REMOVED, VB_KIND_IFACE, i, 0, 0);
                vb_strdup_replace(&i->mac, def->mac);
                vb_iface_def_free(iface_def(i));
                i->def = (VbIfaceDef *) TAKE_PTR(def);
                iface_added(i);
        } else {
                vb_iface_def_free(iface_def(i));
                i->def = (VbIfaceDef *) TAKE_PTR(def);
                iface_changed(i);
        }
        *ret = i;
        return 0;
}

static int test_undefine(VbIfaceObj *i, VbError *e) {
        vb_iface_obj_remove(i);
        return 0;
}

static int test_create(VbIfaceObj *i, unsigned flags, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        if (i->active)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, NULL);
        i->active = true;
        iface_changed(i);
        return 0;
}

static int test_destroy(VbIfaceObj *i, unsigned flags, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        if (!i->active)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, NULL);
        i->active = false;
        iface_changed(i);
        return 0;
}

static int test_get_xml_desc(VbIfaceObj *i, unsigned flags, char **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, IFACE_XML_INACTIVE, e);
        *ret = vb_iface_def_format(iface_def(i), 0);
        if (!*ret)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

/* ---- transactions ---- */

/* A detached copy (not in the registry) for the transaction snapshot. */
static VbIfaceObj *iface_copy(const VbIfaceObj *s) {
        VbIfaceObj *i = calloc(1, sizeof(*i));

        if (!i)
                return NULL;
        i->conn = s->conn;
        i->def = (VbIfaceDef *) vb_iface_def_copy(iface_def(s));
        i->name = vb_strdup(s->name);
        i->mac = vb_strdup(s->mac);
        i->active = s->active;
        return i;
}

static void iface_list_free(VbIfaceObj **l, size_t n) {
        for (size_t k = 0; k < n; k++)
                vb_iface_obj_free(l[k]);
        free(l);
}

static int test_change_begin(VbConnect *c, unsigned flags, VbError *e) {
        VbIfaceObj **backup;

        VB_CHECK_FLAGS(flags, 0, e);
        if (c->iface_transaction)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "there is another transaction running.");
        backup = calloc(c->n_ifaces + 1, sizeof(*backup));
        if (!backup)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t k = 0; k < c->n_ifaces; k++) {
                backup[k] = iface_copy(c->ifaces[k]);
                if (!backup[k]) {
                        iface_list_free(backup, k);
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                }
        }
        c->iface_backup = backup;
        c->n_iface_backup = c->n_ifaces;
        c->iface_transaction = true;
        return 0;
}

static int test_change_commit(VbConnect *c, unsigned flags, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        if (!c->iface_transaction)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "no transaction running, nothing to be committed.");
        iface_list_free(c->iface_backup, c->n_iface_backup);
        c->iface_backup = NULL;
        c->n_iface_backup = 0;
        c->iface_transaction = false;
        return 0;
}

static bool same_object(const VbIfaceObj *a, const VbIfaceObj *b) {
        return streq(a->name, b->name) && streq(a->mac, b->mac);
}

static bool list_has(VbIfaceObj **l, size_t n, const VbIfaceObj *i) {
        for (size_t k = 0; k < n; k++)
                if (same_object(l[k], i))
                        return true;
        return false;
}

static int test_change_rollback(VbConnect *c, unsigned flags, VbError *e) {
        VbIfaceObj **old = c->ifaces;
        size_t n_old = c->n_ifaces;

        VB_CHECK_FLAGS(flags, 0, e);
        if (!c->iface_transaction)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "no transaction running, nothing to rollback.");
        /* paths that vanish go first, while their objects are still alive */
        for (size_t k = 0; k < n_old; k++)
                if (!list_has(c->iface_backup, c->n_iface_backup, old[k]))
                        vb_event_obj(c, VB_EVENT_OBJECT_REMOVED, VB_KIND_IFACE, old[k], 0, 0);
        c->ifaces = TAKE_PTR(c->iface_backup);
        c->n_ifaces = c->n_iface_backup;
        c->n_iface_backup = 0;
        c->iface_transaction = false;
        for (size_t k = 0; k < c->n_ifaces; k++) {
                if (!list_has(old, n_old, c->ifaces[k]))
                        iface_added(c->ifaces[k]);
                else
                        iface_changed(c->ifaces[k]);
        }
        iface_list_free(old, n_old);
        return 0;
}

const VbIfaceOps vb_test_iface_ops = {
        .define_xml = test_define_xml,
        .undefine = test_undefine,
        .create = test_create,
        .destroy = test_destroy,
        .get_xml_desc = test_get_xml_desc,
        .change_begin = test_change_begin,
        .change_commit = test_change_commit,
        .change_rollback = test_change_rollback,
};
