/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* org.libvirt.Connect methods for storage pools, volumes and node devices
 * (objects/connect-storage.c); their vtable lines live in connect.c. */
#include "bus-object.h"

int vb_method_find_storage_pool_sources(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_method_list_node_devices(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_method_list_storage_pools(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_method_node_device_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_method_node_device_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_method_node_device_lookup_scsi_host_by_wwn(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_method_storage_pool_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_method_storage_pool_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_method_storage_pool_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_method_storage_pool_lookup_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_method_storage_vol_lookup_by_key(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_method_storage_vol_lookup_by_path(sd_bus_message *m, void *userdata, sd_bus_error *error);

