/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* An index of pointers by hash: open addressing, linear probing. It stores only
 * (hash, value); the key lives in the value, so the caller hashes the key and
 * passes a match function to tell values with the same hash apart. Values must
 * not be NULL. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct VbHashEntry VbHashEntry;

typedef struct VbHashmap {
        VbHashEntry *e;
        size_t cap;             /* 0 or a power of two */
        size_t n;               /* values stored */
        size_t used;            /* values + tombstones */
} VbHashmap;

#define VB_HASHMAP_INIT ((VbHashmap) { 0 })

/* Adds @value under @hash (the caller keeps keys unique). 0 or -ENOMEM. */
int vb_hashmap_put(VbHashmap *h, uint32_t hash, void *value);
/* Removes this very @value stored under @hash; false when it is not there. */
bool vb_hashmap_remove(VbHashmap *h, uint32_t hash, const void *value);
/* The value stored under @hash for which match(value, key) holds, or NULL. */
void *vb_hashmap_find(const VbHashmap *h, uint32_t hash,
                      bool (*match)(const void *value, const void *key), const void *key);
void vb_hashmap_done(VbHashmap *h);

/* Keyed with a per-process random seed, so callers cannot choose colliding names. */
uint32_t vb_hash_bytes(const void *p, size_t n);
uint32_t vb_hash_string(const char *s);
