/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tap devices for bridge interfaces, with the same ioctls libvirt's virnetdevtap.c and
 * virnetdevbridge.c use: TUNSETIFF on /dev/net/tun, then SIOCSIFHWADDR, SIOCGIFMTU
 * (bridge) / SIOCSIFMTU, SIOCBRADDIF and SIOCSIFFLAGS on an AF_UNIX control socket.
 * No shelling out to ip(8), no netlink library (sd-netlink is not public). */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "network/net-driver.h"
#include "qemu-tap.h"
#include "xml-util.h"

#define TAP_TEMPLATE "vnet%d"

static const char *const generated_prefixes[] = { "vnet", "macvtap", "macvlan", NULL };

void vb_qemu_taps_done(VbQemuTaps *t) {
        for (size_t i = 0; i < t->n; i++) {
                if (t->taps[i].fd >= 0)
                        close(t->taps[i].fd);
                free(t->taps[i].name);
                free(t->taps[i].bridge);
        }
        free(t->taps);
        *t = (VbQemuTaps) { 0 };
}

bool vb_qemu_net_uses_tap(const VbDomainNet *n) {
        return n->type && (streq(n->type, "bridge") || streq(n->type, "network"));
}

/* What the kernel accepts as a name (dev_valid_name()), in libvirt's words. */
static int check_ifname(const char *what, const char *name, VbError *e) {
        if (isempty(name))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "missing %s name", what);
        if (strlen(name) >= IFNAMSIZ)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "Network interface name '%s' is too long", name);
        if (streq(name, ".") || streq(name, ".."))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "invalid %s name '%s'", what, name);
        for (const char *p = name; *p; p++)
                if (*p == '/' || *p == ':' || *p <= ' ' || *p == 0x7f)
                        return vb_error_set(e, VB_ERR_INVALID_ARG,
                                            "invalid %s name '%s': it must not contain '/', ':' or whitespace",
                                            what, name);
        return 0;
}

static bool name_is_generated(const char *name) {
        for (const char *const *p = generated_prefixes; *p; p++)
                if (strncmp(name, *p, strlen(*p)) == 0)
                        return true;
        return false;
}

/* The name to ask TUNSETIFF for: the user's, a user template with one "%d", or ours. */
static const char *wanted_name(const VbDomainNet *n) {
        return n->target_dev && !name_is_generated(n->target_dev) ? n->target_dev : TAP_TEMPLATE;
}

static int check_target(const char *name, VbError *e) {
        const char *pct = strchr(name, '%');
        int r;

        r = check_ifname("target device", name, e);
        if (r < 0)
                return r;
        /* the kernel fills in one %d */
        if (pct && (pct[1] != 'd' || strchr(pct + 1, '%')))
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "invalid target device name template '%s': only one '%%d' is allowed", name);
        return 0;
}

static int check_target_free(const char *name, VbError *e) {
        _cleanup_free_ char *sys = NULL;

        if (strchr(name, '%'))
                return 0;
        sys = vb_strdupf("/sys/class/net/%s", name);
        if (!sys)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (access(sys, F_OK) == 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "The %s interface already exists", name);
        return 0;
}

static int control_socket(void) {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        return fd < 0 ? -errno : fd;
}

static int ifreq_for(struct ifreq *ifr, const char *name) {
        size_t len = strlen(name);

        *ifr = (struct ifreq) { 0 };
        if (len >= sizeof(ifr->ifr_name))
                return -ERANGE;
        memcpy(ifr->ifr_name, name, len);
        return 0;
}

static int bridge_mtu(int ctl, const char *bridge, int *ret, VbError *e) {
        struct ifreq ifr;

        if (ifreq_for(&ifr, bridge) < 0)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "Network interface name '%s' is too long", bridge);
        if (ioctl(ctl, SIOCGIFMTU, &ifr) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Cannot get interface MTU on '%s': %s", bridge,
                                    strerror(errno));
        *ret = ifr.ifr_mtu;
        return 0;
}

