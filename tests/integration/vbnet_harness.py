# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small self-contained harness for test_network_iface.py: a private dbus-daemon,
a freshly started virtbusd per test (pristine test:///default state), dbus-python
proxies that marshal by introspection (like libvirt-dbus's suite), and a signal
recorder driven by a GLib main loop.

Needs /usr/bin/python3 with python3-dbus, python3-gi, python3-pytest."""
import os
import shutil
import subprocess
import tempfile
import time

import dbus
import dbus.mainloop.glib
import pytest
from gi.repository import GLib

from vbharness import SLOWDOWN, WRAPPER

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
CONNECT_PATH = '/org/libvirt/Test'


def daemon_path():
    return os.environ.get('VIRTBUSD', os.path.join(TOP, 'build', 'virtbusd'))


class Bus:
    """A private dbus-daemon (session configuration)."""

    def __init__(self):
        r, w = os.pipe()
        self.proc = subprocess.Popen(['dbus-daemon', '--session', '--nofork', '--print-address=%d' % w],
                                     pass_fds=(w,), stdout=subprocess.DEVNULL)
        os.close(w)
        with os.fdopen(r) as f:
            self.address = f.readline().strip()
        if not self.address:
            raise RuntimeError('dbus-daemon did not print its address')

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Daemon:
    """virtbusd on @bus with its own state directory, plus a client connection."""

    def __init__(self, bus):
        dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
        self.root = tempfile.mkdtemp(prefix='vbnet-')
        self.log = open(os.path.join(self.root, 'virtbusd.log'), 'w+')
        self.proc = subprocess.Popen(WRAPPER + [daemon_path(), '--bus', bus.address, '--root', self.root],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.conn = dbus.bus.BusConnection(bus.address)
        self.signals = []
        self.receiver = self.conn.add_signal_receiver(self._record, sender_keyword='sender',
                                                      path_keyword='path', member_keyword='member',
                                                      interface_keyword='interface')
        deadline = time.monotonic() + 5 * SLOWDOWN
        while not self.conn.name_has_owner('org.libvirt'):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('virtbusd did not start: ' + self.read_log())
            time.sleep(0.02)
        self.connect = self.iface(CONNECT_PATH, 'org.libvirt.Connect')

    def _record(self, *args, **kw):
        if kw.get('sender') == 'org.freedesktop.DBus':
            return
        self.signals.append((kw.get('interface'), kw.get('member'), str(kw.get('path')), args))

    def read_log(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def obj(self, path):
        return self.conn.get_object('org.libvirt', path)

    def iface(self, path, interface):
        return dbus.Interface(self.obj(path), interface)

    def props(self, path, interface):
        return dbus.Interface(self.obj(path), 'org.freedesktop.DBus.Properties').GetAll(interface)

    def prop(self, path, interface, name):
        return dbus.Interface(self.obj(path), 'org.freedesktop.DBus.Properties').Get(interface, name)

    def set_prop(self, path, interface, name, value):
        dbus.Interface(self.obj(path), 'org.freedesktop.DBus.Properties').Set(interface, name, value)

    def wait_signal(self, interface, member, match=None, timeout=2.0):
        """Wait for a recorded signal; returns (path, args) of the first match and
        drops it (and everything before it) from the record."""
        ctx = GLib.MainContext.default()
        tick = GLib.timeout_add(20, lambda: True)
        deadline = time.monotonic() + timeout
        try:
            while True:
                for i, (itf, mem, path, args) in enumerate(self.signals):
                    if itf == interface and mem == member and (match is None or match(path, args)):
                        del self.signals[:i + 1]
                        return path, args
                if time.monotonic() > deadline:
                    raise TimeoutError('no %s.%s signal; got %r' % (interface, member, self.signals))
                ctx.iteration(True)
        finally:
            GLib.source_remove(tick)

    def drain(self, timeout=0.1):
        """Dispatch pending signals for a short while (to check that none came)."""
        ctx = GLib.MainContext.default()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not ctx.iteration(False):
                time.sleep(0.01)

    def close(self):
        self.receiver.remove()
        self.conn.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        finally:
            self.log.close()
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope='module')
def netbus():
    bus = Bus()
    yield bus
    bus.close()


@pytest.fixture
def netd(netbus):
    d = Daemon(netbus)
    yield d
    alive = d.proc.poll() is None
    d.close()
    assert alive, 'virtbusd died during the test'
