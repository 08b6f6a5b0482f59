/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runtime status files (JSON) and atomic file writes for the QEMU driver. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <stdio.h>
#include <sys/stat.h>

#include "qemu-status.h"

static inline void json_putp(json_object **o) { json_object_put(*o); }

VbQemuStatus *vb_qemu_status_free(VbQemuStatus *s) {
        if (!s)
                return NULL;
        free(s->name);
        free(s->monitor);
        free(s->run_dir);
        free(s->xml);
        free(s);
        return NULL;
}

static int write_all(int fd, const char *data, size_t len) {
        while (len > 0) {
                ssize_t n = write(fd, data, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                data += n;
                len -= (size_t) n;
        }
        return 0;
}

static int fsync_parent(const char *path) {
        _cleanup_free_ char *copy = vb_strdup(path);
        _cleanup_close_ int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return fsync(fd) < 0 ? -errno : 0;
}

int vb_qemu_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode) {
        _cleanup_free_ char *tmp = vb_strdupf("%s.XXXXXX", path);
        _cleanup_close_ int fd = -1;
        int r;

        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = write_all(fd, data, len);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlink(tmp);
                return r;
        }
        return fsync_parent(path);
}

int vb_qemu_read_file(const char *path, size_t max, char **ret) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *buf = NULL;
        size_t n = 0, size;
        struct stat st;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if ((uint64_t) st.st_size > max)
                return -EFBIG;
        /* Sized for the file as it is (+1 to see EOF; /proc files say 0): a buffer of @max
         * for every config read at start made malloc consolidate its heap once per file. */
        size = st.st_size > 0 ? (size_t) st.st_size + 1 : 4096;
        for (;;) {
                ssize_t k;

                if (n == size || !buf) {
                        char *b;

                        if (buf)
                                size = size > max - size ? max + 1 : size * 2;
                        b = realloc(buf, size + 1);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                }
                k = read(fd, buf + n, size - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > max)
                        return -EFBIG;
        }
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

int vb_qemu_mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *p = vb_strdup(path);

        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = 0;
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int vb_qemu_rm_dir_flat(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((de = readdir(d)))
                if (de->d_type != DT_DIR)
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
        return rmdir(dir) < 0 && errno != ENOENT ? -errno : 0;
}

/* ---- directory listings ---- */

static int entry_cmp(const void *a, const void *b) {
        return strcmp(((const VbQemuDirEntry *) a)->name, ((const VbQemuDirEntry *) b)->name);
}

int vb_qemu_dir_list(const char *path, VbQemuDirList *ret) {
        DIR *d = opendir(path);
        VbQemuDirList l = { 0 };
        size_t alloc = 0;
        struct dirent *de;
        int r = 0;

        *ret = (VbQemuDirList) { 0 };
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (l.n == alloc) {
                        size_t m = alloc ? alloc * 2 : 64;
                        VbQemuDirEntry *e = reallocarray(l.entries, m, sizeof(*e));
                        if (!e) {
                                r = -ENOMEM;
                                break;
                        }
                        l.entries = e;
                        alloc = m;
                }
                l.entries[l.n].name = strdup(de->d_name);
                if (!l.entries[l.n].name) {
                        r = -ENOMEM;
                        break;
                }
                l.entries[l.n++].type = de->d_type;
        }
        closedir(d);
        if (r < 0) {
                vb_qemu_dir_list_done(&l);
                return r;
        }
        if (l.n > 1)
                qsort(l.entries, l.n, sizeof(*l.entries), entry_cmp);
        *ret = l;
        return 0;
}

bool vb_qemu_dir_list_has(const VbQemuDirList *l, const char *name) {
        VbQemuDirEntry key = { .name = (char *) name };
        return l->n > 0 && bsearch(&key, l->entries, l->n, sizeof(*l->entries), entry_cmp);
}

void vb_qemu_dir_list_done(VbQemuDirList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->entries[i].name);
        free(l->entries);
        *l = (VbQemuDirList) { 0 };
}

int vb_qemu_read_file_at(int dirfd, const char *name, size_t max, char **buf, size_t *size) {
        /* NOFOLLOW and NONBLOCK: the caller saw a regular file; if something else took its
         * place since, fail rather than follow a link or wait on a FIFO */
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        size_t n = 0;

        if (fd < 0)
                return -errno;
        for (;;) {
                size_t want;
                ssize_t k;

                if (n == *size) {
                        size_t m = *size ? *size * 2 : 16384;
                        char *b;

                        if (*size > max)
                                return -EFBIG;
                        b = realloc(*buf, m + 1);
                        if (!b)
                                return -ENOMEM;
                        *buf = b;
                        *size = m;
                }
                want = *size - n;
                k = read(fd, *buf + n, want);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return errno == EAGAIN ? -EBADFD : -errno;
                n += (size_t) k;
                /* A regular file returns less than asked only at its end: no second read
                 * to see 0 (one system call less per config at start). */
                if ((size_t) k < want)
                        break;
        }
        if (n > max)
                return -EFBIG;
        (*buf)[n] = 0;
        return 0;
}

