/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The life of a running QEMU domain: start (spawn → QMP ready → ptys → cont), the
 * state change lock, QMP events → state and lifecycle events, monitor EOF, process
 * exit → shut off, and reattaching to a process a previous daemon started. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "qemu-command.h"
#include "qemu-driver.h"
#include "qemu-status.h"
#include "qemu-tap.h"
#include "xml-util.h"

#define REATTACH_MONITOR_TIMEOUT_USEC (5ULL * 1000000ULL)
#define LOG_TAIL_MAX 1024

static void on_proc_exit(VbQemuProc *p, const siginfo_t *si, void *userdata);
static void on_monitor(VbQemuProc *p, int r, int fd, void *userdata);

static VbQemuDom *dom_priv(VbDomainObj *d) {
        return d->priv;
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

void vb_qemu_set_state(VbDomainObj *d, VbDomainState state, int reason, int event, int detail) {
        bool changed = d->state != state;

        d->state = state;
        d->reason = reason;
        /* persisted before it is announced: a client reacting to the event (even with
         * kill -9) finds the new state after a restart */
        if (dom_priv(d)->proc)
                vb_qemu_save_status(d);
        if (changed && event >= 0)
                vb_event_domain(d, event, detail);
        else
                vb_event_obj(d->conn, VB_EVENT_OBJECT_CHANGED, VB_KIND_DOMAIN, d, 0, 0);
}

/* ---- the state change lock ---- */

int vb_qemu_job_busy(VbDomainObj *d, VbError *e) {
        VbQemuDom *q = dom_priv(d);
        const char *holder = q->job ? q->job : q->destroying ? "virDomainDestroyFlags" : NULL;

        if (holder)
                return vb_error_set(e, VB_ERR_RESOURCE_BUSY,
                                    "cannot acquire state change lock (held by %s)", holder);
        return 0;
}

int vb_qemu_job_begin(VbDomainObj *d, const char *api, VbOp *op, VbError *e) {
        VbQemuDom *q = dom_priv(d);
        int r = vb_qemu_job_busy(d, e);

        if (r < 0)
                return r;
        q->job = api;
        q->job_op = op;
        q->job_since = now_usec();
        return 0;
}

uint64_t vb_qemu_job_age_msec(VbDomainObj *d) {
        VbQemuDom *q = dom_priv(d);
        uint64_t since = q->destroying && !q->job ? q->destroy_since : q->job_since;
        return (now_usec() - since) / 1000;
}

void vb_qemu_job_abort(VbDomainObj *d) {
        VbQemuDom *q = dom_priv(d);
        q->job = NULL;
        q->job_op = NULL;
}

void vb_qemu_job_end(VbDomainObj *d, int r, const VbError *e) {
        VbQemuDom *q = dom_priv(d);
        VbOp *op = TAKE_PTR(q->job_op);

        q->job = NULL;
        if (op)
                op->done(op, r, e);
}

typedef struct JobQmp {
        VbDomainObj *dom;
        char *cmd;
        void (*then)(VbDomainObj *d);
} JobQmp;

static void job_qmp_reply(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc,
                          void *userdata) {
        JobQmp *j = userdata;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainObj *d = j->dom;

        if (r == -ECANCELED)
                ;       /* we dropped the monitor: whoever did so ends the job */
        else if (r < 0) {
                if (desc)
                        vb_error_set(&e, VB_ERR_OPERATION_FAILED, "QEMU refused %s: %s", j->cmd, desc);
                else
                        vb_error_set(&e, VB_ERR_OPERATION_FAILED, "%s failed: %s", j->cmd, strerror(-r));
                vb_qemu_job_end(d, r, &e);
        } else {
                if (j->then)
                        j->then(d);
                vb_qemu_job_end(d, 0, NULL);
        }
        free(j->cmd);
        free(j);
}

int vb_qemu_job_qmp(VbDomainObj *d, const char *cmd, json_object *args,
                    void (*then)(VbDomainObj *d), VbError *e) {
        VbQemuDom *q = dom_priv(d);
        JobQmp *j;
        int r;

        if (!q->qmp) {
                json_object_put(args);
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "QEMU monitor is not connected");
        }
        j = calloc(1, sizeof(*j));
        if (!j) {
                json_object_put(args);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        *j = (JobQmp) { .dom = d, .cmd = vb_strdup(cmd), .then = then };
        r = vb_qmp_command(q->qmp, cmd, args, NULL, 0, job_qmp_reply, j);
        if (r < 0) {
                free(j->cmd);
                free(j);
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot send %s to QEMU: %s", cmd,
                                    strerror(-r));
        }
        return 0;
}

