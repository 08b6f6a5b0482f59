/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <domain> XML: parse, validate, format in libvirt's layout; metadata; copy. Devices
 * are in domain-devices.c, kept (unmodelled) elements in domain-kept.c. */
#include <limits.h>
#include <stdio.h>

#include "domain-internal.h"

/* Top-level elements in the order libvirt formats them. Elements the model does not
 * structure are kept and formatted back at their slot; unknown ones come last. */
static const char *const top_order[] = {
        "name", "uuid", "genid", "title", "description", "metadata", "maxMemory",
        "memory", "currentMemory", "blkiotune", "memtune", "memoryBacking", "vcpu",
        "vcpus", "iothreads", "iothreadids", "defaultiothread", "cputune", "numatune",
        "resource", "sysinfo", "bootloader", "bootloader_args", "os", "idmap",
        "features", "cpu", "clock", "on_poweroff", "on_reboot", "on_crash",
        "on_lockfailure", "pm", "perf", "devices", "seclabel", "keywrap",
        "launchSecurity", NULL,
};
#define TOP_SLOT_UNKNOWN (ELEMENTSOF(top_order) - 1)

static const char *const os_order[] = {
        "type", "firmware", "init", "initarg", "initenv", "initdir", "inituser",
        "initgroup", "loader", "nvram", "kernel", "initrd", "cmdline", "dtb", "root",
        "acpi", "boot", "bootmenu", "bios", "smbios", NULL,
};

static const char *const feature_order[] = {
        "acpi", "apic", "pae", "hap", "viridian", "privnet", "hyperv", "kvm",
        "pvspinlock", "capabilities", "pmu", "vmport", "gic", "smm", "ioapic", "hpt",
        "vmcoreinfo", "htm", "nested-hv", "msrs", "ccf-assist", "xen", "cfpc", "sbbc",
        "ibs", "tcg", "async-teardown", NULL,
};

static const char *const cpu_order[] = {
        "model", "vendor", "microcode", "topology", "cache", "maxphysaddr", "feature",
        "numa", NULL,
};

static const char *const virt_types[] = {
        "qemu", "kqemu", "kvm", "xen", "lxc", "uml", "openvz", "test", "vmware",
        "hyperv", "vbox", "phyp", "parallels", "bhyve", "vz", "none", NULL,
};

static const char *const os_types[] = { "hvm", "xen", "linux", "exe", "uml", "xenpvh", NULL };
static const char *const boot_devs[] = { "fd", "cdrom", "hd", "network", NULL };
static const char *const clock_offsets[] = {
        "utc", "localtime", "timezone", "variable", "absolute", NULL,
};
static const char *const lifecycle_actions[] = {
        "destroy", "restart", "rename-restart", "preserve", "coredump-destroy",
        "coredump-restart", NULL,
};

/* ---- allocation ---- */

VbDomainDef *vb_domain_def_new(void) {
        VbDomainDef *def = calloc(1, sizeof(*def));
        if (!def)
                return NULL;
        def->priv = calloc(1, sizeof(*def->priv));
        if (!def->priv) {
                free(def);
                return NULL;
        }
        def->vcpus = def->vcpus_current = 1;
        return def;
}

static void strv_free(char **v) {
        for (char **p = v; p && *p; p++)
                free(*p);
        free(v);
}

static char **strv_copy(char *const *v) {
        size_t n = 0;
        char **r;
        while (v && v[n])
                n++;
        r = calloc(n + 1, sizeof(char *));
        if (!r)
                return NULL;
        for (size_t i = 0; i < n; i++)
                r[i] = vb_strdup(v[i]);
        return r;
}

static int strv_push(char ***v, const char *s) {
        size_t n = 0;
        char **r;
        while (*v && (*v)[n])
                n++;
        r = reallocarray(*v, n + 2, sizeof(char *));
        if (!r)
                return -ENOMEM;
        r[n] = vb_strdup(s);
        r[n + 1] = NULL;
        *v = r;
        return 0;
}

static void priv_free(struct VbDomainDefPrivate *p) {
        if (!p)
                return;
        strv_free(p->root_ns);
        vb_kept_clear(&p->top);
        free(p->os_attrs);
        free(p->os_type_extra);
        vb_kept_clear(&p->os);
        vb_kept_clear(&p->features);
        free(p->cpu_match);
        free(p->cpu_check);
        free(p->cpu_migratable);
        free(p->cpu_extra_attrs);
        free(p->cpu_model_attrs);
        vb_kept_clear(&p->cpu);
        free(p->clock_attrs);
        free(p->clock_body);
        free(p->devices_attrs);
        free(p);
}

VbDomainDef *vb_domain_def_free(VbDomainDef *def) {
        if (!def)
                return NULL;
        free(def->virt_type);
        free(def->name);
        free(def->title);
        free(def->description);
        free(def->metadata_xml);
        free(def->vcpu_placement);
        free(def->cpuset);
        free(def->os_type);
        free(def->os_arch);
        free(def->os_machine);
        strv_free(def->boot_devs);
        free(def->kernel);
        free(def->initrd);
        free(def->cmdline);
        free(def->on_poweroff);
        free(def->on_reboot);
        free(def->on_crash);
        for (size_t i = 0; i < def->n_disks; i++)
                vb_domain_disk_clear(&def->disks[i]);
        free(def->disks);
        for (size_t i = 0; i < def->n_nets; i++)
                vb_domain_net_clear(&def->nets[i]);
        free(def->nets);
        free(def->emulator);
        for (size_t i = 0; i < def->n_graphics; i++)
                vb_domain_graphics_clear(&def->graphics[i]);
        free(def->graphics);
        for (size_t i = 0; i < def->n_devices; i++)
                vb_domain_device_clear(&def->devices[i]);
        free(def->devices);
        free(def->clock_offset);
        free(def->cpu_mode);
        free(def->cpu_model);
        priv_free(def->priv);
        free(def);
        return NULL;
}

