/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vbbench: the virtbus D-Bus benchmark client, and a trivial sd-bus echo service (the floor).
 *
 *   vbbench [OPTIONS] ADDRESS ping DEST [PATH]
 *   vbbench [OPTIONS] ADDRESS call DEST PATH IFACE METHOD [SIG [ARG...]]
 *   vbbench [OPTIONS] ADDRESS cycle DEST PATH IFACE METHOD [SIG [ARG...]] --then IFACE2 METHOD2 [SIG2 [ARG...]]
 *   vbbench [OPTIONS] ADDRESS startup NAME -- COMMAND [ARG...]
 *   vbbench ADDRESS serve NAME
 *
 * ADDRESS is a D-Bus address ("unix:path=...") or "system" / "session". Arguments follow
 * busctl's notation: basic types take one word, "a" takes a count then the elements, "v" takes
 * a signature then the value, structs and dict entries take their members in order.
 *
 * Every measured call is built afresh. Latency is CLOCK_MONOTONIC from just before the send to
 * the reply (sequential: sd_bus_call returns; in flight: the reply callback runs). Percentiles
 * are nearest-rank over the measured calls; calls/s is measured calls over the wall time of the
 * measured phase. Warm-up calls are made first and not counted. One result line on stdout:
 *
 *   label=L mode=call n=N k=K calls_per_s=.. p50_us=.. p99_us=.. mean_us=.. max_us=.. errors=E ...
 *
 * "cycle" calls the first method, takes the first object path of its reply and calls the
 * second method on that path; it reports the whole cycle and both steps (step1_, step2_).
 * "startup" runs COMMAND R times (-n), measuring exec → NAME owned on the bus, then SIGTERMs it;
 * -w W first runs W starts that are not counted (default 0 here: a first start may do one-time
 * work, e.g. the QEMU driver's once-per-boot autostart marker, and warms the page cache).
 * "serve" owns NAME and exports /org/bench, interface org.bench.Echo: Nop() → (),
 * Echo(s) → s, Paths(u n) → ao of n libvirt-style object paths, Blob(u n) → s of n bytes. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#define USEC_PER_SEC 1000000ULL

typedef struct Options {
        unsigned n;
        unsigned warmup;
        unsigned k;
        unsigned start;
        uint64_t timeout_usec;
        bool subst;
        const char *label;
} Options;

typedef struct Call {
        const char *dest;
        const char *path;
        const char *iface;
        const char *method;
        const char *sig;
        char **args;
        int n_args;
} Call;

typedef struct Stats {
        uint64_t *lat;          /* µs × 1000 (ns) per measured call */
        unsigned n;
        unsigned errors;
        char first_error[256];
} Stats;

static uint64_t now_nsec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static int open_bus(const char *address, sd_bus **ret) {
        sd_bus *bus = NULL;
        int r;

        if (strcmp(address, "system") == 0)
                return sd_bus_open_system(ret);
        if (strcmp(address, "session") == 0)
                return sd_bus_open_user(ret);

        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, 1);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

/* ------------------------------------------------------------------ argument packing */

/* Replace every "{i}" in s by index; the caller frees the result. */
static char *subst_index(const char *s, unsigned index) {
        char num[16], *out, *p;
        size_t count = 0, len;
        const char *q;

        for (q = s; (q = strstr(q, "{i}")); q += 3)
                count++;
        snprintf(num, sizeof(num), "%u", index);
        len = strlen(s) + count * strlen(num) + 1;
        out = malloc(len);
        if (!out)
                return NULL;
        for (p = out, q = s; *q; ) {
                if (strncmp(q, "{i}", 3) == 0) {
                        p = stpcpy(p, num);
                        q += 3;
                } else
                        *p++ = *q++;
        }
        *p = 0;
        return out;
}

/* Length of the single complete type at the start of sig, or 0 if malformed. */
static size_t type_len(const char *sig) {
        size_t l;

        switch (*sig) {
        case 'a':
                l = type_len(sig + 1);
                return l ? l + 1 : 0;
        case '(':
        case '{': {
                char close = *sig == '(' ? ')' : '}';
                size_t i = 1;

                while (sig[i] && sig[i] != close) {
                        l = type_len(sig + i);
                        if (l == 0)
                                return 0;
                        i += l;
                }
                return sig[i] == close ? i + 1 : 0;
        }
        case 0:
                return 0;
        default:
                return strchr("ybnqiuxtdsogvh", *sig) ? 1 : 0;
        }
}

typedef struct ArgCursor {
        char **args;
        int n;
        int i;
        bool subst;
        unsigned index;
} ArgCursor;

static const char *next_arg(ArgCursor *c) {
        if (c->i >= c->n)
                return NULL;
        return c->args[c->i++];
}

static int append_one(sd_bus_message *m, const char *type, size_t tlen, ArgCursor *c);

static int append_basic(sd_bus_message *m, char t, const char *word, ArgCursor *c) {
        char *end = NULL, *s = NULL;
        int r;

        errno = 0;
        switch (t) {
        case 'b': {
                int v = strcmp(word, "true") == 0 || strcmp(word, "yes") == 0 || strcmp(word, "1") == 0;
                return sd_bus_message_append_basic(m, t, &v);
        }
        case 'y': { uint8_t v = (uint8_t) strtoul(word, &end, 0); r = sd_bus_message_append_basic(m, t, &v); break; }
        case 'n': { int16_t v = (int16_t) strtol(word, &end, 0); r = sd_bus_message_append_basic(m, t, &v); break; }
        case 'q': { uint16_t v = (uint16_t) strtoul(word, &end, 0); r = sd_bus_message_append_basic(m, t, &v); break; }
        case 'i': { int32_t v = (int32_t) strtol(word, &end, 0); r = sd_bus_message_append_basic(m, t, &v); break; }
        case 'u': { uint32_t v = (uint32_t) strtoul(word, &end, 0); r = sd_bus_message_append_basic(m, t, &v); break; }
        case 'x': { int64_t v = strtoll(word, &end, 0); r = sd_bus_message_append_basic(m, t, &v); break; }
        case 't': { uint64_t v = strtoull(word, &end, 0); r = sd_bus_message_append_basic(m, t, &v); break; }
        case 'd': { double v = strtod(word, &end); r = sd_bus_message_append_basic(m, t, &v); break; }
        case 's':
        case 'o':
        case 'g':
                if (c->subst && strstr(word, "{i}")) {
                        s = subst_index(word, c->index);
                        if (!s)
                                return -ENOMEM;
                        word = s;
                }
                r = sd_bus_message_append_basic(m, t, word);
                free(s);
                return r;
        default:
                return -EINVAL;
        }
        if (r >= 0 && (errno != 0 || !end || *end != 0))
                return -EINVAL;
        return r;
}

static int append_one(sd_bus_message *m, const char *type, size_t tlen, ArgCursor *c) {
        char contents[256];
        const char *w;
        size_t i, l;
        int r;

        if (tlen >= sizeof(contents))
                return -E2BIG;

        switch (*type) {
        case 'a': {
                unsigned long count;

                w = next_arg(c);
                if (!w)
                        return -EINVAL;
                count = strtoul(w, NULL, 0);
                memcpy(contents, type + 1, tlen - 1);
                contents[tlen - 1] = 0;
                r = sd_bus_message_open_container(m, 'a', contents);
                if (r < 0)
                        return r;
                for (unsigned long j = 0; j < count; j++) {
                        r = append_one(m, contents, tlen - 1, c);
                        if (r < 0)
                                return r;
                }
                return sd_bus_message_close_container(m);
        }
        case 'v':
                w = next_arg(c);
                if (!w)
                        return -EINVAL;
                l = type_len(w);
                if (l == 0 || w[l] != 0)
                        return -EINVAL;
                r = sd_bus_message_open_container(m, 'v', w);
                if (r < 0)
                        return r;
                r = append_one(m, w, l, c);
                if (r < 0)
                        return r;
                return sd_bus_message_close_container(m);
        case '(':
        case '{':
                memcpy(contents, type + 1, tlen - 2);
                contents[tlen - 2] = 0;
                r = sd_bus_message_open_container(m, *type == '(' ? 'r' : 'e', contents);
                if (r < 0)
                        return r;
                for (i = 0; i < tlen - 2; i += l) {
                        l = type_len(contents + i);
                        r = append_one(m, contents + i, l, c);
                        if (r < 0)
                                return r;
                }
                return sd_bus_message_close_container(m);
        default:
                w = next_arg(c);
                if (!w)
                        return -EINVAL;
                return append_basic(m, *type, w, c);
        }
}

static int append_args(sd_bus_message *m, const char *sig, char **args, int n_args, bool subst, unsigned index) {
        ArgCursor c = { .args = args, .n = n_args, .subst = subst, .index = index };
        size_t i, l;
        int r;

        if (!sig)
                return 0;
        for (i = 0; sig[i]; i += l) {
                l = type_len(sig + i);
                if (l == 0)
                        return -EINVAL;
                r = append_one(m, sig + i, l, &c);
                if (r < 0)
                        return r;
        }
        return c.i == c.n ? 0 : -E2BIG;
}

static int build_call(sd_bus *bus, const Call *call, const char *path, const Options *o, unsigned index,
                      sd_bus_message **ret) {
        sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, call->dest, path ?: call->path, call->iface, call->method);
        if (r < 0)
                return r;
        r = append_args(m, call->sig, call->args, call->n_args, o->subst, index);
        if (r < 0) {
                sd_bus_message_unref(m);
                return r;
        }
        *ret = m;
        return 0;
}