/* ---- status file ---- */

void vb_qemu_save_status(VbDomainObj *d) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *xml = NULL;
        VbQemuDom *q = dom_priv(d);
        VbQemuStatus s;

        if (!q->proc)
                return;
        xml = vb_domain_def_format(d->def, d->id, VB_DOMAIN_XML_SECURE);
        s = (VbQemuStatus) {
                .name = d->def->name, .pid = vb_qemu_proc_pid(q->proc),
                .start_time = vb_qemu_proc_start_time(q->proc), .monitor = q->monitor,
                .run_dir = q->run_dir, .id = d->id, .state = (int) d->state, .reason = d->reason,
                .starting = q->starting, .got_shutdown = q->got_shutdown, .xml = xml,
        };
        if (!xml || vb_qemu_status_write(q->drv->run_dir, &s, &e) < 0)
                vb_qemu_log("cannot save the status of domain '%s': %s", d->def->name,
                            xml ? strempty(e.message) : "out of memory");
}

/* ---- start ---- */

static int open_log(VbQemuDriver *drv, const VbDomainDef *def, char *const *argv, off_t *ret_off) {
        _cleanup_free_ char *path = vb_strdupf("%s/%s.log", drv->log_dir, def->name);
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
        char stamp[64];
        time_t now = time(NULL);
        struct tm tm;
        FILE *f;

        if (fd < 0)
                return -errno;
        *ret_off = lseek(fd, 0, SEEK_END);
        strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", gmtime_r(&now, &tm));
        f = fdopen(dup(fd), "a");
        if (f) {
                fprintf(f, "%s: starting up\n", stamp);
                for (size_t i = 0; argv[i]; i++)
                        fprintf(f, "%s%s", argv[i], argv[i + 1] ? " \\\n" : "\n");
                fclose(f);
                *ret_off = lseek(fd, 0, SEEK_END);
        }
        return fd;
}

/* The end of what QEMU wrote since @off, for start errors (libvirt quotes it too). */
static char *log_tail(VbQemuDriver *drv, const char *name, off_t off) {
        _cleanup_free_ char *path = vb_strdupf("%s/%s.log", drv->log_dir, name);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        char buf[LOG_TAIL_MAX + 1];
        off_t end;
        ssize_t n;

        if (fd < 0)
                return NULL;
        end = lseek(fd, 0, SEEK_END);
        if (end - off > LOG_TAIL_MAX)
                off = end - LOG_TAIL_MAX;
        n = pread(fd, buf, LOG_TAIL_MAX, off);
        if (n <= 0)
                return NULL;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
                n--;
        buf[n] = 0;
        return n > 0 ? vb_strdup(buf) : NULL;
}

static int prepare_run_dir(VbQemuDom *q, int id, VbError *e) {
        int r;

        free(q->run_dir);
        free(q->monitor);
        q->run_dir = vb_strdupf("%s/dom-%d", q->drv->run_dir, id);
        q->monitor = vb_strdupf("%s/qmp.sock", q->run_dir);
        /* leftovers of a dead instance with the same id */
        (void) vb_qemu_rm_dir_flat(q->run_dir);
        if (mkdir(q->run_dir, 0700) < 0) {
                r = -errno;
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot create %s: %s", q->run_dir,
                                    strerror(-r));
        }
        return 0;
}

static void clear_run_dir(VbQemuDom *q) {
        if (q->run_dir)
                (void) vb_qemu_rm_dir_flat(q->run_dir);
        q->run_dir = mfree(q->run_dir);
        q->monitor = mfree(q->monitor);
}

