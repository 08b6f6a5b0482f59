/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Save image files (qemu-save-image.c): a small header with the domain XML, then
 * QEMU's migration stream. */
#include <stdbool.h>
#include <stdint.h>

#include "util.h"
#include "vb-error.h"

typedef struct VbSaveImage {
        int fd;                 /* positioned at the migration stream */
        char *xml;
        bool was_running;
        uint64_t data_size;     /* bytes of migration stream */
} VbSaveImage;

#define VB_SAVE_IMAGE_NULL ((VbSaveImage) { .fd = -1 })

/* Absolute, canonical, no control characters; an existing file must be a regular
 * file (not a symlink); @must_exist: it must be there. */
int vb_qemu_image_check_path(const char *path, bool must_exist, VbError *e);
int vb_qemu_image_write_header(int fd, const char *xml, bool was_running, VbError *e);
int vb_qemu_image_open(const char *path, VbSaveImage *ret, VbError *e);
void vb_save_image_clear(VbSaveImage *img);
