/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "data-test.h"
#include "util.h"
#include "xml-keep.h"

char *vb_data_read_path(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf;
        long n;

        if (!f)
                return NULL;
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        rewind(f);
        buf = calloc(1, (size_t) n + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t) n, f), (size_t) n);
        fclose(f);
        return buf;
}

char *vb_data_read(const char *dir, const char *name, const char *suffix) {
        _cleanup_free_ char *path = vb_strdupf("%s%s%s", dir, name, suffix);
        return vb_data_read_path(path);
}

void vb_data_write_path(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

static bool regenerate(void) {
        const char *v = getenv("VB_TEST_REGENERATE");
        return v && *v && !streq(v, "0");
}

VbDataCase vb_data_case(const char *dir, const char *name) {
        VbDataCase c = {
                .dir = dir,
                .name = name,
                .input = vb_data_read(dir, name, ".xml"),
                .want_err = vb_data_read(dir, name, ".err"),
        };

        if (!c.input)
                fail_msg("%s: missing %s%s.xml", name, dir, name);
        if (c.want_err)
                vb_strstrip(c.want_err);
        return c;
}

void vb_data_case_done(VbDataCase *c) {
        free(c->input);
        free(c->want_err);
        c->input = c->want_err = NULL;
}

bool vb_data_case_failed(const VbDataCase *c, int r, const char *message) {
        if (!c->want_err) {
                if (r < 0)
                        fail_msg("%s: unexpected failure: %s", c->name, strempty(message));
                return false;
        }
        if (r >= 0)
                fail_msg("%s: succeeded, expected an error with '%s'", c->name, c->want_err);
        if (!message || !strstr(message, c->want_err))
                fail_msg("%s: error '%s' does not contain '%s'", c->name, strempty(message),
                         c->want_err);
        return true;
}

void vb_data_case_compare(const VbDataCase *c, const char *suffix, const char *got,
                          const char *fallback) {
        _cleanup_free_ char *path = vb_strdupf("%s%s%s", c->dir, c->name, suffix);
        _cleanup_free_ char *file = vb_data_read(c->dir, c->name, suffix);
        const char *want = file ? file : fallback;

        if (regenerate()) {
                /* the file is kept only where it says more than the fallback */
                if (got && !streq_ptr(got, fallback))
                        vb_data_write_path(path, got);
                else
                        (void) unlink(path);
                return;
        }
        if (!got && want)
                fail_msg("%s: %s exists but nothing is generated", c->name, path);
        if (got && !want)
                fail_msg("%s: missing %s (VB_TEST_REGENERATE=1 writes it); got:\n%s",
                         c->name, path, got);
        if (got && !streq(got, want)) {
                fprintf(stderr, "### %s: expected (%s):\n%s\n### actual:\n%s\n",
                        c->name, file ? path : "the input", want, got);
                fail_msg("%s: output differs from %s", c->name, file ? path : "the input");
        }
}
