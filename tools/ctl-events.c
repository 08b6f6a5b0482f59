/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtbusctl: `events` (signals as they arrive), `await DOMAIN STATE`, and calls
 * that show the progress of an org.virtbus.Job1 while they run. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "ctl.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
        interrupted = sig;
}

static void catch_signals(void) {
        struct sigaction sa = { .sa_handler = on_signal };   /* no SA_RESTART: wake poll */
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static uint64_t deadline_of(double timeout) {
        return timeout < 0 ? UINT64_MAX : now_usec() + (uint64_t) llround(timeout * 1e6);
}

/* Process messages until *done, a signal, or the deadline. 0, -ETIMEDOUT, -EINTR. */
static int run_loop(sd_bus *bus, const bool *done, uint64_t deadline) {
        while (!*done) {
                int r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                if (interrupted)
                        return -EINTR;
                uint64_t now = now_usec();
                if (now >= deadline)
                        return -ETIMEDOUT;
                r = sd_bus_wait(bus, deadline == UINT64_MAX ? UINT64_MAX : deadline - now);
                if (r < 0 && r != -EINTR)
                        return r;
        }
        return 0;
}

static const char *event_name(const char *member, int event) {
        static const char *const domain[] = { "Defined", "Undefined", "Started", "Suspended",
                "Resumed", "Stopped", "Shutdown", "PMSuspended", "Crashed" };
        static const char *const network[] = { "Defined", "Undefined", "Started", "Stopped" };
        static const char *const pool[] = { "Defined", "Undefined", "Started", "Stopped", "Created",
                "Deleted" };
        static const char *const nodedev[] = { "Created", "Deleted", "Defined", "Undefined" };
        static const char *const secret[] = { "Defined", "Undefined" };
#define PICK(t) (event >= 0 && event < (int) ELEMENTSOF(t) ? t[event] : "Unknown")
        if (streq(member, "DomainEvent"))
                return PICK(domain);
        if (streq(member, "NetworkEvent"))
                return PICK(network);
        if (streq(member, "StoragePoolEvent"))
                return PICK(pool);
        if (streq(member, "NodeDeviceEvent"))
                return PICK(nodedev);
        return PICK(secret);
#undef PICK
}

static const char *domain_detail(int event, int detail) {
        static const char *const details[][9] = {
                { "Added", "Updated", "Renamed", "FromSnapshot" },
                { "Removed", "Renamed" },
                { "Booted", "Migrated", "Restored", "FromSnapshot", "Wakeup" },
                { "Paused", "Migrated", "IOError", "Watchdog", "Restored", "FromSnapshot", "APIError",
                  "PostCopy", "PostCopyFailed" },
                { "Unpaused", "Migrated", "FromSnapshot", "PostCopy" },
                { "Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed", "FromSnapshot" },
                { "Finished", "Guest", "Host" },
                { "Memory", "Disk" },
                { "Panicked", "CrashLoaded" },
        };
        if (event < 0 || event >= (int) ELEMENTSOF(details) || detail < 0 || detail >= 9 ||
            !details[event][detail])
                return "Unknown";
        return details[event][detail];
}

static void print_lifecycle(Ctl *c, sd_bus_message *m, const char *member) {
        const char *path;
        int event = 0, detail = 0;
        bool with_detail = !streq(member, "NetworkEvent");
        int r = with_detail ? sd_bus_message_read(m, "oii", &path, &event, &detail)
                            : sd_bus_message_read(m, "oi", &path, &event);
        if (r < 0)
                return;
        printf("%s %s event=%s", member, path, event_name(member, event));
        if (streq(member, "DomainEvent")) {
                _cleanup_free_ char *name = NULL;
                sd_bus_error e = SD_BUS_ERROR_NULL;
                printf(" detail=%s", domain_detail(event, detail));
                if (sd_bus_get_property_string(c->bus, CTL_BUS, path, CTL_DOMAIN, "Name", &e, &name) >= 0)
                        printf(" domain=%s", name);
                sd_bus_error_free(&e);
        } else if (with_detail)
                printf(" detail=%d", detail);
        putchar('\n');
}

static void print_properties(sd_bus_message *m) {
        const char *iface, *prop;
        if (sd_bus_message_read(m, "s", &iface) < 0 ||
            sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
                return;
        printf("PropertiesChanged %s interface=%s", sd_bus_message_get_path(m), iface);
        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                if (sd_bus_message_read(m, "s", &prop) < 0)
                        break;
                printf(" %s=", prop);
                if (ctl_print_value(m, NULL) < 0 || sd_bus_message_exit_container(m) < 0)
                        break;
        }
        putchar('\n');
}

static void print_other(sd_bus_message *m) {
        printf("%s.%s %s", sd_bus_message_get_interface(m), sd_bus_message_get_member(m),
               sd_bus_message_get_path(m));
        while (sd_bus_message_at_end(m, false) == 0)
                if (ctl_print_value(m, " ") < 0)
                        break;
        putchar('\n');
}

typedef struct EventsState {
        Ctl *c;
        bool loop, done;
        unsigned count;
} EventsState;

static int on_event(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        EventsState *s = userdata;
        const char *member = sd_bus_message_get_member(m);

        if (streq(member, "NameAcquired") || streq(member, "NameLost"))
                return 0;
        if (sd_bus_message_has_signature(m, "oii") || sd_bus_message_has_signature(m, "oi"))
                print_lifecycle(s->c, m, member);
        else if (streq(member, "PropertiesChanged"))
                print_properties(m);
        else
                print_other(m);
        fflush(stdout);
        s->count++;
        s->done = !s->loop;
        return 0;
}

static int cmd_events(Ctl *c, const CtlArgs *a) {
        EventsState s = { .c = c, .loop = a->loop };
        int r = sd_bus_add_match(c->bus, NULL, "type='signal',sender='" CTL_BUS "'", on_event, &s);
        if (r < 0) {
                fprintf(stderr, "virtbusctl: cannot subscribe to signals: %s\n", strerror(-r));
                return r;
        }
        catch_signals();
        r = run_loop(c->bus, &s.done, deadline_of(a->timeout));
        if (r == -EINTR || (r == -ETIMEDOUT && (s.loop || s.count > 0)))
                return 0;
        if (r == -ETIMEDOUT)
                fprintf(stderr, "virtbusctl: no event within %g s\n", a->timeout);
        return r;
}

typedef struct AwaitState {
        const char *path;
        bool changed;
} AwaitState;

static int on_await(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        AwaitState *s = userdata;
        const char *p;
        if (streq_ptr(sd_bus_message_get_path(m), s->path))
                s->changed = true;
        else if (streq_ptr(sd_bus_message_get_member(m), "DomainEvent") &&
                 sd_bus_message_read(m, "o", &p) >= 0 && streq(p, s->path))
                s->changed = true;
        return 0;
}

static int state_reached(Ctl *c, const char *path, int want, bool *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int state = 0, reason = 0;
        int r = sd_bus_call_method(c->bus, CTL_BUS, path, CTL_DOMAIN, "GetState", &e, &reply, "u", 0u);
        if (r >= 0)
                r = sd_bus_message_read(reply, "(ii)", &state, &reason);
        else if (ctl_error_to_errno(&e) == -ENOENT && want == 5) {
                state = 5;              /* a transient domain that stopped is gone */
                r = 0;
        } else
                r = ctl_report(&e, "GetState");
        sd_bus_error_free(&e);
        *ret = r >= 0 && state == want;
        return r < 0 ? r : 0;
}

static int parse_state(const char *s) {
        for (int i = 0; i < 8; i++)
                if (streq(s, ctl_domain_state_name(i)))
                        return i;
        if (streq(s, "shut-off") || streq(s, "stopped"))
                return 5;
        return -EINVAL;
}

static int cmd_await(Ctl *c, const CtlArgs *a) {
        _cleanup_free_ char *path = NULL;
        AwaitState s = {};
        uint64_t deadline = deadline_of(a->timeout);
        bool reached = false;
        int want = parse_state(a->pos[1]), r;

        if (want < 0) {
                fprintf(stderr, "virtbusctl await: unknown state '%s' (running, paused, shutoff, ...)\n",
                        a->pos[1]);
                return -EINVAL;
        }
        r = ctl_domain_path(c, a->pos[0], &path);
        if (r < 0)
                return r;
        s.path = path;
        /* subscribe first, then look: no change can slip in between */
        r = sd_bus_add_match(c->bus, NULL, "type='signal',sender='" CTL_BUS "'", on_await, &s);
        if (r >= 0)
                r = state_reached(c, path, want, &reached);
        catch_signals();
        while (r >= 0 && !reached) {
                s.changed = false;
                r = run_loop(c->bus, &s.changed, deadline);
                if (r >= 0)
                        r = state_reached(c, path, want, &reached);
        }
        if (r == -ETIMEDOUT)
                fprintf(stderr, "virtbusctl: timed out waiting for domain '%s' to be %s\n",
                        a->pos[0], a->pos[1]);
        return r;
}

/* ---- progress of org.virtbus.Job1 objects during a long call ------------ */

typedef struct ProgressState {
        Ctl *c;
        const char *target;     /* path of the object the call works on */
        char *job;              /* our job, once seen */
        sd_bus_message *reply;
        bool done;
        int last;               /* last percentage shown */
        bool ok;                /* ctl_call_job: Finished(success, error) */
        char *error;
} ProgressState;

static void show_progress(ProgressState *s, double p) {
        int pct = (int) (p * 100 + 0.5);
        if (pct == s->last || pct < 0 || pct > 100)
                return;
        if (s->c->tty) {
                char bar[41];
                memset(bar, ' ', 40);
                memset(bar, '#', (size_t) pct * 40 / 100);
                bar[40] = 0;
                fprintf(stderr, "\r[%s] %3d%%", bar, pct);
        } else if (pct / 10 != s->last / 10 || pct == 100)
                fprintf(stderr, "progress: %d%%\n", pct);
        s->last = pct;
}

static bool job_is_ours(ProgressState *s, const char *job) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        const char *object = NULL;
        if (s->job)
                return streq(s->job, job);
        /* reads the Object property (type o) of the job; in the same loop the reply is queued */
        if (sd_bus_get_property(s->c->bus, CTL_BUS, job, CTL_JOB, "Object", &e, &reply, "o") < 0 ||
            sd_bus_message_read(reply, "o", &object) < 0)
                object = NULL;
        sd_bus_error_free(&e);
        if (!object || strncmp(object, s->target, strlen(s->target)) != 0)
                return false;
        s->job = vb_strdup(job);
        return true;
}

