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
        /* Added: the rest of what a user may write, formatted back in place. */
        char *driver_extra;  /* other <driver> attributes, " a='v'..." (cache, io, ...) */
        char *source_xml;    /* whole <source> element when it is not a plain path */
        char *target_extra;  /* other <target> attributes (tray, removable, ...) */
        char *extra_pre_xml; /* kept children libvirt places before <target> (backingStore, ...) */
        char *alias;         /* <alias name=''/> */
        char *address;       /* formatted <address .../> element, normalised */
        char *extra_attrs;   /* other <disk> attributes (snapshot, model, ...) */
} VbDomainDisk;

typedef struct VbDomainNet {
        char *type;          /* network, bridge, user, ethernet */
        char *mac;           /* normalised aa:bb:.. (generated when missing) */
        char *source;        /* network name / bridge name */
        char *model;         /* virtio, e1000 */
        char *target_dev;    /* runtime only */
        char *extra_xml;
        /* Added */
        char *source_xml;    /* whole <source> element when it is more than one name */
        char *extra_pre_xml; /* kept children libvirt places before <target> */
        int boot_order;
        char *alias;
        char *address;
        bool target_generated; /* target_dev was named by a driver: dropped in INACTIVE output */
        char *source_bridge; /* type network: its bridge, runtime only (<source bridge=''>) */
} VbDomainNet;

/* Devices other than disks, interfaces and graphics, in libvirt's <devices> order. */
typedef enum VbDomainDeviceKind {
        VB_DOMAIN_DEVICE_CONTROLLER,
        VB_DOMAIN_DEVICE_LEASE,
        VB_DOMAIN_DEVICE_FILESYSTEM,
        VB_DOMAIN_DEVICE_SMARTCARD,
        VB_DOMAIN_DEVICE_SERIAL,
        VB_DOMAIN_DEVICE_PARALLEL,
        VB_DOMAIN_DEVICE_CONSOLE,
        VB_DOMAIN_DEVICE_CHANNEL,
        VB_DOMAIN_DEVICE_INPUT,
        VB_DOMAIN_DEVICE_TPM,
        VB_DOMAIN_DEVICE_SOUND,
        VB_DOMAIN_DEVICE_AUDIO,
        VB_DOMAIN_DEVICE_VIDEO,
        VB_DOMAIN_DEVICE_HOSTDEV,
        VB_DOMAIN_DEVICE_REDIRDEV,
        VB_DOMAIN_DEVICE_REDIRFILTER,
        VB_DOMAIN_DEVICE_HUB,
        VB_DOMAIN_DEVICE_WATCHDOG,
        VB_DOMAIN_DEVICE_MEMBALLOON,
        VB_DOMAIN_DEVICE_RNG,
        VB_DOMAIN_DEVICE_NVRAM,
        VB_DOMAIN_DEVICE_PANIC,
        VB_DOMAIN_DEVICE_SHMEM,
        VB_DOMAIN_DEVICE_MEMORY,
        VB_DOMAIN_DEVICE_IOMMU,
        VB_DOMAIN_DEVICE_VSOCK,
        VB_DOMAIN_DEVICE_CRYPTO,
        VB_DOMAIN_DEVICE_OTHER,       /* unknown element: kept, formatted last */
        _VB_DOMAIN_DEVICE_KIND_MAX,
} VbDomainDeviceKind;

typedef struct VbDomainDevice {
        VbDomainDeviceKind kind;
        char *element;       /* element name as written (with prefix for foreign namespaces) */
        char *type;          /* type= attribute (controller usb, serial pty, input tablet...) */
        char *model;         /* model= attribute, or <model type=''/> (video) */
        char *attrs;         /* every attribute of the element, " a='v'..." in input order */
        char *body;          /* child elements other than alias/address, libvirt-formatted */
        char *alias;
        char *address;       /* formatted <address .../> element */
} VbDomainDevice;

typedef struct VbDomainGraphics {
        char *type;          /* vnc, spice, sdl, rdp, dbus, egl-headless */
        int port;            /* 0 none, -1 auto, else the port */
        int tls_port;        /* spice */
        bool autoport;
        char *listen;        /* listen= address */
        char *passwd;        /* formatted only with VB_DOMAIN_XML_SECURE */
        char *keymap;
        char *extra_attrs;   /* other attributes, " a='v'..." */
        char *body;          /* child elements (<listen>, <image>, ...) */
} VbDomainGraphics;

typedef struct VbDomainDef {
        char *virt_type;                 /* test, qemu, kvm, lxc */
        char *name;
        uint8_t uuid[16];
        bool uuid_generated;             /* no <uuid> in the XML: a random one was made up */
        char *title;
        char *description;
        char *metadata_xml;              /* inner XML of <metadata>, verbatim: libxml2's dump of
                                          * each element, indented 4 spaces as in libvirt's output;
                                          * change it with vb_domain_def_set_metadata() */
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
        /* Added */
        char *emulator;
        VbDomainGraphics *graphics;
        size_t n_graphics;
        VbDomainDevice *devices;         /* in document order; formatted grouped by kind */
        size_t n_devices;
        char *clock_offset;              /* utc (default), localtime, timezone, variable */
        char *cpu_mode;                  /* NULL when no <cpu>; custom, host-model, host-passthrough, maximum */
        char *cpu_model;                 /* <cpu><model> text */
        unsigned cpu_sockets, cpu_dies, cpu_cores, cpu_threads;   /* 0 = no <topology> */
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

/* Added API */
/* An empty definition with libvirt's defaults (for drivers building one by hand). */
VbDomainDef *vb_domain_def_new(void);
/* Whether <features> holds the element @name (acpi, apic, pae, ...). */
bool vb_domain_def_has_feature(const VbDomainDef *def, const char *name);
/* Limits enforced by the parser. */
#define VB_DOMAIN_MAX_DISKS 1024
#define VB_DOMAIN_MAX_NETS 1024
#define VB_DOMAIN_MAX_DEVICES 4096
#define VB_DOMAIN_MAX_VCPUS 4096
