#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Crash safety of the QEMU driver (issue 6): N mixed operations, SIGKILL of virtbusd at
random points, restart on the same --root, and a consistency check after every restart.

Operations (chosen by a seeded RNG among those valid for the model's state):
DomainDefineXML (new, or a redefinition with a new <description>), Undefine (also of a
running domain, which then becomes transient), Autostart on/off (Properties.Set), Create
and Destroy, on small diskless TCG guests (<domain type='qemu'>, 32 MiB, no disks: QEMU
runs its firmware forever), at most --max-running at once.

Every 20-50 operations virtbusd is killed with SIGKILL, either while a call is in flight
(its outcome is then unknown, and either outcome is accepted) or between calls, and
restarted on the same root. After each restart:
  * every definition whose DomainDefineXML was acknowledged (and not undefined since) is
    listed, persistent, and its GetXMLDesc(INACTIVE) parses with the same name and uuid
    (and the acknowledged <description>); nothing undefined reappears;
  * <root>/QEMU/config holds only NAME.xml files, each parseable, each a listed domain;
    <root>/QEMU/autostart only links of domains with Autostart on; no temporary files;
  * every domain that was running (Create acknowledged, no Destroy since) is listed
    running and its QEMU is the same process (pid and start time);
  * no orphan QEMU: every qemu-system process whose command line mentions the root is
    the QEMU of a domain listed running, one per domain.
A domain with Autostart on that was shut off may be started by the restarted daemon
(libvirt does that once per host boot, virtbusd at each start); such starts are counted.
At the end everything is destroyed and no QEMU may be left.

  crash-safety.py [--ops N] [--seed S] [--daemon PATH] [--keep] [--verbose]

Prints "crash-safety: N ops, K kills, V violations" and exits non-zero on any violation.
Runs as root (virtbusd then needs no polkit) on a private dbus-daemon.
"""

import argparse
import ctypes
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib
import xml.etree.ElementTree as ET

from gi.repository import Gio, GLib

HERE = os.path.dirname(os.path.abspath(__file__))
SRCROOT = os.path.dirname(os.path.dirname(HERE))
# the integration tests' harness starts private buses the same way
sys.path.insert(0, os.path.join(SRCROOT, 'tests', 'integration'))
import vbharness  # noqa: E402
BUS = 'org.libvirt'
QPATH = '/org/libvirt/QEMU'
CONNECT = 'org.libvirt.Connect'
DOMAIN = 'org.libvirt.Domain'
PROPS = 'org.freedesktop.DBus.Properties'
XML_INACTIVE = 2
ST_PAUSED, PAUSED_STARTING_UP = 3, 11     # virDomainState, virDomainPausedReason
NAME_DEADLINE = 10.0
SETTLE_DEADLINE = 30.0
with open('/proc/sys/kernel/random/boot_id') as _f:
    BOOT_ID = _f.read().strip()   # run/autostarted holds it: autostart once per boot
CALL_TIMEOUT_MS = 60000

BUS_CONFIG = vbharness.bus_config("""  <policy context="default">
    <allow user="root"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="*"/>
  </policy>
""")


class Failure(Exception):
    pass


def log(fmt, *args):
    print(fmt % args if args else fmt, flush=True)


def idle_xml(name, uuid, description):
    return ("<domain type='qemu'><name>%s</name><uuid>%s</uuid>"
            "<description>%s</description>"
            "<memory unit='MiB'>32</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
            "<features><acpi/></features><devices/></domain>" % (name, uuid, description))


def domain_path(uuid):
    return QPATH + '/domain/_' + uuid.replace('-', '_')


# ---- processes -------------------------------------------------------------------

def set_subreaper():
    """QEMUs orphaned by a killed virtbusd become our children: we can reap them."""
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER


def proc_start_time(pid):
    """Start time of @pid (clock ticks since boot), None if gone or a zombie."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
    except OSError:
        return None
    if fields[0] in ('Z', 'X'):
        return None
    return int(fields[19])


def qemu_processes(root):
    """{pid: (guest name, start time)} of live qemu-system processes mentioning @root."""
    out = {}
    needle = root.encode()
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as f:
                argv = f.read().split(b'\0')
        except OSError:
            continue
        if not argv or b'qemu-system' not in argv[0] or not any(needle in a for a in argv):
            continue
        start = proc_start_time(int(entry))
        if start is None:
            continue
        name = None
        for i, a in enumerate(argv[:-1]):
            if a == b'-name':
                name = argv[i + 1].split(b',')[0].decode(errors='replace')
                if name.startswith('guest='):
                    name = name[6:]
        out[int(entry)] = (name, start)
    return out


# ---- D-Bus -----------------------------------------------------------------------

class Reply:
    """An asynchronous method call; .done, then .ok with .value or .error (name, message)."""

    def __init__(self, conn, path, iface, method, sig, args):
        self.done = False
        self.ok = False
        self.value = None
        self.error = None
        params = GLib.Variant('(' + sig + ')', args) if sig else None
        conn.call(BUS, path, iface, method, params, None, Gio.DBusCallFlags.NONE,
                  CALL_TIMEOUT_MS, None, self._finish)

    def _finish(self, conn, res):
        try:
            self.value = conn.call_finish(res).unpack()
            self.ok = True
        except GLib.Error as err:
            name = Gio.DBusError.get_remote_error(err) or ''
            Gio.DBusError.strip_remote_error(err)
            self.error = (name, err.message)
        self.done = True

    def wait(self, deadline):
        ctx = GLib.MainContext.default()
        end = time.monotonic() + deadline
        while not self.done:
            if not ctx.iteration(False):
                time.sleep(0.0005)
            if time.monotonic() > end:
                raise Failure('no reply within %.0f s' % deadline)
        return self

    def lost(self):
        """The daemon died before replying (its outcome is unknown)."""
        return self.done and not self.ok and self.error[0] in (
            'org.freedesktop.DBus.Error.NoReply', 'org.freedesktop.DBus.Error.Disconnected',
            'org.freedesktop.DBus.Error.ServiceUnknown', 'org.freedesktop.DBus.Error.NameHasNoOwner')


def pump(seconds):
    ctx = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while True:
        while ctx.iteration(False):
            pass
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.0005))


