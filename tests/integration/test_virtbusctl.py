# SPDX-License-Identifier: LGPL-2.1-or-later
"""virtbusctl against virtbusd on the harness's private bus: output, round trips
through the daemon, exit codes, polkit (denied / interactive on a terminal),
events and await."""

import json
import os
import re
import shutil
import subprocess
import time

import pytest

import vbharness
from gi.repository import Gio, GLib

from vbharness import (CONNECT, DOMAIN, TEST_DOMAIN_PATH, TEST_DOMAIN_UUID, TEST_PATH,
                       USER, GROUP, domain_xml, wait_until, virtbusd_path)

# libvirt values
RUNNING, PAUSED, SHUTOFF = 1, 3, 5


def virtbusctl_path():
    exe = os.environ.get('VIRTBUSCTL') or \
        os.path.join(os.path.dirname(virtbusd_path()), 'tools', 'virtbusctl')
    if not os.access(exe, os.X_OK):
        pytest.fail('virtbusctl not found at %s (set VIRTBUSCTL)' % exe)
    return exe


def ctl(env, *args, user=None, stdin=subprocess.DEVNULL, extra_env=None, timeout=30):
    """Run virtbusctl on the private bus; as `user` through setpriv."""
    exe = virtbusctl_path()
    argv = [exe, '--address', env.address] + list(args)
    if user:
        # a copy the unprivileged user can execute wherever the tree lives
        copy = os.path.join(env.tmp, 'virtbusctl')
        if not os.path.exists(copy):
            shutil.copy(exe, copy)
            os.chmod(copy, 0o755)
        argv = ['setpriv', '--reuid=' + user, '--regid=' + GROUP, '--clear-groups',
                copy] + argv[1:]
    e = dict(os.environ, **(extra_env or {}))
    return subprocess.run(argv, stdin=stdin, capture_output=True, text=True, timeout=timeout,
                          cwd=env.tmp, env=e)


def state(env, path=TEST_DOMAIN_PATH):
    return env.call_ok(path, DOMAIN, 'GetState', 'u', (0,))[0][0]


def match_rules(env):
    """Number of match rules on the bus (dbus-daemon's Debug.Stats)."""
    reply = env.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                               'org.freedesktop.DBus.Debug.Stats', 'GetStats', None, None,
                               Gio.DBusCallFlags.NONE, 2000, None)
    return reply.unpack()[0]['MatchRules']


def start_watcher(env, *args):
    """Start a long-running virtbusctl (events/await) and return once it has
    subscribed to the daemon's signals."""
    before = match_rules(env)
    proc = subprocess.Popen([virtbusctl_path(), '--address', env.address] + list(args),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: match_rules(env) > before, 5.0, 'virtbusctl to subscribe', proc=proc)
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    return proc


# ---- list ------------------------------------------------------------------

def test_list_all_shows_default_domain_running(vb):
    r = ctl(vb, 'list', '--all')
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert re.match(r'\s*Id\s+Name\s+State\s+Memory\s+vCPUs\s*$', lines[0]), lines
    rows = [l.split() for l in lines[1:]]
    test = [row for row in rows if row[1] == 'test']
    assert len(test) == 1, r.stdout
    assert test[0][0] == '1' and test[0][2] == 'running', r.stdout
    assert test[0][-1] == '2', r.stdout          # vCPUs of test:///default's domain


def test_list_json_parses(vb):
    r = ctl(vb, 'list', '--all', '--json')
    assert r.returncode == 0, r.stderr
    doms = json.loads(r.stdout)
    assert isinstance(doms, list)
    test = [d for d in doms if d['name'] == 'test']
    assert len(test) == 1
    assert test[0]['state'] == 'running'
    assert test[0]['uuid'] == TEST_DOMAIN_UUID
    assert test[0]['path'] == TEST_DOMAIN_PATH
    assert test[0]['id'] == 1 and test[0]['vcpus'] == 2 and test[0]['memory_kib'] > 0


def test_list_names_only(vb):
    r = ctl(vb, 'list', '--all', '--name')
    assert r.returncode == 0, r.stderr
    assert 'test' in r.stdout.split()


# ---- lifecycle -------------------------------------------------------------

