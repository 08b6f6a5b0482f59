# SPDX-License-Identifier: LGPL-2.1-or-later
"""Consoles and graphics as file descriptors, and session mode, on real QEMU (TCG).

  * org.virtbus.Console1.OpenConsole on the booted test guest: the fd shows
    VIRTBUS-GUEST-READY (or, when that was printed before we opened, answers a
    probe line) and echoes input; errors on a stopped domain, an unknown device,
    the test driver;
  * Domain.OpenGraphicsFD on a VNC guest: the fd speaks RFB;
  * virtbusctl console through pipes: the echo arrives, Ctrl-] detaches with 0;
  * virtbusd --session --drivers qemu as an unprivileged user with a temporary
    HOME: define, start, destroy; state lands under $HOME/.local/state/virtbus.
"""

import os
import pwd
import select
import shutil
import subprocess
import tempfile
import time
import uuid as uuidlib

import dbus
import pytest

import vbharness
from vbharness import assert_libvirt_error, wait_until
from test_qemu import (QPATH, CONNECT, DOMAIN, EV_STARTED, EV_STOPPED, STOPPED_DESTROYED, READY,
                       BOOT_DEADLINE, QUICK_DEADLINE, ST_RUNNING, ST_SHUTOFF, domain_path, idle_xml,
                       guest_xml, define, state, qemu_pids, reap_children, no_qemu_left, qd, kit)  # noqa: F401

CONSOLE = 'org.virtbus.Console1'
CONSOLE_DEADLINE = 60.0


def open_fd(env, path, iface, method, sig, args):
    """Call a method returning 'h' with dbus-python; returns an fd we own."""
    bus = dbus.bus.BusConnection(env.address)
    try:
        obj = bus.get_object(vbharness.BUS, path, introspect=False)
        fd = obj.get_dbus_method(method, iface)(*args, signature=sig, timeout=60)
        return fd.take()
    finally:
        bus.close()


def dbus_error(env, path, iface, method, sig, args):
    with pytest.raises(dbus.exceptions.DBusException) as ei:
        os.close(open_fd(env, path, iface, method, sig, args))
    return ei.value.get_dbus_name(), ei.value.get_dbus_message()


class FdReader:
    def __init__(self, fd):
        self.fd = fd
        self.buf = b''

    def expect_any(self, needles, deadline, poke=None, poke_every=5.0):
        """Read until one of @needles shows up; every @poke_every s call poke()."""
        end = time.monotonic() + deadline
        next_poke = time.monotonic() + poke_every
        while True:
            for n in needles:
                if n in self.buf:
                    return n
            now = time.monotonic()
            if now > end:
                raise AssertionError('fd did not show %r within %.0f s; got %r' %
                                     (needles, deadline, self.buf[-2000:]))
            if poke and now >= next_poke:
                poke()
                next_poke = now + poke_every
            r, _, _ = select.select([self.fd], [], [], 0.5)
            if r:
                data = os.read(self.fd, 4096)
                if not data:
                    raise AssertionError('EOF on the fd; got %r' % self.buf[-2000:])
                self.buf += data


def wait_ready(con):
    """The guest prints READY once; if it did so before we opened the console, its
    echo loop answers the probe line instead. Either proves the console is live."""
    probe = b'probe-ready'
    return con.expect_any([READY, b'ECHO:' + probe], CONSOLE_DEADLINE + BOOT_DEADLINE,
                          poke=lambda: os.write(con.fd, probe + b'\n'), poke_every=10.0)


def start_guest(qd, kit):
    env = qd.env
    path = define(env, guest_xml(kit, 'guest'))
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    qd.events.wait(path, EV_STARTED)
    return path