class Env:
    def __init__(self, daemon, keep, verbose):
        self.exe = daemon
        self.keep = keep
        self.verbose = verbose
        self.tmp = tempfile.mkdtemp(prefix='virtbus-crash-')
        self.root = os.path.join(self.tmp, 'root')
        self.qroot = os.path.join(self.root, 'QEMU')
        self.log_path = os.path.join(self.tmp, 'virtbusd.log')
        self.logf = open(self.log_path, 'a')
        self.bus = None
        self.proc = None
        try:
            self.bus, self.address = vbharness.start_bus(self.tmp, BUS_CONFIG, stderr=self.logf)
        except vbharness.HarnessError as err:
            raise Failure(str(err))
        flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
                 Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
        self.conn = Gio.DBusConnection.new_for_address_sync(self.address, flags, None, None)

    def name_owned(self):
        return vbharness.name_has_owner(self.conn, BUS, 5000)

    def wait(self, pred, deadline, what):
        end = time.monotonic() + deadline
        while not pred():
            if self.proc is not None and self.proc.poll() is not None:
                raise Failure('virtbusd exited with %s while waiting for %s; log tail:\n%s' %
                              (self.proc.returncode, what, self.log_tail()))
            if time.monotonic() > end:
                raise Failure('timed out after %.0f s waiting for %s' % (deadline, what))
            time.sleep(0.005)

    def start(self):
        args = [self.exe, '--bus', self.address, '--root', self.root, '--drivers', 'qemu']
        if self.verbose:
            args.append('--verbose')
        self.logf.write('=== start %s\n' % time.strftime('%H:%M:%S'))
        self.logf.flush()
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.logf,
                                     stderr=subprocess.STDOUT)
        self.wait(self.name_owned, NAME_DEADLINE, 'org.libvirt to be owned')

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None
        self.wait(lambda: not self.name_owned(), NAME_DEADLINE, 'org.libvirt to be released')
        vbharness.reap_children()

    def stop(self):
        if self.proc is not None:
            vbharness.stop_process(self.proc, timeout=20)
        self.proc = None

    def log_tail(self, n=3000):
        self.logf.flush()
        with open(self.log_path, errors='replace') as f:
            return f.read()[-n:]

    def call(self, path, iface, method, sig='', args=()):
        return Reply(self.conn, path, iface, method, sig, args).wait(CALL_TIMEOUT_MS / 1000 + 5)

    def call_ok(self, path, iface, method, sig='', args=()):
        r = self.call(path, iface, method, sig, args)
        if not r.ok:
            raise Failure('%s.%s on %s: %s: %s' % (iface, method, path, r.error[0], r.error[1]))
        return r.value

    def close(self):
        self.stop()
        for pid in qemu_processes(self.root):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)
        vbharness.reap_children()
        if self.bus:
            self.bus.terminate()
            self.bus.wait()
        self.logf.close()
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


