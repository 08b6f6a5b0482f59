/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The polkit gate. See polkit.h for the contract. Three small registries:
 *  - queries: one per (message, action, details) whose CheckAuthorization is in flight or
 *    whose answer waits for the message to come back through its handler;
 *  - cache:   allowed answers per (sender, action, details), dropped when the sender leaves
 *             the bus or after VB_POLKIT_CACHE_USEC;
 *  - uids:    the euid of each unique sender name, asked once per sender.
 * All three are bounded; lists are fine at these sizes. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "polkit.h"
#include "util.h"

#define POLKIT_SERVICE "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"
#define POLKIT_ALLOW_USER_INTERACTION 1U

#define USEC_PER_SEC 1000000ULL
#define QUERY_TIMEOUT_USEC (25 * USEC_PER_SEC)
#define QUERY_INTERACTIVE_TIMEOUT_USEC (300 * USEC_PER_SEC) /* a human types a password */
#define ANSWER_KEEP_USEC (60 * USEC_PER_SEC) /* answered, message not back through the handler */
#define UID_CACHE_MAX 1024U
#define ANSWERS_MAX 4096U       /* answered queries kept for their messages */
#define DETAILS_MAX 32U

typedef enum Verdict {
        VERDICT_PENDING,
        VERDICT_ALLOWED,
        VERDICT_DENIED,
        VERDICT_CHALLENGE,
        VERDICT_UNAVAILABLE,
} Verdict;

typedef struct Query {
        struct Query *next;
        sd_bus_message *request;        /* ref held: the call to dispatch again */
        sd_bus_slot *slot;              /* CheckAuthorization in flight */
        char *sender;
        char *key;                      /* action and details, each with its NUL */
        size_t key_len;
        char *action;
        Verdict verdict;
        char *reason;                   /* VERDICT_UNAVAILABLE */
        uint64_t done_usec;
} Query;

typedef struct CacheEntry {
        struct CacheEntry *next;
        char *sender;
        char *key;
        size_t key_len;
        uint64_t usec;
} CacheEntry;

typedef struct UidEntry {
        struct UidEntry *next;
        char *sender;
        uid_t uid;
} UidEntry;

typedef struct Gate {
        sd_bus *bus;
        sd_event *event;
        sd_bus_slot *match_slot;
        Query *queries;
        CacheEntry *cache;
        size_t n_cache;
        UidEntry *uids;
        size_t n_uids;
} Gate;

static Gate *gate;
static uid_t trusted_uid = (uid_t) -1;
static bool always_query;

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static Query *query_free(Query *q) {
        if (!q)
                return NULL;
        sd_bus_slot_unref(q->slot);
        sd_bus_message_unref(q->request);
        free(q->sender);
        free(q->key);
        free(q->action);
        free(q->reason);
        free(q);
        return NULL;
}

static void query_unlink(Query *q) {
        for (Query **p = &gate->queries; *p; p = &(*p)->next)
                if (*p == q) {
                        *p = q->next;
                        q->next = NULL;
                        return;
                }
}

static CacheEntry *cache_entry_free(CacheEntry *c) {
        if (c) {
                free(c->sender);
                free(c->key);
                free(c);
        }
        return NULL;
}

static UidEntry *uid_entry_free(UidEntry *u) {
        if (u) {
                free(u->sender);
                free(u);
        }
        return NULL;
}

/* The key: action, then each detail key and value, every string with its NUL. D-Bus strings
 * cannot contain NUL, so two different lists never give the same bytes. */
static int build_key(const char *action, const char *const *details, char **ret, size_t *ret_len) {
        size_t n = 0, len = strlen(action) + 1, off = 0;
        char *key;

        for (; details && details[n]; n++)
                len += strlen(details[n]) + 1;
        if (n % 2 != 0 || n / 2 > DETAILS_MAX)
                return -EINVAL;
        key = malloc(len);
        if (!key)
                return -ENOMEM;
        memcpy(key, action, strlen(action) + 1);
        off = strlen(action) + 1;
        for (size_t i = 0; i < n; i++) {
                size_t l = strlen(details[i]) + 1;

                memcpy(key + off, details[i], l);
                off += l;
        }
        *ret = key;
        *ret_len = len;
        return 0;
}

static bool key_eq(const char *a, size_t a_len, const char *b, size_t b_len) {
        return a_len == b_len && memcmp(a, b, a_len) == 0;
}

