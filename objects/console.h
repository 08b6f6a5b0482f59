/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* File descriptors for callers: org.virtbus.Console1 on domain objects and the
 * asynchronous path of org.libvirt.Domain.OpenGraphicsFD (objects/console.c). */
#include "bus-object.h"

#define VB_CONSOLE_INTERFACE "org.virtbus.Console1"

extern const sd_bus_vtable *const vb_domain_console_vtable;

/* A VbFdOp whose completion replies to @m exactly once: with op->fd as 'h' or the error. */
VbFdOp *vb_bus_reply_fd_op_new(sd_bus_message *m);

/* Domain.OpenGraphicsFD through the driver's open_graphics_fd_async. */
int vb_domain_open_graphics_fd_async(sd_bus_message *m, VbDomainObj *d, uint32_t idx, uint32_t flags,
                                     sd_bus_error *error);
