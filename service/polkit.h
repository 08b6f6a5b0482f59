/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

int vb_polkit_setup(sd_bus *bus, sd_event *event);
void vb_polkit_shutdown(void);
void vb_polkit_set_trusted_uid(uid_t uid);
void vb_polkit_set_always_query(bool b);
int vb_polkit_check(sd_bus_message *m, const char *action, const char *const *details, sd_bus_error *error);
