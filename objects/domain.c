/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Domain at <connect>/domain/_<uuid>. The gate (gate.c) has already
 * authorized the call; handlers read → validate → driver op → reply. */
#include "bus-object.h"
#include "object-path.h"
#include "xml-util.h"

/* ---- the kind: paths, lookups, polkit details ---- */

static void *domain_find(VbConnect *c, const char *label) {
        uint8_t uuid[16];
        if (vb_uuid_label_parse(label, uuid) < 0)
                return NULL;
        return vb_domain_find_uuid(c, uuid);
}

static char *domain_label(const void *obj) {
        const VbDomainObj *d = obj;
        char label[38];
        vb_uuid_label(d->def->uuid, label);
        return vb_strdup(label);
}

static size_t domain_list(VbConnect *c, void ***ret) {
        void **l = calloc(c->n_domains + 1, sizeof(void *));
        if (!l)
                return 0;
        for (size_t i = 0; i < c->n_domains; i++)
                l[i] = c->domains[i];
        *ret = l;
        return c->n_domains;
}

static size_t domain_details(const void *obj, const char *kv[], char *buf, size_t bufsz) {
        const VbDomainObj *d = obj;
        if (bufsz < 37)
                return 0;
        vb_uuid_format(d->def->uuid, buf);
        kv[0] = "domain_name";
        kv[1] = d->def->name;
        kv[2] = "domain_uuid";
        kv[3] = buf;
        return 2;
}

static VbConnect *domain_conn_of(const void *obj) {
        return ((const VbDomainObj *) obj)->conn;
}

/* ---- slow ops: reply exactly once, also when the driver finishes later ---- */

typedef struct DomainOp {
        VbOp op;
        sd_bus_message *m;
        VbDomainObj *d;
} DomainOp;

static void domain_op_done(VbOp *op, int r, const VbError *e) {
        DomainOp *o = (DomainOp *) op;
        if (r < 0) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                vb_bus_error(&error, e);
                sd_bus_reply_method_error(o->m, &error);
                sd_bus_error_free(&error);
        } else
                sd_bus_reply_method_return(o->m, "");
        sd_bus_message_unref(o->m);
        vb_domain_obj_unref(o->d);
        free(o);
}

int vb_bus_run_domain_op(sd_bus_message *m, VbDomainObj *d, unsigned flags,
                         int (*fn)(VbDomainObj *, unsigned, VbOp *, VbError *),
                         int (*fn_noflags)(VbDomainObj *, VbOp *, VbError *),
                         const char *api, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        DomainOp *o;
        int r;

        if (!fn && !fn_noflags) {
                vb_error_unsupported(&e, api);
                return vb_bus_error(error, &e);
        }
        o = calloc(1, sizeof(*o));
        if (!o)
                return -ENOMEM;
        o->op.done = domain_op_done;
        o->m = sd_bus_message_ref(m);
        o->d = vb_domain_obj_ref(d);
        r = fn ? fn(d, flags, &o->op, &e) : fn_noflags(d, &o->op, &e);
        if (r == 1)
                return 1;   /* the driver calls domain_op_done later */
        domain_op_done(&o->op, r, &e);
        return 1;
}

#define DOMAIN_FLAGS_OP(name, op, api)                                                      \
        static int method_##name(sd_bus_message *m, void *userdata, sd_bus_error *error) {  \
                VbDomainObj *d = userdata;                                                 \
                uint32_t flags;                                                            \
                int r = sd_bus_message_read(m, "u", &flags);                               \
                if (r < 0)                                                                 \
                        return r;                                                          \
                return vb_bus_run_domain_op(m, d, flags,                                   \
                                            VB_DRIVER_HAS(d->conn, domain, op) ? d->conn->driver->domain->op : NULL, \
                                            NULL, api, error);                             \
        }

DOMAIN_FLAGS_OP(create, create, "virDomainCreateWithFlags")
DOMAIN_FLAGS_OP(destroy, destroy, "virDomainDestroyFlags")
DOMAIN_FLAGS_OP(shutdown, shutdown, "virDomainShutdownFlags")
DOMAIN_FLAGS_OP(reboot, reboot, "virDomainReboot")
DOMAIN_FLAGS_OP(reset, reset, "virDomainReset")

static int method_suspend(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        VbDomainObj *d = userdata;
        return vb_bus_run_domain_op(m, d, 0, NULL,
                                    VB_DRIVER_HAS(d->conn, domain, suspend) ? d->conn->driver->domain->suspend : NULL,
                                    "virDomainSuspend", error);
}

static int method_resume(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        VbDomainObj *d = userdata;
        return vb_bus_run_domain_op(m, d, 0, NULL,
                                    VB_DRIVER_HAS(d->conn, domain, resume) ? d->conn->driver->domain->resume : NULL,
                                    "virDomainResume", error);
}

static int method_undefine(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainObj *d = userdata;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(d->conn, domain, undefine, "virDomainUndefineFlags", &e, d, flags, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "");
}

static int method_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *xml = NULL;
        VbDomainObj *d = userdata;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(d->conn, domain, get_xml_desc, "virDomainGetXMLDesc", &e, d, flags, &xml, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "s", xml);
}

