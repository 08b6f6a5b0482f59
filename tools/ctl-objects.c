/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtbusctl commands for everything but domains: networks, storage pools and
 * volumes, node devices, secrets, node information and capabilities. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <json-c/json.h>

#include "ctl.h"

#define LIST_ACTIVE 2u          /* VIR_CONNECT_LIST_{NETWORKS,STORAGE_POOLS}_ACTIVE */

typedef struct Kind {
        const char *kind;       /* as in <kind>LookupByName */
        const char *iface, *list, *label;
} Kind;

static const Kind net_kind = { "Network", CTL_NETWORK, "ListNetworks", "Network" };
static const Kind pool_kind = { "StoragePool", CTL_POOL, "ListStoragePools", "Pool" };

static int list_json(Ctl *c, const Kind *k, char **paths) {
        json_object *arr = json_object_new_array();
        for (char **p = paths; *p; p++) {
                _cleanup_free_ char *name = NULL, *uuid = NULL;
                bool active = false, autostart = false, persistent = false;
                if (ctl_get_string(c, *p, k->iface, "Name", &name) < 0)
                        continue;
                (void) ctl_get_string(c, *p, k->iface, "UUID", &uuid);
                (void) ctl_get_bool(c, *p, k->iface, "Active", &active);
                (void) ctl_get_bool(c, *p, k->iface, "Autostart", &autostart);
                (void) ctl_get_bool(c, *p, k->iface, "Persistent", &persistent);
                json_object *o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(name));
                json_object_object_add(o, "uuid", json_object_new_string(strempty(uuid)));
                json_object_object_add(o, "active", json_object_new_boolean(active));
                json_object_object_add(o, "autostart", json_object_new_boolean(autostart));
                json_object_object_add(o, "persistent", json_object_new_boolean(persistent));
                json_object_object_add(o, "path", json_object_new_string(*p));
                json_object_array_add(arr, o);
        }
        puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(arr);
        return 0;
}

static int list_objects(Ctl *c, const CtlArgs *a, const Kind *k) {
        _cleanup_(ctl_strv_freep) char **paths = NULL;
        int r = ctl_list_paths(c, c->connect, CTL_CONNECT, k->list, a->all ? 0 : LIST_ACTIVE, &paths);
        if (r < 0)
                return r;
        if (a->json)
                return list_json(c, k, paths);
        if (!a->name)
                printf(" %-24s %-10s %-10s %s\n", "Name", "State", "Autostart", "Persistent");
        for (char **p = paths; *p; p++) {
                _cleanup_free_ char *name = NULL;
                bool active = false, autostart = false, persistent = false;
                if (ctl_get_string(c, *p, k->iface, "Name", &name) < 0)
                        continue;
                if (a->name) {
                        puts(name);
                        continue;
                }
                (void) ctl_get_bool(c, *p, k->iface, "Active", &active);
                (void) ctl_get_bool(c, *p, k->iface, "Autostart", &autostart);
                (void) ctl_get_bool(c, *p, k->iface, "Persistent", &persistent);
                printf(" %-24s %-10s %-10s %s\n", name, active ? "active" : "inactive",
                       autostart ? "yes" : "no", persistent ? "yes" : "no");
        }
        return 0;
}

/* member with no arguments, with a flags argument (sig "u"), or a property write */
static int object_op(Ctl *c, const CtlArgs *a, const Kind *k, const char *member, bool flags,
                     const char *done) {
        _cleanup_free_ char *path = NULL;
        int r = ctl_named_path(c, k->kind, a->pos[0], &path);
        if (r >= 0 && streq(member, "Autostart"))
                r = ctl_set_bool(c, path, k->iface, "Autostart", !a->disable);
        else if (r >= 0)
                r = flags ? ctl_call(c, path, k->iface, member, NULL, "u", 0u)
                          : ctl_call(c, path, k->iface, member, NULL, "");
        if (r >= 0)
                printf("%s '%s' %s\n", k->label, a->pos[0], done);
        return r;
}

static int object_dumpxml(Ctl *c, const CtlArgs *a, const Kind *k) {
        _cleanup_free_ char *path = NULL, *xml = NULL;
        int r = ctl_named_path(c, k->kind, a->pos[0], &path);
        if (r >= 0)
                r = ctl_call_string(c, path, k->iface, "GetXMLDesc", &xml, "u", 0u);
        if (r >= 0)
                fputs(xml, stdout);
        return r;
}

