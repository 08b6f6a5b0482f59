# SPDX-License-Identifier: LGPL-2.1-or-later
"""QEMU driver: live UpdateDevice (cdrom media change and eject, interface link
state) and snapshot revert across running and shut off states, on real
qemu-system-x86_64 processes (TCG). The guests idle in their firmware: QEMU's view of
a cdrom is checked through the files the QEMU process holds open."""

import os
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from gi.repository import Gio
from test_qemu import (CONNECT, DOMAIN, EV_STARTED, EV_STOPPED, EV_SUSPENDED, QPATH, QUICK_DEADLINE,
                       ST_PAUSED, ST_RUNNING, ST_SHUTOFF, define, idle_xml, no_qemu_left, qemu_pids, state)
from test_qemu_save import QEMU_IMG, SNAP, disk_xml, qd  # noqa: F401 (qd is a fixture)
from vbharness import assert_libvirt_error, wait_until

UUID = '6c1f1f43-6a55-4e0e-9d62-2d5b0c0a5e21'
MAC = '52:54:00:12:34:56'
AFFECT_LIVE, AFFECT_CONFIG = 1, 2
EV_DEFINED, EV_RESUMED = 0, 4
FROM_SNAPSHOT_DEFINED, FROM_SNAPSHOT_STARTED, FROM_SNAPSHOT_SUSPENDED = 3, 3, 5
FROM_SNAPSHOT_RESUMED, FROM_SNAPSHOT_STOPPED = 2, 6
RUNNING_FROM_SNAPSHOT, PAUSED_FROM_SNAPSHOT, SHUTOFF_FROM_SNAPSHOT = 4, 7, 7
REVERT_RUNNING, REVERT_PAUSED = 1, 2


def cdrom(path=None, bus='ide', extra=''):
    src = "<source file='%s'/>" % path if path else ''
    return ("<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>%s"
            "<target dev='hdc' bus='%s'/><readonly/>%s</disk>" % (src, bus, extra))


def nic(extra='', model='e1000'):
    return ("<interface type='user'><mac address='%s'/><model type='%s'/>%s</interface>"
            % (MAC, model, extra))


def iso(env, name):
    path = os.path.join(env.tmp, name)
    with open(path, 'wb') as f:
        f.write(b'\0' * 2048 * 16)
    return path


def open_files(root):
    """The regular files the (one) QEMU process of @root holds open."""
    pids = qemu_pids(root)
    assert len(pids) == 1, pids
    out = set()
    for fd in os.listdir('/proc/%d/fd' % pids[0]):
        try:
            out.add(os.readlink('/proc/%d/fd/%s' % (pids[0], fd)))
        except OSError:
            pass
    return out


def live(env, path, flags=0):
    return ET.fromstring(env.call_ok(path, DOMAIN, 'GetXMLDesc', 'u', (flags,))[0])


def cd_source(x):
    s = x.find("devices/disk[@device='cdrom']/source")
    return s.get('file') if s is not None else None


def link_state(x):
    ln = x.find('devices/interface/link')
    return ln.get('state') if ln is not None else None


def update(env, path, xml, flags):
    return env.call(path, DOMAIN, 'UpdateDevice', 'su', (xml, flags))


class Signals:
    def __init__(self, conn, name):
        self.got = []
        self.conn = conn
        self.sub = conn.signal_subscribe(None, DOMAIN, name, None, None, Gio.DBusSignalFlags.NONE,
                                         lambda c, s, p, i, n, params: self.got.append(tuple(params.unpack())))

    def close(self):
        self.conn.signal_unsubscribe(self.sub)


