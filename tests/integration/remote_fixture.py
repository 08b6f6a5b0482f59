# SPDX-License-Identifier: LGPL-2.1-or-later
"""Two "nodes" on this machine for the remote (ssh) tests.

Node A ("far" node): a network namespace plus a private mount namespace, held open by a
`sleep` process. In its mount namespace a tmpfs covers /run, so the private system-bus-
like dbus-daemon listens at the *default* system bus address
unix:path=/run/dbus/system_bus_socket, exactly where an unmodified systemd-stdio-bridge
(started by ssh on behalf of sd_bus_open_system_remote) connects; /etc/passwd, /etc/group
and /etc/shadow are bind-mounted copies with one extra test user, so the host's user
database is never touched. On A run: that dbus-daemon, the mock polkit authority,
virtbusd --drivers test, and sshd on A's veth address only (own host key, own
AuthorizedKeysFile, UsePAM no).

Node B ("near" node): a network namespace joined to A by a veth pair. virtbusctl -H runs
there with an `ssh` wrapper first on PATH that adds -F with a private ssh_config (the
client key and a known_hosts file holding A's generated host key).

Everything (processes, namespaces, the veth pair, the temporary directory) is removed
in close(), also when set-up fails half-way.
"""

import os
import shutil
import subprocess
import tempfile
import time

import client
from vbharness import (BUS_CONFIG, HERE, POLKITD, PYTHON, HarnessError, PolkitTable,
                       name_has_owner, policy_path, stop_process, wait_until, virtbusd_path, _tail)

ADDR_A = '10.231.0.1'
ADDR_B = '10.231.0.2'
SYSTEM_BUS = 'unix:path=/run/dbus/system_bus_socket'
TEST_USER = 'vbremote'
TEST_UID = 4711
DEADLINE = 10.0
SSHD = '/usr/sbin/sshd'

SSHD_CONFIG = """ListenAddress {addr}:22
HostKey {tmp}/ssh_host_ed25519_key
AuthorizedKeysFile {tmp}/authorized_keys/%u
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowUsers root {user}
PidFile none
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
"""

SSH_CONFIG = """Host *
    IdentityFile {tmp}/id_ed25519
    IdentitiesOnly yes
    UserKnownHostsFile {tmp}/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    BatchMode yes
    ConnectTimeout 5
    LogLevel ERROR
"""

NODE_SCRIPT = """set -e
mount -t tmpfs -o mode=0755 vbnode /run
mkdir -m 0755 /run/dbus /run/sshd
for f in passwd group shadow; do mount --bind "$1/etc/$f" "/etc/$f"; done
if [ -d "$1/polkit-actions" ]; then
    mount --bind "$1/polkit-actions" /usr/share/polkit-1/actions
    mount --bind "$1/polkit-rules" /etc/polkit-1/rules.d
fi
echo ready
exec sleep infinity
"""


def _check_tools():
    for exe in (SSHD, '/usr/bin/ssh', '/usr/bin/ssh-keygen', '/usr/bin/systemd-stdio-bridge'):
        if not os.access(exe, os.X_OK):
            raise HarnessError('%s is missing (tools/install-deps.sh installs openssh-server, '
                               'openssh-client and systemd)' % exe)
    for exe in ('ip', 'nsenter', 'unshare', 'ss'):
        if not shutil.which(exe):
            raise HarnessError('%s is missing (iproute2, util-linux)' % exe)


def _run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=30,
                       stdin=subprocess.DEVNULL, **kw)
    if r.returncode != 0:
        raise HarnessError('%s failed (%d): %s' % (' '.join(argv), r.returncode, r.stderr))
    return r.stdout


