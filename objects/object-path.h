/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The one place object paths are made and parsed, with libvirt-dbus's encodings:
 *   UUID-keyed objects:  <connect>/<kind>/_<uuid with '-' → '_'>
 *   name/key/MAC-keyed:  <connect>/<kind>/<label>, [A-Za-z0-9] kept, any other
 *                        byte → '_' + two lower-case hex digits.
 * sd_bus_path_encode() differs (it escapes a leading digit and encodes "" as "_"),
 * which would break wire compatibility, hence this small codec. */
#include <stdint.h>

/* Label codec. encode never fails (aborts on OOM); decode returns NULL on
 * malformed input (bad escapes; decoded NUL bytes). */
char *vb_label_encode(const char *s);
char *vb_label_decode(const char *label);

/* "_6695eb01_f6a4_..." <-> 16 bytes */
void vb_uuid_label(const uint8_t uuid[16], char ret[38]);
int vb_uuid_label_parse(const char *label, uint8_t ret[16]);

/* Full paths: vb_path_child("/org/libvirt/Test", "domain", label) */
char *vb_path_child(const char *connect_path, const char *kind, const char *label);
/* If @path is <prefix>/<one element>, return that element (borrowed pointer into path). */
const char *vb_path_child_label(const char *path, const char *prefix);
