# SPDX-License-Identifier: LGPL-2.1-or-later
"""D-Bus level fuzzing: every method of every interface in dbus-interfaces/*.xml,
called on a real object of that interface with arguments derived from its
signature (dbus_args.fuzz_cases: wrong types, missing/extra arguments, 1 MiB and
10 MiB strings, max flags, negative and minimum integers, random bytes, huge and
deeply nested a{sv} with wrong variant types, seeded random values), plus each
method on invalid object paths of its collection.

* unprivileged (nobody, mock polkit denying everything): every call gets an error
  reply -- access denied, a standard D-Bus error, or "not found" for the invalid
  paths -- never a timeout; the daemon lives on and nothing changed.
* root (no polkit query): every call gets a reply or an error within its deadline
  and the daemon never dies (Peer.Ping + ListDomains after each method's batch).

A failure names the reproducer: interface, method, object path, case label,
signature and arguments (seed dbus_args.SEED)."""

import time

import pytest

import batch_client
from vbharness import _tail as vbharness_tail
import dbus_args
from dbus_args import CONNECT, TEST_PATH

METHODS = dbus_args.load_methods()
ROOT_TIMEOUT_MS = 5000
USER_TIMEOUT_MS = 5000

# the invalid object paths each interface's methods are also called on
BAD_TARGETS = {
    'org.libvirt.Domain': ['/org/libvirt/Test/domain/_00000000_0000_0000_0000_000000000000',
                           '/org/libvirt/Test/domain/_zz_zz'],
    'org.libvirt.DomainSnapshot': ['/org/libvirt/Test/domainsnapshot/_6695eb01_f6a4_8304_79aa_97f2502e193f_nope'],
    'org.libvirt.Network': ['/org/libvirt/Test/network/_ffffffff_ffff_ffff_ffff_ffffffffffff'],
    'org.libvirt.StoragePool': ['/org/libvirt/Test/storagepool/_x'],
    'org.libvirt.StorageVol': ['/org/libvirt/Test/storagevol/_2fnope'],
    'org.virtbus.StorageVol1': ['/org/libvirt/Test/storagevol/_2fnope'],
    'org.libvirt.NodeDevice': ['/org/libvirt/Test/nodedev/' + 'a' * 300],
    'org.libvirt.Interface': ['/org/libvirt/Test/interface/_zz'],
    'org.libvirt.Secret': ['/org/libvirt/Test/secret/_1'],
    'org.libvirt.NWFilter': ['/org/libvirt/Test/nwfilter/_'],
    'org.virtbus.Job1': ['/org/libvirt/Test/job/0', '/org/libvirt/Test/job/99999999999999999999'],
    'org.virtbus.Console1': ['/org/libvirt/Test/domain/_00000000_0000_0000_0000_000000000000'],
    'org.libvirt.Connect': ['/org/libvirt/Nope', '/org/libvirt/Test/zz'],
}

# within one interface, methods that remove or stop their object run last
DESTRUCTIVE = ('Undefine', 'Delete', 'Destroy', 'Rename', 'Wipe', 'Revert')


def _order(methods):
    return sorted(methods, key=lambda m: (m[1] in DESTRUCTIVE, METHODS.index(m)))


def _big_method(iface):
    """The one method per interface that also gets the 10 MiB string case."""
    for i, m, sig, _ in METHODS:
        if i == iface and 's' in dbus_args.split_signature(sig):
            return m
    return None


def cases_for(iface, method, sig, path):
    """[{path, interface, method, signature, args, label}] for one method."""
    out = []
    for label, csig, args in dbus_args.fuzz_cases(iface, method, sig, big=(method == _big_method(iface))):
        out.append({'path': path, 'interface': iface, 'method': method, 'signature': csig,
                    'args': args, 'label': label})
    for bad in BAD_TARGETS.get(iface, []):
        out.append({'path': bad, 'interface': iface, 'method': method, 'signature': sig,
                    'args': dbus_args.default_args(sig), 'label': 'bad-target-path'})
    return out


def reproducer(call):
    return '%s.%s on %s, case %s: (%s) %s' % (call['interface'], call['method'], call['path'],
                                              call['label'], call['signature'],
                                              dbus_args.describe(call['args']))


STANDARD_ERRORS = ('org.freedesktop.DBus.Error.InvalidArgs', 'org.freedesktop.DBus.Error.UnknownMethod',
                   'org.freedesktop.DBus.Error.UnknownObject', 'org.freedesktop.DBus.Error.UnknownInterface',
                   'org.freedesktop.DBus.Error.InvalidSignature', 'org.freedesktop.DBus.Error.NoMemory',
                   'org.freedesktop.DBus.Error.LimitsExceeded')


def _alive(env, daemon):
    assert daemon.proc.poll() is None, 'virtbusd exited with %s\n%s' % (daemon.proc.returncode,
                                                                       daemon.output()[-4000:])
    ping = batch_client.one_call(env.conn, {'path': TEST_PATH, 'interface': 'org.freedesktop.DBus.Peer',
                                            'method': 'Ping'}, 5000, False)
    assert ping['ok'], 'Peer.Ping failed: %r' % ping
    env.call_ok(TEST_PATH, CONNECT, 'ListDomains', 'u', (0,))


MEMORY_ERRORS = ('ERROR: AddressSanitizer', 'runtime error:')


