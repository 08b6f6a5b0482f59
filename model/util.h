/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Small helpers shared by every layer: cleanup attributes, ownership moves. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

static inline void freep(void *p) { free(*(void **)p); }
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }
#define _cleanup_close_ _cleanup_(closep)

#define TAKE_PTR(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define TAKE_FD(fd) ({ int _t = (fd); (fd) = -1; _t; })
#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                  \
        static inline void func##p(type *p) { if (*p) func(*p); }

static inline bool streq(const char *a, const char *b) { return strcmp(a, b) == 0; }
static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b) return a == b;
        return strcmp(a, b) == 0;
}
static inline bool isempty(const char *s) { return !s || !*s; }
static inline const char *strempty(const char *s) { return s ? s : ""; }
/* "" on the wire stands for "not given" in libvirt-dbus's optional strings */
static inline const char *empty_to_null(const char *s) { return isempty(s) ? NULL : s; }

/* Replace *dst with a copy of src (NULL allowed). Returns 0 or -ENOMEM. */
int vb_strdup_replace(char **dst, const char *src);
/* calloc and a copy of @n bytes that abort on OOM, like vb_strdup(): for the models' own
 * small structures. vb_calloc() never returns NULL, not even for @n == 0. */
void *vb_calloc(size_t n, size_t size);
void *vb_memdup(const void *p, size_t n);
/* NULL-safe strdup that aborts on OOM: used for short internal strings only. */
char *vb_strdup(const char *s);
/* asprintf that aborts on OOM. */
char *vb_strdupf(const char *fmt, ...) _printf_(1, 2);
