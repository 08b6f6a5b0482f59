/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The polkit gate: a bus filter that runs before any handler, so every method of
 * every interface is authorized (a method missing from the ACL table is refused).
 * Also serves Properties.GetAll for org.libvirt.* with libvirt-dbus's double
 * variants, leaving out properties whose getter fails. */
#include <stdio.h>

#include "acl.h"
#include "xml-util.h"
#include "bus-object.h"
#include "object-path.h"
#include "polkit.h"

#define MAX_DETAILS 16

static int flags_arg(sd_bus_message *m, unsigned *ret) {
        const char *sig = sd_bus_message_get_signature(m, true);
        size_t n = sig ? strlen(sig) : 0;
        _cleanup_free_ char *head = NULL;
        int r;

        *ret = 0;
        if (n == 0 || sig[n - 1] != 'u')
                return 0;
        head = strndup(sig, n - 1);
        if (!head)
                return -ENOMEM;
        if (*head) {
                r = sd_bus_message_skip(m, head);
                if (r < 0)
                        goto out;
        }
        r = sd_bus_message_read(m, "u", ret);
out:
        sd_bus_message_rewind(m, true);
        return r < 0 ? r : 0;
}

/* Defining or creating a domain is checked against the new domain's identity, as
 * libvirt does, so a rule can grant "define domain X" without granting others. */
static size_t new_domain_details(sd_bus_message *m, const char *kv[], char *buf, size_t bufsz,
                                 VbDomainDef **ret_def) {
        const char *member = sd_bus_message_get_member(m), *xml = NULL;
        VbDomainDef *def = NULL;

        *ret_def = NULL;
        if (!streq(member, "DomainDefineXML") && !streq(member, "DomainCreateXML") &&
            !streq(member, "DomainCreateXMLWithFiles"))
                return 0;
        if (sd_bus_message_read(m, "s", &xml) < 0)
                xml = NULL;
        if (xml && vb_domain_def_parse(xml, VB_DOMAIN_PARSE_INACTIVE, &def, NULL) >= 0 && bufsz >= 37) {
                kv[0] = "domain_name";
                kv[1] = def->name;
                /* A UUID made up for an XML without one differs at every parse: it would
                 * change the query key each time the call is re-dispatched after polkit's
                 * answer, so the call would be re-queried forever and never answered. */
                if (!def->uuid_generated) {
                        vb_uuid_format(def->uuid, buf);
                        kv[2] = "domain_uuid";
                        kv[3] = buf;
                }
        }
        sd_bus_message_rewind(m, true);
        *ret_def = def;
        return def ? (def->uuid_generated ? 1 : 2) : 0;
}

/* Connect.<Kind>LookupByName / ByUUID and DomainLookupByID are checked against the
 * object they find, as libvirt does (its *EnsureACL gets the found definition), so a
 * rule keyed on domain_name can grant the lookup of that one domain. Nothing found:
 * the check goes on without object details (the caller learns nothing more). */
static void *lookup_target(sd_bus_message *m, VbConnect *c, const char *object,
                           const VbBusKind **ret_k) {
        const char *member = sd_bus_message_get_member(m), *arg = NULL, *by;
        const VbBusKind *k = NULL;
        void *obj = NULL;
        uint8_t uuid[16];
        int32_t id;

        by = member ? strstr(member, "LookupBy") : NULL;
        /* the first kind with this ACL object owns it (snapshots and jobs use "domain" too) */
        for (size_t i = 0; by && !k && vb_bus_kinds[i]; i++)
                if (vb_bus_kinds[i]->element && streq_ptr(vb_bus_kinds[i]->acl_object, object))
                        k = vb_bus_kinds[i];
        if (!k)
                return NULL;
        if (streq(by, "LookupByID") && k == &vb_bus_kind_domain) {
                if (sd_bus_message_read(m, "i", &id) >= 0)
                        obj = vb_domain_find_id(c, id);
        } else if (streq(by, "LookupByName") && k->find_name) {
                if (sd_bus_message_read(m, "s", &arg) >= 0)
                        obj = k->find_name(c, arg);
        } else if (streq(by, "LookupByUUID") && k->find_uuid) {
                if (sd_bus_message_read(m, "s", &arg) >= 0 && vb_uuid_parse(arg, uuid) >= 0)
                        obj = k->find_uuid(c, uuid);
        }
        sd_bus_message_rewind(m, true);
        *ret_k = k;
        return obj;
}

