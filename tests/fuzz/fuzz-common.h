/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Shared by the libFuzzer targets: the input as a C string, a check that makes
 * libFuzzer save the input, and the parse → format → reparse → format round trip
 * every model parser must survive. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vb-error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property every input must keep: report it and abort(), which libFuzzer
 * turns into a saved crash-* reproducer. */
#define FUZZ_CHECK(cond, ...)                                                   \
        do {                                                                    \
                if (!(cond)) {                                                  \
                        fprintf(stderr, "fuzz check failed: %s: ", #cond);      \
                        fprintf(stderr, __VA_ARGS__);                           \
                        fputc('\n', stderr);                                    \
                        abort();                                                \
                }                                                               \
        } while (0)

/* The input up to its first NUL byte, NUL-terminated (malloc'ed; aborts on OOM). */
char *fuzz_string(const uint8_t *data, size_t size);

typedef struct FuzzModel {
        const char *kind;
        int (*parse)(const char *xml, unsigned flags, void **ret, VbError *e);
        char *(*format)(const void *def, unsigned flags);
        void *(*copy)(const void *def);
        void (*free)(void *def);
} FuzzModel;

/* Typed wrappers around one model's parse/format/copy/free. */
#define FUZZ_MODEL(name, Type, parse_fn, format_fn, copy_fn, free_fn)                   \
        static int name##_parse(const char *x, unsigned f, void **ret, VbError *e) {    \
                Type *d = NULL;                                                         \
                int r = parse_fn(x, f, &d, e);                                          \
                *ret = d;                                                               \
                return r;                                                               \
        }                                                                               \
        static char *name##_format(const void *d, unsigned f) {                         \
                return format_fn((const Type *) d, f);                                  \
        }                                                                               \
        static void *name##_copy(const void *d) {                                       \
                return copy_fn((const Type *) d);                                       \
        }                                                                               \
        static void name##_free(void *d) {                                              \
                free_fn((Type *) d);                                                    \
        }                                                                               \
        static const FuzzModel name = {                                                 \
                #name, name##_parse, name##_format, name##_copy, name##_free,           \
        }

#define FUZZ_NO_REPARSE (~0u)

/* Parse @xml with @parse_flags. A refusal must carry a message. An accepted
 * document is formatted with @format_flags; a copy must format the same; unless
 * @reparse_flags is FUZZ_NO_REPARSE, the output must parse again (with
 * @reparse_flags) and format to the same text. */
void fuzz_roundtrip(const FuzzModel *m, const char *xml, unsigned parse_flags,
                    unsigned format_flags, unsigned reparse_flags);
