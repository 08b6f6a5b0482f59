/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* virtbusctl: shared declarations of the command-line client. Every command is a
 * function taking the parsed arguments; helpers return 0 or a negative errno, and
 * main() turns the errno into one of the documented exit codes. */
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "util.h"

#define CTL_BUS "org.libvirt"
#define CTL_CONNECT "org.libvirt.Connect"
#define CTL_DOMAIN "org.libvirt.Domain"
#define CTL_SNAPSHOT "org.libvirt.DomainSnapshot"
#define CTL_NETWORK "org.libvirt.Network"
#define CTL_POOL "org.libvirt.StoragePool"
#define CTL_VOL "org.libvirt.StorageVol"
#define CTL_NODEDEV "org.libvirt.NodeDevice"
#define CTL_SECRET "org.libvirt.Secret"
#define CTL_JOB "org.virtbus.Job1"
#define CTL_PROPS "org.freedesktop.DBus.Properties"

/* documented exit codes (virtbusctl(1)) */
enum {
        CTL_EXIT_OK = 0,
        CTL_EXIT_FAILURE = 1,
        CTL_EXIT_USAGE = 2,
        CTL_EXIT_NOT_FOUND = 3,
        CTL_EXIT_DENIED = 4,
        CTL_EXIT_UNSUPPORTED = 5,
        CTL_EXIT_TIMEOUT = 6,
};

#define CTL_MAX_POS 4

typedef struct CtlArgs {
        const char *pos[CTL_MAX_POS];
        int npos;
        bool all, json, name, inactive, security_info, live, config, disable, loop, plain;
        double timeout;          /* seconds; < 0 = none */
        const char *pool, *file;
        uint64_t offset, length; /* vol-upload / vol-download */
        const char *devname;     /* console --devname */
} CtlArgs;

typedef struct Ctl {
        sd_bus *bus;
        char *connect;           /* /org/libvirt/<Driver> */
        bool tty;                /* stdin and stdout are terminals */
} Ctl;

typedef struct CtlCommand {
        const char *name;
        int (*run)(Ctl *c, const CtlArgs *a);
        int min_pos, max_pos;
        const char *options;     /* accepted options, each " --x" (value options: " --x=") */
        const char *synopsis;
        const char *help;
} CtlCommand;

/* command tables, one per area */
extern const CtlCommand ctl_domain_commands[];
extern const CtlCommand ctl_object_commands[];
extern const CtlCommand ctl_event_commands[];
extern const CtlCommand ctl_console_commands[];

/* ctl-util.c: bus calls and errors */
int ctl_error_to_errno(const sd_bus_error *e);
int ctl_exit_code(int r);
int ctl_report(const sd_bus_error *e, const char *what);
int ctl_call(Ctl *c, const char *path, const char *iface, const char *member,
             sd_bus_message **reply, const char *types, ...);
int ctl_call_message(Ctl *c, sd_bus_message *m, sd_bus_message **reply);
int ctl_call_path(Ctl *c, const char *path, const char *iface, const char *member,
                  char **ret, const char *types, ...);
int ctl_call_string(Ctl *c, const char *path, const char *iface, const char *member,
                    char **ret, const char *types, ...);
int ctl_get_bool(Ctl *c, const char *path, const char *iface, const char *prop, bool *ret);
int ctl_get_string(Ctl *c, const char *path, const char *iface, const char *prop, char **ret);
int ctl_get_u32(Ctl *c, const char *path, const char *iface, const char *prop, uint32_t *ret);
int ctl_set_bool(Ctl *c, const char *path, const char *iface, const char *prop, bool v);
int ctl_list_paths(Ctl *c, const char *path, const char *iface, const char *member,
                   uint32_t flags, char ***ret);
void ctl_strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, ctl_strv_free);
int ctl_read_file(const char *path, char **ret);
int ctl_print_value(sd_bus_message *m, const char *prefix);
bool ctl_is_uuid(const char *s);
int ctl_base64_encode(const uint8_t *p, size_t n, char **ret);
int ctl_base64_decode(const char *s, uint8_t **ret, size_t *ret_n);

/* lookups by name, UUID or id */
int ctl_domain_path(Ctl *c, const char *ident, char **ret);
int ctl_named_path(Ctl *c, const char *kind, const char *ident, char **ret);

/* ctl-xml.c-like helpers living in ctl-util.c */
char *ctl_xml_string(const char *xml, const char *xpath);

/* ctl-events.c: long calls with a Job1 progress display */
int ctl_call_with_progress(Ctl *c, sd_bus_message *m, sd_bus_message **reply);
/* a call replying with a Job1 path at once: progress until Finished, the job's error */
int ctl_call_job(Ctl *c, sd_bus_message *m);
const char *ctl_domain_state_name(int state);
