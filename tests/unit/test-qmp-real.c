/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QMP client against a real qemu-system-x86_64 (-machine none, paused): greeting
 * version, query-status, cont, quit. Skipped when QEMU is not installed. The monitor
 * socket is created here and handed to QEMU as a listening fd, the way the driver
 * does it, so there is no connect race. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "qemu/qmp.h"
#include "util.h"

#define QEMU "qemu-system-x86_64"

typedef struct Real {
        sd_event *e;
        VbQmp *q;
        unsigned n_ready, n_disconnect, n_replies;
        int reason;
        char events[8][32];
        unsigned n_events;
        int r_status1, r_cont, r_status2, r_quit;
        bool running1, running2;
        char status1[32], status2[32];
} Real;

static char *find_in_path(const char *name) {
        const char *path = getenv("PATH") ?: "/usr/bin:/bin";
        _cleanup_free_ char *copy = vb_strdup(path);
        char *save = NULL;

        for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                char *p = vb_strdupf("%s/%s", d, name);
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* "QEMU emulator version 7.2.22 (Debian ...)" from `qemu -version`, via a pipe. */
static void qemu_version(const char *qemu, unsigned v[3]) {
        int p[2];
        char buf[512] = {};
        size_t n = 0;
        ssize_t k;
        pid_t pid;

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                dup2(p[1], STDOUT_FILENO);
                execl(qemu, qemu, "-version", (char *) NULL);
                _exit(127);
        }
        close(p[1]);
        while (n < sizeof(buf) - 1 && (k = read(p[0], buf + n, sizeof(buf) - 1 - n)) > 0)
                n += (size_t) k;
        close(p[0]);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        assert_int_equal(sscanf(buf, "QEMU emulator version %u.%u.%u", &v[0], &v[1], &v[2]), 3);
}

static int listen_unix(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        assert_true(fd >= 0);
        assert_true(strlen(path) < sizeof(sa.sun_path));
        strcpy(sa.sun_path, path);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(fd, 1), 0);
        return fd;
}

static pid_t spawn_qemu(const char *qemu, int listen_fd) {
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                /* The monitor socket becomes fd 3 (no CLOEXEC after dup2). */
                if (listen_fd == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(listen_fd, 3) < 0)
                        _exit(127);
                execl(qemu, qemu, "-machine", "none", "-nodefaults", "-no-user-config",
                      "-nographic", "-display", "none", "-S",
                      "-chardev", "socket,id=mon,fd=3,server=on,wait=off",
                      "-mon", "chardev=mon,mode=control", (char *) NULL);
                _exit(127);
        }
        return pid;
}

static void on_event(VbQmp *q, const char *event, json_object *data, uint64_t ts, void *userdata) {
        Real *t = userdata;
        if (t->n_events < ELEMENTSOF(t->events))
                snprintf(t->events[t->n_events++], sizeof(t->events[0]), "%s", event);
        assert_true(ts > 0);
}

static void on_ready(VbQmp *q, void *userdata) {
        ((Real *) userdata)->n_ready++;
}

static void on_disconnect(VbQmp *q, int reason, void *userdata) {
        Real *t = userdata;
        t->n_disconnect++;
        t->reason = reason;
}

static void status1_cb(VbQmp *q, int r, bool running, const char *status, void *userdata) {
        Real *t = userdata;
        t->n_replies++;
        t->r_status1 = r;
        t->running1 = running;
        snprintf(t->status1, sizeof(t->status1), "%s", strempty(status));
}

static void status2_cb(VbQmp *q, int r, bool running, const char *status, void *userdata) {
        Real *t = userdata;
        t->n_replies++;
        t->r_status2 = r;
        t->running2 = running;
        snprintf(t->status2, sizeof(t->status2), "%s", strempty(status));
}

static void cont_cb(VbQmp *q, int r, json_object *ret, const char *c, const char *d, void *userdata) {
        Real *t = userdata;
        t->n_replies++;
        t->r_cont = r;
}

static void quit_cb(VbQmp *q, int r, json_object *ret, const char *c, const char *d, void *userdata) {
        Real *t = userdata;
        t->n_replies++;
        t->r_quit = r;
}

