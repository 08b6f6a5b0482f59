/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brokerctl: run dbus-broker without systemd, for bench/ (BUS=broker).
 *
 *   brokerctl --listen PATH [--print-address] [--broker BINARY]
 *             [--max-bytes N] [--max-fds N] [--max-matches N] [--max-objects N]
 *
 * dbus-broker itself never opens a socket or reads a configuration: a controller hands it
 * listening sockets and their policy over a private peer-to-peer D-Bus connection (the
 * org.bus1.DBus.Broker API on the fd given with --controller). dbus-broker-launch is that
 * controller, but it needs journald and systemd (PID 1 here is neither). This is the smallest
 * controller that makes a usable bus:
 *
 *   - binds and listens on PATH (a stale socket there is replaced; the file is removed at exit);
 *   - forks and execs dbus-broker --controller FD --log FD --machine-id ID (from /etc/machine-id)
 *     with the limits dbus-broker-launch passes for Debian's stock system.conf;
 *   - calls AddListener(o path, h fd, v policy) with an allow-everything policy, the
 *     equivalent of bench/lib/common.sh's dbus-daemon config (connect, own any name, send and
 *     receive anything, for every uid);
 *   - answers org.bus1.DBus.Controller.ReloadConfig (nothing to reload) and ignores the
 *     activation signals (no name is activatable: AddName is never called);
 *   - prints "unix:path=PATH" on stdout once AddListener returned (--print-address), and copies
 *     the broker's log to stderr;
 *   - on SIGTERM/SIGINT stops the broker (SIGTERM, then waits for it); if the broker dies first,
 *     exits non-zero.
 *
 * The policy's wire format is the one dbus-broker 33 (Debian 12) reads:
 *   (a(u(bt a(btbs) a(btssssuutt) a(btssssuutt))) a(buu(...)) a(ss) b s)
 * i.e. per uid ((uint32_t)-1 = everyone else) a batch of connect verdict, own rules, send
 * rules, receive rules; then uid ranges/gids, SELinux names, AppArmor flag and bus type. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <systemd/sd-id128.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

/* The verdict priority of our rules: any value above the broker's implicit deny (0) wins. */
#define RULE_PRIORITY UINT64_C(1)
/* dbus-broker's "tristate" for the broadcast field: 0 = unset, matches both. */
#define TRISTATE_UNSET 0U

typedef struct Args {
        const char *listen_path;
        const char *broker;
        bool print_address;
        /* dbus-broker-launch's defaults with a system.conf that sets no <limit>:
         * per-connection limits × 64 connections per user. */
        uint64_t max_bytes;
        uint64_t max_fds;
        uint64_t max_matches;
        uint64_t max_objects;   /* 0: not passed, the broker's own default */
} Args;

typedef struct Ctl {
        const Args *args;
        sd_event *event;
        sd_bus *bus;
        pid_t broker_pid;
        bool broker_exited;
        sd_event_source *log_source;
} Ctl;

static void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}

static const char *strna(const char *s) {
        return s ? s : "n/a";
}

static void log_errno(int r, const char *what) {
        fprintf(stderr, "brokerctl: %s: %s\n", what, strerror(r < 0 ? -r : r));
}

/* ------------------------------------------------------------------ the listening socket */

static int listen_unix(const char *path) {
        _cleanup_(closep) int fd = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct stat st;
        int r;

        if (strlen(path) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "brokerctl: socket path too long (max %zu bytes): %s\n",
                        sizeof(sa.sun_path) - 1, path);
                return -ENAMETOOLONG;
        }
        strcpy(sa.sun_path, path);

        /* like dbus-daemon, take over a stale socket, but never remove anything else */
        if (lstat(path, &st) == 0) {
                if (!S_ISSOCK(st.st_mode)) {
                        fprintf(stderr, "brokerctl: %s exists and is not a socket; refusing\n", path);
                        return -EEXIST;
                }
                if (unlink(path) < 0) {
                        r = -errno;
                        log_errno(r, "cannot remove the stale socket");
                        return r;
                }
        }

        /* non-blocking: the broker accepts from its epoll loop until EAGAIN */
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
                r = -errno;
                log_errno(r, "socket()");
                return r;
        }
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                r = -errno;
                fprintf(stderr, "brokerctl: cannot bind %s: %s\n", path, strerror(-r));
                return r;
        }
        /* every local user may connect; the policy decides the rest (as dbus-daemon does) */
        if (chmod(path, 0666) < 0) {
                r = -errno;
                fprintf(stderr, "brokerctl: chmod %s: %s\n", path, strerror(-r));
                unlink(path);
                return r;
        }
        if (listen(fd, SOMAXCONN) < 0) {
                r = -errno;
                log_errno(r, "listen()");
                unlink(path);
                return r;
        }

        r = fd;
        fd = -1;
        return r;
}

