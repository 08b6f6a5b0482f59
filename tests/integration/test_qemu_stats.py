# SPDX-License-Identifier: LGPL-2.1-or-later
"""QEMU driver: statistics from the monitor (GetStats, GetAllDomainStats, MemoryStats)
and device hotplug (AttachDevice/DetachDevice/UpdateDevice, live and config).

Idle guests (QEMU in its firmware) serve what needs no guest OS: stats, live attach,
config edits. Live detach needs a guest that answers the ACPI unplug request: the
tiny Linux guest of tests/qemu/build-guest.sh.
"""

import os
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

import vbharness
from vbharness import assert_libvirt_error, wait_until
from test_qemu import (QEMU, QPATH, CONNECT, DOMAIN, EV_STARTED, BOOT_DEADLINE,
                       QUICK_DEADLINE, qd, kit, idle_xml, define, boot)  # noqa: F401

from gi.repository import Gio, GLib

UUID_S1 = '5b0c1e2a-4d6f-4a51-9d0e-6a1f3c2b7d01'
UUID_S2 = '5b0c1e2a-4d6f-4a51-9d0e-6a1f3c2b7d02'
AFFECT_LIVE, AFFECT_CONFIG = 1, 2
XML_INACTIVE = 2
STATS_STATE, STATS_CPU, STATS_BALLOON, STATS_VCPU, STATS_NET, STATS_BLOCK = 1, 2, 4, 8, 16, 32
MEM_ACTUAL, MEM_RSS = 6, 7
HOTPLUG_DEADLINE = 60.0

pytestmark = pytest.mark.skipif(not os.access(QEMU, os.X_OK),
                                reason='%s is not installed (qemu-system-x86)' % QEMU)


def raw_call(env, path, iface, method, sig, args, timeout_ms=60000):
    """The reply as a GLib.Variant (to see the wrapping) or a GLib.Error."""
    return env.conn.call_sync(vbharness.BUS, path, iface, method, GLib.Variant('(' + sig + ')', args),
                              None, Gio.DBusCallFlags.NONE, timeout_ms, None)


def typed(asv):
    """a{sv} with libvirt-dbus's double wrapping: every value is a variant in a variant."""
    out = {}
    for i in range(asv.n_children()):
        entry = asv.get_child_value(i)
        key = entry.get_child_value(0).get_string()
        outer = entry.get_child_value(1).get_variant()
        assert outer.get_type_string() == 'v', '%s is not double-wrapped' % key
        out[key] = outer.get_variant().unpack()
    return out


def get_stats(env, path, stats=0, flags=0):
    return typed(raw_call(env, path, DOMAIN, 'GetStats', 'uu', (stats, flags)).get_child_value(0))


class Signals:
    def __init__(self, conn, name):
        self.conn, self.got = conn, []
        self.sub = conn.signal_subscribe(None, DOMAIN, name, None, None, Gio.DBusSignalFlags.NONE,
                                         lambda c, s, path, i, n, p: self.got.append((path, p.unpack()[0])))

    def wait(self, path, device, deadline=QUICK_DEADLINE):
        ctx = GLib.MainContext.default()
        end = time.monotonic() + deadline
        while (path, device) not in self.got:
            while ctx.iteration(False):
                pass
            if time.monotonic() > end:
                raise AssertionError('no signal for %s %s within %.0f s; got %r' % (path, device, deadline, self.got))
            time.sleep(0.01)

    def close(self):
        self.conn.signal_unsubscribe(self.sub)


def disk_xml(src, dev='vdb', fmt='raw'):
    return ("<disk type='file' device='disk'><driver name='qemu' type='%s'/>"
            "<source file='%s'/><target dev='%s' bus='virtio'/></disk>" % (fmt, src, dev))


NIC_MAC = '52:54:00:aa:bb:01'
NIC_XML = "<interface type='user'><mac address='%s'/><model type='virtio'/></interface>" % NIC_MAC


