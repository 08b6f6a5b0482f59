/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Domain operations of the QEMU driver: definitions (persistent XML under config/),
 * lifecycle entry points (the work happens in qemu-lifecycle.c), XML, autostart.
 * Semantics follow libvirt's QEMU driver; errors use libvirt's texts. */
#include <errno.h>
#include <stdio.h>

#include "qemu-driver.h"
#include "qemu-status.h"
#include "xml-util.h"

enum { /* libvirt's flag values */
        CREATE_START_PAUSED = 1 << 0, CREATE_AUTODESTROY = 1 << 1, CREATE_BYPASS_CACHE = 1 << 2,
        CREATE_FORCE_BOOT = 1 << 3, CREATE_VALIDATE = 1 << 4, CREATE_RESET_NVRAM = 1 << 5,
        DEFINE_VALIDATE = 1 << 0,
        DESTROY_GRACEFUL = 1 << 0,
        SHUTDOWN_ACPI = 1 << 0, SHUTDOWN_AGENT = 1 << 1, SHUTDOWN_INITCTL = 1 << 2,
        SHUTDOWN_SIGNAL = 1 << 3, SHUTDOWN_PARAVIRT = 1 << 4,
        UNDEFINE_MANAGED_SAVE = 1 << 0, UNDEFINE_SNAPSHOTS_METADATA = 1 << 1, UNDEFINE_NVRAM = 1 << 2,
        UNDEFINE_KEEP_NVRAM = 1 << 3, UNDEFINE_CHECKPOINTS_METADATA = 1 << 4, UNDEFINE_TPM = 1 << 5,
        UNDEFINE_KEEP_TPM = 1 << 6,
        AFFECT_LIVE = 1 << 0, AFFECT_CONFIG = 1 << 1, VCPU_MAXIMUM = 1 << 2,
        CONTROL_OK = 0, CONTROL_JOB = 1,
};

/* ---- per-domain state and files ---- */

VbQemuDom *vb_qemu_dom_new(VbDomainObj *d) {
        VbQemuDom *q = calloc(1, sizeof(*q));
        if (!q)
                return NULL;
        q->dom = d;
        q->drv = vb_qemu_driver_of(d->conn);
        d->priv = q;
        return q;
}

static void dom_free(VbDomainObj *d, const char *why) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbQemuDom *q = d->priv;
        VbOp *destroy_op;

        if (!q)
                return;
        /* replies still pending are cancelled (-ECANCELED, ignored by their callbacks) */
        q->qmp = vb_qmp_free(q->qmp);
        q->proc = vb_qemu_proc_free(q->proc);
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, "%s", why);
        if (q->job_op || q->job)
                vb_qemu_job_end(d, -ECANCELED, &e);
        destroy_op = TAKE_PTR(q->destroy_op);
        if (destroy_op)
                destroy_op->done(destroy_op, -ECANCELED, &e);
        free(q->run_dir);
        free(q->monitor);
        free(q->start_error);
        free(q);
        d->priv = NULL;
}

int vb_qemu_domain_new(VbConnect *c, VbDomainDef *def, VbDomainObj **ret) {
        VbDomainObj *d;
        int r;

        r = vb_domain_obj_new(c, def, &d);
        if (r < 0) {
                vb_domain_def_free(def);
                return r;
        }
        if (!vb_qemu_dom_new(d)) {
                vb_domain_obj_remove(d);
                return -ENOMEM;
        }
        *ret = d;
        return 0;
}

void vb_qemu_dom_remove(VbDomainObj *d) {
        dom_free(d, "domain was removed");
        vb_domain_obj_remove(d);
}

void vb_qemu_dom_detach(VbDomainObj *d) {
        dom_free(d, "virtbusd is shutting down");
}

void vb_qemu_domain_obj_free(VbDomainObj *d) {
        /* normally already gone (vb_qemu_dom_remove/detach): never leave a process watch behind */
        dom_free(d, "domain was removed");
        vb_qemu_snapshots_free(d);
}