static int spawn(VbDomainObj *d, int id, VbError *e) {
        _cleanup_(vb_qemu_taps_done) VbQemuTaps taps = { 0 };
        VbQemuDom *q = dom_priv(d);
        int tap_fds[VB_QEMU_PROC_MAX_FDS], pass[VB_QEMU_PROC_MAX_FDS];
        char **argv = NULL;
        off_t off = 0;
        int log_fd, r;

        if (d->def->n_nets > VB_QEMU_PROC_MAX_FDS)
                return vb_error_set(e, VB_ERR_LIMIT, "more than %d interfaces", VB_QEMU_PROC_MAX_FDS);
        r = prepare_run_dir(q, id, e);
        if (r < 0)
                return r;
        /* taps right before the spawn; ours close when we return, QEMU keeps them */
        r = vb_qemu_taps_open(d->conn, d->def, &taps, e);
        if (r < 0)
                return r;
        for (size_t i = 0; i < taps.n; i++) {
                tap_fds[i] = VB_QEMU_PROC_FIRST_FD + (int) i;   /* the numbers QEMU sees */
                pass[i] = taps.taps[i].fd;
        }
        r = vb_qemu_build_argv(d->def, &(VbQemuCmdOpts) {
                        .qmp_socket_path = q->monitor, .runtime_dir = q->run_dir,
                        .kvm_available = q->drv->kvm_available, .start_paused = true,
                        .tap_fds = tap_fds, .n_tap_fds = taps.n,
                }, &argv, e);
        if (r >= 0 && q->incoming)
                r = vb_qemu_argv_add_incoming(&argv);
        if (r < 0) {
                vb_strv_free(argv);
                return r == -ENOMEM ? vb_error_set(e, VB_ERR_NO_MEMORY, NULL) : r;
        }
        log_fd = open_log(q->drv, d->def, argv, &off);
        if (log_fd < 0) {
                vb_strv_free(argv);
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot open the log of domain '%s': %s",
                                    d->def->name, strerror(-log_fd));
        }
        r = vb_qemu_proc_spawn_fds(q->drv->event, argv, log_fd, pass, taps.n, on_proc_exit, d, &q->proc, e);
        close(log_fd);
        vb_strv_free(argv);
        q->log_offset = off;
        if (r >= 0)
                vb_qemu_taps_apply(d->def, &taps);
        return r;
}

int vb_qemu_start(VbDomainObj *d, bool paused, int detail, const char *api, VbOp *op, VbError *e) {
        VbQemuDom *q = dom_priv(d);
        VbConnect *c = d->conn;
        bool copied = false;
        int r;

        r = vb_qemu_job_begin(d, api, op, e);
        if (r < 0)
                return r;
        if (d->persistent && !d->newdef) {
                /* the live definition gets runtime details; the config stays as it is */
                d->newdef = vb_domain_def_copy(d->def);
                copied = true;
        }
        r = d->persistent && !d->newdef ? vb_error_set(e, VB_ERR_NO_MEMORY, NULL) : spawn(d, c->next_id, e);
        if (r < 0) {
                vb_qemu_job_abort(d);
                if (copied)
                        d->newdef = vb_domain_def_free(d->newdef);
                clear_run_dir(q);
                return r;
        }
        d->id = c->next_id++;
        q->starting = true;
        q->start_paused = paused;
        q->start_detail = detail;
        q->got_shutdown = q->destroying = false;
        q->fake_reboot = VB_QEMU_FAKE_REBOOT_NONE;
        q->start_error = mfree(q->start_error);
        d->state = VB_DOMAIN_PAUSED;
        d->reason = VB_PAUSED_STARTING_UP;
        vb_qemu_save_status(d);
        r = vb_qemu_proc_connect_monitor(q->proc, q->monitor, VB_QEMU_MONITOR_TIMEOUT_USEC, on_monitor, d);
        if (r < 0) {
                q->start_error = vb_strdupf("cannot watch the QEMU monitor: %s", strerror(-r));
                (void) vb_qemu_proc_kill(q->proc, VB_QEMU_KILL_GRACE_USEC);
        }
        vb_event_obj(c, VB_EVENT_OBJECT_CHANGED, VB_KIND_DOMAIN, d, 0, 0);
        return 1;
}

void vb_qemu_start_failed(VbDomainObj *d, char *why) {
        VbQemuDom *q = dom_priv(d);

        if (!q->start_error)
                q->start_error = why;
        else
                free(why);
        if (q->proc)
                (void) vb_qemu_proc_kill(q->proc, VB_QEMU_KILL_GRACE_USEC);
}

void vb_qemu_startup_done(VbDomainObj *d) {
        VbQemuDom *q = dom_priv(d);
        bool snap = q->start_detail == VB_EV_STARTED_FROM_SNAPSHOT;

        q->starting = false;
        q->start_hook = NULL;
        if (q->start_paused) {
                d->state = VB_DOMAIN_PAUSED;
                d->reason = snap ? VB_PAUSED_FROM_SNAPSHOT : VB_PAUSED_USER;
        } else {
                d->state = VB_DOMAIN_RUNNING;
                d->reason = q->start_detail == VB_EV_STARTED_RESTORED ? VB_RUNNING_RESTORED :
                            snap ? VB_RUNNING_FROM_SNAPSHOT : VB_RUNNING_BOOTED;
        }
        vb_qemu_save_status(d);
        vb_event_domain(d, VB_EV_STARTED, q->start_detail);
        if (q->start_paused)
                vb_event_domain(d, VB_EV_SUSPENDED, snap ? VB_EV_SUSPENDED_FROM_SNAPSHOT : VB_EV_SUSPENDED_PAUSED);
        vb_qemu_job_end(d, 0, NULL);
}