/* QEMU's pid while it may be running, for the teardown after a failed assertion. */
static pid_t qemu_pid = -1;

static int teardown(void **state) {
        if (qemu_pid > 0) {
                kill(qemu_pid, SIGKILL);
                waitpid(qemu_pid, NULL, 0);
                qemu_pid = -1;
        }
        return 0;
}

static void run_until(Real *t, const unsigned *n, unsigned want, pid_t pid, bool exit_ok) {
        uint64_t deadline = now_usec() + 10 * 1000000;
        while (*n < want) {
                int status;
                if (!exit_ok && waitpid(pid, &status, WNOHANG) == pid) {
                        qemu_pid = -1;
                        fail_msg("QEMU exited early (status 0x%x)", status);
                }
                if (now_usec() >= deadline)
                        fail_msg("QEMU did not answer in time");
                assert_true(sd_event_run(t->e, 100 * 1000) >= 0);
        }
}

/* Reap QEMU, killing it if it has not exited after quit within the deadline. */
static int reap(pid_t pid) {
        uint64_t deadline = now_usec() + 5 * 1000000;
        int status = 0;

        while (waitpid(pid, &status, WNOHANG) == 0) {
                struct timespec ts = { 0, 10 * 1000 * 1000 };
                if (now_usec() >= deadline)
                        return -ETIMEDOUT;      /* the teardown kills it */
                nanosleep(&ts, NULL);
        }
        qemu_pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_real_qemu(void **state) {
        _cleanup_free_ char *qemu = find_in_path(QEMU);
        char dir[] = "/tmp/vb-qmp-real-XXXXXX";
        _cleanup_free_ char *sock = NULL;
        unsigned want[3], major = 0, minor = 0, micro = 0;
        const char *pkg = NULL;
        Real t = {};
        int lfd, fd = -1;
        pid_t pid;

        if (!qemu)
                skip();
        qemu_version(qemu, want);
        assert_non_null(mkdtemp(dir));
        sock = vb_strdupf("%s/qmp.sock", dir);
        lfd = listen_unix(sock);
        pid = qemu_pid = spawn_qemu(qemu, lfd);
        close(lfd);

        assert_int_equal(vb_qmp_connect(sock, &fd), 0);
        assert_int_equal(sd_event_new(&t.e), 0);
        assert_int_equal(vb_qmp_new(t.e, fd, on_event, on_ready, on_disconnect, &t, &t.q), 0);
        assert_int_equal(vb_qmp_query_status(t.q, status1_cb, &t), 0);
        run_until(&t, &t.n_ready, 1, pid, false);
        assert_int_equal(vb_qmp_get_version(t.q, &major, &minor, &micro, &pkg), 0);
        assert_int_equal(major, want[0]);
        assert_int_equal(minor, want[1]);
        assert_int_equal(micro, want[2]);
        assert_non_null(pkg);

        run_until(&t, &t.n_replies, 1, pid, false);
        assert_int_equal(t.r_status1, 0);
        assert_false(t.running1);
        assert_string_equal(t.status1, "prelaunch");

        assert_int_equal(vb_qmp_cont(t.q, cont_cb, &t), 0);
        assert_int_equal(vb_qmp_query_status(t.q, status2_cb, &t), 0);
        run_until(&t, &t.n_replies, 3, pid, false);
        assert_int_equal(t.r_cont, 0);
        assert_int_equal(t.r_status2, 0);
        assert_true(t.running2);
        assert_string_equal(t.status2, "running");

        assert_int_equal(vb_qmp_quit(t.q, quit_cb, &t), 0);
        run_until(&t, &t.n_disconnect, 1, pid, true);
        assert_int_equal(t.n_replies, 4);
        /* QEMU normally flushes the reply before exiting; losing it to the EOF is allowed. */
        assert_true(t.r_quit == 0 || t.r_quit == -ECONNRESET);
        assert_int_equal(t.reason, -ECONNRESET);
        assert_true(t.n_events >= 2);
        assert_string_equal(t.events[0], "RESUME");
        assert_string_equal(t.events[t.n_events - 1], "SHUTDOWN");
        assert_int_equal(reap(pid), 0);

        vb_qmp_free(t.q);
        sd_event_unref(t.e);
        unlink(sock);
        rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_real_qemu, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
