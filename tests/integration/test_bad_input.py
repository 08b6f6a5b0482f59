# SPDX-License-Identifier: LGPL-2.1-or-later
"""Bad input (as root, so polkit is not the reason for a refusal): every call
gets org.libvirt.Error with a meaningful message and changes nothing."""

import pytest

from vbharness import (CONNECT, DOMAIN, TEST_DOMAIN_PATH, TEST_DOMAIN_UUID, TEST_PATH,
                       assert_libvirt_error, domain_xml)

BIG = 2 * 1024 * 1024

DEFINE_CASES = [
    ('malformed', "<domain type='test'><name>bad</name><memory>1024</memory",
     r'xml|pars|expected|\(domain_definition\)'),
    ('not-xml', 'this is not xml', r'xml|pars|expected|\(domain_definition\)'),
    ('wrong-root', "<network><name>bad</name></network>", r'domain|root|element|xml'),
    ('two-mib', domain_xml('big', extra='<description>' + 'x' * BIG + '</description>'),
     r'too (large|big|long)|exceed|limit|size'),
    ('internal-dtd-entity',
     '<?xml version="1.0"?>\n<!DOCTYPE domain [<!ENTITY n "boom">]>\n' +
     domain_xml('&n;'), r'dtd|doctype|entit'),
    ('external-entity',
     '<?xml version="1.0"?>\n<!DOCTYPE domain [<!ENTITY p SYSTEM "file:///etc/passwd">]>\n' +
     domain_xml('&p;'), r'dtd|doctype|entit'),
    ('billion-laughs',
     '<?xml version="1.0"?>\n<!DOCTYPE domain [<!ENTITY a "aaaaaaaaaa">'
     '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
     '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n' + domain_xml('&d;'),
     r'dtd|doctype|entit'),
    ('empty-name', domain_xml(''), r'name'),
    ('missing-name', "<domain type='test'><memory>1024</memory><os><type>hvm</type></os></domain>",
     r'name'),
    ('slash-in-name', domain_xml('a/b'), r'name'),
    ('invalid-uuid', domain_xml('baduuid', uuid='not-a-uuid'), r'uuid'),
    ('duplicate-name', domain_xml('test', uuid='11111111-2222-3333-4444-555555555555'),
     r'already|exists|duplicate'),
    ('duplicate-uuid', domain_xml('twin', uuid=TEST_DOMAIN_UUID), r'already|exists|duplicate'),
]


@pytest.mark.parametrize('xml,pattern', [(c[1], c[2]) for c in DEFINE_CASES],
                         ids=[c[0] for c in DEFINE_CASES])
@pytest.mark.parametrize('method', ['DomainDefineXML', 'DomainCreateXML'])
def test_bad_domain_xml(vb, method, xml, pattern):
    before = vb.inventory()
    if method == 'DomainDefineXML':
        res = vb.call(TEST_PATH, CONNECT, method, 's', (xml,))
    else:
        res = vb.call(TEST_PATH, CONNECT, method, 'su', (xml, 0))
    assert_libvirt_error(res, pattern)
    assert 'root:' not in res['message']   # no file content leaked through an entity
    assert vb.inventory() == before


def test_lookup_invalid_uuid(vb):
    before = vb.inventory()
    res = vb.call(TEST_PATH, CONNECT, 'DomainLookupByUUID', 's', ('zzzz-not-a-uuid',))
    assert_libvirt_error(res, r'uuid')
    assert vb.inventory() == before


def test_lookup_unknown_name(vb):
    res = vb.call(TEST_PATH, CONNECT, 'DomainLookupByName', 's', ('no-such-domain',))
    assert_libvirt_error(res, r'domain not found|no domain')


def test_unknown_flags(vb):
    before = vb.inventory()
    res = vb.call(TEST_DOMAIN_PATH, DOMAIN, 'Destroy', 'u', (0x80000000,))
    assert_libvirt_error(res, r'unsupported flags|flags')
    assert vb.inventory() == before
    res = vb.call(TEST_DOMAIN_PATH, DOMAIN, 'Undefine', 'u', (0x80000000,))
    assert_libvirt_error(res, r'unsupported flags|flags')
    assert vb.inventory() == before


def test_calls_on_undefined_domain(vb):
    path = vb.call_ok(TEST_PATH, CONNECT, 'DomainDefineXML', 's', (domain_xml('gone'),))[0]
    vb.call_ok(path, DOMAIN, 'Undefine', 'u', (0,))
    before = vb.inventory()
    assert path not in before
    for method, sig, args in [('GetXMLDesc', 'u', (0,)), ('Create', 'u', (0,)),
                              ('Undefine', 'u', (0,)), ('GetState', 'u', (0,))]:
        res = vb.call(path, DOMAIN, method, sig, args)
        assert_libvirt_error(res, r'domain not found|no domain')
    assert vb.inventory() == before


def test_undecodable_domain_path(vb):
    before = vb.inventory()
    res = vb.call(TEST_PATH + '/domain/_zz', DOMAIN, 'GetXMLDesc', 'u', (0,))
    assert not res['ok']
    assert vb.inventory() == before


def test_bad_input_leaves_daemon_serving(vb):
    for c in DEFINE_CASES:
        vb.call(TEST_PATH, CONNECT, 'DomainDefineXML', 's', (c[1],))
    xml = vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'GetXMLDesc', 'u', (0,))[0]
    assert '<name>test</name>' in xml