/* ------------------------------------------------------------------ the broker process */

static int clear_cloexec(int fd) {
        int flags = fcntl(fd, F_GETFD);

        if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
                return -errno;
        return 0;
}

/* In the child: never returns. */
static void exec_broker(const Args *a, int fd_controller, int fd_log, const char *machine_id, pid_t parent) {
        char s_controller[16], s_log[16], s_bytes[24], s_fds[24], s_matches[24], s_objects[24];
        const char *argv[16];
        sigset_t none;
        int n = 0;

        /* the broker must not outlive us, even if we are SIGKILLed */
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent) {
                fprintf(stderr, "brokerctl: child: parent gone or prctl failed\n");
                _exit(127);
        }
        /* signals blocked for sd-event in the parent stay blocked across exec otherwise */
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);

        if (clear_cloexec(fd_controller) < 0 || clear_cloexec(fd_log) < 0) {
                fprintf(stderr, "brokerctl: child: cannot pass the fds: %s\n", strerror(errno));
                _exit(127);
        }

        snprintf(s_controller, sizeof(s_controller), "%d", fd_controller);
        snprintf(s_log, sizeof(s_log), "%d", fd_log);
        snprintf(s_bytes, sizeof(s_bytes), "%" PRIu64, a->max_bytes);
        snprintf(s_fds, sizeof(s_fds), "%" PRIu64, a->max_fds);
        snprintf(s_matches, sizeof(s_matches), "%" PRIu64, a->max_matches);
        snprintf(s_objects, sizeof(s_objects), "%" PRIu64, a->max_objects);

        argv[n++] = "dbus-broker";
        argv[n++] = "--controller";
        argv[n++] = s_controller;
        argv[n++] = "--log";
        argv[n++] = s_log;
        argv[n++] = "--machine-id";
        argv[n++] = machine_id;
        argv[n++] = "--max-bytes";
        argv[n++] = s_bytes;
        argv[n++] = "--max-fds";
        argv[n++] = s_fds;
        argv[n++] = "--max-matches";
        argv[n++] = s_matches;
        if (a->max_objects > 0) {
                argv[n++] = "--max-objects";
                argv[n++] = s_objects;
        }
        argv[n] = NULL;

        execv(a->broker, (char * const *) argv);
        fprintf(stderr, "brokerctl: cannot execute %s: %s\n", a->broker, strerror(errno));
        _exit(127);
}

static int spawn_broker(Ctl *c, int fd_controller, int fd_log) {
        char machine_id[SD_ID128_STRING_MAX];
        sd_id128_t id;
        pid_t parent = getpid(), pid;
        int r;

        /* sd_id128_get_machine() reads and validates /etc/machine-id */
        r = sd_id128_get_machine(&id);
        if (r < 0) {
                log_errno(r, "cannot read /etc/machine-id");
                return r;
        }
        sd_id128_to_string(id, machine_id);

        pid = fork();
        if (pid < 0) {
                r = -errno;
                log_errno(r, "fork()");
                return r;
        }
        if (pid == 0)
                exec_broker(c->args, fd_controller, fd_log, machine_id, parent);

        c->broker_pid = pid;
        return 0;
}

static int on_broker_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        Ctl *c = userdata;

        c->broker_exited = true;
        if (si->si_code == CLD_EXITED)
                fprintf(stderr, "brokerctl: dbus-broker (%d) exited with status %d\n", (int) si->si_pid, si->si_status);
        else
                fprintf(stderr, "brokerctl: dbus-broker (%d) killed by signal %d\n", (int) si->si_pid, si->si_status);
        /* the bus is gone: whoever started us must know */
        return sd_event_exit(sd_event_source_get_event(s), EXIT_FAILURE);
}

