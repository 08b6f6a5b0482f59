/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The driver contract. One VbConnect per enabled driver (Test, QEMU, LXC) holds the
 * in-memory registry of every object it manages; objects/ serves lookups and lists
 * from it and calls the ops tables for everything else. A NULL op means "not
 * supported", reported in one place (VB_DRIVER_CALL) with libvirt's text.
 * Nothing here knows D-Bus. */
#include <stdint.h>
#include <sys/types.h>

#include "domain.h"
#include "hashmap.h"
#include "vb-error.h"

typedef struct VbConnect VbConnect;
typedef struct VbDriver VbDriver;
typedef struct VbDomainObj VbDomainObj;
typedef struct VbNetworkObj VbNetworkObj;
typedef struct VbPoolObj VbPoolObj;
typedef struct VbVolObj VbVolObj;
typedef struct VbNodeDevObj VbNodeDevObj;
typedef struct VbSecretObj VbSecretObj;
typedef struct VbIfaceObj VbIfaceObj;
typedef struct VbNWFilterObj VbNWFilterObj;
typedef struct VbSnapshotObj VbSnapshotObj;
typedef struct VbJob VbJob;             /* drivers/job.h */

/* Model types other modules define (model/network.h, storage.h, ...). */
typedef struct VbNetworkDef VbNetworkDef;
typedef struct VbPoolDef VbPoolDef;
typedef struct VbVolDef VbVolDef;
typedef struct VbNodedevDef VbNodedevDef;
typedef struct VbSecretDef VbSecretDef;
typedef struct VbIfaceDef VbIfaceDef;
typedef struct VbNWFilterDef VbNWFilterDef;
typedef struct VbSnapshotDef VbSnapshotDef;

/* libvirt's enum values: they go on the wire unchanged. */
typedef enum VbDomainState {
        VB_DOMAIN_NOSTATE = 0, VB_DOMAIN_RUNNING = 1, VB_DOMAIN_BLOCKED = 2,
        VB_DOMAIN_PAUSED = 3, VB_DOMAIN_SHUTDOWN = 4, VB_DOMAIN_SHUTOFF = 5,
        VB_DOMAIN_CRASHED = 6, VB_DOMAIN_PMSUSPENDED = 7,
} VbDomainState;

enum { /* virDomainEventType and the details we emit */
        VB_EV_DEFINED = 0, VB_EV_UNDEFINED = 1, VB_EV_STARTED = 2, VB_EV_SUSPENDED = 3,
        VB_EV_RESUMED = 4, VB_EV_STOPPED = 5, VB_EV_SHUTDOWN = 6, VB_EV_PMSUSPENDED = 7,
        VB_EV_CRASHED = 8,
        VB_EV_DEFINED_ADDED = 0, VB_EV_DEFINED_UPDATED = 1, VB_EV_DEFINED_RENAMED = 2,
        VB_EV_DEFINED_FROM_SNAPSHOT = 3,
        VB_EV_UNDEFINED_REMOVED = 0, VB_EV_UNDEFINED_RENAMED = 1,
        VB_EV_STARTED_BOOTED = 0, VB_EV_STARTED_MIGRATED = 1, VB_EV_STARTED_RESTORED = 2,
        VB_EV_STARTED_FROM_SNAPSHOT = 3, VB_EV_STARTED_WAKEUP = 4,
        VB_EV_SUSPENDED_PAUSED = 0, VB_EV_SUSPENDED_FROM_SNAPSHOT = 5,
        VB_EV_RESUMED_UNPAUSED = 0, VB_EV_RESUMED_FROM_SNAPSHOT = 2,
        VB_EV_STOPPED_SHUTDOWN = 0, VB_EV_STOPPED_DESTROYED = 1, VB_EV_STOPPED_CRASHED = 2,
        VB_EV_STOPPED_MIGRATED = 3, VB_EV_STOPPED_SAVED = 4, VB_EV_STOPPED_FAILED = 5,
        VB_EV_STOPPED_FROM_SNAPSHOT = 6,
        VB_EV_SHUTDOWN_FINISHED = 0,
};

/* Generic lifecycle event values for networks/pools/nodedevs/secrets. */
enum {
        VB_OBJ_EV_DEFINED = 0, VB_OBJ_EV_UNDEFINED = 1, VB_OBJ_EV_STARTED = 2,
        VB_OBJ_EV_STOPPED = 3, VB_OBJ_EV_CREATED = 4, VB_OBJ_EV_DELETED = 5,
        VB_NODEDEV_EV_CREATED = 0, VB_NODEDEV_EV_DELETED = 1,
        VB_SECRET_EV_DEFINED = 0, VB_SECRET_EV_UNDEFINED = 1,
};

/* ---- the event sink: drivers report, objects/ turns it into signals ---- */

typedef enum VbEventType {
        VB_EVENT_DOMAIN_LIFECYCLE,     /* event, detail */
        VB_EVENT_DOMAIN_REBOOT,
        VB_EVENT_DOMAIN_METADATA,      /* event = metadata type, str = ns uri */
        VB_EVENT_DOMAIN_DEVICE_ADDED,  /* str = alias */
        VB_EVENT_DOMAIN_DEVICE_REMOVED,
        VB_EVENT_DOMAIN_BALLOON,       /* u64 */
        VB_EVENT_DOMAIN_CHANGED,       /* properties may have changed, no signal of its own */
        VB_EVENT_NETWORK_LIFECYCLE,
        VB_EVENT_POOL_LIFECYCLE,
        VB_EVENT_POOL_REFRESH,
        VB_EVENT_NODEDEV_LIFECYCLE,
        VB_EVENT_SECRET_LIFECYCLE,
        VB_EVENT_OBJECT_CHANGED,       /* any object: properties may have changed */
        VB_EVENT_OBJECT_ADDED,         /* volume/snapshot/interface/nwfilter appeared */
        VB_EVENT_OBJECT_REMOVED,       /* ... and disappeared (emitted before it is freed) */
        VB_EVENT_JOB_FINISHED,         /* obj = VbJob */
        VB_EVENT_DOMAIN_TRAY_CHANGE,   /* str = disk target, event = reason (0 open, 1 close) */
} VbEventType;

typedef enum VbObjKind {
        VB_KIND_DOMAIN, VB_KIND_NETWORK, VB_KIND_POOL, VB_KIND_VOL, VB_KIND_NODEDEV,
        VB_KIND_SECRET, VB_KIND_IFACE, VB_KIND_NWFILTER, VB_KIND_SNAPSHOT, VB_KIND_JOB, _VB_KIND_MAX,
} VbObjKind;

typedef struct VbEvent {
        VbEventType type;
        VbConnect *conn;
        VbObjKind kind;
        void *obj;              /* the object, still alive during emission */
        int event, detail;
        uint64_t u64;
        const char *str;
} VbEvent;

typedef void (*VbEventSink)(const VbEvent *ev, void *userdata);
void vb_event_set_sink(VbEventSink sink, void *userdata);
void vb_event_emit(const VbEvent *ev);
void vb_event_domain(VbDomainObj *dom, int event, int detail);
void vb_event_obj(VbConnect *c, VbEventType type, VbObjKind kind, void *obj, int event, int detail);

/* ---- slow operations: a driver may finish later ---- */

typedef struct VbOp VbOp;
struct VbOp {
        /* Called exactly once, when the op finishes (also when the object vanished). */
        void (*done)(VbOp *op, int r, const VbError *e);
        void *userdata;
        void *result;              /* object an op created (e.g. a cloned volume), set before done */
};