char *vb_qemu_config_path(VbQemuDriver *drv, const char *name) {
        return vb_strdupf("%s/%s.xml", drv->config_dir, name);
}

char *vb_qemu_autostart_path(VbQemuDriver *drv, const char *name) {
        return vb_strdupf("%s/%s.xml", drv->autostart_dir, name);
}

static int save_config(VbQemuDriver *drv, const VbDomainDef *def, VbError *e) {
        _cleanup_free_ char *xml = vb_domain_def_format(def, -1, VB_DOMAIN_XML_INACTIVE | VB_DOMAIN_XML_SECURE);
        _cleanup_free_ char *path = vb_qemu_config_path(drv, def->name);
        int r;

        if (!xml)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = vb_qemu_write_file_atomic(path, xml, strlen(xml), 0600);
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot save config file '%s': %s", path,
                                    strerror(-r));
        return 0;
}

static int parse_def(VbConnect *c, const char *xml, unsigned pflags, VbDomainDef **ret, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        int r;

        r = vb_domain_def_parse(xml, pflags, &def, e);
        if (r < 0)
                return r;
        if (!streq_ptr(def->virt_type, "qemu") && !streq_ptr(def->virt_type, "kvm"))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "domain type '%s' is not supported by the %s driver, use 'qemu' or 'kvm'",
                                    strempty(def->virt_type), c->driver->name);
        /* names become file names: config/<name>.xml, run/<name>.status */
        if (strlen(def->name) > 200 || def->name[0] == '.')
                return vb_error_set(e, VB_ERR_INVALID_ARG, "domain name '%s' cannot be used by the %s driver",
                                    def->name, c->driver->name);
        *ret = TAKE_PTR(def);
        return 0;
}

/* ---- definitions ---- */

static int qemu_define_xml(VbConnect *c, const char *xml, unsigned flags, VbDomainObj **ret, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        VbQemuDriver *drv = vb_qemu_driver_of(c);
        VbDomainObj *d = NULL;
        bool existed;
        int r;

        VB_CHECK_FLAGS(flags, DEFINE_VALIDATE, e);
        r = parse_def(c, xml, VB_DOMAIN_PARSE_INACTIVE, &def, e);
        if (r < 0)
                return r;
        r = vb_domain_check_unique(c, def, &d, e);
        if (r < 0)
                return r;
        r = save_config(drv, def, e);
        if (r < 0)
                return r;
        existed = d != NULL;
        if (!d) {
                _cleanup_free_ char *path = vb_qemu_config_path(drv, def->name);
                r = vb_qemu_domain_new(c, TAKE_PTR(def), &d);
                if (r < 0) {
                        (void) unlink(path);
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                }
        } else
                vb_domain_obj_set_persistent_def(d, TAKE_PTR(def));
        vb_domain_obj_defined(d, existed);
        *ret = d;
        return 0;
}

/* Ops started without a caller waiting (CreateXML, autostart): failures are logged. */
typedef struct InternalOp {
        VbOp op;
        char *what, *name;
} InternalOp;

static void internal_op_done(VbOp *op, int r, const VbError *e) {
        InternalOp *o = (InternalOp *) op;
        if (r < 0)
                vb_qemu_log("%s of domain '%s' failed: %s", o->what, o->name,
                            e && e->message ? e->message : strerror(-r));
        free(o->what);
        free(o->name);
        free(o);
}

VbOp *vb_qemu_internal_op(const char *what, const char *name) {
        InternalOp *o = calloc(1, sizeof(*o));
        if (!o)
                return NULL;
        o->op.done = internal_op_done;
        o->what = vb_strdup(what);
        o->name = vb_strdup(name);
        return &o->op;
}

/* Starts @d with the definition it now has; the caller reverts on failure. @op is
 * done once the guest runs (or failed), with op->result = @d. */
