/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Storage pools and volumes of the in-memory test driver; semantics follow
 * libvirt's test:///default (every pool is a fixed 100 GiB that volumes use up),
 * plus real volume GetInfo/Resize/Wipe on top of that bookkeeping. A volume gets
 * real contents (a sparse memfd of its capacity) when data is first uploaded or
 * downloaded. */
#include <sys/mman.h>
#include <sys/stat.h>

#include "test-job.h"
#include "storage.h"
#include "test-storage.h"
#include "vol-stream.h"
#include "xml-util.h"

#define POOL_CAPACITY (100ULL * 1024 * 1024 * 1024)

enum { POOL_STATE_INACTIVE = 0, POOL_STATE_RUNNING = 2 };
enum { VOL_FILE = 0, VOL_BLOCK = 1, VOL_NETWORK = 3 };
enum {
        POOL_CREATE_WITH_BUILD = 1, POOL_CREATE_WITH_BUILD_OVERWRITE = 2,
        POOL_CREATE_WITH_BUILD_NO_OVERWRITE = 4,
        POOL_BUILD_NO_OVERWRITE = 4, POOL_BUILD_OVERWRITE = 8,
        POOL_DELETE_ZEROED = 1, POOL_DEFINE_VALIDATE = 1, POOL_XML_INACTIVE = 1,
        VOL_GET_PHYSICAL = 1,
        VOL_RESIZE_ALLOCATE = 1, VOL_RESIZE_DELTA = 2, VOL_RESIZE_SHRINK = 4,
        VOL_WIPE_ALG_LAST = 10,
        VOL_STREAM_SPARSE = 1,  /* VIR_STORAGE_VOL_UPLOAD/DOWNLOAD_SPARSE_STREAM */
};

/* v->priv of a volume that has contents */
typedef struct TestVolData {
        int fd;                 /* memfd, size = capacity */
} TestVolData;

static const char seed_pool[] =
        "<pool type='dir'>\n"
        "  <name>default-pool</name>\n"
        "  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>\n"
        "  <target>\n"
        "    <path>/default-pool</path>\n"
        "  </target>\n"
        "</pool>\n";

/* the test driver's fixed discovery results */
static const char sources_logical[] =
        "<sources>\n"
        "  <source>\n"
        "    <device path='/dev/sda20'/>\n"
        "    <name>testvg1</name>\n"
        "    <format type='lvm2'/>\n"
        "  </source>\n"
        "  <source>\n"
        "    <device path='/dev/sda21'/>\n"
        "    <name>testvg2</name>\n"
        "    <format type='lvm2'/>\n"
        "  </source>\n"
        "</sources>\n";

/* ---- helpers ---- */

/* Volumes are on the bus only while their pool runs. */
static void vols_announce(VbPoolObj *p, VbEventType type) {
        for (size_t i = 0; i < p->n_vols; i++)
                vb_event_obj(p->conn, type, VB_KIND_VOL, p->vols[i], 0, 0);
}

/* The volume's bytes, made on first use: a sparse memfd costs nothing until written. */
static int vol_data_fd(VbVolObj *v, VbError *e) {
        _cleanup_close_ int fd = -1;
        TestVolData *d = v->priv;

        if (d)
                return d->fd;
        fd = memfd_create("virtbus-test-vol", MFD_CLOEXEC);
        if (fd < 0 || ftruncate(fd, (off_t) VB_VOL_DEF(v)->capacity) < 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "cannot make the contents of volume '%s': %s",
                                    v->name, strerror(errno));
        d = calloc(1, sizeof(*d));
        if (!d)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        d->fd = TAKE_FD(fd);
        v->priv = d;
        return d->fd;
}

static void vol_data_release(VbVolObj *v) {
        TestVolData *d = TAKE_PTR(v->priv);
        if (d) {
                close(d->fd);
                free(d);
        }
}

static void pool_release_vols(VbPoolObj *p) {
        for (size_t i = 0; i < p->n_vols; i++)
                vol_data_release(p->vols[i]);
}

