/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QMP reader: the input is everything QEMU sends on the monitor socket, then EOF.
 * Three commands are pending from the start; each reply callback must run exactly
 * once, and the client must report its disconnect. */
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "qemu/qmp.h"

typedef struct State {
        unsigned replies[3];
        bool disconnected;
} State;

static void on_reply(VbQmp *q, int r, json_object *ret, const char *err_class,
                     const char *err_desc, void *userdata) {
        (*(unsigned *) userdata)++;
}

static void on_disconnect(VbQmp *q, int reason, void *userdata) {
        State *st = userdata;

        FUZZ_CHECK(reason < 0, "disconnect reason %d", reason);
        st->disconnected = true;
}

static void feed(int fd, const uint8_t *data, size_t size) {
        while (size > 0) {
                ssize_t n = write(fd, data, size);
                FUZZ_CHECK(n > 0, "write to the socket pair failed");
                data += n;
                size -= (size_t) n;
        }
        shutdown(fd, SHUT_WR);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        State st = { 0 };
        sd_event *e = NULL;
        VbQmp *q = NULL;
        int sv[2];

        FUZZ_CHECK(sd_event_new(&e) >= 0, "sd_event_new");
        FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
        feed(sv[1], data, size);
        FUZZ_CHECK(vb_qmp_new(e, sv[0], NULL, NULL, on_disconnect, &st, &q) >= 0, "vb_qmp_new");
        vb_qmp_set_limits(q, 4096, 0);
        for (unsigned i = 0; i < 3; i++)
                FUZZ_CHECK(vb_qmp_command(q, "query-status", NULL, NULL, 0, on_reply,
                                          &st.replies[i]) >= 0, "vb_qmp_command");
        for (unsigned i = 0; i < 1000 && !st.disconnected; i++)
                FUZZ_CHECK(sd_event_run(e, 1000000) >= 0, "sd_event_run");
        FUZZ_CHECK(st.disconnected, "no disconnect after EOF");
        vb_qmp_free(q);
        for (unsigned i = 0; i < 3; i++)
                FUZZ_CHECK(st.replies[i] == 1, "reply callback %u ran %u times", i, st.replies[i]);
        close(sv[1]);
        sd_event_unref(e);
        return 0;
}
