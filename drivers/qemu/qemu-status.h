/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Files of the QEMU driver: runtime status per running domain (run/<name>.status:
 * what a restarted daemon needs to find the same QEMU process again) and the atomic
 * write every persistent file goes through. No bus, no event loop. */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "vb-error.h"

#define VB_QEMU_STATUS_MAX (2U * 1024U * 1024U)  /* one status file, XML included */

typedef struct VbQemuStatus {
        char *name;
        pid_t pid;
        uint64_t start_time;       /* /proc/<pid>/stat field 22 */
        char *monitor;             /* QMP socket path */
        char *run_dir;             /* the instance's runtime directory */
        int id;                    /* domain id */
        int state, reason;         /* last known virDomainState and reason */
        bool starting;             /* never got past startup: kill it on reattach */
        bool got_shutdown;         /* QEMU reported SHUTDOWN */
        char *xml;                 /* live definition */
} VbQemuStatus;

VbQemuStatus *vb_qemu_status_free(VbQemuStatus *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(VbQemuStatus *, vb_qemu_status_free);

/* <dir>/<name>.status, written atomically. */
int vb_qemu_status_write(const char *dir, const VbQemuStatus *s, VbError *e);
/* Parses one status file; -EBADMSG (with @e) when it is not one of ours. */
int vb_qemu_status_read(const char *path, VbQemuStatus **ret, VbError *e);
int vb_qemu_status_remove(const char *dir, const char *name);

/* Write @data to @path through a temporary file in the same directory: write, fsync,
 * chmod @mode, rename, fsync the directory. Readers see the old or the new content. */
int vb_qemu_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode);
/* Read a whole file of at most @max bytes (-EFBIG beyond), NUL-terminated. */
int vb_qemu_read_file(const char *path, size_t max, char **ret);

/* The entries of a directory but "." and "..", sorted by strcmp(): a deterministic order
 * that needs no locale (alphasort() compares with strcoll()). A missing directory is an
 * empty list. */
typedef struct VbQemuDirEntry {
        char *name;
        unsigned char type;        /* d_type: DT_REG, DT_DIR, DT_LNK, ... or DT_UNKNOWN */
} VbQemuDirEntry;

typedef struct VbQemuDirList {
        VbQemuDirEntry *entries;
        size_t n;
} VbQemuDirList;

int vb_qemu_dir_list(const char *path, VbQemuDirList *ret);
bool vb_qemu_dir_list_has(const VbQemuDirList *l, const char *name);
void vb_qemu_dir_list_done(VbQemuDirList *l);
/* Read @name in @dirfd, a regular file of at most @max bytes, into *@buf (NUL-terminated;
 * *@size bytes allocated, grown as needed and kept for the next file). For many files in
 * a row: open, read, close, nothing else. -ELOOP for a link, -EISDIR/-EBADFD and the like
 * for what is not a regular file, -EFBIG beyond @max. */
int vb_qemu_read_file_at(int dirfd, const char *name, size_t max, char **buf, size_t *size);

/* libvirt autostarts once per host boot, not at every daemon start: true (and the
 * marker <run_dir>/autostarted now holds this boot's id) the first time in a boot,
 * false after. Unreadable boot id: true (a missed autostart is worse). */
bool vb_qemu_autostart_due(const char *run_dir);
/* mkdir -p with @mode for what is created. */
int vb_qemu_mkdir_p(const char *path, mode_t mode);
/* Remove the regular files and sockets directly inside @dir, then @dir. */
int vb_qemu_rm_dir_flat(const char *dir);
