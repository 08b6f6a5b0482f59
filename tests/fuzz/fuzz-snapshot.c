/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <domainsnapshot> XML: new and redefined, formatted, copied,
 * reloaded as the daemon's own file, formatted again. */
#include "snapshot.h"
#include "fuzz-common.h"

FUZZ_MODEL(snapshot, VbSnapshotDef, vb_snapshot_def_parse, vb_snapshot_def_format, vb_snapshot_def_copy, vb_snapshot_def_free);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *xml = fuzz_string(data, size);

        /* a new snapshot: the driver fills in state before storing it */
        fuzz_roundtrip(&snapshot, xml, 0, 0, FUZZ_NO_REPARSE);
        /* a redefinition, stored and reloaded as the daemon does */
        fuzz_roundtrip(&snapshot, xml, VB_SNAPSHOT_PARSE_REDEFINE, VB_SNAPSHOT_FORMAT_INTERNAL,
                       VB_SNAPSHOT_PARSE_REDEFINE | VB_SNAPSHOT_PARSE_INTERNAL);
        fuzz_roundtrip(&snapshot, xml, VB_SNAPSHOT_PARSE_REDEFINE | VB_SNAPSHOT_PARSE_INTERNAL |
                       VB_SNAPSHOT_PARSE_DISKS, VB_SNAPSHOT_FORMAT_INTERNAL,
                       VB_SNAPSHOT_PARSE_REDEFINE | VB_SNAPSHOT_PARSE_INTERNAL);
        return 0;
}
