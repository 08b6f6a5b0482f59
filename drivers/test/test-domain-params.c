/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test driver: tunables as typed parameters (blkio, memory, NUMA, scheduler,
 * interface bandwidth, block I/O throttling, perf events), statistics and guest
 * information with the figures of libvirt's test:///default. */
#include <stdio.h>

#include "test-private.h"
#include "xml-util.h"

enum { AFFECT_LIVE = 1, AFFECT_CONFIG = 2 };

#define MEMORY_UNLIMITED 9007199254740991ULL   /* VIR_DOMAIN_MEMORY_PARAM_UNLIMITED */

static int get_state(VbDomainObj *d, unsigned *flags, unsigned allowed, VbTestDomainState **ret, VbError *e) {
        int r;
        VB_CHECK_FLAGS(*flags, allowed, e);
        if ((*flags & AFFECT_LIVE) && (*flags & AFFECT_CONFIG))
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
        r = vb_test_affect(d, flags, e);
        if (r < 0)
                return r;
        *ret = vb_test_domain_state(d);
        return *ret ? 0 : vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
}

static int set_state(VbDomainObj *d, unsigned *flags, VbTestDomainState **ret, VbError *e) {
        int r;
        VB_CHECK_FLAGS(*flags, AFFECT_LIVE | AFFECT_CONFIG, e);
        r = vb_test_affect(d, flags, e);
        if (r < 0)
                return r;
        *ret = vb_test_domain_state(d);
        return *ret ? 0 : vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
}

