/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* QEMU processes on sd-event: posix_spawn (argv, no shell, close-from-3), a pidfd
 * for every process, an sd-event child source on it for our own children and an io
 * source for adopted ones, QMP connection retries on a timer, SIGTERM then SIGKILL. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>

#include "qemu-process.h"
#include "qmp.h"

#define CONNECT_RETRY_MIN_USEC 1000ULL
#define CONNECT_RETRY_MAX_USEC 4000ULL

struct VbQemuProc {
        sd_event *event;
        pid_t pid;
        uint64_t start_time;
        bool child, exited;
        sd_event_source *exit_source;   /* child source (ours) or io source (adopted) */
        sd_event_source *kill_timer;
        VbQemuProcExitFn on_exit;
        void *userdata;
        /* monitor connection */
        sd_event_source *connect_timer;
        char *monitor_path;
        uint64_t connect_deadline, connect_delay;
        VbQemuProcMonitorFn on_monitor;
        void *monitor_userdata;
};

int vb_qemu_proc_read_start_time(pid_t pid, uint64_t *ret) {
        char path[64], buf[1024];
        _cleanup_close_ int fd = -1;
        unsigned long long v;
        const char *p;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return errno == ESRCH ? -ESRCH : -errno;
        buf[n] = 0;
        /* the command name is in parentheses and may hold anything: fields follow the last ')' */
        p = strrchr(buf, ')');
        if (!p)
                return -EBADMSG;
        p++;
        /* after ')' come fields 3 (state) ... 22 (starttime) */
        for (int field = 3; field < 22; field++) {
                p = strchr(p + 1, ' ');
                if (!p)
                        return -EBADMSG;
        }
        if (sscanf(p, " %llu", &v) != 1)
                return -EBADMSG;
        *ret = v;
        return 0;
}

static int block_sigchld(void) {
        sigset_t mask, old;
        /* sd-event child sources need SIGCHLD blocked (they reap through the pidfd) */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        return -pthread_sigmask(SIG_BLOCK, &mask, &old);
}

static void proc_exited(VbQemuProc *p, const siginfo_t *si) {
        if (p->exited)
                return;
        p->exited = true;
        p->exit_source = sd_event_source_disable_unref(p->exit_source);
        p->kill_timer = sd_event_source_disable_unref(p->kill_timer);
        p->connect_timer = sd_event_source_disable_unref(p->connect_timer);
        p->on_monitor = NULL;
        if (p->on_exit)
                p->on_exit(p, si, p->userdata);
}

static int on_child(sd_event_source *s, const siginfo_t *si, void *userdata) {
        /* sd-event reaps the child after this returns */
        proc_exited(userdata, si);
        return 0;
}

static int on_pidfd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        proc_exited(userdata, NULL);
        return 0;
}

static VbQemuProc *proc_new(sd_event *event, pid_t pid, VbQemuProcExitFn on_exit, void *userdata) {
        VbQemuProc *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        p->event = sd_event_ref(event);
        p->pid = pid;
        p->on_exit = on_exit;
        p->userdata = userdata;
        return p;
}

static int spawn_attrs(posix_spawnattr_t *attr, posix_spawn_file_actions_t *fa, int log_fd,
                       const int *pass_fds, size_t n_pass_fds) {
        sigset_t none, all;
        int r;

        sigemptyset(&none);
        sigfillset(&all);
        r = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                           POSIX_SPAWN_SETSID);
        if (r == 0)
                r = posix_spawnattr_setsigmask(attr, &none);
        if (r == 0)
                r = posix_spawnattr_setsigdefault(attr, &all);
        if (r == 0)
                r = posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(fa, log_fd, 1);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(fa, log_fd, 2);
        /* dup2 clears close-on-exec; the sources lie above the targets (see spawn_fds) */
        for (size_t i = 0; r == 0 && i < n_pass_fds; i++)
                r = posix_spawn_file_actions_adddup2(fa, pass_fds[i], VB_QEMU_PROC_FIRST_FD + (int) i);
        if (r == 0)
                r = posix_spawn_file_actions_addclosefrom_np(fa, VB_QEMU_PROC_FIRST_FD + (int) n_pass_fds);
        return -r;
}

static int watch_child(VbQemuProc *p, int pidfd) {
        int r = sd_event_add_child_pidfd(p->event, &p->exit_source, pidfd, WEXITED, on_child, p);
        if (r < 0)
                return r;
        /* the source closes the pidfd when it goes */
        (void) sd_event_source_set_child_pidfd_own(p->exit_source, true);
        (void) sd_event_source_set_description(p->exit_source, "qemu-child");
        return 0;
}

