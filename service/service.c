/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The service: event loop, bus connection, name ownership, driver trees. */
#include <signal.h>
#include <stdio.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "bus-object.h"
#include "log.h"
#include "polkit.h"
#include "service.h"

#define MAX_DRIVERS 8

typedef struct Service {
        sd_event *event;
        sd_bus *bus;
        VbConnect *conns[MAX_DRIVERS];
        VbBusConnect *bconns[MAX_DRIVERS];
        size_t n_conns;
        int exit_code;
} Service;

/* sd-bus's event source handles one message per loop iteration, and every iteration
 * costs an epoll_wait and sd_event_prepare's system calls. With many calls in flight,
 * drain what is already queued once the iteration is done (a post source runs after
 * any other dispatch), up to a bound so timers and child exits still get their turn.
 * When nothing is queued this costs one recvmsg that finds nothing. */
#define BUS_DRAIN_MAX 32

static int on_post_drain(sd_event_source *source, void *userdata) {
        sd_bus *bus = userdata;
        for (unsigned i = 0; i < BUS_DRAIN_MAX; i++)
                if (sd_bus_process(bus, NULL) <= 0)
                        break;
        return 0;
}

static int on_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Service *s = userdata;
        vb_log_error(-ECONNRESET, "disconnected from D-Bus, exiting");
        s->exit_code = 1;
        return sd_event_exit(s->event, 1);
}

static int on_name_lost(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Service *s = userdata;
        const char *name;
        if (sd_bus_message_read(m, "s", &name) >= 0 && streq(name, VB_BUS_NAME)) {
                vb_log_error(-ECONNRESET, "lost the name %s, exiting", VB_BUS_NAME);
                s->exit_code = 1;
                return sd_event_exit(s->event, 1);
        }
        return 0;
}

static int open_bus(const VbServiceConfig *cfg, sd_bus **ret) {
        sd_bus *bus = NULL;
        int r;

        switch (cfg->bus_kind) {
        case VB_BUS_SYSTEM:
                r = sd_bus_open_system_with_description(&bus, "virtbusd");
                break;
        case VB_BUS_SESSION:
                r = sd_bus_open_user_with_description(&bus, "virtbusd");
                break;
        default:
                r = sd_bus_new(&bus);
                if (r < 0)
                        break;
                r = sd_bus_set_address(bus, cfg->bus_address);
                if (r >= 0)
                        r = sd_bus_set_bus_client(bus, 1);
                if (r >= 0)
                        r = sd_bus_set_trusted(bus, 0);
                if (r >= 0)
                        r = sd_bus_start(bus);
                if (r < 0)
                        bus = sd_bus_unref(bus);
        }
        if (r < 0)
                return vb_log_error(r, "cannot connect to the bus: %s", strerror(-r));
        *ret = bus;
        return 0;
}

static int open_drivers(Service *s, const VbServiceConfig *cfg, const char *root) {
        _cleanup_free_ char *list = vb_strdup(cfg->drivers);
        char *save = NULL;

        for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
                _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
                _cleanup_free_ char *droot = NULL;
                const VbDriver *drv = vb_driver_find(name);
                int r;

                if (!drv)
                        return vb_log_error(-EINVAL, "unknown driver '%s'", name);
                if (s->n_conns == MAX_DRIVERS)
                        return vb_log_error(-E2BIG, "too many drivers");
                droot = vb_strdupf("%s/%s", root, drv->name);
                r = vb_connect_open(drv, droot, &s->conns[s->n_conns], &e);
                if (r < 0)
                        return vb_log_error(r, "cannot open driver %s: %s", drv->name, strempty(e.message));
                r = vb_bus_connect_register(s->bus, s->conns[s->n_conns], &s->bconns[s->n_conns]);
                s->n_conns++;
                if (r < 0)
                        return vb_log_error(r, "cannot register driver %s: %s", drv->name, strerror(-r));
                vb_log_debug("serving /org/libvirt/%s", drv->name);
        }
        return 0;
}

static char *default_root(const VbServiceConfig *cfg) {
        const char *x;
        if (cfg->root)
                return vb_strdup(cfg->root);
        if (cfg->bus_kind == VB_BUS_SYSTEM)
                return vb_strdup("/var/lib/virtbus");
        x = getenv("XDG_STATE_HOME");
        if (x && *x)
                return vb_strdupf("%s/virtbus", x);
        x = getenv("HOME");
        return vb_strdupf("%s/.local/state/virtbus", x && *x ? x : "/tmp");
}

static int setup(Service *s, const VbServiceConfig *cfg) {
        _cleanup_free_ char *root = default_root(cfg);
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        /* a client closing its end of a volume download must fail the job (EPIPE), not
         * kill the daemon; children get default dispositions back (qemu-process.c) */
        signal(SIGPIPE, SIG_IGN);
        r = sd_event_default(&s->event);
        if (r < 0)
                return vb_log_error(r, "cannot create event loop: %s", strerror(-r));
        r = sd_event_add_signal(s->event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(s->event, NULL, SIGINT, NULL, NULL);
        if (r < 0)
                return vb_log_error(r, "cannot watch signals: %s", strerror(-r));
        r = open_bus(cfg, &s->bus);
        if (r < 0)
                return r;
        r = sd_bus_attach_event(s->bus, s->event, 0);
        if (r >= 0)
                r = sd_event_add_post(s->event, NULL, on_post_drain, s->bus);
        if (r < 0)
                return vb_log_error(r, "cannot attach bus: %s", strerror(-r));
        r = sd_bus_match_signal(s->bus, NULL, "org.freedesktop.DBus.Local", NULL,
                                "org.freedesktop.DBus.Local", "Disconnected", on_disconnected, s);
        if (r >= 0)
                r = sd_bus_match_signal(s->bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "NameLost", on_name_lost, s);
        if (r < 0)
                return vb_log_error(r, "cannot add matches: %s", strerror(-r));
        r = vb_polkit_setup(s->bus, s->event);
        if (r < 0)
                return vb_log_error(r, "cannot set up polkit: %s", strerror(-r));
        if (cfg->bus_kind != VB_BUS_SYSTEM)
                vb_polkit_set_trusted_uid(geteuid());
        r = vb_objects_setup(s->bus);
        if (r < 0)
                return vb_log_error(r, "cannot set up objects: %s", strerror(-r));
        r = open_drivers(s, cfg, root);
        if (r < 0)
                return r;
        r = sd_bus_request_name(s->bus, VB_BUS_NAME, 0);
        if (r == -EEXIST || r == -EALREADY)
                return vb_log_error(r, "the name %s is already taken on this bus (another virtbusd or libvirt-dbus?)",
                                    VB_BUS_NAME);
        if (r < 0)
                return vb_log_error(r, "cannot own %s: %s", VB_BUS_NAME, strerror(-r));
        return 0;
}

static void teardown(Service *s) {
        vb_polkit_shutdown();
        for (size_t i = 0; i < s->n_conns; i++) {
                vb_bus_connect_free(s->bconns[i]);
                vb_connect_close(s->conns[i]);
        }
        if (s->bus) {
                sd_bus_flush(s->bus);
                sd_bus_flush_close_unref(s->bus);
        }
        sd_event_unref(s->event);
}

int vb_service_run(const VbServiceConfig *cfg) {
        Service s = { 0 };
        int r;

        vb_log_set_verbose(cfg->verbose);
        r = setup(&s, cfg);
        if (r >= 0) {
                vb_log_debug("ready");
                r = sd_event_loop(s.event);
                if (r >= 0 && s.exit_code)
                        r = -ECONNRESET;
        }
        teardown(&s);
        return r < 0 ? r : 0;
}