void vb_test_storage_close(VbConnect *c) {
        for (size_t i = 0; i < c->n_pools; i++)
                pool_release_vols(c->pools[i]);
}

static void pool_set_sizes(VbStoragePoolDef *def, const VbPoolObj *p) {
        uint64_t alloc = 0;
        for (size_t i = 0; p && i < p->n_vols; i++)
                alloc += VB_VOL_DEF(p->vols[i])->allocation;
        def->capacity = POOL_CAPACITY;
        def->allocation = alloc;
        def->available = POOL_CAPACITY - alloc;
}

static int require_inactive(VbPoolObj *p, VbError *e) {
        if (p->active)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "storage pool '%s' is active", p->name);
        return 0;
}

/* A stopped pool takes up a pending persistent definition. */
static void pool_apply_newdef(VbPoolObj *p) {
        VbStoragePoolDef *nd = VB_POOL_NEWDEF(p);
        if (!nd)
                return;
        pool_set_sizes(nd, p);
        vb_pool_def_free(VB_POOL_DEF(p));
        p->def = TAKE_PTR(p->newdef);
}

static void pool_stop(VbPoolObj *p) {
        vols_announce(p, VB_EVENT_OBJECT_REMOVED);
        p->active = false;
        pool_apply_newdef(p);
        vb_pool_event(p, VB_OBJ_EV_STOPPED);
        if (!p->persistent) {
                vb_event_obj(p->conn, VB_EVENT_OBJECT_REMOVED, VB_KIND_POOL, p, 0, 0);
                pool_release_vols(p);
                vb_pool_obj_remove(p);
        }
}

static void pool_start(VbPoolObj *p) {
        p->active = true;
        vb_pool_event(p, VB_OBJ_EV_STARTED);
        vols_announce(p, VB_EVENT_OBJECT_ADDED);
}

