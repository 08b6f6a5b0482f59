/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Domains of the in-memory test driver; semantics follow libvirt's test:///default. */
#include "test-private.h"
#include "xml-util.h"

enum { /* virDomainRunningReason / ShutoffReason / PausedReason values */
        RUNNING_BOOTED = 1, RUNNING_UNPAUSED = 5,
        SHUTOFF_SHUTDOWN = 1, SHUTOFF_DESTROYED = 2, SHUTOFF_SAVED = 5,
        PAUSED_USER = 1,
};

void vb_test_domain_start(VbDomainObj *d, int reason, bool paused) {
        vb_domain_obj_drop_live_def(d);
        d->has_managed_save = false;
        vb_test_domain_running(d, reason, VB_EV_STARTED_BOOTED, paused);
}

void vb_test_domain_running(VbDomainObj *d, int reason, int event_detail, bool paused) {
        d->id = d->conn->next_id++;
        d->state = VB_DOMAIN_RUNNING;
        d->reason = reason;
        vb_event_domain(d, VB_EV_STARTED, event_detail);
        if (paused) {
                d->state = VB_DOMAIN_PAUSED;
                d->reason = PAUSED_USER;
                vb_event_domain(d, VB_EV_SUSPENDED, VB_EV_SUSPENDED_PAUSED);
        }
}

void vb_test_domain_stop(VbDomainObj *d, int reason, int event_detail) {
        d->id = -1;
        d->state = VB_DOMAIN_SHUTOFF;
        d->reason = reason;
        vb_domain_obj_drop_live_def(d);
        vb_event_domain(d, VB_EV_STOPPED, event_detail);
        if (!d->persistent)
                vb_domain_obj_remove(d);
}

static int parse_def(VbConnect *c, const char *xml, unsigned pflags, VbDomainDef **ret, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        int r;

        r = vb_domain_def_parse(xml, pflags, &def, e);
        if (r < 0)
                return r;
        if (!streq(def->virt_type, "test"))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "domain type '%s' is not supported by the %s driver, use 'test'",
                                    def->virt_type, c->driver->name);
        *ret = TAKE_PTR(def);
        return 0;
}

static int test_define_xml(VbConnect *c, const char *xml, unsigned flags, VbDomainObj **ret, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        VbDomainObj *d = NULL;
        bool existed;
        int r;

        VB_CHECK_FLAGS(flags, 1 /* VALIDATE */, e);
        r = parse_def(c, xml, VB_DOMAIN_PARSE_INACTIVE, &def, e);
        if (r < 0)
                return r;
        r = vb_domain_check_unique(c, def, &d, e);
        if (r < 0)
                return r;
        existed = d != NULL;
        if (!d) {
                r = vb_domain_obj_new(c, TAKE_PTR(def), &d);
                if (r < 0)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        } else
                vb_domain_obj_set_persistent_def(d, TAKE_PTR(def));
        vb_domain_obj_defined(d, existed);
        *ret = d;
        return 0;
}

static int test_create_xml(VbConnect *c, const char *xml, unsigned flags, VbOp *op, VbDomainObj **ret,
                           VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        VbDomainObj *d = NULL;
        int r;

        VB_CHECK_FLAGS(flags, 1 /* START_PAUSED */ | 2 /* AUTODESTROY */ | 4 /* BYPASS_CACHE */ |
                       16 /* VALIDATE */ | 32 /* RESET_NVRAM */, e);
        r = parse_def(c, xml, 0, &def, e);
        if (r < 0)
                return r;
        r = vb_domain_check_unique(c, def, &d, e);
        if (r < 0)
                return r;
        if (d) {
                r = vb_domain_obj_run_def(d, &def, e);
                if (r < 0)
                        return r;
                vb_test_domain_running(d, RUNNING_BOOTED, VB_EV_STARTED_BOOTED, false);
        } else {
                r = vb_domain_obj_new(c, TAKE_PTR(def), &d);
                if (r < 0)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                vb_test_domain_start(d, RUNNING_BOOTED, flags & 1);
        }
        *ret = d;
        return 0;
}