/* ------------------------------------------------------------------ results */

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

        return x < y ? -1 : x > y;
}

static double percentile_us(const uint64_t *sorted, unsigned n, double p) {
        size_t rank;

        if (n == 0)
                return 0;
        rank = (size_t) ceil(p / 100.0 * n);
        if (rank < 1)
                rank = 1;
        return sorted[rank - 1] / 1000.0;
}

static void print_stats(const char *prefix, Stats *s) {
        uint64_t sum = 0;

        qsort(s->lat, s->n, sizeof(uint64_t), cmp_u64);
        for (unsigned i = 0; i < s->n; i++)
                sum += s->lat[i];
        printf(" %sp50_us=%.1f %sp90_us=%.1f %sp99_us=%.1f %smean_us=%.1f %smax_us=%.1f",
               prefix, percentile_us(s->lat, s->n, 50),
               prefix, percentile_us(s->lat, s->n, 90),
               prefix, percentile_us(s->lat, s->n, 99),
               prefix, s->n ? sum / 1000.0 / s->n : 0.0,
               prefix, s->n ? s->lat[s->n - 1] / 1000.0 : 0.0);
}

static void record_error(Stats *s, const sd_bus_error *e, int r) {
        if (s->errors++ == 0)
                snprintf(s->first_error, sizeof(s->first_error), "%s: %s",
                         e && e->name ? e->name : "errno", e && e->message ? e->message : strerror(-r));
}