int vb_test_storage_seed(VbConnect *c, VbError *e) {
        VbStoragePoolDef *def = NULL;
        VbPoolObj *p;
        int r;

        r = vb_pool_def_parse(seed_pool, 0, &def, e);
        if (r < 0)
                return r;
        pool_set_sizes(def, NULL);
        p = vb_pool_obj_new(c, def);
        if (!p) {
                vb_pool_def_free(def);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        p->active = p->persistent = true;
        return 0;
}

/* ---- pools ---- */

static int test_pool_define_xml(VbConnect *c, const char *xml, unsigned flags, VbPoolObj **ret, VbError *e) {
        _cleanup_(vb_pool_def_freep) VbStoragePoolDef *def = NULL;
        VbPoolObj *p = NULL;
        bool existed;
        int r;

        VB_CHECK_FLAGS(flags, POOL_DEFINE_VALIDATE, e);
        r = vb_pool_def_parse(xml, 0, &def, e);
        if (r < 0)
                return r;
        r = vb_pool_check_unique(c, def, false, &p, e);
        if (r < 0)
                return r;
        existed = p != NULL;
        pool_set_sizes(def, p);
        if (!p) {
                p = vb_pool_obj_new(c, def);
                if (!p)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                TAKE_PTR(def);
        } else
                vb_pool_obj_set_persistent_def(p, TAKE_PTR(def));
        p->persistent = true;
        vb_pool_event(p, VB_OBJ_EV_DEFINED);
        if (!existed)
                vb_event_obj(c, VB_EVENT_OBJECT_ADDED, VB_KIND_POOL, p, 0, 0);
        *ret = p;
        return 0;
}

static int test_pool_create_xml(VbConnect *c, const char *xml, unsigned flags, VbPoolObj **ret, VbError *e) {
        _cleanup_(vb_pool_def_freep) VbStoragePoolDef *def = NULL;
        VbPoolObj *p = NULL;
        int r;

        VB_CHECK_FLAGS(flags, POOL_CREATE_WITH_BUILD | POOL_CREATE_WITH_BUILD_OVERWRITE |
                       POOL_CREATE_WITH_BUILD_NO_OVERWRITE, e);
        r = vb_pool_check_build_flags(POOL_CREATE_WITH_BUILD_OVERWRITE, POOL_CREATE_WITH_BUILD_NO_OVERWRITE, flags, e);
        if (r < 0)
                return r;
        r = vb_pool_def_parse(xml, 0, &def, e);
        if (r < 0)
                return r;
        r = vb_pool_check_unique(c, def, true, &p, e);
        if (r < 0)
                return r;
        pool_set_sizes(def, p);
        r = vb_pool_obj_create(c, p, &def, vb_pool_obj_new, &p, e);
        if (r < 0)
                return r;
        pool_start(p);
        *ret = p;
        return 0;
}

static int test_find_pool_sources(VbConnect *c, const char *type, const char *spec, unsigned flags,
                                  char **ret, VbError *e) {
        _cleanup_free_ char *host = NULL;
        xmlDocPtr doc = NULL;
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        if (!vb_pool_type_is_valid(type))
                return vb_error_set(e, VB_ERR_INTERNAL, "unknown storage pool type %s", type);
        if (spec) {
                r = vb_xml_parse(spec, "source", &doc, e);
                if (r < 0)
                        return r;
                host = vb_xml_prop(vb_xml_child(xmlDocGetRootElement(doc), "host"), "name");
                xmlFreeDoc(doc);
        }
        if (streq(type, "logical")) {
                *ret = vb_strdup(sources_logical);
                return 0;
        }
        if (streq(type, "netfs")) {
                _cleanup_vb_buf_ VbBuf b = { 0 };
                if (isempty(host))
                        return vb_error_set(e, VB_ERR_INVALID_ARG, "hostname must be specified for netfs sources");
                vb_buf_puts(&b, "<sources>\n  <source>\n    <host name='");
                vb_buf_escape(&b, host);
                vb_buf_puts(&b, "'/>\n    <dir path='/testshare'/>\n    <format type='nfs'/>\n"
                                "  </source>\n</sources>\n");
                *ret = vb_buf_steal(&b);
                return 0;
        }
        return vb_error_set(e, VB_ERR_NO_SUPPORT, "pool type '%s' does not support source discovery", type);
}

static int test_pool_undefine(VbPoolObj *p, VbError *e) {
        int r = require_inactive(p, e);
        if (r < 0)
                return r;
        vb_pool_event(p, VB_OBJ_EV_UNDEFINED);
        vb_event_obj(p->conn, VB_EVENT_OBJECT_REMOVED, VB_KIND_POOL, p, 0, 0);
        pool_release_vols(p);
        vb_pool_obj_remove(p);
        return 0;
}

static int test_pool_create(VbPoolObj *p, unsigned flags, VbError *e) {
        int r;
        VB_CHECK_FLAGS(flags, POOL_CREATE_WITH_BUILD | POOL_CREATE_WITH_BUILD_OVERWRITE |
                       POOL_CREATE_WITH_BUILD_NO_OVERWRITE, e);
        r = vb_pool_check_build_flags(POOL_CREATE_WITH_BUILD_OVERWRITE, POOL_CREATE_WITH_BUILD_NO_OVERWRITE, flags, e);
        if (r < 0)
                return r;
        r = require_inactive(p, e);
        if (r < 0)
                return r;
        pool_start(p);
        return 0;
}

static int test_pool_destroy(VbPoolObj *p, VbError *e) {
        int r = vb_pool_require_active_idle(p, false, e);
        if (r < 0)
                return r;
        pool_stop(p);
        return 0;
}

/* Build and Delete change no storage here: they check and announce. */
static int inactive_event(VbPoolObj *p, int event, VbError *e) {
        int r = require_inactive(p, e);
        if (r < 0)
                return r;
        vb_pool_event(p, event);
        return 0;
}

static int test_pool_build(VbPoolObj *p, unsigned flags, VbError *e) {
        int r;
        VB_CHECK_FLAGS(flags, POOL_BUILD_OVERWRITE | POOL_BUILD_NO_OVERWRITE, e);
        r = vb_pool_check_build_flags(POOL_BUILD_OVERWRITE, POOL_BUILD_NO_OVERWRITE, flags, e);
        if (r < 0)
                return r;
        return inactive_event(p, VB_OBJ_EV_CREATED, e);
}

static int test_pool_delete(VbPoolObj *p, unsigned flags, VbError *e) {
        VB_CHECK_FLAGS(flags, POOL_DELETE_ZEROED, e);
        return inactive_event(p, VB_OBJ_EV_DELETED, e);
}

static int test_pool_refresh(VbPoolObj *p, unsigned flags, VbError *e) {
        int r;
        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_pool_require_active(p, e);
        if (r < 0)
                return r;
        vb_event_obj(p->conn, VB_EVENT_POOL_REFRESH, VB_KIND_POOL, p, 0, 0);
        return 0;
}

static int test_pool_get_info(VbPoolObj *p, VbPoolInfo *ret, VbError *e) {
        const VbStoragePoolDef *def = VB_POOL_DEF(p);
        *ret = (VbPoolInfo) {
                .state = p->active ? POOL_STATE_RUNNING : POOL_STATE_INACTIVE,
                .capacity = def->capacity, .allocation = def->allocation, .available = def->available,
        };
        return 0;
}

static int test_pool_get_xml_desc(VbPoolObj *p, unsigned flags, char **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, POOL_XML_INACTIVE, e);
        return vb_pool_format_xml(p, flags & POOL_XML_INACTIVE, ret, e);
}

