# SPDX-License-Identifier: LGPL-2.1-or-later
"""Method lists and argument generators derived from the D-Bus signatures in
dbus-interfaces/*.xml, shared by the D-Bus fuzz pass, the polkit matrix and the
batch client (which imports it under an unprivileged uid, so it needs only the
standard library and gi).

Arguments are kept as plain JSON-able data until the moment of the call:
to_variant(signature, args) turns them into a GLib.Variant. Two markers stand
for values JSON cannot carry cheaply:
  {"$v": SIG, "value": X}          a variant holding X of type SIG
  {"$big": N, "char": C}           a string of N copies of C (huge strings)
"""

import os
import random
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
SRCROOT = os.path.dirname(os.path.dirname(HERE))
INTERFACES_DIR = os.path.join(SRCROOT, 'dbus-interfaces')

SEED = 1234
MIB = 1024 * 1024
U32_MAX = 0xffffffff
U64_MAX = 0xffffffffffffffff
BASIC = 'ybnqiuxtdsogh'


# ---------------------------------------------------------------- signatures
def split_signature(sig):
    """'sa{sv}u' -> ['s', 'a{sv}', 'u']"""
    out, i = [], 0
    while i < len(sig):
        j = _complete_end(sig, i)
        out.append(sig[i:j])
        i = j
    return out


def _complete_end(sig, i):
    c = sig[i]
    if c == 'a':
        return _complete_end(sig, i + 1)
    if c in '({':
        close = ')' if c == '(' else '}'
        j = i + 1
        while sig[j] != close:
            j = _complete_end(sig, j)
        return j + 1
    return i + 1


def load_methods(directory=None):
    """[(interface, method, in_sig, out_sig)] from every interface XML, in file order."""
    directory = directory or INTERFACES_DIR
    out = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith('.xml'):
            continue
        root = ET.parse(os.path.join(directory, name)).getroot()
        for iface in root.iter('interface'):
            for m in iface.findall('method'):
                ins = ''.join(a.get('type') for a in m.findall('arg')
                              if a.get('direction', 'in') == 'in')
                outs = ''.join(a.get('type') for a in m.findall('arg')
                               if a.get('direction') == 'out')
                out.append((iface.get('name'), m.get('name'), ins, outs))
    return out


# ---------------------------------------------------------------- values
def default_value(t):
    """A well-formed, harmless value of type t (flags 0, empty strings, ...)."""
    c = t[0]
    if c in 'ynqiuxth':
        return 0
    if c == 'b':
        return False
    if c == 'd':
        return 0.0
    if c == 's':
        return ''
    if c == 'o':
        return '/'
    if c == 'g':
        return ''
    if c == 'v':
        return {'$v': 's', 'value': ''}
    if c == 'a':
        return {} if t[1] == '{' else []
    if c == '(':
        return [default_value(x) for x in split_signature(t[1:-1])]
    raise ValueError('unsupported type %r' % t)


def default_args(sig):
    return [default_value(t) for t in split_signature(sig)]


BAD_PATHS = ['/', '/org/libvirt/Test/domain/_zz', '/org/libvirt/Test/domain/_' + 'f' * 200,
             '/org/libvirt/Test/nope/x', '/org/libvirt/QEMU/domain/_00000000_0000_0000_0000_000000000000',
             '/a/' + '_' * 4000]


def _rand_string(rng, n):
    pool = ('abcXYZ019 _-./:<>&\'"%\\\t\n' '\u00e9\u4e2d\U0001f600\u202e')
    return ''.join(rng.choice(pool) for _ in range(n))


