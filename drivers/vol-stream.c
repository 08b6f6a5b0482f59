/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-event.h>

#include "vol-stream.h"

static inline uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

typedef enum PeerKind { PEER_FILE, PEER_PIPE, PEER_SOCKET } PeerKind;

typedef struct VolStream {
        VbJob *job;
        VbVolObj *vol;
        VbVolStreamDir dir;
        int peer, vol_fd;
        PeerKind kind;
        uint64_t offset;        /* in the volume */
        uint64_t total;         /* bytes to copy (upload until EOF: at most this) */
        bool until_eof;
        uint64_t done;          /* bytes through to the other side */
        uint64_t read;          /* download: bytes read from the volume */
        uint8_t *buf;
        size_t buf_pos, buf_len;
        sd_event_source *source;
        VbVolStreamEnd end;
        void *userdata;
} VolStream;

static void stream_free(VolStream *s) {
        sd_event_source_disable_unref(s->source);
        if (s->peer >= 0)
                close(s->peer);
        if (s->vol_fd >= 0)
                close(s->vol_fd);
        free(s->buf);
        free(s);
}

/* The one way out: releases the volume, ends the job (Finished), frees everything.
 * Returns -1 ("@s is gone") for the chunk functions. */
static int stream_end(VolStream *s, int r, const VbError *e) {
        VbJob *j = s->job;

        j->priv = NULL;
        s->end(s->userdata, r);
        if (r >= 0)
                vb_job_progress(j, s->done, s->done);   /* the real size of an until-EOF upload */
        vb_job_finish(j, r, e);
        stream_free(s);
        return -1;
}

static int stream_fail(VolStream *s, VbErrorCode code, const char *fmt, ...) _printf_(3, 4);
static int stream_fail(VolStream *s, VbErrorCode code, const char *fmt, ...) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        vb_error_set(&e, code, "%s", msg ? msg : "stream failed");
        return stream_end(s, -EIO, &e);
}

static ssize_t peer_read(VolStream *s, void *p, size_t n) {
        return s->kind == PEER_SOCKET ? recv(s->peer, p, n, MSG_DONTWAIT) : read(s->peer, p, n);
}

static ssize_t peer_write(VolStream *s, const void *p, size_t n) {
        return s->kind == PEER_SOCKET ? send(s->peer, p, n, MSG_DONTWAIT | MSG_NOSIGNAL) : write(s->peer, p, n);
}

static int vol_write_all(VolStream *s, size_t n) {
        for (size_t w = 0; w < n;) {
                ssize_t k = pwrite(s->vol_fd, s->buf + w, n - w, (off_t) (s->offset + s->done + w));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EIO;
                w += (size_t) k;
        }
        return 0;
}

/* One chunk from the caller into the volume: 1 = more to do, 0 = waiting, -1 = ended. */
static int upload_chunk(VolStream *s) {
        size_t want = s->done == s->total ? 1 : (size_t) min_u64(VB_VOL_STREAM_CHUNK, s->total - s->done);
        ssize_t n;
        int r;

        if (s->done == s->total && !s->until_eof)
                return stream_end(s, 0, NULL);   /* length 0 at the end of the volume */
        n = peer_read(s, s->buf, want);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return errno == EINTR;
        if (n < 0)
                return stream_fail(s, VB_ERR_OPERATION_FAILED, "cannot read the data for volume '%s': %s",
                                   s->vol->name, strerror(errno));
        if (n == 0) {
                if (s->until_eof)
                        return stream_end(s, 0, NULL);
                return stream_fail(s, VB_ERR_OPERATION_FAILED,
                                   "the stream for volume '%s' ended after %" PRIu64 " of %" PRIu64 " bytes",
                                   s->vol->name, s->done, s->total);
        }
        if (s->done == s->total)
                return stream_fail(s, VB_ERR_INVALID_ARG,
                                   "more data than fits in volume '%s' (%" PRIu64 " bytes from offset %" PRIu64 ")",
                                   s->vol->name, s->total, s->offset);
        r = vol_write_all(s, (size_t) n);
        if (r < 0)
                return stream_fail(s, VB_ERR_OPERATION_FAILED, "cannot write to volume '%s': %s",
                                   s->vol->name, strerror(-r));
        s->done += (uint64_t) n;
        vb_job_progress(s->job, s->done, s->job->bytes_total > s->done ? s->job->bytes_total : s->done);
        /* done now: no more readiness may come if the caller keeps its end open */
        return !s->until_eof && s->done == s->total ? stream_end(s, 0, NULL) : 1;
}

