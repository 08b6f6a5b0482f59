#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Compare the interface files in dbus-interfaces/ with what a live daemon serves.

  check_introspection.py --address ADDR [--dir DIR] [--object IFACE=PATH ...]
      Find one live object per interface file on the bus at ADDR (bus name
      org.libvirt, Connect object /org/libvirt/Test), call
      org.freedesktop.DBus.Introspectable.Introspect on it and compare the
      interface member for member with the file: method names and ordered
      (name, type, direction) arguments, property name/type/access, signal
      names and ordered (name, type) arguments.  Annotations and the
      standard org.freedesktop.DBus.* interfaces are ignored.  Exit status 1
      on any mismatch.

  check_introspection.py --self-test [--dir DIR] [--members TSV]
      Check the files alone: 195 methods, 37 properties and 28 signals in
      org.libvirt.*, every signature and argument name equal to the reference
      table libvirt-dbus-members.tsv (made by gen_members_tsv.py), a doc
      string on every member, valid EmitsChangedSignal values, and the
      org.virtbus.Job1 members.

Run with /usr/bin/python3 (needs python3-dbus for the live mode).
"""

import argparse
import glob
import os
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gen_members_tsv import split_signature  # noqa: E402

DEFAULT_DIR = os.path.normpath(os.path.join(HERE, '..', '..', 'dbus-interfaces'))
DEFAULT_TSV = os.path.join(HERE, 'libvirt-dbus-members.tsv')
BUS_NAME = 'org.libvirt'
CONNECT_PATH = '/org/libvirt/Test'
DOC = 'org.gtk.GDBus.DocString'
EMITS = 'org.freedesktop.DBus.Property.EmitsChangedSignal'
EXPECTED_TOTALS = (195, 37, 28)
ZERO_UUID = '_00000000_0000_0000_0000_000000000000'

# org.virtbus.Job1 is ours; its members are fixed here.
JOB1 = {
    'methods': {'Cancel': []},
    'properties': {'Progress': ('d', 'read'), 'BytesDone': ('t', 'read'),
                   'BytesTotal': ('t', 'read'), 'State': ('s', 'read'),
                   'Operation': ('s', 'read'), 'Object': ('o', 'read')},
    'signals': {'Finished': [('success', 'b'), ('error', 's')]},
}


class Iface:
    """Members of one interface as parsed from introspection XML."""

    def __init__(self, name):
        self.name = name
        self.methods = {}     # name -> [(arg, type, direction)]
        self.properties = {}  # name -> (type, access)
        self.signals = {}     # name -> [(arg, type)]
        self.docs = {}        # (kind, name) -> doc string or None
        self.emits = {}       # property -> EmitsChangedSignal value or None
        self.iface_emits = None
        self.iface_doc = None
        self.problems = []    # structural problems found while parsing


def _annotation(elem, name):
    for a in elem.findall('annotation'):
        if a.get('name') == name:
            return a.get('value')
    return None


def parse_interfaces(xml_text):
    """Return {interface name: Iface} for every interface in the XML."""
    root = ET.fromstring(xml_text)
    result = {}
    for ie in root.findall('interface'):
        it = Iface(ie.get('name'))
        it.iface_doc = _annotation(ie, DOC)
        it.iface_emits = _annotation(ie, EMITS)
        for me in ie.findall('method'):
            name = me.get('name')
            if name in it.methods:
                it.problems.append('duplicate method %s' % name)
            args = []
            for a in me.findall('arg'):
                direction = a.get('direction', 'in')
                args.append((a.get('name'), a.get('type'), direction))
            it.methods[name] = args
            it.docs[('method', name)] = _annotation(me, DOC)
        for pe in ie.findall('property'):
            name = pe.get('name')
            if name in it.properties:
                it.problems.append('duplicate property %s' % name)
            it.properties[name] = (pe.get('type'), pe.get('access'))
            it.docs[('property', name)] = _annotation(pe, DOC)
            it.emits[name] = _annotation(pe, EMITS)
        for se in ie.findall('signal'):
            name = se.get('name')
            if name in it.signals:
                it.problems.append('duplicate signal %s' % name)
            args = []
            for a in se.findall('arg'):
                if a.get('direction', 'out') != 'out':
                    it.problems.append('signal %s: argument %s has direction %s'
                                       % (name, a.get('name'), a.get('direction')))
                args.append((a.get('name'), a.get('type')))
            it.signals[name] = args
            it.docs[('signal', name)] = _annotation(se, DOC)
        result[it.name] = it
    return result


def load_files(directory):
    """Return ([(path, Iface)], [errors]) for every *.xml file in directory."""
    files = sorted(glob.glob(os.path.join(directory, '*.xml')))
    out, errors = [], []
    for path in files:
        try:
            with open(path, encoding='utf-8') as f:
                ifaces = parse_interfaces(f.read())
        except (OSError, ET.ParseError) as e:
            errors.append('%s: %s' % (path, e))
            continue
        if len(ifaces) != 1:
            errors.append('%s: expected exactly one interface, found %d' % (path, len(ifaces)))
            continue
        it = next(iter(ifaces.values()))
        expected_file = it.name + '.xml'
        if os.path.basename(path) != expected_file:
            errors.append('%s: holds %s, expected file name %s' % (path, it.name, expected_file))
        out.append((path, it))
    if not files:
        errors.append('%s: no *.xml files' % directory)
    return out, errors


# ---------------------------------------------------------------- comparison

def fmt_args(args):
    return '(' + ', '.join(':'.join(x for x in a) for a in args) + ')'


def compare(expected, actual):
    """Return a list of difference lines between two Iface objects."""
    diffs = []
    for kind, exp, act, fmt in (
            ('method', expected.methods, actual.methods, fmt_args),
            ('property', expected.properties, actual.properties, lambda v: '%s %s' % v),
            ('signal', expected.signals, actual.signals, fmt_args)):
        for name in exp:
            if name not in act:
                diffs.append('- %s %s %s   (missing on the bus)' % (kind, name, fmt(exp[name])))
            elif exp[name] != act[name]:
                diffs.append('- %s %s %s' % (kind, name, fmt(exp[name])))
                diffs.append('+ %s %s %s' % (kind, name, fmt(act[name])))
        for name in act:
            if name not in exp:
                diffs.append('+ %s %s %s   (not in the file)' % (kind, name, fmt(act[name])))
    return diffs


# ---------------------------------------------------------------- self-test

def load_tsv(path):
    rows = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            r = [x if x != '-' else '' for x in line.rstrip('\n').split('\t')]
            if len(r) != 10:
                raise ValueError('%s: bad row %r' % (path, line))
            rows.append(r)
    return rows


def expected_from_tsv(rows):
    """Build {interface: Iface} from the reference table rows."""
    result = {}
    for iface, kind, member, in_sig, out_sig, in_args, out_args, access, _api, _note in rows:
        it = result.setdefault(iface, Iface(iface))
        if kind == 'method':
            args = []
            for sig, names, direction in ((in_sig, in_args, 'in'), (out_sig, out_args, 'out')):
                types = split_signature(sig)
                names = names.split(',') if names else []
                if len(types) != len(names):
                    raise ValueError('%s.%s: names %r do not fit %r' % (iface, member, names, sig))
                args += [(n, t, direction) for n, t in zip(names, types)]
            it.methods[member] = args
        elif kind == 'property':
            it.properties[member] = (out_sig, access)
        elif kind == 'signal':
            types = split_signature(out_sig)
            names = out_args.split(',') if out_args else []
            if len(types) != len(names):
                raise ValueError('%s.%s: names %r do not fit %r' % (iface, member, names, out_sig))
            it.signals[member] = list(zip(names, types))
        else:
            raise ValueError('unknown kind %r' % kind)
    return result


def sig_of(args, direction):
    return ''.join(t for (_n, t, d) in args if d == direction)


def self_test(directory, tsv):
    problems = []
    files, errors = load_files(directory)
    problems += errors
    try:
        expected = expected_from_tsv(load_tsv(tsv))
    except (OSError, ValueError) as e:
        print('self-test: cannot read %s: %s' % (tsv, e))
        return 1
    exp_totals = tuple(sum(len(getattr(i, k)) for i in expected.values())
                       for k in ('methods', 'properties', 'signals'))
    if exp_totals != EXPECTED_TOTALS:
        problems.append('%s: %d methods, %d properties, %d signals; expected %d/%d/%d'
                        % ((tsv,) + exp_totals + EXPECTED_TOTALS))
    job1 = Iface('org.virtbus.Job1')
    job1.methods = dict(JOB1['methods'])
    job1.properties = dict(JOB1['properties'])
    job1.signals = dict(JOB1['signals'])

    by_name = {it.name: (path, it) for path, it in files}
    for name in sorted(set(expected) | {'org.virtbus.Job1'}):
        if name not in by_name:
            problems.append('%s: no file %s.xml' % (name, name))

    totals = [0, 0, 0]
    for path, it in files:
        where = os.path.basename(path)
        problems += ['%s: %s' % (where, p) for p in it.problems]
        if it.name.startswith('org.libvirt.'):
            exp = expected.get(it.name)
            if exp is None:
                problems.append('%s: %s is not an org.libvirt interface of libvirt-dbus'
                                % (where, it.name))
                continue
            totals = [a + b for a, b in zip(totals, (len(it.methods), len(it.properties),
                                                     len(it.signals)))]
        elif it.name == 'org.virtbus.Job1':
            exp = job1
        elif it.name.startswith('org.virtbus.'):
            exp = None
        else:
            problems.append('%s: unexpected interface name %s' % (where, it.name))
            continue
        if exp is not None:
            for d in compare(exp, it):
                problems.append('%s: %s' % (where, d.replace('(missing on the bus)',
                                                             '(missing in the file)')
                                            .replace('(not in the file)', '(not in the reference)')))
            # Signature concatenations, as the reference tables state them.
            for m, args in it.methods.items():
                if m in exp.methods:
                    for direction in ('in', 'out'):
                        if sig_of(args, direction) != sig_of(exp.methods[m], direction):
                            problems.append('%s: method %s %s signature %r, reference %r'
                                            % (where, m, direction, sig_of(args, direction),
                                               sig_of(exp.methods[m], direction)))
        # Well-formedness of every file, ours included.
        for m, args in it.methods.items():
            for n, t, d in args:
                if not n:
                    problems.append('%s: method %s has an unnamed argument' % (where, m))
                if d not in ('in', 'out'):
                    problems.append('%s: method %s argument %s direction %r' % (where, m, n, d))
                _check_type(problems, where, 'method %s argument %s' % (m, n), t)
        for s, args in it.signals.items():
            for n, t in args:
                if not n:
                    problems.append('%s: signal %s has an unnamed argument' % (where, s))
                _check_type(problems, where, 'signal %s argument %s' % (s, n), t)
        for p, (t, access) in it.properties.items():
            _check_type(problems, where, 'property %s' % p, t)
            if access not in ('read', 'write', 'readwrite'):
                problems.append('%s: property %s access %r' % (where, p, access))
        if not it.iface_doc:
            problems.append('%s: interface %s has no %s annotation' % (where, it.name, DOC))
        for (kind, member), doc in sorted(it.docs.items()):
            if not doc or not doc.strip():
                problems.append('%s: %s %s has no %s annotation' % (where, kind, member, DOC))
            elif it.name.startswith('org.libvirt.') and kind != 'property' \
                    and ' vir' not in ' ' + doc and 'See vir' not in doc:
                problems.append('%s: %s %s doc does not name the libvirt API' % (where, kind, member))
        if it.properties and it.iface_emits not in ('true', 'false', 'const', 'invalidates'):
            problems.append('%s: interface-level %s is %r' % (where, EMITS, it.iface_emits))
        for p, v in sorted(it.emits.items()):
            if v not in ('true', 'false', 'const', 'invalidates'):
                problems.append('%s: property %s %s is %r' % (where, p, EMITS, v))
            elif it.name == 'org.libvirt.Connect':
                want = 'const' if p in ('Encrypted', 'Secure') else 'false'
                if v != want:
                    problems.append('%s: property %s %s is %r, want %r'
                                    % (where, p, EMITS, v, want))
            elif v == 'false':
                problems.append('%s: property %s says it never emits PropertiesChanged, '
                                'but virtbus does' % (where, p))
            if it.properties.get(p, ('', ''))[1] != 'read' and v == 'const':
                problems.append('%s: writable property %s marked const' % (where, p))

    if tuple(totals) != EXPECTED_TOTALS:
        problems.append('org.libvirt.* files: %d methods, %d properties, %d signals; expected %d/%d/%d'
                        % (tuple(totals) + EXPECTED_TOTALS))
    for p in problems:
        print(p)
    print('self-test: %d interface files, org.libvirt.* %d methods / %d properties / %d signals, '
          '%d problems' % ((len(files),) + tuple(totals) + (len(problems),)))
    return 1 if problems else 0


def _check_type(problems, where, what, t):
    try:
        if not t or len(split_signature(t)) != 1:
            raise ValueError('not a single complete type')
    except (ValueError, IndexError) as e:
        problems.append('%s: %s type %r invalid (%s)' % (where, what, t, e))


# ---------------------------------------------------------------- live mode

CHILD_LISTS = {
    # interface: (Connect list method, path segment, synthesized leaf)
    'org.libvirt.Domain': ('ListDomains', 'domain', ZERO_UUID),
    'org.libvirt.Network': ('ListNetworks', 'network', ZERO_UUID),
    'org.libvirt.StoragePool': ('ListStoragePools', 'storagepool', ZERO_UUID),
    'org.libvirt.NodeDevice': ('ListNodeDevices', 'nodedev', 'virtbus_5fcheck'),
    'org.libvirt.Interface': ('ListInterfaces', 'interface', '00_3a00_3a00_3a00_3a00_3a00'),
    'org.libvirt.Secret': ('ListSecrets', 'secret', ZERO_UUID),
    'org.libvirt.NWFilter': ('ListNWFilters', 'nwfilter', ZERO_UUID),
}


class Live:
    def __init__(self, address, bus_name, connect_path, timeout):
        import dbus
        self.dbus = dbus
        self.bus = dbus.bus.BusConnection(address)
        # Talk to the current owner's unique name: never D-Bus-activate a
        # service (a session bus may start an installed libvirt-dbus for
        # org.libvirt) and never switch daemons in the middle of a run.
        if not self.bus.name_has_owner(bus_name):
            raise LookupError('%s has no owner on this bus (is virtbusd running?)' % bus_name)
        self.bus_name = str(self.bus.get_name_owner(bus_name))
        self.owner = self.bus_name
        try:
            pid = int(self.bus.call_blocking('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                             'org.freedesktop.DBus',
                                             'GetConnectionUnixProcessID', 's', (self.bus_name,)))
            with open('/proc/%d/comm' % pid) as f:
                self.owner = '%s (pid %d, %s)' % (self.bus_name, pid, f.read().strip())
        except (dbus.exceptions.DBusException, OSError, ValueError):
            pass
        self.connect = connect_path
        self.timeout = timeout
        self.notes = []

    def call(self, path, iface, method, sig='', args=()):
        return self.bus.call_blocking(self.bus_name, path, iface, method, sig, args,
                                      timeout=self.timeout)

    def try_list(self, path, iface, method):
        try:
            return [str(p) for p in self.call(path, iface, method, 'u', (0,))]
        except self.dbus.exceptions.DBusException as e:
            self.notes.append('%s.%s(0) on %s failed: %s' % (iface, method, path,
                                                             e.get_dbus_message()))
            return []

    def introspect(self, path):
        return str(self.call(path, 'org.freedesktop.DBus.Introspectable', 'Introspect'))

    def find(self, iface):
        """Return (path, how) of an object that should implement iface, or (None, why)."""
        c = self.connect
        if iface == 'org.libvirt.Connect':
            return c, 'Connect object'
        if iface in CHILD_LISTS:
            method, segment, leaf = CHILD_LISTS[iface]
            found = self.try_list(c, 'org.libvirt.Connect', method)
            if found:
                return found[0], 'first of Connect.%s' % method
            return '%s/%s/%s' % (c, segment, leaf), 'synthesized (Connect.%s empty)' % method
        if iface == 'org.libvirt.DomainSnapshot':
            for dom in self.try_list(c, 'org.libvirt.Connect', 'ListDomains'):
                snaps = self.try_list(dom, 'org.libvirt.Domain', 'ListDomainSnapshots')
                if snaps:
                    return snaps[0], 'first of Domain.ListDomainSnapshots'
            return ('%s/domainsnapshot/%s_virtbus_5fcheck' % (c, ZERO_UUID),
                    'synthesized (no snapshots)')
        if iface == 'org.libvirt.StorageVol':
            for pool in self.try_list(c, 'org.libvirt.Connect', 'ListStoragePools'):
                vols = self.try_list(pool, 'org.libvirt.StoragePool', 'ListStorageVolumes')
                if vols:
                    return vols[0], 'first of StoragePool.ListStorageVolumes'
            return '%s/storagevol/_2fvirtbus_2fcheck' % c, 'synthesized (no volumes)'
        # Our own interfaces: ask the ObjectManager extension.
        try:
            objs = self.bus.call_blocking(self.bus_name, c, 'org.freedesktop.DBus.ObjectManager',
                                          'GetManagedObjects', '', (), timeout=self.timeout)
        except self.dbus.exceptions.DBusException as e:
            return None, 'GetManagedObjects on %s failed: %s' % (c, e.get_dbus_message())
        for path in sorted(objs):
            if iface in objs[path]:
                return str(path), 'from ObjectManager.GetManagedObjects'
        return None, 'no object implements it right now'


def live_check(args):
    files, errors = load_files(args.dir)
    for e in errors:
        print(e)
    try:
        live = Live(args.address, args.bus_name, args.connect_path, args.timeout)
    except Exception as e:  # dbus raises several types for a bad address
        print('cannot use the bus at %s: %s' % (args.address, e))
        return 2
    if args.verbose:
        print('%s is owned by %s' % (args.bus_name, live.owner))
    overrides = {}
    for spec in args.object or []:
        iface, sep, path = spec.partition('=')
        if not sep:
            print('--object wants IFACE=PATH, got %r' % spec)
            return 2
        overrides[iface] = path

    matched, mismatched, absent = 0, 0, []
    for path_file, expected in files:
        name = expected.name
        if name in overrides:
            obj, how = overrides[name], 'given with --object'
        else:
            obj, how = live.find(name)
        if obj is None:
            absent.append(name)
            print('%s: skipped, %s' % (name, how))
            continue
        try:
            actual = parse_interfaces(live.introspect(obj)).get(name)
        except live.dbus.exceptions.DBusException as e:
            print('MISMATCH %s at %s (%s): Introspect failed: %s: %s'
                  % (name, obj, how, e.get_dbus_name(), e.get_dbus_message()))
            mismatched += 1
            continue
        except ET.ParseError as e:
            print('MISMATCH %s at %s (%s): Introspect returned bad XML: %s' % (name, obj, how, e))
            mismatched += 1
            continue
        if actual is None:
            print('MISMATCH %s at %s (%s): interface not in the introspection data'
                  % (name, obj, how))
            mismatched += 1
            continue
        diffs = compare(expected, actual)
        if diffs:
            mismatched += 1
            print('MISMATCH %s at %s (%s), file %s:' % (name, obj, how, path_file))
            for d in diffs:
                print('  ' + d)
        else:
            matched += 1
            if args.verbose:
                print('ok %s at %s (%s)' % (name, obj, how))
    if args.verbose:
        for n in live.notes:
            print('note: ' + n)
    mismatched += len(errors)
    summary = 'introspection: %d interfaces match, %d mismatched' % (matched, mismatched)
    if absent:
        summary += ', %d without a live object (%s)' % (len(absent), ', '.join(absent))
    print(summary)
    if mismatched or (absent and args.require_all):
        return 1
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--address', help='D-Bus address of the bus virtbusd is on')
    ap.add_argument('--dir', default=DEFAULT_DIR, help='interface files (default %(default)s)')
    ap.add_argument('--self-test', action='store_true', help='check the files alone')
    ap.add_argument('--members', default=DEFAULT_TSV, help='reference table for --self-test')
    ap.add_argument('--bus-name', default=BUS_NAME)
    ap.add_argument('--connect-path', default=CONNECT_PATH)
    ap.add_argument('--object', action='append', metavar='IFACE=PATH',
                    help='introspect PATH for IFACE instead of searching')
    ap.add_argument('--require-all', action='store_true',
                    help='fail when an interface has no live object (e.g. no job running)')
    ap.add_argument('--timeout', type=float, default=10.0, help='per call, seconds')
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args(argv)
    if args.self_test:
        return self_test(args.dir, args.members)
    if not args.address:
        ap.error('--address is required (or use --self-test)')
    return live_check(args)


if __name__ == '__main__':
    sys.exit(main())