static int create_xml_start(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e) {
        op->result = d;
        return vb_qemu_start(d, flags & CREATE_START_PAUSED, VB_EV_STARTED_BOOTED, "virDomainCreateXML", op, e);
}

/* The reply comes once QEMU runs (the path of the object); the guest's STARTED event
 * follows when its CPUs run, STOPPED/FAILED-free removal when QEMU fails meanwhile. */
static int qemu_create_xml(VbConnect *c, const char *xml, unsigned flags, VbOp *op, VbDomainObj **ret,
                           VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        VbDomainObj *d = NULL;
        int r;

        VB_CHECK_FLAGS(flags, CREATE_START_PAUSED | CREATE_BYPASS_CACHE | CREATE_VALIDATE |
                       CREATE_RESET_NVRAM, e);
        r = parse_def(c, xml, 0, &def, e);
        if (r < 0)
                return r;
        r = vb_domain_check_unique(c, def, &d, e);
        if (r < 0)
                return r;
        if (d) {
                r = vb_qemu_job_busy(d, e);
                if (r < 0)
                        return r;
                r = vb_domain_obj_run_def(d, &def, e);
                if (r < 0)
                        return r;
                r = create_xml_start(d, flags, op, e);
                if (r < 0) {
                        vb_domain_obj_drop_live_def(d);
                        return r;
                }
        } else {
                r = vb_qemu_domain_new(c, TAKE_PTR(def), &d);
                if (r < 0)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                r = create_xml_start(d, flags, op, e);
                if (r < 0) {
                        vb_qemu_dom_remove(d);
                        return r;
                }
        }
        *ret = d;
        return r;   /* 1: the reply comes once the guest runs */
}

static int qemu_undefine(VbDomainObj *d, unsigned flags, VbError *e) {
        VbQemuDriver *drv = vb_qemu_driver_of(d->conn);
        _cleanup_free_ char *config = NULL, *link = NULL;
        int r;

        VB_CHECK_FLAGS(flags, UNDEFINE_MANAGED_SAVE | UNDEFINE_SNAPSHOTS_METADATA | UNDEFINE_NVRAM |
                       UNDEFINE_KEEP_NVRAM | UNDEFINE_CHECKPOINTS_METADATA | UNDEFINE_TPM |
                       UNDEFINE_KEEP_TPM, e);
        if (!d->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "cannot undefine transient domain");
        r = vb_qemu_job_busy(d, e);
        if (r < 0)
                return r;
        r = vb_domain_check_undefine_snapshots(d, flags & UNDEFINE_SNAPSHOTS_METADATA, e);
        if (r < 0)
                return r;
        r = vb_qemu_undefine_images(d, flags & UNDEFINE_MANAGED_SAVE, flags & UNDEFINE_SNAPSHOTS_METADATA, e);
        if (r < 0)
                return r;
        config = vb_qemu_config_path(drv, vb_domain_persistent_def(d)->name);
        link = vb_qemu_autostart_path(drv, vb_domain_persistent_def(d)->name);
        if (unlink(config) < 0 && errno != ENOENT) {
                r = -errno;
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot remove config %s: %s", config,
                                    strerror(-r));
        }
        (void) unlink(link);
        d->autostart = false;
        vb_domain_obj_undefined(d, vb_qemu_dom_remove);
        return 0;
}

/* ---- lifecycle entry points ---- */

static int qemu_create(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, CREATE_START_PAUSED | CREATE_BYPASS_CACHE | CREATE_FORCE_BOOT |
                       CREATE_VALIDATE | CREATE_RESET_NVRAM, e);
        r = vb_qemu_job_busy(d, e);
        if (r < 0)
                return r;
        if (vb_domain_is_active(d))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain is already running");
        if (flags & CREATE_FORCE_BOOT)
                (void) vb_qemu_managed_save_remove(d, 0, e);
        r = vb_qemu_start_managed(d, flags, op, e);     /* restores from a managed save image */
        if (r != 0)
                return r;
        return vb_qemu_start(d, flags & CREATE_START_PAUSED, VB_EV_STARTED_BOOTED,
                             "virDomainCreateWithFlags", op, e);
}

