/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The polkit gate against a real private dbus-daemon. In this process: a fake polkit
 * authority owning org.freedesktop.PolicyKit1 (answers from a table, records what it saw),
 * a server connection whose test method calls vb_polkit_check(), and client connections.
 * Everything runs on one sd-event loop, driven until a condition holds or a deadline passes. */
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <cmocka.h>

#include "polkit.h"
#include "util.h"

#define DEADLINE_USEC (10ULL * 1000000ULL)
#define HELD_MAX 64

/* ---- fake authority ---------------------------------------------------------------- */

static struct {
        sd_bus *bus;
        unsigned n_queries;
        char action[256];
        char details[1024];             /* "k=v;k=v;" */
        char subject_kind[64];
        char subject_name[256];
        uint32_t flags;
        bool hold;                      /* keep the calls unanswered */
        sd_bus_message *held[HELD_MAX];
        size_t n_held;
} authority;

/* allow: *.start, *.read; deny: everything else; challenge: *.reset unless flags & 1 */
static void authority_decide(const char *action, uint32_t flags, int *authorized,
                             int *challenge) {
        size_t l = strlen(action);
        bool ends_reset = l > 6 && streq(action + l - 6, ".reset");

        *authorized = (l > 6 && streq(action + l - 6, ".start")) ||
                      (l > 5 && streq(action + l - 5, ".read")) || (ends_reset && (flags & 1));
        *challenge = ends_reset && !(flags & 1);
}

static int read_subject(sd_bus_message *m) {
        const char *kind, *key, *name;
        int r;

        r = sd_bus_message_enter_container(m, 'r', "sa{sv}");
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "s", &kind);
        if (r < 0)
                return r;
        snprintf(authority.subject_kind, sizeof(authority.subject_kind), "%s", kind);
        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "name"))
                        r = sd_bus_message_read(m, "v", "s", &name);
                else
                        r = sd_bus_message_skip(m, "v");
                if (r < 0)
                        return r;
                if (streq(key, "name"))
                        snprintf(authority.subject_name, sizeof(authority.subject_name), "%s",
                                 name);
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int read_details(sd_bus_message *m) {
        const char *k, *v;
        size_t off = 0;
        int r;

        authority.details[0] = '\0';
        r = sd_bus_message_enter_container(m, 'a', "{ss}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "{ss}", &k, &v)) > 0)
                off += snprintf(authority.details + off, sizeof(authority.details) - off,
                                "%s=%s;", k, v);
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int authority_check(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *action, *cancel_id;
        int authorized, challenge, r;
        uint32_t flags;

        r = read_subject(m);
        if (r >= 0)
                r = sd_bus_message_read(m, "s", &action);
        if (r >= 0)
                snprintf(authority.action, sizeof(authority.action), "%s", action);
        if (r >= 0)
                r = read_details(m);
        if (r >= 0)
                r = sd_bus_message_read(m, "us", &flags, &cancel_id);
        if (r < 0)
                return r;
        authority.flags = flags;
        authority.n_queries++;
        if (authority.hold && authority.n_held < HELD_MAX) {
                authority.held[authority.n_held++] = sd_bus_message_ref(m);
                return 1;
        }
        authority_decide(authority.action, flags, &authorized, &challenge);
        return sd_bus_reply_method_return(m, "(bba{ss})", authorized, challenge, 0);
}

static const sd_bus_vtable authority_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})", authority_check,
                      SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

static void authority_release_held(int authorized) {
        for (size_t i = 0; i < authority.n_held; i++) {
                assert_true(sd_bus_reply_method_return(authority.held[i], "(bba{ss})",
                                                       authorized, 0, 0) >= 0);
                authority.held[i] = sd_bus_message_unref(authority.held[i]);
        }
        authority.n_held = 0;
}

/* ---- the server under test ---------------------------------------------------------- */

static unsigned side_effects;