static int method_get_state(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainObj *d = userdata;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        if (flags != 0)
                return vb_bus_errorf(error, VB_ERR_INVALID_ARG,
                                     "unsupported flags (0x%x) in function virDomainGetState", flags);
        return sd_bus_reply_method_return(m, "(ii)", (int32_t) d->state, (int32_t) d->reason);
}

/* ---- properties ---- */

static int property_active(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", vb_domain_is_active(userdata));
}

static int property_autostart(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", ((VbDomainObj *) userdata)->autostart);
}

static int property_set_autostart(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *value, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainObj *d = userdata;
        int b, r;

        r = sd_bus_message_read(value, "b", &b);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(d->conn, domain, set_autostart, "virDomainSetAutostart", &e, d, b, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return 0;
}

static int property_id(sd_bus *bus, const char *path, const char *interface, const char *property,
                       sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const VbDomainObj *d = userdata;
        /* libvirt-dbus reports 0 for inactive domains */
        return sd_bus_message_append(reply, "u", (uint32_t) (d->id < 0 ? 0 : d->id));
}

static int property_name(sd_bus *bus, const char *path, const char *interface, const char *property,
                         sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", ((VbDomainObj *) userdata)->def->name);
}

static int property_os_type(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *s = NULL;
        VbDomainObj *d = userdata;
        int r;

        if (VB_DRIVER_HAS(d->conn, domain, get_os_type))
                r = d->conn->driver->domain->get_os_type(d, &s, &e);
        else
                r = vb_strdup_replace(&s, d->def->os_type);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_message_append(reply, "s", strempty(s));
}

static int property_persistent(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", ((VbDomainObj *) userdata)->persistent);
}

static int property_scheduler_type(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *s = NULL;
        VbDomainObj *d = userdata;
        int n = 0, r;

        r = VB_DRIVER_CALL(d->conn, domain, get_scheduler_type, "virDomainGetSchedulerType", &e,
                           d, &s, &n, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_message_append(reply, "(si)", s, (int32_t) n);
}

static int property_updated(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", ((VbDomainObj *) userdata)->updated);
}

static int property_uuid(sd_bus *bus, const char *path, const char *interface, const char *property,
                         sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        char s[37];
        vb_uuid_format(((VbDomainObj *) userdata)->def->uuid, s);
        return sd_bus_message_append(reply, "s", s);
}

#define FLAGS_METHOD(name, handler)                                                              \
        SD_BUS_METHOD_WITH_NAMES(name, "u", SD_BUS_PARAM(flags), "", , handler, SD_BUS_VTABLE_UNPRIVILEGED)

static const sd_bus_vtable domain_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Active", "b", property_active, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_WRITABLE_PROPERTY("Autostart", "b", property_autostart, property_set_autostart, 0,
                                 SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_PROPERTY("Id", "u", property_id, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Name", "s", property_name, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("OSType", "s", property_os_type, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Persistent", "b", property_persistent, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("SchedulerType", "(si)", property_scheduler_type, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Updated", "b", property_updated, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("UUID", "s", property_uuid, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        FLAGS_METHOD("Create", method_create),
        FLAGS_METHOD("Destroy", method_destroy),
        SD_BUS_METHOD_WITH_NAMES("GetState", "u", SD_BUS_PARAM(flags), "(ii)", SD_BUS_PARAM(state),
                                 method_get_state, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetXMLDesc", "u", SD_BUS_PARAM(flags), "s", SD_BUS_PARAM(xml),
                                 method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
        FLAGS_METHOD("Reboot", method_reboot),
        FLAGS_METHOD("Reset", method_reset),
        SD_BUS_METHOD("Resume", "", "", method_resume, SD_BUS_VTABLE_UNPRIVILEGED),
        FLAGS_METHOD("Shutdown", method_shutdown),
        SD_BUS_METHOD("Suspend", "", "", method_suspend, SD_BUS_VTABLE_UNPRIVILEGED),
        FLAGS_METHOD("Undefine", method_undefine),
        SD_BUS_SIGNAL("Reboot", "", 0),
        SD_BUS_SIGNAL_WITH_NAMES("MetadataChange", "is", SD_BUS_PARAM(type) SD_BUS_PARAM(nsuri), 0),
        SD_BUS_SIGNAL_WITH_NAMES("DeviceAdded", "s", SD_BUS_PARAM(device), 0),
        SD_BUS_SIGNAL_WITH_NAMES("DeviceRemoved", "s", SD_BUS_PARAM(device), 0),
        SD_BUS_SIGNAL_WITH_NAMES("BalloonChange", "t", SD_BUS_PARAM(actual), 0),
        SD_BUS_VTABLE_END
};

const VbBusKind vb_bus_kind_domain = {
        .interface = "org.libvirt.Domain",
        .element = "domain",
        .vtable = domain_vtable,
        .kind = VB_KIND_DOMAIN,
        .acl_object = "domain",
        .find = domain_find,
        .label = domain_label,
        .list = domain_list,
        .details = domain_details,
        .conn_of = domain_conn_of,
};
