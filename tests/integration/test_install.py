# SPDX-License-Identifier: LGPL-2.1-or-later
"""`meson install --destdir`: every file lands where dbus-daemon, polkitd and
systemd look for it, and the installed bus policy + activation file make a bus
start the installed virtbusd on the first call to org.libvirt.

How activation is tested without touching the host: a private dbus-daemon of
<type>system</type> whose config <includedir>s the installed system.d directory
(so only the installed policy lets root own org.libvirt and others call it) and
whose <servicedir> holds a copy of the installed system activation file with
only the path in Exec= moved into the DESTDIR (plus --root into a temporary
directory). The config has no <servicehelper>: dbus-daemon then forks the
service itself instead of going through the setuid dbus-daemon-launch-helper,
and passes its own address in DBUS_SYSTEM_BUS_ADDRESS, which is where
`virtbusd --system` (sd_bus_open_system) connects. The session activation file
is tested the same way on a <type>session</type> bus run as an unprivileged
user (DBUS_SESSION_BUS_ADDRESS, `virtbusd --session`)."""

import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import pytest
from gi.repository import Gio, GLib

from vbharness import SRCROOT, USER, GROUP, HarnessError, virtbusd_path, wait_until

PREFIX = '/usr'
DBUS_SYSTEM_CONF = '/usr/share/dbus-1/system.conf'
# dbus-daemon's <standard_system_servicedirs/> (dbus-daemon(1))
SYSTEM_SERVICEDIRS = ('/usr/local/share/dbus-1/system-services', '/usr/share/dbus-1/system-services',
                      '/lib/dbus-1/system-services')
POLKIT_ACTIONS = '/usr/share/polkit-1/actions'           # compiled into polkitd
# every interface file of the source tree is installed
INTERFACES = tuple(sorted(f[:-4] for f in os.listdir(os.path.join(SRCROOT, 'dbus-interfaces'))
                          if f.endswith('.xml')))


def run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise AssertionError('%s failed (%d):\n%s\n%s' % (' '.join(argv), r.returncode,
                                                          r.stdout[-3000:], r.stderr[-3000:]))
    return r


@pytest.fixture(scope='module')
def tmp():
    d = tempfile.mkdtemp(prefix='virtbus-install-')
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope='module')
def dest(tmp):
    """A fresh build configured as a distribution would (--prefix=/usr), installed
    into a DESTDIR."""
    build = os.path.join(tmp, 'build')
    d = os.path.join(tmp, 'dest')
    run(['meson', 'setup', '--prefix=' + PREFIX, '-Dtests=false', build, SRCROOT], timeout=300)
    run(['meson', 'install', '-C', build, '--destdir', d], timeout=900)
    for root, dirs, _ in os.walk(tmp):
        for x in dirs:
            os.chmod(os.path.join(root, x), 0o755)
    return d


def at(dest, path):
    return os.path.join(dest, path.lstrip('/'))


def systemd_unit_dirs():
    r = subprocess.run(['systemd-analyze', 'unit-paths'], capture_output=True, text=True)
    dirs = r.stdout.split() if r.returncode == 0 else []
    return dirs or ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system']


def dbus_policy_dirs():
    """The <includedir>s of the host's system bus configuration."""
    tree = ET.parse(DBUS_SYSTEM_CONF)
    base = os.path.dirname(DBUS_SYSTEM_CONF)
    return [os.path.normpath(os.path.join(base, e.text.strip())) for e in tree.iter('includedir')]


def test_install_from_build_dir_lands_below_prefix(tmp):
    """`meson install --destdir` of the build under test (whatever its prefix)."""
    build = os.path.dirname(virtbusd_path())
    if not os.path.isdir(os.path.join(build, 'meson-private')):
        pytest.skip('virtbusd is not in a meson build directory')
    d = os.path.join(tmp, 'dest-builddir')
    run(['meson', 'install', '-C', build, '--no-rebuild', '--destdir', d], timeout=300)
    opts = run(['meson', 'introspect', '--buildoptions', build]).stdout
    prefix = re.search(r'"name": "prefix", "value": "([^"]+)"', opts).group(1)
    for rel in ('bin/virtbusctl', 'sbin/virtbusd', 'share/dbus-1/system.d/org.libvirt.conf',
                'share/dbus-1/system-services/org.libvirt.service',
                'share/dbus-1/services/org.libvirt.service',
                'share/polkit-1/actions/org.libvirt.api.policy',
                'share/man/man1/virtbusctl.1', 'share/man/man8/virtbusd.8',
                'share/bash-completion/completions/virtbusctl'):
        assert os.path.isfile(at(d, os.path.join(prefix, rel))), rel


