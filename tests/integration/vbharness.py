# SPDX-License-Identifier: LGPL-2.1-or-later
"""Integration-test harness: a private system-bus-like dbus-daemon, a polkit
authority on it (table-driven mock or the real polkitd), virtbusd on it, and
clients that run as an unprivileged uid.

Environment:
  VIRTBUSD             path of the daemon (default <source>/build/virtbusd)
  VIRTBUS_POLKIT_POLICY  the .policy file the real-polkitd run installs
                       (default <source>/polkit/org.libvirt.api.policy)
  VIRTBUS_TEST_VERBOSE   pass --verbose to the daemon
  VIRTBUSD_WRAPPER     command prefix for the daemon, e.g. "valgrind --error-exitcode=99"
                       (split like a shell would); the daemon's start deadline
                       and stop timeout are then multiplied by VIRTBUS_TEST_SLOWDOWN
                       (default 10 with a wrapper, else 1)
"""

import json
import os
import pwd
import grp
import re
import shlex
import shutil
import subprocess
import tempfile
import time

from gi.repository import Gio, GLib

import client

HERE = os.path.dirname(os.path.abspath(__file__))
SRCROOT = os.path.dirname(os.path.dirname(HERE))
PYTHON = '/usr/bin/python3'
POLKITD = '/usr/lib/polkit-1/polkitd'
BUS = 'org.libvirt'
TEST_PATH = '/org/libvirt/Test'
CONNECT = 'org.libvirt.Connect'
DOMAIN = 'org.libvirt.Domain'
NETWORK = 'org.libvirt.Network'
POOL = 'org.libvirt.StoragePool'
PROPS = 'org.freedesktop.DBus.Properties'
USER = 'nobody'
GROUP = 'nogroup'

TEST_DOMAIN_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f'
TEST_DOMAIN_PATH = TEST_PATH + '/domain/_' + TEST_DOMAIN_UUID.replace('-', '_')
WRAPPER = shlex.split(os.environ.get('VIRTBUSD_WRAPPER', ''))
SLOWDOWN = float(os.environ.get('VIRTBUS_TEST_SLOWDOWN') or (10 if WRAPPER else 1))
NAME_DEADLINE = 5.0 * SLOWDOWN


class HarnessError(Exception):
    pass


def stop_process(proc, timeout=5):
    """SIGTERM, then SIGKILL when @proc is still there after @timeout seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def reap_children():
    """Reap zombies that were reparented to us (we are a subreaper)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def virtbusd_path():
    return os.environ.get('VIRTBUSD') or os.path.join(SRCROOT, 'build', 'virtbusd')


def policy_path():
    return os.environ.get('VIRTBUS_POLKIT_POLICY') or \
        os.path.join(SRCROOT, 'polkit', 'org.libvirt.api.policy')


def _tail(path, n=4000):
    try:
        with open(path, errors='replace') as f:
            return f.read()[-n:]
    except OSError:
        return ''


def wait_until(pred, deadline, what, proc=None, log=None):
    """Poll pred() every 20 ms until it is true or `deadline` seconds pass."""
    end = time.monotonic() + deadline
    while True:
        if pred():
            return
        if proc is not None and proc.poll() is not None:
            raise HarnessError('%s: process exited with %s before %s\n%s' %
                               (proc.args[0], proc.returncode, what, _tail(log) if log else ''))
        if time.monotonic() > end:
            raise HarnessError('timed out after %.1f s waiting for %s\n%s' %
                               (deadline, what, _tail(log) if log else ''))
        time.sleep(0.02)


def bus_config(policy, bus_type='system'):
    """A private dbus-daemon's configuration whose access rules are the <policy>
    elements @policy; {socket}, the path it listens on, is left to .format()."""
    return ('<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"\n'
            ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">\n'
            '<busconfig>\n'
            '  <type>%s</type>\n'
            '  <listen>unix:path={socket}</listen>\n'
            '  <auth>EXTERNAL</auth>\n'
            '%s'
            '</busconfig>\n' % (bus_type, policy))


def start_bus(tmp, config, stderr=None, log=None):
    """dbus-daemon on @config (a bus_config() text), listening on TMP/bus.sock; its
    stderr goes to @stderr, the file @log names if given. Returns (process, address)."""
    conf = os.path.join(tmp, 'bus.conf')
    with open(conf, 'w') as f:
        f.write(config.format(socket=os.path.join(tmp, 'bus.sock')))
    proc = subprocess.Popen(['dbus-daemon', '--config-file=' + conf, '--print-address',
                             '--nofork'], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=stderr, text=True)
    address = proc.stdout.readline().strip()
    if not address:
        proc.kill()
        proc.wait()
        raise HarnessError('dbus-daemon printed no address\n' + (_tail(log) if log else ''))
    return proc, address