/* Do(s action1, s action2 or "", s domain_name) → "done"; checks one or two actions. */
static int method_do(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *a1, *a2, *name;
        int r;

        r = sd_bus_message_read(m, "sss", &a1, &a2, &name);
        if (r < 0)
                return r;
        const char *details[] = { "connect_driver", "Test", "domain_name", name, NULL };
        r = vb_polkit_check(m, a1, details, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        if (!isempty(a2)) {
                r = vb_polkit_check(m, a2, details, error);
                if (r <= 0)
                        return r < 0 ? r : 1;
        }
        side_effects++;
        return sd_bus_reply_method_return(m, "s", "done");
}

static const sd_bus_vtable server_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Do", "sss", "s", method_do, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

/* ---- fixture: private bus, three connections, one loop ------------------------------ */

static struct {
        char dir[64];
        char address[256];
        pid_t daemon;
        sd_event *event;
        sd_bus *server, *client;
        const char *server_name;
} fx;

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

static bool run_until(bool (*cond)(void *), void *data) {
        uint64_t end = now_usec() + DEADLINE_USEC;

        while (!cond(data)) {
                if (now_usec() > end)
                        return false;
                assert_true(sd_event_run(fx.event, 100000) >= 0);
        }
        return true;
}

static int write_config(const char *path, const char *socket) {
        FILE *f = fopen(path, "we");

        if (!f)
                return -errno;
        fprintf(f, "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
                   "1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                   "<busconfig><type>session</type><listen>unix:path=%s</listen>"
                   "<auth>EXTERNAL</auth><policy context=\"default\">"
                   "<allow send_destination=\"*\" eavesdrop=\"true\"/>"
                   "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n",
                socket);
        return fclose(f) == 0 ? 0 : -errno;
}

/* dbus-daemon prints its address on a pipe once it listens. */
static void start_daemon(void) {
        char conf[128], sock[128], fdarg[32];
        struct pollfd p;
        int pipefd[2];
        size_t off = 0;
        uint64_t end;

        snprintf(fx.dir, sizeof(fx.dir), "/tmp/vb-test-polkit-XXXXXX");
        assert_non_null(mkdtemp(fx.dir));
        snprintf(conf, sizeof(conf), "%s/bus.conf", fx.dir);
        snprintf(sock, sizeof(sock), "%s/bus", fx.dir);
        assert_int_equal(write_config(conf, sock), 0);
        assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
        fx.daemon = fork();
        assert_true(fx.daemon >= 0);
        if (fx.daemon == 0) {
                int fd = dup(pipefd[1]);        /* without O_CLOEXEC */

                snprintf(fdarg, sizeof(fdarg), "--print-address=%d", fd);
                execlp("dbus-daemon", "dbus-daemon", "--nofork", "--config-file", conf, fdarg,
                       (char *) NULL);
                _exit(127);
        }
        close(pipefd[1]);
        end = now_usec() + DEADLINE_USEC;
        p = (struct pollfd) { .fd = pipefd[0], .events = POLLIN };
        while (!memchr(fx.address, '\n', off) && now_usec() < end) {
                ssize_t n;

                if (poll(&p, 1, 100) <= 0)
                        continue;
                n = read(pipefd[0], fx.address + off, sizeof(fx.address) - 1 - off);
                if (n <= 0)
                        break;
                off += n;
        }
        close(pipefd[0]);
        assert_non_null(memchr(fx.address, '\n', off));
        *strchr(fx.address, '\n') = '\0';
}

static sd_bus *connect_bus(void) {
        sd_bus *b = NULL;

        assert_int_equal(sd_bus_new(&b), 0);
        assert_true(sd_bus_set_address(b, fx.address) >= 0);
        assert_true(sd_bus_set_bus_client(b, 1) >= 0);
        assert_true(sd_bus_start(b) >= 0);
        assert_true(sd_bus_attach_event(b, fx.event, 0) >= 0);
        return b;
}

static int group_setup(void **state) {
        start_daemon();
        assert_int_equal(sd_event_new(&fx.event), 0);
        authority.bus = connect_bus();
        assert_true(sd_bus_add_object_vtable(authority.bus, NULL,
                                             "/org/freedesktop/PolicyKit1/Authority",
                                             "org.freedesktop.PolicyKit1.Authority",
                                             authority_vtable, NULL) >= 0);
        assert_true(sd_bus_request_name(authority.bus, "org.freedesktop.PolicyKit1", 0) >= 0);
        fx.server = connect_bus();
        assert_true(sd_bus_add_object_vtable(fx.server, NULL, "/test", "org.virtbus.Test",
                                             server_vtable, NULL) >= 0);
        assert_int_equal(sd_bus_get_unique_name(fx.server, &fx.server_name), 0);
        fx.client = connect_bus();
        return 0;
}

static int group_teardown(void **state) {
        vb_polkit_shutdown();
        sd_bus_flush_close_unref(fx.client);
        sd_bus_flush_close_unref(fx.server);
        sd_bus_flush_close_unref(authority.bus);
        sd_event_unref(fx.event);
        if (fx.daemon > 0) {
                kill(fx.daemon, SIGTERM);
                waitpid(fx.daemon, NULL, 0);
        }
        char path[128];
        snprintf(path, sizeof(path), "%s/bus.conf", fx.dir);
        unlink(path);
        snprintf(path, sizeof(path), "%s/bus", fx.dir);
        unlink(path);
        rmdir(fx.dir);
        return 0;
}

/* Every test starts with an empty gate (no cache), always_query on, a quiet authority. */
static int test_setup(void **state) {
        authority_release_held(0);
        authority.hold = false;
        authority.n_queries = 0;
        authority.flags = UINT32_MAX;
        authority.action[0] = authority.details[0] = '\0';
        side_effects = 0;
        vb_polkit_set_always_query(true);
        vb_polkit_set_trusted_uid((uid_t) -1);
        assert_int_equal(vb_polkit_setup(fx.server, fx.event), 0);
        return 0;
}

static int test_teardown(void **state) {
        vb_polkit_shutdown();
        return 0;
}

/* ---- client calls ------------------------------------------------------------------- */

typedef struct Call {
        sd_bus_slot *slot;
        sd_bus_message *reply;
        bool done;
} Call;

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Call *c = userdata;

        c->reply = sd_bus_message_ref(m);
        c->done = true;
        return 0;
}

