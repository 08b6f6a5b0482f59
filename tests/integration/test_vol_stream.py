# SPDX-License-Identifier: LGPL-2.1-or-later
"""org.virtbus.StorageVol1: Upload/Download of a volume's bytes through a file
descriptor, run as an org.virtbus.Job1 (the reply is the job's path, at once).
Round trips through a pipe, a file and a socket (sha256), offset/length semantics,
refused calls that change nothing, bad descriptors and flags, a vanished volume, a
caller without the polkit grant, Cancel in the middle of an upload, and clients that
close their end mid-transfer while the daemon carries on."""

import hashlib
import json
import os
import socket
import subprocess
import tempfile
import threading
import time

import dbus
import pytest

from vbharness import TEST_PATH, wait_until, assert_libvirt_error

POOL = TEST_PATH + '/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566'
POOL_IFACE = 'org.libvirt.StoragePool'
VOL_IFACE = 'org.libvirt.StorageVol'
STREAM = 'org.virtbus.StorageVol1'
JOB = 'org.virtbus.Job1'
MIB = 1024 * 1024
DEADLINE = 20.0


def make_vol(env, name='data.img', mib=16):
    xml = "<volume><name>%s</name><capacity unit='MiB'>%d</capacity></volume>" % (name, mib)
    return env.call_ok(POOL, POOL_IFACE, 'StorageVolCreateXML', 'su', (xml, 0))[0]


class Bus:
    """A dbus-python connection (it passes file descriptors) to the test bus."""

    def __init__(self, env):
        self.bus = dbus.bus.BusConnection(env.address)

    def stream(self, vol, method, fd, offset=0, length=0, flags=0):
        obj = self.bus.get_object('org.libvirt', vol, introspect=False)
        return str(obj.get_dbus_method(method, STREAM)(dbus.types.UnixFd(fd), dbus.UInt64(offset),
                                                         dbus.UInt64(length), dbus.UInt32(flags),
                                                         signature='httu', timeout=30))

    def error(self, vol, method, fd, offset=0, length=0, flags=0):
        with pytest.raises(dbus.exceptions.DBusException) as ei:
            self.stream(vol, method, fd, offset, length, flags)
        return ei.value.get_dbus_name(), ei.value.get_dbus_message()

    def prop(self, path, iface, name):
        obj = self.bus.get_object('org.libvirt', path, introspect=False)
        return obj.Get(iface, name, dbus_interface='org.freedesktop.DBus.Properties', timeout=30)

    def wait_job(self, job, deadline=DEADLINE):
        """The job's final State once it is no longer running (it lingers 10 s)."""
        wait_until(lambda: self.prop(job, JOB, 'State') != 'running', deadline, 'job %s to end' % job)
        return str(self.prop(job, JOB, 'State'))

    def close(self):
        self.bus.close()


@pytest.fixture
def sb(vb):
    b = Bus(vb)
    b.env = vb
    b.vol = make_vol(vb)
    yield b
    b.close()


def feed(fd, data, chunk=MIB, pause=0.0, close=True):
    """Write @data to @fd from a thread (the daemon reads it meanwhile)."""
    def run():
        try:
            for i in range(0, len(data), chunk):
                os.write(fd, data[i:i + chunk])
                if pause:
                    time.sleep(pause)
        except BrokenPipeError:
            pass
        finally:
            if close:
                os.close(fd)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def drain(fd):
    out = bytearray()
    while True:
        b = os.read(fd, MIB)
        if not b:
            break
        out += b
    os.close(fd)
    return bytes(out)


def upload_pipe(sb, data, offset=0, length=None):
    r, w = os.pipe()
    job = sb.stream(sb.vol, 'Upload', r, offset, len(data) if length is None else length)
    os.close(r)
    feed(w, data).join(DEADLINE)
    return job, sb.wait_job(job)


def download_pipe(sb, offset=0, length=0):
    r, w = os.pipe()
    job = sb.stream(sb.vol, 'Download', w, offset, length)
    os.close(w)
    data = drain(r)
    return data, sb.wait_job(job)


def sha(b):
    return hashlib.sha256(b).hexdigest()


