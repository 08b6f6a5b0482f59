/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtbusctl domain commands: list, lifecycle, define/undefine/create, dumpxml, edit,
 * dominfo, domstats, autostart, snapshots, device attach/detach. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <json-c/json.h>

#include "ctl.h"

/* libvirt flag values used on the wire */
#define LIST_DOMAINS_ACTIVE 1u
#define XML_SECURE 1u
#define XML_INACTIVE 2u
#define AFFECT_LIVE 1u
#define AFFECT_CONFIG 2u

typedef struct DomInfo {
        char *name, *uuid, *os_type;
        uint32_t id;
        int state, reason;
        uint64_t mem_kib, max_kib;
        unsigned vcpus, max_vcpus;
        bool active, persistent, autostart;
} DomInfo;

static void dom_info_done(DomInfo *i) {
        free(i->name);
        free(i->uuid);
        free(i->os_type);
}

const char *ctl_domain_state_name(int state) {
        static const char *const names[] = {
                "nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed",
                "pmsuspended",
        };
        return state >= 0 && state < (int) ELEMENTSOF(names) ? names[state] : "unknown";
}

static uint64_t unit_factor(const char *u) {
        static const struct { const char *unit; uint64_t f; } units[] = {
                { "b", 1 }, { "bytes", 1 }, { "k", 1024 }, { "KiB", 1024 }, { "KB", 1000 },
                { "M", 1 << 20 }, { "MiB", 1 << 20 }, { "MB", 1000000 },
                { "G", 1 << 30 }, { "GiB", 1 << 30 }, { "GB", 1000000000 },
                { "T", 1ULL << 40 }, { "TiB", 1ULL << 40 }, { "TB", 1000000000000ULL },
        };
        if (isempty(u))
                return 1024;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (streq(units[i].unit, u))
                        return units[i].f;
        return 1024;
}

static uint64_t xml_kib(const char *xml, const char *element) {
        char xp[96];
        snprintf(xp, sizeof(xp), "string(/domain/%s)", element);
        _cleanup_free_ char *v = ctl_xml_string(xml, xp);
        snprintf(xp, sizeof(xp), "string(/domain/%s/@unit)", element);
        _cleanup_free_ char *u = ctl_xml_string(xml, xp);
        return v ? strtoull(v, NULL, 10) * unit_factor(u) / 1024 : 0;
}

static void dom_info_xml(DomInfo *i, const char *xml) {
        _cleanup_free_ char *vcpu = ctl_xml_string(xml, "string(/domain/vcpu)");
        _cleanup_free_ char *cur = ctl_xml_string(xml, "string(/domain/vcpu/@current)");

        i->max_kib = xml_kib(xml, "memory");
        i->mem_kib = xml_kib(xml, "currentMemory");
        if (i->mem_kib == 0)
                i->mem_kib = i->max_kib;
        i->max_vcpus = vcpu ? (unsigned) strtoul(vcpu, NULL, 10) : 1;
        i->vcpus = cur ? (unsigned) strtoul(cur, NULL, 10) : i->max_vcpus;
}

static int dom_info(Ctl *c, const char *path, DomInfo *i) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *xml = NULL;
        int r;

        *i = (DomInfo) {};
        r = ctl_get_string(c, path, CTL_DOMAIN, "Name", &i->name);
        if (r >= 0)
                r = ctl_get_string(c, path, CTL_DOMAIN, "UUID", &i->uuid);
        if (r >= 0)
                r = ctl_get_bool(c, path, CTL_DOMAIN, "Active", &i->active);
        if (r >= 0)
                r = ctl_get_u32(c, path, CTL_DOMAIN, "Id", &i->id);
        if (r >= 0)
                r = ctl_call(c, path, CTL_DOMAIN, "GetState", &reply, "u", 0u);
        if (r >= 0)
                r = sd_bus_message_read(reply, "(ii)", &i->state, &i->reason);
        if (r >= 0)
                r = ctl_call_string(c, path, CTL_DOMAIN, "GetXMLDesc", &xml, "u", 0u);
        if (r < 0)
                return r;
        dom_info_xml(i, xml);
        return 0;
}

