/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test driver: statistics, guest information and guest-agent style operations with
 * the fixed figures of libvirt's test:///default driver. */
#include <stdio.h>

#include "test-private.h"
#include "xml-util.h"

enum {
        STATS_STATE = 1, STATS_CPU_TOTAL = 2, STATS_BALLOON = 4, STATS_VCPU = 8,
        STATS_INTERFACE = 16, STATS_BLOCK = 32, STATS_PERF = 64,
        STATS_SUPPORTED = STATS_STATE | STATS_CPU_TOTAL | STATS_BALLOON | STATS_VCPU |
                          STATS_INTERFACE | STATS_BLOCK | STATS_PERF,
        STATS_ENFORCE = 1U << 31,
};

#define ADD(expr) do { if ((expr) < 0) return -ENOMEM; } while (0)

static int stats_cpu(VbDomainObj *d, VbTypedParams *p) {
        uint64_t t = 1000000000ULL * d->def->vcpus_current;
        if (!vb_domain_is_active(d))
                return 0;
        ADD(vb_typed_params_add_ullong(p, "cpu.time", t));
        ADD(vb_typed_params_add_ullong(p, "cpu.user", t / 2));
        ADD(vb_typed_params_add_ullong(p, "cpu.system", t / 4));
        return 0;
}

static int stats_vcpu(VbDomainObj *d, VbTypedParams *p) {
        ADD(vb_typed_params_add_uint(p, "vcpu.current", d->def->vcpus_current));
        ADD(vb_typed_params_add_uint(p, "vcpu.maximum", d->def->vcpus));
        if (!vb_domain_is_active(d))
                return 0;
        for (unsigned i = 0; i < d->def->vcpus_current; i++) {
                ADD(vb_typed_params_add_printf(p, VB_TYPED_PARAM_INT, 1, "vcpu.%u.state", i));
                ADD(vb_typed_params_add_printf(p, VB_TYPED_PARAM_ULLONG, 1000000000ULL, "vcpu.%u.time", i));
                ADD(vb_typed_params_add_printf(p, VB_TYPED_PARAM_ULLONG, 0, "vcpu.%u.wait", i));
        }
        return 0;
}

static int stats_net(VbDomainObj *d, VbTypedParams *p) {
        static const char *const f[] = { "rx.bytes", "rx.pkts", "rx.errs", "rx.drop",
                                         "tx.bytes", "tx.pkts", "tx.errs", "tx.drop" };
        static const uint64_t v[] = { 1024 * 1024, 1024, 0, 0, 512 * 1024, 512, 0, 0 };
        ADD(vb_typed_params_add_uint(p, "net.count", (uint32_t) d->def->n_nets));
        for (size_t i = 0; i < d->def->n_nets; i++) {
                const VbDomainNet *n = &d->def->nets[i];
                _cleanup_free_ char *field = vb_strdupf("net.%zu.name", i);
                _cleanup_free_ char *name = n->target_dev ? vb_strdup(n->target_dev) : vb_strdupf("testnet%zu", i);
                ADD(vb_typed_params_add_string(p, field, name));
                for (size_t j = 0; j < ELEMENTSOF(f); j++)
                        ADD(vb_typed_params_add_printf(p, VB_TYPED_PARAM_ULLONG, v[j], "net.%zu.%s", i, f[j]));
        }
        return 0;
}

static int stats_block(VbDomainObj *d, VbTypedParams *p) {
        static const char *const f[] = { "rd.reqs", "rd.bytes", "rd.times", "wr.reqs", "wr.bytes",
                                         "wr.times", "fl.reqs", "fl.times", "allocation", "capacity",
                                         "physical" };
        static const uint64_t v[] = { 1024, 1024 * 1024, 1000000, 512, 512 * 1024, 500000, 64, 10000,
                                      1073741824ULL, 107374182400ULL, 1073741824ULL };
        ADD(vb_typed_params_add_uint(p, "block.count", (uint32_t) d->def->n_disks));
        for (size_t i = 0; i < d->def->n_disks; i++) {
                const VbDomainDisk *k = &d->def->disks[i];
                _cleanup_free_ char *fname = vb_strdupf("block.%zu.name", i);
                ADD(vb_typed_params_add_string(p, fname, strempty(k->target_dev)));
                if (k->source) {
                        _cleanup_free_ char *fpath = vb_strdupf("block.%zu.path", i);
                        ADD(vb_typed_params_add_string(p, fpath, k->source));
                }
                for (size_t j = 0; j < ELEMENTSOF(f); j++)
                        ADD(vb_typed_params_add_printf(p, VB_TYPED_PARAM_ULLONG, v[j], "block.%zu.%s", i, f[j]));
        }
        return 0;
}