static void on_start_cont(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc,
                          void *userdata) {
        VbDomainObj *d = userdata;

        if (r == -ECANCELED)
                return;
        if (r < 0) {
                vb_qemu_start_failed(d, vb_strdupf("cannot start the guest CPUs: %s", desc ? desc : strerror(-r)));
                return;
        }
        vb_qemu_startup_done(d);
}

static void on_start_chardevs(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc,
                              void *userdata) {
        VbDomainObj *d = userdata;
        VbQemuDom *q = dom_priv(d);

        if (r == -ECANCELED)
                return;
        if (r == -ECONNRESET) {
                vb_qemu_start_failed(d, vb_strdup("QEMU closed its monitor during startup"));
                return;
        }
        if (r >= 0)
                vb_qemu_apply_ptys(d->def, ret);
        if (q->start_hook) {
                q->start_hook(d);
                return;
        }
        if (q->start_paused) {
                vb_qemu_startup_done(d);
                return;
        }
        r = vb_qmp_cont(q->qmp, on_start_cont, d);
        if (r < 0)
                vb_qemu_start_failed(d, vb_strdupf("cannot start the guest CPUs: %s", strerror(-r)));
}

/* ---- the monitor ---- */

static void on_reattach_status(VbQmp *qmp, int r, bool running, const char *status, void *userdata) {
        VbDomainObj *d = userdata;
        VbQemuDom *q = dom_priv(d);

        if (r < 0)
                return;         /* a lost monitor is handled by on_qmp_disconnect */
        if (q->got_shutdown || streq(status, "shutdown"))
                vb_qemu_set_state(d, VB_DOMAIN_SHUTDOWN, VB_SHUTDOWN_USER, -1, 0);
        else if (running)
                vb_qemu_set_state(d, VB_DOMAIN_RUNNING,
                                  d->state == VB_DOMAIN_RUNNING ? d->reason : VB_RUNNING_UNPAUSED,
                                  VB_EV_RESUMED, VB_EV_RESUMED_UNPAUSED);
        else
                vb_qemu_set_state(d, VB_DOMAIN_PAUSED,
                                  d->state == VB_DOMAIN_PAUSED ? d->reason : VB_PAUSED_UNKNOWN,
                                  VB_EV_SUSPENDED, VB_EV_SUSPENDED_PAUSED);
}

static void on_qmp_ready(VbQmp *qmp, void *userdata) {
        VbDomainObj *d = userdata;
        VbQemuDom *q = dom_priv(d);
        int r;

        if (q->starting) {
                r = vb_qmp_command(qmp, "query-chardev", NULL, NULL, 0, on_start_chardevs, d);
                if (r < 0)
                        vb_qemu_start_failed(d, vb_strdupf("cannot query QEMU's character devices: %s", strerror(-r)));
                return;
        }
        r = vb_qmp_query_status(qmp, on_reattach_status, d);
        if (r < 0)
                vb_qemu_log("domain '%s': cannot query its status: %s", d->def->name, strerror(-r));
}

static void on_qmp_disconnect(VbQmp *qmp, int reason, void *userdata) {
        VbDomainObj *d = userdata;
        VbQemuDom *q = dom_priv(d);

        q->qmp = vb_qmp_free(q->qmp);
        if (q->starting)
                vb_qemu_start_failed(d, vb_strdupf("QEMU closed its monitor during startup: %s", strerror(-reason)));
        /* QEMU is going (or its monitor is unusable): make sure it goes; the exit marks it shut off */
        if (q->proc)
                (void) vb_qemu_proc_kill(q->proc, VB_QEMU_KILL_GRACE_USEC);
}

static void on_monitor(VbQemuProc *p, int r, int fd, void *userdata) {
        VbDomainObj *d = userdata;
        VbQemuDom *q = dom_priv(d);

        if (r >= 0)
                r = vb_qmp_new(q->drv->event, fd, vb_qemu_on_qmp_event, on_qmp_ready, on_qmp_disconnect,
                               d, &q->qmp);
        if (r >= 0)
                return;
        if (q->starting)
                vb_qemu_start_failed(d, r == -ETIMEDOUT
                                ? vb_strdupf("QEMU did not open its monitor socket %s in time", q->monitor)
                                : vb_strdupf("cannot connect to the QEMU monitor %s: %s", q->monitor,
                                             strerror(-r)));
        else {
                vb_qemu_log("domain '%s': cannot reconnect to its monitor %s (%s): stopping it",
                            d->def->name, q->monitor, strerror(-r));
                (void) vb_qemu_proc_kill(q->proc, VB_QEMU_KILL_GRACE_USEC);
        }
}

