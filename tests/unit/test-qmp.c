/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* QMP client against recorded transcripts served by a mock monitor on a socketpair,
 * both driven by one sd-event loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "qemu/qmp.h"
#include "qmp-mock.h"
#include "util.h"

#define MAX_RECORDS 32

typedef struct Reply {
        unsigned n_calls;
        int r;
        char *ret;              /* JSON text of "return" */
        char *err_class, *err_desc;
        bool running;
        char *status;
        uint64_t u64;
        size_t n_stats;
        VbQmpBlockStats stats[4];
        char *stat_strs[4][3];
        bool free_in_callback;
} Reply;

typedef struct Event {
        char *name;
        char *data;             /* JSON text or NULL */
        uint64_t ts;
} Event;

typedef struct Fixture {
        sd_event *e;
        VbQmp *q;
        QmpMock mock;
        unsigned n_ready, n_disconnect;
        int reason;
        Event events[MAX_RECORDS];
        size_t n_events;
        bool free_on_disconnect;
        unsigned n_freed_in_reply;
} Fixture;

static void on_event(VbQmp *q, const char *event, json_object *data, uint64_t ts, void *userdata) {
        Fixture *f = userdata;
        assert_true(f->n_events < MAX_RECORDS);
        f->events[f->n_events++] = (Event) {
                .name = vb_strdup(event),
                .data = data ? vb_strdup(json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN)) : NULL,
                .ts = ts,
        };
}

static void on_ready(VbQmp *q, void *userdata) {
        Fixture *f = userdata;
        assert_true(vb_qmp_is_ready(q));
        f->n_ready++;
}

static void on_disconnect(VbQmp *q, int reason, void *userdata) {
        Fixture *f = userdata;
        f->n_disconnect++;
        f->reason = reason;
        assert_false(vb_qmp_is_ready(q));
        assert_int_equal(vb_qmp_n_pending(q), 0);
        if (f->free_on_disconnect)
                f->q = vb_qmp_free(f->q);
}

static void reply_cb(VbQmp *q, int r, json_object *ret, const char *cls, const char *desc, void *userdata) {
        Reply *p = userdata;
        p->n_calls++;
        p->r = r;
        if (r >= 0)
                p->ret = vb_strdup(json_object_to_json_string_ext(ret, JSON_C_TO_STRING_PLAIN));
        else
                assert_null(ret);
        p->err_class = vb_strdup(cls);
        p->err_desc = vb_strdup(desc);
}

static void status_cb(VbQmp *q, int r, bool running, const char *status, void *userdata) {
        Reply *p = userdata;
        p->n_calls++;
        p->r = r;
        p->running = running;
        p->status = vb_strdup(status);
}

static void reply_free(Reply *p) {
        free(p->ret);
        free(p->err_class);
        free(p->err_desc);
        free(p->status);
        for (size_t i = 0; i < 4; i++)
                for (size_t j = 0; j < 3; j++)
                        free(p->stat_strs[i][j]);
        *p = (Reply) {};
}

/* Start the client and the mock (serving tests/data/qmp/<name>.txt). */
static void fixture_start(Fixture *f, const char *name, size_t chunk, bool coalesce) {
        int sv[2];

        *f = (Fixture) { .mock.fd = -1 };
        assert_int_equal(sd_event_new(&f->e), 0);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
        f->mock.chunk = chunk;
        f->mock.coalesce = coalesce;
        assert_int_equal(qmp_mock_start(&f->mock, f->e, name, sv[1]), 0);
        assert_int_equal(vb_qmp_new(f->e, sv[0], on_event, on_ready, on_disconnect, f, &f->q), 0);
}

static void fixture_end(Fixture *f) {
        assert_string_equal(f->mock.failure, "");
        f->q = vb_qmp_free(f->q);
        qmp_mock_done(&f->mock);
        for (size_t i = 0; i < f->n_events; i++) {
                free(f->events[i].name);
                free(f->events[i].data);
        }
        sd_event_unref(f->e);
}

static void check_deadline(Fixture *f, uint64_t deadline);

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static void check_deadline(Fixture *f, uint64_t deadline) {
        if (now_usec() < deadline)
                return;
        fail_msg("timed out: mock at line %zu/%zu, failure '%s', disconnect %u (%d)",
                 f->mock.pos, f->mock.n_lines, f->mock.failure, f->n_disconnect, f->reason);
}