def test_open_console_echo_and_virtbusctl(qd, kit):
    env = qd.env
    path = start_guest(qd, kit)
    fd = open_fd(env, path, CONSOLE, 'OpenConsole', 'su', ('', 0))
    try:
        con = FdReader(fd)
        t0 = time.monotonic()
        got = wait_ready(con)
        print('console: %r after %.1f s, %d bytes' % (got, time.monotonic() - t0, len(con.buf)))
        os.write(fd, b'hello\n')
        con.expect_any([b'ECHO:hello'], QUICK_DEADLINE)
        # by alias as well: the <console> of a serial port is serial0's pty
        fd2 = open_fd(env, path, CONSOLE, 'OpenConsole', 'su', ('serial0', 0))
        os.close(fd2)
    finally:
        os.close(fd)
    name, msg = dbus_error(env, path, CONSOLE, 'OpenConsole', 'su', ('nosuch0', 0))
    assert name == 'org.libvirt.Error' and 'cannot find character device nosuch0' in msg, msg

    # virtbusctl console with pipes: input reaches the guest, output comes back,
    # Ctrl-] detaches with exit status 0
    from test_virtbusctl import virtbusctl_path
    proc = subprocess.Popen([virtbusctl_path(), '--address', env.address, '-c', 'qemu', 'console', 'guest'],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out = FdReader(proc.stdout.fileno())
        proc.stdin.write(b'via-ctl\n')
        proc.stdin.flush()
        out.expect_any([b'ECHO:via-ctl'], QUICK_DEADLINE,
                       poke=lambda: (proc.stdin.write(b'via-ctl\n'), proc.stdin.flush()))
        proc.stdin.write(b'\x1d')
        proc.stdin.flush()
        assert proc.wait(timeout=QUICK_DEADLINE) == 0, proc.stderr.read()
        assert b'Escape character' in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    qd.events.wait(path, EV_STOPPED, STOPPED_DESTROYED)
    # stopped: no console
    name, msg = dbus_error(env, path, CONSOLE, 'OpenConsole', 'su', ('', 0))
    assert name == 'org.libvirt.Error' and 'domain is not running' in msg, msg


def test_open_graphics_fd_vnc(qd):
    env = qd.env
    uuid = str(uuidlib.uuid4())
    path = define(env, idle_xml('vnc', uuid, "<graphics type='vnc'/><video><model type='vga'/></video>"))
    name, msg = dbus_error(env, path, DOMAIN, 'OpenGraphicsFD', 'uu', (0, 0))
    assert 'domain is not running' in msg, msg
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    qd.events.wait(path, EV_STARTED)
    for flags in (0, 1):          # SKIPAUTH
        fd = open_fd(env, path, DOMAIN, 'OpenGraphicsFD', 'uu', (0, flags))
        try:
            r = FdReader(fd)
            r.expect_any([b'RFB 003.008\n'], QUICK_DEADLINE)
        finally:
            os.close(fd)
    name, msg = dbus_error(env, path, DOMAIN, 'OpenGraphicsFD', 'uu', (1, 0))
    assert name == 'org.libvirt.Error' and 'No graphics backend with index 1' in msg, msg
    name, msg = dbus_error(env, path, DOMAIN, 'OpenGraphicsFD', 'uu', (0, 2))
    assert 'unsupported flags' in msg, msg
    # the idle guest has no serial port
    name, msg = dbus_error(env, path, CONSOLE, 'OpenConsole', 'su', ('', 0))
    assert 'cannot find character device' in msg, msg
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    qd.events.wait(path, EV_STOPPED, STOPPED_DESTROYED)


def test_console_not_supported_on_test_driver(vb):
    name, msg = dbus_error(vb, vbharness.TEST_DOMAIN_PATH, CONSOLE, 'OpenConsole', 'su', ('', 0))
    assert name == 'org.libvirt.Error' and 'not supported' in msg, msg


SESSION_BUS_CONFIG = vbharness.bus_config("""  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_type="*"/>
  </policy>
""", 'session')


def test_session_mode_unprivileged(tmp_path):
    """virtbusd --session --drivers qemu as nobody, HOME a fresh directory: state
    under $HOME/.local/state/virtbus, a guest defined, started and destroyed."""
    nobody = pwd.getpwnam(vbharness.USER)
    top = tempfile.mkdtemp(prefix='vbs-')       # short: QEMU's socket paths live below
    procs = []
    try:
        os.chmod(top, 0o755)
        home = os.path.join(top, 'h')
        os.mkdir(home, 0o700)
        os.chown(home, nobody.pw_uid, nobody.pw_gid)
        exe = os.path.join(top, 'virtbusd')
        shutil.copy(vbharness.virtbusd_path(), exe)
        os.chmod(exe, 0o755)
        bus, address = vbharness.start_bus(top, SESSION_BUS_CONFIG)
        procs.append(bus)
        env = {'PATH': '/usr/bin:/bin', 'HOME': home, 'DBUS_SESSION_BUS_ADDRESS': address}
        log = open(os.path.join(top, 'virtbusd.log'), 'w')
        daemon = subprocess.Popen(['setpriv', '--reuid=' + vbharness.USER, '--regid=' + vbharness.GROUP,
                                   '--clear-groups', exe, '--session', '--drivers', 'qemu'],
                                  env=env, cwd=home, stdin=subprocess.DEVNULL, stdout=log,
                                  stderr=subprocess.STDOUT)
        procs.append(daemon)
        conn = dbus.bus.BusConnection(address)
        wait_until(lambda: conn.name_has_owner(vbharness.BUS), 10.0, 'org.libvirt owned by the session daemon',
                   proc=daemon, log=log.name)
        owner = conn.get_name_owner(vbharness.BUS)
        assert conn.get_unix_user(owner) == nobody.pw_uid

        def call(path, iface, method, sig='', args=()):
            return conn.call_blocking(vbharness.BUS, path, iface, method, sig, args, timeout=60)

        uuid = str(uuidlib.uuid4())
        path = str(call(QPATH, CONNECT, 'DomainDefineXML', 's', (idle_xml('sess', uuid),)))
        assert path == domain_path(uuid)
        state_dir = os.path.join(home, '.local', 'state', 'virtbus', 'QEMU')
        cfg = os.path.join(state_dir, 'config', 'sess.xml')
        assert os.path.exists(cfg) and os.stat(cfg).st_uid == nobody.pw_uid
        call(path, DOMAIN, 'Create', 'u', (0,))
        wait_until(lambda: tuple(call(path, DOMAIN, 'GetState', 'u', (0,)))[0] == ST_RUNNING,
                   QUICK_DEADLINE, 'the session guest to run')
        pids = qemu_pids(state_dir)
        assert len(pids) == 1
        assert os.stat('/proc/%d' % pids[0]).st_uid == nobody.pw_uid
        assert int(call(path, DOMAIN, 'GetState', 'u', (0,))[0]) == ST_RUNNING
        call(path, DOMAIN, 'Destroy', 'u', (0,))
        assert int(call(path, DOMAIN, 'GetState', 'u', (0,))[0]) == ST_SHUTOFF
        wait_until(lambda: no_qemu_left(state_dir), QUICK_DEADLINE, 'the session QEMU to be gone')
        conn.close()
    finally:
        for p in reversed(procs):
            vbharness.stop_process(p, timeout=10)
        for pid in qemu_pids(top):
            os.kill(pid, 9)
        reap_children()
        shutil.rmtree(top, ignore_errors=True)
