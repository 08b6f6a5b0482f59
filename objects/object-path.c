/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "object-path.h"
#include "util.h"
#include "xml-util.h"

static bool is_plain(unsigned char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

char *vb_label_encode(const char *s) {
        static const char hex[] = "0123456789abcdef";
        size_t n = strlen(s);
        char *r = malloc(n * 3 + 1), *p = r;
        if (!r)
                abort();
        for (const unsigned char *q = (const unsigned char *) s; *q; q++) {
                if (is_plain(*q))
                        *p++ = (char) *q;
                else {
                        *p++ = '_';
                        *p++ = hex[*q >> 4];
                        *p++ = hex[*q & 15];
                }
        }
        *p = 0;
        return r;
}

static int lhex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
}

char *vb_label_decode(const char *label) {
        size_t n = strlen(label);
        char *r = malloc(n + 1), *p = r;
        if (!r)
                abort();
        for (const char *q = label; *q; q++) {
                if (*q == '_') {
                        int hi = lhex(q[1]), lo = hi >= 0 ? lhex(q[2]) : -1;
                        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                                free(r);
                                return NULL;
                        }
                        *p++ = (char) (hi << 4 | lo);
                        q += 2;
                } else if (is_plain((unsigned char) *q))
                        *p++ = *q;
                else {
                        free(r);
                        return NULL;
                }
        }
        *p = 0;
        return r;
}

void vb_uuid_label(const uint8_t uuid[16], char ret[38]) {
        ret[0] = '_';
        vb_uuid_format(uuid, ret + 1);
        for (char *p = ret + 1; *p; p++)
                if (*p == '-')
                        *p = '_';
}

static int lower_hex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* "_6695eb01_f6a4_8304_79aa_97f2502e193f" → 16 bytes, in one pass: it runs up to three
 * times per call on an object (the gate, then sd-bus's lookup per interface). */
int vb_uuid_label_parse(const char *label, uint8_t ret[16]) {
        uint8_t out[16];
        size_t n = 0;

        if (!label || label[0] != '_')
                return -EINVAL;
        for (size_t i = 1; i <= 36; i++) {
                int hi, lo;
                if (i == 9 || i == 14 || i == 19 || i == 24) {
                        if (label[i] != '_')
                                return -EINVAL;
                        continue;
                }
                hi = lower_hex(label[i]);
                lo = hi < 0 ? -1 : lower_hex(label[++i]);
                if (lo < 0 || i > 36 || i == 9 || i == 14 || i == 19 || i == 24)
                        return -EINVAL;
                out[n++] = (uint8_t) (hi << 4 | lo);
        }
        if (label[37] != 0 || n != 16)
                return -EINVAL;
        memcpy(ret, out, 16);
        return 0;
}

char *vb_path_child(const char *connect_path, const char *kind, const char *label) {
        return vb_strdupf("%s/%s/%s", connect_path, kind, label);
}

const char *vb_path_child_label(const char *path, const char *prefix) {
        size_t n = strlen(prefix);
        if (strncmp(path, prefix, n) != 0 || path[n] != '/' || path[n + 1] == 0)
                return NULL;
        if (strchr(path + n + 1, '/'))
                return NULL;
        return path + n + 1;
}
