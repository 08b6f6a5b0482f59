/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Node devices of the in-memory test driver: libvirt's test:///default host
 * (computer, two FC HBAs and one vHBA); vHBAs are created on a vport-capable
 * scsi_host and destroyed again. Detach/ReAttach/Reset are not supported. */
#include <stdio.h>
#include <strings.h>

#include "nodedev.h"
#include "test-storage.h"
#include "xml-keep.h"
#include "xml-util.h"

#define MAX_SCSI_HOST 1000000U

static const char *const seed_devices[] = {
        "<device>\n"
        "  <name>computer</name>\n"
        "  <capability type='system'>\n"
        "    <hardware>\n"
        "      <vendor>Libvirt</vendor>\n"
        "      <version>Test driver</version>\n"
        "      <serial>123456</serial>\n"
        "      <uuid>11111111-2222-3333-4444-555555555555</uuid>\n"
        "    </hardware>\n"
        "    <firmware>\n"
        "      <vendor>Libvirt</vendor>\n"
        "      <version>Test Driver</version>\n"
        "      <release_date>01/22/2007</release_date>\n"
        "    </firmware>\n"
        "  </capability>\n"
        "</device>\n",
        "<device>\n"
        "  <name>scsi_host1</name>\n"
        "  <parent>computer</parent>\n"
        "  <capability type='scsi_host'>\n"
        "    <host>1</host>\n"
        "    <unique_id>0</unique_id>\n"
        "    <capability type='fc_host'>\n"
        "      <wwnn>2000000012341234</wwnn>\n"
        "      <wwpn>1000000012341234</wwpn>\n"
        "      <fabric_wwn>2000000043214321</fabric_wwn>\n"
        "    </capability>\n"
        "    <capability type='vport_ops'>\n"
        "      <max_vports>127</max_vports>\n"
        "      <vports>1</vports>\n"
        "    </capability>\n"
        "  </capability>\n"
        "</device>\n",
        "<device>\n"
        "  <name>scsi_host2</name>\n"
        "  <parent>computer</parent>\n"
        "  <capability type='scsi_host'>\n"
        "    <host>2</host>\n"
        "    <unique_id>1</unique_id>\n"
        "    <capability type='fc_host'>\n"
        "      <wwnn>2000000056785678</wwnn>\n"
        "      <wwpn>1000000056785678</wwpn>\n"
        "      <fabric_wwn>2000000087658765</fabric_wwn>\n"
        "    </capability>\n"
        "    <capability type='vport_ops'>\n"
        "      <max_vports>127</max_vports>\n"
        "      <vports>0</vports>\n"
        "    </capability>\n"
        "  </capability>\n"
        "</device>\n",
        "<device>\n"
        "  <name>scsi_host11</name>\n"
        "  <parent>scsi_host1</parent>\n"
        "  <capability type='scsi_host'>\n"
        "    <host>11</host>\n"
        "    <unique_id>10</unique_id>\n"
        "    <capability type='fc_host'>\n"
        "      <wwnn>2000000034563456</wwnn>\n"
        "      <wwpn>1000000034563456</wwpn>\n"
        "      <fabric_wwn>2000000043214321</fabric_wwn>\n"
        "    </capability>\n"
        "  </capability>\n"
        "</device>\n",
};

int vb_test_nodedev_seed(VbConnect *c, VbError *e) {
        for (size_t i = 0; i < ELEMENTSOF(seed_devices); i++) {
                VbNodeDeviceDef *def = NULL;
                int r = vb_node_device_def_parse(seed_devices[i], 0, &def, e);
                if (r < 0)
                        return r;
                if (!vb_nodedev_obj_new(c, def)) {
                        vb_node_device_def_free(def);
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                }
        }
        return 0;
}

static VbNodeDevScsiHost *fc_host_of(const VbNodeDeviceDef *def) {
        VbNodeDevCap *cap = vb_node_device_def_find_cap(def, "scsi_host");
        return cap && cap->scsi_host.fc_host ? &cap->scsi_host : NULL;
}

static VbNodeDevScsiHost *vport_host_of(const VbNodeDeviceDef *def) {
        VbNodeDevCap *cap = vb_node_device_def_find_cap(def, "scsi_host");
        return cap && cap->scsi_host.vport_ops ? &cap->scsi_host : NULL;
}

/* libvirt's parent selection for a new vHBA: by name, by WWNs, by fabric, or any
 * vport-capable HBA. Returns the parent's scsi_host capability. */
static int find_vport_parent(VbConnect *c, const VbNodeDeviceDef *def, VbNodeDevObj **ret, VbError *e) {
        const char *dev = strempty(def->name);
        VbNodeDevObj *p = NULL;

        if (def->parent)
                p = vb_nodedev_find_name(c, def->parent);
        else if (def->parent_wwnn && def->parent_wwpn)
                p = vb_nodedev_find_scsi_host_wwn(c, def->parent_wwnn, def->parent_wwpn);
        else if (def->parent_fabric_wwn) {
                for (size_t i = 0; !p && i < c->n_nodedevs; i++) {
                        VbNodeDevScsiHost *h = fc_host_of(VB_NODEDEV_DEF(c->nodedevs[i]));
                        if (h && h->fabric_wwn && strcasecmp(h->fabric_wwn, def->parent_fabric_wwn) == 0)
                                p = c->nodedevs[i];
                }
        } else {
                for (size_t i = 0; !p && i < c->n_nodedevs; i++)
                        if (vport_host_of(VB_NODEDEV_DEF(c->nodedevs[i])))
                                p = c->nodedevs[i];
                if (!p)
                        return vb_error_set(e, VB_ERR_INTERNAL, "Could not find any vport capable device");
        }
        if (!p)
                return vb_error_set(e, VB_ERR_INTERNAL, "Could not find parent device for '%s'", dev);
        if (!vport_host_of(VB_NODEDEV_DEF(p)))
                return vb_error_set(e, VB_ERR_INTERNAL, "Parent device %s is not capable of vport operations",
                                    p->name);
        *ret = p;
        return 0;
}

