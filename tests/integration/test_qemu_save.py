# SPDX-License-Identifier: LGPL-2.1-or-later
"""QEMU driver: managed save, save/restore to a file and internal qcow2 snapshots,
on real qemu-system-x86_64 processes (TCG). The guest idles in its firmware with a
qcow2 disk attached (a guest OS is not needed to migrate its state into a file or
to take internal snapshots), so every test runs in seconds."""

import os
import subprocess
import xml.etree.ElementTree as ET

import pytest

from test_qemu import (CONNECT, DOMAIN, EV_STARTED, EV_STOPPED, QPATH, QUICK_DEADLINE, QemuDaemon,
                       ST_PAUSED, ST_RUNNING, ST_SHUTOFF, define, idle_xml, no_qemu_left, state)
from vbharness import assert_libvirt_error, wait_until

QEMU_IMG = '/usr/bin/qemu-img'
STOPPED_SAVED, STARTED_RESTORED = 4, 2
SHUTOFF_SAVED, RUNNING_RESTORED = 5, 3
SAVE_RUNNING, SAVE_PAUSED = 2, 4
JOB = 'org.virtbus.Job1'
UUID = '6c1f1f43-6a55-4e0e-9d62-2d5b0c0a5e01'
SAVE_DEADLINE = 60.0

pytestmark = pytest.mark.skipif(not os.access(QEMU_IMG, os.X_OK),
                                reason='%s is not installed (qemu-utils)' % QEMU_IMG)


@pytest.fixture
def qd(mock_env):
    mock_env.set_polkit({'default': 'allow'})
    q = QemuDaemon(mock_env)
    yield q
    try:
        mock_env.stop_daemons()
    finally:
        q.close()


def disk_xml(path):
    return ("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
            "<source file='%s'/><target dev='vda' bus='virtio'/></disk>" % path)


def make_guest(qd, name='saver'):
    """A defined, running idle guest with a fresh qcow2 disk: (path, disk file)."""
    disk = os.path.join(qd.env.tmp, '%s-%d.qcow2' % (name, qd.env.started))
    subprocess.run([QEMU_IMG, 'create', '-q', '-f', 'qcow2', disk, '16M'], check=True)
    path = define(qd.env, idle_xml(name, UUID, disk_xml(disk)))
    qd.env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    qd.events.wait(path, EV_STARTED)
    assert state(qd.env, path)[0] == ST_RUNNING
    return path, disk


def job_props(env, n):
    jp = QPATH + '/job/%d' % n
    return {k: env.get_property(jp, JOB, k) for k in ('Operation', 'State', 'Object', 'Progress')}


def test_managed_save_then_create_restores(qd):
    env = qd.env
    path, _ = make_guest(qd)
    assert env.call_ok(path, DOMAIN, 'HasManagedSaveImage', 'u', (0,)) == [False]
    env.call_ok(path, DOMAIN, 'ManagedSave', 'u', (0,))
    # the reply comes once QEMU is gone and the state is final
    assert state(env, path) == (ST_SHUTOFF, SHUTOFF_SAVED)
    qd.events.wait(path, EV_STOPPED, STOPPED_SAVED)
    assert env.call_ok(path, DOMAIN, 'HasManagedSaveImage', 'u', (0,)) == [True]
    image = os.path.join(qd.root, 'QEMU', 'save', 'saver.save')
    assert os.path.getsize(image) > 100000
    assert not os.path.exists(image + '.part')
    wait_until(lambda: no_qemu_left(qd.root), QUICK_DEADLINE, 'QEMU to be gone')
    job = job_props(env, 1)
    assert job['Operation'] == 'ManagedSave' and job['State'] == 'completed', job
    assert job['Object'] == path and job['Progress'] == 1.0

    qd.events.got.clear()
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    assert state(env, path) == (ST_RUNNING, RUNNING_RESTORED)
    qd.events.wait(path, EV_STARTED, STARTED_RESTORED)
    assert env.call_ok(path, DOMAIN, 'HasManagedSaveImage', 'u', (0,)) == [False]
    assert not os.path.exists(image)
    assert job_props(env, 2)['Operation'] == 'Restore'
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    assert state(env, path)[0] == ST_SHUTOFF


