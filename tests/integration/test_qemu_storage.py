# SPDX-License-Identifier: LGPL-2.1-or-later
"""Storage pools of the QEMU connection (drivers/storage: the `dir` backend).

Pools are directories under the test's temporary directory; volumes are checked with
qemu-img itself (format, virtual size). Covered: define/build/start/refresh/list/
destroy/delete/undefine, raw and qcow2 volumes (sparse, allocated as a job, backing
store), clone as a job with progress and with Cancel, resize, wipe, upload/download of
4 MiB (sha256), files placed by hand, bad inputs that must change nothing, a daemon
restart, and an idle QEMU guest using a volume as its disk."""

import hashlib
import json
import os
import stat
import subprocess
import time
import xml.etree.ElementTree as ET

import dbus
import pytest
from gi.repository import Gio, GLib

import client
import vbharness
from vbharness import assert_libvirt_error, wait_until

QPATH = '/org/libvirt/QEMU'
CONNECT = 'org.libvirt.Connect'
POOL = 'org.libvirt.StoragePool'
VOL = 'org.libvirt.StorageVol'
STREAM = 'org.virtbus.StorageVol1'
JOB = 'org.virtbus.Job1'
OM = 'org.freedesktop.DBus.ObjectManager'
MIB = 1024 * 1024
QEMU_IMG = '/usr/bin/qemu-img'
QEMU = '/usr/bin/qemu-system-x86_64'
DEADLINE = 30.0

pytestmark = pytest.mark.skipif(not os.access(QEMU_IMG, os.X_OK), reason='qemu-img is not installed')


# ---- fixtures and helpers ------------------------------------------------------

class Q:
    """virtbusd with --drivers qemu on the module's bus, restartable on one root."""

    def __init__(self, env):
        self.env = env
        env.started += 1
        self.root = os.path.join(env.tmp, 'stor%d' % env.started)
        self.pools = os.path.join(env.tmp, 'pools%d' % env.started)
        os.makedirs(self.pools)
        self.start()

    def start(self):
        self.daemon = vbharness.Daemon(self.env, self.root, ('--drivers', 'qemu'))
        self.env.daemons.append(self.daemon)
        self.daemon.wait_owned()

    def restart(self):
        self.env.stop_daemons()
        self.start()

    def call(self, path, iface, method, sig='', args=()):
        return self.env.call(path, iface, method, sig, args)

    def ok(self, path, iface, method, sig='', args=()):
        return self.env.call_ok(path, iface, method, sig, args)

    def prop(self, path, iface, name):
        return self.env.get_property(path, iface, name)

    def config(self, name):
        return os.path.join(self.root, 'QEMU', 'storage', name + '.xml')


@pytest.fixture
def q(mock_env):
    mock_env.set_polkit({'default': 'allow'})
    qq = Q(mock_env)
    yield qq
    mock_env.stop_daemons()


def pool_xml(name, path, mode=None):
    perms = '<permissions><mode>%s</mode></permissions>' % mode if mode else ''
    return ("<pool type='dir'><name>%s</name><target><path>%s</path>%s</target></pool>"
            % (name, path, perms))


def vol_xml(name, mib, fmt=None, alloc=None, backing=None):
    f = "<format type='%s'/>" % fmt if fmt else ''
    a = "<allocation unit='MiB'>%d</allocation>" % alloc if alloc is not None else ''
    b = ("<backingStore><path>%s</path><format type='%s'/></backingStore>" % backing
         if backing else '')
    return ("<volume><name>%s</name><capacity unit='MiB'>%d</capacity>%s"
            "<target>%s</target>%s</volume>" % (name, mib, a, f, b))


def img_info(path):
    out = subprocess.run([QEMU_IMG, 'info', '--output=json', '-U', path], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)


def active_pool(q, name='p'):
    """A defined, built and started pool; returns (object path, directory)."""
    d = os.path.join(q.pools, name)
    p = q.ok(QPATH, CONNECT, 'StoragePoolDefineXML', 'su', (pool_xml(name, d), 0))[0]
    q.ok(p, POOL, 'Build', 'u', (0,))
    q.ok(p, POOL, 'Create', 'u', (0,))
    return p, d


