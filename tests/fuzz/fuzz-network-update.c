/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virNetworkUpdate on a fixed network with two <ip> elements. Input: four header
 * bytes (command, section, parent index as int8, flags) then the section's XML.
 * A refused update must leave the definition as it was; an accepted one must
 * format to XML that parses again to the same text. */
#include <string.h>

#include "fuzz-common.h"
#include "network.h"

static const char base_xml[] =
        "<network ipv6='yes'><name>fz</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>"
        "<bridge name='virbr5'/><forward mode='nat'/>"
        "<ip address='192.168.122.1' netmask='255.255.255.0'><dhcp>"
        "<range start='192.168.122.2' end='192.168.122.254'><lease expiry='1' unit='hours'/></range>"
        "<host mac='00:16:3e:77:e2:ed' name='a.example.com' ip='192.168.122.10'/>"
        "<host mac='00:16:3e:3e:a9:1a' name='b.example.com' ip='192.168.122.11'/>"
        "</dhcp></ip>"
        "<ip family='ipv6' address='2001:db8:ca2:2::1' prefix='64'><dhcp>"
        "<range start='2001:db8:ca2:2:1::10' end='2001:db8:ca2:2:1::ff'/>"
        "<host id='0:4:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63' name='c' ip='2001:db8:ca2:2:3::1'/>"
        "</dhcp></ip></network>";

static void check_reparse(const char *out, const char *input) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = NULL;
        _cleanup_free_ char *out2 = NULL;

        FUZZ_CHECK(vb_network_def_parse(out, 0, &def, &e) >= 0,
                   "updated network does not parse again: %s\n--- update\n%s\n--- output\n%s",
                   e.message, input, out);
        out2 = vb_network_def_format(def, 0);
        FUZZ_CHECK(strcmp(out, out2) == 0, "updated network is not stable across a reparse\n"
                   "--- update\n%s\n--- first\n%s\n--- second\n%s", input, out, out2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = NULL;
        _cleanup_free_ char *xml = NULL, *before = NULL, *after = NULL;
        unsigned command, section, flags;
        int parent, r;

        if (size < 4)
                return 0;
        command = data[0] % 6;                  /* 0 and 5 are invalid */
        section = data[1] % (_VB_NET_SECTION_MAX + 1);
        parent = (int8_t) data[2];
        flags = data[3] & 0x7;                  /* bit 2 is invalid */
        xml = fuzz_string(data + 4, size - 4);

        FUZZ_CHECK(vb_network_def_parse(base_xml, 0, &def, &e) >= 0, "base network: %s", e.message);
        before = vb_network_def_format(def, 0);
        r = vb_network_def_update(def, command, section, parent, xml, flags, &e);
        after = vb_network_def_format(def, 0);
        if (r < 0) {
                FUZZ_CHECK(e.code != VB_ERR_OK && e.message && e.message[0],
                           "update refused (r=%d) without an error message", r);
                FUZZ_CHECK(strcmp(before, after) == 0,
                           "refused update changed the network\n--- update\n%s\n--- after\n%s", xml, after);
                return 0;
        }
        check_reparse(after, xml);
        return 0;
}
