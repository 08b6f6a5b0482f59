/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Shared between the test driver's files. */
#include "driver.h"

extern const VbConnectOps vb_test_connect_ops;
extern const VbDomainOps vb_test_domain_ops;

/* Start an inactive domain: id, state, events. */
void vb_test_domain_start(VbDomainObj *d, int reason, bool paused);
/* Running with the definition it has: STARTED(@event_detail), then SUSPENDED when @paused. */
void vb_test_domain_running(VbDomainObj *d, int reason, int event_detail, bool paused);
/* Stop an active one; removes a transient domain after emitting the event. */
void vb_test_domain_stop(VbDomainObj *d, int reason, int event_detail);

/* ---- helper-H: the rest of the test driver's domain API and snapshots ---- */
#define VB_TEST_NODE_CPUMAP_CPUS 8   /* virNodeGetCPUMap of test:///default */
#define VB_TEST_MAX_VCPUS 32         /* virConnectGetMaxVcpus(conn, "test") */

extern const VbSnapshotOps vb_test_snapshot_ops;

typedef struct VbTestDevParams {
        char *device;
        VbTypedParams params;
} VbTestDevParams;

/* Per-domain runtime state the definition does not hold, keyed by UUID (so it never
 * outlives the domain's registry entry in a dangerous way). */
typedef struct VbTestDomainState {
        uint8_t uuid[16];
        bool *vcpu_pins;              /* n_vcpu_pins rows × VB_TEST_NODE_CPUMAP_CPUS */
        size_t n_vcpu_pins;
        bool emulator_pin[VB_TEST_NODE_CPUMAP_CPUS];
        uint64_t time_secs;
        unsigned time_nsecs;
        bool frozen[2];               /* "/" and "/boot" */
        int stats_period;
        unsigned sched_weight;
        VbTypedParams blkio, memory, numa, perf;
        VbTestDevParams *iface, *iotune;
        size_t n_iface, n_iotune;
} VbTestDomainState;

VbTestDomainState *vb_test_domain_state(VbDomainObj *d);
void vb_test_domain_states_free(VbConnect *c);
void vb_test_close(VbConnect *c);
/* libvirt's AFFECT_CURRENT/LIVE/CONFIG resolution; returns the resolved flags. */
int vb_test_affect(VbDomainObj *d, unsigned *flags, VbError *e);
/* The persistent definition to modify (copied into newdef while active). */
VbDomainDef *vb_test_config_def(VbDomainObj *d);
/* Replace a definition by a new one parsed from XML (attach/detach/update). */
int vb_test_def_edit(VbDomainObj *d, VbDomainDef **def, bool live, const char *device_xml, int how,
                     char **ret_alias, VbError *e);

int vb_test_set_metadata(VbDomainObj *d, int type, const char *metadata, const char *key,
                         const char *uri, unsigned flags, VbError *e);
int vb_test_get_metadata(VbDomainObj *d, int type, const char *uri, unsigned flags, char **ret, VbError *e);
int vb_test_managed_save(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e);
int vb_test_has_managed_save_image(VbDomainObj *d, unsigned flags, bool *ret, VbError *e);
int vb_test_managed_save_remove(VbDomainObj *d, unsigned flags, VbError *e);
int vb_test_save(VbDomainObj *d, const char *to, const char *xml, unsigned flags, VbOp *op, VbError *e);
int vb_test_restore(VbConnect *c, const char *from, const char *xml, unsigned flags, VbOp *op, VbError *e);
int vb_test_save_image_get_xml_desc(VbConnect *c, const char *file, unsigned flags, char **ret, VbError *e);
int vb_test_save_image_define_xml(VbConnect *c, const char *file, const char *xml, unsigned flags, VbError *e);
int vb_test_core_dump(VbDomainObj *d, const char *to, unsigned format, unsigned flags, VbError *e);
int vb_test_create_with_files(VbDomainObj *d, unsigned nfiles, unsigned flags, VbError *e);
int vb_test_set_vcpus(VbDomainObj *d, unsigned n, unsigned flags, VbError *e);
int vb_test_get_vcpus(VbDomainObj *d, unsigned flags, unsigned *ret, VbError *e);
int vb_test_get_vcpu_pin_info(VbDomainObj *d, unsigned flags, VbCpuMap *ret, VbError *e);
int vb_test_pin_vcpu(VbDomainObj *d, unsigned vcpu, const bool *map, size_t n, unsigned flags, VbError *e);
int vb_test_get_emulator_pin_info(VbDomainObj *d, unsigned flags, VbCpuMap *ret, VbError *e);
int vb_test_pin_emulator(VbDomainObj *d, const bool *map, size_t n, unsigned flags, VbError *e);
int vb_test_set_memory(VbDomainObj *d, uint64_t kib, unsigned flags, VbError *e);
int vb_test_set_memory_stats_period(VbDomainObj *d, int period, unsigned flags, VbError *e);
int vb_test_memory_stats(VbDomainObj *d, unsigned flags, VbMemoryStat ret[VB_MEMORY_STAT_MAX], size_t *ret_n,
                         VbError *e);