/* Run the loop until *flag is true; fail after 10 s. */
static void run_until(Fixture *f, const bool *flag) {
        uint64_t deadline = now_usec() + 10 * 1000000;
        while (!*flag) {
                check_deadline(f, deadline);
                assert_true(sd_event_run(f->e, 100 * 1000) >= 0);
        }
}

static void run_until_count(Fixture *f, const unsigned *n, unsigned want) {
        uint64_t deadline = now_usec() + 10 * 1000000;
        while (*n < want) {
                check_deadline(f, deadline);
                assert_true(sd_event_run(f->e, 100 * 1000) >= 0);
        }
}

/* A few more iterations, to catch anything that should not happen. */
static void run_idle(Fixture *f) {
        for (int i = 0; i < 20; i++)
                assert_true(sd_event_run(f->e, 1000) >= 0);
}

static void test_handshake(void **state) {
        Fixture f;
        unsigned major = 0, minor = 0, micro = 0;
        const char *pkg = NULL;

        fixture_start(&f, "handshake", 0, false);
        assert_false(vb_qmp_is_ready(f.q));
        assert_int_equal(vb_qmp_get_version(f.q, &major, NULL, NULL, NULL), -ENODATA);
        run_until_count(&f, &f.n_ready, 1);
        run_until(&f, &f.mock.done);
        run_idle(&f);
        assert_int_equal(f.n_ready, 1);
        assert_int_equal(f.n_disconnect, 0);
        assert_int_equal(f.mock.n_commands, 1);
        assert_int_equal(vb_qmp_get_version(f.q, &major, &minor, &micro, &pkg), 0);
        assert_int_equal(major, 7);
        assert_int_equal(minor, 2);
        assert_int_equal(micro, 22);
        assert_string_equal(pkg, "Debian 1:7.2+dfsg-7+deb12u18+b3");
        assert_int_equal(vb_qmp_n_pending(f.q), 0);
        fixture_end(&f);
}

static void test_handshake_refused(void **state) {
        Fixture f;
        Reply p = {};

        fixture_start(&f, "handshake-refused", 0, false);
        assert_int_equal(vb_qmp_query_status(f.q, status_cb, &p), 0);
        run_until_count(&f, &f.n_disconnect, 1);
        assert_int_equal(f.reason, -EPROTO);
        assert_int_equal(f.n_ready, 0);
        assert_int_equal(p.n_calls, 1);
        assert_int_equal(p.r, -ECONNRESET);
        assert_int_equal(vb_qmp_command(f.q, "stop", NULL, NULL, 0, NULL, NULL), -ENOTCONN);
        fixture_end(&f);
        reply_free(&p);
}

static void test_no_greeting(void **state) {
        Fixture f;

        fixture_start(&f, "no-greeting", 0, false);
        run_until_count(&f, &f.n_disconnect, 1);
        assert_int_equal(f.reason, -EPROTO);
        assert_int_equal(f.n_ready, 0);
        fixture_end(&f);
}

/* The query-status transcript with the client's command issued before the greeting. */
static void check_query_status(size_t chunk, bool coalesce) {
        Fixture f;
        Reply p = {};

        fixture_start(&f, "query-status", chunk, coalesce);
        assert_int_equal(vb_qmp_query_status(f.q, status_cb, &p), 0);
        assert_int_equal(p.n_calls, 0);         /* never called from inside the call */
        assert_int_equal(vb_qmp_n_pending(f.q), 1);
        run_until_count(&f, &p.n_calls, 1);
        run_until(&f, &f.mock.done);
        run_idle(&f);
        assert_int_equal(p.n_calls, 1);
        assert_int_equal(p.r, 0);
        assert_false(p.running);
        assert_string_equal(p.status, "paused");
        assert_int_equal(f.n_ready, 1);
        assert_int_equal(f.mock.n_commands, 2);
        assert_int_equal(vb_qmp_n_pending(f.q), 0);
        fixture_end(&f);
        reply_free(&p);
}

static void test_query_status(void **state) {
        check_query_status(0, false);
}