static void cache_prune(uint64_t t) {
        for (CacheEntry **p = &gate->cache; *p;) {
                CacheEntry *c = *p;

                if (t - c->usec > VB_POLKIT_CACHE_USEC) {
                        *p = c->next;
                        cache_entry_free(c);
                        gate->n_cache--;
                } else
                        p = &c->next;
        }
}

/* Answered queries whose message never came back (the handler bailed out earlier on its
 * second run, or the bus dropped it) are freed after ANSWER_KEEP_USEC. */
static void queries_prune(uint64_t t) {
        size_t answered = 0;

        for (Query **p = &gate->queries; *p;) {
                Query *q = *p;

                /* newest first: beyond ANSWERS_MAX kept answers, the oldest go */
                if (q->verdict != VERDICT_PENDING &&
                    (t - q->done_usec > ANSWER_KEEP_USEC || ++answered > ANSWERS_MAX)) {
                        *p = q->next;
                        query_free(q);
                } else
                        p = &q->next;
        }
}

static bool cache_lookup(const char *sender, const char *key, size_t key_len, uint64_t t) {
        for (CacheEntry *c = gate->cache; c; c = c->next)
                if (streq(c->sender, sender) && key_eq(c->key, c->key_len, key, key_len))
                        return t - c->usec <= VB_POLKIT_CACHE_USEC;
        return false;
}

/* New entries go to the head; when full the tail (the oldest) goes. */
static void cache_add(const char *sender, const char *key, size_t key_len, uint64_t t) {
        CacheEntry *c;

        if (cache_lookup(sender, key, key_len, t))
                return;
        if (gate->n_cache >= VB_POLKIT_CACHE_MAX) {
                CacheEntry **p = &gate->cache;

                while ((*p)->next)
                        p = &(*p)->next;
                *p = cache_entry_free(*p);
                gate->n_cache--;
        }
        c = calloc(1, sizeof(*c));
        if (!c)
                return;
        c->sender = strdup(sender);
        c->key = malloc(key_len);
        if (!c->sender || !c->key) {
                cache_entry_free(c);
                return;
        }
        memcpy(c->key, key, key_len);
        c->key_len = key_len;
        c->usec = t;
        c->next = gate->cache;
        gate->cache = c;
        gate->n_cache++;
}

/* A sender left the bus: forget its answers and uid; cancel its queries in flight (their
 * messages have nobody to reply to). Answered queries stay until their message comes back. */
static void forget_sender(const char *sender) {
        for (CacheEntry **p = &gate->cache; *p;) {
                CacheEntry *c = *p;

                if (streq(c->sender, sender)) {
                        *p = c->next;
                        cache_entry_free(c);
                        gate->n_cache--;
                } else
                        p = &c->next;
        }
        for (UidEntry **p = &gate->uids; *p;) {
                UidEntry *u = *p;

                if (streq(u->sender, sender)) {
                        *p = u->next;
                        uid_entry_free(u);
                        gate->n_uids--;
                } else
                        p = &u->next;
        }
        for (Query **p = &gate->queries; *p;) {
                Query *q = *p;

                if (q->verdict == VERDICT_PENDING && streq(q->sender, sender)) {
                        *p = q->next;
                        query_free(q);
                } else
                        p = &q->next;
        }
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (gate && name[0] == ':' && isempty(new_owner))
                forget_sender(name);
        return 0;
}

static int uid_lookup(sd_bus_message *m, const char *sender, uid_t *ret) {
        sd_bus_creds *creds = NULL;
        UidEntry *u;
        uid_t uid;
        int r;

        for (u = gate->uids; sender && u; u = u->next)
                if (streq(u->sender, sender)) {
                        *ret = u->uid;
                        return 0;
                }
        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &creds);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_euid(creds, &uid);
        sd_bus_creds_unref(creds);
        if (r < 0)
                return r;
        if (sender && gate->n_uids < UID_CACHE_MAX) {
                u = calloc(1, sizeof(*u));
                if (u && (u->sender = strdup(sender))) {
                        u->uid = uid;
                        u->next = gate->uids;
                        gate->uids = u;
                        gate->n_uids++;
                } else
                        free(u);
        }
        *ret = uid;
        return 0;
}

static unsigned sender_queries(const char *sender) {
        unsigned n = 0;

        for (Query *q = gate->queries; q; q = q->next)
                if (q->verdict == VERDICT_PENDING && streq(q->sender, sender))
                        n++;
        return n;
}

static Query *query_find(sd_bus_message *m, const char *key, size_t key_len) {
        for (Query *q = gate->queries; q; q = q->next)
                if (q->request == m && key_eq(q->key, q->key_len, key, key_len))
                        return q;
        return NULL;
}

