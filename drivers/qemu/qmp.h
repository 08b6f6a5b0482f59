/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Asynchronous QMP (QEMU Machine Protocol) client on sd-event.
 *
 * One VbQmp owns one connected AF_UNIX stream socket to a QEMU monitor. Life cycle:
 *   greeting {"QMP": {...}}  →  we send qmp_capabilities  →  on_ready()
 * Commands may be issued at any time after vb_qmp_new(); those issued before the
 * handshake completes are held back and sent, in order, right after it. Every command
 * carries an integer "id"; replies are matched to their slot by that id, so the order
 * of replies does not matter.
 *
 * Callback guarantees:
 *  - every reply callback passed to vb_qmp_command() (or a typed helper) is called
 *    exactly once: with the reply, with -ECONNRESET (or the disconnect reason's
 *    protocol error) when the connection is lost, or with -ECANCELED from vb_qmp_free();
 *  - no callback is ever called from inside vb_qmp_new()/vb_qmp_command() or a helper:
 *    only from the event loop, or from vb_qmp_free() (reply callbacks only);
 *  - on_disconnect is called at most once, after every pending command has failed;
 *    reason is -ECONNRESET (EOF or reset), -ENOBUFS (a message exceeded the input
 *    limit), -EBADMSG (input is not JSON objects), -EPROTO (protocol violation: no
 *    greeting, refused qmp_capabilities, reply with an unknown id) or another negative
 *    errno from read/write. It is not called from vb_qmp_free();
 *  - callbacks may call vb_qmp_free() on the VbQmp they were called for.
 *
 * QMP error replies {"error": {"class": C, "desc": D}} reach the reply callback with
 * r < 0 and err_class/err_desc set: -EOPNOTSUPP for CommandNotFound, -ENODEV for
 * DeviceNotFound and DeviceNotActive, -EIO for every other class.
 *
 * Nothing here blocks: there is no synchronous call. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "util.h"

typedef struct VbQmp VbQmp;

/* Limits. The input limit bounds one message (bytes since the end of the previous
 * complete JSON value); the pending limit bounds commands awaiting a reply. */
#define VB_QMP_MAX_INPUT_DEFAULT   (16U * 1024U * 1024U)
#define VB_QMP_MAX_PENDING_DEFAULT 256U
#define VB_QMP_MAX_COMMAND_SIZE    (1U * 1024U * 1024U)  /* one serialized command */
#define VB_QMP_MAX_FDS             16U                   /* fds passed with one command */

/* r == 0: ret is the "return" member (borrowed, valid during the call only; may be
 * NULL only if QEMU sent a JSON null). r < 0: ret is NULL; err_class/err_desc are set
 * for QMP error replies and NULL for local failures (-ECONNRESET, -ECANCELED, ...). */
typedef void (*VbQmpReplyFn)(VbQmp *q, int r, json_object *ret,
                             const char *err_class, const char *err_desc, void *userdata);
/* data is the event's "data" member or NULL (borrowed); timestamp_usec is QEMU's
 * timestamp in µs since the epoch, 0 when absent or invalid. Unknown names are
 * delivered like known ones. */
typedef void (*VbQmpEventFn)(VbQmp *q, const char *event, json_object *data,
                             uint64_t timestamp_usec, void *userdata);
typedef void (*VbQmpReadyFn)(VbQmp *q, void *userdata);
typedef void (*VbQmpDisconnectFn)(VbQmp *q, int reason, void *userdata);

/* Connect a non-blocking, close-on-exec AF_UNIX stream socket to path. Returns 0 and
 * the fd (connected, or still connecting: -EINPROGRESS is folded into success and a
 * failed connect surfaces as a disconnect), or a negative errno (-ENOENT/-ECONNREFUSED
 * while QEMU has not created its socket yet, -ENAMETOOLONG, ...). */
int vb_qmp_connect(const char *path, int *ret_fd);

/* Start a client on fd (an AF_UNIX stream socket; taken in every case: closed on
 * failure). Made non-blocking. Callbacks may be NULL. userdata goes to on_event,
 * on_ready and on_disconnect. */
int vb_qmp_new(sd_event *e, int fd, VbQmpEventFn on_event, VbQmpReadyFn on_ready,
               VbQmpDisconnectFn on_disconnect, void *userdata, VbQmp **ret);

/* Fail every pending command with -ECANCELED, close the socket, free. NULL-safe.
 * Returns NULL. */
VbQmp *vb_qmp_free(VbQmp *q);
static inline void vb_qmp_freep(VbQmp **q) { if (*q) vb_qmp_free(*q); }
#define _cleanup_vb_qmp_ _cleanup_(vb_qmp_freep)

