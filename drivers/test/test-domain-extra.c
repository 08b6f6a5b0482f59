/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test driver: per-domain state, metadata, save images, vCPUs and pinning, memory,
 * rename. Semantics and messages follow libvirt's test:///default driver. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "test-job.h"
#include "test-private.h"
#include "xml-util.h"

enum {
        AFFECT_LIVE = 1, AFFECT_CONFIG = 2,
        VCPU_MAXIMUM = 4, VCPU_GUEST = 8, VCPU_HOTPLUGGABLE = 16,
        MEM_MAXIMUM = 4,
        SAVE_BYPASS_CACHE = 1, SAVE_RUNNING = 2, SAVE_PAUSED = 4,
        RUNNING_RESTORED = 3, SHUTOFF_SAVED = 5, SHUTOFF_CRASHED = 3, PAUSED_USER = 1,
        DUMP_CRASH = 1, DUMP_LIVE = 2, DUMP_BYPASS_CACHE = 4, DUMP_RESET = 8, DUMP_MEMORY_ONLY = 16,
};

#define SAVE_MAGIC "TestGuestMagic"

/* ---- per-domain state ---- */

typedef struct TestConnPriv {
        VbTestDomainState **states;
        size_t n_states;
} TestConnPriv;

static void dev_params_free(VbTestDevParams *l, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(l[i].device);
                vb_typed_params_clear(&l[i].params);
        }
        free(l);
}

static void state_free(VbTestDomainState *s) {
        free(s->vcpu_pins);
        vb_typed_params_clear(&s->blkio);
        vb_typed_params_clear(&s->memory);
        vb_typed_params_clear(&s->numa);
        vb_typed_params_clear(&s->perf);
        dev_params_free(s->iface, s->n_iface);
        dev_params_free(s->iotune, s->n_iotune);
        free(s);
}

void vb_test_domain_states_free(VbConnect *c) {
        TestConnPriv *p = c->priv;
        if (!p)
                return;
        for (size_t i = 0; i < p->n_states; i++)
                state_free(p->states[i]);
        free(p->states);
        free(p);
        c->priv = NULL;
}

void vb_test_close(VbConnect *c) {
        for (size_t i = 0; i < c->n_domains; i++)
                vb_test_snapshots_free(c->domains[i]);
        vb_test_domain_states_free(c);
}

VbTestDomainState *vb_test_domain_state(VbDomainObj *d) {
        TestConnPriv *p = d->conn->priv;
        VbTestDomainState *s, **l;

        if (!p) {
                p = calloc(1, sizeof(*p));
                if (!p)
                        return NULL;
                d->conn->priv = p;
        }
        /* drop the state of domains that left the registry */
        for (size_t i = 0; i < p->n_states;) {
                if (!vb_domain_find_uuid(d->conn, p->states[i]->uuid)) {
                        state_free(p->states[i]);
                        p->states[i] = p->states[--p->n_states];
                } else
                        i++;
        }
        for (size_t i = 0; i < p->n_states; i++)
                if (memcmp(p->states[i]->uuid, d->def->uuid, 16) == 0)
                        return p->states[i];
        l = realloc(p->states, (p->n_states + 1) * sizeof(*l));
        if (!l)
                return NULL;
        p->states = l;
        s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        memcpy(s->uuid, d->def->uuid, 16);
        for (size_t i = 0; i < VB_TEST_NODE_CPUMAP_CPUS; i++)
                s->emulator_pin[i] = true;
        s->time_secs = 627319920;
        s->sched_weight = 50;
        p->states[p->n_states++] = s;
        return s;
}

/* ---- common checks ---- */

