/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Consoles and graphics as file descriptors for the caller.
 *
 * OpenConsole: the serial/console chardevs are ptys QEMU allocated at start (their
 * paths are in the live XML, see vb_qemu_apply_ptys); we open the pty in raw mode and
 * hand that fd over. Opening a pty never blocks.
 *
 * OpenGraphicsFD: a socketpair; one end goes to QEMU (QMP getfd, then add_client
 * protocol=vnc|spice fdname=...), the other end is the caller's once QEMU accepted it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "qemu-driver.h"

enum { /* libvirt's flag values */
        CONSOLE_FORCE = 1 << 0, CONSOLE_SAFE = 1 << 1,
        GRAPHICS_SKIPAUTH = 1 << 0,
};

static void close_fd(int fd) {
        if (fd >= 0)
                (void) close(fd);
}

/* ---- OpenConsole ---- */

static bool is_char_device(const VbDomainDevice *dev) {
        return dev->kind == VB_DOMAIN_DEVICE_SERIAL || dev->kind == VB_DOMAIN_DEVICE_CONSOLE;
}

/* The device's alias as libvirt names it: its <alias> or serialN/consoleN. */
static char *device_alias(const VbDomainDevice *dev, unsigned idx) {
        if (!isempty(dev->alias))
                return vb_strdup(dev->alias);
        return vb_strdupf("%s%u", dev->kind == VB_DOMAIN_DEVICE_SERIAL ? "serial" : "console", idx);
}

/* @dev "" (or NULL): the first <console>, else the first <serial>; otherwise the
 * character device with that alias. */
static const VbDomainDevice *find_char_device(const VbDomainDef *def, const char *name) {
        const VbDomainDevice *first_serial = NULL;
        unsigned serials = 0, consoles = 0;

        for (size_t i = 0; i < def->n_devices; i++) {
                const VbDomainDevice *dev = &def->devices[i];
                _cleanup_free_ char *alias = NULL;

                if (!is_char_device(dev))
                        continue;
                alias = device_alias(dev, dev->kind == VB_DOMAIN_DEVICE_SERIAL ? serials++ : consoles++);
                if (isempty(name)) {
                        if (dev->kind == VB_DOMAIN_DEVICE_CONSOLE)
                                return dev;
                        if (!first_serial)
                                first_serial = dev;
                } else if (streq(alias, name) || (strncmp(name, "ua-", 3) == 0 && streq_ptr(dev->alias, name)))
                        return dev;
        }
        return isempty(name) ? first_serial : NULL;
}

/* The path of <source path='...'/> in the live device body, when it is a /dev/pts one. */
static char *device_pty_path(const VbDomainDevice *dev) {
        const char *p = dev->body ? strstr(dev->body, "<source path='") : NULL;
        const char *end;

        if (!p || !streq_ptr(dev->type, "pty"))
                return NULL;
        p += strlen("<source path='");
        end = strchr(p, '\'');
        if (!end || end - p < 10 || strncmp(p, "/dev/pts/", 9) != 0)
                return NULL;
        return vb_strdupf("%.*s", (int) (end - p), p);
}

static int open_pty_raw(const char *path, int *ret_fd) {
        _cleanup_close_ int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        struct termios t;

        if (fd < 0)
                return -errno;
        if (!isatty(fd))
                return -ENOTTY;
        if (tcgetattr(fd, &t) < 0)
                return -errno;
        cfmakeraw(&t);
        if (tcsetattr(fd, TCSANOW, &t) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int vb_qemu_open_console(VbDomainObj *d, const char *dev, unsigned flags, int *ret_fd, VbError *e) {
        const VbDomainDevice *chr;
        _cleanup_free_ char *path = NULL;
        const char *shown = isempty(dev) ? "(default)" : dev;
        int r;

        VB_CHECK_FLAGS(flags, CONSOLE_FORCE | CONSOLE_SAFE, e);
        if (!vb_domain_is_active(d))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain is not running");
        chr = find_char_device(d->def, dev);
        if (!chr)
                return vb_error_set(e, VB_ERR_INTERNAL, "cannot find character device %s", shown);
        if (!streq_ptr(chr->type, "pty"))
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "character device %s is not using a PTY",
                                    shown);
        path = device_pty_path(chr);
        if (!path)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "character device %s has no PTY yet",
                                    shown);
        r = open_pty_raw(path, ret_fd);
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot open console '%s': %s", path,
                                    strerror(-r));
        return 0;
}