/* What the reply looks like: its signature, the element count of a leading array and the
 * length of a leading string. Read once, from the first reply. */
typedef struct ReplyShape {
        bool have;
        char sig[64];
        long elems;
        long str_bytes;
} ReplyShape;

static void shape_of(sd_bus_message *reply, ReplyShape *shape) {
        const char *sig, *contents = NULL, *str = NULL;
        char type;
        int r;

        if (shape->have)
                return;
        shape->have = true;
        shape->elems = -1;
        shape->str_bytes = -1;
        sig = sd_bus_message_get_signature(reply, true);
        snprintf(shape->sig, sizeof(shape->sig), "%s", sig && *sig ? sig : "-");
        r = sd_bus_message_peek_type(reply, &type, &contents);
        if (r <= 0)
                goto rewind;
        if (type == 's') {
                if (sd_bus_message_read_basic(reply, 's', &str) >= 0)
                        shape->str_bytes = (long) strlen(str);
        } else if (type == 'a') {
                if (sd_bus_message_enter_container(reply, 'a', contents) >= 0) {
                        shape->elems = 0;
                        while ((r = sd_bus_message_skip(reply, contents)) > 0)
                                shape->elems++;
                        sd_bus_message_exit_container(reply);
                }
        }
rewind:
        sd_bus_message_rewind(reply, true);
}