/* Destroy does not wait for the lock: like libvirt's, it aborts whatever is in
 * flight (a start fails with "destroyed during startup"). */
static int qemu_destroy(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, DESTROY_GRACEFUL, e);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        return vb_qemu_kill(d, flags & DESTROY_GRACEFUL, op, e);
}

static int check_acpi_method(unsigned flags, VbError *e) {
        VB_CHECK_FLAGS(flags, SHUTDOWN_ACPI | SHUTDOWN_AGENT | SHUTDOWN_INITCTL | SHUTDOWN_SIGNAL |
                       SHUTDOWN_PARAVIRT, e);
        if (flags && !(flags & SHUTDOWN_ACPI))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "the QEMU driver shuts down and reboots guests through the ACPI power button only");
        return 0;
}

/* Common head of the monitor-command ops: flags checked by the caller. */
static int begin_monitor_job(VbDomainObj *d, const char *api, VbOp *op, VbError *e) {
        int r = vb_qemu_job_busy(d, e);
        if (r < 0)
                return r;
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        return vb_qemu_job_begin(d, api, op, e);
}

static int run_monitor_job(VbDomainObj *d, const char *cmd, void (*then)(VbDomainObj *), VbError *e) {
        int r = vb_qemu_job_qmp(d, cmd, NULL, then, e);
        if (r < 0) {
                vb_qemu_job_abort(d);
                return r;
        }
        return 1;
}

/* Replies once QEMU pressed the button, like libvirt: the guest's SHUTDOWN event and
 * DomainEvent STOPPED/SHUTDOWN follow when (if) the guest acts on it. */
static int qemu_shutdown(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e) {
        VbQemuDom *q = d->priv;
        int r;

        r = check_acpi_method(flags, e);
        if (r >= 0)
                r = begin_monitor_job(d, "virDomainShutdownFlags", op, e);
        if (r < 0)
                return r;
        if (q->fake_reboot == VB_QEMU_FAKE_REBOOT_ARMED) {
                /* a pending Reboot becomes a real shutdown */
                (void) vb_qemu_set_shutdown_action(d, "poweroff");
                q->fake_reboot = VB_QEMU_FAKE_REBOOT_NONE;
        }
        return run_monitor_job(d, "system_powerdown", NULL, e);
}

/* libvirt's default for QEMU: ACPI power button, and the guest's shutdown becomes a
 * reset ("fake reboot"): QEMU is told to pause instead of exiting on it. */
static int qemu_reboot(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e) {
        VbQemuDom *q = d->priv;
        int r;

        r = check_acpi_method(flags, e);
        if (r >= 0)
                r = begin_monitor_job(d, "virDomainReboot", op, e);
        if (r < 0)
                return r;
        r = vb_qemu_set_shutdown_action(d, "pause");
        if (r < 0) {
                vb_qemu_job_abort(d);
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot prepare the reboot: %s", strerror(-r));
        }
        q->fake_reboot = VB_QEMU_FAKE_REBOOT_ARMED;
        return run_monitor_job(d, "system_powerdown", NULL, e);
}

static int qemu_reset(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = begin_monitor_job(d, "virDomainReset", op, e);
        if (r < 0)
                return r;
        return run_monitor_job(d, "system_reset", NULL, e);
}

static void now_paused(VbDomainObj *d) {
        vb_qemu_set_state(d, VB_DOMAIN_PAUSED, VB_PAUSED_USER, VB_EV_SUSPENDED, VB_EV_SUSPENDED_PAUSED);
}

static void now_running(VbDomainObj *d) {
        vb_qemu_set_state(d, VB_DOMAIN_RUNNING, VB_RUNNING_UNPAUSED, VB_EV_RESUMED, VB_EV_RESUMED_UNPAUSED);
}

/* Suspending a paused domain (or resuming a running one) succeeds without a
 * command, as in libvirt's QEMU driver. */