def vol_names(q, pool):
    return sorted(q.prop(v, VOL, 'Name') for v in q.ok(pool, POOL, 'ListStorageVolumes', 'u', (0,))[0])


def snapshot(d):
    """What a refused call must leave as it was: names, sizes, modes under @d."""
    out = {}
    for base, dirs, files in os.walk(d):
        for n in dirs + files:
            st = os.lstat(os.path.join(base, n))
            out[os.path.relpath(os.path.join(base, n), d)] = (st.st_mode, st.st_size)
    return out


class Async:
    """A call whose reply is collected later, with the bus pumped meanwhile."""

    def __init__(self, q, path, iface, method, sig, args):
        self.result = None
        q.env.conn.call(vbharness.BUS, path, iface, method, GLib.Variant('(' + sig + ')', args),
                        None, Gio.DBusCallFlags.NONE, 120000, None, self._done)

    def _done(self, conn, res):
        try:
            self.result = {'ok': True, 'result': conn.call_finish(res).unpack()}
        except GLib.Error as err:
            name, message = client.split_error(err)
            self.result = {'ok': False, 'name': name, 'message': message}

    def wait(self, deadline=DEADLINE):
        end = time.monotonic() + deadline
        ctx = GLib.MainContext.default()
        while self.result is None:
            if not ctx.iteration(False):
                time.sleep(0.005)
            assert time.monotonic() < end, 'no reply within %.0f s' % deadline
        return self.result


def pump(seconds=0.0):
    ctx = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while True:
        while ctx.iteration(False):
            pass
        if time.monotonic() >= end:
            return
        time.sleep(0.005)


def running_job(q, operation):
    objs = q.ok(QPATH, OM, 'GetManagedObjects')[0]
    for path, ifaces in objs.items():
        j = ifaces.get(JOB)
        if j and j['Operation'] == operation and j['State'] == 'running':
            return path
    return None


def wait_job(q, operation, deadline=DEADLINE):
    found = []

    def look():
        pump()
        p = running_job(q, operation)
        if p:
            found.append(p)
        return bool(found)
    wait_until(look, deadline, 'a running %s job' % operation)
    return found[0]


# ---- pools ------------------------------------------------------------------------

def test_pool_lifecycle(q):
    d = os.path.join(q.pools, 'life')
    xml = pool_xml('life', d, '0750')
    p = q.ok(QPATH, CONNECT, 'StoragePoolDefineXML', 'su', (xml, 0))[0]
    assert os.path.exists(q.config('life'))
    assert stat.S_IMODE(os.stat(q.config('life')).st_mode) == 0o600
    assert q.prop(p, POOL, 'Persistent') is True and q.prop(p, POOL, 'Active') is False

    # the directory is not there yet: Create refuses, and makes nothing
    assert_libvirt_error(q.call(p, POOL, 'Create', 'u', (0,)), r"cannot open directory '%s'" % d)
    assert not os.path.exists(d)
    q.ok(p, POOL, 'Build', 'u', (0,))
    assert stat.S_ISDIR(os.stat(d).st_mode) and stat.S_IMODE(os.stat(d).st_mode) == 0o750

    q.ok(p, POOL, 'Create', 'u', (0,))
    assert q.prop(p, POOL, 'Active') is True
    info = q.ok(p, POOL, 'GetInfo')[0]
    assert info[0] == 2 and info[1] > 0 and info[1] >= info[2] and info[3] > 0
    assert q.ok(p, POOL, 'ListStorageVolumes', 'u', (0,))[0] == []
    q.ok(p, POOL, 'Refresh', 'u', (0,))
    live = ET.fromstring(q.ok(p, POOL, 'GetXMLDesc', 'u', (0,))[0])
    assert live.get('type') == 'dir' and live.findtext('target/path') == d
    assert int(live.findtext('capacity')) == info[1]
    assert q.ok(QPATH, CONNECT, 'StoragePoolLookupByName', 's', ('life',))[0] == p

    # Delete/Undefine of an active pool are refused
    assert_libvirt_error(q.call(p, POOL, 'Delete', 'u', (0,)), 'still active')
    assert_libvirt_error(q.call(p, POOL, 'Undefine'), 'still active')
    q.ok(p, POOL, 'Destroy')
    assert q.prop(p, POOL, 'Active') is False

    # a non-empty directory is not removed
    open(os.path.join(d, 'keep'), 'w').close()
    assert_libvirt_error(q.call(p, POOL, 'Delete', 'u', (0,)), 'Directory not empty')
    os.unlink(os.path.join(d, 'keep'))
    q.ok(p, POOL, 'Delete', 'u', (0,))
    assert not os.path.exists(d)
    q.ok(p, POOL, 'Undefine')
    assert not os.path.exists(q.config('life'))
    assert q.ok(QPATH, CONNECT, 'ListStoragePools', 'u', (0,))[0] == []
    # the object is gone: calls on it say so
    assert_libvirt_error(q.call(p, POOL, 'Create', 'u', (0,)), 'Storage pool not found')