def test_managed_save_remove_and_refusals(qd):
    env = qd.env
    path, _ = make_guest(qd)
    env.call_ok(path, DOMAIN, 'ManagedSave', 'u', (0,))
    assert_libvirt_error(env.call(path, DOMAIN, 'ManagedSave', 'u', (0,)), 'not running')
    assert_libvirt_error(env.call(path, DOMAIN, 'Undefine', 'u', (0,)), 'managed save')
    env.call_ok(path, DOMAIN, 'ManagedSaveRemove', 'u', (0,))
    assert env.call_ok(path, DOMAIN, 'HasManagedSaveImage', 'u', (0,)) == [False]
    # without the image, Create boots afresh
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    assert state(env, path) == (ST_RUNNING, 1)
    assert_libvirt_error(env.call(path, DOMAIN, 'ManagedSave', 'u', (SAVE_RUNNING | SAVE_PAUSED,)),
                         'mutually exclusive')
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))


def test_save_restore_file(qd):
    env = qd.env
    path, _ = make_guest(qd)
    target = os.path.join(env.tmp, 'saver.img')
    for bad in ('relative.img', '/tmp/a\nb', '/tmp/../etc/x', '/dev/null'):
        assert_libvirt_error(env.call(path, DOMAIN, 'Save', 'ssu', (bad, '', 0)), '')
    assert state(env, path)[0] == ST_RUNNING
    env.call_ok(path, DOMAIN, 'Save', 'ssu', (target, '', SAVE_PAUSED))
    assert state(env, path) == (ST_SHUTOFF, SHUTOFF_SAVED)
    xml = env.call_ok(QPATH, CONNECT, 'DomainSaveImageGetXMLDesc', 'su', (target, 0))[0]
    assert ET.fromstring(xml).findtext('name') == 'saver'
    assert env.call_ok(path, DOMAIN, 'HasManagedSaveImage', 'u', (0,)) == [False]
    assert_libvirt_error(env.call(QPATH, CONNECT, 'DomainRestore', 'ssu', ('/etc/hostname', '', 0)), '')

    qd.events.got.clear()
    env.call_ok(QPATH, CONNECT, 'DomainRestore', 'ssu', (target, '', 0))
    # saved with SAVE_PAUSED: restored paused
    assert state(env, path) == (ST_PAUSED, 1)
    qd.events.wait(path, EV_STARTED, STARTED_RESTORED)
    env.call_ok(path, DOMAIN, 'Resume', '', ())
    assert state(env, path)[0] == ST_RUNNING
    assert os.path.exists(target)           # a caller's image stays
    assert_libvirt_error(env.call(QPATH, CONNECT, 'DomainRestore', 'ssu', (target, '', 0)), 'already active')
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))


SNAP = 'org.libvirt.DomainSnapshot'


def snapshots_in_image(disk):
    out = subprocess.run([QEMU_IMG, 'snapshot', '-U', '-l', disk], capture_output=True, text=True,
                         check=True).stdout
    return [line.split()[1] for line in out.splitlines()[2:] if line.split()]


def snap_names(env, path):
    paths = env.call_ok(path, DOMAIN, 'ListDomainSnapshots', 'u', (0,))[0]
    return sorted(ET.fromstring(env.call_ok(p, SNAP, 'GetXMLDesc', 'u', (0,))[0]).findtext('name')
                  for p in paths)