def random_value(t, rng, depth=0):
    """A random value of type t (correct type, arbitrary content)."""
    c = t[0]
    if c == 'y':
        return rng.randrange(256)
    if c == 'b':
        return rng.random() < 0.5
    if c == 'n':
        return rng.randrange(-2 ** 15, 2 ** 15)
    if c == 'q':
        return rng.randrange(2 ** 16)
    if c == 'i':
        return rng.choice([-1, -2 ** 31, 2 ** 31 - 1, rng.randrange(-2 ** 31, 2 ** 31)])
    if c == 'u':
        return rng.choice([U32_MAX, 1 << 31, rng.randrange(2 ** 32)])
    if c == 'x':
        return rng.choice([-1, -2 ** 63, 2 ** 63 - 1, rng.randrange(-2 ** 63, 2 ** 63)])
    if c == 't':
        return rng.choice([U64_MAX, 1 << 63, rng.randrange(2 ** 64)])
    if c == 'd':
        return rng.choice([float('nan'), float('inf'), -float('inf'), -1e308, rng.random()])
    if c == 'h':
        return 0
    if c == 's':
        return _rand_string(rng, rng.randrange(0, 64))
    if c == 'o':
        return rng.choice(BAD_PATHS)
    if c == 'g':
        return rng.choice(['', 'a{sv}', 's'])
    if c == 'v':
        return random_variant(rng, depth + 1)
    if c == 'a':
        n = rng.randrange(0, 5)
        if t[1] == '{':
            kt, vt = split_signature(t[2:-1])
            return {random_value(kt, rng, depth + 1): random_value(vt, rng, depth + 1)
                    for _ in range(n)}
        if t[1] == 'y':
            return [rng.randrange(256) for _ in range(rng.randrange(0, 4096))]
        return [random_value(t[1:], rng, depth + 1) for _ in range(n)]
    if c == '(':
        return [random_value(x, rng, depth + 1) for x in split_signature(t[1:-1])]
    raise ValueError('unsupported type %r' % t)


VARIANT_TYPES = ['s', 'i', 'u', 't', 'x', 'd', 'b', 'y', 'as', 'ay', 'a{sv}', '(si)', 'v']


def random_variant(rng, depth=0):
    t = rng.choice(VARIANT_TYPES if depth < 8 else VARIANT_TYPES[:8])
    return {'$v': t, 'value': random_value(t, rng, depth)}


# typed-parameter names the daemon knows, fed the wrong variant types
PARAM_NAMES = ['memory', 'weight', 'hard_limit', 'soft_limit', 'cpu_shares', 'vcpupin',
               'total_bytes_sec', 'read_iops_sec', 'group_name', 'bandwidth', 'destination_uri',
               'migrate_uri', 'nodeset', 'mode', 'inbound.average', 'cmt', 'vcpu_period',
               'state', 'flags', 'disk', 'uri', '', 'x' * 300]


def nested_variant(depth, leaf):
    v = leaf
    for _ in range(depth):
        v = {'$v': 'v', 'value': v}
    return v


def bad_asv(rng):
    """A large a{sv} whose values have the wrong types for their names, plus
    deeply nested variants and containers."""
    d = {}
    for i, name in enumerate(PARAM_NAMES):
        d[name] = random_variant(rng)
    d['nested'] = nested_variant(24, {'$v': 's', 'value': 'deep'})
    d['nested-dict'] = {'$v': 'a{sv}', 'value': {'inner': nested_variant(10, {'$v': 'a{sv}', 'value': {
        'x': {'$v': 'as', 'value': ['a'] * 100}}})}}
    for i in range(5000):
        d['k%d' % i] = {'$v': rng.choice(['s', 'u', 'ay']), 'value': None}
        t = d['k%d' % i]['$v']
        d['k%d' % i]['value'] = {'s': 'v', 'u': U32_MAX, 'ay': [1, 2, 3]}[t]
    return d


# small well-formed documents of every kind, no UUIDs (made up by the parsers)
SAMPLE_XML = [
    "<domain type='test'><name>fz-dom</name><memory>1024</memory><os><type>hvm</type></os></domain>",
    "<network><name>fz-net</name><bridge name='fzbr0'/></network>",
    "<pool type='dir'><name>fz-pool</name><target><path>/nonexistent/fz</path></target></pool>",
    "<volume><name>fz.img</name><capacity unit='KiB'>1</capacity></volume>",
    "<secret ephemeral='yes' private='no'><usage type='ceph'><name>fz</name></usage></secret>",
    "<filter name='fz-filter' chain='root'/>",
    "<domainsnapshot><name>fz-snap</name></domainsnapshot>",
    "<device><name>fz-dev</name><parent>scsi_host1</parent><capability type='scsi_host'>"
    "<capability type='fc_host'/></capability></device>",
    "<interface type='ethernet' name='fz0'><mac address='52:54:00:00:00:01'/></interface>",
    "<disk type='file' device='disk'><source file='/nonexistent/fz.img'/><target dev='vdz'/></disk>",
]


