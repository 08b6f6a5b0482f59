/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <filter> XML: parse, format, copy, reparse, format again. */
#include "nwfilter.h"
#include "fuzz-common.h"

FUZZ_MODEL(nwfilter, VbNWFilterDef, vb_nwfilter_def_parse, vb_nwfilter_def_format, vb_nwfilter_def_copy, vb_nwfilter_def_free);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *xml = fuzz_string(data, size);

        fuzz_roundtrip(&nwfilter, xml, 0, 0, 0);
        return 0;
}