/* Copies of @fds numbered above every target fd, so that no dup2 in the child
 * overwrites a source still to be copied. */
static int high_copies(const int *fds, size_t n, int *ret) {
        for (size_t i = 0; i < n; i++) {
                ret[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, VB_QEMU_PROC_FIRST_FD + (int) n);
                if (ret[i] < 0) {
                        int r = -errno;
                        while (i > 0)
                                close(ret[--i]);
                        return r;
                }
        }
        return 0;
}

static void close_all(int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                close(fds[i]);
}

int vb_qemu_proc_spawn(sd_event *event, char *const *argv, int log_fd, VbQemuProcExitFn on_exit,
                       void *userdata, VbQemuProc **ret, VbError *e) {
        return vb_qemu_proc_spawn_fds(event, argv, log_fd, NULL, 0, on_exit, userdata, ret, e);
}

int vb_qemu_proc_spawn_fds(sd_event *event, char *const *argv, int log_fd, const int *pass_fds,
                           size_t n_pass_fds, VbQemuProcExitFn on_exit, void *userdata,
                           VbQemuProc **ret, VbError *e) {
        static char *const env[] = { "LC_ALL=C", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                     "HOME=/", NULL };
        int high[VB_QEMU_PROC_MAX_FDS];
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        VbQemuProc *p;
        pid_t pid;
        int r, pidfd;

        if (n_pass_fds > VB_QEMU_PROC_MAX_FDS)
                return vb_error_set(e, VB_ERR_LIMIT, "more than %d descriptors for QEMU", VB_QEMU_PROC_MAX_FDS);
        r = block_sigchld();
        if (r < 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "cannot block SIGCHLD: %s", strerror(-r));
        r = high_copies(pass_fds, n_pass_fds, high);
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot duplicate a descriptor for QEMU: %s",
                                    strerror(-r));
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&fa);
        r = spawn_attrs(&attr, &fa, log_fd, high, n_pass_fds);
        if (r == 0)
                r = -posix_spawn(&pid, argv[0], &fa, &attr, argv, env);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        close_all(high, n_pass_fds);
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot execute %s: %s", argv[0],
                                    strerror(-r));
        /* our unreaped child: the pid cannot be reused before we wait for it */
        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0) {
                r = -errno;
                kill(pid, SIGKILL);
                return vb_error_set(e, VB_ERR_INTERNAL, "pidfd_open(%d): %s", (int) pid, strerror(-r));
        }
        p = proc_new(event, pid, on_exit, userdata);
        if (!p || watch_child(p, pidfd) < 0) {
                /* cannot watch it: do not leave it running (the zombie goes with us) */
                (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                close(pidfd);
                vb_qemu_proc_free(p);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        p->child = true;
        (void) vb_qemu_proc_read_start_time(pid, &p->start_time);
        *ret = p;
        return 0;
}

/* A pidfd for @pid if it is still the process started at @start_time (not a
 * reused pid); -ESRCH if not. */
static int pidfd_open_checked(pid_t pid, uint64_t start_time) {
        _cleanup_close_ int pidfd = -1;
        uint64_t t;
        int r;

        if (pid <= 1)
                return -ESRCH;
        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0)
                return -errno;
        /* checked after pidfd_open: the pidfd refers to the process we compared */
        r = vb_qemu_proc_read_start_time(pid, &t);
        if (r < 0)
                return r;
        if (t != start_time)
                return -ESRCH;
        return TAKE_FD(pidfd);
}

int vb_qemu_proc_adopt(sd_event *event, pid_t pid, uint64_t start_time, VbQemuProcExitFn on_exit,
                       void *userdata, VbQemuProc **ret) {
        _cleanup_close_ int pidfd = -1;
        VbQemuProc *p;
        int r;

        pidfd = pidfd_open_checked(pid, start_time);
        if (pidfd < 0)
                return pidfd;
        /* and that process is still the one the pidfd refers to */
        if (pidfd_send_signal(pidfd, 0, NULL, 0) < 0)
                return -errno;
        p = proc_new(event, pid, on_exit, userdata);
        if (!p)
                return -ENOMEM;
        p->start_time = start_time;
        r = sd_event_add_io(event, &p->exit_source, pidfd, EPOLLIN, on_pidfd, p);
        if (r < 0) {
                vb_qemu_proc_free(p);
                return r;
        }
        (void) sd_event_source_set_io_fd_own(p->exit_source, true);
        (void) sd_event_source_set_description(p->exit_source, "qemu-adopted");
        TAKE_FD(pidfd);
        *ret = p;
        return 0;
}

/* ---- monitor connection ---- */