int vb_test_rename(VbDomainObj *d, const char *name, unsigned flags, VbError *e);
int vb_test_attach_device(VbDomainObj *d, const char *xml, unsigned flags, VbError *e);
int vb_test_detach_device(VbDomainObj *d, const char *xml, unsigned flags, VbError *e);
int vb_test_update_device(VbDomainObj *d, const char *xml, unsigned flags, VbError *e);
int vb_test_get_stats(VbDomainObj *d, unsigned stats, unsigned flags, VbTypedParams *ret, VbError *e);
int vb_test_get_control_info(VbDomainObj *d, unsigned flags, unsigned *state, unsigned *details,
                             uint64_t *state_time, VbError *e);
int vb_test_get_time(VbDomainObj *d, unsigned flags, uint64_t *secs, unsigned *nsecs, VbError *e);
int vb_test_set_time(VbDomainObj *d, uint64_t secs, unsigned nsecs, unsigned flags, VbError *e);
int vb_test_get_hostname(VbDomainObj *d, unsigned flags, char **ret, VbError *e);
int vb_test_interface_addresses(VbDomainObj *d, unsigned source, unsigned flags, VbDomainIface **ret,
                                size_t *ret_n, VbError *e);
int vb_test_get_fs_info(VbDomainObj *d, unsigned flags, VbFSInfo **ret, size_t *ret_n, VbError *e);
int vb_test_get_disk_errors(VbDomainObj *d, unsigned flags, VbDiskError **ret, size_t *ret_n, VbError *e);
int vb_test_memory_peek(VbDomainObj *d, uint64_t offset, size_t size, unsigned flags, uint8_t *buf, VbError *e);
int vb_test_fs_freeze(VbDomainObj *d, char **mountpoints, unsigned flags, unsigned *ret, VbError *e);
int vb_test_fs_thaw(VbDomainObj *d, char **mountpoints, unsigned flags, unsigned *ret, VbError *e);
int vb_test_fs_trim(VbDomainObj *d, const char *mountpoint, uint64_t minimum, unsigned flags, VbError *e);
int vb_test_inject_nmi(VbDomainObj *d, unsigned flags, VbError *e);
int vb_test_send_key(VbDomainObj *d, unsigned codeset, unsigned holdtime, const uint32_t *keys, size_t n,
                     unsigned flags, VbError *e);
int vb_test_send_process_signal(VbDomainObj *d, int64_t pid, unsigned signum, unsigned flags, VbError *e);
int vb_test_set_user_password(VbDomainObj *d, const char *user, const char *password, unsigned flags,
                              VbError *e);
int vb_test_get_blkio_params(VbDomainObj *d, const char *dev, unsigned flags, VbTypedParams *ret, VbError *e);
int vb_test_set_blkio_params(VbDomainObj *d, const char *dev, const VbTypedParams *p, unsigned flags, VbError *e);
int vb_test_get_memory_params(VbDomainObj *d, const char *dev, unsigned flags, VbTypedParams *ret, VbError *e);
int vb_test_set_memory_params(VbDomainObj *d, const char *dev, const VbTypedParams *p, unsigned flags, VbError *e);
int vb_test_get_numa_params(VbDomainObj *d, const char *dev, unsigned flags, VbTypedParams *ret, VbError *e);
int vb_test_set_numa_params(VbDomainObj *d, const char *dev, const VbTypedParams *p, unsigned flags, VbError *e);
int vb_test_get_sched_params(VbDomainObj *d, const char *dev, unsigned flags, VbTypedParams *ret, VbError *e);
int vb_test_set_sched_params(VbDomainObj *d, const char *dev, const VbTypedParams *p, unsigned flags, VbError *e);
int vb_test_get_interface_params(VbDomainObj *d, const char *dev, unsigned flags, VbTypedParams *ret, VbError *e);
int vb_test_set_interface_params(VbDomainObj *d, const char *dev, const VbTypedParams *p, unsigned flags,
                                 VbError *e);
