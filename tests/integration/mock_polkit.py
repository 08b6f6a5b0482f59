#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A table-driven org.freedesktop.PolicyKit1 authority for the integration tests.

    mock_polkit.py BUS-ADDRESS TABLE.json LOG.jsonl

TABLE.json is re-read on every query:
    {"default": "allow" | "deny" | "challenge",
     "rules": [{"action": "org.libvirt.api.domain.start",
                "details": {"domain_name": "test"},      # optional, all must match
                "result": "allow" | "deny" | "challenge"}, ...]}
The first matching rule wins, else "default".
"challenge" means: authorized only if the caller passed the
AllowUserInteraction flag (as if an agent had authenticated the user); without
the flag the answer is is_authorized=false, is_challenge=true, which is what
the real polkitd answers for auth_admin actions.

Every query is appended to LOG.jsonl as {"action", "details", "flags",
"subject_kind", "subject", "result"}.
"""

import json
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

IFACE = 'org.freedesktop.PolicyKit1.Authority'
PATH = '/org/freedesktop/PolicyKit1/Authority'
NAME = 'org.freedesktop.PolicyKit1'
ALLOW_USER_INTERACTION = 0x1


def _plain(v):
    if isinstance(v, dbus.Dictionary) or isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (dbus.Array, dbus.Struct, list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, (dbus.Boolean,)):
        return bool(v)
    if isinstance(v, (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64,
                      dbus.UInt16, dbus.UInt32, dbus.UInt64)):
        return int(v)
    return str(v)


class Authority(dbus.service.Object):
    def __init__(self, bus, table_path, log_path):
        super().__init__(bus, PATH)
        self.table_path = table_path
        self.log_path = log_path

    def _verdict(self, action_id, details):
        with open(self.table_path) as f:
            table = json.load(f)
        for rule in table.get('rules', []):
            if rule.get('action') not in (None, action_id):
                continue
            want = rule.get('details', {})
            if all(details.get(k) == v for k, v in want.items()):
                return rule['result']
        return table.get('default', 'deny')

    @dbus.service.method(IFACE, in_signature='(sa{sv})sa{ss}us', out_signature='(bba{ss})')
    def CheckAuthorization(self, subject, action_id, details, flags, cancellation_id):
        details = {str(k): str(v) for k, v in details.items()}
        verdict = self._verdict(str(action_id), details)
        interactive = bool(int(flags) & ALLOW_USER_INTERACTION)
        if verdict == 'allow':
            answer = (True, False)
        elif verdict == 'challenge':
            answer = (True, False) if interactive else (False, True)
        else:
            answer = (False, False)
        entry = {'action': str(action_id), 'details': details, 'flags': int(flags),
                 'subject_kind': str(subject[0]), 'subject': _plain(subject[1]),
                 'result': verdict, 'authorized': answer[0], 'challenge': answer[1]}
        with open(self.log_path, 'a') as f:
            f.write(json.dumps(entry) + '\n')
        return dbus.Struct((answer[0], answer[1], dbus.Dictionary({}, signature='ss')),
                           signature='bba{ss}')

    @dbus.service.method(IFACE, in_signature='s', out_signature='')
    def CancelCheckAuthorization(self, cancellation_id):
        return None


def main(argv):
    if len(argv) != 4:
        print('usage: mock_polkit.py BUS-ADDRESS TABLE.json LOG.jsonl', file=sys.stderr)
        return 2
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(argv[1])
    Authority(bus, argv[2], argv[3])
    ret = bus.request_name(NAME, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
    if ret != dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER:
        print('mock_polkit: could not own %s (reply %d)' % (NAME, ret), file=sys.stderr)
        return 1
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 15, loop.quit)
    loop.run()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
