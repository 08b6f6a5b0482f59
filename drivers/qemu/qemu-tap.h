/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Host side of <interface type='bridge'>: a tap device per interface, created through
 * /dev/net/tun (IFF_TAP|IFF_NO_PI, not persistent: it disappears when the last fd,
 * QEMU's, is closed), named like libvirt (the user's <target dev=''> unless it starts
 * with "vnet"/"macvtap"/"macvlan", else the kernel's next "vnetN"), with the guest MAC
 * whose first byte is 0xFE, the bridge's MTU, enslaved to the bridge (SIOCBRADDIF)
 * and up. No process is spawned, nothing here knows about the bus or the event loop.
 *
 * <interface type='network'> uses the bridge of that network of the same connection
 * (drivers/network), which must exist and be active; the live XML names the bridge
 * (<source network='' bridge=''/>).
 *
 * Errors are libvirt's texts: "Cannot get interface MTU on 'br0': No such device"
 * (VB_ERR_OPERATION_FAILED) for a bridge that does not exist, "... is not a bridge",
 * VB_ERR_INVALID_ARG for names the kernel would refuse. */
#include <stdbool.h>
#include <stddef.h>

#include "domain.h"
#include "driver.h"
#include "vb-error.h"

typedef struct VbQemuTap {
        size_t net;            /* index in def->nets */
        int fd;                /* the /dev/net/tun fd bound to the device */
        char *name;            /* the device's name as the kernel gave it */
        bool generated;        /* auto-named (vnetN): dropped from inactive XML */
        char *bridge;          /* type='network': the network's bridge, for the live XML */
} VbQemuTap;

typedef struct VbQemuTaps {
        VbQemuTap *taps;       /* in interface order: the order of the -netdev tap,fd= */
        size_t n;
} VbQemuTaps;

/* Closes the fds (the devices go unless QEMU holds them) and frees; the struct is
 * reset to empty. */
void vb_qemu_taps_done(VbQemuTaps *t);

/* Whether the interface is backed by a tap device (bridge, network). */
bool vb_qemu_net_uses_tap(const VbDomainNet *n);

/* Check everything that can be checked without creating anything: the type is
 * supported, the bridge name and a user <target dev=''> are valid interface names,
 * the bridge exists and is a bridge, the target does not exist yet. @c: the
 * connection whose networks type='network' refers to (NULL: none). */
int vb_qemu_tap_check(VbConnect *c, const VbDomainNet *n, VbError *e);

/* Create the tap of one interface and plug it into its bridge. On failure nothing is
 * left behind. */
int vb_qemu_tap_open(VbConnect *c, const VbDomainNet *n, VbQemuTap *ret, VbError *e);

/* Every tap of @def (vb_qemu_tap_check() first for all of them, then creation). On
 * failure @ret is empty and no device is left. */
int vb_qemu_taps_open(VbConnect *c, const VbDomainDef *def, VbQemuTaps *ret, VbError *e);

/* Record the names in the live definition (<target dev=''/>, and the bridge of a
 * type='network' interface). */
void vb_qemu_taps_apply(VbDomainDef *def, const VbQemuTaps *t);
