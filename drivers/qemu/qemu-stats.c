/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Statistics of QEMU domains, gathered without blocking: GetStats/GetAllDomainStats
 * (virDomainListGetStats groups state, cpu-total, balloon, vcpu, interface, block)
 * and MemoryStats. Every monitor query of one call is sent at once (query-cpus-fast,
 * query-balloon, qom-get balloon0.guest-stats, query-blockstats); the answer is built
 * when the last reply is in, adding what /proc says about the process and its vCPU
 * threads. A failed query only leaves its keys out, as libvirt does. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu-driver.h"

enum { /* virDomainStatsTypes and virConnectGetAllDomainStatsFlags */
        STATS_STATE = 1 << 0, STATS_CPU_TOTAL = 1 << 1, STATS_BALLOON = 1 << 2, STATS_VCPU = 1 << 3,
        STATS_INTERFACE = 1 << 4, STATS_BLOCK = 1 << 5,
        STATS_SUPPORTED = STATS_STATE | STATS_CPU_TOTAL | STATS_BALLOON | STATS_VCPU | STATS_INTERFACE |
                          STATS_BLOCK,
        STATS_LIST_FILTERS = 0xff, STATS_NOWAIT = 1 << 29, STATS_BACKING = 1 << 30,
};
#define STATS_ENFORCE (1U << 31)

enum { /* virDomainMemoryStatTags */
        MEM_SWAP_IN = 0, MEM_SWAP_OUT = 1, MEM_MAJOR_FAULT = 2, MEM_MINOR_FAULT = 3, MEM_UNUSED = 4,
        MEM_AVAILABLE = 5, MEM_ACTUAL_BALLOON = 6, MEM_RSS = 7, MEM_USABLE = 8, MEM_LAST_UPDATE = 9,
        MEM_DISK_CACHES = 10, MEM_HUGETLB_PGALLOC = 11, MEM_HUGETLB_PGFAIL = 12,
};

/* QEMU's guest-stats names, libvirt's tag and key, and whether bytes become KiB. */
static const struct {
        const char *qemu;
        int tag;
        const char *key;
        bool kib;
} guest_stats[] = {
        { "stat-swap-in", MEM_SWAP_IN, "swap_in", true },
        { "stat-swap-out", MEM_SWAP_OUT, "swap_out", true },
        { "stat-major-faults", MEM_MAJOR_FAULT, "major_fault", false },
        { "stat-minor-faults", MEM_MINOR_FAULT, "minor_fault", false },
        { "stat-free-memory", MEM_UNUSED, "unused", true },
        { "stat-total-memory", MEM_AVAILABLE, "available", true },
        { "stat-available-memory", MEM_USABLE, "usable", true },
        { "stat-disk-caches", MEM_DISK_CACHES, "disk_caches", true },
        { "stat-htlb-pgalloc", MEM_HUGETLB_PGALLOC, "hugetlb_pgalloc", false },
        { "stat-htlb-pgfail", MEM_HUGETLB_PGFAIL, "hugetlb_pgfail", false },
};

typedef struct BlockStat {
        char *node, *qdev;
        VbQmpBlockStats s;
} BlockStat;

typedef struct StatsCall {
        VbDomainObj *dom;               /* referenced */
        pid_t pid;
        unsigned stats;
        VbTypedParams *ret;             /* GetStats ... */
        VbMemoryStat *mem;              /* ... or MemoryStats */
        size_t *mem_n;
        VbOp *op;
        unsigned pending;               /* replies still to come */
        json_object *cpus;              /* query-cpus-fast */
        json_object *guest;             /* qom-get guest-stats */
        bool have_balloon;
        uint64_t balloon_bytes;
        BlockStat *blocks;
        size_t n_blocks;
} StatsCall;

static StatsCall *stats_call_free(StatsCall *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_blocks; i++) {
                free(c->blocks[i].node);
                free(c->blocks[i].qdev);
        }
        free(c->blocks);
        json_object_put(c->cpus);
        json_object_put(c->guest);
        vb_domain_obj_unref(c->dom);
        return mfree(c);
}

/* ---- /proc ---- */

static uint64_t ticks_to_ns(uint64_t ticks) {
        long hz = sysconf(_SC_CLK_TCK);
        return ticks * (1000000000ULL / (uint64_t) (hz > 0 ? hz : 100));
}