int vb_test_affect(VbDomainObj *d, unsigned *flags, VbError *e) {
        int r = vb_domain_affect(d, flags, e);
        if (r < 0)
                return r;
        /* a live change must not leak into the persistent config: split them first */
        if ((*flags & AFFECT_LIVE) && d->persistent && !d->newdef) {
                d->newdef = vb_domain_def_copy(d->def);
                if (!d->newdef)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        return 0;
}

VbDomainDef *vb_test_config_def(VbDomainObj *d) {
        if (!vb_domain_is_active(d))
                return d->def;
        if (!d->newdef)
                d->newdef = vb_domain_def_copy(d->def);
        return d->newdef;
}

/* ---- metadata ---- */

int vb_test_set_metadata(VbDomainObj *d, int type, const char *metadata, const char *key,
                         const char *uri, unsigned flags, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *live = NULL, *config = NULL;
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG, e);
        r = vb_test_affect(d, &flags, e);
        if (r < 0)
                return r;
        /* work on copies so that a refused value changes nothing */
        if (flags & AFFECT_LIVE) {
                live = vb_domain_def_copy(d->def);
                if (!live)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                r = vb_domain_def_set_metadata(live, type, metadata, key, uri, e);
                if (r < 0)
                        return r;
        }
        if (flags & AFFECT_CONFIG) {
                config = vb_domain_def_copy(vb_domain_persistent_def(d));
                if (!config)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                r = vb_domain_def_set_metadata(config, type, metadata, key, uri, e);
                if (r < 0)
                        return r;
        }
        if (live) {
                vb_domain_def_free(d->def);
                d->def = TAKE_PTR(live);
        }
        if (config)
                vb_domain_obj_set_persistent_def(d, TAKE_PTR(config));
        vb_event_emit(&(VbEvent) { .type = VB_EVENT_DOMAIN_METADATA, .conn = d->conn,
                                   .kind = VB_KIND_DOMAIN, .obj = d, .event = type,
                                   .str = type == 2 ? uri : NULL });
        return 0;
}

int vb_test_get_metadata(VbDomainObj *d, int type, const char *uri, unsigned flags, char **ret, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG, e);
        if ((flags & AFFECT_LIVE) && (flags & AFFECT_CONFIG))
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
        r = vb_test_affect(d, &flags, e);
        if (r < 0)
                return r;
        return vb_domain_def_get_metadata((flags & AFFECT_CONFIG) ? vb_domain_persistent_def(d) : d->def,
                                          type, uri, ret, e);
}

/* ---- managed save, save images, core dumps ---- */

static int write_file(const char *path, const char *magic, const char *data, VbError *e);

/* Saving "writes" the guest's memory: a job of the test driver's timed kind. The
 * domain is held; a domain stopped meanwhile makes the save fail. */
typedef struct SaveJob {
        VbDomainObj *dom;
        char *path;             /* Save's file; NULL for a managed save */
        char *xml;
} SaveJob;

static int save_finish(void *userdata, int r, VbOp *op, VbError *e) {
        SaveJob *s = userdata;
        VbDomainObj *d = s->dom;

        if (r < 0)
                r = vb_error_set(e, VB_ERR_OPERATION_ABORTED, "saving domain '%s' was cancelled",
                                 d->def->name);
        else if (d->removed || !vb_domain_is_active(d))
                r = vb_error_set(e, VB_ERR_OPERATION_FAILED, "domain '%s' stopped while it was saved",
                                 d->def->name);
        else if (s->path)
                r = write_file(s->path, SAVE_MAGIC, s->xml, e);
        if (r >= 0) {
                d->has_managed_save = !s->path;
                vb_test_domain_stop(d, SHUTOFF_SAVED, VB_EV_STOPPED_SAVED);
        }
        vb_domain_obj_unref(d);
        free(s->path);
        free(s->xml);
        free(s);
        return r;
}

