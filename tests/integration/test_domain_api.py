#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""org.libvirt.Domain (all methods beyond the lifecycle set) and org.libvirt.DomainSnapshot
against virtbusd's test driver: happy and error paths, signals, and what libvirt-dbus's own
suite expects of test_domain.py / test_snapshot.py.

Runs a private dbus-daemon and build/virtbusd (or $VIRTBUSD) per test."""
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import dbus
import dbus.mainloop.glib
import pytest
from gi.repository import GLib

HERE = os.path.dirname(os.path.abspath(__file__))
VIRTBUSD = os.environ.get('VIRTBUSD', os.path.join(HERE, '..', '..', 'build', 'virtbusd'))
DOMAIN_PATH = '/org/libvirt/Test/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f'
SNAPSHOT_XML = '''<domainsnapshot>
  <name>my_snapshot</name>
  <description>A snapshot of the test domain</description>
</domainsnapshot>'''

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)


class Env:
    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        self.dbusd = subprocess.Popen(['dbus-daemon', '--session', '--print-address', '--nofork'],
                                      stdout=subprocess.PIPE)
        self.address = self.dbusd.stdout.readline().decode().strip()
        self.daemon = subprocess.Popen([VIRTBUSD, '--bus', self.address, '--root', self.root])
        self.bus = dbus.bus.BusConnection(self.address)
        for _ in range(int(os.environ.get("VB_START_TRIES", "100"))):
            if self.bus.name_has_owner('org.libvirt'):
                break
            time.sleep(0.02)
        else:
            raise TimeoutError('virtbusd did not start')
        self.connect = dbus.Interface(self.bus.get_object('org.libvirt', '/org/libvirt/Test'),
                                      'org.libvirt.Connect')

    def close(self):
        self.daemon.terminate()
        self.daemon.wait(timeout=10)
        self.bus.close()
        self.dbusd.terminate()
        self.dbusd.wait(timeout=10)
        self.tmp.cleanup()

    def obj(self, path, iface):
        return dbus.Interface(self.bus.get_object('org.libvirt', path), iface)

    def domain(self):
        return self.obj(DOMAIN_PATH, 'org.libvirt.Domain')

    def props(self, path=DOMAIN_PATH, iface='org.libvirt.Domain'):
        return self.obj(path, 'org.freedesktop.DBus.Properties').GetAll(iface)

    def signals(self, member, path=None, iface=None):
        got = []
        self.bus.add_signal_receiver(lambda *a: got.append(tuple(a)), signal_name=member,
                                     dbus_interface=iface, path=path)
        return got

    def wait(self, got, count=1, timeout=2.0):
        loop = GLib.MainLoop()
        deadline = time.time() + timeout

        def tick():
            if len(got) >= count or time.time() > deadline:
                loop.quit()
                return False
            return True
        GLib.timeout_add(10, tick)
        loop.run()
        assert len(got) >= count, 'signal not received'


@pytest.fixture
def env():
    e = Env()
    yield e
    e.close()


def error_of(call, *args):
    with pytest.raises(dbus.exceptions.DBusException) as exc:
        call(*args)
    assert exc.value.get_dbus_name() == 'org.libvirt.Error'
    return exc.value.get_dbus_message()


# ---- what libvirt-dbus's test_domain.py / test_snapshot.py check ----

def test_conformance_managed_save(env):
    dom = env.domain()
    ev = env.signals('DomainEvent', iface='org.libvirt.Connect')
    dom.ManagedSave(0)
    assert dom.HasManagedSaveImage(0) == dbus.Boolean(True)
    state = dom.GetState(0)
    assert state[0] == 5 and state[1] == 5
    dom.ManagedSaveRemove(0)
    assert dom.HasManagedSaveImage(0) == dbus.Boolean(False)
    env.wait(ev)
    assert ev[0] == (DOMAIN_PATH, 5, 4)


def test_conformance_metadata(env):
    dom = env.domain()
    ev = env.signals('MetadataChange', path=DOMAIN_PATH)
    dom.SetMetadata(0, 'This is the Test domain', '', '', 0)
    assert dom.GetMetadata(0, '', 0) == 'This is the Test domain'
    env.wait(ev)
    assert ev[0][0] == 0


def test_conformance_vcpus(env):
    dom = env.domain()
    dom.SetVcpus(2, 0)
    n = dom.GetVcpus(0)
    assert isinstance(n, dbus.UInt32) and n == 2


def test_conformance_vcpu_pin_info(env):
    info = env.domain().GetVcpuPinInfo(0)
    assert isinstance(info, dbus.Array)
    assert [list(row) for row in info] == [[True] * 8] * 2


def test_conformance_snapshot_domain(env):
    dom = env.domain()
    path = dom.SnapshotCreateXML(SNAPSHOT_XML, 0)
    assert isinstance(path, dbus.ObjectPath)
    assert path.startswith('/org/libvirt/Test/domainsnapshot/_6695eb01_f6a4_8304_79aa_97f2502e193f_')
    assert isinstance(dom.SnapshotCurrent(0), dbus.ObjectPath)
    assert dom.SnapshotLookupByName('my_snapshot', 0) == path
    snaps = dom.ListDomainSnapshots(0)
    assert isinstance(snaps, dbus.Array) and list(snaps) == [path]


def test_conformance_snapshot_object(env):
    path = env.domain().SnapshotCreateXML(SNAPSHOT_XML, 0)
    snap = env.obj(path, 'org.libvirt.DomainSnapshot')
    msg = error_of(snap.GetParent, 0)
    assert 'does not have a parent' in msg
    assert msg == "Domain snapshot not found: snapshot 'my_snapshot' does not have a parent"
    xml = snap.GetXMLDesc(0)
    assert isinstance(xml, dbus.String)
    root = ET.fromstring(xml)
    assert root.findtext('name') == 'my_snapshot' and root.findtext('state') == 'running'
    assert root.find('domain/name').text == 'test'
    assert snap.IsCurrent(0) == dbus.Boolean(True)
    assert isinstance(snap.ListChildren(0), dbus.Array)
    snap.Revert(0)
    snap.Delete(0)
    assert list(env.domain().ListDomainSnapshots(0)) == []


# ---- snapshots: tree, errors, revert, delete ----

def snap_xml(name):
    return '<domainsnapshot><name>%s</name></domainsnapshot>' % name


def test_snapshot_tree_and_revert(env):
    dom = env.domain()
    a = dom.SnapshotCreateXML(snap_xml('a'), 0)
    b = dom.SnapshotCreateXML(snap_xml('b b/1'), 0)
    assert b.endswith('_b_20b_2f1')
    sb = env.obj(b, 'org.libvirt.DomainSnapshot')
    sa = env.obj(a, 'org.libvirt.DomainSnapshot')
    assert sb.GetParent(0) == a
    assert list(sa.ListChildren(0)) == [b]
    assert list(dom.ListDomainSnapshots(1)) == [a]          # ROOTS
    assert list(dom.ListDomainSnapshots(4)) == [b]          # LEAVES
    assert sa.IsCurrent(0) == dbus.Boolean(False)
    # change the domain, then go back to snapshot a
    dom.Destroy(0)
    ev = env.signals('DomainEvent', iface='org.libvirt.Connect')
    sa.Revert(0)
    env.wait(ev)
    assert ev[0] == (DOMAIN_PATH, 2, 3)                      # STARTED / FROM_SNAPSHOT
    assert dom.GetState(0)[0] == 1
    assert sa.IsCurrent(0) == dbus.Boolean(True)
    assert 'mutually exclusive' in error_of(sa.Revert, 3)
    # deleting a re-parents b to the root
    sa.Delete(0)
    assert 'does not have a parent' in error_of(sb.GetParent, 0)
    assert list(dom.ListDomainSnapshots(0)) == [b]


def test_snapshot_errors(env):
    dom = env.domain()
    assert error_of(dom.SnapshotCurrent, 0) == \
        'Domain snapshot not found: the domain does not have a current snapshot'
    assert 'no domain snapshot with matching name' in error_of(dom.SnapshotLookupByName, 'nope', 0)
    assert 'unsupported flags' in error_of(dom.SnapshotCreateXML, SNAPSHOT_XML, 1 << 20)
    assert 'XML' in error_of(dom.SnapshotCreateXML, '<domain/>', 0)
    dom.SnapshotCreateXML(SNAPSHOT_XML, 0)
    assert 'already exists' in error_of(dom.SnapshotCreateXML, SNAPSHOT_XML, 0)
    assert len(dom.ListDomainSnapshots(0)) == 1
    assert 'cannot rename' in error_of(dom.Rename, 'x', 0)


def test_snapshot_delete_children(env):
    dom = env.domain()
    a = dom.SnapshotCreateXML(snap_xml('a'), 0)
    dom.SnapshotCreateXML(snap_xml('b'), 0)
    dom.SnapshotCreateXML(snap_xml('c'), 0)
    env.obj(a, 'org.libvirt.DomainSnapshot').Delete(4)       # CHILDREN_ONLY
    assert list(dom.ListDomainSnapshots(0)) == [a]
    env.obj(a, 'org.libvirt.DomainSnapshot').Delete(1)
    assert list(dom.ListDomainSnapshots(0)) == []


def test_snapshot_introspection(env):
    path = env.domain().SnapshotCreateXML(SNAPSHOT_XML, 0)
    xml = env.obj(path, 'org.freedesktop.DBus.Introspectable').Introspect()
    assert 'org.libvirt.DomainSnapshot' in xml
    om = env.obj('/org/libvirt/Test', 'org.freedesktop.DBus.ObjectManager').GetManagedObjects()
    assert path in om


# ---- metadata ----

def test_metadata_kinds_and_errors(env):
    dom = env.domain()
    dom.SetMetadata(1, 'A title', '', '', 0)
    assert dom.GetMetadata(1, '', 0) == 'A title'
    dom.SetMetadata(2, '<foo>bar</foo>', 'app', 'http://example.org/app', 0)
    assert 'bar' in dom.GetMetadata(2, 'http://example.org/app', 0)
    assert 'metadata not found' in error_of(dom.GetMetadata, 2, 'http://example.org/none', 0)
    assert 'unsupported flags' in error_of(dom.SetMetadata, 0, 'x', '', '', 8)
    assert 'mutually exclusive' in error_of(dom.GetMetadata, 0, '', 3)
    assert dom.GetMetadata(1, '', 0) == 'A title'


# ---- save, restore, managed save ----

def test_save_restore(env):
    dom = env.domain()
    path = os.path.join(env.root, 'test.save')
    assert 'outside' in error_of(dom.Save, '/tmp/elsewhere.save', '', 0)
    assert dom.GetState(0)[0] == 1
    assert 'xml modification unsupported' in error_of(dom.Save, path, '<domain/>', 0)
    dom.Save(path, '', 0)
    assert os.path.exists(path)
    assert dom.GetState(0) == (5, 5)
    xml = env.connect.DomainSaveImageGetXMLDesc(path, 0)
    assert '<name>test</name>' in xml
    env.connect.DomainSaveImageDefineXML(path, xml.replace('<currentMemory', '<!-- x --><currentMemory'), 0)
    ev = env.signals('DomainEvent', iface='org.libvirt.Connect')
    env.connect.DomainRestore(path, '', 0)
    env.wait(ev)
    assert ev[0] == (DOMAIN_PATH, 2, 2)
    assert dom.GetState(0)[0] == 1
    assert 'already active' in error_of(env.connect.DomainRestore, path, '', 0)
    assert 'outside' in error_of(env.connect.DomainRestore, '/etc/passwd', '', 0)


def test_managed_save_errors(env):
    dom = env.domain()
    assert 'unsupported flags' in error_of(dom.ManagedSave, 64)
    dom.Destroy(0)
    assert error_of(dom.ManagedSave, 0) == 'Requested operation is not valid: domain is not running'
    dom.Create(0)
    dom.ManagedSave(0)
    assert 'managed save image exists' in error_of(dom.Undefine, 0)
    dom.Create(0)
    assert dom.HasManagedSaveImage(0) == dbus.Boolean(False)
    assert dom.GetState(0)[0] == 1


def test_core_dump(env):
    dom = env.domain()
    path = os.path.join(env.root, 'core')
    dom.CoreDump(path, 0, 0)
    assert os.path.exists(path)
    assert 'not supported' in error_of(dom.CoreDump, path, 1, 0)
    dom.CoreDump(path, 0, 1)   # CRASH
    assert dom.GetState(0) == (5, 3)


# ---- vCPUs, pinning, memory ----

def test_vcpus(env):
    dom = env.domain()
    dom.SetVcpus(1, 0)
    assert dom.GetVcpus(0) == 1
    assert dom.GetVcpus(4) == 2          # MAXIMUM
    assert dom.GetVcpus(2) == 2          # CONFIG unchanged
    assert 'exceeds maximum' in error_of(dom.SetVcpus, 3, 0)
    assert 'max vcpu count' in error_of(dom.SetVcpus, 4, 5)
    assert 'unsupported flags' in error_of(dom.GetVcpus, 8)
    assert 'greater than 0' in error_of(dom.SetVcpus, 0, 0)
    dom.SetVcpus(4, 6)                   # CONFIG | MAXIMUM
    assert dom.GetVcpus(6) == 4
    assert dom.GetVcpus(0) == 1


def test_pinning(env):
    dom = env.domain()
    dom.PinVcpu(1, [True, False, True], 0)
    info = dom.GetVcpuPinInfo(0)
    assert list(info[0]) == [True] * 8
    assert list(info[1]) == [True, False, True] + [False] * 5
    assert 'not present' in error_of(dom.PinVcpu, 5, [True], 0)
    assert 'Empty cpu list' in error_of(dom.PinVcpu, 0, [False], 0)
    assert 'not present on the host' in error_of(dom.PinVcpu, 0, [False] * 9 + [True], 0)
    assert list(dom.GetEmulatorPinInfo(0)) == [True] * 8
    dom.PinEmulator([False, True], 0)
    assert list(dom.GetEmulatorPinInfo(0)) == [False, True] + [False] * 6


def test_memory(env):
    dom = env.domain()
    ev = env.signals('BalloonChange', path=DOMAIN_PATH)
    dom.SetMemory(1048576, 0)
    env.wait(ev)
    assert ev[0] == (1048576,)
    stats = dom.MemoryStats(0)
    assert isinstance(stats, dbus.Dictionary)
    assert stats[6] == 1048576
    assert 'higher than max' in error_of(dom.SetMemory, 99999999999, 0)
    assert 'active domain' in error_of(dom.SetMemory, 1024, 4 | 1)
    dom.SetMemoryStatsPeriod(5, 0)
    assert 'must be >= 0' in error_of(dom.SetMemoryStatsPeriod, -1, 0)
    dom.Destroy(0)
    assert 'not running' in error_of(dom.MemoryStats, 0)


# ---- typed parameters ----

def test_typed_parameters(env):
    dom = env.domain()
    sched = dom.GetSchedulerParameters(0)
    assert sched == {'weight': 50}
    dom.SetSchedulerParameters({'weight': dbus.UInt32(100)}, 0)
    assert dom.GetSchedulerParameters(0)['weight'] == 100
    assert "invalid type for parameter 'weight'" in error_of(
        dom.SetSchedulerParameters, {'weight': dbus.String('x')}, 0)
    assert error_of(dom.SetSchedulerParameters, {'weight': dbus.Array([dbus.Byte(1)], signature='y')}, 0) == \
        "Invalid typed parameter 'ay'."
    mem = dom.GetMemoryParameters(0)
    assert mem['hard_limit'] == 9007199254740991
    dom.SetMemoryParameters({'hard_limit': dbus.UInt64(1024)}, 0)
    assert dom.GetMemoryParameters(0)['hard_limit'] == 1024
    assert "not supported" in error_of(dom.SetMemoryParameters, {'nope': dbus.UInt64(1)}, 0)
    assert dom.GetBlockIOParameters(0)['weight'] == 0
    dom.SetBlockIOParameters({'weight': dbus.UInt32(500)}, 0)
    assert dom.GetBlockIOParameters(0)['weight'] == 500
    assert 'blkio weight range' in error_of(dom.SetBlockIOParameters, {'weight': dbus.UInt32(5)}, 0)
    assert 'numa_mode' in dom.GetNumaParameters(0)
    perf = dom.GetPerfEvents(0)
    assert perf['cmt'] == dbus.Boolean(False)
    dom.SetPerfEvents({'cmt': dbus.Boolean(True)}, 0)
    assert dom.GetPerfEvents(0)['cmt'] == dbus.Boolean(True)


def test_device_parameters(env):
    dom = env.domain()
    iface = dom.GetInterfaceParameters('aa:bb:cc:dd:ee:ff', 0)
    assert iface['inbound.average'] == 0
    dom.SetInterfaceParameters('aa:bb:cc:dd:ee:ff', {'inbound.average': dbus.UInt32(1000)}, 0)
    assert dom.GetInterfaceParameters('aa:bb:cc:dd:ee:ff', 0)['inbound.average'] == 1000
    assert "Can't find device" in error_of(dom.GetInterfaceParameters, 'nope0', 0)
    tune = dom.GetBlockIOTune('vda', 0)
    assert tune['total_bytes_sec'] == 0
    dom.SetBlockIOTune('vda', {'total_bytes_sec': dbus.UInt64(4096)}, 0)
    assert dom.GetBlockIOTune('vda', 0)['total_bytes_sec'] == 4096
    assert 'was not found' in error_of(dom.GetBlockIOTune, 'vdz', 0)


def test_double_wrapped_output(env):
    """a{sv} outputs carry a variant inside the variant (libvirt-dbus)."""
    params = env.domain().GetSchedulerParameters(0)
    assert params['weight'].variant_level == 2


# ---- statistics ----

def test_stats(env):
    dom = env.domain()
    st = dom.GetStats(0, 0)
    assert st['state.state'] == 1
    assert st['balloon.current'] == 2097152 and st['balloon.maximum'] == 8388608
    assert st['vcpu.current'] == 2 and st['vcpu.maximum'] == 2
    assert st['net.count'] == 1 and st['net.0.name'] == 'testnet0'
    assert st['block.count'] == 1 and st['block.0.name'] == 'vda'
    assert 'cpu.time' in st
    only = dom.GetStats(1, 0)
    assert set(only.keys()) == {'state.state', 'state.reason'}
    assert 'not supported by this daemon' in error_of(dom.GetStats, 1 << 12, 1 << 31)
    recs = env.connect.GetAllDomainStats(1, 0)
    assert [(r[0], r[1]['state.state']) for r in recs] == [('test', 1)]
    assert list(env.connect.GetAllDomainStats(0, 2)) == []   # INACTIVE only


def test_guest_information(env):
    dom = env.domain()
    assert dom.GetTime(0) == (627319920, 0)
    dom.SetTime(1000, 5, 0)
    assert dom.GetTime(0) == (1000, 5)
    assert 'nseconds' in error_of(dom.SetTime, 1, 1000000000, 0)
    assert dom.GetHostname(0) == 'testhost'
    addrs = dom.InterfaceAddresses(0, 0)
    assert [(a[0], a[1], [tuple(x) for x in a[2]]) for a in addrs] == \
        [('testnet0', 'aa:bb:cc:dd:ee:ff', [(0, '192.168.122.3', 24)])]
    fs = dom.GetFSInfo(0)
    assert [(f[0], f[1], f[2], list(f[3])) for f in fs] == \
        [('/', 'vda1', 'ext4', ['vda']), ('/boot', 'vda2', 'ext4', ['vda'])]
    assert [tuple(x) for x in dom.GetDiskErrors(0)] == [('vda', 1)]
    assert tuple(dom.GetControlInfo(0)) == (0, 0, 0)
    assert dom.FSFreeze([], 0) == 2
    assert dom.FSFreeze(['/'], 0) == 0
    assert dom.FSThaw(['/boot'], 0) == 1
    assert 'mount point not found' in error_of(dom.FSFreeze, ['/nope'], 0)
    dom.FSTrim('', 0, 0)
    dom.InjectNMI(0)
    dom.SendKey(0, 0, [30, 31], 0)
    assert 'nkeycodes' in error_of(dom.SendKey, 0, 0, [], 0)
    dom.SendProcessSignal(1, 9, 0)
    assert 'pid 1' in error_of(dom.SendProcessSignal, 2, 9, 0)
    dom.SetUserPassword('root', 'secret', 0)
    data = dom.MemoryPeek(256, 4, 1)
    assert bytes(data) == bytes([0, 1, 2, 3])
    assert 'VIR_MEMORY_VIRTUAL' in error_of(dom.MemoryPeek, 0, 4, 0)
    dom.Destroy(0)
    for call, args in [(dom.GetTime, (0,)), (dom.GetHostname, (0,)), (dom.GetFSInfo, (0,)),
                       (dom.InterfaceAddresses, (0, 0)), (dom.GetDiskErrors, (0,))]:
        assert error_of(call, *args) == 'Requested operation is not valid: domain is not running'


# ---- rename, devices ----

def test_rename(env):
    dom = env.domain()
    assert error_of(dom.Rename, 'other', 0) == 'Requested operation is not valid: cannot rename active domain'
    dom.Destroy(0)
    ev = env.signals('DomainEvent', iface='org.libvirt.Connect')
    dom.Rename('renamed', 0)
    env.wait(ev, 2)
    assert ev[:2] == [(DOMAIN_PATH, 1, 1), (DOMAIN_PATH, 0, 2)]
    assert env.props()['Name'] == 'renamed'
    assert env.connect.DomainLookupByName('renamed') == DOMAIN_PATH
    assert 'unsupported flags' in error_of(dom.Rename, 'x', 1)


DISK_XML = '''<disk type='file' device='disk'>
  <source file='/guest/extra.img'/>
  <target dev='vdb' bus='virtio'/>
</disk>'''


def test_devices(env):
    dom = env.domain()
    added = env.signals('DeviceAdded', path=DOMAIN_PATH)
    removed = env.signals('DeviceRemoved', path=DOMAIN_PATH)
    dom.AttachDevice(DISK_XML, 0)
    env.wait(added)
    assert added[0] == ('vdb',)
    assert "<target dev='vdb'" in dom.GetXMLDesc(0)
    assert "vdb" not in dom.GetXMLDesc(2)          # live only
    assert 'already exists' in error_of(dom.AttachDevice, DISK_XML, 0)
    dom.UpdateDevice(DISK_XML.replace('extra.img', 'other.img'), 0)
    assert 'other.img' in dom.GetXMLDesc(0)
    dom.DetachDevice(DISK_XML, 0)
    env.wait(removed)
    assert 'vdb' not in dom.GetXMLDesc(0)
    assert 'not found' in error_of(dom.DetachDevice, DISK_XML, 0)
    dom.AttachDevice(DISK_XML, 2)                  # CONFIG
    assert 'vdb' in dom.GetXMLDesc(2) and 'vdb' not in dom.GetXMLDesc(0)
    assert 'XML' in error_of(dom.AttachDevice, '<disk', 0)
    dom.Destroy(0)
    assert 'not running' in error_of(dom.AttachDevice, DISK_XML, 1)


# ---- methods libvirt's test driver does not have ----

@pytest.mark.parametrize('method,args,api', [
    ('AbortJob', (), 'virDomainAbortJob'),
    ('GetJobInfo', (), 'virDomainGetJobInfo'),
    ('GetJobStats', (0,), 'virDomainGetJobStats'),
    ('GetSecurityLabelList', (), 'virDomainGetSecurityLabelList'),
    ('GetGuestVcpus', (0,), 'virDomainGetGuestVcpus'),
    ('SetGuestVcpus', ([True], 1, 0), 'virDomainSetGuestVcpus'),
    ('BlockPeek', ('vda', 0, 16, 0), 'virDomainBlockPeek'),
    ('BlockCommit', ('vda', '', '', 0, 0), 'virDomainBlockCommit'),
    ('BlockCopy', ('vda', '<disk/>', {}, 0), 'virDomainBlockCopy'),
    ('BlockJobAbort', ('vda', 0), 'virDomainBlockJobAbort'),
    ('BlockPull', ('vda', 0, 0), 'virDomainBlockPull'),
    ('BlockRebase', ('vda', '', 0, 0), 'virDomainBlockRebase'),
    ('BlockResize', ('vda', 1024, 0), 'virDomainBlockResize'),
    ('BlockJobSetSpeed', ('vda', 1, 0), 'virDomainBlockJobSetSpeed'),
    ('GetBlockJobInfo', ('vda', 0), 'virDomainGetBlockJobInfo'),
    ('SetBlockThreshold', ('vda', 1, 0), 'virDomainSetBlockThreshold'),
    ('MigrateGetCompressionCache', (0,), 'virDomainMigrateGetCompressionCache'),
    ('MigrateSetCompressionCache', (1, 0), 'virDomainMigrateSetCompressionCache'),
    ('MigrateGetMaxSpeed', (0,), 'virDomainMigrateGetMaxSpeed'),
    ('MigrateSetMaxSpeed', (1, 0), 'virDomainMigrateSetMaxSpeed'),
    ('MigrateSetMaxDowntime', (1, 0), 'virDomainMigrateSetMaxDowntime'),
    ('MigrateStartPostCopy', (0,), 'virDomainMigrateStartPostCopy'),
    ('MigrateToURI3', ('test:///default', {}, 0), 'virDomainMigrateToURI3'),
    ('AddIOThread', (1, 0), 'virDomainAddIOThread'),
    ('DelIOThread', (1, 0), 'virDomainDelIOThread'),
    ('PinIOThread', (1, [True], 0), 'virDomainPinIOThread'),
    ('GetIOThreadInfo', (0,), 'virDomainGetIOThreadInfo'),
    ('OpenGraphicsFD', (0, 0), 'virDomainOpenGraphicsFD'),
    ('PMWakeup', (0,), 'virDomainPMWakeup'),
])
def test_not_supported(env, method, args, api):
    msg = error_of(getattr(env.domain(), method), *args)
    assert msg == 'this function is not supported by the connection driver: ' + api


def test_introspection_matches_interface_file(env):
    """Every method of org.libvirt.Domain with libvirt-dbus's signature and names."""
    ref = os.environ.get('VB_DOMAIN_INTERFACE_XML')
    xml = env.obj(DOMAIN_PATH, 'org.freedesktop.DBus.Introspectable').Introspect()
    node = ET.fromstring(xml)
    iface = [i for i in node.findall('interface') if i.get('name') == 'org.libvirt.Domain'][0]
    methods = {m.get('name'): [(a.get('name'), a.get('type'), a.get('direction', 'in'))
                               for a in m.findall('arg')] for m in iface.findall('method')}
    signals = {s.get('name') for s in iface.findall('signal')}
    assert len(methods) == 94
    assert len(signals) == 22
    assert methods['GetVcpuPinInfo'] == [('flags', 'u', 'in'), ('vcpuPinInfo', 'aab', 'out')]
    if ref and os.path.exists(ref):
        want = ET.parse(ref).getroot().find('interface')
        for m in want.findall('method'):
            assert methods[m.get('name')] == [(a.get('name'), a.get('type'), a.get('direction', 'in'))
                                              for a in m.findall('arg')], m.get('name')


if __name__ == '__main__':
    sys.exit(pytest.main(sys.argv))