static void call_start(sd_bus *bus, Call *c, bool interactive, const char *a1, const char *a2,
                       const char *name) {
        sd_bus_message *m = NULL;

        *c = (Call) {};
        assert_int_equal(sd_bus_message_new_method_call(bus, &m, fx.server_name, "/test",
                                                        "org.virtbus.Test", "Do"), 0);
        assert_true(sd_bus_message_set_allow_interactive_authorization(m, interactive) >= 0);
        assert_true(sd_bus_message_append(m, "sss", a1, a2, name) >= 0);
        assert_true(sd_bus_call_async(bus, &c->slot, m, on_reply, c, 0) >= 0);
        sd_bus_message_unref(m);
}

static bool call_done(void *data) {
        return ((Call *) data)->done;
}

static void call_wait(Call *c) {
        assert_true(run_until(call_done, c));
}

static void call_clear(Call *c) {
        c->slot = sd_bus_slot_unref(c->slot);
        c->reply = sd_bus_message_unref(c->reply);
}

static void expect_ok(Call *c) {
        const char *s;

        call_wait(c);
        if (sd_bus_message_is_method_error(c->reply, NULL))
                fail_msg("unexpected error %s: %s", sd_bus_message_get_error(c->reply)->name,
                         sd_bus_message_get_error(c->reply)->message);
        assert_int_equal(sd_bus_message_read(c->reply, "s", &s), 1);
        assert_string_equal(s, "done");
        call_clear(c);
}

static void expect_error(Call *c, const char *needle) {
        const sd_bus_error *e;

        call_wait(c);
        assert_true(sd_bus_message_is_method_error(c->reply, NULL));
        e = sd_bus_message_get_error(c->reply);
        assert_string_equal(e->name, "org.libvirt.Error");
        if (!strstr(e->message, needle))
                fail_msg("error '%s' does not contain '%s'", e->message, needle);
        call_clear(c);
}

