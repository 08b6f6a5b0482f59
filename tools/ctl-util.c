/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtbusctl helpers: method calls, error reporting and exit codes, property
 * access, lookups by name/UUID/id, file reading, value printing, base64, XPath. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "ctl.h"

#define CTL_FILE_MAX (16u * 1024 * 1024)

int ctl_error_to_errno(const sd_bus_error *e) {
        const char *msg = strempty(e->message);

        if (sd_bus_error_has_names(e, SD_BUS_ERROR_ACCESS_DENIED,
                                   SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                   "org.freedesktop.PolicyKit1.Error.NotAuthorized") ||
            strncasecmp(msg, "access denied", 13) == 0)
                return -EACCES;
        if (sd_bus_error_has_names(e, SD_BUS_ERROR_UNKNOWN_METHOD, SD_BUS_ERROR_UNKNOWN_INTERFACE,
                                   SD_BUS_ERROR_UNKNOWN_PROPERTY, SD_BUS_ERROR_NOT_SUPPORTED) ||
            strstr(msg, "not supported"))
                return -EOPNOTSUPP;
        if (sd_bus_error_has_names(e, SD_BUS_ERROR_UNKNOWN_OBJECT) || strstr(msg, "not found") ||
            strstr(msg, "no domain with") || strstr(msg, "does not exist"))
                return -ENOENT;
        if (sd_bus_error_has_names(e, SD_BUS_ERROR_TIMEOUT, SD_BUS_ERROR_NO_REPLY))
                return -ETIMEDOUT;
        return -EIO;
}

int ctl_exit_code(int r) {
        if (r >= 0)
                return CTL_EXIT_OK;
        switch (r) {
        case -EINVAL:
                return CTL_EXIT_USAGE;
        case -ENOENT: case -ENXIO:
                return CTL_EXIT_NOT_FOUND;
        case -EACCES: case -EPERM:
                return CTL_EXIT_DENIED;
        case -EOPNOTSUPP:
                return CTL_EXIT_UNSUPPORTED;
        case -ETIMEDOUT:
                return CTL_EXIT_TIMEOUT;
        default:
                return CTL_EXIT_FAILURE;
        }
}

int ctl_report(const sd_bus_error *e, const char *what) {
        if (sd_bus_error_is_set(e))
                fprintf(stderr, "virtbusctl: %s\n", strempty(e->message));
        else
                fprintf(stderr, "virtbusctl: %s failed\n", what);
        return ctl_error_to_errno(e);
}

static int call_va(Ctl *c, bool quiet, const char *path, const char *iface, const char *member,
                   sd_bus_message **reply, const char *types, va_list ap) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_message_new_method_call(c->bus, &m, CTL_BUS, path, iface, member);
        if (r >= 0 && !isempty(types))
                r = sd_bus_message_appendv(m, types, ap);
        if (r < 0) {
                fprintf(stderr, "virtbusctl: cannot build %s call: %s\n", member, strerror(-r));
                return r;
        }
        r = sd_bus_call(c->bus, m, 120 * 1000000ULL, &e, reply);
        if (r < 0)
                r = quiet ? ctl_error_to_errno(&e) : ctl_report(&e, member);
        sd_bus_error_free(&e);
        return r;
}

int ctl_call_message(Ctl *c, sd_bus_message *m, sd_bus_message **reply) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r = sd_bus_call(c->bus, m, 120 * 1000000ULL, &e, reply);
        if (r < 0)
                r = ctl_report(&e, sd_bus_message_get_member(m));
        sd_bus_error_free(&e);
        return r;
}

int ctl_call(Ctl *c, const char *path, const char *iface, const char *member,
             sd_bus_message **reply, const char *types, ...) {
        va_list ap;
        va_start(ap, types);
        int r = call_va(c, false, path, iface, member, reply, types, ap);
        va_end(ap);
        return r;
}

static int read_dup(sd_bus_message *m, char type, char **ret) {
        const char *s;
        int r = sd_bus_message_read_basic(m, type, &s);
        if (r < 0)
                return r;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

static int call_read(Ctl *c, bool quiet, char type, const char *path, const char *iface,
                     const char *member, char **ret, const char *types, va_list ap) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = call_va(c, quiet, path, iface, member, &reply, types, ap);
        if (r < 0)
                return r;
        return read_dup(reply, type, ret);
}

int ctl_call_path(Ctl *c, const char *path, const char *iface, const char *member,
                  char **ret, const char *types, ...) {
        va_list ap;
        va_start(ap, types);
        int r = call_read(c, false, 'o', path, iface, member, ret, types, ap);
        va_end(ap);
        return r;
}

