/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Volume upload and download (virStorageVolUpload/Download): bytes copied between a
 * caller's file descriptor and a volume's seekable backing fd, on sd-event, as a
 * VbJob (progress, Cancel). The caller's side is read/written non-blocking through
 * io sources (regular files, which epoll refuses, through an idle defer source), a
 * bounded buffer at a time, so the loop never blocks. Any backend whose volumes
 * have a seekable fd can use it. */
#include "job.h"

#define VB_VOL_STREAM_CHUNK (256U * 1024U)       /* the buffer, and one read/write */
#define VB_VOL_STREAM_CHUNKS_PER_RUN 4           /* per dispatch: others get their turn */

typedef enum VbVolStreamDir {
        VB_VOL_UPLOAD,          /* caller's fd → volume */
        VB_VOL_DOWNLOAD,        /* volume → caller's fd */
} VbVolStreamDir;

/* Called once when the copy is over, before the job's Finished: r = 0, -ECANCELED or
 * another negative errno. The backend releases the volume here (v->job = NULL). */
typedef void (*VbVolStreamEnd)(void *userdata, int r);

/* Checks offset/length against @capacity (length 0 = to the end of the volume, or on
 * upload until EOF), and @peer_fd (must be a regular file, pipe, socket or character
 * device open in the right direction; the caller keeps its own copy). On success the
 * copy runs: *ret = the job (v->job is set), and @vol_fd, @peer_fd are duplicated.
 * Nothing changes when it fails. */
int vb_vol_stream_start(VbVolObj *v, const char *operation, VbVolStreamDir dir, int peer_fd, int vol_fd,
                        uint64_t capacity, uint64_t offset, uint64_t length, VbVolStreamEnd end,
                        void *userdata, VbJob **ret, VbError *e);