static int object_define(Ctl *c, const CtlArgs *a, const Kind *k) {
        _cleanup_free_ char *xml = NULL, *path = NULL, *name = NULL;
        int r = ctl_read_file(a->pos[0], &xml);
        if (r >= 0)
                r = k == &net_kind
                        ? ctl_call_path(c, c->connect, CTL_CONNECT, "NetworkDefineXML", &path, "s", xml)
                        : ctl_call_path(c, c->connect, CTL_CONNECT, "StoragePoolDefineXML", &path, "su", xml, 0u);
        if (r < 0)
                return r;
        if (ctl_get_string(c, path, k->iface, "Name", &name) < 0)
                name = vb_strdup(path);
        printf("%s '%s' defined from %s\n", k->label, name, a->pos[0]);
        return 0;
}

static int cmd_net_list(Ctl *c, const CtlArgs *a) { return list_objects(c, a, &net_kind); }
static int cmd_net_start(Ctl *c, const CtlArgs *a) { return object_op(c, a, &net_kind, "Create", false, "started"); }
static int cmd_net_destroy(Ctl *c, const CtlArgs *a) { return object_op(c, a, &net_kind, "Destroy", false, "destroyed"); }
static int cmd_net_undefine(Ctl *c, const CtlArgs *a) { return object_op(c, a, &net_kind, "Undefine", false, "has been undefined"); }
static int cmd_net_define(Ctl *c, const CtlArgs *a) { return object_define(c, a, &net_kind); }
static int cmd_net_dumpxml(Ctl *c, const CtlArgs *a) { return object_dumpxml(c, a, &net_kind); }
/* virsh net-dhcp-leases: one line per lease, or a JSON array with --json. */
static void lease_print(const CtlArgs *a, json_object *arr, int64_t expiry, const char *mac, const char *ip,
                        unsigned prefix, const char *host, const char *client) {
        char when[32] = "never";
        time_t t = (time_t) expiry;
        struct tm tm;

        if (arr) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "expirytime", json_object_new_int64(expiry));
                json_object_object_add(o, "mac", json_object_new_string(mac));
                json_object_object_add(o, "ipaddr", json_object_new_string(ip));
                json_object_object_add(o, "prefix", json_object_new_int((int) prefix));
                json_object_object_add(o, "hostname", json_object_new_string(host));
                json_object_object_add(o, "clientid", json_object_new_string(client));
                json_object_array_add(arr, o);
                return;
        }
        if (expiry > 0 && localtime_r(&t, &tm))
                strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
        printf(" %-20s %-18s ipv4  %s/%u  %s  %s\n", when, mac, ip, prefix, *host ? host : "-",
               *client ? client : "-");
}

static int cmd_net_dhcp_leases(Ctl *c, const CtlArgs *a) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = NULL;
        json_object *arr = a->json ? json_object_new_array() : NULL;
        const char *iface, *mac, *iaid, *ip, *host, *client;
        unsigned prefix;
        int64_t expiry;
        int type, r;

        r = ctl_named_path(c, net_kind.kind, a->pos[0], &path);
        if (r >= 0)
                r = ctl_call(c, path, CTL_NETWORK, "GetDHCPLeases", &reply, "su", a->npos > 1 ? a->pos[1] : "", 0u);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "(sxisssuss)");
        if (r >= 0 && !arr)
                printf(" %-20s %-18s %-5s %s  %s  %s\n", "Expiry Time", "MAC address", "Type", "IP address",
                       "Hostname", "Client ID");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sxisssuss)", &iface, &expiry, &type, &mac, &iaid, &ip,
                                                  &prefix, &host, &client)) > 0)
                lease_print(a, arr, expiry, mac, ip, prefix, host, client);
        if (r >= 0 && arr)
                puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
        json_object_put(arr);
        return r < 0 ? r : 0;
}