/* The bridge exists (libvirt's first failure is reading its MTU) and is a bridge. */
static int check_bridge(const char *bridge, VbError *e) {
        _cleanup_close_ int ctl = -1;
        _cleanup_free_ char *sys = NULL;
        int r, mtu;

        ctl = control_socket();
        if (ctl < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Cannot open network interface control socket: %s",
                                    strerror(-ctl));
        r = bridge_mtu(ctl, bridge, &mtu, e);
        if (r < 0)
                return r;
        sys = vb_strdupf("/sys/class/net/%s/bridge", bridge);
        if (!sys)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (access(sys, F_OK) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Unable to add a port to '%s': it is not a bridge",
                                    bridge);
        return 0;
}

/* The bridge @n plugs into: its own, or the one of the network it names. */
static int net_bridge(VbConnect *c, const VbDomainNet *n, char **ret, VbError *e) {
        if (n->type && streq(n->type, "network")) {
                if (n->source_xml)
                        return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                            "a network interface needs exactly <source network='NAME'/>");
                if (!c || !c->net_priv)
                        /* libvirt's text when the network driver does not know the name */
                        return vb_error_set(e, VB_ERR_NO_NETWORK, "no network with matching name '%s'",
                                            strempty(n->source));
                return vb_net_driver_bridge(c, n->source, ret, e);
        }
        if (!n->type || !streq(n->type, "bridge"))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "interface type '%s' has no tap device",
                                    strempty(n->type));
        if (n->source_xml || isempty(n->source))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                    "a bridge interface needs exactly <source bridge='NAME'/>");
        *ret = vb_strdup(n->source);
        return 0;
}

static int tap_check(VbConnect *c, const VbDomainNet *n, char **ret_bridge, VbError *e) {
        _cleanup_free_ char *bridge = NULL;
        bool own_name;
        int r;

        r = net_bridge(c, n, &bridge, e);
        if (r < 0)
                return r;
        /* the names first, then what the host has */
        own_name = !streq(wanted_name(n), TAP_TEMPLATE);
        r = check_ifname("bridge", bridge, e);
        if (r >= 0 && own_name)
                r = check_target(wanted_name(n), e);
        if (r >= 0)
                r = check_bridge(bridge, e);
        if (r >= 0 && own_name)
                r = check_target_free(wanted_name(n), e);
        if (r >= 0 && ret_bridge)
                *ret_bridge = TAKE_PTR(bridge);
        return r;
}

int vb_qemu_tap_check(VbConnect *c, const VbDomainNet *n, VbError *e) {
        return tap_check(c, n, NULL, e);
}

static int tap_create(const char *want, int *ret_fd, char ret_name[IFNAMSIZ], VbError *e) {
        _cleanup_close_ int fd = -1;
        struct ifreq ifr;

        fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Unable to open /dev/net/tun, is tun module loaded?: %s",
                                    strerror(errno));
        if (ifreq_for(&ifr, want) < 0)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "Network interface name '%s' is too long", want);
        /* no IFF_VNET_HDR: QEMU is not told vnet_hdr=on, the frames are plain */
        ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
        if (ioctl(fd, TUNSETIFF, &ifr) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Unable to create tap device %s: %s", want,
                                    strerror(errno));
        memcpy(ret_name, ifr.ifr_name, IFNAMSIZ);
        ret_name[IFNAMSIZ - 1] = 0;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* libvirt's host-side MAC: the guest's with the first byte 0xFE, so the bridge never
 * takes the tap's address as its own (it uses the lowest port address). */
