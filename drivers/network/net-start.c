/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bringing a network up and down: the bridge and its addresses (ip), forwarding
 * (sysctl), the nftables table (nft -f), dnsmasq (daemonizing: its parent reports
 * start-up errors before exiting), status files; every step undone on a later
 * failure. And the other way at daemon start: a network whose bridge and dnsmasq are
 * still there is adopted, a dead one cleaned up. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>

#include "net-internal.h"
#include "qemu/qemu-process.h"
#include "qemu/qemu-status.h"
#include "xml-util.h"

#define BRIDGE_INDEX_MAX 256

VbNetRun *vb_net_run_free(VbNetRun *run) {
        if (!run)
                return NULL;
        free(run->bridge);
        free(run);
        return NULL;
}

char *vb_net_run_path(VbNetDriver *drv, const char *name, const char *suffix) {
        return vb_strdupf("%s/%s%s", drv->run_dir, name, suffix);
}

static bool sys_exists(const char *dev, const char *sub) {
        _cleanup_free_ char *p = vb_strdupf("/sys/class/net/%s%s", dev, sub);
        return access(p, F_OK) == 0;
}

static int run_ip(VbError *e, ...) {
        _cleanup_free_ char *tool = vb_net_find_tool("ip");
        char *argv[24] = { tool };
        size_t n = 1;
        va_list ap;

        if (!tool)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "ip (iproute2) is not installed");
        va_start(ap, e);
        while (n < ELEMENTSOF(argv) - 1 && (argv[n] = va_arg(ap, char *)))
                n++;
        va_end(ap);
        argv[n] = NULL;
        return vb_net_run(argv, NULL, NULL, e);
}

/* ---- checks before anything is created ---- */

static bool bridge_taken(VbNetDriver *drv, VbNetworkObj *self, const char *br) {
        for (size_t i = 0; i < drv->conn->n_networks; i++) {
                VbNetworkObj *o = drv->conn->networks[i];
                VbNetRun *run = o->priv;
                if (o == self)
                        continue;
                if ((run && streq(run->bridge, br)) || streq_ptr(o->def->bridge, br) ||
                    (o->newdef && streq_ptr(o->newdef->bridge, br)))
                        return true;
        }
        return false;
}

static int pick_bridge(VbNetDriver *drv, VbNetworkObj *n, char **ret, VbError *e) {
        const char *want = n->def->bridge;

        if (want) {
                if (bridge_taken(drv, n, want))
                        return vb_error_set(e, VB_ERR_OPERATION_FAILED, "bridge name '%s' is already in use.", want);
                *ret = vb_strdup(want);
                return 0;
        }
        /* libvirt's virbrN: the first one neither the host nor another network has */
        for (unsigned i = 0; i < BRIDGE_INDEX_MAX; i++) {
                _cleanup_free_ char *br = vb_strdupf(VB_NET_BRIDGE_TEMPLATE, i);
                if (!sys_exists(br, "") && !bridge_taken(drv, n, br)) {
                        *ret = TAKE_PTR(br);
                        return 0;
                }
        }
        return vb_error_set(e, VB_ERR_INTERNAL, "Bridge generation exceeded max id %d", BRIDGE_INDEX_MAX);
}

static int overlap_networks(VbNetDriver *drv, VbNetworkObj *n, const VbNetSubnet *s, VbError *e) {
        char net[32];

        for (size_t i = 0; i < drv->conn->n_networks; i++) {
                VbNetworkObj *o = drv->conn->networks[i];
                for (size_t j = 0; o != n && o->active && j < o->def->n_ips; j++) {
                        VbNetSubnet t;
                        if (vb_net_subnet(&o->def->ips[j], &t) >= 0 && vb_net_subnets_overlap(s, &t))
                                return vb_error_set(e, VB_ERR_OPERATION_FAILED,
                                                    "network '%s' (%s) overlaps with active network '%s'",
                                                    n->name, vb_net_subnet_str(s, net), o->name);
                }
        }
        return 0;
}

/* libvirt's networkCheckRouteCollision: a host route into the subnet means the
 * addresses are in use elsewhere (the default route does not count). */
