/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test driver: device attach/detach/update on the live and/or persistent definition.
 * The definition is edited as a document (insert, remove or replace the device
 * element in <devices>) and parsed again, so every rule of the domain model applies
 * to the result and a refused edit leaves the domain unchanged. */
#include <libxml/parser.h>

#include "dev-edit.h"
#include "test-private.h"
#include "xml-util.h"

enum { AFFECT_LIVE = 1, AFFECT_CONFIG = 2, UPDATE_FORCE = 4 };

static void freexmldoc(xmlDocPtr *d) {
        if (*d)
                xmlFreeDoc(*d);
}

static char *child_prop(xmlNodePtr n, const char *child, const char *prop) {
        xmlNodePtr c = vb_xml_child(n, child);
        return c ? vb_xml_prop(c, prop) : NULL;
}

/* The name a device goes by in events and errors. */
static char *device_alias(xmlNodePtr n, size_t index) {
        char *s = child_prop(n, "alias", "name");
        if (s)
                return s;
        if (xmlStrEqual(n->name, BAD_CAST "disk") && (s = child_prop(n, "target", "dev")))
                return s;
        if (xmlStrEqual(n->name, BAD_CAST "interface"))
                return vb_strdupf("net%zu", index);
        return vb_strdupf("%s%zu", (const char *) n->name, index);
}

static bool same_device(xmlNodePtr a, xmlNodePtr b) {
        _cleanup_free_ char *x = NULL, *y = NULL;
        char mx[18], my[18];

        if (!xmlStrEqual(a->name, b->name))
                return false;
        if (xmlStrEqual(a->name, BAD_CAST "disk")) {
                x = child_prop(a, "target", "dev");
                y = child_prop(b, "target", "dev");
                return x && y && streq(x, y);
        }
        if (xmlStrEqual(a->name, BAD_CAST "interface")) {
                x = child_prop(a, "mac", "address");
                y = child_prop(b, "mac", "address");
                if (x && y)
                        return vb_mac_parse(x, mx) >= 0 && vb_mac_parse(y, my) >= 0 && streq(mx, my);
                return true;   /* no MAC given: the first interface */
        }
        x = child_prop(a, "alias", "name");
        y = child_prop(b, "alias", "name");
        if (x && y)
                return streq(x, y);
        return true;           /* first element of the same kind */
}

static xmlNodePtr find_device(xmlNodePtr devices, xmlNodePtr dev, size_t *index) {
        size_t i = 0;
        for (xmlNodePtr c = devices->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, dev->name))
                        continue;
                if (same_device(c, dev)) {
                        *index = i;
                        return c;
                }
                i++;
        }
        return NULL;
}

static int edit_doc(xmlNodePtr devices, xmlNodePtr dev, int how, char **ret_alias, VbError *e) {
        size_t index = 0;
        xmlNodePtr old = find_device(devices, dev, &index);

        if (how == VB_DEV_ATTACH) {
                _cleanup_free_ char *key =
                        xmlStrEqual(dev->name, BAD_CAST "disk") ? child_prop(dev, "target", "dev") :
                        xmlStrEqual(dev->name, BAD_CAST "interface") ? child_prop(dev, "mac", "address") : NULL;
                if (old && key)
                        return vb_error_set(e, VB_ERR_OPERATION_FAILED, "target %s already exists", key);
                index = vb_xml_count_children(devices, (const char *) dev->name);
        } else if (!old)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "matching %s device not found",
                                    (const char *) dev->name);
        else if (how == VB_DEV_UPDATE && !xmlStrEqual(dev->name, BAD_CAST "disk") &&
                 !xmlStrEqual(dev->name, BAD_CAST "interface") && !xmlStrEqual(dev->name, BAD_CAST "graphics"))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "device type '%s' cannot be updated",
                                    (const char *) dev->name);
        *ret_alias = device_alias(how == VB_DEV_ATTACH ? dev : old, index);
        return vb_devices_apply(devices, old, dev, how, e);
}

typedef struct DocEdit {
        xmlNodePtr dev;
        int how;
        char *alias;
} DocEdit;

static int edit_devices(xmlNodePtr devices, void *userdata, VbError *e) {
        DocEdit *x = userdata;

        return edit_doc(devices, x->dev, x->how, &x->alias, e);
}

int vb_test_def_edit(VbDomainObj *d, VbDomainDef **def, bool live, const char *device_xml, int how,
                     char **ret_alias, VbError *e) {
        _cleanup_(freexmldoc) xmlDocPtr ddoc = NULL;
        _cleanup_free_ char *alias = NULL;
        VbDomainDef *n = NULL;
        DocEdit x = { .how = how };
        int r;

        r = vb_xml_parse(device_xml, NULL, &ddoc, e);
        if (r < 0)
                return r;
        x.dev = xmlDocGetRootElement(ddoc);
        r = vb_domain_def_edit_devices(*def, live, edit_devices, &x, &n, e);
        alias = x.alias;
        if (r < 0)
                return r;
        vb_domain_def_free(*def);
        *def = n;
        if (ret_alias)
                *ret_alias = TAKE_PTR(alias);
        return 0;
}

static int device_op(VbDomainObj *d, const char *xml, unsigned flags, unsigned allowed, int how, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *live = NULL, *config = NULL;
        _cleanup_free_ char *alias = NULL;
        int r;

        VB_CHECK_FLAGS(flags, allowed, e);
        r = vb_test_affect(d, &flags, e);
        if (r < 0)
                return r;
        /* edit copies: both parts succeed or nothing changes */
        if (flags & AFFECT_CONFIG) {
                config = vb_domain_def_copy(vb_domain_persistent_def(d));
                if (!config)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                r = vb_test_def_edit(d, &config, false, xml, how, NULL, e);
                if (r < 0)
                        return r;
        }
        if (flags & AFFECT_LIVE) {
                live = vb_domain_def_copy(d->def);
                if (!live)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                r = vb_test_def_edit(d, &live, true, xml, how, &alias, e);
                if (r < 0)
                        return r;
        }
        if (config)
                vb_domain_obj_set_persistent_def(d, TAKE_PTR(config));
        if (live) {
                vb_domain_def_free(d->def);
                d->def = TAKE_PTR(live);
                if (how != VB_DEV_UPDATE)
                        vb_event_emit(&(VbEvent) {
                                .type = how == VB_DEV_ATTACH ? VB_EVENT_DOMAIN_DEVICE_ADDED : VB_EVENT_DOMAIN_DEVICE_REMOVED,
                                .conn = d->conn, .kind = VB_KIND_DOMAIN, .obj = d, .str = alias });
        }
        return 0;
}

int vb_test_attach_device(VbDomainObj *d, const char *xml, unsigned flags, VbError *e) {
        return device_op(d, xml, flags, AFFECT_LIVE | AFFECT_CONFIG, VB_DEV_ATTACH, e);
}

int vb_test_detach_device(VbDomainObj *d, const char *xml, unsigned flags, VbError *e) {
        return device_op(d, xml, flags, AFFECT_LIVE | AFFECT_CONFIG, VB_DEV_DETACH, e);
}

int vb_test_update_device(VbDomainObj *d, const char *xml, unsigned flags, VbError *e) {
        return device_op(d, xml, flags, AFFECT_LIVE | AFFECT_CONFIG | UPDATE_FORCE, VB_DEV_UPDATE, e);
}