static void report_status(pid_t pid, int status) {
        if (WIFEXITED(status))
                fprintf(stderr, "brokerctl: dbus-broker (%d) exited with status %d\n", (int) pid, WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
                fprintf(stderr, "brokerctl: dbus-broker (%d) killed by signal %d\n", (int) pid, WTERMSIG(status));
}

static void stop_broker(Ctl *c) {
        int status;
        pid_t r;

        if (c->broker_pid <= 0 || c->broker_exited)
                return;
        /* gone already (e.g. it refused to start): say how, that is the error to report */
        r = waitpid(c->broker_pid, &status, WNOHANG);
        if (r == c->broker_pid) {
                report_status(r, status);
                c->broker_exited = true;
                return;
        }
        if (kill(c->broker_pid, SIGTERM) < 0 && errno != ESRCH)
                log_errno(-errno, "cannot signal dbus-broker");
        /* it exits at once on SIGTERM; reap it so no zombie is left behind */
        if (waitpid(c->broker_pid, &status, 0) < 0 && errno != ECHILD)
                log_errno(-errno, "waitpid(dbus-broker)");
        c->broker_exited = true;
}

/* The broker's log (a stream socket: plain text lines) goes to our stderr. */
static int on_broker_log(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        char buf[4096];
        ssize_t n;

        n = read(fd, buf, sizeof(buf));
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n <= 0)
                return sd_event_source_set_enabled(s, SD_EVENT_OFF);
        if (fwrite(buf, 1, (size_t) n, stderr) != (size_t) n)
                return 0;       /* nowhere to report it */
        fflush(stderr);
        return 0;
}

/* After the broker is gone: what it logged last (e.g. why it refused AddListener) may still be
 * in the socket, unread because the loop was not running. Copy what is there, without waiting. */
static void drain_log(int fd) {
        char buf[4096];
        ssize_t n;

        if (fd < 0)
                return;
        while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
                if (fwrite(buf, 1, (size_t) n, stderr) != (size_t) n)
                        break;
        fflush(stderr);
}

/* ------------------------------------------------------------------ the controller interface */

/* The broker forwards org.freedesktop.DBus.ReloadConfig here. Our policy is fixed: nothing to
 * reload, but the caller must get an answer. */
static int method_reload_config(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable controller_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("ReloadConfig", "", "", method_reload_config, 0),
        SD_BUS_VTABLE_END
};

/* Signals from the broker: org.bus1.DBus.Name.Activate (never sent, no name is activatable)
 * and org.bus1.DBus.Broker.SetActivationEnvironment (nothing is activated): both ignored. */
static int on_broker_message(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        if (sd_bus_message_is_signal(m, "org.bus1.DBus.Name", "Activate"))
                fprintf(stderr, "brokerctl: activation of %s requested; not supported, ignored\n",
                        strna(sd_bus_message_get_path(m)));
        return 0;
}

