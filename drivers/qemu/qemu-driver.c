/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QEMU driver ("QEMU", /org/libvirt/QEMU): state directories, persistent configs
 * loaded at open, reattach to QEMU processes a previous daemon left running, autostart,
 * and the emulator version for GetVersion. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "network/net-driver.h"
#include "qemu-command.h"
#include "qemu-driver.h"
#include "qemu-status.h"
#include "storage/stor-driver.h"

#define VERSION_OUTPUT_MAX 4096

void vb_qemu_log(const char *fmt, ...) {
        va_list ap;

        fputs("virtbusd: QEMU: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

/* ---- the emulator's version (qemu-system-x86_64 -version, read asynchronously) ---- */

typedef struct VersionProbe {
        VbQemuDriver *drv;
        VbQemuProc *proc;
        sd_event_source *io;
        char buf[VERSION_OUTPUT_MAX];
        size_t n;
} VersionProbe;

static void probe_free(VbQemuDriver *drv) {
        VersionProbe *p = drv->probe;
        if (!p)
                return;
        sd_event_source_disable_unref(p->io);
        vb_qemu_proc_free(p->proc);
        free(p);
        drv->probe = NULL;
}

static void probe_parse(VersionProbe *p) {
        unsigned major, minor, micro = 0;
        const char *s;

        p->buf[p->n] = 0;
        s = strstr(p->buf, "version ");
        if (s && sscanf(s, "version %u.%u.%u", &major, &minor, &micro) >= 2)
                p->drv->qemu_version = major * 1000000ULL + minor * 1000ULL + micro;
}

static int on_probe_output(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        VersionProbe *p = userdata;
        ssize_t k = read(fd, p->buf + p->n, sizeof(p->buf) - 1 - p->n);

        if (k < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (k > 0) {
                p->n += (size_t) k;
                if (p->n < sizeof(p->buf) - 1)
                        return 0;
        }
        /* EOF, error or full */
        probe_parse(p);
        p->io = sd_event_source_disable_unref(p->io);
        if (!p->proc)
                probe_free(p->drv);
        return 0;
}

static void on_probe_exit(VbQemuProc *proc, const siginfo_t *si, void *userdata) {
        VersionProbe *p = userdata;
        p->proc = vb_qemu_proc_free(p->proc);
        if (!p->io)
                probe_free(p->drv);
}

static void probe_version(VbQemuDriver *drv) {
        char *argv[] = { (char *) VB_QEMU_DEFAULT_EMULATOR, (char *) "-version", NULL };
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VersionProbe *p;
        int fds[2], r;

        if (access(VB_QEMU_DEFAULT_EMULATOR, X_OK) < 0 || pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
                return;
        p = calloc(1, sizeof(*p));
        if (!p) {
                close(fds[0]);
                close(fds[1]);
                return;
        }
        p->drv = drv;
        drv->probe = p;
        r = sd_event_add_io(drv->event, &p->io, fds[0], EPOLLIN, on_probe_output, p);
        if (r >= 0)
                (void) sd_event_source_set_io_fd_own(p->io, true);
        else
                close(fds[0]);
        if (r >= 0)
                r = vb_qemu_proc_spawn(drv->event, argv, fds[1], on_probe_exit, p, &p->proc, &e);
        close(fds[1]);
        if (r < 0)
                probe_free(drv);
}

/* Spawning the emulator (vfork + exec) is not part of opening the driver: the probe runs
 * from the event loop, after the service owns its name. */
static int on_probe_defer(sd_event_source *s, void *userdata) {
        VbQemuDriver *drv = userdata;

        drv->probe_defer = sd_event_source_disable_unref(drv->probe_defer);
        probe_version(drv);
        return 0;
}

static void probe_version_later(VbQemuDriver *drv) {
        if (sd_event_add_defer(drv->event, &drv->probe_defer, on_probe_defer, drv) < 0)
                probe_version(drv);
}

static int qemu_get_version(VbConnect *c, uint64_t *ret, VbError *e) {
        /* 0 until the first probe answered, like libvirt before its capabilities are known */
        *ret = vb_qemu_driver_of(c)->qemu_version;
        return 0;
}

static const VbConnectOps qemu_connect_ops = {
        .get_version = qemu_get_version,
};

/* ---- state at open ---- */

static bool has_suffix(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a > b && streq(s + a - b, suffix);
}

/* /proc/<pid>/cmdline with the NULs between arguments turned into spaces. */
int vb_qemu_read_cmdline(const char *path, char **ret) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        char buf[8192];
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        for (ssize_t i = 0; i < n; i++)
                if (buf[i] == 0)
                        buf[i] = ' ';
        buf[n] = 0;
        *ret = vb_strdup(buf);
        return 0;
}

/* True if @name is a temporary file of vb_qemu_write_file_atomic() for a file ending in
 * @suffix: "<file>.XXXXXX" (mkostemp's six letters or digits). */
static bool is_atomic_temp(const char *name, const char *suffix) {
        size_t n = strlen(name), m = strlen(suffix);

        if (n < m + 8 || name[n - 7] != '.' || memcmp(name + n - 7 - m, suffix, m) != 0)
                return false;
        for (size_t i = n - 6; i < n; i++)
                if (!isalnum((unsigned char) name[i]))
                        return false;
        return true;
}

/* A daemon killed between mkostemp() and rename() leaves its temporary copy behind; the
 * file it was replacing is intact. */
static void unlink_atomic_temp(const char *dir, const char *name, const char *suffix) {
        _cleanup_free_ char *path = NULL;

        if (!is_atomic_temp(name, suffix))
                return;
        path = vb_strdupf("%s/%s", dir, name);
        if (unlink(path) >= 0)
                vb_qemu_log("removed %s, left by an interrupted write", path);
}

/* Loading the persistent configs at open. Reading and parsing a config is most of a start
 * with many domains (system calls and libxml2), and it depends on nothing but the file:
 * worker threads (one per CPU, at most LOAD_THREADS_MAX, the main thread among them) read
 * and parse; the main thread then adds the domains in name order, checks uniqueness and
 * looks up snapshots and autostart links, as a sequential load did. The threads are joined
 * before anything else runs; nothing they touch is shared but the listing (read-only),
 * the directory fd and the index of the next file. */
#define LOAD_THREADS_MAX 4

typedef struct Parsed {
        VbDomainDef *def;
        char *error;
} Parsed;

typedef struct ConfigLoad {
        VbQemuDriver *drv;
        int dirfd;                      /* config/ */
        const VbQemuDirList *configs;
        Parsed *parsed;                 /* one per entry of @configs */
        atomic_size_t next;             /* the next entry to claim */
} ConfigLoad;

static bool is_config(const VbQemuDirEntry *de) {
        return de->name[0] != '.' && has_suffix(de->name, ".xml");
}

static int read_config(ConfigLoad *l, const VbQemuDirEntry *de, char **buf, size_t *size) {
        _cleanup_free_ char *path = NULL;

        if (de->type == DT_REG)
                return vb_qemu_read_file_at(l->dirfd, de->name, 1024 * 1024, buf, size);
        /* a link or a file system without d_type: the checked path (fstat, follows links) */
        path = vb_strdupf("%s/%s", l->drv->config_dir, de->name);
        *buf = mfree(*buf);
        *size = 0;
        return vb_qemu_read_file(path, 1024 * 1024, buf);
}

static void parse_config(ConfigLoad *l, size_t i, char **buf, size_t *size) {
        const VbQemuDirEntry *de = &l->configs->entries[i];
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        size_t n;
        int r;

        r = read_config(l, de, buf, size);
        if (r < 0) {
                l->parsed[i].error = vb_strdupf("cannot read it: %s", strerror(-r));
                return;
        }
        r = vb_domain_def_parse(*buf, VB_DOMAIN_PARSE_INACTIVE, &def, &e);
        n = r >= 0 ? strlen(def->name) : 0;
        if (r >= 0 && (n + 4 != strlen(de->name) || strncmp(def->name, de->name, n) != 0))
                r = vb_error_set(&e, VB_ERR_INTERNAL, "the file name does not match the domain name '%s'",
                                 def->name);
        if (r < 0)
                l->parsed[i].error = vb_strdup(strempty(e.message));
        else
                l->parsed[i].def = TAKE_PTR(def);
}

static void *parse_worker(void *userdata) {
        ConfigLoad *l = userdata;
        char *buf = NULL;
        size_t size = 0;

        for (;;) {
                size_t i = atomic_fetch_add(&l->next, 1);
                if (i >= l->configs->n)
                        break;
                if (is_config(&l->configs->entries[i]))
                        parse_config(l, i, &buf, &size);
        }
        free(buf);
        vb_xml_thread_done();
        return NULL;
}

static void parse_all(ConfigLoad *l) {
        pthread_t threads[LOAD_THREADS_MAX - 1];
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        size_t n = 0, want = cpus > LOAD_THREADS_MAX ? LOAD_THREADS_MAX - 1 : cpus > 1 ? (size_t) cpus - 1 : 0;

        /* not worth a thread for a few files */
        if (l->configs->n < 64)
                want = 0;
        vb_xml_init();
        for (; n < want; n++)
                if (pthread_create(&threads[n], NULL, parse_worker, l) != 0)
                        break;
        parse_worker(l);
        for (size_t i = 0; i < n; i++)
                pthread_join(threads[i], NULL);
}

static void add_config(VbQemuDriver *drv, const VbQemuDirEntry *de, Parsed *p,
                       const VbQemuDirList *autostart, const VbQemuDirList *snapshots) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = TAKE_PTR(p->def);
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *error = TAKE_PTR(p->error);
        VbDomainObj *d;
        int r = error ? -EINVAL : 0;

        if (r >= 0)
                r = vb_domain_check_unique(drv->conn, def, NULL, &e);
        if (r >= 0 && vb_qemu_domain_new(drv->conn, TAKE_PTR(def), &d) < 0)
                r = vb_error_set(&e, VB_ERR_NO_MEMORY, NULL);
        if (r < 0) {
                vb_qemu_log("ignoring %s/%s: %s", drv->config_dir, de->name, error ?: strempty(e.message));
                return;
        }
        d->persistent = true;
        if (vb_qemu_dir_list_has(snapshots, d->def->name))
                vb_qemu_snapshots_load(d);
        /* the link's name is the config's: "<name>.xml" */
        d->autostart = vb_qemu_dir_list_has(autostart, de->name);
}

/* Removes what an interrupted write left in config/, then loads every "*.xml" in name
 * order, from one listing of the directory; autostart links and snapshot directories
 * from one listing each (a stat or opendir per domain cost more system time than reading
 * the configs does). */
static void load_configs(VbQemuDriver *drv) {
        _cleanup_free_ char *snapdir = vb_strdupf("%s/snapshot", drv->root);
        _cleanup_close_ int dirfd = open(drv->config_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        VbQemuDirList configs, autostart, snapshots;
        ConfigLoad l = { .drv = drv, .dirfd = dirfd, .configs = &configs };
        int r = dirfd < 0 ? -errno : vb_qemu_dir_list(drv->config_dir, &configs);

        if (r < 0) {
                vb_qemu_log("cannot read %s: %s", drv->config_dir, strerror(-r));
                return;
        }
        for (size_t i = 0; i < configs.n; i++)
                if (configs.entries[i].name[0] != '.')
                        unlink_atomic_temp(drv->config_dir, configs.entries[i].name, ".xml");
        l.parsed = calloc(configs.n ?: 1, sizeof(*l.parsed));
        if (!l.parsed) {
                vb_qemu_log("cannot load %s: %s", drv->config_dir, strerror(ENOMEM));
                vb_qemu_dir_list_done(&configs);
                return;
        }
        parse_all(&l);
        (void) vb_qemu_dir_list(drv->autostart_dir, &autostart);
        (void) vb_qemu_dir_list(snapdir, &snapshots);
        for (size_t i = 0; i < configs.n; i++)
                if (is_config(&configs.entries[i]))
                        add_config(drv, &configs.entries[i], &l.parsed[i], &autostart, &snapshots);
        free(l.parsed);
        vb_qemu_dir_list_done(&configs);
        vb_qemu_dir_list_done(&autostart);
        vb_qemu_dir_list_done(&snapshots);
}

/* Calls @fn for every entry of @dir whose name ends with @suffix, in name order. */
static void for_each_file(VbQemuDriver *drv, const char *dir, const char *suffix,
                          int (*fn)(VbQemuDriver *, const char *)) {
        VbQemuDirList list;

        if (vb_qemu_dir_list(dir, &list) < 0)
                return;
        for (size_t i = 0; i < list.n; i++)
                if (list.entries[i].name[0] != '.' && has_suffix(list.entries[i].name, suffix))
                        (void) fn(drv, list.entries[i].name);
        vb_qemu_dir_list_done(&list);
}

static int reattach_file(VbQemuDriver *drv, const char *file) {
        _cleanup_free_ char *path = vb_strdupf("%s/%s", drv->run_dir, file);
        return vb_qemu_reattach(drv, path);
}

static bool run_dir_in_use(VbQemuDriver *drv, const char *dir) {
        for (size_t i = 0; i < drv->conn->n_domains; i++) {
                VbQemuDom *q = drv->conn->domains[i]->priv;
                if (q && q->run_dir && streq(q->run_dir, dir))
                        return true;
        }
        return false;
}

/* SIGKILL every process whose command line mentions @dir (a runtime directory no
 * status file accounts for: a QEMU spawned just before a crash of the daemon). */
static void kill_users_of(const char *dir) {
        _cleanup_free_ char *needle = vb_strdupf("%s/qmp.sock", dir);
        struct dirent *de;
        DIR *proc = opendir("/proc");

        if (!proc)
                return;
        while ((de = readdir(proc))) {
                _cleanup_free_ char *path = NULL, *cmd = NULL;
                char *end;
                long pid = strtol(de->d_name, &end, 10);
                uint64_t t;

                if (*end || pid <= 1 || pid == getpid())
                        continue;
                path = vb_strdupf("/proc/%ld/cmdline", pid);
                /* its monitor socket is in that directory: a QEMU of ours */
                if (vb_qemu_read_cmdline(path, &cmd) < 0 || !strstr(cmd, "charmonitor") ||
                    !strstr(cmd, needle))
                        continue;
                if (vb_qemu_proc_read_start_time((pid_t) pid, &t) >= 0 &&
                    vb_qemu_proc_kill_pid((pid_t) pid, t) >= 0)
                        vb_qemu_log("killed orphaned QEMU process %ld (%s)", pid, dir);
        }
        closedir(proc);
}

static int sweep_run_dir(VbQemuDriver *drv, const char *name) {
        _cleanup_free_ char *dir = vb_strdupf("%s/%s", drv->run_dir, name);
        struct stat st;

        if (strncmp(name, "dom-", 4) != 0 || lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
            run_dir_in_use(drv, dir))
                return 0;
        kill_users_of(dir);
        return vb_qemu_rm_dir_flat(dir);
}

static int sweep_status_temp(VbQemuDriver *drv, const char *name) {
        unlink_atomic_temp(drv->run_dir, name, ".status");
        unlink_atomic_temp(drv->run_dir, name, "autostarted");
        return 0;
}

static void autostart(VbQemuDriver *drv) {
        VbConnect *c = drv->conn;

        if (!vb_qemu_autostart_due(drv->run_dir)) {
                vb_qemu_log("autostart already ran in this boot; not again");
                return;
        }
        /* networks first: guests on them need their bridges */
        vb_net_driver_autostart(c);
        for (size_t i = 0; i < c->n_domains; i++) {
                _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
                VbDomainObj *d = c->domains[i];
                VbOp *op;

                if (!d->persistent || !d->autostart || vb_domain_is_active(d))
                        continue;
                op = vb_qemu_internal_op("autostart", d->def->name);
                if (!op || vb_qemu_start(d, false, VB_EV_STARTED_BOOTED, "autostart", op, &e) < 0) {
                        vb_qemu_log("cannot autostart domain '%s': %s", d->def->name,
                                    op ? strempty(e.message) : "out of memory");
                        if (op)
                                op->done(op, 0, NULL);
                }
        }
}

static int make_dirs(VbQemuDriver *drv, VbError *e) {
        const char *dirs[] = { drv->root, drv->config_dir, drv->autostart_dir, drv->run_dir, drv->log_dir };

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                int r = vb_qemu_mkdir_p(dirs[i], 0700);
                if (r < 0)
                        return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot create %s: %s", dirs[i],
                                            strerror(-r));
        }
        return 0;
}

static bool kvm_usable(void) {
        _cleanup_close_ int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC | O_NOCTTY);
        return fd >= 0;
}

