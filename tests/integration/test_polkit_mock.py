# SPDX-License-Identifier: LGPL-2.1-or-later
"""polkit gate against a table-driven mock authority: every method of the
matrix is called by an unprivileged user with the authority answering allow,
deny or challenge (interactive authentication required)."""

import pytest

from vbharness import (CONNECT, DOMAIN, NETWORK, POOL, TEST_DOMAIN_PATH,
                       TEST_DOMAIN_UUID, TEST_PATH, assert_libvirt_error, domain_xml)

NET_PATH = TEST_PATH + '/network/_dd8fe884_6c02_601e_7551_cca97df1c5df'
POOL_PATH = TEST_PATH + '/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566'
OTHER_UUID = '2a3b9d4e-7c1f-4e4b-9a56-0d6c1e2f3a4b'


def _state(vb, path):
    return vb.call_ok(path, DOMAIN, 'GetState', 'u', (0,))[0][0]


def _domain_names(vb):
    paths = vb.call_ok(TEST_PATH, CONNECT, 'ListDomains', 'u', (0,))[0]
    return sorted(vb.get_property(p, DOMAIN, 'Name') for p in paths)


def _define_other(vb):
    return vb.call_ok(TEST_PATH, CONNECT, 'DomainDefineXML', 's',
                      (domain_xml('other', OTHER_UUID),))[0]


# id, action id, details the query must carry, prepare(vb) -> path,
# (interface, method, signature, args), changed(vb) -> bool
CASES = [
    ('domain-suspend', 'org.libvirt.api.domain.suspend',
     {'connect_driver': 'Test', 'domain_name': 'test', 'domain_uuid': TEST_DOMAIN_UUID},
     lambda vb: TEST_DOMAIN_PATH, (DOMAIN, 'Suspend', '', ()),
     lambda vb: _state(vb, TEST_DOMAIN_PATH) == 3),
    ('domain-destroy', 'org.libvirt.api.domain.stop',
     {'connect_driver': 'Test', 'domain_name': 'test', 'domain_uuid': TEST_DOMAIN_UUID},
     lambda vb: TEST_DOMAIN_PATH, (DOMAIN, 'Destroy', 'u', (0,)),
     lambda vb: _state(vb, TEST_DOMAIN_PATH) == 5),
    ('domain-create', 'org.libvirt.api.domain.start',
     {'connect_driver': 'Test', 'domain_name': 'test', 'domain_uuid': TEST_DOMAIN_UUID},
     lambda vb: (vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'Destroy', 'u', (0,)), TEST_DOMAIN_PATH)[1],
     (DOMAIN, 'Create', 'u', (0,)),
     lambda vb: _state(vb, TEST_DOMAIN_PATH) == 1),
    ('domain-undefine', 'org.libvirt.api.domain.delete',
     {'connect_driver': 'Test', 'domain_name': 'other', 'domain_uuid': OTHER_UUID},
     _define_other, (DOMAIN, 'Undefine', 'u', (0,)),
     lambda vb: 'other' not in _domain_names(vb)),
    ('domain-define', 'org.libvirt.api.domain.write',
     {'connect_driver': 'Test', 'domain_name': 'other', 'domain_uuid': OTHER_UUID},
     lambda vb: TEST_PATH, (CONNECT, 'DomainDefineXML', 's', (domain_xml('other', OTHER_UUID),)),
     lambda vb: 'other' in _domain_names(vb)),
    ('network-destroy', 'org.libvirt.api.network.stop',
     {'connect_driver': 'Test', 'network_name': 'default',
      'network_uuid': 'dd8fe884-6c02-601e-7551-cca97df1c5df'},
     lambda vb: NET_PATH, (NETWORK, 'Destroy', '', ()),
     lambda vb: not vb.get_property(NET_PATH, NETWORK, 'Active')),
    ('pool-destroy', 'org.libvirt.api.storage-pool.stop',
     {'connect_driver': 'Test', 'pool_name': 'default-pool',
      'pool_uuid': 'dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566'},
     lambda vb: POOL_PATH, (POOL, 'Destroy', '', ()),
     lambda vb: not vb.get_property(POOL_PATH, POOL, 'Active')),
]


