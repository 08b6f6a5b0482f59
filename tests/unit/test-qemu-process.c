/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QEMU driver's process and file helpers without QEMU: spawn hygiene (argv, fds,
 * signal mask), exit through the pidfd child source, SIGTERM/SIGKILL, adoption checks,
 * monitor connection retries, status files, atomic writes, ptys in the live XML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "qemu/qemu-driver.h"
#include "qemu/qemu-process.h"
#include "qemu/qemu-status.h"
#include "util.h"

#define DEADLINE_USEC (10ULL * 1000000ULL)

typedef struct Exit {
        unsigned n;
        bool have_si;
        int code, status;
        unsigned n_monitor;
        int monitor_r, monitor_fd;
} Exit;

static void on_exit_cb(VbQemuProc *p, const siginfo_t *si, void *userdata) {
        Exit *x = userdata;
        x->n++;
        x->have_si = si != NULL;
        if (si) {
                x->code = si->si_code;
                x->status = si->si_status;
        }
}

static void on_monitor_cb(VbQemuProc *p, int r, int fd, void *userdata) {
        Exit *x = userdata;
        x->n_monitor++;
        x->monitor_r = r;
        x->monitor_fd = fd;
}

/* Run the loop until *counter becomes nonzero or the deadline passes. */
static void run_until(sd_event *e, const unsigned *counter) {
        struct timespec ts;
        uint64_t end;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        end = ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000 + DEADLINE_USEC;
        while (*counter == 0) {
                clock_gettime(CLOCK_MONOTONIC, &ts);
                assert_true((uint64_t) ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000 < end);
                assert_true(sd_event_run(e, 100000) >= 0);
        }
}

static char *tmpdir(void) {
        char tmpl[] = "/tmp/vb-qemu-unit-XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        return vb_strdup(tmpl);
}

