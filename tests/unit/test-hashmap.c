/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pointer index: collisions, tombstones, growth, checked against a plain array. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "hashmap.h"
#include "util.h"

typedef struct Item {
        char name[16];
        bool present;
} Item;

static bool match(const void *value, const void *key) {
        return streq(((const Item *) value)->name, key);
}

static void test_empty(void **state) {
        VbHashmap h = VB_HASHMAP_INIT;
        Item a = { "a" };
        assert_null(vb_hashmap_find(&h, 1, match, "a"));
        assert_false(vb_hashmap_remove(&h, 1, &a));
        vb_hashmap_done(&h);
}

/* Every item under the same hash: found by key, removed by pointer, and the
 * probe chain still reaches items behind a removed one. */
static void test_collisions(void **state) {
        VbHashmap h = VB_HASHMAP_INIT;
        Item it[40];
        for (int i = 0; i < 40; i++) {
                snprintf(it[i].name, sizeof(it[i].name), "n%d", i);
                assert_int_equal(vb_hashmap_put(&h, 7, &it[i]), 0);
        }
        assert_int_equal(h.n, 40);
        for (int i = 0; i < 40; i += 2)
                assert_true(vb_hashmap_remove(&h, 7, &it[i]));
        assert_false(vb_hashmap_remove(&h, 7, &it[0]));
        for (int i = 0; i < 40; i++)
                assert_ptr_equal(vb_hashmap_find(&h, 7, match, it[i].name), i % 2 ? &it[i] : NULL);
        assert_null(vb_hashmap_find(&h, 8, match, "n1"));   /* right key, other hash */
        assert_int_equal(h.n, 20);
        vb_hashmap_done(&h);
}

/* Random adds and removes by name, the table must agree with a flag array. */
static void test_against_array(void **state) {
        enum { N = 10000 };
        VbHashmap h = VB_HASHMAP_INIT;
        Item *it = calloc(N, sizeof(*it));
        size_t n = 0;
        unsigned x = 12345;

        assert_non_null(it);
        for (int i = 0; i < N; i++)
                snprintf(it[i].name, sizeof(it[i].name), "dom-%d", i);
        for (int step = 0; step < 200000; step++) {
                Item *p;
                x = x * 1103515245 + 12345;
                p = &it[(x >> 8) % N];
                if (p->present) {
                        assert_true(vb_hashmap_remove(&h, vb_hash_string(p->name), p));
                        n--;
                } else {
                        assert_int_equal(vb_hashmap_put(&h, vb_hash_string(p->name), p), 0);
                        n++;
                }
                p->present = !p->present;
                assert_int_equal(h.n, n);
        }
        for (int i = 0; i < N; i++)
                assert_ptr_equal(vb_hashmap_find(&h, vb_hash_string(it[i].name), match, it[i].name),
                                 it[i].present ? &it[i] : NULL);
        /* tombstones never fill the table: it stays at most 3/4 used */
        assert_true(h.used <= h.cap / 4 * 3);
        vb_hashmap_done(&h);
        free(it);
}

static void test_hash(void **state) {
        uint8_t u1[16] = { 1 }, u2[16] = { 2 };
        assert_int_equal(vb_hash_string("abc"), vb_hash_string("abc"));
        assert_int_not_equal(vb_hash_string("abc"), vb_hash_string("abd"));
        assert_int_equal(vb_hash_bytes(u1, 16), vb_hash_bytes(u1, 16));
        assert_int_not_equal(vb_hash_bytes(u1, 16), vb_hash_bytes(u2, 16));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_collisions),
                cmocka_unit_test(test_against_array),
                cmocka_unit_test(test_hash),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