static int save_start(VbDomainObj *d, const char *operation, const char *path, char *xml, VbOp *op,
                      VbError *e) {
        SaveJob *s = calloc(1, sizeof(*s));
        int r;

        if (!s) {
                free(xml);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        *s = (SaveJob) { .dom = vb_domain_obj_ref(d), .path = vb_strdup(path), .xml = xml };
        r = vb_test_job_start(d->conn, operation, VB_KIND_DOMAIN, d, d->def->current_memory_kib * 1024,
                              save_finish, s, op, NULL, e);
        if (r < 0) {
                vb_domain_obj_unref(d);
                free(s->path);
                free(s->xml);
                free(s);
                return r;
        }
        return 1;
}

int vb_test_managed_save(VbDomainObj *d, unsigned flags, VbOp *op, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, SAVE_BYPASS_CACHE | SAVE_RUNNING | SAVE_PAUSED, e);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        if (!d->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                    "cannot do managed save for transient domain");
        return save_start(d, "ManagedSave", NULL, NULL, op, e);
}

int vb_test_has_managed_save_image(VbDomainObj *d, unsigned flags, bool *ret, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        *ret = d->has_managed_save;
        return 0;
}

int vb_test_managed_save_remove(VbDomainObj *d, unsigned flags, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        d->has_managed_save = false;
        return 0;
}

/* Image files are only written below the daemon's state root (the parent of the
 * driver's directory), never elsewhere on the host. */
static int check_image_path(VbConnect *c, const char *path, VbError *e) {
        _cleanup_free_ char *root = vb_strdup(c->root);
        char *slash = root ? strrchr(root, '/') : NULL;
        size_t n;

        if (slash && slash != root)
                *slash = 0;
        if (isempty(path) || path[0] != '/')
                return vb_error_set(e, VB_ERR_INVALID_ARG, "path '%s' is not absolute", strempty(path));
        if (strstr(path, "/../") || strstr(path, "/./") || strstr(path, "//") ||
            (strlen(path) >= 3 && streq(path + strlen(path) - 3, "/..")))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "path '%s' is not canonical", path);
        n = strlen(root);
        if (strncmp(path, root, n) != 0 || path[n] != '/' || path[n + 1] == 0)
                return vb_error_set(e, VB_ERR_OPERATION_DENIED,
                                    "path '%s' is outside the daemon's state directory '%s'", path, root);
        return 0;
}

static int write_file(const char *path, const char *magic, const char *data, VbError *e) {
        _cleanup_close_ int fd = -1;
        size_t len = strlen(data), mlen = strlen(magic);
        uint32_t len32 = (uint32_t) len;

        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "saving domain: failed to open '%s': %s",
                                    path, strerror(errno));
        if (write(fd, magic, mlen) != (ssize_t) mlen ||
            write(fd, &len32, sizeof(len32)) != sizeof(len32) ||
            write(fd, data, len) != (ssize_t) len || fsync(fd) < 0) {
                int r = vb_error_set(e, VB_ERR_OPERATION_FAILED, "saving domain: failed to write '%s': %s",
                                     path, strerror(errno));
                unlink(path);
                return r;
        }
        return 0;
}

static int read_image(const char *path, char **ret, VbError *e) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *xml = NULL;
        char magic[sizeof(SAVE_MAGIC) - 1];
        uint32_t len;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot read domain image '%s': %s",
                                    path, strerror(errno));
        if (read(fd, magic, sizeof(magic)) != sizeof(magic) || memcmp(magic, SAVE_MAGIC, sizeof(magic)) != 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "mismatched header magic");
        if (read(fd, &len, sizeof(len)) != sizeof(len) || len < 1 || len > VB_XML_MAX_SIZE)
                return vb_error_set(e, VB_ERR_INTERNAL, "length of metadata out of range");
        xml = malloc(len + 1);
        if (!xml)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (read(fd, xml, len) != (ssize_t) len)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "incomplete metadata in '%s'", path);
        xml[len] = 0;
        *ret = TAKE_PTR(xml);
        return 0;
}

