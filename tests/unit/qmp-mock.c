/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mock QMP monitor replaying transcripts; see qmp-mock.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>

#include "qmp-mock.h"
#include "util.h"
#include "xml-util.h"

_printf_(2, 3) static void mock_fail(QmpMock *m, const char *fmt, ...) {
        va_list ap;

        if (m->failure[0])
                return;
        va_start(ap, fmt);
        vsnprintf(m->failure, sizeof(m->failure), fmt, ap);
        va_end(ap);
}

void qmp_mock_add_line(QmpMock *m, const char *line) {
        m->lines = realloc(m->lines, sizeof(char *) * (m->n_lines + 1));
        if (!m->lines)
                abort();
        m->lines[m->n_lines++] = vb_strdup(line);
}

/* @line with every placeholder of m->subst replaced. */
static char *subst_line(const QmpMock *m, const char *line) {
        VbBuf b = { 0 };

        while (*line) {
                size_t i = 0;

                for (; m->subst && m->subst[i]; i += 2)
                        if (strncmp(line, m->subst[i], strlen(m->subst[i])) == 0)
                                break;
                if (m->subst && m->subst[i]) {
                        vb_buf_puts(&b, m->subst[i + 1]);
                        line += strlen(m->subst[i]);
                } else
                        vb_buf_add(&b, line++, 1);
        }
        return b.len > 0 ? vb_buf_steal(&b) : vb_strdup("");
}

static int load(QmpMock *m, const char *name) {
        _cleanup_free_ char *path = vb_strdupf("tests/data/qmp/%s.txt", name);
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        ssize_t l;
        FILE *f = fopen(path, "re");

        if (!f)
                return -errno;
        while ((l = getline(&line, &cap, f)) >= 0) {
                while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
                        line[--l] = 0;
                if (l == 0 || line[0] == '#')
                        continue;
                if (m->subst) {
                        _cleanup_free_ char *t = subst_line(m, line);
                        qmp_mock_add_line(m, t);
                } else
                        qmp_mock_add_line(m, line);
        }
        fclose(f);
        return 0;
}

static void out_append(QmpMock *m, const char *s, size_t n) {
        m->out = realloc(m->out, m->out_len + n);
        if (!m->out)
                abort();
        memcpy(m->out + m->out_len, s, n);
        m->out_len += n;
}

/* A reply gets the id of a command the client sent. */
static char *server_text(QmpMock *m, const char *text) {
        json_object *o = json_tokener_parse(text), *id;
        size_t idx = 0;
        char *res;

        if (!o || !json_object_is_type(o, json_type_object) ||
            (!json_object_object_get_ex(o, "return", NULL) &&
             !json_object_object_get_ex(o, "error", NULL))) {
                json_object_put(o);
                return vb_strdup(text);
        }
        if (json_object_object_get_ex(o, "id", &id) && json_object_is_type(id, json_type_string) &&
            json_object_get_string(id)[0] == '@')
                idx = (size_t) atoi(json_object_get_string(id) + 1) - 1;
        if (m->n_ids == 0 && json_object_object_get_ex(o, "id", &id) &&
            json_object_is_type(id, json_type_int)) {
                /* Nothing to answer and a literal id: sent as written (protocol errors). */
                json_object_put(o);
                return vb_strdup(text);
        }
        if (idx >= m->n_ids) {
                mock_fail(m, "reply '%s' has no command to answer", text);
                json_object_put(o);
                return vb_strdup(text);
        }
        json_object_object_add(o, "id", m->ids[idx]);
        memmove(m->ids + idx, m->ids + idx + 1, sizeof(m->ids[0]) * (m->n_ids - idx - 1));
        m->n_ids--;
        res = vb_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        return res;
}

static void update(QmpMock *m) {
        if (m->src)
                sd_event_source_set_io_events(m->src, EPOLLIN |
                                              (m->out_off < m->out_len ? EPOLLOUT : 0));
}

static void mock_close(QmpMock *m) {
        m->src = sd_event_source_disable_unref(m->src);
        if (m->fd >= 0)
                close(TAKE_FD(m->fd));
}

static void match_command(QmpMock *m, json_object *o, const char *l) {
        json_object *want, *id = NULL, *mine = NULL;

        want = json_tokener_parse(l + 3);
        if (json_object_object_get_ex(o, "id", &id) && m->n_ids < ELEMENTSOF(m->ids))
                m->ids[m->n_ids++] = json_object_get(id);
        else
                mock_fail(m, "command without id: %s", json_object_to_json_string(o));
        json_object_deep_copy(o, &mine, NULL);
        json_object_object_del(mine, "id");
        json_object_object_del(want, "id");
        if (!want || !json_object_equal(mine, want))
                mock_fail(m, "client sent %s, transcript says %s",
                          json_object_to_json_string(mine), l + 3);
        json_object_put(mine);
        json_object_put(want);
        m->n_commands++;
}

