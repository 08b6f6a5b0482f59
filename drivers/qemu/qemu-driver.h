/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Shared between the QEMU driver's files (qemu-driver.c, qemu-domain.c,
 * qemu-lifecycle.c). State layout under the driver's root (<root>/QEMU):
 *   config/<name>.xml        persistent definitions (0600, atomic writes)
 *   autostart/<name>.xml     symlink to ../config/<name>.xml
 *   run/<name>.status        runtime status of a running domain (qemu-status.h)
 *   run/dom-<id>/            runtime directory of one instance (qmp.sock, vnc.sock, ...)
 *   log/<name>.log           QEMU's stdout and stderr */
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "driver.h"
#include "qemu-process.h"
#include "qmp.h"

#define VB_QEMU_MONITOR_TIMEOUT_USEC (30ULL * 1000000ULL)  /* exec → QMP socket listening */
#define VB_QEMU_KILL_GRACE_USEC (1000000ULL)              /* SIGTERM → SIGKILL */

/* libvirt's reason values (virDomain*Reason) and the event details driver.h lacks. */
enum {
        VB_RUNNING_UNKNOWN = 0, VB_RUNNING_BOOTED = 1, VB_RUNNING_UNPAUSED = 5,
        VB_PAUSED_UNKNOWN = 0, VB_PAUSED_USER = 1, VB_PAUSED_SHUTTING_DOWN = 8,
        VB_PAUSED_STARTING_UP = 11,
        VB_SHUTDOWN_USER = 1,
        VB_SHUTOFF_UNKNOWN = 0, VB_SHUTOFF_SHUTDOWN = 1, VB_SHUTOFF_DESTROYED = 2,
        VB_SHUTOFF_CRASHED = 3, VB_SHUTOFF_FAILED = 6, VB_SHUTOFF_DAEMON = 8,
        VB_EV_SHUTDOWN_GUEST = 1, VB_EV_SHUTDOWN_HOST = 2,
};

typedef enum VbQemuFakeReboot {
        VB_QEMU_FAKE_REBOOT_NONE,
        VB_QEMU_FAKE_REBOOT_ARMED,       /* powerdown sent, QEMU pauses on shutdown */
        VB_QEMU_FAKE_REBOOT_RESETTING,   /* reset + cont in flight: STOP/RESUME are ours */
} VbQemuFakeReboot;

typedef struct VbQemuDriver {
        VbConnect *conn;
        sd_event *event;
        char *root;                      /* <root>/QEMU */
        char *config_dir, *autostart_dir, *run_dir, *log_dir;
        bool kvm_available;
        uint64_t qemu_version;           /* libvirt's encoding, 0 while unknown */
        struct VersionProbe *probe;
        sd_event_source *probe_defer;     /* runs the probe once the service is up */
} VbQemuDriver;

/* Per-domain driver state, d->priv. Lives exactly as long as the domain is in the
 * registry: vb_qemu_dom_remove() frees it before the domain leaves. */
typedef struct VbQemuDom {
        VbDomainObj *dom;
        VbQemuDriver *drv;
        VbQemuProc *proc;                /* NULL while shut off */
        VbQmp *qmp;
        char *run_dir, *monitor;         /* of the running instance */
        /* the state change lock: the API holding it and the op it finishes */
        const char *job;
        VbOp *job_op;
        uint64_t job_since;              /* CLOCK_MONOTONIC µs */
        VbOp *destroy_op;                /* Destroy waiting for the process to go */
        uint64_t destroy_since;
        bool starting;                   /* spawned, not yet running */
        bool start_paused;
        bool destroying;                 /* we killed it: STOPPED/DESTROYED */
        bool got_shutdown;               /* QEMU sent SHUTDOWN: STOPPED/SHUTDOWN */
        VbQemuFakeReboot fake_reboot;    /* Reboot: the next SHUTDOWN becomes a reset */
        bool reattached;
        off_t log_offset;                /* where this start's QEMU output begins */
        int start_detail;                /* VB_EV_STARTED_* to emit */
        char *start_error;               /* why a start failed, for the Create reply */
        /* save/restore (qemu-save.c): a restore spawns QEMU with -incoming defer and,
         * once its chardevs are known, runs @start_hook instead of cont; the hook ends
         * with vb_qemu_startup_done() or vb_qemu_start_failed(). */
        bool incoming;
        void (*start_hook)(VbDomainObj *d);
        void *save_ctx;                  /* the save or restore in progress */
        bool saved;                      /* stopped by a save: STOPPED/SAVED */
        /* snapshot revert (qemu-snapshot.c): QEMU stopped for it (STOPPED/FROM_SNAPSHOT);
         * the revert that starts QEMU and loads the snapshot in its start_hook */
        bool reverting;
        void *revert_ctx;
} VbQemuDom;

