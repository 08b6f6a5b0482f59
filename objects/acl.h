/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The one table mapping every org.libvirt method (and property access) to libvirt's ACL
 * permissions, i.e. to polkit actions org.libvirt.api.<object>.<perm>. The mapping follows
 * the @acl annotations of libvirt's remote protocol for the libvirt API each method wraps.
 * Pure data: no sd-bus, no polkit; handlers turn permissions into vb_polkit_check() calls. */
#include <stdbool.h>
#include <stddef.h>

/* libvirt flag values the conditional rules refer to */
#define VB_ACL_AFFECT_LIVE 1U           /* VIR_DOMAIN_AFFECT_LIVE, VIR_NETWORK_UPDATE_AFFECT_LIVE */
#define VB_ACL_AFFECT_CONFIG 2U         /* VIR_DOMAIN_AFFECT_CONFIG, ..._UPDATE_AFFECT_CONFIG */
#define VB_ACL_XML_SECURE 1U            /* VIR_DOMAIN_XML_SECURE and the snapshot/save twins */
#define VB_ACL_XML_MIGRATABLE 8U        /* VIR_DOMAIN_XML_MIGRATABLE: also reveals secrets */
#define VB_ACL_GUEST_AGENT 2U           /* VIR_DOMAIN_{REBOOT,SHUTDOWN}_GUEST_AGENT */
#define VB_ACL_VCPU_GUEST 8U            /* VIR_DOMAIN_VCPU_GUEST */
#define VB_ACL_SNAPSHOT_QUIESCE 64U     /* VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE */

#define VB_ACL_PERMS_MAX 4

typedef struct VbAcl {
        const char *interface;          /* "org.libvirt.Domain" */
        const char *member;             /* method name, or property name in the property table */
        const char *object;             /* "connect","domain","network","storage-pool",
                                         * "storage-vol","node-device","interface","nwfilter",
                                         * "secret" */
        const char *perm;               /* e.g. "start" */
        const char *perm2;              /* second unconditional check or NULL */
        unsigned secure_flag;           /* flag bits that add "read-secure", 0 none */
        /* Extensions (libvirt's flag-conditional rules beyond read-secure): */
        const char *flag_perm;          /* extra permission that depends on flags, or NULL */
        unsigned flag_perm_mask;        /* any of these flag bits requires flag_perm */
        bool flag_perm_current;         /* flag_perm also when neither LIVE nor CONFIG is set
                                         * (AFFECT_CURRENT may touch the persistent config) */
        const char *filter_object;      /* list methods: results are filtered to objects of */
        const char *filter_perm;        /*   this kind the caller has this permission on */
} VbAcl;

/* Method entry for interface.member, or NULL. */
const VbAcl *vb_acl_lookup(const char *interface, const char *member);
/* All method entries (195). */
const VbAcl *vb_acl_table(size_t *n);
/* Property access: Get/GetAll → "getattr" for identity properties, "read" for state; Set
 * (only Autostart is writable) → "write". NULL if the interface has no such property. */
const VbAcl *vb_acl_lookup_property(const char *interface, const char *property, bool set);
/* All property entries, reads and writes. */
const VbAcl *vb_acl_property_table(size_t *n);

/* The permissions to check for a call with these flags, in order: perm, perm2, flag_perm
 * (if it applies), "read-secure" (if a secure flag is set). Fills up to VB_ACL_PERMS_MAX
 * entries of @ret and returns how many. */
size_t vb_acl_perms(const VbAcl *acl, unsigned flags, const char *ret[VB_ACL_PERMS_MAX]);

/* "org.libvirt.api.<object>.<perm>" with '_' written as '-'. Returns a new string (free()),
 * NULL on OOM or NULL/empty input. */
char *vb_acl_action_id(const char *object, const char *perm);
