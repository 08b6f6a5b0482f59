/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Domain snapshot definition (<domainsnapshot>). The embedded <domain> is kept as a
 * string: the driver formats it with the domain model. */
#include <stdint.h>

#include "vb-error.h"

/* Parse flags, values equal to libvirt's virDomainSnapshotParseFlags */
enum {
        VB_SNAPSHOT_PARSE_REDEFINE = 1 << 0,   /* keep state, creationTime, parent, domain */
        VB_SNAPSHOT_PARSE_DISKS    = 1 << 1,
        VB_SNAPSHOT_PARSE_INTERNAL = 1 << 2,   /* <active> required (daemon's own files) */
        VB_SNAPSHOT_PARSE_OFFLINE  = 1 << 3,
};
/* Format flags, values equal to libvirt's virDomainSnapshotFormatFlags */
enum {
        VB_SNAPSHOT_FORMAT_SECURE   = 1 << 0,
        VB_SNAPSHOT_FORMAT_INTERNAL = 1 << 1,  /* emit <active> */
};

typedef struct VbSnapshotDef {
        char *name;             /* generated from the creation time when absent */
        char *description;
        char *state;            /* running, paused, shutoff, disk-snapshot, ...; NULL = unset */
        long long creation_time;
        char *parent;           /* parent snapshot name */
        char *memory_snapshot;  /* no, internal, external, manual; NULL = unset */
        char *memory_file;
        char *disks_xml;        /* the <disks> element, kept */
        char *domain_xml;       /* the embedded <domain> element (libvirt layout), kept */
        char *cookie_xml;       /* <cookie>, kept */
        bool active;            /* <active>: the current snapshot (internal format only) */
} VbSnapshotDef;

int vb_snapshot_def_parse(const char *xml, unsigned flags, VbSnapshotDef **ret, VbError *e);
char *vb_snapshot_def_format(const VbSnapshotDef *def, unsigned flags);
VbSnapshotDef *vb_snapshot_def_copy(const VbSnapshotDef *def);
VbSnapshotDef *vb_snapshot_def_free(VbSnapshotDef *def);
DEFINE_TRIVIAL_CLEANUP_FUNC(VbSnapshotDef *, vb_snapshot_def_free);