def test_cdrom_media_change_eject_and_refusals(qd):
    env = qd.env
    a, b = iso(env, 'a.iso'), iso(env, 'b.iso')
    disk = os.path.join(env.tmp, 'plain.raw')
    with open(disk, 'wb') as f:
        f.truncate(1 << 20)
    path = define(env, idle_xml('cd', UUID, cdrom(a) + nic() + disk_xml(disk).replace('qcow2', 'raw')))
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    assert a in open_files(qd.root)
    trays = Signals(env.conn, 'TrayChange')
    try:
        env.call_ok(path, DOMAIN, 'UpdateDevice', 'su', (cdrom(b), AFFECT_LIVE))
        assert cd_source(live(env, path)) == b
        files = open_files(qd.root)
        assert b in files and a not in files
        # the config was not asked to change
        assert cd_source(live(env, path, 2)) == a        # VIR_DOMAIN_XML_INACTIVE

        env.call_ok(path, DOMAIN, 'UpdateDevice', 'su', (cdrom(), 0))       # CURRENT = live
        x = live(env, path)
        assert cd_source(x) is None
        assert x.find("devices/disk[@device='cdrom']/target").get('tray') == 'open'
        assert b not in open_files(qd.root)
        env.call_ok(path, DOMAIN, 'UpdateDevice', 'su', (cdrom(a), AFFECT_LIVE | AFFECT_CONFIG))
        x = live(env, path)
        assert cd_source(x) == a and x.find("devices/disk[@device='cdrom']/target").get('tray') is None
        assert a in open_files(qd.root)
        wait_until(lambda: qd.events.pump() or ('hdc', 0) in trays.got and ('hdc', 1) in trays.got,
                   QUICK_DEADLINE, 'TrayChange open and close')

        # refused: nothing changes, in QEMU or in the definitions
        before = (env.call_ok(path, DOMAIN, 'GetXMLDesc', 'u', (0,))[0],
                  env.call_ok(path, DOMAIN, 'GetXMLDesc', 'u', (2,))[0], open_files(qd.root))
        for xml, text in ((cdrom(a, bus='sata'), "cannot modify field 'bus' of the disk"),
                          (cdrom(os.path.join(env.tmp, 'missing.iso')), 'Cannot access storage file'),
                          (cdrom(a, extra="<serial>x</serial>"), 'cannot modify field'),
                          (disk_xml(a).replace('qcow2', 'raw'), 'only in removable drives'),
                          (cdrom(a).replace("target dev='hdc'", "target dev='hdd'"), 'not found'),
                          (nic(model='virtio'), 'cannot modify network device model'),
                          (nic("<link state='sideways'/>"), 'link state'),
                          ("<disk type='file' device='cdrom'", 'XML')):
            assert_libvirt_error(update(env, path, xml, AFFECT_LIVE | AFFECT_CONFIG), text)
        assert_libvirt_error(update(env, path, cdrom(b), 1 << 8), 'unsupported flags')
        after = (env.call_ok(path, DOMAIN, 'GetXMLDesc', 'u', (0,))[0],
                 env.call_ok(path, DOMAIN, 'GetXMLDesc', 'u', (2,))[0], open_files(qd.root))
        assert before == after
    finally:
        trays.close()

    # link state: set_link, live only unless asked
    env.call_ok(path, DOMAIN, 'UpdateDevice', 'su', (nic("<link state='down'/>"), AFFECT_LIVE))
    assert link_state(live(env, path)) == 'down' and link_state(live(env, path, 2)) is None
    env.call_ok(path, DOMAIN, 'UpdateDevice', 'su', (nic("<link state='up'/>"), AFFECT_LIVE | AFFECT_CONFIG))
    assert link_state(live(env, path)) == 'up' and link_state(live(env, path, 2)) == 'up'
    # the live definition survives a daemon restart (status file)
    env.call_ok(path, DOMAIN, 'UpdateDevice', 'su', (nic("<link state='down'/>"), AFFECT_LIVE))
    env.stop_daemons()
    qd.events.close()
    qd.start()
    assert state(env, path)[0] == ST_RUNNING
    assert link_state(live(env, path)) == 'down'
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    assert_libvirt_error(update(env, path, cdrom(b), AFFECT_LIVE), 'not running')
    env.call_ok(path, DOMAIN, 'UpdateDevice', 'su', (cdrom(b), 0))          # CURRENT = config
    assert cd_source(live(env, path)) == b


def events_since(qd, path, n0):
    qd.events.pump(0.2)
    return [(e[1], e[2]) for e in qd.events.got[n0:] if e[0] == path]