static int test_pool_set_autostart(VbPoolObj *p, bool autostart, VbError *e) {
        if (!p->persistent)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "pool has no config file");
        p->autostart = autostart;
        return 0;
}

static int test_pool_list_volumes(VbPoolObj *p, unsigned flags, VbVolObj ***ret, size_t *ret_n, VbError *e) {
        VbVolObj **l;

        VB_CHECK_FLAGS(flags, 0, e);
        if (!p->active)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "storage pool is not active");
        l = calloc(p->n_vols + 1, sizeof(*l));
        if (!l)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < p->n_vols; i++)
                l[i] = p->vols[i];
        *ret = l;
        *ret_n = p->n_vols;
        return 0;
}

/* ---- volumes ---- */

/* Checks and adds a parsed volume: key = path = <pool target>/<name>, whatever the XML said. */
static int vol_add(VbPoolObj *p, VbStorageVolDef **defp, VbVolObj **ret, VbError *e) {
        VbStoragePoolDef *pdef = VB_POOL_DEF(p);
        VbStorageVolDef *def = *defp;
        VbVolObj *v;

        if (vb_vol_find_name(p, def->name))
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "storage vol already exists");
        if (def->allocation > pdef->capacity - pdef->allocation)
                return vb_error_set(e, VB_ERR_INTERNAL, "Not enough free space in pool for volume '%s'",
                                    def->name);
        free(def->target_path);
        def->target_path = vb_strdupf("%s/%s", pdef->target_path ? pdef->target_path : "", def->name);
        free(def->key);
        def->key = vb_strdup(def->target_path);
        v = vb_vol_obj_add(p, def);
        if (!v)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        *defp = NULL;
        pdef->allocation += def->allocation;
        pdef->available = pdef->capacity - pdef->allocation;
        vb_event_obj(p->conn, VB_EVENT_OBJECT_ADDED, VB_KIND_VOL, v, 0, 0);
        *ret = v;
        return 0;
}

/* A volume a job makes: allocated (CreateXML), or copied from @src (CreateXMLFrom). */
typedef struct AddJob {
        VbPoolObj *pool;
        VbVolObj *src;
        VbStorageVolDef *def;
} AddJob;

