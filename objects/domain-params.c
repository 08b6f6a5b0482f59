/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Domain: typed-parameter tunables, statistics and guest information;
 * the Connect methods on statistics and save images. */
#include "bus-method.h"
#include "domain-extra.h"
#include "typed-params.h"

#define PEEK_MAX (4U * 1024U * 1024U)   /* libvirt's remote protocol limit for peeks */

/* ---- tunables: Get*(flags) / Get*(device, flags) and Set*(params, flags) ---- */

static int get_params(sd_bus_message *m, VbDomainObj *d, VbDomainGetParamsFn fn, const char *api,
                      bool with_device, sd_bus_error *error) {
        _cleanup_typed_params_ VbTypedParams tp = {};
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        const char *device = NULL;
        uint32_t flags;
        int r;

        r = with_device ? sd_bus_message_read(m, "su", &device, &flags) : sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = fn ? fn(d, device, flags, &tp, &e) : vb_error_unsupported(&e, api);
        if (r < 0)
                return vb_bus_error(error, &e);
        return vb_bus_reply_typed_params(m, &tp);
}

static int set_params(sd_bus_message *m, VbDomainObj *d, VbDomainSetParamsFn fn, const char *api,
                      bool with_device, sd_bus_error *error) {
        _cleanup_typed_params_ VbTypedParams tp = {};
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        const char *device = NULL;
        uint32_t flags;
        int r;

        if (with_device) {
                r = sd_bus_message_read(m, "s", &device);
                if (r < 0)
                        return r;
        }
        r = vb_bus_read_typed_params(m, &tp, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = fn ? fn(d, device, &tp, flags, &e) : vb_error_unsupported(&e, api);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "");
}

