/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Asynchronous QMP client: a state machine over one AF_UNIX stream socket driven by
 * an sd-event io source. Input is parsed incrementally with json_tokener; output is a
 * queue of per-command messages so that SCM_RIGHTS travel with a command's first
 * byte. See qmp.h for the callback contract. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "qmp.h"

#define READ_CHUNK (64U * 1024U)
#define TOKENER_DEPTH 64

typedef enum VbQmpState {
        QMP_GREETING,   /* waiting for {"QMP": ...} */
        QMP_HANDSHAKE,  /* qmp_capabilities sent, waiting for its reply */
        QMP_READY,
        QMP_CLOSED,
} VbQmpState;

typedef struct VbQmpSlot VbQmpSlot;
struct VbQmpSlot {
        VbQmpSlot *next;
        int64_t id;
        char *msg;              /* NULL once fully written */
        size_t len, off;
        int fds[VB_QMP_MAX_FDS];
        size_t n_fds;
        VbQmpReplyFn cb;
        void *userdata;
};

struct VbQmp {
        unsigned n_ref;
        bool freed;             /* vb_qmp_free() was called: the owner's ref is gone */
        sd_event *event;
        sd_event_source *io;
        int fd;
        VbQmpState state;

        json_tokener *tok;
        size_t partial;         /* bytes fed since the last complete value */
        size_t max_input, max_pending;

        int64_t next_id, handshake_id;
        VbQmpSlot *head, *tail;
        size_t n_slots;

        VbQmpEventFn on_event;
        VbQmpReadyFn on_ready;
        VbQmpDisconnectFn on_disconnect;
        void *userdata;

        bool have_version;
        unsigned version[3];
        char *package;
};

static inline void json_putp(json_object **o) { json_object_put(*o); }

static void slot_free(VbQmpSlot *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_fds; i++)
                close(s->fds[i]);
        free(s->msg);
        free(s);
}

static VbQmp *qmp_ref(VbQmp *q) {
        q->n_ref++;
        return q;
}

static void qmp_unref(VbQmp *q) {
        if (!q || --q->n_ref > 0)
                return;
        /* Only reached once closed: vb_qmp_free() closes before dropping its ref. */
        json_tokener_free(q->tok);
        sd_event_unref(q->event);
        free(q->package);
        free(q);
}
static inline void qmp_unrefp(VbQmp **q) { qmp_unref(*q); }

int vb_qmp_connect(const char *path, int *ret_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;
        size_t l;

        if (!path || !ret_fd)
                return -EINVAL;
        l = strlen(path);
        if (l == 0)
                return -EINVAL;
        if (l >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, l);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 && errno != EINPROGRESS)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* Detach every slot and fail it with r; callbacks see a closed client. */
static void fail_all(VbQmp *q, int r) {
        VbQmpSlot *s = TAKE_PTR(q->head);

        q->tail = NULL;
        q->n_slots = 0;
        while (s) {
                VbQmpSlot *next = s->next;
                if (s->cb)
                        s->cb(q, r, NULL, NULL, NULL, s->userdata);
                slot_free(s);
                s = next;
        }
}

/* Close the connection: fail pending commands, then tell the owner (unless freeing). */
static void qmp_close(VbQmp *q, int reason, bool notify) {
        if (q->state == QMP_CLOSED)
                return;
        q->state = QMP_CLOSED;
        q->io = sd_event_source_disable_unref(q->io);
        if (q->fd >= 0)
                close(TAKE_FD(q->fd));
        fail_all(q, reason == -ECANCELED ? -ECANCELED : -ECONNRESET);
        if (notify && q->on_disconnect)
                q->on_disconnect(q, reason, q->userdata);
}

VbQmp *vb_qmp_free(VbQmp *q) {
        /* A reply callback run by this very call may free again: that is a no-op. */
        if (!q || q->freed)
                return NULL;
        q->freed = true;
        /* The owner is done with it: no more callbacks to it except failing replies. */
        q->on_event = NULL;
        q->on_ready = NULL;
        q->on_disconnect = NULL;
        /* The owner's reference keeps q alive while the failing callbacks run (they
         * cannot drop it: a nested free returns above); then it is dropped. */
        qmp_close(q, -ECANCELED, false);
        qmp_unref(q);
        return NULL;
}

void vb_qmp_set_limits(VbQmp *q, size_t max_input, size_t max_pending) {
        if (max_input > 0)
                q->max_input = max_input;
        if (max_pending > 0)
                q->max_pending = max_pending;
}

bool vb_qmp_is_ready(const VbQmp *q) {
        return q && q->state == QMP_READY;
}