/* utime and stime (fields 14 and 15) of /proc/<pid>[/task/<tid>]/stat, in ns. */
static int proc_times(pid_t pid, pid_t tid, uint64_t *user, uint64_t *sys) {
        _cleanup_free_ char *path = tid > 0 ? vb_strdupf("/proc/%d/task/%d/stat", (int) pid, (int) tid)
                                            : vb_strdupf("/proc/%d/stat", (int) pid);
        char buf[1024], *p;
        unsigned long long u, s;
        FILE *f;
        size_t n;

        if (!path || !(f = fopen(path, "re")))
                return -errno;
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = 0;
        p = strrchr(buf, ')');          /* the command name may hold spaces */
        if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &u, &s) != 2)
                return -EBADMSG;
        *user = ticks_to_ns(u);
        *sys = ticks_to_ns(s);
        return 0;
}

/* First number of a small /proc file after skipping @skip numbers. */
static int proc_number(const char *path, unsigned skip, uint64_t *ret) {
        unsigned long long v = 0;
        FILE *f = fopen(path, "re");
        int r = 0;

        if (!f)
                return -errno;
        for (unsigned i = 0; i <= skip && r >= 0; i++)
                if (fscanf(f, "%llu", &v) != 1)
                        r = -EBADMSG;
        fclose(f);
        if (r >= 0)
                *ret = v;
        return r;
}

static uint64_t proc_rss_kib(pid_t pid) {
        _cleanup_free_ char *path = vb_strdupf("/proc/%d/statm", (int) pid);
        uint64_t pages = 0;

        if (path)
                (void) proc_number(path, 1, &pages);
        return pages * (uint64_t) sysconf(_SC_PAGESIZE) / 1024;
}

/* ---- building the answer ---- */

static int add_stringf(VbTypedParams *tp, const char *value, const char *fmt, ...) _printf_(3, 4);
static int add_stringf(VbTypedParams *tp, const char *value, const char *fmt, ...) {
        _cleanup_free_ char *field = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&field, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return vb_typed_params_add_string(tp, field, value);
}

#define ULL(tp, v, ...) vb_typed_params_add_printf(tp, VB_TYPED_PARAM_ULLONG, v, __VA_ARGS__)

static int add_cpu(StatsCall *c) {
        uint64_t user, sys;

        if (proc_times(c->pid, 0, &user, &sys) < 0)
                return 0;
        if (ULL(c->ret, user + sys, "cpu.time") < 0 || ULL(c->ret, user, "cpu.user") < 0 ||
            ULL(c->ret, sys, "cpu.system") < 0)
                return -ENOMEM;
        return 0;
}

/* Guest statistics reported by the balloon driver (-1: not reported). */
static void each_guest_stat(StatsCall *c, void (*fn)(StatsCall *c, size_t i, uint64_t v, void *u), void *u) {
        json_object *st, *v;

        if (!c->guest || !json_object_object_get_ex(c->guest, "stats", &st))
                return;
        for (size_t i = 0; i < ELEMENTSOF(guest_stats); i++) {
                if (!json_object_object_get_ex(st, guest_stats[i].qemu, &v) ||
                    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
                    json_object_get_int64(v) == INT64_MAX)     /* QEMU's (uint64) -1: not reported */
                        continue;
                fn(c, i, guest_stats[i].kib ? (uint64_t) json_object_get_int64(v) / 1024
                                            : (uint64_t) json_object_get_int64(v), u);
        }
}

static uint64_t guest_last_update(StatsCall *c) {
        json_object *v;
        if (!c->guest || !json_object_object_get_ex(c->guest, "last-update", &v))
                return 0;
        return (uint64_t) json_object_get_int64(v);
}

static void balloon_key(StatsCall *c, size_t i, uint64_t v, void *u) {
        int *r = u;
        if (ULL(c->ret, v, "balloon.%s", guest_stats[i].key) < 0)
                *r = -ENOMEM;
}

static int add_balloon(StatsCall *c) {
        const VbDomainDef *def = c->dom->def;
        uint64_t cur = c->have_balloon ? c->balloon_bytes / 1024 : def->current_memory_kib;
        int r = 0;

        if (ULL(c->ret, cur, "balloon.current") < 0 || ULL(c->ret, def->memory_kib, "balloon.maximum") < 0)
                return -ENOMEM;
        each_guest_stat(c, balloon_key, &r);
        if (r >= 0 && guest_last_update(c) > 0)
                r = ULL(c->ret, guest_last_update(c), "balloon.last-update");
        if (r >= 0 && c->pid > 0)
                r = ULL(c->ret, proc_rss_kib(c->pid), "balloon.rss");
        return r;
}