static void test_error_reply(void **state) {
        Fixture f;
        Reply p[3] = {};
        json_object *args = json_object_new_object();

        fixture_start(&f, "error-reply", 0, false);
        json_object_object_add(args, "id", json_object_new_string("nope"));
        assert_int_equal(vb_qmp_command(f.q, "device_del", args, NULL, 0, reply_cb, &p[0]), 0);
        assert_int_equal(vb_qmp_command(f.q, "frobnicate", NULL, NULL, 0, reply_cb, &p[1]), 0);
        assert_int_equal(vb_qmp_system_powerdown(f.q, reply_cb, &p[2]), 0);
        run_until_count(&f, &p[2].n_calls, 1);
        run_until(&f, &f.mock.done);
        run_idle(&f);
        for (size_t i = 0; i < 3; i++)
                assert_int_equal(p[i].n_calls, 1);
        assert_int_equal(p[0].r, -ENODEV);
        assert_string_equal(p[0].err_class, "DeviceNotFound");
        assert_string_equal(p[0].err_desc, "Device 'nope' not found");
        assert_int_equal(p[1].r, -EOPNOTSUPP);
        assert_string_equal(p[1].err_class, "CommandNotFound");
        assert_string_equal(p[1].err_desc, "The command frobnicate has not been found");
        assert_int_equal(p[2].r, -EIO);
        assert_string_equal(p[2].err_class, "GenericError");
        assert_string_equal(p[2].err_desc, "Guest is not \"listening\"");
        assert_int_equal(f.n_disconnect, 0);
        fixture_end(&f);
        for (size_t i = 0; i < 3; i++)
                reply_free(&p[i]);
}

static json_object *qom_args(const char *prop) {
        json_object *a = json_object_new_object();
        json_object_object_add(a, "path", json_object_new_string("/machine"));
        json_object_object_add(a, "property", json_object_new_string(prop));
        return a;
}

static void check_events(size_t chunk, bool coalesce) {
        Fixture f;
        Reply st = {}, type = {}, kernel = {};

        fixture_start(&f, "events", chunk, coalesce);
        assert_int_equal(vb_qmp_query_status(f.q, status_cb, &st), 0);
        assert_int_equal(vb_qmp_command(f.q, "qom-get", qom_args("type"), NULL, 0, reply_cb, &type), 0);
        assert_int_equal(vb_qmp_command(f.q, "qom-get", qom_args("kernel"), NULL, 0, reply_cb, &kernel), 0);
        run_until_count(&f, &type.n_calls, 1);
        run_until(&f, &f.mock.done);
        run_idle(&f);
        assert_int_equal(st.n_calls, 1);
        assert_int_equal(st.r, 0);
        assert_true(st.running);
        assert_string_equal(st.status, "running");
        /* Answered out of order: each reply reached its own slot. */
        assert_int_equal(kernel.n_calls, 1);
        assert_string_equal(kernel.ret, "\"vmlinuz\"");
        assert_int_equal(type.n_calls, 1);
        assert_string_equal(type.ret, "\"none-machine\"");

        assert_int_equal(f.n_events, 5);
        assert_string_equal(f.events[0].name, "STOP");
        assert_null(f.events[0].data);
        assert_int_equal(f.events[0].ts, UINT64_C(1700000000123456));
        assert_string_equal(f.events[1].name, "RESUME");
        assert_int_equal(f.events[1].ts, UINT64_C(1700000001000005));
        assert_string_equal(f.events[2].name, "SHUTDOWN");
        assert_string_equal(f.events[2].data, "{\"guest\":true,\"reason\":\"guest-shutdown\"}");
        assert_string_equal(f.events[3].name, "VB_FUTURE_EVENT");
        assert_string_equal(f.events[3].data, "{\"nested\":{\"list\":[1,\"two\",null]}}");
        assert_int_equal(f.events[3].ts, UINT64_C(1700000003999999));
        assert_string_equal(f.events[4].name, "RESET");
        assert_int_equal(f.events[4].ts, 0);    /* QEMU's -1 means "no clock" */
        assert_int_equal(f.n_disconnect, 0);
        fixture_end(&f);
        reply_free(&st);
        reply_free(&type);
        reply_free(&kernel);
}

static void test_events(void **state) {
        check_events(0, false);
}

static void test_split_writes(void **state) {
        check_query_status(1, false);
        check_events(1, false);
        check_events(7, false);
}

static void test_coalesced_writes(void **state) {
        check_query_status(0, true);
        check_events(0, true);
}

