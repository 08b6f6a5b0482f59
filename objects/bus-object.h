/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Shared machinery of objects/: one VbBusKind per D-Bus interface, the per-driver
 * VbBusConnect, errors, and helpers every handler uses. */
#include <stddef.h>
#include <systemd/sd-bus.h>

#include "driver.h"
#include "introspect-cache.h"

#define VB_BUS_NAME "org.libvirt"
#define VB_ERROR_NAME "org.libvirt.Error"

typedef struct VbBusConnect {
        sd_bus *bus;
        VbConnect *conn;
        char *path;                 /* /org/libvirt/<Driver> */
        VbIntrospectCache *introspect;  /* objects' Introspect replies, per kind */
} VbBusConnect;

typedef struct VbBusKind {
        const char *interface;      /* org.libvirt.Domain */
        const char *element;        /* path element under the connect path; NULL = Connect */
        const sd_bus_vtable *vtable;
        VbObjKind kind;
        const char *acl_object;     /* "domain": object name in ACL action ids */
        /* label (last path element) → object; 0 when there is none */
        void *(*find)(VbConnect *c, const char *label);
        /* object → last path element (malloc'd) */
        char *(*label)(const void *obj);
        /* every object of this kind, for enumeration */
        size_t (*list)(VbConnect *c, void ***ret);
        /* polkit details: fill key/value pairs, return count of pairs */
        size_t (*details)(const void *obj, const char *kv[], char *buf, size_t bufsz);
        /* where the object keeps its path once made (NULL: made at every use) */
        char **(*path_cache)(const void *obj);
        /* owning connection of an object */
        VbConnect *(*conn_of)(const void *obj);
        /* Connect.<Kind>LookupByName / ByUUID, served by vb_bus_lookup_* */
        void *(*find_name)(VbConnect *c, const char *name);
        void *(*find_uuid)(VbConnect *c, const uint8_t uuid[16]);
        VbErrorCode not_found;      /* VB_ERR_NO_DOMAIN, ... */
        const char *noun;           /* "domain", "storage pool": in libvirt's messages */
} VbBusKind;

extern const VbBusKind vb_bus_kind_connect;
extern const VbBusKind vb_bus_kind_domain;
extern const VbBusKind vb_bus_kind_job;         /* org.virtbus.Job1 */
extern const sd_bus_vtable *const vb_connect_ext_vtable;   /* org.virtbus.Connect1 */
/* StoragePool, StorageVol, NodeDevice */
extern const VbBusKind vb_bus_kind_storage_pool;
extern const VbBusKind vb_bus_kind_storage_vol;
extern const VbBusKind vb_bus_kind_node_device;
/* helper-F kinds */
extern const VbBusKind vb_bus_kind_network;
extern const VbBusKind vb_bus_kind_interface;
extern const VbBusKind vb_bus_kind_secret;
extern const VbBusKind vb_bus_kind_nwfilter;
extern const VbBusKind vb_bus_kind_snapshot;   /* helper-H: objects/snapshot.c */

/* All kinds, NULL-terminated (Connect first). */
extern const VbBusKind *const vb_bus_kinds[];
const VbBusKind *vb_bus_kind_by_interface(const char *interface);
const VbBusKind *vb_bus_kind_by_kind(VbObjKind kind);

/* Registration of one driver's tree (Connect object, subtrees, enumerators, ObjectManager). */
int vb_bus_connect_register(sd_bus *bus, VbConnect *conn, VbBusConnect **ret);
VbBusConnect *vb_bus_connect_free(VbBusConnect *bc);
VbBusConnect *vb_bus_connect_of(const VbConnect *conn);
/* Install the gate filter and the event sink; once per bus. */
int vb_objects_setup(sd_bus *bus);

/* Full path of an object (malloc'd). */
char *vb_bus_object_path(const VbBusKind *k, const void *obj);
/* The same, borrowed from the object's cache when its kind keeps one, else made
 * into *buf (the caller frees *buf). NULL on OOM or when the driver has no tree. */
const char *vb_bus_object_path_borrow(const VbBusKind *k, const void *obj, char **buf);