static int add_finish(void *userdata, int r, VbOp *op, VbError *e) {
        AddJob *c = userdata;
        VbVolObj *v = NULL;

        if (c->src)
                c->src->job = NULL;
        else
                c->pool->n_jobs--;
        if (r < 0 && c->src)
                r = vb_error_set(e, VB_ERR_OPERATION_ABORTED, "cloning volume '%s' was cancelled",
                                 c->src->name);
        else if (r < 0)
                r = vb_error_set(e, VB_ERR_OPERATION_ABORTED, "allocating volume '%s' was cancelled",
                                 c->def->name);
        else
                r = vol_add(c->pool, &c->def, &v, e);
        op->result = v;
        vb_vol_def_free(c->def);
        free(c);
        return r;
}

/* 1: the job runs and owns *@def (taken), with @size bytes to go. */
static int add_job_start(VbPoolObj *p, VbVolObj *src, VbStorageVolDef **def, const char *api, uint64_t size,
                         VbOp *op, VbJob **ret_job, VbError *e) {
        AddJob *c = calloc(1, sizeof(*c));
        int r;

        if (!c)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        *c = (AddJob) { .pool = p, .src = src, .def = *def };
        r = vb_test_job_start(p->conn, api, VB_KIND_POOL, p, size, add_finish, c, op, ret_job, e);
        if (r < 0) {
                free(c);
                return r;
        }
        *def = NULL;
        return 1;
}

/* A sparse volume (allocation 0) is there at once; allocating bytes runs as a job. */
static int test_vol_create_xml(VbPoolObj *p, const char *xml, unsigned flags, VbOp *op, VbVolObj **ret,
                               VbError *e) {
        _cleanup_(vb_vol_def_freep) VbStorageVolDef *def = NULL;
        VbStoragePoolDef *pdef = VB_POOL_DEF(p);
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_pool_require_active(p, e);
        if (r < 0)
                return r;
        r = vb_vol_def_parse(xml, 0, &def, e);
        if (r < 0)
                return r;
        if (def->allocation == 0)
                return vol_add(p, &def, ret, e);
        /* refuse now what vol_add would refuse at the end */
        if (vb_vol_find_name(p, def->name))
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "storage vol already exists");
        if (def->allocation > pdef->capacity - pdef->allocation)
                return vb_error_set(e, VB_ERR_INTERNAL, "Not enough free space in pool for volume '%s'",
                                    def->name);
        r = add_job_start(p, NULL, &def, "StorageVolCreateXML", def->allocation, op, NULL, e);
        if (r > 0)
                p->n_jobs++;
        return r;
}

/* Cloning copies the source's bytes: a job on the source volume, which stays busy. */
static int test_vol_create_xml_from(VbPoolObj *p, const char *xml, VbVolObj *src, unsigned flags,
                                    VbOp *op, VbError *e) {
        _cleanup_(vb_vol_def_freep) VbStorageVolDef *def = NULL;
        const VbStorageVolDef *sdef = VB_VOL_DEF(src);
        VbJob *job;
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_pool_require_active(p, e);
        if (r >= 0)
                r = vb_vol_require_idle(src, e);
        if (r < 0)
                return r;
        r = vb_vol_def_parse(xml, 0, &def, e);
        if (r < 0)
                return r;
        if (vb_vol_find_name(p, def->name))
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "storage vol already exists");
        /* a clone is at least as large as its source */
        if (def->capacity < sdef->capacity)
                def->capacity = sdef->capacity;
        if (!def->has_allocation)
                def->allocation = def->capacity;
        r = add_job_start(p, src, &def, "StorageVolCreateXMLFrom", sdef->allocation, op, &job, e);
        if (r > 0)
                src->job = job;
        return r;
}

static int test_vol_delete(VbVolObj *v, unsigned flags, VbError *e) {
        VbPoolObj *p = v->pool;
        VbStoragePoolDef *pdef = VB_POOL_DEF(p);
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_vol_require_active_idle(v, e);
        if (r < 0)
                return r;
        pdef->allocation -= VB_VOL_DEF(v)->allocation;
        pdef->available = pdef->capacity - pdef->allocation;
        vb_event_obj(p->conn, VB_EVENT_OBJECT_REMOVED, VB_KIND_VOL, v, 0, 0);
        vol_data_release(v);
        vb_vol_obj_remove(v);
        return 0;
}