def test_files_land_where_their_readers_look(dest):
    expect = {
        '/usr/sbin/virtbusd': 'executable',
        '/usr/bin/virtbusctl': 'executable',
        '/usr/share/man/man1/virtbusctl.1': 'file',
        '/usr/share/man/man8/virtbusd.8': 'file',
        '/usr/share/bash-completion/completions/virtbusctl': 'file',
        '/usr/share/dbus-1/services/org.libvirt.service': 'file',
    }
    for path, kind in expect.items():
        assert os.path.isfile(at(dest, path)), path
        if kind == 'executable':
            assert os.access(at(dest, path), os.X_OK), path
    policy = at(dest, '/usr/share/dbus-1/system.d/org.libvirt.conf')
    assert os.path.isfile(policy)
    assert '/usr/share/dbus-1/system.d' in dbus_policy_dirs()
    assert os.path.isfile(at(dest, SYSTEM_SERVICEDIRS[1] + '/org.libvirt.service'))
    assert os.path.isfile(at(dest, POLKIT_ACTIONS + '/org.libvirt.api.policy'))
    units = [u for u in systemd_unit_dirs() if os.path.isfile(at(dest, u + '/virtbusd.service'))]
    assert units, 'virtbusd.service is in none of systemd\'s unit directories'
    for name in INTERFACES:
        assert os.path.isfile(at(dest, '/usr/share/dbus-1/interfaces/%s.xml' % name)), name


def test_installed_files_refer_to_each_other(dest):
    svc = open(at(dest, SYSTEM_SERVICEDIRS[1] + '/org.libvirt.service')).read()
    assert re.search(r'^Name=org\.libvirt$', svc, re.M)
    assert re.search(r'^Exec=/usr/sbin/virtbusd --system$', svc, re.M), svc
    unit_name = re.search(r'^SystemdService=(\S+)$', svc, re.M).group(1)
    unit_dir = [u for u in systemd_unit_dirs() if os.path.isfile(at(dest, u + '/' + unit_name))]
    assert unit_dir, unit_name
    unit = open(at(dest, unit_dir[0] + '/' + unit_name)).read()
    assert re.search(r'^BusName=org\.libvirt$', unit, re.M)
    assert re.search(r'^ExecStart=/usr/sbin/virtbusd --system --drivers qemu,test$', unit, re.M), unit
    session = open(at(dest, '/usr/share/dbus-1/services/org.libvirt.service')).read()
    assert re.search(r'^Exec=/usr/sbin/virtbusd --session$', session, re.M), session
    actions = ET.parse(at(dest, POLKIT_ACTIONS + '/org.libvirt.api.policy')).getroot()
    ids = {a.get('id') for a in actions.iter('action')}
    assert 'org.libvirt.api.domain.start' in ids and 'org.libvirt.api.connect.getattr' in ids
    for name in INTERFACES:
        root = ET.parse(at(dest, '/usr/share/dbus-1/interfaces/%s.xml' % name)).getroot()
        assert [i.get('name') for i in root.iter('interface')] == [name]


BUS_BASE = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>{type}</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{servicedir}</servicedir>
  {policy}
  {include}
