/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <pool> XML: parse, format, copy, reparse, format again. */
#include "storage.h"
#include "fuzz-common.h"

FUZZ_MODEL(pool, VbStoragePoolDef, vb_pool_def_parse, vb_pool_def_format, vb_pool_def_copy, vb_pool_def_free);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *xml = fuzz_string(data, size);

        fuzz_roundtrip(&pool, xml, 0, 0, 0);
        return 0;
}