def name_has_owner(conn, name, timeout_ms=2000):
    reply = conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                           'org.freedesktop.DBus', 'NameHasOwner',
                           GLib.Variant('(s)', (name,)), None,
                           Gio.DBusCallFlags.NONE, timeout_ms, None)
    return reply.unpack()[0]


BUS_CONFIG = bus_config("""  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_destination="org.freedesktop.DBus"/>
    <allow send_destination="org.libvirt"/>
    <allow send_destination="org.freedesktop.PolicyKit1"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="*"/>
  </policy>
  <policy user="root">
    <allow own="org.libvirt"/>
    <allow own="org.freedesktop.PolicyKit1"/>
    <allow send_type="method_call"/>
  </policy>
  <policy user="polkitd">
    <allow own="org.freedesktop.PolicyKit1"/>
  </policy>
""")

# Rules file of the real-polkitd run: the unprivileged user may start the Test
# driver's domain "test", nothing else.
RULES = """polkit.addRule(function(action, subject) {
    if (action.id == "org.libvirt.api.domain.start" &&
        subject.user == "%s" &&
        action.lookup("connect_driver") == "Test" &&
        action.lookup("domain_name") == "test") {
        return polkit.Result.YES;
    }
});
""" % USER


class Daemon:
    def __init__(self, env, root, extra_args=()):
        self.env = env
        self.root = root
        os.makedirs(root, exist_ok=True)
        self.log = root + '.log'
        args = WRAPPER + [virtbusd_path(), '--bus', env.address, '--root', root,
                          '--drivers', 'test']
        if os.environ.get('VIRTBUS_TEST_VERBOSE'):
            args.append('--verbose')
        args += list(extra_args)
        self.logf = open(self.log, 'w')
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.logf,
                                     stderr=subprocess.STDOUT)

    def wait_owned(self):
        wait_until(lambda: self.env.name_has_owner(BUS), NAME_DEADLINE,
                   'org.libvirt to be owned', proc=self.proc, log=self.log)

    def output(self):
        self.logf.flush()
        return _tail(self.log, 20000)

    def stop(self, timeout=10):
        stop_process(self.proc, timeout * SLOWDOWN)
        self.logf.close()
        return self.proc.returncode


class PolkitTable:
    """The mock authority's side of a test bus: its table self.table (JSON, read on
    every query) and its log of queries self.polkit_log (JSON lines)."""

    def set_polkit(self, table):
        """Replace the mock authority's table."""
        tmp = self.table + '.new'
        with open(tmp, 'w') as f:
            json.dump(table, f)
        os.rename(tmp, self.table)

    def polkit_queries(self, clear=False):
        with open(self.polkit_log) as f:
            out = [json.loads(line) for line in f if line.strip()]
        if clear:
            open(self.polkit_log, 'w').close()
        return out