</busconfig>
"""

# the default policy of Debian's system.conf: nothing but what system.d grants
SYSTEM_POLICY = """<policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Debug.Stats"/>
  </policy>"""

SESSION_POLICY = """<policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>"""


class Bus:
    def __init__(self, tmp, name, kind, installed_service, exec_line, include='', user=None):
        self.dir = os.path.join(tmp, name)
        os.makedirs(os.path.join(self.dir, 'services'))
        os.makedirs(os.path.join(self.dir, 'state'))
        self.socket = os.path.join(self.dir, 'bus.sock')
        with open(installed_service) as f:
            text = f.read()
        # only Exec= changes: the DESTDIR binary, state in a temporary directory
        text, n = re.subn(r'^Exec=.*$', 'Exec=' + exec_line.format(state=os.path.join(
            self.dir, 'state')), text, flags=re.M)
        assert n == 1
        with open(os.path.join(self.dir, 'services', 'org.libvirt.service'), 'w') as f:
            f.write(text)
        conf = os.path.join(self.dir, 'bus.conf')
        with open(conf, 'w') as f:
            f.write(BUS_BASE.format(type=kind, socket=self.socket,
                                    servicedir=os.path.join(self.dir, 'services'),
                                    policy=SYSTEM_POLICY if kind == 'system' else SESSION_POLICY,
                                    include=include))
        for root, dirs, files in os.walk(self.dir):
            for x in dirs + files:
                os.chmod(os.path.join(root, x), 0o777 if x in dirs else 0o644)
        os.chmod(self.dir, 0o777)
        self.log = os.path.join(self.dir, 'bus.log')
        argv = ['dbus-daemon', '--config-file=' + conf, '--print-address', '--nofork']
        if user:
            argv = ['setpriv', '--reuid=' + user, '--regid=' + GROUP, '--clear-groups'] + argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=open(self.log, 'w'), text=True, cwd=self.dir)
        self.address = self.proc.stdout.readline().strip()
        if not self.address:
            self.proc.kill()
            raise HarnessError('dbus-daemon printed no address: ' + open(self.log).read())
        self.conn = Gio.DBusConnection.new_for_address_sync(
            self.address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)

    def dbus(self, method, sig, args):
        return self.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                   'org.freedesktop.DBus', method, GLib.Variant(sig, args),
                                   None, Gio.DBusCallFlags.NONE, 2000, None).unpack()[0]

    def owner_pid(self):
        return self.dbus('GetConnectionUnixProcessID', '(s)', ('org.libvirt',))

    def close(self):
        try:
            if self.dbus('NameHasOwner', '(s)', ('org.libvirt',)):
                pid = self.owner_pid()
                os.kill(pid, 15)
                wait_until(lambda: not os.path.exists('/proc/%d' % pid) or
                           open('/proc/%d/stat' % pid).read().split()[2] == 'Z', 10,
                           'activated virtbusd to exit')
        finally:
            self.conn.close_sync(None)
            self.proc.terminate()
            self.proc.wait(timeout=10)


def ctl(dest, bus, *args, user=None):
    argv = [at(dest, '/usr/bin/virtbusctl'), '--address', bus.address] + list(args)
    if user:
        argv = ['setpriv', '--reuid=' + user, '--regid=' + GROUP, '--clear-groups'] + argv
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=60, cwd='/')


def test_system_bus_activates_installed_virtbusd(dest, tmp):
    bus = Bus(tmp, 'system-bus', 'system',
              at(dest, SYSTEM_SERVICEDIRS[1] + '/org.libvirt.service'),
              at(dest, '/usr/sbin/virtbusd') + ' --system --root {state}',
              include='<includedir>%s</includedir>' % at(dest, '/usr/share/dbus-1/system.d'))
    try:
        assert not bus.dbus('NameHasOwner', '(s)', ('org.libvirt',))
        r = ctl(dest, bus, '-c', 'test', 'list', '--all')
        assert r.returncode == 0, r.stderr + open(bus.log).read()
        assert re.search(r'^\s*1\s+test\s+running\s', r.stdout, re.M), r.stdout
        # it is the installed binary that was started, by the bus
        exe = os.readlink('/proc/%d/exe' % bus.owner_pid())
        assert exe == at(dest, '/usr/sbin/virtbusd'), exe
        # the installed policy lets an unprivileged user call it (polkit decides;
        # there is none on this bus, so the daemon denies, not the bus)
        r = ctl(dest, bus, '-c', 'test', 'list', user=USER)
        assert r.returncode == 4, r.stderr
        assert 'polkit' in r.stderr and 'Rejected send message' not in r.stderr, r.stderr
    finally:
        bus.close()


def test_system_bus_policy_is_needed(dest, tmp):
    """Without the installed policy the bus refuses virtbusd the name: the test
    above really depends on org.libvirt.conf."""
    bus = Bus(tmp, 'system-bus-nopolicy', 'system',
              at(dest, SYSTEM_SERVICEDIRS[1] + '/org.libvirt.service'),
              at(dest, '/usr/sbin/virtbusd') + ' --system --root {state}')
    try:
        r = ctl(dest, bus, '-c', 'test', 'list', '--all')
        assert r.returncode != 0
    finally:
        bus.close()


def test_session_bus_activates_virtbusd_for_unprivileged_user(dest, tmp):
    bus = Bus(tmp, 'session-bus', 'session',
              at(dest, '/usr/share/dbus-1/services/org.libvirt.service'),
              at(dest, '/usr/sbin/virtbusd') + ' --session --root {state}', user=USER)
    try:
        r = ctl(dest, bus, '-c', 'test', 'list', '--all', user=USER)
        assert r.returncode == 0, r.stderr + open(bus.log).read()
        assert re.search(r'^\s*1\s+test\s+running\s', r.stdout, re.M), r.stdout
        pid = bus.owner_pid()
        assert os.stat('/proc/%d' % pid).st_uid != 0
        r = ctl(dest, bus, '-c', 'test', 'destroy', 'test', user=USER)
        assert r.returncode == 0, r.stderr
    finally:
        bus.close()
