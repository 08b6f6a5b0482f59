/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtbusctl console: org.virtbus.Console1.OpenConsole hands us the domain's console
 * as a file descriptor; relay it to stdin/stdout until Ctrl-] (0x1d), stdin EOF or the
 * console closing. On a terminal, stdin is switched to raw mode for the session. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl.h"

#define CTL_CONSOLE "org.virtbus.Console1"
#define ESCAPE_CHAR 0x1d   /* Ctrl-] */

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

static int open_console(Ctl *c, const char *path, const char *dev, int *ret_fd) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int fd, r;

        r = ctl_call(c, path, CTL_CONSOLE, "OpenConsole", &reply, "su", strempty(dev), (uint32_t) 0);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "h", &fd);
        if (r < 0)
                return r;
        /* the reply owns its fd */
        fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        return 0;
}

/* stdin → console; 1 when the escape character (or EOF) ends the session */
static int relay_input(int con) {
        char buf[4096];
        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
        char *esc;

        if (n < 0)
                return errno == EINTR || errno == EAGAIN ? 0 : -errno;
        if (n == 0)
                return 1;
        esc = memchr(buf, ESCAPE_CHAR, (size_t) n);
        if (esc)
                return write_all(con, buf, (size_t) (esc - buf)) < 0 ? -EIO : 1;
        return write_all(con, buf, (size_t) n);
}

/* console → stdout; 1 when the console went away (QEMU closed the pty) */
static int relay_output(int con) {
        char buf[4096];
        ssize_t n = read(con, buf, sizeof(buf));

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return 0;
        if (n <= 0)
                return 1;   /* EIO once the master side is closed */
        return write_all(STDOUT_FILENO, buf, (size_t) n);
}

static int relay(int con) {
        for (;;) {
                struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = con, .events = POLLIN } };
                int r;

                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                r = 0;
                if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
                        r = relay_output(con);
                if (r == 0 && p[0].revents & (POLLIN | POLLHUP | POLLERR))
                        r = relay_input(con);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
}

static int cmd_console(Ctl *c, const CtlArgs *a) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int con = -1;
        struct termios saved, raw;
        bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
        int r;

        r = ctl_domain_path(c, a->pos[0], &path);
        if (r < 0)
                return r;
        r = open_console(c, path, a->devname ? a->devname : a->pos[1], &con);
        if (r < 0)
                return r;
        fprintf(stderr, "Connected to domain '%s'\nEscape character is ^] (Ctrl + ])\n", a->pos[0]);
        if (tty) {
                raw = saved;
                cfmakeraw(&raw);
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &raw);
        }
        r = relay(con);
        if (tty)
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        fprintf(stderr, "\n");
        if (r < 0)
                fprintf(stderr, "virtbusctl console: %s\n", strerror(-r));
        return r;
}

const CtlCommand ctl_console_commands[] = {
        { "console", cmd_console, 1, 2, " --devname=", "DOMAIN [--devname NAME]",
          "Attach to a running domain's serial console (org.virtbus.Console1).\n"
          "  --devname NAME  the character device alias (serial0, console0, ...);\n"
          "                  default: the first console, else the first serial port\n"
          "Input goes to the guest, its output to stdout; Ctrl-] (or the end of input) detaches." },
        { NULL },
};