/* The definition a save image at @path (checked as the driver's to read) holds. */
static int image_def(VbConnect *c, const char *path, unsigned parse_flags, VbDomainDef **ret, VbError *e) {
        _cleanup_free_ char *xml = NULL;
        int r;

        r = check_image_path(c, path, e);
        if (r < 0)
                return r;
        r = read_image(path, &xml, e);
        if (r < 0)
                return r;
        return vb_domain_def_parse(xml, parse_flags, ret, e);
}

/* Save and CoreDump: the domain runs and @to is a file we may write. */
static int require_active_target(VbDomainObj *d, const char *to, VbError *e) {
        int r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        return check_image_path(d->conn, to, e);
}

int vb_test_save(VbDomainObj *d, const char *to, const char *dxml, unsigned flags, VbOp *op, VbError *e) {
        _cleanup_free_ char *xml = NULL;
        int r;

        VB_CHECK_FLAGS(flags, SAVE_BYPASS_CACHE | SAVE_RUNNING | SAVE_PAUSED, e);
        if (!isempty(dxml))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "xml modification unsupported");
        r = require_active_target(d, to, e);
        if (r < 0)
                return r;
        xml = vb_domain_def_format(d->def, -1, VB_DOMAIN_XML_SECURE);
        if (!xml)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return save_start(d, "Save", to, TAKE_PTR(xml), op, e);
}

int vb_test_restore(VbConnect *c, const char *from, const char *dxml, unsigned flags, VbOp *op,
                    VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        VbDomainObj *d = NULL;
        int r;

        VB_CHECK_FLAGS(flags, SAVE_BYPASS_CACHE | SAVE_RUNNING | SAVE_PAUSED, e);
        if (!isempty(dxml))
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "xml modification unsupported");
        r = image_def(c, from, 0, &def, e);
        if (r < 0)
                return r;
        r = vb_domain_check_unique(c, def, &d, e);
        if (r < 0)
                return r;
        if (d) {
                r = vb_domain_obj_run_def(d, &def, e);
                if (r < 0)
                        return r;
        } else if (vb_domain_obj_new(c, TAKE_PTR(def), &d) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        vb_test_domain_running(d, RUNNING_RESTORED, VB_EV_STARTED_RESTORED, flags & SAVE_PAUSED);
        return 0;
}

int vb_test_save_image_get_xml_desc(VbConnect *c, const char *file, unsigned flags, char **ret, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        int r;

        VB_CHECK_FLAGS(flags, VB_DOMAIN_XML_SECURE, e);
        r = image_def(c, file, VB_DOMAIN_PARSE_INACTIVE, &def, e);
        if (r < 0)
                return r;
        *ret = vb_domain_def_format(def, -1, VB_DOMAIN_XML_INACTIVE | flags);
        return *ret ? 0 : vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
}

int vb_test_save_image_define_xml(VbConnect *c, const char *file, const char *xml, unsigned flags, VbError *e) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *old = NULL, *def = NULL;
        _cleanup_free_ char *newxml = NULL;
        int r;

        VB_CHECK_FLAGS(flags, SAVE_RUNNING | SAVE_PAUSED, e);
        r = image_def(c, file, 0, &old, e);
        if (r < 0)
                return r;
        r = vb_domain_def_parse(xml, VB_DOMAIN_PARSE_INACTIVE, &def, e);
        if (r < 0)
                return r;
        if (memcmp(old->uuid, def->uuid, 16) != 0 || !streq(old->name, def->name))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                    "target domain name or uuid does not match the saved domain");
        newxml = vb_domain_def_format(def, -1, VB_DOMAIN_XML_SECURE);
        if (!newxml)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return write_file(file, SAVE_MAGIC, newxml, e);
}

