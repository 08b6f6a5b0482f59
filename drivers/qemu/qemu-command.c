/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Domain definition → QEMU argv: validation and the machine-wide options here,
 * devices in qemu-command-devices.c. Every value reaches the argv through one of
 * the checking helpers (cmd_opt_value, cmd_path, cmd_raw, cmd_ident). */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/un.h>

#include "qemu-command-internal.h"

/* ---- errors ---- */

int vb_qemu_cmd_fail(VbQemuCmd *c, VbErrorCode code, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        if (c->r < 0)
                return c->r;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        c->r = vb_error_set(c->e, msg ? code : VB_ERR_NO_MEMORY, "%s", strempty(msg));
        return c->r;
}

/* ---- argument lists ---- */

static void list_push(VbQemuArgList *l, char *s) {
        char **v;
        if (!s)
                abort();
        v = reallocarray(l->v, l->n + 2, sizeof(char *));
        if (!v)
                abort();
        v[l->n++] = s;
        v[l->n] = NULL;
        l->v = v;
}

static void list_clear(VbQemuArgList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i]);
        free(l->v);
        *l = (VbQemuArgList) { 0 };
}

void vb_qemu_cmd_arg(VbQemuCmd *c, VbQemuArgSection s, const char *arg) {
        list_push(&c->args[s], vb_strdup(arg));
}

void vb_qemu_cmd_opt(VbQemuCmd *c, VbQemuArgSection s, const char *name, const char *fmt, ...) {
        char *value;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&value, fmt, ap) < 0)
                abort();
        va_end(ap);
        list_push(&c->args[s], vb_strdup(name));
        list_push(&c->args[s], value);
}

const char *vb_qemu_cmd_keep(VbQemuCmd *c, char *s) {
        if (!s)
                return NULL;
        list_push(&c->scratch, s);
        return s;
}

/* ---- value checks ---- */

static bool has_control(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

const char *vb_qemu_cmd_raw(VbQemuCmd *c, const char *what, const char *v) {
        if (!v) {
                vb_qemu_cmd_fail(c, VB_ERR_INVALID_ARG, "%s is missing", what);
                return "";
        }
        if (has_control(v)) {
                vb_qemu_cmd_fail(c, VB_ERR_INVALID_ARG, "%s contains a control character", what);
                return "";
        }
        return v;
}

/* QEMU's option syntax: ',' separates key=value pairs, a literal ',' is written ',,'. */
char *vb_qemu_escape(const char *v) {
        size_t n = 0;
        char *r, *p;

        for (const char *s = v; *s; s++)
                n += *s == ',' ? 2 : 1;
        r = p = malloc(n + 1);
        if (!r)
                abort();
        for (const char *s = v; *s; s++) {
                *p++ = *s;
                if (*s == ',')
                        *p++ = ',';
        }
        *p = 0;
        return r;
}

const char *vb_qemu_cmd_opt_value(VbQemuCmd *c, const char *what, const char *v) {
        v = vb_qemu_cmd_raw(c, what, v);
        if (!strchr(v, ','))
                return v;
        return vb_qemu_cmd_keep(c, vb_qemu_escape(v));
}

static const char *check_absolute(VbQemuCmd *c, const char *what, const char *v) {
        if (*v != '/') {
                if (c->r == 0)
                        vb_qemu_cmd_fail(c, VB_ERR_INVALID_ARG, "%s '%s' is not an absolute path",
                                         what, v);
                return "";
        }
        return v;
}

const char *vb_qemu_cmd_raw_path(VbQemuCmd *c, const char *what, const char *v) {
        return check_absolute(c, what, vb_qemu_cmd_raw(c, what, v));
}

const char *vb_qemu_cmd_path(VbQemuCmd *c, const char *what, const char *v) {
        return vb_qemu_cmd_opt_value(c, what, vb_qemu_cmd_raw_path(c, what, v));
}

/* A unix socket path: absolute and short enough for sockaddr_un. */
const char *vb_qemu_cmd_socket_path(VbQemuCmd *c, const char *what, const char *v) {
        const char *p = vb_qemu_cmd_raw_path(c, what, v);
        if (strlen(p) >= sizeof(((struct sockaddr_un *) NULL)->sun_path)) {
                vb_qemu_cmd_fail(c, VB_ERR_INVALID_ARG, "%s '%s' is too long for a unix socket",
                                 what, p);
                return "";
        }
        return vb_qemu_cmd_opt_value(c, what, p);
}

/* A socket named @file inside the runtime directory. */
const char *vb_qemu_cmd_runtime_socket(VbQemuCmd *c, const char *what, const char *file) {
        if (!c->o->runtime_dir) {
                vb_qemu_cmd_fail(c, VB_ERR_INTERNAL, "%s needs a runtime directory", what);
                return "";
        }
        return vb_qemu_cmd_socket_path(c, what,
                                       vb_qemu_cmd_keep(c, vb_strdupf("%s/%s", c->o->runtime_dir, file)));
}

bool vb_qemu_is_ident(const char *v) {
        if (isempty(v))
                return false;
        for (; *v; v++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *v))
                        return false;
        return true;
}