def test_destroy_start_round_trip(vb):
    r = ctl(vb, 'destroy', 'test')
    assert r.returncode == 0, r.stderr
    assert state(vb) == SHUTOFF
    # an inactive domain is only listed with --all
    assert 'test' not in ctl(vb, 'list', '--name').stdout.split()
    row = [l for l in ctl(vb, 'list', '--all').stdout.splitlines() if ' test ' in l]
    assert row and row[0].split()[0] == '-' and row[0].split()[2] == 'shutoff', row

    r = ctl(vb, 'start', 'test')
    assert r.returncode == 0, r.stderr
    assert "Domain 'test' started" in r.stdout
    assert state(vb) == RUNNING


def test_suspend_resume_by_uuid(vb):
    assert ctl(vb, 'suspend', TEST_DOMAIN_UUID).returncode == 0
    assert state(vb) == PAUSED
    assert ctl(vb, 'resume', TEST_DOMAIN_UUID).returncode == 0
    assert state(vb) == RUNNING


def test_dumpxml(vb):
    r = ctl(vb, 'dumpxml', 'test')
    assert r.returncode == 0, r.stderr
    assert r.stdout == vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'GetXMLDesc', 'u', (0,))[0]
    assert '<name>test</name>' in r.stdout
    r = ctl(vb, 'dumpxml', '--inactive', 'test')
    assert r.returncode == 0
    assert r.stdout == vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'GetXMLDesc', 'u', (2,))[0]
    # by id
    by_id = ctl(vb, 'dumpxml', '1')
    assert by_id.returncode == 0 and '<name>test</name>' in by_id.stdout


def test_define_undefine_file(vb):
    path = os.path.join(vb.tmp, 'ctl-demo.xml')
    with open(path, 'w') as f:
        f.write(domain_xml('ctl-demo'))
    r = ctl(vb, 'define', path)
    assert r.returncode == 0, r.stderr
    assert "Domain 'ctl-demo' defined" in r.stdout
    dom = vb.call_ok(TEST_PATH, CONNECT, 'DomainLookupByName', 's', ('ctl-demo',))[0]
    assert state(vb, dom) == SHUTOFF
    assert 'ctl-demo' in ctl(vb, 'list', '--all', '--name').stdout.split()

    r = ctl(vb, 'undefine', 'ctl-demo')
    assert r.returncode == 0, r.stderr
    assert not vb.call(TEST_PATH, CONNECT, 'DomainLookupByName', 's', ('ctl-demo',))['ok']
    assert 'ctl-demo' not in ctl(vb, 'list', '--all', '--name').stdout.split()


def test_update_device(vb):
    """update-device passes --live/--config as AFFECT_LIVE/AFFECT_CONFIG."""
    disk = os.path.join(vb.tmp, 'ctl-disk.xml')
    dom = vb.call_ok(TEST_PATH, CONNECT, 'DomainLookupByName', 's', ('test',))[0]
    with open(disk, 'w') as f:
        f.write("<disk type='file' device='disk'><source file='/guest/a.img'/>"
                "<target dev='vdb' bus='virtio'/></disk>")
    assert ctl(vb, 'attach-device', 'test', disk, '--live', '--config').returncode == 0
    with open(disk, 'w') as f:
        f.write("<disk type='file' device='disk'><source file='/guest/b.img'/>"
                "<target dev='vdb' bus='virtio'/></disk>")
    r = ctl(vb, 'update-device', 'test', disk, '--config')
    assert r.returncode == 0 and 'Device updated successfully' in r.stdout, r.stderr
    live = vb.call_ok(dom, DOMAIN, 'GetXMLDesc', 'u', (0,))[0]
    config = vb.call_ok(dom, DOMAIN, 'GetXMLDesc', 'u', (2,))[0]
    assert '/guest/b.img' in config and '/guest/a.img' in live
    assert ctl(vb, 'update-device', 'test', disk, '--live').returncode == 0
    assert '/guest/b.img' in vb.call_ok(dom, DOMAIN, 'GetXMLDesc', 'u', (0,))[0]
    r = ctl(vb, 'update-device', 'test', os.path.join(vb.tmp, 'missing.xml'))
    assert r.returncode != 0


