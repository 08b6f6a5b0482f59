/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Typed parameters (virTypedParameter) and the result lists of domain queries. */
#include <stdarg.h>
#include <stdio.h>

#include "driver.h"

static const char *const type_names[] = {
        [VB_TYPED_PARAM_INT] = "int", [VB_TYPED_PARAM_UINT] = "uint",
        [VB_TYPED_PARAM_LLONG] = "llong", [VB_TYPED_PARAM_ULLONG] = "ullong",
        [VB_TYPED_PARAM_DOUBLE] = "double", [VB_TYPED_PARAM_BOOLEAN] = "boolean",
        [VB_TYPED_PARAM_STRING] = "string",
};

const char *vb_typed_param_type_name(VbTypedParamType t) {
        if ((size_t) t >= ELEMENTSOF(type_names) || !type_names[t])
                return "unknown";
        return type_names[t];
}

void vb_typed_params_clear(VbTypedParams *tp) {
        for (size_t i = 0; i < tp->n; i++) {
                free(tp->p[i].field);
                if (tp->p[i].type == VB_TYPED_PARAM_STRING)
                        free(tp->p[i].v.s);
        }
        free(tp->p);
        tp->p = NULL;
        tp->n = 0;
}

/* The array grows geometrically (8, 16, 32, …) without a capacity field: it is
 * full exactly when n is 0 or a power of two from 8 on. A stats reply adds dozens
 * of parameters one by one. */
static bool typed_params_full(size_t n) {
        return n == 0 || (n >= 8 && (n & (n - 1)) == 0);
}

int vb_typed_params_add(VbTypedParams *tp, const VbTypedParam *p) {
        VbTypedParam *n = tp->p;
        if (typed_params_full(tp->n)) {
                n = reallocarray(tp->p, tp->n ? tp->n * 2 : 8, sizeof(*n));
                if (!n)
                        return -ENOMEM;
                tp->p = n;
        }
        n[tp->n] = *p;
        n[tp->n].field = vb_strdup(p->field);
        if (p->type == VB_TYPED_PARAM_STRING)
                n[tp->n].v.s = vb_strdup(p->v.s ? p->v.s : "");
        tp->n++;
        return 0;
}

#define ADD_FN(suffix, ctype, t, member)                                                   \
        int vb_typed_params_add_##suffix(VbTypedParams *tp, const char *field, ctype v) { \
                VbTypedParam p = { .field = (char *) field, .type = (t) };                \
                p.v.member = v;                                                           \
                return vb_typed_params_add(tp, &p);                                       \
        }

ADD_FN(int, int32_t, VB_TYPED_PARAM_INT, i)
ADD_FN(uint, uint32_t, VB_TYPED_PARAM_UINT, ui)
ADD_FN(llong, int64_t, VB_TYPED_PARAM_LLONG, l)
ADD_FN(ullong, uint64_t, VB_TYPED_PARAM_ULLONG, ul)
ADD_FN(double, double, VB_TYPED_PARAM_DOUBLE, d)
ADD_FN(boolean, bool, VB_TYPED_PARAM_BOOLEAN, b)

int vb_typed_params_add_string(VbTypedParams *tp, const char *field, const char *v) {
        VbTypedParam p = { .field = (char *) field, .type = VB_TYPED_PARAM_STRING, .v.s = (char *) v };
        return vb_typed_params_add(tp, &p);
}

int vb_typed_params_add_printf(VbTypedParams *tp, VbTypedParamType type, uint64_t v, const char *fmt, ...) {
        _cleanup_free_ char *heap = NULL;
        VbTypedParam p = { .type = type };
        char field[64];   /* "block.12.wr.total_times": a stack buffer, not vasprintf's heap */
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vsnprintf(field, sizeof(field), fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if ((size_t) r >= sizeof(field)) {
                va_start(ap, fmt);
                r = vasprintf(&heap, fmt, ap);
                va_end(ap);
                if (r < 0)
                        return -ENOMEM;
        }
        p.field = heap ? heap : field;
        switch (type) {
        case VB_TYPED_PARAM_INT: p.v.i = (int32_t) v; break;
        case VB_TYPED_PARAM_UINT: p.v.ui = (uint32_t) v; break;
        case VB_TYPED_PARAM_LLONG: p.v.l = (int64_t) v; break;
        case VB_TYPED_PARAM_BOOLEAN: p.v.b = v != 0; break;
        default: p.v.ul = v; break;
        }
        return vb_typed_params_add(tp, &p);
}

const VbTypedParam *vb_typed_params_get(const VbTypedParams *tp, const char *field) {
        for (size_t i = 0; i < tp->n; i++)
                if (streq(tp->p[i].field, field))
                        return &tp->p[i];
        return NULL;
}

int vb_typed_params_validate(const VbTypedParams *tp, const VbTypedParamSpec *spec, VbError *e) {
        for (size_t i = 0; i < tp->n; i++) {
                const VbTypedParamSpec *s;
                for (s = spec; s->field; s++)
                        if (streq(s->field, tp->p[i].field))
                                break;
                if (!s->field)
                        return vb_error_set(e, VB_ERR_INVALID_ARG, "parameter '%s' not supported",
                                            tp->p[i].field);
                if (s->type != tp->p[i].type)
                        return vb_error_set(e, VB_ERR_INVALID_ARG,
                                            "invalid type for parameter '%s', expected '%s', actual '%s'",
                                            s->field, vb_typed_param_type_name(s->type),
                                            vb_typed_param_type_name(tp->p[i].type));
                for (size_t j = 0; j < i; j++)
                        if (streq(tp->p[j].field, tp->p[i].field))
                                return vb_error_set(e, VB_ERR_INVALID_ARG,
                                                    "parameter '%s' occurs multiple times",
                                                    tp->p[i].field);
        }
        return 0;
}

void vb_cpu_map_clear(VbCpuMap *m) {
        free(m->map);
        *m = (VbCpuMap) {};
}

void vb_domain_ifaces_free(VbDomainIface *l, size_t n) {
        for (size_t i = 0; l && i < n; i++) {
                free(l[i].name);
                free(l[i].hwaddr);
                for (size_t j = 0; j < l[i].n_addrs; j++)
                        free(l[i].addrs[j].addr);
                free(l[i].addrs);
        }
        free(l);
}

void vb_fs_info_free(VbFSInfo *l, size_t n) {
        for (size_t i = 0; l && i < n; i++) {
                free(l[i].mountpoint);
                free(l[i].name);
                free(l[i].fstype);
                for (char **s = l[i].devs; s && *s; s++)
                        free(*s);
                free(l[i].devs);
        }
        free(l);
}

void vb_disk_errors_free(VbDiskError *l, size_t n) {
        for (size_t i = 0; l && i < n; i++)
                free(l[i].disk);
        free(l);
}

void vb_sec_labels_free(VbSecLabel *l, size_t n) {
        for (size_t i = 0; l && i < n; i++)
                free(l[i].label);
        free(l);
}

void vb_iothread_info_free(VbIOThreadInfo *l, size_t n) {
        for (size_t i = 0; l && i < n; i++)
                vb_cpu_map_clear(&l[i].map);
        free(l);
}