/* VbError → org.libvirt.Error; returns a negative errno for sd-bus. */
int vb_bus_error(sd_bus_error *error, const VbError *e);
int vb_bus_errorf(sd_bus_error *error, VbErrorCode code, const char *fmt, ...) _printf_(3, 4);

/* Reply to a List* call with the paths of @objs, filtered to what the caller may
 * see (polkit); returns 1 while answers are pending (see gate.c). */
int vb_reply_object_paths(sd_bus_message *m, const VbBusKind *k, void *const *objs, size_t n);

/* Connect.<Kind>LookupByName / ByUUID: read the key, find, reply with the path or
 * libvirt's "<Kind> not found: no <noun> with matching name 'x'". */
int vb_bus_lookup_by_name(sd_bus_message *m, VbConnect *c, const VbBusKind *k, sd_bus_error *error);
int vb_bus_lookup_by_uuid(sd_bus_message *m, VbConnect *c, const VbBusKind *k, const char *api,
                          sd_bus_error *error);

/* Reply with one object path / string / nothing. */
int vb_reply_path(sd_bus_message *m, const VbBusKind *k, const void *obj);

/* A VbOp whose completion replies to @m exactly once: with the error, with the path
 * of op->result when @result_kind is given, or with nothing. Pass the driver op's
 * return value to vb_bus_reply_op_result and return that. */
VbOp *vb_bus_reply_op_new(sd_bus_message *m, const VbBusKind *result_kind);
int vb_bus_reply_op_result(VbOp *op, int r, const VbError *e);

/* Run a lifecycle op that may finish later (VbOp), replying exactly once. */
typedef int (*VbDomainLifecycleFn)(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e);
int vb_bus_run_domain_op(sd_bus_message *m, VbDomainObj *d, unsigned flags,
                         int (*fn)(VbDomainObj *, unsigned, VbOp *, VbError *),
                         int (*fn_noflags)(VbDomainObj *, VbOp *, VbError *),
                         const char *api, sd_bus_error *error);

/* Getters for a field at the vtable entry's offset (SD_BUS_PROPERTY(..., offsetof(T, f), ...)):
 * a bool as "b", a char * as "s" (NULL as ""), a uint8_t[16] as the UUID string. */
int vb_bus_property_get_bool(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error);
int vb_bus_property_get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error);
int vb_bus_property_get_uuid(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error);

/* The setter of a writable "Autostart" whose getter reads Type's bool autostart: the
 * one vtable offset serves both, so the setter gets &obj->autostart and steps back to
 * the object, then calls the driver's set-autostart op (libvirt's @api when missing). */
#define VB_BUS_DEFINE_AUTOSTART_SETTER(fn, Type, table, op, api)                                 \
        static int fn(sd_bus *bus, const char *path, const char *interface, const char *property, \
                      sd_bus_message *value, void *userdata, sd_bus_error *error) {              \
                _cleanup_vb_error_ VbError e = VB_ERROR_NULL;                                    \
                Type *o = (Type *) ((uint8_t *) userdata - offsetof(Type, autostart));           \
                int b, r;                                                                        \
                r = sd_bus_message_read(value, "b", &b);                                         \
                if (r < 0)                                                                       \
                        return r;                                                                \
                r = VB_DRIVER_CALL(o->conn, table, op, api, &e, o, b, &e);                       \
                if (r < 0)                                                                       \
                        return vb_bus_error(error, &e);                                          \
                return 0;                                                                        \
        }

#define VB_BUS_AUTOSTART_PROPERTY(Type, setter)                                                  \
        SD_BUS_WRITABLE_PROPERTY("Autostart", "b", vb_bus_property_get_bool, setter,             \
                                 offsetof(Type, autostart),                                      \
                                 SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED)

/* Typed parameter output (double-wrapped, the libvirt-dbus quirk). */
int vb_bus_append_double_variant(sd_bus_message *m, const char *sig, const void *value);

/* Signals from driver events. */
void vb_bus_event_sink(const VbEvent *ev, void *userdata);

/* path → (driver tree, kind, object); -ENOENT when nothing is there. */
int vb_bus_resolve(const char *path, VbBusConnect **ret_bc, const VbBusKind **ret_kind, void **ret_obj);