def test_define_refused_xml_reports_daemon_error(vb):
    path = os.path.join(vb.tmp, 'bad.xml')
    with open(path, 'w') as f:
        f.write('<domain type="test"><name>x</name>')
    r = ctl(vb, 'define', path)
    assert r.returncode == 1
    assert r.stderr.startswith('virtbusctl: ') and 'XML' in r.stderr, r.stderr


def test_edit_redefines_and_keeps_old_on_error(vb):
    before = vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'GetXMLDesc', 'u', (2,))[0]
    r = ctl(vb, 'edit', 'test', extra_env={'EDITOR': 'sed -i s/<name>test/<nme>test/',
                                            'TMPDIR': vb.tmp})
    assert r.returncode != 0
    assert 'is unchanged' in r.stderr and 'mismatch' in r.stderr, r.stderr
    kept = re.search(r'kept in (\S+)', r.stderr).group(1)
    assert kept.startswith(vb.tmp + '/') and '<nme>test' in open(kept).read()
    assert vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'GetXMLDesc', 'u', (2,))[0] == before

    r = ctl(vb, 'edit', 'test', extra_env={'VISUAL': '', 'EDITOR': 'true', 'TMPDIR': vb.tmp})
    assert r.returncode == 0 and 'not changed' in r.stdout, r.stdout + r.stderr

    assert "<currentMemory unit='KiB'>2097152<" in before
    r = ctl(vb, 'edit', 'test', extra_env={'EDITOR': 'sed -i s/>2097152</>1048576</',
                                            'TMPDIR': vb.tmp})
    assert r.returncode == 0, r.stderr
    assert 'edited' in r.stdout
    after = vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'GetXMLDesc', 'u', (2,))[0]
    assert "<currentMemory unit='KiB'>1048576<" in after


def test_dominfo(vb):
    r = ctl(vb, 'dominfo', 'test')
    assert r.returncode == 0, r.stderr
    info = dict(re.split(r':\s+', l, maxsplit=1) for l in r.stdout.splitlines())
    assert info['Name'] == 'test' and info['UUID'] == TEST_DOMAIN_UUID
    assert info['State'] == 'running' and info['CPU(s)'] == '2' and info['Persistent'] == 'yes'


def test_autostart(vb):
    assert ctl(vb, 'autostart', 'test').returncode == 0
    assert vb.get_property(TEST_DOMAIN_PATH, DOMAIN, 'Autostart') is True
    assert ctl(vb, 'autostart', 'test', '--disable').returncode == 0
    assert vb.get_property(TEST_DOMAIN_PATH, DOMAIN, 'Autostart') is False


def test_nodeinfo_and_capabilities(vb):
    r = ctl(vb, 'nodeinfo')
    assert r.returncode == 0, r.stderr
    assert re.search(r'^CPU\(s\):\s+\d+$', r.stdout, re.M), r.stdout
    r = ctl(vb, 'capabilities')
    assert r.returncode == 0, r.stderr
    assert r.stdout == vb.call_ok(TEST_PATH, CONNECT, 'GetCapabilities')[0]


# ---- errors and exit codes ---------------------------------------------------

def test_unknown_domain_exit_3_with_daemon_message(vb):
    expected = vb.call(TEST_PATH, CONNECT, 'DomainLookupByName', 's', ('nope',))
    assert not expected['ok']
    for cmd in ('dominfo', 'start', 'dumpxml'):
        r = ctl(vb, cmd, 'nope')
        assert r.returncode == 3, (cmd, r.returncode, r.stderr)
        assert r.stderr.strip() == 'virtbusctl: ' + expected['message'], r.stderr
        assert r.stdout == ''


def test_access_denied_as_unprivileged_exit_4(vb):
    vb.set_polkit({'default': 'deny'})
    r = ctl(vb, 'list', '--all', user=USER)
    assert r.returncode == 4, (r.returncode, r.stderr)
    assert 'access denied' in r.stderr
    r = ctl(vb, 'destroy', 'test', user=USER)
    assert r.returncode == 4, (r.returncode, r.stderr)
    assert state(vb) == RUNNING


