# SPDX-License-Identifier: LGPL-2.1-or-later
"""The polkit matrix against the real polkitd, generated from dbus-interfaces/:
every method (the 195 org.libvirt ones plus org.virtbus.Job1.Cancel and
org.virtbus.Connect1.NodeGetInfo), called by the unprivileged user nobody on a
real object with well-formed default arguments (flags 0, empty strings), under
three rules files, each run as one batch_client process:

  no grant    only polkit/org.libvirt.api.policy's defaults: a method whose
              permissions (objects/acl.c, with flags 0) are all allow_any=yes is
              allowed, any other is refused naming its first non-yes action
  grant       a rule returning YES for every org.libvirt.api.* action of nobody:
              never "access denied" (a reply or a driver error)
  auth_admin  a rule returning AUTH_ADMIN for every action of nobody, calls made
              without the allow-interactive-authorization flag: every method is
              refused with "interactive authentication required for '<action>'"

Plus the delegation test: a rule letting nobody manage only the domain named
"test".

The expected permissions come from parsing objects/acl.c's table rows and the
.policy file's defaults, not from asking the daemon."""

import os
import re
import xml.etree.ElementTree as ET

import pytest

import dbus_args
from dbus_args import CONNECT, TEST_PATH
from vbharness import DOMAIN, TEST_DOMAIN_PATH, USER, SRCROOT, domain_xml, policy_path

METHODS = dbus_args.load_methods()
ACL_C = os.path.join(SRCROOT, 'objects', 'acl.c')

# acl.c row macros: interface, fixed ACL object (None: the row names it)
MACROS = {'C': ('org.libvirt.Connect', None), 'D': ('org.libvirt.Domain', 'domain'),
          'S': ('org.libvirt.DomainSnapshot', 'domain'), 'N': ('org.libvirt.Network', 'network'),
          'P': ('org.libvirt.StoragePool', None), 'V': ('org.libvirt.StorageVol', 'storage-vol'),
          'ND': ('org.libvirt.NodeDevice', 'node-device'), 'I': ('org.libvirt.Interface', 'interface'),
          'SE': ('org.libvirt.Secret', 'secret'), 'F': ('org.libvirt.NWFilter', 'nwfilter')}


def _split_top(text):
    out, depth, cur = [], 0, ''
    for ch in text:
        if ch == ',' and depth == 0:
            out.append(cur.strip())
            cur = ''
            continue
        depth += ch == '('
        depth -= ch == ')'
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def parse_acl(path=ACL_C):
    """{(interface, method): [action ids needed with flags 0, in the gate's order]}"""
    src = open(path).read()
    body = src[src.index('acl_table[] = {'):src.index('property_table[]')]
    table = {}
    for m in re.finditer(r'^\s*(ND|SE|C|D|S|N|P|V|I|F)\(', body, re.M):
        start, depth, i = m.end(), 1, m.end()
        while depth:
            depth += {'(': 1, ')': -1}.get(body[i], 0)
            i += 1
        args = _split_top(body[start:i - 1])
        iface, obj = MACROS[m.group(1)]
        member = args.pop(0).strip('"')
        if obj is None:
            obj = args.pop(0).strip('"')
        perms = [args.pop(0).strip('"')]
        if args and args[0].startswith('"'):
            perms.append(args.pop(0).strip('"'))
        if 'SAVE_IF_CONFIG' in args:     # applies with neither LIVE nor CONFIG given
            perms.append('save')
        table[(iface, member)] = ['org.libvirt.api.%s.%s' % (obj, p.replace('_', '-')) for p in perms]
    ext = src[src.index('acl_ext_table[] = {'):]
    for m in re.finditer(r'\{\s*"(org\.virtbus\.\w+)",\s*"(\w+)",\s*"([\w-]+)",\s*"([\w-]+)"\s*\}', ext):
        table[(m.group(1), m.group(2))] = ['org.libvirt.api.%s.%s' % (m.group(3), m.group(4))]
    return table