def test_snapshots_running_and_shut_off(qd):
    env = qd.env
    path, disk = make_guest(qd, 'snapper')
    s1 = env.call_ok(path, DOMAIN, 'SnapshotCreateXML', 'su',
                     ("<domainsnapshot><name>live1</name></domainsnapshot>", 0))[0]
    assert state(env, path)[0] == ST_RUNNING
    assert snapshots_in_image(disk) == ['live1']
    x = ET.fromstring(env.call_ok(s1, SNAP, 'GetXMLDesc', 'u', (0,))[0])
    assert x.findtext('state') == 'running' and x.find('domain') is not None
    assert env.call_ok(s1, SNAP, 'IsCurrent', 'u', (0,)) == [True]
    assert_libvirt_error(env.call(path, DOMAIN, 'SnapshotCreateXML', 'su',
                                  ("<domainsnapshot><name>live1</name></domainsnapshot>", 0)), 'exists')
    # revert while running: QEMU loads the state and the guest runs on
    env.call_ok(s1, SNAP, 'Revert', 'u', (0,))
    assert state(env, path)[0] == ST_RUNNING
    env.call_ok(s1, SNAP, 'Revert', 'u', (2,))      # REVERT_PAUSED
    assert state(env, path)[0] == ST_PAUSED

    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    wait_until(lambda: no_qemu_left(qd.root), QUICK_DEADLINE, 'QEMU to be gone')
    s2 = env.call_ok(path, DOMAIN, 'SnapshotCreateXML', 'su',
                     ("<domainsnapshot><name>off1</name></domainsnapshot>", 0))[0]
    assert sorted(snapshots_in_image(disk)) == ['live1', 'off1']
    assert snap_names(env, path) == ['live1', 'off1']
    assert env.call_ok(s2, SNAP, 'GetParent', 'u', (0,))[0] == s1
    assert env.call_ok(path, DOMAIN, 'SnapshotCurrent', 'u', (0,))[0] == s2
    assert ET.fromstring(env.call_ok(s2, SNAP, 'GetXMLDesc', 'u', (0,))[0]).findtext('state') == 'shutoff'
    env.call_ok(s2, SNAP, 'Revert', 'u', (0,))
    # a shut off domain reverts to a running snapshot by starting from it
    env.call_ok(s1, SNAP, 'Revert', 'u', (0,))
    assert state(env, path) == (ST_RUNNING, 4)      # RUNNING_FROM_SNAPSHOT
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    wait_until(lambda: no_qemu_left(qd.root), QUICK_DEADLINE, 'QEMU to be gone')
    assert os.path.exists(os.path.join(qd.root, 'QEMU', 'snapshot', 'snapper', 'off1.xml'))

    # delete while shut off (qemu-img) and while running (QMP): children move up
    env.call_ok(s1, SNAP, 'Delete', 'u', (0,))
    assert snapshots_in_image(disk) == ['off1']
    assert snap_names(env, path) == ['off1']
    assert_libvirt_error(env.call(s2, SNAP, 'GetParent', 'u', (0,)), 'parent')
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    env.call_ok(s2, SNAP, 'Delete', 'u', (0,))
    assert snapshots_in_image(disk) == []
    assert snap_names(env, path) == []
    assert not os.path.exists(os.path.join(qd.root, 'QEMU', 'snapshot', 'snapper', 'off1.xml'))
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))


def test_snapshot_metadata_survives_restart(qd):
    env = qd.env
    path, disk = make_guest(qd, 'keeper')
    env.call_ok(path, DOMAIN, 'SnapshotCreateXML', 'su', ("<domainsnapshot><name>a</name></domainsnapshot>", 0))
    env.call_ok(path, DOMAIN, 'SnapshotCreateXML', 'su', ("<domainsnapshot><name>b</name></domainsnapshot>", 0))
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    env.stop_daemons()
    qd.events.close()
    qd.start()
    assert snap_names(env, path) == ['a', 'b']
    cur = env.call_ok(path, DOMAIN, 'SnapshotCurrent', 'u', (0,))[0]
    assert ET.fromstring(env.call_ok(cur, SNAP, 'GetXMLDesc', 'u', (0,))[0]).findtext('name') == 'b'
    assert ET.fromstring(env.call_ok(cur, SNAP, 'GetXMLDesc', 'u', (0,))[0]).findtext('parent/name') == 'a'


def test_snapshot_needs_qcow2(qd):
    env = qd.env
    path = define(env, idle_xml('plain', UUID))
    assert_libvirt_error(env.call(path, DOMAIN, 'SnapshotCreateXML', 'su',
                                  ("<domainsnapshot><name>x</name></domainsnapshot>", 0)), 'qcow2')
    assert_libvirt_error(env.call(path, DOMAIN, 'SnapshotCreateXML', 'su',
                                  ("<domainsnapshot><name>../x</name></domainsnapshot>", 0)), 'name')