# ---- the model -------------------------------------------------------------------

UNKNOWN = 'unknown'


class Dom:
    """What the acknowledged calls say about one name. Fields are True/False/values or
    UNKNOWN while the outcome of a call cut by a kill is not yet observed."""

    def __init__(self, name):
        self.name = name
        self.uuid = None            # uuid of the current (or in-flight) definition
        self.defined = False        # persistent definition exists
        self.desc = None            # acknowledged <description>
        self.desc_alt = None        # the in-flight one, if a redefinition was cut
        self.autostart = False
        self.running = False
        self.proc = None            # (pid, start time) of its QEMU while running

    def exists(self):
        return self.defined is not False or self.running is not False


class Checker:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.env = Env(args.daemon, args.keep, args.verbose)
        self.doms = [Dom('cs-%d' % i) for i in range(args.names)]
        self.ops = 0
        self.kills = 0
        self.kills_inflight = 0
        self.autostarted = 0
        self.counts = {}
        self.violations = []
        self.reported = set()
        self.rev = 0

    def violation(self, fmt, *args):
        msg = 'op %d: ' % self.ops + (fmt % args if args else fmt)
        self.violations.append(msg)
        log('VIOLATION %s', msg)

    # ---- observation helpers ----
    def listed(self):
        """{name: dict(path, uuid, active, persistent, autostart, xml)} from the daemon."""
        out = {}
        for path in self.env.call_ok(QPATH, CONNECT, 'ListDomains', 'u', (0,))[0]:
            props = self.env.call(path, PROPS, 'GetAll', 's', (DOMAIN,))
            if not props.ok:        # undefined between the two calls: not ours to judge
                continue
            p = props.value[0]
            xml = self.env.call(path, DOMAIN, 'GetXMLDesc', 'u', (XML_INACTIVE,))
            st = self.env.call(path, DOMAIN, 'GetState', 'u', (0,))
            out[p['Name']] = {'path': path, 'uuid': p['UUID'], 'active': p['Active'],
                              'state': tuple(st.value[0]) if st.ok else None,
                              'persistent': p['Persistent'], 'autostart': p['Autostart'],
                              'xml': xml.value[0] if xml.ok else None}
        return out

    def find_qemu(self, name):
        found = [(pid, st) for pid, (n, st) in qemu_processes(self.env.root).items() if n == name]
        return found[0] if len(found) == 1 else None

    # ---- operations ----
    def choices(self):
        running = sum(1 for d in self.doms if d.running)
        ops = []
        for d in self.doms:
            if not d.exists():
                ops.append((3, 'define', d))
                continue
            if not d.running:
                ops.append((1, 'redefine', d))
                if running < self.args.max_running:
                    ops.append((4, 'start', d))
                ops.append((2, 'undefine', d))
            else:
                ops.append((4, 'destroy', d))
                if d.defined:
                    ops.append((0.5, 'undefine', d))
            if d.defined:
                ops.append((1.5, 'autostart-off' if d.autostart else 'autostart-on', d))
        return ops

    def pick(self):
        ops = self.choices()
        total = sum(w for w, _, _ in ops)
        x = self.rng.uniform(0, total)
        for w, op, d in ops:
            x -= w
            if x <= 0:
                return op, d
        return ops[-1][1], ops[-1][2]

    def send(self, op, d):
        """Issue @op on @d; returns (Reply, commit) where commit() applies an acknowledged
        success to the model and unknown() marks the outcome unknown."""
        env = self.env
        if op in ('define', 'redefine'):
            if op == 'define':
                d.uuid = str(uuidlib.UUID(int=self.rng.getrandbits(128), version=4))
            self.rev += 1
            desc = 'rev %d' % self.rev
            r = Reply(env.conn, QPATH, CONNECT, 'DomainDefineXML', 's',
                      (idle_xml(d.name, d.uuid, desc),))

            def commit():
                if r.value[0] != domain_path(d.uuid):
                    self.violation('DomainDefineXML of %s returned %s', d.name, r.value[0])
                d.defined, d.desc, d.desc_alt = True, desc, None

            def unknown():
                d.desc_alt = desc
                if d.defined is not True:
                    d.defined = UNKNOWN
            return r, commit, unknown
        path = domain_path(d.uuid)
        if op == 'undefine':
            r = Reply(env.conn, path, DOMAIN, 'Undefine', 'u', (0,))

            def commit():
                d.defined, d.autostart, d.desc, d.desc_alt = False, False, None, None

            def unknown():
                d.defined = UNKNOWN
                d.autostart = UNKNOWN
            return r, commit, unknown
        if op in ('autostart-on', 'autostart-off'):
            value = op == 'autostart-on'
            r = Reply(env.conn, path, PROPS, 'Set', 'ssv',
                      (DOMAIN, 'Autostart', GLib.Variant('b', value)))

            def commit():
                d.autostart = value

            def unknown():
                d.autostart = UNKNOWN
            return r, commit, unknown
        if op == 'start':
            r = Reply(env.conn, path, DOMAIN, 'Create', 'u', (0,))

            def commit():
                d.running = True
                d.proc = self.find_qemu(d.name)
                if d.proc is None:
                    self.violation('Create of %s acknowledged but no single QEMU runs for it: %r',
                                   d.name, qemu_processes(env.root))

            def unknown():
                d.running = UNKNOWN
                d.proc = None
            return r, commit, unknown
        if op == 'destroy':
            r = Reply(env.conn, path, DOMAIN, 'Destroy', 'u', (0,))
            old = d.proc

            def commit():
                if old and proc_start_time(old[0]) == old[1]:
                    self.violation('Destroy of %s acknowledged but QEMU %d still runs', d.name,
                                   old[0])
                d.running, d.proc = False, None

            def unknown():
                d.running = UNKNOWN
            return r, commit, unknown
        raise AssertionError(op)

    def step(self, kill_inflight):
        op, d = self.pick()
        self.ops += 1
        self.counts[op] = self.counts.get(op, 0) + 1
        if self.args.verbose:
            log('op %d: %s %s%s', self.ops, op, d.name, ' (kill in flight)' if kill_inflight else '')
        r, commit, unknown = self.send(op, d)
        if kill_inflight:
            # a point inside the call: the slow ones (start/destroy) get a wider window
            window = 0.3 if op in ('start', 'destroy') else 0.004
            pump(self.rng.uniform(0, window))
            self.env.kill9()
            self.kills += 1
            self.kills_inflight += 1
            r.wait(10)
            if r.ok:
                commit()
            elif r.lost():
                unknown()
            else:
                self.violation('%s %s failed: %s: %s', op, d.name, r.error[0], r.error[1])
            return True
        r.wait(CALL_TIMEOUT_MS / 1000 + 5)
        if r.ok:
            commit()
        else:
            self.violation('%s %s failed: %s: %s', op, d.name, r.error[0], r.error[1])
        return False

    # ---- checks after a restart ----
    def check_files(self, listed):
        """Returns a list of problems with the files under <root>/QEMU."""
        bad = []
        cfg = os.path.join(self.env.qroot, 'config')
        for f in sorted(os.listdir(cfg)):
            full = os.path.join(cfg, f)
            if not f.endswith('.xml') or not os.path.isfile(full):
                bad.append('stray file in config/: %s' % f)
                continue
            try:
                root = ET.parse(full).getroot()
            except ET.ParseError as err:
                bad.append('config/%s does not parse: %s' % (f, err))
                continue
            name = root.findtext('name')
            if name + '.xml' != f:
                bad.append('config/%s holds domain %r' % (f, name))
            elif name not in listed or not listed[name]['persistent']:
                bad.append('config/%s is not a listed persistent domain' % f)
            elif root.findtext('uuid') != listed[name]['uuid']:
                bad.append('config/%s has uuid %s, the daemon %s' %
                           (f, root.findtext('uuid'), listed[name]['uuid']))
        auto = os.path.join(self.env.qroot, 'autostart')
        for f in sorted(os.listdir(auto)):
            name = f[:-4] if f.endswith('.xml') else None
            if not name or name not in listed or not listed[name]['autostart']:
                bad.append('stray entry in autostart/: %s' % f)
        run = os.path.join(self.env.qroot, 'run')
        for f in sorted(os.listdir(run)):
            if f.endswith('.status'):
                if f[:-7] not in listed or not listed[f[:-7]]['active']:
                    bad.append('run/%s of a domain not running' % f)
            elif f == 'network' and os.path.isdir(os.path.join(run, f)):
                pass    # the network driver's runtime files (no networks in this test)
            elif f == 'autostarted':
                with open(os.path.join(run, f)) as fh:
                    if fh.read().strip() != BOOT_ID:
                        bad.append('run/autostarted does not hold this boot id')
            elif not f.startswith('dom-'):
                bad.append('stray file in run/: %s' % f)
        return bad

    def check_state(self, after_restart):
        """Compares the daemon with the model once; returns (problems, resolve) where
        resolve() adopts the observed outcome of unknown operations."""
        bad = []
        listed = self.listed()
        qemus = qemu_processes(self.env.root)
        adopt = []
        for d in self.doms:
            obs = listed.get(d.name)
            # -- definition --
            if d.defined is True and (obs is None or not obs['persistent']):
                bad.append('%s: acknowledged definition is missing (listed: %r)' % (d.name, obs))
                continue
            if d.defined is False and d.running is False and obs is not None:
                bad.append('%s: listed although undefined and shut off' % d.name)
                continue
            if d.defined is False and obs is not None and obs['persistent']:
                bad.append('%s: persistent again after an acknowledged Undefine' % d.name)
            if obs is not None:
                if obs['uuid'] != d.uuid:
                    bad.append('%s: uuid %s, defined with %s' % (d.name, obs['uuid'], d.uuid))
                if obs['persistent']:
                    try:
                        x = ET.fromstring(obs['xml'] or '')
                    except ET.ParseError as err:
                        bad.append('%s: GetXMLDesc(INACTIVE) does not parse: %s' % (d.name, err))
                    else:
                        if x.findtext('name') != d.name or x.findtext('uuid') != d.uuid:
                            bad.append('%s: inactive XML names %s/%s' %
                                       (d.name, x.findtext('name'), x.findtext('uuid')))
                        if x.findtext('description') not in (d.desc, d.desc_alt):
                            bad.append('%s: description %r, acknowledged %r' %
                                       (d.name, x.findtext('description'), d.desc))
                if d.autostart in (True, False) and obs['persistent'] and \
                        obs['autostart'] != d.autostart:
                    bad.append('%s: Autostart %s, acknowledged %s' %
                               (d.name, obs['autostart'], d.autostart))
            # -- running --
            active = obs is not None and obs['active']
            mine = [(pid, st) for pid, (n, st) in qemus.items() if n == d.name]
            if active and obs['state'] == (ST_PAUSED, PAUSED_STARTING_UP):
                # an autostart of the restarted daemon: wait for it, a call now gets "busy"
                bad.append('%s: still starting up' % d.name)
            if active and len(mine) != 1:
                bad.append('%s: listed running with %d QEMU processes' % (d.name, len(mine)))
            if not active and mine:
                bad.append('%s: shut off but QEMU %r runs' % (d.name, mine))
            if d.running is True:
                if not active:
                    bad.append('%s: was running (pid %s), now shut off' %
                               (d.name, d.proc and d.proc[0]))
                elif d.proc and mine and mine[0] != d.proc:
                    bad.append('%s: was pid %d, now QEMU %d' % (d.name, d.proc[0], mine[0][0]))
            elif d.running is False and active:
                may_autostart = after_restart and obs['persistent'] and \
                    d.autostart in (True, UNKNOWN)
                if not may_autostart:
                    bad.append('%s: running although destroyed/never started' % d.name)
            adopt.append((d, obs, active, mine[0] if len(mine) == 1 else None))
        unknown_names = set(qemus[p][0] for p in qemus) - set(d.name for d in self.doms)
        if unknown_names:
            bad.append('orphan QEMU processes: %r' % {p: q for p, q in qemus.items()
                                                       if q[0] in unknown_names})
        bad += self.check_files(listed)

        def resolve():
            for d, obs, active, proc in adopt:
                if d.running is False and active:
                    self.autostarted += 1
                d.running = active
                d.proc = proc if active else None
                if obs is None:
                    d.defined, d.autostart, d.desc, d.desc_alt = False, False, None, None
                    continue
                d.defined = obs['persistent']
                d.autostart = obs['autostart'] if obs['persistent'] else False
                if d.defined:
                    d.desc = ET.fromstring(obs['xml']).findtext('description')
                    d.desc_alt = None
        return bad, resolve

    def settle(self, after_restart):
        """Checks until the daemon agrees with the model (autostart and start-up may still
        be in progress just after a restart); reports what still disagrees at the deadline."""
        end = time.monotonic() + SETTLE_DEADLINE
        while True:
            vbharness.reap_children()
            bad, resolve = self.check_state(after_restart)
            new = [b for b in bad if b not in self.reported]
            # a problem reported by an earlier check (a stray file) is not waited for again
            if not new or time.monotonic() > end:
                for b in new:
                    self.violation('%s', b)
                    self.reported.add(b)
                resolve()
                return
            time.sleep(0.05)

    # ---- the run ----
    def run(self):
        env = self.env
        set_subreaper()
        env.start()
        next_kill = self.rng.randint(20, 50)
        while self.ops < self.args.ops:
            kill_now = self.ops + 1 >= next_kill
            inflight = kill_now and self.rng.random() < 0.7
            killed = self.step(inflight)
            if kill_now:
                if not killed:
                    pump(self.rng.uniform(0, 0.05))
                    env.kill9()
                    self.kills += 1
                env.start()
                self.settle(True)
                next_kill = self.ops + self.rng.randint(20, 50)
            if self.violations and self.args.stop_on_violation:
                break
        self.settle(False)
        # the end: destroy everything, then no QEMU may be left
        for d in self.doms:
            if d.running:
                r = env.call(domain_path(d.uuid), DOMAIN, 'Destroy', 'u', (0,))
                if not r.ok:
                    self.violation('final Destroy of %s: %s: %s', d.name, *r.error)
                d.running, d.proc = False, None
        end = time.monotonic() + 10
        while qemu_processes(env.root) and time.monotonic() < end:
            vbharness.reap_children()
            time.sleep(0.05)
        left = qemu_processes(env.root)
        if left:
            self.violation('QEMU left after destroying everything: %r', left)
        self.settle(False)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--ops', type=int, default=1000)
    p.add_argument('--seed', type=int, default=None, help='RNG seed (default: random, printed)')
    p.add_argument('--names', type=int, default=8, help='domain names in play')
    p.add_argument('--max-running', type=int, default=4)
    p.add_argument('--daemon', default=os.environ.get('VIRTBUSD') or
                   os.path.join(SRCROOT, 'build', 'virtbusd'))
    p.add_argument('--stop-on-violation', action='store_true')
    p.add_argument('--keep', action='store_true', help='keep the temporary root and logs')
    p.add_argument('--verbose', action='store_true')
    args = p.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 32)
    if os.geteuid() != 0:
        sys.exit('crash-safety: must run as root')
    if not os.access(args.daemon, os.X_OK):
        sys.exit('crash-safety: no virtbusd at %s (--daemon or VIRTBUSD)' % args.daemon)
    log('crash-safety: seed %d, %d ops, daemon %s', args.seed, args.ops, args.daemon)
    c = Checker(args)
    t0 = time.monotonic()
    try:
        c.run()
    except Failure as err:
        c.violation('%s', err)
    finally:
        if c.violations or args.keep:
            args.keep = True
            c.env.keep = True
            log('kept %s (virtbusd.log, root/)', c.env.tmp)
        c.env.close()
    log('operations: %s; autostarted by a restart: %d; kills in flight: %d; %.0f s',
        ', '.join('%s %d' % kv for kv in sorted(c.counts.items())), c.autostarted,
        c.kills_inflight, time.monotonic() - t0)
    log('crash-safety: %d ops, %d kills, %d violations', c.ops, c.kills, len(c.violations))
    for v in c.violations:
        log('  %s', v)
    sys.exit(1 if c.violations else 0)


if __name__ == '__main__':
    main()