const char *vb_qemu_cmd_ident(VbQemuCmd *c, const char *what, const char *v) {
        if (!vb_qemu_is_ident(v)) {
                if (!v || has_control(v))
                        vb_qemu_cmd_raw(c, what, v);
                else
                        vb_qemu_cmd_fail(c, VB_ERR_INVALID_ARG,
                                         "%s '%s' may only contain letters, digits, '.', '_' and '-'",
                                         what, v);
                return "x";
        }
        return v;
}

/* ---- machine-wide options ---- */

static int check_guest_kind(VbQemuCmd *c) {
        const VbDomainDef *def = c->def;
        const char *m = def->os_machine ? def->os_machine : "pc";

        if (!streq_ptr(def->virt_type, "qemu") && !streq_ptr(def->virt_type, "kvm"))
                return vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                        "domain type '%s' is not supported by the QEMU driver",
                                        strempty(def->virt_type));
        c->kvm = streq(def->virt_type, "kvm");
        if (c->kvm && !c->o->kvm_available)
                return vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                        "domain type 'kvm' requires a usable /dev/kvm; "
                                        "use <domain type='qemu'> for emulation (TCG)");
        if (!streq_ptr(def->os_type, "hvm"))
                return vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                        "OS type '%s' is not supported by the QEMU driver",
                                        strempty(def->os_type));
        if (def->os_arch && !streq(def->os_arch, "x86_64"))
                return vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                        "architecture '%s' is not supported (x86_64 only)",
                                        vb_qemu_cmd_raw(c, "architecture", def->os_arch));
        m = vb_qemu_cmd_ident(c, "machine type", m);
        c->q35 = streq(m, "q35") || strncmp(m, "pc-q35-", 7) == 0;
        if (!c->q35 && !streq(m, "pc") && strncmp(m, "pc-i440fx-", 10) != 0)
                return vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                        "machine type '%s' is not supported (pc, q35, pc-i440fx-*, pc-q35-*)",
                                        m);
        c->machine = m;
        return c->r;
}

static const char *emulator(VbQemuCmd *c) {
        const char *path = c->o->emulator ? c->o->emulator :
                           c->def->emulator ? c->def->emulator : VB_QEMU_DEFAULT_EMULATOR;
        return vb_qemu_cmd_raw_path(c, "emulator", path);
}

static void build_identity(VbQemuCmd *c) {
        char uuid[37];

        vb_qemu_cmd_arg(c, VB_QEMU_ARGS_BASE, emulator(c));
        vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-name", "guest=%s,debug-threads=on",
                        vb_qemu_cmd_opt_value(c, "domain name", c->def->name));
        if (c->o->start_paused)
                vb_qemu_cmd_arg(c, VB_QEMU_ARGS_BASE, "-S");
        vb_uuid_format(c->def->uuid, uuid);
        vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-uuid", "%s", uuid);
        /* ACPI only with <features><acpi/>, as libvirt does on x86. */
        vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-machine", "%s%s", c->machine,
                        vb_domain_def_has_feature(c->def, "acpi") ? "" : ",acpi=off");
        vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-accel", "%s", c->kvm ? "kvm" : "tcg");
}

static void build_cpu_model(VbQemuCmd *c) {
        const char *mode = c->def->cpu_mode, *model = "qemu64";

        if (!mode)
                model = "qemu64";
        else if (streq(mode, "host-passthrough")) {
                if (!c->kvm)
                        vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                         "CPU mode 'host-passthrough' needs domain type 'kvm'");
                model = "host";
        } else if (streq(mode, "host-model"))
                model = c->kvm ? "host" : "max";
        else if (streq(mode, "maximum"))
                model = "max";
        else if (streq(mode, "custom"))
                model = c->def->cpu_model ? vb_qemu_cmd_ident(c, "CPU model", c->def->cpu_model)
                                          : "qemu64";
        else
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "CPU mode '%s' is not supported",
                                 vb_qemu_cmd_raw(c, "CPU mode", mode));
        vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-cpu", "%s", model);
}

static void build_cpus_memory(VbQemuCmd *c) {
        const VbDomainDef *def = c->def;
        unsigned sockets = def->vcpus, dies = 1, cores = 1, threads = 1;

        if (def->memory_kib == 0)
                vb_qemu_cmd_fail(c, VB_ERR_INVALID_ARG, "the domain has no memory size");
        vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-m", "size=%lluk", (unsigned long long) def->memory_kib);
        if (def->cpu_sockets) {
                sockets = def->cpu_sockets;
                dies = def->cpu_dies ? def->cpu_dies : 1;
                cores = def->cpu_cores ? def->cpu_cores : 1;
                threads = def->cpu_threads ? def->cpu_threads : 1;
        }
        if (def->vcpus == 0 || def->vcpus_current == 0 || def->vcpus_current > def->vcpus ||
            (unsigned long long) sockets * dies * cores * threads != def->vcpus)
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                 "CPU topology %u*%u*%u*%u does not match %u vcpus",
                                 sockets, dies, cores, threads, def->vcpus);
        vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-smp", "%u,maxcpus=%u,sockets=%u,dies=%u,cores=%u,threads=%u",
                        def->vcpus_current, def->vcpus, sockets, dies, cores, threads);
}

