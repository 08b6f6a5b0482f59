/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The runner the data-driven unit tests share: a case NAME lives in one directory as
 * NAME.xml (the input), NAME.err (a part of the error the run must fail with) and the
 * expected outputs NAME.SUFFIX. VB_TEST_REGENERATE=1 rewrites the expected outputs
 * instead of comparing them. Failures go through cmocka (fail_msg). */
#pragma once

#include <stdbool.h>

typedef struct VbDataCase {
        const char *dir;        /* with its trailing '/' */
        const char *name;
        char *input;            /* DIR/NAME.xml */
        char *want_err;         /* DIR/NAME.err, stripped; NULL when the run must succeed */
} VbDataCase;

/* The whole file, or NULL when there is no such file. */
char *vb_data_read_path(const char *path);
void vb_data_write_path(const char *path, const char *text);
/* DIR/NAME.SUFFIX, or NULL when there is no such file. */
char *vb_data_read(const char *dir, const char *name, const char *suffix);

/* Opens case NAME of DIR: its input must exist. */
VbDataCase vb_data_case(const char *dir, const char *name);
void vb_data_case_done(VbDataCase *c);

/* The run of the case returned @r with @message. With NAME.err it must have failed
 * with a message holding that text: returns true, the case is over. Without, it must
 * have succeeded: returns false, compare its outputs. */
bool vb_data_case_failed(const VbDataCase *c, int r, const char *message);

/* @got against NAME.SUFFIX. A missing file stands for @fallback: the input for an output
 * that is often the same, NULL for an output that may not be made at all (@got NULL). */
void vb_data_case_compare(const VbDataCase *c, const char *suffix, const char *got,
                          const char *fallback);
