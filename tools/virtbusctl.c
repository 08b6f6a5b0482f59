/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtbusctl: command-line client of virtbusd (org.libvirt on D-Bus).
 *   virtbusctl [-c DRIVER] [-H [USER@]HOST] [--address ADDR] [--system|--session] COMMAND ...
 * Global options, bus connection, the polkit text agent, command dispatch. */
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <strings.h>
#include <sys/wait.h>

#include "config.h"
#include "ctl.h"

#define PKTTYAGENT "/usr/bin/pkttyagent"

static struct {
        const char *driver, *host, *address;
        int bus;                        /* 0 system, 1 session */
} arg;

static pid_t agent_pid;

static const CtlCommand *const tables[] = {
        ctl_domain_commands, ctl_object_commands, ctl_event_commands, ctl_console_commands,
};

static void help(void) {
        printf("Usage: virtbusctl [OPTIONS] COMMAND [ARGS...]\n\n"
               "Manage the domains, networks, storage, node devices and secrets of virtbusd.\n\n"
               "Options:\n"
               "  -c, --connect DRIVER   driver to use: test, qemu, lxc (or a libvirt URI\n"
               "                         such as qemu:///system); default: the first of\n"
               "                         QEMU, LXC, Test that the daemon serves\n"
               "  -H, --host [USER@]HOST reach the virtbusd of HOST over ssh\n"
               "      --address ADDRESS  connect to the bus at ADDRESS\n"
               "      --system           use the system bus (default)\n"
               "      --session          use the session bus\n"
               "  -h, --help             show this help (COMMAND --help: help of COMMAND)\n"
               "      --version          show the version\n\nCommands:\n");
        for (size_t t = 0; t < ELEMENTSOF(tables); t++)
                for (const CtlCommand *c = tables[t]; c->name; c++)
                        printf("  %-18s %.*s\n", c->name, (int) strcspn(c->help, "\n"), c->help);
        printf("\nExit status: 0 success, 1 failure, 2 usage error, 3 object not found,\n"
               "4 access denied, 5 not supported, 6 timed out. See virtbusctl(1).\n");
}

static void command_help(const CtlCommand *c) {
        printf("Usage: virtbusctl [GLOBAL OPTIONS] %s %s\n\n%s\n", c->name, c->synopsis, c->help);
}

static const CtlCommand *find_command(const char *name) {
        for (size_t t = 0; t < ELEMENTSOF(tables); t++)
                for (const CtlCommand *c = tables[t]; c->name; c++)
                        if (streq(c->name, name))
                                return c;
        return NULL;
}

static bool accepts(const CtlCommand *c, const char *opt, bool value) {
        char pat[64];
        snprintf(pat, sizeof(pat), " --%s%s", opt, value ? "=" : "");
        const char *o = strstr(strempty(c->options), pat);
        size_t n = strlen(pat);
        return o && (value || o[n] == ' ' || o[n] == 0);
}

static int set_flag(CtlArgs *a, const char *o) {
        static const struct { const char *name; size_t off; } flags[] = {
                { "all", offsetof(CtlArgs, all) }, { "json", offsetof(CtlArgs, json) },
                { "name", offsetof(CtlArgs, name) }, { "inactive", offsetof(CtlArgs, inactive) },
                { "security-info", offsetof(CtlArgs, security_info) },
                { "live", offsetof(CtlArgs, live) }, { "config", offsetof(CtlArgs, config) },
                { "disable", offsetof(CtlArgs, disable) }, { "loop", offsetof(CtlArgs, loop) },
                { "plain", offsetof(CtlArgs, plain) },
        };
        for (size_t i = 0; i < ELEMENTSOF(flags); i++)
                if (streq(flags[i].name, o)) {
                        *(bool *) ((char *) a + flags[i].off) = true;
                        return 0;
                }
        return -EINVAL;
}

static int set_value(CtlArgs *a, const char *o, const char *v) {
        char *end;
        if (streq(o, "timeout")) {
                a->timeout = strtod(v, &end);
                if (*end || end == v || a->timeout < 0) {
                        fprintf(stderr, "virtbusctl: invalid timeout '%s'\n", v);
                        return -EINVAL;
                }
        } else if (streq(o, "offset") || streq(o, "length")) {
                unsigned long long n;
                errno = 0;
                n = strtoull(v, &end, 10);
                if (errno || *end || end == v || v[0] == '-') {
                        fprintf(stderr, "virtbusctl: invalid %s '%s' (a number of bytes)\n", o, v);
                        return -EINVAL;
                }
                *(streq(o, "offset") ? &a->offset : &a->length) = n;
        } else if (streq(o, "pool"))
                a->pool = v;
        else if (streq(o, "file"))
                a->file = v;
        else if (streq(o, "devname"))
                a->devname = v;
        else
                return -EINVAL;
        return 0;
}