/* Advance until a C line with no command received yet, or the end. */
static void step(QmpMock *m) {
        while (m->pos < m->n_lines && m->out_off == m->out_len) {
                const char *l = m->lines[m->pos];
                if (strncmp(l, "S: ", 3) == 0) {
                        do {
                                _cleanup_free_ char *t = server_text(m, m->lines[m->pos] + 3);
                                out_append(m, t, strlen(t));
                                out_append(m, "\n", 1);
                                m->pos++;
                        } while (m->coalesce && m->pos < m->n_lines &&
                                 strncmp(m->lines[m->pos], "S: ", 3) == 0);
                } else if (streq(l, "CLOSE")) {
                        mock_close(m);
                        m->pos++;
                } else if (strncmp(l, "C: ", 3) == 0) {
                        json_object *o;
                        if (m->n_received == 0)
                                break;
                        o = m->received[0];
                        memmove(m->received, m->received + 1, sizeof(o) * --m->n_received);
                        match_command(m, o, l);
                        json_object_put(o);
                        m->pos++;
                } else {
                        mock_fail(m, "bad transcript line '%s'", l);
                        m->pos = m->n_lines;
                }
        }
        if (m->pos == m->n_lines && m->out_off == m->out_len)
                m->done = true;
        if (m->done && m->n_received > 0)
                mock_fail(m, "command after the transcript's end: %s",
                          json_object_to_json_string(m->received[0]));
        update(m);
}

static void got_command(QmpMock *m, json_object *o) {
        if (m->n_received >= ELEMENTSOF(m->received)) {
                mock_fail(m, "too many commands queued");
                return;
        }
        m->received[m->n_received++] = json_object_get(o);
        step(m);
}

static void mock_read(QmpMock *m) {
        char buf[65536];
        union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int) * 16)]; } ctl;
        struct iovec iov = { buf, sizeof(buf) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                             .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
        ssize_t n = recvmsg(m->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        size_t off = 0;

        if (n < 0 && errno == EAGAIN)
                return;
        if (n <= 0) {
                mock_close(m);
                return;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        for (size_t i = 0; i < k && m->n_fds < ELEMENTSOF(m->fds); i++)
                                memcpy(&m->fds[m->n_fds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                }
        while (off < (size_t) n && m->fd >= 0) {
                json_object *o = json_tokener_parse_ex(m->tok, buf + off, (int) (n - off));
                if (json_tokener_get_error(m->tok) == json_tokener_continue)
                        return;
                if (!o) {
                        mock_fail(m, "client sent invalid JSON");
                        return;
                }
                off += json_tokener_get_parse_end(m->tok);
                got_command(m, o);
                json_object_put(o);
        }
}

static int mock_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        QmpMock *m = userdata;

        if ((revents & EPOLLOUT) && m->out_off < m->out_len) {
                size_t n = m->out_len - m->out_off;
                ssize_t w;
                if (m->chunk > 0 && n > m->chunk)
                        n = m->chunk;
                w = send(fd, m->out + m->out_off, n, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN) {
                        mock_fail(m, "mock write failed");
                        mock_close(m);
                        return 0;
                }
                if (w > 0)
                        m->out_off += (size_t) w;
                if (m->out_off == m->out_len) {
                        m->out_off = m->out_len = 0;
                        step(m);
                        return 0;
                }
        } else if (revents & EPOLLOUT)
                step(m);
        if (m->fd >= 0 && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                mock_read(m);
        update(m);
        return 0;
}

int qmp_mock_start(QmpMock *m, sd_event *e, const char *name, int mock_fd) {
        int r;

        m->event = e;
        m->fd = mock_fd;
        m->tok = json_tokener_new();
        r = load(m, name);
        if (r < 0)
                return r;
        r = sd_event_add_io(e, &m->src, mock_fd, EPOLLIN, mock_io, m);
        if (r < 0)
                return r;
        /* Start from the loop, so that lines added after start are seen. */
        return sd_event_source_set_io_events(m->src, EPOLLIN | EPOLLOUT);
}

void qmp_mock_done(QmpMock *m) {
        mock_close(m);
        for (size_t i = 0; i < m->n_lines; i++)
                free(m->lines[i]);
        free(m->lines);
        free(m->out);
        for (size_t i = 0; i < m->n_ids; i++)
                json_object_put(m->ids[i]);
        for (size_t i = 0; i < m->n_received; i++)
                json_object_put(m->received[i]);
        for (size_t i = 0; i < m->n_fds; i++)
                close(m->fds[i]);
        json_tokener_free(m->tok);
        *m = (QmpMock) { .fd = -1 };
}