static void build_monitor_clock(VbQemuCmd *c) {
        const char *offset = c->def->clock_offset ? c->def->clock_offset : "utc";

        vb_qemu_cmd_arg(c, VB_QEMU_ARGS_BASE, "-no-user-config");
        vb_qemu_cmd_arg(c, VB_QEMU_ARGS_BASE, "-nodefaults");
        if (!c->o->qmp_socket_path)
                vb_qemu_cmd_fail(c, VB_ERR_INTERNAL, "no QMP socket path given");
        vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-chardev", "socket,id=charmonitor,path=%s,server=on,wait=off",
                        vb_qemu_cmd_socket_path(c, "QMP socket path", c->o->qmp_socket_path));
        vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-mon", "chardev=charmonitor,id=monitor,mode=control");
        if (!streq(offset, "utc") && !streq(offset, "localtime"))
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "clock offset '%s' is not supported (utc, localtime)",
                                 vb_qemu_cmd_raw(c, "clock offset", offset));
        vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-rtc", "base=%s", offset);
        if (streq_ptr(c->def->on_reboot, "destroy"))
                vb_qemu_cmd_arg(c, VB_QEMU_ARGS_BASE, "-no-reboot");
        vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-display", "none");
}

static bool any_device_boot(const VbDomainDef *def) {
        for (size_t i = 0; i < def->n_disks; i++)
                if (def->disks[i].boot_order > 0)
                        return true;
        for (size_t i = 0; i < def->n_nets; i++)
                if (def->nets[i].boot_order > 0)
                        return true;
        return false;
}

static void build_boot(VbQemuCmd *c) {
        const VbDomainDef *def = c->def;
        char order[5] = { 0 };
        size_t n = 0;

        c->bootindex = any_device_boot(def);
        if (c->bootindex)
                vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-boot", "strict=on");
        else if (def->boot_devs && def->boot_devs[0]) {
                for (char **d = def->boot_devs; *d && n < 4; d++)
                        order[n++] = streq(*d, "hd") ? 'c' : streq(*d, "cdrom") ? 'd' :
                                     streq(*d, "network") ? 'n' : streq(*d, "fd") ? 'a' : '?';
                if (strchr(order, '?'))
                        vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED, "unknown boot device");
                vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-boot", "order=%s", order);
        }
        /* -kernel, -initrd and -append take the whole argument as the value: no escaping. */
        if (def->kernel)
                vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-kernel", "%s",
                                vb_qemu_cmd_raw_path(c, "kernel path", def->kernel));
        if (def->initrd)
                vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-initrd", "%s",
                                vb_qemu_cmd_raw_path(c, "initrd path", def->initrd));
        if (def->cmdline)
                vb_qemu_cmd_opt(c, VB_QEMU_ARGS_BASE, "-append", "%s",
                                vb_qemu_cmd_raw(c, "kernel command line", def->cmdline));
        if ((def->initrd || def->cmdline) && !def->kernel)
                vb_qemu_cmd_fail(c, VB_ERR_CONFIG_UNSUPPORTED,
                                 "<initrd> and <cmdline> need a <kernel> for direct kernel boot");
}

static void build_trailer(VbQemuCmd *c) {
        vb_qemu_cmd_opt(c, VB_QEMU_ARGS_DEVICES, "-sandbox",
                        "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
        vb_qemu_cmd_opt(c, VB_QEMU_ARGS_DEVICES, "-msg", "timestamp=on");
}

static char **concat(VbQemuCmd *c) {
        VbQemuArgList all = { 0 };
        for (size_t s = 0; s < _VB_QEMU_ARGS_MAX; s++) {
                for (size_t i = 0; i < c->args[s].n; i++)
                        list_push(&all, TAKE_PTR(c->args[s].v[i]));
                c->args[s].n = 0;
        }
        if (!all.v)
                list_push(&all, vb_strdup(""));
        return all.v;
}

int vb_qemu_build_argv(const VbDomainDef *def, const VbQemuCmdOpts *o, char ***ret_argv,
                       VbError *e) {
        VbQemuCmd c = { .def = def, .o = o, .e = e };
        int r;

        if (!def || !o || !ret_argv)
                return vb_error_set(e, VB_ERR_INTERNAL, "vb_qemu_build_argv: missing argument");
        if (check_guest_kind(&c) == 0) {
                build_identity(&c);
                build_cpu_model(&c);
                build_cpus_memory(&c);
                build_monitor_clock(&c);
                build_boot(&c);
                vb_qemu_build_devices(&c);
                build_trailer(&c);
        }
        r = c.r;
        if (r == 0)
                *ret_argv = concat(&c);
        for (size_t s = 0; s < _VB_QEMU_ARGS_MAX; s++)
                list_clear(&c.args[s]);
        list_clear(&c.scratch);
        return r;
}