static int test_undefine(VbDomainObj *d, unsigned flags, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, 1 | 2 | 4 | 8 | 16 | 32, e);
        if (!d->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "cannot undefine transient domain");
        if (d->has_managed_save && !(flags & 1 /* MANAGED_SAVE */))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                    "Refusing to undefine while domain managed save image exists");
        r = vb_domain_check_undefine_snapshots(d, flags & 2 /* SNAPSHOTS_METADATA */, e);
        if (r < 0)
                return r;
        d->has_managed_save = false;
        vb_domain_obj_undefined(d, vb_domain_obj_remove);
        return 0;
}

static int test_create(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e) {
        VB_CHECK_FLAGS(flags, 1 | 2 | 4 | 8 | 16, e);
        if (vb_domain_is_active(d))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain is already running");
        vb_test_domain_start(d, RUNNING_BOOTED, flags & 1);
        return 0;
}

static int test_destroy(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e) {
        int r;
        VB_CHECK_FLAGS(flags, 1 /* GRACEFUL */ | 2 /* REMOVE_LOGS */, e);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        vb_test_domain_stop(d, SHUTOFF_DESTROYED, VB_EV_STOPPED_DESTROYED);
        return 0;
}

static int test_shutdown(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e) {
        int r;
        VB_CHECK_FLAGS(flags, 1 | 2 | 4 | 8 | 16 | 32, e);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        vb_test_domain_stop(d, SHUTOFF_SHUTDOWN, VB_EV_STOPPED_SHUTDOWN);
        return 0;
}

static int test_reboot(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e) {
        int r;
        VB_CHECK_FLAGS(flags, 1 | 2 | 4 | 8 | 16 | 32, e);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        vb_event_emit(&(VbEvent) { .type = VB_EVENT_DOMAIN_REBOOT, .conn = d->conn,
                                   .kind = VB_KIND_DOMAIN, .obj = d });
        return 0;
}

static int test_reset(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        return vb_domain_require_active(d, e);
}

static int test_suspend(VbDomainObj *d, VbOp *op, VbError *e) {
        int r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        if (d->state == VB_DOMAIN_PAUSED)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain '%s' is already paused",
                                    d->def->name);
        d->state = VB_DOMAIN_PAUSED;
        d->reason = PAUSED_USER;
        vb_event_domain(d, VB_EV_SUSPENDED, VB_EV_SUSPENDED_PAUSED);
        return 0;
}

static int test_resume(VbDomainObj *d, VbOp *op, VbError *e) {
        int r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        if (d->state != VB_DOMAIN_PAUSED)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain '%s' not paused",
                                    d->def->name);
        d->state = VB_DOMAIN_RUNNING;
        d->reason = RUNNING_UNPAUSED;
        vb_event_domain(d, VB_EV_RESUMED, VB_EV_RESUMED_UNPAUSED);
        return 0;
}

static int test_get_xml_desc(VbDomainObj *d, unsigned flags, char **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, VB_DOMAIN_XML_SECURE | VB_DOMAIN_XML_INACTIVE |
                       VB_DOMAIN_XML_UPDATE_CPU | VB_DOMAIN_XML_MIGRATABLE, e);
        return vb_domain_format_xml(d, flags, ret, e);
}

static int test_set_autostart(VbDomainObj *d, bool autostart, VbError *e) {
        if (!d->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                    "cannot set autostart for transient domain");
        d->autostart = autostart;
        vb_event_obj(d->conn, VB_EVENT_OBJECT_CHANGED, VB_KIND_DOMAIN, d, 0, 0);
        return 0;
}

static int test_get_os_type(VbDomainObj *d, char **ret, VbError *e) {
        /* libvirt's test driver reports "linux" whatever the XML says */
        *ret = vb_strdup("linux");
        return 0;
}

static int test_get_scheduler_type(VbDomainObj *d, char **ret, int *nparams, VbError *e) {
        *ret = vb_strdup("fair");
        *nparams = 1;
        return 0;
}

const VbDomainOps vb_test_domain_ops = {
        .define_xml = test_define_xml,
        .create_xml = test_create_xml,
        .undefine = test_undefine,
        .create = test_create,
        .destroy = test_destroy,
        .shutdown = test_shutdown,
        .reboot = test_reboot,
        .reset = test_reset,
        .suspend = test_suspend,
        .resume = test_resume,
        .get_xml_desc = test_get_xml_desc,
        .set_autostart = test_set_autostart,
        .get_os_type = test_get_os_type,
        .get_scheduler_type = test_get_scheduler_type,
        VB_TEST_DOMAIN_EXTRA_OPS   /* helper-H */
};
