/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Introspect replies of objects, kept per (driver tree, kind).
 *
 * Every object of one kind is served by the same fallback vtables and has no child
 * nodes, so its introspection XML is the same for all of them; sd-bus nevertheless
 * writes it anew for every call (≈ 1 M instructions for a domain: 101 methods, one
 * fprintf per element, then UTF-8 validation). The XML is not written here: the first
 * Introspect of a kind is answered by sd-bus as before, and virtbusd asks itself the
 * same question through the bus once, keeping sd-bus's answer. From then on the gate
 * replies with that copy. A failed self-call leaves the kind to sd-bus for good. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus-object.h"
#include "introspect-cache.h"

#define INTROSPECTABLE "org.freedesktop.DBus.Introspectable"
#define KINDS_MAX 16

typedef enum EntryState {
        ENTRY_EMPTY,
        ENTRY_PENDING,          /* the self-call is on its way */
        ENTRY_READY,
        ENTRY_FAILED,
} EntryState;

typedef struct Entry {
        EntryState state;
        char *xml;
        size_t len;
        sd_bus_slot *slot;      /* the self-call; unref'd with the cache, before its Entry goes */
} Entry;

struct VbIntrospectCache {
        Entry entries[KINDS_MAX];
};

VbIntrospectCache *vb_introspect_cache_free(VbIntrospectCache *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < KINDS_MAX; i++) {
                sd_bus_slot_unref(c->entries[i].slot);
                free(c->entries[i].xml);
        }
        free(c);
        return NULL;
}

static Entry *entry_of(VbBusConnect *bc, const VbBusKind *k) {
        for (size_t i = 1; vb_bus_kinds[i] && i < KINDS_MAX; i++)
                if (vb_bus_kinds[i] == k) {
                        if (!bc->introspect)
                                bc->introspect = calloc(1, sizeof(*bc->introspect));
                        return bc->introspect ? &bc->introspect->entries[i] : NULL;
                }
        return NULL;
}

static int on_self_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Entry *e = userdata;
        const char *xml;

        e->state = ENTRY_FAILED;
        if (sd_bus_message_is_method_error(reply, NULL) || sd_bus_message_read(reply, "s", &xml) < 0)
                return 0;
        e->xml = strdup(xml);
        if (e->xml) {
                e->len = strlen(xml);
                e->state = ENTRY_READY;
        }
        return 0;
}

/* Ask ourselves, through the bus, for sd-bus's XML of the same path. */
static void request(sd_bus_message *m, Entry *e) {
        sd_bus *bus = sd_bus_message_get_bus(m);
        const char *self = NULL;

        e->state = ENTRY_FAILED;
        if (sd_bus_get_unique_name(bus, &self) < 0)
                return;
        if (sd_bus_call_method_async(bus, &e->slot, self, sd_bus_message_get_path(m), INTROSPECTABLE,
                                     "Introspect", on_self_reply, e, NULL) >= 0)
                e->state = ENTRY_PENDING;
}

/* append_string_space + memcpy: the copy was validated when sd-bus read it, and
 * append_basic would check its 19 KB as UTF-8 again (≈ 440 k instructions). */
static int reply_copy(sd_bus_message *m, const Entry *e) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        char *p;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append_string_space(reply, e->len, &p);
        if (r < 0)
                return r;
        memcpy(p, e->xml, e->len);
        return sd_bus_send(NULL, reply, NULL);
}

int vb_introspect_cache_reply(sd_bus_message *m, VbBusConnect *bc, const VbBusKind *k) {
        Entry *e;

        if (!k->element || !sd_bus_message_is_method_call(m, INTROSPECTABLE, "Introspect") ||
            !sd_bus_message_has_signature(m, ""))
                return 0;
        e = entry_of(bc, k);
        if (!e)
                return 0;
        switch (e->state) {
        case ENTRY_READY:
                return reply_copy(m, e) < 0 ? 0 : 1;
        case ENTRY_EMPTY:
                request(m, e);
                return 0;
        default:        /* pending (this may be the self-call itself) or failed */
                return 0;
        }
}