extern const VbDriver vb_qemu_driver;
extern const VbDomainOps vb_qemu_domain_ops;

static inline VbQemuDriver *vb_qemu_driver_of(VbConnect *c) {
        return c->priv;
}

/* qemu-domain.c */
VbQemuDom *vb_qemu_dom_new(VbDomainObj *d);           /* attaches d->priv */
/* A new registry object with its driver state. Takes @def (also on failure). */
int vb_qemu_domain_new(VbConnect *c, VbDomainDef *def, VbDomainObj **ret);
/* Frees d->priv (detaching from a still running process) and removes @d. */
void vb_qemu_dom_remove(VbDomainObj *d);
/* Frees d->priv only (daemon shutdown); pending ops fail. */
void vb_qemu_dom_detach(VbDomainObj *d);
/* VbDriver.domain_obj_free: whatever is still attached at the last unref. */
void vb_qemu_domain_obj_free(VbDomainObj *d);
/* An op nobody waits for (CreateXML, autostart): failures are logged. */
VbOp *vb_qemu_internal_op(const char *what, const char *name);
char *vb_qemu_config_path(VbQemuDriver *drv, const char *name);
char *vb_qemu_autostart_path(VbQemuDriver *drv, const char *name);

/* qemu-driver.c */
void vb_qemu_log(const char *fmt, ...) _printf_(1, 2);
int vb_qemu_read_cmdline(const char *path, char **ret);

static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

/* qemu-lifecycle.c */
/* Start @d (inactive). 1: @op finishes later; <0 with @e: nothing changed. */
int vb_qemu_start(VbDomainObj *d, bool paused, int detail, const char *api, VbOp *op, VbError *e);
/* Kill the running process; @op (may be NULL) finishes when it is gone. */
int vb_qemu_kill(VbDomainObj *d, bool graceful, VbOp *op, VbError *e);
/* Fails with "cannot acquire state change lock" while a job or a destroy runs. */
int vb_qemu_job_busy(VbDomainObj *d, VbError *e);
/* Take the state change lock for @api (sets q->job/job_op) or fail with "busy". */
int vb_qemu_job_begin(VbDomainObj *d, const char *api, VbOp *op, VbError *e);
/* How long the lock (or a destroy) has been held, for GetControlInfo. */
uint64_t vb_qemu_job_age_msec(VbDomainObj *d);
/* Release it and finish its op. */
void vb_qemu_job_end(VbDomainObj *d, int r, const VbError *e);
/* Release it without finishing the op (the op fails synchronously instead). */
void vb_qemu_job_abort(VbDomainObj *d);
/* QMP set-action shutdown=@action ("pause" for a fake reboot, "poweroff"). */
int vb_qemu_set_shutdown_action(VbDomainObj *d, const char *action);
/* Issue a QMP command under the lock taken by the caller; the job ends with its reply,
 * after @then (may be NULL) ran on success. */
int vb_qemu_job_qmp(VbDomainObj *d, const char *cmd, json_object *args,
                    void (*then)(VbDomainObj *d), VbError *e);
/* Persist the runtime status (best effort, logged). */
void vb_qemu_save_status(VbDomainObj *d);
/* Reattach to a status file found at daemon start: 0 adopted, <0 cleaned up. */
int vb_qemu_reattach(VbQemuDriver *drv, const char *status_path);
/* QMP events of a domain's monitor (userdata: the VbDomainObj). */
void vb_qemu_on_qmp_event(VbQmp *qmp, const char *event, json_object *data, uint64_t ts, void *userdata);
/* Fill the pty paths QEMU allocated (query-chardev reply) into the live definition. */
void vb_qemu_apply_ptys(VbDomainDef *def, json_object *chardevs);
/* State change with the matching lifecycle event when it really changes. */
void vb_qemu_set_state(VbDomainObj *d, VbDomainState state, int reason, int event, int detail);