def xml_of(env, path, flags=0):
    return ET.fromstring(env.call_ok(path, DOMAIN, 'GetXMLDesc', 'u', (flags,))[0])


def disk_targets(root):
    return [t.get('dev') for t in root.findall('./devices/disk/target')]


def macs(root):
    return [m.get('address') for m in root.findall('./devices/interface/mac')]


def image(env, name, fmt='raw'):
    path = os.path.join(env.tmp, name)
    if fmt == 'qcow2':
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', path, '16M'], check=True)
    else:
        with open(path, 'wb') as f:
            f.truncate(16 << 20)
    return path


def start_idle(qd, name, uuid):
    env = qd.env
    path = define(env, idle_xml(name, uuid))
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    qd.events.wait(path, EV_STARTED)
    return path


# ---- statistics ----------------------------------------------------------------

def test_stats_running_and_inactive(qd):
    env = qd.env
    path = start_idle(qd, 'stats1', UUID_S1)
    st = get_stats(env, path)
    assert st['state.state'] == 1
    assert st['balloon.maximum'] == 32 * 1024 and st['balloon.current'] > 0
    assert st['vcpu.current'] == 1 and st['vcpu.maximum'] == 1
    assert st['vcpu.0.state'] == 1 and 'vcpu.0.time' in st
    assert st['cpu.time'] > 0 and st['cpu.time'] == st['cpu.user'] + st['cpu.system']
    assert st['block.count'] == 0 and st['net.count'] == 0
    only = get_stats(env, path, STATS_STATE)
    assert set(only) == {'state.state', 'state.reason'}

    mem = {int(k): v for k, v in env.call_ok(path, DOMAIN, 'MemoryStats', 'u', (0,))[0].items()}
    assert mem[MEM_ACTUAL] == 32 * 1024 and mem[MEM_RSS] > 0
    assert set(mem) <= {MEM_ACTUAL, MEM_RSS, 9}, mem      # the guest reports nothing: no driver

    res = env.call(path, DOMAIN, 'GetStats', 'uu', (1 << 9, 1 << 31))   # ENFORCE + unsupported group
    assert_libvirt_error(res, 'not supported')

    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    st = get_stats(env, path)
    assert st['state.state'] == 5 and 'cpu.time' not in st and 'vcpu.0.time' not in st
    assert_libvirt_error(env.call(path, DOMAIN, 'MemoryStats', 'u', (0,)), 'not running')


def test_all_domain_stats_gathers_every_domain(qd):
    env = qd.env
    p1 = start_idle(qd, 'all1', UUID_S1)
    p2 = start_idle(qd, 'all2', UUID_S2)
    reply = raw_call(env, QPATH, CONNECT, 'GetAllDomainStats', 'uu', (STATS_STATE | STATS_VCPU, 0))
    recs = reply.get_child_value(0)
    got = {}
    for i in range(recs.n_children()):
        rec = recs.get_child_value(i)
        got[rec.get_child_value(0).get_string()] = typed(rec.get_child_value(1))
    assert set(got) == {'all1', 'all2'}
    for st in got.values():
        assert st['state.state'] == 1 and 'vcpu.0.time' in st
    env.call_ok(p2, DOMAIN, 'Destroy', 'u', (0,))
    # list filter: running only
    recs = env.call_ok(QPATH, CONNECT, 'GetAllDomainStats', 'uu', (STATS_STATE, 16))[0]
    assert [r[0] for r in recs] == ['all1']
    env.call_ok(p1, DOMAIN, 'Destroy', 'u', (0,))


# ---- hotplug without a guest OS ------------------------------------------------

