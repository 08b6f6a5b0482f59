/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a live UpdateDevice of the QEMU driver may change (qemu-update.c): a device of
 * a live definition against the caller's new one, both parsed by the domain model.
 * And the live media change itself against a mock monitor replaying a guest that
 * closes the cdrom tray under us (tests/data/qmp/update-tray-*.txt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <ftw.h>
#include <sys/socket.h>
#include <time.h>

#include "qemu/qemu-update.h"
#include "qmp-mock.h"

#define HEAD "<domain type='qemu'><name>u</name><memory>1024</memory><os><type>hvm</type></os><devices>"
#define TAIL "</devices></domain>"
#define CDROM_A "<disk type='file' device='cdrom'><source file='/a.iso'/><target dev='hdc' bus='ide'/>" \
                "<readonly/><alias name='ide0-1-0'/></disk>"
#define NIC_A "<interface type='user'><mac address='52:54:00:00:00:01'/><model type='e1000'/>" \
              "<alias name='net0'/></interface>"

static VbDomainDef *parse(const char *devices) {
        _cleanup_free_ char *xml = vb_strdupf(HEAD "%s" TAIL, devices);
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainDef *def = NULL;

        assert_int_equal(vb_domain_def_parse(xml, 0, &def, &e), 0);
        return def;
}

/* Check disk @new against CDROM_A: the return value; *media and the error text. */
static int disk_check(const char *new, bool *media, const char *text) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *o = parse(CDROM_A), *n = parse(new);
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        int r = vb_qemu_disk_update_check(&o->disks[0], &n->disks[0], media, &e);

        if (text) {
                assert_true(r < 0);
                assert_non_null(e.message);
                if (!strstr(e.message, text))
                        fail_msg("'%s' lacks '%s'", e.message, text);
        } else
                assert_int_equal(r, 0);
        if (r == 0)
                assert_string_equal(n->disks[0].alias, "ide0-1-0");    /* taken from the live one */
        return r;
}

static void test_disk_media(void **state) {
        bool media = true;

        disk_check("<disk type='file' device='cdrom'><source file='/a.iso'/><target dev='hdc' bus='ide'/>"
                   "<readonly/></disk>", &media, NULL);
        assert_false(media);
        disk_check("<disk type='file' device='cdrom'><source file='/b.iso'/><target dev='hdc' bus='ide'/>"
                   "<readonly/></disk>", &media, NULL);
        assert_true(media);
        media = false;
        disk_check("<disk type='file' device='cdrom'><target dev='hdc' bus='ide' tray='open'/></disk>", &media, NULL);
        assert_true(media);     /* eject; readonly and tray do not matter for a cdrom */
}

static void test_disk_refused(void **state) {
        bool media = false;

        disk_check("<disk type='file' device='cdrom'><source file='/a.iso'/><target dev='hdc' bus='sata'/></disk>",
                   &media, "cannot modify field 'bus' of the disk");
        disk_check("<disk type='file' device='disk'><source file='/a.iso'/><target dev='hdc' bus='ide'/></disk>",
                   &media, "cannot modify field 'device'");
        disk_check("<disk type='file' device='cdrom'><driver name='qemu' cache='none'/><source file='/a.iso'/>"
                   "<target dev='hdc' bus='ide'/></disk>", &media, "cannot modify field 'driver'");
        disk_check("<disk type='file' device='cdrom'><source file='/a.iso'/><target dev='hdc' bus='ide'/>"
                   "<alias name='other'/></disk>", &media, "cannot modify field 'alias'");
        disk_check("<disk type='file' device='cdrom'><source file='/a.iso'/><target dev='hdc' bus='ide'/>"
                   "<serial>x</serial></disk>", &media, "cannot modify field");
        disk_check("<disk type='file' device='cdrom'><source file='b.iso'/><target dev='hdc' bus='ide'/></disk>",
                   &media, "absolute");
        disk_check("<disk type='file' device='cdrom'><driver type='vmdk'/><source file='/b.iso'/>"
                   "<target dev='hdc' bus='ide'/></disk>", &media, "format 'vmdk' is not supported");
}