/* qemu-console.c: org.virtbus.Console1.OpenConsole and Domain.OpenGraphicsFD */
int vb_qemu_open_console(VbDomainObj *d, const char *dev, unsigned flags, int *ret_fd, VbError *e);
int vb_qemu_open_graphics_fd_async(VbDomainObj *d, unsigned idx, unsigned flags, VbFdOp *op, VbError *e);
/* ---- helper-QM: monitoring (qemu-stats.c) and device hotplug (qemu-devices.c) ---- */
/* Save @def as the persistent config (atomic write). qemu-domain.c */
int vb_qemu_save_config(VbQemuDriver *drv, const VbDomainDef *def, VbError *e);
int vb_qemu_get_stats_op(VbDomainObj *d, unsigned stats, unsigned flags, VbTypedParams *ret, VbOp *op,
                         VbError *e);
int vb_qemu_memory_stats_op(VbDomainObj *d, unsigned flags, VbMemoryStat ret[VB_MEMORY_STAT_MAX],
                            size_t *ret_n, VbOp *op, VbError *e);
int vb_qemu_attach_device_op(VbDomainObj *d, const char *xml, unsigned flags, VbOp *op, VbError *e);
int vb_qemu_detach_device_op(VbDomainObj *d, const char *xml, unsigned flags, VbOp *op, VbError *e);
int vb_qemu_update_device_op(VbDomainObj *d, const char *xml, unsigned flags, VbOp *op, VbError *e);
/* QMP DEVICE_DELETED of a domain's monitor: the device leaves the live definition. */
void vb_qemu_on_device_deleted(VbDomainObj *d, json_object *data);
/* The end of a start (for VbQemuDom.start_hook): running (or paused when asked), the
 * STARTED event, the job ends. Or: the start failed for @why (taken); QEMU is killed. */
void vb_qemu_startup_done(VbDomainObj *d);
void vb_qemu_start_failed(VbDomainObj *d, char *why);

/* qemu-save.c: managed save, save and restore through QEMU migration to a file */
enum { VB_RUNNING_RESTORED = 3, VB_SHUTOFF_SAVED = 5 };
int vb_qemu_managed_save(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e);
int vb_qemu_has_managed_save_image(VbDomainObj *d, unsigned flags, bool *ret, VbError *e);
int vb_qemu_managed_save_remove(VbDomainObj *d, unsigned flags, VbError *e);
int vb_qemu_save(VbDomainObj *d, const char *to, const char *xml, unsigned flags, VbOp *op, VbError *e);
int vb_qemu_restore(VbConnect *c, const char *from, const char *xml, unsigned flags, VbOp *op, VbError *e);
int vb_qemu_save_image_get_xml_desc(VbConnect *c, const char *file, unsigned flags, char **ret, VbError *e);
/* Create of a domain with a managed save image: restore from it. 0 = no image. */
int vb_qemu_start_managed(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e);
/* "-incoming defer" appended to a NULL-terminated argv. */
int vb_qemu_argv_add_incoming(char ***argv);
/* The managed save image path of domain @name. */
char *vb_qemu_managed_save_path(VbQemuDriver *drv, const char *name);

/* qemu-snapshot.c: internal qcow2 snapshots */
enum { VB_RUNNING_FROM_SNAPSHOT = 4, VB_PAUSED_FROM_SNAPSHOT = 7, VB_SHUTOFF_FROM_SNAPSHOT = 7 };
extern const VbSnapshotOps vb_qemu_snapshot_ops;
/* Load the snapshot metadata of @d (driver open, define). */
void vb_qemu_snapshots_load(VbDomainObj *d);
void vb_qemu_snapshots_free(VbDomainObj *d);
/* Undefine: refuses a managed save image unless @managed_save (then removes it);
 * with @snapshots, removes the snapshot metadata files. */
int vb_qemu_undefine_images(VbDomainObj *d, bool managed_save, bool snapshots, VbError *e);