class Env(PolkitTable):
    """One private bus with one polkit authority. polkit='mock' or 'real'."""

    def __init__(self, polkit='mock'):
        if os.geteuid() != 0:
            raise HarnessError('the integration tests run as root (they switch to uid %s)' % USER)
        exe = virtbusd_path()
        if not os.access(exe, os.X_OK):
            raise HarnessError('virtbusd not found at %s (set VIRTBUSD)' % exe)
        self.kind = polkit
        self.procs = []
        self.cleanups = []
        self.daemons = []
        self.started = 0
        self.tmp = tempfile.mkdtemp(prefix='virtbus-it-')
        os.chmod(self.tmp, 0o755)
        self.socket = os.path.join(self.tmp, 'bus.sock')
        self.conn = None
        try:
            self._start_bus()
            if polkit == 'mock':
                self._start_mock_polkit()
            else:
                self._start_real_polkit()
        except BaseException:
            self.close()
            raise

    # ---- bus -------------------------------------------------------------
    def _start_bus(self):
        self.bus_log = os.path.join(self.tmp, 'dbus-daemon.log')
        with open(self.bus_log, 'w') as logf:
            proc, self.address = start_bus(self.tmp, BUS_CONFIG, stderr=logf, log=self.bus_log)
        self.procs.append(proc)
        os.chmod(self.socket, 0o777)
        self.conn = client.connect(self.address)

    def name_has_owner(self, name):
        return name_has_owner(self.conn, name)

    # ---- polkit ----------------------------------------------------------
    def _start_mock_polkit(self):
        self.table = os.path.join(self.tmp, 'polkit-table.json')
        self.polkit_log = os.path.join(self.tmp, 'polkit-queries.jsonl')
        self.set_polkit({'default': 'allow'})
        open(self.polkit_log, 'w').close()
        log = os.path.join(self.tmp, 'mock-polkit.log')
        proc = subprocess.Popen([PYTHON, os.path.join(HERE, 'mock_polkit.py'), self.address,
                                 self.table, self.polkit_log], stdin=subprocess.DEVNULL,
                                stdout=open(log, 'w'), stderr=subprocess.STDOUT)
        self.procs.append(proc)
        wait_until(lambda: self.name_has_owner('org.freedesktop.PolicyKit1'), NAME_DEADLINE,
                   'mock polkit to own its name', proc=proc, log=log)

    def _start_real_polkit(self):
        policy = policy_path()
        if not os.path.isfile(policy):
            raise HarnessError('polkit policy file %s is missing' % policy)
        if not os.access(POLKITD, os.X_OK):
            raise HarnessError('%s not found (apt-get install polkitd)' % POLKITD)
        actions = os.path.join(self.tmp, 'actions')
        rules = os.path.join(self.tmp, 'rules.d')
        for d in (actions, rules):
            os.mkdir(d)
            os.chmod(d, 0o755)
        shutil.copy(policy, os.path.join(actions, 'org.libvirt.api.policy'))
        self.rules_file = os.path.join(rules, '10-virtbus-test.rules')
        with open(self.rules_file, 'w') as f:
            f.write(RULES)
        for d in (actions, rules):
            for name in os.listdir(d):
                os.chmod(os.path.join(d, name), 0o644)
        self.polkitd_log = os.path.join(self.tmp, 'polkitd.log')
        # Preferred: a private mount namespace in which only our policy and our
        # rules are visible at polkitd's fixed paths, leaving the host untouched.
        probe = subprocess.run(['unshare', '--mount', '--propagation', 'private', 'true'],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if probe.returncode == 0:
            script = ('mount --bind "$1" /usr/share/polkit-1/actions && '
                      'mount --bind "$2" /etc/polkit-1/rules.d && exec "$3" --no-debug')
            self.polkit_argv = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c',
                                script, 'sh', actions, rules, POLKITD]
            self.host_rules = None
        else:
            # Fallback: install into the host's directories, removed in close().
            self._install_host_file(os.path.join(actions, 'org.libvirt.api.policy'),
                                    '/usr/share/polkit-1/actions/org.libvirt.api.policy')
            self.host_rules = '/etc/polkit-1/rules.d/10-virtbus-test.rules'
            self._install_host_file(self.rules_file, self.host_rules)
            self.polkit_argv = [POLKITD, '--no-debug']
        self._run_polkitd()

    def _run_polkitd(self):
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        proc = subprocess.Popen(self.polkit_argv, env=env, stdin=subprocess.DEVNULL,
                                stdout=open(self.polkitd_log, 'a'), stderr=subprocess.STDOUT)
        self.procs.append(proc)
        self.polkitd = proc
        wait_until(lambda: self.name_has_owner('org.freedesktop.PolicyKit1'), NAME_DEADLINE,
                   'polkitd to own its name', proc=proc, log=self.polkitd_log)

    def set_rules(self, text=RULES):
        """Real polkitd only: replace the test rules file (RULES by default) and
        restart polkitd so the next query sees exactly these rules."""
        with open(self.rules_file + '.new', 'w') as f:
            f.write(text)
        os.chmod(self.rules_file + '.new', 0o644)
        os.rename(self.rules_file + '.new', self.rules_file)
        if self.host_rules:
            shutil.copy(self.rules_file, self.host_rules)
        stop_process(self.polkitd)
        self.procs.remove(self.polkitd)
        wait_until(lambda: not self.name_has_owner('org.freedesktop.PolicyKit1'), NAME_DEADLINE,
                   'polkitd to release its name')
        self._run_polkitd()

    def _install_host_file(self, src, dst):
        backup = None
        if os.path.exists(dst):
            backup = os.path.join(self.tmp, 'backup-' + os.path.basename(dst))
            shutil.copy2(dst, backup)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy(src, dst)
        os.chmod(dst, 0o644)

        def undo():
            if backup:
                shutil.copy2(backup, dst)
            else:
                os.unlink(dst)
        self.cleanups.append(undo)

    # ---- daemon ----------------------------------------------------------
    def start_daemon(self, wait=True, extra_args=()):
        self.started += 1
        d = Daemon(self, os.path.join(self.tmp, 'root%d' % self.started), extra_args)
        self.daemons.append(d)
        if wait:
            d.wait_owned()
        return d

    def stop_daemons(self):
        for d in self.daemons:
            d.stop()
        self.daemons = []
        # the name must be released before the next daemon starts
        wait_until(lambda: not self.name_has_owner(BUS), NAME_DEADLINE, 'org.libvirt released')

    # ---- calls -----------------------------------------------------------
    def call(self, path, interface, method, signature='', args=(), interactive=False):
        """A call as root, from the test process."""
        return client.call(self.conn, path, interface, method, signature, args,
                           interactive=interactive)

    def call_ok(self, path, interface, method, signature='', args=()):
        res = self.call(path, interface, method, signature, args)
        if not res['ok']:
            raise AssertionError('%s.%s on %s failed: %s: %s' %
                                 (interface, method, path, res['name'], res['message']))
        return res['result']

    def call_as_user(self, path, interface, method, signature='', args=(),
                     interactive=False, user=USER, group=GROUP):
        """A call made by a separate client process running as `user`."""
        req = {'address': self.address, 'path': path, 'interface': interface,
               'method': method, 'signature': signature, 'args': list(args),
               'interactive': interactive}
        # the client must be readable by the unprivileged user wherever the tree lives
        script = os.path.join(self.tmp, 'client.py')
        if not os.path.exists(script):
            shutil.copy(os.path.join(HERE, 'client.py'), script)
            os.chmod(script, 0o755)
        pwd.getpwnam(user)
        grp.getgrnam(group)
        proc = subprocess.run(['setpriv', '--reuid=' + user, '--regid=' + group,
                               '--clear-groups', PYTHON, script, json.dumps(req)],
                              cwd=self.tmp, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=30)
        if proc.returncode != 0 or not proc.stdout.strip():
            raise HarnessError('client as %s failed (rc %d): %s' %
                               (user, proc.returncode, proc.stderr))
        return json.loads(proc.stdout)

    def get_property(self, path, interface, name):
        return self.call_ok(path, PROPS, 'Get', 'ss', (interface, name))[0]

    def wait_signal(self, path, interface, member, trigger, deadline=2.0):
        """Subscribe to a signal, run trigger(), return the list of argument
        tuples received until the first one arrives (or raise after deadline)."""
        got = []
        loop = GLib.MainLoop()

        def on_signal(conn, sender, opath, iface, name, params):
            got.append(tuple(params.unpack()))
            loop.quit()

        def on_timeout():
            loop.quit()
            return False

        sub = self.conn.signal_subscribe(None, interface, member, path, None,
                                         Gio.DBusSignalFlags.NONE, on_signal)
        try:
            # make sure the match rule is installed before triggering
            self.name_has_owner(BUS)
            trigger()
            tid = GLib.timeout_add(int(deadline * 1000), on_timeout)
            loop.run()
            if not got:
                raise AssertionError('no %s.%s signal on %s within %.1f s' %
                                     (interface, member, path, deadline))
            GLib.source_remove(tid)
        finally:
            self.conn.signal_unsubscribe(sub)
        return got

    # ---- state snapshot ------------------------------------------------
    def inventory(self):
        """Everything a refused call must leave as it was, read as root."""
        inv = {}
        for p in self.call_ok(TEST_PATH, CONNECT, 'ListDomains', 'u', (0,))[0]:
            inv[p] = (self.call_ok(p, DOMAIN, 'GetXMLDesc', 'u', (0,))[0],
                      tuple(self.call_ok(p, DOMAIN, 'GetState', 'u', (0,))[0]))
        for p in self.call_ok(TEST_PATH, CONNECT, 'ListNetworks', 'u', (0,))[0]:
            inv[p] = (self.call_ok(p, NETWORK, 'GetXMLDesc', 'u', (0,))[0],
                      self.get_property(p, NETWORK, 'Active'))
        for p in self.call_ok(TEST_PATH, CONNECT, 'ListStoragePools', 'u', (0,))[0]:
            inv[p] = (self.call_ok(p, POOL, 'GetXMLDesc', 'u', (0,))[0],
                      self.get_property(p, POOL, 'Active'))
        return inv

    def busctl(self, *args):
        return subprocess.run(['busctl', '--address=' + self.address] + list(args),
                              capture_output=True, text=True, timeout=30)

    # ---- teardown --------------------------------------------------------
    def close(self):
        for d in self.daemons:
            d.stop()
        self.daemons = []
        if self.conn is not None:
            self.conn.close_sync(None)
            self.conn = None
        for proc in reversed(self.procs):
            stop_process(proc)
        self.procs = []
        for undo in reversed(self.cleanups):
            undo()
        self.cleanups = []
        shutil.rmtree(self.tmp, ignore_errors=True)


def domain_xml(name, uuid=None, extra=''):
    u = '<uuid>%s</uuid>' % uuid if uuid else ''
    return ("<domain type='test'><name>%s</name>%s<memory>1024</memory>"
            "<os><type>hvm</type></os>%s</domain>" % (name, u, extra))


def assert_libvirt_error(res, pattern):
    assert not res['ok'], 'call unexpectedly succeeded: %r' % (res.get('result'),)
    assert res['name'] == 'org.libvirt.Error', res
    assert re.search(pattern, res['message'], re.I), \
        'error message %r does not match %r' % (res['message'], pattern)