static void test_disk_source_only_removable(void **state) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *o = parse(
                "<disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/></disk>");
        _cleanup_(vb_domain_def_freep) VbDomainDef *n = parse(
                "<disk type='file' device='disk'><source file='/b.img'/><target dev='vda' bus='virtio'/></disk>");
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        bool media = false;

        assert_true(vb_qemu_disk_update_check(&o->disks[0], &n->disks[0], &media, &e) < 0);
        assert_int_equal(e.code, VB_ERR_OPERATION_UNSUPPORTED);
        assert_string_equal(e.message, "Operation not supported: disk source can be changed only in removable drives");
}

static int net_check(const char *new, int *link, const char *text) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *o = parse(NIC_A), *n = parse(new);
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        int r = vb_qemu_net_update_check(&o->nets[0], &n->nets[0], link, &e);

        if (text) {
                assert_true(r < 0);
                if (!strstr(strempty(e.message), text))
                        fail_msg("'%s' lacks '%s'", e.message, text);
        } else
                assert_int_equal(r, 0);
        return r;
}

#define NIC(x) "<interface type='user'><mac address='52:54:00:00:00:01'/><model type='e1000'/>" x "</interface>"

static void test_net_link(void **state) {
        int link = 5;

        net_check(NIC(""), &link, NULL);
        assert_int_equal(link, -1);
        net_check(NIC("<link state='up'/>"), &link, NULL);
        assert_int_equal(link, -1);     /* up is the default */
        net_check(NIC("<link state='down'/>"), &link, NULL);
        assert_int_equal(link, 0);
        net_check(NIC("<link state='sideways'/>"), &link, "unknown interface link state 'sideways'");
        net_check("<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/></interface>",
                  &link, "cannot modify network device model from e1000 to virtio");
        net_check("<interface type='user'><mac address='52:54:00:00:00:02'/><model type='e1000'/></interface>",
                  &link, "mac address");
        net_check("<interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/>"
                  "<model type='e1000'/></interface>", &link, "cannot change network interface type");
        net_check(NIC("<link state='down'/><mtu size='1400'/>"), &link, "other than its link state");
}

static void test_link_state_parse(void **state) {
        _cleanup_free_ char *rest = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;

        assert_int_equal(vb_qemu_net_link_state(NULL, &rest, &e), 1);
        assert_null(rest);
        assert_int_equal(vb_qemu_net_link_state("<mtu size='9000'/><link state='down'/>", &rest, &e), 0);
        assert_non_null(rest);
        assert_non_null(strstr(rest, "mtu"));
        assert_null(strstr(rest, "link"));
}

static void test_attrs_without_tray(void **state) {
        _cleanup_free_ char *a = vb_qemu_attrs_without_tray(" tray='open' removable='on'");
        _cleanup_free_ char *b = vb_qemu_attrs_without_tray(" tray='closed'");

        assert_string_equal(a, " removable='on'");
        assert_null(b);
        assert_null(vb_qemu_attrs_without_tray(NULL));
}

/* ---- the live media change against a mock monitor ---- */

#define DEADLINE_USEC (10ULL * 1000000ULL)
/* the <source/> element, then the alias: */
#define LIVE_CDROM "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>%s" \
                   "<target dev='hdc' bus='ide'/><readonly/>%s</disk>"

/* A running domain of the real QEMU driver (opened on a temporary root), its monitor
 * connected to a mock on a socketpair, and the UpdateDevice op. */
typedef struct Live {
        char *root, *iso_a, *iso_b;
        const char *subst[5];
        VbConnect *conn;
        VbDomainObj *dom;
        sd_event *event;
        QmpMock mock;
        VbOp op;
        unsigned n_done;
        int r;
        char *error;
        char trays[16];         /* TrayChange events seen: 'o' open, 'c' closed */
} Live;

static void op_done(VbOp *op, int r, const VbError *e) {
        Live *l = op->userdata;

        l->n_done++;
        l->r = r;
        l->error = e && e->message ? vb_strdup(e->message) : NULL;
}

static void on_sink(const VbEvent *ev, void *userdata) {
        Live *l = userdata;
        size_t n = strlen(l->trays);

        if (ev->type == VB_EVENT_DOMAIN_TRAY_CHANGE && n + 1 < sizeof(l->trays))
                l->trays[n] = ev->event == 0 ? 'o' : 'c';
}