/* One batch: connect, own, send and receive rules, each "allow, priority 1" on everything. */
static int append_allow_all_batch(sd_bus_message *m) {
        int r;

        r = sd_bus_message_open_container(m, 'r', "bta(btbs)a(btssssuutt)a(btssssuutt)");
        if (r < 0)
                return r;
        /* connect */
        r = sd_bus_message_append(m, "bt", 1, RULE_PRIORITY);
        if (r < 0)
                return r;
        /* own: prefix "" matches every name */
        r = sd_bus_message_append(m, "a(btbs)", 1, 1, RULE_PRIORITY, 1, "");
        if (r < 0)
                return r;
        /* send, then receive: name/path/interface/member "" = any, type 0 = any,
         * broadcast unset = both, 0 to UINT64_MAX fds */
        for (int i = 0; i < 2; i++) {
                r = sd_bus_message_append(m, "a(btssssuutt)", 1,
                                          1, RULE_PRIORITY, "", "", "", "", 0U, TRISTATE_UNSET,
                                          UINT64_C(0), UINT64_MAX);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

static int append_policy(sd_bus_message *m) {
        int r;

        r = sd_bus_message_open_container(m, 'v',
                "(a(u(bta(btbs)a(btssssuutt)a(btssssuutt)))a(buu(bta(btbs)a(btssssuutt)a(btssssuutt)))a(ss)bs)");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'r',
                "a(u(bta(btbs)a(btssssuutt)a(btssssuutt)))a(buu(bta(btbs)a(btssssuutt)a(btssssuutt)))a(ss)bs");
        if (r < 0)
                return r;

        /* per-uid batches: only the default one, (uint32_t)-1 = every uid */
        r = sd_bus_message_open_container(m, 'a', "(u(bta(btbs)a(btssssuutt)a(btssssuutt)))");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'r', "u(bta(btbs)a(btssssuutt)a(btssssuutt))");
        if (r >= 0)
                r = sd_bus_message_append(m, "u", UINT32_MAX);
        if (r >= 0)
                r = append_allow_all_batch(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;

        /* no uid-range or gid batches, no SELinux names, AppArmor off, bus type "system"
         * (only used for AppArmor, which is off) */
        r = sd_bus_message_append(m, "a(buu(bta(btbs)a(btssssuutt)a(btssssuutt)))", 0);
        if (r >= 0)
                r = sd_bus_message_append(m, "a(ss)", 0);
        if (r >= 0)
                r = sd_bus_message_append(m, "bs", 0, "system");
        if (r < 0)
                return r;

        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

static int add_listener(Ctl *c, int fd_listen) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_message_new_method_call(c->bus, &m, NULL, "/org/bus1/DBus/Broker",
                                           "org.bus1.DBus.Broker", "AddListener");
        if (r >= 0)
                r = sd_bus_message_append(m, "oh", "/org/bus1/DBus/Listener/0", fd_listen);
        if (r >= 0)
                r = append_policy(m);
        if (r < 0) {
                log_errno(r, "cannot build the AddListener call");
                return r;
        }

        r = sd_bus_call(c->bus, m, 30 * 1000000ULL, &error, NULL);
        if (r < 0) {
                fprintf(stderr, "brokerctl: AddListener failed: %s (%s)\n",
                        error.name ? error.name : strerror(-r), error.message ? error.message : "");
                return r;
        }
        return 0;
}

static int connect_controller(Ctl *c, int fd) {
        int r;

        r = sd_bus_new(&c->bus);
        if (r < 0) {
                log_errno(r, "sd_bus_new()");
                close(fd);
                return r;
        }
        /* a peer-to-peer connection (no Hello): the broker is the other end, not a bus */
        r = sd_bus_set_fd(c->bus, fd, fd);
        if (r < 0) {
                log_errno(r, "sd_bus_set_fd()");
                close(fd);
                return r;
        }
        r = sd_bus_add_object_vtable(c->bus, NULL, "/org/bus1/DBus/Controller", "org.bus1.DBus.Controller",
                                     controller_vtable, c);
        if (r >= 0)
                r = sd_bus_add_filter(c->bus, NULL, on_broker_message, c);
        if (r < 0) {
                log_errno(r, "cannot register the controller object");
                return r;
        }
        r = sd_bus_start(c->bus);
        if (r < 0) {
                log_errno(r, "cannot start the controller connection");
                return r;
        }
        return 0;
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *f) {
        fputs("usage: brokerctl --listen PATH [--print-address] [--broker BINARY]\n"
              "                 [--max-bytes N] [--max-fds N] [--max-matches N] [--max-objects N]\n"
              "Runs dbus-broker on the unix socket PATH with an allow-all policy, until SIGTERM.\n", f);
}

static int parse_u64(const char *s, uint64_t *ret) {
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || end == s || *end || s[0] == '-')
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_args(int argc, char *argv[], Args *a) {
        enum { ARG_PRINT = 0x100, ARG_BROKER, ARG_BYTES, ARG_FDS, ARG_MATCHES, ARG_OBJECTS };
        static const struct option options[] = {
                { "help",          no_argument,       NULL, 'h' },
                { "listen",        required_argument, NULL, 'l' },
                { "print-address", no_argument,       NULL, ARG_PRINT },
                { "broker",        required_argument, NULL, ARG_BROKER },
                { "max-bytes",     required_argument, NULL, ARG_BYTES },
                { "max-fds",       required_argument, NULL, ARG_FDS },
                { "max-matches",   required_argument, NULL, ARG_MATCHES },
                { "max-objects",   required_argument, NULL, ARG_OBJECTS },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "hl:", options, NULL)) >= 0) {
                uint64_t *target = NULL;

                switch (c) {
                case 'h': usage(stdout); exit(EXIT_SUCCESS);
                case 'l': a->listen_path = optarg; break;
                case ARG_PRINT: a->print_address = true; break;
                case ARG_BROKER: a->broker = optarg; break;
                case ARG_BYTES: target = &a->max_bytes; break;
                case ARG_FDS: target = &a->max_fds; break;
                case ARG_MATCHES: target = &a->max_matches; break;
                case ARG_OBJECTS: target = &a->max_objects; break;
                default: usage(stderr); return -EINVAL;
                }
                if (target && parse_u64(optarg, target) < 0) {
                        fprintf(stderr, "brokerctl: not a number: %s\n", optarg);
                        return -EINVAL;
                }
        }
        if (optind != argc || !a->listen_path) {
                usage(stderr);
                return -EINVAL;
        }
        if (a->listen_path[0] != '/') {
                fprintf(stderr, "brokerctl: --listen needs an absolute path: %s\n", a->listen_path);
                return -EINVAL;
        }
        return 0;
}

