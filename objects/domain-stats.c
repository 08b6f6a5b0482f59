/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.libvirt.Domain GetStats and MemoryStats, Connect.GetAllDomainStats, and the
 * device methods (AttachDevice, DetachDevice, UpdateDevice). A driver may answer
 * these later (the *_op variants of VbDomainOps): each call keeps its message and
 * its output buffers until the driver's op finishes, then replies exactly once.
 * GetAllDomainStats counts the domains still to answer and replies after the last. */
#include <errno.h>

#include "domain-extra.h"
#include "typed-params.h"

/* ---- GetStats, MemoryStats ---- */

typedef struct StatsReply {
        VbOp op;
        sd_bus_message *m;
        VbTypedParams tp;
        VbMemoryStat mem[VB_MEMORY_STAT_MAX];
        size_t n_mem;
        bool memory;
} StatsReply;

static int reply_memory_stats(sd_bus_message *m, const VbMemoryStat *st, size_t n) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);

        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{it}");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(reply, "{it}", (int32_t) st[i].tag, st[i].val);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static void reply_error(sd_bus_message *m, const VbError *e) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        vb_bus_error(&error, e);
        (void) sd_bus_reply_method_error(m, &error);
        sd_bus_error_free(&error);
}

static void stats_reply_done(VbOp *op, int r, const VbError *e) {
        StatsReply *s = (StatsReply *) op;

        if (r < 0)
                reply_error(s->m, e);
        else if (s->memory)
                (void) reply_memory_stats(s->m, s->mem, s->n_mem);
        else
                (void) vb_bus_reply_typed_params(s->m, &s->tp);
        sd_bus_message_unref(s->m);
        vb_typed_params_clear(&s->tp);
        free(s);
}

static StatsReply *stats_reply_new(sd_bus_message *m, bool memory) {
        StatsReply *s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        s->op.done = stats_reply_done;
        s->m = sd_bus_message_ref(m);
        s->memory = memory;
        return s;
}