static int list_json(Ctl *c, char **paths) {
        json_object *arr = json_object_new_array();
        for (char **p = paths; *p; p++) {
                DomInfo i;
                if (dom_info(c, *p, &i) < 0)
                        continue;            /* vanished meanwhile */
                json_object *o = json_object_new_object();
                json_object_object_add(o, "id", i.active ? json_object_new_int64(i.id) : NULL);
                json_object_object_add(o, "name", json_object_new_string(i.name));
                json_object_object_add(o, "uuid", json_object_new_string(i.uuid));
                json_object_object_add(o, "state", json_object_new_string(ctl_domain_state_name(i.state)));
                json_object_object_add(o, "memory_kib", json_object_new_int64((int64_t) i.mem_kib));
                json_object_object_add(o, "vcpus", json_object_new_int64(i.vcpus));
                json_object_object_add(o, "path", json_object_new_string(*p));
                json_object_array_add(arr, o);
                dom_info_done(&i);
        }
        puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(arr);
        return 0;
}

static int cmd_list(Ctl *c, const CtlArgs *a) {
        _cleanup_(ctl_strv_freep) char **paths = NULL;
        int r = ctl_list_paths(c, c->connect, CTL_CONNECT, "ListDomains",
                               a->all ? 0 : LIST_DOMAINS_ACTIVE, &paths);
        if (r < 0)
                return r;
        if (a->json)
                return list_json(c, paths);
        if (!a->name)
                printf(" %-5s %-24s %-12s %10s %5s\n", "Id", "Name", "State", "Memory", "vCPUs");
        for (char **p = paths; *p; p++) {
                DomInfo i;
                char id[16] = "-";
                if (dom_info(c, *p, &i) < 0)
                        continue;
                if (a->name)
                        puts(i.name);
                else {
                        if (i.active)
                                snprintf(id, sizeof(id), "%" PRIu32, i.id);
                        printf(" %-5s %-24s %-12s %6" PRIu64 " MiB %5u\n", id, i.name,
                               ctl_domain_state_name(i.state), i.mem_kib / 1024, i.vcpus);
                }
                dom_info_done(&i);
        }
        return 0;
}

static int domain_call(Ctl *c, const CtlArgs *a, const char *member, bool flags, const char *done) {
        _cleanup_free_ char *path = NULL;
        int r = ctl_domain_path(c, a->pos[0], &path);
        if (r >= 0)
                r = flags ? ctl_call(c, path, CTL_DOMAIN, member, NULL, "u", 0u)
                          : ctl_call(c, path, CTL_DOMAIN, member, NULL, "");
        if (r >= 0)
                printf("Domain '%s' %s\n", a->pos[0], done);
        return r;
}

#define LIFECYCLE(fn, member, flags, done) \
        static int fn(Ctl *c, const CtlArgs *a) { return domain_call(c, a, member, flags, done); }
LIFECYCLE(cmd_start, "Create", true, "started")
LIFECYCLE(cmd_shutdown, "Shutdown", true, "is being shutdown")
LIFECYCLE(cmd_destroy, "Destroy", true, "destroyed")
LIFECYCLE(cmd_reboot, "Reboot", true, "is being rebooted")
LIFECYCLE(cmd_reset, "Reset", true, "was reset")
LIFECYCLE(cmd_suspend, "Suspend", false, "suspended")
LIFECYCLE(cmd_resume, "Resume", false, "resumed")
LIFECYCLE(cmd_undefine, "Undefine", true, "has been undefined")