static void print_head(const Options *o, const char *mode, unsigned n) {
        printf("label=%s mode=%s n=%u k=%u", o->label ?: "-", mode, n, o->k);
}

static void print_tail(Stats *s, const ReplyShape *shape) {
        printf(" errors=%u", s->errors);
        if (shape)
                printf(" reply_sig=%s reply_elems=%ld reply_str_bytes=%ld", shape->sig, shape->elems, shape->str_bytes);
        if (s->errors)
                printf(" first_error=\"%s\"", s->first_error);
        printf("\n");
        fflush(stdout);
}

/* ------------------------------------------------------------------ sequential and in flight */

static int call_sequential(sd_bus *bus, const Call *call, const Options *o) {
        Stats s = {};
        ReplyShape shape = {};
        uint64_t t0 = 0, t_end;
        unsigned total = o->warmup + o->n;

        s.lat = calloc(o->n ?: 1, sizeof(uint64_t));
        if (!s.lat)
                return -ENOMEM;
        for (unsigned i = 0; i < total; i++) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                sd_bus_message *m = NULL, *reply = NULL;
                uint64_t a;
                int r;

                if (i == o->warmup)
                        t0 = now_nsec();
                a = now_nsec();
                r = build_call(bus, call, NULL, o, o->start + i, &m);
                if (r < 0) {
                        fprintf(stderr, "vbbench: cannot build the call (signature/arguments?): %s\n", strerror(-r));
                        free(s.lat);
                        return r;
                }
                r = sd_bus_call(bus, m, o->timeout_usec, &error, &reply);
                if (i >= o->warmup) {
                        s.lat[s.n++] = now_nsec() - a;
                        if (r < 0)
                                record_error(&s, &error, r);
                        else
                                shape_of(reply, &shape);
                } else if (r < 0 && o->warmup > 0 && i == 0)
                        fprintf(stderr, "vbbench: warm-up call failed: %s\n", error.message ?: strerror(-r));
                sd_bus_error_free(&error);
                sd_bus_message_unref(reply);
                sd_bus_message_unref(m);
        }
        t_end = now_nsec();

        print_head(o, "call", o->n);
        printf(" calls_per_s=%.1f", o->n ? o->n / ((t_end - t0) / 1e9) : 0.0);
        print_stats("", &s);
        print_tail(&s, &shape);
        free(s.lat);
        return s.errors ? -EIO : 0;
}

typedef struct Flight {
        Stats *stats;
        ReplyShape *shape;
        uint64_t sent;
        unsigned index;
        bool measured;
        unsigned *outstanding;
        sd_bus_slot *slot;
} Flight;

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Flight *f = userdata;
        uint64_t lat = now_nsec() - f->sent;

        if (f->measured) {
                f->stats->lat[f->stats->n++] = lat;
                if (sd_bus_message_is_method_error(reply, NULL))
                        record_error(f->stats, sd_bus_message_get_error(reply), -EIO);
                else
                        shape_of(reply, f->shape);
        }
        (*f->outstanding)--;
        f->slot = sd_bus_slot_unref(f->slot);
        return 0;
}