static void driver_free(VbQemuDriver *drv) {
        if (!drv)
                return;
        probe_free(drv);
        sd_event_source_disable_unref(drv->probe_defer);
        sd_event_unref(drv->event);
        free(drv->root);
        free(drv->config_dir);
        free(drv->autostart_dir);
        free(drv->run_dir);
        free(drv->log_dir);
        free(drv);
}

static int qemu_open(VbConnect *c, const char *root, VbError *e) {
        VbQemuDriver *drv = calloc(1, sizeof(*drv));
        int r;

        if (!drv)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        drv->conn = c;
        drv->root = vb_strdup(root);
        drv->config_dir = vb_strdupf("%s/config", root);
        drv->autostart_dir = vb_strdupf("%s/autostart", root);
        drv->run_dir = vb_strdupf("%s/run", root);
        drv->log_dir = vb_strdupf("%s/log", root);
        r = sd_event_default(&drv->event);
        if (r < 0)
                r = vb_error_set(e, VB_ERR_INTERNAL, "cannot get the event loop: %s", strerror(-r));
        if (r >= 0)
                r = make_dirs(drv, e);
        if (r < 0) {
                driver_free(drv);
                return r;
        }
        drv->kvm_available = kvm_usable();
        c->priv = drv;
        r = vb_net_driver_open(c, root, e);
        if (r < 0) {
                c->priv = NULL;
                driver_free(drv);
                return r;
        }
        for_each_file(drv, drv->run_dir, "", sweep_status_temp);
        load_configs(drv);
        for_each_file(drv, drv->run_dir, ".status", reattach_file);
        for_each_file(drv, drv->run_dir, "", sweep_run_dir);
        autostart(drv);
        probe_version_later(drv);
        return 0;
}

static void qemu_close(VbConnect *c) {
        VbQemuDriver *drv = c->priv;

        /* running guests keep running: a restarted daemon reattaches to them */
        for (size_t i = 0; i < c->n_domains; i++)
                vb_qemu_dom_detach(c->domains[i]);
        vb_net_driver_close(c);
        driver_free(drv);
        c->priv = NULL;
}

const VbDriver vb_qemu_driver = {
        .name = "QEMU",
        .open = qemu_open,
        .close = qemu_close,
        .domain_obj_free = vb_qemu_domain_obj_free,
        .connect = &qemu_connect_ops,
        .domain = &vb_qemu_domain_ops,
        .storage = &vb_stor_ops,
        .snapshot = &vb_qemu_snapshot_ops,
        .network = &vb_net_bridge_ops,
};
