/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.virtbus.Job1 at <connect>/job/<id>: progress and cancellation of long operations. */
#include <stdio.h>

#include "bus-object.h"
#include "job.h"

static void *job_find(VbConnect *c, const char *label) {
        char *end;
        unsigned long id;
        if (!label[0] || label[0] == '0')
                return NULL;
        errno = 0;
        id = strtoul(label, &end, 10);
        if (errno || *end || id > UINT32_MAX)
                return NULL;
        return vb_job_find(c, (unsigned) id);
}

static char *job_label(const void *obj) {
        return vb_strdupf("%u", ((const VbJob *) obj)->id);
}

static size_t job_list(VbConnect *c, void ***ret) {
        return vb_job_list(c, (VbJob ***) ret);
}

static VbConnect *job_conn_of(const void *obj) {
        return ((const VbJob *) obj)->conn;
}

static int method_cancel(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        int r = vb_job_cancel(userdata, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "");
}

static int property_progress(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "d", ((VbJob *) userdata)->progress);
}

static int property_bytes(sd_bus *bus, const char *path, const char *interface, const char *property,
                          sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        VbJob *j = userdata;
        return sd_bus_message_append(reply, "t", streq(property, "BytesDone") ? j->bytes_done : j->bytes_total);
}

static int property_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                          sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", vb_job_state_to_string(((VbJob *) userdata)->state));
}

static int property_operation(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", ((VbJob *) userdata)->operation);
}

static int property_object(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        VbJob *j = userdata;
        /* computed while the target is alive (at the latest when the job is announced) */
        if (!j->target_path && j->target) {
                const VbBusKind *k = vb_bus_kind_by_kind(j->target_kind);
                if (k)
                        j->target_path = vb_bus_object_path(k, j->target);
        }
        return sd_bus_message_append(reply, "o", j->target_path ? j->target_path : "/");
}

static const sd_bus_vtable job_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Progress", "d", property_progress, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("BytesDone", "t", property_bytes, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("BytesTotal", "t", property_bytes, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("State", "s", property_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Operation", "s", property_operation, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Object", "o", property_object, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD("Cancel", "", "", method_cancel, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_NAMES("Finished", "bs", SD_BUS_PARAM(success) SD_BUS_PARAM(error), 0),
        SD_BUS_VTABLE_END
};

const VbBusKind vb_bus_kind_job = {
        .interface = "org.virtbus.Job1",
        .element = "job",
        .vtable = job_vtable,
        .kind = VB_KIND_JOB,
        .acl_object = "connect",
        .find = job_find,
        .label = job_label,
        .list = job_list,
        .conn_of = job_conn_of,
};
