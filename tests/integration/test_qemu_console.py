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