static int gate_new(sd_bus *bus, sd_event *event) {
        gate = calloc(1, sizeof(*gate));
        if (!gate)
                return -ENOMEM;
        gate->bus = sd_bus_ref(bus);
        gate->event = event ? sd_event_ref(event) : NULL;
        return 0;
}

int vb_polkit_setup(sd_bus *bus, sd_event *event) {
        int r;

        if (!bus)
                return -EINVAL;
        vb_polkit_shutdown();
        r = gate_new(bus, event);
        if (r < 0)
                return r;
        r = sd_bus_match_signal_async(bus, &gate->match_slot, "org.freedesktop.DBus",
                                      "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                      "NameOwnerChanged", on_name_owner_changed, NULL, NULL);
        if (r < 0) {
                vb_polkit_shutdown();
                return r;
        }
        return 0;
}

void vb_polkit_shutdown(void) {
        if (!gate)
                return;
        while (gate->queries) {
                Query *q = gate->queries;

                gate->queries = q->next;
                query_free(q);
        }
        while (gate->cache) {
                CacheEntry *c = gate->cache;

                gate->cache = c->next;
                cache_entry_free(c);
        }
        while (gate->uids) {
                UidEntry *u = gate->uids;

                gate->uids = u->next;
                uid_entry_free(u);
        }
        sd_bus_slot_unref(gate->match_slot);
        sd_bus_unref(gate->bus);
        sd_event_unref(gate->event);
        free(gate);
        gate = NULL;
}

bool vb_polkit_is_privileged(sd_bus_message *m) {
        uid_t uid;

        if (!gate || always_query)
                return false;
        if (uid_lookup(m, sd_bus_message_get_sender(m), &uid) < 0)
                return false;
        return uid == 0 || (trusted_uid != (uid_t) -1 && uid == trusted_uid);
}

void vb_polkit_set_trusted_uid(uid_t uid) {
        trusted_uid = uid;
}

void vb_polkit_set_always_query(bool b) {
        always_query = b;
}

static int verdict_error(Verdict v, const char *action, const char *reason, sd_bus_error *error) {
        switch (v) {
        case VERDICT_ALLOWED:
                return 1;
        case VERDICT_DENIED:
                sd_bus_error_setf(error, VB_POLKIT_ERROR,
                                  "access denied: polkit denied action '%s'", action);
                return -EACCES;
        case VERDICT_CHALLENGE:
                sd_bus_error_setf(error, VB_POLKIT_ERROR,
                                  "access denied: interactive authentication required for '%s'; "
                                  "retry with interactive authorization allowed", action);
                return -EACCES;
        default:
                sd_bus_error_setf(error, VB_POLKIT_ERROR,
                                  "access denied: polkit authority is not available: %s",
                                  strempty(reason));
                return -EACCES;
        }
}

/* Reads (bba{ss}) of a CheckAuthorization reply, or the error of a failed call. */
static void query_read_reply(Query *q, sd_bus_message *reply) {
        int authorized = 0, challenge = 0, r;

        if (sd_bus_message_is_method_error(reply, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(reply);

                q->verdict = VERDICT_UNAVAILABLE;
                q->reason = strdup(e && e->message ? e->message : e && e->name ? e->name : "error");
                return;
        }
        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0) {
                q->verdict = VERDICT_UNAVAILABLE;
                q->reason = strdup("malformed CheckAuthorization reply");
                return;
        }
        q->verdict = authorized ? VERDICT_ALLOWED : challenge ? VERDICT_CHALLENGE : VERDICT_DENIED;
}

static int on_check_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Query *q = userdata;
        sd_bus *bus;
        int r;

        q->slot = sd_bus_slot_unref(q->slot);
        query_read_reply(q, reply);
        q->done_usec = now_usec();
        if (q->verdict == VERDICT_ALLOWED)
                cache_add(q->sender, q->key, q->key_len, q->done_usec);

        /* Put the call back into the read queue: its handler runs again from the top. */
        bus = sd_bus_message_get_bus(q->request);
        r = sd_bus_message_rewind(q->request, 1);
        if (r >= 0)
                r = sd_bus_enqueue_for_read(bus, q->request);
        if (r < 0) {
                (void) sd_bus_reply_method_errorf(q->request, VB_POLKIT_ERROR,
                                                  "access denied: polkit authority is not "
                                                  "available: %s", strerror(-r));
                query_unlink(q);
                query_free(q);
        }
        return 0;
}

