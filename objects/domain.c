/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Domain at <connect>/domain/_<uuid>. The gate (gate.c) has already
 * authorized the call; handlers read → validate → driver op → reply. */
#include "bus-method.h"
#include "object-path.h"
#include "xml-util.h"
#include "domain-extra.h"   /* helper-H */

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

static char **domain_path_cache(const void *obj) {
        return &((VbDomainObj *) obj)->bus_path;
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

static VB_BUS_METHOD_FLAGS(method_undefine, VbDomainObj, conn, domain, undefine, "virDomainUndefineFlags")
static VB_BUS_METHOD_GET_XML(method_get_xml_desc, VbDomainObj, conn, domain, get_xml_desc, "virDomainGetXMLDesc")

static int method_get_state(sd_bus_message *m, void *userdata, sd_bus_error *error) {
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

VB_BUS_DEFINE_AUTOSTART_SETTER(property_set_autostart, VbDomainObj, domain, set_autostart, "virDomainSetAutostart")

static int property_active(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", vb_domain_is_active(userdata));
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
        VB_BUS_AUTOSTART_PROPERTY(VbDomainObj, property_set_autostart),
        SD_BUS_PROPERTY("Id", "u", property_id, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Name", "s", property_name, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("OSType", "s", property_os_type, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Persistent", "b", vb_bus_property_get_bool, offsetof(VbDomainObj, persistent),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("SchedulerType", "(si)", property_scheduler_type, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Updated", "b", vb_bus_property_get_bool, offsetof(VbDomainObj, updated),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
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
        /* helper-H: the rest of org.libvirt.Domain (handlers in domain-*.c, snapshot.c) */
        SD_BUS_METHOD("AbortJob", "", "", vb_domain_method_abort_job, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("AddIOThread", "uu", SD_BUS_PARAM(iothreadId) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_add_iothread, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("AttachDevice", "su", SD_BUS_PARAM(xml) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_attach_device, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("BlockCommit", "ssstu", SD_BUS_PARAM(disk) SD_BUS_PARAM(base) SD_BUS_PARAM(top) SD_BUS_PARAM(bandwidth) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_block_commit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("BlockCopy", "ssa{sv}u", SD_BUS_PARAM(disk) SD_BUS_PARAM(destxml) SD_BUS_PARAM(params) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_block_copy, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("BlockJobAbort", "su", SD_BUS_PARAM(disk) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_block_job_abort, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("BlockPeek", "sttu", SD_BUS_PARAM(disk) SD_BUS_PARAM(offset) SD_BUS_PARAM(size) SD_BUS_PARAM(flags), "ay", SD_BUS_PARAM(buffer),
                                 vb_domain_method_block_peek, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("BlockPull", "stu", SD_BUS_PARAM(disk) SD_BUS_PARAM(bandwidth) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_block_pull, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("BlockRebase", "sstu", SD_BUS_PARAM(disk) SD_BUS_PARAM(base) SD_BUS_PARAM(bandwidth) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_block_rebase, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("BlockResize", "stu", SD_BUS_PARAM(disk) SD_BUS_PARAM(size) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_block_resize, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("BlockJobSetSpeed", "stu", SD_BUS_PARAM(disk) SD_BUS_PARAM(bandwidth) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_block_job_set_speed, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("CoreDump", "suu", SD_BUS_PARAM(to) SD_BUS_PARAM(dumpformat) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_core_dump, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("CreateWithFiles", "ahu", SD_BUS_PARAM(files) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_create_with_files, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("DelIOThread", "uu", SD_BUS_PARAM(iothreadId) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_del_iothread, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("DetachDevice", "su", SD_BUS_PARAM(xml) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_detach_device, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("FSFreeze", "asu", SD_BUS_PARAM(mountpoints) SD_BUS_PARAM(flags), "u", SD_BUS_PARAM(frozenFilesystems),
                                 vb_domain_method_fs_freeze, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("FSThaw", "asu", SD_BUS_PARAM(mountpoints) SD_BUS_PARAM(flags), "u", SD_BUS_PARAM(thawedFilesystems),
                                 vb_domain_method_fs_thaw, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("FSTrim", "stu", SD_BUS_PARAM(mountpoint) SD_BUS_PARAM(minimum) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_fs_trim, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetBlockIOParameters", "u", SD_BUS_PARAM(flags), "a{sv}", SD_BUS_PARAM(BlkioParameters),
                                 vb_domain_method_get_blkio_params, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetBlockIOTune", "su", SD_BUS_PARAM(disk) SD_BUS_PARAM(flags), "a{sv}", SD_BUS_PARAM(blockIOTune),
                                 vb_domain_method_get_block_iotune, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetBlockJobInfo", "su", SD_BUS_PARAM(disk) SD_BUS_PARAM(flags), "(ittt)", SD_BUS_PARAM(blockJobInfo),
                                 vb_domain_method_get_block_job_info, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetControlInfo", "u", SD_BUS_PARAM(flags), "(uut)", SD_BUS_PARAM(controlInfo),
                                 vb_domain_method_get_control_info, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetDiskErrors", "u", SD_BUS_PARAM(flags), "a(si)", SD_BUS_PARAM(diskErrors),
                                 vb_domain_method_get_disk_errors, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetEmulatorPinInfo", "u", SD_BUS_PARAM(flags), "ab", SD_BUS_PARAM(cpumap),
                                 vb_domain_method_get_emulator_pin_info, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetFSInfo", "u", SD_BUS_PARAM(flags), "a(sssas)", SD_BUS_PARAM(fsInfo),
                                 vb_domain_method_get_fs_info, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetGuestVcpus", "u", SD_BUS_PARAM(flags), "a{sv}", SD_BUS_PARAM(vcpus),
                                 vb_domain_method_get_guest_vcpus, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetHostname", "u", SD_BUS_PARAM(flags), "s", SD_BUS_PARAM(hostname),
                                 vb_domain_method_get_hostname, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetInterfaceParameters", "su", SD_BUS_PARAM(device) SD_BUS_PARAM(flags), "a{sv}", SD_BUS_PARAM(interfaceParameters),
                                 vb_domain_method_get_interface_params, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetIOThreadInfo", "u", SD_BUS_PARAM(flags), "a(uab)", SD_BUS_PARAM(ioThreadInfo),
                                 vb_domain_method_get_iothread_info, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetJobInfo", "", , "(ittttttttttt)", SD_BUS_PARAM(jobInfo),
                                 vb_domain_method_get_job_info, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetJobStats", "u", SD_BUS_PARAM(flags), "(ia{sv})", SD_BUS_PARAM(stats),
                                 vb_domain_method_get_job_stats, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetMemoryParameters", "u", SD_BUS_PARAM(flags), "a{sv}", SD_BUS_PARAM(memoryParameters),
                                 vb_domain_method_get_memory_params, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetMetadata", "isu", SD_BUS_PARAM(type) SD_BUS_PARAM(uri) SD_BUS_PARAM(flags), "s", SD_BUS_PARAM(metadata),
                                 vb_domain_method_get_metadata, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetNumaParameters", "u", SD_BUS_PARAM(flags), "a{sv}", SD_BUS_PARAM(numaParameters),
                                 vb_domain_method_get_numa_params, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetPerfEvents", "u", SD_BUS_PARAM(flags), "a{sv}", SD_BUS_PARAM(perfEvents),
                                 vb_domain_method_get_perf_events, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetSchedulerParameters", "u", SD_BUS_PARAM(flags), "a{sv}", SD_BUS_PARAM(SchedulerParameters),
                                 vb_domain_method_get_sched_params, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetSecurityLabelList", "", , "a(sb)", SD_BUS_PARAM(securityLabels),
                                 vb_domain_method_get_security_label_list, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetStats", "uu", SD_BUS_PARAM(stats) SD_BUS_PARAM(flags), "a{sv}", SD_BUS_PARAM(records),
                                 vb_domain_method_get_stats, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetTime", "u", SD_BUS_PARAM(flags), "(tu)", SD_BUS_PARAM(time),
                                 vb_domain_method_get_time, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetVcpuPinInfo", "u", SD_BUS_PARAM(flags), "aab", SD_BUS_PARAM(vcpuPinInfo),
                                 vb_domain_method_get_vcpu_pin_info, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetVcpus", "u", SD_BUS_PARAM(flags), "u", SD_BUS_PARAM(vcpus),
                                 vb_domain_method_get_vcpus, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("HasManagedSaveImage", "u", SD_BUS_PARAM(flags), "b", SD_BUS_PARAM(managedSaveImage),
                                 vb_domain_method_has_managed_save_image, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("InjectNMI", "u", SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_inject_nmi, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("InterfaceAddresses", "uu", SD_BUS_PARAM(source) SD_BUS_PARAM(flags), "a(ssa(isu))", SD_BUS_PARAM(ifaces),
                                 vb_domain_method_interface_addresses, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListDomainSnapshots", "u", SD_BUS_PARAM(flags), "ao", SD_BUS_PARAM(domainSnapshots),
                                 vb_domain_method_list_domain_snapshots, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ManagedSave", "u", SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_managed_save, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ManagedSaveRemove", "u", SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_managed_save_remove, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("MemoryPeek", "ttu", SD_BUS_PARAM(offset) SD_BUS_PARAM(size) SD_BUS_PARAM(flags), "ay", SD_BUS_PARAM(buffer),
                                 vb_domain_method_memory_peek, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("MemoryStats", "u", SD_BUS_PARAM(flags), "a{it}", SD_BUS_PARAM(stats),
                                 vb_domain_method_memory_stats, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("MigrateGetCompressionCache", "u", SD_BUS_PARAM(flags), "t", SD_BUS_PARAM(cacheSize),
                                 vb_domain_method_migrate_get_compression_cache, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("MigrateGetMaxSpeed", "u", SD_BUS_PARAM(flags), "t", SD_BUS_PARAM(bandwidth),
                                 vb_domain_method_migrate_get_max_speed, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("MigrateSetCompressionCache", "tu", SD_BUS_PARAM(cacheSize) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_migrate_set_compression_cache, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("MigrateSetMaxDowntime", "tu", SD_BUS_PARAM(downtime) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_migrate_set_max_downtime, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("MigrateSetMaxSpeed", "tu", SD_BUS_PARAM(bandwidth) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_migrate_set_max_speed, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("MigrateStartPostCopy", "u", SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_migrate_start_post_copy, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("MigrateToURI3", "sa{sv}u", SD_BUS_PARAM(dconuri) SD_BUS_PARAM(params) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_migrate_to_uri3, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("OpenGraphicsFD", "uu", SD_BUS_PARAM(idx) SD_BUS_PARAM(flags), "h", SD_BUS_PARAM(fd),
                                 vb_domain_method_open_graphics_fd, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("PinEmulator", "abu", SD_BUS_PARAM(cpumap) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_pin_emulator, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("PinIOThread", "uabu", SD_BUS_PARAM(iothreadId) SD_BUS_PARAM(cpumap) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_pin_iothread, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("PinVcpu", "uabu", SD_BUS_PARAM(vcpu) SD_BUS_PARAM(cpumap) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_pin_vcpu, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("PMWakeup", "u", SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_pm_wakeup, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Rename", "su", SD_BUS_PARAM(name) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_rename, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Save", "ssu", SD_BUS_PARAM(to) SD_BUS_PARAM(xml) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_save, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SendKey", "uuauu", SD_BUS_PARAM(codeset) SD_BUS_PARAM(holdtime) SD_BUS_PARAM(keycodes) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_send_key, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SendProcessSignal", "xuu", SD_BUS_PARAM(pidValue) SD_BUS_PARAM(sigNum) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_send_process_signal, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetBlockIOParameters", "a{sv}u", SD_BUS_PARAM(params) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_blkio_params, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetBlockIOTune", "sa{sv}u", SD_BUS_PARAM(disk) SD_BUS_PARAM(params) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_block_iotune, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetBlockThreshold", "stu", SD_BUS_PARAM(dev) SD_BUS_PARAM(threshold) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_block_threshold, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetGuestVcpus", "abiu", SD_BUS_PARAM(vcpumap) SD_BUS_PARAM(state) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_guest_vcpus, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetInterfaceParameters", "sa{sv}u", SD_BUS_PARAM(device) SD_BUS_PARAM(params) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_interface_params, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetMemory", "tu", SD_BUS_PARAM(memory) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_memory, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetMemoryParameters", "a{sv}u", SD_BUS_PARAM(params) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_memory_params, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetMemoryStatsPeriod", "iu", SD_BUS_PARAM(period) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_memory_stats_period, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetMetadata", "isssu", SD_BUS_PARAM(type) SD_BUS_PARAM(metadata) SD_BUS_PARAM(key) SD_BUS_PARAM(uri) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_metadata, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetNumaParameters", "a{sv}u", SD_BUS_PARAM(params) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_numa_params, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetPerfEvents", "a{sv}u", SD_BUS_PARAM(params) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_perf_events, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetSchedulerParameters", "a{sv}u", SD_BUS_PARAM(params) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_sched_params, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetUserPassword", "ssu", SD_BUS_PARAM(user) SD_BUS_PARAM(password) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_user_password, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetTime", "tuu", SD_BUS_PARAM(seconds) SD_BUS_PARAM(nseconds) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_time, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetVcpus", "uu", SD_BUS_PARAM(vcpus) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_set_vcpus, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SnapshotCurrent", "u", SD_BUS_PARAM(flags), "o", SD_BUS_PARAM(domainSnapshot),
                                 vb_domain_method_snapshot_current, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SnapshotCreateXML", "su", SD_BUS_PARAM(xml) SD_BUS_PARAM(flags), "o", SD_BUS_PARAM(domainSnapshot),
                                 vb_domain_method_snapshot_create_xml, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SnapshotLookupByName", "su", SD_BUS_PARAM(name) SD_BUS_PARAM(flags), "o", SD_BUS_PARAM(domainSnapshot),
                                 vb_domain_method_snapshot_lookup_by_name, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("UpdateDevice", "su", SD_BUS_PARAM(xml) SD_BUS_PARAM(flags), "", ,
                                 vb_domain_method_update_device, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_NAMES("AgentEvent", "ii", SD_BUS_PARAM(state) SD_BUS_PARAM(reason), 0),
        SD_BUS_SIGNAL_WITH_NAMES("BlockJob", "sii", SD_BUS_PARAM(disk) SD_BUS_PARAM(type) SD_BUS_PARAM(status), 0),
        SD_BUS_SIGNAL("ControlError", "", 0),
        SD_BUS_SIGNAL_WITH_NAMES("DeviceRemovalFailed", "s", SD_BUS_PARAM(device), 0),
        SD_BUS_SIGNAL_WITH_NAMES("DiskChange", "sssi", SD_BUS_PARAM(oldSrcPath) SD_BUS_PARAM(newSrcPath) SD_BUS_PARAM(device) SD_BUS_PARAM(reason), 0),
        SD_BUS_SIGNAL_WITH_NAMES("Graphics", "i(iss)(iss)sa(ss)", SD_BUS_PARAM(phase) SD_BUS_PARAM(local) SD_BUS_PARAM(remote) SD_BUS_PARAM(authScheme) SD_BUS_PARAM(identities), 0),
        SD_BUS_SIGNAL_WITH_NAMES("IOError", "ssis", SD_BUS_PARAM(srcPath) SD_BUS_PARAM(device) SD_BUS_PARAM(action) SD_BUS_PARAM(reason), 0),
        SD_BUS_SIGNAL_WITH_NAMES("JobCompleted", "a{sv}", SD_BUS_PARAM(params), 0),
        SD_BUS_SIGNAL_WITH_NAMES("MigrationIteration", "i", SD_BUS_PARAM(iteration), 0),
        SD_BUS_SIGNAL_WITH_NAMES("PMSuspend", "i", SD_BUS_PARAM(reason), 0),
        SD_BUS_SIGNAL_WITH_NAMES("PMSuspendDisk", "i", SD_BUS_PARAM(reason), 0),
        SD_BUS_SIGNAL_WITH_NAMES("PMWakeup", "i", SD_BUS_PARAM(reason), 0),
        SD_BUS_SIGNAL_WITH_NAMES("RTCChange", "x", SD_BUS_PARAM(utcoffset), 0),
        SD_BUS_SIGNAL_WITH_NAMES("TrayChange", "si", SD_BUS_PARAM(device) SD_BUS_PARAM(reason), 0),
        SD_BUS_SIGNAL_WITH_NAMES("Tunable", "a{sv}", SD_BUS_PARAM(params), 0),
        SD_BUS_SIGNAL_WITH_NAMES("Watchdog", "i", SD_BUS_PARAM(action), 0),
        SD_BUS_SIGNAL_WITH_NAMES("BlockThreshold", "sstt", SD_BUS_PARAM(device) SD_BUS_PARAM(devPath) SD_BUS_PARAM(threshold) SD_BUS_PARAM(excess), 0),
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
        .path_cache = domain_path_cache,
        .conn_of = domain_conn_of,
        .find_name = (void *(*)(VbConnect *, const char *)) vb_domain_find_name,
        .find_uuid = (void *(*)(VbConnect *, const uint8_t *)) vb_domain_find_uuid,
        .not_found = VB_ERR_NO_DOMAIN,
        .noun = "domain",
};