static int vol_type_for_pool(const char *t) {
        if (streq(t, "dir") || streq(t, "fs") || streq(t, "netfs") || streq(t, "vstorage"))
                return VOL_FILE;
        if (streq(t, "sheepdog") || streq(t, "iscsi-direct") || streq(t, "gluster") || streq(t, "rbd"))
                return VOL_NETWORK;
        return VOL_BLOCK;
}

/* Bytes the contents really use (never less than the definition's allocation). */
static uint64_t vol_allocation(const VbVolObj *v) {
        const VbStorageVolDef *def = VB_VOL_DEF(v);
        const TestVolData *d = v->priv;
        struct stat st;
        uint64_t used;

        if (!d || fstat(d->fd, &st) < 0)
                return def->allocation;
        used = (uint64_t) st.st_blocks * 512;
        used = used < def->capacity ? used : def->capacity;
        return used > def->allocation ? used : def->allocation;
}

static int test_vol_get_info(VbVolObj *v, unsigned flags, VbVolInfo *ret, VbError *e) {
        const VbStorageVolDef *def = VB_VOL_DEF(v);
        int r;

        VB_CHECK_FLAGS(flags, VOL_GET_PHYSICAL, e);
        r = vb_pool_require_active(v->pool, e);
        if (r < 0)
                return r;
        *ret = (VbVolInfo) {
                .type = vol_type_for_pool(VB_POOL_DEF(v->pool)->type),
                .capacity = def->capacity,
                .allocation = (flags & VOL_GET_PHYSICAL) && def->physical ? def->physical : vol_allocation(v),
        };
        return 0;
}

static int test_vol_get_xml_desc(VbVolObj *v, unsigned flags, char **ret, VbError *e) {
        int r;
        VB_CHECK_FLAGS(flags, 0, e);
        r = vb_pool_require_active(v->pool, e);
        if (r < 0)
                return r;
        *ret = vb_vol_def_format(VB_VOL_DEF(v), 0);
        return *ret ? 0 : vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
}

static int test_vol_resize(VbVolObj *v, uint64_t capacity, unsigned flags, VbError *e) {
        VbStorageVolDef *def = VB_VOL_DEF(v);
        VbStoragePoolDef *pdef = VB_POOL_DEF(v->pool);
        uint64_t abs_capacity, delta = 0;
        int r;

        VB_CHECK_FLAGS(flags, VOL_RESIZE_ALLOCATE | VOL_RESIZE_DELTA | VOL_RESIZE_SHRINK, e);
        r = vb_pool_require_active(v->pool, e);
        if (r < 0)
                return r;
        if (flags & VOL_RESIZE_DELTA) {
                if (flags & VOL_RESIZE_SHRINK)
                        abs_capacity = def->capacity - (capacity < def->capacity ? capacity : def->capacity);
                else if (capacity > UINT64_MAX - def->capacity)
                        return vb_error_set(e, VB_ERR_INVALID_ARG, "capacity overflow");
                else
                        abs_capacity = def->capacity + capacity;
        } else
                abs_capacity = capacity;
        if (abs_capacity < def->allocation)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "can't shrink capacity below existing allocation");
        if (abs_capacity < def->capacity && !(flags & VOL_RESIZE_SHRINK))
                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                    "Can't shrink capacity below current capacity unless shrink flag explicitly specified");
        if (flags & VOL_RESIZE_ALLOCATE)
                delta = abs_capacity - def->allocation;
        if (delta > pdef->available)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "Not enough space left in storage pool");
        if (v->priv && ftruncate(((TestVolData *) v->priv)->fd, (off_t) abs_capacity) < 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "cannot resize volume '%s': %s", v->name, strerror(errno));
        def->capacity = abs_capacity;
        if (flags & VOL_RESIZE_ALLOCATE) {
                def->allocation = abs_capacity;
                pdef->allocation += delta;
                pdef->available -= delta;
        }
        return 0;
}

/* Wiping runs as a job; at the end the contents (if any) are zeroes, and its sizes
 * are as they were. */