static int on_job_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        ProgressState *s = userdata;
        const char *iface, *prop;
        double p;

        if (sd_bus_message_read(m, "s", &iface) < 0 || !streq(iface, CTL_JOB) ||
            !job_is_ours(s, sd_bus_message_get_path(m)) ||
            sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
                return 0;
        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                if (sd_bus_message_read(m, "s", &prop) < 0)
                        break;
                if (streq(prop, "Progress") && sd_bus_message_read(m, "v", "d", &p) >= 0)
                        show_progress(s, p);
                else if (sd_bus_message_skip(m, "v") < 0)
                        break;
                if (sd_bus_message_exit_container(m) < 0)
                        break;
        }
        return 0;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        ProgressState *s = userdata;
        s->reply = sd_bus_message_ref(m);
        s->done = true;
        return 0;
}

/* Ctrl-C: ask our job to stop and keep waiting for the call's (error) reply. */
static int cancel_job(ProgressState *s) {
        interrupted = 0;
        if (!s->job) {
                fprintf(stderr, "\nvirtbusctl: interrupted\n");
                return -ECANCELED;
        }
        fprintf(stderr, "\nvirtbusctl: cancelling %s\n", s->job);
        return ctl_call(s->c, s->job, CTL_JOB, "Cancel", NULL, "");
}

