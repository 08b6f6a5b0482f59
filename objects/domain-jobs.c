/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Domain: block jobs, migration tuning, I/O threads and block
 * thresholds. The test driver has none of these (like libvirt's), so they end in
 * the central "not supported" check; drivers that have them fill the ops. */
#include "bus-method.h"
#include "domain-extra.h"
#include "typed-params.h"

VB_HANDLER(vb_domain_method_block_commit) {
        VB_DOMAIN_VARS;
        const char *disk, *base, *top;
        uint64_t bandwidth;
        uint32_t flags;

        r = sd_bus_message_read(m, "ssstu", &disk, &base, &top, &bandwidth, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(block_commit, "virDomainBlockCommit", d, disk, empty_to_null(base), empty_to_null(top),
                       bandwidth, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_block_copy) {
        VB_DOMAIN_VARS;
        _cleanup_typed_params_ VbTypedParams tp = {};
        const char *disk, *destxml;
        uint32_t flags;

        r = sd_bus_message_read(m, "ss", &disk, &destxml);
        if (r >= 0)
                r = vb_bus_read_typed_params(m, &tp, error);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(block_copy, "virDomainBlockCopy", d, disk, destxml, &tp, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_block_job_abort) {
        VB_DOMAIN_VARS;
        const char *disk;
        uint32_t flags;

        r = sd_bus_message_read(m, "su", &disk, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(block_job_abort, "virDomainBlockJobAbort", d, disk, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

#define DISK_T_FLAGS(fn, op, api)                                                            \
        VB_HANDLER(fn) {                                                                     \
                VB_DOMAIN_VARS;                                                              \
                const char *disk;                                                            \
                uint64_t v;                                                                  \
                uint32_t flags;                                                              \
                r = sd_bus_message_read(m, "stu", &disk, &v, &flags);                        \
                if (r < 0)                                                                   \
                        return r;                                                            \
                VB_DOMAIN_CALL(op, api, d, disk, v, flags, &e);                              \
                return sd_bus_reply_method_return(m, "");                                    \
        }

DISK_T_FLAGS(vb_domain_method_block_pull, block_pull, "virDomainBlockPull")
DISK_T_FLAGS(vb_domain_method_block_resize, block_resize, "virDomainBlockResize")
DISK_T_FLAGS(vb_domain_method_block_job_set_speed, block_job_set_speed, "virDomainBlockJobSetSpeed")
DISK_T_FLAGS(vb_domain_method_set_block_threshold, set_block_threshold, "virDomainSetBlockThreshold")

VB_HANDLER(vb_domain_method_block_rebase) {
        VB_DOMAIN_VARS;
        const char *disk, *base;
        uint64_t bandwidth;
        uint32_t flags;

        r = sd_bus_message_read(m, "sstu", &disk, &base, &bandwidth, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(block_rebase, "virDomainBlockRebase", d, disk, empty_to_null(base), bandwidth, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_get_block_job_info) {
        VB_DOMAIN_VARS;
        VbBlockJobInfo info = {};
        const char *disk;
        uint32_t flags;

        r = sd_bus_message_read(m, "su", &disk, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(get_block_job_info, "virDomainGetBlockJobInfo", d, disk, flags, &info, &e);
        return sd_bus_reply_method_return(m, "(ittt)", (int32_t) info.type, info.bandwidth, info.cur, info.end);
}

#define GET_T(fn, op, api)                                                                   \
        VB_HANDLER(fn) {                                                                     \
                VB_DOMAIN_VARS;                                                              \
                uint64_t v = 0;                                                              \
                uint32_t flags;                                                              \
                r = sd_bus_message_read(m, "u", &flags);                                     \
                if (r < 0)                                                                   \
                        return r;                                                            \
                VB_DOMAIN_CALL(op, api, d, flags, &v, &e);                                   \
                return sd_bus_reply_method_return(m, "t", v);                                \
        }

#define SET_T(fn, op, api)                                                                   \
        VB_HANDLER(fn) {                                                                     \
                VB_DOMAIN_VARS;                                                              \
                uint64_t v;                                                                  \
                uint32_t flags;                                                              \
                r = sd_bus_message_read(m, "tu", &v, &flags);                                \
                if (r < 0)                                                                   \
                        return r;                                                            \
                VB_DOMAIN_CALL(op, api, d, v, flags, &e);                                    \
                return sd_bus_reply_method_return(m, "");                                    \
        }

GET_T(vb_domain_method_migrate_get_compression_cache, migrate_get_compression_cache,
      "virDomainMigrateGetCompressionCache")
GET_T(vb_domain_method_migrate_get_max_speed, migrate_get_max_speed, "virDomainMigrateGetMaxSpeed")
SET_T(vb_domain_method_migrate_set_compression_cache, migrate_set_compression_cache,
      "virDomainMigrateSetCompressionCache")
SET_T(vb_domain_method_migrate_set_max_speed, migrate_set_max_speed, "virDomainMigrateSetMaxSpeed")
SET_T(vb_domain_method_migrate_set_max_downtime, migrate_set_max_downtime, "virDomainMigrateSetMaxDowntime")

VB_BUS_METHOD_FLAGS(vb_domain_method_migrate_start_post_copy, VbDomainObj, conn, domain, migrate_start_post_copy,
                    "virDomainMigrateStartPostCopy")

VB_HANDLER(vb_domain_method_migrate_to_uri3) {
        VB_DOMAIN_VARS;
        _cleanup_typed_params_ VbTypedParams tp = {};
        const char *uri;
        uint32_t flags;

        r = sd_bus_message_read(m, "s", &uri);
        if (r >= 0)
                r = vb_bus_read_typed_params(m, &tp, error);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(migrate_to_uri3, "virDomainMigrateToURI3", d, uri, &tp, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

#define IOTHREAD_ID(fn, op, api)                                                             \
        VB_HANDLER(fn) {                                                                     \
                VB_DOMAIN_VARS;                                                              \
                uint32_t id, flags;                                                          \
                r = sd_bus_message_read(m, "uu", &id, &flags);                               \
                if (r < 0)                                                                   \
                        return r;                                                            \
                VB_DOMAIN_CALL(op, api, d, id, flags, &e);                                   \
                return sd_bus_reply_method_return(m, "");                                    \
        }

IOTHREAD_ID(vb_domain_method_add_iothread, add_iothread, "virDomainAddIOThread")
IOTHREAD_ID(vb_domain_method_del_iothread, del_iothread, "virDomainDelIOThread")

VB_HANDLER(vb_domain_method_pin_iothread) {
        VbDomainObj *d = userdata;
        return vb_domain_pin(m, d, VB_DOP(d, pin_iothread), "virDomainPinIOThread", error);
}

static int append_iothread(sd_bus_message *reply, const void *items, size_t i) {
        const VbIOThreadInfo *t = (const VbIOThreadInfo *) items + i;
        int r = sd_bus_message_open_container(reply, 'r', "uab");
        if (r >= 0)
                r = sd_bus_message_append(reply, "u", (uint32_t) t->id);
        if (r >= 0)
                r = vb_bus_append_cpumap_row(reply, t->map.map, t->map.n_cpus);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

VB_HANDLER(vb_domain_method_get_iothread_info) {
        VB_DOMAIN_VARS;
        VbIOThreadInfo *l = NULL;
        uint32_t flags;
        size_t n = 0;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(get_iothread_info, "virDomainGetIOThreadInfo", d, flags, &l, &n, &e);
        r = vb_bus_reply_array(m, "(uab)", append_iothread, l, n);
        vb_iothread_info_free(l, n);
        return r;
}
