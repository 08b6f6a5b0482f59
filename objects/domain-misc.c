/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Domain: metadata, save, vCPUs, memory, rename, devices and guest
 * operations. read → validate → driver op → reply; the gate authorized the call. */
#include "bus-method.h"
#include "console.h"
#include "domain-extra.h"
#include "typed-params.h"

/* ---- helpers shared with the other handler files ---- */

int vb_bus_read_cpumap(sd_bus_message *m, bool **ret, size_t *ret_n) {
        const void *data;
        size_t n;
        bool *map;
        int r = sd_bus_message_read_array(m, 'b', &data, &n);
        if (r < 0)
                return r;
        n /= sizeof(int);   /* booleans travel as 32-bit values */
        map = calloc(n + 1, sizeof(bool));
        if (!map)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                map[i] = ((const int *) data)[i] != 0;
        *ret = map;
        *ret_n = n;
        return 0;
}

int vb_bus_append_cpumap_row(sd_bus_message *m, const bool *row, size_t n) {
        int r = sd_bus_message_open_container(m, 'a', "b");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(m, "b", (int) row[i]);
        return r < 0 ? r : sd_bus_message_close_container(m);
}

int vb_bus_read_strv(sd_bus_message *m, char ***ret) {
        char **l = NULL;
        size_t n = 0;
        const char *s;
        int r = sd_bus_message_enter_container(m, 'a', "s");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "s", &s)) > 0) {
                char **nl = n < 4096 ? realloc(l, (n + 2) * sizeof(char *)) : NULL;
                if (!nl) {
                        vb_strv_free(l);
                        return -ENOMEM;
                }
                l = nl;
                l[n++] = vb_strdup(s);
                l[n] = NULL;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r < 0) {
                vb_strv_free(l);
                return r;
        }
        *ret = l;
        return 0;
}

int vb_bus_reply_array(sd_bus_message *m, const char *contents, VbAppendItemFn append, const void *items,
                       size_t n) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', contents);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = append(reply, items, i);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* ---- metadata ---- */

