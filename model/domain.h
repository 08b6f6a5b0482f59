/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Domain definition: libvirt's <domain> XML parsed into data and formatted back in
 * libvirt's layout. Pure data: no I/O, no bus, no driver. */
#include <stdint.h>

#include "vb-error.h"

/* Parse flags */
enum {
        VB_DOMAIN_PARSE_INACTIVE = 1 << 0,   /* ignore runtime-only parts (id, target devs) */
};

/* Format flags, values equal to libvirt's virDomainXMLFlags */
enum {
        VB_DOMAIN_XML_SECURE      = 1 << 0,
        VB_DOMAIN_XML_INACTIVE    = 1 << 1,
        VB_DOMAIN_XML_UPDATE_CPU  = 1 << 2,
        VB_DOMAIN_XML_MIGRATABLE  = 1 << 3,
};

typedef struct VbDomainDisk {
        char *type;          /* file, block, network, volume */
        char *device;        /* disk, cdrom, floppy, lun */
        char *driver_name;   /* qemu */
        char *driver_type;   /* raw, qcow2 */
        char *source;        /* file path / dev path */
        char *target_dev;    /* vda */
        char *target_bus;    /* virtio, sata, ide, scsi, usb */
        bool readonly;
        bool shareable;
        int boot_order;      /* 0 = none */
        char *extra_xml;     /* unknown child elements, verbatim */
} VbDomainDisk;

typedef struct VbDomainNet {
        char *type;          /* network, bridge, user, ethernet */
        char *mac;           /* normalised aa:bb:.. (generated when missing) */
        char *source;        /* network name / bridge name */
        char *model;         /* virtio, e1000 */
        char *target_dev;    /* runtime only */
        char *extra_xml;
} VbDomainNet;

typedef struct VbDomainDef {
        char *virt_type;                 /* test, qemu, kvm, lxc */
        char *name;
        uint8_t uuid[16];
        char *title;
        char *description;
        char *metadata_xml;              /* inner XML of <metadata>, verbatim */
        uint64_t memory_kib;             /* <memory> (max) */
        uint64_t current_memory_kib;     /* <currentMemory> */
        unsigned vcpus;                  /* <vcpu> maximum */
        unsigned vcpus_current;          /* current= attribute (== vcpus when absent) */
        char *vcpu_placement;            /* static/auto */
        char *cpuset;
        char *os_type;                   /* hvm, xen, linux, exe */
        char *os_arch;
        char *os_machine;
        char **boot_devs;                /* NULL-terminated: hd, cdrom, network, fd */
        char *kernel, *initrd, *cmdline;
        char *on_poweroff, *on_reboot, *on_crash;
        VbDomainDisk *disks;
        size_t n_disks;
        VbDomainNet *nets;
        size_t n_nets;
        /* The rest is kept in structured form inside the model (see domain.c) and
         * round-trips through format. */
        struct VbDomainDefPrivate *priv;
} VbDomainDef;

int vb_domain_def_parse(const char *xml, unsigned flags, VbDomainDef **ret, VbError *e);
/* @id: the running domain's id, or -1 when inactive (no id attribute). */
char *vb_domain_def_format(const VbDomainDef *def, int id, unsigned flags);
VbDomainDef *vb_domain_def_copy(const VbDomainDef *def);
VbDomainDef *vb_domain_def_free(VbDomainDef *def);
DEFINE_TRIVIAL_CLEANUP_FUNC(VbDomainDef *, vb_domain_def_free);

/* Metadata (virDomainSetMetadata/GetMetadata): type 0 description, 1 title,
 * 2 element (namespaced by @uri, with @key as prefix). NULL @value removes. */
int vb_domain_def_set_metadata(VbDomainDef *def, int type, const char *value,
                               const char *key, const char *uri, VbError *e);
int vb_domain_def_get_metadata(const VbDomainDef *def, int type, const char *uri,
                               char **ret, VbError *e);
