/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Property getters shared by every kind, for fields read straight from the object.
 * The vtable's offset slot names the field: sd-bus (and the gate's GetAll) pass
 * userdata + offset, as systemd's BUS_DEFINE_PROPERTY_GET getters expect. sd-bus's
 * own NULL-getter reads an int for "b", so our bool fields need these. */
#include "bus-object.h"
#include "xml-util.h"

int vb_bus_property_get_bool(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", (int) *(const bool *) userdata);
}

int vb_bus_property_get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        /* NULL goes out as "" (what sd-bus makes of a NULL "s" anyway) */
        return sd_bus_message_append(reply, "s", strempty(*(char *const *) userdata));
}

int vb_bus_property_get_uuid(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        char s[37];
        vb_uuid_format(userdata, s);
        return sd_bus_message_append(reply, "s", s);
}
