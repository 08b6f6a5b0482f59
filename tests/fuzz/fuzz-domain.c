/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <domain> XML: parse (live and inactive), format, copy, reparse, format again. */
#include "domain.h"
#include "fuzz-common.h"

static int domain_parse(const char *x, unsigned f, void **ret, VbError *e) {
        VbDomainDef *d = NULL;
        int r = vb_domain_def_parse(x, f, &d, e);

        *ret = d;
        return r;
}

static char *domain_format(const void *d, unsigned f) {
        return vb_domain_def_format(d, -1, f);
}

static void *domain_copy(const void *d) {
        return vb_domain_def_copy(d);
}

static void domain_free(void *d) {
        vb_domain_def_free(d);
}

static const FuzzModel domain = {
        "domain", domain_parse, domain_format, domain_copy, domain_free,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *xml = fuzz_string(data, size);

        fuzz_roundtrip(&domain, xml, 0, VB_DOMAIN_XML_SECURE, 0);
        fuzz_roundtrip(&domain, xml, VB_DOMAIN_PARSE_INACTIVE,
                       VB_DOMAIN_XML_INACTIVE | VB_DOMAIN_XML_SECURE, VB_DOMAIN_PARSE_INACTIVE);
        return 0;
}