static int cmd_net_autostart(Ctl *c, const CtlArgs *a) {
        return object_op(c, a, &net_kind, "Autostart", false,
                         a->disable ? "unmarked as autostarted" : "marked as autostarted");
}
static int cmd_pool_list(Ctl *c, const CtlArgs *a) { return list_objects(c, a, &pool_kind); }
static int cmd_pool_start(Ctl *c, const CtlArgs *a) { return object_op(c, a, &pool_kind, "Create", true, "started"); }
static int cmd_pool_destroy(Ctl *c, const CtlArgs *a) { return object_op(c, a, &pool_kind, "Destroy", false, "destroyed"); }
static int cmd_pool_refresh(Ctl *c, const CtlArgs *a) { return object_op(c, a, &pool_kind, "Refresh", true, "refreshed"); }
static int cmd_pool_undefine(Ctl *c, const CtlArgs *a) { return object_op(c, a, &pool_kind, "Undefine", false, "has been undefined"); }
static int cmd_pool_define(Ctl *c, const CtlArgs *a) { return object_define(c, a, &pool_kind); }
static int cmd_pool_dumpxml(Ctl *c, const CtlArgs *a) { return object_dumpxml(c, a, &pool_kind); }
static int cmd_pool_build(Ctl *c, const CtlArgs *a) { return object_op(c, a, &pool_kind, "Build", true, "built"); }
static int cmd_pool_delete(Ctl *c, const CtlArgs *a) { return object_op(c, a, &pool_kind, "Delete", true, "deleted"); }
static int cmd_pool_autostart(Ctl *c, const CtlArgs *a) {
        return object_op(c, a, &pool_kind, "Autostart", false,
                         a->disable ? "unmarked as autostarted" : "marked as autostarted");
}

/* a volume by --pool POOL + name, by path (leading '/'), or by key */
static int vol_path(Ctl *c, const CtlArgs *a, char **ret) {
        _cleanup_free_ char *pool = NULL;
        const char *v = a->pos[0];
        if (a->pool) {
                int r = ctl_named_path(c, "StoragePool", a->pool, &pool);
                return r < 0 ? r : ctl_call_path(c, pool, CTL_POOL, "StorageVolLookupByName", ret, "s", v);
        }
        return ctl_call_path(c, c->connect, CTL_CONNECT,
                             v[0] == '/' ? "StorageVolLookupByPath" : "StorageVolLookupByKey", ret, "s", v);
}

static int cmd_vol_list(Ctl *c, const CtlArgs *a) {
        _cleanup_(ctl_strv_freep) char **vols = NULL;
        _cleanup_free_ char *pool = NULL;
        int r = ctl_named_path(c, "StoragePool", a->pos[0], &pool);
        if (r >= 0)
                r = ctl_list_paths(c, pool, CTL_POOL, "ListStorageVolumes", 0, &vols);
        if (r < 0)
                return r;
        if (!a->name)
                printf(" %-24s %s\n", "Name", "Path");
        for (char **p = vols; *p; p++) {
                _cleanup_free_ char *name = NULL, *vpath = NULL;
                if (ctl_get_string(c, *p, CTL_VOL, "Name", &name) < 0)
                        continue;
                (void) ctl_get_string(c, *p, CTL_VOL, "Path", &vpath);
                if (a->name)
                        puts(name);
                else
                        printf(" %-24s %s\n", name, strempty(vpath));
        }
        return 0;
}

static int cmd_vol_create(Ctl *c, const CtlArgs *a) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_free_ char *pool = NULL, *xml = NULL, *name = NULL;
        const char *vol;
        int r = ctl_named_path(c, "StoragePool", a->pos[0], &pool);
        if (r >= 0)
                r = ctl_read_file(a->pos[1], &xml);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(c->bus, &m, CTL_BUS, pool, CTL_POOL, "StorageVolCreateXML");
        if (r >= 0)
                r = sd_bus_message_append(m, "su", xml, 0u);
        if (r >= 0)
                r = ctl_call_with_progress(c, m, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &vol);
        if (r < 0)
                return r;
        if (ctl_get_string(c, vol, CTL_VOL, "Name", &name) < 0)
                name = vb_strdup(vol);
        printf("Vol %s created from %s\n", name, a->pos[1]);
        return 0;
}