/* Change the limits (0 keeps the current value). For tests and tuning. */
void vb_qmp_set_limits(VbQmp *q, size_t max_input, size_t max_pending);

/* Queue {"execute": cmd, "arguments": args, "id": N}. args is taken (also on
 * failure) and may be NULL. fds (may be NULL when n_fds == 0) are duplicated, the
 * caller keeps its own: they travel with the command's first byte as SCM_RIGHTS (for
 * getfd/add-fd). cb may be NULL (reply ignored). Returns 0, -ENOTCONN after a
 * disconnect, -EBUSY when the pending limit is reached, -E2BIG for an oversized
 * command or too many fds, -EINVAL, -ENOMEM, or -errno from dup. */
int vb_qmp_command(VbQmp *q, const char *cmd, json_object *args,
                   const int *fds, size_t n_fds, VbQmpReplyFn cb, void *userdata);

bool vb_qmp_is_ready(const VbQmp *q);
/* Number of commands awaiting a reply (including ones held back before ready). */
size_t vb_qmp_n_pending(const VbQmp *q);
/* QEMU's version from the greeting; -ENODATA before the greeting. Outputs may be NULL.
 * *ret_package is borrowed (valid while q lives). */
int vb_qmp_get_version(const VbQmp *q, unsigned *ret_major, unsigned *ret_minor,
                       unsigned *ret_micro, const char **ret_package);

/* ---- typed helpers (all asynchronous, same callback guarantees) ---- */

/* query-status: running, and QEMU's RunState string ("running", "paused",
 * "shutdown", "inmigrate", ...; NULL when r < 0). */
typedef void (*VbQmpStatusFn)(VbQmp *q, int r, bool running, const char *status,
                              void *userdata);
int vb_qmp_query_status(VbQmp *q, VbQmpStatusFn cb, void *userdata);

/* Commands without a useful return value; cb is a plain reply callback (ret is the
 * empty object on success). */
int vb_qmp_system_powerdown(VbQmp *q, VbQmpReplyFn cb, void *userdata);
int vb_qmp_system_reset(VbQmp *q, VbQmpReplyFn cb, void *userdata);
int vb_qmp_stop(VbQmp *q, VbQmpReplyFn cb, void *userdata);
int vb_qmp_cont(VbQmp *q, VbQmpReplyFn cb, void *userdata);
int vb_qmp_quit(VbQmp *q, VbQmpReplyFn cb, void *userdata);

/* query-balloon: the guest's current memory in bytes ("actual"). */
typedef void (*VbQmpBalloonFn)(VbQmp *q, int r, uint64_t actual_bytes, void *userdata);
int vb_qmp_query_balloon(VbQmp *q, VbQmpBalloonFn cb, void *userdata);

/* query-blockstats: one entry per block backend. Strings are borrowed for the
 * duration of the callback; missing strings are "" and missing counters 0. */
typedef struct VbQmpBlockStats {
        const char *device;       /* legacy drive id, "" for -blockdev backends */
        const char *node_name;    /* "node-name" */
        const char *qdev;         /* guest device id or QOM path */
        uint64_t rd_bytes, wr_bytes;
        uint64_t rd_operations, wr_operations, flush_operations;
        uint64_t rd_total_time_ns, wr_total_time_ns, flush_total_time_ns;
        int64_t wr_highest_offset;
} VbQmpBlockStats;
typedef void (*VbQmpBlockStatsFn)(VbQmp *q, int r, const VbQmpBlockStats *stats,
                                  size_t n_stats, void *userdata);
int vb_qmp_query_blockstats(VbQmp *q, VbQmpBlockStatsFn cb, void *userdata);

/* Start an outgoing migration into fd (managed save): getfd passes a duplicate of fd
 * under the name VB_QMP_MIGRATE_FDNAME, then migrate {"uri": "fd:<name>"} is issued.
 * cb is called once: with the first error of the two commands, or 0 when QEMU has
 * accepted the migration. Completion is reported by MIGRATION events or
 * vb_qmp_query_migrate(). */
#define VB_QMP_MIGRATE_FDNAME "vb-migrate"
int vb_qmp_migrate_to_fd(VbQmp *q, int fd, VbQmpReplyFn cb, void *userdata);

/* query-migrate: the "status" string ("none", "setup", "active", "completed",
 * "failed", "cancelled", ...) and, when failed, QEMU's "error-desc" (else NULL). */
typedef void (*VbQmpMigrateStatusFn)(VbQmp *q, int r, const char *status,
                                     const char *error_desc, void *userdata);
int vb_qmp_query_migrate(VbQmp *q, VbQmpMigrateStatusFn cb, void *userdata);
