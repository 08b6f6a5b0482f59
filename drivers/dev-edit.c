/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dev-edit.h"
#include "xml-util.h"

static void doc_freep(xmlDocPtr *d) {
        if (*d)
                xmlFreeDoc(*d);
}

int vb_devices_apply(xmlNodePtr devices, xmlNodePtr old, xmlNodePtr dev, VbDevEditHow how, VbError *e) {
        xmlNodePtr copy;

        if (how == VB_DEV_DETACH) {
                xmlUnlinkNode(old);
                xmlFreeNode(old);
                return 0;
        }
        copy = xmlDocCopyNode(dev, devices->doc, 1);
        if (!copy)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (how == VB_DEV_UPDATE) {
                xmlReplaceNode(old, copy);
                xmlFreeNode(old);
        } else
                xmlAddChild(devices, copy);
        return 0;
}

/* Formatted, edited, dumped: the new definition's XML. */
static int edited_xml(const VbDomainDef *def, bool live, VbDevicesEditFn edit, void *userdata, xmlChar **ret,
                      VbError *e) {
        _cleanup_(doc_freep) xmlDocPtr doc = NULL;
        _cleanup_free_ char *xml = NULL;
        xmlNodePtr devices;
        int len, r;

        xml = vb_domain_def_format(def, -1, VB_DOMAIN_XML_SECURE | (live ? 0 : VB_DOMAIN_XML_INACTIVE));
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
        r = edit(devices, userdata, e);
        if (r < 0)
                return r;
        xmlDocDumpMemory(doc, ret, &len);
        if (!*ret)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

int vb_domain_def_edit_devices(const VbDomainDef *def, bool live, VbDevicesEditFn edit, void *userdata,
                               VbDomainDef **ret, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *n = NULL;
        xmlChar *out = NULL;
        int r;

        r = edited_xml(def, live, edit, userdata, &out, e);
        if (r < 0)
                return r;
        r = vb_domain_def_parse((const char *) out, live ? 0 : VB_DOMAIN_PARSE_INACTIVE, &n, e);
        xmlFree(out);
        if (r < 0)
                return r;
        /* the edit touches <devices> only; anything else would be a bug in @edit */
        if (!streq(n->name, def->name) || memcmp(n->uuid, def->uuid, 16) != 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "device edit changed the domain identity");
        *ret = TAKE_PTR(n);
        return 0;
}
