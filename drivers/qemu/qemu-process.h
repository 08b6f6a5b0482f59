/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* One QEMU process watched from sd-event: spawned by us (argv, no shell, reaped by an
 * sd-event child source on its pidfd) or adopted after a daemon restart (watched
 * through its pidfd; someone else reaps it). Also: connecting to its QMP socket with
 * retries until QEMU listens, and SIGTERM-then-SIGKILL. Nothing here blocks and
 * nothing here knows about domains.
 *
 * Callback guarantees:
 *  - on_exit is called exactly once, from the event loop, when the process is gone
 *    (never from vb_qemu_proc_free());
 *  - a monitor callback is called at most once and never after on_exit: a
 *    connection attempt still pending when the process exits is dropped silently;
 *  - callbacks may free the VbQemuProc. */
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "vb-error.h"

typedef struct VbQemuProc VbQemuProc;

/* @si: how our child ended (si_code CLD_EXITED/CLD_KILLED/CLD_DUMPED, si_status);
 * NULL for an adopted process, whose exit status we cannot know. */
typedef void (*VbQemuProcExitFn)(VbQemuProc *p, const siginfo_t *si, void *userdata);
/* r == 0: @fd is a connected, non-blocking AF_UNIX socket, now owned by the callee.
 * r < 0: -ETIMEDOUT (QEMU did not listen in time) or another connect error. */
typedef void (*VbQemuProcMonitorFn)(VbQemuProc *p, int r, int fd, void *userdata);

/* Spawn argv[0] with @argv and a minimal environment, stdin on /dev/null, stdout and
 * stderr on @log_fd, no other descriptor (but see vb_qemu_proc_spawn_fds()), default
 * signal dispositions, an empty signal mask, and its own session (it outlives the
 * daemon). */
int vb_qemu_proc_spawn(sd_event *event, char *const *argv, int log_fd, VbQemuProcExitFn on_exit,
                       void *userdata, VbQemuProc **ret, VbError *e);
/* The same, handing the child @pass_fds (the caller keeps its own): fds[i] becomes fd
 * VB_QEMU_PROC_FIRST_FD + i in the child, so argv can name those numbers. */
#define VB_QEMU_PROC_FIRST_FD 3
#define VB_QEMU_PROC_MAX_FDS 64
int vb_qemu_proc_spawn_fds(sd_event *event, char *const *argv, int log_fd, const int *pass_fds,
                           size_t n_pass_fds, VbQemuProcExitFn on_exit, void *userdata,
                           VbQemuProc **ret, VbError *e);

/* Watch an existing process (not our child). Fails with -ESRCH when @pid is gone or
 * is not the process that started at @start_time (the pid was reused). */
int vb_qemu_proc_adopt(sd_event *event, pid_t pid, uint64_t start_time, VbQemuProcExitFn on_exit,
                       void *userdata, VbQemuProc **ret);

/* Connect to the QMP socket at @path, retrying with a short backoff while it does not
 * exist or refuses connections, for at most @timeout_usec. Replaces an attempt in
 * progress (without calling its callback). */
int vb_qemu_proc_connect_monitor(VbQemuProc *p, const char *path, uint64_t timeout_usec,
                                 VbQemuProcMonitorFn cb, void *userdata);

/* SIGTERM now and, unless @grace_usec is UINT64_MAX, SIGKILL when the process is
 * still there after @grace_usec. Repeated calls do not re-arm a running timer. */
int vb_qemu_proc_kill(VbQemuProc *p, uint64_t grace_usec);

/* SIGKILL the process @pid if it is still the one that started at @start_time. */
int vb_qemu_proc_kill_pid(pid_t pid, uint64_t start_time);

pid_t vb_qemu_proc_pid(const VbQemuProc *p);
/* Start time in clock ticks since boot (/proc/<pid>/stat field 22). */
uint64_t vb_qemu_proc_start_time(const VbQemuProc *p);
bool vb_qemu_proc_is_child(const VbQemuProc *p);

/* Stop watching (the process keeps running: it belongs to no one until adopted
 * again). NULL-safe; returns NULL. */
VbQemuProc *vb_qemu_proc_free(VbQemuProc *p);

/* /proc/<pid>/stat field 22. -ESRCH when there is no such process. */
int vb_qemu_proc_read_start_time(pid_t pid, uint64_t *ret);