static int add_one_vcpu(StatsCall *c, json_object *cpu) {
        json_object *idx, *tid;
        _cleanup_free_ char *sched = NULL;
        uint64_t user = 0, sys = 0, wait = 0;
        unsigned i;

        if (!json_object_object_get_ex(cpu, "cpu-index", &idx) ||
            !json_object_object_get_ex(cpu, "thread-id", &tid))
                return 0;
        i = (unsigned) json_object_get_int(idx);
        (void) proc_times(c->pid, json_object_get_int(tid), &user, &sys);
        sched = vb_strdupf("/proc/%d/task/%d/schedstat", (int) c->pid, json_object_get_int(tid));
        if (sched)
                (void) proc_number(sched, 1, &wait);    /* time spent waiting for a host CPU */
        if (vb_typed_params_add_printf(c->ret, VB_TYPED_PARAM_INT, 1 /* VIR_VCPU_RUNNING */, "vcpu.%u.state", i) < 0 ||
            ULL(c->ret, user + sys, "vcpu.%u.time", i) < 0 || ULL(c->ret, wait, "vcpu.%u.wait", i) < 0)
                return -ENOMEM;
        return 0;
}

static int add_vcpu(StatsCall *c) {
        const VbDomainDef *def = c->dom->def;
        size_t n = c->cpus && json_object_is_type(c->cpus, json_type_array) ? json_object_array_length(c->cpus) : 0;

        if (vb_typed_params_add_uint(c->ret, "vcpu.current", def->vcpus_current) < 0 ||
            vb_typed_params_add_uint(c->ret, "vcpu.maximum", def->vcpus) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (add_one_vcpu(c, json_object_array_get_idx(c->cpus, i)) < 0)
                        return -ENOMEM;
        return 0;
}

/* Host-side counters of a tap device: what it receives the guest sent. */
static int add_net_counters(StatsCall *c, size_t i, const char *dev) {
        static const char *const names[][2] = {
                { "rx.bytes", "tx_bytes" }, { "rx.pkts", "tx_packets" }, { "rx.errs", "tx_errors" },
                { "rx.drop", "tx_dropped" }, { "tx.bytes", "rx_bytes" }, { "tx.pkts", "rx_packets" },
                { "tx.errs", "rx_errors" }, { "tx.drop", "rx_dropped" },
        };
        for (size_t k = 0; k < ELEMENTSOF(names); k++) {
                _cleanup_free_ char *path = vb_strdupf("/sys/class/net/%s/statistics/%s", dev, names[k][1]);
                uint64_t v;
                if (!path || strchr(dev, '/') || proc_number(path, 0, &v) < 0)
                        return 0;
                if (ULL(c->ret, v, "net.%zu.%s", i, names[k][0]) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* User-mode networking has no host device: only the name is reported for it. */
static int add_net(StatsCall *c) {
        const VbDomainDef *def = c->dom->def;

        if (vb_typed_params_add_uint(c->ret, "net.count", (unsigned) def->n_nets) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < def->n_nets; i++) {
                const VbDomainNet *n = &def->nets[i];
                _cleanup_free_ char *fallback = vb_strdupf("net%zu", i);
                const char *name = n->target_dev ? n->target_dev : n->alias ? n->alias : fallback;

                if (!name || add_stringf(c->ret, name, "net.%zu.name", i) < 0)
                        return -ENOMEM;
                if (n->target_dev && add_net_counters(c, i, n->target_dev) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static const BlockStat *find_block(StatsCall *c, const char *dev) {
        _cleanup_free_ char *node = vb_strdupf("fmt-%s", dev), *qom = vb_strdupf("/machine/peripheral/%s/", dev);

        for (size_t i = 0; node && qom && i < c->n_blocks; i++)
                if (streq(c->blocks[i].node, node) || streq(c->blocks[i].qdev, dev) ||
                    strncmp(c->blocks[i].qdev, qom, strlen(qom)) == 0)
                        return &c->blocks[i];
        return NULL;
}

static int add_block_counters(StatsCall *c, size_t i, const VbQmpBlockStats *s) {
        if (ULL(c->ret, s->rd_operations, "block.%zu.rd.reqs", i) < 0 ||
            ULL(c->ret, s->rd_bytes, "block.%zu.rd.bytes", i) < 0 ||
            ULL(c->ret, s->rd_total_time_ns, "block.%zu.rd.times", i) < 0 ||
            ULL(c->ret, s->wr_operations, "block.%zu.wr.reqs", i) < 0 ||
            ULL(c->ret, s->wr_bytes, "block.%zu.wr.bytes", i) < 0 ||
            ULL(c->ret, s->wr_total_time_ns, "block.%zu.wr.times", i) < 0 ||
            ULL(c->ret, s->flush_operations, "block.%zu.fl.reqs", i) < 0 ||
            ULL(c->ret, s->flush_total_time_ns, "block.%zu.fl.times", i) < 0 ||
            ULL(c->ret, s->wr_highest_offset > 0 ? (uint64_t) s->wr_highest_offset : 0,
                "block.%zu.allocation", i) < 0)
                return -ENOMEM;
        return 0;
}

static int add_block(StatsCall *c) {
        const VbDomainDef *def = c->dom->def;

        if (vb_typed_params_add_uint(c->ret, "block.count", (unsigned) def->n_disks) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < def->n_disks; i++) {
                const VbDomainDisk *d = &def->disks[i];
                const BlockStat *b = d->target_dev && c->pid > 0 ? find_block(c, d->target_dev) : NULL;
                struct stat st;

                if (add_stringf(c->ret, strempty(d->target_dev), "block.%zu.name", i) < 0 ||
                    (d->source && add_stringf(c->ret, d->source, "block.%zu.path", i) < 0) ||
                    (b && add_block_counters(c, i, &b->s) < 0))
                        return -ENOMEM;
                if (!d->source || stat(d->source, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                if (ULL(c->ret, (uint64_t) st.st_size, "block.%zu.physical", i) < 0 ||
                    ((!d->driver_type || streq(d->driver_type, "raw")) &&
                     ULL(c->ret, (uint64_t) st.st_size, "block.%zu.capacity", i) < 0))
                        return -ENOMEM;
        }
        return 0;
}

static int build_stats(StatsCall *c) {
        VbDomainObj *d = c->dom;

        if ((c->stats & STATS_STATE) &&
            (vb_typed_params_add_int(c->ret, "state.state", (int) d->state) < 0 ||
             vb_typed_params_add_int(c->ret, "state.reason", d->reason) < 0))
                return -ENOMEM;
        if (((c->stats & STATS_CPU_TOTAL) && c->pid > 0 && add_cpu(c) < 0) ||
            ((c->stats & STATS_BALLOON) && add_balloon(c) < 0) ||
            ((c->stats & STATS_VCPU) && add_vcpu(c) < 0) ||
            ((c->stats & STATS_INTERFACE) && add_net(c) < 0) ||
            ((c->stats & STATS_BLOCK) && add_block(c) < 0))
                return -ENOMEM;
        return 0;
}

static void memory_stat(StatsCall *c, size_t i, uint64_t v, void *u) {
        if (*c->mem_n < VB_MEMORY_STAT_MAX)
                c->mem[(*c->mem_n)++] = (VbMemoryStat) { .tag = guest_stats[i].tag, .val = v };
}

static void add_memory_stat(StatsCall *c, int tag, uint64_t v) {
        if (*c->mem_n < VB_MEMORY_STAT_MAX)
                c->mem[(*c->mem_n)++] = (VbMemoryStat) { .tag = tag, .val = v };
}

static void build_memory_stats(StatsCall *c) {
        *c->mem_n = 0;
        each_guest_stat(c, memory_stat, NULL);
        add_memory_stat(c, MEM_ACTUAL_BALLOON,
                        c->have_balloon ? c->balloon_bytes / 1024 : c->dom->def->current_memory_kib);
        if (c->pid > 0)
                add_memory_stat(c, MEM_RSS, proc_rss_kib(c->pid));
        if (guest_last_update(c) > 0)
                add_memory_stat(c, MEM_LAST_UPDATE, guest_last_update(c));
}

/* The last reply is in (or nothing was asked): answer and free. */
static int stats_finish(StatsCall *c) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        int r = 0;

        if (c->mem)
                build_memory_stats(c);
        else
                r = build_stats(c);
        if (r < 0)
                vb_error_set(&e, VB_ERR_NO_MEMORY, NULL);
        if (c->op)
                c->op->done(c->op, r, r < 0 ? &e : NULL);
        stats_call_free(c);
        return r;
}

static void reply_done(StatsCall *c) {
        if (--c->pending == 0)
                stats_finish(c);
}

/* ---- monitor queries ---- */

static void on_cpus(VbQmp *q, int r, json_object *ret, const char *cls, const char *desc, void *u) {
        StatsCall *c = u;
        if (r >= 0 && ret)
                c->cpus = json_object_get(ret);
        reply_done(c);
}

static void on_guest(VbQmp *q, int r, json_object *ret, const char *cls, const char *desc, void *u) {
        StatsCall *c = u;
        if (r >= 0 && ret)
                c->guest = json_object_get(ret);
        reply_done(c);
}

static void on_balloon(VbQmp *q, int r, uint64_t actual, void *u) {
        StatsCall *c = u;
        if (r >= 0) {
                c->have_balloon = true;
                c->balloon_bytes = actual;
        }
        reply_done(c);
}

static void on_blockstats(VbQmp *q, int r, const VbQmpBlockStats *s, size_t n, void *u) {
        StatsCall *c = u;

        if (r >= 0 && n > 0 && (c->blocks = calloc(n, sizeof(*c->blocks)))) {
                for (size_t i = 0; i < n; i++) {
                        c->blocks[i].s = s[i];
                        c->blocks[i].node = vb_strdup(s[i].node_name);
                        c->blocks[i].qdev = vb_strdup(s[i].qdev);
                        c->blocks[i].s.device = c->blocks[i].s.node_name = c->blocks[i].s.qdev = NULL;
                        if (!c->blocks[i].node || !c->blocks[i].qdev)
                                break;
                        c->n_blocks = i + 1;
                }
        }
        reply_done(c);
}

static bool has_balloon(const VbDomainDef *def) {
        for (size_t i = 0; i < def->n_devices; i++)
                if (def->devices[i].kind == VB_DOMAIN_DEVICE_MEMBALLOON)
                        return !streq_ptr(def->devices[i].model, "none");
        return true;    /* libvirt adds a virtio balloon by default */
}

static void send_queries(StatsCall *c, VbQmp *qmp) {
        bool balloon = c->mem || (c->stats & STATS_BALLOON);

        if ((c->stats & STATS_VCPU) && vb_qmp_command(qmp, "query-cpus-fast", NULL, NULL, 0, on_cpus, c) >= 0)
                c->pending++;
        if (balloon && has_balloon(c->dom->def)) {
                if (vb_qmp_query_balloon(qmp, on_balloon, c) >= 0)
                        c->pending++;
                if (vb_qmp_command(qmp, "qom-get",
                                   json_tokener_parse("{\"path\": \"/machine/peripheral/balloon0\","
                                                      " \"property\": \"guest-stats\"}"),
                                   NULL, 0, on_guest, c) >= 0)
                        c->pending++;
        }
        if ((c->stats & STATS_BLOCK) && c->dom->def->n_disks > 0 &&
            vb_qmp_query_blockstats(qmp, on_blockstats, c) >= 0)
                c->pending++;
}

/* 0: answered now (op untouched), 1: op->done follows. */
static int stats_start(StatsCall *c, VbError *e) {
        VbQemuDom *q = c->dom->priv;

        if (q && q->proc && q->qmp && vb_domain_is_active(c->dom)) {
                c->pid = vb_qemu_proc_pid(q->proc);
                send_queries(c, q->qmp);
        }
        if (c->pending > 0)
                return 1;
        c->op = NULL;           /* answered synchronously: the caller finishes its op */
        if (stats_finish(c) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

static StatsCall *stats_call_new(VbDomainObj *d, VbOp *op) {
        StatsCall *c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        c->dom = vb_domain_obj_ref(d);
        c->op = op;
        return c;
}

int vb_qemu_get_stats_op(VbDomainObj *d, unsigned stats, unsigned flags, VbTypedParams *ret, VbOp *op,
                         VbError *e) {
        StatsCall *c;

        VB_CHECK_FLAGS(flags, STATS_LIST_FILTERS | STATS_NOWAIT | STATS_BACKING | STATS_ENFORCE, e);
        if ((flags & STATS_ENFORCE) && (stats & ~(unsigned) STATS_SUPPORTED))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                    "Stats types bits 0x%x are not supported by this daemon",
                                    stats & ~(unsigned) STATS_SUPPORTED);
        c = stats_call_new(d, op);
        if (!c)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        c->stats = stats ? stats & STATS_SUPPORTED : STATS_SUPPORTED;
        c->ret = ret;
        return stats_start(c, e);
}

int vb_qemu_memory_stats_op(VbDomainObj *d, unsigned flags, VbMemoryStat ret[VB_MEMORY_STAT_MAX],
                            size_t *ret_n, VbOp *op, VbError *e) {
        StatsCall *c;

        VB_CHECK_FLAGS(flags, 0, e);
        if (!vb_domain_is_active(d))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain is not running");
        c = stats_call_new(d, op);
        if (!c)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        c->mem = ret;
        c->mem_n = ret_n;
        return stats_start(c, e);
}