size_t vb_qmp_n_pending(const VbQmp *q) {
        return q ? q->n_slots : 0;
}

int vb_qmp_get_version(const VbQmp *q, unsigned *ret_major, unsigned *ret_minor,
                       unsigned *ret_micro, const char **ret_package) {
        if (!q || !q->have_version)
                return -ENODATA;
        if (ret_major)
                *ret_major = q->version[0];
        if (ret_minor)
                *ret_minor = q->version[1];
        if (ret_micro)
                *ret_micro = q->version[2];
        if (ret_package)
                *ret_package = strempty(q->package);
        return 0;
}

/* A slot may be written now: everything once ready, only the handshake before. */
static bool slot_writable(const VbQmp *q, const VbQmpSlot *s) {
        if (!s->msg)
                return false;
        if (q->state == QMP_READY)
                return true;
        return q->state == QMP_HANDSHAKE && s->id == q->handshake_id;
}

static bool want_output(const VbQmp *q) {
        for (const VbQmpSlot *s = q->head; s; s = s->next)
                if (slot_writable(q, s))
                        return true;
        return false;
}

static int update_events(VbQmp *q) {
        if (!q->io)
                return 0;
        return sd_event_source_set_io_events(q->io, EPOLLIN | (want_output(q) ? EPOLLOUT : 0));
}

/* Send (part of) one slot's message; the fds go with its first byte. Returns 1 when
 * the message is complete, 0 when the socket is full, or a negative errno. */
static int slot_send(VbQmp *q, VbQmpSlot *s) {
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * VB_QMP_MAX_FDS)];
        } control = {};
        struct iovec iov = { .iov_base = s->msg + s->off, .iov_len = s->len - s->off };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t n;

        if (s->off == 0 && s->n_fds > 0) {
                struct cmsghdr *c;
                mh.msg_control = control.buf;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * s->n_fds);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * s->n_fds);
                memcpy(CMSG_DATA(c), s->fds, sizeof(int) * s->n_fds);
        }
        n = sendmsg(q->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return 0;
                return errno == EPIPE ? -ECONNRESET : -errno;
        }
        if (s->off == 0) {
                for (size_t i = 0; i < s->n_fds; i++)
                        close(s->fds[i]);
                s->n_fds = 0;
        }
        s->off += (size_t) n;
        if (s->off < s->len)
                return 0;
        s->msg = (free(s->msg), NULL);
        return 1;
}

static int flush_output(VbQmp *q) {
        for (VbQmpSlot *s = q->head; s; s = s->next) {
                int r;
                if (!slot_writable(q, s))
                        continue;
                r = slot_send(q, s);
                if (r <= 0)
                        return r;
        }
        return 0;
}

/* Add v (taken) to o; a NULL v is an allocation failure. */
static int add_member(json_object *o, const char *key, json_object *v) {
        if (!v)
                return -ENOMEM;
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int slot_append(VbQmp *q, const char *cmd, json_object *args, const int *fds,
                       size_t n_fds, VbQmpReplyFn cb, void *userdata) {
        _cleanup_(json_putp) json_object *m = NULL;
        VbQmpSlot *s;
        const char *text;
        size_t len;

        m = json_object_new_object();
        if (!m || add_member(m, "execute", json_object_new_string(cmd)) < 0 ||
            (args && add_member(m, "arguments", json_object_get(args)) < 0) ||
            add_member(m, "id", json_object_new_int64(q->next_id)) < 0)
                return -ENOMEM;
        text = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!text)
                return -ENOMEM;
        len = strlen(text);
        if (len + 1 > VB_QMP_MAX_COMMAND_SIZE)
                return -E2BIG;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->msg = malloc(len + 1);
        if (!s->msg) {
                free(s);
                return -ENOMEM;
        }
        memcpy(s->msg, text, len);
        s->msg[len] = '\n';
        s->len = len + 1;
        for (; s->n_fds < n_fds; s->n_fds++) {
                s->fds[s->n_fds] = fcntl(fds[s->n_fds], F_DUPFD_CLOEXEC, 3);
                if (s->fds[s->n_fds] < 0) {
                        int r = -errno;
                        slot_free(s);
                        return r;
                }
        }
        s->id = q->next_id++;
        s->cb = cb;
        s->userdata = userdata;
        if (q->tail)
                q->tail->next = s;
        else
                q->head = s;
        q->tail = s;
        q->n_slots++;
        return 0;
}