static int define_like(Ctl *c, const CtlArgs *a, bool create) {
        _cleanup_free_ char *xml = NULL, *path = NULL, *name = NULL;
        int r = ctl_read_file(a->pos[0], &xml);
        if (r < 0)
                return r;
        r = create ? ctl_call_path(c, c->connect, CTL_CONNECT, "DomainCreateXML", &path, "su", xml, 0u)
                   : ctl_call_path(c, c->connect, CTL_CONNECT, "DomainDefineXML", &path, "s", xml);
        if (r < 0)
                return r;
        if (ctl_get_string(c, path, CTL_DOMAIN, "Name", &name) < 0)
                name = vb_strdup(path);
        printf("Domain '%s' %s from %s\n", name, create ? "created" : "defined", a->pos[0]);
        return 0;
}

static int cmd_define(Ctl *c, const CtlArgs *a) { return define_like(c, a, false); }
static int cmd_create(Ctl *c, const CtlArgs *a) { return define_like(c, a, true); }

static int cmd_dumpxml(Ctl *c, const CtlArgs *a) {
        _cleanup_free_ char *path = NULL, *xml = NULL;
        uint32_t flags = (a->inactive ? XML_INACTIVE : 0) | (a->security_info ? XML_SECURE : 0);
        int r = ctl_domain_path(c, a->pos[0], &path);
        if (r >= 0)
                r = ctl_call_string(c, path, CTL_DOMAIN, "GetXMLDesc", &xml, "u", flags);
        if (r >= 0)
                fputs(xml, stdout);
        return r;
}

/* $VISUAL / $EDITOR (split at blanks) or vi, on FILE; spawned with argv, no shell. */
static int run_editor(const char *file) {
        const char *e = getenv("VISUAL");
        char *argv[18];
        int n = 0, status;

        if (isempty(e))
                e = getenv("EDITOR");
        _cleanup_free_ char *copy = vb_strdup(isempty(e) ? "vi" : e);
        for (char *save = NULL, *t = strtok_r(copy, " \t", &save); t && n < 16;
             t = strtok_r(NULL, " \t", &save))
                argv[n++] = t;
        argv[n++] = (char *) file;
        argv[n] = NULL;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                execvp(argv[0], argv);
                fprintf(stderr, "virtbusctl: cannot run editor %s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "virtbusctl: editor %s failed\n", argv[0]);
                return -EIO;
        }
        return 0;
}

/* a new file $TMPDIR/virtbusctl-edit-??????.xml (mkstemps template) holding xml */
static int write_temp(const char *xml, char *tmpl, size_t size) {
        const char *dir = getenv("TMPDIR");
        int n = snprintf(tmpl, size, "%s/virtbusctl-edit-123456.xml", isempty(dir) ? "/tmp" : dir);
        if (n < 0 || (size_t) n >= size)
                return -ENAMETOOLONG;
        memset(tmpl + n - 10, 'X', 6);
        _cleanup_close_ int fd = mkstemps(tmpl, 4);
        size_t len = strlen(xml);
        if (fd < 0 || write(fd, xml, len) != (ssize_t) len) {
                fprintf(stderr, "virtbusctl: cannot write a temporary file: %s\n", strerror(errno));
                return -EIO;
        }
        return 0;
}

static bool ask_again(void) {
        char line[16];
        fputs("Failed. Try again? [y,n]: ", stdout);
        fflush(stdout);
        return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}

static int cmd_edit(Ctl *c, const CtlArgs *a) {
        _cleanup_free_ char *path = NULL, *old = NULL;
        char tmp[4096];
        int r = ctl_domain_path(c, a->pos[0], &path);
        if (r >= 0)
                r = ctl_call_string(c, path, CTL_DOMAIN, "GetXMLDesc", &old, "u", XML_INACTIVE | XML_SECURE);
        if (r >= 0)
                r = write_temp(old, tmp, sizeof(tmp));
        if (r < 0)
                return r;
        for (;;) {
                _cleanup_free_ char *new = NULL, *np = NULL;
                r = run_editor(tmp);
                if (r >= 0)
                        r = ctl_read_file(tmp, &new);
                if (r < 0)
                        break;
                if (streq(new, old)) {
                        printf("Domain '%s' XML configuration not changed.\n", a->pos[0]);
                        break;
                }
                r = ctl_call_path(c, c->connect, CTL_CONNECT, "DomainDefineXML", &np, "s", new);
                if (r >= 0) {
                        printf("Domain '%s' XML configuration edited.\n", a->pos[0]);
                        break;
                }
                if (!c->tty || !ask_again()) {
                        fprintf(stderr, "virtbusctl: the definition of '%s' is unchanged; "
                                "the edited XML is kept in %s\n", a->pos[0], tmp);
                        return r;
                }
        }
        unlink(tmp);
        return r;
}