int vb_test_core_dump(VbDomainObj *d, const char *to, unsigned format, unsigned flags, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, DUMP_CRASH | DUMP_LIVE | DUMP_BYPASS_CACHE | DUMP_RESET | DUMP_MEMORY_ONLY, e);
        if ((flags & DUMP_CRASH) && (flags & DUMP_RESET))
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "Flags 'VIR_DUMP_CRASH' and 'VIR_DUMP_RESET' are mutually exclusive");
        if (format != 0)
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "kdump-compressed format is not supported");
        r = require_active_target(d, to, e);
        if (r < 0)
                return r;
        r = write_file(to, "TestGuestDump", d->def->name, e);
        if (r < 0)
                return r;
        if (flags & DUMP_CRASH)
                vb_test_domain_stop(d, SHUTOFF_CRASHED, VB_EV_STOPPED_CRASHED);
        return 0;
}

int vb_test_create_with_files(VbDomainObj *d, unsigned nfiles, unsigned flags, VbError *e) {
        VB_CHECK_FLAGS(flags, 1 | 2 | 4 | 8 | 16, e);
        if (vb_domain_is_active(d))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain is already running");
        vb_test_domain_start(d, 1 /* BOOTED */, flags & 1);
        return 0;
}

/* ---- vCPUs ---- */

int vb_test_get_vcpus(VbDomainObj *d, unsigned flags, unsigned *ret, VbError *e) {
        const VbDomainDef *def;
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG | VCPU_MAXIMUM, e);
        if ((flags & AFFECT_LIVE) && (flags & AFFECT_CONFIG))
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
        r = vb_test_affect(d, &flags, e);
        if (r < 0)
                return r;
        def = (flags & AFFECT_LIVE) ? d->def : vb_domain_persistent_def(d);
        *ret = (flags & VCPU_MAXIMUM) ? def->vcpus : def->vcpus_current;
        return 0;
}

static int set_vcpus_def(VbDomainDef *def, unsigned n, unsigned flags) {
        if (flags & VCPU_MAXIMUM) {
                def->vcpus = n;
                if (def->vcpus_current > n)
                        def->vcpus_current = n;
        } else
                def->vcpus_current = n;
        return 0;
}

int vb_test_set_vcpus(VbDomainObj *d, unsigned n, unsigned flags, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG | VCPU_MAXIMUM, e);
        if (n == 0)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "argument unsupported: nvcpus must be greater than 0");
        r = vb_test_affect(d, &flags, e);
        if (r < 0)
                return r;
        if ((flags & VCPU_MAXIMUM) && (flags & AFFECT_LIVE))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "cannot set max vcpu count on active domain");
        if (n > VB_TEST_MAX_VCPUS)
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "requested cpu amount exceeds maximum supported amount (%u > %d)",
                                    n, VB_TEST_MAX_VCPUS);
        if (!(flags & VCPU_MAXIMUM)) {
                if ((flags & AFFECT_LIVE) && n > d->def->vcpus)
                        return vb_error_set(e, VB_ERR_INVALID_ARG,
                                            "requested cpu amount exceeds maximum (%u > %u)", n, d->def->vcpus);
                if ((flags & AFFECT_CONFIG) && n > vb_domain_persistent_def(d)->vcpus)
                        return vb_error_set(e, VB_ERR_INVALID_ARG,
                                            "requested cpu amount exceeds maximum (%u > %u)", n,
                                            vb_domain_persistent_def(d)->vcpus);
        }
        if (flags & AFFECT_LIVE)
                set_vcpus_def(d->def, n, flags);
        if (flags & AFFECT_CONFIG)
                set_vcpus_def(vb_test_config_def(d), n, flags);
        return 0;
}

static int cpu_map_fill(VbCpuMap *m, size_t rows, const bool *src) {
        m->map = calloc(rows * VB_TEST_NODE_CPUMAP_CPUS + 1, sizeof(bool));
        if (!m->map)
                return -ENOMEM;
        m->n_rows = rows;
        m->n_cpus = VB_TEST_NODE_CPUMAP_CPUS;
        for (size_t i = 0; i < rows * VB_TEST_NODE_CPUMAP_CPUS; i++)
                m->map[i] = src ? src[i] : true;
        return 0;
}

