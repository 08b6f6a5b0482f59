/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Secrets and network filters of the in-memory test driver. libvirt's own test driver
 * has neither; these follow the semantics and messages of libvirt's secret and
 * nwfilter drivers (kept in memory only, none at start). */
#include <stdio.h>

#include "nwfilter.h"
#include "secret.h"
#include "test-net.h"
#include "xml-util.h"

#define SECRET_DEFINE_VALIDATE 1u       /* VIR_SECRET_DEFINE_VALIDATE */
#define NWFILTER_DEFINE_VALIDATE 1u     /* VIR_NWFILTER_DEFINE_VALIDATE */
#define SECRET_VALUE_MAX (64u * 1024u)  /* bytes of one secret value */

/* ---- secrets ---- */

static void secret_event(VbSecretObj *s, int event) {
        vb_event_obj(s->conn, VB_EVENT_SECRET_LIFECYCLE, VB_KIND_SECRET, s, event, 0);
}

/* libvirt's VIR_ERR_INVALID_SECRET ("Invalid secret") has no code of its own here. */
static int error_invalid_secret(VbError *e, const char *detail) {
        int r = vb_error_set(e, VB_ERR_OPERATION_DENIED, NULL);
        if (e) {
                free(e->message);
                e->message = vb_strdupf("Invalid secret: %s", detail);
        }
        return r;
}

/* libvirt's rules for a definition next to the existing secrets. */
static int secret_check(VbConnect *c, const VbSecretDef *def, VbSecretObj **ret_existing, VbError *e) {
        VbSecretObj *s = vb_secret_find_uuid(c, def->uuid);
        char uuidstr[37];

        if (s) {
                vb_uuid_format(s->uuid, uuidstr);
                if (!streq_ptr(s->usage_id, def->usage_id))
                        return vb_error_set(e, VB_ERR_INTERNAL,
                                            "a secret with UUID %s is already defined for use with %s",
                                            uuidstr, strempty(s->usage_id));
                if (s->def->private_ && !def->private_)
                        return vb_error_set(e, VB_ERR_INTERNAL, "cannot change private flag on existing secret");
        } else {
                VbSecretObj *other = vb_secret_find_usage(c, def->usage_type, def->usage_id);
                if (other) {
                        vb_uuid_format(other->uuid, uuidstr);
                        return vb_error_set(e, VB_ERR_INTERNAL,
                                            "a secret with UUID %s already defined for use with %s",
                                            uuidstr, def->usage_id);
                }
                if (c->n_secrets >= VB_TEST_NET_OBJECTS_MAX)
                        return vb_error_set(e, VB_ERR_LIMIT, "too many secrets (at most %d)",
                                            VB_TEST_NET_OBJECTS_MAX);
        }
        *ret_existing = s;
        return 0;
}

static int secret_define_xml(VbConnect *c, const char *xml, unsigned flags, VbSecretObj **ret, VbError *e) {
        _cleanup_(vb_secret_def_freep) VbSecretDef *def = NULL;
        VbSecretObj *s = NULL;
        int r;

        VB_CHECK_FLAGS(flags, SECRET_DEFINE_VALIDATE, e);
        r = vb_secret_def_parse(xml, 0, &def, e);
        if (r < 0)
                return r;
        r = secret_check(c, def, &s, e);
        if (r < 0)
                return r;
        if (s) {
                s->usage_type = def->usage_type;
                vb_secret_def_free(s->def);
                s->def = TAKE_PTR(def);
                secret_event(s, VB_SECRET_EV_DEFINED);
                vb_event_obj(c, VB_EVENT_OBJECT_CHANGED, VB_KIND_SECRET, s, 0, 0);
        } else {
                if (vb_secret_obj_new(c, def, def->uuid, def->usage_type, def->usage_id, &s) < 0)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                def = NULL;
                secret_event(s, VB_SECRET_EV_DEFINED);
                vb_event_obj(c, VB_EVENT_OBJECT_ADDED, VB_KIND_SECRET, s, 0, 0);
        }
        *ret = s;
        return 0;
}

static int secret_undefine(VbSecretObj *s, VbError *e) {
        secret_event(s, VB_SECRET_EV_UNDEFINED);
        vb_secret_obj_remove(s);
        return 0;
}

