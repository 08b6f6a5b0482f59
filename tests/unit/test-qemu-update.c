/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a live UpdateDevice of the QEMU driver may change (qemu-update.c): a device of
 * a live definition against the caller's new one, both parsed by the domain model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "qemu/qemu-update.h"

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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_disk_media),
                cmocka_unit_test(test_disk_refused),
                cmocka_unit_test(test_disk_source_only_removable),
                cmocka_unit_test(test_net_link),
                cmocka_unit_test(test_link_state_parse),
                cmocka_unit_test(test_attrs_without_tray),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
