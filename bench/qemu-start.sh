#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# qemu-start.sh BUILD_DIR [OUT_DIR]
#
# Issue 4 "Measure": Create → running and Destroy → gone of one tiny TCG guest
# (<domain type='qemu'>, 32 MiB, no disks: QEMU runs its firmware), in one run, rounds
# interleaved (the order of the targets rotates every round), one guest up at a time:
#   virtbus      BUILD_DIR/virtbusd --drivers qemu on a private dbus-daemon: Create (D-Bus
#                call → reply, and GetState says running), Destroy (call → reply, and the
#                QEMU process has exited);
#   libvirt-dbus the same two calls on /org/libvirt/QEMU of libvirt-dbus → libvirtd
#                (qemu:///system), the same guest XML;
#   virsh        `virsh start` / `virsh destroy` of that guest (process exec to exit);
#   floor        bare qemu-system-x86_64 with the argv virtbusd used (own monitor socket):
#                exec → QMP ready (greeting read, qmp_capabilities answered), then `cont`
#                answered (= running); destroy = SIGKILL → exited.
# libvirtd comes from bench/peer-up.sh (stopped again at the end) unless one already
# answers on qemu:///system (then it is used as is, and said so).
# Prints medians (and p10/p90) and writes OUT_DIR/raw.txt (every sample) and
# OUT_DIR/summary.md. Env: RUNS (15 rounds), BENCH_STATE (/tmp/vbbench-qemu).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/common.sh"

BUILD=$(cd "${1:?usage: qemu-start.sh BUILD_DIR [OUT_DIR]}" && pwd)
OUT=${2:-$HERE/results/qemu-$(date -u +%Y%m%dT%H%M%SZ)}
RUNS=${RUNS:-15}
STATE=${BENCH_STATE:-/tmp/vbbench-qemu}
export PEER_STATE=$STATE/peer
VIRTBUSD=$BUILD/virtbusd
PIDS=$STATE/pids

