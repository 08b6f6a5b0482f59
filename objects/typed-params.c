/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Typed parameters on the wire. */
#include "bus-object.h"
#include "typed-params.h"

/* append_basic, not sd_bus_message_append(): a stats reply appends dozens of values
 * and the format-string walk cost as much as the appending (callgrind). */
int vb_bus_append_double_variant(sd_bus_message *m, const char *sig, const void *value) {
        int r = sd_bus_message_open_container(m, 'v', "v");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'v', sig);
        if (r < 0)
                return r;
        switch (sig[0]) {
        case 'i': case 'u': case 'x': case 't': case 'd':
                r = sd_bus_message_append_basic(m, sig[0], value);
                break;
        case 'b': {
                int b = *(const bool *) value;
                r = sd_bus_message_append_basic(m, 'b', &b);
                break;
        }
        case 's': r = sd_bus_message_append_basic(m, 's', *(const char *const *) value); break;
        default: r = -EINVAL; break;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

static const char *param_sig(VbTypedParamType t) {
        switch (t) {
        case VB_TYPED_PARAM_INT: return "i";
        case VB_TYPED_PARAM_UINT: return "u";
        case VB_TYPED_PARAM_LLONG: return "x";
        case VB_TYPED_PARAM_ULLONG: return "t";
        case VB_TYPED_PARAM_DOUBLE: return "d";
        case VB_TYPED_PARAM_BOOLEAN: return "b";
        case VB_TYPED_PARAM_STRING: return "s";
        }
        return NULL;
}

int vb_bus_append_typed_params(sd_bus_message *m, const VbTypedParams *tp) {
        int r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        for (size_t i = 0; i < tp->n; i++) {
                const char *sig = param_sig(tp->p[i].type);
                if (!sig)
                        continue;
                r = sd_bus_message_open_container(m, 'e', "sv");
                if (r >= 0)
                        r = sd_bus_message_append_basic(m, 's', tp->p[i].field);
                if (r >= 0)
                        r = vb_bus_append_double_variant(m, sig, &tp->p[i].v);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

int vb_bus_reply_typed_params(sd_bus_message *m, const VbTypedParams *tp) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = vb_bus_append_typed_params(reply, tp);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int read_value(sd_bus_message *m, char type, VbTypedParam *p) {
        switch (type) {
        case 'i': p->type = VB_TYPED_PARAM_INT; return sd_bus_message_read(m, "i", &p->v.i);
        case 'u': p->type = VB_TYPED_PARAM_UINT; return sd_bus_message_read(m, "u", &p->v.ui);
        case 'x': p->type = VB_TYPED_PARAM_LLONG; return sd_bus_message_read(m, "x", &p->v.l);
        case 't': p->type = VB_TYPED_PARAM_ULLONG; return sd_bus_message_read(m, "t", &p->v.ul);
        case 'd': p->type = VB_TYPED_PARAM_DOUBLE; return sd_bus_message_read(m, "d", &p->v.d);
        case 'b': {
                int b, r = sd_bus_message_read(m, "b", &b);
                p->type = VB_TYPED_PARAM_BOOLEAN;
                p->v.b = b;
                return r;
        }
        case 's': p->type = VB_TYPED_PARAM_STRING; return sd_bus_message_read(m, "s", &p->v.s);
        }
        return -EINVAL;
}

int vb_bus_read_typed_params(sd_bus_message *m, VbTypedParams *ret, sd_bus_error *error) {
        _cleanup_typed_params_ VbTypedParams tp = {};
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                VbTypedParam p = {};
                const char *contents;
                char type;

                r = sd_bus_message_read(m, "s", &p.field);
                if (r < 0)
                        return r;
                r = sd_bus_message_peek_type(m, &type, &contents);
                if (r < 0)
                        return r;
                if (!contents || strlen(contents) != 1 || !strchr("iuxtdbs", contents[0]))
                        return sd_bus_error_setf(error, VB_ERROR_NAME, "Invalid typed parameter '%s'.",
                                                 strempty(contents));
                r = sd_bus_message_enter_container(m, 'v', contents);
                if (r < 0)
                        return r;
                r = read_value(m, contents[0], &p);
                if (r < 0)
                        return r;
                if (tp.n >= 1024)
                        return vb_bus_errorf(error, VB_ERR_LIMIT, "too many typed parameters");
                r = vb_typed_params_add(&tp, &p);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        *ret = tp;
        tp = (VbTypedParams) {};
        return 0;
}