static int overlap_routes(VbNetworkObj *n, const VbNetSubnet *s, VbError *e) {
        _cleanup_free_ char *data = NULL;
        char iface[64], net[32];
        unsigned dest, mask;
        int r;

        r = vb_qemu_read_file("/proc/net/route", VB_NET_FILE_MAX, &data);
        if (r < 0)
                return 0;
        for (char *line = strchr(data, '\n'); line && *++line; line = strchr(line, '\n')) {
                VbNetSubnet t;
                if (sscanf(line, "%63s %x %*x %*x %*d %*d %*d %x", iface, &dest, &mask) != 3 || mask == 0)
                        continue;
                /* the file has them in network byte order */
                t = (VbNetSubnet) { .network = ntohl(dest), .prefix = (unsigned) __builtin_popcount(mask) };
                if (vb_net_subnets_overlap(s, &t))
                        return vb_error_set(e, VB_ERR_INTERNAL,
                                            "Network is already in use by interface %s (%s of network '%s')",
                                            iface, vb_net_subnet_str(s, net), n->name);
        }
        return 0;
}

static int check_overlaps(VbNetDriver *drv, VbNetworkObj *n, VbError *e) {
        for (size_t i = 0; i < n->def->n_ips; i++) {
                VbNetSubnet s;
                int r;

                if (vb_net_subnet(&n->def->ips[i], &s) < 0)
                        continue;
                r = overlap_networks(drv, n, &s, e);
                if (r >= 0)
                        r = overlap_routes(n, &s, e);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_tools(const VbNetworkDef *def, VbError *e) {
        static const struct { const char *tool, *pkg; } need[] = {
                { "ip", "iproute2" }, { "nft", "nftables" }, { "dnsmasq", "dnsmasq-base" },
        };
        for (size_t i = 0; i < ELEMENTSOF(need); i++) {
                _cleanup_free_ char *p = NULL;
                if ((i == 1 && !vb_net_needs_nft(def)) || (i == 2 && !vb_net_needs_dnsmasq(def)))
                        continue;
                p = vb_net_find_tool(need[i].tool);
                if (!p)
                        return vb_error_set(e, VB_ERR_OPERATION_FAILED, "%s is needed to start network '%s' (package %s)",
                                            need[i].tool, def->name, need[i].pkg);
        }
        return 0;
}

/* ---- the steps ---- */

static int bridge_up(const VbNetworkDef *def, VbNetRun *run, VbError *e) {
        char delay[32], stp[4];
        int r;

        snprintf(delay, sizeof(delay), "%lu", def->delay * 100);  /* centiseconds */
        snprintf(stp, sizeof(stp), "%d", def->stp ? 1 : 0);
        /* forward_delay before stp_state: the kernel refuses a short delay with STP on */
        r = run_ip(e, "link", "add", "name", run->bridge, "type", "bridge", "forward_delay", delay,
                   "stp_state", stp, NULL);
        if (r < 0)
                return r;
        run->own_bridge = true;
        if (def->mac)
                r = run_ip(e, "link", "set", "dev", run->bridge, "address", def->mac, NULL);
        if (r >= 0 && def->mtu) {
                char mtu[16];
                snprintf(mtu, sizeof(mtu), "%u", def->mtu);
                r = run_ip(e, "link", "set", "dev", run->bridge, "mtu", mtu, NULL);
        }
        for (size_t i = 0; r >= 0 && i < def->n_ips; i++) {
                _cleanup_free_ char *addr = NULL;
                VbNetSubnet s;
                (void) vb_net_subnet(&def->ips[i], &s);
                addr = vb_strdupf("%s/%u", def->ips[i].address, s.prefix);
                r = run_ip(e, "addr", "add", addr, "broadcast", "+", "dev", run->bridge, NULL);
        }
        if (r >= 0)
                r = run_ip(e, "link", "set", "dev", run->bridge, "up", NULL);
        return r;
}

static int forwarding_on(VbNetRun *run, VbError *e) {
        _cleanup_close_ int fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);

        if (fd < 0 || write(fd, "1\n", 2) != 2)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot enable IPv4 forwarding: %s", strerror(errno));
        run->forwarding = true;
        return 0;
}

static int nft_up(const VbNetworkDef *def, VbNetRun *run, VbError *e) {
        _cleanup_free_ char *tool = vb_net_find_tool("nft"), *rules = vb_net_nft_ruleset(def, run->bridge);
        char *argv[] = { tool, (char *) "-f", (char *) "-", NULL };
        int r = vb_net_run(argv, rules, NULL, e);

        if (r >= 0)
                run->nft = true;
        return r;
}

static void nft_down(const char *name) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *tool = vb_net_find_tool("nft"), *table = vb_net_nft_table(name);
        char *argv[] = { tool, (char *) "delete", (char *) "table", (char *) "ip", table, NULL };

        if (tool && vb_net_run(argv, NULL, NULL, &e) < 0)
                vb_net_log("network '%s': cannot delete nftables table: %s", name, strempty(e.message));
}