static int cmd_vol_delete(Ctl *c, const CtlArgs *a) {
        _cleanup_free_ char *vol = NULL;
        int r = vol_path(c, a, &vol);
        if (r >= 0)
                r = ctl_call(c, vol, CTL_VOL, "Delete", NULL, "u", 0u);
        if (r >= 0)
                printf("Vol %s deleted\n", a->pos[0]);
        return r;
}

static int cmd_vol_dumpxml(Ctl *c, const CtlArgs *a) {
        _cleanup_free_ char *vol = NULL, *xml = NULL;
        int r = vol_path(c, a, &vol);
        if (r >= 0)
                r = ctl_call_string(c, vol, CTL_VOL, "GetXMLDesc", &xml, "u", 0u);
        if (r >= 0)
                fputs(xml, stdout);
        return r;
}

/* vol-wipe POOL VOLUME, or VOLUME (key or path) [--pool POOL] like the other vol-* commands */
static int cmd_vol_wipe(Ctl *c, const CtlArgs *a) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_free_ char *vol = NULL;
        const char *name = a->pos[a->npos - 1];
        int r;

        if (a->npos == 2) {
                CtlArgs b = *a;
                b.pos[0] = a->pos[1];
                b.pool = a->pos[0];
                r = vol_path(c, &b, &vol);
        } else
                r = vol_path(c, a, &vol);
        if (r >= 0)
                r = sd_bus_message_new_method_call(c->bus, &m, CTL_BUS, vol, CTL_VOL, "Wipe");
        if (r >= 0)
                r = sd_bus_message_append(m, "uu", 0u, 0u);
        if (r >= 0)
                r = ctl_call_with_progress(c, m, &reply);
        if (r >= 0)
                printf("Vol %s wiped\n", name);
        return r;
}

/* The caller's end of a transfer: FILE, or - for standard input/output (not a terminal:
 * volume bytes are not typed in or printed on a screen). */
static int open_stream_file(const char *file, bool upload, int *ret) {
        int fd;

        if (streq(file, "-")) {
                if (isatty(upload ? STDIN_FILENO : STDOUT_FILENO)) {
                        fprintf(stderr, "virtbusctl: refusing to %s volume data %s a terminal\n",
                                upload ? "read" : "write", upload ? "from" : "to");
                        return -EINVAL;
                }
                fd = fcntl(upload ? STDIN_FILENO : STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        } else
                fd = open(file, upload ? O_RDONLY | O_CLOEXEC : O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0) {
                int r = -errno;
                fprintf(stderr, "virtbusctl: cannot open '%s': %s\n", file, strerror(errno));
                return r == -ENOENT ? -ENOENT : -EIO;
        }
        *ret = fd;
        return 0;
}

/* vol-upload / vol-download VOLUME FILE [--pool POOL] [--offset N] [--length N]: the
 * daemon copies through our descriptor of FILE as a job; we show its progress. */
static int vol_stream(Ctl *c, const CtlArgs *a, bool upload) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *vol = NULL;
        _cleanup_close_ int fd = -1;
        const char *file = a->pos[1];
        int r = vol_path(c, a, &vol);

        if (r >= 0)
                r = open_stream_file(file, upload, &fd);
        if (r >= 0)
                r = sd_bus_message_new_method_call(c->bus, &m, CTL_BUS, vol, "org.virtbus.StorageVol1",
                                                   upload ? "Upload" : "Download");
        if (r >= 0)
                r = sd_bus_message_append(m, "httu", fd, a->offset, a->length, 0u);
        if (r >= 0)
                r = ctl_call_job(c, m);
        if (r < 0)
                return r;
        /* with - the data is on standard output: the note goes elsewhere */
        fprintf(streq(file, "-") ? stderr : stdout, "Vol %s %s %s\n", a->pos[0],
                upload ? "uploaded from" : "downloaded to", streq(file, "-") ? (upload ? "stdin" : "stdout") : file);
        return 0;
}

static int cmd_vol_upload(Ctl *c, const CtlArgs *a) {
        return vol_stream(c, a, true);
}

static int cmd_vol_download(Ctl *c, const CtlArgs *a) {
        return vol_stream(c, a, false);
}