def _other_type(t, rng):
    for cand in rng.sample(['s', 'u', 'i', 'as', 'a{sv}', 'b', 'ay', 't', '(su)'], 9):
        if cand != t:
            return cand
    return 's'


def fuzz_cases(interface, method, in_sig, rng=None, big=False):
    """Deterministic list of (label, signature, args) for one method. `big` adds a
    10 MiB string case (done for one method per interface to keep runs short)."""
    rng = rng or random.Random('%d:%s.%s' % (SEED, interface, method))
    types = split_signature(in_sig)
    cases = []

    def add(label, sig_types, args):
        cases.append((label, ''.join(sig_types), args))

    # wrong types: one argument of a different type, one too many, one too few
    if types:
        i = rng.randrange(len(types))
        wrong = list(types)
        wrong[i] = _other_type(types[i], rng)
        args = [default_value(t) for t in wrong]
        add('wrong-type-arg%d' % i, wrong, args)
        add('missing-arg', types[:-1], default_args(''.join(types[:-1])))
    else:
        add('unexpected-arg', ['s'], ['x'])
    add('extra-arg', types + ['u'], default_args(in_sig) + [7])
    # all defaults (a valid call: empty strings, flags 0)
    add('defaults', types, default_args(in_sig))
    if 's' in types:
        add('huge-1MiB', types, [{'$big': MIB, 'char': 'A'} if t == 's' else default_value(t)
                                 for t in types])
        if big:
            add('huge-10MiB', types, [{'$big': 10 * MIB, 'char': '<'} if t == 's'
                                      else default_value(t) for t in types])
        add('xml-ish', types, ["<domain type='test'><name>" + 'n' * 5000 + '</name></domain>'
                               if t == 's' else default_value(t) for t in types])
        # object-creating methods get every kind, the others a few
        docs = SAMPLE_XML if 'XML' in method else rng.sample(SAMPLE_XML, 3)
        for k, doc in enumerate(docs):
            add('xml%d' % k, types, [doc if t == 's' else default_value(t) for t in types])
    if 'u' in types or 't' in types:
        add('max-flags', types, [U32_MAX if t == 'u' else U64_MAX if t == 't'
                                 else default_value(t) for t in types])
    if any(t in ('i', 'x', 'n') for t in types):
        add('negative', types, [-1 if t in ('i', 'x', 'n') else default_value(t) for t in types])
        add('min-int', types, [{'i': -2 ** 31, 'x': -2 ** 63, 'n': -2 ** 15}.get(t, default_value(t))
                               if t in ('i', 'x', 'n') else default_value(t) for t in types])
    if 'ay' in types:
        add('random-bytes', types, [[rng.randrange(256) for _ in range(65536)] if t == 'ay'
                                    else default_value(t) for t in types])
    if 'a{sv}' in types:
        add('bad-asv', types, [bad_asv(rng) if t == 'a{sv}' else default_value(t) for t in types])
    if 'o' in types:
        add('bad-paths', types, [rng.choice(BAD_PATHS) if t == 'o' else default_value(t)
                                 for t in types])
    for k in range(5):
        add('random%d' % k, types, [random_value(t, rng) for t in types])
    return cases


# ---------------------------------------------------------------- GVariant
def to_variant(sig, args):
    """GLib.Variant of tuple type '(sig)' from JSON-style args (markers expanded)."""
    from gi.repository import GLib
    return GLib.Variant('(' + sig + ')', tuple(_expand(t, a) for t, a in
                                               zip(split_signature(sig), args)))


def _expand(t, v):
    from gi.repository import GLib
    if isinstance(v, dict) and '$big' in v:
        return v['char'] * v['$big']
    c = t[0]
    if c == 'v':
        return GLib.Variant(v['$v'], _expand(v['$v'], v['value']))
    if c == 'a':
        if t[1] == '{':
            kt, vt = split_signature(t[2:-1])
            return {_expand(kt, k): _expand(vt, x) for k, x in v.items()}
        if t[1] == 'y':
            return bytes(v)
        return [_expand(t[1:], x) for x in v]
    if c == '(':
        return tuple(_expand(x, a) for x, a in zip(split_signature(t[1:-1]), v))
    return v


