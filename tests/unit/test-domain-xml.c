/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Domain XML: data-driven round trips (tests/data/domain-xml2xml/NAME.xml → NAME.out.xml,
 * or NAME.err for an expected failure), idempotence, copy, metadata, flags, limits.
 * VB_TEST_REGENERATE=1 rewrites the .out.xml files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "data-test.h"
#include "domain.h"
#include "xml-util.h"

#define DATADIR "tests/data/domain-xml2xml/"

static const char *const success_cases[] = {
        "test-default", "minimal", "qemu-full", "units", "units-bytes", "metadata",
        "unknown-elements", "element-order", "graphics", "addresses", "boot-order",
        "cpu-custom", "serial-console", "serial-console-live",
};

static const char *const failure_cases[] = {
        "not-xml", "wrong-root", "no-name", "name-slash", "bad-uuid", "bad-memory-unit",
        "dtd", "vcpu-current", "no-type", "bad-virt-type", "no-memory", "no-os-type",
        "topology-mismatch", "bad-mac", "multicast-mac", "boot-conflict", "disk-no-target",
        "network-no-source", "title-newline",
};

/* The id written on the input's root element, so live documents round-trip. */
static int input_id(const char *xml) {
        const char *p = strstr(xml, " id='");
        const char *end = strchr(xml, '>');
        if (!p || (end && p > end))
                return -1;
        return atoi(p + 5);
}

static void assert_text_equal(const char *name, const char *expected, const char *actual) {
        if (!streq(expected, actual)) {
                fprintf(stderr, "### %s: expected:\n%s\n### actual:\n%s\n", name, expected, actual);
                fail_msg("%s: formatted XML differs", name);
        }
}

static char *parse_and_format(const char *xml, int id, unsigned fmt_flags) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        int r = vb_domain_def_parse(xml, 0, &def, &e);
        if (r < 0)
                fail_msg("parse failed: %s", e.message);
        return vb_domain_def_format(def, id, fmt_flags);
}

static void test_xml2xml(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(success_cases); i++) {
                _cleanup_(vb_data_case_done) VbDataCase c = vb_data_case(DATADIR, success_cases[i]);
                _cleanup_free_ char *got = NULL, *again = NULL;

                got = parse_and_format(c.input, input_id(c.input), VB_DOMAIN_XML_SECURE);
                assert_non_null(got);
                /* NAME.out.xml is there only where the output is not the input */
                vb_data_case_compare(&c, ".out.xml", got, c.input);
                /* parse(format(parse(x))) == format(parse(x)) */
                again = parse_and_format(got, input_id(got), VB_DOMAIN_XML_SECURE);
                assert_text_equal(c.name, got, again);
        }
}

static void test_failures(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(failure_cases); i++) {
                _cleanup_(vb_data_case_done) VbDataCase c = vb_data_case(DATADIR, failure_cases[i]);
                _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
                _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
                int r;

                if (!c.want_err)
                        fail_msg("%s: missing " DATADIR "%s.err", c.name, c.name);
                r = vb_domain_def_parse(c.input, 0, &def, &e);
                assert_true(vb_data_case_failed(&c, r, e.message));
                assert_null(def);
        }
}

static void test_copy(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(success_cases); i++) {
                _cleanup_free_ char *in = vb_data_read(DATADIR, success_cases[i], ".xml");
                _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL, *copy = NULL;
                _cleanup_free_ char *a = NULL, *b = NULL;

                assert_int_equal(vb_domain_def_parse(in, 0, &def, NULL), 0);
                copy = vb_domain_def_copy(def);
                assert_non_null(copy);
                a = vb_domain_def_format(def, 3, VB_DOMAIN_XML_SECURE);
                /* the copy is independent of the original */
                def = vb_domain_def_free(def);
                b = vb_domain_def_format(copy, 3, VB_DOMAIN_XML_SECURE);
                assert_text_equal(success_cases[i], a, b);
        }
}

static VbDomainDef *parse_case(const char *name) {
        _cleanup_free_ char *in = vb_data_read(DATADIR, name, ".xml");
        VbDomainDef *def = NULL;
        assert_int_equal(vb_domain_def_parse(in, 0, &def, NULL), 0);
        return def;
}

