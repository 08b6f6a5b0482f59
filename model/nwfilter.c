/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nwfilter.h"
#include "xml-keep.h"
#include "xml-util.h"

/* chain protocols and their default priorities (libvirt's values) */
static const struct {
        const char *name;
        int priority;
} chains[] = {
        { "root", 0 }, { "stp", -810 }, { "mac", -800 }, { "vlan", -750 }, { "ipv4", -700 },
        { "ipv6", -600 }, { "arp", -500 }, { "rarp", -400 },
};

#define RULE_DEFAULT_PRIORITY "500"

VbNWFilterDef *vb_nwfilter_def_free(VbNWFilterDef *def) {
        if (!def)
                return NULL;
        free(def->name);
        free(def->chain);
        free(def->rules_xml);
        free(def);
        return NULL;
}

VbNWFilterDef *vb_nwfilter_def_copy(const VbNWFilterDef *s) {
        VbNWFilterDef *d;
        if (!s)
                return NULL;
        d = vb_memdup(s, sizeof(*s));
        d->name = vb_strdup(s->name);
        d->chain = vb_strdup(s->chain);
        d->rules_xml = vb_strdup(s->rules_xml);
        return d;
}

/* "ipv4" or "ipv4-suffix" (suffix [a-zA-Z0-9_.:-]); returns the default priority. */
static int chain_default_priority(const char *chain, int *ret) {
        for (size_t i = 0; i < ELEMENTSOF(chains); i++) {
                size_t l = strlen(chains[i].name);
                if (strncmp(chain, chains[i].name, l) != 0)
                        continue;
                if (chain[l] == 0) {
                        *ret = chains[i].priority;
                        return 0;
                }
                if (chain[l] != '-' || i == 0 || strlen(chain + l) > 32 + 1 || !chain[l + 1])
                        continue;
                for (const char *p = chain + l + 1; *p; p++)
                        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-", *p))
                                return -EINVAL;
                *ret = chains[i].priority;
                return 0;
        }
        return -EINVAL;
}

static int rule_keep(xmlNodePtr c, VbNWFilterDef *def, VbError *e) {
        if (vb_xml_is(c, "rule")) {
                if (!xmlHasProp(c, BAD_CAST "action"))
                        return vb_error_set(e, VB_ERR_XML_ERROR, "rule node requires action attribute");
                if (!xmlHasProp(c, BAD_CAST "direction"))
                        return vb_error_set(e, VB_ERR_XML_ERROR, "rule node requires direction attribute");
                if (!xmlHasProp(c, BAD_CAST "priority"))
                        xmlSetProp(c, BAD_CAST "priority", BAD_CAST RULE_DEFAULT_PRIORITY);
        } else if (vb_xml_is(c, "filterref")) {
                if (!xmlHasProp(c, BAD_CAST "filter"))
                        return vb_error_set(e, VB_ERR_XML_ERROR, "Missing filter attribute in filterref node");
        }
        vb_xml_keep_append(&def->rules_xml, c);
        return 0;
}

static int filter_parse_root(xmlNodePtr root, unsigned flags, void *userdata, VbError *e) {
        VbNWFilterDef *def = userdata;
        _cleanup_free_ char *uuid = NULL, *prio = vb_xml_prop(root, "priority");
        int r;

        def->name = vb_xml_prop(root, "name");
        if (!def->name)
                return vb_error_set(e, VB_ERR_XML_ERROR, "filter has no name");
        r = vb_name_validate(def->name, "filter", e);
        if (r < 0)
                return r;
        def->chain = vb_xml_prop(root, "chain");
        if (!def->chain)
                def->chain = vb_strdup("root");
        if (chain_default_priority(def->chain, &def->priority) < 0)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "unknown chain suffix '%s'", def->chain);
        if (prio) {
                char *end;
                long p = strtol(prio, &end, 10);
                if (!*prio || *end || p < -1000 || p > 1000)
                        return vb_error_set(e, VB_ERR_INVALID_ARG,
                                            "Priority '%s' is outside valid range of [-1000,1000]", prio);
                def->priority = (int) p;
        }
        uuid = vb_xml_child_text(root, "uuid");
        if (!uuid)
                vb_uuid_generate(def->uuid);
        else if (vb_uuid_parse(uuid, def->uuid) < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "malformed uuid element");
        for (xmlNodePtr c = root->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && !vb_xml_is(c, "uuid")) {
                        r = rule_keep(c, def, e);
                        if (r < 0)
                                return r;
                }
        return 0;
}

VB_XML_DEFINE_PARSE(vb_nwfilter_def_parse, VbNWFilterDef, vb_nwfilter_def_freep, "filter", filter_parse_root)

char *vb_nwfilter_def_format(const VbNWFilterDef *def, unsigned flags) {
        _cleanup_vb_buf_ VbBuf b = { 0 };

        vb_buf_puts(&b, "<filter name='");
        vb_buf_escape(&b, def->name);
        vb_buf_puts(&b, "' chain='");
        vb_buf_escape(&b, def->chain);
        vb_buf_puts(&b, "'");
        /* libvirt omits priority 0; a chain whose default is not 0 (arp: -500) would
         * then come back with another priority, so 0 is written there */
        int dflt = 0;
        if (def->priority != 0 || (chain_default_priority(def->chain, &dflt) >= 0 && dflt != 0))
                vb_buf_printf(&b, " priority='%d'", def->priority);
        vb_buf_puts(&b, ">\n");
        vb_buf_indent(&b, 2);
        vb_buf_uuid(&b, def->uuid);
        vb_buf_fragment(&b, def->rules_xml);
        vb_buf_indent(&b, -2);
        vb_buf_puts(&b, "</filter>\n");
        return vb_buf_steal(&b);
}