/* Overlay: defaults from @spec/@defaults, then the stored values. */
static int params_merge(VbTypedParams *ret, const VbTypedParams *defaults, const VbTypedParams *stored) {
        for (size_t i = 0; i < defaults->n; i++) {
                const VbTypedParam *p = vb_typed_params_get(stored, defaults->p[i].field);
                if (vb_typed_params_add(ret, p ? p : &defaults->p[i]) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int params_store(VbTypedParams *stored, const VbTypedParams *p) {
        _cleanup_typed_params_ VbTypedParams n = {};
        for (size_t i = 0; i < stored->n; i++)
                if (!vb_typed_params_get(p, stored->p[i].field) && vb_typed_params_add(&n, &stored->p[i]) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < p->n; i++)
                if (vb_typed_params_add(&n, &p->p[i]) < 0)
                        return -ENOMEM;
        vb_typed_params_clear(stored);
        *stored = n;
        n = (VbTypedParams) {};
        return 0;
}

/* ---- blkio ---- */

static const VbTypedParamSpec blkio_spec[] = {
        { "weight", VB_TYPED_PARAM_UINT }, { "device_weight", VB_TYPED_PARAM_STRING },
        { "device_read_iops_sec", VB_TYPED_PARAM_STRING }, { "device_write_iops_sec", VB_TYPED_PARAM_STRING },
        { "device_read_bytes_sec", VB_TYPED_PARAM_STRING }, { "device_write_bytes_sec", VB_TYPED_PARAM_STRING },
        {},
};

static int spec_defaults(const VbTypedParamSpec *spec, VbTypedParams *ret) {
        for (const VbTypedParamSpec *s = spec; s->field; s++) {
                VbTypedParam p = { .field = (char *) s->field, .type = s->type };
                if (s->type == VB_TYPED_PARAM_STRING)
                        p.v.s = (char *) "";
                if (vb_typed_params_add(ret, &p) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int get_from_spec(VbDomainObj *d, unsigned flags, const VbTypedParamSpec *spec,
                         size_t off, VbTypedParams *ret, VbError *e) {
        _cleanup_typed_params_ VbTypedParams defaults = {};
        VbTestDomainState *s;
        int r = get_state(d, &flags, AFFECT_LIVE | AFFECT_CONFIG | 4 /* TYPED_PARAM_STRING_OKAY */, &s, e);
        if (r < 0)
                return r;
        if (spec_defaults(spec, &defaults) < 0 ||
            params_merge(ret, &defaults, (VbTypedParams *) ((char *) s + off)) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

static int set_from_spec(VbDomainObj *d, unsigned flags, const VbTypedParamSpec *spec,
                         size_t off, const VbTypedParams *p, VbError *e) {
        VbTestDomainState *s;
        int r = vb_typed_params_validate(p, spec, e);
        if (r < 0)
                return r;
        r = set_state(d, &flags, &s, e);
        if (r < 0)
                return r;
        if (params_store((VbTypedParams *) ((char *) s + off), p) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

int vb_test_get_blkio_params(VbDomainObj *d, const char *dev, unsigned flags, VbTypedParams *ret, VbError *e) {
        return get_from_spec(d, flags, blkio_spec, offsetof(VbTestDomainState, blkio), ret, e);
}

int vb_test_set_blkio_params(VbDomainObj *d, const char *dev, const VbTypedParams *p, unsigned flags, VbError *e) {
        const VbTypedParam *w = vb_typed_params_get(p, "weight");
        if (w && w->type == VB_TYPED_PARAM_UINT && w->v.ui != 0 && (w->v.ui < 100 || w->v.ui > 1000))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "out of blkio weight range.");
        return set_from_spec(d, flags, blkio_spec, offsetof(VbTestDomainState, blkio), p, e);
}

/* ---- memory ---- */

static const VbTypedParamSpec memory_spec[] = {
        { "hard_limit", VB_TYPED_PARAM_ULLONG }, { "soft_limit", VB_TYPED_PARAM_ULLONG },
        { "swap_hard_limit", VB_TYPED_PARAM_ULLONG }, {},
};

int vb_test_get_memory_params(VbDomainObj *d, const char *dev, unsigned flags, VbTypedParams *ret, VbError *e) {
        _cleanup_typed_params_ VbTypedParams defaults = {};
        VbTestDomainState *s;
        int r = get_state(d, &flags, AFFECT_LIVE | AFFECT_CONFIG | 4, &s, e);
        if (r < 0)
                return r;
        for (const VbTypedParamSpec *sp = memory_spec; sp->field; sp++)
                if (vb_typed_params_add_ullong(&defaults, sp->field, MEMORY_UNLIMITED) < 0)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (params_merge(ret, &defaults, &s->memory) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

int vb_test_set_memory_params(VbDomainObj *d, const char *dev, const VbTypedParams *p, unsigned flags, VbError *e) {
        return set_from_spec(d, flags, memory_spec, offsetof(VbTestDomainState, memory), p, e);
}

/* ---- NUMA ---- */

static const VbTypedParamSpec numa_spec[] = {
        { "numa_mode", VB_TYPED_PARAM_INT }, { "numa_nodeset", VB_TYPED_PARAM_STRING }, {},
};

int vb_test_get_numa_params(VbDomainObj *d, const char *dev, unsigned flags, VbTypedParams *ret, VbError *e) {
        return get_from_spec(d, flags, numa_spec, offsetof(VbTestDomainState, numa), ret, e);
}

int vb_test_set_numa_params(VbDomainObj *d, const char *dev, const VbTypedParams *p, unsigned flags, VbError *e) {
        const VbTypedParam *m = vb_typed_params_get(p, "numa_mode");
        if (m && m->type == VB_TYPED_PARAM_INT && (m->v.i < 0 || m->v.i > 3))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "unsupported numatune mode: '%d'", m->v.i);
        if (m && vb_domain_is_active(d) && !(flags & AFFECT_CONFIG))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "can't change numatune mode for running domain");
        return set_from_spec(d, flags, numa_spec, offsetof(VbTestDomainState, numa), p, e);
}

/* ---- scheduler ---- */

int vb_test_get_sched_params(VbDomainObj *d, const char *dev, unsigned flags, VbTypedParams *ret, VbError *e) {
        VbTestDomainState *s;
        int r = get_state(d, &flags, AFFECT_LIVE | AFFECT_CONFIG, &s, e);
        if (r < 0)
                return r;
        if (vb_typed_params_add_uint(ret, "weight", s->sched_weight) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

int vb_test_set_sched_params(VbDomainObj *d, const char *dev, const VbTypedParams *p, unsigned flags, VbError *e) {
        static const VbTypedParamSpec spec[] = { { "weight", VB_TYPED_PARAM_UINT }, {} };
        const VbTypedParam *w;
        VbTestDomainState *s;
        int r = vb_typed_params_validate(p, spec, e);
        if (r < 0)
                return r;
        r = set_state(d, &flags, &s, e);
        if (r < 0)
                return r;
        w = vb_typed_params_get(p, "weight");
        if (w)
                s->sched_weight = w->v.ui;
        return 0;
}

/* ---- per-device: interface bandwidth, block I/O tuning ---- */

static VbTestDevParams *dev_params(VbTestDevParams **l, size_t *n, const char *device, bool create) {
        VbTestDevParams *nl;
        for (size_t i = 0; i < *n; i++)
                if (streq((*l)[i].device, device))
                        return &(*l)[i];
        if (!create)
                return NULL;
        nl = realloc(*l, (*n + 1) * sizeof(*nl));
        if (!nl)
                return NULL;
        *l = nl;
        nl[*n] = (VbTestDevParams) { .device = vb_strdup(device) };
        return &nl[(*n)++];
}

static const char *find_iface(const VbDomainDef *def, const char *device) {
        char mac[18];
        bool is_mac = vb_mac_parse(device, mac) >= 0;
        for (size_t i = 0; i < def->n_nets; i++)
                if ((is_mac && streq_ptr(def->nets[i].mac, mac)) || streq_ptr(def->nets[i].target_dev, device))
                        return def->nets[i].mac;
        return NULL;
}

static const VbTypedParamSpec iface_spec[] = {
        { "inbound.average", VB_TYPED_PARAM_UINT }, { "inbound.peak", VB_TYPED_PARAM_UINT },
        { "inbound.burst", VB_TYPED_PARAM_UINT }, { "inbound.floor", VB_TYPED_PARAM_UINT },
        { "outbound.average", VB_TYPED_PARAM_UINT }, { "outbound.peak", VB_TYPED_PARAM_UINT },
        { "outbound.burst", VB_TYPED_PARAM_UINT }, {},
};

static int dev_get(VbDomainObj *d, const char *key, VbTestDevParams *l, size_t n, const VbTypedParamSpec *spec,
                   VbTypedParams *ret, VbError *e) {
        _cleanup_typed_params_ VbTypedParams defaults = {};
        VbTestDevParams *p = dev_params(&l, &n, key, false);
        VbTypedParams empty = {};
        if (spec_defaults(spec, &defaults) < 0 || params_merge(ret, &defaults, p ? &p->params : &empty) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

static const VbTypedParamSpec iotune_spec[] = {
        { "total_bytes_sec", VB_TYPED_PARAM_ULLONG }, { "read_bytes_sec", VB_TYPED_PARAM_ULLONG },
        { "write_bytes_sec", VB_TYPED_PARAM_ULLONG }, { "total_iops_sec", VB_TYPED_PARAM_ULLONG },
        { "read_iops_sec", VB_TYPED_PARAM_ULLONG }, { "write_iops_sec", VB_TYPED_PARAM_ULLONG },
        { "total_bytes_sec_max", VB_TYPED_PARAM_ULLONG }, { "read_bytes_sec_max", VB_TYPED_PARAM_ULLONG },
        { "write_bytes_sec_max", VB_TYPED_PARAM_ULLONG }, { "total_iops_sec_max", VB_TYPED_PARAM_ULLONG },
        { "read_iops_sec_max", VB_TYPED_PARAM_ULLONG }, { "write_iops_sec_max", VB_TYPED_PARAM_ULLONG },
        { "size_iops_sec", VB_TYPED_PARAM_ULLONG }, { "group_name", VB_TYPED_PARAM_STRING },
        { "total_bytes_sec_max_length", VB_TYPED_PARAM_ULLONG },
        { "read_bytes_sec_max_length", VB_TYPED_PARAM_ULLONG },
        { "write_bytes_sec_max_length", VB_TYPED_PARAM_ULLONG },
        { "total_iops_sec_max_length", VB_TYPED_PARAM_ULLONG },
        { "read_iops_sec_max_length", VB_TYPED_PARAM_ULLONG },
        { "write_iops_sec_max_length", VB_TYPED_PARAM_ULLONG }, {},
};

static const char *find_disk(const VbDomainDef *def, const char *disk) {
        for (size_t i = 0; i < def->n_disks; i++)
                if (streq_ptr(def->disks[i].target_dev, disk) || streq_ptr(def->disks[i].source, disk))
                        return def->disks[i].target_dev;
        return NULL;
}

/* The two kinds of per-device parameters: where they are kept, how the device is
 * named, and libvirt's error when there is no such device. */
typedef enum DevKind { DEV_IFACE, DEV_DISK } DevKind;

static int find_dev(const VbDomainDef *def, DevKind kind, const char *dev, const char **ret, VbError *e) {
        *ret = kind == DEV_IFACE ? find_iface(def, dev) : find_disk(def, dev);
        if (*ret)
                return 0;
        if (kind == DEV_IFACE)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "Can't find device %s", dev);
        return vb_error_set(e, VB_ERR_INVALID_ARG, "disk '%s' was not found in the domain config", dev);
}

static VbTestDevParams **dev_list(VbTestDomainState *s, DevKind kind, size_t **ret_n) {
        *ret_n = kind == DEV_IFACE ? &s->n_iface : &s->n_iotune;
        return kind == DEV_IFACE ? &s->iface : &s->iotune;
}

/* Get: @flags may name one of LIVE and CONFIG (and @allowed more). */
static int dev_get_params(VbDomainObj *d, DevKind kind, const char *dev, unsigned flags, unsigned allowed,
                          VbTypedParams *ret, VbError *e) {
        VbTestDomainState *s;
        VbTestDevParams **l;
        const char *key;
        size_t *n;
        int r;

        r = get_state(d, &flags, allowed, &s, e);
        if (r >= 0)
                r = find_dev((flags & AFFECT_CONFIG) ? vb_domain_persistent_def(d) : d->def, kind, dev, &key, e);
        if (r < 0)
                return r;
        l = dev_list(s, kind, &n);
        return dev_get(d, key, *l, *n, kind == DEV_IFACE ? iface_spec : iotune_spec, ret, e);
}

/* Set: @p already checked against the kind's spec. */
static int dev_set_params(VbDomainObj *d, DevKind kind, const char *dev, const VbTypedParams *p, unsigned flags,
                          VbError *e) {
        VbTestDomainState *s;
        VbTestDevParams **l, *dp;
        const char *key;
        size_t *n;
        int r;

        r = set_state(d, &flags, &s, e);
        if (r >= 0)
                r = find_dev((flags & AFFECT_LIVE) ? d->def : vb_domain_persistent_def(d), kind, dev, &key, e);
        if (r < 0)
                return r;
        l = dev_list(s, kind, &n);
        dp = dev_params(l, n, key, true);
        if (!dp || params_store(&dp->params, p) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

int vb_test_get_interface_params(VbDomainObj *d, const char *dev, unsigned flags, VbTypedParams *ret, VbError *e) {
        return dev_get_params(d, DEV_IFACE, dev, flags, AFFECT_LIVE | AFFECT_CONFIG, ret, e);
}

int vb_test_set_interface_params(VbDomainObj *d, const char *dev, const VbTypedParams *p, unsigned flags,
                                 VbError *e) {
        int r = vb_typed_params_validate(p, iface_spec, e);
        if (r < 0)
                return r;
        return dev_set_params(d, DEV_IFACE, dev, p, flags, e);
}

int vb_test_get_block_iotune(VbDomainObj *d, const char *dev, unsigned flags, VbTypedParams *ret, VbError *e) {
        return dev_get_params(d, DEV_DISK, dev, flags, AFFECT_LIVE | AFFECT_CONFIG | 4, ret, e);
}

int vb_test_set_block_iotune(VbDomainObj *d, const char *dev, const VbTypedParams *p, unsigned flags, VbError *e) {
        int r = vb_typed_params_validate(p, iotune_spec, e);
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->n; i++)
                if (p->p[i].type == VB_TYPED_PARAM_ULLONG && p->p[i].v.ul > 1000000000000000ULL)
                        return vb_error_set(e, VB_ERR_INVALID_ARG, "block I/O throttle limit value must be no more than %llu",
                                            1000000000000000ULL);
        return dev_set_params(d, DEV_DISK, dev, p, flags, e);
}

/* ---- perf events ---- */

static const char *const perf_events[] = {
        "cmt", "mbmt", "mbml", "cpu_cycles", "instructions", "cache_references", "cache_misses",
        "branch_instructions", "branch_misses", "bus_cycles", "stalled_cycles_frontend",
        "stalled_cycles_backend", "ref_cpu_cycles", "cpu_clock", "task_clock", "page_faults",
        "context_switches", "cpu_migrations", "page_faults_min", "page_faults_maj",
        "alignment_faults", "emulation_faults", NULL,
};

int vb_test_get_perf_events(VbDomainObj *d, const char *dev, unsigned flags, VbTypedParams *ret, VbError *e) {
        _cleanup_typed_params_ VbTypedParams defaults = {};
        VbTestDomainState *s;
        int r = get_state(d, &flags, AFFECT_LIVE | AFFECT_CONFIG, &s, e);
        if (r < 0)
                return r;
        for (size_t i = 0; perf_events[i]; i++)
                if (vb_typed_params_add_boolean(&defaults, perf_events[i], false) < 0)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (params_merge(ret, &defaults, &s->perf) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

int vb_test_set_perf_events(VbDomainObj *d, const char *dev, const VbTypedParams *p, unsigned flags, VbError *e) {
        VbTypedParamSpec spec[ELEMENTSOF(perf_events)] = {};
        for (size_t i = 0; perf_events[i]; i++)
                spec[i] = (VbTypedParamSpec) { perf_events[i], VB_TYPED_PARAM_BOOLEAN };
        return set_from_spec(d, flags, spec, offsetof(VbTestDomainState, perf), p, e);
}