static int parse_option(const CtlCommand *c, CtlArgs *a, int argc, char **argv, int *i) {
        _cleanup_free_ char *o = strdup(argv[*i] + 2);
        char *eq = o ? strchr(o, '=') : NULL;

        if (!o)
                return -ENOMEM;
        if (eq)
                *eq = 0;
        if (accepts(c, o, true)) {
                const char *v = eq ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
                if (!v) {
                        fprintf(stderr, "virtbusctl %s: option --%s needs a value\n", c->name, o);
                        return -EINVAL;
                }
                return set_value(a, o, v);
        }
        if (!eq && accepts(c, o, false))
                return set_flag(a, o);
        fprintf(stderr, "virtbusctl %s: unknown option '%s' (see virtbusctl %s --help)\n",
                c->name, argv[*i], c->name);
        return -EINVAL;
}

/* returns 1 when --help was printed */
static int parse_command_args(const CtlCommand *c, int argc, char **argv, CtlArgs *a) {
        bool dashdash = false;
        *a = (CtlArgs) { .timeout = -1 };
        for (int i = 1; i < argc; i++) {
                int r;
                if (!dashdash && (streq(argv[i], "--help") || streq(argv[i], "-h"))) {
                        command_help(c);
                        return 1;
                }
                if (!dashdash && streq(argv[i], "--")) {
                        dashdash = true;
                        continue;
                }
                if (!dashdash && argv[i][0] == '-' && argv[i][1] == '-') {
                        r = parse_option(c, a, argc, argv, &i);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (a->npos == CTL_MAX_POS || a->npos == c->max_pos) {
                        fprintf(stderr, "virtbusctl %s: too many arguments\nUsage: virtbusctl %s %s\n",
                                c->name, c->name, c->synopsis);
                        return -EINVAL;
                }
                a->pos[a->npos++] = argv[i];
        }
        if (a->npos < c->min_pos) {
                fprintf(stderr, "virtbusctl %s: missing argument\nUsage: virtbusctl %s %s\n",
                        c->name, c->name, c->synopsis);
                return -EINVAL;
        }
        return 0;
}

static int parse_global(int argc, char **argv) {
        enum { ARG_ADDRESS = 0x100, ARG_SYSTEM, ARG_SESSION, ARG_VERSION };
        static const struct option options[] = {
                { "connect", required_argument, NULL, 'c' },
                { "host", required_argument, NULL, 'H' },
                { "address", required_argument, NULL, ARG_ADDRESS },
                { "system", no_argument, NULL, ARG_SYSTEM },
                { "session", no_argument, NULL, ARG_SESSION },
                { "version", no_argument, NULL, ARG_VERSION },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int c;
        while ((c = getopt_long(argc, argv, "+c:H:h", options, NULL)) >= 0)
                switch (c) {
                case 'c': arg.driver = optarg; break;
                case 'H': arg.host = optarg; break;
                case ARG_ADDRESS: arg.address = optarg; break;
                case ARG_SYSTEM: arg.bus = 0; break;
                case ARG_SESSION: arg.bus = 1; break;
                case ARG_VERSION:
                        printf("virtbusctl %s\n", VB_VERSION);
                        return 0;
                case 'h':
                        help();
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind >= argc) {
                fprintf(stderr, "virtbusctl: missing command (see virtbusctl --help)\n");
                return -EINVAL;
        }
        return 1;
}

static int open_bus(sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (arg.address) {
                r = sd_bus_new(&bus);
                if (r >= 0)
                        r = sd_bus_set_address(bus, arg.address);
                if (r >= 0)
                        r = sd_bus_set_bus_client(bus, true);
                if (r >= 0)
                        r = sd_bus_start(bus);
        } else if (arg.host)
                r = sd_bus_open_system_remote(&bus, arg.host);
        else
                r = arg.bus ? sd_bus_open_user(&bus) : sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "virtbusctl: cannot connect to the %s: %s\n",
                        arg.address ? arg.address : arg.host ? arg.host :
                        arg.bus ? "session bus" : "system bus", strerror(-r));
                return r == -ENOENT ? -EIO : r;
        }
        /* ssh and systemd-stdio-bridge start lazily: fail here, naming the host, not at
         * the first call with a bare "Transport endpoint is not connected" */
        if (arg.host && !arg.address) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus.Peer", "Ping", &e, NULL, NULL);
                if (r < 0) {
                        fprintf(stderr, "virtbusctl: cannot reach the system bus of %s over ssh: %s\n"
                                "(ssh's own messages are above; the far side needs systemd-stdio-bridge)\n",
                                arg.host, e.message ?: strerror(-r));
                        sd_bus_error_free(&e);
                        return -EIO;
                }
        }
        if (isatty(STDIN_FILENO))
                (void) sd_bus_set_allow_interactive_authorization(bus, true);
        *ret = TAKE_PTR(bus);
        return 0;
}