def test_interactive_authorization_only_on_a_terminal(vb):
    """'challenge' is granted only to calls that allow interactive authorization,
    which virtbusctl does when its stdin is a terminal."""
    vb.set_polkit({'default': 'allow', 'rules': [
        {'action': 'org.libvirt.api.domain.stop', 'result': 'challenge'}]})
    r = ctl(vb, 'destroy', 'test', user=USER)
    assert r.returncode == 4, r.stderr
    assert state(vb) == RUNNING
    vb.polkit_queries(clear=True)

    copy = os.path.join(vb.tmp, 'virtbusctl')       # made by the call above
    cmd = 'setpriv --reuid=%s --regid=%s --clear-groups %s --address %s destroy test' % (
        USER, GROUP, copy, vb.address)
    r = subprocess.run(['script', '-qec', cmd, '/dev/null'], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=30, cwd=vb.tmp)
    assert r.returncode == 0, r.stdout + r.stderr
    assert state(vb) == SHUTOFF
    stops = [q for q in vb.polkit_queries() if q['action'] == 'org.libvirt.api.domain.stop']
    assert stops and stops[-1]['flags'] & 1, stops


def test_usage_errors_exit_2(vb):
    for args, text in ((['frobnicate'], 'unknown command'),
                       (['list', '--bogus'], 'unknown option'),
                       (['start'], 'missing argument'),
                       (['start', 'a', 'b'], 'too many arguments'),
                       (['await', 'test', 'sleeping'], 'unknown state'),
                       ([], 'missing command')):
        r = ctl(vb, *args)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert text in r.stderr, (args, r.stderr)


def test_help_per_command(vb):
    r = ctl(vb, '--help')
    assert r.returncode == 0 and 'snapshot-create' in r.stdout and 'Exit status' in r.stdout
    for cmd in ('list', 'await', 'attach-device', 'net-list', 'secret-set-value'):
        r = ctl(vb, cmd, '--help')
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith('Usage: virtbusctl') and (' %s ' % cmd) in r.stdout


def test_unsupported_exit_5(vb):
    """A method the connection's driver does not serve maps to exit status 5 with
    libvirt's "not supported" text: the QEMU connection has no secret driver."""
    if vbharness.WRAPPER:
        pytest.skip('the QEMU driver does not run under valgrind 3.19 (no pidfd_open); '
                    'this runs in the plain and ASan passes')
    vb.stop_daemons()
    vb.start_daemon(extra_args=('--drivers', 'test,qemu'))
    xml = os.path.join(vb.tmp, 'secret.xml')
    with open(xml, 'w') as f:
        f.write("<secret ephemeral='no' private='yes'><usage type='volume'>"
                "<volume>/var/lib/x.img</volume></usage></secret>")
    r = ctl(vb, '-c', 'qemu', 'secret-define', xml)
    assert r.returncode == 5, (r.returncode, r.stderr)
    assert 'not supported' in r.stderr and 'virSecretDefineXML' in r.stderr, r.stderr
    assert r.stdout == ''


# ---- events and await --------------------------------------------------------

def test_events_prints_domain_event(vb):
    proc = start_watcher(vb, 'events', '--timeout', '10')
    vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'Destroy', 'u', (0,))
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    line = out.splitlines()[0]
    assert line.startswith('DomainEvent ' + TEST_DOMAIN_PATH), out
    assert 'event=Stopped' in line and 'detail=Destroyed' in line, line


def test_events_loop_prints_properties_changed(vb):
    proc = start_watcher(vb, 'events', '--loop', '--timeout', '2')
    vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'Suspend')
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert re.search(r'^DomainEvent .* event=Suspended detail=Paused domain=test$', out, re.M), out
    assert re.search(r'^PropertiesChanged %s interface=org.libvirt.Domain' % TEST_DOMAIN_PATH,
                     out, re.M), out


def test_events_timeout_without_event(vb):
    r = ctl(vb, 'events', '--timeout', '0.3')
    assert r.returncode == 6 and 'no event' in r.stderr, r.stderr


def test_await_returns_when_state_reached(vb):
    r = ctl(vb, 'await', 'test', 'running', '--timeout', '5')
    assert r.returncode == 0, r.stderr            # already there

    proc = start_watcher(vb, 'await', 'test', 'shutoff', '--timeout', '20')
    t0 = time.monotonic()
    assert proc.poll() is None
    vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'Destroy', 'u', (0,))
    out, err = proc.communicate(timeout=25)
    assert proc.returncode == 0, err
    assert time.monotonic() - t0 < 5