VB_HANDLER(vb_domain_method_get_stats) {
        _cleanup_typed_params_ VbTypedParams tp = {};
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainObj *d = userdata;
        uint32_t stats, flags;
        StatsReply *s;
        int r;

        r = sd_bus_message_read(m, "uu", &stats, &flags);
        if (r < 0)
                return r;
        if (VB_DOP(d, get_stats_op)) {
                s = stats_reply_new(m, false);
                if (!s)
                        return -ENOMEM;
                r = d->conn->driver->domain->get_stats_op(d, stats, flags, &s->tp, &s->op, &e);
                if (r != 1)
                        s->op.done(&s->op, r, &e);
                return 1;
        }
        r = VB_DRIVER_CALL(d->conn, domain, get_stats, "virDomainListGetStats", &e, d, stats, flags, &tp, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return vb_bus_reply_typed_params(m, &tp);
}

VB_HANDLER(vb_domain_method_memory_stats) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbMemoryStat st[VB_MEMORY_STAT_MAX];
        VbDomainObj *d = userdata;
        uint32_t flags;
        size_t n = 0;
        StatsReply *s;
        int r;

        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        if (VB_DOP(d, memory_stats_op)) {
                s = stats_reply_new(m, true);
                if (!s)
                        return -ENOMEM;
                r = d->conn->driver->domain->memory_stats_op(d, flags, s->mem, &s->n_mem, &s->op, &e);
                if (r != 1)
                        s->op.done(&s->op, r, &e);
                return 1;
        }
        r = VB_DRIVER_CALL(d->conn, domain, memory_stats, "virDomainMemoryStats", &e, d, flags, st, &n, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        return reply_memory_stats(m, st, n);
}

/* ---- GetAllDomainStats ---- */

typedef struct AllStats AllStats;

typedef struct DomStats {
        VbOp op;
        AllStats *all;
        char *name;
        VbTypedParams tp;
        int r;
} DomStats;

struct AllStats {
        sd_bus_message *m;
        DomStats *doms;
        size_t n;
        unsigned pending;       /* domains still to answer, +1 while they are being asked */
        VbError error;          /* the first failure */
};

static void all_stats_free(AllStats *a) {
        for (size_t i = 0; i < a->n; i++) {
                free(a->doms[i].name);
                vb_typed_params_clear(&a->doms[i].tp);
        }
        free(a->doms);
        vb_error_clear(&a->error);
        sd_bus_message_unref(a->m);
        free(a);
}

static int append_record(sd_bus_message *reply, const DomStats *s) {
        int r = sd_bus_message_open_container(reply, 'r', "sa{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", s->name);
        if (r >= 0)
                r = vb_bus_append_typed_params(reply, &s->tp);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

/* Domains that vanished while answering (-ECANCELED) are left out. */
static void all_stats_reply(AllStats *a) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        if (a->error.code != VB_ERR_OK) {
                reply_error(a->m, &a->error);
                return;
        }
        r = sd_bus_message_new_method_return(a->m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sa{sv})");
        for (size_t i = 0; r >= 0 && i < a->n; i++)
                if (a->doms[i].r >= 0)
                        r = append_record(reply, &a->doms[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                (void) sd_bus_send(NULL, reply, NULL);
        else
                (void) sd_bus_reply_method_errno(a->m, r, NULL);
}

static void all_stats_unpend(AllStats *a) {
        if (--a->pending > 0)
                return;
        all_stats_reply(a);
        all_stats_free(a);
}

static void dom_stats_done(VbOp *op, int r, const VbError *e) {
        DomStats *s = (DomStats *) op;
        AllStats *a = s->all;

        s->r = r;
        if (r < 0 && r != -ECANCELED && a->error.code == VB_ERR_OK) {
                if (e && e->code != VB_ERR_OK && (a->error.message = vb_strdup(e->message)))
                        a->error.code = e->code;     /* the full text, prefix included */
                else
                        vb_error_set(&a->error, VB_ERR_INTERNAL, "cannot get statistics of domain '%s'", s->name);
        }
        all_stats_unpend(a);
}

static void ask_domain(AllStats *a, DomStats *s, VbDomainObj *d, uint32_t stats, uint32_t flags) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        int r;

        s->op.done = dom_stats_done;
        s->all = a;
        s->name = vb_strdup(d->def->name);
        a->pending++;
        if (!s->name) {
                vb_error_set(&e, VB_ERR_NO_MEMORY, NULL);
                s->op.done(&s->op, -ENOMEM, &e);
                return;
        }
        if (VB_DOP(d, get_stats_op))
                r = d->conn->driver->domain->get_stats_op(d, stats, flags, &s->tp, &s->op, &e);
        else
                r = d->conn->driver->domain->get_stats(d, stats, flags, &s->tp, &e);
        if (r != 1)
                s->op.done(&s->op, r, &e);
}

VB_HANDLER(vb_connect_method_get_all_domain_stats) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ VbDomainObj **doms = NULL;
        VbConnect *c = userdata;
        uint32_t stats, flags;
        AllStats *a;
        size_t n = 0;
        int r;

        r = sd_bus_message_read(m, "uu", &stats, &flags);
        if (r < 0)
                return r;
        if (!VB_DRIVER_HAS(c, domain, get_stats) && !VB_DRIVER_HAS(c, domain, get_stats_op))
                return vb_bus_error(error, (vb_error_unsupported(&e, "virConnectGetAllDomainStats"), &e));
        r = vb_domain_list(c, flags & 0xffU, &doms, &n, &e);
        if (r < 0)
                return vb_bus_error(error, &e);
        a = calloc(1, sizeof(*a));
        if (!a || (n > 0 && !(a->doms = calloc(n, sizeof(*a->doms))))) {
                free(a);
                return -ENOMEM;
        }
        a->m = sd_bus_message_ref(m);
        a->n = n;
        a->pending = 1;
        for (size_t i = 0; i < n; i++)
                ask_domain(a, &a->doms[i], doms[i], stats, flags & ~0xffU);
        all_stats_unpend(a);
        return 1;
}

/* ---- AttachDevice, DetachDevice, UpdateDevice ---- */

typedef int (*DeviceOpFn)(VbDomainObj *d, const char *xml, unsigned flags, VbOp *op, VbError *e);
typedef int (*DeviceFn)(VbDomainObj *d, const char *xml, unsigned flags, VbError *e);

static int device_method(sd_bus_message *m, VbDomainObj *d, DeviceOpFn async, DeviceFn sync, const char *api,
                         sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        const char *xml;
        uint32_t flags;
        VbOp *op;
        int r;

        r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        if (async) {
                op = vb_bus_reply_op_new(m, NULL);
                if (!op)
                        return -ENOMEM;
                r = async(d, xml, flags, op, &e);
                return vb_bus_reply_op_result(op, r, &e);
        }
        r = sync ? sync(d, xml, flags, &e) : vb_error_unsupported(&e, api);
        if (r < 0)
                return vb_bus_error(error, &e);
        return sd_bus_reply_method_return(m, "");
}

VB_HANDLER(vb_domain_method_attach_device) {
        VbDomainObj *d = userdata;
        return device_method(m, d, VB_DOP(d, attach_device_op), VB_DOP(d, attach_device),
                             "virDomainAttachDeviceFlags", error);
}

VB_HANDLER(vb_domain_method_detach_device) {
        VbDomainObj *d = userdata;
        return device_method(m, d, VB_DOP(d, detach_device_op), VB_DOP(d, detach_device),
                             "virDomainDetachDeviceFlags", error);
}

VB_HANDLER(vb_domain_method_update_device) {
        VbDomainObj *d = userdata;
        return device_method(m, d, VB_DOP(d, update_device_op), VB_DOP(d, update_device),
                             "virDomainUpdateDeviceFlags", error);
}