/* An op whose result is a file descriptor: the driver stores it in fd (owned by the op
 * from then on) before calling done(op, 0, NULL); done closes it when nobody takes it. */
typedef struct VbFdOp {
        VbOp op;
        int fd;
} VbFdOp;

/* ---- runtime objects ---- */

struct VbDomainObj {
        unsigned n_ref;
        VbConnect *conn;
        VbDomainDef *def;          /* live definition (or the config while inactive) */
        VbDomainDef *newdef;       /* persistent config to apply at next start, or NULL */
        VbDomainState state;
        int reason;
        int id;                    /* -1 while inactive */
        bool persistent, autostart, has_managed_save, updated, removed;
        VbSnapshotObj **snapshots;
        size_t n_snapshots;
        VbSnapshotObj *current_snapshot;
        void *priv;                /* driver private */
        uint32_t name_hash;        /* registry: where def->name is indexed */
        char *bus_path;            /* objects/: the D-Bus path, made once; freed with the object */
};

struct VbSnapshotObj {
        VbDomainObj *dom;
        VbSnapshotDef *def;
        char *name;
        char *parent;              /* name or NULL */
        void *priv;
};

struct VbNetworkObj {
        VbConnect *conn;
        VbNetworkDef *def, *newdef;
        char *name;
        uint8_t uuid[16];
        bool active, persistent, autostart;
        void *priv;
};

struct VbPoolObj {
        VbConnect *conn;
        VbPoolDef *def, *newdef;
        char *name;
        uint8_t uuid[16];
        bool active, persistent, autostart;
        VbVolObj **vols;
        size_t n_vols;
        unsigned n_jobs;           /* jobs creating volumes in this pool */
        void *priv;
};

struct VbVolObj {
        VbPoolObj *pool;
        VbVolDef *def;
        char *name, *key, *path;
        void *job;                 /* VbJob running on this volume, or NULL */
        void *priv;
};

struct VbNodeDevObj {
        VbConnect *conn;
        VbNodedevDef *def;
        char *name, *parent;
        void *priv;
};

struct VbSecretObj {
        VbConnect *conn;
        VbSecretDef *def;
        uint8_t uuid[16];
        int usage_type;
        char *usage_id;
        uint8_t *value;
        size_t value_len;
        void *priv;
};

struct VbIfaceObj {
        VbConnect *conn;
        VbIfaceDef *def;
        char *name, *mac;
        bool active;
        void *priv;
};

struct VbNWFilterObj {
        VbConnect *conn;
        VbNWFilterDef *def;
        char *name;
        uint8_t uuid[16];
        void *priv;
};


/* ---- helper-H: types for the rest of org.libvirt.Domain and DomainSnapshot ---- */

/* virTypedParameter, bus-agnostic. Type values are libvirt's. */
typedef enum VbTypedParamType {
        VB_TYPED_PARAM_INT = 1, VB_TYPED_PARAM_UINT = 2, VB_TYPED_PARAM_LLONG = 3,
        VB_TYPED_PARAM_ULLONG = 4, VB_TYPED_PARAM_DOUBLE = 5, VB_TYPED_PARAM_BOOLEAN = 6,
        VB_TYPED_PARAM_STRING = 7,
} VbTypedParamType;

typedef struct VbTypedParam {
        char *field;
        VbTypedParamType type;
        union {
                int32_t i;
                uint32_t ui;
                int64_t l;
                uint64_t ul;
                double d;
                bool b;
                char *s;
        } v;
} VbTypedParam;

typedef struct VbTypedParams {
        VbTypedParam *p;
        size_t n;
} VbTypedParams;

/* drivers/typed-param.c */
void vb_typed_params_clear(VbTypedParams *tp);
static inline void vb_typed_params_clearp(VbTypedParams *tp) { vb_typed_params_clear(tp); }
#define _cleanup_typed_params_ _cleanup_(vb_typed_params_clearp)
int vb_typed_params_add(VbTypedParams *tp, const VbTypedParam *p);     /* copies */
int vb_typed_params_add_int(VbTypedParams *tp, const char *field, int32_t v);
int vb_typed_params_add_uint(VbTypedParams *tp, const char *field, uint32_t v);
int vb_typed_params_add_llong(VbTypedParams *tp, const char *field, int64_t v);
int vb_typed_params_add_ullong(VbTypedParams *tp, const char *field, uint64_t v);
int vb_typed_params_add_double(VbTypedParams *tp, const char *field, double v);
int vb_typed_params_add_boolean(VbTypedParams *tp, const char *field, bool v);
int vb_typed_params_add_string(VbTypedParams *tp, const char *field, const char *v);
int vb_typed_params_add_printf(VbTypedParams *tp, VbTypedParamType type, uint64_t v, const char *fmt, ...)
        _printf_(4, 5);
const VbTypedParam *vb_typed_params_get(const VbTypedParams *tp, const char *field);
/* libvirt's virTypedParamsValidate: every field known, of the right type, not repeated.
 * @spec: NULL-terminated list of "name", type pairs given as VbTypedParamSpec. */
typedef struct VbTypedParamSpec {
        const char *field;
        VbTypedParamType type;
} VbTypedParamSpec;
int vb_typed_params_validate(const VbTypedParams *tp, const VbTypedParamSpec *spec, VbError *e);
const char *vb_typed_param_type_name(VbTypedParamType t);

typedef int (*VbDomainGetParamsFn)(VbDomainObj *d, const char *device, unsigned flags,
                                   VbTypedParams *ret, VbError *e);
typedef int (*VbDomainSetParamsFn)(VbDomainObj *d, const char *device, const VbTypedParams *params,
                                   unsigned flags, VbError *e);

typedef struct VbCpuMap {          /* one row per vCPU (or 1 row for the emulator) */
        bool *map;                 /* n_rows * n_cpus, row-major */
        size_t n_rows, n_cpus;
} VbCpuMap;

typedef struct VbMemoryStat {
        int tag;                   /* virDomainMemoryStatTags */
        uint64_t val;
} VbMemoryStat;
#define VB_MEMORY_STAT_MAX 16

typedef struct VbIfaceAddr {
        int type;                  /* 0 ipv4, 1 ipv6 */
        char *addr;
        unsigned prefix;
} VbIfaceAddr;

typedef struct VbDomainIface {
        char *name, *hwaddr;       /* hwaddr may be NULL */
        VbIfaceAddr *addrs;
        size_t n_addrs;
} VbDomainIface;

typedef struct VbFSInfo {
        char *mountpoint, *name, *fstype;
        char **devs;               /* NULL-terminated */
} VbFSInfo;

typedef struct VbDiskError {
        char *disk;
        int error;
} VbDiskError;

typedef struct VbSecLabel {
        char *label;
        bool enforcing;
} VbSecLabel;

typedef struct VbJobInfo {
        int type;
        uint64_t time_elapsed, time_remaining, data_total, data_processed, data_remaining,
                mem_total, mem_processed, mem_remaining, file_total, file_processed, file_remaining;
} VbJobInfo;

typedef struct VbBlockJobInfo {
        int type;
        uint64_t bandwidth, cur, end;
} VbBlockJobInfo;

typedef struct VbIOThreadInfo {
        unsigned id;
        VbCpuMap map;
} VbIOThreadInfo;

/* Result lists: free with these (drivers/typed-param.c). */
void vb_cpu_map_clear(VbCpuMap *m);
void vb_domain_ifaces_free(VbDomainIface *l, size_t n);
void vb_fs_info_free(VbFSInfo *l, size_t n);
void vb_disk_errors_free(VbDiskError *l, size_t n);
void vb_sec_labels_free(VbSecLabel *l, size_t n);
void vb_iothread_info_free(VbIOThreadInfo *l, size_t n);