static void test_defaults(void **state) {
        static const char xml[] =
                "<domain type='qemu'><name>gen</name><memory unit='MiB'>64</memory>"
                "<currentMemory unit='MiB'>128</currentMemory>"
                "<os><type>hvm</type></os><devices>"
                "<interface type='user'/><interface type='network'><source network='n'/></interface>"
                "</devices></domain>";
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL, *def2 = NULL;
        _cleanup_free_ char *out = NULL;

        assert_int_equal(vb_domain_def_parse(xml, 0, &def, NULL), 0);
        assert_false(vb_uuid_is_null(def->uuid));
        assert_int_equal(def->memory_kib, 65536);
        assert_int_equal(def->current_memory_kib, 65536);     /* capped to <memory> */
        assert_int_equal(def->vcpus, 1);
        assert_int_equal(def->vcpus_current, 1);
        assert_string_equal(def->on_poweroff, "destroy");
        assert_string_equal(def->on_reboot, "restart");
        assert_string_equal(def->on_crash, "destroy");
        assert_string_equal(def->clock_offset, "utc");
        assert_string_equal(def->boot_devs[0], "hd");
        assert_null(def->boot_devs[1]);
        assert_int_equal(def->n_nets, 2);
        for (size_t i = 0; i < def->n_nets; i++) {
                char mac[18];
                assert_int_equal(vb_mac_parse(def->nets[i].mac, mac), 0);
                assert_memory_equal(def->nets[i].mac, "52:54:00:", 9);
        }
        assert_string_not_equal(def->nets[0].mac, def->nets[1].mac);
        /* generated values are kept by a format/parse round trip */
        out = vb_domain_def_format(def, -1, 0);
        assert_int_equal(vb_domain_def_parse(out, 0, &def2, NULL), 0);
        assert_memory_equal(def->uuid, def2->uuid, 16);
        assert_string_equal(def->nets[1].mac, def2->nets[1].mac);
        /* two parses generate different UUIDs */
        def2 = vb_domain_def_free(def2);
        assert_int_equal(vb_domain_def_parse(xml, 0, &def2, NULL), 0);
        assert_memory_not_equal(def->uuid, def2->uuid, 16);
}

static void test_model_fields(void **state) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = parse_case("qemu-full");

        assert_string_equal(def->virt_type, "kvm");
        assert_int_equal(def->vcpus, 4);
        assert_int_equal(def->vcpus_current, 2);
        assert_string_equal(def->os_machine, "pc-q35-7.2");
        assert_string_equal(def->kernel, "/var/lib/libvirt/boot/vmlinuz");
        assert_string_equal(def->cmdline, "console=ttyS0 root=/dev/vda1 quiet");
        assert_int_equal(def->n_disks, 3);
        assert_string_equal(def->disks[0].driver_type, "qcow2");
        assert_string_equal(def->disks[1].source, "/dev/vg0/data");
        assert_true(def->disks[1].shareable);
        assert_true(def->disks[2].readonly);
        assert_string_equal(def->disks[2].device, "cdrom");
        assert_string_equal(def->disks[2].target_bus, "sata");
        assert_int_equal(def->n_nets, 3);
        assert_string_equal(def->nets[0].source, "br0");
        assert_string_equal(def->nets[0].target_dev, "vnet3");
        assert_string_equal(def->nets[1].model, "e1000e");
        assert_int_equal(def->n_graphics, 2);
        assert_int_equal(def->graphics[0].port, 5900);
        assert_string_equal(def->graphics[0].listen, "127.0.0.1");
        assert_string_equal(def->cpu_mode, "host-passthrough");
        assert_int_equal(def->cpu_cores, 2);
        assert_int_equal(def->cpu_threads, 2);
        assert_true(vb_domain_def_has_feature(def, "acpi"));
        assert_true(vb_domain_def_has_feature(def, "apic"));
        assert_false(vb_domain_def_has_feature(def, "pae"));
        assert_false(vb_domain_def_has_feature(def, "ap"));
        assert_string_equal(def->emulator, "/usr/bin/qemu-system-x86_64");
        for (size_t i = 0; i < def->n_devices; i++)
                if (def->devices[i].kind == VB_DOMAIN_DEVICE_VIDEO)
                        assert_string_equal(def->devices[i].model, "qxl");
}