static int cmd_dominfo(Ctl *c, const CtlArgs *a) {
        _cleanup_free_ char *path = NULL, *os = NULL;
        DomInfo i;
        int r = ctl_domain_path(c, a->pos[0], &path);
        if (r >= 0)
                r = dom_info(c, path, &i);
        if (r < 0)
                return r;
        (void) ctl_get_string(c, path, CTL_DOMAIN, "OSType", &os);
        (void) ctl_get_bool(c, path, CTL_DOMAIN, "Persistent", &i.persistent);
        (void) ctl_get_bool(c, path, CTL_DOMAIN, "Autostart", &i.autostart);
        if (i.active)
                printf("%-16s%" PRIu32 "\n", "Id:", i.id);
        else
                printf("%-16s%s\n", "Id:", "-");
        printf("%-16s%s\n%-16s%s\n%-16s%s\n%-16s%s\n%-16s%u\n", "Name:", i.name, "UUID:", i.uuid,
               "OS Type:", strempty(os), "State:", ctl_domain_state_name(i.state), "CPU(s):", i.vcpus);
        printf("%-16s%" PRIu64 " KiB\n%-16s%" PRIu64 " KiB\n", "Max memory:", i.max_kib,
               "Used memory:", i.mem_kib);
        printf("%-16s%s\n%-16s%s\n", "Persistent:", i.persistent ? "yes" : "no",
               "Autostart:", i.autostart ? "enable" : "disable");
        dom_info_done(&i);
        return 0;
}

static int cmd_domstats(Ctl *c, const CtlArgs *a) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = NULL;
        const char *key;
        int r = ctl_domain_path(c, a->pos[0], &path);
        if (r >= 0)
                r = ctl_call(c, path, CTL_DOMAIN, "GetStats", &reply, "uu", 0u, 0u);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        printf("Domain: '%s'\n", a->pos[0]);
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read_basic(reply, 's', &key);
                if (r >= 0) {
                        printf("  %s=", key);
                        r = ctl_print_value(reply, NULL);
                        putchar('\n');
                }
                if (r < 0 || (r = sd_bus_message_exit_container(reply)) < 0)
                        break;
        }
        return r < 0 ? r : 0;
}

static int cmd_autostart(Ctl *c, const CtlArgs *a) {
        _cleanup_free_ char *path = NULL;
        int r = ctl_domain_path(c, a->pos[0], &path);
        if (r >= 0)
                r = ctl_set_bool(c, path, CTL_DOMAIN, "Autostart", !a->disable);
        if (r >= 0)
                printf("Domain '%s' %s\n", a->pos[0],
                       a->disable ? "unmarked as autostarted" : "marked as autostarted");
        return r;
}

static int snapshot_path(Ctl *c, const char *dom, const char *snap, char **ret) {
        _cleanup_free_ char *path = NULL;
        int r = ctl_domain_path(c, dom, &path);
        return r < 0 ? r : ctl_call_path(c, path, CTL_DOMAIN, "SnapshotLookupByName", ret, "su", snap, 0u);
}