static int call_in_flight(sd_bus *bus, const Call *call, const Options *o) {
        Stats s = {};
        ReplyShape shape = {};
        Flight *flights;
        unsigned total = o->warmup + o->n, next = 0, outstanding = 0;
        uint64_t t0 = 0, t_end;
        int r = 0;

        s.lat = calloc(o->n ?: 1, sizeof(uint64_t));
        flights = calloc(total ?: 1, sizeof(Flight));
        if (!s.lat || !flights) {
                free(s.lat);
                free(flights);
                return -ENOMEM;
        }

        /* The warm-up calls are made first, one batch, fully drained: they never overlap the
         * measured phase. */
        for (int phase = 0; phase < 2; phase++) {
                unsigned end = phase == 0 ? o->warmup : total;

                if (phase == 1)
                        t0 = now_nsec();
                while (next < end || outstanding > 0) {
                        while (next < end && outstanding < o->k) {
                                Flight *f = &flights[next];
                                sd_bus_message *m = NULL;

                                *f = (Flight) { .stats = &s, .shape = &shape, .index = next,
                                                .measured = phase == 1, .outstanding = &outstanding };
                                r = build_call(bus, call, NULL, o, o->start + next, &m);
                                if (r < 0) {
                                        fprintf(stderr, "vbbench: cannot build the call: %s\n", strerror(-r));
                                        goto finish;
                                }
                                f->sent = now_nsec();
                                r = sd_bus_call_async(bus, &f->slot, m, on_reply, f, o->timeout_usec);
                                sd_bus_message_unref(m);
                                if (r < 0) {
                                        fprintf(stderr, "vbbench: send failed: %s\n", strerror(-r));
                                        goto finish;
                                }
                                outstanding++;
                                next++;
                        }
                        r = sd_bus_process(bus, NULL);
                        if (r < 0) {
                                fprintf(stderr, "vbbench: connection failed: %s\n", strerror(-r));
                                goto finish;
                        }
                        if (r > 0)
                                continue;
                        r = sd_bus_wait(bus, UINT64_MAX);
                        if (r < 0 && r != -EINTR) {
                                fprintf(stderr, "vbbench: wait failed: %s\n", strerror(-r));
                                goto finish;
                        }
                }
        }
        t_end = now_nsec();

        print_head(o, "call", o->n);
        printf(" calls_per_s=%.1f", o->n ? o->n / ((t_end - t0) / 1e9) : 0.0);
        print_stats("", &s);
        print_tail(&s, &shape);
        r = s.errors ? -EIO : 0;
finish:
        for (unsigned i = 0; i < total; i++)
                sd_bus_slot_unref(flights[i].slot);
        free(flights);
        free(s.lat);
        return r;
}

/* ------------------------------------------------------------------ cycle */

static int first_object_path(sd_bus_message *reply, char **ret) {
        const char *p;
        int r;

        r = sd_bus_message_read_basic(reply, 'o', &p);
        if (r <= 0)
                return r < 0 ? r : -ENOMSG;
        *ret = strdup(p);
        return *ret ? 0 : -ENOMEM;
}