/* Snapshot registry (drivers/registry-snapshot.c): objects live in d->snapshots. */
int vb_snapshot_obj_new(VbDomainObj *d, const char *name, VbSnapshotObj **ret);
VbSnapshotObj *vb_snapshot_find(VbDomainObj *d, const char *name);
/* Out of the domain's list and freed (priv must have been released by the driver). */
void vb_snapshot_obj_remove(VbSnapshotObj *s);
/* Children (direct, or all descendants) of @s, or the roots when @s is NULL. */
size_t vb_snapshot_children(VbDomainObj *d, const VbSnapshotObj *s, bool descendants,
                            VbSnapshotObj ***ret);
/* libvirt's virDomainSnapshotListFlags values */
enum {
        VB_SNAPSHOT_LIST_ROOTS = 1 << 0, VB_SNAPSHOT_LIST_DESCENDANTS = 1 << 0,
        VB_SNAPSHOT_LIST_METADATA = 1 << 1, VB_SNAPSHOT_LIST_LEAVES = 1 << 2,
        VB_SNAPSHOT_LIST_NO_LEAVES = 1 << 3, VB_SNAPSHOT_LIST_NO_METADATA = 1 << 4,
        VB_SNAPSHOT_LIST_INACTIVE = 1 << 5, VB_SNAPSHOT_LIST_ACTIVE = 1 << 6,
        VB_SNAPSHOT_LIST_DISK_ONLY = 1 << 7, VB_SNAPSHOT_LIST_INTERNAL = 1 << 8,
        VB_SNAPSHOT_LIST_EXTERNAL = 1 << 9, VB_SNAPSHOT_LIST_TOPOLOGICAL = 1 << 10,
        /* all but ROOTS/DESCENDANTS, which mean different things for ListAll and ListChildren */
        VB_SNAPSHOT_LIST_FILTERS = (1 << 11) - 2,
};
/* The driver's answer for the list filter: one of LIST_INACTIVE/ACTIVE/DISK_ONLY
 * and one of LIST_INTERNAL/EXTERNAL. */
typedef unsigned (*VbSnapshotKindFn)(VbSnapshotObj *s);
/* virDomainSnapshotCurrent/LookupByName/GetParent errors, as libvirt words them. */
int vb_snapshot_current(VbDomainObj *d, VbSnapshotObj **ret, VbError *e);
int vb_snapshot_lookup(VbDomainObj *d, const char *name, VbSnapshotObj **ret, VbError *e);
int vb_snapshot_parent(VbSnapshotObj *s, VbSnapshotObj **ret, VbError *e);
/* ListAll (@s NULL) or ListChildren of @s, filtered by libvirt's list flags. */
int vb_snapshot_list(VbDomainObj *d, VbSnapshotObj *s, unsigned flags, VbSnapshotKindFn kind,
                     VbSnapshotObj ***ret, size_t *ret_n, VbError *e);

/* ---- ops tables (fill what the driver supports; NULL = not supported) ---- */

typedef struct VbNodeInfo {
        char model[32];
        uint64_t memory_kib;
        unsigned cpus, mhz, nodes, sockets, cores, threads;
} VbNodeInfo;

typedef struct VbNodeStat {
        const char *name;
        uint64_t value;
} VbNodeStat;

typedef struct VbConnectOps {
        int (*get_capabilities)(VbConnect *c, char **ret, VbError *e);
        int (*get_sysinfo)(VbConnect *c, unsigned flags, char **ret, VbError *e);
        int (*get_version)(VbConnect *c, uint64_t *ret, VbError *e);
        int (*node_get_info)(VbConnect *c, VbNodeInfo *ret, VbError *e);
        int (*get_cpu_model_names)(VbConnect *c, const char *arch, unsigned flags, char ***ret, VbError *e);
        int (*baseline_cpu)(VbConnect *c, const char *const *xml_cpus, unsigned flags, char **ret, VbError *e);
        int (*compare_cpu)(VbConnect *c, const char *xml, unsigned flags, int *ret, VbError *e);
        int (*get_domain_capabilities)(VbConnect *c, const char *emulator, const char *arch,
                                       const char *machine, const char *virttype, unsigned flags,
                                       char **ret, VbError *e);
        /* One bool per host CPU: online or not. */
        int (*node_get_cpu_map)(VbConnect *c, unsigned flags, bool **ret, size_t *ret_n, VbError *e);
        /* Field names and values (VbNodeStat arrays end with name NULL). */
        int (*node_get_cpu_stats)(VbConnect *c, int cpu, unsigned flags, VbNodeStat **ret, VbError *e);
        int (*node_get_memory_stats)(VbConnect *c, int cell, unsigned flags, VbNodeStat **ret, VbError *e);
        int (*node_get_free_memory)(VbConnect *c, uint64_t *ret, VbError *e);
        int (*node_get_security_model)(VbConnect *c, char **ret_model, char **ret_doi, VbError *e);
} VbConnectOps;