def policy_defaults(path=None):
    """{action id: allow_any}"""
    root = ET.parse(path or policy_path()).getroot()
    return {a.get('id'): a.find('defaults/allow_any').text.strip() for a in root.iter('action')}


ACL = parse_acl()
DEFAULTS = policy_defaults()

GRANT_ALL = """polkit.addRule(function(action, subject) {
    if (subject.user == "%s" && action.id.indexOf("org.libvirt.api.") == 0)
        return polkit.Result.%s;
    return polkit.Result.NOT_HANDLED;
});
"""

DELEGATE_TEST = """polkit.addRule(function(action, subject) {
    if (subject.user != "%s")
        return polkit.Result.NOT_HANDLED;
    if (action.id.indexOf("org.libvirt.api.domain.") == 0 &&
        action.lookup("connect_driver") == "Test" &&
        action.lookup("domain_name") == "test")
        return polkit.Result.YES;
    if (action.id == "org.libvirt.api.connect.search-domains" ||
        action.id == "org.libvirt.api.connect.getattr")
        return polkit.Result.YES;
    return polkit.Result.NOT_HANDLED;
});
""" % USER

# grant mode: calls that remove or stop their object run after all others,
# leaves (snapshots, volumes) before their parents
DESTRUCTIVE = ('Undefine', 'Delete', 'Destroy', 'Rename', 'Revert', 'Wipe')
TEARDOWN_ORDER = ['org.virtbus.Job1', 'org.libvirt.DomainSnapshot', 'org.libvirt.StorageVol',
                  'org.libvirt.Secret', 'org.libvirt.NWFilter', 'org.libvirt.Interface',
                  'org.libvirt.NodeDevice', 'org.libvirt.Network', 'org.libvirt.StoragePool',
                  'org.libvirt.Domain', 'org.libvirt.Connect', 'org.virtbus.Connect1']
DESTROY_FIRST = ('Revert', 'Rename', 'Wipe', 'Destroy', 'Delete', 'Undefine')


def _call_order(m):
    iface, method = m[0], m[1]
    if iface == 'org.virtbus.Job1':
        return (0, 0, 0)    # while the job started just before the batch still exists
    if method in DESTRUCTIVE:
        return (2, TEARDOWN_ORDER.index(iface), DESTROY_FIRST.index(method))
    return (1, 0, METHODS.index(m))


def matrix_calls(paths):
    calls = []
    for iface, method, sig, _ in sorted(METHODS, key=_call_order):
        calls.append({'path': paths[iface], 'interface': iface, 'method': method,
                      'signature': sig, 'args': dbus_args.default_args(sig)})
    return calls


def _name(call):
    return '%s.%s' % (call['interface'], call['method'])


@pytest.fixture(scope='module')
def real():
    import vbharness
    env = vbharness.Env(polkit='real')
    yield env
    env.close()


@pytest.fixture
def daemon(real):
    """A fresh daemon with the matrix's objects, a job started just before the
    batch; the rules file is restored afterwards."""
    real.start_daemon()
    paths = dbus_args.make_objects(real)
    yield paths
    real.stop_daemons()
    real.set_rules()


def test_acl_table_covers_every_method():
    assert len([m for m in METHODS if m[0].startswith('org.libvirt.')]) == 195
    missing = [(i, m) for i, m, _, _ in METHODS if (i, m) not in ACL]
    assert not missing, 'methods without a parsed ACL row: %r' % missing
    unknown = sorted(set(a for acts in ACL.values() for a in acts) - set(DEFAULTS))
    assert not unknown, 'ACL actions missing from the .policy file: %r' % unknown


def _run(real, paths, rules, interactive=False):
    real.set_rules(rules)
    paths = dict(paths)
    paths['org.virtbus.Job1'] = dbus_args.start_job(real, paths)
    calls = matrix_calls(paths)
    return calls, dbus_args.run_as_user(real, calls, interactive=interactive, timeout_ms=10000)


