/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The polkit gate: every D-Bus handler asks it before it changes or reveals anything.
 *
 * Usage in a handler (after reading and validating the arguments):
 *
 *         r = vb_polkit_check(m, "org.libvirt.api.domain.start", details, error);
 *         if (r < 0)
 *                 return r;        // @error is set: org.libvirt.Error "access denied: ..."
 *         if (r == 0)
 *                 return 1;        // query in flight: the message is dispatched again later
 *         ... do the work, reply ...
 *
 * When a CheckAuthorization query is needed, the call is sent asynchronously to
 * org.freedesktop.PolicyKit1 and 0 is returned. When the answer arrives the message is
 * rewound and put back into the bus read queue, so the handler runs again from the top and
 * this time vb_polkit_check() finds the stored answer (keyed by message + action + details).
 * A handler may check several actions in a row; each one that still needs a query returns 0.
 *
 * Callers with euid 0 pass without a query (unless vb_polkit_set_always_query(true)), so
 * does the trusted uid (session mode). Allowed answers are cached per (sender, action,
 * details) until the sender disconnects (NameOwnerChanged) or VB_POLKIT_CACHE_USEC passes;
 * denials are never cached. At most VB_POLKIT_PENDING_MAX queries per sender are in flight. */
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#define VB_POLKIT_PENDING_MAX 32U                       /* in-flight queries per sender */
#define VB_POLKIT_CACHE_MAX 1024U                       /* allowed answers kept, all senders */
#define VB_POLKIT_CACHE_USEC (30ULL * 1000000ULL)       /* max age of a cached allowed answer */
#define VB_POLKIT_ERROR "org.libvirt.Error"

/* Global singleton; called once by main. Subscribes to NameOwnerChanged (asynchronously) to
 * forget the answers and uid of callers that left the bus. Returns 0 or negative errno. */
int vb_polkit_setup(sd_bus *bus, sd_event *event);
/* Cancels in-flight queries, drops every cached answer. Safe to call when not set up. */
void vb_polkit_shutdown(void);
/* Session mode: callers with this uid pass without a query. (uid_t) -1 = none (default). */
void vb_polkit_set_trusted_uid(uid_t uid);
/* Tests: ask polkit even for uid 0. */
void vb_polkit_set_always_query(bool b);

/* details: NULL or a NULL-terminated key, value, key, value, ... list (libvirt's details:
 * connect_driver, domain_name, domain_uuid, ...). Returns 1 = allowed, 0 = query in flight
 * (handler must return 1 and do nothing else), <0 = denied or failed with @error set
 * (error name org.libvirt.Error). */
/* True when the caller passes every check without asking polkit (uid 0, trusted uid). */
bool vb_polkit_is_privileged(sd_bus_message *m);
int vb_polkit_check(sd_bus_message *m, const char *action, const char *const *details,
                    sd_bus_error *error);