/* ---- QMP events ---- */

static void fake_reset_done(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc,
                            void *userdata) {
        VbDomainObj *d = userdata;

        if (r == -ECANCELED)
                return;
        dom_priv(d)->fake_reboot = VB_QEMU_FAKE_REBOOT_NONE;
        if (r < 0)
                vb_qemu_log("domain '%s': cannot resume after reboot: %s", d->def->name, strempty(desc));
}

static void log_reply(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc,
                      void *userdata) {
        if (r < 0 && r != -ECANCELED)
                vb_qemu_log("QMP command failed: %s", desc ? desc : strerror(-r));
}

int vb_qemu_set_shutdown_action(VbDomainObj *d, const char *action) {
        VbQemuDom *q = dom_priv(d);
        json_object *args;

        if (!q->qmp)
                return -ENOTCONN;
        args = json_object_new_object();
        if (!args)
                return -ENOMEM;
        json_object_object_add(args, "shutdown", json_object_new_string(action));
        return vb_qmp_command(q->qmp, "set-action", args, NULL, 0, log_reply, NULL);
}

/* Reboot asked for an ACPI shutdown with QEMU set to pause on it: reset and go on. */
static void fake_reboot(VbDomainObj *d) {
        VbQemuDom *q = dom_priv(d);

        q->fake_reboot = VB_QEMU_FAKE_REBOOT_RESETTING;
        if (vb_qmp_system_reset(q->qmp, log_reply, NULL) < 0 ||
            vb_qemu_set_shutdown_action(d, "poweroff") < 0 ||
            vb_qmp_cont(q->qmp, fake_reset_done, d) < 0)
                q->fake_reboot = VB_QEMU_FAKE_REBOOT_NONE;
}

static void on_shutdown_event(VbDomainObj *d, json_object *data) {
        VbQemuDom *q = dom_priv(d);
        json_object *guest = NULL;
        int detail = 0;

        if (q->fake_reboot == VB_QEMU_FAKE_REBOOT_ARMED) {
                fake_reboot(d);
                return;
        }
        if (q->destroying || q->got_shutdown)
                return;
        q->got_shutdown = true;
        if (data && json_object_object_get_ex(data, "guest", &guest) &&
            json_object_is_type(guest, json_type_boolean))
                detail = json_object_get_boolean(guest) ? VB_EV_SHUTDOWN_GUEST : VB_EV_SHUTDOWN_HOST;
        vb_qemu_set_state(d, VB_DOMAIN_SHUTDOWN, VB_SHUTDOWN_USER, VB_EV_SHUTDOWN, detail);
}

void vb_qemu_on_qmp_event(VbQmp *qmp, const char *event, json_object *data, uint64_t ts, void *userdata) {
        VbDomainObj *d = userdata;
        VbQemuDom *q = dom_priv(d);
        /* a revert sets the state (FROM_SNAPSHOT) itself */
        bool quiet = q->starting || q->fake_reboot == VB_QEMU_FAKE_REBOOT_RESETTING ||
                     streq_ptr(q->job, "virDomainRevertToSnapshot");
        json_object *v;

        if (streq(event, "SHUTDOWN"))
                on_shutdown_event(d, data);
        else if (streq(event, "STOP") && !quiet && d->state == VB_DOMAIN_RUNNING) {
                vb_qemu_set_state(d, VB_DOMAIN_PAUSED,
                                  streq_ptr(q->job, "virDomainSuspend") ? VB_PAUSED_USER : VB_PAUSED_UNKNOWN,
                                  VB_EV_SUSPENDED, VB_EV_SUSPENDED_PAUSED);
        } else if (streq(event, "RESUME") && !quiet && d->state == VB_DOMAIN_PAUSED) {
                vb_qemu_set_state(d, VB_DOMAIN_RUNNING, VB_RUNNING_UNPAUSED, VB_EV_RESUMED,
                                  VB_EV_RESUMED_UNPAUSED);
        } else if (streq(event, "RESET") && !q->starting)
                vb_event_emit(&(VbEvent) { .type = VB_EVENT_DOMAIN_REBOOT, .conn = d->conn,
                                           .kind = VB_KIND_DOMAIN, .obj = d });
        else if (streq(event, "DEVICE_DELETED"))
                vb_qemu_on_device_deleted(d, data);
        else if (streq(event, "DEVICE_TRAY_MOVED") && data && json_object_object_get_ex(data, "id", &v) &&
                 json_object_is_type(v, json_type_string)) {
                json_object *open = NULL;
                (void) json_object_object_get_ex(data, "tray-open", &open);
                /* libvirt's virDomainEventTrayChangeReason: 0 open, 1 close */
                vb_event_emit(&(VbEvent) { .type = VB_EVENT_DOMAIN_TRAY_CHANGE, .conn = d->conn,
                                           .kind = VB_KIND_DOMAIN, .obj = d, .str = json_object_get_string(v),
                                           .event = json_object_get_boolean(open) ? 0 : 1 });
        }
        else if (streq(event, "BALLOON_CHANGE") && data && json_object_object_get_ex(data, "actual", &v))
                vb_event_emit(&(VbEvent) { .type = VB_EVENT_DOMAIN_BALLOON, .conn = d->conn,
                                           .kind = VB_KIND_DOMAIN, .obj = d,
                                           .u64 = json_object_get_uint64(v) / 1024 });
}

