/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "fuzz-common.h"

char *fuzz_string(const uint8_t *data, size_t size) {
        size_t n = strnlen((const char *) data, size);
        char *s = malloc(n + 1);

        if (!s)
                abort();
        memcpy(s, data, n);
        s[n] = 0;
        return s;
}

static void check_refusal(const FuzzModel *m, int r, const VbError *e) {
        FUZZ_CHECK(r < 0 && e->code != VB_ERR_OK && e->message && e->message[0],
                   "%s: refused (r=%d) without an error message", m->kind, r);
}

void fuzz_roundtrip(const FuzzModel *m, const char *xml, unsigned parse_flags,
                    unsigned format_flags, unsigned reparse_flags) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *out = NULL, *out_copy = NULL, *out2 = NULL;
        void *def = NULL, *copy, *def2 = NULL;
        int r;

        r = m->parse(xml, parse_flags, &def, &e);
        if (r < 0) {
                check_refusal(m, r, &e);
                FUZZ_CHECK(!def, "%s: refused but returned a definition", m->kind);
                return;
        }
        FUZZ_CHECK(def, "%s: accepted but returned no definition", m->kind);
        out = m->format(def, format_flags);
        FUZZ_CHECK(out, "%s: accepted document does not format", m->kind);

        copy = m->copy(def);
        FUZZ_CHECK(copy, "%s: copy failed", m->kind);
        out_copy = m->format(copy, format_flags);
        m->free(copy);
        FUZZ_CHECK(out_copy && strcmp(out, out_copy) == 0,
                   "%s: the copy formats differently\n--- original\n%s\n--- copy\n%s",
                   m->kind, out, out_copy);
        m->free(def);
        if (reparse_flags == FUZZ_NO_REPARSE)
                return;

        r = m->parse(out, reparse_flags, &def2, &e);
        FUZZ_CHECK(r >= 0, "%s: own output does not parse again: %s\n--- input\n%s\n--- output\n%s",
                   m->kind, e.message, xml, out);
        out2 = m->format(def2, format_flags);
        m->free(def2);
        FUZZ_CHECK(out2 && strcmp(out, out2) == 0,
                   "%s: format is not stable across a reparse\n--- input\n%s\n--- first\n%s\n--- second\n%s",
                   m->kind, xml, out, out2);
}
