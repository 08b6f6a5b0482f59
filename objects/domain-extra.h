/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
#include "xml-keep.h"   /* vb_strv_free */
/* Handlers of org.libvirt.Domain beyond the lifecycle set in domain.c, and the
 * Connect methods that work on domain images and statistics. */
#include "bus-object.h"

/* The driver op or NULL (the handler then reports "not supported" centrally). */
#define VB_DOP(d, op) (VB_DRIVER_HAS((d)->conn, domain, op) ? (d)->conn->driver->domain->op : NULL)

#define VB_HANDLER(name) int name(sd_bus_message *m, void *userdata, sd_bus_error *error)

/* The locals of a Domain handler, and a driver call whose error ends it (the
 * driver's message, or libvirt's "not supported" text for @api). */
#define VB_DOMAIN_VARS                                                                       \
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;                                        \
        VbDomainObj *d = userdata;                                                           \
        int r

#define VB_DOMAIN_CALL(op, api, ...)                                                         \
        do {                                                                                 \
                r = VB_DRIVER_CALL(d->conn, domain, op, api, &e, __VA_ARGS__);               \
                if (r < 0)                                                                   \
                        return vb_bus_error(error, &e);                                      \
        } while (0)

/* objects/domain-misc.c */
VB_HANDLER(vb_domain_method_set_metadata);
VB_HANDLER(vb_domain_method_get_metadata);
VB_HANDLER(vb_domain_method_managed_save);
VB_HANDLER(vb_domain_method_has_managed_save_image);
VB_HANDLER(vb_domain_method_managed_save_remove);
VB_HANDLER(vb_domain_method_save);
VB_HANDLER(vb_domain_method_core_dump);
VB_HANDLER(vb_domain_method_create_with_files);
VB_HANDLER(vb_domain_method_set_vcpus);
VB_HANDLER(vb_domain_method_get_vcpus);
VB_HANDLER(vb_domain_method_get_vcpu_pin_info);
VB_HANDLER(vb_domain_method_pin_vcpu);
VB_HANDLER(vb_domain_method_get_emulator_pin_info);
VB_HANDLER(vb_domain_method_pin_emulator);
VB_HANDLER(vb_domain_method_get_guest_vcpus);
VB_HANDLER(vb_domain_method_set_guest_vcpus);
VB_HANDLER(vb_domain_method_set_memory);
VB_HANDLER(vb_domain_method_set_memory_stats_period);
VB_HANDLER(vb_domain_method_rename);
VB_HANDLER(vb_domain_method_attach_device);
VB_HANDLER(vb_domain_method_detach_device);
VB_HANDLER(vb_domain_method_update_device);
VB_HANDLER(vb_domain_method_inject_nmi);
VB_HANDLER(vb_domain_method_send_key);
VB_HANDLER(vb_domain_method_send_process_signal);
VB_HANDLER(vb_domain_method_set_user_password);
VB_HANDLER(vb_domain_method_pm_wakeup);
VB_HANDLER(vb_domain_method_fs_freeze);
VB_HANDLER(vb_domain_method_fs_thaw);
VB_HANDLER(vb_domain_method_fs_trim);
VB_HANDLER(vb_domain_method_set_time);
VB_HANDLER(vb_domain_method_get_time);
VB_HANDLER(vb_domain_method_get_hostname);
VB_HANDLER(vb_domain_method_get_control_info);
VB_HANDLER(vb_domain_method_open_graphics_fd);