def _stop_checked(env):
    """Stop the daemons; each must exit 0 on SIGTERM with no memory-error report in
    its log (the pass also runs against a -Db_sanitize=address,undefined build).
    LeakSanitizer's exit-time report (exit status 1) is left to the sanitizer
    run of the whole suite: it is not about what the fuzzing did."""
    daemons = list(env.daemons)
    env.stop_daemons()
    for d in daemons:
        out = vbharness_tail(d.log, 200000)
        leak_only = d.proc.returncode == 1 and 'ERROR: LeakSanitizer' in out
        assert (d.proc.returncode == 0 or leak_only) and not any(s in out for s in MEMORY_ERRORS), \
            'virtbusd exited with %s:\n%s' % (d.proc.returncode, out[-6000:])


@pytest.fixture(scope='module')
def env():
    import vbharness
    e = vbharness.Env(polkit='mock')
    yield e
    e.close()


def test_methods_generated_from_interfaces():
    names = [(i, m) for i, m, _, _ in METHODS]
    assert len([n for n in names if n[0].startswith('org.libvirt.')]) == 195
    assert ('org.virtbus.Job1', 'Cancel') in names and ('org.virtbus.Connect1', 'NodeGetInfo') in names
    # every interface has a real object and invalid paths to be fuzzed on
    assert set(i for i, _ in names) <= set(BAD_TARGETS) | {'org.virtbus.Connect1'}


def test_unprivileged_fuzz_denied_and_harmless(env):
    env.set_polkit({'default': 'allow'})
    daemon = env.start_daemon()
    try:
        paths = dbus_args.make_objects(env)
        before = dbus_args.full_inventory(env)
        env.set_polkit({'default': 'deny'})
        env.polkit_queries(clear=True)
        # a real job for the Job1 calls, which go first (it lingers 10 s once done)
        paths['org.virtbus.Job1'] = dbus_args.start_job(env, paths)
        calls = []
        for iface, method, sig, _ in sorted(METHODS, key=lambda m: m[0] != 'org.virtbus.Job1'):
            calls += cases_for(iface, method, sig, paths[iface])
        start = time.monotonic()
        results = dbus_args.run_as_user(env, calls, timeout_ms=USER_TIMEOUT_MS)
        elapsed = time.monotonic() - start
        bad = []
        for call, res in zip(calls, results):
            if res['ok'] or res.get('timeout') or not res['name']:
                bad.append((reproducer(call), res))
            elif res['name'] == 'org.libvirt.Error':
                if res['message'].startswith('access denied'):
                    continue
                if call['label'] == 'bad-target-path' and \
                        ('not found' in res['message'] or 'no object at path' in res['message']):
                    continue
                bad.append((reproducer(call), res))
            elif res['name'] not in STANDARD_ERRORS:
                bad.append((reproducer(call), res))
        assert not bad, '%d of %d unprivileged calls not refused properly, first: %r' % (
            len(bad), len(calls), bad[:5])
        _alive(env, daemon)
        # the job finished meanwhile (Wipe as root); let its linger not matter
        env.set_polkit({'default': 'allow'})
        after = dbus_args.full_inventory(env)
        assert after == before, 'state changed by refused calls'
        denied = sum(1 for r in results if r['message'].startswith('access denied'))
        print('unprivileged fuzz: %d calls, %d access denied, %.1f s' % (len(calls), denied, elapsed))
        assert denied > len(calls) * 0.8
        _stop_checked(env)
    finally:
        env.stop_daemons()


GROUPS = sorted(set(i for i, _, _, _ in METHODS))


@pytest.mark.parametrize('iface', GROUPS)
def test_root_fuzz_never_hangs_or_dies(env, iface):
    """As root (passes polkit without a query): replies or errors in time; the
    daemon stays up. A fresh daemon per interface, and again whenever a method's
    batch removed the object under test."""
    env.set_polkit({'default': 'allow'})
    state = {}

    def fresh():
        if env.daemons:
            _stop_checked(env)
        state['daemon'] = env.start_daemon()
        state['paths'] = dbus_args.make_objects(env)
        if iface == 'org.virtbus.Job1':
            state['paths'][iface] = dbus_args.start_job(env, state['paths'])

    def target_exists(path):
        if iface in (CONNECT, 'org.virtbus.Connect1'):
            return True
        if iface == 'org.virtbus.Job1':
            return False    # one job per batch: start a new one
        res = env.call(path, 'org.freedesktop.DBus.Properties', 'GetAll', 's', (iface,))
        return res['ok'] and bool(res['result'][0]) or (iface == 'org.libvirt.NodeDevice' and res['ok'])

    try:
        fresh()
        n = 0
        slow = []
        for m in _order([m for m in METHODS if m[0] == iface]):
            _, method, sig, _ = m
            path = state['paths'][iface]
            for call in cases_for(iface, method, sig, path):
                t0 = time.monotonic()
                res = batch_client.one_call(env.conn, call, ROOT_TIMEOUT_MS, False)
                took = time.monotonic() - t0
                n += 1
                if res.get('timeout') or (not res['ok'] and not res['name'] and not res.get('local')):
                    alive = state['daemon'].proc.poll() is None
                    pytest.fail('no reply (%s; daemon %s) to %s\n%s' % (
                        res['message'], 'alive' if alive else 'exited %s' % state['daemon'].proc.returncode,
                        reproducer(call), state['daemon'].output()[-3000:]))
                if res.get('local'):
                    pytest.fail('test bug: %s: %s' % (reproducer(call), res['message']))
                if took > 1.0:
                    slow.append('%.1f s: %s' % (took, reproducer(call)))
            try:
                _alive(env, state['daemon'])
            except AssertionError as err:
                pytest.fail('daemon not answering after %s.%s batch: %s' % (iface, method, err))
            if not target_exists(path):
                fresh()
        print('root fuzz %s: %d calls; slower than 1 s: %r' % (iface, n, slow))
        _stop_checked(env)
    finally:
        env.stop_daemons()