static int read_pid(const char *path, pid_t *ret) {
        _cleanup_free_ char *s = NULL;
        long v;

        /* the daemon writes it before its parent exits; allow a moment all the same */
        for (int i = 0; i < 100 && vb_qemu_read_file(path, 64, &s) < 0; i++)
                nanosleep(&(struct timespec) { .tv_nsec = 10 * 1000 * 1000 }, NULL);
        if (!s || sscanf(s, "%ld", &v) != 1 || v <= 1)
                return -ESRCH;
        *ret = (pid_t) v;
        return 0;
}

static int dnsmasq_up(VbNetDriver *drv, const VbNetworkDef *def, VbNetRun *run, VbError *e) {
        _cleanup_free_ char *tool = vb_net_find_tool("dnsmasq"), *conf_path = vb_net_run_path(drv, def->name, ".conf");
        _cleanup_free_ char *pid_path = vb_net_run_path(drv, def->name, ".pid");
        _cleanup_free_ char *lease_path = vb_net_run_path(drv, def->name, ".leases"), *arg = NULL, *conf = NULL;
        char *argv[] = { tool, NULL, NULL };
        int r;

        conf = vb_net_dnsmasq_conf(def, run->bridge, pid_path, lease_path);
        r = vb_qemu_write_file_atomic(conf_path, conf, strlen(conf), 0600);
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot write %s: %s", conf_path, strerror(-r));
        (void) unlink(pid_path);
        argv[1] = arg = vb_strdupf("--conf-file=%s", conf_path);
        r = vb_net_run(argv, NULL, NULL, e);
        if (r < 0)
                return r;
        if (read_pid(pid_path, &run->dnsmasq_pid) < 0 ||
            vb_qemu_proc_read_start_time(run->dnsmasq_pid, &run->dnsmasq_start) < 0) {
                run->dnsmasq_pid = 0;
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "dnsmasq for network '%s' did not stay up (%s)",
                                    def->name, pid_path);
        }
        return 0;
}

static bool is_zombie(pid_t pid) {
        _cleanup_free_ char *path = vb_strdupf("/proc/%d/stat", (int) pid), *stat = NULL;
        const char *p;

        if (vb_qemu_read_file(path, 4096, &stat) < 0)
                return true;
        p = strrchr(stat, ')');
        return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

/* Still the dnsmasq we started: same start time, same name, not a zombie waiting
 * for its (sub)reaper. */
static bool is_dnsmasq(pid_t pid, uint64_t start) {
        _cleanup_free_ char *path = vb_strdupf("/proc/%d/comm", (int) pid), *comm = NULL;
        uint64_t t;

        if (pid <= 1 || vb_qemu_proc_read_start_time(pid, &t) < 0 || t != start || is_zombie(pid))
                return false;
        if (vb_qemu_read_file(path, 64, &comm) < 0)
                return false;
        comm[strcspn(comm, "\n")] = 0;
        return streq(comm, "dnsmasq");
}

static void dnsmasq_down(const char *name, VbNetRun *run) {
        _cleanup_close_ int pidfd = -1;

        if (run->dnsmasq_pid <= 0)
                return;
        pidfd = pidfd_open(run->dnsmasq_pid, 0);
        /* the pidfd pins the process we check: no signal for a reused pid */
        if (pidfd >= 0 && is_dnsmasq(run->dnsmasq_pid, run->dnsmasq_start) &&
            pidfd_send_signal(pidfd, SIGTERM, NULL, 0) < 0)
                vb_net_log("network '%s': cannot stop dnsmasq %d: %s", name, (int) run->dnsmasq_pid, strerror(errno));
        run->dnsmasq_pid = 0;
}

static void unlink_run_files(VbNetDriver *drv, const char *name) {
        static const char *const suffixes[] = { ".status", ".xml", ".conf", ".pid", ".leases" };
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                _cleanup_free_ char *p = vb_net_run_path(drv, name, suffixes[i]);
                (void) unlink(p);
        }
}

