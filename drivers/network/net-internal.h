/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Shared between the files of the network driver (net-driver.c: ops and state files;
 * net-start.c: bringing a network up and down; net-cmd.c: running the tools). State
 * layout under the QEMU driver's root:
 *   network/<name>.xml            persistent definitions (0600, atomic writes)
 *   network/autostart/<name>.xml  symlink to ../<name>.xml
 *   run/network/<name>.xml        live definition of an active network
 *   run/network/<name>.status     what was set up: bridge, nft table, dnsmasq pid
 *   run/network/<name>.conf       dnsmasq's configuration (also .pid, .leases) */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "driver.h"
#include "net-conf.h"
#include "net-driver.h"

#define VB_NET_TOOL_TIMEOUT_USEC (10ULL * 1000000ULL)
#define VB_NET_OBJECTS_MAX 256
#define VB_NET_FILE_MAX (1024U * 1024U)

typedef struct VbNetDriver {
        VbConnect *conn;
        char *config_dir, *autostart_dir, *run_dir;
} VbNetDriver;

/* What a running network has on the host: n->priv while active. */
typedef struct VbNetRun {
        char *bridge;
        bool own_bridge;           /* created by us: deleted at stop */
        bool nft;                  /* its table exists */
        bool forwarding;           /* it asked for net.ipv4.ip_forward */
        pid_t dnsmasq_pid;         /* 0: none */
        uint64_t dnsmasq_start;    /* /proc/<pid>/stat field 22 */
} VbNetRun;

VbNetRun *vb_net_run_free(VbNetRun *run);
DEFINE_TRIVIAL_CLEANUP_FUNC(VbNetRun *, vb_net_run_free);

static inline VbNetDriver *vb_net_driver_of(VbConnect *c) {
        return c->net_priv;
}

/* net-cmd.c: run a tool (found in the usual sbin/bin directories) and wait for it, at
 * most VB_NET_TOOL_TIMEOUT_USEC. Non-zero exit: VB_ERR_OPERATION_FAILED with its output. */
char *vb_net_find_tool(const char *name);
void vb_net_log(const char *fmt, ...) _printf_(1, 2);
int vb_net_run(char *const *argv, const char *input, char **ret_output, VbError *e);

/* net-start.c */
char *vb_net_run_path(VbNetDriver *drv, const char *name, const char *suffix);
/* Bring @n up with n->def (bridge, addresses, nft, dnsmasq, status files). On failure
 * everything done is undone and @n is unchanged. On success n->priv is the VbNetRun and
 * n->def names the bridge. */
int vb_net_start(VbNetDriver *drv, VbNetworkObj *n, VbError *e);
/* Undo what @run set up for network @name and remove its runtime files. */
void vb_net_stop(VbNetDriver *drv, const char *name, VbNetRun *run);
/* A status file found at open: the live definition and what it has on the host.
 * 1 when it is still running (bridge there, dnsmasq the same process), 0 when it was
 * cleaned up, <0 when the files are unusable (then removed). */
int vb_net_status_load(VbNetDriver *drv, const char *name, VbNetworkDef **ret_def, VbNetRun **ret_run);
/* dnsmasq's leases of a running network. */
int vb_net_leases(VbNetDriver *drv, VbNetworkObj *n, const char *mac, VbNetworkLease **ret, size_t *ret_n,
                  VbError *e);