static void test_eof_mid_command(void **state) {
        Fixture f;
        Reply p = {}, late = {};

        fixture_start(&f, "eof-mid-command", 0, false);
        assert_int_equal(vb_qmp_query_status(f.q, status_cb, &p), 0);
        run_until_count(&f, &f.n_disconnect, 1);
        run_idle(&f);
        assert_int_equal(p.n_calls, 1);
        assert_int_equal(p.r, -ECONNRESET);
        assert_null(p.status);
        assert_int_equal(f.n_disconnect, 1);
        assert_int_equal(f.reason, -ECONNRESET);
        assert_int_equal(vb_qmp_query_status(f.q, status_cb, &late), -ENOTCONN);
        run_idle(&f);
        assert_int_equal(late.n_calls, 0);
        assert_int_equal(p.n_calls, 1);
        fixture_end(&f);
        assert_int_equal(p.n_calls, 1);         /* free does not call it again */
        reply_free(&p);
}

static void test_oversized(void **state) {
        Fixture f;
        Reply p = {};
        const size_t big = VB_QMP_MAX_INPUT_DEFAULT + 4096;
        _cleanup_free_ char *line = malloc(big + 64);
        int n;

        /* An event whose data string exceeds the default 16 MiB limit, unterminated. */
        n = snprintf(line, 64, "S: {\"event\": \"BIG\", \"data\": \"");
        memset(line + n, 'a', big);
        line[n + big] = 0;
        fixture_start(&f, "eof-mid-command", 0, false);
        f.mock.n_lines--;                        /* drop CLOSE: the client must give up */
        free(f.mock.lines[f.mock.n_lines]);
        qmp_mock_add_line(&f.mock, line);
        assert_int_equal(vb_qmp_query_status(f.q, status_cb, &p), 0);
        run_until_count(&f, &f.n_disconnect, 1);
        assert_int_equal(f.reason, -ENOBUFS);
        assert_int_equal(p.n_calls, 1);
        assert_int_equal(p.r, -ECONNRESET);
        assert_int_equal(f.n_events, 0);
        f.mock.failure[0] = 0;                  /* its write failed: the client hung up */
        f.mock.done = true;
        fixture_end(&f);
        reply_free(&p);
}

static void test_small_limit(void **state) {
        Fixture f;
        Reply p = {};

        fixture_start(&f, "query-status", 0, false);
        vb_qmp_set_limits(f.q, 40, 0);          /* below the greeting's size */
        run_until_count(&f, &f.n_disconnect, 1);
        assert_int_equal(f.reason, -ENOBUFS);
        assert_int_equal(f.n_ready, 0);
        f.mock.failure[0] = 0;                  /* the mock saw its peer vanish */
        fixture_end(&f);
        reply_free(&p);
}

static void test_garbage(void **state) {
        Fixture f;
        Reply p = {};

        fixture_start(&f, "garbage", 0, false);
        assert_int_equal(vb_qmp_query_status(f.q, status_cb, &p), 0);
        run_until_count(&f, &f.n_disconnect, 1);
        assert_int_equal(f.reason, -EBADMSG);
        assert_int_equal(f.n_ready, 1);
        assert_int_equal(p.n_calls, 1);
        assert_int_equal(p.r, -ECONNRESET);
        fixture_end(&f);
        reply_free(&p);
}

static void test_pending_limit(void **state) {
        Fixture f;
        Reply p[3] = {};

        fixture_start(&f, "handshake", 0, false);
        vb_qmp_set_limits(f.q, 0, 2);
        assert_int_equal(vb_qmp_stop(f.q, reply_cb, &p[0]), 0);
        assert_int_equal(vb_qmp_cont(f.q, reply_cb, &p[1]), 0);
        assert_int_equal(vb_qmp_quit(f.q, reply_cb, &p[2]), -EBUSY);
        assert_int_equal(vb_qmp_command(f.q, "", NULL, NULL, 0, NULL, NULL), -EINVAL);
        f.q = vb_qmp_free(f.q);
        assert_int_equal(p[0].n_calls, 1);
        assert_int_equal(p[1].n_calls, 1);
        assert_int_equal(p[2].n_calls, 0);
        f.mock.done = true;
        fixture_end(&f);
        for (size_t i = 0; i < 3; i++)
                reply_free(&p[i]);
}

