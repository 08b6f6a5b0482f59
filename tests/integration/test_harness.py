# SPDX-License-Identifier: LGPL-2.1-or-later
"""The harness's own moving parts, independent of virtbusd's behaviour: the
private bus policy and the mock authority's table."""

from gi.repository import GLib

import client
from vbharness import USER


def _ask(env, action, details, flags):
    subject = ('unix-process', {'pid': GLib.Variant('u', 1), 'start-time': GLib.Variant('t', 0),
                                'uid': GLib.Variant('i', 0)})
    res = client.call(env.conn, '/org/freedesktop/PolicyKit1/Authority',
                      'org.freedesktop.PolicyKit1.Authority', 'CheckAuthorization',
                      '(sa{sv})sa{ss}us', (subject, action, details, flags, ''),
                      destination='org.freedesktop.PolicyKit1')
    assert res['ok'], res
    return tuple(res['result'][0][:2])


def test_mock_polkit_table(mock_env):
    mock_env.set_polkit({'default': 'deny', 'rules': [
        {'action': 'a.allow', 'result': 'allow'},
        {'action': 'a.chal', 'result': 'challenge'},
        {'action': 'a.detail', 'details': {'domain_name': 'test'}, 'result': 'allow'}]})
    mock_env.polkit_queries(clear=True)
    assert _ask(mock_env, 'a.allow', {}, 0) == (True, False)
    assert _ask(mock_env, 'a.other', {}, 0) == (False, False)
    assert _ask(mock_env, 'a.chal', {}, 0) == (False, True)
    assert _ask(mock_env, 'a.chal', {}, 1) == (True, False)
    assert _ask(mock_env, 'a.detail', {'domain_name': 'test'}, 0) == (True, False)
    assert _ask(mock_env, 'a.detail', {'domain_name': 'x'}, 0) == (False, False)
    q = mock_env.polkit_queries()
    assert [e['action'] for e in q] == ['a.allow', 'a.other', 'a.chal', 'a.chal', 'a.detail',
                                        'a.detail']
    assert q[4]['details'] == {'domain_name': 'test'}


def test_bus_policy_keeps_user_from_owning_names(mock_env):
    """An unprivileged client cannot take org.libvirt on the private bus."""
    import json
    import os
    import shutil
    import subprocess
    script = os.path.join(mock_env.tmp, 'own.py')
    shutil.copy(os.path.join(os.path.dirname(__file__), 'client.py'),
                os.path.join(mock_env.tmp, 'client.py'))
    with open(script, 'w') as f:
        f.write('import sys, json, client\n'
                'c = client.connect(sys.argv[1])\n'
                'print(json.dumps(client.call(c, "/org/freedesktop/DBus", "org.freedesktop.DBus",'
                ' "RequestName", "su", ("org.libvirt", 4), destination="org.freedesktop.DBus")))\n')
    os.chmod(script, 0o755)
    os.chmod(os.path.join(mock_env.tmp, 'client.py'), 0o755)
    p = subprocess.run(['setpriv', '--reuid=' + USER, '--regid=nogroup', '--clear-groups',
                        '/usr/bin/python3', script, mock_env.address], cwd=mock_env.tmp,
                       capture_output=True, text=True, timeout=30)
    res = json.loads(p.stdout)
    assert not res['ok'] and res['name'] == 'org.freedesktop.DBus.Error.AccessDenied', res
