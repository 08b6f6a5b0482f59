/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure pieces of drivers/storage: `qemu-img info --output=json` parsing against
 * recorded outputs (tests/data/qemu-img-info), the progress of `qemu-img convert -p`,
 * volume name checks and the confinement of volume paths to their pool directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "qemu/qemu-status.h"
#include "storage/stor-driver.h"
#include "storage/stor-qemuimg.h"

#define DATA "tests/data/qemu-img-info/"

static char *load(const char *name) {
        _cleanup_free_ char *path = vb_strdupf(DATA "%s", name);
        char *s = NULL;
        assert_int_equal(vb_qemu_read_file(path, 65536, &s), 0);
        return s;
}

static void test_info_raw(void **state) {
        _cleanup_free_ char *json = load("raw.json");
        VbImgInfo i;

        assert_int_equal(vb_img_info_parse(json, &i), 0);
        assert_string_equal(i.format, "raw");
        assert_int_equal(i.virtual_size, 3 * 1024 * 1024);
        assert_null(i.backing);
        vb_img_info_clear(&i);
}

static void test_info_qcow2(void **state) {
        _cleanup_free_ char *json = load("qcow2.json");
        VbImgInfo i;

        assert_int_equal(vb_img_info_parse(json, &i), 0);
        assert_string_equal(i.format, "qcow2");
        assert_int_equal(i.virtual_size, 24 * 1024 * 1024);
        assert_true(i.actual_size > 0);
        assert_null(i.backing);
        vb_img_info_clear(&i);
}

static void test_info_overlay(void **state) {
        _cleanup_free_ char *json = load("overlay.json");
        VbImgInfo i;

        assert_int_equal(vb_img_info_parse(json, &i), 0);
        assert_string_equal(i.format, "qcow2");
        assert_string_equal(i.backing, "/tmp/rec.raw");
        assert_string_equal(i.backing_format, "raw");
        vb_img_info_clear(&i);
}

static void test_info_bad(void **state) {
        _cleanup_free_ char *no_size = load("bad-no-size.json"), *text = load("bad-text.json");
        VbImgInfo i = { 0 };

        assert_int_equal(vb_img_info_parse(no_size, &i), -EBADMSG);
        assert_int_equal(vb_img_info_parse(text, &i), -EBADMSG);
        assert_int_equal(vb_img_info_parse(NULL, &i), -EBADMSG);
        assert_int_equal(vb_img_info_parse("[1, 2]", &i), -EBADMSG);
        assert_int_equal(vb_img_info_parse("{\"format\": \"raw\", \"virtual-size\": -1}", &i), -EBADMSG);
        assert_int_equal(vb_img_info_parse("{\"format\": \"an-overlong-format-name-of-40-chars\", "
                                           "\"virtual-size\": 1}", &i), -EBADMSG);
        assert_null(i.backing);
}

static void test_progress(void **state) {
        _cleanup_free_ char *out = load("convert-progress.txt");

        /* the last complete value counts, not the cut-off one after it */
        assert_float_equal(vb_img_progress_parse(out), 0.425, 1e-9);
        assert_float_equal(vb_img_progress_parse("    (100.00/100%)\r\n"), 1.0, 1e-9);
        assert_float_equal(vb_img_progress_parse("no progress here"), -1, 0);
        assert_float_equal(vb_img_progress_parse("(12.5/100"), -1, 0);
        assert_float_equal(vb_img_progress_parse(NULL), -1, 0);
}

static void test_names(void **state) {
        assert_int_equal(vb_stor_vol_name_check("disk.qcow2", NULL), 0);
        assert_int_equal(vb_stor_vol_name_check(".hidden", NULL), 0);
        assert_true(vb_stor_vol_name_check(".", NULL) < 0);
        assert_true(vb_stor_vol_name_check("..", NULL) < 0);
        assert_true(vb_stor_vol_name_check("../x", NULL) < 0);
        assert_true(vb_stor_vol_name_check("a/b", NULL) < 0);
        assert_true(vb_stor_vol_name_check("", NULL) < 0);
        assert_true(vb_stor_vol_name_check("tab\there", NULL) < 0);
}

static void test_confinement(void **state) {
        assert_true(vb_stor_path_in_dir("/pool", "/pool/a.img"));
        assert_true(vb_stor_path_in_dir("/pool/", "/pool/a.img"));
        assert_false(vb_stor_path_in_dir("/pool", "/pool"));
        assert_false(vb_stor_path_in_dir("/pool", "/pool/"));
        assert_false(vb_stor_path_in_dir("/pool", "/pool/../etc/passwd"));
        assert_false(vb_stor_path_in_dir("/pool", "/pool/.."));
        assert_false(vb_stor_path_in_dir("/pool", "/pool/."));
        assert_false(vb_stor_path_in_dir("/pool", "/pool/sub/a.img"));
        assert_false(vb_stor_path_in_dir("/pool", "/poolx/a.img"));
        assert_false(vb_stor_path_in_dir("/pool", "/other/a.img"));
        assert_false(vb_stor_path_in_dir("/pool", "pool/a.img"));
        assert_false(vb_stor_path_in_dir("pool", "pool/a.img"));
        assert_false(vb_stor_path_in_dir(NULL, "/pool/a"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_info_raw),
                cmocka_unit_test(test_info_qcow2),
                cmocka_unit_test(test_info_overlay),
                cmocka_unit_test(test_info_bad),
                cmocka_unit_test(test_progress),
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_confinement),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
