/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <secret> XML: parse, format, copy, reparse, format again. */
#include "secret.h"
#include "fuzz-common.h"

FUZZ_MODEL(secret, VbSecretDef, vb_secret_def_parse, vb_secret_def_format, vb_secret_def_copy, vb_secret_def_free);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *xml = fuzz_string(data, size);

        fuzz_roundtrip(&secret, xml, 0, 0, 0);
        return 0;
}
