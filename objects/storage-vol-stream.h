/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* org.virtbus.StorageVol1: volume upload/download through a file descriptor
 * (objects/storage-vol-stream.c), registered beside org.libvirt.StorageVol. */
#include <systemd/sd-bus.h>

#define VB_STORAGE_VOL_STREAM_INTERFACE "org.virtbus.StorageVol1"

extern const sd_bus_vtable *const vb_storage_vol_stream_vtable;
