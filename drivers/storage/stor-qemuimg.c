/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <json-c/json.h>

#include "qemu/qemu-process.h"
#include "stor-qemuimg.h"
#include "util.h"

#define ERROR_TAIL 1024

struct VbStorCmd {
        VbQemuProc *proc;
        sd_event_source *io;
        int out;                        /* read end of the output pipe */
        char *buf;
        size_t n;
        bool cancelled;
        VbStorCmdProgress progress;
        VbStorCmdDone done;
        void *userdata;
};

static void cmd_free(VbStorCmd *c) {
        sd_event_source_disable_unref(c->io);
        vb_qemu_proc_free(c->proc);
        if (c->out >= 0)
                close(c->out);
        free(c->buf);
        free(c);
}

double vb_img_progress_parse(const char *s) {
        const char *p = s ? strrchr(s, '(') : NULL;
        double v;

        /* the last complete "(NN.NN/100%)" wins; an incomplete one at the end is skipped */
        while (p) {
                if (sscanf(p, "(%lf/100%%)", &v) == 1 && strstr(p, "/100%)"))
                        return v < 0 ? 0 : v > 100 ? 1.0 : v / 100.0;
                if (p == s)
                        break;
                p = memrchr(s, '(', (size_t) (p - s));
        }
        return -1;
}

/* Progress runs keep a rolling tail (the last words are the error, if any); others keep
 * the first OUTPUT_MAX bytes (qemu-img info's JSON). */
static void keep(VbStorCmd *c, const char *p, size_t k) {
        if (c->progress && c->n + k > ERROR_TAIL) {
                size_t drop = c->n + k - ERROR_TAIL;
                if (drop > c->n) {
                        p += drop - c->n;
                        k -= drop - c->n;
                        drop = c->n;
                }
                memmove(c->buf, c->buf + drop, c->n - drop);
                c->n -= drop;
        } else if (c->n + k > VB_STOR_CMD_OUTPUT_MAX)
                k = VB_STOR_CMD_OUTPUT_MAX - c->n;
        memcpy(c->buf + c->n, p, k);
        c->n += k;
        c->buf[c->n] = 0;
}

static void drain(VbStorCmd *c) {
        char tmp[4096];
        ssize_t k;

        while ((k = read(c->out, tmp, sizeof(tmp))) > 0) {
                keep(c, tmp, (size_t) k);
                if (c->progress) {
                        double f = vb_img_progress_parse(c->buf);
                        if (f >= 0)
                                c->progress(c, f, c->userdata);
                }
        }
}

static int on_output(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        drain(userdata);
        return 0;
}

static char *error_text(VbStorCmd *c) {
        char *t = c->buf, *nl;
        size_t n = c->n;

        while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
                t[--n] = 0;
        if (n > ERROR_TAIL)
                t += n - ERROR_TAIL;
        /* progress lines end in \r: only what follows the last one is the message */
        nl = strrchr(t, '\r');
        t = nl ? nl + 1 : t;
        return n > 0 && *t ? t : (char *) "qemu-img failed";
}

static void on_exit_cb(VbQemuProc *p, const siginfo_t *si, void *userdata) {
        VbStorCmd *c = userdata;
        int r;

        c->proc = vb_qemu_proc_free(c->proc);
        drain(c);
        if (c->cancelled)
                r = -ECANCELED;
        else
                r = si && si->si_code == CLD_EXITED && si->si_status == 0 ? 0 : -EIO;
        c->done(c, r, r == -EIO ? error_text(c) : c->buf, c->userdata);
        cmd_free(c);
}

int vb_stor_cmd_run(sd_event *event, char *const *argv, const int *fds, size_t n_fds,
                    VbStorCmdProgress progress, VbStorCmdDone done, void *userdata,
                    VbStorCmd **ret, VbError *e) {
        _cleanup_close_ int wr = -1;
        int pipefd[2], r;
        VbStorCmd *c;

        c = calloc(1, sizeof(*c));
        if (!c)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        *c = (VbStorCmd) { .out = -1, .progress = progress, .done = done, .userdata = userdata };
        c->buf = malloc(VB_STOR_CMD_OUTPUT_MAX + 1);
        if (!c->buf || pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0) {
                cmd_free(c);
                return vb_error_set(e, VB_ERR_INTERNAL, "cannot run qemu-img: %s", strerror(errno));
        }
        c->buf[0] = 0;
        c->out = pipefd[0];
        wr = pipefd[1];
        r = sd_event_add_io(event, &c->io, c->out, EPOLLIN, on_output, c);
        if (r < 0) {
                cmd_free(c);
                return vb_error_set(e, VB_ERR_INTERNAL, "cannot watch qemu-img: %s", strerror(-r));
        }
        r = vb_qemu_proc_spawn_fds(event, argv, wr, fds, n_fds, on_exit_cb, c, &c->proc, e);
        if (r < 0) {
                cmd_free(c);
                return r;
        }
        if (ret)
                *ret = c;
        return 0;
}

void vb_stor_cmd_cancel(VbStorCmd *c) {
        if (!c || !c->proc || c->cancelled)
                return;
        c->cancelled = true;
        (void) kill(vb_qemu_proc_pid(c->proc), SIGKILL);
}

void vb_stor_cmd_abandon(VbStorCmd *c) {
        if (!c)
                return;
        if (c->proc)
                (void) kill(vb_qemu_proc_pid(c->proc), SIGKILL);
        cmd_free(c);
}

/* ---- qemu-img info --output=json ---- */

void vb_img_info_clear(VbImgInfo *i) {
        free(i->backing);
        free(i->backing_format);
        *i = (VbImgInfo) { 0 };
}

static bool get_u64(json_object *o, const char *key, uint64_t *ret) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return false;
        if (json_object_get_int64(v) < 0)
                return false;
        *ret = json_object_get_uint64(v);
        return true;
}

static char *get_str(json_object *o, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return vb_strdup(json_object_get_string(v));
}

int vb_img_info_parse(const char *json, VbImgInfo *ret) {
        _cleanup_free_ char *format = NULL;
        json_object *o = json ? json_tokener_parse(json) : NULL;
        VbImgInfo i = { 0 };
        int r = -EBADMSG;

        if (!o || !json_object_is_type(o, json_type_object))
                goto out;
        format = get_str(o, "format");
        if (!format || strlen(format) >= sizeof(i.format) || !get_u64(o, "virtual-size", &i.virtual_size))
                goto out;
        strcpy(i.format, format);
        (void) get_u64(o, "actual-size", &i.actual_size);   /* absent on some protocols */
        i.backing = get_str(o, "backing-filename");
        i.backing_format = get_str(o, "backing-filename-format");
        *ret = i;
        r = 0;
out:
        json_object_put(o);
        return r;
}