def test_pipe_round_trip(sb):
    data = os.urandom(8 * MIB)
    job, state = upload_pipe(sb, data)
    assert job.startswith(TEST_PATH + '/job/')
    assert state == 'completed'
    assert sb.prop(job, JOB, 'Operation') == 'StorageVolUpload'
    assert sb.prop(job, JOB, 'Object') == sb.vol
    assert sb.prop(job, JOB, 'BytesDone') == 8 * MIB and sb.prop(job, JOB, 'Progress') == 1.0
    back, state = download_pipe(sb, 0, 8 * MIB)
    assert state == 'completed'
    assert sha(back) == sha(data)
    # the uploaded bytes are allocated now
    info = sb.env.call_ok(sb.vol, VOL_IFACE, 'GetInfo', 'u', (0,))[0]
    assert info[1] == 16 * MIB and info[2] >= 8 * MIB, info


def test_file_round_trip_until_eof(sb):
    data = os.urandom(8 * MIB)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'src')
        with open(src, 'wb') as f:
            f.write(data)
        fd = os.open(src, os.O_RDONLY)
        try:
            job = sb.stream(sb.vol, 'Upload', fd, 0, 0)   # length 0: until EOF
        finally:
            os.close(fd)
        assert sb.wait_job(job) == 'completed'
        assert sb.prop(job, JOB, 'BytesTotal') == 8 * MIB
        dst = os.path.join(tmp, 'dst')
        fd = os.open(dst, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            job = sb.stream(sb.vol, 'Download', fd, 0, 0)  # length 0: to the end of the volume
        finally:
            os.close(fd)
        assert sb.wait_job(job) == 'completed'
        with open(dst, 'rb') as f:
            back = f.read()
    assert len(back) == 16 * MIB
    assert sha(back[:8 * MIB]) == sha(data) and back[8 * MIB:] == bytes(8 * MIB)


def test_socket_download(sb):
    data = os.urandom(2 * MIB)
    upload_pipe(sb, data)
    a, b = socket.socketpair()
    with a, b:
        job = sb.stream(sb.vol, 'Download', b.fileno(), 0, len(data))
        b.close()
        back = bytearray()
        while True:
            chunk = a.recv(MIB)
            if not chunk:
                break
            back += chunk
    assert sb.wait_job(job) == 'completed'
    assert sha(bytes(back)) == sha(data)


def test_offset_and_length(sb):
    job, state = upload_pipe(sb, b'hello', offset=1000)
    assert state == 'completed'
    back, state = download_pipe(sb, 998, 9)
    assert state == 'completed' and back == b'\0\0hello\0\0'
    # only @length bytes are taken from a longer stream
    job, state = upload_pipe(sb, b'ABCDEFGH', offset=0, length=3)
    assert state == 'completed'
    back, _ = download_pipe(sb, 0, 4)
    assert back == b'ABC\0'
    # the end of the volume exactly
    _, state = upload_pipe(sb, b'Z', offset=16 * MIB - 1)
    assert state == 'completed'
    back, _ = download_pipe(sb, 16 * MIB - 2, 0)
    assert back == b'\0Z'


def test_short_stream_fails_the_job(sb):
    r, w = os.pipe()
    job = sb.stream(sb.vol, 'Upload', r, 0, 10)
    os.close(r)
    os.write(w, b'12345')
    os.close(w)
    assert sb.wait_job(job) == 'failed'
    # the error travels in Finished; the job object tells the state, the daemon still works
    back, _ = download_pipe(sb, 0, 6)
    assert back == b'12345\0'


def test_short_stream_error_text(sb):
    got = []

    def trigger():
        r, w = os.pipe()
        got.append(sb.stream(sb.vol, 'Upload', r, 0, 10))
        os.close(r)
        os.write(w, b'12345')
        os.close(w)
    sigs = sb.env.wait_signal(None, JOB, 'Finished', trigger, deadline=DEADLINE)
    assert sigs[0][0] is False
    assert 'ended after 5 of 10 bytes' in sigs[0][1], sigs


def test_too_long_is_refused_and_changes_nothing(sb):
    data = os.urandom(MIB)
    upload_pipe(sb, data)
    before = sb.env.inventory()
    r, w = os.pipe()
    try:
        for offset, length, text in [(16 * MIB, 1, 'exceed the capacity'),
                                     (15 * MIB, 2 * MIB, 'exceed the capacity'),
                                     (17 * MIB, 0, 'beyond the end'),
                                     (1, 2 ** 64 - 1, 'exceed the capacity')]:
            name, msg = sb.error(sb.vol, 'Upload', r, offset, length)
            assert name == 'org.libvirt.Error' and 'invalid argument' in msg and text in msg, msg
            name, msg = sb.error(sb.vol, 'Download', w, offset, length)
            assert name == 'org.libvirt.Error' and text in msg, msg
    finally:
        os.close(r)
        os.close(w)
    assert sb.env.inventory() == before
    back, _ = download_pipe(sb, 0, MIB)
    assert sha(back) == sha(data)
    # a volume is not busy after a refused call
    assert upload_pipe(sb, b'x')[1] == 'completed'


def test_more_data_than_fits_fails(vb):
    b = Bus(vb)
    try:
        b.vol = make_vol(vb, 'small.img', 1)
        r, w = os.pipe()
        job = b.stream(b.vol, 'Upload', r, 0, 0)
        os.close(r)
        feed(w, os.urandom(MIB + 4096))
        assert b.wait_job(job) == 'failed'
    finally:
        b.close()


def test_bad_descriptors_and_flags(sb):
    r, w = os.pipe()
    d = os.open('/', os.O_RDONLY | os.O_DIRECTORY)
    try:
        for method, fd, text in [('Upload', d, 'must be a regular file, a pipe, a socket'),
                                 ('Upload', w, 'not open for reading'),
                                 ('Download', r, 'not open for writing')]:
            name, msg = sb.error(sb.vol, method, fd)
            assert name == 'org.libvirt.Error' and 'invalid argument' in msg and text in msg, msg
        name, msg = sb.error(sb.vol, 'Upload', r, flags=1)
        assert 'not supported' in msg and 'sparse' in msg, msg
        name, msg = sb.error(sb.vol, 'Download', w, flags=2)
        assert 'unsupported flags (0x2)' in msg, msg
        gone = TEST_PATH + '/storagevol/_2fdefault_2dpool_2fnope_2eimg'
        name, msg = sb.error(gone, 'Upload', r)
        assert name == 'org.libvirt.Error' and 'Storage volume not found' in msg, msg
        # busy while a job runs; the running job is not disturbed
        job = sb.stream(sb.vol, 'Upload', r, 0, 3)
        name, msg = sb.error(sb.vol, 'Download', w)
        assert 'still in use' in msg, msg
        res = sb.env.call(sb.vol, VOL_IFACE, 'Delete', 'u', (0,))
        assert_libvirt_error(res, 'still in use')
        os.write(w, b'abc')
        assert sb.wait_job(job) == 'completed'
    finally:
        for fd in (r, w, d):
            os.close(fd)
    # the volume is free again
    back, _ = download_pipe(sb, 0, 3)
    assert back == b'abc'


CLIENT = r'''
import json, os, sys, dbus
req = json.loads(sys.argv[1])
bus = dbus.bus.BusConnection(req['address'])
obj = bus.get_object('org.libvirt', req['path'], introspect=False)
r, w = os.pipe()
fd = r if req['method'] == 'Upload' else w
try:
    job = obj.get_dbus_method(req['method'], 'org.virtbus.StorageVol1')(
        dbus.types.UnixFd(fd), dbus.UInt64(0), dbus.UInt64(1), dbus.UInt32(0), signature='httu')
    print(json.dumps({'ok': True, 'job': str(job)}))
except dbus.exceptions.DBusException as e:
    print(json.dumps({'ok': False, 'name': e.get_dbus_name(), 'message': e.get_dbus_message()}))
'''


def call_as_nobody(env, path, method):
    script = os.path.join(env.tmp, 'stream_client.py')
    with open(script, 'w') as f:
        f.write(CLIENT)
    os.chmod(script, 0o755)
    proc = subprocess.run(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups',
                           '/usr/bin/python3', script,
                           json.dumps({'address': env.address, 'path': path, 'method': method})],
                          cwd=env.tmp, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize('method,action', [('Upload', 'org.libvirt.api.storage-vol.data-write'),
                                           ('Download', 'org.libvirt.api.storage-vol.data-read')])
def test_unauthorized_caller(sb, method, action):
    env = sb.env
    env.set_polkit({'default': 'allow', 'rules': [{'action': action, 'result': 'deny'}]})
    env.polkit_queries(clear=True)
    res = call_as_nobody(env, sb.vol, method)
    assert not res['ok'] and res['name'] == 'org.libvirt.Error', res
    assert res['message'].startswith('access denied'), res
    q = [x for x in env.polkit_queries() if x['action'] == action]
    assert q and q[0]['details'].get('vol_name') == 'data.img', env.polkit_queries()
    # no job was started: the volume is free
    env.set_polkit({'default': 'allow'})
    assert upload_pipe(sb, b'ok')[1] == 'completed'
    # with the grant, the same unprivileged caller gets a job
    res = call_as_nobody(env, sb.vol, method)
    assert res['ok'] and res['job'].startswith(TEST_PATH + '/job/'), res


def test_cancel_mid_upload(sb):
    r, w = os.pipe()
    job = sb.stream(sb.vol, 'Upload', r, 0, 8 * MIB)
    os.close(r)
    os.write(w, os.urandom(MIB))
    wait_until(lambda: sb.prop(job, JOB, 'BytesDone') >= MIB, DEADLINE, 'the first MiB to arrive')
    assert sb.prop(job, JOB, 'State') == 'running'
    assert 0 < sb.prop(job, JOB, 'Progress') < 1
    sb.env.call_ok(job, JOB, 'Cancel')
    assert sb.wait_job(job) == 'cancelled'
    # the daemon let go of our pipe: writing now fails, the volume is free again
    with pytest.raises(BrokenPipeError):
        for _ in range(64):
            os.write(w, bytes(MIB))
    os.close(w)
    res = sb.env.call(job, JOB, 'Cancel')
    assert not res['ok'] and 'not running' in res['message'], res
    assert upload_pipe(sb, b'again')[1] == 'completed'


def test_client_closes_its_end(sb):
    upload_pipe(sb, os.urandom(MIB))
    # download: the reader goes away after a little
    r, w = os.pipe()
    job = sb.stream(sb.vol, 'Download', w, 0, 0)
    os.close(w)
    os.read(r, 4096)
    os.close(r)
    assert sb.wait_job(job) == 'failed'
    # upload: the writer goes away before @length bytes
    r, w = os.pipe()
    job = sb.stream(sb.vol, 'Upload', r, 0, 4 * MIB)
    os.close(r)
    os.write(w, bytes(4096))
    os.close(w)
    assert sb.wait_job(job) == 'failed'
    # a socket peer that vanishes
    a, b = socket.socketpair()
    job = sb.stream(sb.vol, 'Download', b.fileno(), 0, 0)
    b.close()
    a.close()
    assert sb.wait_job(job) == 'failed'
    # the daemon still answers, and the volume can be used again
    info = sb.env.call_ok(sb.vol, VOL_IFACE, 'GetInfo', 'u', (0,))[0]
    assert info[1] == 16 * MIB
    assert upload_pipe(sb, b'fine')[1] == 'completed'


def test_wipe_zeroes_the_contents(sb):
    upload_pipe(sb, b'\xff' * 4096)
    sb.env.call_ok(sb.vol, VOL_IFACE, 'Wipe', 'uu', (0, 0))
    back, _ = download_pipe(sb, 0, 4096)
    assert back == bytes(4096)


def test_introspection_and_object_manager(sb):
    xml = sb.env.call_ok(sb.vol, 'org.freedesktop.DBus.Introspectable', 'Introspect')[0]
    assert '<interface name="org.virtbus.StorageVol1">' in xml
    objs = sb.env.call_ok(TEST_PATH, 'org.freedesktop.DBus.ObjectManager', 'GetManagedObjects')[0]
    assert STREAM in objs[sb.vol] and VOL_IFACE in objs[sb.vol]


def test_live_introspection_matches_the_file(sb):
    """check_introspection.py compares org.virtbus.StorageVol1 on a real volume with
    dbus-interfaces/org.virtbus.StorageVol1.xml (default state has no volume)."""
    here = os.path.dirname(os.path.abspath(__file__))
    res = subprocess.run(['/usr/bin/python3', os.path.join(here, 'check_introspection.py'),
                          '--dir', os.path.join(here, '..', '..', 'dbus-interfaces'),
                          '--address', sb.env.address, '--verbose',
                          '--object', STREAM + '=' + sb.vol],
                         capture_output=True, text=True, timeout=60)
    out = res.stdout + res.stderr
    assert res.returncode == 0 and ' 0 mismatched' in out, out
    assert 'ok %s at %s' % (STREAM, sb.vol) in out, out
