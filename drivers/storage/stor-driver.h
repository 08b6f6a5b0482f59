/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The storage driver of a hypervisor connection (libvirt's storage driver, `dir`
 * backend), plugged in as VbDriver.storage. Files under the connection's root:
 *   storage/<name>.xml              persistent pool definitions (0600, atomic writes)
 *   storage/autostart/<name>.xml    symlink to ../<name>.xml
 *   storage/run/<name>.xml          state of an active pool (its live definition)
 *   storage/run/autostarted         boot id of the last autostart (once per boot)
 * stor-driver.c: pool lifecycle and persistence; stor-dir.c: the directory backend
 * (build, check, scan); stor-vol.c: volumes; stor-qemuimg.c: qemu-img. */
#include <systemd/sd-event.h>

#include "driver.h"
#include "job.h"
#include "storage.h"

#define VB_STOR_VOLS_MAX 4096           /* volumes per pool, refresh stops there */
#define VB_STOR_POOL_XML_MAX (1024U * 1024U)

typedef struct VbStorDriver {
        VbConnect *conn;
        sd_event *event;
        char *dir, *autostart_dir, *run_dir;
} VbStorDriver;

typedef struct VbStorRefresh VbStorRefresh;

typedef struct VbStorWork VbStorWork;      /* stor-vol.c */

/* p->priv */
typedef struct VbStorPool {
        VbStorRefresh *refresh;         /* scan in progress */
        char **pending;                 /* names of volumes being created: files exist, objects not yet */
        unsigned n_ops;                 /* volume creations and clones running in this pool */
        VbStorWork *works;              /* every volume operation running in this pool */
} VbStorPool;

enum { VB_STOR_VOL_FILE = 0 };

VbStorDriver *vb_stor_driver_of(VbConnect *c);
VbStorPool *vb_stor_pool(VbPoolObj *p);
void vb_stor_log(const char *fmt, ...) _printf_(1, 2);
/* Writes the state file of an active pool (best effort, logged). */
void vb_stor_save_state(VbPoolObj *p);

/* stor-dir.c */
/* A volume name the dir backend accepts: what vb_name_validate allows, not "." or "..". */
int vb_stor_vol_name_check(const char *name, VbError *e);
/* @path names an entry directly inside @dir (both absolute, no "." / ".." / "//"). */
bool vb_stor_path_in_dir(const char *dir, const char *path);
int vb_stor_dir_build(const VbStoragePoolDef *def, unsigned flags, VbError *e);
int vb_stor_dir_check(const VbStoragePoolDef *def, VbError *e);
int vb_stor_dir_delete(const VbStoragePoolDef *def, VbError *e);
/* statvfs of the target into def->capacity/allocation/available. */
void vb_stor_dir_sizes(VbStoragePoolDef *def);
/* Scan the directory: volumes for its regular files, described by qemu-img info.
 * 1 = @op (may be NULL) finishes when it is done; <0 with @e. */
int vb_stor_dir_refresh(VbPoolObj *p, VbOp *op, VbError *e);
void vb_stor_dir_refresh_abandon(VbPoolObj *p);
/* A new volume definition for file @name of pool @p (key = path = <target>/<name>). */
VbStorageVolDef *vb_stor_vol_def_new(VbPoolObj *p, const char *name, const char *format,
                                     uint64_t capacity, uint64_t allocation);

/* stor-vol.c */
int vb_stor_vol_create_xml(VbPoolObj *p, const char *xml, unsigned flags, VbOp *op, VbVolObj **ret,
                           VbError *e);
int vb_stor_vol_create_xml_from(VbPoolObj *p, const char *xml, VbVolObj *src, unsigned flags, VbOp *op,
                                VbError *e);
int vb_stor_vol_delete(VbVolObj *v, unsigned flags, VbError *e);
int vb_stor_vol_get_info(VbVolObj *v, unsigned flags, VbVolInfo *ret, VbError *e);
int vb_stor_vol_get_xml_desc(VbVolObj *v, unsigned flags, char **ret, VbError *e);
int vb_stor_vol_resize_op(VbVolObj *v, uint64_t capacity, unsigned flags, VbOp *op, VbError *e);
int vb_stor_vol_wipe(VbVolObj *v, unsigned algorithm, unsigned flags, VbOp *op, VbError *e);
int vb_stor_vol_upload(VbVolObj *v, int fd, uint64_t offset, uint64_t length, unsigned flags, VbJob **ret,
                       VbError *e);
int vb_stor_vol_download(VbVolObj *v, int fd, uint64_t offset, uint64_t length, unsigned flags, VbJob **ret,
                         VbError *e);
/* Stop the work running in @p without callbacks, removing partial files (driver close). */
void vb_stor_vols_abandon(VbPoolObj *p);
/* A volume for an existing file leaves the registry (events, priv freed). */
void vb_stor_vol_remove(VbVolObj *v);

extern const VbStorageOps vb_stor_ops;