/* The driver's own event handler; the fixture is the client's userdata. */
static void on_qmp_event(VbQmp *qmp, const char *event, json_object *data, uint64_t ts, void *userdata) {
        vb_qemu_on_qmp_event(qmp, event, data, ts, ((Live *) userdata)->dom);
}

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

static bool monitor_ready(Live *l) {
        return vb_qmp_is_ready(((VbQemuDom *) l->dom->priv)->qmp);
}

static bool op_finished(Live *l) {
        return l->n_done > 0;
}

static void run_until(Live *l, bool (*cond)(Live *l)) {
        uint64_t end = now_usec() + DEADLINE_USEC;

        while (!cond(l)) {
                if (l->mock.failure[0])
                        fail_msg("mock: %s (transcript line %zu/%zu)", l->mock.failure, l->mock.pos,
                                 l->mock.n_lines);
                if (now_usec() >= end)
                        fail_msg("timed out at transcript line %zu/%zu", l->mock.pos, l->mock.n_lines);
                assert_true(sd_event_run(l->event, 100000) >= 0);
        }
}

static char *touch(const char *dir, const char *name) {
        char *path = vb_strdupf("%s/%s", dir, name);
        FILE *f = fopen(path, "we");

        assert_non_null(f);
        assert_int_equal(fclose(f), 0);
        return path;
}

static VbDomainObj *running_domain(Live *l) {
        _cleanup_free_ char *src = vb_strdupf("<source file='%s'/>", l->iso_a);
        _cleanup_free_ char *cdrom = vb_strdupf(LIVE_CDROM, src, "<alias name='ide0-1-0'/>");
        _cleanup_free_ char *xml = vb_strdupf(HEAD "%s" TAIL, cdrom);
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainDef *def = NULL;
        VbDomainObj *d = NULL;

        assert_int_equal(vb_domain_def_parse(xml, 0, &def, &e), 0);
        assert_int_equal(vb_qemu_domain_new(l->conn, def, &d), 0);
        /* what a start leaves: an id, running; no process to save a status file for */
        d->id = l->conn->next_id++;
        d->state = VB_DOMAIN_RUNNING;
        d->reason = VB_RUNNING_BOOTED;
        return d;
}

/* The driver's real open path on a temporary root; the monitor and its mock run on a
 * loop of their own: the driver's default loop holds the emulator version probe, which
 * would spawn QEMU. */
static void live_start(Live *l, const char *transcript) {
        char tmpl[] = "/tmp/vb-qemu-update-XXXXXX";
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbQemuDom *q;
        int sv[2];

        *l = (Live) { .mock.fd = -1, .op = { .done = op_done, .userdata = l } };
        assert_non_null(mkdtemp(tmpl));
        l->root = vb_strdup(tmpl);
        l->iso_a = touch(l->root, "a.iso");
        l->iso_b = touch(l->root, "b.iso");
        memcpy(l->subst, (const char *[]) { "@A@", l->iso_a, "@B@", l->iso_b, NULL }, sizeof(l->subst));
        assert_int_equal(vb_connect_open(&vb_qemu_driver, l->root, &l->conn, &e), 0);
        l->dom = running_domain(l);
        vb_event_set_sink(on_sink, l);
        assert_int_equal(sd_event_new(&l->event), 0);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
        l->mock.subst = l->subst;
        assert_int_equal(qmp_mock_start(&l->mock, l->event, transcript, sv[1]), 0);
        q = l->dom->priv;
        assert_int_equal(vb_qmp_new(l->event, sv[0], on_qmp_event, NULL, NULL, l, &q->qmp), 0);
        run_until(l, monitor_ready);
}