static int set_host_mac(int ctl, const char *ifname, const char *guest_mac, VbError *e) {
        unsigned b[6];
        struct ifreq ifr;

        if (!guest_mac || sscanf(guest_mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "'%s' is not a MAC address", strempty(guest_mac));
        (void) ifreq_for(&ifr, ifname);
        ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
        ifr.ifr_hwaddr.sa_data[0] = (char) 0xfe;
        for (int i = 1; i < 6; i++)
                ifr.ifr_hwaddr.sa_data[i] = (char) b[i];
        if (ioctl(ctl, SIOCSIFHWADDR, &ifr) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Cannot set interface MAC on '%s': %s", ifname,
                                    strerror(errno));
        return 0;
}

static int plug(int ctl, const char *ifname, const char *bridge, VbError *e) {
        struct ifreq ifr;
        int r, mtu;

        r = bridge_mtu(ctl, bridge, &mtu, e);
        if (r < 0)
                return r;
        (void) ifreq_for(&ifr, ifname);
        ifr.ifr_mtu = mtu;
        if (ioctl(ctl, SIOCSIFMTU, &ifr) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Cannot set interface MTU on '%s': %s", ifname,
                                    strerror(errno));
        (void) ifreq_for(&ifr, bridge);
        ifr.ifr_ifindex = (int) if_nametoindex(ifname);
        if (ifr.ifr_ifindex == 0 || ioctl(ctl, SIOCBRADDIF, &ifr) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Unable to add bridge %s port %s: %s", bridge, ifname,
                                    strerror(errno));
        (void) ifreq_for(&ifr, ifname);
        if (ioctl(ctl, SIOCGIFFLAGS, &ifr) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Cannot get interface flags on '%s': %s", ifname,
                                    strerror(errno));
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(ctl, SIOCSIFFLAGS, &ifr) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Cannot set interface flags on '%s': %s", ifname,
                                    strerror(errno));
        return 0;
}

int vb_qemu_tap_open(VbConnect *c, const VbDomainNet *n, VbQemuTap *ret, VbError *e) {
        _cleanup_close_ int fd = -1, ctl = -1;
        _cleanup_free_ char *bridge = NULL;
        char name[IFNAMSIZ];
        int r;

        r = tap_check(c, n, &bridge, e);
        if (r < 0)
                return r;
        ctl = control_socket();
        if (ctl < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Cannot open network interface control socket: %s",
                                    strerror(-ctl));
        r = tap_create(wanted_name(n), &fd, name, e);
        if (r < 0)
                return r;
        /* closing fd (on failure) removes the device: it is not persistent */
        r = set_host_mac(ctl, name, n->mac, e);
        if (r >= 0)
                r = plug(ctl, name, bridge, e);
        if (r < 0)
                return r;
        *ret = (VbQemuTap) {
                .fd = TAKE_FD(fd), .name = vb_strdup(name),
                .generated = streq(wanted_name(n), TAP_TEMPLATE),
                .bridge = streq(n->type, "network") ? TAKE_PTR(bridge) : NULL,
        };
        if (!ret->name) {
                close(ret->fd);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        return 0;
}

int vb_qemu_taps_open(VbConnect *c, const VbDomainDef *def, VbQemuTaps *ret, VbError *e) {
        VbQemuTaps t = { 0 };
        size_t n = 0;
        int r;

        for (size_t i = 0; i < def->n_nets; i++) {
                if (!vb_qemu_net_uses_tap(&def->nets[i]))
                        continue;
                /* all checks before the first device exists: a refusal leaves nothing */
                r = vb_qemu_tap_check(c, &def->nets[i], e);
                if (r < 0)
                        return r;
                n++;
        }
        *ret = t;
        if (n == 0)
                return 0;
        t.taps = calloc(n, sizeof(*t.taps));
        if (!t.taps)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < def->n_nets; i++) {
                if (!vb_qemu_net_uses_tap(&def->nets[i]))
                        continue;
                r = vb_qemu_tap_open(c, &def->nets[i], &t.taps[t.n], e);
                if (r < 0) {
                        vb_qemu_taps_done(&t);
                        return r;
                }
                t.taps[t.n++].net = i;
        }
        *ret = t;
        return 0;
}

void vb_qemu_taps_apply(VbDomainDef *def, const VbQemuTaps *t) {
        for (size_t i = 0; i < t->n; i++) {
                VbDomainNet *n = &def->nets[t->taps[i].net];
                char *name = vb_strdup(t->taps[i].name);

                if (!name)
                        continue;       /* the live XML only lacks the name */
                free(n->target_dev);
                n->target_dev = name;
                n->target_generated = t->taps[i].generated;
                if (t->taps[i].bridge)
                        (void) vb_strdup_replace(&n->source_bridge, t->taps[i].bridge);
        }
}
