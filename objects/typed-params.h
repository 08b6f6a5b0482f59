/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* virTypedParameter <-> a{sv}, with libvirt-dbus's rules: inputs single-wrapped
 * {name: <value>}, outputs double-wrapped {name: <<value>>}; types i,u,x,t,d,b,s only. */
#include <systemd/sd-bus.h>

#include "driver.h"

/* Reads an a{sv}; an unsupported value type fails with org.libvirt.Error
 * "Invalid typed parameter '<type>'." (nothing else is changed). */
int vb_bus_read_typed_params(sd_bus_message *m, VbTypedParams *ret, sd_bus_error *error);
/* Appends an a{sv} with double-wrapped values. */
int vb_bus_append_typed_params(sd_bus_message *m, const VbTypedParams *tp);
/* Reply helper: the whole reply is one a{sv}. */
int vb_bus_reply_typed_params(sd_bus_message *m, const VbTypedParams *tp);
