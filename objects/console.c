/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.virtbus.Console1: a domain's serial console as a file descriptor (org.libvirt has
 * no method for it; libvirt's virDomainOpenConsole streams it instead). Also the
 * asynchronous OpenGraphicsFD, which replies with a descriptor once QEMU accepted the
 * other end. Access: domain open-device / open-graphics (objects/acl.c). */
#include <unistd.h>

#include "console.h"

typedef struct ReplyFdOp {
        VbFdOp fop;
        sd_bus_message *m;
} ReplyFdOp;

static void reply_fd_op_done(VbOp *op, int r, const VbError *e) {
        ReplyFdOp *o = (ReplyFdOp *) op;

        if (r >= 0 && o->fop.fd >= 0)
                (void) sd_bus_reply_method_return(o->m, "h", o->fop.fd);   /* sd-bus sends a dup */
        else {
                _cleanup_vb_error_ VbError fallback = VB_ERROR_NULL;
                sd_bus_error error = SD_BUS_ERROR_NULL;

                if (r >= 0 || !e) {
                        vb_error_set(&fallback, VB_ERR_INTERNAL, "no file descriptor to return");
                        e = &fallback;
                }
                vb_bus_error(&error, e);
                (void) sd_bus_reply_method_error(o->m, &error);
                sd_bus_error_free(&error);
        }
        if (o->fop.fd >= 0)
                (void) close(o->fop.fd);
        sd_bus_message_unref(o->m);
        free(o);
}

VbFdOp *vb_bus_reply_fd_op_new(sd_bus_message *m) {
        ReplyFdOp *o = calloc(1, sizeof(*o));

        if (!o)
                return NULL;
        o->fop.op.done = reply_fd_op_done;
        o->fop.fd = -1;
        o->m = sd_bus_message_ref(m);
        return &o->fop;
}

int vb_domain_open_graphics_fd_async(sd_bus_message *m, VbDomainObj *d, uint32_t idx, uint32_t flags,
                                     sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbFdOp *op = vb_bus_reply_fd_op_new(m);
        int r;

        if (!op)
                return -ENOMEM;
        r = d->conn->driver->domain->open_graphics_fd_async(d, idx, flags, op, &e);
        return vb_bus_reply_op_result(&op->op, r, &e);
}

static int method_open_console(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_close_ int fd = -1;
        VbDomainObj *d = userdata;
        const char *dev;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "su", &dev, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(d->conn, domain, open_console, "virDomainOpenConsole", &e, d, dev, flags, &fd, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "h", fd);
}

static const sd_bus_vtable console_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_NAMES("OpenConsole", "su", SD_BUS_PARAM(device) SD_BUS_PARAM(flags), "h",
                                 SD_BUS_PARAM(fd), method_open_console, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

const sd_bus_vtable *const vb_domain_console_vtable = console_vtable;
