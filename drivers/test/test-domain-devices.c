/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test driver: device attach/detach/update on the live and/or persistent definition.
 * The definition is edited as a document (insert, remove or replace the device
 * element in <devices>) and parsed again, so every rule of the domain model applies
 * to the result and a refused edit leaves the domain unchanged. */
#include <libxml/parser.h>

#include "test-private.h"
#include "xml-util.h"

enum { AFFECT_LIVE = 1, AFFECT_CONFIG = 2, UPDATE_FORCE = 4 };
enum { EDIT_ATTACH, EDIT_DETACH, EDIT_UPDATE };

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
        xmlNodePtr old = find_device(devices, dev, &index), copy;

        if (how == EDIT_ATTACH) {
                _cleanup_free_ char *key =
                        xmlStrEqual(dev->name, BAD_CAST "disk") ? child_prop(dev, "target", "dev") :
                        xmlStrEqual(dev->name, BAD_CAST "interface") ? child_prop(dev, "mac", "address") : NULL;
                if (old && key)
                        return vb_error_set(e, VB_ERR_OPERATION_FAILED, "target %s already exists", key);
                index = vb_xml_count_children(devices, (const char *) dev->name);
        } else if (!old)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "matching %s device not found",
                                    (const char *) dev->name);
        else if (how == EDIT_UPDATE && !xmlStrEqual(dev->name, BAD_CAST "disk") &&
                 !xmlStrEqual(dev->name, BAD_CAST "interface") && !xmlStrEqual(dev->name, BAD_CAST "graphics"))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "device type '%s' cannot be updated",
                                    (const char *) dev->name);
        *ret_alias = device_alias(how == EDIT_ATTACH ? dev : old, index);
        if (how == EDIT_DETACH) {
                xmlUnlinkNode(old);
                xmlFreeNode(old);
                return 0;
        }
        copy = xmlDocCopyNode(dev, devices->doc, 1);
        if (!copy)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (how == EDIT_UPDATE) {
                xmlReplaceNode(old, copy);
                xmlFreeNode(old);
        } else
                xmlAddChild(devices, copy);
        return 0;
}

int vb_test_def_edit(VbDomainObj *d, VbDomainDef **def, bool live, const char *device_xml, int how,
                     char **ret_alias, VbError *e) {
        _cleanup_(freexmldoc) xmlDocPtr ddoc = NULL, doc = NULL;
        _cleanup_(vb_domain_def_freep) VbDomainDef *n = NULL;
        _cleanup_free_ char *xml = NULL, *alias = NULL;
        xmlNodePtr devices;
        xmlChar *out = NULL;
        int len, r;

        r = vb_xml_parse(device_xml, NULL, &ddoc, e);
        if (r < 0)
                return r;
        xml = vb_domain_def_format(*def, -1, VB_DOMAIN_XML_SECURE | (live ? 0 : VB_DOMAIN_XML_INACTIVE));
        if (!xml)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = vb_xml_parse(xml, "domain", &doc, e);
        if (r < 0)
                return r;
        devices = vb_xml_child(xmlDocGetRootElement(doc), "devices");
        if (!devices)
                devices = xmlNewChild(xmlDocGetRootElement(doc), NULL, BAD_CAST "devices", NULL);
        if (!devices)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = edit_doc(devices, xmlDocGetRootElement(ddoc), how, &alias, e);
        if (r < 0)
                return r;
        xmlDocDumpMemory(doc, &out, &len);
        if (!out)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = vb_domain_def_parse((const char *) out, live ? 0 : VB_DOMAIN_PARSE_INACTIVE, &n, e);
        xmlFree(out);
        if (r < 0)
                return r;
        if (!streq(n->name, (*def)->name) || memcmp(n->uuid, (*def)->uuid, 16) != 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "device edit changed the domain identity");
        vb_domain_def_free(*def);
        *def = TAKE_PTR(n);
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
        if (config) {
                if (vb_domain_is_active(d)) {
                        vb_domain_def_free(d->newdef);
                        d->newdef = TAKE_PTR(config);
                } else {
                        vb_domain_def_free(d->def);
                        d->def = TAKE_PTR(config);
                }
        }
        if (live) {
                vb_domain_def_free(d->def);
                d->def = TAKE_PTR(live);
                if (how != EDIT_UPDATE)
                        vb_event_emit(&(VbEvent) {
                                .type = how == EDIT_ATTACH ? VB_EVENT_DOMAIN_DEVICE_ADDED : VB_EVENT_DOMAIN_DEVICE_REMOVED,
                                .conn = d->conn, .kind = VB_KIND_DOMAIN, .obj = d, .str = alias });
        }
        return 0;
}

int vb_test_attach_device(VbDomainObj *d, const char *xml, unsigned flags, VbError *e) {
        return device_op(d, xml, flags, AFFECT_LIVE | AFFECT_CONFIG, EDIT_ATTACH, e);
}

int vb_test_detach_device(VbDomainObj *d, const char *xml, unsigned flags, VbError *e) {
        return device_op(d, xml, flags, AFFECT_LIVE | AFFECT_CONFIG, EDIT_DETACH, e);
}

int vb_test_update_device(VbDomainObj *d, const char *xml, unsigned flags, VbError *e) {
        return device_op(d, xml, flags, AFFECT_LIVE | AFFECT_CONFIG | UPDATE_FORCE, EDIT_UPDATE, e);
}