[ -x "$VIRTBUSD" ] || { echo "qemu-start.sh: no virtbusd in $BUILD" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "qemu-start.sh: must run as root (qemu:///system)" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-start.sh: qemu-system-x86 is not installed" >&2; exit 1; }
dpkg-query -W -f='${Status}\n' libvirt-daemon-driver-qemu 2>/dev/null | grep -q 'ok installed' || {
        echo "qemu-start.sh: libvirtd's QEMU driver is missing (apt-get install libvirt-daemon-driver-qemu)" >&2
        exit 1
}

mkdir -p "$STATE" "$OUT"
# QEMUs an interrupted earlier run left behind (their command line names $STATE)
for p in /proc/[0-9]*; do
        if [ "$(cat "$p/comm" 2>/dev/null)" = qemu-system-x86 ] &&
           tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -qF "$STATE/"; then
                echo "qemu-start: killing QEMU ${p#/proc/} left by an earlier run" >&2
                kill -KILL "${p#/proc/}" 2>/dev/null || true
        fi
done
rm -rf "$STATE/root" "$STATE/floor"
mkdir -p "$STATE/root" "$STATE/floor"
: > "$PIDS"
peer_started=0
cleanup() {
        bench_stop_recorded "$PIDS" qemu-start || true
        if [ "$peer_started" = 1 ]; then
                "$HERE/peer-down.sh" || true
        fi
}
trap cleanup EXIT

# libvirtd (and libvirt-dbus on its private bus)
if env -u LIBVIRT_DEFAULT_URI virsh -c qemu:///system uri >/dev/null 2>&1; then
        echo "qemu-start: using the libvirtd that already answers on qemu:///system" >&2
        PEER_ADDR=
        LIBVIRTD_NOTE="libvirtd already running (not started by this script); libvirt-dbus not measured"
else
        PEER_ADDR=$("$HERE/peer-up.sh" | tail -n 1)
        peer_started=1
        LIBVIRTD_NOTE="libvirtd + libvirt-dbus from bench/peer-up.sh"
fi

# guests an interrupted earlier run left in libvirtd
for n in vbq-bench-ldb vbq-bench-lv; do
        virsh -q -c qemu:///system destroy "$n" >/dev/null 2>&1 || true
        virsh -q -c qemu:///system undefine "$n" >/dev/null 2>&1 || true
done

# virtbusd on a bus of its own
SOCK=$STATE/vb-bus.sock
rm -f "$SOCK"
bench_bus_conf "$SOCK" "$STATE/vb-bus.conf"
dbus-daemon --config-file="$STATE/vb-bus.conf" --nofork > "$STATE/vb-bus.log" 2>&1 &
bench_record "$PIDS" dbus-daemon $! dbus-daemon
bench_wait_for 20 "the private bus" test -S "$SOCK"
VB_ADDR=unix:path=$SOCK
"$VIRTBUSD" --bus "$VB_ADDR" --root "$STATE/root" --drivers qemu > "$STATE/virtbusd.log" 2>&1 &
bench_record "$PIDS" virtbusd $! virtbusd

{
        echo "# qemu-start.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) runs=$RUNS"
        echo "# virtbus $(git -C "$HERE/.." describe --always --dirty 2>/dev/null || echo unknown), $(qemu-system-x86_64 --version | head -n 1), $(libvirtd --version)"
        echo "# $LIBVIRTD_NOTE; load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
} > "$OUT/raw.txt"

VB_ADDR=$VB_ADDR PEER_ADDR=$PEER_ADDR RUNS=$RUNS STATE=$STATE OUT=$OUT \
        /usr/bin/python3 - <<'PY'
import os, random, socket, json, signal, statistics, subprocess, sys, time, uuid
from gi.repository import Gio, GLib

RUNS = int(os.environ['RUNS'])
STATE, OUT = os.environ['STATE'], os.environ['OUT']
VB_ADDR, PEER_ADDR = os.environ['VB_ADDR'], os.environ['PEER_ADDR']
ROOT = os.path.join(STATE, 'root')
QPATH = '/org/libvirt/QEMU'
VIRSH = ['virsh', '-q', '-c', 'qemu:///system']


def xml(name):
    return ("<domain type='qemu'><name>%s</name><uuid>%s</uuid>"
            "<memory unit='MiB'>32</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
            "<features><acpi/></features><devices/></domain>" % (name, uuid.uuid4()))


def now():
    return time.perf_counter()


def exited(pid):
    """Gone or a zombie (the parent has not reaped it yet)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] in ('Z', 'X')
    except OSError:
        return True


def wait_exited(pid, deadline=30):
    end = now() + deadline
    while not exited(pid):
        if now() > end:
            raise RuntimeError('process %d still runs %d s after destroy' % (pid, deadline))
        time.sleep(0.0002)


def guest_pid(name, needle=None):
    for e in os.listdir('/proc'):
        if not e.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % e, 'rb') as f:
                argv = f.read().split(b'\0')
        except OSError:
            continue
        if b'qemu-system' in argv[0] and \
                any(a.startswith(('guest=%s,' % name).encode()) for a in argv) and \
                (needle is None or any(needle.encode() in a for a in argv)) and not exited(int(e)):
            return int(e), argv
    raise RuntimeError('no QEMU for %s' % name)


class Bus:
    def __init__(self, addr):
        flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
                 Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
        self.conn = Gio.DBusConnection.new_for_address_sync(addr, flags, None, None)

    def call(self, path, iface, method, sig='', args=()):
        params = GLib.Variant('(' + sig + ')', args) if sig else None
        return self.conn.call_sync('org.libvirt', path, iface, method, params, None,
                                   Gio.DBusCallFlags.NONE, 120000, None).unpack()

    def wait_owned(self, deadline=20):
        end = now() + deadline
        while not self.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                      'org.freedesktop.DBus', 'NameHasOwner',
                                      GLib.Variant('(s)', ('org.libvirt',)), None,
                                      Gio.DBusCallFlags.NONE, 5000, None).unpack()[0]:
            if now() > end:
                raise RuntimeError('org.libvirt not owned')
            time.sleep(0.01)


class DBusTarget:
    """Create/Destroy over org.libvirt (virtbusd, or libvirt-dbus → libvirtd)."""

    def __init__(self, label, addr, name, needle):
        self.label, self.name, self.needle = label, name, needle
        self.bus = Bus(addr)
        self.bus.wait_owned()
        self.path = self.bus.call(QPATH, 'org.libvirt.Connect', 'DomainDefineXML', 's',
                                  (xml(name),))[0]

    def create(self):
        t0 = now()
        self.bus.call(self.path, 'org.libvirt.Domain', 'Create', 'u', (0,))
        t_reply = now()
        while self.bus.call(self.path, 'org.libvirt.Domain', 'GetState', 'u', (0,))[0][0] != 1:
            time.sleep(0.0002)
        t_run = now()
        self.pid = guest_pid(self.name, self.needle)[0]
        self.up = True
        return (t_reply - t0, t_run - t0 if t_run - t_reply > 0.002 else t_reply - t0)

    def destroy(self):
        t0 = now()
        self.bus.call(self.path, 'org.libvirt.Domain', 'Destroy', 'u', (0,))
        t_reply = now()
        self.up = False
        wait_exited(self.pid)
        return (t_reply - t0, now() - t0)

    def close(self):
        self.bus.call(self.path, 'org.libvirt.Domain', 'Undefine', 'u', (0,))


class VirshTarget:
    label = 'virsh'

    def __init__(self, name):
        self.name = name
        path = os.path.join(STATE, name + '.xml')
        with open(path, 'w') as f:
            f.write(xml(name))
        subprocess.run(VIRSH + ['define', path], check=True, stdout=subprocess.DEVNULL)

    def create(self):
        t0 = now()
        subprocess.run(VIRSH + ['start', self.name], check=True, stdout=subprocess.DEVNULL)
        t = now() - t0
        with open('/run/libvirt/qemu/%s.pid' % self.name) as f:
            self.pid = int(f.read())
        self.up = True
        return (t, t)

    def destroy(self):
        t0 = now()
        subprocess.run(VIRSH + ['destroy', self.name], check=True, stdout=subprocess.DEVNULL)
        t_reply = now()
        self.up = False
        wait_exited(self.pid)
        return (t_reply - t0, now() - t0)

    def close(self):
        subprocess.run(VIRSH + ['undefine', self.name], check=True, stdout=subprocess.DEVNULL)


class FloorTarget:
    """The argv virtbusd used for its guest, with the monitor socket moved to our dir."""
    label = 'floor'

    def __init__(self, argv):
        self.sock = os.path.join(STATE, 'floor', 'qmp.sock')
        self.argv = []
        for a in argv[:-1] if argv and argv[-1] == b'' else argv:   # /proc cmdline ends in NUL
            a = a.decode()
            if a.startswith('socket,id=charmonitor,'):
                a = 'socket,id=charmonitor,path=%s,server=on,wait=off' % self.sock
            elif a.startswith('guest='):
                a = 'guest=vbq-floor,debug-threads=on'
            self.argv.append(a)
        for i, a in enumerate(self.argv):        # nothing else of virtbusd's run dir
            if ROOT in a and i > 0 and self.argv[i - 1] not in ('-chardev',):
                raise RuntimeError('floor argv still names %s: %s' % (ROOT, a))

    def qmp(self, f, cmd):
        f.write((json.dumps({'execute': cmd}) + '\n').encode())
        f.flush()
        while True:
            msg = json.loads(f.readline())
            if 'return' in msg:
                return
            if 'error' in msg:
                raise RuntimeError('QMP %s: %r' % (cmd, msg))

    def create(self):
        try:
            os.unlink(self.sock)
        except FileNotFoundError:
            pass
        t0 = now()
        log = open(os.path.join(STATE, 'floor', 'qemu.log'), 'w')
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        s = socket.socket(socket.AF_UNIX)
        while True:
            try:
                s.connect(self.sock)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if self.proc.poll() is not None:
                    raise RuntimeError('floor QEMU exited: %s' % self.argv)
                time.sleep(0.0002)
        f = s.makefile('rwb')
        try:
            json.loads(f.readline())              # greeting
            self.qmp(f, 'qmp_capabilities')
        except (OSError, ValueError) as err:
            with open(os.path.join(STATE, 'floor', 'qemu.log')) as log:
                raise RuntimeError('floor QEMU: %s; argv %s; log: %s' % (err, self.argv, log.read()))
        t_ready = now()
        self.qmp(f, 'cont')
        t_run = now()
        self.sockf = (s, f)
        self.up = True
        return (t_ready - t0, t_run - t0)

    def destroy(self):
        t0 = now()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        t = now() - t0
        self.up = False
        self.sockf[1].close()
        self.sockf[0].close()
        return (t, t)

    def close(self):
        pass


targets = [DBusTarget('virtbus', VB_ADDR, 'vbq-bench', ROOT)]
if PEER_ADDR:
    targets.append(DBusTarget('libvirt-dbus', PEER_ADDR, 'vbq-bench-ldb', None))
targets.append(VirshTarget('vbq-bench-lv'))
# the floor runs the argv of virtbusd's own guest
targets[0].create()
floor = FloorTarget(guest_pid('vbq-bench', ROOT)[1])
targets[0].destroy()
targets.append(floor)

samples = {t.label: {'create': [], 'create_run': [], 'destroy': [], 'destroy_gone': []}
           for t in targets}
raw = open(os.path.join(OUT, 'raw.txt'), 'a')
try:
    for t in targets:                             # one warm-up cycle each, not counted
        t.create()
        t.destroy()
    for r in range(RUNS):
        order = targets[r % len(targets):] + targets[:r % len(targets)]
        for t in order:
            c = t.create()
            time.sleep(0.2)                       # the guest is up; let it settle
            d = t.destroy()
            s = samples[t.label]
            s['create'].append(c[0]); s['create_run'].append(c[1])
            s['destroy'].append(d[0]); s['destroy_gone'].append(d[1])
            raw.write('round=%d target=%s create_reply_ms=%.2f create_running_ms=%.2f '
                      'destroy_reply_ms=%.2f destroy_gone_ms=%.2f\n' %
                      (r, t.label, c[0] * 1e3, c[1] * 1e3, d[0] * 1e3, d[1] * 1e3))
            time.sleep(0.2)
finally:
    for t in targets:
        try:
            if getattr(t, 'up', False):
                t.destroy()
            t.close()
        except Exception as err:
            print('cleanup of %s: %s' % (t.label, err), file=sys.stderr)
raw.close()


def med(xs):
    return statistics.median(xs) * 1e3


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1e3


lines = ['| target | Create → reply | Create → running | Destroy → reply | Destroy → exited |',
         '|---|---|---|---|---|']
for t in targets:
    s = samples[t.label]
    cells = ['%.1f ms (p10 %.1f, p90 %.1f)' % (med(s[k]), pct(s[k], 10), pct(s[k], 90))
             for k in ('create', 'create_run', 'destroy', 'destroy_gone')]
    lines.append('| %s | %s |' % (t.label, ' | '.join(cells)))
vb = samples['virtbus']
ratios = ['', 'n = %d per cell (medians; p10/p90 in brackets); floor "Create → reply" = exec → QMP '
          'ready, "→ running" = + cont answered; floor destroy = SIGKILL → reaped' % RUNS, '']
ratios.append('- virtbus Create→running / floor exec→QMP ready: %.2f×' %
              (med(vb['create_run']) / med(samples['floor']['create'])))
ratios.append('- virtbus Create→running / floor exec→running (cont): %.2f×' %
              (med(vb['create_run']) / med(samples['floor']['create_run'])))
ratios.append('- virsh start / virtbus Create→running: %.2f× (virtbus is that much faster)' %
              (med(samples['virsh']['create_run']) / med(vb['create_run'])))
if 'libvirt-dbus' in samples:
    ratios.append('- libvirt-dbus Create / virtbus Create→running: %.2f×' %
                  (med(samples['libvirt-dbus']['create_run']) / med(vb['create_run'])))
ratios.append('- virtbus Destroy→exited: %.1f ms (goal ≤ 100 ms); virsh destroy→exited %.1f ms' %
              (med(vb['destroy_gone']), med(samples['virsh']['destroy_gone'])))
text = '\n'.join(lines + ratios) + '\n'
with open(os.path.join(OUT, 'summary.md'), 'w') as f:
    f.write(text)
print(text)
PY
echo "qemu-start: results in $OUT" >&2