/* objects/domain-params.c */
VB_HANDLER(vb_domain_method_get_blkio_params);
VB_HANDLER(vb_domain_method_set_blkio_params);
VB_HANDLER(vb_domain_method_get_memory_params);
VB_HANDLER(vb_domain_method_set_memory_params);
VB_HANDLER(vb_domain_method_get_numa_params);
VB_HANDLER(vb_domain_method_set_numa_params);
VB_HANDLER(vb_domain_method_get_sched_params);
VB_HANDLER(vb_domain_method_set_sched_params);
VB_HANDLER(vb_domain_method_get_perf_events);
VB_HANDLER(vb_domain_method_set_perf_events);
VB_HANDLER(vb_domain_method_get_interface_params);
VB_HANDLER(vb_domain_method_set_interface_params);
VB_HANDLER(vb_domain_method_get_block_iotune);
VB_HANDLER(vb_domain_method_set_block_iotune);
VB_HANDLER(vb_domain_method_get_stats);
VB_HANDLER(vb_domain_method_memory_stats);
VB_HANDLER(vb_domain_method_get_job_info);
VB_HANDLER(vb_domain_method_get_job_stats);
VB_HANDLER(vb_domain_method_abort_job);
VB_HANDLER(vb_domain_method_interface_addresses);
VB_HANDLER(vb_domain_method_get_fs_info);
VB_HANDLER(vb_domain_method_get_disk_errors);
VB_HANDLER(vb_domain_method_get_security_label_list);
VB_HANDLER(vb_domain_method_block_peek);
VB_HANDLER(vb_domain_method_memory_peek);
VB_HANDLER(vb_connect_method_get_all_domain_stats);
VB_HANDLER(vb_connect_method_domain_restore);
VB_HANDLER(vb_connect_method_domain_save_image_get_xml_desc);
VB_HANDLER(vb_connect_method_domain_save_image_define_xml);

/* objects/domain-jobs.c: block jobs, migration, I/O threads, thresholds */
VB_HANDLER(vb_domain_method_block_commit);
VB_HANDLER(vb_domain_method_block_copy);
VB_HANDLER(vb_domain_method_block_job_abort);
VB_HANDLER(vb_domain_method_block_pull);
VB_HANDLER(vb_domain_method_block_rebase);
VB_HANDLER(vb_domain_method_block_resize);
VB_HANDLER(vb_domain_method_block_job_set_speed);
VB_HANDLER(vb_domain_method_get_block_job_info);
VB_HANDLER(vb_domain_method_set_block_threshold);
VB_HANDLER(vb_domain_method_migrate_get_compression_cache);
VB_HANDLER(vb_domain_method_migrate_set_compression_cache);
VB_HANDLER(vb_domain_method_migrate_get_max_speed);
VB_HANDLER(vb_domain_method_migrate_set_max_speed);
VB_HANDLER(vb_domain_method_migrate_set_max_downtime);
VB_HANDLER(vb_domain_method_migrate_start_post_copy);
VB_HANDLER(vb_domain_method_migrate_to_uri3);
VB_HANDLER(vb_domain_method_add_iothread);
VB_HANDLER(vb_domain_method_del_iothread);
VB_HANDLER(vb_domain_method_pin_iothread);
VB_HANDLER(vb_domain_method_get_iothread_info);

/* objects/snapshot.c: the Domain methods that make or find snapshots */
VB_HANDLER(vb_domain_method_snapshot_create_xml);
VB_HANDLER(vb_domain_method_snapshot_current);
VB_HANDLER(vb_domain_method_snapshot_lookup_by_name);
VB_HANDLER(vb_domain_method_list_domain_snapshots);
extern const VbBusKind vb_bus_kind_snapshot;

/* shared by the handler files */
int vb_bus_read_cpumap(sd_bus_message *m, bool **ret, size_t *ret_n);
int vb_bus_append_cpumap_row(sd_bus_message *m, const bool *row, size_t n);
int vb_bus_read_strv(sd_bus_message *m, char ***ret);
/* Reply with an array of @n @items of @contents, each appended by @append(reply, items, i). */
typedef int (*VbAppendItemFn)(sd_bus_message *reply, const void *items, size_t i);
int vb_bus_reply_array(sd_bus_message *m, const char *contents, VbAppendItemFn append, const void *items,
                       size_t n);
typedef int (*VbDomainPinFn)(VbDomainObj *d, unsigned id, const bool *map, size_t n, unsigned flags, VbError *e);
int vb_domain_pin(sd_bus_message *m, VbDomainObj *d, VbDomainPinFn fn, const char *api, sd_bus_error *error);
