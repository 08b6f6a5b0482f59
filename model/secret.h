/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Secret definition (<secret>): metadata only, never the value. */
#include <stdint.h>

#include "vb-error.h"

/* Values equal to libvirt's virSecretUsageType */
typedef enum VbSecretUsageType {
        VB_SECRET_USAGE_NONE = 0,
        VB_SECRET_USAGE_VOLUME = 1,
        VB_SECRET_USAGE_CEPH = 2,
        VB_SECRET_USAGE_ISCSI = 3,
        VB_SECRET_USAGE_TLS = 4,
        VB_SECRET_USAGE_VTPM = 5,
        _VB_SECRET_USAGE_MAX,
} VbSecretUsageType;

typedef struct VbSecretDef {
        bool ephemeral;
        bool private_;          /* private='yes' */
        uint8_t uuid[16];       /* generated when absent */
        char *description;
        VbSecretUsageType usage_type;
        char *usage_id;         /* volume path, ceph name, iscsi target, tls name, vtpm name */
} VbSecretDef;

const char *vb_secret_usage_type_to_string(VbSecretUsageType t);   /* "volume", ... */
int vb_secret_usage_type_from_string(const char *s);                /* -EINVAL if unknown */

int vb_secret_def_parse(const char *xml, unsigned flags, VbSecretDef **ret, VbError *e);
char *vb_secret_def_format(const VbSecretDef *def, unsigned flags);
VbSecretDef *vb_secret_def_copy(const VbSecretDef *def);
VbSecretDef *vb_secret_def_free(VbSecretDef *def);
DEFINE_TRIVIAL_CLEANUP_FUNC(VbSecretDef *, vb_secret_def_free);