/* One chunk from the volume to the caller: 1 = more to do, 0 = waiting, -1 = ended. */
static int download_chunk(VolStream *s) {
        ssize_t n;

        if (s->buf_pos == s->buf_len) {
                size_t want = (size_t) min_u64(VB_VOL_STREAM_CHUNK, s->total - s->read);
                if (want == 0)
                        return stream_end(s, 0, NULL);
                n = pread(s->vol_fd, s->buf, want, (off_t) (s->offset + s->read));
                if (n <= 0)
                        return stream_fail(s, VB_ERR_OPERATION_FAILED, "cannot read volume '%s': %s",
                                           s->vol->name, n < 0 ? strerror(errno) : "unexpected end");
                s->read += (uint64_t) n;
                s->buf_pos = 0;
                s->buf_len = (size_t) n;
        }
        n = peer_write(s, s->buf + s->buf_pos, s->buf_len - s->buf_pos);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return errno == EINTR;
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
                return stream_fail(s, VB_ERR_OPERATION_FAILED, "the receiving end of the stream of volume '%s' "
                                   "was closed after %" PRIu64 " bytes", s->vol->name, s->done);
        if (n < 0)
                return stream_fail(s, VB_ERR_OPERATION_FAILED, "cannot write the data of volume '%s': %s",
                                   s->vol->name, strerror(errno));
        s->buf_pos += (size_t) n;
        s->done += (uint64_t) n;
        vb_job_progress(s->job, s->done, s->total);
        return s->done == s->total ? stream_end(s, 0, NULL) : 1;
}

static int stream_run(VolStream *s) {
        for (unsigned i = 0; i < VB_VOL_STREAM_CHUNKS_PER_RUN; i++) {
                int r = s->dir == VB_VOL_UPLOAD ? upload_chunk(s) : download_chunk(s);
                if (r <= 0)
                        return 0;   /* waiting for the fd, or @s is gone */
        }
        return 0;
}

static int on_io(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        return stream_run(userdata);
}

static int on_defer(sd_event_source *src, void *userdata) {
        return stream_run(userdata);
}

static int stream_cancel(VbJob *j, VbError *e) {
        VolStream *s = j->priv;
        _cleanup_vb_error_ VbError c = VB_ERROR_NULL;

        if (!s)
                return 0;
        vb_error_set(&c, VB_ERR_OPERATION_ABORTED, "%s of volume '%s' was cancelled after %" PRIu64 " bytes",
                     s->dir == VB_VOL_UPLOAD ? "upload" : "download", s->vol->name, s->done);
        (void) stream_end(s, -ECANCELED, &c);
        return 0;
}

/* A copy of the caller's fd we may make non-blocking: pipes and character devices are
 * reopened (a description of our own, so the caller's stays as it was), sockets get
 * MSG_DONTWAIT per call, regular files never block. */
static int peer_take(int fd, VbVolStreamDir dir, int *ret, PeerKind *ret_kind, VbError *e) {
        bool up = dir == VB_VOL_UPLOAD;
        struct stat st;
        int fl, copy;

        if (fd < 0 || fstat(fd, &st) < 0 || (fl = fcntl(fd, F_GETFL)) < 0)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "invalid file descriptor for the stream");
        if ((fl & O_PATH) || (fl & O_ACCMODE) == (up ? O_WRONLY : O_RDONLY))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "the file descriptor is not open for %s",
                                    up ? "reading" : "writing");
        if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISSOCK(st.st_mode))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "the file descriptor must be a regular file, "
                                    "a pipe, a socket or a character device");
        *ret_kind = S_ISREG(st.st_mode) ? PEER_FILE : S_ISSOCK(st.st_mode) ? PEER_SOCKET : PEER_PIPE;
        copy = -1;
        if (*ret_kind == PEER_PIPE) {
                char proc[64];
                snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
                copy = open(proc, (up ? O_RDONLY : O_WRONLY) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        }
        if (copy < 0)
                copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (copy < 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "cannot duplicate the stream's file descriptor: %s",
                                    strerror(errno));
        /* reopening failed (e.g. no permission): share the caller's description after all */
        if (*ret_kind == PEER_PIPE && !(fcntl(copy, F_GETFL) & O_NONBLOCK))
                (void) fcntl(copy, F_SETFL, fcntl(copy, F_GETFL) | O_NONBLOCK);
        *ret = copy;
        return 0;
}