/* ---- status files ---- */

static char *status_path(const char *dir, const char *name) {
        return vb_strdupf("%s/%s.status", dir, name);
}

static json_object *status_to_json(const VbQemuStatus *s) {
        json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        json_object_object_add(o, "name", json_object_new_string(s->name));
        json_object_object_add(o, "pid", json_object_new_int64(s->pid));
        json_object_object_add(o, "start-time", json_object_new_uint64(s->start_time));
        json_object_object_add(o, "monitor", json_object_new_string(strempty(s->monitor)));
        json_object_object_add(o, "run-dir", json_object_new_string(strempty(s->run_dir)));
        json_object_object_add(o, "id", json_object_new_int(s->id));
        json_object_object_add(o, "state", json_object_new_int(s->state));
        json_object_object_add(o, "reason", json_object_new_int(s->reason));
        json_object_object_add(o, "starting", json_object_new_boolean(s->starting));
        json_object_object_add(o, "got-shutdown", json_object_new_boolean(s->got_shutdown));
        json_object_object_add(o, "xml", json_object_new_string(strempty(s->xml)));
        return o;
}

int vb_qemu_status_write(const char *dir, const VbQemuStatus *s, VbError *e) {
        _cleanup_(json_putp) json_object *o = status_to_json(s);
        _cleanup_free_ char *path = status_path(dir, s->name);
        const char *text;
        size_t len;
        int r;

        if (!o)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
        if (!text)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        r = vb_qemu_write_file_atomic(path, text, len, 0600);
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot write status file %s: %s",
                                    path, strerror(-r));
        return 0;
}

static const char *get_str(json_object *o, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static bool get_int(json_object *o, const char *key, int64_t *ret) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return false;
        *ret = json_object_get_int64(v);
        return true;
}

static bool get_bool(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_boolean) &&
               json_object_get_boolean(v);
}

static int status_from_json(json_object *o, VbQemuStatus *s) {
        int64_t pid, start, id, state = 0, reason = 0;
        const char *name = get_str(o, "name"), *mon = get_str(o, "monitor"), *xml = get_str(o, "xml");

        if (!name || !mon || !xml || !get_int(o, "pid", &pid) || !get_int(o, "start-time", &start) ||
            !get_int(o, "id", &id) || pid <= 1 || pid > INT32_MAX || id < 0 || id > INT32_MAX)
                return -EBADMSG;
        (void) get_int(o, "state", &state);
        (void) get_int(o, "reason", &reason);
        s->name = vb_strdup(name);
        s->monitor = vb_strdup(mon);
        s->run_dir = vb_strdup(get_str(o, "run-dir"));
        s->xml = vb_strdup(xml);
        s->pid = (pid_t) pid;
        s->start_time = (uint64_t) start;
        s->id = (int) id;
        s->state = (int) state;
        s->reason = (int) reason;
        s->starting = get_bool(o, "starting");
        s->got_shutdown = get_bool(o, "got-shutdown");
        return 0;
}

int vb_qemu_status_read(const char *path, VbQemuStatus **ret, VbError *e) {
        _cleanup_(vb_qemu_status_freep) VbQemuStatus *s = NULL;
        _cleanup_(json_putp) json_object *o = NULL;
        _cleanup_free_ char *text = NULL;
        int r;

        r = vb_qemu_read_file(path, VB_QEMU_STATUS_MAX, &text);
        if (r < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot read %s: %s", path, strerror(-r));
        o = json_tokener_parse(text);
        s = calloc(1, sizeof(*s));
        if (!s)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (!o || !json_object_is_type(o, json_type_object) || status_from_json(o, s) < 0)
                return vb_error_set(e, VB_ERR_INTERNAL, "%s is not a QEMU status file", path);
        *ret = TAKE_PTR(s);
        return 0;
}

int vb_qemu_status_remove(const char *dir, const char *name) {
        _cleanup_free_ char *path = status_path(dir, name);
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

/* <run_dir> is not a tmpfs under --root, so the marker holds the kernel's boot id
 * instead of relying on /run being emptied at boot. */
bool vb_qemu_autostart_due(const char *run_dir) {
        _cleanup_free_ char *boot = NULL, *seen = NULL, *marker = NULL;
        int r;

        if (vb_qemu_read_file("/proc/sys/kernel/random/boot_id", 64, &boot) < 0)
                return true;
        boot[strcspn(boot, "\n")] = '\0';
        marker = vb_strdupf("%s/autostarted", run_dir);
        if (!marker)
                return true;
        if (vb_qemu_read_file(marker, 64, &seen) >= 0) {
                seen[strcspn(seen, "\n")] = '\0';
                if (streq(seen, boot))
                        return false;
        }
        r = vb_qemu_write_file_atomic(marker, boot, strlen(boot), 0600);
        if (r < 0)
                fprintf(stderr, "virtbusd: cannot write %s: %s\n", marker, strerror(-r));
        return true;
}