class Nodes(PolkitTable):
    """polkit='mock': the table-driven mock authority on node A (set_polkit);
    polkit='real': Debian's polkitd on node A with `rules` (JavaScript) as its only
    rules file and our policy as its only actions, seen only in A's mount namespace."""

    def __init__(self, polkit='mock', rules=None):
        self.polkit_kind = polkit
        self.rules = rules
        if os.geteuid() != 0:
            raise HarnessError('the remote tests run as root (namespaces, sshd)')
        _check_tools()
        tag = str(os.getpid())
        self.ns_a = 'vbremote-a-' + tag
        self.ns_b = 'vbremote-b-' + tag
        self.veth_a = 'vbra' + tag[-8:]
        self.veth_b = 'vbrb' + tag[-8:]
        self.procs = []
        self.files = []
        self.netns = []
        self.holder = None
        self.conn = None
        self.tmp = tempfile.mkdtemp(prefix='virtbus-remote-')
        os.chmod(self.tmp, 0o755)
        try:
            self._network()
            self._files()
            self._node_a()
            self._bus()
            if polkit == 'real':
                self._real_polkit()
            else:
                self._polkit()
            self._daemon()
            self._sshd()
        except BaseException:
            self.close()
            raise

    # ---- set-up ----------------------------------------------------------
    def _network(self):
        for ns in (self.ns_a, self.ns_b):
            _run(['ip', 'netns', 'add', ns])
            self.netns.append(ns)
            _run(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
        # created in A directly, the peer moved to B: nothing is left on the host
        _run(['ip', '-n', self.ns_a, 'link', 'add', self.veth_a, 'type', 'veth',
              'peer', 'name', self.veth_b, 'netns', self.ns_b])
        for ns, dev, addr in ((self.ns_a, self.veth_a, ADDR_A), (self.ns_b, self.veth_b, ADDR_B)):
            _run(['ip', '-n', ns, 'addr', 'add', addr + '/30', 'dev', dev])
            _run(['ip', '-n', ns, 'link', 'set', dev, 'up'])

    def _files(self):
        t = self.tmp
        os.makedirs(t + '/etc')
        os.makedirs(t + '/authorized_keys')
        os.makedirs(t + '/bin')
        os.makedirs(t + '/home', mode=0o755)
        # the far node's user database: the host's plus the test user
        extra = {'passwd': '%s:x:%d:%d:virtbus remote test:%s/home:/bin/sh\n' %
                           (TEST_USER, TEST_UID, TEST_UID, t),
                 'group': '%s:x:%d:\n' % (TEST_USER, TEST_UID),
                 'shadow': '%s:*:19000:0:99999:7:::\n' % TEST_USER}
        if self.polkit_kind == 'real':
            # bind-mounted over polkitd's fixed paths in node A only (NODE_SCRIPT)
            os.makedirs(t + '/polkit-actions', mode=0o755)
            os.makedirs(t + '/polkit-rules', mode=0o755)
            shutil.copy(policy_path(), t + '/polkit-actions/org.libvirt.api.policy')
            with open(t + '/polkit-rules/10-virtbus-remote.rules', 'w') as f:
                f.write(self.rules or '')
            for f in ('polkit-actions/org.libvirt.api.policy', 'polkit-rules/10-virtbus-remote.rules'):
                os.chmod(t + '/' + f, 0o644)
        for name, line in extra.items():
            with open('/etc/' + name) as f:
                text = f.read()
            for existing in text.splitlines():
                if existing.split(':')[:1] == [TEST_USER] or \
                        (name != 'shadow' and existing.split(':')[2:3] == [str(TEST_UID)]):
                    raise HarnessError('/etc/%s already has %s or id %d' % (name, TEST_USER, TEST_UID))
            with open(t + '/etc/' + name, 'w') as f:
                f.write(text if text.endswith('\n') or not text else text + '\n')
                f.write(line)
            os.chmod(t + '/etc/' + name, 0o640 if name == 'shadow' else 0o644)
        os.chown(t + '/home', TEST_UID, TEST_UID)
        # keys: the far node's host key, the client's key, authorized for root and the user
        _run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'virtbus-test-host',
              '-f', t + '/ssh_host_ed25519_key'])
        _run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'virtbus-test-client',
              '-f', t + '/id_ed25519'])
        with open(t + '/id_ed25519.pub') as f:
            pub = f.read()
        for user in ('root', TEST_USER):
            with open('%s/authorized_keys/%s' % (t, user), 'w') as f:
                f.write(pub)
            os.chmod('%s/authorized_keys/%s' % (t, user), 0o644)
        with open(t + '/ssh_host_ed25519_key.pub') as f:
            host_pub = ' '.join(f.read().split()[:2])
        with open(t + '/known_hosts', 'w') as f:
            f.write('%s %s\n' % (ADDR_A, host_pub))
        with open(t + '/ssh_config', 'w') as f:
            f.write(SSH_CONFIG.format(tmp=t))
        with open(t + '/sshd_config', 'w') as f:
            f.write(SSHD_CONFIG.format(addr=ADDR_A, tmp=t, user=TEST_USER))
        # sd-bus runs "ssh" from PATH: this one adds our configuration
        with open(t + '/bin/ssh', 'w') as f:
            f.write('#!/bin/sh\nexec /usr/bin/ssh -F %s/ssh_config "$@"\n' % t)
        os.chmod(t + '/bin/ssh', 0o755)

    def _node_a(self):
        self.holder = subprocess.Popen(
            ['ip', 'netns', 'exec', self.ns_a, 'unshare', '--mount', '--propagation', 'private',
             'sh', '-c', NODE_SCRIPT, 'sh', self.tmp],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if self.holder.stdout.readline().strip() != 'ready':
            self.holder.wait(timeout=DEADLINE)
            raise HarnessError('node A mount namespace: %s' % self.holder.stderr.read())
        # the host reaches A's bus socket through the holder's root directory
        self.address_a_host = 'unix:path=/proc/%d/root/run/dbus/system_bus_socket' % self.holder.pid

    def in_a(self, argv):
        """argv to run a command in node A (its network and mount namespaces)."""
        return ['nsenter', '--target', str(self.holder.pid), '--mount', '--net', '--'] + argv

    def _spawn_a(self, argv, log, env=None):
        logf = open(log, 'w')
        self.files.append(logf)
        proc = subprocess.Popen(self.in_a(argv), stdin=subprocess.DEVNULL,
                                stdout=logf, stderr=subprocess.STDOUT, env=env)
        self.procs.append(proc)
        return proc

    def _bus(self):
        conf = self.tmp + '/bus.conf'
        with open(conf, 'w') as f:
            f.write(BUS_CONFIG.format(socket='/run/dbus/system_bus_socket'))
        log = self.tmp + '/dbus-daemon.log'
        proc = self._spawn_a(['dbus-daemon', '--config-file=' + conf, '--nofork'], log)
        sock = '/proc/%d/root/run/dbus/system_bus_socket' % self.holder.pid
        wait_until(lambda: os.path.exists(sock), DEADLINE, 'the bus socket on node A',
                   proc=proc, log=log)
        os.chmod(sock, 0o777)
        self.conn = client.connect(self.address_a_host)

    def name_has_owner(self, name):
        return name_has_owner(self.conn, name)

    def _polkit(self):
        self.table = self.tmp + '/polkit-table.json'
        self.polkit_log = self.tmp + '/polkit-queries.jsonl'
        self.set_polkit({'default': 'allow'})
        open(self.polkit_log, 'w').close()
        log = self.tmp + '/mock-polkit.log'
        proc = self._spawn_a([PYTHON, os.path.join(HERE, 'mock_polkit.py'), SYSTEM_BUS,
                              self.table, self.polkit_log], log)
        wait_until(lambda: self.name_has_owner('org.freedesktop.PolicyKit1'), DEADLINE,
                   'mock polkit on node A', proc=proc, log=log)

    def _real_polkit(self):
        if not os.access(POLKITD, os.X_OK):
            raise HarnessError('%s not found (apt-get install polkitd)' % POLKITD)
        log = self.tmp + '/polkitd.log'
        self.polkitd = self._spawn_a([POLKITD, '--no-debug'], log)
        wait_until(lambda: self.name_has_owner('org.freedesktop.PolicyKit1'), DEADLINE,
                   'polkitd on node A', proc=self.polkitd, log=log)

    def _daemon(self):
        self.daemon_log = self.tmp + '/virtbusd.log'
        os.makedirs(self.tmp + '/root')
        self.daemon = self._spawn_a([virtbusd_path(), '--bus', SYSTEM_BUS, '--root',
                                     self.tmp + '/root', '--drivers', 'test'], self.daemon_log)
        wait_until(lambda: self.name_has_owner('org.libvirt'), DEADLINE,
                   'virtbusd on node A to own org.libvirt', proc=self.daemon, log=self.daemon_log)

    def _sshd(self):
        cfg = self.tmp + '/sshd_config'
        _run(self.in_a([SSHD, '-t', '-f', cfg]))
        self.sshd_log = self.tmp + '/sshd.log'
        self.sshd = self._spawn_a([SSHD, '-D', '-e', '-f', cfg], self.sshd_log)
        wait_until(lambda: ':22 ' in self.tcp_listeners(self.ns_a) + ' ', DEADLINE,
                   'sshd to listen on %s:22' % ADDR_A, proc=self.sshd, log=self.sshd_log)

    # ---- use -------------------------------------------------------------
    def tcp_listeners(self, ns):
        """`ss -ltnp` of a namespace, one listening socket per line."""
        return _run(['ip', 'netns', 'exec', ns, 'ss', '-Hltnp'])

    def ctl_b(self, exe, *args, host=None, timeout=60):
        """Run virtbusctl -H in node B, with the ssh wrapper first on PATH."""
        env = dict(os.environ, PATH=self.tmp + '/bin:' + os.environ.get('PATH', '/usr/bin:/bin'))
        argv = ['ip', 'netns', 'exec', self.ns_b, exe, '-H', host or 'root@' + ADDR_A] + list(args)
        return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=timeout, env=env, cwd=self.tmp)

    def logs(self):
        return '\n'.join('--- %s\n%s' % (n, _tail(self.tmp + '/' + n)) for n in
                         ('virtbusd.log', 'sshd.log', 'dbus-daemon.log', 'mock-polkit.log',
                          'polkitd.log'))

    # ---- teardown --------------------------------------------------------
    def close(self):
        if self.conn is not None:
            self.conn.close_sync(None)
            self.conn = None
        for proc in reversed(self.procs + ([self.holder] if self.holder else [])):
            stop_process(proc)
            for f in (proc.stdout, proc.stderr):
                if f:
                    f.close()
        self.procs = []
        self.holder = None
        for f in self.files:
            f.close()
        self.files = []
        # deleting a namespace removes the veth pair with it
        for ns in reversed(self.netns):
            subprocess.run(['ip', 'netns', 'delete', ns], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30)
        self.netns = []
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end and os.path.exists('/run/netns/' + self.ns_a):
            time.sleep(0.02)
        shutil.rmtree(self.tmp, ignore_errors=True)