/* How much an until-EOF upload from a regular file will bring: its size past the
 * current position (for the progress bar), else everything that fits. */
static uint64_t upload_expected(int peer, PeerKind kind, uint64_t room) {
        struct stat st;
        off_t pos;

        if (kind != PEER_FILE || fstat(peer, &st) < 0 || (pos = lseek(peer, 0, SEEK_CUR)) < 0 ||
            st.st_size <= pos)
                return room;
        return min_u64(room, (uint64_t) (st.st_size - pos));
}

static int check_range(VbVolObj *v, uint64_t capacity, uint64_t offset, uint64_t length, VbError *e) {
        if (offset > capacity)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "offset %" PRIu64 " is beyond the end of volume "
                                    "'%s' (capacity %" PRIu64 " bytes)", offset, v->name, capacity);
        if (length > capacity - offset)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "offset %" PRIu64 " + length %" PRIu64
                                    " exceed the capacity of volume '%s' (%" PRIu64 " bytes)",
                                    offset, length, v->name, capacity);
        return 0;
}

static int stream_watch(VolStream *s, VbError *e) {
        sd_event *event = NULL;
        int r = sd_event_default(&event);

        if (r >= 0 && s->kind != PEER_FILE)
                r = sd_event_add_io(event, &s->source, s->peer, s->dir == VB_VOL_UPLOAD ? EPOLLIN : EPOLLOUT,
                                    on_io, s);
        else if (r >= 0) {
                /* epoll cannot watch regular files: copy when the loop has nothing else to do */
                r = sd_event_add_defer(event, &s->source, on_defer, s);
                if (r >= 0)
                        r = sd_event_source_set_priority(s->source, SD_EVENT_PRIORITY_IDLE);
                if (r >= 0)
                        r = sd_event_source_set_enabled(s->source, SD_EVENT_ON);
        }
        sd_event_unref(event);
        if (r < 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "cannot watch the stream: %s", strerror(-r));
        return 0;
}

int vb_vol_stream_start(VbVolObj *v, const char *operation, VbVolStreamDir dir, int peer_fd, int vol_fd,
                        uint64_t capacity, uint64_t offset, uint64_t length, VbVolStreamEnd end,
                        void *userdata, VbJob **ret, VbError *e) {
        VolStream *s;
        int r;

        r = vb_vol_require_idle(v, e);
        if (r < 0)
                return r;
        r = check_range(v, capacity, offset, length, e);
        if (r < 0)
                return r;
        s = calloc(1, sizeof(*s));
        if (!s)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        *s = (VolStream) { .vol = v, .dir = dir, .peer = -1, .offset = offset, .end = end,
                           .userdata = userdata, .until_eof = dir == VB_VOL_UPLOAD && length == 0,
                           .total = length ? length : capacity - offset };
        s->buf = malloc(VB_VOL_STREAM_CHUNK);
        s->vol_fd = fcntl(vol_fd, F_DUPFD_CLOEXEC, 3);
        if (!s->buf || s->vol_fd < 0)
                r = vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (r >= 0)
                r = peer_take(peer_fd, dir, &s->peer, &s->kind, e);
        if (r >= 0)
                r = stream_watch(s, e);
        if (r >= 0)
                r = vb_job_new(v->pool->conn, operation, VB_KIND_VOL, v,
                               s->until_eof ? upload_expected(s->peer, s->kind, s->total) : s->total,
                               stream_cancel, &s->job, e);
        if (r < 0) {
                stream_free(s);
                return r;
        }
        s->job->priv = s;
        v->job = s->job;
        *ret = s->job;
        return 0;
}