def test_matrix_no_grant(real, daemon):
    """Only the .policy defaults: read-only methods allowed, the rest refused with
    the first non-default-yes action named."""
    calls, results = _run(real, daemon, '// no rules\n')
    wrong, allowed, denied = [], 0, 0
    for call, res in zip(calls, results):
        needed = ACL[(call['interface'], call['method'])]
        refused = [a for a in needed if DEFAULTS[a] != 'yes']
        if res.get('timeout'):
            wrong.append((_name(call), 'timeout'))
        elif refused:
            want = "access denied: polkit denied action '%s'" % refused[0]
            if res['ok'] or res['message'] != want:
                wrong.append((_name(call), needed, res))
            denied += 1
        else:
            if not res['ok'] and res['message'].startswith('access denied'):
                wrong.append((_name(call), needed, res))
            allowed += 1
    assert not wrong, '%d wrong: %r' % (len(wrong), wrong[:8])
    print('no grant: %d allowed by default, %d denied' % (allowed, denied))
    assert allowed > 40 and denied > 100


def test_matrix_grant_all(real, daemon):
    """Everything granted: no call is refused by the gate."""
    calls, results = _run(real, daemon, GRANT_ALL % (USER, 'YES'))
    wrong = []
    ok = 0
    for call, res in zip(calls, results):
        if res.get('timeout'):
            wrong.append((_name(call), 'timeout'))
        elif not res['ok'] and res['message'].startswith('access denied'):
            wrong.append((_name(call), res['message']))
        elif not res['ok'] and re.search(r"matching path '/|no object at path", res['message']):
            # the object was gone before the gate could run: the case proves nothing
            wrong.append((_name(call), 'object vanished: ' + res['message']))
        ok += res['ok']
    assert not wrong, '%d wrong: %r' % (len(wrong), wrong[:8])
    print('grant: %d of %d calls replied, the rest driver errors' % (ok, len(calls)))


def test_matrix_auth_admin_without_interactive_flag(real, daemon):
    calls, results = _run(real, daemon, GRANT_ALL % (USER, 'AUTH_ADMIN'))
    wrong = []
    for call, res in zip(calls, results):
        first = ACL[(call['interface'], call['method'])][0]
        want = ("access denied: interactive authentication required for '%s'; "
                "retry with interactive authorization allowed" % first)
        if res['ok'] or res['message'] != want:
            wrong.append((_name(call), res))
    assert not wrong, '%d wrong: %r' % (len(wrong), wrong[:8])


def _state(env, path):
    return env.call_ok(path, DOMAIN, 'GetState', 'u', (0,))[0][0]


