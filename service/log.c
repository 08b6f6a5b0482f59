/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static bool verbose;

void vb_log_set_verbose(bool v) {
        verbose = v;
}

static void logv(const char *level, const char *fmt, va_list ap) {
        fprintf(stderr, "virtbusd: %s", level);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
}

void vb_log_debug(const char *fmt, ...) {
        va_list ap;
        if (!verbose)
                return;
        va_start(ap, fmt);
        logv("", fmt, ap);
        va_end(ap);
}

void vb_log_info(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        logv("", fmt, ap);
        va_end(ap);
}

int vb_log_error(int r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        logv("error: ", fmt, ap);
        va_end(ap);
        return r;
}