def test_transient_pool_and_autostart(q):
    d = os.path.join(q.pools, 't')
    os.makedirs(d)
    p = q.ok(QPATH, CONNECT, 'StoragePoolCreateXML', 'su', (pool_xml('t', d), 0))[0]
    assert q.prop(p, POOL, 'Active') is True and q.prop(p, POOL, 'Persistent') is False
    assert not os.path.exists(q.config('t'))
    res = q.env.call(p, vbharness.PROPS, 'Set', 'ssv', (POOL, 'Autostart', GLib.Variant('b', True)))
    assert_libvirt_error(res, 'transient')
    q.ok(p, POOL, 'Destroy')
    assert q.ok(QPATH, CONNECT, 'ListStoragePools', 'u', (0,))[0] == []
    assert os.path.isdir(d)     # a transient pool's directory stays

    # CreateXML with WITH_BUILD (1) makes the directory
    d2 = os.path.join(q.pools, 'built')
    p2 = q.ok(QPATH, CONNECT, 'StoragePoolCreateXML', 'su', (pool_xml('built', d2), 1))[0]
    assert os.path.isdir(d2) and q.prop(p2, POOL, 'Active') is True


# ---- volumes ------------------------------------------------------------------------

def test_raw_and_qcow2_volumes(q):
    p, d = active_pool(q)
    v = q.ok(p, POOL, 'StorageVolCreateXML', 'su', (vol_xml('a.raw', 8, alloc=0), 0))[0]
    f = os.path.join(d, 'a.raw')
    assert q.prop(v, VOL, 'Path') == f and q.prop(v, VOL, 'Key') == f
    info = img_info(f)
    assert info['format'] == 'raw' and info['virtual-size'] == 8 * MIB
    assert os.stat(f).st_blocks * 512 < MIB          # sparse
    assert stat.S_IMODE(os.stat(f).st_mode) == 0o600
    typ, cap, alloc = q.ok(v, VOL, 'GetInfo', 'u', (0,))[0]
    assert (typ, cap) == (0, 8 * MIB) and alloc < MIB

    # allocation = capacity: fallocate as a job; the reply comes at its end
    v2 = q.ok(p, POOL, 'StorageVolCreateXML', 'su', (vol_xml('b.raw', 16, alloc=16), 0))[0]
    assert os.stat(os.path.join(d, 'b.raw')).st_blocks * 512 >= 16 * MIB
    assert q.ok(v2, VOL, 'GetInfo', 'u', (0,))[0][2] >= 16 * MIB

    v3 = q.ok(p, POOL, 'StorageVolCreateXML', 'su', (vol_xml('c.qcow2', 32, 'qcow2'), 0))[0]
    info = img_info(os.path.join(d, 'c.qcow2'))
    assert info['format'] == 'qcow2' and info['virtual-size'] == 32 * MIB
    assert q.ok(v3, VOL, 'GetInfo', 'u', (0,))[0][1] == 32 * MIB
    x = ET.fromstring(q.ok(v3, VOL, 'GetXMLDesc', 'u', (0,))[0])
    assert x.find('target/format').get('type') == 'qcow2' and x.findtext('key') == os.path.join(d, 'c.qcow2')

    # an overlay on a raw volume (its format taken from the XML)
    v4 = q.ok(p, POOL, 'StorageVolCreateXML', 'su',
              (vol_xml('d.qcow2', 8, 'qcow2', backing=(os.path.join(d, 'a.raw'), 'raw')), 0))[0]
    info = img_info(os.path.join(d, 'd.qcow2'))
    assert info['backing-filename'] == os.path.join(d, 'a.raw') and info['virtual-size'] == 8 * MIB
    assert 'backingStore' in q.ok(v4, VOL, 'GetXMLDesc', 'u', (0,))[0]

    assert vol_names(q, p) == ['a.raw', 'b.raw', 'c.qcow2', 'd.qcow2']
    assert q.ok(p, POOL, 'StorageVolLookupByName', 's', ('c.qcow2',))[0] == v3
    assert q.ok(QPATH, CONNECT, 'StorageVolLookupByKey', 's', (os.path.join(d, 'c.qcow2'),))[0] == v3
    assert q.ok(QPATH, CONNECT, 'StorageVolLookupByPath', 's', (os.path.join(d, 'b.raw'),))[0] == v2

    q.ok(v2, VOL, 'Delete', 'u', (0,))
    assert not os.path.exists(os.path.join(d, 'b.raw'))
    assert_libvirt_error(q.call(v2, VOL, 'GetInfo', 'u', (0,)), 'Storage volume not found')
    assert vol_names(q, p) == ['a.raw', 'c.qcow2', 'd.qcow2']