typedef struct VbDomainOps {
        /* Definitions. On success the new/updated object is returned (not referenced). */
        int (*define_xml)(VbConnect *c, const char *xml, unsigned flags, VbDomainObj **ret, VbError *e);
        /* 0 = running now (*ret); 1 = starting, op->done later with op->result = the domain */
        int (*create_xml)(VbConnect *c, const char *xml, unsigned flags, VbOp *op, VbDomainObj **ret,
                          VbError *e);
        int (*undefine)(VbDomainObj *d, unsigned flags, VbError *e);
        /* Lifecycle: return 0 when finished, 1 when @op->done will be called later. */
        int (*create)(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e);
        int (*destroy)(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e);
        int (*shutdown)(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e);
        int (*reboot)(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e);
        int (*reset)(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e);
        int (*suspend)(VbDomainObj *d, VbOp *op, VbError *e);
        int (*resume)(VbDomainObj *d, VbOp *op, VbError *e);
        int (*get_xml_desc)(VbDomainObj *d, unsigned flags, char **ret, VbError *e);
        int (*set_autostart)(VbDomainObj *d, bool autostart, VbError *e);
        int (*get_os_type)(VbDomainObj *d, char **ret, VbError *e);
        int (*get_scheduler_type)(VbDomainObj *d, char **ret, int *nparams, VbError *e);
        /* ---- helper-H: the rest of org.libvirt.Domain ---- */
        int (*set_metadata)(VbDomainObj *d, int type, const char *metadata, const char *key,
                            const char *uri, unsigned flags, VbError *e);
        int (*get_metadata)(VbDomainObj *d, int type, const char *uri, unsigned flags, char **ret, VbError *e);
        /* save/restore: 0 done, 1 = @op finishes later (may run as an org.virtbus.Job1) */
        int (*managed_save)(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e);
        int (*has_managed_save_image)(VbDomainObj *d, unsigned flags, bool *ret, VbError *e);
        int (*managed_save_remove)(VbDomainObj *d, unsigned flags, VbError *e);
        int (*save)(VbDomainObj *d, const char *to, const char *xml, unsigned flags, VbOp *op, VbError *e);
        int (*restore)(VbConnect *c, const char *from, const char *xml, unsigned flags, VbOp *op, VbError *e);
        int (*save_image_get_xml_desc)(VbConnect *c, const char *file, unsigned flags, char **ret, VbError *e);
        int (*save_image_define_xml)(VbConnect *c, const char *file, const char *xml, unsigned flags, VbError *e);
        int (*core_dump)(VbDomainObj *d, const char *to, unsigned format, unsigned flags, VbError *e);
        int (*create_with_files)(VbDomainObj *d, unsigned nfiles, unsigned flags, VbError *e);
        int (*set_vcpus)(VbDomainObj *d, unsigned n, unsigned flags, VbError *e);
        int (*get_vcpus)(VbDomainObj *d, unsigned flags, unsigned *ret, VbError *e);
        int (*get_vcpu_pin_info)(VbDomainObj *d, unsigned flags, VbCpuMap *ret, VbError *e);
        int (*pin_vcpu)(VbDomainObj *d, unsigned vcpu, const bool *map, size_t n, unsigned flags, VbError *e);
        int (*get_emulator_pin_info)(VbDomainObj *d, unsigned flags, VbCpuMap *ret, VbError *e);
        int (*pin_emulator)(VbDomainObj *d, const bool *map, size_t n, unsigned flags, VbError *e);
        int (*get_guest_vcpus)(VbDomainObj *d, unsigned flags, VbTypedParams *ret, VbError *e);
        int (*set_guest_vcpus)(VbDomainObj *d, const char *cpumap, int state, unsigned flags, VbError *e);
        int (*set_memory)(VbDomainObj *d, uint64_t kib, unsigned flags, VbError *e);
        int (*set_memory_stats_period)(VbDomainObj *d, int period, unsigned flags, VbError *e);
        int (*memory_stats)(VbDomainObj *d, unsigned flags, VbMemoryStat ret[VB_MEMORY_STAT_MAX],
                            size_t *ret_n, VbError *e);
        VbDomainGetParamsFn get_blkio_params, get_memory_params, get_numa_params, get_sched_params,
                get_interface_params, get_block_iotune, get_perf_events;
        VbDomainSetParamsFn set_blkio_params, set_memory_params, set_numa_params, set_sched_params,
                set_interface_params, set_block_iotune, set_perf_events;
        /* virDomainListGetStats / virConnectGetAllDomainStats for one domain */
        int (*get_stats)(VbDomainObj *d, unsigned stats, unsigned flags, VbTypedParams *ret, VbError *e);
        int (*get_job_info)(VbDomainObj *d, VbJobInfo *ret, VbError *e);
        int (*get_job_stats)(VbDomainObj *d, unsigned flags, int *type, VbTypedParams *ret, VbError *e);
        int (*abort_job)(VbDomainObj *d, VbError *e);
        int (*get_control_info)(VbDomainObj *d, unsigned flags, unsigned *state, unsigned *details,
                                uint64_t *state_time, VbError *e);
        int (*get_time)(VbDomainObj *d, unsigned flags, uint64_t *secs, unsigned *nsecs, VbError *e);
        int (*set_time)(VbDomainObj *d, uint64_t secs, unsigned nsecs, unsigned flags, VbError *e);
        int (*get_hostname)(VbDomainObj *d, unsigned flags, char **ret, VbError *e);
        int (*interface_addresses)(VbDomainObj *d, unsigned source, unsigned flags, VbDomainIface **ret,
                                   size_t *ret_n, VbError *e);
        int (*get_fs_info)(VbDomainObj *d, unsigned flags, VbFSInfo **ret, size_t *ret_n, VbError *e);
        int (*get_disk_errors)(VbDomainObj *d, unsigned flags, VbDiskError **ret, size_t *ret_n, VbError *e);
        int (*get_security_label_list)(VbDomainObj *d, VbSecLabel **ret, size_t *ret_n, VbError *e);
        int (*rename)(VbDomainObj *d, const char *name, unsigned flags, VbError *e);
        int (*attach_device)(VbDomainObj *d, const char *xml, unsigned flags, VbError *e);
        int (*detach_device)(VbDomainObj *d, const char *xml, unsigned flags, VbError *e);
        int (*update_device)(VbDomainObj *d, const char *xml, unsigned flags, VbError *e);
        int (*block_peek)(VbDomainObj *d, const char *disk, uint64_t offset, size_t size, unsigned flags,
                          uint8_t *buf, VbError *e);
        int (*memory_peek)(VbDomainObj *d, uint64_t offset, size_t size, unsigned flags, uint8_t *buf, VbError *e);
        int (*fs_freeze)(VbDomainObj *d, char **mountpoints, unsigned flags, unsigned *ret, VbError *e);
        int (*fs_thaw)(VbDomainObj *d, char **mountpoints, unsigned flags, unsigned *ret, VbError *e);
        int (*fs_trim)(VbDomainObj *d, const char *mountpoint, uint64_t minimum, unsigned flags, VbError *e);
        int (*inject_nmi)(VbDomainObj *d, unsigned flags, VbError *e);
        int (*send_key)(VbDomainObj *d, unsigned codeset, unsigned holdtime, const uint32_t *keys, size_t n,
                        unsigned flags, VbError *e);
        int (*send_process_signal)(VbDomainObj *d, int64_t pid, unsigned signum, unsigned flags, VbError *e);
        int (*set_user_password)(VbDomainObj *d, const char *user, const char *password, unsigned flags,
                                 VbError *e);
        int (*pm_wakeup)(VbDomainObj *d, unsigned flags, VbError *e);
        int (*open_graphics_fd)(VbDomainObj *d, unsigned idx, unsigned flags, int *ret_fd, VbError *e);
        /* OpenGraphicsFD that finishes later (1 = pending): the fd arrives in op->fd. Preferred over
         * open_graphics_fd when a driver has both. */
        int (*open_graphics_fd_async)(VbDomainObj *d, unsigned idx, unsigned flags, VbFdOp *op, VbError *e);
        /* org.virtbus.Console1.OpenConsole: the host side of character device @dev ("" = the
         * first console or serial), opened raw, O_NOCTTY, close-on-exec. */
        int (*open_console)(VbDomainObj *d, const char *dev, unsigned flags, int *ret_fd, VbError *e);
        int (*add_iothread)(VbDomainObj *d, unsigned id, unsigned flags, VbError *e);
        int (*del_iothread)(VbDomainObj *d, unsigned id, unsigned flags, VbError *e);
        int (*pin_iothread)(VbDomainObj *d, unsigned id, const bool *map, size_t n, unsigned flags, VbError *e);
        int (*get_iothread_info)(VbDomainObj *d, unsigned flags, VbIOThreadInfo **ret, size_t *ret_n, VbError *e);
        int (*block_commit)(VbDomainObj *d, const char *disk, const char *base, const char *top,
                            uint64_t bandwidth, unsigned flags, VbError *e);
        int (*block_copy)(VbDomainObj *d, const char *disk, const char *destxml, const VbTypedParams *params,
                          unsigned flags, VbError *e);
        int (*block_job_abort)(VbDomainObj *d, const char *disk, unsigned flags, VbError *e);
        int (*block_pull)(VbDomainObj *d, const char *disk, uint64_t bandwidth, unsigned flags, VbError *e);
        int (*block_rebase)(VbDomainObj *d, const char *disk, const char *base, uint64_t bandwidth,
                            unsigned flags, VbError *e);
        int (*block_resize)(VbDomainObj *d, const char *disk, uint64_t size, unsigned flags, VbError *e);
        int (*block_job_set_speed)(VbDomainObj *d, const char *disk, uint64_t bandwidth, unsigned flags,
                                   VbError *e);
        int (*get_block_job_info)(VbDomainObj *d, const char *disk, unsigned flags, VbBlockJobInfo *ret,
                                  VbError *e);
        int (*set_block_threshold)(VbDomainObj *d, const char *dev, uint64_t threshold, unsigned flags,
                                   VbError *e);
        int (*migrate_get_compression_cache)(VbDomainObj *d, unsigned flags, uint64_t *ret, VbError *e);
        int (*migrate_set_compression_cache)(VbDomainObj *d, uint64_t size, unsigned flags, VbError *e);
        int (*migrate_get_max_speed)(VbDomainObj *d, unsigned flags, uint64_t *ret, VbError *e);
        int (*migrate_set_max_speed)(VbDomainObj *d, uint64_t bandwidth, unsigned flags, VbError *e);
        int (*migrate_set_max_downtime)(VbDomainObj *d, uint64_t downtime, unsigned flags, VbError *e);
        int (*migrate_start_post_copy)(VbDomainObj *d, unsigned flags, VbError *e);
        int (*migrate_to_uri3)(VbDomainObj *d, const char *uri, const VbTypedParams *params, unsigned flags,
                               VbError *e);
        /* ---- helper-QM: asynchronous variants, preferred by objects/ when set. Return 0
         * when finished, 1 when op->done follows (exactly once), <0 with @e. The outputs
         * (@ret, @ret_n) belong to the caller and stay valid until op->done. ---- */
        int (*get_stats_op)(VbDomainObj *d, unsigned stats, unsigned flags, VbTypedParams *ret, VbOp *op,
                            VbError *e);
        int (*memory_stats_op)(VbDomainObj *d, unsigned flags, VbMemoryStat ret[VB_MEMORY_STAT_MAX],
                               size_t *ret_n, VbOp *op, VbError *e);
        int (*attach_device_op)(VbDomainObj *d, const char *xml, unsigned flags, VbOp *op, VbError *e);
        int (*detach_device_op)(VbDomainObj *d, const char *xml, unsigned flags, VbOp *op, VbError *e);
        int (*update_device_op)(VbDomainObj *d, const char *xml, unsigned flags, VbOp *op, VbError *e);
        /* ---- end helper-H domain ops ---- */
} VbDomainOps;

