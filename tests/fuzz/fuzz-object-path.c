/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Object-path labels: the input is taken as a label (decode, then encode back
 * must give the canonical label) and as a name (encode, then decode must give it
 * back); and as a UUID label. */
#include <string.h>

#include "fuzz-common.h"
#include "object-path.h"

static void check_label(const char *label) {
        _cleanup_free_ char *name = vb_label_decode(label), *again = NULL, *name2 = NULL;

        if (!name)
                return;
        /* the decoded name re-encodes to a label that decodes to the same name */
        again = vb_label_encode(name);
        name2 = vb_label_decode(again);
        FUZZ_CHECK(name2 && strcmp(name, name2) == 0, "label '%s' -> '%s' -> '%s' -> '%s'",
                   label, name, again, name2 ? name2 : "(null)");
}

static void check_name(const char *name) {
        _cleanup_free_ char *label = vb_label_encode(name), *back = NULL;

        FUZZ_CHECK(label, "encode failed");
        for (const char *p = label; *p; p++)
                FUZZ_CHECK((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                           (*p >= '0' && *p <= '9') || *p == '_',
                           "label '%s' has a byte not allowed in an object path", label);
        back = vb_label_decode(label);
        FUZZ_CHECK(back && strcmp(back, name) == 0, "name '%s' -> '%s' -> '%s'",
                   name, label, back ? back : "(null)");
}

static void check_uuid_label(const char *label) {
        uint8_t uuid[16], uuid2[16];
        char again[38];

        if (vb_uuid_label_parse(label, uuid) < 0)
                return;
        vb_uuid_label(uuid, again);
        FUZZ_CHECK(vb_uuid_label_parse(again, uuid2) >= 0 && memcmp(uuid, uuid2, 16) == 0,
                   "uuid label '%s' -> '%s' does not parse back", label, again);
}

static void check_path(const char *name) {
        _cleanup_free_ char *label = vb_label_encode(name), *path = NULL;
        const char *child;

        path = vb_path_child("/org/libvirt/Test", "network", label);
        child = vb_path_child_label(path, "/org/libvirt/Test/network");
        if (!*label) {
                FUZZ_CHECK(!child, "path '%s' has an empty last element", path);
                return;
        }
        FUZZ_CHECK(child && strcmp(child, label) == 0, "path '%s' does not give back label '%s'",
                   path, label);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = fuzz_string(data, size);
        const char *child;

        check_label(s);
        check_name(s);
        check_uuid_label(s);
        check_path(s);
        /* the input as a whole object path */
        child = vb_path_child_label(s, "/org/libvirt/Test/domain");
        if (child) {
                check_label(child);
                check_uuid_label(child);
        }
        return 0;
}