static int cmd_nodedev_list(Ctl *c, const CtlArgs *a) {
        _cleanup_(ctl_strv_freep) char **devs = NULL;
        int r = ctl_list_paths(c, c->connect, CTL_CONNECT, "ListNodeDevices", 0, &devs);
        for (char **p = devs; r >= 0 && *p; p++) {
                _cleanup_free_ char *name = NULL;
                if (ctl_get_string(c, *p, CTL_NODEDEV, "Name", &name) >= 0)
                        puts(name);
        }
        return r;
}

static int cmd_nodedev_dumpxml(Ctl *c, const CtlArgs *a) {
        _cleanup_free_ char *dev = NULL, *xml = NULL;
        int r = ctl_named_path(c, "NodeDevice", a->pos[0], &dev);
        if (r >= 0)
                r = ctl_call_string(c, dev, CTL_NODEDEV, "GetXMLDesc", &xml, "u", 0u);
        if (r >= 0)
                fputs(xml, stdout);
        return r;
}

static int cmd_nodeinfo(Ctl *c, const CtlArgs *a) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *model;
        uint64_t mem;
        uint32_t cpus, mhz, nodes, sockets, cores, threads;
        int r = ctl_call(c, c->connect, "org.virtbus.Connect1", "NodeGetInfo", &reply, "");
        if (r >= 0)
                r = sd_bus_message_read(reply, "(stuuuuuu)", &model, &mem, &cpus, &mhz, &nodes,
                                        &sockets, &cores, &threads);
        if (r < 0)
                return r;
        printf("%-20s%s\n%-20s%" PRIu32 "\n%-20s%" PRIu32 " MHz\n", "CPU model:", model,
               "CPU(s):", cpus, "CPU frequency:", mhz);
        printf("%-20s%" PRIu32 "\n%-20s%" PRIu32 "\n%-20s%" PRIu32 "\n%-20s%" PRIu32 "\n",
               "CPU socket(s):", sockets, "Core(s) per socket:", cores, "Thread(s) per core:", threads,
               "NUMA cell(s):", nodes);
        printf("%-20s%" PRIu64 " KiB\n", "Memory size:", mem);
        return 0;
}

static int cmd_capabilities(Ctl *c, const CtlArgs *a) {
        _cleanup_free_ char *xml = NULL;
        int r = ctl_call_string(c, c->connect, CTL_CONNECT, "GetCapabilities", &xml, "");
        if (r >= 0)
                fputs(xml, stdout);
        return r;
}

static int cmd_secret_list(Ctl *c, const CtlArgs *a) {
        static const char *const usage[] = { "none", "volume", "ceph", "iscsi", "tls", "vtpm" };
        _cleanup_(ctl_strv_freep) char **secrets = NULL;
        int r = ctl_list_paths(c, c->connect, CTL_CONNECT, "ListSecrets", 0, &secrets);
        if (r < 0)
                return r;
        printf(" %-36s  %s\n", "UUID", "Usage");
        for (char **p = secrets; *p; p++) {
                _cleanup_free_ char *uuid = NULL, *id = NULL;
                sd_bus_error e = SD_BUS_ERROR_NULL;
                int32_t type = 0;
                if (ctl_get_string(c, *p, CTL_SECRET, "UUID", &uuid) < 0)
                        continue;
                (void) ctl_get_string(c, *p, CTL_SECRET, "UsageID", &id);
                if (sd_bus_get_property_trivial(c->bus, CTL_BUS, *p, CTL_SECRET, "UsageType", &e, 'i', &type) < 0)
                        ctl_report(&e, "UsageType");
                sd_bus_error_free(&e);
                printf(" %-36s  %s %s\n", uuid,
                       type >= 0 && type < (int32_t) ELEMENTSOF(usage) ? usage[type] : "unknown",
                       strempty(id));
        }
        return 0;
}

static int cmd_secret_define(Ctl *c, const CtlArgs *a) {
        _cleanup_free_ char *xml = NULL, *path = NULL, *uuid = NULL;
        int r = ctl_read_file(a->pos[0], &xml);
        if (r >= 0)
                r = ctl_call_path(c, c->connect, CTL_CONNECT, "SecretDefineXML", &path, "su", xml, 0u);
        if (r >= 0)
                r = ctl_get_string(c, path, CTL_SECRET, "UUID", &uuid);
        if (r >= 0)
                printf("Secret %s created\n", uuid);
        return r;
}

