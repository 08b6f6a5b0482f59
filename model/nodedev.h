/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Node device definition (<device>): name, parent, sysfs path and capabilities.
 * scsi_host capabilities (with fc_host / vport_ops) are structured because drivers
 * create and count vHBAs; every other capability is kept verbatim. */
#include <stdint.h>

#include "vb-error.h"

/* Parse flags */
enum {
        VB_NODEDEV_PARSE_CREATE = 1 << 0,   /* NodeDeviceCreateXML input: name and host id optional */
};

typedef struct VbNodeDevScsiHost {
        unsigned host;
        bool has_host;
        int unique_id;                  /* -1 = not given */
        bool fc_host;                   /* <capability type='fc_host'> present */
        char *wwnn, *wwpn, *fabric_wwn;
        char *fc_extra_xml;             /* other fc_host children (speed, port_state): kept */
        bool vport_ops;                 /* <capability type='vport_ops'> present */
        unsigned max_vports, vports;
} VbNodeDevScsiHost;

typedef struct VbNodeDevCap {
        char *type;                     /* system, pci, usb_device, net, scsi_host, storage, ... */
        char *xml;                      /* the whole <capability> element, kept (not for scsi_host) */
        char **sub_caps;                /* nested capability names ListCaps reports, NULL-terminated */
        VbNodeDevScsiHost scsi_host;    /* type == "scsi_host" */
} VbNodeDevCap;

typedef struct VbNodeDeviceDef {
        char *name;
        char *path;                     /* sysfs path */
        char *devnode_xml;              /* <devnode> elements, kept */
        char *parent;                   /* NULL for the root device */
        char *parent_wwnn, *parent_wwpn, *parent_fabric_wwn;  /* vHBA parent selection (input only) */
        char *driver_xml;               /* <driver>, kept */
        VbNodeDevCap *caps;
        size_t n_caps;
} VbNodeDeviceDef;

int vb_node_device_def_parse(const char *xml, unsigned flags, VbNodeDeviceDef **ret, VbError *e);
char *vb_node_device_def_format(const VbNodeDeviceDef *def, unsigned flags);
VbNodeDeviceDef *vb_node_device_def_copy(const VbNodeDeviceDef *def);
VbNodeDeviceDef *vb_node_device_def_free(VbNodeDeviceDef *def);
DEFINE_TRIVIAL_CLEANUP_FUNC(VbNodeDeviceDef *, vb_node_device_def_free);

/* Capability names as virNodeDeviceListCaps reports them (NULL-terminated, caller frees
 * with vb_strv_free): each capability type, followed for scsi_host by "fc_host" and
 * "vport_ops" when present, for pci by phys_function/virt_functions/mdev_types/vpd. */
char **vb_node_device_def_list_caps(const VbNodeDeviceDef *def);
/* The capability of @type, or NULL. */
VbNodeDevCap *vb_node_device_def_find_cap(const VbNodeDeviceDef *def, const char *type);