static int do_cycle(sd_bus *bus, const Call *first, const Call *second, const Options *o) {
        Stats total = {}, s1 = {}, s2 = {};
        uint64_t t0 = 0, t_end;
        unsigned count = o->warmup + o->n;
        int r = 0;

        total.lat = calloc(o->n ?: 1, sizeof(uint64_t));
        s1.lat = calloc(o->n ?: 1, sizeof(uint64_t));
        s2.lat = calloc(o->n ?: 1, sizeof(uint64_t));
        if (!total.lat || !s1.lat || !s2.lat) {
                r = -ENOMEM;
                goto finish;
        }
        for (unsigned i = 0; i < count; i++) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                sd_bus_message *m = NULL, *reply = NULL;
                bool measured = i >= o->warmup;
                char *path = NULL;
                uint64_t a, b, c;

                if (i == o->warmup)
                        t0 = now_nsec();
                a = now_nsec();
                r = build_call(bus, first, NULL, o, o->start + i, &m);
                if (r < 0)
                        goto finish;
                r = sd_bus_call(bus, m, o->timeout_usec, &error, &reply);
                m = sd_bus_message_unref(m);
                if (r >= 0)
                        r = first_object_path(reply, &path);
                reply = sd_bus_message_unref(reply);
                b = now_nsec();
                if (r < 0) {
                        if (measured) {
                                s1.lat[s1.n++] = b - a;
                                record_error(&s1, &error, r);
                                record_error(&total, &error, r);
                        }
                        sd_bus_error_free(&error);
                        continue;
                }
                r = build_call(bus, second, path, o, o->start + i, &m);
                if (r < 0) {
                        free(path);
                        goto finish;
                }
                r = sd_bus_call(bus, m, o->timeout_usec, &error, &reply);
                c = now_nsec();
                if (measured) {
                        s1.lat[s1.n++] = b - a;
                        s2.lat[s2.n++] = c - b;
                        total.lat[total.n++] = c - a;
                        if (r < 0) {
                                record_error(&s2, &error, r);
                                record_error(&total, &error, r);
                        }
                }
                sd_bus_error_free(&error);
                sd_bus_message_unref(reply);
                sd_bus_message_unref(m);
                free(path);
        }
        t_end = now_nsec();
        r = 0;

        print_head(o, "cycle", o->n);
        printf(" calls_per_s=%.1f", o->n ? o->n / ((t_end - t0) / 1e9) : 0.0);
        print_stats("", &total);
        print_stats("step1_", &s1);
        print_stats("step2_", &s2);
        print_tail(&total, NULL);
        if (total.errors)
                r = -EIO;
finish:
        if (r < 0 && r != -EIO)
                fprintf(stderr, "vbbench: cycle failed: %s\n", strerror(-r));
        free(total.lat);
        free(s1.lat);
        free(s2.lat);
        return r;
}

/* ------------------------------------------------------------------ startup */

static int name_has_owner(sd_bus *bus, const char *name) {
        sd_bus_message *reply = NULL;
        int r, has = 0;

        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "NameHasOwner", NULL, &reply, "s", name);
        if (r >= 0)
                r = sd_bus_message_read(reply, "b", &has);
        sd_bus_message_unref(reply);
        return r < 0 ? r : has;
}

static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *name, *old_owner, *new_owner;
        bool *owned = userdata;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) >= 0 && new_owner[0])
                *owned = true;
        return 0;
}

static int do_startup(sd_bus *bus, const char *name, char **argv, const Options *o) {
        Stats s = {};
        sd_bus_slot *slot = NULL;
        bool owned = false;
        char match[512];
        int r;

        s.lat = calloc(o->n ?: 1, sizeof(uint64_t));
        if (!s.lat)
                return -ENOMEM;
        snprintf(match, sizeof(match),
                 "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
                 "member='NameOwnerChanged',arg0='%s'", name);
        r = sd_bus_add_match(bus, &slot, match, on_owner_changed, &owned);
        if (r < 0) {
                fprintf(stderr, "vbbench: cannot add match: %s\n", strerror(-r));
                free(s.lat);
                return r;
        }

        for (unsigned i = 0; i < o->warmup + o->n; i++) {
                uint64_t a, deadline;
                pid_t pid;
                int status;

                owned = false;
                a = now_nsec();
                pid = fork();
                if (pid < 0) {
                        r = -errno;
                        break;
                }
                if (pid == 0) {
                        execvp(argv[0], argv);
                        _exit(127);
                }
                deadline = a + o->timeout_usec * 1000ULL;
                while (!owned && now_nsec() < deadline) {
                        r = sd_bus_process(bus, NULL);
                        if (r < 0)
                                break;
                        if (r > 0)
                                continue;
                        if (waitpid(pid, &status, WNOHANG) == pid) {
                                fprintf(stderr, "vbbench: %s exited before owning %s\n", argv[0], name);
                                r = -ECHILD;
                                break;
                        }
                        sd_bus_wait(bus, 10000);
                }
                if (!owned)
                        record_error(&s, NULL, r < 0 ? r : -ETIMEDOUT);
                else if (i >= o->warmup)
                        s.lat[s.n++] = now_nsec() - a;
                if (r != -ECHILD) {
                        kill(pid, SIGTERM);
                        waitpid(pid, &status, 0);
                }
                /* wait for the name to be released before the next start */
                for (int j = 0; j < 500 && name_has_owner(bus, name) > 0; j++)
                        usleep(10000);
                while (sd_bus_process(bus, NULL) > 0)
                        ;
        }
        sd_bus_slot_unref(slot);

        print_head(o, "startup", o->n);
        print_stats("start_", &s);
        print_tail(&s, NULL);
        free(s.lat);
        return s.errors ? -EIO : 0;
}