static int check(sd_bus_message *m, VbBusConnect *bc, const VbBusKind *k, void *obj,
                 const char *object, const char *perm, sd_bus_error *error) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *newdef = NULL;
        const char *kv[2 * MAX_DETAILS + 1];
        char buf[1024];
        size_t n = 0;
        _cleanup_free_ char *action = vb_acl_action_id(object, perm);

        kv[n++] = "connect_driver";
        kv[n++] = bc->conn->driver->name;
        if (k == &vb_bus_kind_connect) {
                const VbBusKind *found_k = NULL;
                void *found = lookup_target(m, bc->conn, object, &found_k);
                if (found) {
                        obj = found;
                        k = found_k;
                }
        }
        if (obj && k->details)
                n += 2 * k->details(obj, kv + n, buf, sizeof(buf));
        else if (k == &vb_bus_kind_connect && streq(object, "domain"))
                n += 2 * new_domain_details(m, kv + n, buf, sizeof(buf), &newdef);
        kv[n] = NULL;
        return vb_polkit_check(m, action, kv, error);
}

/* What sd-bus hands a getter: the object plus the vtable entry's offset, so getters
 * that read a field at an offset (bus-property.c) work in our GetAll too. */
static void *property_userdata(const sd_bus_vtable *v, void *obj) {
        return (uint8_t *) obj + v->x.property.offset;
}

static int property_value(sd_bus *bus, const char *path, const char *iface,
                          const sd_bus_vtable *v, void *obj, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *tmp = NULL;
        sd_bus_error err = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_message_new(bus, &tmp, SD_BUS_MESSAGE_METHOD_RETURN);
        if (r < 0)
                return r;
        r = v->x.property.get(bus, path, iface, v->x.property.member, tmp, property_userdata(v, obj), &err);
        sd_bus_error_free(&err);
        if (r < 0)
                return r;
        r = sd_bus_message_seal(tmp, 1, 0);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(tmp);
        return 0;
}

/* One GetAll entry, double-wrapped. With @val the value is copied from the getter's
 * own message; without, the getter writes straight into @reply (no message per
 * property), which cannot be undone if the getter fails half-way. */
