/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <device> XML: parse, format, copy, reparse, format again. */
#include "nodedev.h"
#include "fuzz-common.h"

FUZZ_MODEL(nodedev, VbNodeDeviceDef, vb_node_device_def_parse, vb_node_device_def_format, vb_node_device_def_copy, vb_node_device_def_free);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *xml = fuzz_string(data, size);

        fuzz_roundtrip(&nodedev, xml, 0, 0, 0);
        /* NodeDeviceCreateXML input: name and host number optional */
        fuzz_roundtrip(&nodedev, xml, VB_NODEDEV_PARSE_CREATE, 0, VB_NODEDEV_PARSE_CREATE);
        return 0;
}