static int connect_try(sd_event_source *s, uint64_t usec, void *userdata) {
        VbQemuProc *p = userdata;
        VbQemuProcMonitorFn cb = p->on_monitor;
        uint64_t now;
        int r, fd = -1;

        r = vb_qmp_connect(p->monitor_path, &fd);
        if (r >= 0 || (r != -ENOENT && r != -ECONNREFUSED && r != -EAGAIN)) {
                p->connect_timer = sd_event_source_disable_unref(p->connect_timer);
                p->on_monitor = NULL;
                cb(p, r, fd, p->monitor_userdata);
                return 0;
        }
        (void) sd_event_now(p->event, CLOCK_MONOTONIC, &now);
        if (now >= p->connect_deadline) {
                p->connect_timer = sd_event_source_disable_unref(p->connect_timer);
                p->on_monitor = NULL;
                cb(p, -ETIMEDOUT, -1, p->monitor_userdata);
                return 0;
        }
        p->connect_delay = p->connect_delay * 2 > CONNECT_RETRY_MAX_USEC ? CONNECT_RETRY_MAX_USEC
                                                                         : p->connect_delay * 2;
        (void) sd_event_source_set_time(s, now + p->connect_delay);
        return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

int vb_qemu_proc_connect_monitor(VbQemuProc *p, const char *path, uint64_t timeout_usec,
                                 VbQemuProcMonitorFn cb, void *userdata) {
        uint64_t now;
        int r;

        if (p->exited)
                return -ESRCH;
        p->connect_timer = sd_event_source_disable_unref(p->connect_timer);
        r = vb_strdup_replace(&p->monitor_path, path);
        if (r < 0)
                return r;
        r = sd_event_now(p->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        p->connect_deadline = now + timeout_usec;
        p->connect_delay = CONNECT_RETRY_MIN_USEC / 2;
        p->on_monitor = cb;
        p->monitor_userdata = userdata;
        /* first attempt right away, from the loop */
        /* accuracy 1 µs: sd-event's default (0) would coalesce retries to 250 ms */
        r = sd_event_add_time(p->event, &p->connect_timer, CLOCK_MONOTONIC, now, 1, connect_try, p);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(p->connect_timer, "qemu-monitor-connect");
        return 0;
}

/* ---- signals ---- */

static int proc_pidfd(const VbQemuProc *p) {
        if (p->child)
                return sd_event_source_get_child_pidfd(p->exit_source);
        return sd_event_source_get_io_fd(p->exit_source);
}

static int on_kill_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        VbQemuProc *p = userdata;
        if (!p->exited)
                (void) pidfd_send_signal(proc_pidfd(p), SIGKILL, NULL, 0);
        return 0;
}

int vb_qemu_proc_kill(VbQemuProc *p, uint64_t grace_usec) {
        uint64_t now;
        int r;

        if (p->exited)
                return 0;
        if (pidfd_send_signal(proc_pidfd(p), SIGTERM, NULL, 0) < 0 && errno != ESRCH)
                return -errno;
        if (grace_usec == UINT64_MAX || p->kill_timer)
                return 0;
        r = sd_event_now(p->event, CLOCK_MONOTONIC, &now);
        if (r >= 0)
                r = sd_event_add_time(p->event, &p->kill_timer, CLOCK_MONOTONIC, now + grace_usec, 1000,
                                      on_kill_timer, p);
        if (r < 0) {
                /* no timer: no grace either */
                (void) pidfd_send_signal(proc_pidfd(p), SIGKILL, NULL, 0);
                return 0;
        }
        (void) sd_event_source_set_description(p->kill_timer, "qemu-sigkill");
        return 0;
}

int vb_qemu_proc_kill_pid(pid_t pid, uint64_t start_time) {
        _cleanup_close_ int pidfd = pidfd_open_checked(pid, start_time);

        if (pidfd < 0)
                return pidfd;
        return pidfd_send_signal(pidfd, SIGKILL, NULL, 0) < 0 ? -errno : 0;
}

pid_t vb_qemu_proc_pid(const VbQemuProc *p) {
        return p->pid;
}

uint64_t vb_qemu_proc_start_time(const VbQemuProc *p) {
        return p->start_time;
}

bool vb_qemu_proc_is_child(const VbQemuProc *p) {
        return p->child;
}

VbQemuProc *vb_qemu_proc_free(VbQemuProc *p) {
        if (!p)
                return NULL;
        /* the sources own the pidfd; the process itself is left alone */
        sd_event_source_disable_unref(p->exit_source);
        sd_event_source_disable_unref(p->kill_timer);
        sd_event_source_disable_unref(p->connect_timer);
        sd_event_unref(p->event);
        free(p->monitor_path);
        free(p);
        return NULL;
}
