/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <volume> XML: parse, format, copy, reparse, format again. */
#include "storage.h"
#include "fuzz-common.h"

FUZZ_MODEL(vol, VbStorageVolDef, vb_vol_def_parse, vb_vol_def_format, vb_vol_def_copy, vb_vol_def_free);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *xml = fuzz_string(data, size);

        fuzz_roundtrip(&vol, xml, 0, 0, 0);
        return 0;
}