def describe(args, limit=120):
    """Short printable form of args for failure messages (huge values summarised)."""
    def short(v):
        if isinstance(v, dict) and '$big' in v:
            return '<%d x %r>' % (v['$big'], v['char'])
        if isinstance(v, list) and len(v) > 8:
            return '[%d items]' % len(v)
        if isinstance(v, dict) and len(v) > 8:
            return '{%d entries}' % len(v)
        return v
    text = repr([short(a) for a in args])
    return text if len(text) <= limit else text[:limit] + '...'


# ---------------------------------------------------------------- test side
# The helpers below run in the test process (as root) with a vbharness.Env.

TEST_PATH = '/org/libvirt/Test'
CONNECT = 'org.libvirt.Connect'
VOL_XML = "<volume><name>%s</name><capacity unit='MiB'>8</capacity></volume>"
SECRET_XML = ("<secret ephemeral='no' private='no'><uuid>6dd3e4a5-1d76-44ce-961f-f119f5aad935</uuid>"
              "<usage type='volume'><volume>/var/lib/virtbus/fuzz.img</volume></usage></secret>")
FILTER_XML = ("<filter name='fuzz-filter' chain='ipv4'><uuid>5c6d49af-b071-6127-b4ec-6f8ed4b55335</uuid>"
              "<rule action='drop' direction='out' priority='500'><ip match='no' srcipaddr='$IP'/>"
              "</rule></filter>")
SNAPSHOT_XML = '<domainsnapshot><name>fuzz-snap</name></domainsnapshot>'
JOB_IFACE = 'org.virtbus.Job1'


def make_objects(env):
    """Real object paths, one per interface, on a fresh Test daemon: the
    test:///default objects plus a volume, a secret, an nwfilter and a snapshot
    created here. Returns {interface: path}; Job1 gets a synthesized path (see
    start_job for a real one)."""
    c = lambda m, s, a: env.call_ok(TEST_PATH, CONNECT, m, s, a)[0]  # noqa: E731
    paths = {CONNECT: TEST_PATH, 'org.virtbus.Connect1': TEST_PATH}
    dom = c('DomainLookupByName', 's', ('test',))
    paths['org.libvirt.Domain'] = dom
    paths['org.virtbus.Console1'] = dom       # the domain's console extension
    paths['org.libvirt.Network'] = c('NetworkLookupByName', 's', ('default',))
    pool = c('StoragePoolLookupByName', 's', ('default-pool',))
    paths['org.libvirt.StoragePool'] = pool
    paths['org.libvirt.StorageVol'] = env.call_ok(pool, 'org.libvirt.StoragePool', 'StorageVolCreateXML',
                                                  'su', (VOL_XML % 'fuzz.img', 0))[0]
    paths['org.virtbus.StorageVol1'] = paths['org.libvirt.StorageVol']   # upload/download extension
    paths['org.libvirt.NodeDevice'] = c('NodeDeviceLookupByName', 's', ('scsi_host1',))
    paths['org.libvirt.Interface'] = c('InterfaceLookupByName', 's', ('eth1',))
    paths['org.libvirt.Secret'] = c('SecretDefineXML', 'su', (SECRET_XML, 0))
    paths['org.libvirt.NWFilter'] = c('NWFilterDefineXML', 's', (FILTER_XML,))
    paths['org.libvirt.DomainSnapshot'] = env.call_ok(dom, 'org.libvirt.Domain', 'SnapshotCreateXML',
                                                      'su', (SNAPSHOT_XML, 0))[0]
    paths[JOB_IFACE] = TEST_PATH + '/job/4242'
    return paths