/* UpdateDevice(AFFECT_LIVE) of the cdrom to @source, run to its end. */
static void live_update(Live *l, const char *source) {
        _cleanup_free_ char *src = vb_strdupf("<source file='%s'/>", source);
        _cleanup_free_ char *xml = vb_strdupf(LIVE_CDROM, src, "");
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;

        assert_int_equal(vb_qemu_update_device_op(l->dom, xml, 1 /* AFFECT_LIVE */, &l->op, &e), 1);
        run_until(l, op_finished);
        assert_string_equal(l->mock.failure, "");
        /* the whole transcript played: the mock marks it so as it writes its last line,
         * before the client can read that reply */
        if (!l->mock.done)
                fail_msg("the update ended (%d, '%s') at transcript line %zu/%zu", l->r, strempty(l->error),
                         l->mock.pos, l->mock.n_lines);
        assert_null(((VbQemuDom *) l->dom->priv)->job);     /* the state change lock is released */
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void live_end(Live *l) {
        vb_event_set_sink(NULL, NULL);
        l->conn = vb_connect_close(l->conn);    /* detaches the domain: frees the client */
        qmp_mock_done(&l->mock);
        sd_event_unref(l->event);
        assert_int_equal(nftw(l->root, rm_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
        free(l->root);
        free(l->iso_a);
        free(l->iso_b);
        free(l->error);
}

static const VbDomainDisk *live_cdrom(Live *l) {
        assert_int_equal(l->dom->def->n_disks, 1);
        return &l->dom->def->disks[0];
}

static void check_error(Live *l, const char *text) {
        assert_true(l->r < 0);
        assert_non_null(l->error);
        if (!strstr(l->error, text))
                fail_msg("'%s' lacks '%s'", l->error, text);
}

/* The guest closed the tray before the insert: opened again, the insert retried. */
static void test_live_insert_retried(void **state) {
        Live l;

        live_start(&l, "update-tray-insert");
        live_update(&l, l.iso_b);
        assert_int_equal(l.r, 0);
        assert_null(l.error);
        assert_string_equal(live_cdrom(&l)->source, l.iso_b);
        assert_null(strstr(strempty(live_cdrom(&l)->target_extra), "tray"));
        assert_string_equal(l.trays, "ococ");   /* the guest's close reached the driver */
        live_end(&l);
}

/* The same before the remove. */
static void test_live_remove_retried(void **state) {
        Live l;

        live_start(&l, "update-tray-remove");
        live_update(&l, l.iso_b);
        assert_int_equal(l.r, 0);
        assert_null(l.error);
        assert_string_equal(live_cdrom(&l)->source, l.iso_b);
        assert_null(strstr(strempty(live_cdrom(&l)->target_extra), "tray"));
        live_end(&l);
}

/* Refused once more than TRAY_RETRIES_MAX: fails with QEMU's text, the drive empty,
 * and the nodes made for the new medium deleted so that the next change can add them. */
static void test_live_retries_exhausted(void **state) {
        Live l;

        live_start(&l, "update-tray-exhausted");
        live_update(&l, l.iso_b);
        check_error(&l, "QEMU refused blockdev-insert-medium: Tray of device 'hdc' is not open");
        /* capabilities, the plan, 5 retries, then the new nodes deleted */
        assert_int_equal(l.mock.n_commands, 1 + 8 + 2 * 5 + 2);
        assert_null(live_cdrom(&l)->source);
        assert_non_null(strstr(strempty(live_cdrom(&l)->target_extra), "tray='open'"));
        live_end(&l);
}

/* Another refusal is not retried: fails at once, the old medium stays. */
static void test_live_other_error(void **state) {
        Live l;

        live_start(&l, "update-tray-other-error");
        live_update(&l, l.iso_b);
        check_error(&l, "QEMU refused blockdev-remove-medium: Device 'hdc' not found");
        assert_int_equal(l.mock.n_commands, 3);
        assert_string_equal(live_cdrom(&l)->source, l.iso_a);
        live_end(&l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_disk_media),
                cmocka_unit_test(test_disk_refused),
                cmocka_unit_test(test_disk_source_only_removable),
                cmocka_unit_test(test_net_link),
                cmocka_unit_test(test_link_state_parse),
                cmocka_unit_test(test_attrs_without_tray),
                cmocka_unit_test(test_live_insert_retried),
                cmocka_unit_test(test_live_remove_retried),
                cmocka_unit_test(test_live_retries_exhausted),
                cmocka_unit_test(test_live_other_error),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
