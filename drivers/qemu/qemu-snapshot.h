/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Internal qcow2 snapshots of the QEMU driver (qemu-snapshot.c: the DomainSnapshot
 * operations and their metadata; qemu-snapshot-run.c: how QEMU or qemu-img does the
 * work). Metadata: <root>/QEMU/snapshot/<domain>/<snapshot>.xml, written atomically. */
#include "qemu-driver.h"
#include "xml-keep.h"   /* vb_strv_free */

/* Called exactly once from the event loop (never from the starting call): r = 0, or
 * r < 0 with @error (QEMU's or qemu-img's message, may be NULL). */
typedef void (*VbSnapRunDone)(void *userdata, int r, const char *error);

/* Issue QMP @cmd (a job command) with @args (taken; "job-id" is added) on the
 * running QEMU of @d and poll query-jobs until the job concluded, then dismiss it. */
int vb_qemu_snap_qmp_job(VbDomainObj *d, const char *cmd, json_object *args, VbSnapRunDone done,
                         void *userdata);
/* `qemu-img snapshot @op @name FILE` for each of @files (taken on success), in order. */
int vb_qemu_snap_img(sd_event *event, const char *op, const char *name, char **files, VbSnapRunDone done,
                     void *userdata, VbError *e);