int ctl_call_with_progress(Ctl *c, sd_bus_message *m, sd_bus_message **reply) {
        /* a copy: the path lives in @m, whose buffers sd-bus reallocates when sending */
        _cleanup_free_ char *target = vb_strdup(sd_bus_message_get_path(m));
        ProgressState s = { .c = c, .target = target, .last = -1 };
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *match = NULL, *call = NULL;
        const sd_bus_error *e;
        int r = sd_bus_add_match(c->bus, &match, "type='signal',sender='" CTL_BUS "',"
                                 "interface='" CTL_PROPS "',member='PropertiesChanged',"
                                 "arg0='" CTL_JOB "'", on_job_changed, &s);
        if (r >= 0)
                r = sd_bus_call_async(c->bus, &call, m, on_reply, &s, 24ULL * 3600 * 1000000);
        if (r < 0)
                return r;
        catch_signals();
        while ((r = run_loop(c->bus, &s.done, UINT64_MAX)) == -EINTR)
                if ((r = cancel_job(&s)) < 0)
                        break;
        /* the job's last PropertiesChanged (Progress 1) may come after the reply */
        if (r >= 0 && s.last >= 0 && !sd_bus_message_is_method_error(s.reply, NULL))
                show_progress(&s, 1.0);
        if (s.last >= 0 && c->tty)
                fputc('\n', stderr);
        free(s.job);
        if (r < 0) {
                sd_bus_message_unref(s.reply);
                return r;
        }
        e = sd_bus_message_get_error(s.reply);
        if (e) {
                r = ctl_report(e, sd_bus_message_get_member(m));
                sd_bus_message_unref(s.reply);
                return r;
        }
        *reply = s.reply;
        return 0;
}