static int append_details(sd_bus_message *c, const char *const *details) {
        int r;

        r = sd_bus_message_open_container(c, 'a', "{ss}");
        for (size_t i = 0; r >= 0 && details && details[i]; i += 2)
                r = sd_bus_message_append(c, "{ss}", details[i], details[i + 1]);
        if (r >= 0)
                r = sd_bus_message_close_container(c);
        return r;
}

static int query_send(Query *q, sd_bus_message *m, const char *const *details) {
        sd_bus_message *c = NULL;
        bool interactive = sd_bus_message_get_allow_interactive_authorization(m) > 0;
        int r;

        r = sd_bus_message_new_method_call(sd_bus_message_get_bus(m), &c, POLKIT_SERVICE,
                                           POLKIT_PATH, POLKIT_INTERFACE, "CheckAuthorization");
        if (r < 0)
                return r;
        r = sd_bus_message_append(c, "(sa{sv})s", "system-bus-name", 1, "name", "s", q->sender,
                                  q->action);
        if (r >= 0)
                r = append_details(c, details);
        if (r >= 0)
                r = sd_bus_message_append(c, "us",
                                          interactive ? POLKIT_ALLOW_USER_INTERACTION : 0U, "");
        if (r >= 0)
                r = sd_bus_call_async(sd_bus_message_get_bus(m), &q->slot, c, on_check_reply, q,
                                      interactive ? QUERY_INTERACTIVE_TIMEOUT_USEC
                                                  : QUERY_TIMEOUT_USEC);
        sd_bus_message_unref(c);
        return r;
}

static int query_start(sd_bus_message *m, const char *sender, const char *action,
                       char **key, size_t key_len, const char *const *details,
                       sd_bus_error *error) {
        Query *q;
        int r;

        q = calloc(1, sizeof(*q));
        if (!q || !(q->sender = strdup(sender)) || !(q->action = strdup(action))) {
                query_free(q);
                return sd_bus_error_set_errno(error, -ENOMEM);
        }
        q->key = TAKE_PTR(*key);
        q->key_len = key_len;
        q->request = sd_bus_message_ref(m);
        r = query_send(q, m, details);
        if (r < 0) {
                query_free(q);
                sd_bus_error_setf(error, VB_POLKIT_ERROR,
                                  "access denied: polkit authority is not available: %s",
                                  strerror(-r));
                return -EACCES;
        }
        q->next = gate->queries;
        gate->queries = q;
        return 0;
}

/* Answer for a call whose query already came back: consumed once. Allowed answers stay in
 * the sender cache, so a handler that checks several actions finds the earlier ones there. */
static int query_take(Query *q, sd_bus_error *error) {
        int r;

        if (q->verdict == VERDICT_PENDING)
                return 0;
        r = verdict_error(q->verdict, q->action, q->reason, error);
        /* A refusal stays with its message until pruned: a handler that checks many
         * objects (list filtering) runs again per answer and must see it again. */
        if (q->verdict == VERDICT_ALLOWED) {
                query_unlink(q);
                query_free(q);
        }
        return r;
}

int vb_polkit_check(sd_bus_message *m, const char *action, const char *const *details,
                    sd_bus_error *error) {
        _cleanup_free_ char *key = NULL;
        const char *sender;
        size_t key_len;
        uint64_t t;
        uid_t uid;
        Query *q;
        int r;

        if (!m || isempty(action))
                return sd_bus_error_set_errno(error, -EINVAL);
        if (!gate) {
                r = gate_new(sd_bus_message_get_bus(m), NULL);
                if (r < 0)
                        return sd_bus_error_set_errno(error, r);
        }
        r = build_key(action, details, &key, &key_len);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);

        t = now_usec();
        queries_prune(t);
        cache_prune(t);
        q = query_find(m, key, key_len);
        if (q)
                return query_take(q, error);

        sender = sd_bus_message_get_sender(m);
        if (uid_lookup(m, sender, &uid) >= 0) {
                if (uid == 0 && !always_query)
                        return 1;
                if (trusted_uid != (uid_t) -1 && uid == trusted_uid)
                        return 1;
        }
        if (!sender)
                return verdict_error(VERDICT_UNAVAILABLE, action,
                                     "caller has no bus name to ask about", error);
        if (cache_lookup(sender, key, key_len, t))
                return 1;
        if (sender_queries(sender) >= VB_POLKIT_PENDING_MAX) {
                sd_bus_error_setf(error, VB_POLKIT_ERROR,
                                  "access denied: too many pending authorization requests "
                                  "(limit exceeded)");
                return -EBUSY;
        }
        return query_start(m, sender, action, &key, key_len, details, error);
}