void vb_net_stop(VbNetDriver *drv, const char *name, VbNetRun *run) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;

        dnsmasq_down(name, run);
        if (run->nft)
                nft_down(name);
        run->nft = false;
        if (run->own_bridge && sys_exists(run->bridge, "") && run_ip(&e, "link", "del", run->bridge, NULL) < 0)
                vb_net_log("network '%s': %s", name, strempty(e.message));
        run->own_bridge = false;
        unlink_run_files(drv, name);
}

/* ---- status files ---- */

static int status_write(VbNetDriver *drv, const VbNetworkDef *live, const VbNetRun *run, VbError *e) {
        _cleanup_free_ char *xml = vb_network_def_format(live, 0), *status = NULL;
        _cleanup_free_ char *xml_path = vb_net_run_path(drv, live->name, ".xml");
        _cleanup_free_ char *status_path = vb_net_run_path(drv, live->name, ".status");
        int r;

        status = vb_strdupf("bridge=%s\nown_bridge=%d\nnft=%d\nforwarding=%d\ndnsmasq_pid=%d\ndnsmasq_start=%llu\n",
                            run->bridge, run->own_bridge, run->nft, run->forwarding, (int) run->dnsmasq_pid,
                            (unsigned long long) run->dnsmasq_start);
        if (!xml)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        /* the definition first: a status file always has its definition */
        r = vb_qemu_write_file_atomic(xml_path, xml, strlen(xml), 0600);
        if (r >= 0)
                r = vb_qemu_write_file_atomic(status_path, status, strlen(status), 0600);
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot write the status of network '%s': %s",
                                    live->name, strerror(-r));
        return 0;
}

static int status_parse(const char *text, VbNetRun *run) {
        char key[32], value[64];
        int found = 0;

        for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
                if (sscanf(p, "%31[a-z_]=%63s", key, value) != 2)
                        continue;
                if (streq(key, "bridge") && vb_net_ifname_ok(value) && !run->bridge) {
                        run->bridge = vb_strdup(value);
                        found++;
                } else if (streq(key, "own_bridge"))
                        run->own_bridge = streq(value, "1");
                else if (streq(key, "nft"))
                        run->nft = streq(value, "1");
                else if (streq(key, "forwarding"))
                        run->forwarding = streq(value, "1");
                else if (streq(key, "dnsmasq_pid"))
                        run->dnsmasq_pid = (pid_t) strtol(value, NULL, 10);
                else if (streq(key, "dnsmasq_start"))
                        run->dnsmasq_start = strtoull(value, NULL, 10);
        }
        return found == 1 ? 0 : -EBADMSG;
}

static bool still_running(const VbNetworkDef *def, const VbNetRun *run) {
        if (!sys_exists(run->bridge, "/bridge"))
                return false;
        if (vb_net_needs_dnsmasq(def) && !is_dnsmasq(run->dnsmasq_pid, run->dnsmasq_start))
                return false;
        return true;
}

int vb_net_status_load(VbNetDriver *drv, const char *name, VbNetworkDef **ret_def, VbNetRun **ret_run) {
        _cleanup_free_ char *xml_path = vb_net_run_path(drv, name, ".xml"), *xml = NULL, *text = NULL;
        _cleanup_free_ char *status_path = vb_net_run_path(drv, name, ".status");
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = NULL;
        _cleanup_(vb_net_run_freep) VbNetRun *run = calloc(1, sizeof(*run));
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;

        if (!run)
                return -ENOMEM;
        if (vb_qemu_read_file(status_path, VB_NET_FILE_MAX, &text) < 0 || status_parse(text, run) < 0 ||
            vb_qemu_read_file(xml_path, VB_NET_FILE_MAX, &xml) < 0 ||
            vb_network_def_parse(xml, 0, &def, &e) < 0 || !streq(def->name, name)) {
                vb_net_log("ignoring the unusable status of network '%s' %s", name, strempty(e.message));
                if (run->bridge && run->own_bridge)
                        vb_net_stop(drv, name, run);
                unlink_run_files(drv, name);
                return -EBADMSG;
        }
        if (!still_running(def, run)) {
                vb_net_log("network '%s' is no longer running: cleaning up", name);
                vb_net_stop(drv, name, run);
                return 0;
        }
        *ret_def = TAKE_PTR(def);
        *ret_run = TAKE_PTR(run);
        return 1;
}

/* ---- start ---- */

