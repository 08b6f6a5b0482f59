/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Typed QMP helpers on top of vb_qmp_command(): each decodes one command's "return"
 * member into plain values for a typed callback. The reply-once guarantee of the
 * core carries over, so each helper context is freed in its trampoline. */
#include <errno.h>

#include "qmp.h"

typedef struct TypedCall {
        void (*fn)(void);       /* the caller's typed callback */
        void *userdata;
} TypedCall;

static int typed_command(VbQmp *q, const char *cmd, json_object *args, VbQmpReplyFn tramp,
                         void (*fn)(void), void *userdata) {
        TypedCall *t;
        int r;

        if (!fn) {
                json_object_put(args);
                return -EINVAL;
        }
        t = calloc(1, sizeof(*t));
        if (!t) {
                json_object_put(args);
                return -ENOMEM;
        }
        *t = (TypedCall) { .fn = fn, .userdata = userdata };
        r = vb_qmp_command(q, cmd, args, NULL, 0, tramp, t);
        if (r < 0)
                free(t);
        return r;
}

static const char *get_str(json_object *o, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static bool get_u64(json_object *o, const char *key, uint64_t *ret) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return false;
        *ret = json_object_get_uint64(v);
        return true;
}

/* ---- query-status ---- */

static void status_reply(VbQmp *q, int r, json_object *ret, const char *cls, const char *desc,
                         void *userdata) {
        _cleanup_free_ TypedCall *t = userdata;
        VbQmpStatusFn fn = (VbQmpStatusFn) t->fn;
        json_object *running;
        const char *status;

        if (r < 0) {
                fn(q, r, false, NULL, t->userdata);
                return;
        }
        status = get_str(ret, "status");
        if (!status || !json_object_object_get_ex(ret, "running", &running) ||
            !json_object_is_type(running, json_type_boolean)) {
                fn(q, -EBADMSG, false, NULL, t->userdata);
                return;
        }
        fn(q, 0, json_object_get_boolean(running), status, t->userdata);
}

int vb_qmp_query_status(VbQmp *q, VbQmpStatusFn cb, void *userdata) {
        return typed_command(q, "query-status", NULL, status_reply, (void (*)(void)) cb, userdata);
}

/* ---- plain commands ---- */

int vb_qmp_system_powerdown(VbQmp *q, VbQmpReplyFn cb, void *userdata) {
        return vb_qmp_command(q, "system_powerdown", NULL, NULL, 0, cb, userdata);
}

int vb_qmp_system_reset(VbQmp *q, VbQmpReplyFn cb, void *userdata) {
        return vb_qmp_command(q, "system_reset", NULL, NULL, 0, cb, userdata);
}

int vb_qmp_stop(VbQmp *q, VbQmpReplyFn cb, void *userdata) {
        return vb_qmp_command(q, "stop", NULL, NULL, 0, cb, userdata);
}

int vb_qmp_cont(VbQmp *q, VbQmpReplyFn cb, void *userdata) {
        return vb_qmp_command(q, "cont", NULL, NULL, 0, cb, userdata);
}

int vb_qmp_quit(VbQmp *q, VbQmpReplyFn cb, void *userdata) {
        return vb_qmp_command(q, "quit", NULL, NULL, 0, cb, userdata);
}

/* ---- query-balloon ---- */

static void balloon_reply(VbQmp *q, int r, json_object *ret, const char *cls, const char *desc,
                          void *userdata) {
        _cleanup_free_ TypedCall *t = userdata;
        VbQmpBalloonFn fn = (VbQmpBalloonFn) t->fn;
        uint64_t actual = 0;

        if (r >= 0 && !get_u64(ret, "actual", &actual))
                r = -EBADMSG;
        fn(q, r, r < 0 ? 0 : actual, t->userdata);
}

int vb_qmp_query_balloon(VbQmp *q, VbQmpBalloonFn cb, void *userdata) {
        return typed_command(q, "query-balloon", NULL, balloon_reply, (void (*)(void)) cb, userdata);
}

/* ---- query-blockstats ---- */

static int blockstats_parse_one(json_object *e, VbQmpBlockStats *ret) {
        json_object *st, *v;

        if (!json_object_is_type(e, json_type_object) ||
            !json_object_object_get_ex(e, "stats", &st) || !json_object_is_type(st, json_type_object))
                return -EBADMSG;
        *ret = (VbQmpBlockStats) {
                .device = get_str(e, "device") ?: "",
                .node_name = get_str(e, "node-name") ?: "",
                .qdev = get_str(e, "qdev") ?: "",
        };
        (void) get_u64(st, "rd_bytes", &ret->rd_bytes);
        (void) get_u64(st, "wr_bytes", &ret->wr_bytes);
        (void) get_u64(st, "rd_operations", &ret->rd_operations);
        (void) get_u64(st, "wr_operations", &ret->wr_operations);
        (void) get_u64(st, "flush_operations", &ret->flush_operations);
        (void) get_u64(st, "rd_total_time_ns", &ret->rd_total_time_ns);
        (void) get_u64(st, "wr_total_time_ns", &ret->wr_total_time_ns);
        (void) get_u64(st, "flush_total_time_ns", &ret->flush_total_time_ns);
        if (json_object_object_get_ex(st, "wr_highest_offset", &v))
                ret->wr_highest_offset = json_object_get_int64(v);
        return 0;
}