static int stats_perf(VbDomainObj *d, VbTypedParams *p) {
        VbTestDomainState *s = vb_test_domain_state(d);
        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < s->perf.n; i++)
                if (s->perf.p[i].v.b)
                        ADD(vb_typed_params_add_printf(p, VB_TYPED_PARAM_ULLONG, 0, "perf.%s", s->perf.p[i].field));
        return 0;
}

int vb_test_get_stats(VbDomainObj *d, unsigned stats, unsigned flags, VbTypedParams *ret, VbError *e) {
        /* list filter flags (ACTIVE..OTHER), NOWAIT, BACKING, ENFORCE_STATS */
        VB_CHECK_FLAGS(flags, 0xffU | (1U << 29) | (1U << 30) | STATS_ENFORCE, e);
        if ((flags & STATS_ENFORCE) && (stats & ~(unsigned) STATS_SUPPORTED))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID /* VIR_ERR_ARGUMENT_UNSUPPORTED */,
                                    "Stats types bits 0x%x are not supported by this daemon",
                                    stats & ~(unsigned) STATS_SUPPORTED);
        if (stats == 0)
                stats = STATS_SUPPORTED;
        if (((stats & STATS_STATE) &&
             (vb_typed_params_add_int(ret, "state.state", d->state) < 0 ||
              vb_typed_params_add_int(ret, "state.reason", d->reason) < 0)) ||
            ((stats & STATS_CPU_TOTAL) && stats_cpu(d, ret) < 0) ||
            ((stats & STATS_BALLOON) &&
             (vb_typed_params_add_ullong(ret, "balloon.current", d->def->current_memory_kib) < 0 ||
              vb_typed_params_add_ullong(ret, "balloon.maximum", d->def->memory_kib) < 0)) ||
            ((stats & STATS_VCPU) && stats_vcpu(d, ret) < 0) ||
            ((stats & STATS_INTERFACE) && stats_net(d, ret) < 0) ||
            ((stats & STATS_BLOCK) && stats_block(d, ret) < 0) ||
            ((stats & STATS_PERF) && stats_perf(d, ret) < 0))
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

int vb_test_get_control_info(VbDomainObj *d, unsigned flags, unsigned *state, unsigned *details,
                             uint64_t *state_time, VbError *e) {
        int r;
        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        *state = 0;     /* VIR_DOMAIN_CONTROL_OK */
        *details = 0;
        *state_time = 0;
        return 0;
}

int vb_test_get_time(VbDomainObj *d, unsigned flags, uint64_t *secs, unsigned *nsecs, VbError *e) {
        VbTestDomainState *s;
        int r;
        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        s = vb_test_domain_state(d);
        if (!s)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        *secs = s->time_secs;
        *nsecs = s->time_nsecs;
        return 0;
}

int vb_test_set_time(VbDomainObj *d, uint64_t secs, unsigned nsecs, unsigned flags, VbError *e) {
        VbTestDomainState *s;
        int r;
        VB_CHECK_FLAGS(flags, 1 /* SYNC */, e);
        if (nsecs > 999999999)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "invalid nseconds value: %u", nsecs);
        if (secs > INT64_MAX)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "invalid seconds value: %llu",
                                    (unsigned long long) secs);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        s = vb_test_domain_state(d);
        if (!s)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        s->time_secs = secs;
        s->time_nsecs = nsecs;
        return 0;
}

int vb_test_get_hostname(VbDomainObj *d, unsigned flags, char **ret, VbError *e) {
        int r;
        VB_CHECK_FLAGS(flags, 1 /* LEASE */ | 2 /* AGENT */, e);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        *ret = vb_strdup("testhost");
        return 0;
}

int vb_test_interface_addresses(VbDomainObj *d, unsigned source, unsigned flags, VbDomainIface **ret,
                                size_t *ret_n, VbError *e) {
        VbDomainIface *l;
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        if (source > 2)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "Unknown IP address data source %u", source);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        l = calloc(d->def->n_nets + 1, sizeof(*l));
        if (!l)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < d->def->n_nets; i++) {
                const VbDomainNet *n = &d->def->nets[i];
                l[i].name = n->target_dev ? vb_strdup(n->target_dev) : vb_strdupf("testnet%zu", i);
                l[i].hwaddr = vb_strdup(n->mac);
                l[i].addrs = calloc(1, sizeof(VbIfaceAddr));
                if (!l[i].addrs) {
                        vb_domain_ifaces_free(l, i + 1);
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                }
                l[i].n_addrs = 1;
                l[i].addrs[0] = (VbIfaceAddr) { 0, vb_strdupf("192.168.122.%zu", 3 + i), 24 };
        }
        *ret = l;
        *ret_n = d->def->n_nets;
        return 0;
}