static int call_path_quiet(Ctl *c, const char *path, const char *iface, const char *member,
                           char **ret, const char *types, ...) {
        va_list ap;
        va_start(ap, types);
        int r = call_read(c, true, 'o', path, iface, member, ret, types, ap);
        va_end(ap);
        return r;
}

int ctl_call_string(Ctl *c, const char *path, const char *iface, const char *member,
                    char **ret, const char *types, ...) {
        va_list ap;
        va_start(ap, types);
        int r = call_read(c, false, 's', path, iface, member, ret, types, ap);
        va_end(ap);
        return r;
}

int ctl_get_bool(Ctl *c, const char *path, const char *iface, const char *prop, bool *ret) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int v = 0, r;

        r = sd_bus_get_property_trivial(c->bus, CTL_BUS, path, iface, prop, &e, 'b', &v);
        if (r < 0)
                r = ctl_report(&e, prop);
        sd_bus_error_free(&e);
        *ret = v;
        return r < 0 ? r : 0;
}

int ctl_get_u32(Ctl *c, const char *path, const char *iface, const char *prop, uint32_t *ret) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r = sd_bus_get_property_trivial(c->bus, CTL_BUS, path, iface, prop, &e, 'u', ret);
        if (r < 0)
                r = ctl_report(&e, prop);
        sd_bus_error_free(&e);
        return r < 0 ? r : 0;
}

int ctl_get_string(Ctl *c, const char *path, const char *iface, const char *prop, char **ret) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r = sd_bus_get_property_string(c->bus, CTL_BUS, path, iface, prop, &e, ret);
        if (r < 0)
                r = ctl_report(&e, prop);
        sd_bus_error_free(&e);
        return r < 0 ? r : 0;
}

int ctl_set_bool(Ctl *c, const char *path, const char *iface, const char *prop, bool v) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r = sd_bus_set_property(c->bus, CTL_BUS, path, iface, prop, &e, "b", (int) v);
        if (r < 0)
                r = ctl_report(&e, prop);
        sd_bus_error_free(&e);
        return r < 0 ? r : 0;
}

void ctl_strv_free(char **l) {
        for (char **p = l; p && *p; p++)
                free(*p);
        free(l);
}

int ctl_list_paths(Ctl *c, const char *path, const char *iface, const char *member,
                   uint32_t flags, char ***ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = ctl_call(c, path, iface, member, &reply, "u", flags);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(reply, ret);
        if (r < 0)
                return r;
        if (!*ret) {                    /* empty array → empty list */
                *ret = calloc(1, sizeof(char *));
                if (!*ret)
                        return -ENOMEM;
        }
        return 0;
}

int ctl_read_file(const char *path, char **ret) {
        FILE *f = streq(path, "-") ? stdin : fopen(path, "re");
        size_t n = 0, cap = 4096;
        _cleanup_free_ char *buf = malloc(cap + 1);

        if (!f) {
                int r = -errno;
                fprintf(stderr, "virtbusctl: cannot open %s: %s\n", path, strerror(errno));
                return r == -ENOENT ? -ENOENT : -EIO;
        }
        while (buf) {
                size_t k = fread(buf + n, 1, cap - n, f);
                n += k;
                if (k == 0 || n > CTL_FILE_MAX)
                        break;
                if (n == cap) {
                        char *nb = realloc(buf, cap * 2 + 1);
                        if (!nb)
                                break;
                        buf = nb;
                        cap *= 2;
                }
        }
        bool bad = !buf || ferror(f) || n > CTL_FILE_MAX;
        if (f != stdin)
                fclose(f);
        if (bad) {
                fprintf(stderr, "virtbusctl: cannot read %s (unreadable or larger than 16 MiB)\n", path);
                return -EIO;
        }
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

bool ctl_is_uuid(const char *s) {
        if (strlen(s) != 36)
                return false;
        for (int i = 0; i < 36; i++)
                if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !isxdigit((unsigned char) s[i]))
                        return false;
        return true;
}

static bool all_digits(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isdigit((unsigned char) *s))
                        return false;
        return true;
}

int ctl_domain_path(Ctl *c, const char *ident, char **ret) {
        if (ctl_is_uuid(ident))
                return ctl_call_path(c, c->connect, CTL_CONNECT, "DomainLookupByUUID", ret, "s", ident);
        if (all_digits(ident) && strlen(ident) < 10 &&
            call_path_quiet(c, c->connect, CTL_CONNECT, "DomainLookupByID", ret, "i", atoi(ident)) >= 0)
                return 0;
        return ctl_call_path(c, c->connect, CTL_CONNECT, "DomainLookupByName", ret, "s", ident);
}