static int cmd_snapshot_create(Ctl *c, const CtlArgs *a) {
        _cleanup_free_ char *path = NULL, *xml = NULL, *snap = NULL, *sxml = NULL, *name = NULL;
        int r = ctl_domain_path(c, a->pos[0], &path);
        if (r >= 0 && a->npos > 1)
                r = ctl_read_file(a->pos[1], &xml);
        if (r < 0)
                return r;
        r = ctl_call_path(c, path, CTL_DOMAIN, "SnapshotCreateXML", &snap, "su",
                          xml ? xml : "<domainsnapshot/>", 0u);
        if (r >= 0 && ctl_call_string(c, snap, CTL_SNAPSHOT, "GetXMLDesc", &sxml, "u", 0u) >= 0)
                name = ctl_xml_string(sxml, "string(/domainsnapshot/name)");
        if (r >= 0)
                printf("Domain snapshot %s created\n", name ? name : snap);
        return r;
}

static int cmd_snapshot_list(Ctl *c, const CtlArgs *a) {
        _cleanup_(ctl_strv_freep) char **snaps = NULL;
        _cleanup_free_ char *path = NULL;
        int r = ctl_domain_path(c, a->pos[0], &path);
        if (r >= 0)
                r = ctl_list_paths(c, path, CTL_DOMAIN, "ListDomainSnapshots", 0, &snaps);
        if (r < 0)
                return r;
        if (!a->name)
                printf(" %-24s %-26s %s\n", "Name", "Creation Time", "State");
        for (char **p = snaps; *p; p++) {
                _cleanup_free_ char *xml = NULL, *name = NULL, *ctime_s = NULL, *state = NULL;
                char when[64] = "-";
                if (ctl_call_string(c, *p, CTL_SNAPSHOT, "GetXMLDesc", &xml, "u", 0u) < 0)
                        continue;
                name = ctl_xml_string(xml, "string(/domainsnapshot/name)");
                ctime_s = ctl_xml_string(xml, "string(/domainsnapshot/creationTime)");
                state = ctl_xml_string(xml, "string(/domainsnapshot/state)");
                if (ctime_s) {
                        time_t t = (time_t) strtoll(ctime_s, NULL, 10);
                        struct tm tm;
                        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", localtime_r(&t, &tm));
                }
                if (a->name)
                        puts(strempty(name));
                else
                        printf(" %-24s %-26s %s\n", strempty(name), when, state ? state : "-");
        }
        return 0;
}

static int snapshot_op(Ctl *c, const CtlArgs *a, const char *member, const char *done) {
        _cleanup_free_ char *snap = NULL;
        int r = snapshot_path(c, a->pos[0], a->pos[1], &snap);
        if (r >= 0)
                r = ctl_call(c, snap, CTL_SNAPSHOT, member, NULL, "u", 0u);
        if (r >= 0)
                printf("Domain snapshot %s %s\n", a->pos[1], done);
        return r;
}

static int cmd_snapshot_revert(Ctl *c, const CtlArgs *a) { return snapshot_op(c, a, "Revert", "reverted"); }
static int cmd_snapshot_delete(Ctl *c, const CtlArgs *a) { return snapshot_op(c, a, "Delete", "deleted"); }

static int device_op(Ctl *c, const CtlArgs *a, const char *member, const char *done) {
        _cleanup_free_ char *path = NULL, *xml = NULL;
        uint32_t flags = (a->live ? AFFECT_LIVE : 0) | (a->config ? AFFECT_CONFIG : 0);
        int r = ctl_domain_path(c, a->pos[0], &path);
        if (r >= 0)
                r = ctl_read_file(a->pos[1], &xml);
        if (r >= 0)
                r = ctl_call(c, path, CTL_DOMAIN, member, NULL, "su", xml, flags);
        if (r >= 0)
                printf("Device %s successfully\n", done);
        return r;
}

static int cmd_attach(Ctl *c, const CtlArgs *a) { return device_op(c, a, "AttachDevice", "attached"); }
static int cmd_detach(Ctl *c, const CtlArgs *a) { return device_op(c, a, "DetachDevice", "detached"); }
static int cmd_update(Ctl *c, const CtlArgs *a) { return device_op(c, a, "UpdateDevice", "updated"); }

