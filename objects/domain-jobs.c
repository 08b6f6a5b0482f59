/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Domain: block jobs, migration tuning, I/O threads and block
 * thresholds. The test driver has none of these (like libvirt's), so they end in
 * the central "not supported" check; drivers that have them fill the ops. */
#include "domain-extra.h"
#include "typed-params.h"

#define CALL(op, api, ...)                                                                   \
        do {                                                                                 \
                r = VB_DRIVER_CALL(d->conn, domain, op, api, &e, __VA_ARGS__);               \
                if (r < 0)                                                                   \
                        return vb_bus_error(error, &e);                                      \
        } while (0)

#define DOMAIN_VARS                                                                          \
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;                                        \
        VbDomainObj *d = userdata;                                                           \
        int r

static const char *nullable(const char *s) {
        return isempty(s) ? NULL : s;
}

VB_HANDLER(vb_domain_method_block_commit) {
        DOMAIN_VARS;
        const char *disk, *base, *top;
        uint64_t bandwidth;
        uint32_t flags;

        r = sd_bus_message_read(m, "ssstu", &disk, &base, &top, &bandwidth, &flags);
        if (r < 0)
                return r;
        CALL(block_commit, "virDomainBlockCommit", d, disk, nullable(base), nullable(top), bandwidth, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_block_copy) {
        DOMAIN_VARS;
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
        CALL(block_copy, "virDomainBlockCopy", d, disk, destxml, &tp, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_block_job_abort) {
        DOMAIN_VARS;
        const char *disk;
        uint32_t flags;

        r = sd_bus_message_read(m, "su", &disk, &flags);
        if (r < 0)
                return r;
        CALL(block_job_abort, "virDomainBlockJobAbort", d, disk, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

#define DISK_T_FLAGS(fn, op, api)                                                            \
        VB_HANDLER(fn) {                                                                     \
                DOMAIN_VARS;                                                                 \
                const char *disk;                                                            \
                uint64_t v;                                                                  \
                uint32_t flags;                                                              \
                r = sd_bus_message_read(m, "stu", &disk, &v, &flags);                        \
                if (r < 0)                                                                   \
                        return r;                                                            \
                CALL(op, api, d, disk, v, flags, &e);                                        \
                return sd_bus_reply_method_return(m, "");                                    \
        }

DISK_T_FLAGS(vb_domain_method_block_pull, block_pull, "virDomainBlockPull")
DISK_T_FLAGS(vb_domain_method_block_resize, block_resize, "virDomainBlockResize")
DISK_T_FLAGS(vb_domain_method_block_job_set_speed, block_job_set_speed, "virDomainBlockJobSetSpeed")
DISK_T_FLAGS(vb_domain_method_set_block_threshold, set_block_threshold, "virDomainSetBlockThreshold")

VB_HANDLER(vb_domain_method_block_rebase) {
        DOMAIN_VARS;
        const char *disk, *base;
        uint64_t bandwidth;
        uint32_t flags;

        r = sd_bus_message_read(m, "sstu", &disk, &base, &bandwidth, &flags);
        if (r < 0)
                return r;
        CALL(block_rebase, "virDomainBlockRebase", d, disk, nullable(base), bandwidth, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_get_block_job_info) {
        DOMAIN_VARS;
        VbBlockJobInfo info = {};
        const char *disk;
        uint32_t flags;

        r = sd_bus_message_read(m, "su", &disk, &flags);
        if (r < 0)
                return r;
        CALL(get_block_job_info, "virDomainGetBlockJobInfo", d, disk, flags, &info, &e);
        return sd_bus_reply_method_return(m, "(ittt)", (int32_t) info.type, info.bandwidth, info.cur, info.end);
}

#define GET_T(fn, op, api)                                                                   \
        VB_HANDLER(fn) {                                                                     \
                DOMAIN_VARS;                                                                 \
                uint64_t v = 0;                                                              \
                uint32_t flags;                                                              \
                r = sd_bus_message_read(m, "u", &flags);                                     \
                if (r < 0)                                                                   \
                        return r;                                                            \
                CALL(op, api, d, flags, &v, &e);                                             \
                return sd_bus_reply_method_return(m, "t", v);                                \
        }

#define SET_T(fn, op, api)                                                                   \
        VB_HANDLER(fn) {                                                                     \
                DOMAIN_VARS;                                                                 \
                uint64_t v;                                                                  \
                uint32_t flags;                                                              \
                r = sd_bus_message_read(m, "tu", &v, &flags);                                \
                if (r < 0)                                                                   \
                        return r;                                                            \
                CALL(op, api, d, v, flags, &e);                                              \
                return sd_bus_reply_method_return(m, "");                                    \
        }

GET_T(vb_domain_method_migrate_get_compression_cache, migrate_get_compression_cache,
      "virDomainMigrateGetCompressionCache")
GET_T(vb_domain_method_migrate_get_max_speed, migrate_get_max_speed, "virDomainMigrateGetMaxSpeed")
SET_T(vb_domain_method_migrate_set_compression_cache, migrate_set_compression_cache,
      "virDomainMigrateSetCompressionCache")
SET_T(vb_domain_method_migrate_set_max_speed, migrate_set_max_speed, "virDomainMigrateSetMaxSpeed")
SET_T(vb_domain_method_migrate_set_max_downtime, migrate_set_max_downtime, "virDomainMigrateSetMaxDowntime")

VB_HANDLER(vb_domain_method_migrate_start_post_copy) {
        DOMAIN_VARS;
        uint32_t flags;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        CALL(migrate_start_post_copy, "virDomainMigrateStartPostCopy", d, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_migrate_to_uri3) {
        DOMAIN_VARS;
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
        CALL(migrate_to_uri3, "virDomainMigrateToURI3", d, uri, &tp, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

#define IOTHREAD_ID(fn, op, api)                                                             \
        VB_HANDLER(fn) {                                                                     \
                DOMAIN_VARS;                                                                 \
                uint32_t id, flags;                                                          \
                r = sd_bus_message_read(m, "uu", &id, &flags);                               \
                if (r < 0)                                                                   \
                        return r;                                                            \
                CALL(op, api, d, id, flags, &e);                                             \
                return sd_bus_reply_method_return(m, "");                                    \
        }

IOTHREAD_ID(vb_domain_method_add_iothread, add_iothread, "virDomainAddIOThread")
IOTHREAD_ID(vb_domain_method_del_iothread, del_iothread, "virDomainDelIOThread")

VB_HANDLER(vb_domain_method_pin_iothread) {
        DOMAIN_VARS;
        _cleanup_free_ bool *map = NULL;
        uint32_t id, flags;
        size_t n;

        r = sd_bus_message_read(m, "u", &id);
        if (r >= 0)
                r = vb_bus_read_cpumap(m, &map, &n);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        CALL(pin_iothread, "virDomainPinIOThread", d, id, map, n, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_get_iothread_info) {
        DOMAIN_VARS;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        VbIOThreadInfo *l = NULL;
        uint32_t flags;
        size_t n = 0;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        CALL(get_iothread_info, "virDomainGetIOThreadInfo", d, flags, &l, &n, &e);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(uab)");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = sd_bus_message_open_container(reply, 'r', "uab");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "u", (uint32_t) l[i].id);
                if (r >= 0)
                        r = vb_bus_append_cpumap_row(reply, l[i].map.map, l[i].map.n_cpus);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        vb_iothread_info_free(l, n);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}