/* ---- StoragePool, StorageVol, NodeDevice (ops tables, registry) ---- */

/* The storage/nodedev models are named VbStoragePoolDef, VbStorageVolDef and
 * VbNodeDeviceDef (model/storage.h, model/nodedev.h); the obj->def fields are
 * typed with the shorter names above, so these accessors do the conversion. */
typedef struct VbStoragePoolDef VbStoragePoolDef;
typedef struct VbStorageVolDef VbStorageVolDef;
typedef struct VbNodeDeviceDef VbNodeDeviceDef;
#define VB_POOL_DEF(p) ((VbStoragePoolDef *) (p)->def)
#define VB_POOL_NEWDEF(p) ((VbStoragePoolDef *) (p)->newdef)
#define VB_VOL_DEF(v) ((VbStorageVolDef *) (v)->def)
#define VB_NODEDEV_DEF(d) ((VbNodeDeviceDef *) (d)->def)

typedef struct VbPoolInfo {
        int state;                          /* virStoragePoolState: 0 inactive, 2 running */
        uint64_t capacity, allocation, available;
} VbPoolInfo;

typedef struct VbVolInfo {
        int type;                           /* virStorageVolType */
        uint64_t capacity, allocation;
} VbVolInfo;

typedef struct VbStorageOps {
        int (*pool_define_xml)(VbConnect *c, const char *xml, unsigned flags, VbPoolObj **ret, VbError *e);
        int (*pool_create_xml)(VbConnect *c, const char *xml, unsigned flags, VbPoolObj **ret, VbError *e);
        int (*find_pool_sources)(VbConnect *c, const char *type, const char *spec, unsigned flags,
                                 char **ret, VbError *e);
        /* undefine/destroy may free @p (and its volumes) */
        int (*pool_undefine)(VbPoolObj *p, VbError *e);
        int (*pool_create)(VbPoolObj *p, unsigned flags, VbError *e);
        int (*pool_destroy)(VbPoolObj *p, VbError *e);
        int (*pool_build)(VbPoolObj *p, unsigned flags, VbError *e);
        int (*pool_delete)(VbPoolObj *p, unsigned flags, VbError *e);
        int (*pool_refresh)(VbPoolObj *p, unsigned flags, VbError *e);
        int (*pool_get_info)(VbPoolObj *p, VbPoolInfo *ret, VbError *e);
        int (*pool_get_xml_desc)(VbPoolObj *p, unsigned flags, char **ret, VbError *e);
        int (*pool_set_autostart)(VbPoolObj *p, bool autostart, VbError *e);
        /* *ret: malloc'd array of borrowed pointers */
        int (*pool_list_volumes)(VbPoolObj *p, unsigned flags, VbVolObj ***ret, size_t *ret_n, VbError *e);
        int (*vol_lookup_by_name)(VbPoolObj *p, const char *name, VbVolObj **ret, VbError *e);
        /* 0 = created (*ret); 1 = allocating as a job, op->result = the volume at op->done */
        int (*vol_create_xml)(VbPoolObj *p, const char *xml, unsigned flags, VbOp *op, VbVolObj **ret,
                              VbError *e);
        /* runs as a job: 1 = pending, op->result = the new volume when op->done(0) */
        int (*vol_create_xml_from)(VbPoolObj *p, const char *xml, VbVolObj *src, unsigned flags,
                                   VbOp *op, VbError *e);
        int (*vol_delete)(VbVolObj *v, unsigned flags, VbError *e);      /* frees @v */
        int (*vol_get_info)(VbVolObj *v, unsigned flags, VbVolInfo *ret, VbError *e);
        int (*vol_get_xml_desc)(VbVolObj *v, unsigned flags, char **ret, VbError *e);
        int (*vol_resize)(VbVolObj *v, uint64_t capacity, unsigned flags, VbError *e);
        /* 0 done, 1 = runs as a job and calls op->done later */
        int (*vol_wipe)(VbVolObj *v, unsigned algorithm, unsigned flags, VbOp *op, VbError *e);
        /* virStorageVolUpload/Download through the caller's @fd (drivers/vol-stream.h): the
         * copy runs as a job, returned at once in *ret; length 0 = to the end of the volume
         * (upload: until EOF). @fd stays the caller's. */
        int (*vol_upload)(VbVolObj *v, int fd, uint64_t offset, uint64_t length, unsigned flags,
                          VbJob **ret, VbError *e);
        int (*vol_download)(VbVolObj *v, int fd, uint64_t offset, uint64_t length, unsigned flags,
                            VbJob **ret, VbError *e);
        /* ---- helper-STOR: a storage backend with state of its own (pools on disk) is
         * opened after VbDriver.open and closed before VbDriver.close (it frees its pools). ---- */
        int (*open)(VbConnect *c, VbError *e);
        void (*close)(VbConnect *c);
        /* Asynchronous variants, preferred by objects/ when set: 0 done, 1 = op->done later. */
        int (*pool_refresh_op)(VbPoolObj *p, unsigned flags, VbOp *op, VbError *e);
        int (*vol_resize_op)(VbVolObj *v, uint64_t capacity, unsigned flags, VbOp *op, VbError *e);
} VbStorageOps;