/* ---- parse: top-level elements ---- */

typedef int (*ParseFn)(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e);

static int dup_text(xmlNodePtr n, char **dst) {
        free(*dst);
        *dst = vb_xml_content(n);
        return 0;
}

static int parse_name(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        dup_text(n, &def->name);
        return vb_name_validate(def->name, "domain", e);
}

static int parse_uuid(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        _cleanup_free_ char *s = vb_xml_content(n);
        if (vb_uuid_parse(s, def->uuid) < 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "malformed uuid element");
        return 0;
}

static int parse_title(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        dup_text(n, &def->title);
        if (strchr(def->title, '\n'))
                return vb_error_set(e, VB_ERR_XML_ERROR, "Domain title can't contain newlines");
        return 0;
}

static int parse_description(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        return dup_text(n, &def->description);
}

static void strip_blanks(xmlNodePtr n) {
        bool elements = false;
        for (xmlNodePtr c = n->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE)
                        elements = true;
        for (xmlNodePtr c = n->children, next; c; c = next) {
                next = c->next;
                if (c->type == XML_ELEMENT_NODE)
                        strip_blanks(c);
                else if (elements && (c->type == XML_COMMENT_NODE ||
                                      (c->type == XML_TEXT_NODE && xmlIsBlankNode(c)))) {
                        xmlUnlinkNode(c);
                        xmlFreeNode(c);
                }
        }
}

/* Dump the element children of @parent as libvirt formats metadata: each standalone
 * (namespaces declared on it), libxml2's formatting with double quotes, already indented
 * for its place inside <domain><metadata> (text content must not be re-indented). */
static int metadata_dump(xmlNodePtr parent, char **ret) {
        VbBuf out = { 0 };
        for (xmlNodePtr c = parent->children; c; c = c->next) {
                xmlDocPtr doc;
                xmlNodePtr copy;
                xmlBufferPtr buf;
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                doc = xmlNewDoc(BAD_CAST "1.0");
                copy = doc ? xmlDocCopyNode(c, doc, 1) : NULL;
                buf = xmlBufferCreate();
                if (!copy || !buf) {
                        xmlFreeNode(copy);
                        xmlBufferFree(buf);
                        xmlFreeDoc(doc);
                        vb_buf_free(&out);
                        return -ENOMEM;
                }
                xmlDocSetRootElement(doc, copy);
                xmlReconciliateNs(doc, copy);
                strip_blanks(copy);
                xmlNodeDump(buf, doc, copy, 2, 1);
                vb_buf_puts(&out, "    ");
                vb_buf_puts(&out, (const char *) xmlBufferContent(buf));
                vb_buf_puts(&out, "\n");
                xmlBufferFree(buf);
                xmlFreeDoc(doc);
        }
        free(*ret);
        *ret = out.len ? vb_buf_steal(&out) : NULL;
        vb_buf_free(&out);
        return 0;
}

