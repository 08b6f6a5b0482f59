/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* A mock QMP monitor for unit tests: replays a transcript on one end of a socketpair,
 * driven by the same sd-event loop as the client under test.
 *
 * Transcript lines (tests/data/qmp/NAME.txt):
 *   S: <text>  the monitor sends <text> + "\n". If <text> is a JSON reply (has
 *              "return" or "error"), its "id" is set to the id of the oldest command
 *              not answered yet, or, for "id": "@N", to the Nth oldest one.
 *   C: <json>  the client must send this object; compared ignoring "id".
 *   CLOSE      the monitor closes its end.
 *   # ...      comment; blank lines are skipped.
 * Placeholders set in QmpMock.subst before the start (a temporary path, say) are
 * replaced in every line as it is loaded. */
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>
#include <systemd/sd-event.h>

typedef struct QmpMock {
        sd_event *event;
        sd_event_source *src;
        int fd;
        char **lines;
        size_t n_lines, pos;
        size_t chunk;           /* bytes per write; 0 = as much as the socket takes */
        bool coalesce;          /* consecutive S lines go out in one write */
        const char *const *subst; /* "@NAME@", "value" pairs, NULL-terminated, or NULL */
        char *out;
        size_t out_len, out_off;
        json_tokener *tok;
        json_object *ids[64];   /* ids of commands awaiting an S reply, oldest first */
        size_t n_ids;
        json_object *received[64]; /* commands not matched to a C line yet */
        size_t n_received;
        int fds[16];            /* fds received with SCM_RIGHTS */
        size_t n_fds;
        size_t n_commands;      /* C lines matched */
        bool done;              /* transcript fully played */
        char failure[1024];     /* first mismatch, "" if none */
} QmpMock;

/* Load tests/data/qmp/<name>.txt and start serving it on mock_fd (taken). */
int qmp_mock_start(QmpMock *m, sd_event *e, const char *name, int mock_fd);
/* Append a transcript line (for generated input such as oversized messages). */
void qmp_mock_add_line(QmpMock *m, const char *line);
void qmp_mock_done(QmpMock *m);
