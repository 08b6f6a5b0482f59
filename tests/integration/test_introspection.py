# SPDX-License-Identifier: LGPL-2.1-or-later
"""The daemon's live introspection matches dbus-interfaces/ member for member, and
the interface files themselves match the reference tables (self-test)."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, 'check_introspection.py')
IFACES = os.path.join(HERE, '..', '..', 'dbus-interfaces')


def run_check(*args):
    return subprocess.run([sys.executable, CHECK, '--dir', IFACES, *args],
                          capture_output=True, text=True, timeout=60)


def test_interface_files_self_test():
    res = run_check('--self-test')
    assert res.returncode == 0, res.stdout + res.stderr


def test_live_introspection_matches_files(vb):
    res = run_check('--address', vb.address)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out
    assert ' 0 mismatched' in out, out
