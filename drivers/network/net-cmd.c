/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running ip(8), nft(8) and dnsmasq(8) for the network driver: argv only (no shell),
 * a fixed PATH, stdin from a memfd, stdout and stderr into one pipe, and a deadline.
 * The caller waits, but never longer than the deadline: these tools answer in
 * milliseconds, and dnsmasq's parent exits as soon as its daemon is up (or reports
 * why it is not). A tool still running at the deadline is killed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>

#include "net-internal.h"

#define OUTPUT_MAX 2048

static const char *const search_path[] = { "/usr/local/sbin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", NULL };

char *vb_net_find_tool(const char *name) {
        for (const char *const *d = search_path; *d; d++) {
                char *p = vb_strdupf("%s/%s", *d, name);
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

void vb_net_log(const char *fmt, ...) {
        va_list ap;

        fputs("virtbusd: network: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

static int input_fd(const char *input) {
        _cleanup_close_ int fd = -1;
        size_t n;

        if (!input)
                return open("/dev/null", O_RDONLY | O_CLOEXEC);
        n = strlen(input);
        fd = memfd_create("virtbus-net-input", MFD_CLOEXEC);
        if (fd < 0 || write(fd, input, n) != (ssize_t) n || lseek(fd, 0, SEEK_SET) < 0)
                return errno ? -errno : -EIO;
        return TAKE_FD(fd);
}

static int spawn_tool(char *const *argv, int in_fd, int out_fd, pid_t *ret) {
        static char *const env[] = { "LC_ALL=C", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                     "HOME=/", NULL };
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, all;
        int r;

        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&fa);
        r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        if (r == 0)
                r = posix_spawnattr_setsigmask(&attr, &none);
        if (r == 0)
                r = posix_spawnattr_setsigdefault(&attr, &all);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
        if (r == 0)
                r = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
        if (r == 0)
                r = posix_spawn(ret, argv[0], &fa, &attr, argv, env);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        return -r;
}

static void drain(int fd, char *buf, size_t *n) {
        ssize_t k;
        while (*n < OUTPUT_MAX - 1 && (k = read(fd, buf + *n, OUTPUT_MAX - 1 - *n)) > 0)
                *n += (size_t) k;
        buf[*n] = 0;
}

/* Wait for the child behind @pidfd until @deadline, collecting its output. 0 with its
 * siginfo, -ETIMEDOUT (then it is killed and reaped). */
static int wait_tool(int pidfd, int out, uint64_t deadline, siginfo_t *si, char *buf, size_t *n) {
        for (;;) {
                struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = out, .events = POLLIN } };
                uint64_t t = now_usec();
                int r;

                if (t >= deadline) {
                        (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                        (void) waitid(P_PIDFD, (id_t) pidfd, si, WEXITED);
                        return -ETIMEDOUT;
                }
                r = poll(p, 2, (int) ((deadline - t) / 1000 + 1));
                if (r < 0 && errno != EINTR)
                        return -errno;
                if (p[1].revents)
                        drain(out, buf, n);
                if (p[0].revents & POLLIN) {
                        /* a daemonizing tool leaves the pipe to its daemon: no EOF to wait for */
                        drain(out, buf, n);
                        return waitid(P_PIDFD, (id_t) pidfd, si, WEXITED) < 0 ? -errno : 0;
                }
        }
}

static void first_line_strip(char *s) {
        size_t n = strlen(s);
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
                s[--n] = 0;
}

int vb_net_run(char *const *argv, const char *input, char **ret_output, VbError *e) {
        _cleanup_close_ int in = -1, pidfd = -1, rd = -1, wr = -1;
        char buf[OUTPUT_MAX] = "";
        size_t n = 0;
        siginfo_t si = { 0 };
        int fds[2], r;
        pid_t pid;

        in = input_fd(input);
        if (in < 0 || pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot run %s: %s", argv[0], strerror(errno));
        rd = fds[0];
        wr = fds[1];
        r = spawn_tool(argv, in, wr, &pid);
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot execute %s: %s", argv[0], strerror(-r));
        close(TAKE_FD(wr));
        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0) {
                /* our unreaped child: the pid is still ours to wait for */
                (void) waitpid(pid, NULL, 0);
                return vb_error_set(e, VB_ERR_INTERNAL, "pidfd_open: %s", strerror(errno));
        }
        r = wait_tool(pidfd, rd, now_usec() + VB_NET_TOOL_TIMEOUT_USEC, &si, buf, &n);
        first_line_strip(buf);
        if (r == -ETIMEDOUT)
                return vb_error_set(e, VB_ERR_OPERATION_TIMEOUT, "%s did not finish in time", argv[0]);
        if (r < 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "cannot wait for %s: %s", argv[0], strerror(-r));
        if (si.si_code != CLD_EXITED || si.si_status != 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "%s %s failed (%s %d): %s", argv[0],
                                    argv[1] ? argv[1] : "", si.si_code == CLD_EXITED ? "status" : "signal",
                                    si.si_status, buf);
        if (ret_output)
                *ret_output = vb_strdup(buf);
        return 0;
}