/* ---- the end of a process ---- */

static void fail_pending(VbDomainObj *d, bool was_starting) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbQemuDom *q = dom_priv(d);

        if (!q->job_op && !q->job)
                return;
        if (was_starting && q->destroying)
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, "domain '%s' was destroyed during startup",
                             d->def->name);
        else if (was_starting) {
                _cleanup_free_ char *tail = log_tail(q->drv, d->def->name, q->log_offset);
                vb_error_set(&e, VB_ERR_INTERNAL, "%s%s%s",
                             q->start_error ? q->start_error : "QEMU exited during startup",
                             tail ? ": " : "", strempty(tail));
        } else
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, "domain is no longer running");
        vb_qemu_job_end(d, -EIO, &e);
}

static void on_proc_exit(VbQemuProc *p, const siginfo_t *si, void *userdata) {
        VbDomainObj *d = userdata;
        VbQemuDom *q = dom_priv(d);
        bool was_starting = q->starting;
        VbOp *destroy_op = TAKE_PTR(q->destroy_op);
        int reason, event = VB_EV_STOPPED, detail;

        q->starting = false;
        q->qmp = vb_qmp_free(q->qmp);   /* pending replies: -ECANCELED, ignored */
        q->proc = vb_qemu_proc_free(q->proc);
        fail_pending(d, was_starting);
        if (q->saved) {
                reason = VB_SHUTOFF_SAVED;
                detail = VB_EV_STOPPED_SAVED;
        } else if (q->reverting) {
                reason = VB_SHUTOFF_FROM_SNAPSHOT;
                detail = VB_EV_STOPPED_FROM_SNAPSHOT;
        } else if (q->destroying) {
                reason = VB_SHUTOFF_DESTROYED;
                detail = VB_EV_STOPPED_DESTROYED;
        } else if (was_starting) {
                reason = VB_SHUTOFF_FAILED;
                event = -1;     /* it never started */
                detail = 0;
        } else if (q->got_shutdown) {
                reason = VB_SHUTOFF_SHUTDOWN;
                detail = VB_EV_STOPPED_SHUTDOWN;
        } else {
                /* gone without SHUTDOWN: libvirt reports a failure and a crashed guest */
                reason = VB_SHUTOFF_CRASHED;
                detail = VB_EV_STOPPED_FAILED;
        }
        (void) vb_qemu_status_remove(q->drv->run_dir, d->def->name);
        clear_run_dir(q);
        q->destroying = q->got_shutdown = q->reattached = q->saved = q->incoming = q->reverting = false;
        q->start_hook = NULL;
        q->revert_ctx = NULL;
        q->fake_reboot = VB_QEMU_FAKE_REBOOT_NONE;
        d->id = -1;
        vb_domain_obj_drop_live_def(d);
        vb_qemu_set_state(d, VB_DOMAIN_SHUTOFF, reason, event, detail);
        if (destroy_op)
                destroy_op->done(destroy_op, 0, NULL);
        if (!d->persistent)
                vb_qemu_dom_remove(d);
}

int vb_qemu_kill(VbDomainObj *d, bool graceful, VbOp *op, VbError *e) {
        VbQemuDom *q = dom_priv(d);
        int r;

        if (!q->proc)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain is not running");
        if (q->destroying)
                return vb_error_set(e, VB_ERR_RESOURCE_BUSY,
                                    "cannot acquire state change lock (held by virDomainDestroyFlags)");
        r = vb_qemu_proc_kill(q->proc, graceful ? UINT64_MAX : VB_QEMU_KILL_GRACE_USEC);
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot kill QEMU process %d: %s",
                                    (int) vb_qemu_proc_pid(q->proc), strerror(-r));
        q->destroying = true;
        q->destroy_since = now_usec();
        q->fake_reboot = VB_QEMU_FAKE_REBOOT_NONE;
        q->destroy_op = op;
        return 1;
}