static int secret_value(const CtlArgs *a, uint8_t **ret, size_t *ret_n) {
        _cleanup_free_ char *data = NULL;
        const char *v = a->npos > 1 ? a->pos[1] : NULL;
        int r;

        if (!!a->file == !!v) {
                fprintf(stderr, "virtbusctl: give either a VALUE or --file FILE\n");
                return -EINVAL;
        }
        if (a->file && (r = ctl_read_file(a->file, &data)) < 0)
                return r;
        if (a->file || a->plain) {
                *ret_n = strlen(data ? data : v);
                *ret = (uint8_t *) vb_strdup(data ? data : v);
                return 0;
        }
        r = ctl_base64_decode(v, ret, ret_n);
        if (r < 0)
                fprintf(stderr, "virtbusctl: the value is not valid base64 (use --plain for text)\n");
        return r;
}

static int cmd_secret_set_value(Ctl *c, const CtlArgs *a) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *path = NULL;
        _cleanup_free_ uint8_t *val = NULL;
        size_t n = 0;
        int r = secret_value(a, &val, &n);
        if (r >= 0)
                r = ctl_named_path(c, "Secret", a->pos[0], &path);
        if (r >= 0)
                r = sd_bus_message_new_method_call(c->bus, &m, CTL_BUS, path, CTL_SECRET, "SetValue");
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'y', val, n);
        if (r >= 0)
                r = sd_bus_message_append(m, "u", 0u);
        if (r >= 0)
                r = ctl_call_message(c, m, NULL);
        if (r >= 0)
                printf("Secret value set\n");
        return r;
}

static int cmd_secret_get_value(Ctl *c, const CtlArgs *a) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = NULL, *enc = NULL;
        const void *p;
        size_t n;
        int r = ctl_named_path(c, "Secret", a->pos[0], &path);
        if (r >= 0)
                r = ctl_call(c, path, CTL_SECRET, "GetValue", &reply, "u", 0u);
        if (r >= 0)
                r = sd_bus_message_read_array(reply, 'y', &p, &n);
        if (r < 0)
                return r;
        if (a->plain) {
                fwrite(p, 1, n, stdout);
                return 0;
        }
        r = ctl_base64_encode(p, n, &enc);
        if (r >= 0)
                puts(enc);
        return r;
}

static int cmd_secret_undefine(Ctl *c, const CtlArgs *a) {
        _cleanup_free_ char *path = NULL;
        int r = ctl_named_path(c, "Secret", a->pos[0], &path);
        if (r >= 0)
                r = ctl_call(c, path, CTL_SECRET, "Undefine", NULL, "");
        if (r >= 0)
                printf("Secret %s deleted\n", a->pos[0]);
        return r;
}

#define LIST_HELP "  --all   include inactive ones\n  --json  print a JSON array\n  --name  print names only"