static int append_get_all_entry(sd_bus_message *reply, const char *path, const VbBusKind *k,
                                const sd_bus_vtable *v, void *obj, sd_bus_message *val) {
        sd_bus_error err = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append_basic(reply, 's', v->x.property.member);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'v', "v");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'v', v->x.property.signature);
        if (r >= 0 && val)
                r = sd_bus_message_copy(reply, val, true);
        else if (r >= 0) {
                r = v->x.property.get(sd_bus_message_get_bus(reply), path, k->interface,
                                      v->x.property.member, reply, property_userdata(v, obj), &err);
                sd_bus_error_free(&err);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

/* libvirt-dbus wraps each GetAll value in two variants; cockpit depends on it.
 * @direct: getters write into the reply; a failing getter then fails the whole
 * reply and the caller retries with !direct, which leaves that property out. */
static int reply_get_all(sd_bus_message *m, const VbBusKind *k, void *obj, bool direct) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        sd_bus *bus = sd_bus_message_get_bus(m);
        const char *path = sd_bus_message_get_path(m);
        int r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        for (const sd_bus_vtable *v = k->vtable; v->type != _SD_BUS_VTABLE_END; v++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *val = NULL;
                if (v->type != _SD_BUS_VTABLE_PROPERTY && v->type != _SD_BUS_VTABLE_WRITABLE_PROPERTY)
                        continue;
                if (!direct && property_value(bus, path, k->interface, v, obj, &val) < 0)
                        continue;   /* quirk: a failing getter is left out */
                r = append_get_all_entry(reply, path, k, v, obj, val);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* One object's entry of GetManagedObjects: {interface: {property: value}}; values
 * single-wrapped, failing getters left out (sd-bus's own version would fail the
 * whole call when one getter fails, e.g. the Parent of a root node device). */
static int append_object(sd_bus_message *reply, const VbBusKind *k, void *obj, const char *path) {
        sd_bus *bus = sd_bus_message_get_bus(reply);
        int r;

        r = sd_bus_message_open_container(reply, 'e', "oa{sa{sv}}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "o", path);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sa{sv}}");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'e', "sa{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", k->interface);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        for (const sd_bus_vtable *v = k->vtable; r >= 0 && v->type != _SD_BUS_VTABLE_END; v++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *val = NULL;
                if (v->type != _SD_BUS_VTABLE_PROPERTY && v->type != _SD_BUS_VTABLE_WRITABLE_PROPERTY)
                        continue;
                if (property_value(bus, path, k->interface, v, obj, &val) < 0)
                        continue;
                r = sd_bus_message_open_container(reply, 'e', "sv");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "s", v->x.property.member);
                if (r >= 0)
                        r = sd_bus_message_open_container(reply, 'v', v->x.property.signature);
                if (r >= 0)
                        r = sd_bus_message_copy(reply, val, true);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        /* our extension interfaces registered beside the org.libvirt ones */
        if (r >= 0 && k == &vb_bus_kind_connect)
                r = sd_bus_message_append(reply, "{sa{sv}}", "org.virtbus.Connect1", 0);
        if (r >= 0 && k == &vb_bus_kind_domain)
                r = sd_bus_message_append(reply, "{sa{sv}}", "org.virtbus.Console1", 0);
        if (r >= 0 && k == &vb_bus_kind_storage_vol)
                r = sd_bus_message_append(reply, "{sa{sv}}", "org.virtbus.StorageVol1", 0);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int reply_managed_objects(sd_bus_message *m, VbBusConnect *bc) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{oa{sa{sv}}}");
        if (r >= 0)
                r = append_object(reply, &vb_bus_kind_connect, bc->conn, bc->path);
        for (size_t i = 1; r >= 0 && vb_bus_kinds[i]; i++) {
                const VbBusKind *k = vb_bus_kinds[i];
                _cleanup_free_ void **objs = NULL;
                size_t n = k->list(bc->conn, &objs);
                for (size_t j = 0; r >= 0 && j < n; j++) {
                        _cleanup_free_ char *buf = NULL;
                        const char *path = vb_bus_object_path_borrow(k, objs[j], &buf);
                        r = path ? append_object(reply, k, objs[j], path) : -ENOMEM;
                }
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* Which permissions a call needs: from the ACL table; Properties and ObjectManager
 * calls map to the object's getattr/read/write. Returns false when the call needs no
 * check (Introspect, Peer), -1 in *n when the call has no rule at all. */
static bool call_perms(sd_bus_message *m, const VbBusKind *k, const char **object,
                       const char *perms[VB_ACL_PERMS_MAX], size_t *n, const char **prop_iface) {
        const char *iface = sd_bus_message_get_interface(m), *member = sd_bus_message_get_member(m);
        const VbAcl *acl;
        unsigned flags = 0;

        *n = 0;
        *prop_iface = NULL;
        *object = k->acl_object;
        if (!iface || streq(iface, "org.freedesktop.DBus.Introspectable") ||
            streq(iface, "org.freedesktop.DBus.Peer"))
                return false;
        if (streq(iface, "org.freedesktop.DBus.Properties")) {
                const char *prop = NULL;
                if (sd_bus_message_read(m, "s", prop_iface) < 0)
                        *prop_iface = NULL;
                else if (!streq(member, "GetAll") && sd_bus_message_read(m, "s", &prop) < 0)
                        prop = NULL;
                sd_bus_message_rewind(m, true);
                if (streq(member, "GetAll")) {
                        perms[(*n)++] = "read";
                        return true;
                }
                acl = prop ? vb_acl_lookup_property(*prop_iface, prop, streq(member, "Set")) : NULL;
                if (acl)
                        perms[(*n)++] = acl->perm;
                else   /* unknown property: sd-bus answers with its own error */
                        return false;
                return true;
        }
        if (streq(iface, "org.freedesktop.DBus.ObjectManager")) {
                *object = "connect";
                perms[(*n)++] = "search-domains";
                return true;
        }
        acl = vb_acl_lookup(iface, member);
        if (!acl) {
                *object = NULL;
                return true;
        }
        *object = acl->object;
        if (flags_arg(m, &flags) < 0)
                flags = 0;
        *n = vb_acl_perms(acl, flags, perms);
        return true;
}

/* A call on the path of an object that is not (or no longer) there: libvirt-dbus
 * answers org.libvirt.Error "<Kind> not found", and GetAll returns an empty dict. */
static int vanished(sd_bus_message *m, const VbBusKind *k) {
        const char *iface = sd_bus_message_get_interface(m);
        sd_bus_error error = SD_BUS_ERROR_NULL;

        /* Introspection works on any path under a collection, as in libvirt-dbus */
        if (!iface || !k->element || streq(iface, "org.freedesktop.DBus.Introspectable") ||
            streq(iface, "org.freedesktop.DBus.Peer"))
                return 0;
        if (streq(iface, "org.freedesktop.DBus.Properties") &&
            streq(sd_bus_message_get_member(m), "GetAll")) {
                sd_bus_reply_method_return(m, "a{sv}", 0);
                return 1;
        }
        if (k->noun)
                vb_bus_errorf(&error, k->not_found, "no %s with matching path '%s'",
                              k->noun, sd_bus_message_get_path(m));
        else
                sd_bus_error_setf(&error, VB_ERROR_NAME, "no object at path '%s'",
                                  sd_bus_message_get_path(m));
        sd_bus_reply_method_error(m, &error);
        sd_bus_error_free(&error);
        return 1;
}

static int gate_filter(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *object, *perms[VB_ACL_PERMS_MAX], *prop_iface;
        const VbBusKind *k;
        VbBusConnect *bc;
        void *obj = NULL;
        size_t n;
        int resolved, r = 1;

        if (!sd_bus_message_is_method_call(m, NULL, NULL) || !sd_bus_message_get_path(m))
                return 0;
        k = NULL;
        resolved = vb_bus_resolve(sd_bus_message_get_path(m), &bc, &k, &obj);
        if (k && vb_introspect_cache_reply(m, bc, k) > 0)
                return 1;
        if (resolved < 0)
                return k ? vanished(m, k) : 0;
        if (!call_perms(m, k, &object, perms, &n, &prop_iface))
                return 0;
        if (!object) {
                sd_bus_error_setf(&error, VB_ERROR_NAME, "access denied: no access rule for %s.%s",
                                  sd_bus_message_get_interface(m), sd_bus_message_get_member(m));
                goto fail;
        }
        /* uid 0 (and the session's own user) pass every check: skip building details */
        if (!vb_polkit_is_privileged(m))
                for (size_t i = 0; i < n && r == 1; i++)
                        r = check(m, bc, k, obj, object, perms[i], &error);
        if (r == 0)
                return 1;   /* re-dispatched once polkit answers */
        if (r < 0)
                goto fail;
        if (k == &vb_bus_kind_connect && streq(sd_bus_message_get_member(m), "GetManagedObjects") &&
            streq_ptr(sd_bus_message_get_interface(m), "org.freedesktop.DBus.ObjectManager")) {
                r = reply_managed_objects(m, bc);
                if (r < 0) {
                        sd_bus_error_set_errnof(&error, r, "GetManagedObjects failed");
                        goto fail;
                }
                return 1;
        }
        if (prop_iface && streq(sd_bus_message_get_member(m), "GetAll") &&
            streq(prop_iface, k->interface)) {
                r = reply_get_all(m, k, obj, true);
                if (r < 0)
                        r = reply_get_all(m, k, obj, false);
                if (r < 0) {
                        sd_bus_error_set_errnof(&error, r, "GetAll failed");
                        goto fail;
                }
                return 1;
        }
        return 0;
fail:
        sd_bus_reply_method_error(m, &error);
        sd_bus_error_free(&error);
        return 1;
}

/* With thousands of objects the loop below waits on memory: every object and its
 * path string are in a different place of the heap. Ask for object i + 16 and for the
 * path of object i + 8 (whose object was asked for 8 steps ago) ahead of use. */
static void prefetch_path(const VbBusKind *k, void *const *objs, size_t n, size_t i) {
        char **cache;

        if (!k->path_cache)
                return;
        if (i + 16 < n)
                __builtin_prefetch(k->path_cache(objs[i + 16]));
        if (i + 8 < n) {
                cache = k->path_cache(objs[i + 8]);
                if (*cache)
                        __builtin_prefetch(*cache);
        }
}

/* List replies hold only the objects the caller may see (libvirt filters list
 * results by the ACL's filter permission, e.g. domain getattr). Privileged callers
 * skip the per-object checks. Returns 1 also while polkit answers are pending: the
 * message then comes back through its handler. */
int vb_reply_object_paths(sd_bus_message *m, const VbBusKind *k, void *const *objs, size_t n) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const VbAcl *acl = vb_acl_lookup(sd_bus_message_get_interface(m), sd_bus_message_get_member(m));
        bool filter = acl && acl->filter_perm && !vb_polkit_is_privileged(m);
        VbBusConnect *bc = n > 0 ? vb_bus_connect_of(k->conn_of(objs[0])) : NULL;
        int r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "o");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ char *buf = NULL;
                const char *path;
                prefetch_path(k, objs, n, i);
                if (filter && bc) {
                        sd_bus_error error = SD_BUS_ERROR_NULL;
                        int v = check(m, bc, k, objs[i], acl->filter_object, acl->filter_perm, &error);
                        sd_bus_error_free(&error);
                        if (v == 0)
                                return 1;       /* pending: re-dispatched when answered */
                        if (v < 0)
                                continue;       /* not visible to this caller */
                }
                path = vb_bus_object_path_borrow(k, objs[i], &buf);
                r = path ? sd_bus_message_append_basic(reply, 'o', path) : -ENOMEM;
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

int vb_objects_setup(sd_bus *bus) {
        int r = sd_bus_add_filter(bus, NULL, gate_filter, NULL);
        if (r < 0)
                return r;
        vb_event_set_sink(vb_bus_event_sink, bus);
        return 0;
}