static int qemu_suspend(VbDomainObj *d, VbOp *op, VbError *e) {
        int r = begin_monitor_job(d, "virDomainSuspend", op, e);
        if (r < 0)
                return r;
        if (d->state != VB_DOMAIN_RUNNING) {
                vb_qemu_job_abort(d);
                return 0;
        }
        return run_monitor_job(d, "stop", now_paused, e);
}

static int qemu_resume(VbDomainObj *d, VbOp *op, VbError *e) {
        int r = begin_monitor_job(d, "virDomainResume", op, e);
        if (r < 0)
                return r;
        if (d->state != VB_DOMAIN_PAUSED) {
                vb_qemu_job_abort(d);
                return 0;
        }
        return run_monitor_job(d, "cont", now_running, e);
}

/* ---- XML, autostart ---- */

static int qemu_get_xml_desc(VbDomainObj *d, unsigned flags, char **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, VB_DOMAIN_XML_SECURE | VB_DOMAIN_XML_INACTIVE |
                       VB_DOMAIN_XML_UPDATE_CPU | VB_DOMAIN_XML_MIGRATABLE, e);
        return vb_domain_format_xml(d, flags, ret, e);
}

static int qemu_set_autostart(VbDomainObj *d, bool autostart, VbError *e) {
        VbQemuDriver *drv = vb_qemu_driver_of(d->conn);
        const char *name = vb_domain_persistent_def(d)->name;
        _cleanup_free_ char *link = NULL, *target = NULL;
        int r = 0;

        if (!d->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "cannot set autostart for transient domain");
        if (d->autostart == autostart)
                return 0;
        link = vb_qemu_autostart_path(drv, name);
        target = vb_strdupf("../config/%s.xml", name);
        if (autostart) {
                (void) unlink(link);
                if (symlink(target, link) < 0)
                        r = -errno;
        } else if (unlink(link) < 0 && errno != ENOENT)
                r = -errno;
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot %s autostart link %s: %s",
                                    autostart ? "create" : "delete", link, strerror(-r));
        d->autostart = autostart;
        vb_event_obj(d->conn, VB_EVENT_OBJECT_CHANGED, VB_KIND_DOMAIN, d, 0, 0);
        return 0;
}

static int qemu_get_scheduler_type(VbDomainObj *d, char **ret, int *nparams, VbError *e) {
        /* libvirt's QEMU driver says "posix"; no tunables are offered (no cgroups) */
        *ret = vb_strdup("posix");
        *nparams = 0;
        return 0;
}

/* ---- definition-only data: metadata, vCPU counts, control state ---- */

static int exclusive_live_config(unsigned flags, VbError *e) {
        if ((flags & AFFECT_LIVE) && (flags & AFFECT_CONFIG))
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
        return 0;
}

static int copy_with_metadata(const VbDomainDef *from, int type, const char *metadata, const char *key,
                              const char *uri, VbDomainDef **ret, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = vb_domain_def_copy(from);
        int r;

        if (!def)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = vb_domain_def_set_metadata(def, type, metadata, key, uri, e);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(def);
        return 0;
}

/* Changed copies first, the config saved, then swapped in: a refusal changes nothing. */
static int qemu_set_metadata(VbDomainObj *d, int type, const char *metadata, const char *key,
                             const char *uri, unsigned flags, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *live = NULL, *config = NULL;
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG, e);
        r = vb_domain_affect(d, &flags, e);
        if (r >= 0 && (flags & AFFECT_LIVE))
                r = copy_with_metadata(d->def, type, metadata, key, uri, &live, e);
        if (r >= 0 && (flags & AFFECT_CONFIG))
                r = copy_with_metadata(vb_domain_persistent_def(d), type, metadata, key, uri, &config, e);
        if (r >= 0 && config)
                r = save_config(vb_qemu_driver_of(d->conn), config, e);
        if (r < 0)
                return r;
        if (live && d->persistent && !d->newdef && !config)
                d->newdef = vb_domain_def_copy(d->def);     /* keep the config as it was */
        if (live) {
                vb_domain_def_free(d->def);
                d->def = TAKE_PTR(live);
                vb_qemu_save_status(d);
        }
        if (config)
                vb_domain_obj_set_persistent_def(d, TAKE_PTR(config));
        vb_event_emit(&(VbEvent) { .type = VB_EVENT_DOMAIN_METADATA, .conn = d->conn,
                                   .kind = VB_KIND_DOMAIN, .obj = d, .event = type,
                                   .str = type == 2 ? uri : NULL });
        return 0;
}