def test_revert_across_states(qd):
    env = qd.env
    disk = os.path.join(env.tmp, 'rev.qcow2')
    subprocess.run([QEMU_IMG, 'create', '-q', '-f', 'qcow2', disk, '16M'], check=True)
    path = define(env, idle_xml('rev', UUID, disk_xml(disk)))
    off = env.call_ok(path, DOMAIN, 'SnapshotCreateXML', 'su',
                      ("<domainsnapshot><name>off</name></domainsnapshot>", 0))[0]
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    on = env.call_ok(path, DOMAIN, 'SnapshotCreateXML', 'su',
                     ("<domainsnapshot><name>on</name></domainsnapshot>", 0))[0]
    # the config changes after the snapshots: a revert brings the snapshot's back
    define(env, idle_xml('rev', UUID, disk_xml(disk)).replace('>32<', '>48<'))
    assert live(env, path, 2).findtext('memory') == str(48 * 1024)

    # flag errors change nothing
    for flags, text in ((REVERT_RUNNING | REVERT_PAUSED, 'mutually exclusive'), (1 << 6, 'unsupported flags')):
        assert_libvirt_error(env.call(off, SNAP, 'Revert', 'u', (flags,)), text)
    assert state(env, path)[0] == ST_RUNNING
    assert env.call_ok(path, DOMAIN, 'SnapshotCurrent', 'u', (0,))[0] == on

    # running → shut off snapshot: QEMU stops, the disk reverts, the domain stays off
    n0 = len(qd.events.got)
    env.call_ok(off, SNAP, 'Revert', 'u', (0,))
    assert state(env, path) == (ST_SHUTOFF, SHUTOFF_FROM_SNAPSHOT)
    wait_until(lambda: no_qemu_left(qd.root), QUICK_DEADLINE, 'QEMU to be gone')
    evs = events_since(qd, path, n0)
    assert (EV_STOPPED, FROM_SNAPSHOT_STOPPED) in evs and (EV_DEFINED, FROM_SNAPSHOT_DEFINED) in evs, evs
    assert env.call_ok(path, DOMAIN, 'SnapshotCurrent', 'u', (0,))[0] == off
    assert live(env, path, 2).findtext('memory') == str(32 * 1024)

    # shut off → running snapshot: QEMU starts from it
    n0 = len(qd.events.got)
    env.call_ok(on, SNAP, 'Revert', 'u', (0,))
    assert state(env, path) == (ST_RUNNING, RUNNING_FROM_SNAPSHOT)
    evs = events_since(qd, path, n0)
    assert (EV_STARTED, FROM_SNAPSHOT_STARTED) in evs and (EV_SUSPENDED, FROM_SNAPSHOT_SUSPENDED) not in evs, evs

    # running → running snapshot, paused: SUSPENDED/FROM_SNAPSHOT; then running again
    n0 = len(qd.events.got)
    env.call_ok(on, SNAP, 'Revert', 'u', (REVERT_PAUSED,))
    assert state(env, path) == (ST_PAUSED, PAUSED_FROM_SNAPSHOT)
    env.call_ok(on, SNAP, 'Revert', 'u', (REVERT_RUNNING,))
    assert state(env, path) == (ST_RUNNING, RUNNING_FROM_SNAPSHOT)
    evs = events_since(qd, path, n0)
    assert (EV_SUSPENDED, FROM_SNAPSHOT_SUSPENDED) in evs and (EV_RESUMED, FROM_SNAPSHOT_RESUMED) in evs, evs

    # running → shut off snapshot with REVERT_RUNNING: stopped, reverted, booted again
    n0 = len(qd.events.got)
    env.call_ok(off, SNAP, 'Revert', 'u', (REVERT_RUNNING,))
    assert state(env, path)[0] == ST_RUNNING
    evs = events_since(qd, path, n0)
    assert (EV_STOPPED, FROM_SNAPSHOT_STOPPED) in evs and (EV_STARTED, FROM_SNAPSHOT_STARTED) in evs, evs

    # shut off → running snapshot, paused
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    wait_until(lambda: no_qemu_left(qd.root), QUICK_DEADLINE, 'QEMU to be gone')
    n0 = len(qd.events.got)
    env.call_ok(on, SNAP, 'Revert', 'u', (REVERT_PAUSED,))
    assert state(env, path) == (ST_PAUSED, PAUSED_FROM_SNAPSHOT)
    evs = events_since(qd, path, n0)
    assert (EV_STARTED, FROM_SNAPSHOT_STARTED) in evs and (EV_SUSPENDED, FROM_SNAPSHOT_SUSPENDED) in evs, evs
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
