/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Shared between qemu-command.c and qemu-command-devices.c; not for other files. */
#include "qemu-command.h"

/* The argv is built in sections, concatenated in this order at the end: controllers
 * are only known once every device has been seen, yet QEMU needs a bus before the
 * devices plugged into it. */
typedef enum VbQemuArgSection {
        VB_QEMU_ARGS_BASE,
        VB_QEMU_ARGS_CONTROLLERS,
        VB_QEMU_ARGS_DEVICES,
        _VB_QEMU_ARGS_MAX,
} VbQemuArgSection;

typedef struct VbQemuArgList {
        char **v;
        size_t n;
} VbQemuArgList;

typedef struct VbQemuCmd {
        const VbDomainDef *def;
        const VbQemuCmdOpts *o;
        VbError *e;
        int r;                          /* first error, 0 while none */
        VbQemuArgList args[_VB_QEMU_ARGS_MAX];
        VbQemuArgList scratch;          /* escaped copies of values, freed at the end */
        const char *machine;
        bool q35, kvm, bootindex;
        size_t next_tap;
        /* controllers: declared in <devices>, or needed by a device */
        bool usb_declared, need_usb;
        const char *usb_model;          /* QEMU device name, NULL for model='none' */
        bool vserial_declared, need_vserial;
        bool scsi_declared, need_scsi;
        const char *scsi_model;
        bool sata_declared, need_sata;
        bool spice;
        unsigned serial_ports;          /* bit N: a <serial> has target port N */
} VbQemuCmd;

/* Record the first error (later ones are dropped); returns c->r. */
int vb_qemu_cmd_fail(VbQemuCmd *c, VbErrorCode code, const char *fmt, ...) _printf_(3, 4);
void vb_qemu_cmd_arg(VbQemuCmd *c, VbQemuArgSection s, const char *arg);
/* Push @name and the formatted value. Values must come from the checks below. */
void vb_qemu_cmd_opt(VbQemuCmd *c, VbQemuArgSection s, const char *name, const char *fmt, ...)
        _printf_(4, 5);

/* Keep @s (may be NULL) until the build ends; returns it. */
const char *vb_qemu_cmd_keep(VbQemuCmd *c, char *s);

/* Checks: on failure they record an error and return a harmless placeholder. */
/* Whole-argument value: no control characters. */
const char *vb_qemu_cmd_raw(VbQemuCmd *c, const char *what, const char *v);
const char *vb_qemu_cmd_raw_path(VbQemuCmd *c, const char *what, const char *v);
/* Value inside an option string: no control characters, ',' doubled. */
const char *vb_qemu_cmd_opt_value(VbQemuCmd *c, const char *what, const char *v);
const char *vb_qemu_cmd_path(VbQemuCmd *c, const char *what, const char *v);
const char *vb_qemu_cmd_socket_path(VbQemuCmd *c, const char *what, const char *v);
const char *vb_qemu_cmd_runtime_socket(VbQemuCmd *c, const char *what, const char *file);
/* [A-Za-z0-9._-]+ */
const char *vb_qemu_cmd_ident(VbQemuCmd *c, const char *what, const char *v);
bool vb_qemu_is_ident(const char *v);
char *vb_qemu_escape(const char *v);

/* qemu-command-devices.c */
void vb_qemu_build_devices(VbQemuCmd *c);