def test_delegation_domain_test_only(real, daemon):
    """nobody may manage domain "test" only. Note: the define check carries the
    name/UUID of the XML being defined, so this name-based rule DOES let nobody
    redefine "test" itself (and attempt a define of another domain named "test",
    which the driver then refuses); it cannot define any other domain."""
    other_uuid = '2a3b9d4e-7c1f-4e4b-9a56-0d6c1e2f3a4b'
    other = real.call_ok(TEST_PATH, CONNECT, 'DomainDefineXML', 's', (domain_xml('other', other_uuid),))[0]
    real.call_ok(other, DOMAIN, 'Create', 'u', (0,))
    test_xml = real.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'GetXMLDesc', 'u', (0,))[0]
    redefined = test_xml.replace('</domain>', '<description>redefined by nobody</description></domain>')
    assert redefined != test_xml
    real.set_rules(DELEGATE_TEST)

    def d(path, method, sig='', args=()):
        return {'path': path, 'interface': DOMAIN, 'method': method, 'signature': sig, 'args': list(args)}

    def c(method, sig, args):
        return {'path': TEST_PATH, 'interface': CONNECT, 'method': method, 'signature': sig,
                'args': list(args)}
    steps = [
        ('suspend test', d(TEST_DOMAIN_PATH, 'Suspend'), 'ok'),
        ('resume test', d(TEST_DOMAIN_PATH, 'Resume'), 'ok'),
        ('destroy test', d(TEST_DOMAIN_PATH, 'Destroy', 'u', [0]), 'ok'),
        ('create test', d(TEST_DOMAIN_PATH, 'Create', 'u', [0]), 'ok'),
        ('shutdown test', d(TEST_DOMAIN_PATH, 'Shutdown', 'u', [0]), 'ok'),
        ('create test again', d(TEST_DOMAIN_PATH, 'Create', 'u', [0]), 'ok'),
        ('list domains', c('ListDomains', 'u', [0]), 'ok'),
        ('suspend other', d(other, 'Suspend'), 'org.libvirt.api.domain.suspend'),
        ('destroy other', d(other, 'Destroy', 'u', [0]), 'org.libvirt.api.domain.stop'),
        ('shutdown other', d(other, 'Shutdown', 'u', [0]), 'org.libvirt.api.domain.init-control'),
        ('undefine other', d(other, 'Undefine', 'u', [0]), 'org.libvirt.api.domain.delete'),
        ('set memory of other', d(other, 'SetMemory', 'tu', [2048, 0]), 'org.libvirt.api.domain.write'),
        ('define new', c('DomainDefineXML', 's', [domain_xml('newdom')]), 'org.libvirt.api.domain.write'),
        ('create new', c('DomainCreateXML', 'su', [domain_xml('newdom'), 0]),
         'org.libvirt.api.domain.write'),
        ('redefine other', c('DomainDefineXML', 's', [domain_xml('other', other_uuid)]),
         'org.libvirt.api.domain.write'),
        # the documented consequence of a name-based rule
        ('redefine test', c('DomainDefineXML', 's', [redefined]), 'ok'),
        ('define another "test"', c('DomainDefineXML', 's', [domain_xml('test', other_uuid)]),
         'driver-error'),
    ]
    results = dbus_args.run_as_user(real, [s[1] for s in steps])
    wrong = []
    for (what, call, want), res in zip(steps, results):
        if want == 'ok':
            good = res['ok']
        elif want == 'driver-error':
            good = not res['ok'] and res['name'] == 'org.libvirt.Error' and \
                not res['message'].startswith('access denied')
        else:
            good = not res['ok'] and res['message'] == "access denied: polkit denied action '%s'" % want
        if not good:
            wrong.append((what, want, res))
    assert not wrong, wrong
    # as root: test was managed, other untouched, nothing new defined
    assert _state(real, TEST_DOMAIN_PATH) == 1
    assert _state(real, other) == 1
    names = sorted(real.get_property(p, DOMAIN, 'Name')
                   for p in real.call_ok(TEST_PATH, CONNECT, 'ListDomains', 'u', (0,))[0])
    assert names == ['other', 'test']
    assert 'redefined by nobody' in real.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'GetXMLDesc', 'u', (2,))[0]
    assert other_uuid not in real.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'GetXMLDesc', 'u', (0,))[0]


def test_granted_define_without_uuid_is_answered(real, daemon):
    """Regression: the gate used to pass a freshly made-up domain_uuid for an XML
    without <uuid>, which changed at every re-dispatch after polkit's answer: the
    call was re-queried forever (thousands of CheckAuthorization calls a second)
    and never answered, granted or not."""
    real.set_rules(GRANT_ALL % (USER, 'YES'))
    calls = [{'path': TEST_PATH, 'interface': CONNECT, 'method': 'DomainDefineXML', 'signature': 's',
              'args': [domain_xml('nouuid-defined')]},
             {'path': TEST_PATH, 'interface': CONNECT, 'method': 'DomainCreateXML', 'signature': 'su',
              'args': [domain_xml('nouuid-created'), 0]}]
    results = dbus_args.run_as_user(real, calls, timeout_ms=5000)
    assert all(r['ok'] for r in results), results
    names = sorted(real.get_property(p, DOMAIN, 'Name')
                   for p in real.call_ok(TEST_PATH, CONNECT, 'ListDomains', 'u', (0,))[0])
    assert names == ['nouuid-created', 'nouuid-defined', 'test']
