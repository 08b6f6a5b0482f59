/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
#include <stddef.h>

typedef struct VbAcl {
        const char *interface;
        const char *member;
        const char *object;
        const char *perm;
        const char *perm2;
        unsigned secure_flag;
} VbAcl;

const VbAcl *vb_acl_lookup(const char *interface, const char *member);
const VbAcl *vb_acl_table(size_t *n);
char *vb_acl_action_id(const char *object, const char *perm);