def test_live_attach_disk_and_nic(qd):
    env = qd.env
    path = start_idle(qd, 'hp1', UUID_S1)
    added = Signals(env.conn, 'DeviceAdded')
    try:
        img = image(env, 'hp1-vdb.qcow2', 'qcow2')
        env.call_ok(path, DOMAIN, 'AttachDevice', 'su', (disk_xml(img, fmt='qcow2'), AFFECT_LIVE))
        added.wait(path, 'vdb')
        assert disk_targets(xml_of(env, path)) == ['vdb']
        assert disk_targets(xml_of(env, path, XML_INACTIVE)) == []      # live only
        st = get_stats(env, path, STATS_BLOCK)
        assert st['block.count'] == 1 and st['block.0.name'] == 'vdb' and st['block.0.path'] == img
        assert 'block.0.rd.reqs' in st          # QEMU knows the backend: query-blockstats matched it

        # refused: same target again, a disk type the driver cannot hot-plug, broken XML
        assert_libvirt_error(env.call(path, DOMAIN, 'AttachDevice', 'su', (disk_xml(img), AFFECT_LIVE)),
                             'already exists')
        assert_libvirt_error(env.call(path, DOMAIN, 'AttachDevice', 'su',
                                      (disk_xml(img, 'sdc').replace("bus='virtio'", "bus='usb'"), AFFECT_LIVE)),
                             'virtio')
        assert_libvirt_error(env.call(path, DOMAIN, 'AttachDevice', 'su', ("<disk type='file'>", AFFECT_LIVE)),
                             'XML')
        assert_libvirt_error(env.call(path, DOMAIN, 'AttachDevice', 'su',
                                      (disk_xml('/nonexistent/x.img', 'vdc'), AFFECT_LIVE)), 'QEMU refused')
        assert disk_targets(xml_of(env, path)) == ['vdb']
        assert get_stats(env, path, STATS_BLOCK)['block.count'] == 1

        env.call_ok(path, DOMAIN, 'AttachDevice', 'su', (NIC_XML, AFFECT_LIVE))
        added.wait(path, 'net0')
        assert macs(xml_of(env, path)) == [NIC_MAC]
        st = get_stats(env, path, STATS_NET)
        assert st['net.count'] == 1 and st['net.0.name'] == 'net0'
        # the guest sees them: QEMU's device tree
        assert state_ok(env, path)
    finally:
        added.close()
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    # the live-only devices are gone with the process
    assert disk_targets(xml_of(env, path)) == [] and macs(xml_of(env, path)) == []


def state_ok(env, path):
    return tuple(env.call_ok(path, DOMAIN, 'GetState', 'u', (0,))[0]) == (1, 1)


def test_config_attach_update_detach_shutoff(qd):
    env = qd.env
    path = define(env, idle_xml('cfg1', UUID_S1))
    conf = os.path.join(qd.root, 'QEMU', 'config', 'cfg1.xml')
    img = image(env, 'cfg1-vdb.img')
    assert_libvirt_error(env.call(path, DOMAIN, 'AttachDevice', 'su', (disk_xml(img), AFFECT_LIVE)),
                         'not running')
    env.call_ok(path, DOMAIN, 'AttachDevice', 'su', (disk_xml(img), AFFECT_CONFIG))
    assert disk_targets(xml_of(env, path, XML_INACTIVE)) == ['vdb']
    with open(conf) as f:
        assert img in f.read()
    env.call_ok(path, DOMAIN, 'AttachDevice', 'su', (NIC_XML, 0))       # AFFECT_CURRENT = config here
    assert macs(xml_of(env, path, XML_INACTIVE)) == [NIC_MAC]

    bad = env.call(path, DOMAIN, 'AttachDevice', 'su', ("<disk type='file'><source file='/x'/></disk>", 0))
    assert_libvirt_error(bad, 'target')
    assert_libvirt_error(env.call(path, DOMAIN, 'AttachDevice', 'su', ('<sound model="ich9"/>', 0)),
                         'not supported')
    assert disk_targets(xml_of(env, path, XML_INACTIVE)) == ['vdb']

    img2 = image(env, 'cfg1-vdb2.img')
    env.call_ok(path, DOMAIN, 'UpdateDevice', 'su', (disk_xml(img2), AFFECT_CONFIG))
    src = xml_of(env, path, XML_INACTIVE).find('./devices/disk/source').get('file')
    assert src == img2

    # the config survives a daemon restart
    qd.env.stop_daemons()
    qd.start()
    assert disk_targets(xml_of(env, path, XML_INACTIVE)) == ['vdb']

    assert_libvirt_error(env.call(path, DOMAIN, 'DetachDevice', 'su', (disk_xml(img, 'vdz'), 0)), 'vdz not found')
    env.call_ok(path, DOMAIN, 'DetachDevice', 'su', (disk_xml(img2), AFFECT_CONFIG))
    env.call_ok(path, DOMAIN, 'DetachDevice', 'su', (NIC_XML, AFFECT_CONFIG))
    root = xml_of(env, path, XML_INACTIVE)
    assert disk_targets(root) == [] and macs(root) == []
    with open(conf) as f:
        assert img2 not in f.read()