typedef struct VbNodeDevOps {
        int (*create_xml)(VbConnect *c, const char *xml, unsigned flags, VbNodeDevObj **ret, VbError *e);
        int (*destroy)(VbNodeDevObj *d, VbError *e);                     /* frees @d */
        int (*get_xml_desc)(VbNodeDevObj *d, unsigned flags, char **ret, VbError *e);
        int (*list_caps)(VbNodeDevObj *d, char ***ret, VbError *e);      /* NULL-terminated */
        int (*detach)(VbNodeDevObj *d, const char *driver_name, unsigned flags, VbError *e);
        int (*reattach)(VbNodeDevObj *d, VbError *e);
        int (*reset)(VbNodeDevObj *d, VbError *e);
} VbNodeDevOps;
/* ---- end StoragePool, StorageVol, NodeDevice ---- */
/* ---- Network, Interface, Secret, NWFilter ops (helper-F kinds) ---- */

/* virNetworkDHCPLease; NULL strings travel as "" */
typedef struct VbNetworkLease {
        char *iface;
        int64_t expirytime;
        int type;
        char *mac, *iaid, *ipaddr;
        unsigned prefix;
        char *hostname, *clientid;
} VbNetworkLease;
void vb_network_leases_free(VbNetworkLease *l, size_t n);

typedef struct VbNetworkOps {
        /* On success the new/updated object is returned (borrowed). */
        int (*define_xml)(VbConnect *c, const char *xml, unsigned flags, VbNetworkObj **ret, VbError *e);
        int (*create_xml)(VbConnect *c, const char *xml, unsigned flags, VbNetworkObj **ret, VbError *e);
        /* undefine/destroy may free @n (transient network): do not touch it afterwards */
        int (*undefine)(VbNetworkObj *n, VbError *e);
        int (*create)(VbNetworkObj *n, VbError *e);
        int (*destroy)(VbNetworkObj *n, VbError *e);
        int (*update)(VbNetworkObj *n, unsigned command, unsigned section, int parent_index,
                      const char *xml, unsigned flags, VbError *e);
        int (*get_xml_desc)(VbNetworkObj *n, unsigned flags, char **ret, VbError *e);
        int (*set_autostart)(VbNetworkObj *n, bool autostart, VbError *e);
        int (*get_dhcp_leases)(VbNetworkObj *n, const char *mac, unsigned flags,
                               VbNetworkLease **ret, size_t *ret_n, VbError *e);
} VbNetworkOps;

typedef struct VbIfaceOps {
        int (*define_xml)(VbConnect *c, const char *xml, unsigned flags, VbIfaceObj **ret, VbError *e);
        int (*undefine)(VbIfaceObj *i, VbError *e);           /* frees @i */
        int (*create)(VbIfaceObj *i, unsigned flags, VbError *e);
        int (*destroy)(VbIfaceObj *i, unsigned flags, VbError *e);
        int (*get_xml_desc)(VbIfaceObj *i, unsigned flags, char **ret, VbError *e);
        int (*change_begin)(VbConnect *c, unsigned flags, VbError *e);
        int (*change_commit)(VbConnect *c, unsigned flags, VbError *e);
        int (*change_rollback)(VbConnect *c, unsigned flags, VbError *e);
} VbIfaceOps;

typedef struct VbSecretOps {
        int (*define_xml)(VbConnect *c, const char *xml, unsigned flags, VbSecretObj **ret, VbError *e);
        int (*undefine)(VbSecretObj *s, VbError *e);           /* frees @s */
        int (*get_xml_desc)(VbSecretObj *s, unsigned flags, char **ret, VbError *e);
        /* the value never leaves through anything but these two */
        int (*set_value)(VbSecretObj *s, const uint8_t *value, size_t n, unsigned flags, VbError *e);
        int (*get_value)(VbSecretObj *s, unsigned flags, uint8_t **ret, size_t *ret_n, VbError *e);
} VbSecretOps;

typedef struct VbNWFilterOps {
        int (*define_xml)(VbConnect *c, const char *xml, unsigned flags, VbNWFilterObj **ret, VbError *e);
        int (*undefine)(VbNWFilterObj *f, VbError *e);         /* frees @f */
        int (*get_xml_desc)(VbNWFilterObj *f, unsigned flags, char **ret, VbError *e);
} VbNWFilterOps;
/* ---- helper-H: snapshots (virDomainSnapshot*) ---- */
typedef struct VbSnapshotOps {
        /* @ret_name: the new snapshot (with NO_METADATA it is not kept in the registry) */
        /* *ret_name is set before returning 0, or 1 (@op finishes later) */
        int (*create_xml)(VbDomainObj *d, const char *xml, unsigned flags, char **ret_name, VbOp *op,
                          VbError *e);
        int (*current)(VbDomainObj *d, unsigned flags, VbSnapshotObj **ret, VbError *e);
        int (*lookup_by_name)(VbDomainObj *d, const char *name, unsigned flags, VbSnapshotObj **ret, VbError *e);
        /* malloc'd array of borrowed pointers */
        int (*list_all)(VbDomainObj *d, unsigned flags, VbSnapshotObj ***ret, size_t *ret_n, VbError *e);
        int (*list_children)(VbSnapshotObj *s, unsigned flags, VbSnapshotObj ***ret, size_t *ret_n, VbError *e);
        int (*get_parent)(VbSnapshotObj *s, unsigned flags, VbSnapshotObj **ret, VbError *e);
        int (*get_xml_desc)(VbSnapshotObj *s, unsigned flags, char **ret, VbError *e);
        int (*is_current)(VbSnapshotObj *s, unsigned flags, bool *ret, VbError *e);
        int (*revert)(VbSnapshotObj *s, unsigned flags, VbOp *op, VbError *e);   /* 1: @op later */
        int (*delete)(VbSnapshotObj *s, unsigned flags, VbOp *op, VbError *e);   /* 1: @op later */
} VbSnapshotOps;

struct VbDriver {
        const char *name;                   /* "Test", "QEMU", "LXC": path element and connect_driver */
        int (*open)(VbConnect *c, const char *root, VbError *e);
        void (*close)(VbConnect *c);
        /* frees what the driver hangs off a domain (snapshots, private data) */
        void (*domain_obj_free)(VbDomainObj *d);
        const VbConnectOps *connect;
        const VbDomainOps *domain;
        const VbStorageOps *storage;        /* StoragePool, StorageVol */
        const VbNodeDevOps *nodedev;        /* NodeDevice */
        /* helper-F kinds */
        const VbNetworkOps *network;
        const VbIfaceOps *iface;
        const VbSecretOps *secret;
        const VbNWFilterOps *nwfilter;
        const VbSnapshotOps *snapshot;   /* helper-H */
};

#define VB_DRIVER_CALL(c, table, op, api, e, ...)                                   \
        (((c)->driver->table && (c)->driver->table->op)                            \
                 ? (c)->driver->table->op(__VA_ARGS__)                             \
                 : vb_error_unsupported((e), (api)))

#define VB_DRIVER_HAS(c, table, op) ((c)->driver->table && (c)->driver->table->op)

/* ---- the connection and its registry ---- */

struct VbConnect {
        const VbDriver *driver;
        char *root;                         /* state directory of this driver */
        int next_id;                        /* next domain id */
        VbDomainObj **domains;              /* definition order: List* replies keep it */
        size_t n_domains, n_domains_alloc;
        VbHashmap domains_by_uuid, domains_by_name;
        VbNetworkObj **networks;
        size_t n_networks;
        VbPoolObj **pools;
        size_t n_pools;
        VbNodeDevObj **nodedevs;
        size_t n_nodedevs;
        VbSecretObj **secrets;
        size_t n_secrets;
        VbIfaceObj **ifaces;
        size_t n_ifaces;
        VbNWFilterObj **nwfilters;
        size_t n_nwfilters;
        /* interface transaction (virInterfaceChangeBegin): snapshot of ifaces */
        bool iface_transaction;
        VbIfaceObj **iface_backup;
        size_t n_iface_backup;
        void *priv;
        void *net_priv;                     /* a network driver beside the hypervisor's (QEMU) */
};