static void do_call(bool interactive, const char *a1, const char *a2, const char *name,
                    const char *error_needle) {
        Call c;

        call_start(fx.client, &c, interactive, a1, a2, name);
        if (error_needle)
                expect_error(&c, error_needle);
        else
                expect_ok(&c);
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_allowed(void **state) {
        const char *client_name;

        do_call(false, "org.libvirt.api.domain.start", "", "web1", NULL);
        assert_int_equal(side_effects, 1);
        assert_int_equal(authority.n_queries, 1);
        assert_string_equal(authority.action, "org.libvirt.api.domain.start");
        assert_string_equal(authority.subject_kind, "system-bus-name");
        assert_int_equal(sd_bus_get_unique_name(fx.client, &client_name), 0);
        assert_string_equal(authority.subject_name, client_name);
        assert_int_equal(authority.flags, 0);
}

static void test_details_exact(void **state) {
        do_call(false, "org.libvirt.api.domain.start", "", "we b'\"/ü;x", NULL);
        assert_string_equal(authority.details, "connect_driver=Test;domain_name=we b'\"/ü;x;");
}

static void test_cache(void **state) {
        do_call(false, "org.libvirt.api.domain.start", "", "web1", NULL);
        do_call(false, "org.libvirt.api.domain.start", "", "web1", NULL);
        assert_int_equal(authority.n_queries, 1);
        assert_int_equal(side_effects, 2);
        /* other details: another question */
        do_call(false, "org.libvirt.api.domain.start", "", "web2", NULL);
        assert_int_equal(authority.n_queries, 2);
}

static void test_denied(void **state) {
        do_call(false, "org.libvirt.api.domain.stop", "", "web1",
                "access denied: polkit denied action 'org.libvirt.api.domain.stop'");
        assert_int_equal(side_effects, 0);
        /* denials are not cached */
        do_call(false, "org.libvirt.api.domain.stop", "", "web1", "polkit denied");
        assert_int_equal(authority.n_queries, 2);
        assert_int_equal(side_effects, 0);
}

static void test_challenge(void **state) {
        do_call(false, "org.libvirt.api.domain.reset", "", "web1",
                "interactive authentication required for 'org.libvirt.api.domain.reset'; "
                "retry with interactive authorization allowed");
        assert_int_equal(authority.flags, 0);
        assert_int_equal(side_effects, 0);
        do_call(true, "org.libvirt.api.domain.reset", "", "web1", NULL);
        assert_int_equal(authority.flags, 1);
        assert_int_equal(side_effects, 1);
}

static void test_two_actions(void **state) {
        do_call(false, "org.libvirt.api.domain.start", "org.libvirt.api.domain.read", "web1",
                NULL);
        assert_int_equal(authority.n_queries, 2);
        assert_int_equal(side_effects, 1);
        do_call(false, "org.libvirt.api.domain.start", "org.libvirt.api.domain.save", "web1",
                "denied action 'org.libvirt.api.domain.save'");
        assert_int_equal(authority.n_queries, 3); /* start came from the cache */
        assert_int_equal(side_effects, 1);
}

static void test_authority_absent(void **state) {
        assert_true(sd_bus_release_name(authority.bus, "org.freedesktop.PolicyKit1") >= 0);
        do_call(false, "org.libvirt.api.domain.start", "", "web1",
                "access denied: polkit authority is not available: ");
        assert_int_equal(side_effects, 0);
        assert_int_equal(authority.n_queries, 0);
        assert_true(sd_bus_request_name(authority.bus, "org.freedesktop.PolicyKit1", 0) >= 0);
        do_call(false, "org.libvirt.api.domain.start", "", "web1", NULL);
}

static void test_root_and_trusted_uid_skip_query(void **state) {
        vb_polkit_set_always_query(false);
        /* we run as root: no question asked, even for an action polkit would deny */
        if (geteuid() == 0) {
                do_call(false, "org.libvirt.api.domain.stop", "", "web1", NULL);
                assert_int_equal(authority.n_queries, 0);
        }
        vb_polkit_set_always_query(true);
        vb_polkit_set_trusted_uid(geteuid());
        do_call(false, "org.libvirt.api.domain.stop", "", "web1", NULL);
        assert_int_equal(authority.n_queries, 0);
        vb_polkit_set_trusted_uid((uid_t) -1);
        do_call(false, "org.libvirt.api.domain.stop", "", "web1", "polkit denied");
        assert_int_equal(authority.n_queries, 1);
}

static bool held_at_least(void *data) {
        return authority.n_held >= *(size_t *) data;
}

static void test_pending_limit(void **state) {
        Call calls[VB_POLKIT_PENDING_MAX + 1];
        size_t want = VB_POLKIT_PENDING_MAX;
        char name[32];

        authority.hold = true;
        for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
                snprintf(name, sizeof(name), "vm%zu", i);
                call_start(fx.client, &calls[i], false, "org.libvirt.api.domain.start", "",
                           name);
        }
        /* the last one is refused at once; the others wait for the authority */
        expect_error(&calls[VB_POLKIT_PENDING_MAX], "limit exceeded");
        assert_true(run_until(held_at_least, &want));
        assert_int_equal(authority.n_held, VB_POLKIT_PENDING_MAX);
        assert_int_equal(side_effects, 0);
        authority_release_held(1);
        for (size_t i = 0; i < VB_POLKIT_PENDING_MAX; i++)
                expect_ok(&calls[i]);
        assert_int_equal(side_effects, VB_POLKIT_PENDING_MAX);
}