/* ------------------------------------------------------------------ serve */

static int echo_nop(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(m, NULL);
}

static int echo_echo(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *s;
        int r;

        r = sd_bus_message_read(m, "s", &s);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "s", s);
}

static int echo_paths(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        sd_bus_message *reply = NULL;
        uint32_t n;
        int r;

        r = sd_bus_message_read(m, "u", &n);
        if (r < 0)
                return r;
        if (n > 1000000)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "too many");
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "o");
        for (uint32_t i = 0; r >= 0 && i < n; i++) {
                char path[80];

                /* the shape of a libvirt-dbus domain path: 62 bytes */
                snprintf(path, sizeof(path), "/org/libvirt/Test/domain/_%08x_0000_4000_8000_%012x", i, i);
                r = sd_bus_message_append_basic(reply, 'o', path);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

static int echo_blob(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        uint32_t n;
        char *s;
        int r;

        r = sd_bus_message_read(m, "u", &n);
        if (r < 0)
                return r;
        if (n > 64U * 1024 * 1024)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "too big");
        s = malloc(n + 1);
        if (!s)
                return -ENOMEM;
        memset(s, 'x', n);
        s[n] = 0;
        r = sd_bus_reply_method_return(m, "s", s);
        free(s);
        return r;
}

static const sd_bus_vtable echo_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Nop", "", "", echo_nop, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Echo", "s", "s", echo_echo, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Paths", "u", "ao", echo_paths, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Blob", "u", "s", echo_blob, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

static int do_serve(sd_bus *bus, const char *name) {
        int r;

        r = sd_bus_add_object_vtable(bus, NULL, "/org/bench", "org.bench.Echo", echo_vtable, NULL);
        if (r < 0)
                return r;
        r = sd_bus_request_name(bus, name, 0);
        if (r < 0) {
                fprintf(stderr, "vbbench: cannot own %s: %s\n", name, strerror(-r));
                return r;
        }
        signal(SIGTERM, SIG_DFL);
        for (;;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        return r;
        }
}

/* ------------------------------------------------------------------ main */

static void usage(void) {
        fputs("usage: vbbench [-n N] [-w WARMUP] [-k INFLIGHT] [-s] [-i START] [-t SEC] [-l LABEL] ADDRESS MODE ...\n"
              "  ADDRESS ping DEST [PATH]\n"
              "  ADDRESS call DEST PATH IFACE METHOD [SIG [ARG...]]\n"
              "  ADDRESS cycle DEST PATH IFACE METHOD [SIG [ARG...]] --then IFACE2 METHOD2 [SIG2 [ARG...]]\n"
              "  ADDRESS startup NAME -- COMMAND [ARG...]     (-n = number of starts, -w = unmeasured starts first, default 0)\n"
              "  ADDRESS serve NAME\n"
              "  -s replaces {i} in string arguments by the call index (START + i)\n", stderr);
}