const VbDriver *vb_driver_find(const char *name);    /* case-insensitive: "test", "qemu" */
int vb_connect_open(const VbDriver *drv, const char *root, VbConnect **ret, VbError *e);
VbConnect *vb_connect_close(VbConnect *c);

/* Domain registry (drivers/registry.c). Lookups return borrowed pointers. */
int vb_domain_obj_new(VbConnect *c, VbDomainDef *def, VbDomainObj **ret);   /* takes def */
VbDomainObj *vb_domain_obj_ref(VbDomainObj *d);
VbDomainObj *vb_domain_obj_unref(VbDomainObj *d);
void vb_domain_obj_remove(VbDomainObj *d);        /* out of the registry; freed at last unref */
/* After d->def->name changed (rename): index the domain under its new name. */
int vb_domain_obj_renamed(VbDomainObj *d);
VbDomainObj *vb_domain_find_uuid(VbConnect *c, const uint8_t uuid[16]);
VbDomainObj *vb_domain_find_name(VbConnect *c, const char *name);
VbDomainObj *vb_domain_find_id(VbConnect *c, int id);
/* libvirt's duplicate rules for a new definition of a @kind ("domain", "network",
 * "pool") named @name with @uuid: the object that has @uuid (@uuid_owner its name,
 * NULL: none) must have @name; if none has it, none may have @name
 * (@name_owner_uuid: the uuid of the one that has, NULL: none). */
int vb_check_unique(const char *kind, const char *name, const uint8_t uuid[16], const char *uuid_owner,
                    const uint8_t *name_owner_uuid, VbError *e);
/* Checks that a new definition does not clash with an existing one (libvirt's rules:
 * same name + other uuid, or same uuid + other name, refused). Returns the existing
 * object with the same uuid (may be NULL). */
int vb_domain_check_unique(VbConnect *c, const VbDomainDef *def, VbDomainObj **ret_existing, VbError *e);
bool vb_domain_is_active(const VbDomainObj *d);
/* The config a GetXMLDesc(INACTIVE) shows. */
const VbDomainDef *vb_domain_persistent_def(const VbDomainObj *d);
/* Define of an existing domain: @def becomes its config (pending in newdef while it runs). */
void vb_domain_obj_set_persistent_def(VbDomainObj *d, VbDomainDef *def);
/* CreateXML/Restore onto an existing domain: refused while it runs, else it runs
 * *@def (taken) once and its config waits in newdef. */
int vb_domain_obj_run_def(VbDomainObj *d, VbDomainDef **def, VbError *e);
/* The domain stopped (or did not start): a pending config replaces the live
 * definition (libvirt's virDomainObjRemoveTransientDef). */
void vb_domain_obj_drop_live_def(VbDomainObj *d);
/* Define done: persistent, and DEFINED (UPDATED when it @existed, else ADDED). */
void vb_domain_obj_defined(VbDomainObj *d, bool existed);
/* libvirt's virDomainModificationImpact */
enum { VB_DOMAIN_AFFECT_CURRENT = 0, VB_DOMAIN_AFFECT_LIVE = 1 << 0, VB_DOMAIN_AFFECT_CONFIG = 1 << 1 };
/* libvirt's virDomainObjUpdateModificationImpact: AFFECT_CURRENT becomes LIVE or
 * CONFIG by what exists; a live change of a shut off domain, or a config change of a
 * transient one, is refused. */
int vb_domain_affect(const VbDomainObj *d, unsigned *flags, VbError *e);
/* "domain is not running" unless it is. */
int vb_domain_require_active(const VbDomainObj *d, VbError *e);
/* Undefine refuses to orphan snapshot metadata unless told (UNDEFINE_SNAPSHOTS_METADATA). */
int vb_domain_check_undefine_snapshots(const VbDomainObj *d, bool snapshots_metadata, VbError *e);
/* The end of a successful undefine: the UNDEFINED event; a running domain becomes
 * transient, an inactive one is dropped with @remove (the driver's own removal). */
void vb_domain_obj_undefined(VbDomainObj *d, void (*remove)(VbDomainObj *d));
/* GetXMLDesc's definition (the persistent one with XML_INACTIVE or when shut off);
 * flags checked by the caller. */
int vb_domain_format_xml(const VbDomainObj *d, unsigned flags, char **ret, VbError *e);

/* Flag checking like libvirt's virCheckFlags: unknown bits refused. */
#define VB_CHECK_FLAGS(flags, allowed, e)                                           \
        do {                                                                       \
                if ((flags) & ~(unsigned) (allowed))                               \
                        return vb_error_set((e), VB_ERR_INVALID_ARG,               \
                                            "unsupported flags (0x%x) in function %s", \
                                            (unsigned) ((flags) & ~(unsigned) (allowed)), __func__); \
        } while (0)

extern const VbDriver vb_test_driver;

/* The List* filters: a pair of flags filters only when exactly one of them is set
 * (@yes keeps the objects where @value holds, @no the others). */
bool vb_list_pass(unsigned flags, unsigned yes, unsigned no, bool value);
/* virConnectListAllDomains filter flags applied to the registry. Returns count;
 * *ret is a malloc'd array of borrowed pointers. */
int vb_domain_list(VbConnect *c, unsigned flags, VbDomainObj ***ret, size_t *ret_n, VbError *e);

/* ---- StoragePool, StorageVol, NodeDevice registry (drivers/registry-storage.c) ----
 * Lookups return borrowed pointers; objects are freed when removed. Volumes are
 * visible (by key/path, and on the bus) only while their pool is active. */
VbPoolObj *vb_pool_obj_new(VbConnect *c, VbStoragePoolDef *def);   /* takes def; NULL on OOM */
void vb_pool_obj_remove(VbPoolObj *p);                             /* frees it and its volumes */
VbPoolObj *vb_pool_find_name(VbConnect *c, const char *name);
VbPoolObj *vb_pool_find_uuid(VbConnect *c, const uint8_t uuid[16]);
/* libvirt's check of the two mutually exclusive (NO_)OVERWRITE build flags */
int vb_pool_check_build_flags(unsigned overwrite, unsigned no_overwrite, unsigned flags, VbError *e);
/* StoragePoolEvent (VB_OBJ_EV_*). */
void vb_pool_event(VbPoolObj *p, int event);
/* Define of an existing pool: @def becomes its config (pending in newdef while it runs). */
void vb_pool_obj_set_persistent_def(VbPoolObj *p, VbStoragePoolDef *def);
/* Create of a defined, inactive pool: it runs @def, its config waits in newdef. */
void vb_pool_obj_run_def(VbPoolObj *p, VbStoragePoolDef *def);
/* CreateXML's bookkeeping: @p (defined, inactive) runs *@def (taken), or without @p
 * a new pool made by @new_pool is announced. */
typedef VbPoolObj *(*VbPoolNewFn)(VbConnect *c, VbStoragePoolDef *def);
int vb_pool_obj_create(VbConnect *c, VbPoolObj *p, VbStoragePoolDef **def, VbPoolNewFn new_pool, VbPoolObj **ret,
                       VbError *e);
/* "storage pool '%s' is not active" unless it is. */
int vb_pool_require_active(const VbPoolObj *p, VbError *e);
/* Before a pool stops or is refreshed: it is active and no volume job runs in it
 * (@busy: the driver knows of other work in flight). */