def test_config_attach_running_applies_at_next_start(qd):
    env = qd.env
    path = start_idle(qd, 'cfg2', UUID_S2)
    img = image(env, 'cfg2-vdb.img')
    env.call_ok(path, DOMAIN, 'AttachDevice', 'su', (disk_xml(img), AFFECT_CONFIG))
    assert disk_targets(xml_of(env, path)) == []
    assert disk_targets(xml_of(env, path, XML_INACTIVE)) == ['vdb']
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    wait_until(lambda: state_ok(env, path), QUICK_DEADLINE, 'restart')
    assert disk_targets(xml_of(env, path)) == ['vdb']
    assert get_stats(env, path, STATS_BLOCK)['block.count'] == 1
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))


# ---- hot-unplug with the tiny guest --------------------------------------------

def test_guest_hotplug_detach(qd, kit):
    env = qd.env
    path, con = boot(qd, kit)
    added, removed = Signals(env.conn, 'DeviceAdded'), Signals(env.conn, 'DeviceRemoved')
    try:
        st = get_stats(env, path)
        for key in ('state.state', 'balloon.current', 'balloon.maximum', 'vcpu.current', 'vcpu.0.time',
                    'block.count', 'cpu.time'):
            assert key in st, key
        img = image(env, 'guest-vdb.img')
        env.call_ok(path, DOMAIN, 'AttachDevice', 'su', (disk_xml(img), AFFECT_LIVE | AFFECT_CONFIG))
        added.wait(path, 'vdb')
        assert get_stats(env, path, STATS_BLOCK)['block.count'] == 1
        assert disk_targets(xml_of(env, path, XML_INACTIVE)) == ['vdb']
        env.call_ok(path, DOMAIN, 'AttachDevice', 'su', (NIC_XML, AFFECT_LIVE))
        added.wait(path, 'net0')

        raw_call(env, path, DOMAIN, 'DetachDevice', 'su', (disk_xml(img), AFFECT_LIVE | AFFECT_CONFIG))
        removed.wait(path, 'vdb', HOTPLUG_DEADLINE)
        assert disk_targets(xml_of(env, path)) == []
        assert disk_targets(xml_of(env, path, XML_INACTIVE)) == []
        assert get_stats(env, path, STATS_BLOCK)['block.count'] == 0

        raw_call(env, path, DOMAIN, 'DetachDevice', 'su', (NIC_XML, AFFECT_LIVE))
        removed.wait(path, 'net0', HOTPLUG_DEADLINE)
        assert macs(xml_of(env, path)) == []
        # the same names can be used again: QEMU released the backends
        env.call_ok(path, DOMAIN, 'AttachDevice', 'su', (disk_xml(img), AFFECT_LIVE))
        wait_until(lambda: disk_targets(xml_of(env, path)) == ['vdb'], QUICK_DEADLINE, 'vdb again')
    finally:
        added.close()
        removed.close()
        con.close()
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
