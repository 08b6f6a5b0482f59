/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Domain registry: lookups by UUID and name through the index, definition order
 * kept across removes, a rename re-indexed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "driver.h"
#include "xml-util.h"

enum { N = 3000 };

static VbDomainObj *add(VbConnect *c, int i) {
        char xml[256];
        VbDomainDef *def = NULL;
        VbDomainObj *d = NULL;

        snprintf(xml, sizeof(xml),
                 "<domain type='test'><name>dom-%d</name><uuid>00000000-0000-4000-8000-%012d</uuid>"
                 "<memory>1024</memory><os><type>hvm</type></os></domain>", i, i);
        assert_int_equal(vb_domain_def_parse(xml, VB_DOMAIN_PARSE_INACTIVE, &def, NULL), 0);
        assert_int_equal(vb_domain_obj_new(c, def, &d), 0);
        return d;
}

static void test_lookups(void **state) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = NULL;
        VbDomainObj *d[N];
        size_t base;
        char name[32];

        assert_int_equal(vb_connect_open(&vb_test_driver, "/nonexistent", &c, &e), 0);
        base = c->n_domains;   /* test:///default's own domain */
        for (int i = 0; i < N; i++)
                d[i] = add(c, i);
        assert_int_equal(c->n_domains, base + N);
        for (int i = 0; i < N; i++) {
                snprintf(name, sizeof(name), "dom-%d", i);
                assert_ptr_equal(vb_domain_find_name(c, name), d[i]);
                assert_ptr_equal(vb_domain_find_uuid(c, d[i]->def->uuid), d[i]);
                assert_ptr_equal(c->domains[base + i], d[i]);
        }
        assert_null(vb_domain_find_name(c, "dom-x"));

        /* remove every third: the others keep their order and stay found */
        for (int i = 0; i < N; i += 3) {
                uint8_t uuid[16];
                memcpy(uuid, d[i]->def->uuid, 16);
                vb_domain_obj_remove(d[i]);
                assert_null(vb_domain_find_uuid(c, uuid));
                d[i] = NULL;
        }
        for (int i = 0, j = 0; i < N; i++) {
                snprintf(name, sizeof(name), "dom-%d", i);
                assert_ptr_equal(vb_domain_find_name(c, name), d[i]);
                if (d[i])
                        assert_ptr_equal(c->domains[base + j++], d[i]);
        }

        /* rename: found under the new name only */
        free(d[1]->def->name);
        d[1]->def->name = strdup("renamed");
        assert_int_equal(vb_domain_obj_renamed(d[1]), 0);
        assert_ptr_equal(vb_domain_find_name(c, "renamed"), d[1]);
        assert_null(vb_domain_find_name(c, "dom-1"));
        assert_ptr_equal(vb_domain_find_uuid(c, d[1]->def->uuid), d[1]);
        vb_connect_close(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lookups),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
