/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VbBuf: its own %s/%d/%u formatting must give what snprintf gives, also where it
 * hands the rest of a format to vsnprintf; escaping and indentation. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "util.h"
#include "xml-util.h"

#define CHECK(fmt, ...) do {                                            \
                _cleanup_vb_buf_ VbBuf b = { 0 };                       \
                char want[512];                                         \
                vb_buf_puts(&b, "pre:");                                \
                vb_buf_printf(&b, fmt, __VA_ARGS__);                    \
                snprintf(want, sizeof(want), "pre:" fmt, __VA_ARGS__);  \
                assert_string_equal(b.data, want);                      \
                assert_int_equal(b.len, strlen(want));                  \
        } while (0)

static void test_printf(void **state) {
        CHECK("%s", "plain");
        CHECK("<a x='%s'>%s</a>", "1", "");
        CHECK("%d %d %d %d", 0, -1, INT_MAX, INT_MIN);
        CHECK("%u %u", 0u, UINT_MAX);
        CHECK("%ld %lu %lld %llu %zu", LONG_MIN, ULONG_MAX, LLONG_MIN, ULLONG_MAX, (size_t) 4096);
        CHECK("100%% %s", "done");
        /* handed to vsnprintf after the first conversions it does not do itself */
        CHECK("%s %d %04x %s %lo", "a", 7, 255u, "tail", 0755ul);
        CHECK("%-5s|%5d|%.2s", "ab", 42, "xyz");
        CHECK("%s", "a long string that does not fit the first 64 bytes a buffer has room for, at all");
}

static void test_escape_indent(void **state) {
        _cleanup_vb_buf_ VbBuf b = { 0 };
        vb_buf_indent(&b, 2);
        vb_buf_elem(&b, "name", "a<b>&'c\"d");
        vb_buf_line(&b, "<x n='%u'/>", 3u);
        vb_buf_indent(&b, -4);
        vb_buf_line(&b, "%s", "end");
        assert_string_equal(b.data, "  <name>a&lt;b&gt;&amp;&apos;c&quot;d</name>\n  <x n='3'/>\nend\n");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_printf),
                cmocka_unit_test(test_escape_indent),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