static void test_fd_passing(void **state) {
        Fixture f;
        Reply p = {};
        int pipefd[2];
        char buf[8] = {};
        json_object *args = json_object_new_object();
        struct stat a, b;

        assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
        fixture_start(&f, "getfd", 0, false);
        json_object_object_add(args, "fdname", json_object_new_string("fd0"));
        assert_int_equal(vb_qmp_command(f.q, "getfd", args, &pipefd[1], 1, reply_cb, &p), 0);
        close(pipefd[1]);                        /* the client holds its own duplicate */
        run_until_count(&f, &p.n_calls, 1);
        assert_int_equal(p.r, 0);
        assert_string_equal(p.ret, "{}");
        assert_int_equal(f.mock.n_fds, 1);
        assert_int_equal(fstat(f.mock.fds[0], &a), 0);
        assert_int_equal(fstat(pipefd[0], &b), 0);
        assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
        assert_int_equal(write(f.mock.fds[0], "hello", 5), 5);
        assert_int_equal(read(pipefd[0], buf, sizeof(buf)), 5);
        assert_string_equal(buf, "hello");
        fixture_end(&f);
        close(pipefd[0]);
        reply_free(&p);
}

static void free_in_reply(VbQmp *q, int r, json_object *ret, const char *cls, const char *desc, void *userdata) {
        Fixture *f = userdata;
        f->n_freed_in_reply++;
        assert_int_equal(r, -ECONNRESET);
        f->q = vb_qmp_free(f->q);
}

static void free_in_reply_cancel(VbQmp *q, int r, json_object *ret, const char *cls, const char *desc,
                                 void *userdata) {
        Fixture *f = userdata;
        f->n_freed_in_reply++;
        assert_int_equal(r, -ECANCELED);
        assert_ptr_equal(f->q, q);
        assert_null(vb_qmp_free(f->q));
}

static void test_free_with_pending(void **state) {
        Fixture f;
        Reply p[3] = {};

        fixture_start(&f, "handshake", 0, false);
        assert_int_equal(vb_qmp_stop(f.q, reply_cb, &p[0]), 0);
        assert_int_equal(vb_qmp_query_status(f.q, status_cb, &p[1]), 0);
        assert_int_equal(vb_qmp_cont(f.q, reply_cb, &p[2]), 0);
        run_until_count(&f, &f.n_ready, 1);     /* sent after the handshake, not answered */
        f.q = vb_qmp_free(f.q);
        for (size_t i = 0; i < 3; i++) {
                assert_int_equal(p[i].n_calls, 1);
                assert_int_equal(p[i].r, -ECANCELED);
        }
        assert_int_equal(f.n_disconnect, 0);
        f.mock.failure[0] = 0;                  /* the transcript has no stop/cont */
        f.mock.done = true;
        fixture_end(&f);
        for (size_t i = 0; i < 3; i++)
                reply_free(&p[i]);
}

static void test_free_in_callbacks(void **state) {
        Fixture f;
        Reply p = {};

        /* Freed from the reply callback that a disconnect triggers. */
        fixture_start(&f, "eof-mid-command", 0, false);
        assert_int_equal(vb_qmp_command(f.q, "query-status", NULL, NULL, 0, free_in_reply, &f), 0);
        run_until_count(&f, &f.n_freed_in_reply, 1);
        assert_null(f.q);
        assert_int_equal(f.n_disconnect, 0);    /* freed before the disconnect callback */
        run_idle(&f);
        fixture_end(&f);

        /* Freed from the disconnect callback. */
        fixture_start(&f, "eof-mid-command", 0, false);
        f.free_on_disconnect = true;
        assert_int_equal(vb_qmp_query_status(f.q, status_cb, &p), 0);
        run_until_count(&f, &f.n_disconnect, 1);
        assert_null(f.q);
        assert_int_equal(p.n_calls, 1);
        run_idle(&f);
        fixture_end(&f);
        reply_free(&p);

        /* Freed again from a reply callback that vb_qmp_free() itself runs. */
        fixture_start(&f, "handshake", 0, false);
        assert_int_equal(vb_qmp_command(f.q, "stop", NULL, NULL, 0, free_in_reply_cancel, &f), 0);
        assert_int_equal(vb_qmp_query_status(f.q, status_cb, &p), 0);
        f.q = vb_qmp_free(f.q);
        assert_int_equal(f.n_freed_in_reply, 1);
        assert_int_equal(p.n_calls, 1);
        assert_int_equal(p.r, -ECANCELED);
        f.mock.done = true;
        fixture_end(&f);
        reply_free(&p);
}

