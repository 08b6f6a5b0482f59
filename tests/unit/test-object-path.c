/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Path codec: libvirt-dbus's vectors, every byte value, UUID labels, malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "object-path.h"
#include "util.h"
#include "xml-util.h"

static void check_encode(const char *in, const char *want) {
        _cleanup_free_ char *enc = vb_label_encode(in);
        _cleanup_free_ char *dec = NULL;
        assert_string_equal(enc, want);
        dec = vb_label_decode(enc);
        assert_non_null(dec);
        assert_string_equal(dec, in);
}

static void test_vectors(void **state) {
        check_encode("foobar", "foobar");
        check_encode("_", "_5f");
        check_encode("/path/to/some/file.img", "_2fpath_2fto_2fsome_2ffile_2eimg");
        check_encode("scsi_host2", "scsi_5fhost2");
        check_encode("aa:bb:cc:dd:ee:ff", "aa_3abb_3acc_3add_3aee_3aff");
        check_encode("my_snapshot", "my_5fsnapshot");
        check_encode("1leading-digit", "1leading_2ddigit");   /* unlike sd_bus_path_encode */
        check_encode("", "");
}

static void test_every_byte(void **state) {
        for (int b = 1; b < 256; b++) {
                char in[2] = { (char) b, 0 }, want[4];
                bool plain = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9');
                if (plain)
                        snprintf(want, sizeof(want), "%c", b);
                else
                        snprintf(want, sizeof(want), "_%02x", b);
                check_encode(in, want);
        }
}

static void test_decode_malformed(void **state) {
        static const char *const bad[] = { "_", "_4", "_zz", "_4G", "_4F", "a-b", "a.b", "_00", "x/y", "é" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *d = vb_label_decode(bad[i]);
                if (d)
                        fail_msg("decoded '%s' to '%s'", bad[i], d);
        }
}

static void test_uuid_label(void **state) {
        uint8_t u[16], v[16];
        char label[38];
        assert_int_equal(vb_uuid_parse("6695eb01-f6a4-8304-79aa-97f2502e193f", u), 0);
        vb_uuid_label(u, label);
        assert_string_equal(label, "_6695eb01_f6a4_8304_79aa_97f2502e193f");
        assert_int_equal(vb_uuid_label_parse(label, v), 0);
        assert_memory_equal(u, v, 16);
        assert_true(vb_uuid_label_parse("6695eb01_f6a4_8304_79aa_97f2502e193f", v) < 0);
        assert_true(vb_uuid_label_parse("_6695eb01_f6a4_8304_79aa_97f2502e193", v) < 0);
        assert_true(vb_uuid_label_parse("_6695EB01_f6a4_8304_79aa_97f2502e193f", v) < 0);
        assert_true(vb_uuid_label_parse("_6695eb01f_6a4_8304_79aa_97f2502e193f", v) < 0);
        assert_true(vb_uuid_label_parse("_6695eb01_f6a4_8304_79aa_97f2502e193g", v) < 0);
        assert_true(vb_uuid_label_parse("_6695eb01_f6a4_8304_79aa_97f2502e193f0", v) < 0);
        assert_true(vb_uuid_label_parse("_6695eb01-f6a4-8304-79aa-97f2502e193f", v) < 0);
        assert_true(vb_uuid_label_parse("_6695eb01_f6a4_8304_79aa__7f2502e193f", v) < 0);
        assert_true(vb_uuid_label_parse("_", v) < 0);
        assert_true(vb_uuid_label_parse("", v) < 0);
        assert_true(vb_uuid_label_parse(NULL, v) < 0);
        /* every byte value, both nibbles */
        for (unsigned b = 0; b < 256; b++) {
                memset(u, (int) b, 16);
                vb_uuid_label(u, label);
                assert_int_equal(vb_uuid_label_parse(label, v), 0);
                assert_memory_equal(u, v, 16);
        }
}

static void test_child_label(void **state) {
        assert_string_equal(vb_path_child_label("/org/libvirt/Test/domain/_x", "/org/libvirt/Test/domain"), "_x");
        assert_null(vb_path_child_label("/org/libvirt/Test/domain", "/org/libvirt/Test/domain"));
        assert_null(vb_path_child_label("/org/libvirt/Test/domain/", "/org/libvirt/Test/domain"));
        assert_null(vb_path_child_label("/org/libvirt/Test/domain/a/b", "/org/libvirt/Test/domain"));
        assert_null(vb_path_child_label("/org/libvirt/Test/domainx/a", "/org/libvirt/Test/domain"));
}

static void test_uuid_parse_forms(void **state) {
        uint8_t a[16], b[16];
        char s[37];
        /* libvirt accepts the dashless form the conformance suite's network XML uses */
        assert_int_equal(vb_uuid_parse("004b96e12d78c30f5aa5f03c87d21e69", a), 0);
        assert_int_equal(vb_uuid_parse("004b96e1-2d78-c30f-5aa5-f03c87d21e69", b), 0);
        assert_memory_equal(a, b, 16);
        vb_uuid_format(a, s);
        assert_string_equal(s, "004b96e1-2d78-c30f-5aa5-f03c87d21e69");
        assert_true(vb_uuid_parse("004b96e1", a) < 0);
        assert_true(vb_uuid_parse("004b96e12d78c30f5aa5f03c87d21e6900", a) < 0);
        assert_true(vb_uuid_parse("zz4b96e12d78c30f5aa5f03c87d21e69", a) < 0);
        assert_true(vb_uuid_parse("", a) < 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vectors),
                cmocka_unit_test(test_every_byte),
                cmocka_unit_test(test_decode_malformed),
                cmocka_unit_test(test_uuid_label),
                cmocka_unit_test(test_child_label),
                cmocka_unit_test(test_uuid_parse_forms),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