int vb_qmp_command(VbQmp *q, const char *cmd, json_object *args,
                   const int *fds, size_t n_fds, VbQmpReplyFn cb, void *userdata) {
        _cleanup_(json_putp) json_object *a = args;
        int r;

        if (!q || isempty(cmd) || (n_fds > 0 && !fds))
                return -EINVAL;
        if (a && !json_object_is_type(a, json_type_object))
                return -EINVAL;
        if (q->state == QMP_CLOSED)
                return -ENOTCONN;
        if (n_fds > VB_QMP_MAX_FDS)
                return -E2BIG;
        if (q->n_slots >= q->max_pending)
                return -EBUSY;
        r = slot_append(q, cmd, a, fds, n_fds, cb, userdata);
        if (r < 0)
                return r;
        /* Written from the event loop only, so that no callback runs in here. */
        return update_events(q);
}

static VbQmpSlot *slot_take(VbQmp *q, int64_t id) {
        VbQmpSlot *prev = NULL;

        for (VbQmpSlot *s = q->head; s; prev = s, s = s->next) {
                if (s->id != id)
                        continue;
                if (s->msg)     /* a reply to a command not fully sent yet */
                        return NULL;
                if (prev)
                        prev->next = s->next;
                else
                        q->head = s->next;
                if (q->tail == s)
                        q->tail = prev;
                q->n_slots--;
                s->next = NULL;
                return s;
        }
        return NULL;
}

static int error_class_to_errno(const char *cls) {
        if (streq_ptr(cls, "CommandNotFound"))
                return -EOPNOTSUPP;
        if (streq_ptr(cls, "DeviceNotFound") || streq_ptr(cls, "DeviceNotActive"))
                return -ENODEV;
        return -EIO;
}