/* Network, StoragePool, Secret, NodeDevice: by UUID where the kind has UUIDs, else by name. */
int ctl_named_path(Ctl *c, const char *kind, const char *ident, char **ret) {
        char member[64];
        bool by_uuid = ctl_is_uuid(ident) && !streq(kind, "NodeDevice");

        if (streq(kind, "Secret") && !by_uuid) {
                fprintf(stderr, "virtbusctl: '%s' is not a secret UUID\n", ident);
                return -ENOENT;
        }
        snprintf(member, sizeof(member), "%sLookupBy%s", kind, by_uuid ? "UUID" : "Name");
        return ctl_call_path(c, c->connect, CTL_CONNECT, member, ret, "s", ident);
}

static int print_basic(sd_bus_message *m, char type) {
        union { uint8_t y; int b; int16_t n; uint16_t q; int32_t i; uint32_t u; int64_t x;
                uint64_t t; double d; const char *s; } v;
        int r = sd_bus_message_read_basic(m, type, &v);
        if (r <= 0)
                return r;
        switch (type) {
        case 'y': printf("%u", v.y); break;
        case 'b': printf("%s", v.b ? "true" : "false"); break;
        case 'n': printf("%d", v.n); break;
        case 'q': printf("%u", v.q); break;
        case 'i': case 'h': printf("%d", v.i); break;
        case 'u': printf("%u", v.u); break;
        case 'x': printf("%lld", (long long) v.x); break;
        case 't': printf("%llu", (unsigned long long) v.t); break;
        case 'd': printf("%g", v.d); break;
        default: printf("%s", v.s); break;
        }
        return 1;
}

/* Prints the next complete value of m on one line (variants unwrapped). */
int ctl_print_value(sd_bus_message *m, const char *prefix) {
        const char *contents;
        char type;
        int r = sd_bus_message_peek_type(m, &type, &contents);
        if (r <= 0)
                return r;
        if (prefix)
                fputs(prefix, stdout);
        if (!strchr("avr(e{", type))
                return print_basic(m, type);
        r = sd_bus_message_enter_container(m, type, contents);
        if (r < 0)
                return r;
        fputs(type == 'a' ? "[" : type == 'v' ? "" : "(", stdout);
        for (bool first = true;; first = false) {
                r = sd_bus_message_at_end(m, false);
                if (r != 0)
                        break;
                r = ctl_print_value(m, first ? NULL : (type == 'e' ? "=" : ", "));
                if (r < 0)
                        return r;
        }
        fputs(type == 'a' ? "]" : type == 'v' ? "" : ")", stdout);
        r = sd_bus_message_exit_container(m);
        return r < 0 ? r : 1;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int ctl_base64_encode(const uint8_t *p, size_t n, char **ret) {
        char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n; i += 3) {
                uint32_t v = (uint32_t) p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0) |
                             (i + 2 < n ? p[i + 2] : 0);
                *o++ = b64[v >> 18 & 63];
                *o++ = b64[v >> 12 & 63];
                *o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
                *o++ = i + 2 < n ? b64[v & 63] : '=';
        }
        *o = 0;
        *ret = out;
        return 0;
}

int ctl_base64_decode(const char *s, uint8_t **ret, size_t *ret_n) {
        _cleanup_free_ uint8_t *out = malloc(strlen(s) / 4 * 3 + 3);
        uint32_t acc = 0;
        size_t n = 0;
        int bits = 0;

        if (!out)
                return -ENOMEM;
        for (; *s && *s != '='; s++) {
                const char *k = strchr(b64, *s);
                if (isspace((unsigned char) *s))
                        continue;
                if (!k || !*s)
                        return -EINVAL;
                acc = acc << 6 | (uint32_t) (k - b64);
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[n++] = acc >> bits & 0xff;
                }
        }
        *ret = TAKE_PTR(out);
        *ret_n = n;
        return 0;
}

/* string(xpath) of an XML document, or NULL (no network, no entities). */
char *ctl_xml_string(const char *xml, const char *xpath) {
        xmlDocPtr doc = xmlReadMemory(xml, (int) strlen(xml), NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        char *out = NULL;

        if (!doc)
                return NULL;
        xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
        xmlXPathObjectPtr obj = ctx ? xmlXPathEvalExpression(BAD_CAST xpath, ctx) : NULL;
        if (obj && obj->type == XPATH_STRING && obj->stringval && obj->stringval[0])
                out = strdup((const char *) obj->stringval);
        xmlXPathFreeObject(obj);
        xmlXPathFreeContext(ctx);
        xmlFreeDoc(doc);
        return out;
}