static int start_steps(VbNetDriver *drv, const VbNetworkDef *def, VbNetRun *run, VbError *e) {
        int r = 0;

        if (!vb_net_has_own_bridge(def)) {
                /* forward mode='bridge': the host's bridge, only recorded */
                if (!sys_exists(run->bridge, "/bridge"))
                        return vb_error_set(e, VB_ERR_OPERATION_FAILED,
                                            "bridge '%s' of network '%s' does not exist or is not a bridge",
                                            run->bridge, def->name);
                return 0;
        }
        r = bridge_up(def, run, e);
        if (r >= 0 && vb_net_needs_forwarding(def))
                r = forwarding_on(run, e);
        if (r >= 0 && vb_net_needs_nft(def))
                r = nft_up(def, run, e);
        if (r >= 0 && vb_net_needs_dnsmasq(def))
                r = dnsmasq_up(drv, def, run, e);
        return r;
}

int vb_net_start(VbNetDriver *drv, VbNetworkObj *n, VbError *e) {
        _cleanup_(vb_net_run_freep) VbNetRun *run = calloc(1, sizeof(*run));
        _cleanup_(vb_network_def_freep) VbNetworkDef *live = NULL;
        int r;

        if (!run)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = vb_net_def_check(n->def, e);
        if (r >= 0)
                r = check_tools(n->def, e);
        if (r >= 0)
                r = pick_bridge(drv, n, &run->bridge, e);
        if (r >= 0)
                r = check_overlaps(drv, n, e);
        if (r < 0)
                return r;
        live = vb_network_def_copy(n->def);
        if (!live)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = vb_strdup_replace(&live->bridge, run->bridge);
        if (r >= 0)
                r = start_steps(drv, live, run, e);
        if (r >= 0)
                r = status_write(drv, live, run, e);
        if (r < 0) {
                vb_net_stop(drv, n->name, run);
                return r == -ENOMEM ? vb_error_set(e, VB_ERR_NO_MEMORY, NULL) : r;
        }
        /* the config stays as it was (no bridge name when the user gave none) */
        if (n->persistent && !n->newdef)
                n->newdef = TAKE_PTR(n->def);
        vb_network_def_free(n->def);
        n->def = TAKE_PTR(live);
        n->priv = TAKE_PTR(run);
        return 0;
}

/* ---- leases ---- */

static int lease_add(VbNetworkLease **l, size_t *n, const char *bridge, unsigned prefix, char *line) {
        char mac[32], ip[64], host[256], client[256];
        long long expiry;
        VbNetworkLease *a;

        if (sscanf(line, "%lld %31s %63s %255s %255s", &expiry, mac, ip, host, client) != 5 || strchr(ip, ':'))
                return 0;
        a = realloc(*l, (*n + 1) * sizeof(**l));
        if (!a)
                return -ENOMEM;
        *l = a;
        a[*n] = (VbNetworkLease) {
                .iface = vb_strdup(bridge), .expirytime = expiry, .type = 0 /* IPv4 */,
                .mac = vb_strdup(mac), .ipaddr = vb_strdup(ip), .prefix = prefix,
                .hostname = streq(host, "*") ? NULL : vb_strdup(host),
                .clientid = streq(client, "*") ? NULL : vb_strdup(client),
        };
        (*n)++;
        return 0;
}

int vb_net_leases(VbNetDriver *drv, VbNetworkObj *n, const char *mac, VbNetworkLease **ret, size_t *ret_n,
                  VbError *e) {
        _cleanup_free_ char *path = vb_net_run_path(drv, n->name, ".leases"), *data = NULL;
        VbNetworkLease *l = NULL;
        VbNetRun *run = n->priv;
        unsigned prefix = 0;
        size_t k = 0;

        for (size_t i = 0; i < n->def->n_ips; i++) {
                VbNetSubnet s;
                if (vb_net_subnet(&n->def->ips[i], &s) >= 0 && (n->def->ips[i].n_ranges || n->def->ips[i].n_hosts))
                        prefix = s.prefix;
        }
        if (n->active && run && vb_qemu_read_file(path, VB_NET_FILE_MAX, &data) >= 0)
                for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
                        char lmac[32];
                        if (mac && (sscanf(line, "%*d %31s", lmac) != 1 || strcasecmp(lmac, mac) != 0))
                                continue;
                        if (lease_add(&l, &k, run->bridge, prefix, line) < 0) {
                                vb_network_leases_free(l, k);
                                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                        }
                }
        *ret = l;
        *ret_n = k;
        return 0;
}