static bool name_gone(void *data) {
        sd_bus_message *reply = NULL;
        int has = 1;

        assert_true(sd_bus_call_method(fx.client, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner", NULL, &reply, "s",
                                       (const char *) data) >= 0);
        assert_true(sd_bus_message_read(reply, "b", &has) >= 0);
        sd_bus_message_unref(reply);
        return !has;
}

/* The caller leaves while its query is in flight: nothing leaks, nothing crashes, the
 * handler's work is not done, and the gate keeps serving others. */
static void test_sender_disconnects(void **state) {
        sd_bus *other = connect_bus();
        const char *other_name;
        char name_copy[128];
        size_t one = 1;
        Call c;

        assert_int_equal(sd_bus_get_unique_name(other, &other_name), 0);
        snprintf(name_copy, sizeof(name_copy), "%s", other_name);
        authority.hold = true;
        call_start(other, &c, false, "org.libvirt.api.domain.start", "", "web1");
        assert_true(run_until(held_at_least, &one));
        c.slot = sd_bus_slot_unref(c.slot);
        sd_bus_flush_close_unref(other);
        assert_true(run_until(name_gone, name_copy));
        /* let the server see NameOwnerChanged, then answer the orphaned query */
        for (int i = 0; i < 20; i++)
                sd_event_run(fx.event, 10000);
        authority_release_held(1);
        for (int i = 0; i < 20; i++)
                sd_event_run(fx.event, 10000);
        assert_int_equal(side_effects, 0);
        authority.hold = false;
        do_call(false, "org.libvirt.api.domain.start", "", "web1", NULL);
        assert_int_equal(side_effects, 1);
}

static void test_bad_details(void **state) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL;
        const char *odd[] = { "connect_driver", NULL };

        assert_int_equal(sd_bus_message_new_method_call(fx.client, &m, fx.server_name, "/test",
                                                        "org.virtbus.Test", "Do"), 0);
        assert_true(vb_polkit_check(m, "org.libvirt.api.domain.start", odd, &e) < 0);
        assert_true(sd_bus_error_is_set(&e));
        sd_bus_error_free(&e);
        assert_true(vb_polkit_check(m, NULL, NULL, &e) < 0);
        sd_bus_error_free(&e);
        sd_bus_message_unref(m);
        assert_int_equal(authority.n_queries, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)
                T(test_allowed),
                T(test_details_exact),
                T(test_cache),
                T(test_denied),
                T(test_challenge),
                T(test_two_actions),
                T(test_authority_absent),
                T(test_root_and_trusted_uid_skip_query),
                T(test_pending_limit),
                T(test_sender_disconnects),
                T(test_bad_details),
#undef T
        };

        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