static void parse_call(Call *c, int argc, char **argv) {
        /* argv: IFACE METHOD [SIG [ARG...]] */
        c->iface = argv[0];
        c->method = argv[1];
        c->sig = argc > 2 ? argv[2] : NULL;
        c->args = argv + 3;
        c->n_args = argc > 3 ? argc - 3 : 0;
}

int main(int argc, char *argv[]) {
        Options o = { .n = 1000, .warmup = 10, .k = 1, .timeout_usec = 120 * USEC_PER_SEC };
        sd_bus *bus = NULL;
        const char *address, *mode;
        bool warmup_set = false;
        int c, r;

        while ((c = getopt(argc, argv, "+n:w:k:si:t:l:h")) >= 0) {
                switch (c) {
                case 'n': o.n = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'w': o.warmup = (unsigned) strtoul(optarg, NULL, 10); warmup_set = true; break;
                case 'k': o.k = (unsigned) strtoul(optarg, NULL, 10); break;
                case 's': o.subst = true; break;
                case 'i': o.start = (unsigned) strtoul(optarg, NULL, 10); break;
                case 't': o.timeout_usec = (uint64_t) (strtod(optarg, NULL) * USEC_PER_SEC); break;
                case 'l': o.label = optarg; break;
                case 'h': usage(); return 0;
                default: usage(); return 2;
                }
        }
        if (o.k == 0)
                o.k = 1;
        if (argc - optind < 3) {
                usage();
                return 2;
        }
        address = argv[optind];
        mode = argv[optind + 1];
        argv += optind + 2;
        argc -= optind + 2;

        r = open_bus(address, &bus);
        if (r < 0) {
                fprintf(stderr, "vbbench: cannot connect to %s: %s\n", address, strerror(-r));
                return 1;
        }

        if (strcmp(mode, "serve") == 0) {
                r = do_serve(bus, argv[0]);
        } else if (strcmp(mode, "ping") == 0) {
                Call call = { .dest = argv[0], .path = argc > 1 ? argv[1] : "/",
                              .iface = "org.freedesktop.DBus.Peer", .method = "Ping" };

                r = o.k > 1 ? call_in_flight(bus, &call, &o) : call_sequential(bus, &call, &o);
        } else if (strcmp(mode, "call") == 0) {
                Call call = { .dest = argv[0], .path = argc > 1 ? argv[1] : NULL };

                if (argc < 4) {
                        usage();
                        return 2;
                }
                parse_call(&call, argc - 2, argv + 2);
                r = o.k > 1 ? call_in_flight(bus, &call, &o) : call_sequential(bus, &call, &o);
        } else if (strcmp(mode, "cycle") == 0) {
                Call first = { .dest = argv[0], .path = argc > 1 ? argv[1] : NULL }, second = { .dest = argv[0] };
                int split = -1;

                for (int i = 0; i < argc; i++)
                        if (strcmp(argv[i], "--then") == 0) {
                                split = i;
                                break;
                        }
                if (argc < 4 || split < 4 || argc - split - 1 < 2) {
                        usage();
                        return 2;
                }
                parse_call(&first, split - 2, argv + 2);
                parse_call(&second, argc - split - 1, argv + split + 1);
                r = do_cycle(bus, &first, &second, &o);
        } else if (strcmp(mode, "startup") == 0) {
                if (argc < 3 || strcmp(argv[1], "--") != 0) {
                        usage();
                        return 2;
                }
                if (!warmup_set)
                        o.warmup = 0;
                r = do_startup(bus, argv[0], argv + 2, &o);
        } else {
                usage();
                r = -EINVAL;
        }

        sd_bus_flush_close_unref(bus);
        return r < 0 ? 1 : 0;
}