static int secret_get_xml_desc(VbSecretObj *s, unsigned flags, char **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        *ret = vb_secret_def_format(s->def, 0);
        if (!*ret)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

static int secret_set_value(VbSecretObj *s, const uint8_t *value, size_t n, unsigned flags, VbError *e) {
        uint8_t *copy;

        VB_CHECK_FLAGS(flags, 0, e);
        if (n > SECRET_VALUE_MAX)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "secret value is too large (%zu bytes, at most %u)",
                                    n, SECRET_VALUE_MAX);
        copy = malloc(n ? n : 1);
        if (!copy)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (n > 0)
                memcpy(copy, value, n);
        vb_secret_obj_set_value(s, copy, n);
        return 0;
}

static int secret_get_value(VbSecretObj *s, unsigned flags, uint8_t **ret, size_t *ret_n, VbError *e) {
        char uuidstr[37];
        uint8_t *copy;

        VB_CHECK_FLAGS(flags, 0, e);
        if (s->def->private_)
                return error_invalid_secret(e, "secret is private");
        if (!s->value) {
                vb_uuid_format(s->uuid, uuidstr);
                return vb_error_set(e, VB_ERR_NO_SECRET, "secret '%s' does not have a value", uuidstr);
        }
        copy = malloc(s->value_len ? s->value_len : 1);
        if (!copy)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (s->value_len > 0)
                memcpy(copy, s->value, s->value_len);
        *ret = copy;
        *ret_n = s->value_len;
        return 0;
}

const VbSecretOps vb_test_secret_ops = {
        .define_xml = secret_define_xml,
        .undefine = secret_undefine,
        .get_xml_desc = secret_get_xml_desc,
        .set_value = secret_set_value,
        .get_value = secret_get_value,
};

/* ---- network filters ---- */

static int nwfilter_check(VbConnect *c, const VbNWFilterDef *def, VbNWFilterObj **ret_existing, VbError *e) {
        VbNWFilterObj *f = vb_nwfilter_find_uuid(c, def->uuid);
        char uuidstr[37];

        if (f && !streq(f->name, def->name))
                return vb_error_set(e, VB_ERR_OPERATION_FAILED,
                                    "filter with same UUID but different name ('%s') already exists", f->name);
        if (!f) {
                VbNWFilterObj *other = vb_nwfilter_find_name(c, def->name);
                if (other) {
                        vb_uuid_format(other->uuid, uuidstr);
                        return vb_error_set(e, VB_ERR_OPERATION_FAILED, "filter '%s' already exists with uuid %s",
                                            def->name, uuidstr);
                }
                if (c->n_nwfilters >= VB_TEST_NET_OBJECTS_MAX)
                        return vb_error_set(e, VB_ERR_LIMIT, "too many network filters (at most %d)",
                                            VB_TEST_NET_OBJECTS_MAX);
        }
        *ret_existing = f;
        return 0;
}

static int nwfilter_define_xml(VbConnect *c, const char *xml, unsigned flags, VbNWFilterObj **ret, VbError *e) {
        _cleanup_(vb_nwfilter_def_freep) VbNWFilterDef *def = NULL;
        VbNWFilterObj *f = NULL;
        int r;

        VB_CHECK_FLAGS(flags, NWFILTER_DEFINE_VALIDATE, e);
        r = vb_nwfilter_def_parse(xml, 0, &def, e);
        if (r < 0)
                return r;
        r = nwfilter_check(c, def, &f, e);
        if (r < 0)
                return r;
        if (f) {
                vb_nwfilter_def_free(f->def);
                f->def = TAKE_PTR(def);
                vb_event_obj(c, VB_EVENT_OBJECT_CHANGED, VB_KIND_NWFILTER, f, 0, 0);
        } else {
                if (vb_nwfilter_obj_new(c, def, def->name, def->uuid, &f) < 0)
                        return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
                def = NULL;
                vb_event_obj(c, VB_EVENT_OBJECT_ADDED, VB_KIND_NWFILTER, f, 0, 0);
        }
        *ret = f;
        return 0;
}

static int nwfilter_undefine(VbNWFilterObj *f, VbError *e) {
        vb_nwfilter_obj_remove(f);
        return 0;
}

static int nwfilter_get_xml_desc(VbNWFilterObj *f, unsigned flags, char **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        *ret = vb_nwfilter_def_format(f->def, 0);
        if (!*ret)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        return 0;
}

const VbNWFilterOps vb_test_nwfilter_ops = {
        .define_xml = nwfilter_define_xml,
        .undefine = nwfilter_undefine,
        .get_xml_desc = nwfilter_get_xml_desc,
};
