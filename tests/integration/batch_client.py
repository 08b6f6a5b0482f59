#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Many D-Bus method calls from one process (one bus connection), so the
unprivileged-caller suites need one setpriv'd process per run instead of one per
call.

    batch_client.py REQUEST.json RESULT.json

REQUEST.json: {"address": ..., "timeout_ms": 5000, "interactive": false,
               "calls": [{"path", "interface", "method", "signature", "args"}, ...]}
args use dbus_args' JSON conventions (variants, huge strings). A signature with
'h' gets a Gio.UnixFDList holding one fd of /dev/null (handle index 0).

RESULT.json: one entry per call, in order:
  {"ok": true} or {"ok": false, "name": D-Bus error name ('' for local errors),
                   "message": first 400 characters, "timeout": bool}
  each with "elapsed" in seconds.
"""

import json
import os
import sys
import time

from gi.repository import Gio, GLib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import client  # noqa: E402
import dbus_args  # noqa: E402


def one_call(conn, call, timeout_ms, interactive):
    flags = Gio.DBusCallFlags.NONE
    if interactive:
        flags |= Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION
    sig = call.get('signature', '')
    fds = None
    try:
        params = dbus_args.to_variant(sig, call.get('args', [])) if sig else None
    except (TypeError, ValueError, OverflowError) as err:
        return {'ok': False, 'name': '', 'message': 'cannot build arguments: %s' % err,
                'timeout': False, 'local': True}
    if 'h' in sig:
        fds = Gio.UnixFDList.new()
        fd = os.open('/dev/null', os.O_RDONLY)
        fds.append(fd)
        os.close(fd)
    try:
        reply, out_fds = conn.call_with_unix_fd_list_sync(
            call.get('destination', client.BUS_NAME), call['path'], call['interface'],
            call['method'], params, None, flags, timeout_ms, fds, None)
    except GLib.Error as err:
        name, message = client.split_error(err)
        timeout = err.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT)
        return {'ok': False, 'name': name, 'message': message[:400], 'timeout': timeout}
    if out_fds is not None:
        for fd in out_fds.steal_fds():
            os.close(fd)
    return {'ok': True}


def run(req):
    conn = client.connect(req['address'])
    timeout_ms = req.get('timeout_ms', 5000)
    out = []
    for call in req['calls']:
        start = time.monotonic()
        if conn.is_closed():
            res = {'ok': False, 'name': '', 'message': 'connection closed', 'timeout': False}
        else:
            res = one_call(conn, call, timeout_ms, req.get('interactive', False))
        res['elapsed'] = round(time.monotonic() - start, 4)
        out.append(res)
    return out


def main(argv):
    if len(argv) != 3:
        print('usage: batch_client.py REQUEST.json RESULT.json', file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        req = json.load(f)
    res = run(req)
    tmp = argv[2] + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(res, f)
    os.rename(tmp, argv[2])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