const CtlCommand ctl_object_commands[] = {
        { "net-list", cmd_net_list, 0, 0, " --all --json --name", "[--all] [--json] [--name]",
          "List virtual networks (active ones; --all: also inactive).\n" LIST_HELP },
        { "net-start", cmd_net_start, 1, 1, "", "NETWORK", "Start a defined network (by name or UUID)." },
        { "net-destroy", cmd_net_destroy, 1, 1, "", "NETWORK", "Stop a network." },
        { "net-define", cmd_net_define, 1, 1, "", "FILE", "Define a network from an XML file (- = stdin)." },
        { "net-undefine", cmd_net_undefine, 1, 1, "", "NETWORK", "Remove a network's persistent definition." },
        { "net-dumpxml", cmd_net_dumpxml, 1, 1, "", "NETWORK", "Print the XML of a network." },
        { "net-autostart", cmd_net_autostart, 1, 1, " --disable", "NETWORK [--disable]",
          "Start a network when the daemon starts (--disable: don't)." },
        { "net-dhcp-leases", cmd_net_dhcp_leases, 1, 2, " --json", "NETWORK [MAC] [--json]",
          "List the DHCP leases of a running network (only those of MAC when given)." },
        { "pool-list", cmd_pool_list, 0, 0, " --all --json --name", "[--all] [--json] [--name]",
          "List storage pools (active ones; --all: also inactive).\n" LIST_HELP },
        { "pool-start", cmd_pool_start, 1, 1, "", "POOL", "Start a defined storage pool." },
        { "pool-destroy", cmd_pool_destroy, 1, 1, "", "POOL", "Stop a storage pool." },
        { "pool-define", cmd_pool_define, 1, 1, "", "FILE", "Define a storage pool from an XML file." },
        { "pool-undefine", cmd_pool_undefine, 1, 1, "", "POOL", "Remove a pool's persistent definition." },
        { "pool-dumpxml", cmd_pool_dumpxml, 1, 1, "", "POOL", "Print the XML of a storage pool." },
        { "pool-refresh", cmd_pool_refresh, 1, 1, "", "POOL", "Rescan the volumes of a pool." },
        { "pool-build", cmd_pool_build, 1, 1, "", "POOL", "Build a pool (dir: make its directory)." },
        { "pool-delete", cmd_pool_delete, 1, 1, "", "POOL",
          "Delete an inactive pool's storage (dir: remove its empty directory)." },
        { "pool-autostart", cmd_pool_autostart, 1, 1, " --disable", "POOL [--disable]",
          "Start a pool when the daemon starts, once per boot (--disable: don't)." },
        { "vol-list", cmd_vol_list, 1, 1, " --name", "POOL [--name]", "List the volumes of a pool." },
        { "vol-create", cmd_vol_create, 2, 2, "", "POOL FILE",
          "Create a volume from an XML file; shows the job's progress on a terminal, Ctrl-C cancels." },
        { "vol-delete", cmd_vol_delete, 1, 1, " --pool=", "VOLUME [--pool POOL]",
          "Delete a volume, given by key, by path, or by name with --pool." },
        { "vol-dumpxml", cmd_vol_dumpxml, 1, 1, " --pool=", "VOLUME [--pool POOL]",
          "Print the XML of a volume (by key, path, or name with --pool)." },
        { "vol-wipe", cmd_vol_wipe, 1, 2, " --pool=", "POOL VOLUME | VOLUME [--pool POOL]",
          "Overwrite a volume's data with zeroes; shows the job's progress (a bar on a terminal,\n"
          "plain lines otherwise), Ctrl-C cancels the job." },
        { "vol-upload", cmd_vol_upload, 2, 2, " --pool= --offset= --length=",
          "VOLUME FILE [--pool POOL] [--offset N] [--length N]",
          "Write FILE (- = stdin) into a volume at byte --offset (default 0): --length bytes, or\n"
          "all of FILE. The daemon reads FILE through a descriptor passed over D-Bus; the job's\n"
          "progress shows as with vol-wipe, Ctrl-C cancels it." },
        { "vol-download", cmd_vol_download, 2, 2, " --pool= --offset= --length=",
          "VOLUME FILE [--pool POOL] [--offset N] [--length N]",
          "Write a volume's bytes from --offset (default 0) to FILE (- = stdout): --length bytes,\n"
          "or up to the end of the volume. Progress and Ctrl-C as with vol-upload." },
        { "nodedev-list", cmd_nodedev_list, 0, 0, "", "", "List the host's devices." },
        { "nodedev-dumpxml", cmd_nodedev_dumpxml, 1, 1, "", "DEVICE", "Print the XML of a host device." },
        { "nodeinfo", cmd_nodeinfo, 0, 0, "", "", "Show the host's CPU and memory." },
        { "capabilities", cmd_capabilities, 0, 0, "", "", "Print the capabilities XML of the driver." },
        { "secret-list", cmd_secret_list, 0, 0, "", "", "List secrets." },
        { "secret-define", cmd_secret_define, 1, 1, "", "FILE", "Define a secret from an XML file." },
        { "secret-set-value", cmd_secret_set_value, 1, 2, " --file= --plain",
          "SECRET (VALUE | --file FILE) [--plain]",
          "Set a secret's value: VALUE in base64 (--plain: as text), or the bytes of FILE." },
        { "secret-get-value", cmd_secret_get_value, 1, 1, " --plain", "SECRET [--plain]",
          "Print a secret's value in base64 (--plain: raw)." },
        { "secret-undefine", cmd_secret_undefine, 1, 1, "", "SECRET", "Delete a secret." },
        {}
};