static int make_pair(int flags, int *ours, int *theirs, const char *what) {
        int pair[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0, pair) < 0) {
                int r = -errno;
                fprintf(stderr, "brokerctl: socketpair() for %s: %s\n", what, strerror(-r));
                return r;
        }
        *ours = pair[0];
        *theirs = pair[1];
        return 0;
}

/* The broker's exit, our stop signals and the broker's log, on the event loop. */
static int watch(Ctl *c, int log_fd) {
        int r = sd_event_add_child(c->event, NULL, c->broker_pid, WEXITED, on_broker_exit, c);
        if (r >= 0)
                r = sd_event_add_signal(c->event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(c->event, NULL, SIGINT, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_io(c->event, &c->log_source, log_fd, EPOLLIN, on_broker_log, c);
        if (r < 0)
                log_errno(r, "cannot set up the event loop");
        return r < 0 ? r : 0;
}

static int run(const Args *a) {
        _cleanup_(closep) int fd_listen = -1, ctl_ours = -1, ctl_theirs = -1, log_ours = -1, log_theirs = -1;
        Ctl c = { .args = a };
        sigset_t mask;
        int r;

        /* sd-event takes signals through a signalfd: they must be blocked (also SIGCHLD) */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGCHLD);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        /* a reader of --print-address that went away must not kill us */
        signal(SIGPIPE, SIG_IGN);

        fd_listen = listen_unix(a->listen_path);
        if (fd_listen < 0)
                return fd_listen;

        r = make_pair(SOCK_NONBLOCK, &ctl_ours, &ctl_theirs, "the controller");
        if (r < 0)
                goto out;
        r = make_pair(0, &log_ours, &log_theirs, "the log");
        if (r < 0)
                goto out;

        r = sd_event_default(&c.event);
        if (r < 0) {
                log_errno(r, "sd_event_default()");
                goto out;
        }

        r = spawn_broker(&c, ctl_theirs, log_theirs);
        if (r < 0)
                goto out;
        /* only the broker holds its ends now: EOF on ours means it is gone */
        close(ctl_theirs);
        ctl_theirs = -1;
        close(log_theirs);
        log_theirs = -1;

        r = watch(&c, log_ours);
        if (r < 0)
                goto out;

        r = connect_controller(&c, ctl_ours);
        ctl_ours = -1;  /* owned by the bus now, also on failure */
        if (r < 0)
                goto out;

        /* synchronous: the loop is not running yet, so the broker's log waits in the socket */
        r = add_listener(&c, fd_listen);
        if (r < 0)
                goto out;
        /* the broker has its own copy now; the path stays ours to remove */
        close(fd_listen);
        fd_listen = -1;

        r = sd_bus_attach_event(c.bus, c.event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                log_errno(r, "sd_bus_attach_event()");
                goto out;
        }

        if (a->print_address) {
                printf("unix:path=%s\n", a->listen_path);
                fflush(stdout);
        }
        fprintf(stderr, "brokerctl: dbus-broker (%d) listening on unix:path=%s\n", (int) c.broker_pid, a->listen_path);

        r = sd_event_loop(c.event);
        if (r < 0)
                log_errno(r, "event loop");
        else if (r > 0)
                r = -EPIPE;     /* the broker went away */

out:
        stop_broker(&c);
        drain_log(log_ours);
        sd_event_source_unref(c.log_source);
        sd_bus_flush_close_unref(c.bus);
        sd_event_unref(c.event);
        unlink(a->listen_path);
        return r;
}

int main(int argc, char *argv[]) {
        Args a = {
                .broker = "/usr/bin/dbus-broker",
                .max_bytes = 64 * 8 * 1024 * 1024ULL,
                .max_fds = 64 * 64,
                .max_matches = 64 * 256,
        };
        int r;

        r = parse_args(argc, argv, &a);
        if (r < 0)
                return 2;
        r = run(&a);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
