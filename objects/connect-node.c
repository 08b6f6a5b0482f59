/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Connect: host (node) and CPU model methods. */
#include "bus-method.h"
#include "connect-node.h"
#include "xml-keep.h"

static int reply_string(sd_bus_message *m, int r, const char *s, VbError *e, sd_bus_error *error) {
        if (r < 0)
                return vb_bus_error(error, e);
        return sd_bus_reply_method_return(m, "s", s);
}

int vb_connect_method_baseline_cpu(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *cpu = NULL;
        char **cpus = NULL;
        VbConnect *c = userdata;
        uint32_t flags;
        int r;

        r = sd_bus_message_read_strv(m, &cpus);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "u", &flags);
        if (r >= 0)
                r = VB_DRIVER_CALL(c, connect, baseline_cpu, "virConnectBaselineCPU", &e, c,
                                   (const char *const *) cpus, flags, &cpu, &e);
        else
                vb_error_set(&e, VB_ERR_INVALID_ARG, "bad arguments");
        vb_strv_free(cpus);
        return reply_string(m, r, cpu, &e, error);
}

int vb_connect_method_compare_cpu(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = userdata;
        const char *xml;
        uint32_t flags;
        int result = 0, r;

        r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(c, connect, compare_cpu, "virConnectCompareCPU", &e, c, xml, flags, &result, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "i", (int32_t) result);
}

int vb_connect_method_get_cpu_model_names(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        VbConnect *c = userdata;
        char **models = NULL;
        const char *arch;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "su", &arch, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(c, connect, get_cpu_model_names, "virConnectGetCPUModelNames", &e,
                           c, arch, flags, &models, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append_strv(reply, models);
        vb_strv_free(models);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

int vb_connect_method_get_domain_capabilities(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *caps = NULL;
        const char *emulator, *arch, *machine, *virttype;
        VbConnect *c = userdata;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "ssssu", &emulator, &arch, &machine, &virttype, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(c, connect, get_domain_capabilities, "virConnectGetDomainCapabilities", &e,
                           c, empty_to_null(emulator), empty_to_null(arch), empty_to_null(machine),
                           empty_to_null(virttype), flags, &caps, &e);
        return reply_string(m, r, caps, &e, error);
}

int vb_connect_method_node_get_cpu_map(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ bool *map = NULL;
        VbConnect *c = userdata;
        uint32_t flags;
        size_t n = 0;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(c, connect, node_get_cpu_map, "virNodeGetCPUMap", &e, c, flags, &map, &n, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "b");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(reply, "b", (int) map[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int reply_stats(sd_bus_message *m, int r, VbNodeStat *stats, VbError *e, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ VbNodeStat *s = stats;

        if (r < 0)
                return vb_bus_error(error, e);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{st}");
        for (VbNodeStat *p = s; r >= 0 && p && p->name; p++)
                r = sd_bus_message_append(reply, "{st}", p->name, p->value);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

int vb_connect_method_node_get_cpu_stats(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbNodeStat *stats = NULL;
        VbConnect *c = userdata;
        int32_t cpu;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "iu", &cpu, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(c, connect, node_get_cpu_stats, "virNodeGetCPUStats", &e, c, cpu, flags, &stats, &e);
        return reply_stats(m, r, stats, &e, error);
}

int vb_connect_method_node_get_memory_stats(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbNodeStat *stats = NULL;
        VbConnect *c = userdata;
        int32_t cell;
        uint32_t flags;
        int r;

        r = sd_bus_message_read(m, "iu", &cell, &flags);
        if (r < 0)
                return r;
        r = VB_DRIVER_CALL(c, connect, node_get_memory_stats, "virNodeGetMemoryStats", &e, c, cell, flags,
                           &stats, &e);
        return reply_stats(m, r, stats, &e, error);
}

int vb_connect_method_node_get_free_memory(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = userdata;
        uint64_t mem = 0;
        int r;

        r = VB_DRIVER_CALL(c, connect, node_get_free_memory, "virNodeGetFreeMemory", &e, c, &mem, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "t", mem);
}

/* No driver has host memory tunables (KSM etc.) yet: the central check reports it. */
int vb_connect_method_node_get_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        uint32_t flags;
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        return vb_bus_unsupported(error, "virNodeGetMemoryParameters");
}

int vb_connect_method_node_set_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int r = sd_bus_message_skip(m, "a{sv}u");
        if (r < 0)
                return r;
        return vb_bus_unsupported(error, "virNodeSetMemoryParameters");
}

int vb_connect_method_node_get_security_model(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *model = NULL, *doi = NULL;
        VbConnect *c = userdata;
        int r;

        r = VB_DRIVER_CALL(c, connect, node_get_security_model, "virNodeGetSecurityModel", &e, c,
                           &model, &doi, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "(ss)", strempty(model), strempty(doi));
}

/* org.virtbus.Connect1.NodeGetInfo: libvirt's virNodeGetInfo, absent from libvirt-dbus. */
int vb_connect_method_node_get_info(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = userdata;
        VbNodeInfo info = { 0 };
        int r;

        r = VB_DRIVER_CALL(c, connect, node_get_info, "virNodeGetInfo", &e, c, &info, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "(stuuuuuu)", info.model, info.memory_kib, info.cpus,
                                          info.mhz, info.nodes, info.sockets, info.cores, info.threads);
}