int vb_pool_require_active_idle(const VbPoolObj *p, bool busy, VbError *e);
/* "volume '%s' is still in use." while a job (clone, upload...) holds it; _active_idle
 * checks its pool runs first. */
int vb_vol_require_idle(const VbVolObj *v, VbError *e);
int vb_vol_require_active_idle(const VbVolObj *v, VbError *e);
/* StorageVolLookupByName, the same for every driver (an ops table entry). */
int vb_vol_lookup_by_name(VbPoolObj *p, const char *name, VbVolObj **ret, VbError *e);
/* GetXMLDesc: the pending persistent definition with @inactive, else the live one. */
int vb_pool_format_xml(const VbPoolObj *p, bool inactive, char **ret, VbError *e);
/* libvirt's duplicate rules for a new definition (name/uuid clash, live pool when
 * @check_active); *ret_existing = pool with the same uuid, or NULL. */
int vb_pool_check_unique(VbConnect *c, const VbStoragePoolDef *def, bool check_active,
                         VbPoolObj **ret_existing, VbError *e);
/* virConnectListAllStoragePools filter flags. */
int vb_pool_list(VbConnect *c, unsigned flags, VbPoolObj ***ret, size_t *ret_n, VbError *e);
VbVolObj *vb_vol_obj_add(VbPoolObj *p, VbStorageVolDef *def);      /* takes def; key/path from def */
void vb_vol_obj_remove(VbVolObj *v);
VbVolObj *vb_vol_find_name(VbPoolObj *p, const char *name);
VbVolObj *vb_vol_find_key(VbConnect *c, const char *key);
VbVolObj *vb_vol_find_path(VbConnect *c, const char *path);
VbNodeDevObj *vb_nodedev_obj_new(VbConnect *c, VbNodeDeviceDef *def);  /* takes def */
void vb_nodedev_obj_remove(VbNodeDevObj *d);
VbNodeDevObj *vb_nodedev_find_name(VbConnect *c, const char *name);
VbNodeDevObj *vb_nodedev_find_scsi_host_wwn(VbConnect *c, const char *wwnn, const char *wwpn);
/* virConnectListAllNodeDevices capability filter flags. */
int vb_nodedev_list(VbConnect *c, unsigned flags, VbNodeDevObj ***ret, size_t *ret_n, VbError *e);
/* Frees every pool, volume and node device of @c (at close). */
void vb_storage_registry_clear(VbConnect *c);
/* ---- Network, Interface, Secret, NWFilter registry (drivers/registry-net.c, helper-F kinds).
 * Objects are owned by the registry; lookups return borrowed pointers. *_obj_new takes
 * the definition; *_obj_remove emits VB_EVENT_OBJECT_REMOVED, then frees. ---- */
int vb_network_obj_new(VbConnect *c, VbNetworkDef *def, VbNetworkObj **ret);
void vb_network_obj_remove(VbNetworkObj *n);
VbNetworkObj *vb_network_find_uuid(VbConnect *c, const uint8_t uuid[16]);
VbNetworkObj *vb_network_find_name(VbConnect *c, const char *name);
/* libvirt's rules: same uuid + other name, or same name + other uuid, refused */
int vb_network_check_unique(VbConnect *c, const char *name, const uint8_t uuid[16],
                            VbNetworkObj **ret_existing, VbError *e);
/* NetworkEvent (VB_OBJ_EV_*) and the object's PropertiesChanged. */
void vb_network_event(VbNetworkObj *n, int event);
void vb_network_changed(VbNetworkObj *n);
/* A new network for *@def (taken), unless @c has @max networks already. */
int vb_network_obj_add(VbConnect *c, size_t max, VbNetworkDef **def, VbNetworkObj **ret, VbError *e);
/* Define's bookkeeping: *@def (taken) becomes the config of @n, or of a new network
 * when @n is NULL; DEFINED, and the object announced. */
int vb_network_define(VbConnect *c, VbNetworkObj *n, size_t max, VbNetworkDef **def, VbNetworkObj **ret,
                      VbError *e);
/* Define: @def becomes the config (pending in newdef while the network runs). */
void vb_network_obj_set_persistent_def(VbNetworkObj *n, VbNetworkDef *def);
/* Define/Create done: persistent (or active), DEFINED (STARTED), and the object
 * announced as new when @added, as changed otherwise. */
void vb_network_obj_defined(VbNetworkObj *n, bool added);
void vb_network_obj_started(VbNetworkObj *n, bool added);
/* "network is not active" unless it is. */
int vb_network_require_active(const VbNetworkObj *n, VbError *e);
/* Destroy done (the driver stopped what runs): the pending config takes over,
 * STOPPED, and a transient network goes with @remove (the driver's own removal). */
void vb_network_obj_stopped(VbNetworkObj *n, void (*remove)(VbNetworkObj *n));
/* GetXMLDesc: the pending config with @inactive, else the live definition. */
int vb_network_format_xml(const VbNetworkObj *n, bool inactive, char **ret, VbError *e);
/* SetAutostart's rules (persistent only, no change no event); @apply (may be NULL)
 * makes it last, e.g. the autostart link. */
int vb_network_set_autostart(VbNetworkObj *n, bool autostart,
                             int (*apply)(VbNetworkObj *n, bool autostart, VbError *e), VbError *e);
/* virConnectListAllNetworks filter flags */
int vb_network_list(VbConnect *c, unsigned flags, VbNetworkObj ***ret, size_t *ret_n, VbError *e);

int vb_iface_obj_new(VbConnect *c, VbIfaceDef *def, const char *name, const char *mac, VbIfaceObj **ret);
VbIfaceObj *vb_iface_obj_free(VbIfaceObj *i);      /* no event, not in the registry */
void vb_iface_obj_remove(VbIfaceObj *i);
VbIfaceObj *vb_iface_find_name(VbConnect *c, const char *name);
/* Counts the interfaces with this MAC (case-insensitive); *ret = the first one. */
size_t vb_iface_find_mac(VbConnect *c, const char *mac, VbIfaceObj **ret);
int vb_iface_list(VbConnect *c, unsigned flags, VbIfaceObj ***ret, size_t *ret_n, VbError *e);

int vb_secret_obj_new(VbConnect *c, VbSecretDef *def, const uint8_t uuid[16], int usage_type,
                      const char *usage_id, VbSecretObj **ret);
void vb_secret_obj_remove(VbSecretObj *s);
/* Replace the stored value (wiping the old one); takes @value. */
void vb_secret_obj_set_value(VbSecretObj *s, uint8_t *value, size_t n);
VbSecretObj *vb_secret_find_uuid(VbConnect *c, const uint8_t uuid[16]);
VbSecretObj *vb_secret_find_usage(VbConnect *c, int usage_type, const char *usage_id);
int vb_secret_list(VbConnect *c, unsigned flags, VbSecretObj ***ret, size_t *ret_n, VbError *e);

int vb_nwfilter_obj_new(VbConnect *c, VbNWFilterDef *def, const char *name, const uint8_t uuid[16],
                        VbNWFilterObj **ret);
void vb_nwfilter_obj_remove(VbNWFilterObj *f);
VbNWFilterObj *vb_nwfilter_find_uuid(VbConnect *c, const uint8_t uuid[16]);
VbNWFilterObj *vb_nwfilter_find_name(VbConnect *c, const char *name);
int vb_nwfilter_list(VbConnect *c, unsigned flags, VbNWFilterObj ***ret, size_t *ret_n, VbError *e);

/* Frees every network, interface, secret and nwfilter of @c (no events): driver close. */
void vb_net_registry_free(VbConnect *c);