static char *driver_path(sd_bus *bus) {
        static const struct { const char *key, *name; } map[] = {
                { "test", "Test" }, { "qemu", "QEMU" }, { "lxc", "LXC" },
        };
        const char *d = arg.driver;

        if (d && d[0] == '/')
                return vb_strdup(d);
        if (d) {
                size_t n = strcspn(d, ":");
                for (size_t i = 0; i < ELEMENTSOF(map); i++)
                        if (strlen(map[i].key) == n && strncasecmp(d, map[i].key, n) == 0)
                                return vb_strdupf("/org/libvirt/%s", map[i].name);
                return vb_strdupf("/org/libvirt/%.*s", (int) n, d);
        }
        /* the first driver the daemon serves, in order of preference */
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *s;
        if (sd_bus_call_method(bus, CTL_BUS, "/org/libvirt", "org.freedesktop.DBus.Introspectable",
                               "Introspect", NULL, &reply, NULL) >= 0 &&
            sd_bus_message_read(reply, "s", &s) >= 0)
                for (size_t i = 1; i <= ELEMENTSOF(map); i++) {
                        const char *name = map[i % ELEMENTSOF(map)].name;
                        char pat[64];
                        snprintf(pat, sizeof(pat), "<node name=\"%s\"", name);
                        if (strstr(s, pat))
                                return vb_strdupf("/org/libvirt/%s", name);
                }
        return vb_strdup("/org/libvirt/Test");
}

/* A polkit text agent for this process, started the way pkttyagent is meant to be:
 * it writes to / closes --notify-fd once registered; we wait for that. */
static void agent_open(void) {
        int p[2];
        if (!isatty(STDIN_FILENO) || geteuid() == 0 || arg.address || arg.host ||
            access(PKTTYAGENT, X_OK) < 0 || pipe2(p, O_CLOEXEC) < 0)
                return;
        agent_pid = fork();
        if (agent_pid == 0) {
                char fd[16];
                int n = fcntl(p[1], F_DUPFD, 3);  /* the copy is not close-on-exec */
                snprintf(fd, sizeof(fd), "%d", n);
                execl(PKTTYAGENT, "pkttyagent", "--notify-fd", fd, "--fallback", (char *) NULL);
                _exit(127);
        }
        close(p[1]);
        if (agent_pid > 0) {
                struct pollfd pfd = { .fd = p[0], .events = POLLIN };
                (void) poll(&pfd, 1, 10 * 1000);
        } else
                agent_pid = 0;
        close(p[0]);
}

static void agent_close(void) {
        if (agent_pid <= 0)
                return;
        kill(agent_pid, SIGTERM);
        (void) waitpid(agent_pid, NULL, 0);
        agent_pid = 0;
}

static int run(const CtlCommand *cmd, const CtlArgs *a) {
        Ctl c = { .tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) };
        int r = open_bus(&c.bus);
        if (r < 0)
                return r;
        agent_open();
        c.connect = driver_path(c.bus);
        r = cmd->run(&c, a);
        agent_close();
        free(c.connect);
        sd_bus_flush_close_unref(c.bus);
        return r;
}

int main(int argc, char **argv) {
        const CtlCommand *cmd;
        CtlArgs a;
        int r;

        r = parse_global(argc, argv);
        if (r <= 0)
                return ctl_exit_code(r);
        cmd = find_command(argv[optind]);
        if (!cmd) {
                fprintf(stderr, "virtbusctl: unknown command '%s' (see virtbusctl --help)\n", argv[optind]);
                return CTL_EXIT_USAGE;
        }
        r = parse_command_args(cmd, argc - optind, argv + optind, &a);
        if (r != 0)
                return r > 0 ? CTL_EXIT_OK : ctl_exit_code(r);
        return ctl_exit_code(run(cmd, &a));
}