static void test_format_flags(void **state) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = parse_case("qemu-full");
        _cleanup_(vb_domain_def_freep) VbDomainDef *gdef = parse_case("graphics");
        _cleanup_free_ char *live = vb_domain_def_format(def, 7, 0);
        _cleanup_free_ char *inactive = vb_domain_def_format(def, 7, VB_DOMAIN_XML_INACTIVE);
        _cleanup_free_ char *g = vb_domain_def_format(gdef, -1, 0);
        _cleanup_free_ char *gs = vb_domain_def_format(gdef, -1, VB_DOMAIN_XML_SECURE);

        assert_non_null(strstr(live, "<domain type='kvm' id='7'>"));
        assert_non_null(strstr(live, "<target dev='vnet3'/>"));
        assert_non_null(strstr(live, "<alias name='net0'/>"));
        assert_non_null(strstr(live, "port='5900' autoport='yes'"));
        assert_non_null(strstr(inactive, "<domain type='kvm'>"));
        assert_null(strstr(inactive, "vnet3"));
        assert_null(strstr(inactive, "<alias"));
        assert_non_null(strstr(inactive, "port='-1' autoport='yes'"));
        assert_null(strstr(g, "passwd"));
        assert_non_null(strstr(gs, " passwd='secret'"));
}

static void test_parse_inactive(void **state) {
        _cleanup_free_ char *in = vb_data_read(DATADIR, "qemu-full", ".xml");
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;

        assert_int_equal(vb_domain_def_parse(in, VB_DOMAIN_PARSE_INACTIVE, &def, NULL), 0);
        assert_null(def->nets[0].target_dev);
        assert_int_equal(def->graphics[0].port, 0);
        assert_true(def->graphics[0].autoport);
}

static void test_metadata(void **state) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = parse_case("metadata");
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *v = NULL, *out = NULL;

        assert_int_equal(vb_domain_def_get_metadata(def, 1, NULL, &v, NULL), 0);
        assert_string_equal(v, "A 'quoted' title & more");
        v = (free(v), NULL);
        assert_int_equal(vb_domain_def_get_metadata(def, 2, "http://app1.org/app1/", &v, NULL), 0);
        assert_string_equal(v, "<app1:foo xmlns:app1=\"http://app1.org/app1/\">fooish</app1:foo>");
        v = (free(v), NULL);

        /* replace an element, add another, remove one */
        assert_int_equal(vb_domain_def_set_metadata(def, 2, "<foo><x/></foo>", "new",
                                                    "http://app1.org/app1/", NULL), 0);
        assert_int_equal(vb_domain_def_set_metadata(def, 2, "<baz a='1'>b</baz>", "k",
                                                    "http://example.org/k", NULL), 0);
        assert_int_equal(vb_domain_def_set_metadata(def, 2, NULL, NULL, "http://app1.org/app2/", NULL), 0);
        assert_int_equal(vb_domain_def_get_metadata(def, 2, "http://app1.org/app1/", &v, NULL), 0);
        assert_string_equal(v, "<new:foo xmlns:new=\"http://app1.org/app1/\">\n  <x/>\n</new:foo>");
        v = (free(v), NULL);
        assert_true(vb_domain_def_get_metadata(def, 2, "http://app1.org/app2/", &v, &e) < 0);
        assert_int_equal(e.code, VB_ERR_NO_DOMAIN_METADATA);
        assert_string_equal(e.message, "metadata not found: Requested metadata element is not present");
        out = vb_domain_def_format(def, -1, 0);
        assert_non_null(strstr(out,
                "  <metadata>\n"
                "    <new:foo xmlns:new=\"http://app1.org/app1/\">\n"
                "      <x/>\n"
                "    </new:foo>\n"
                "    <k:baz xmlns:k=\"http://example.org/k\" a=\"1\">b</k:baz>\n"
                "  </metadata>\n"));

        /* description / title */
        assert_int_equal(vb_domain_def_set_metadata(def, 0, "This is the Test domain", NULL, NULL, NULL), 0);
        assert_int_equal(vb_domain_def_get_metadata(def, 0, NULL, &v, NULL), 0);
        assert_string_equal(v, "This is the Test domain");
        v = (free(v), NULL);
        assert_int_equal(vb_domain_def_set_metadata(def, 1, "", NULL, NULL, NULL), 0);
        vb_error_clear(&e);
        assert_true(vb_domain_def_get_metadata(def, 1, NULL, &v, &e) < 0);
        assert_int_equal(e.code, VB_ERR_NO_DOMAIN_METADATA);
        vb_error_clear(&e);
        assert_true(vb_domain_def_set_metadata(def, 1, "a\nb", NULL, NULL, &e) < 0);
        assert_int_equal(e.code, VB_ERR_INVALID_ARG);
        vb_error_clear(&e);
        assert_true(vb_domain_def_set_metadata(def, 2, "<a/>", NULL, "http://x/", &e) < 0);
        assert_int_equal(e.code, VB_ERR_INVALID_ARG);
        vb_error_clear(&e);
        assert_true(vb_domain_def_set_metadata(def, 2, "<a/>", "k", NULL, &e) < 0);
        vb_error_clear(&e);
        assert_true(vb_domain_def_set_metadata(def, 2, "not xml <", "k", "http://x/", &e) < 0);
        vb_error_clear(&e);
        assert_true(vb_domain_def_set_metadata(def, 7, "x", NULL, NULL, &e) < 0);
        assert_string_equal(e.message, "invalid argument: unknown metadata type");
}

