/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Storage pool (<pool>) and volume (<volume>) definitions in libvirt's layout. */
#include <stdint.h>
#include <sys/types.h>

#include "vb-error.h"

typedef struct VbStoragePerms {
        long mode;              /* -1 = unset, else octal mode */
        long owner, group;      /* -1 = unset */
        char *label;
} VbStoragePerms;

typedef struct VbPoolSourceHost {
        char *name;
        unsigned port;          /* 0 = unset */
} VbPoolSourceHost;

typedef struct VbStoragePoolDef {
        char *type;             /* dir, fs, netfs, logical, disk, iscsi, scsi, mpath, rbd, ... */
        char *name;
        uint8_t uuid[16];
        uint64_t capacity, allocation, available;   /* bytes, runtime */
        VbPoolSourceHost *hosts;
        size_t n_hosts;
        char **devices;         /* NULL-terminated source device paths */
        char *source_dir;
        char *source_name;
        char *source_format;    /* <format type=> (defaults by pool type) */
        char *source_extra_xml; /* adapter, initiator, auth, vendor, product...: kept */
        char *target_path;
        VbStoragePerms perms;
        char *extra_xml;        /* <features>, <refresh>, namespaces: kept */
} VbStoragePoolDef;

typedef struct VbStorageVolDef {
        char *type;             /* file, block, dir, network, netdir, ploop */
        char *name;
        char *key;
        uint64_t capacity;      /* bytes */
        uint64_t allocation;    /* bytes (== capacity when not given) */
        bool has_allocation;    /* <allocation> was given */
        uint64_t physical;      /* 0 = not shown */
        char *target_path;
        char *target_format;    /* raw, qcow2... ("raw" when not given); NULL = no <format> */
        VbStoragePerms perms;
        char *target_extra_xml; /* compat, features, nocow, encryption, timestamps: kept */
        char *backing_path;
        char *backing_format;
        char *source_extra_xml; /* <source> children (extents): kept */
        char *extra_xml;
} VbStorageVolDef;

int vb_pool_def_parse(const char *xml, unsigned flags, VbStoragePoolDef **ret, VbError *e);
char *vb_pool_def_format(const VbStoragePoolDef *def, unsigned flags);
VbStoragePoolDef *vb_pool_def_copy(const VbStoragePoolDef *def);
VbStoragePoolDef *vb_pool_def_free(VbStoragePoolDef *def);
DEFINE_TRIVIAL_CLEANUP_FUNC(VbStoragePoolDef *, vb_pool_def_free);
/* Whether libvirt knows @type as a pool type. */
bool vb_pool_type_is_valid(const char *type);

int vb_vol_def_parse(const char *xml, unsigned flags, VbStorageVolDef **ret, VbError *e);
char *vb_vol_def_format(const VbStorageVolDef *def, unsigned flags);
VbStorageVolDef *vb_vol_def_copy(const VbStorageVolDef *def);
VbStorageVolDef *vb_vol_def_free(VbStorageVolDef *def);
DEFINE_TRIVIAL_CLEANUP_FUNC(VbStorageVolDef *, vb_vol_def_free);