const CtlCommand ctl_domain_commands[] = {
        { "list", cmd_list, 0, 0, " --all --json --name", "[--all] [--json] [--name]",
          "List domains (running ones; --all: also inactive): Id, Name, State, Memory, vCPUs.\n"
          "  --all   include inactive domains\n  --json  print a JSON array\n  --name  print names only" },
        { "start", cmd_start, 1, 1, "", "DOMAIN", "Start a defined domain." },
        { "shutdown", cmd_shutdown, 1, 1, "", "DOMAIN", "Ask a domain to shut down." },
        { "destroy", cmd_destroy, 1, 1, "", "DOMAIN", "Stop a domain at once." },
        { "reboot", cmd_reboot, 1, 1, "", "DOMAIN", "Reboot a domain." },
        { "reset", cmd_reset, 1, 1, "", "DOMAIN", "Reset a domain (like a reset button)." },
        { "suspend", cmd_suspend, 1, 1, "", "DOMAIN", "Pause a running domain." },
        { "resume", cmd_resume, 1, 1, "", "DOMAIN", "Resume a paused domain." },
        { "define", cmd_define, 1, 1, "", "FILE", "Define a persistent domain from an XML file (- = stdin)." },
        { "undefine", cmd_undefine, 1, 1, "", "DOMAIN", "Remove a domain's persistent definition." },
        { "create", cmd_create, 1, 1, "", "FILE", "Start a transient domain from an XML file (- = stdin)." },
        { "dumpxml", cmd_dumpxml, 1, 1, " --inactive --security-info", "DOMAIN [--inactive] [--security-info]",
          "Print the XML definition of a domain.\n  --inactive       the definition used at next start\n"
          "  --security-info  include security-sensitive data (passwords)" },
        { "edit", cmd_edit, 1, 1, "", "DOMAIN",
          "Edit a domain's persistent XML in $VISUAL/$EDITOR (default vi) and redefine it;\n"
          "a refused definition keeps the old one (on a terminal you may edit again)." },
        { "dominfo", cmd_dominfo, 1, 1, "", "DOMAIN", "Show basic information about a domain." },
        { "domstats", cmd_domstats, 1, 1, "", "DOMAIN", "Show the statistics of a domain (GetStats)." },
        { "autostart", cmd_autostart, 1, 1, " --disable", "DOMAIN [--disable]",
          "Start a domain when the daemon starts (--disable: don't)." },
        { "snapshot-create", cmd_snapshot_create, 1, 2, "", "DOMAIN [FILE]",
          "Create a snapshot of a domain (from a <domainsnapshot> XML FILE, or a default one)." },
        { "snapshot-list", cmd_snapshot_list, 1, 1, " --name", "DOMAIN [--name]", "List a domain's snapshots." },
        { "snapshot-revert", cmd_snapshot_revert, 2, 2, "", "DOMAIN SNAPSHOT", "Revert a domain to a snapshot." },
        { "snapshot-delete", cmd_snapshot_delete, 2, 2, "", "DOMAIN SNAPSHOT", "Delete a snapshot." },
        { "attach-device", cmd_attach, 2, 2, " --live --config", "DOMAIN FILE [--live] [--config]",
          "Attach a device from an XML file.\n  --live    affect the running domain\n"
          "  --config  affect the persistent definition\n  (neither: the current state)" },
        { "detach-device", cmd_detach, 2, 2, " --live --config", "DOMAIN FILE [--live] [--config]",
          "Detach a device described by an XML file (options as attach-device)." },
        { "update-device", cmd_update, 2, 2, " --live --config", "DOMAIN FILE [--live] [--config]",
          "Update a device from an XML file: cdrom media (no <source> ejects), an interface's\n"
          "<link state=''/> (options as attach-device)." },
        {}
};
