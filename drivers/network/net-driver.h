/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Virtual networks of the QEMU connection (qemu:///system's bridge network driver):
 * Linux bridges made with ip(8), dnsmasq for DHCP and DNS, one nftables table per
 * network for nat/route/isolation. The QEMU driver opens it with its root and asks it
 * for the bridge of <interface type='network'>. */
#include "driver.h"

extern const VbNetworkOps vb_net_bridge_ops;

/* Load the persistent definitions under @root (the QEMU driver's root) and find the
 * networks a previous daemon left running; sets c->net_priv. */
int vb_net_driver_open(VbConnect *c, const char *root, VbError *e);
/* Start the autostart networks (once per boot: the caller decides). */
void vb_net_driver_autostart(VbConnect *c);
/* Forget every network (running ones keep running for the next daemon). */
void vb_net_driver_close(VbConnect *c);

/* The bridge of active network @name, for a guest interface: "no network with
 * matching name" (VB_ERR_NO_NETWORK) or "network 'NAME' is not active"
 * (VB_ERR_OPERATION_INVALID) otherwise. */
int vb_net_driver_bridge(VbConnect *c, const char *name, char **ret, VbError *e);