static int wipe_finish(void *userdata, int r, VbOp *op, VbError *e) {
        VbVolObj *v = userdata;

        v->job = NULL;
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_ABORTED, "wiping volume '%s' was cancelled", v->name);
        vol_data_release(v);
        return 0;
}

static int test_vol_wipe(VbVolObj *v, unsigned algorithm, unsigned flags, VbOp *op, VbError *e) {
        VbJob *job;
        int r;

        VB_CHECK_FLAGS(flags, 0, e);
        if (algorithm >= VOL_WIPE_ALG_LAST)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "wiping algorithm %u not supported", algorithm);
        r = vb_vol_require_active_idle(v, e);
        if (r < 0)
                return r;
        r = vb_test_job_start(v->pool->conn, "StorageVolWipe", VB_KIND_VOL, v, VB_VOL_DEF(v)->capacity,
                              wipe_finish, v, op, &job, e);
        if (r < 0)
                return r;
        v->job = job;
        return 1;
}

static void stream_end(void *userdata, int r) {
        ((VbVolObj *) userdata)->job = NULL;
}

static int vol_stream(VbVolObj *v, VbVolStreamDir dir, int fd, uint64_t offset, uint64_t length,
                      unsigned flags, VbJob **ret, VbError *e) {
        const char *api = dir == VB_VOL_UPLOAD ? "virStorageVolUpload" : "virStorageVolDownload";
        int r, vol_fd;

        VB_CHECK_FLAGS(flags, VOL_STREAM_SPARSE, e);
        if (flags & VOL_STREAM_SPARSE)
                return vb_error_set(e, VB_ERR_NO_SUPPORT, "%s: sparse streams (flag 0x%x) are not supported",
                                    api, VOL_STREAM_SPARSE);
        r = vb_vol_require_active_idle(v, e);   /* before making contents: a refused call changes nothing */
        if (r < 0)
                return r;
        vol_fd = vol_data_fd(v, e);
        if (vol_fd < 0)
                return vol_fd;
        return vb_vol_stream_start(v, dir == VB_VOL_UPLOAD ? "StorageVolUpload" : "StorageVolDownload", dir, fd,
                                   vol_fd, VB_VOL_DEF(v)->capacity, offset, length, stream_end, v, ret, e);
}

static int test_vol_upload(VbVolObj *v, int fd, uint64_t offset, uint64_t length, unsigned flags,
                           VbJob **ret, VbError *e) {
        return vol_stream(v, VB_VOL_UPLOAD, fd, offset, length, flags, ret, e);
}

static int test_vol_download(VbVolObj *v, int fd, uint64_t offset, uint64_t length, unsigned flags,
                             VbJob **ret, VbError *e) {
        return vol_stream(v, VB_VOL_DOWNLOAD, fd, offset, length, flags, ret, e);
}

const VbStorageOps vb_test_storage_ops = {
        .pool_define_xml = test_pool_define_xml,
        .pool_create_xml = test_pool_create_xml,
        .find_pool_sources = test_find_pool_sources,
        .pool_undefine = test_pool_undefine,
        .pool_create = test_pool_create,
        .pool_destroy = test_pool_destroy,
        .pool_build = test_pool_build,
        .pool_delete = test_pool_delete,
        .pool_refresh = test_pool_refresh,
        .pool_get_info = test_pool_get_info,
        .pool_get_xml_desc = test_pool_get_xml_desc,
        .pool_set_autostart = test_pool_set_autostart,
        .pool_list_volumes = test_pool_list_volumes,
        .vol_lookup_by_name = vb_vol_lookup_by_name,
        .vol_create_xml = test_vol_create_xml,
        .vol_create_xml_from = test_vol_create_xml_from,
        .vol_delete = test_vol_delete,
        .vol_get_info = test_vol_get_info,
        .vol_get_xml_desc = test_vol_get_xml_desc,
        .vol_resize = test_vol_resize,
        .vol_wipe = test_vol_wipe,
        .vol_upload = test_vol_upload,
        .vol_download = test_vol_download,
};
