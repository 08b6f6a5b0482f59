# SPDX-License-Identifier: LGPL-2.1-or-later
"""The daemon's live introspection matches dbus-interfaces/ member for member, and
the interface files themselves match the reference tables (self-test)."""
import os
import time
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


# An existing object and a path where nothing is (introspectable too, as in
# libvirt-dbus) for each kind the test driver starts with.
KIND_PATHS = {
    'org.libvirt.Domain': ['/org/libvirt/Test/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f',
                           '/org/libvirt/Test/domain/_00000000_0000_0000_0000_000000000001'],
    'org.libvirt.Network': ['/org/libvirt/Test/network/_dd8fe884_6c02_601e_7551_cca97df1c5df',
                            '/org/libvirt/Test/network/_00000000_0000_0000_0000_000000000001'],
    'org.libvirt.Secret': ['/org/libvirt/Test/secret/_6dd3e4a5_1d76_44ce_961f_f119f5aad935'],
    'org.libvirt.NWFilter': ['/org/libvirt/Test/nwfilter/_5c6d49af_b071_6127_b4ec_6f8ed4b55335'],
    'org.libvirt.Interface': ['/org/libvirt/Test/interface/11_3a22_3a33_3a44_3a55_3a66'],
}


def introspect(env, path):
    return env.call_ok(path, 'org.freedesktop.DBus.Introspectable', 'Introspect')[0]


def test_object_introspection_same_for_every_object_of_a_kind(vb):
    """The first Introspect of a kind is written by sd-bus; later ones come from the
    daemon's copy of it (objects/introspect-cache.c): they must be the same text, for
    every object of the kind, and never another kind's."""
    first = {iface: introspect(vb, paths[0]) for iface, paths in KIND_PATHS.items()}
    time.sleep(0.5)     # the daemon's own Introspect of each kind has come back
    for iface, paths in KIND_PATHS.items():
        assert '<interface name="%s">' % iface in first[iface]
        for other in KIND_PATHS:
            if other != iface:
                assert '<interface name="%s">' % other not in first[iface]
        for path in paths * 3:
            assert introspect(vb, path) == first[iface], path
    # a collection node lists its children and is never served from the copy
    before = introspect(vb, '/org/libvirt/Test/domain')
    vb.call_ok('/org/libvirt/Test', 'org.libvirt.Connect', 'DomainDefineXML', 's',
               ("<domain type='test'><name>intro</name><memory>131072</memory>"
                "<os><type>hvm</type></os></domain>",))
    after = introspect(vb, '/org/libvirt/Test/domain')
    assert after != before and after.count('<node name=') == before.count('<node name=') + 1