/* ---- OpenGraphicsFD ---- */

typedef struct GraphicsReq {
        VbFdOp *op;
        int fd;                  /* our end, given to the caller on success */
        char fdname[64];
        const char *protocol;
        bool skipauth;
} GraphicsReq;

static void graphics_req_finish(GraphicsReq *g, int r, const char *what, const char *desc) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbFdOp *op = g->op;

        if (r >= 0) {
                op->fd = TAKE_FD(g->fd);
                op->op.done(&op->op, 0, NULL);
        } else {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, "cannot add a %s client (%s): %s", g->protocol, what,
                             desc ? desc : strerror(-r));
                op->op.done(&op->op, r, &e);
        }
        close_fd(g->fd);
        free(g);
}

static void on_add_client(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *userdata) {
        graphics_req_finish(userdata, r, "add_client", desc);
}

static void on_getfd(VbQmp *qmp, int r, json_object *ret, const char *cls, const char *desc, void *userdata) {
        GraphicsReq *g = userdata;
        json_object *args;

        if (r < 0)
                return graphics_req_finish(g, r, "getfd", desc);
        args = json_object_new_object();
        json_object_object_add(args, "protocol", json_object_new_string(g->protocol));
        json_object_object_add(args, "fdname", json_object_new_string(g->fdname));
        json_object_object_add(args, "skipauth", json_object_new_boolean(g->skipauth));
        r = vb_qmp_command(qmp, "add_client", args, NULL, 0, on_add_client, g);
        if (r < 0)
                graphics_req_finish(g, r, "add_client", NULL);
}

static int graphics_check(VbDomainObj *d, unsigned idx, const char **ret_protocol, VbError *e) {
        const char *type;

        if (!vb_domain_is_active(d) || !((VbQemuDom *) d->priv)->qmp)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain is not running");
        if (idx >= d->def->n_graphics)
                return vb_error_set(e, VB_ERR_INTERNAL, "No graphics backend with index %u", idx);
        type = d->def->graphics[idx].type;
        if (!streq_ptr(type, "vnc") && !streq_ptr(type, "spice"))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "Can only open VNC or SPICE graphics backends, not %s",
                                    strempty(type));
        *ret_protocol = streq(type, "vnc") ? "vnc" : "spice";
        return 0;
}

int vb_qemu_open_graphics_fd_async(VbDomainObj *d, unsigned idx, unsigned flags, VbFdOp *op, VbError *e) {
        static unsigned counter;
        VbQemuDom *q = d->priv;
        const char *protocol = NULL;
        json_object *args;
        GraphicsReq *g;
        int pair[2], r;

        VB_CHECK_FLAGS(flags, GRAPHICS_SKIPAUTH, e);
        r = graphics_check(d, idx, &protocol, e);
        if (r < 0)
                return r;
        r = vb_qemu_job_busy(d, e);
        if (r < 0)
                return r;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot create a socket pair: %s", strerror(errno));
        g = calloc(1, sizeof(*g));
        if (!g) {
                close_fd(pair[0]);
                close_fd(pair[1]);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        *g = (GraphicsReq) { .op = op, .fd = pair[0], .protocol = protocol,
                             .skipauth = flags & GRAPHICS_SKIPAUTH };
        snprintf(g->fdname, sizeof(g->fdname), "vb-graphics-%u", ++counter);
        /* QEMU gets a duplicate of pair[1]; ours closes right away */
        args = json_object_new_object();
        json_object_object_add(args, "fdname", json_object_new_string(g->fdname));
        r = vb_qmp_command(q->qmp, "getfd", args, &pair[1], 1, on_getfd, g);
        close_fd(pair[1]);
        if (r < 0) {
                close_fd(g->fd);
                free(g);
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot pass the socket to QEMU: %s", strerror(-r));
        }
        return 1;
}