static void blockstats_reply(VbQmp *q, int r, json_object *ret, const char *cls,
                             const char *desc, void *userdata) {
        _cleanup_free_ TypedCall *t = userdata;
        _cleanup_free_ VbQmpBlockStats *stats = NULL;
        VbQmpBlockStatsFn fn = (VbQmpBlockStatsFn) t->fn;
        size_t n = 0;

        if (r >= 0 && !json_object_is_type(ret, json_type_array))
                r = -EBADMSG;
        if (r >= 0) {
                n = json_object_array_length(ret);
                stats = n > 0 ? calloc(n, sizeof(*stats)) : NULL;
                if (n > 0 && !stats)
                        r = -ENOMEM;
        }
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = blockstats_parse_one(json_object_array_get_idx(ret, i), &stats[i]);
        if (r < 0)
                fn(q, r, NULL, 0, t->userdata);
        else
                fn(q, 0, stats, n, t->userdata);
}

int vb_qmp_query_blockstats(VbQmp *q, VbQmpBlockStatsFn cb, void *userdata) {
        return typed_command(q, "query-blockstats", NULL, blockstats_reply,
                             (void (*)(void)) cb, userdata);
}

/* ---- migrate to fd ---- */

typedef struct MigrateCall {
        VbQmpReplyFn cb;
        void *userdata;
        int queue_r;            /* < 0: migrate could not be queued */
        int first_r;
        char *err_class, *err_desc;
} MigrateCall;

static void migrate_call_free(MigrateCall *m) {
        free(m->err_class);
        free(m->err_desc);
        free(m);
}

static void getfd_reply(VbQmp *q, int r, json_object *ret, const char *cls, const char *desc,
                        void *userdata) {
        MigrateCall *m = userdata;

        if (m->queue_r < 0) {   /* migrate was never queued: report why */
                m->cb(q, m->queue_r, NULL, NULL, NULL, m->userdata);
                migrate_call_free(m);
                return;
        }
        /* Replies arrive in order, so migrate's reply (or failure) comes next. */
        m->first_r = r;
        if (r < 0) {
                m->err_class = vb_strdup(cls);
                m->err_desc = vb_strdup(desc);
        }
}

static void migrate_reply(VbQmp *q, int r, json_object *ret, const char *cls, const char *desc,
                          void *userdata) {
        MigrateCall *m = userdata;

        if (m->first_r < 0)
                m->cb(q, m->first_r, NULL, m->err_class, m->err_desc, m->userdata);
        else
                m->cb(q, r, ret, cls, desc, m->userdata);
        migrate_call_free(m);
}

int vb_qmp_migrate_to_fd(VbQmp *q, int fd, VbQmpReplyFn cb, void *userdata) {
        json_object *args;
        MigrateCall *m;
        int r;

        if (!q || fd < 0 || !cb)
                return -EINVAL;
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        *m = (MigrateCall) { .cb = cb, .userdata = userdata };

        args = json_object_new_object();
        if (!args || json_object_object_add(args, "fdname",
                                            json_object_new_string(VB_QMP_MIGRATE_FDNAME)) < 0) {
                json_object_put(args);
                migrate_call_free(m);
                return -ENOMEM;
        }
        r = vb_qmp_command(q, "getfd", args, &fd, 1, getfd_reply, m);
        if (r < 0) {
                migrate_call_free(m);
                return r;
        }
        args = json_object_new_object();
        if (args && json_object_object_add(args, "uri",
                                           json_object_new_string("fd:" VB_QMP_MIGRATE_FDNAME)) == 0)
                r = vb_qmp_command(q, "migrate", args, NULL, 0, migrate_reply, m);
        else {
                json_object_put(args);
                r = -ENOMEM;
        }
        /* getfd is queued and will call back exactly once: if migrate could not be
         * queued, that callback reports the reason. No callback has run yet. */
        m->queue_r = r;
        return 0;
}

/* ---- query-migrate ---- */

static void migrate_status_reply(VbQmp *q, int r, json_object *ret, const char *cls,
                                 const char *desc, void *userdata) {
        _cleanup_free_ TypedCall *t = userdata;
        VbQmpMigrateStatusFn fn = (VbQmpMigrateStatusFn) t->fn;
        const char *status = NULL;

        if (r >= 0) {
                /* Before any migration QEMU returns {} (no "status"): that is "none". */
                status = get_str(ret, "status") ?: "none";
        }
        fn(q, r, status, r >= 0 ? get_str(ret, "error-desc") : NULL, t->userdata);
}

int vb_qmp_query_migrate(VbQmp *q, VbQmpMigrateStatusFn cb, void *userdata) {
        return typed_command(q, "query-migrate", NULL, migrate_status_reply,
                             (void (*)(void)) cb, userdata);
}
