/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <network> XML: parse, format, copy, reparse, format again. */
#include "network.h"
#include "fuzz-common.h"

FUZZ_MODEL(network, VbNetworkDef, vb_network_def_parse, vb_network_def_format, vb_network_def_copy, vb_network_def_free);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *xml = fuzz_string(data, size);

        fuzz_roundtrip(&network, xml, 0, 0, 0);
        return 0;
}