def _run(vb, case, verdict, interactive):
    _, action, details, prepare, (iface, method, sig, args), changed = case
    path = prepare(vb)
    vb.set_polkit({'default': 'allow', 'rules': [{'action': action, 'result': verdict}]})
    vb.polkit_queries(clear=True)
    before = vb.inventory()
    assert not changed(vb)
    res = vb.call_as_user(path, iface, method, sig, args, interactive=interactive)
    queries = [q for q in vb.polkit_queries() if q['action'] == action]
    assert queries, 'virtbusd never asked polkit for %s (asked: %r)' % (
        action, [q['action'] for q in vb.polkit_queries()])
    for key, value in details.items():
        assert queries[0]['details'].get(key) == value, (key, queries[0]['details'])
    assert bool(queries[0]['flags'] & 1) == interactive
    return res, before


@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
def test_allowed(vb, case):
    res, _ = _run(vb, case, 'allow', False)
    assert res['ok'], res
    assert case[5](vb), 'allowed call did not take effect'


@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
def test_denied_changes_nothing(vb, case):
    res, before = _run(vb, case, 'deny', False)
    assert_libvirt_error(res, r'^access denied')
    assert vb.inventory() == before
    assert not case[5](vb)


@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
def test_interactive_required_without_flag(vb, case):
    res, before = _run(vb, case, 'challenge', False)
    assert_libvirt_error(res, r'interactive|agent|authenticat')
    assert vb.inventory() == before
    assert not case[5](vb)


@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
def test_interactive_with_flag(vb, case):
    res, _ = _run(vb, case, 'challenge', True)
    assert res['ok'], res
    assert case[5](vb)


def test_root_needs_no_query(vb):
    vb.set_polkit({'default': 'deny'})
    vb.polkit_queries(clear=True)
    vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'Suspend')
    assert _state(vb, TEST_DOMAIN_PATH) == 3
    assert vb.polkit_queries() == []


def test_list_filtered_by_getattr(vb):
    """Lists return only the objects the caller may getattr (libvirt's rule)."""
    _define_other(vb)
    vb.set_polkit({'default': 'allow', 'rules': [
        {'action': 'org.libvirt.api.domain.getattr', 'details': {'domain_name': 'other'},
         'result': 'deny'}]})
    res = vb.call_as_user(TEST_PATH, CONNECT, 'ListDomains', 'u', (0,))
    assert res['ok'], res
    assert res['result'][0] == [TEST_DOMAIN_PATH]


@pytest.mark.parametrize('method,sig,arg', [
    ('DomainLookupByName', 's', 'test'),
    ('DomainLookupByUUID', 's', TEST_DOMAIN_UUID),
    ('DomainLookupByID', 'i', 1),
])
def test_lookup_checked_against_found_object(vb, method, sig, arg):
    """Lookups are authorized with the found domain's details (libvirt's
    *EnsureACL(conn, vm->def)), so a rule granting one domain grants its lookup."""
    _define_other(vb)
    vb.set_polkit({'default': 'deny', 'rules': [
        {'action': 'org.libvirt.api.domain.getattr', 'details': {'domain_name': 'test'},
         'result': 'allow'}]})
    vb.polkit_queries(clear=True)
    res = vb.call_as_user(TEST_PATH, CONNECT, method, sig, (arg,))
    assert res['ok'] and res['result'][0] == TEST_DOMAIN_PATH, res
    q = vb.polkit_queries(clear=True)
    assert [x['details'].get('domain_uuid') for x in q] == [TEST_DOMAIN_UUID], q
    res = vb.call_as_user(TEST_PATH, CONNECT, 'DomainLookupByName', 's', ('other',))
    assert_libvirt_error(res, r'^access denied')
    # nothing found: checked without object details, still denied (no existence leak)
    res = vb.call_as_user(TEST_PATH, CONNECT, 'DomainLookupByName', 's', ('nosuch',))
    assert_libvirt_error(res, r'^access denied')
    assert vb.polkit_queries()[-1]['details'] == {'connect_driver': 'Test'}


def test_polkit_gone_denies(vb):
    """With no authority on the bus every unprivileged call is refused."""
    before = vb.inventory()
    for proc in vb.procs[1:]:
        proc.terminate()
        proc.wait(timeout=5)
    try:
        res = vb.call_as_user(TEST_DOMAIN_PATH, DOMAIN, 'Suspend')
        assert_libvirt_error(res, r'access denied|polkit|authori')
        assert vb.inventory() == before
    finally:
        vb.procs[1:] = []
        vb._start_mock_polkit()