def test_clone_progress_and_cancel(q):
    p, d = active_pool(q)
    src = os.path.join(d, 'src.raw')
    block = os.urandom(MIB)
    with open(src, 'wb') as f:
        for _ in range(384):
            f.write(block)
    q.ok(p, POOL, 'Refresh', 'u', (0,))
    key = src

    # a clone into qcow2: progress from qemu-img convert -p, reply at the end
    seen = []
    sub = q.env.conn.signal_subscribe(None, vbharness.PROPS, 'PropertiesChanged', None, JOB,
                                      Gio.DBusSignalFlags.MATCH_ARG0_NAMESPACE,
                                      lambda *a: seen.append(a[5].unpack()[1].get('Progress')))
    try:
        call = Async(q, p, POOL, 'StorageVolCreateXMLFrom', 'ssu', (vol_xml('copy.qcow2', 1, 'qcow2'), key, 0))
        res = call.wait()
        pump(0.2)
    finally:
        q.env.conn.signal_unsubscribe(sub)
    assert res['ok'], res
    assert img_info(os.path.join(d, 'copy.qcow2'))['virtual-size'] == 384 * MIB
    progress = [x for x in seen if x is not None]
    assert progress and progress[-1] == 1.0, progress
    assert any(0.0 < x < 1.0 for x in progress), progress
    out = subprocess.run([QEMU_IMG, 'compare', '-f', 'raw', '-F', 'qcow2', src, os.path.join(d, 'copy.qcow2')],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr

    # Cancel kills qemu-img and the partial file goes
    before = sorted(os.listdir(d))
    call = Async(q, p, POOL, 'StorageVolCreateXMLFrom', 'ssu', (vol_xml('gone.raw', 1), key, 0))
    job = wait_job(q, 'StorageVolCreateXMLFrom')
    # meanwhile the source and the pool are busy
    srcvol = q.ok(p, POOL, 'StorageVolLookupByName', 's', ('src.raw',))[0]
    assert_libvirt_error(q.call(srcvol, VOL, 'Delete', 'u', (0,)), 'still in use')
    assert_libvirt_error(q.call(p, POOL, 'Destroy'), 'asynchronous jobs running')
    assert_libvirt_error(q.call(p, POOL, 'StorageVolCreateXML', 'su', (vol_xml('gone.raw', 1), 0)),
                         'already exists')
    q.ok(job, JOB, 'Cancel')
    res = call.wait()
    assert not res['ok'] and 'cancelled' in res['message'], res
    assert q.prop(job, JOB, 'State') == 'cancelled'
    assert sorted(os.listdir(d)) == before
    assert 'gone.raw' not in vol_names(q, p)
    # the source is free again
    q.ok(q.ok(p, POOL, 'StorageVolLookupByName', 's', ('src.raw',))[0], VOL, 'GetInfo', 'u', (0,))


def test_resize(q):
    p, d = active_pool(q)
    raw = q.ok(p, POOL, 'StorageVolCreateXML', 'su', (vol_xml('r.raw', 8, alloc=0), 0))[0]
    qc = q.ok(p, POOL, 'StorageVolCreateXML', 'su', (vol_xml('r.qcow2', 8, 'qcow2'), 0))[0]
    q.ok(raw, VOL, 'Resize', 'tu', (16 * MIB, 0))
    assert img_info(os.path.join(d, 'r.raw'))['virtual-size'] == 16 * MIB
    assert q.ok(raw, VOL, 'GetInfo', 'u', (0,))[0][1] == 16 * MIB
    q.ok(qc, VOL, 'Resize', 'tu', (4 * MIB, 2))           # DELTA
    assert img_info(os.path.join(d, 'r.qcow2'))['virtual-size'] == 12 * MIB
    assert q.ok(qc, VOL, 'GetInfo', 'u', (0,))[0][1] == 12 * MIB

    # shrinking needs the SHRINK flag (4)
    assert_libvirt_error(q.call(raw, VOL, 'Resize', 'tu', (4 * MIB, 0)), 'shrink flag')
    assert os.path.getsize(os.path.join(d, 'r.raw')) == 16 * MIB
    assert_libvirt_error(q.call(raw, VOL, 'Resize', 'tu', (4 * MIB, 0x10)), 'unsupported flags')
    q.ok(raw, VOL, 'Resize', 'tu', (4 * MIB, 4))
    assert os.path.getsize(os.path.join(d, 'r.raw')) == 4 * MIB


def test_upload_download_and_wipe(q):
    p, d = active_pool(q)
    v = q.ok(p, POOL, 'StorageVolCreateXML', 'su', (vol_xml('u.raw', 8, alloc=0), 0))[0]
    data = os.urandom(4 * MIB)
    src = os.path.join(q.env.tmp, 'upload.bin')
    with open(src, 'wb') as f:
        f.write(data)
    bus = dbus.bus.BusConnection(q.env.address)
    try:
        obj = bus.get_object('org.libvirt', v, introspect=False)

        def stream(method, fd, length):
            return str(obj.get_dbus_method(method, STREAM)(dbus.types.UnixFd(fd), dbus.UInt64(0),
                                                             dbus.UInt64(length), dbus.UInt32(0),
                                                             signature='httu', timeout=30))

        def finish(job):
            wait_until(lambda: q.prop(job, JOB, 'State') != 'running', DEADLINE, 'job end')
            return q.prop(job, JOB, 'State')

        with open(src, 'rb') as f:
            assert finish(stream('Upload', f.fileno(), 0)) == 'completed'
        with open(os.path.join(d, 'u.raw'), 'rb') as f:
            assert hashlib.sha256(f.read(4 * MIB)).hexdigest() == hashlib.sha256(data).hexdigest()
        dst = os.path.join(q.env.tmp, 'download.bin')
        with open(dst, 'wb') as f:
            assert finish(stream('Download', f.fileno(), 4 * MIB)) == 'completed'
        with open(dst, 'rb') as f:
            assert hashlib.sha256(f.read()).hexdigest() == hashlib.sha256(data).hexdigest()
    finally:
        bus.close()

    # wipe: zeroes as a job; other algorithms, qcow2 volumes: not supported
    assert_libvirt_error(q.call(v, VOL, 'Wipe', 'uu', (1, 0)), 'not supported')
    q.ok(v, VOL, 'Wipe', 'uu', (0, 0))
    with open(os.path.join(d, 'u.raw'), 'rb') as f:
        assert f.read() == bytes(8 * MIB)
    qc = q.ok(p, POOL, 'StorageVolCreateXML', 'su', (vol_xml('w.qcow2', 8, 'qcow2'), 0))[0]
    assert_libvirt_error(q.call(qc, VOL, 'Wipe', 'uu', (0, 0)), 'not supported')
    assert img_info(os.path.join(d, 'w.qcow2'))['format'] == 'qcow2'


def test_refresh_finds_files_placed_by_hand(q):
    p, d = active_pool(q)
    with open(os.path.join(d, 'hand.raw'), 'wb') as f:
        f.truncate(3 * MIB)
    subprocess.run([QEMU_IMG, 'create', '-q', '-f', 'qcow2', os.path.join(d, 'hand.qcow2'), '24M'], check=True)
    secret = os.path.join(q.env.tmp, 'outside')
    with open(secret, 'w') as f:
        f.write('outside of the pool')
    os.symlink(secret, os.path.join(d, 'link'))     # never followed
    os.mkdir(os.path.join(d, 'subdir'))
    os.mkfifo(os.path.join(d, 'fifo'))
    with open(os.path.join(d, 'subdir', 'deep.raw'), 'wb') as f:
        f.truncate(MIB)

    q.ok(p, POOL, 'Refresh', 'u', (0,))
    assert vol_names(q, p) == ['hand.qcow2', 'hand.raw']
    v = q.ok(p, POOL, 'StorageVolLookupByName', 's', ('hand.qcow2',))[0]
    assert q.ok(v, VOL, 'GetInfo', 'u', (0,))[0][1] == 24 * MIB
    assert ET.fromstring(q.ok(v, VOL, 'GetXMLDesc', 'u', (0,))[0]).find('target/format').get('type') == 'qcow2'
    r = q.ok(p, POOL, 'StorageVolLookupByName', 's', ('hand.raw',))[0]
    assert q.ok(r, VOL, 'GetInfo', 'u', (0,))[0][1] == 3 * MIB
    assert_libvirt_error(q.call(QPATH, CONNECT, 'StorageVolLookupByPath', 's', (os.path.join(d, 'link'),)),
                         'Storage volume not found')

    os.unlink(os.path.join(d, 'hand.raw'))
    q.ok(p, POOL, 'Refresh', 'u', (0,))
    assert vol_names(q, p) == ['hand.qcow2']


# ---- bad input ------------------------------------------------------------------------

def test_bad_input_changes_nothing(q):
    p, d = active_pool(q)
    q.ok(p, POOL, 'StorageVolCreateXML', 'su', (vol_xml('dup.raw', 1, alloc=0), 0))
    before_pool = snapshot(d)
    before_root = snapshot(os.path.join(q.root, 'QEMU', 'storage'))
    pools_before = q.ok(QPATH, CONNECT, 'ListStoragePools', 'u', (0,))[0]
    create = lambda xml, flags=0: q.call(p, POOL, 'StorageVolCreateXML', 'su', (xml, flags))

    assert_libvirt_error(create('<volume><name>x'), 'XML')
    assert_libvirt_error(create(vol_xml('a/b', 1)), "cannot contain '/'")
    assert_libvirt_error(create(vol_xml('../x', 1)), "cannot contain '/'")
    assert_libvirt_error(create(vol_xml('..', 1)), "not allowed")
    assert_libvirt_error(create(vol_xml('f.img', 1, 'nonsense')), "unknown volume format type 'nonsense'")
    assert_libvirt_error(create(vol_xml('f.img', 1, 'vmdk')), 'not supported')
    assert_libvirt_error(create(vol_xml('dup.raw', 1)), 'already exists')
    assert_libvirt_error(create(vol_xml('f.img', 1), 8), 'unsupported flags')
    assert_libvirt_error(create(vol_xml('f.raw', 1, 'raw', backing=('/nonexistent', 'raw'))),
                         'backing storage not supported')
    assert_libvirt_error(create(vol_xml('f.qcow2', 1, 'qcow2', backing=('/nonexistent', 'raw'))),
                         'not an existing file')
    assert_libvirt_error(q.call(p, POOL, 'StorageVolCreateXMLFrom', 'ssu',
                                (vol_xml('g.raw', 1), '/no/such/key', 0)), 'no storage vol with matching key')

    define = lambda xml: q.call(QPATH, CONNECT, 'StoragePoolDefineXML', 'su', (xml, 0))
    assert_libvirt_error(define('<pool type="dir"><name>x</name>'), 'XML')
    assert_libvirt_error(define("<pool type='logical'><name>vg</name><source><name>vg</name></source></pool>"),
                         'not supported')
    assert_libvirt_error(define(pool_xml('rel', 'relative/dir')), 'must be absolute')
    assert_libvirt_error(define(pool_xml('dots', q.pools + '/../escape')), 'not canonical')
    assert_libvirt_error(define(pool_xml('p', os.path.join(q.pools, 'other'))), 'already exists')
    assert_libvirt_error(define(pool_xml('same', d)), 'Storage source conflict')
    assert_libvirt_error(q.call(QPATH, CONNECT, 'StoragePoolCreateXML', 'su',
                                (pool_xml('nodir', os.path.join(q.pools, 'missing')), 0)), 'cannot open directory')

    assert snapshot(d) == before_pool
    assert snapshot(os.path.join(q.root, 'QEMU', 'storage')) == before_root
    assert q.ok(QPATH, CONNECT, 'ListStoragePools', 'u', (0,))[0] == pools_before
    assert not os.path.exists(os.path.join(q.pools, 'missing'))

    # a pool whose directory vanished: Refresh and Create say so
    os.unlink(os.path.join(d, 'dup.raw'))
    os.rmdir(d)
    assert_libvirt_error(q.call(p, POOL, 'Refresh', 'u', (0,)), 'cannot open directory')
    q.ok(p, POOL, 'Destroy')
    assert_libvirt_error(q.call(p, POOL, 'Create', 'u', (0,)), 'cannot open directory')
    assert q.prop(p, POOL, 'Active') is False


# ---- restart ---------------------------------------------------------------------------

def test_restart_keeps_pools_and_volumes(q):
    p, d = active_pool(q, 'keep')
    q.ok(p, POOL, 'StorageVolCreateXML', 'su', (vol_xml('k.qcow2', 20, 'qcow2'), 0))
    q.ok(p, POOL, 'StorageVolCreateXML', 'su', (vol_xml('k.raw', 2, alloc=0), 0))
    q.env.call_ok(p, vbharness.PROPS, 'Set', 'ssv', (POOL, 'Autostart', GLib.Variant('b', True)))
    off = os.path.join(q.pools, 'off')
    p2 = q.ok(QPATH, CONNECT, 'StoragePoolDefineXML', 'su', (pool_xml('off', off), 0))[0]

    q.restart()
    assert sorted(q.ok(QPATH, CONNECT, 'ListStoragePools', 'u', (0,))[0]) == sorted([p, p2])
    assert q.prop(p, POOL, 'Active') is True and q.prop(p, POOL, 'Autostart') is True
    assert q.prop(p2, POOL, 'Active') is False
    wait_until(lambda: vol_names(q, p) == ['k.qcow2', 'k.raw'], DEADLINE, 'volumes after restart')
    v = q.ok(p, POOL, 'StorageVolLookupByName', 's', ('k.qcow2',))[0]
    assert q.ok(v, VOL, 'GetInfo', 'u', (0,))[0][1] == 20 * MIB

    # stopped on purpose: stays stopped after a restart in the same boot
    q.ok(p, POOL, 'Destroy')
    q.restart()
    assert q.prop(p, POOL, 'Active') is False and q.prop(p, POOL, 'Autostart') is True


# ---- a guest on a volume ------------------------------------------------------------------

@pytest.mark.skipif(not os.access(QEMU, os.X_OK), reason='qemu-system-x86_64 is not installed')
def test_domain_uses_volume(q):
    p, d = active_pool(q)
    v = q.ok(p, POOL, 'StorageVolCreateXML', 'su', (vol_xml('disk.qcow2', 64, 'qcow2'), 0))[0]
    path = q.prop(v, VOL, 'Path')
    uuid = '3b1b5e57-68f2-4e6c-9b4d-8a1c8a4d2b01'
    xml = ("<domain type='qemu'><name>onvol</name><uuid>%s</uuid><memory unit='MiB'>32</memory>"
           "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
           "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='%s'/>"
           "<target dev='vda' bus='virtio'/></disk></devices></domain>" % (uuid, path))
    dom = q.ok(QPATH, CONNECT, 'DomainDefineXML', 's', (xml,))[0]
    q.ok(dom, 'org.libvirt.Domain', 'Create', 'u', (0,))
    try:
        wait_until(lambda: tuple(q.ok(dom, 'org.libvirt.Domain', 'GetState', 'u', (0,))[0])[0] == 1,
                   DEADLINE, 'the guest to run')
        # QEMU holds the image: qemu-img sees it locked
        locked = subprocess.run([QEMU_IMG, 'info', path], capture_output=True, text=True)
        assert locked.returncode != 0 and 'lock' in locked.stderr
    finally:
        q.ok(dom, 'org.libvirt.Domain', 'Destroy', 'u', (0,))
    q.ok(dom, 'org.libvirt.Domain', 'Undefine', 'u', (0,))


# ---- virtbusctl -c qemu -------------------------------------------------------------------

def test_virtbusctl_pool_and_vol_commands(q):
    exe = os.environ.get('VIRTBUSCTL') or os.path.join(os.path.dirname(vbharness.virtbusd_path()),
                                                        'tools', 'virtbusctl')
    if not os.access(exe, os.X_OK):
        pytest.skip('virtbusctl not built')

    def ctl(*args):
        return subprocess.run([exe, '--address', q.env.address, '-c', 'qemu'] + list(args),
                              capture_output=True, text=True, timeout=60)

    d = os.path.join(q.pools, 'ctl')
    px = os.path.join(q.env.tmp, 'ctl-pool.xml')
    vx = os.path.join(q.env.tmp, 'ctl-vol.xml')
    with open(px, 'w') as f:
        f.write(pool_xml('ctl', d))
    with open(vx, 'w') as f:
        f.write(vol_xml('c.qcow2', 4, 'qcow2'))
    for args in (('pool-define', px), ('pool-build', 'ctl'), ('pool-start', 'ctl'),
                 ('pool-autostart', 'ctl'), ('vol-create', 'ctl', vx), ('pool-refresh', 'ctl')):
        r = ctl(*args)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    assert os.path.isdir(d) and img_info(os.path.join(d, 'c.qcow2'))['format'] == 'qcow2'
    r = ctl('vol-list', 'ctl', '--name')
    assert r.returncode == 0 and r.stdout.split() == ['c.qcow2'], r.stdout + r.stderr
    r = ctl('pool-list', '--all', '--name')
    assert r.stdout.split() == ['ctl']
    assert ctl('pool-delete', 'ctl').returncode == 1          # still active: refused
    for args in (('vol-delete', 'c.qcow2', '--pool', 'ctl'), ('pool-destroy', 'ctl'), ('pool-delete', 'ctl'),
                 ('pool-undefine', 'ctl')):
        r = ctl(*args)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    assert not os.path.exists(d)
