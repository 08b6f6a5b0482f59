/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* qemu-img for the storage driver: one child at a time per command object, spawned with
 * an argv (no shell) on sd-event, its stdout+stderr collected through a pipe (bounded),
 * progress lines of `-p` ("    (12.34/100%)") reported as they arrive. Plus the pure
 * parser of `qemu-img info --output=json`. */
#include <stdint.h>
#include <systemd/sd-event.h>

#include "vb-error.h"

#define VB_QEMU_IMG "/usr/bin/qemu-img"
#define VB_STOR_CMD_OUTPUT_MAX (64U * 1024U)

typedef struct VbStorCmd VbStorCmd;

/* r = 0: exit status 0, @output = everything it printed (NUL-terminated, maybe
 * truncated at VB_STOR_CMD_OUTPUT_MAX); r = -ECANCELED: killed by vb_stor_cmd_cancel;
 * r = -EIO: failed, @output = its message (last line(s)). @c is freed afterwards. */
typedef void (*VbStorCmdDone)(VbStorCmd *c, int r, const char *output, void *userdata);
typedef void (*VbStorCmdProgress)(VbStorCmd *c, double fraction, void *userdata);

/* @fds are handed to the child as 3, 4, ... (the caller keeps its own). */
int vb_stor_cmd_run(sd_event *event, char *const *argv, const int *fds, size_t n_fds,
                    VbStorCmdProgress progress, VbStorCmdDone done, void *userdata,
                    VbStorCmd **ret, VbError *e);
/* SIGKILL; done() follows from the loop with -ECANCELED. */
void vb_stor_cmd_cancel(VbStorCmd *c);
/* Kill without calling done (driver close). NULL-safe. */
void vb_stor_cmd_abandon(VbStorCmd *c);

typedef struct VbImgInfo {
        char format[32];
        uint64_t virtual_size, actual_size;
        char *backing;            /* "backing-filename", or NULL */
        char *backing_format;     /* "backing-filename-format", or NULL */
} VbImgInfo;

void vb_img_info_clear(VbImgInfo *i);
/* -EBADMSG when @json is not an object with "format" and "virtual-size". */
int vb_img_info_parse(const char *json, VbImgInfo *ret);
/* The last "(NN.NN/100%)" in @s as 0..1, or -1 when there is none. */
double vb_img_progress_parse(const char *s);
