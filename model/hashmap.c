/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lookups by UUID and by name must not scan: at 10,000 domains a scan costs more
 * than the whole D-Bus round trip. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hashmap.h"

struct VbHashEntry {
        uint32_t hash;
        void *value;            /* NULL: empty; TOMBSTONE: removed */
};

static char tombstone_mark;
#define TOMBSTONE ((void *) &tombstone_mark)

static uint64_t seed(void) {
        static uint64_t s;
        static bool have;
        if (!have) {
                if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s))
                        s = (uint64_t) (uintptr_t) &s ^ 0x9e3779b97f4a7c15ULL;
                have = true;
        }
        return s;
}

/* FNV-1a over a random basis, then a 64-bit finalizer so every bit of the key
 * reaches the low bits used for the slot. */
static uint32_t finish(uint64_t h) {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 33;
        return (uint32_t) h;
}

uint32_t vb_hash_bytes(const void *p, size_t n) {
        const unsigned char *b = p;
        uint64_t h = 0xcbf29ce484222325ULL ^ seed();
        for (size_t i = 0; i < n; i++)
                h = (h ^ b[i]) * 0x100000001b3ULL;
        return finish(h);
}

uint32_t vb_hash_string(const char *s) {
        uint64_t h = 0xcbf29ce484222325ULL ^ seed();
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 0x100000001b3ULL;
        return finish(h);
}

static void insert(VbHashEntry *e, size_t cap, uint32_t hash, void *value) {
        size_t i = hash & (cap - 1);
        while (e[i].value && e[i].value != TOMBSTONE)
                i = (i + 1) & (cap - 1);
        e[i].hash = hash;
        e[i].value = value;
}

/* Keeps the table at most 3/4 full, counting tombstones; rebuilding drops them. */
static int resize(VbHashmap *h, size_t want) {
        size_t cap = 16;
        VbHashEntry *e;

        while (cap / 4 * 3 <= want)
                cap *= 2;
        e = calloc(cap, sizeof(*e));
        if (!e)
                return -ENOMEM;
        for (size_t i = 0; i < h->cap; i++)
                if (h->e[i].value && h->e[i].value != TOMBSTONE)
                        insert(e, cap, h->e[i].hash, h->e[i].value);
        free(h->e);
        h->e = e;
        h->cap = cap;
        h->used = h->n;
        return 0;
}

int vb_hashmap_put(VbHashmap *h, uint32_t hash, void *value) {
        if ((h->used + 1) > h->cap / 4 * 3) {
                /* room for half as many again: rebuilds stay rare also when
                 * removes and adds alternate at the threshold */
                int r = resize(h, (h->n + 1) * 3 / 2);
                if (r < 0)
                        return r;
        }
        size_t i = hash & (h->cap - 1);
        while (h->e[i].value && h->e[i].value != TOMBSTONE)
                i = (i + 1) & (h->cap - 1);
        if (!h->e[i].value)
                h->used++;
        h->e[i].hash = hash;
        h->e[i].value = value;
        h->n++;
        return 0;
}

static VbHashEntry *slot_of(const VbHashmap *h, uint32_t hash,
                            bool (*match)(const void *value, const void *key), const void *key,
                            const void *value) {
        if (h->cap == 0)
                return NULL;
        for (size_t i = hash & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
                VbHashEntry *s = &h->e[i];
                if (!s->value)
                        return NULL;
                if (s->value == TOMBSTONE || s->hash != hash)
                        continue;
                if (value ? s->value == value : match(s->value, key))
                        return s;
        }
}

bool vb_hashmap_remove(VbHashmap *h, uint32_t hash, const void *value) {
        VbHashEntry *s = slot_of(h, hash, NULL, NULL, value);
        if (!s)
                return false;
        s->value = TOMBSTONE;
        h->n--;
        return true;
}

void *vb_hashmap_find(const VbHashmap *h, uint32_t hash,
                      bool (*match)(const void *value, const void *key), const void *key) {
        VbHashEntry *s = slot_of(h, hash, match, key, NULL);
        return s ? s->value : NULL;
}

void vb_hashmap_done(VbHashmap *h) {
        free(h->e);
        *h = VB_HASHMAP_INIT;
}
