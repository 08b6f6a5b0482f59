/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Handlers of org.libvirt.Connect's node and CPU methods (connect-node.c). */
#include <systemd/sd-bus.h>

int vb_connect_method_baseline_cpu(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_compare_cpu(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_get_cpu_model_names(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_get_domain_capabilities(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_node_get_cpu_map(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_node_get_cpu_stats(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_node_get_memory_stats(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_node_get_free_memory(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_node_get_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_node_set_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_node_get_security_model(sd_bus_message *m, void *userdata, sd_bus_error *error);
int vb_connect_method_node_get_info(sd_bus_message *m, void *userdata, sd_bus_error *error);
