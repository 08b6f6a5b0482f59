/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* UpdateDevice on a running QEMU domain (qemu-update.c), libvirt's
 * qemuDomainUpdateDeviceLive for what users do: CD-ROM media change and eject, and
 * the link state of an interface. The checks are pure (unit-tested); the live op
 * drives QEMU and is called by vb_qemu_update_device_op (qemu-devices.c). */
#include "qemu-driver.h"

/* A live update of disk @old into @new (the caller's device, parsed): only the media
 * of a cdrom may change. What the caller left out (alias, address) is taken from
 * @old. 0 with *ret_media (the source changes), or <0 with @e and nothing done. */
int vb_qemu_disk_update_check(const VbDomainDisk *old, VbDomainDisk *new, bool *ret_media, VbError *e);

/* The same for an interface: only its <link state=''/>. *ret_link: -1 unchanged,
 * 0 down, 1 up. Runtime fields (alias, address, target) are taken from @old. */
int vb_qemu_net_update_check(const VbDomainNet *old, VbDomainNet *new, int *ret_link, VbError *e);

/* The link state an interface's kept children ask for: 1 up (also without <link>),
 * 0 down, <0 with @e for an unknown state. @ret_rest (may be NULL): the other
 * children, serialised, NULL when there are none. */
int vb_qemu_net_link_state(const char *extra_xml, char **ret_rest, VbError *e);

/* " a='x' tray='open'" without its tray attribute (NULL when nothing is left). */
char *vb_qemu_attrs_without_tray(const char *attrs);

/* Apply @live (taken: d->def with the updated device at @index) to QEMU, then install
 * it, and @config (taken, may be NULL) as the persistent config. @qdev is the QEMU
 * id of the device. 0: done now; 1: @op finishes later; <0 with @e: nothing changed. */
int vb_qemu_update_live(VbDomainObj *d, VbDomainDef *live, VbDomainDef *config, bool disk, size_t old_index,
                        size_t index, const char *qdev, VbOp *op, VbError *e);

/* qemu-devices.c: how the device code installs definitions. */
void vb_qemu_device_live_swap(VbDomainObj *d, VbDomainDef *live);
int vb_qemu_device_config_apply(VbDomainObj *d, VbDomainDef *config, VbError *e);