static void test_metadata_empty(void **state) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = parse_case("minimal");
        _cleanup_free_ char *v = NULL, *out = NULL;

        assert_true(vb_domain_def_get_metadata(def, 2, "http://x/", &v, NULL) < 0);
        assert_int_equal(vb_domain_def_set_metadata(def, 2, "<v>1</v>", "p", "http://x/", NULL), 0);
        out = vb_domain_def_format(def, -1, 0);
        assert_non_null(strstr(out, "  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n"
                                    "  <metadata>\n"
                                    "    <p:v xmlns:p=\"http://x/\">1</p:v>\n"
                                    "  </metadata>\n"
                                    "  <memory unit='KiB'>219136</memory>\n"));
        assert_int_equal(vb_domain_def_set_metadata(def, 2, NULL, NULL, "http://x/", NULL), 0);
        free(out);
        out = vb_domain_def_format(def, -1, 0);
        assert_null(strstr(out, "metadata"));
}

static void test_limits(void **state) {
        VbBuf b = { 0 };
        _cleanup_free_ char *xml = NULL;
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;

        vb_buf_puts(&b, "<domain type='kvm'><name>many</name><memory>1024</memory>"
                        "<os><type>hvm</type></os><devices>");
        for (int i = 0; i <= VB_DOMAIN_MAX_DISKS; i++)
                vb_buf_printf(&b, "<disk><source file='/d%d'/><target dev='vd%d'/></disk>", i, i);
        vb_buf_puts(&b, "</devices></domain>");
        xml = vb_buf_steal(&b);
        assert_true(vb_domain_def_parse(xml, 0, &def, &e) < 0);
        assert_int_equal(e.code, VB_ERR_LIMIT);
        assert_non_null(strstr(e.message, "too many disks"));
}

static void test_duplicate(void **state) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        assert_true(vb_domain_def_parse("<domain type='kvm'><name>a</name><name>b</name>"
                                        "<memory>1</memory><os><type>hvm</type></os></domain>",
                                        0, &def, &e) < 0);
        assert_non_null(strstr(e.message, "duplicate <name>"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_xml2xml),
                cmocka_unit_test(test_failures),
                cmocka_unit_test(test_copy),
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_model_fields),
                cmocka_unit_test(test_format_flags),
                cmocka_unit_test(test_parse_inactive),
                cmocka_unit_test(test_metadata),
                cmocka_unit_test(test_metadata_empty),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_duplicate),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