/* ---- reattach at daemon start ---- */

static void reattach_cleanup(VbQemuDriver *drv, const VbQemuStatus *st, const char *path) {
        _cleanup_free_ char *prefix = vb_strdupf("%s/dom-", drv->run_dir);

        (void) unlink(path);
        /* only ever a directory of ours */
        if (st && st->run_dir && strncmp(st->run_dir, prefix, strlen(prefix)) == 0 &&
            !strchr(st->run_dir + strlen(prefix), '/'))
                (void) vb_qemu_rm_dir_flat(st->run_dir);
}

/* The registry object for a running instance: the persistent domain of that uuid with
 * the live definition swapped in, or a new transient one. Takes @def. */
static int attach_domain(VbQemuDriver *drv, VbDomainDef *def, VbDomainObj **ret, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *owned = def;
        VbConnect *c = drv->conn;
        VbDomainObj *d = NULL;
        int r;

        r = vb_domain_check_unique(c, owned, &d, e);
        if (r < 0)
                return r;
        if (d) {
                if (vb_domain_is_active(d))
                        return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                            "domain '%s' is running twice", d->def->name);
                vb_domain_def_free(d->newdef);
                d->newdef = d->def;
                d->def = TAKE_PTR(owned);
        } else {
                r = vb_qemu_domain_new(c, TAKE_PTR(owned), &d);
                if (r < 0)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        *ret = d;
        return 0;
}

/* Undo attach_domain() when the process turned out to be gone. */
static void detach_domain(VbDomainObj *d) {
        d->id = -1;
        d->state = VB_DOMAIN_SHUTOFF;
        d->reason = VB_SHUTOFF_UNKNOWN;
        if (!d->persistent) {
                vb_qemu_dom_remove(d);
                return;
        }
        vb_domain_def_free(d->def);
        d->def = TAKE_PTR(d->newdef);
}

static int adopt(VbQemuDriver *drv, VbDomainObj *d, const VbQemuStatus *st) {
        VbQemuDom *q = dom_priv(d);
        int r;

        r = vb_qemu_proc_adopt(drv->event, st->pid, st->start_time, on_proc_exit, d, &q->proc);
        if (r < 0)
                return r;
        d->id = st->id;
        d->state = st->state == VB_DOMAIN_PAUSED || st->state == VB_DOMAIN_SHUTDOWN
                   ? (VbDomainState) st->state : VB_DOMAIN_RUNNING;
        d->reason = st->reason;
        q->run_dir = vb_strdup(st->run_dir);
        q->monitor = vb_strdup(st->monitor);
        q->got_shutdown = st->got_shutdown;
        q->reattached = true;
        if (st->id >= drv->conn->next_id)
                drv->conn->next_id = st->id + 1;
        r = vb_qemu_proc_connect_monitor(q->proc, q->monitor, REATTACH_MONITOR_TIMEOUT_USEC, on_monitor, d);
        if (r < 0) {
                vb_qemu_log("domain '%s': cannot reconnect to its monitor (%s): stopping it",
                            d->def->name, strerror(-r));
                (void) vb_qemu_proc_kill(q->proc, VB_QEMU_KILL_GRACE_USEC);
        }
        return 0;
}

int vb_qemu_reattach(VbQemuDriver *drv, const char *path) {
        _cleanup_(vb_qemu_status_freep) VbQemuStatus *st = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainDef *def = NULL;
        VbDomainObj *d = NULL;
        uint64_t t;
        int r;

        r = vb_qemu_status_read(path, &st, &e);
        if (r < 0) {
                vb_qemu_log("ignoring %s: %s", path, strempty(e.message));
                reattach_cleanup(drv, NULL, path);
                return r;
        }
        r = vb_qemu_proc_read_start_time(st->pid, &t);
        if (r < 0 || t != st->start_time) {
                vb_qemu_log("domain '%s' (pid %d) is no longer running", st->name, (int) st->pid);
                reattach_cleanup(drv, st, path);
                return -ESRCH;
        }
        if (st->starting) {
                /* caught in the middle of a start: like libvirt, do not keep it */
                vb_qemu_log("domain '%s' (pid %d) was still starting: stopping it", st->name, (int) st->pid);
                (void) vb_qemu_proc_kill_pid(st->pid, st->start_time);
                reattach_cleanup(drv, st, path);
                return -ESTALE;
        }
        r = vb_domain_def_parse(st->xml, 0, &def, &e);
        if (r >= 0 && !streq(def->name, st->name))
                r = vb_error_set(&e, VB_ERR_INTERNAL, "name mismatch");
        if (r >= 0)
                r = attach_domain(drv, def, &d, &e);
        else
                vb_domain_def_free(def);
        if (r >= 0 && adopt(drv, d, st) < 0) {
                detach_domain(d);
                r = vb_error_set(&e, VB_ERR_OPERATION_FAILED, "the process is gone");
        }
        if (r < 0) {
                vb_qemu_log("cannot reattach to domain '%s' (pid %d): %s: stopping it", st->name,
                            (int) st->pid, strempty(e.message));
                (void) vb_qemu_proc_kill_pid(st->pid, st->start_time);
                reattach_cleanup(drv, st, path);
                return r;
        }
        vb_qemu_log("reattached to domain '%s' (pid %d)", st->name, (int) st->pid);
        return 0;
}