int vb_test_get_block_iotune(VbDomainObj *d, const char *dev, unsigned flags, VbTypedParams *ret, VbError *e);
int vb_test_set_block_iotune(VbDomainObj *d, const char *dev, const VbTypedParams *p, unsigned flags, VbError *e);
int vb_test_get_perf_events(VbDomainObj *d, const char *dev, unsigned flags, VbTypedParams *ret, VbError *e);
int vb_test_set_perf_events(VbDomainObj *d, const char *dev, const VbTypedParams *p, unsigned flags, VbError *e);

/* Designated initializers for vb_test_domain_ops (one line in test-domain.c). */
#define VB_TEST_DOMAIN_EXTRA_OPS                                                                        \
        .set_metadata = vb_test_set_metadata, .get_metadata = vb_test_get_metadata,                    \
        .managed_save = vb_test_managed_save, .has_managed_save_image = vb_test_has_managed_save_image, \
        .managed_save_remove = vb_test_managed_save_remove, .save = vb_test_save,                      \
        .restore = vb_test_restore, .save_image_get_xml_desc = vb_test_save_image_get_xml_desc,        \
        .save_image_define_xml = vb_test_save_image_define_xml, .core_dump = vb_test_core_dump,        \
        .create_with_files = vb_test_create_with_files,                                                \
        .set_vcpus = vb_test_set_vcpus, .get_vcpus = vb_test_get_vcpus,                                \
        .get_vcpu_pin_info = vb_test_get_vcpu_pin_info, .pin_vcpu = vb_test_pin_vcpu,                  \
        .get_emulator_pin_info = vb_test_get_emulator_pin_info, .pin_emulator = vb_test_pin_emulator,  \
        .set_memory = vb_test_set_memory, .set_memory_stats_period = vb_test_set_memory_stats_period,  \
        .memory_stats = vb_test_memory_stats,                                                          \
        .get_blkio_params = vb_test_get_blkio_params, .set_blkio_params = vb_test_set_blkio_params,    \
        .get_memory_params = vb_test_get_memory_params, .set_memory_params = vb_test_set_memory_params, \
        .get_numa_params = vb_test_get_numa_params, .set_numa_params = vb_test_set_numa_params,        \
        .get_sched_params = vb_test_get_sched_params, .set_sched_params = vb_test_set_sched_params,    \
        .get_interface_params = vb_test_get_interface_params,                                          \
        .set_interface_params = vb_test_set_interface_params,                                          \
        .get_block_iotune = vb_test_get_block_iotune, .set_block_iotune = vb_test_set_block_iotune,    \
        .get_perf_events = vb_test_get_perf_events, .set_perf_events = vb_test_set_perf_events,        \
        .get_stats = vb_test_get_stats, .get_control_info = vb_test_get_control_info,                  \
        .get_time = vb_test_get_time, .set_time = vb_test_set_time, .get_hostname = vb_test_get_hostname, \
        .interface_addresses = vb_test_interface_addresses, .get_fs_info = vb_test_get_fs_info,        \
        .get_disk_errors = vb_test_get_disk_errors, .rename = vb_test_rename,                          \
        .attach_device = vb_test_attach_device, .detach_device = vb_test_detach_device,                \
        .update_device = vb_test_update_device, .memory_peek = vb_test_memory_peek,                    \
        .fs_freeze = vb_test_fs_freeze, .fs_thaw = vb_test_fs_thaw, .fs_trim = vb_test_fs_trim,        \
        .inject_nmi = vb_test_inject_nmi, .send_key = vb_test_send_key,                                \
        .send_process_signal = vb_test_send_process_signal,                                            \
        .set_user_password = vb_test_set_user_password,
/* Release every snapshot of @d (driver data and registry entries), no events. */
void vb_test_snapshots_free(VbDomainObj *d);
