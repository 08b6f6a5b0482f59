#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Calls every method listed in a JSON request, each with placeholder arguments of
its exact signature, on the given object paths, as whoever runs it; prints one JSON
list of {"interface", "member", "ok", "name", "message"}. Used by the polkit matrix
to make all calls from ONE unprivileged process."""
import json
import sys

from gi.repository import Gio, GLib


def placeholder(sig):
    """A GVariant of type @sig holding a harmless value."""
    t = GLib.VariantType.new(sig)
    if t.is_basic():
        if sig in 'ybnqiuxt':
            return GLib.Variant(sig, 0)
        if sig == 'd':
            return GLib.Variant('d', 0.0)
        if sig == 'b':
            return GLib.Variant('b', False)
        if sig == 's':
            return GLib.Variant('s', '')
        if sig == 'o':
            return GLib.Variant('o', '/')
        if sig == 'h':
            return GLib.Variant('h', 0)
    if sig.startswith('a'):
        return GLib.Variant(sig, [] if not sig.startswith('a{') else {})
    if sig.startswith('('):
        return GLib.Variant(sig, tuple(placeholder(s).unpack() for s in split(sig[1:-1])))
    if sig == 'v':
        return GLib.Variant('v', GLib.Variant('s', ''))
    raise ValueError(sig)


def split(sig):
    """Split a signature into complete types."""
    out, i = [], 0
    while i < len(sig):
        j = i
        while sig[j] == 'a':
            j += 1
        if sig[j] in '({':
            depth, k = 0, j
            while True:
                depth += sig[k] in '({'
                depth -= sig[k] in ')}'
                k += 1
                if depth == 0:
                    break
            j = k
        else:
            j += 1
        out.append(sig[i:j])
        i = j
    return out


def main():
    req = json.loads(sys.argv[1])
    flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
             Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
    conn = Gio.DBusConnection.new_for_address_sync(req['address'], flags, None, None)
    results = []
    for call in req['calls']:
        sig = call['in_sig']
        args = GLib.Variant('(' + sig + ')', tuple(placeholder(s).unpack() for s in split(sig)))
        res = {'interface': call['interface'], 'member': call['member']}
        try:
            conn.call_sync('org.libvirt', call['path'], call['interface'], call['member'], args,
                           None, Gio.DBusCallFlags.NONE, 10000, None)
            res['ok'] = True
        except GLib.Error as e:
            res['ok'] = False
            res['name'] = Gio.DBusError.get_remote_error(e) or ''
            msg = e.message
            if msg.startswith('GDBus.Error:') and ': ' in msg:
                msg = msg.split(': ', 1)[1]
            res['message'] = msg
        results.append(res)
    print(json.dumps(results))


if __name__ == '__main__':
    main()
