# SPDX-License-Identifier: LGPL-2.1-or-later
"""Self-contained fixture for the storage/node-device tests: a private
dbus-daemon and a fresh virtbusd (test:///default state) per test, a
dbus-python connection with a GLib main loop, and signal capture."""
import os
import shutil
import subprocess
import tempfile
import time

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

from vbharness import SLOWDOWN, WRAPPER

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)

TEST_PATH = '/org/libvirt/Test'
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def daemon_path():
    exe = os.environ.get('VIRTBUSD') or os.path.join(ROOT, 'build', 'virtbusd')
    if not os.access(exe, os.X_OK):
        raise RuntimeError('virtbusd not found: build it or set VIRTBUSD (tried %s)' % exe)
    return exe


class Session:
    """One private bus and one daemon on it."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix='vb-storage-')
        self.bus_proc = subprocess.Popen(
            ['dbus-daemon', '--session', '--nofork', '--print-address=1'],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.address = self.bus_proc.stdout.readline().strip()
        if not self.address:
            raise RuntimeError('dbus-daemon did not start')
        self.log = open(os.path.join(self.tmp, 'log'), 'w')
        self.daemon = subprocess.Popen(
            WRAPPER + [daemon_path(), '--bus', self.address, '--root', os.path.join(self.tmp, 'root')],
            stdout=subprocess.DEVNULL, stderr=self.log)
        self.bus = dbus.bus.BusConnection(self.address)
        deadline = time.monotonic() + 5 * SLOWDOWN
        while not self.bus.name_has_owner('org.libvirt'):
            if time.monotonic() > deadline or self.daemon.poll() is not None:
                raise RuntimeError('virtbusd did not take org.libvirt')
            time.sleep(0.02)
        self.signals = []
        self.bus.add_signal_receiver(self._on_signal, bus_name='org.libvirt', path_keyword='path',
                                     member_keyword='member', interface_keyword='interface')
        self.connect = self.iface(TEST_PATH, 'org.libvirt.Connect')

    def _on_signal(self, *args, path=None, member=None, interface=None):
        self.signals.append((interface, member, str(path), tuple(args)))

    def obj(self, path):
        return self.bus.get_object('org.libvirt', path)

    def iface(self, path, interface):
        return dbus.Interface(self.obj(path), interface)

    def props(self, path, interface):
        return self.iface(path, 'org.freedesktop.DBus.Properties').GetAll(interface)

    def get(self, path, interface, name):
        return self.iface(path, 'org.freedesktop.DBus.Properties').Get(interface, name)

    def pump(self, seconds=0.05):
        """Let queued signals arrive."""
        ctx = GLib.MainContext.default()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            while ctx.pending():
                ctx.iteration(False)
            time.sleep(0.005)

    def wait_signal(self, interface, member, path=None, timeout=2.0):
        """Return the args of the first matching signal seen so far or within @timeout."""
        end = time.monotonic() + timeout
        while True:
            for (i, m, p, args) in self.signals:
                if i == interface and m == member and (path is None or p == path):
                    return args
            if time.monotonic() > end:
                raise TimeoutError('no %s.%s signal (got %r)' % (interface, member, self.signals))
            self.pump(0.02)

    def clear_signals(self):
        self.pump(0.05)
        self.signals = []

    def close(self):
        for p in (self.daemon, self.bus_proc):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.bus.close()
        self.bus_proc.stdout.close()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