static int qemu_get_metadata(VbDomainObj *d, int type, const char *uri, unsigned flags, char **ret,
                             VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG, e);
        r = exclusive_live_config(flags, e);
        if (r >= 0)
                r = vb_domain_affect(d, &flags, e);
        if (r < 0)
                return r;
        return vb_domain_def_get_metadata((flags & AFFECT_CONFIG) ? vb_domain_persistent_def(d) : d->def,
                                          type, uri, ret, e);
}

static int qemu_get_vcpus(VbDomainObj *d, unsigned flags, unsigned *ret, VbError *e) {
        const VbDomainDef *def;
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG | VCPU_MAXIMUM, e);
        r = exclusive_live_config(flags, e);
        if (r >= 0)
                r = vb_domain_affect(d, &flags, e);
        if (r < 0)
                return r;
        def = (flags & AFFECT_LIVE) ? d->def : vb_domain_persistent_def(d);
        *ret = (flags & VCPU_MAXIMUM) ? def->vcpus : def->vcpus_current;
        return 0;
}

/* virDomainGetControlInfo: "job" while the state change lock is held. */
static int qemu_get_control_info(VbDomainObj *d, unsigned flags, unsigned *state, unsigned *details,
                                 uint64_t *state_time, VbError *e) {
        VbQemuDom *q = d->priv;
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        *state = q->job || q->destroying ? CONTROL_JOB : CONTROL_OK;
        *details = 0;
        *state_time = *state == CONTROL_JOB ? vb_qemu_job_age_msec(d) : 0;
        return 0;
}

int vb_qemu_save_config(VbQemuDriver *drv, const VbDomainDef *def, VbError *e) {
        return save_config(drv, def, e);
}

const VbDomainOps vb_qemu_domain_ops = {
        .define_xml = qemu_define_xml,
        .create_xml = qemu_create_xml,
        .undefine = qemu_undefine,
        .create = qemu_create,
        .destroy = qemu_destroy,
        .shutdown = qemu_shutdown,
        .reboot = qemu_reboot,
        .reset = qemu_reset,
        .suspend = qemu_suspend,
        .resume = qemu_resume,
        .get_xml_desc = qemu_get_xml_desc,
        .set_autostart = qemu_set_autostart,
        .get_scheduler_type = qemu_get_scheduler_type,
        .set_metadata = qemu_set_metadata,
        .get_metadata = qemu_get_metadata,
        .get_vcpus = qemu_get_vcpus,
        .get_control_info = qemu_get_control_info,
        .open_console = vb_qemu_open_console,
        .open_graphics_fd_async = vb_qemu_open_graphics_fd_async,
        .get_stats_op = vb_qemu_get_stats_op,
        .memory_stats_op = vb_qemu_memory_stats_op,
        .attach_device_op = vb_qemu_attach_device_op,
        .detach_device_op = vb_qemu_detach_device_op,
        .update_device_op = vb_qemu_update_device_op,
        .has_managed_save_image = vb_qemu_has_managed_save_image,
        .managed_save = vb_qemu_managed_save,
        .managed_save_remove = vb_qemu_managed_save_remove,
        .save = vb_qemu_save,
        .restore = vb_qemu_restore,
        .save_image_get_xml_desc = vb_qemu_save_image_get_xml_desc,
};