#define PARAMS_PAIR(name, op, get_api, set_api, dev)                                         \
        VB_HANDLER(vb_domain_method_get_##name) {                                            \
                VbDomainObj *d = userdata;                                                   \
                return get_params(m, d, VB_DOP(d, get_##op), get_api, dev, error);           \
        }                                                                                    \
        VB_HANDLER(vb_domain_method_set_##name) {                                            \
                VbDomainObj *d = userdata;                                                   \
                return set_params(m, d, VB_DOP(d, set_##op), set_api, dev, error);           \
        }

PARAMS_PAIR(blkio_params, blkio_params, "virDomainGetBlkioParameters", "virDomainSetBlkioParameters", false)
PARAMS_PAIR(memory_params, memory_params, "virDomainGetMemoryParameters", "virDomainSetMemoryParameters", false)
PARAMS_PAIR(numa_params, numa_params, "virDomainGetNumaParameters", "virDomainSetNumaParameters", false)
PARAMS_PAIR(sched_params, sched_params, "virDomainGetSchedulerParametersFlags",
            "virDomainSetSchedulerParametersFlags", false)
PARAMS_PAIR(perf_events, perf_events, "virDomainGetPerfEvents", "virDomainSetPerfEvents", false)
PARAMS_PAIR(interface_params, interface_params, "virDomainGetInterfaceParameters",
            "virDomainSetInterfaceParameters", true)
PARAMS_PAIR(block_iotune, block_iotune, "virDomainGetBlockIoTune", "virDomainSetBlockIoTune", true)

/* ---- statistics ---- */

/* GetStats, GetAllDomainStats and MemoryStats: objects/domain-stats.c */

/* ---- jobs ---- */

VB_HANDLER(vb_domain_method_get_job_info) {
        VB_DOMAIN_VARS;
        VbJobInfo j = {};

        VB_DOMAIN_CALL(get_job_info, "virDomainGetJobInfo", d, &j, &e);
        return sd_bus_reply_method_return(m, "(ittttttttttt)", (int32_t) j.type, j.time_elapsed,
                                          j.time_remaining, j.data_total, j.data_processed, j.data_remaining,
                                          j.mem_total, j.mem_processed, j.mem_remaining, j.file_total,
                                          j.file_processed, j.file_remaining);
}

VB_HANDLER(vb_domain_method_get_job_stats) {
        VB_DOMAIN_VARS;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_typed_params_ VbTypedParams tp = {};
        uint32_t flags;
        int type = 0;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(get_job_stats, "virDomainGetJobStats", d, flags, &type, &tp, &e);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'r', "ia{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "i", (int32_t) type);
        if (r >= 0)
                r = vb_bus_append_typed_params(reply, &tp);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

VB_BUS_METHOD_NOARGS(vb_domain_method_abort_job, VbDomainObj, conn, domain, abort_job, "virDomainAbortJob")

/* ---- guest information lists ---- */

static int append_iface(sd_bus_message *reply, const void *items, size_t i) {
        const VbDomainIface *f = (const VbDomainIface *) items + i;
        int r = sd_bus_message_open_container(reply, 'r', "ssa(isu)");
        if (r >= 0)
                r = sd_bus_message_append(reply, "ss", strempty(f->name), strempty(f->hwaddr));
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(isu)");
        for (size_t j = 0; r >= 0 && j < f->n_addrs; j++)
                r = sd_bus_message_append(reply, "(isu)", (int32_t) f->addrs[j].type,
                                          strempty(f->addrs[j].addr), (uint32_t) f->addrs[j].prefix);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

VB_HANDLER(vb_domain_method_interface_addresses) {
        VB_DOMAIN_VARS;
        VbDomainIface *l = NULL;
        uint32_t source, flags;
        size_t n = 0;

        r = sd_bus_message_read(m, "uu", &source, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(interface_addresses, "virDomainInterfaceAddresses", d, source, flags, &l, &n, &e);
        r = vb_bus_reply_array(m, "(ssa(isu))", append_iface, l, n);
        vb_domain_ifaces_free(l, n);
        return r;
}

static int append_fs_info(sd_bus_message *reply, const void *items, size_t i) {
        const VbFSInfo *f = (const VbFSInfo *) items + i;
        int r = sd_bus_message_open_container(reply, 'r', "sssas");
        if (r >= 0)
                r = sd_bus_message_append(reply, "sss", strempty(f->mountpoint), strempty(f->name),
                                          strempty(f->fstype));
        if (r >= 0)
                r = sd_bus_message_append_strv(reply, f->devs);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

VB_HANDLER(vb_domain_method_get_fs_info) {
        VB_DOMAIN_VARS;
        VbFSInfo *l = NULL;
        uint32_t flags;
        size_t n = 0;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(get_fs_info, "virDomainGetFSInfo", d, flags, &l, &n, &e);
        r = vb_bus_reply_array(m, "(sssas)", append_fs_info, l, n);
        vb_fs_info_free(l, n);
        return r;
}

static int append_disk_error(sd_bus_message *reply, const void *items, size_t i) {
        const VbDiskError *de = (const VbDiskError *) items + i;
        return sd_bus_message_append(reply, "(si)", de->disk, (int32_t) de->error);
}

VB_HANDLER(vb_domain_method_get_disk_errors) {
        VB_DOMAIN_VARS;
        VbDiskError *l = NULL;
        uint32_t flags;
        size_t n = 0;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(get_disk_errors, "virDomainGetDiskErrors", d, flags, &l, &n, &e);
        r = vb_bus_reply_array(m, "(si)", append_disk_error, l, n);
        vb_disk_errors_free(l, n);
        return r;
}

static int append_sec_label(sd_bus_message *reply, const void *items, size_t i) {
        const VbSecLabel *sl = (const VbSecLabel *) items + i;
        return sd_bus_message_append(reply, "(sb)", strempty(sl->label), (int) sl->enforcing);
}

VB_HANDLER(vb_domain_method_get_security_label_list) {
        VB_DOMAIN_VARS;
        VbSecLabel *l = NULL;
        size_t n = 0;

        VB_DOMAIN_CALL(get_security_label_list, "virDomainGetSecurityLabelList", d, &l, &n, &e);
        r = vb_bus_reply_array(m, "(sb)", append_sec_label, l, n);
        vb_sec_labels_free(l, n);
        return r;
}

/* ---- peeks ---- */

static int reply_bytes(sd_bus_message *m, const uint8_t *buf, size_t n) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append_array(reply, 'y', buf, n);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

VB_HANDLER(vb_domain_method_block_peek) {
        VB_DOMAIN_VARS;
        _cleanup_free_ uint8_t *buf = NULL;
        const char *disk;
        uint64_t offset, size;
        uint32_t flags;

        r = sd_bus_message_read(m, "sttu", &disk, &offset, &size, &flags);
        if (r < 0)
                return r;
        if (size > PEEK_MAX)
                return vb_bus_errorf(error, VB_ERR_INVALID_ARG, "size must be at most %u bytes", PEEK_MAX);
        buf = malloc(size + 1);
        if (!buf)
                return -ENOMEM;
        VB_DOMAIN_CALL(block_peek, "virDomainBlockPeek", d, disk, offset, size, flags, buf, &e);
        return reply_bytes(m, buf, size);
}

VB_HANDLER(vb_domain_method_memory_peek) {
        VB_DOMAIN_VARS;
        _cleanup_free_ uint8_t *buf = NULL;
        uint64_t offset, size;
        uint32_t flags;

        r = sd_bus_message_read(m, "ttu", &offset, &size, &flags);
        if (r < 0)
                return r;
        if (size > PEEK_MAX)
                return vb_bus_errorf(error, VB_ERR_INVALID_ARG, "size must be at most %u bytes", PEEK_MAX);
        buf = malloc(size + 1);
        if (!buf)
                return -ENOMEM;
        VB_DOMAIN_CALL(memory_peek, "virDomainMemoryPeek", d, offset, size, flags, buf, &e);
        return reply_bytes(m, buf, size);
}

/* ---- Connect: save images ---- */

VB_HANDLER(vb_connect_method_domain_restore) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = userdata;
        const char *from, *xml;
        uint32_t flags;
        VbOp *op;
        int r;

        r = sd_bus_message_read(m, "ssu", &from, &xml, &flags);
        if (r < 0)
                return r;
        if (!VB_DRIVER_HAS(c, domain, restore)) {
                vb_error_unsupported(&e, "virDomainRestoreFlags");
                return vb_bus_error(error, &e);
        }
        /* a real guest replies once it runs again */
        op = vb_bus_reply_op_new(m, NULL);
        if (!op)
                return -ENOMEM;
        r = c->driver->domain->restore(c, from, isempty(xml) ? NULL : xml, flags, op, &e);
        return vb_bus_reply_op_result(op, r, &e);
}

VB_HANDLER(vb_connect_method_domain_save_image_get_xml_desc) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *xml = NULL;
        VbConnect *c = userdata;
        const char *file;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "su", &file, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(c, domain, save_image_get_xml_desc, "virDomainSaveImageGetXMLDesc", &e, c, file,
                           flags, &xml, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "s", xml);
}

VB_HANDLER(vb_connect_method_domain_save_image_define_xml) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = userdata;
        const char *file, *xml;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "ssu", &file, &xml, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(c, domain, save_image_define_xml, "virDomainSaveImageDefineXML", &e, c, file, xml,
                           flags, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "");
}
