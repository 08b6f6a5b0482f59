/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <interface> XML: parse, format, copy, reparse, format again. */
#include "iface.h"
#include "fuzz-common.h"

FUZZ_MODEL(iface, VbInterfaceDef, vb_iface_def_parse, vb_iface_def_format, vb_iface_def_copy, vb_iface_def_free);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *xml = fuzz_string(data, size);

        fuzz_roundtrip(&iface, xml, 0, 0, 0);
        return 0;
}