static int on_job_finished(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        ProgressState *s = userdata;
        const char *text;
        int ok;

        if (!s->job || !streq(sd_bus_message_get_path(m), s->job) || sd_bus_message_read(m, "bs", &ok, &text) < 0)
                return 0;
        s->ok = ok;
        s->error = vb_strdup(text);
        s->done = true;
        return 0;
}

/* A call that replies with the path of an org.virtbus.Job1 at once (StorageVol1.Upload
 * and Download): the same display as ctl_call_with_progress until the job's Finished.
 * The matches are in place before the call, so no signal of the job is missed. */
int ctl_call_job(Ctl *c, sd_bus_message *m) {
        _cleanup_free_ char *target = vb_strdup(sd_bus_message_get_path(m));
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *changed = NULL, *finished = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        ProgressState s = { .c = c, .target = target, .last = -1 };
        const char *job;
        int r = sd_bus_add_match(c->bus, &changed, "type='signal',sender='" CTL_BUS "',"
                                 "interface='" CTL_PROPS "',member='PropertiesChanged',"
                                 "arg0='" CTL_JOB "'", on_job_changed, &s);
        if (r >= 0)
                r = sd_bus_add_match(c->bus, &finished, "type='signal',sender='" CTL_BUS "',"
                                     "interface='" CTL_JOB "',member='Finished'", on_job_finished, &s);
        if (r >= 0)
                r = ctl_call_message(c, m, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &job);
        if (r < 0)
                return r;
        s.job = vb_strdup(job);
        catch_signals();
        while ((r = run_loop(c->bus, &s.done, UINT64_MAX)) == -EINTR)
                if ((r = cancel_job(&s)) < 0)
                        break;
        if (r >= 0 && s.ok)
                show_progress(&s, 1.0);
        if (s.last >= 0 && c->tty)
                fputc('\n', stderr);
        if (r >= 0 && !s.ok) {
                sd_bus_error e = SD_BUS_ERROR_MAKE_CONST("org.libvirt.Error", s.error);
                r = ctl_report(&e, sd_bus_message_get_member(m));
        }
        free(s.job);
        free(s.error);
        return r;
}

const CtlCommand ctl_event_commands[] = {
        { "events", cmd_events, 0, 0, " --loop --timeout=", "[--loop] [--timeout SEC]",
          "Print the daemon's signals as they arrive (DomainEvent, NetworkEvent, StoragePoolEvent,\n"
          "NodeDeviceEvent, SecretEvent, PropertiesChanged, per-object signals), one per line.\n"
          "  --loop         keep printing (default: exit after the first event)\n"
          "  --timeout SEC  stop after SEC seconds (without --loop and no event: exit status 6)" },
        { "await", cmd_await, 2, 2, " --timeout=", "DOMAIN STATE [--timeout SEC]",
          "Wait until a domain is in STATE (running, paused, shutoff, ...), watching its signals.\n"
          "  --timeout SEC  give up after SEC seconds (exit status 6)" },
        {}
};