static void balloon_cb(VbQmp *q, int r, uint64_t actual, void *userdata) {
        Reply *p = userdata;
        p->n_calls++;
        p->r = r;
        p->u64 = actual;
}

static void blockstats_cb(VbQmp *q, int r, const VbQmpBlockStats *s, size_t n, void *userdata) {
        Reply *p = userdata;
        p->n_calls++;
        p->r = r;
        p->n_stats = n;
        for (size_t i = 0; i < n && i < 4; i++) {
                p->stats[i] = s[i];
                p->stat_strs[i][0] = vb_strdup(s[i].device);
                p->stat_strs[i][1] = vb_strdup(s[i].node_name);
                p->stat_strs[i][2] = vb_strdup(s[i].qdev);
        }
}

static void test_stats(void **state) {
        Fixture f;
        Reply bal = {}, blk = {};

        fixture_start(&f, "stats", 0, false);
        assert_int_equal(vb_qmp_query_balloon(f.q, balloon_cb, &bal), 0);
        assert_int_equal(vb_qmp_query_blockstats(f.q, blockstats_cb, &blk), 0);
        run_until_count(&f, &blk.n_calls, 1);
        assert_int_equal(bal.n_calls, 1);
        assert_int_equal(bal.r, 0);
        assert_int_equal(bal.u64, UINT64_C(536870912));
        assert_int_equal(blk.r, 0);
        assert_int_equal(blk.n_stats, 2);
        assert_string_equal(blk.stat_strs[0][0], "");
        assert_string_equal(blk.stat_strs[0][1], "libvirt-1-format");
        assert_string_equal(blk.stat_strs[0][2], "/machine/peripheral/virtio-disk0/virtio-backend");
        assert_int_equal(blk.stats[0].rd_bytes, 1536000);
        assert_int_equal(blk.stats[0].wr_bytes, 4096);
        assert_int_equal(blk.stats[0].rd_operations, 300);
        assert_int_equal(blk.stats[0].wr_operations, 2);
        assert_int_equal(blk.stats[0].flush_operations, 1);
        assert_int_equal(blk.stats[0].rd_total_time_ns, 7000000);
        assert_int_equal(blk.stats[0].wr_highest_offset, 8192);
        assert_string_equal(blk.stat_strs[1][0], "ide1-cd0");
        assert_string_equal(blk.stat_strs[1][1], "");
        assert_int_equal(blk.stats[1].rd_total_time_ns, 0);
        run_until(&f, &f.mock.done);
        fixture_end(&f);
        reply_free(&bal);
        reply_free(&blk);
}

static void migrate_status_cb(VbQmp *q, int r, const char *status, const char *err, void *userdata) {
        Reply *p = userdata;
        p->n_calls++;
        p->r = r;
        p->status = vb_strdup(status);
        p->err_desc = vb_strdup(err);
}

static void test_migrate_to_fd(void **state) {
        Fixture f;
        Reply mig = {}, st = {};
        int pipefd[2];

        assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
        fixture_start(&f, "migrate", 0, false);
        assert_int_equal(vb_qmp_migrate_to_fd(f.q, pipefd[1], reply_cb, &mig), 0);
        assert_int_equal(vb_qmp_query_migrate(f.q, migrate_status_cb, &st), 0);
        run_until_count(&f, &st.n_calls, 1);
        run_until(&f, &f.mock.done);
        run_idle(&f);
        assert_int_equal(mig.n_calls, 1);
        assert_int_equal(mig.r, 0);
        assert_int_equal(f.mock.n_fds, 1);
        assert_int_equal(st.r, 0);
        assert_string_equal(st.status, "completed");
        assert_null(st.err_desc);
        fixture_end(&f);
        reply_free(&mig);
        reply_free(&st);

        fixture_start(&f, "migrate-getfd-error", 0, false);
        assert_int_equal(vb_qmp_migrate_to_fd(f.q, pipefd[1], reply_cb, &mig), 0);
        run_until_count(&f, &mig.n_calls, 1);
        run_until(&f, &f.mock.done);
        run_idle(&f);
        assert_int_equal(mig.n_calls, 1);
        assert_int_equal(mig.r, -EIO);
        assert_string_equal(mig.err_desc, "No file descriptor supplied via SCM_RIGHTS");
        fixture_end(&f);
        reply_free(&mig);
        close(pipefd[0]);
        close(pipefd[1]);
}