def test_await_times_out(vb):
    t0 = time.monotonic()
    r = ctl(vb, 'await', 'test', 'paused', '--timeout', '0.5')
    assert r.returncode == 6, (r.returncode, r.stderr)
    assert 'timed out' in r.stderr
    assert 0.4 < time.monotonic() - t0 < 10
    assert ctl(vb, 'await', 'nope', 'running', '--timeout', '1').returncode == 3


# ---- other objects -------------------------------------------------------------

def test_network_commands(vb):
    r = ctl(vb, 'net-list', '--all', '--json')
    assert r.returncode == 0, r.stderr
    nets = {n['name']: n for n in json.loads(r.stdout)}
    assert nets['default']['active'] is True
    path = nets['default']['path']
    assert ctl(vb, 'net-destroy', 'default').returncode == 0
    assert vb.get_property(path, 'org.libvirt.Network', 'Active') is False
    assert 'default' not in ctl(vb, 'net-list', '--name').stdout.split()
    assert ctl(vb, 'net-start', nets['default']['uuid']).returncode == 0
    assert vb.get_property(path, 'org.libvirt.Network', 'Active') is True
    r = ctl(vb, 'net-dumpxml', 'default')
    assert r.returncode == 0 and '<name>default</name>' in r.stdout
    assert ctl(vb, 'net-start', 'nonet').returncode == 3


def test_pool_volume_commands(vb):
    r = ctl(vb, 'pool-list', '--all', '--name')
    assert r.returncode == 0 and 'default-pool' in r.stdout.split(), r.stderr
    xml = os.path.join(vb.tmp, 'vol.xml')
    with open(xml, 'w') as f:
        f.write("<volume><name>ctl.img</name><capacity unit='M'>8</capacity></volume>")
    r = ctl(vb, 'vol-create', 'default-pool', xml)
    assert r.returncode == 0, r.stderr
    assert 'ctl.img' in ctl(vb, 'vol-list', 'default-pool', '--name').stdout.split()
    r = ctl(vb, 'vol-dumpxml', 'ctl.img', '--pool', 'default-pool')
    assert r.returncode == 0 and '<name>ctl.img</name>' in r.stdout
    assert ctl(vb, 'vol-delete', 'ctl.img', '--pool', 'default-pool').returncode == 0
    assert 'ctl.img' not in ctl(vb, 'vol-list', 'default-pool', '--name').stdout.split()


def test_secret_commands(vb):
    xml = os.path.join(vb.tmp, 'secret.xml')
    with open(xml, 'w') as f:
        f.write("<secret ephemeral='no' private='no'><usage type='volume'>"
                "<volume>/var/lib/ctl.img</volume></usage></secret>")
    r = ctl(vb, 'secret-define', xml)
    assert r.returncode == 0, r.stderr
    uuid = re.search(r'Secret (\S+) created', r.stdout).group(1)
    row = [l for l in ctl(vb, 'secret-list').stdout.splitlines() if uuid in l]
    assert row and row[0].split()[1:] == ['volume', '/var/lib/ctl.img'], row
    assert ctl(vb, 'secret-set-value', uuid, 'aGVsbG8=').returncode == 0
    assert ctl(vb, 'secret-get-value', uuid, '--plain').stdout == 'hello'
    assert ctl(vb, 'secret-get-value', uuid).stdout.strip() == 'aGVsbG8='
    assert ctl(vb, 'secret-set-value', uuid).returncode == 2
    assert ctl(vb, 'secret-undefine', uuid).returncode == 0
    assert ctl(vb, 'secret-get-value', uuid).returncode == 3


def test_driver_selection(vb):
    assert ctl(vb, '-c', 'test:///default', 'list', '--all', '--name').stdout.split() == \
        ctl(vb, 'list', '--all', '--name').stdout.split()
    r = ctl(vb, '-c', 'qemu', 'list')      # this daemon serves only the test driver
    assert r.returncode == 3, (r.returncode, r.stderr)