static void test_spawn_hygiene(void **state) {
        _cleanup_free_ char *dir = tmpdir(), *log = vb_strdupf("%s/log", dir), *out = NULL;
        char *argv[] = { (char *) "/bin/sh", (char *) "-c",
                         (char *) "ls /proc/self/fd; grep SigBlk /proc/self/status; test -t 0 || echo notty",
                         NULL };
        /* not O_CLOEXEC, and above what ls itself opens: must not reach the child */
        int leak = fcntl(open("/dev/null", O_RDONLY), F_DUPFD, 100);
        int log_fd = open(log, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        sd_event *e = NULL;
        VbQemuProc *p = NULL;
        Exit x = { 0 };
        VbError err = VB_ERROR_NULL;
        char leakname[16];

        assert_true(leak > 2 && log_fd > 2);
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(vb_qemu_proc_spawn(e, argv, log_fd, on_exit_cb, &x, &p, &err), 0);
        close(log_fd);
        assert_true(vb_qemu_proc_is_child(p));
        assert_true(vb_qemu_proc_start_time(p) > 0);
        run_until(e, &x.n);
        assert_true(x.have_si);
        assert_int_equal(x.code, CLD_EXITED);
        assert_int_equal(x.status, 0);
        assert_int_equal(vb_qemu_read_file(log, 4096, &out), 0);
        /* 0, 1, 2 and ls's own directory fd: nothing inherited */
        snprintf(leakname, sizeof(leakname), "\n%d\n", leak);
        assert_null(strstr(out, leakname));
        assert_non_null(strstr(out, "SigBlk:\t0000000000000000"));
        assert_non_null(strstr(out, "notty"));
        vb_qemu_proc_free(p);
        close(leak);
        sd_event_unref(e);
        vb_qemu_rm_dir_flat(dir);
}

static int move_high(int fd) {
        int high = fcntl(fd, F_DUPFD_CLOEXEC, 20);
        assert_true(high >= 20);
        close(fd);
        return high;
}

/* Passed fds land on 3, 4, ... in the given order, also when a source already sits on
 * one of the target numbers (fd 4 → 3 and fd 3 → 4: a naive dup2 order would clobber). */
static void test_spawn_pass_fds(void **state) {
        _cleanup_free_ char *dir = tmpdir(), *log = vb_strdupf("%s/log", dir), *out = NULL;
        char *argv[] = { (char *) "/bin/sh", (char *) "-c",
                         (char *) "echo first >&3; echo second >&4; ls /proc/self/fd", NULL };
        int a[2], b[2], log_fd, pass[2];
        sd_event *e = NULL;
        VbQemuProc *p = NULL;
        Exit x = { 0 };
        VbError err = VB_ERROR_NULL;
        char buf[64];
        ssize_t n;

        assert_int_equal(pipe2(a, O_CLOEXEC), 0);
        assert_int_equal(pipe2(b, O_CLOEXEC), 0);
        /* the write ends on 3 and 4 exactly (free: this test runs first) */
        for (size_t i = 0; i < 2; i++) {
                a[i] = move_high(a[i]);
                b[i] = move_high(b[i]);
        }
        assert_int_equal(dup3(a[1], 4, O_CLOEXEC), 4);
        assert_int_equal(dup3(b[1], 3, O_CLOEXEC), 3);
        close(a[1]);
        close(b[1]);
        pass[0] = 4;    /* pipe a → child fd 3 */
        pass[1] = 3;    /* pipe b → child fd 4 */
        log_fd = open(log, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(vb_qemu_proc_spawn_fds(e, argv, log_fd, pass, 2, on_exit_cb, &x, &p, &err), 0);
        close(log_fd);
        close(3);
        close(4);
        run_until(e, &x.n);
        assert_int_equal(x.status, 0);
        n = read(a[0], buf, sizeof(buf) - 1);
        assert_int_equal(n, 6);
        assert_memory_equal(buf, "first\n", 6);
        n = read(b[0], buf, sizeof(buf) - 1);
        assert_int_equal(n, 7);
        assert_memory_equal(buf, "second\n", 7);
        /* the parent's copies (above 4) did not reach the child: fds 0-4 and ls's own */
        assert_int_equal(vb_qemu_read_file(log, 4096, &out), 0);
        assert_null(strstr(out, "\n6\n"));
        assert_null(strstr(out, "\n7\n"));
        close(a[0]);
        close(b[0]);
        vb_qemu_proc_free(p);
        sd_event_unref(e);
        vb_qemu_rm_dir_flat(dir);
}

static void test_spawn_missing_binary(void **state) {
        char *argv[] = { (char *) "/nonexistent/qemu", NULL };
        VbError err = VB_ERROR_NULL;
        sd_event *e = NULL;
        VbQemuProc *p = NULL;
        Exit x = { 0 };

        assert_int_equal(sd_event_new(&e), 0);
        assert_true(vb_qemu_proc_spawn(e, argv, 2, on_exit_cb, &x, &p, &err) < 0);
        assert_null(p);
        assert_non_null(strstr(err.message, "/nonexistent/qemu"));
        vb_error_clear(&err);
        sd_event_unref(e);
}

static void test_kill_term_then_kill(void **state) {
        /* ignores SIGTERM: the SIGKILL timer must end it */
        char *argv[] = { (char *) "/bin/sh", (char *) "-c",
                         (char *) "trap '' TERM; echo ready; while :; do sleep 1; done", NULL };
        VbError err = VB_ERROR_NULL;
        sd_event *e = NULL;
        VbQemuProc *p = NULL;
        Exit x = { 0 };
        struct pollfd pfd;
        int fds[2];
        char c;

        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(vb_qemu_proc_spawn(e, argv, fds[1], on_exit_cb, &x, &p, &err), 0);
        close(fds[1]);
        /* the trap is installed once it says so */
        pfd = (struct pollfd) { .fd = fds[0], .events = POLLIN };
        assert_int_equal(poll(&pfd, 1, DEADLINE_USEC / 1000), 1);
        assert_int_equal(read(fds[0], &c, 1), 1);
        close(fds[0]);
        assert_int_equal(vb_qemu_proc_kill(p, 200000), 0);
        run_until(e, &x.n);
        assert_int_equal(x.code, CLD_KILLED);
        assert_int_equal(x.status, SIGKILL);
        vb_qemu_proc_free(p);
        sd_event_unref(e);
}

static void test_adopt(void **state) {
        char *argv[] = { (char *) "/bin/sleep", (char *) "30", NULL };
        VbError err = VB_ERROR_NULL;
        VbQemuProc *child = NULL, *adopted = NULL;
        sd_event *e = NULL;
        Exit xc = { 0 }, xa = { 0 };
        uint64_t t;

        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(vb_qemu_proc_spawn(e, argv, 2, on_exit_cb, &xc, &child, &err), 0);
        assert_int_equal(vb_qemu_proc_read_start_time(vb_qemu_proc_pid(child), &t), 0);
        assert_int_equal(t, vb_qemu_proc_start_time(child));
        /* another start time: a reused pid, refused */
        assert_int_equal(vb_qemu_proc_adopt(e, vb_qemu_proc_pid(child), t + 1, on_exit_cb, &xa, &adopted),
                         -ESRCH);
        assert_int_equal(vb_qemu_proc_adopt(e, vb_qemu_proc_pid(child), t, on_exit_cb, &xa, &adopted), 0);
        assert_false(vb_qemu_proc_is_child(adopted));
        assert_int_equal(vb_qemu_proc_kill(adopted, UINT64_MAX), 0);
        run_until(e, &xa.n);
        assert_false(xa.have_si);
        run_until(e, &xc.n);
        assert_int_equal(xc.code, CLD_KILLED);
        assert_int_equal(xc.status, SIGTERM);
        assert_int_equal(vb_qemu_proc_read_start_time(999999999, &t), -ESRCH);
        assert_int_equal(vb_qemu_proc_kill_pid(vb_qemu_proc_pid(child), t), -ESRCH);
        vb_qemu_proc_free(adopted);
        vb_qemu_proc_free(child);
        sd_event_unref(e);
}

static void test_monitor_connect(void **state) {
        _cleanup_free_ char *dir = tmpdir(), *sock = vb_strdupf("%s/qmp.sock", dir);
        char *argv[] = { (char *) "/bin/sleep", (char *) "30", NULL };
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        VbError err = VB_ERROR_NULL;
        VbQemuProc *p = NULL;
        sd_event *e = NULL;
        Exit x = { 0 };
        int lfd;

        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(vb_qemu_proc_spawn(e, argv, 2, on_exit_cb, &x, &p, &err), 0);
        /* nobody listens: times out */
        assert_int_equal(vb_qemu_proc_connect_monitor(p, sock, 50000, on_monitor_cb, &x), 0);
        run_until(e, &x.n_monitor);
        assert_int_equal(x.monitor_r, -ETIMEDOUT);
        /* listening: connected */
        x.n_monitor = 0;
        lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        strcpy(sa.sun_path, sock);
        assert_int_equal(bind(lfd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(lfd, 1), 0);
        assert_int_equal(vb_qemu_proc_connect_monitor(p, sock, DEADLINE_USEC, on_monitor_cb, &x), 0);
        run_until(e, &x.n_monitor);
        assert_int_equal(x.monitor_r, 0);
        assert_true(x.monitor_fd >= 0);
        close(x.monitor_fd);
        /* an attempt pending when the process exits is dropped silently */
        x.n_monitor = 0;
        unlink(sock);
        assert_int_equal(vb_qemu_proc_connect_monitor(p, sock, DEADLINE_USEC, on_monitor_cb, &x), 0);
        assert_int_equal(vb_qemu_proc_kill(p, UINT64_MAX), 0);
        run_until(e, &x.n);
        assert_int_equal(x.n_monitor, 0);
        close(lfd);
        vb_qemu_proc_free(p);
        sd_event_unref(e);
        vb_qemu_rm_dir_flat(dir);
}

static void test_status_roundtrip(void **state) {
        _cleanup_free_ char *dir = tmpdir(), *path = vb_strdupf("%s/vm 1.status", dir);
        VbQemuStatus s = {
                .name = (char *) "vm 1", .pid = 4242, .start_time = 123456789012ULL,
                .monitor = (char *) "/run/x/qmp.sock", .run_dir = (char *) "/run/x", .id = 7,
                .state = 3, .reason = 1, .got_shutdown = true, .xml = (char *) "<domain>\"'&</domain>",
        };
        VbQemuStatus *back = NULL;
        VbError err = VB_ERROR_NULL;
        struct stat st;

        assert_int_equal(vb_qemu_status_write(dir, &s, &err), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(vb_qemu_status_read(path, &back, &err), 0);
        assert_string_equal(back->name, "vm 1");
        assert_int_equal(back->pid, 4242);
        assert_int_equal(back->start_time, 123456789012ULL);
        assert_string_equal(back->monitor, "/run/x/qmp.sock");
        assert_string_equal(back->run_dir, "/run/x");
        assert_int_equal(back->id, 7);
        assert_int_equal(back->state, 3);
        assert_true(back->got_shutdown);
        assert_false(back->starting);
        assert_string_equal(back->xml, s.xml);
        vb_qemu_status_free(back);
        /* not ours */
        assert_int_equal(vb_qemu_write_file_atomic(path, "{\"pid\": 1}", 10, 0600), 0);
        assert_true(vb_qemu_status_read(path, &back, &err) < 0);
        assert_non_null(strstr(err.message, "not a QEMU status file"));
        vb_error_clear(&err);
        assert_int_equal(vb_qemu_status_remove(dir, "vm 1"), 0);
        assert_int_equal(vb_qemu_status_remove(dir, "vm 1"), 0);
        assert_int_equal(vb_qemu_rm_dir_flat(dir), 0);
        assert_int_equal(stat(dir, &st), -1);
}

static void test_atomic_write(void **state) {
        _cleanup_free_ char *dir = tmpdir(), *path = vb_strdupf("%s/a/b/c.xml", dir);
        _cleanup_free_ char *sub = vb_strdupf("%s/a/b", dir), *mid = vb_strdupf("%s/a", dir), *text = NULL;
        struct stat st;

        assert_int_equal(vb_qemu_mkdir_p(sub, 0700), 0);
        assert_int_equal(vb_qemu_mkdir_p(sub, 0700), 0);
        assert_int_equal(vb_qemu_write_file_atomic(path, "one", 3, 0600), 0);
        assert_int_equal(vb_qemu_write_file_atomic(path, "second", 6, 0600), 0);
        assert_int_equal(vb_qemu_read_file(path, 100, &text), 0);
        assert_string_equal(text, "second");
        text = mfree(text);
        assert_int_equal(vb_qemu_read_file(path, 3, &text), -EFBIG);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        /* no temporary file left: the directory holds c.xml only */
        assert_int_equal(vb_qemu_rm_dir_flat(sub), 0);
        assert_int_equal(stat(sub, &st), -1);
        assert_int_equal(rmdir(mid), 0);
        assert_int_equal(rmdir(dir), 0);
}

static void write_text(const char *dir, const char *name, const char *text) {
        _cleanup_free_ char *path = vb_strdupf("%s/%s", dir, name);
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

/* The listing behind loading configs at open: strcmp order whatever the creation order,
 * d_type kept, lookups; a missing directory is empty. */
static void test_dir_list(void **state) {
        _cleanup_free_ char *dir = tmpdir(), *sub = vb_strdupf("%s/sub", dir), *link = vb_strdupf("%s/l.xml", dir);
        _cleanup_free_ char *missing = vb_strdupf("%s/missing", dir);
        const char *names[] = { "b.xml", "a.xml", "B.xml", "a-b.xml", "a.xml.Ab12Cd", "_x.xml", "~z" };
        const char *sorted[] = { "B.xml", "_x.xml", "a-b.xml", "a.xml", "a.xml.Ab12Cd", "b.xml", "l.xml", "sub", "~z" };
        VbQemuDirList l;

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                write_text(dir, names[i], names[i]);
        assert_int_equal(mkdir(sub, 0700), 0);
        assert_int_equal(symlink("a.xml", link), 0);
        assert_int_equal(vb_qemu_dir_list(dir, &l), 0);
        assert_int_equal(l.n, ELEMENTSOF(sorted));
        for (size_t i = 0; i < l.n; i++)
                assert_string_equal(l.entries[i].name, sorted[i]);
        assert_true(l.entries[7].type == DT_DIR || l.entries[7].type == DT_UNKNOWN);
        assert_true(l.entries[6].type == DT_LNK || l.entries[6].type == DT_UNKNOWN);
        assert_true(l.entries[3].type == DT_REG || l.entries[3].type == DT_UNKNOWN);
        for (size_t i = 0; i < ELEMENTSOF(sorted); i++)
                assert_true(vb_qemu_dir_list_has(&l, sorted[i]));
        assert_false(vb_qemu_dir_list_has(&l, "a"));
        assert_false(vb_qemu_dir_list_has(&l, "c.xml"));
        assert_false(vb_qemu_dir_list_has(&l, "."));
        vb_qemu_dir_list_done(&l);
        assert_int_equal(l.n, 0);

        assert_int_equal(vb_qemu_dir_list(missing, &l), 0);
        assert_int_equal(l.n, 0);
        assert_false(vb_qemu_dir_list_has(&l, "a.xml"));
        vb_qemu_dir_list_done(&l);

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *p = vb_strdupf("%s/%s", dir, names[i]);
                assert_int_equal(unlink(p), 0);
        }
        assert_int_equal(unlink(link), 0);
        assert_int_equal(rmdir(sub), 0);
        assert_int_equal(rmdir(dir), 0);
}

/* One buffer for many files: whole files, bigger and smaller than the last one, a
 * file bigger than the buffer's first size; links, directories and the limit refused. */
static void test_read_file_at(void **state) {
        _cleanup_free_ char *dir = tmpdir(), *sub = vb_strdupf("%s/sub", dir), *link = vb_strdupf("%s/link", dir);
        _cleanup_free_ char *big = malloc(40001), *buf = NULL, *whole = NULL;
        _cleanup_close_ int fd = -1;
        size_t size = 0;

        assert_non_null(big);
        for (size_t i = 0; i < 40000; i++)
                big[i] = (char) ('a' + i % 26);
        big[40000] = 0;
        write_text(dir, "long", "a longer text");
        write_text(dir, "short", "short");
        write_text(dir, "empty", "");
        write_text(dir, "big", big);
        assert_int_equal(mkdir(sub, 0700), 0);
        assert_int_equal(symlink("short", link), 0);
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);

        assert_int_equal(vb_qemu_read_file_at(fd, "long", 1000, &buf, &size), 0);
        assert_string_equal(buf, "a longer text");
        assert_int_equal(vb_qemu_read_file_at(fd, "short", 1000, &buf, &size), 0);
        assert_string_equal(buf, "short");
        assert_int_equal(vb_qemu_read_file_at(fd, "empty", 1000, &buf, &size), 0);
        assert_string_equal(buf, "");
        assert_int_equal(vb_qemu_read_file_at(fd, "big", 100000, &buf, &size), 0);
        assert_string_equal(buf, big);
        assert_true(size >= 40000);
        assert_int_equal(vb_qemu_read_file_at(fd, "short", 1000, &buf, &size), 0);
        assert_string_equal(buf, "short");
        assert_int_equal(vb_qemu_read_file_at(fd, "big", 39999, &buf, &size), -EFBIG);
        assert_int_equal(vb_qemu_read_file_at(fd, "link", 1000, &buf, &size), -ELOOP);
        assert_true(vb_qemu_read_file_at(fd, "sub", 1000, &buf, &size) < 0);
        assert_int_equal(vb_qemu_read_file_at(fd, "none", 1000, &buf, &size), -ENOENT);
        /* a fresh buffer smaller than the file, and /proc's size-0 files for read_file */
        buf = mfree(buf);
        size = 0;
        assert_int_equal(vb_qemu_read_file_at(fd, "big", 40000, &buf, &size), 0);
        assert_string_equal(buf, big);
        assert_int_equal(vb_qemu_read_file("/proc/self/stat", 65536, &whole), 0);
        assert_true(strlen(whole) > 20 && whole[strlen(whole) - 1] == '\n');

        assert_int_equal(unlinkat(fd, "long", 0), 0);
        assert_int_equal(unlinkat(fd, "short", 0), 0);
        assert_int_equal(unlinkat(fd, "empty", 0), 0);
        assert_int_equal(unlinkat(fd, "big", 0), 0);
        assert_int_equal(unlinkat(fd, "link", 0), 0);
        assert_int_equal(rmdir(sub), 0);
        assert_int_equal(rmdir(dir), 0);
}

static void test_apply_ptys(void **state) {
        static const char xml[] =
                "<domain type='qemu'><name>p</name><memory>1024</memory>"
                "<os><type>hvm</type></os><devices>"
                "<serial type='pty'><source path='/dev/pts/99'/><target port='0'/></serial>"
                "<serial type='file'><source path='/tmp/x'/><target port='1'/></serial>"
                "</devices></domain>";
        static const char reply[] =
                "[{\"label\": \"charserial0\", \"filename\": \"pty:/dev/pts/5\", \"frontend-open\": false},"
                " {\"label\": \"charserial1\", \"filename\": \"file:/tmp/x\", \"frontend-open\": false},"
                " {\"label\": \"charmonitor\", \"filename\": \"unix:/run/qmp.sock,server=on\"}]";
        _cleanup_free_ char *out = NULL;
        VbDomainDef *def = NULL;
        VbError err = VB_ERROR_NULL;
        json_object *list = json_tokener_parse(reply);

        assert_int_equal(vb_domain_def_parse(xml, 0, &def, &err), 0);
        vb_qemu_apply_ptys(def, list);
        vb_qemu_apply_ptys(def, list);      /* idempotent */
        out = vb_domain_def_format(def, 1, 0);
        assert_non_null(strstr(out, "<serial type='pty'>\n      <source path='/dev/pts/5'/>\n      <target port='0'/>"));
        assert_null(strstr(out, "/dev/pts/99"));
        assert_non_null(strstr(out, "<console type='pty' tty='/dev/pts/5'>\n      <source path='/dev/pts/5'/>"));
        assert_non_null(strstr(out, "<source path='/tmp/x'/>"));
        json_object_put(list);
        vb_domain_def_free(def);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_spawn_pass_fds),
                cmocka_unit_test(test_spawn_hygiene),
                cmocka_unit_test(test_spawn_missing_binary),
                cmocka_unit_test(test_kill_term_then_kill),
                cmocka_unit_test(test_adopt),
                cmocka_unit_test(test_monitor_connect),
                cmocka_unit_test(test_status_roundtrip),
                cmocka_unit_test(test_atomic_write),
                cmocka_unit_test(test_dir_list),
                cmocka_unit_test(test_read_file_at),
                cmocka_unit_test(test_apply_ptys),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