/* The transcript recorded from a real QEMU 7.2, replayed through the typed helpers. */
static void test_real_transcript(void **state) {
        Fixture f;
        Reply st1 = {}, bal = {}, blk = {}, stop = {}, st2 = {}, cont = {}, mig = {}, bad = {}, quit = {};

        fixture_start(&f, "real-qemu-7.2", 3, false);
        assert_int_equal(vb_qmp_query_status(f.q, status_cb, &st1), 0);
        assert_int_equal(vb_qmp_query_balloon(f.q, balloon_cb, &bal), 0);
        assert_int_equal(vb_qmp_query_blockstats(f.q, blockstats_cb, &blk), 0);
        assert_int_equal(vb_qmp_stop(f.q, reply_cb, &stop), 0);
        assert_int_equal(vb_qmp_query_status(f.q, status_cb, &st2), 0);
        assert_int_equal(vb_qmp_cont(f.q, reply_cb, &cont), 0);
        assert_int_equal(vb_qmp_query_migrate(f.q, migrate_status_cb, &mig), 0);
        assert_int_equal(vb_qmp_command(f.q, "no-such-command", NULL, NULL, 0, reply_cb, &bad), 0);
        assert_int_equal(vb_qmp_quit(f.q, reply_cb, &quit), 0);
        run_until_count(&f, &f.n_disconnect, 1);
        assert_int_equal(f.reason, -ECONNRESET);
        assert_true(st1.r == 0 && st1.running && streq(st1.status, "running"));
        assert_int_equal(bal.r, -ENODEV);
        assert_true(blk.r == 0 && blk.n_stats == 0 && blk.n_calls == 1);
        assert_int_equal(stop.r, 0);
        assert_true(st2.r == 0 && !st2.running && streq(st2.status, "paused"));
        assert_int_equal(cont.r, 0);
        assert_true(mig.r == 0 && streq(mig.status, "none"));
        assert_int_equal(bad.r, -EOPNOTSUPP);
        assert_string_equal(bad.err_class, "CommandNotFound");
        assert_int_equal(quit.r, 0);
        assert_int_equal(quit.n_calls, 1);
        assert_int_equal(f.n_events, 3);
        assert_string_equal(f.events[0].name, "STOP");
        assert_string_equal(f.events[1].name, "RESUME");
        assert_string_equal(f.events[2].name, "SHUTDOWN");
        assert_string_equal(f.events[2].data, "{\"guest\":false,\"reason\":\"host-qmp-quit\"}");
        fixture_end(&f);
        reply_free(&st1); reply_free(&bal); reply_free(&blk); reply_free(&stop); reply_free(&st2);
        reply_free(&cont); reply_free(&mig); reply_free(&bad); reply_free(&quit);
}

static void test_connect(void **state) {
        int fd = -1;

        assert_int_equal(vb_qmp_connect("/nonexistent/qmp.sock", &fd), -ENOENT);
        assert_int_equal(fd, -1);
        assert_int_equal(vb_qmp_connect("", &fd), -EINVAL);
        {
                char longp[200];
                memset(longp, 'x', sizeof(longp) - 1);
                longp[sizeof(longp) - 1] = 0;
                assert_int_equal(vb_qmp_connect(longp, &fd), -ENAMETOOLONG);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_handshake),
                cmocka_unit_test(test_handshake_refused),
                cmocka_unit_test(test_no_greeting),
                cmocka_unit_test(test_query_status),
                cmocka_unit_test(test_error_reply),
                cmocka_unit_test(test_events),
                cmocka_unit_test(test_split_writes),
                cmocka_unit_test(test_coalesced_writes),
                cmocka_unit_test(test_eof_mid_command),
                cmocka_unit_test(test_oversized),
                cmocka_unit_test(test_small_limit),
                cmocka_unit_test(test_garbage),
                cmocka_unit_test(test_pending_limit),
                cmocka_unit_test(test_fd_passing),
                cmocka_unit_test(test_free_with_pending),
                cmocka_unit_test(test_free_in_callbacks),
                cmocka_unit_test(test_stats),
                cmocka_unit_test(test_migrate_to_fd),
                cmocka_unit_test(test_real_transcript),
                cmocka_unit_test(test_connect),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
