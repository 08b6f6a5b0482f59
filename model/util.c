/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "util.h"

static void oom(void) {
        /* Short internal strings only: running out here leaves no sane recovery. */
        abort();
}

char *vb_strdup(const char *s) {
        char *r;
        if (!s)
                return NULL;
        r = strdup(s);
        if (!r)
                oom();
        return r;
}

void *vb_calloc(size_t n, size_t size) {
        void *p = calloc(n ? n : 1, size);
        if (!p)
                oom();
        return p;
}

void *vb_memdup(const void *p, size_t n) {
        void *r = malloc(n ? n : 1);
        if (!r)
                oom();
        return memcpy(r, p, n);
}

char *vb_strdupf(const char *fmt, ...) {
        va_list ap;
        char *r;
        va_start(ap, fmt);
        if (vasprintf(&r, fmt, ap) < 0)
                oom();
        va_end(ap);
        return r;
}

int vb_strdup_replace(char **dst, const char *src) {
        char *n = NULL;
        if (src) {
                n = strdup(src);
                if (!n)
                        return -ENOMEM;
        }
        free(*dst);
        *dst = n;
        return 0;
}