def start_job(env, paths, deadline=5.0):
    """Start a volume wipe (a Job1 object while it runs, then lingering for 10 s)
    without waiting for its reply; returns the job's path."""
    from gi.repository import Gio
    known = set(env.call_ok(TEST_PATH, 'org.freedesktop.DBus.ObjectManager', 'GetManagedObjects')[0])
    env.conn.call('org.libvirt', paths['org.libvirt.StorageVol'], 'org.libvirt.StorageVol', 'Wipe',
                  to_variant('uu', [0, 0]), None, Gio.DBusCallFlags.NONE, 10000, None, None, None)
    import time
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        objs = env.call_ok(TEST_PATH, 'org.freedesktop.DBus.ObjectManager', 'GetManagedObjects')[0]
        new = [p for p, ifaces in objs.items() if p not in known and JOB_IFACE in ifaces]
        if new:
            return new[0]
        time.sleep(0.01)
    raise AssertionError('no Job1 object appeared within %.1f s of StorageVol.Wipe' % deadline)


LISTS = [('ListDomains', 'org.libvirt.Domain'), ('ListNetworks', 'org.libvirt.Network'),
         ('ListStoragePools', 'org.libvirt.StoragePool'), ('ListNodeDevices', 'org.libvirt.NodeDevice'),
         ('ListInterfaces', 'org.libvirt.Interface'), ('ListSecrets', 'org.libvirt.Secret'),
         ('ListNWFilters', 'org.libvirt.NWFilter')]


def full_inventory(env):
    """vbharness inventory() plus every List* result and the XML (and properties)
    of every listed object, volumes and snapshots included, and secret values."""
    inv = {'base': env.inventory()}
    for method, iface in LISTS:
        for p in env.call_ok(TEST_PATH, CONNECT, method, 'u', (0,))[0]:
            entry = [env.call_ok(p, iface, 'GetXMLDesc', 'u', (0,))[0],
                     env.call_ok(p, 'org.freedesktop.DBus.Properties', 'GetAll', 's', (iface,))[0]]
            if iface == 'org.libvirt.StoragePool' and entry[1].get('Active'):
                entry.append({v: env.call_ok(v, 'org.libvirt.StorageVol', 'GetXMLDesc', 'u', (0,))[0]
                              for v in env.call_ok(p, iface, 'ListStorageVolumes', 'u', (0,))[0]})
            if iface == 'org.libvirt.Domain':
                entry.append({s: env.call_ok(s, 'org.libvirt.DomainSnapshot', 'GetXMLDesc', 'u', (0,))[0]
                              for s in env.call_ok(p, iface, 'ListDomainSnapshots', 'u', (0,))[0]})
            if iface == 'org.libvirt.Secret':
                entry.append(env.call(p, iface, 'GetValue', 'u', (0,)))
            inv[method + ':' + p] = entry
    return inv


def run_as_user(env, calls, interactive=False, timeout_ms=5000, user='nobody', group='nogroup',
                deadline=600):
    """Run `calls` through batch_client.py in one process as `user`; returns its
    per-call results."""
    import json
    import shutil
    import subprocess
    import pwd
    work = os.path.join(env.tmp, 'batch')
    if not os.path.isdir(work):
        os.mkdir(work)
        for name in ('batch_client.py', 'dbus_args.py', 'client.py'):
            shutil.copy(os.path.join(HERE, name), os.path.join(work, name))
            os.chmod(os.path.join(work, name), 0o644)
        pw = pwd.getpwnam(user)
        os.chown(work, pw.pw_uid, pw.pw_gid)
    req = os.path.join(work, 'request.json')
    out = os.path.join(work, 'result.json')
    with open(req, 'w') as f:
        json.dump({'address': env.address, 'timeout_ms': timeout_ms, 'interactive': interactive,
                   'calls': calls}, f)
    os.chmod(req, 0o644)
    if os.path.exists(out):
        os.unlink(out)
    proc = subprocess.run(['setpriv', '--reuid=' + user, '--regid=' + group, '--clear-groups',
                           '/usr/bin/python3', os.path.join(work, 'batch_client.py'), req, out],
                          cwd=work, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=deadline, env={'PATH': '/usr/bin:/bin', 'PYTHONDONTWRITEBYTECODE': '1'})
    if proc.returncode != 0 or not os.path.exists(out):
        raise AssertionError('batch client as %s failed (rc %d): %s' % (user, proc.returncode,
                                                                        proc.stderr[-3000:]))
    with open(out) as f:
        res = json.load(f)
    assert len(res) == len(calls), (len(res), len(calls))
    return res