VB_HANDLER(vb_domain_method_set_metadata) {
        VB_DOMAIN_VARS;
        const char *metadata, *key, *uri;
        int32_t type;
        uint32_t flags;

        r = sd_bus_message_read(m, "isssu", &type, &metadata, &key, &uri, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(set_metadata, "virDomainSetMetadata", d, type, empty_to_null(metadata), empty_to_null(key),
                       empty_to_null(uri), flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_get_metadata) {
        VB_DOMAIN_VARS;
        _cleanup_free_ char *s = NULL;
        const char *uri;
        int32_t type;
        uint32_t flags;

        r = sd_bus_message_read(m, "isu", &type, &uri, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(get_metadata, "virDomainGetMetadata", d, type, empty_to_null(uri), flags, &s, &e);
        return sd_bus_reply_method_return(m, "s", strempty(s));
}

/* ---- flags-only operations, saves ---- */

/* A driver op that may finish later (VbOp): the reply is sent when it does. */
#define OP_CALL(op_name, api, ...)                                                           \
        do {                                                                                 \
                VbOp *op_;                                                                   \
                if (!VB_DRIVER_HAS(d->conn, domain, op_name)) {                              \
                        vb_error_unsupported(&e, api);                                       \
                        return vb_bus_error(error, &e);                                      \
                }                                                                            \
                op_ = vb_bus_reply_op_new(m, NULL);                                          \
                if (!op_)                                                                    \
                        return -ENOMEM;                                                      \
                r = d->conn->driver->domain->op_name(__VA_ARGS__, op_, &e);                  \
                return vb_bus_reply_op_result(op_, r, &e);                                   \
        } while (0)

VB_HANDLER(vb_domain_method_managed_save) {
        VB_DOMAIN_VARS;
        uint32_t flags;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        OP_CALL(managed_save, "virDomainManagedSave", d, flags);
}

VB_BUS_METHOD_FLAGS(vb_domain_method_managed_save_remove, VbDomainObj, conn, domain, managed_save_remove,
                    "virDomainManagedSaveRemove")
VB_BUS_METHOD_FLAGS(vb_domain_method_inject_nmi, VbDomainObj, conn, domain, inject_nmi, "virDomainInjectNMI")
VB_BUS_METHOD_FLAGS(vb_domain_method_pm_wakeup, VbDomainObj, conn, domain, pm_wakeup, "virDomainPMWakeup")

VB_HANDLER(vb_domain_method_has_managed_save_image) {
        VB_DOMAIN_VARS;
        uint32_t flags;
        bool b = false;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(has_managed_save_image, "virDomainHasManagedSaveImage", d, flags, &b, &e);
        return sd_bus_reply_method_return(m, "b", (int) b);
}

VB_HANDLER(vb_domain_method_save) {
        VB_DOMAIN_VARS;
        const char *to, *xml;
        uint32_t flags;

        r = sd_bus_message_read(m, "ssu", &to, &xml, &flags);
        if (r < 0)
                return r;
        OP_CALL(save, "virDomainSaveFlags", d, to, empty_to_null(xml), flags);
}

VB_HANDLER(vb_domain_method_core_dump) {
        VB_DOMAIN_VARS;
        const char *to;
        uint32_t format, flags;

        r = sd_bus_message_read(m, "suu", &to, &format, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(core_dump, "virDomainCoreDumpWithFormat", d, to, format, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_create_with_files) {
        VB_DOMAIN_VARS;
        unsigned nfiles = 0;
        uint32_t flags;
        int fd;

        r = sd_bus_message_enter_container(m, 'a', "h");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "h", &fd)) > 0)
                nfiles++;
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(create_with_files, "virDomainCreateWithFiles", d, nfiles, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

/* ---- vCPUs ---- */

VB_HANDLER(vb_domain_method_set_vcpus) {
        VB_DOMAIN_VARS;
        uint32_t n, flags;

        r = sd_bus_message_read(m, "uu", &n, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(set_vcpus, "virDomainSetVcpusFlags", d, n, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_get_vcpus) {
        VB_DOMAIN_VARS;
        uint32_t flags;
        unsigned n = 0;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(get_vcpus, "virDomainGetVcpusFlags", d, flags, &n, &e);
        return sd_bus_reply_method_return(m, "u", (uint32_t) n);
}

static int reply_cpumaps(sd_bus_message *m, const VbCpuMap *map, bool nested) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0 && nested)
                r = sd_bus_message_open_container(reply, 'a', "ab");
        for (size_t i = 0; r >= 0 && i < (nested ? map->n_rows : 1); i++)
                r = vb_bus_append_cpumap_row(reply, map->map + i * map->n_cpus, map->n_cpus);
        if (r >= 0 && nested)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* GetVcpuPinInfo (one row per vCPU) and GetEmulatorPinInfo (one row): u flags → cpumaps */
static int get_pin_info(sd_bus_message *m, VbDomainObj *d,
                        int (*fn)(VbDomainObj *, unsigned, VbCpuMap *, VbError *), const char *api,
                        bool nested, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbCpuMap map = {};
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = fn ? fn(d, flags, &map, &e) : vb_error_unsupported(&e, api);
        if (r < 0)
                return vb_bus_error(error, &e);
        r = reply_cpumaps(m, &map, nested);
        vb_cpu_map_clear(&map);
        return r;
}

VB_HANDLER(vb_domain_method_get_vcpu_pin_info) {
        VbDomainObj *d = userdata;
        return get_pin_info(m, d, VB_DOP(d, get_vcpu_pin_info), "virDomainGetVcpuPinInfo", true, error);
}

VB_HANDLER(vb_domain_method_get_emulator_pin_info) {
        VbDomainObj *d = userdata;
        return get_pin_info(m, d, VB_DOP(d, get_emulator_pin_info), "virDomainGetEmulatorPinInfo", false, error);
}

/* PinVcpu here and PinIOThread (domain-jobs.c): (u id, ab cpumap, u flags) → () */
int vb_domain_pin(sd_bus_message *m, VbDomainObj *d, VbDomainPinFn fn, const char *api, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ bool *map = NULL;
        uint32_t id, flags;
        size_t n;
        int r;

        r = sd_bus_message_read(m, "u", &id);
        if (r >= 0)
                r = vb_bus_read_cpumap(m, &map, &n);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = fn ? fn(d, id, map, n, flags, &e) : vb_error_unsupported(&e, api);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_pin_vcpu) {
        VbDomainObj *d = userdata;
        return vb_domain_pin(m, d, VB_DOP(d, pin_vcpu), "virDomainPinVcpuFlags", error);
}

VB_HANDLER(vb_domain_method_pin_emulator) {
        VB_DOMAIN_VARS;
        _cleanup_free_ bool *map = NULL;
        uint32_t flags;
        size_t n;

        r = vb_bus_read_cpumap(m, &map, &n);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(pin_emulator, "virDomainPinEmulator", d, map, n, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_get_guest_vcpus) {
        VB_DOMAIN_VARS;
        _cleanup_typed_params_ VbTypedParams tp = {};
        uint32_t flags;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(get_guest_vcpus, "virDomainGetGuestVcpus", d, flags, &tp, &e);
        return vb_bus_reply_typed_params(m, &tp);
}

/* libvirt-dbus turns the boolean map into a cpulist string ("0-3,5") */
static char *cpulist_format(const bool *map, size_t n) {
        char *s = vb_strdup("");
        for (size_t i = 0; i < n; i++) {
                size_t j = i;
                char *t;
                if (!map[i])
                        continue;
                while (j + 1 < n && map[j + 1])
                        j++;
                t = j > i ? vb_strdupf("%s%s%zu-%zu", s, *s ? "," : "", i, j)
                          : vb_strdupf("%s%s%zu", s, *s ? "," : "", i);
                free(s);
                s = t;
                i = j;
        }
        return s;
}

VB_HANDLER(vb_domain_method_set_guest_vcpus) {
        VB_DOMAIN_VARS;
        _cleanup_free_ bool *map = NULL;
        _cleanup_free_ char *list = NULL;
        int32_t state;
        uint32_t flags;
        size_t n;

        r = vb_bus_read_cpumap(m, &map, &n);
        if (r >= 0)
                r = sd_bus_message_read(m, "iu", &state, &flags);
        if (r < 0)
                return r;
        list = cpulist_format(map, n);
        VB_DOMAIN_CALL(set_guest_vcpus, "virDomainSetGuestVcpus", d, list, state, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

/* ---- memory, rename ---- */

VB_HANDLER(vb_domain_method_set_memory) {
        VB_DOMAIN_VARS;
        uint64_t kib;
        uint32_t flags;

        r = sd_bus_message_read(m, "tu", &kib, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(set_memory, "virDomainSetMemoryFlags", d, kib, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_set_memory_stats_period) {
        VB_DOMAIN_VARS;
        int32_t period;
        uint32_t flags;

        r = sd_bus_message_read(m, "iu", &period, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(set_memory_stats_period, "virDomainSetMemoryStatsPeriod", d, period, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

#define STRING_FLAGS(fn, op, api)                                                            \
        VB_HANDLER(fn) {                                                                     \
                VB_DOMAIN_VARS;                                                              \
                const char *s;                                                               \
                uint32_t flags;                                                              \
                r = sd_bus_message_read(m, "su", &s, &flags);                                \
                if (r < 0)                                                                   \
                        return r;                                                            \
                VB_DOMAIN_CALL(op, api, d, s, flags, &e);                                    \
                return sd_bus_reply_method_return(m, "");                                    \
        }

STRING_FLAGS(vb_domain_method_rename, rename, "virDomainRename")
/* AttachDevice, DetachDevice, UpdateDevice: objects/domain-stats.c */

/* ---- guest operations ---- */

VB_HANDLER(vb_domain_method_send_key) {
        VB_DOMAIN_VARS;
        uint32_t codeset, holdtime, flags;
        const void *keys;
        size_t n;

        r = sd_bus_message_read(m, "uu", &codeset, &holdtime);
        if (r >= 0)
                r = sd_bus_message_read_array(m, 'u', &keys, &n);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(send_key, "virDomainSendKey", d, codeset, holdtime, keys, n / sizeof(uint32_t), flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_send_process_signal) {
        VB_DOMAIN_VARS;
        int64_t pid;
        uint32_t signum, flags;

        r = sd_bus_message_read(m, "xuu", &pid, &signum, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(send_process_signal, "virDomainSendProcessSignal", d, pid, signum, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_set_user_password) {
        VB_DOMAIN_VARS;
        const char *user, *password;
        uint32_t flags;

        r = sd_bus_message_read(m, "ssu", &user, &password, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(set_user_password, "virDomainSetUserPassword", d, user, password, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

static int fs_freeze_thaw(sd_bus_message *m, VbDomainObj *d, bool freeze, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        char **mounts = NULL;
        unsigned n = 0;
        uint32_t flags;
        int r;

        r = vb_bus_read_strv(m, &mounts);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "u", &flags);
        if (r >= 0)
                r = freeze ? VB_DRIVER_CALL(d->conn, domain, fs_freeze, "virDomainFSFreeze", &e, d, mounts, flags, &n, &e)
                           : VB_DRIVER_CALL(d->conn, domain, fs_thaw, "virDomainFSThaw", &e, d, mounts, flags, &n, &e);
        vb_strv_free(mounts);
        if (r < 0)
                return e.code ? vb_bus_error(error, &e) : r;
        return sd_bus_reply_method_return(m, "u", (uint32_t) n);
}

VB_HANDLER(vb_domain_method_fs_freeze) {
        return fs_freeze_thaw(m, userdata, true, error);
}

VB_HANDLER(vb_domain_method_fs_thaw) {
        return fs_freeze_thaw(m, userdata, false, error);
}

VB_HANDLER(vb_domain_method_fs_trim) {
        VB_DOMAIN_VARS;
        const char *mountpoint;
        uint64_t minimum;
        uint32_t flags;

        r = sd_bus_message_read(m, "stu", &mountpoint, &minimum, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(fs_trim, "virDomainFSTrim", d, empty_to_null(mountpoint), minimum, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

/* ---- time, hostname, control ---- */

VB_HANDLER(vb_domain_method_get_time) {
        VB_DOMAIN_VARS;
        uint64_t secs = 0;
        unsigned nsecs = 0;
        uint32_t flags;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(get_time, "virDomainGetTime", d, flags, &secs, &nsecs, &e);
        return sd_bus_reply_method_return(m, "(tu)", secs, (uint32_t) nsecs);
}

VB_HANDLER(vb_domain_method_set_time) {
        VB_DOMAIN_VARS;
        uint64_t secs;
        uint32_t nsecs, flags;

        r = sd_bus_message_read(m, "tuu", &secs, &nsecs, &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(set_time, "virDomainSetTime", d, secs, nsecs, flags, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_get_hostname) {
        VB_DOMAIN_VARS;
        _cleanup_free_ char *s = NULL;
        uint32_t flags;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(get_hostname, "virDomainGetHostname", d, flags, &s, &e);
        return sd_bus_reply_method_return(m, "s", strempty(s));
}

VB_HANDLER(vb_domain_method_get_control_info) {
        VB_DOMAIN_VARS;
        unsigned state = 0, details = 0;
        uint64_t t = 0;
        uint32_t flags;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        VB_DOMAIN_CALL(get_control_info, "virDomainGetControlInfo", d, flags, &state, &details, &t, &e);
        return sd_bus_reply_method_return(m, "(uut)", (uint32_t) state, (uint32_t) details, t);
}

VB_HANDLER(vb_domain_method_open_graphics_fd) {
        VB_DOMAIN_VARS;
        _cleanup_close_ int fd = -1;
        uint32_t idx, flags;

        r = sd_bus_message_read(m, "uu", &idx, &flags);
        if (r < 0)
                return r;
        if (VB_DOP(d, open_graphics_fd_async))
                return vb_domain_open_graphics_fd_async(m, d, idx, flags, error);
        VB_DOMAIN_CALL(open_graphics_fd, "virDomainOpenGraphicsFD", d, idx, flags, &fd, &e);
        return sd_bus_reply_method_return(m, "h", fd);
}
