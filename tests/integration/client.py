#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""One D-Bus method call, made with GDBus so the ALLOW_INTERACTIVE_AUTHORIZATION
header flag can be set or left clear.

Used in-process by the test harness (for root calls) and as a program run under
setpriv as an unprivileged user:

    client.py '{"address": ..., "path": ..., "interface": ..., "method": ...,
                "signature": "u", "args": [0], "interactive": false}'

prints one JSON object: {"ok": true, "result": [...]} or
{"ok": false, "name": "<D-Bus error name>", "message": "<error text>"}.
"""

import json
import sys

from gi.repository import Gio, GLib

BUS_NAME = 'org.libvirt'


def connect(address):
    flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
             Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
    return Gio.DBusConnection.new_for_address_sync(address, flags, None, None)


def _plain(value):
    """Turn an unpacked GVariant value into JSON-serialisable data."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def split_error(err):
    """(name, message) of a GLib.Error raised by a D-Bus call."""
    name = Gio.DBusError.get_remote_error(err) or ''
    message = err.message or ''
    prefix = 'GDBus.Error:' + name + ': '
    if name and message.startswith(prefix):
        message = message[len(prefix):]
    return name, message


def call(conn, path, interface, method, signature='', args=(),
         interactive=False, destination=BUS_NAME, timeout_ms=10000):
    params = GLib.Variant('(' + signature + ')', tuple(args)) if signature else None
    flags = Gio.DBusCallFlags.NONE
    if interactive:
        flags |= Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION
    try:
        reply = conn.call_sync(destination, path, interface, method, params,
                               None, flags, timeout_ms, None)
    except GLib.Error as err:
        name, message = split_error(err)
        return {'ok': False, 'name': name, 'message': message}
    return {'ok': True, 'result': _plain(reply.unpack()) if reply is not None else []}


def main(argv):
    if len(argv) != 2:
        print('usage: client.py JSON-REQUEST', file=sys.stderr)
        return 2
    req = json.loads(argv[1])
    conn = connect(req['address'])
    res = call(conn, req['path'], req['interface'], req['method'],
               req.get('signature', ''), req.get('args', []),
               interactive=req.get('interactive', False),
               destination=req.get('destination', BUS_NAME),
               timeout_ms=req.get('timeout_ms', 10000))
    json.dump(res, sys.stdout)
    sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