static int parse_metadata(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        if (metadata_dump(n, &def->metadata_xml) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

static int parse_memory_value(xmlNodePtr n, const char *what, uint64_t *ret, VbError *e) {
        _cleanup_free_ char *value = vb_xml_content(n);
        _cleanup_free_ char *unit = vb_xml_prop(n, "unit");
        unsigned long long v;
        uint64_t kib;
        int r;

        if (!value || vb_xml_parse_uint(value, ULLONG_MAX, &v) < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "Invalid value '%s' for element or attribute './%s[1]'",
                                    strempty(value), what);
        r = vb_xml_parse_scaled(value, unit, 1024, &kib);
        if (r == -EINVAL)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "unknown suffix '%s'", unit);
        if (r < 0 || kib > (uint64_t) LLONG_MAX / 1024)
                return vb_error_set(e, VB_ERR_XML_ERROR, "value too large for element './%s[1]'",
                                    what);
        *ret = kib;
        return 0;
}

static int parse_memory(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        return parse_memory_value(n, "memory", &def->memory_kib, e);
}

static int parse_current_memory(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        return parse_memory_value(n, "currentMemory", &def->current_memory_kib, e);
}

static int parse_vcpu(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        _cleanup_free_ char *max = vb_xml_content(n);
        _cleanup_free_ char *cur = vb_xml_prop(n, "current");
        _cleanup_free_ char *placement = vb_xml_prop(n, "placement");
        unsigned long long m, c;

        if (vb_xml_parse_uint(max, VB_DOMAIN_MAX_VCPUS, &m) < 0 || m == 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "maximum vcpus count must be an integer");
        c = m;
        if (cur && vb_xml_parse_uint(cur, VB_DOMAIN_MAX_VCPUS, &c) < 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "current vcpus count must be an integer");
        if (c > m)
                return vb_error_set(e, VB_ERR_INTERNAL,
                                    "maxvcpus must not be less than current vcpus (%llu < %llu)", m, c);
        if (c == 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "current vcpus count must be at least 1");
        if (placement && !streq(placement, "static") && !streq(placement, "auto"))
                return vb_error_set(e, VB_ERR_XML_ERROR, "Unsupported CPU placement mode '%s'",
                                    placement);
        def->vcpus = (unsigned) m;
        def->vcpus_current = (unsigned) c;
        free(def->vcpu_placement);
        def->vcpu_placement = vb_strdup(placement ? placement : "static");
        free(def->cpuset);
        def->cpuset = vb_xml_prop(n, "cpuset");
        return 0;
}

static int parse_os_type(VbDomainDef *def, xmlNodePtr n, VbError *e) {
        static const char *const skip[] = { "arch", "machine", NULL };
        dup_text(n, &def->os_type);
        if (!def->os_type || !vb_dom_name_in(def->os_type, os_types))
                return vb_error_set(e, VB_ERR_XML_ERROR, "unknown OS type '%s'",
                                    strempty(def->os_type));
        def->os_arch = vb_xml_prop(n, "arch");
        def->os_machine = vb_xml_prop(n, "machine");
        def->priv->os_type_extra = vb_dom_attrs_string(n, skip);
        return 0;
}

static int parse_os_boot(VbDomainDef *def, xmlNodePtr n, VbError *e) {
        _cleanup_free_ char *dev = vb_xml_prop(n, "dev");
        size_t k = 0;
        if (!dev)
                return vb_error_set(e, VB_ERR_INTERNAL, "missing boot device");
        if (!vb_dom_name_in(dev, boot_devs))
                return vb_error_set(e, VB_ERR_INTERNAL, "unknown boot device '%s'", dev);
        while (def->boot_devs && def->boot_devs[k])
                k++;
        if (k >= 4)
                return vb_error_set(e, VB_ERR_XML_ERROR, "too many <boot> elements in <os>");
        return strv_push(&def->boot_devs, dev) < 0 ? vb_error_set(e, VB_ERR_NO_MEMORY, NULL) : 0;
}

static int parse_os(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        struct VbDomainDefPrivate *p = def->priv;
        int r;

        p->os_attrs = vb_dom_attrs_string(n, NULL);
        for (xmlNodePtr c = n->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (vb_dom_is_name(c, "type") && !def->os_type)
                        r = parse_os_type(def, c, e);
                else if (vb_dom_is_name(c, "boot"))
                        r = parse_os_boot(def, c, e);
                else if (vb_dom_is_name(c, "kernel") && !def->kernel)
                        r = dup_text(c, &def->kernel);
                else if (vb_dom_is_name(c, "initrd") && !def->initrd)
                        r = dup_text(c, &def->initrd);
                else if (vb_dom_is_name(c, "cmdline") && !def->cmdline)
                        r = dup_text(c, &def->cmdline);
                else
                        r = vb_kept_add(&p->os, vb_dom_slot(os_order, c->ns ? "" : (const char *) c->name),
                                        vb_dom_node_string(c));
                if (r < 0)
                        return e && e->code ? r : vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        if (!def->os_type)
                return vb_error_set(e, VB_ERR_XML_ERROR, "an os <type> must be specified");
        return 0;
}

static int parse_features(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        def->priv->features_present = true;
        for (xmlNodePtr c = n->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (vb_kept_add(&def->priv->features,
                                vb_dom_slot(feature_order, c->ns ? "" : (const char *) c->name),
                                vb_dom_node_string(c)) < 0)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        return 0;
}

static int parse_topology_attr(xmlNodePtr n, const char *name, bool required,
                               unsigned *ret, VbError *e) {
        _cleanup_free_ char *s = vb_xml_prop(n, name);
        unsigned long long v;
        if (!s) {
                if (required)
                        return vb_error_set(e, VB_ERR_XML_ERROR,
                                            "Missing required attribute '%s' in element 'topology'", name);
                *ret = 1;
                return 0;
        }
        if (vb_xml_parse_uint(s, VB_DOMAIN_MAX_VCPUS, &v) < 0 || v == 0)
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "Invalid value for attribute '%s' in element 'topology': '%s'. "
                                    "Expected non-zero value", name, s);
        *ret = (unsigned) v;
        return 0;
}

static int parse_cpu_topology(VbDomainDef *def, xmlNodePtr n, VbError *e) {
        int r;
        if ((r = parse_topology_attr(n, "sockets", true, &def->cpu_sockets, e)) < 0 ||
            (r = parse_topology_attr(n, "dies", false, &def->cpu_dies, e)) < 0 ||
            (r = parse_topology_attr(n, "cores", true, &def->cpu_cores, e)) < 0 ||
            (r = parse_topology_attr(n, "threads", true, &def->cpu_threads, e)) < 0)
                return r;
        return 0;
}

static int parse_cpu_children(VbDomainDef *def, xmlNodePtr n, VbError *e) {
        struct VbDomainDefPrivate *p = def->priv;
        int r = 0;
        for (xmlNodePtr c = n->children; c && r >= 0; c = c->next) {
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (vb_dom_is_name(c, "topology") && !def->cpu_sockets)
                        r = parse_cpu_topology(def, c, e);
                else if (vb_dom_is_name(c, "model") && !def->cpu_model) {
                        def->cpu_model = vb_xml_content(c);
                        p->cpu_model_attrs = vb_dom_attrs_string(c, NULL);
                } else if (vb_kept_add(&p->cpu, vb_dom_slot(cpu_order, c->ns ? "" : (const char *) c->name),
                                       vb_dom_node_string(c)) < 0)
                        r = vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        return r;
}

static int parse_cpu(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        static const char *const skip[] = { "mode", "match", "check", "migratable", NULL };
        static const char *const modes[] = { "custom", "host-model", "host-passthrough", "maximum", NULL };
        struct VbDomainDefPrivate *p = def->priv;
        int r;

        p->cpu_present = true;
        def->cpu_mode = vb_xml_prop(n, "mode");
        if (def->cpu_mode && !vb_dom_name_in(def->cpu_mode, modes))
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "Invalid value for attribute 'mode' in element 'cpu': '%s'.",
                                    def->cpu_mode);
        if (!def->cpu_mode)
                def->cpu_mode = vb_strdup("custom");
        p->cpu_match = vb_xml_prop(n, "match");
        p->cpu_check = vb_xml_prop(n, "check");
        p->cpu_migratable = vb_xml_prop(n, "migratable");
        p->cpu_extra_attrs = vb_dom_attrs_string(n, skip);
        r = parse_cpu_children(def, n, e);
        if (r < 0)
                return r;
        if (streq(def->cpu_mode, "custom") && def->cpu_model) {
                if (!p->cpu_match)
                        p->cpu_match = vb_strdup("exact");
                if (!p->cpu_model_attrs)
                        p->cpu_model_attrs = vb_strdup(" fallback='allow'");
        }
        return 0;
}

static int parse_clock(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        static const char *const skip[] = { "offset", NULL };
        _cleanup_free_ char *offset = vb_xml_prop(n, "offset");
        if (offset && !vb_dom_name_in(offset, clock_offsets))
                return vb_error_set(e, VB_ERR_XML_ERROR, "unknown clock offset '%s'", offset);
        free(def->clock_offset);
        def->clock_offset = vb_strdup(offset ? offset : "utc");
        def->priv->clock_attrs = vb_dom_attrs_string(n, skip);
        def->priv->clock_body = vb_dom_children_string(n, NULL);
        return 0;
}

static int parse_lifecycle(xmlNodePtr n, char **dst, VbError *e) {
        _cleanup_free_ char *v = vb_xml_content(n);
        const char *what = (const char *) n->name;
        if (!v || !vb_dom_name_in(v, lifecycle_actions) ||
            (!streq(what, "on_crash") && strncmp(v, "coredump-", 9) == 0))
                return vb_error_set(e, VB_ERR_XML_ERROR, "Invalid value for element '%s': '%s'",
                                    what, strempty(v));
        free(*dst);
        *dst = TAKE_PTR(v);
        return 0;
}

static int parse_on_poweroff(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        return parse_lifecycle(n, &def->on_poweroff, e);
}

static int parse_on_reboot(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        return parse_lifecycle(n, &def->on_reboot, e);
}

static int parse_on_crash(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        return parse_lifecycle(n, &def->on_crash, e);
}

static int parse_devices(VbDomainDef *def, xmlNodePtr n, unsigned flags, VbError *e) {
        def->priv->devices_attrs = vb_dom_attrs_string(n, NULL);
        return vb_domain_devices_parse(def, n, flags, &def->priv->device_boot, e);
}

static const struct {
        const char *name;
        ParseFn parse;
} top_parsers[] = {
        { "name", parse_name },
        { "uuid", parse_uuid },
        { "title", parse_title },
        { "description", parse_description },
        { "metadata", parse_metadata },
        { "memory", parse_memory },
        { "currentMemory", parse_current_memory },
        { "vcpu", parse_vcpu },
        { "os", parse_os },
        { "features", parse_features },
        { "cpu", parse_cpu },
        { "clock", parse_clock },
        { "on_poweroff", parse_on_poweroff },
        { "on_reboot", parse_on_reboot },
        { "on_crash", parse_on_crash },
        { "devices", parse_devices },
};

static int parse_root(VbDomainDef *def, xmlNodePtr root, VbError *e) {
        def->virt_type = vb_xml_prop(root, "type");
        if (!def->virt_type)
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "Missing required attribute 'type' in element 'domain'");
        if (!vb_dom_name_in(def->virt_type, virt_types))
                return vb_error_set(e, VB_ERR_XML_ERROR,
                                    "Invalid value for attribute 'type' in element 'domain': '%s'.",
                                    def->virt_type);
        for (xmlNsPtr ns = root->nsDef; ns; ns = ns->next) {
                if (!ns->prefix)
                        continue;
                if (strv_push(&def->priv->root_ns, (const char *) ns->prefix) < 0 ||
                    strv_push(&def->priv->root_ns, (const char *) ns->href) < 0)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        return 0;
}

static int parse_top_child(VbDomainDef *def, xmlNodePtr c, unsigned flags, uint32_t *seen,
                           VbError *e) {
        const char *name = (const char *) c->name;

        for (size_t i = 0; !c->ns && i < ELEMENTSOF(top_parsers); i++) {
                /* the first letter tells most apart without a call (runs per element at start) */
                if (name[0] != top_parsers[i].name[0] || !streq(name, top_parsers[i].name))
                        continue;
                if (*seen & (1u << i))
                        return vb_error_set(e, VB_ERR_XML_ERROR, "duplicate <%s> element in <domain>",
                                            top_parsers[i].name);
                *seen |= 1u << i;
                return top_parsers[i].parse(def, c, flags, e);
        }
        if (vb_kept_add(&def->priv->top, vb_dom_slot(top_order, c->ns ? "" : (const char *) c->name),
                        vb_dom_node_string(c)) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

/* Defaults and cross-element checks, as libvirt's post-parse does them. */
static int post_parse(VbDomainDef *def, VbError *e) {
        int r;

        if (!def->name)
                return vb_name_validate(NULL, "domain", e);
        if (def->memory_kib == 0)
                return vb_error_set(e, VB_ERR_XML_ERROR, "missing element or attribute './memory[1]'");
        if (!def->os_type)
                return vb_error_set(e, VB_ERR_XML_ERROR, "an os <type> must be specified");
        if (vb_uuid_is_null(def->uuid)) {
                vb_uuid_generate(def->uuid);
                def->uuid_generated = true;
        }
        if (def->current_memory_kib == 0 || def->current_memory_kib > def->memory_kib)
                def->current_memory_kib = def->memory_kib;
        if (!def->vcpu_placement)
                def->vcpu_placement = vb_strdup("static");
        if (def->cpu_sockets &&
            (uint64_t) def->cpu_sockets * def->cpu_dies * def->cpu_cores * def->cpu_threads != def->vcpus)
                return vb_error_set(e, VB_ERR_XML_ERROR, "CPU topology doesn't match maximum vcpu count");
        if (streq(def->os_type, "hvm")) {
                if (def->boot_devs && def->priv->device_boot)
                        return vb_error_set(e, VB_ERR_XML_ERROR,
                                            "per-device boot elements cannot be used together with os/boot elements");
                if (!def->boot_devs && !def->priv->device_boot && strv_push(&def->boot_devs, "hd") < 0)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        r = vb_domain_devices_post_parse(def, e);
        if (r < 0)
                return r;
        if (!def->clock_offset)
                def->clock_offset = vb_strdup("utc");
        if (!def->on_poweroff)
                def->on_poweroff = vb_strdup("destroy");
        if (!def->on_reboot)
                def->on_reboot = vb_strdup("restart");
        if (!def->on_crash)
                def->on_crash = vb_strdup("destroy");
        return 0;
}

int vb_domain_def_parse(const char *xml, unsigned flags, VbDomainDef **ret, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        xmlDocPtr doc = NULL;
        xmlNodePtr root;
        uint32_t seen = 0;
        int r;

        r = vb_xml_parse(xml, "domain", &doc, e);
        if (r < 0)
                return r;
        def = vb_domain_def_new();
        if (!def) {
                xmlFreeDoc(doc);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        root = xmlDocGetRootElement(doc);
        r = parse_root(def, root, e);
        for (xmlNodePtr c = root->children; c && r >= 0; c = c->next)
                if (c->type == XML_ELEMENT_NODE)
                        r = parse_top_child(def, c, flags, &seen, e);
        xmlFreeDoc(doc);
        if (r < 0)
                return r;
        r = post_parse(def, e);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(def);
        return 0;
}

/* ---- format ---- */

typedef void (*FormatFn)(VbBuf *b, const VbDomainDef *def, unsigned flags);

static void fmt_name(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        vb_buf_elem(b, "name", def->name);
}

static void fmt_uuid(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        vb_buf_uuid(b, def->uuid);
}

static void fmt_title(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        vb_buf_elem(b, "title", def->title);
}

static void fmt_description(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        vb_buf_elem(b, "description", def->description);
}

static void fmt_metadata(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        if (isempty(def->metadata_xml))
                return;
        vb_buf_line(b, "<metadata>");
        vb_buf_puts(b, def->metadata_xml);
        vb_buf_line(b, "</metadata>");
}

static void fmt_memory(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        vb_buf_line(b, "<memory unit='KiB'>%llu</memory>", (unsigned long long) def->memory_kib);
}

static void fmt_current_memory(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        uint64_t cur = def->current_memory_kib ? def->current_memory_kib : def->memory_kib;
        vb_buf_line(b, "<currentMemory unit='KiB'>%llu</currentMemory>", (unsigned long long) cur);
}

static void fmt_vcpu(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        vb_buf_pad(b);
        vb_buf_puts(b, "<vcpu");
        vb_buf_attr(b, "placement", def->vcpu_placement ? def->vcpu_placement : "static");
        vb_buf_attr(b, "cpuset", def->cpuset);
        if (def->vcpus_current && def->vcpus_current != def->vcpus)
                vb_buf_printf(b, " current='%u'", def->vcpus_current);
        vb_buf_printf(b, ">%u</vcpu>\n", def->vcpus);
}

static void fmt_os(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        const struct VbDomainDefPrivate *p = def->priv;
        unsigned slot;

        vb_buf_line(b, "<os%s>", strempty(p->os_attrs));
        vb_buf_indent(b, 2);
        vb_buf_pad(b);
        vb_buf_puts(b, "<type");
        vb_buf_attr(b, "arch", def->os_arch);
        vb_buf_attr(b, "machine", def->os_machine);
        vb_buf_printf(b, "%s>", strempty(p->os_type_extra));
        vb_buf_escape(b, def->os_type);
        vb_buf_puts(b, "</type>\n");
        for (slot = 1; os_order[slot]; slot++) {
                const char *name = os_order[slot];
                if (streq(name, "kernel"))
                        vb_buf_elem(b, "kernel", def->kernel);
                else if (streq(name, "initrd"))
                        vb_buf_elem(b, "initrd", def->initrd);
                else if (streq(name, "cmdline"))
                        vb_buf_elem(b, "cmdline", def->cmdline);
                else if (streq(name, "boot"))
                        for (char **d = def->boot_devs; d && *d; d++)
                                vb_buf_line(b, "<boot dev='%s'/>", *d);
                vb_kept_emit(b, &p->os, slot);
        }
        vb_kept_emit(b, &p->os, slot);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</os>");
}

static void fmt_features(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        const struct VbDomainDefPrivate *p = def->priv;
        if (!p->features_present || p->features.n == 0)
                return;
        vb_buf_line(b, "<features>");
        vb_buf_indent(b, 2);
        for (unsigned slot = 0; slot < ELEMENTSOF(feature_order); slot++)
                vb_kept_emit(b, &p->features, slot);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</features>");
}

static void fmt_cpu_children(VbBuf *b, const VbDomainDef *def) {
        const struct VbDomainDefPrivate *p = def->priv;
        for (unsigned slot = 0; slot < ELEMENTSOF(cpu_order); slot++) {
                if (slot == 0 && def->cpu_model) {
                        vb_buf_pad(b);
                        vb_buf_printf(b, "<model%s>", strempty(p->cpu_model_attrs));
                        vb_buf_escape(b, def->cpu_model);
                        vb_buf_puts(b, "</model>\n");
                }
                if (slot == 3 && def->cpu_sockets)
                        vb_buf_line(b, "<topology sockets='%u' dies='%u' cores='%u' threads='%u'/>",
                                    def->cpu_sockets, def->cpu_dies ? def->cpu_dies : 1,
                                    def->cpu_cores, def->cpu_threads);
                vb_kept_emit(b, &p->cpu, slot);
        }
}

static void fmt_cpu(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        const struct VbDomainDefPrivate *p = def->priv;
        if (!def->cpu_mode)
                return;
        vb_buf_pad(b);
        vb_buf_puts(b, "<cpu");
        vb_buf_attr(b, "mode", def->cpu_mode);
        vb_buf_attr(b, "match", p->cpu_match);
        vb_buf_attr(b, "check", p->cpu_check);
        vb_buf_attr(b, "migratable", p->cpu_migratable);
        vb_buf_puts(b, strempty(p->cpu_extra_attrs));
        if (!def->cpu_model && !def->cpu_sockets && p->cpu.n == 0) {
                vb_buf_puts(b, "/>\n");
                return;
        }
        vb_buf_puts(b, ">\n");
        vb_buf_indent(b, 2);
        fmt_cpu_children(b, def);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</cpu>");
}

static void fmt_clock(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        const struct VbDomainDefPrivate *p = def->priv;
        vb_buf_pad(b);
        vb_buf_puts(b, "<clock");
        vb_buf_attr(b, "offset", def->clock_offset ? def->clock_offset : "utc");
        vb_buf_puts(b, strempty(p->clock_attrs));
        if (!p->clock_body) {
                vb_buf_puts(b, "/>\n");
                return;
        }
        vb_buf_puts(b, ">\n");
        vb_buf_indent(b, 2);
        vb_buf_fragment(b, p->clock_body);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</clock>");
}

static void fmt_on_poweroff(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        vb_buf_elem(b, "on_poweroff", def->on_poweroff ? def->on_poweroff : "destroy");
}

static void fmt_on_reboot(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        vb_buf_elem(b, "on_reboot", def->on_reboot ? def->on_reboot : "restart");
}

static void fmt_on_crash(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        vb_buf_elem(b, "on_crash", def->on_crash ? def->on_crash : "destroy");
}

static void fmt_devices(VbBuf *b, const VbDomainDef *def, unsigned flags) {
        vb_buf_line(b, "<devices%s>", strempty(def->priv->devices_attrs));
        vb_buf_indent(b, 2);
        vb_domain_devices_format(b, def, flags);
        vb_buf_indent(b, -2);
        vb_buf_line(b, "</devices>");
}

static const struct {
        const char *name;
        FormatFn format;
} top_formatters[] = {
        { "name", fmt_name },
        { "uuid", fmt_uuid },
        { "title", fmt_title },
        { "description", fmt_description },
        { "metadata", fmt_metadata },
        { "memory", fmt_memory },
        { "currentMemory", fmt_current_memory },
        { "vcpu", fmt_vcpu },
        { "os", fmt_os },
        { "features", fmt_features },
        { "cpu", fmt_cpu },
        { "clock", fmt_clock },
        { "on_poweroff", fmt_on_poweroff },
        { "on_reboot", fmt_on_reboot },
        { "on_crash", fmt_on_crash },
        { "devices", fmt_devices },
};

/* slot in top_order → its formatter, matched by name once rather than on every
 * format (that was ~600 strcmp per GetXMLDesc) */
static FormatFn top_formatter(unsigned slot) {
        static FormatFn by_slot[TOP_SLOT_UNKNOWN + 1];
        static bool done;
        if (!done) {
                for (unsigned j = 0; j <= TOP_SLOT_UNKNOWN; j++)
                        for (size_t i = 0; top_order[j] && i < ELEMENTSOF(top_formatters); i++)
                                if (streq(top_order[j], top_formatters[i].name))
                                        by_slot[j] = top_formatters[i].format;
                done = true;
        }
        return by_slot[slot];
}

static void fmt_root(VbBuf *b, const VbDomainDef *def, int id, unsigned flags) {
        vb_buf_puts(b, "<domain");
        vb_buf_attr(b, "type", def->virt_type ? def->virt_type : "test");
        if (id >= 0 && !(flags & VB_DOMAIN_XML_INACTIVE))
                vb_buf_printf(b, " id='%d'", id);
        for (char **ns = def->priv->root_ns; ns && ns[0] && ns[1]; ns += 2) {
                vb_buf_printf(b, " xmlns:%s='", ns[0]);
                vb_buf_escape(b, ns[1]);
                vb_buf_puts(b, "'");
        }
        vb_buf_puts(b, ">\n");
}

char *vb_domain_def_format(const VbDomainDef *def, int id, unsigned flags) {
        VbBuf b = { 0 };

        if (!def)
                return NULL;
        fmt_root(&b, def, id, flags);
        vb_buf_indent(&b, 2);
        for (unsigned slot = 0; slot <= TOP_SLOT_UNKNOWN; slot++) {
                FormatFn fn = top_formatter(slot);
                if (fn)
                        fn(&b, def, flags);
                vb_kept_emit(&b, &def->priv->top, slot);
        }
        vb_buf_indent(&b, -2);
        vb_buf_puts(&b, "</domain>\n");
        return vb_buf_steal(&b);
}

bool vb_domain_def_has_feature(const VbDomainDef *def, const char *name) {
        size_t l = strlen(name);
        for (size_t i = 0; def && i < def->priv->features.n; i++) {
                const char *x = def->priv->features.items[i].xml;
                if (x[0] == '<' && strncmp(x + 1, name, l) == 0 && x[l + 1] && strchr(" />", x[l + 1]))
                        return true;
        }
        return false;
}

/* ---- metadata (virDomainSetMetadata / virDomainGetMetadata) ---- */

enum {
        METADATA_DESCRIPTION = 0,
        METADATA_TITLE = 1,
        METADATA_ELEMENT = 2,
};

static int metadata_doc(const VbDomainDef *def, xmlDocPtr *ret, VbError *e) {
        _cleanup_free_ char *s = vb_strdupf("<metadata>%s</metadata>", strempty(def->metadata_xml));
        return vb_xml_parse(s, "metadata", ret, e);
}

static xmlNodePtr metadata_find(xmlNodePtr root, const char *uri) {
        for (xmlNodePtr c = root->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href &&
                    xmlStrEqual(c->ns->href, BAD_CAST uri))
                        return c;
        return NULL;
}

static int metadata_not_found(VbError *e) {
        return vb_error_set(e, VB_ERR_NO_DOMAIN_METADATA, "Requested metadata element is not present");
}

static int metadata_get_element(const VbDomainDef *def, const char *uri, char **ret, VbError *e) {
        xmlDocPtr doc = NULL;
        xmlNodePtr node;
        xmlBufferPtr buf;
        int r;

        if (!def->metadata_xml)
                return metadata_not_found(e);
        r = metadata_doc(def, &doc, e);
        if (r < 0)
                return r;
        node = metadata_find(xmlDocGetRootElement(doc), uri);
        if (!node) {
                xmlFreeDoc(doc);
                return metadata_not_found(e);
        }
        buf = xmlBufferCreate();
        if (!buf) {
                xmlFreeDoc(doc);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        strip_blanks(node);
        xmlNodeDump(buf, doc, node, 0, 1);
        *ret = vb_strdup((const char *) xmlBufferContent(buf));
        xmlBufferFree(buf);
        xmlFreeDoc(doc);
        return 0;
}

int vb_domain_def_get_metadata(const VbDomainDef *def, int type, const char *uri,
                               char **ret, VbError *e) {
        const char *text;

        switch (type) {
        case METADATA_DESCRIPTION:
        case METADATA_TITLE:
                if (uri)
                        return vb_error_set(e, VB_ERR_INVALID_ARG,
                                            "uri in virDomainGetMetadata must be NULL");
                text = type == METADATA_TITLE ? def->title : def->description;
                if (!text)
                        return metadata_not_found(e);
                *ret = vb_strdup(text);
                return 0;
        case METADATA_ELEMENT:
                if (!uri)
                        return vb_error_set(e, VB_ERR_INVALID_ARG,
                                            "uri in virDomainGetMetadata must not be NULL");
                return metadata_get_element(def, uri, ret, e);
        default:
                return vb_error_set(e, VB_ERR_INVALID_ARG, "unknown metadata type");
        }
}

/* The element of @value, put into namespace @uri with prefix @key, inside @doc. */
static int metadata_new_element(xmlDocPtr doc, const char *value, const char *key,
                                const char *uri, xmlNodePtr *ret, VbError *e) {
        xmlDocPtr vd = NULL;
        xmlNodePtr node;
        xmlNsPtr ns;
        int r;

        r = vb_xml_parse(value, NULL, &vd, e);
        if (r < 0)
                return r;
        node = xmlDocCopyNode(xmlDocGetRootElement(vd), doc, 1);
        xmlFreeDoc(vd);
        if (!node)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        ns = xmlNewNs(node, BAD_CAST uri, BAD_CAST key);
        if (!ns) {
                xmlFreeNode(node);
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "metadata key '%s' is already declared on the element", key);
        }
        xmlSetNs(node, ns);
        *ret = node;
        return 0;
}

static int metadata_set_element(VbDomainDef *def, const char *value, const char *key,
                                const char *uri, VbError *e) {
        xmlDocPtr doc = NULL;
        xmlNodePtr root, node = NULL, old;
        int r;

        r = metadata_doc(def, &doc, e);
        if (r < 0)
                return r;
        root = xmlDocGetRootElement(doc);
        if (value) {
                r = metadata_new_element(doc, value, key, uri, &node, e);
                if (r < 0) {
                        xmlFreeDoc(doc);
                        return r;
                }
        }
        while ((old = metadata_find(root, uri))) {
                xmlUnlinkNode(old);
                xmlFreeNode(old);
        }
        if (node)
                xmlAddChild(root, node);
        r = metadata_dump(root, &def->metadata_xml);
        xmlFreeDoc(doc);
        return r < 0 ? vb_error_set(e, VB_ERR_NO_MEMORY, NULL) : 0;
}

static int metadata_check_args(int type, const char *value, const char *key, const char *uri,
                               VbError *e) {
        switch (type) {
        case METADATA_TITLE:
                if (value && strchr(value, '\n'))
                        return vb_error_set(e, VB_ERR_INVALID_ARG,
                                            "metadata title can't contain newlines");
                __attribute__((fallthrough));
        case METADATA_DESCRIPTION:
                if (uri)
                        return vb_error_set(e, VB_ERR_INVALID_ARG,
                                            "uri in virDomainSetMetadata must be NULL");
                if (key)
                        return vb_error_set(e, VB_ERR_INVALID_ARG,
                                            "key in virDomainSetMetadata must be NULL");
                return 0;
        case METADATA_ELEMENT:
                if (!uri)
                        return vb_error_set(e, VB_ERR_INVALID_ARG,
                                            "uri in virDomainSetMetadata must not be NULL");
                if (value && !key)
                        return vb_error_set(e, VB_ERR_INVALID_ARG,
                                            "key in virDomainSetMetadata must not be NULL");
                if (key && xmlValidateNCName(BAD_CAST key, 0) != 0)
                        return vb_error_set(e, VB_ERR_INVALID_ARG,
                                            "metadata key '%s' is not a valid XML name", key);
                return 0;
        default:
                return vb_error_set(e, VB_ERR_INVALID_ARG, "unknown metadata type");
        }
}

int vb_domain_def_set_metadata(VbDomainDef *def, int type, const char *value,
                               const char *key, const char *uri, VbError *e) {
        char **dst;
        int r;

        r = metadata_check_args(type, value, key, uri, e);
        if (r < 0)
                return r;
        if (type == METADATA_ELEMENT)
                return metadata_set_element(def, value, key, uri, e);
        dst = type == METADATA_TITLE ? &def->title : &def->description;
        free(*dst);
        *dst = isempty(value) ? NULL : vb_strdup(value);
        return 0;
}

/* ---- copy ---- */

static int priv_copy(struct VbDomainDefPrivate *d, const struct VbDomainDefPrivate *s) {
        if (s->root_ns && !(d->root_ns = strv_copy(s->root_ns)))
                return -ENOMEM;
        if (vb_kept_copy(&d->top, &s->top) < 0 || vb_kept_copy(&d->os, &s->os) < 0 ||
            vb_kept_copy(&d->features, &s->features) < 0 || vb_kept_copy(&d->cpu, &s->cpu) < 0)
                return -ENOMEM;
        d->os_attrs = vb_strdup(s->os_attrs);
        d->os_type_extra = vb_strdup(s->os_type_extra);
        d->features_present = s->features_present;
        d->cpu_match = vb_strdup(s->cpu_match);
        d->cpu_check = vb_strdup(s->cpu_check);
        d->cpu_migratable = vb_strdup(s->cpu_migratable);
        d->cpu_extra_attrs = vb_strdup(s->cpu_extra_attrs);
        d->cpu_model_attrs = vb_strdup(s->cpu_model_attrs);
        d->cpu_present = s->cpu_present;
        d->clock_attrs = vb_strdup(s->clock_attrs);
        d->clock_body = vb_strdup(s->clock_body);
        d->devices_attrs = vb_strdup(s->devices_attrs);
        d->device_boot = s->device_boot;
        return 0;
}

static void copy_strings(VbDomainDef *c, const VbDomainDef *def) {
        c->virt_type = vb_strdup(def->virt_type);
        c->name = vb_strdup(def->name);
        c->title = vb_strdup(def->title);
        c->description = vb_strdup(def->description);
        c->metadata_xml = vb_strdup(def->metadata_xml);
        c->vcpu_placement = vb_strdup(def->vcpu_placement);
        c->cpuset = vb_strdup(def->cpuset);
        c->os_type = vb_strdup(def->os_type);
        c->os_arch = vb_strdup(def->os_arch);
        c->os_machine = vb_strdup(def->os_machine);
        c->kernel = vb_strdup(def->kernel);
        c->initrd = vb_strdup(def->initrd);
        c->cmdline = vb_strdup(def->cmdline);
        c->on_poweroff = vb_strdup(def->on_poweroff);
        c->on_reboot = vb_strdup(def->on_reboot);
        c->on_crash = vb_strdup(def->on_crash);
        c->clock_offset = vb_strdup(def->clock_offset);
        c->cpu_mode = vb_strdup(def->cpu_mode);
        c->cpu_model = vb_strdup(def->cpu_model);
}

VbDomainDef *vb_domain_def_copy(const VbDomainDef *def) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *c = NULL;

        if (!def)
                return NULL;
        c = vb_domain_def_new();
        if (!c)
                return NULL;
        copy_strings(c, def);
        memcpy(c->uuid, def->uuid, sizeof(c->uuid));
        c->memory_kib = def->memory_kib;
        c->current_memory_kib = def->current_memory_kib;
        c->vcpus = def->vcpus;
        c->vcpus_current = def->vcpus_current;
        c->cpu_sockets = def->cpu_sockets;
        c->cpu_dies = def->cpu_dies;
        c->cpu_cores = def->cpu_cores;
        c->cpu_threads = def->cpu_threads;
        if (def->boot_devs && !(c->boot_devs = strv_copy(def->boot_devs)))
                return NULL;
        if (priv_copy(c->priv, def->priv) < 0 || vb_domain_devices_copy(c, def) < 0)
                return NULL;
        return TAKE_PTR(c);
}