static unsigned next_scsi_host(VbConnect *c) {
        unsigned next = 0;
        for (size_t i = 0; i < c->n_nodedevs; i++) {
                VbNodeDevCap *cap = vb_node_device_def_find_cap(VB_NODEDEV_DEF(c->nodedevs[i]), "scsi_host");
                unsigned n;
                if (cap && cap->scsi_host.host >= next)
                        next = cap->scsi_host.host + 1;
                if (sscanf(c->nodedevs[i]->name, "scsi_host%u", &n) == 1 && n >= next)
                        next = n + 1;
        }
        return next;
}

static char *random_wwn(void) {
        uint8_t r[16];
        vb_uuid_generate(r);   /* random bytes */
        return vb_strdupf("5001a4a%x%02x%02x%02x%02x", r[0] & 0xf, r[1], r[2], r[3], r[4]);
}

static int test_create_xml(VbConnect *c, const char *xml, unsigned flags, VbNodeDevObj **ret, VbError *e) {
        _cleanup_(vb_node_device_def_freep) VbNodeDeviceDef *def = NULL;
        VbNodeDevScsiHost *h, *ph;
        VbNodeDevObj *parent = NULL, *d;
        unsigned host;
        int r;

        VB_CHECK_FLAGS(flags, 1 /* VALIDATE */, e);
        r = vb_node_device_def_parse(xml, VB_NODEDEV_PARSE_CREATE, &def, e);
        if (r < 0)
                return r;
        h = fc_host_of(def);
        if (!h)
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "Device is not a fibre channel HBA");
        if (!h->wwnn)
                h->wwnn = random_wwn();
        if (!h->wwpn)
                h->wwpn = random_wwn();
        if (vb_nodedev_find_scsi_host_wwn(c, h->wwnn, h->wwpn))
                return vb_error_set(e, VB_ERR_OPERATION_FAILED,
                                    "node device with wwnn '%s' and wwpn '%s' already exists", h->wwnn, h->wwpn);
        r = find_vport_parent(c, def, &parent, e);
        if (r < 0)
                return r;
        ph = vport_host_of(VB_NODEDEV_DEF(parent));
        if (ph->max_vports && ph->vports >= ph->max_vports)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "no vport available on '%s'", parent->name);
        host = next_scsi_host(c);
        if (host >= MAX_SCSI_HOST)
                return vb_error_set(e, VB_ERR_LIMIT, "too many SCSI hosts");
        /* the kernel names the new vHBA, whatever name the XML asked for */
        free(def->name);
        def->name = vb_strdupf("scsi_host%u", host);
        vb_strdup_replace(&def->parent, parent->name);
        h->host = host;
        h->has_host = true;
        h->unique_id = (int) host;
        if (!h->fabric_wwn) {
                VbNodeDevScsiHost *pf = fc_host_of(VB_NODEDEV_DEF(parent));
                h->fabric_wwn = vb_strdup(pf ? pf->fabric_wwn : NULL);
        }
        h->vport_ops = false;
        d = vb_nodedev_obj_new(c, def);
        if (!d)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        TAKE_PTR(def);
        ph->vports++;
        vb_event_obj(c, VB_EVENT_NODEDEV_LIFECYCLE, VB_KIND_NODEDEV, d, VB_NODEDEV_EV_CREATED, 0);
        vb_event_obj(c, VB_EVENT_OBJECT_ADDED, VB_KIND_NODEDEV, d, 0, 0);
        *ret = d;
        return 0;
}

static int test_destroy(VbNodeDevObj *d, VbError *e) {
        VbNodeDevObj *parent;
        VbNodeDevScsiHost *ph;

        if (!fc_host_of(VB_NODEDEV_DEF(d)))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "Device is not a fibre channel HBA");
        parent = d->parent ? vb_nodedev_find_name(d->conn, d->parent) : NULL;
        if (!parent)
                return vb_error_set(e, VB_ERR_INTERNAL, "cannot find parent '%s' definition", strempty(d->parent));
        /* only a vHBA (a vport of its parent) can be deleted */
        ph = vport_host_of(VB_NODEDEV_DEF(parent));
        if (!ph)
                return vb_error_set(e, VB_ERR_INTERNAL, "Parent device %s is not capable of vport operations",
                                    parent->name);
        if (ph->vports > 0)
                ph->vports--;
        vb_event_obj(d->conn, VB_EVENT_NODEDEV_LIFECYCLE, VB_KIND_NODEDEV, d, VB_NODEDEV_EV_DELETED, 0);
        vb_event_obj(d->conn, VB_EVENT_OBJECT_REMOVED, VB_KIND_NODEDEV, d, 0, 0);
        vb_nodedev_obj_remove(d);
        return 0;
}

static int test_get_xml_desc(VbNodeDevObj *d, unsigned flags, char **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        *ret = vb_node_device_def_format(VB_NODEDEV_DEF(d), 0);
        return *ret ? 0 : vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
}

static int test_list_caps(VbNodeDevObj *d, char ***ret, VbError *e) {
        *ret = vb_node_device_def_list_caps(VB_NODEDEV_DEF(d));
        return *ret ? 0 : vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
}

const VbNodeDevOps vb_test_nodedev_ops = {
        .create_xml = test_create_xml,
        .destroy = test_destroy,
        .get_xml_desc = test_get_xml_desc,
        .list_caps = test_list_caps,
        /* detach, reattach, reset: not supported by the test driver */
};