/* ---- ptys in the live definition ---- */

static bool valid_pts(const char *p) {
        if (strncmp(p, "/dev/pts/", 9) != 0 || !p[9] || strlen(p) > 32)
                return false;
        for (p += 9; *p; p++)
                if (*p < '0' || *p > '9')
                        return false;
        return true;
}

/* The pty QEMU allocated for chardev @label ("pty:/dev/pts/N" in query-chardev). */
static const char *chardev_pty(json_object *list, const char *label) {
        if (!list || !json_object_is_type(list, json_type_array))
                return NULL;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *c = json_object_array_get_idx(list, i), *l, *f;
                const char *fn;

                if (!json_object_object_get_ex(c, "label", &l) || !json_object_object_get_ex(c, "filename", &f) ||
                    !streq_ptr(json_object_get_string(l), label))
                        continue;
                fn = json_object_get_string(f);
                return fn && strncmp(fn, "pty:", 4) == 0 && valid_pts(fn + 4) ? fn + 4 : NULL;
        }
        return NULL;
}

/* @body with its one-line top-level <source .../> replaced by one for @path. */
static char *body_with_source(const char *body, const char *path) {
        char *out = vb_strdupf("<source path='%s'/>\n", path);

        for (const char *l = body; l && *l;) {
                const char *nl = strchr(l, '\n');
                size_t n = nl ? (size_t) (nl - l + 1) : strlen(l);
                if (!(strncmp(l, "<source", 7) == 0 && n >= 3 && l[n - (nl ? 3 : 2)] == '/')) {
                        char *x = vb_strdupf("%s%.*s", out, (int) n, l);
                        free(out);
                        out = x;
                }
                l += n;
        }
        return out;
}

/* @attrs without tty='...' and with tty='@path' when @path is set. */
static char *attrs_with_tty(const char *attrs, const char *path) {
        const char *t = attrs ? strstr(attrs, " tty='") : NULL;
        _cleanup_free_ char *rest = NULL;

        if (t) {
                const char *end = strchr(t + 6, '\'');
                rest = vb_strdupf("%.*s%s", (int) (t - attrs), attrs, end ? end + 1 : "");
        } else
                rest = vb_strdup(strempty(attrs));
        return vb_strdupf("%s tty='%s'", rest, path);
}

static void device_set_pty(VbDomainDevice *dev, const char *path, bool tty) {
        char *body, *attrs;

        if (!path || !streq_ptr(dev->type, "pty"))
                return;
        body = body_with_source(dev->body, path);
        free(dev->body);
        dev->body = body;
        if (tty) {
                attrs = attrs_with_tty(dev->attrs, path);
                free(dev->attrs);
                dev->attrs = attrs;
        }
}

void vb_qemu_apply_ptys(VbDomainDef *def, json_object *chardevs) {
        unsigned serials = 0, consoles = 0;
        char label[32];

        for (size_t i = 0; i < def->n_devices; i++) {
                VbDomainDevice *dev = &def->devices[i];
                const char *pty;

                if (dev->kind == VB_DOMAIN_DEVICE_SERIAL) {
                        snprintf(label, sizeof(label), "charserial%u", serials++);
                        device_set_pty(dev, chardev_pty(chardevs, label), false);
                } else if (dev->kind == VB_DOMAIN_DEVICE_CONSOLE) {
                        snprintf(label, sizeof(label), "charconsole%u", consoles++);
                        pty = chardev_pty(chardevs, label);
                        /* the console of a serial port shares its chardev */
                        device_set_pty(dev, pty ? pty : chardev_pty(chardevs, "charserial0"), true);
                }
        }
}
