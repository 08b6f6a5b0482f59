/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Domain definition → qemu-system-x86_64 argv. A pure function: no I/O, no
 * process, no bus; everything about the host (KVM, tap fds, paths) comes from the
 * caller in VbQemuCmdOpts. The argv is for execve(): no shell ever sees it.
 *
 * Values placed inside QEMU option strings ("key=value,key=value") have every ','
 * doubled (QEMU's escape); values given as a whole argument (-kernel, -initrd,
 * -append, -uuid) are passed as they are. Any value with a control character
 * (newline included) is refused, paths must be absolute, identifiers (CPU model,
 * machine type, channel names, disk targets) are restricted to [A-Za-z0-9._-],
 * MAC addresses and listen addresses are parsed.
 *
 * Names given to QEMU objects, for the driver's QMP calls:
 *   disk  <target dev='vda'>  qdev id "vda", format node "fmt-vda", file node "file-vda"
 *   interface number N (document order)  netdev "netN", qdev id "nicN"
 *   serial N  chardev "charserialN", qdev "serialN"; console N (not the serial
 *   compatibility console) chardev "charconsoleN"; channel N chardev "charchannelN",
 *   qdev "channelN"; video N "videoN"; input N "inputN"; balloon "balloon0"; rng N
 *   "rngN" with backend object "objrngN"; controllers "usb" (bus usb.0),
 *   "virtio-serial0", "scsi0", "sata0" (i440fx only; q35 uses its built-in AHCI).
 *   Monitor: chardev "charmonitor", -mon id "monitor" (QMP).
 *
 * Runtime sockets created under o->runtime_dir: "vnc.sock" (VNC with autoport and
 * no explicit listen address), "spice.sock" (same for SPICE), "channel-NAME.sock"
 * (a unix channel without <source path=''/>).
 *
 * -S is emitted only when o->start_paused; the QEMU driver is expected to pass
 * start_paused=true always, set up what needs the monitor (balloon target from
 * <currentMemory>, graphics passwords: a <graphics passwd=''> becomes
 * password=on / ticketing, the secret itself never appears in argv) and then issue
 * QMP "cont" unless the caller asked for a paused domain. No -pidfile and no
 * -daemonize: the caller spawns, knows the pid and reaps the child. */
#include <stdbool.h>
#include <stddef.h>

#include "domain.h"
#include "vb-error.h"
#include "xml-keep.h"   /* vb_strv_free() frees the returned argv */

#define VB_QEMU_DEFAULT_EMULATOR "/usr/bin/qemu-system-x86_64"

typedef struct VbQemuCmdOpts {
        const char *emulator;        /* overrides <emulator>; both NULL: VB_QEMU_DEFAULT_EMULATOR */
        const char *qmp_socket_path; /* required, absolute: QMP server socket */
        const char *runtime_dir;     /* per-domain dir for sockets (required when one is needed) */
        bool kvm_available;          /* /dev/kvm usable, determined by the caller */
        int *tap_fds;                /* fds for <interface type='network'/'bridge'> in order */
        size_t n_tap_fds;            /* ... -1 in tap_fds = none for that interface */
        bool start_paused;           /* emit -S */
} VbQemuCmdOpts;

/* Build the NULL-terminated argv (argv[0] is the emulator). On failure returns a
 * negative errno with @e set: VB_ERR_CONFIG_UNSUPPORTED for what this driver or
 * host cannot run, VB_ERR_INVALID_ARG for values refused by validation. */
int vb_qemu_build_argv(const VbDomainDef *def, const VbQemuCmdOpts *o, char ***ret_argv,
                       VbError *e);