int vb_test_get_vcpu_pin_info(VbDomainObj *d, unsigned flags, VbCpuMap *ret, VbError *e) {
        VbTestDomainState *s;
        unsigned rows;
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG, e);
        r = vb_test_get_vcpus(d, flags | VCPU_MAXIMUM, &rows, e);
        if (r < 0)
                return r;
        s = vb_test_domain_state(d);
        if (!s || cpu_map_fill(ret, rows, NULL) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < rows && i < s->n_vcpu_pins; i++)
                memcpy(ret->map + i * VB_TEST_NODE_CPUMAP_CPUS, s->vcpu_pins + i * VB_TEST_NODE_CPUMAP_CPUS,
                       VB_TEST_NODE_CPUMAP_CPUS * sizeof(bool));
        return 0;
}

static int check_cpumap(const bool *map, size_t n, VbError *e) {
        bool any = false;
        for (size_t i = 0; i < n; i++) {
                if (map[i] && i >= VB_TEST_NODE_CPUMAP_CPUS)
                        return vb_error_set(e, VB_ERR_INVALID_ARG,
                                            "invalid cpumap: CPU %zu is not present on the host", i);
                any = any || map[i];
        }
        if (!any)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "Empty cpu list for pinning");
        return 0;
}

int vb_test_pin_vcpu(VbDomainObj *d, unsigned vcpu, const bool *map, size_t n, unsigned flags, VbError *e) {
        VbTestDomainState *s;
        unsigned max;
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG, e);
        r = vb_test_affect(d, &flags, e);
        if (r < 0)
                return r;
        max = (flags & AFFECT_LIVE) ? d->def->vcpus : vb_domain_persistent_def(d)->vcpus;
        if (vcpu >= max)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "requested vcpu '%u' is not present in the domain", vcpu);
        r = check_cpumap(map, n, e);
        if (r < 0)
                return r;
        s = vb_test_domain_state(d);
        if (!s)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (s->n_vcpu_pins < max) {
                bool *l = realloc(s->vcpu_pins, max * VB_TEST_NODE_CPUMAP_CPUS * sizeof(bool));
                if (!l)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                for (size_t i = s->n_vcpu_pins * VB_TEST_NODE_CPUMAP_CPUS; i < max * VB_TEST_NODE_CPUMAP_CPUS; i++)
                        l[i] = true;
                s->vcpu_pins = l;
                s->n_vcpu_pins = max;
        }
        for (size_t i = 0; i < VB_TEST_NODE_CPUMAP_CPUS; i++)
                s->vcpu_pins[vcpu * VB_TEST_NODE_CPUMAP_CPUS + i] = i < n && map[i];
        return 0;
}

int vb_test_get_emulator_pin_info(VbDomainObj *d, unsigned flags, VbCpuMap *ret, VbError *e) {
        VbTestDomainState *s;
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG, e);
        r = vb_test_affect(d, &flags, e);
        if (r < 0)
                return r;
        s = vb_test_domain_state(d);
        if (!s || cpu_map_fill(ret, 1, s->emulator_pin) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

int vb_test_pin_emulator(VbDomainObj *d, const bool *map, size_t n, unsigned flags, VbError *e) {
        VbTestDomainState *s;
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG, e);
        r = vb_test_affect(d, &flags, e);
        if (r < 0)
                return r;
        r = check_cpumap(map, n, e);
        if (r < 0)
                return r;
        s = vb_test_domain_state(d);
        if (!s)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < VB_TEST_NODE_CPUMAP_CPUS; i++)
                s->emulator_pin[i] = i < n && map[i];
        return 0;
}

/* ---- memory ---- */

