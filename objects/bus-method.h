/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Handlers of the shapes every kind repeats, defined once per method like systemd's
 * BUS_DEFINE_PROPERTY_GET: the macro writes "int fn(...)", the caller adds "static"
 * when the handler is local. Arguments:
 *   Type   the object type userdata points to (VbNetworkObj, ...)
 *   conn   the path from the object to its VbConnect (conn, pool->conn, dom->conn)
 *   table  the driver's ops table (network, storage, ...); op its member
 *   api    libvirt's function name, for the central "not supported" error
 * The op may free the object (Undefine, Delete), so nothing touches it afterwards. */
#include "bus-object.h"

/* The driver has no op for @api: libvirt's "not supported" error, as VB_DRIVER_CALL
 * sets it, for handlers that check VB_DRIVER_HAS before they start. */
static inline int vb_bus_unsupported(sd_bus_error *error, const char *api) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;

        vb_error_unsupported(&e, api);
        return vb_bus_error(error, &e);
}

/* Method() → op(obj, &e) → () */
#define VB_BUS_METHOD_NOARGS(fn, Type, conn, table, op, api)                                    \
        int fn(sd_bus_message *m, void *userdata, sd_bus_error *error) {                        \
                _cleanup_vb_error_ VbError e = VB_ERROR_NULL;                                   \
                Type *o = userdata;                                                             \
                int r = VB_DRIVER_CALL(o->conn, table, op, api, &e, o, &e);                     \
                if (r < 0)                                                                      \
                        return vb_bus_error(error, &e);                                         \
                return sd_bus_reply_method_return(m, "");                                       \
        }

/* Method(u flags) → op(obj, flags, &e) → () */
#define VB_BUS_METHOD_FLAGS(fn, Type, conn, table, op, api)                                     \
        int fn(sd_bus_message *m, void *userdata, sd_bus_error *error) {                        \
                _cleanup_vb_error_ VbError e = VB_ERROR_NULL;                                   \
                Type *o = userdata;                                                             \
                uint32_t flags;                                                                 \
                int r = sd_bus_message_read(m, "u", &flags);                                    \
                if (r < 0)                                                                      \
                        return r;                                                               \
                r = VB_DRIVER_CALL(o->conn, table, op, api, &e, o, flags, &e);                  \
                if (r < 0)                                                                      \
                        return vb_bus_error(error, &e);                                         \
                return sd_bus_reply_method_return(m, "");                                       \
        }

/* GetXMLDesc(u flags) → op(obj, flags, &xml, &e) → (s xml) */
#define VB_BUS_METHOD_GET_XML(fn, Type, conn, table, op, api)                                   \
        int fn(sd_bus_message *m, void *userdata, sd_bus_error *error) {                        \
                _cleanup_vb_error_ VbError e = VB_ERROR_NULL;                                   \
                _cleanup_free_ char *xml = NULL;                                                \
                Type *o = userdata;                                                             \
                uint32_t flags;                                                                 \
                int r = sd_bus_message_read(m, "u", &flags);                                    \
                if (r < 0)                                                                      \
                        return r;                                                               \
                r = VB_DRIVER_CALL(o->conn, table, op, api, &e, o, flags, &xml, &e);            \
                if (r < 0)                                                                      \
                        return vb_bus_error(error, &e);                                         \
                return sd_bus_reply_method_return(m, "s", xml);                                 \
        }

/* Connect.List<Kinds>(u flags) → listfn(conn, flags, &list, &n, &e) → (ao), filtered by
 * the caller's rights in vb_reply_object_paths. */
#define VB_BUS_CONNECT_LIST(fn, Type, listfn, kind)                                             \
        int fn(sd_bus_message *m, void *userdata, sd_bus_error *error) {                        \
                _cleanup_vb_error_ VbError e = VB_ERROR_NULL;                                   \
                _cleanup_free_ Type **list = NULL;                                              \
                uint32_t flags;                                                                 \
                size_t n = 0;                                                                   \
                int r = sd_bus_message_read(m, "u", &flags);                                    \
                if (r < 0)                                                                      \
                        return r;                                                               \
                r = listfn(userdata, flags, &list, &n, &e);                                     \
                if (r < 0)                                                                      \
                        return vb_bus_error(error, &e);                                         \
                return vb_reply_object_paths(m, &(kind), (void *const *) list, n);              \
        }

/* Connect.<Kind>DefineXML / CreateXML(s xml[, u flags]) → op(conn, xml, flags, &obj, &e)
 * → (o path). Without @with_flags the call has no flags argument and passes 0. */
#define VB_BUS_CONNECT_XML(fn, Type, table, op, api, kind, with_flags)                          \
        int fn(sd_bus_message *m, void *userdata, sd_bus_error *error) {                        \
                _cleanup_vb_error_ VbError e = VB_ERROR_NULL;                                   \
                VbConnect *c = userdata;                                                        \
                Type *o = NULL;                                                                 \
                uint32_t flags = 0;                                                             \
                const char *xml;                                                                \
                int r = (with_flags) ? sd_bus_message_read(m, "su", &xml, &flags)               \
                                     : sd_bus_message_read(m, "s", &xml);                       \
                if (r < 0)                                                                      \
                        return r;                                                               \
                r = VB_DRIVER_CALL(c, table, op, api, &e, c, xml, flags, &o, &e);               \
                if (r < 0)                                                                      \
                        return vb_bus_error(error, &e);                                         \
                return vb_reply_path(m, &(kind), o);                                            \
        }
