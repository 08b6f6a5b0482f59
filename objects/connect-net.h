/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* org.libvirt.Connect methods for networks, host interfaces, secrets and network
 * filters (handlers in connect-net.c, vtable entries in connect.c). */
#include <systemd/sd-bus.h>

int vb_connect_method_list_networks(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_network_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_network_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_network_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_network_lookup_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error);

int vb_connect_method_list_interfaces(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_interface_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_interface_lookup_by_mac(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_interface_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_interface_change_begin(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_interface_change_commit(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_interface_change_rollback(sd_bus_message *m, void *userdata, sd_bus_error *error);

int vb_connect_method_list_secrets(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_secret_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_secret_lookup_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_secret_lookup_by_usage(sd_bus_message *m, void *userdata, sd_bus_error *error);

int vb_connect_method_list_nwfilters(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_nwfilter_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_nwfilter_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_nwfilter_lookup_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error);