int vb_test_set_memory(VbDomainObj *d, uint64_t kib, unsigned flags, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG | MEM_MAXIMUM, e);
        r = vb_test_affect(d, &flags, e);
        if (r < 0)
                return r;
        if (flags & MEM_MAXIMUM) {
                if (flags & AFFECT_LIVE)
                        return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED,
                                            "cannot resize the maximum memory on an active domain");
                if (kib == 0)
                        return vb_error_set(e, VB_ERR_INVALID_ARG, "maximum memory must be greater than 0");
                VbDomainDef *def = vb_test_config_def(d);
                def->memory_kib = kib;
                if (def->current_memory_kib > kib)
                        def->current_memory_kib = kib;
                return 0;
        }
        if (((flags & AFFECT_LIVE) && kib > d->def->memory_kib) ||
            ((flags & AFFECT_CONFIG) && kib > vb_domain_persistent_def(d)->memory_kib))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "cannot set memory higher than max memory");
        if (flags & AFFECT_LIVE) {
                d->def->current_memory_kib = kib;
                vb_event_emit(&(VbEvent) { .type = VB_EVENT_DOMAIN_BALLOON, .conn = d->conn,
                                           .kind = VB_KIND_DOMAIN, .obj = d, .u64 = kib });
        }
        if (flags & AFFECT_CONFIG)
                vb_test_config_def(d)->current_memory_kib = kib;
        return 0;
}

static bool has_memballoon(const VbDomainDef *def) {
        for (size_t i = 0; i < def->n_devices; i++)
                if (def->devices[i].kind == VB_DOMAIN_DEVICE_MEMBALLOON)
                        return !streq_ptr(def->devices[i].model, "none");
        return false;
}

int vb_test_set_memory_stats_period(VbDomainObj *d, int period, unsigned flags, VbError *e) {
        VbTestDomainState *s;
        int r;

        VB_CHECK_FLAGS(flags, AFFECT_LIVE | AFFECT_CONFIG, e);
        if (period < 0)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "period parameter must be >= 0, got %d", period);
        r = vb_test_affect(d, &flags, e);
        if (r < 0)
                return r;
        if (!has_memballoon(d->def))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                    "No memory balloon device configured, can not set the collection period");
        s = vb_test_domain_state(d);
        if (!s)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        s->stats_period = period;
        return 0;
}

int vb_test_memory_stats(VbDomainObj *d, unsigned flags, VbMemoryStat ret[VB_MEMORY_STAT_MAX], size_t *ret_n,
                         VbError *e) {
        uint64_t cur = d->def->current_memory_kib;
        size_t n = 0;
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_domain_require_active(d, e);
        if (r < 0)
                return r;
        /* virDomainMemoryStatTags: unused 4, available 5, actual 6, rss 7, usable 8, disk_caches 10 */
        ret[n++] = (VbMemoryStat) { 4, cur / 2 };
        ret[n++] = (VbMemoryStat) { 5, cur };
        ret[n++] = (VbMemoryStat) { 6, cur };
        ret[n++] = (VbMemoryStat) { 7, cur / 2 };
        ret[n++] = (VbMemoryStat) { 8, cur / 2 };
        ret[n++] = (VbMemoryStat) { 10, cur / 8 };
        *ret_n = n;
        return 0;
}

/* ---- rename ---- */

int vb_test_rename(VbDomainObj *d, const char *name, unsigned flags, VbError *e) {
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_name_validate(name, "domain", e);
        if (r < 0)
                return r;
        if (vb_domain_is_active(d))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "cannot rename active domain");
        if (!d->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "cannot rename a transient domain");
        if (d->n_snapshots > 0)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "cannot rename domain with snapshots");
        if (d->has_managed_save)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                    "cannot rename domain with a managed save image");
        if (vb_domain_find_name(d->conn, name))
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "domain with name '%s' already exists", name);
        vb_event_domain(d, VB_EV_UNDEFINED, VB_EV_UNDEFINED_RENAMED);
        free(d->def->name);
        d->def->name = vb_strdup(name);
        if (vb_domain_obj_renamed(d) < 0)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        vb_event_domain(d, VB_EV_DEFINED, VB_EV_DEFINED_RENAMED);
        return 0;
}