int vb_test_get_fs_info(VbDomainObj *d, unsigned flags, VbFSInfo **ret, size_t *ret_n, VbError *e) {
        VbFSInfo *l;
        const char *dev;
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        *ret_n = 0;
        *ret = NULL;
        if (d->def->n_disks == 0 || !d->def->disks[0].target_dev)
                return 0;
        dev = d->def->disks[0].target_dev;
        l = calloc(2, sizeof(*l));
        if (!l)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < 2; i++) {
                l[i].mountpoint = vb_strdup(i == 0 ? "/" : "/boot");
                l[i].name = vb_strdupf("%s%zu", dev, i + 1);
                l[i].fstype = vb_strdup("ext4");
                l[i].devs = calloc(2, sizeof(char *));
                if (!l[i].devs) {
                        vb_fs_info_free(l, 2);
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                }
                l[i].devs[0] = vb_strdup(dev);
        }
        *ret = l;
        *ret_n = 2;
        return 0;
}

int vb_test_get_disk_errors(VbDomainObj *d, unsigned flags, VbDiskError **ret, size_t *ret_n, VbError *e) {
        VbDiskError *l;
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        l = calloc(d->def->n_disks + 1, sizeof(*l));
        if (!l)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < d->def->n_disks; i++)
                l[i] = (VbDiskError) { vb_strdup(strempty(d->def->disks[i].target_dev)), 1 + (int) (i % 2) };
        *ret = l;
        *ret_n = d->def->n_disks;
        return 0;
}

int vb_test_memory_peek(VbDomainObj *d, uint64_t offset, size_t size, unsigned flags, uint8_t *buf, VbError *e) {
        int r;
        VB_CHECK_FLAGS(flags, 1 /* VIRTUAL */ | 2 /* PHYSICAL */, e);
        if (flags != 1 && flags != 2)
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "flags parameter must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL");
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        for (size_t i = 0; i < size; i++)
                buf[i] = (uint8_t) (offset + i);
        return 0;
}

static int mountpoint_index(const char *m) {
        return streq(m, "/") ? 0 : streq(m, "/boot") ? 1 : -1;
}

static int fs_freeze_thaw(VbDomainObj *d, char **mountpoints, unsigned flags, bool freeze, unsigned *ret,
                          VbError *e) {
        VbTestDomainState *s;
        bool want[2] = { false, false };
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        if (!mountpoints || !mountpoints[0])
                want[0] = want[1] = true;
        for (char **m = mountpoints; m && *m; m++) {
                int i = mountpoint_index(*m);
                if (i < 0)
                        return vb_error_set(e, VB_ERR_OPERATION_INVALID, "mount point not found: %s", *m);
                want[i] = true;
        }
        s = vb_test_domain_state(d);
        if (!s)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        *ret = 0;
        for (size_t i = 0; i < 2; i++)
                if (want[i] && s->frozen[i] != freeze) {
                        s->frozen[i] = freeze;
                        (*ret)++;
                }
        return 0;
}

int vb_test_fs_freeze(VbDomainObj *d, char **mountpoints, unsigned flags, unsigned *ret, VbError *e) {
        return fs_freeze_thaw(d, mountpoints, flags, true, ret, e);
}

int vb_test_fs_thaw(VbDomainObj *d, char **mountpoints, unsigned flags, unsigned *ret, VbError *e) {
        return fs_freeze_thaw(d, mountpoints, flags, false, ret, e);
}

int vb_test_fs_trim(VbDomainObj *d, const char *mountpoint, uint64_t minimum, unsigned flags, VbError *e) {
        int r;
        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        if (!isempty(mountpoint) && mountpoint_index(mountpoint) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "mount point not found: %s", mountpoint);
        return 0;
}

int vb_test_inject_nmi(VbDomainObj *d, unsigned flags, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        return vb_domain_require_active(d, e);
}

int vb_test_send_key(VbDomainObj *d, unsigned codeset, unsigned holdtime, const uint32_t *keys, size_t n,
                     unsigned flags, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        if (codeset > 8)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "unsupported codeset '%u'", codeset);
        if (n == 0 || n > 16)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "nkeycodes must be between 1 and 16");
        for (size_t i = 0; i < n; i++)
                if (keys[i] > 0xffff)
                        return vb_error_set(e, VB_ERR_INVALID_ARG, "invalid keycode %u of codeset %u",
                                            keys[i], codeset);
        return vb_domain_require_active(d, e);
}

int vb_test_send_process_signal(VbDomainObj *d, int64_t pid, unsigned signum, unsigned flags, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        if (pid != 1)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "only sending a signal to pid 1 is supported");
        if (signum >= 65)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "signum value %u is out of range", signum);
        return vb_domain_require_active(d, e);
}

int vb_test_set_user_password(VbDomainObj *d, const char *user, const char *password, unsigned flags,
                              VbError *e) {
        VB_CHECK_FLAGS(flags, 1 /* ENCRYPTED */, e);
        if (isempty(user))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "user must not be empty");
        return vb_domain_require_active(d, e);
}