static const char *member_string(json_object *o, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static int handle_reply(VbQmp *q, json_object *msg) {
        json_object *id, *ret = NULL, *err = NULL;
        VbQmpSlot *s;

        if (!json_object_object_get_ex(msg, "id", &id) || !json_object_is_type(id, json_type_int))
                return -EPROTO;
        s = slot_take(q, json_object_get_int64(id));
        if (!s)
                return -EPROTO;

        if (json_object_object_get_ex(msg, "error", &err)) {
                const char *cls = json_object_is_type(err, json_type_object) ?
                                  member_string(err, "class") : NULL;
                const char *desc = json_object_is_type(err, json_type_object) ?
                                   member_string(err, "desc") : NULL;
                if (s->cb)
                        s->cb(q, error_class_to_errno(cls), NULL, cls ?: "GenericError",
                              strempty(desc), s->userdata);
        } else {
                json_object_object_get_ex(msg, "return", &ret);
                if (s->cb)
                        s->cb(q, 0, ret, NULL, NULL, s->userdata);
        }
        slot_free(s);
        return 0;
}

static uint64_t event_timestamp(json_object *msg) {
        json_object *ts, *sec, *usec;
        int64_t s, u;

        if (!json_object_object_get_ex(msg, "timestamp", &ts) ||
            !json_object_object_get_ex(ts, "seconds", &sec) ||
            !json_object_object_get_ex(ts, "microseconds", &usec))
                return 0;
        s = json_object_get_int64(sec);
        u = json_object_get_int64(usec);
        if (s < 0 || u < 0 || u >= 1000000 || (uint64_t) s > UINT64_MAX / 1000000 - 1)
                return 0;
        return (uint64_t) s * 1000000 + (uint64_t) u;
}

static void handle_event(VbQmp *q, json_object *msg, const char *name) {
        json_object *data = NULL;

        if (!q->on_event)
                return;
        json_object_object_get_ex(msg, "data", &data);
        q->on_event(q, name, data, event_timestamp(msg), q->userdata);
}

static void handshake_done(VbQmp *q, int r, json_object *ret, const char *err_class,
                           const char *err_desc, void *userdata) {
        if (r < 0) {
                /* Refused by QEMU; a no-op when called because the client is closing. */
                qmp_close(q, -EPROTO, true);
                return;
        }
        q->state = QMP_READY;
        if (q->on_ready)
                q->on_ready(q, q->userdata);
}

static void parse_version(VbQmp *q, json_object *qmp) {
        json_object *v, *qemu, *part;
        static const char *const keys[] = { "major", "minor", "micro" };

        q->have_version = true;
        if (!json_object_object_get_ex(qmp, "version", &v))
                return;
        if (json_object_object_get_ex(v, "qemu", &qemu))
                for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                        if (json_object_object_get_ex(qemu, keys[i], &part))
                                q->version[i] = (unsigned) json_object_get_int(part);
        (void) vb_strdup_replace(&q->package, member_string(v, "package"));
}

static int handle_greeting(VbQmp *q, json_object *msg) {
        json_object *qmp;
        int r;

        if (!json_object_object_get_ex(msg, "QMP", &qmp) ||
            !json_object_is_type(qmp, json_type_object))
                return -EPROTO;
        parse_version(q, qmp);
        q->handshake_id = q->next_id;
        r = slot_append(q, "qmp_capabilities", NULL, NULL, 0, handshake_done, NULL);
        if (r < 0)
                return r;
        q->state = QMP_HANDSHAKE;
        return 0;
}

static int handle_message(VbQmp *q, json_object *msg) {
        const char *name;

        if (!json_object_is_type(msg, json_type_object))
                return -EBADMSG;
        if (q->state == QMP_GREETING)
                return handle_greeting(q, msg);
        name = member_string(msg, "event");
        if (name) {
                handle_event(q, msg, name);
                return 0;
        }
        if (json_object_object_get_ex(msg, "return", NULL) ||
            json_object_object_get_ex(msg, "error", NULL))
                return handle_reply(q, msg);
        /* A message kind this client does not know: ignored, as the spec allows growth. */
        return 0;
}

/* Feed bytes to the tokener and dispatch every complete value. Stops early (returning
 * 0) when a callback closed the client. */
static int feed(VbQmp *q, const char *buf, size_t n) {
        while (n > 0 && q->state != QMP_CLOSED) {
                _cleanup_(json_putp) json_object *o = NULL;
                enum json_tokener_error jerr;
                size_t used;
                int r;

                o = json_tokener_parse_ex(q->tok, buf, (int) n);
                jerr = json_tokener_get_error(q->tok);
                if (jerr == json_tokener_continue) {
                        q->partial += n;
                        return q->partial > q->max_input ? -ENOBUFS : 0;
                }
                if (jerr != json_tokener_success)
                        return -EBADMSG;
                used = json_tokener_get_parse_end(q->tok);
                if (used == 0 || used > n)
                        return -EBADMSG;
                if (q->partial + used > q->max_input)
                        return -ENOBUFS;
                q->partial = 0;
                buf += used;
                n -= used;
                if (!o)         /* a bare JSON null */
                        return -EBADMSG;
                r = handle_message(q, o);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int read_input(VbQmp *q) {
        char buf[READ_CHUNK];
        ssize_t n;

        n = read(q->fd, buf, sizeof(buf));
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return 0;
                return -errno;
        }
        if (n == 0)
                return -ECONNRESET;
        return feed(q, buf, (size_t) n);
}

static int on_io(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        _cleanup_(qmp_unrefp) VbQmp *q = qmp_ref(userdata);
        int r = 0;

        if (revents & EPOLLOUT)
                r = flush_output(q);
        if (r >= 0 && q->state != QMP_CLOSED && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                r = read_input(q);
        if (r >= 0 && q->state != QMP_CLOSED)
                r = update_events(q);
        if (r < 0)
                qmp_close(q, r, true);
        return 0;
}

int vb_qmp_new(sd_event *e, int fd, VbQmpEventFn on_event, VbQmpReadyFn on_ready,
               VbQmpDisconnectFn on_disconnect, void *userdata, VbQmp **ret) {
        _cleanup_close_ int owned = fd;
        VbQmp *q;
        int flags, r;

        if (!e || fd < 0 || !ret)
                return -EINVAL;
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return -errno;
        q = calloc(1, sizeof(*q));
        if (!q)
                return -ENOMEM;
        *q = (VbQmp) {
                .n_ref = 1, .fd = -1, .state = QMP_GREETING,
                .max_input = VB_QMP_MAX_INPUT_DEFAULT,
                .max_pending = VB_QMP_MAX_PENDING_DEFAULT,
                .next_id = 1, .handshake_id = -1,
                .on_event = on_event, .on_ready = on_ready,
                .on_disconnect = on_disconnect, .userdata = userdata,
                .event = sd_event_ref(e),
        };
        q->tok = json_tokener_new_ex(TOKENER_DEPTH);
        if (!q->tok) {
                vb_qmp_free(q);
                return -ENOMEM;
        }
        /* Strict JSON, valid UTF-8, and the next message may follow in the same buffer. */
        json_tokener_set_flags(q->tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
                                       JSON_TOKENER_VALIDATE_UTF8);
        r = sd_event_add_io(e, &q->io, owned, EPOLLIN, on_io, q);
        if (r < 0) {
                vb_qmp_free(q);
                return r;
        }
        q->fd = TAKE_FD(owned);
        *ret = q;
        return 0;
}
