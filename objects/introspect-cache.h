/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Introspect replies of objects, kept per (driver tree, kind): see introspect-cache.c. */
#include <systemd/sd-bus.h>

typedef struct VbBusConnect VbBusConnect;
typedef struct VbBusKind VbBusKind;
typedef struct VbIntrospectCache VbIntrospectCache;

/* Reply to an Introspect call on an object path of kind @k from the cache: 1 when
 * replied; 0 when sd-bus answers (not an Introspect, or the copy is not there yet). */
int vb_introspect_cache_reply(sd_bus_message *m, VbBusConnect *bc, const VbBusKind *k);
VbIntrospectCache *vb_introspect_cache_free(VbIntrospectCache *c);
