# SPDX-License-Identifier: LGPL-2.1-or-later
"""Remote access with Debian's real polkitd on the far node: the ssh login user is the
subject polkitd judges, and a rules file there delegates exactly one domain to it
(issue 5: "polkit on the far node sees the remote user"; docs/remote.md). Same two
network namespaces as test_remote.py (remote_fixture.py), but node A runs polkitd with
only our policy and the rules below, instead of the mock authority."""

import os
import re

import pytest

import client
from remote_fixture import ADDR_A, TEST_USER, Nodes
from test_remote import RUNNING, SHUTOFF, virtbusctl_path
from vbharness import CONNECT, DOMAIN, TEST_DOMAIN_PATH, TEST_PATH

# vbremote may see the Test connection and do anything to the domain "test";
# nothing else (no other domain, no define: the new name is not "test").
RULES = """polkit.addRule(function(action, subject) {
    if (subject.user != "%s" || action.lookup("connect_driver") != "Test")
        return polkit.Result.NOT_HANDLED;
    if (action.id == "org.libvirt.api.connect.getattr" ||
        action.id == "org.libvirt.api.connect.read" ||
        action.id == "org.libvirt.api.connect.search-domains")
        return polkit.Result.YES;
    if (action.id.indexOf("org.libvirt.api.domain.") == 0 &&
        action.lookup("domain_name") == "test")
        return polkit.Result.YES;
    return polkit.Result.NO;
});
""" % TEST_USER

OTHER_XML = ("<domain type='test'><name>other</name><memory unit='KiB'>65536</memory>"
             "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>")
NEW_XML = OTHER_XML.replace('other', 'newcomer')


@pytest.fixture(scope='module')
def nodes():
    n = Nodes(polkit='real', rules=RULES)
    # a second domain, defined by root directly on node A's bus
    res = client.call(n.conn, TEST_PATH, CONNECT, 'DomainDefineXML', 's', (OTHER_XML,))
    assert res['ok'], res
    n.other = res['result'][0]
    yield n
    n.close()


def state(nodes, path):
    res = client.call(nodes.conn, path, DOMAIN, 'GetState', 'u', (0,))
    assert res['ok'], res
    return res['result'][0][0]


def ctl(nodes, *args):
    return nodes.ctl_b(virtbusctl_path(), '-c', 'test', *args, host='%s@%s' % (TEST_USER, ADDR_A))


def ok(nodes, *args):
    r = ctl(nodes, *args)
    assert r.returncode == 0, 'rc %d: %s\n%s' % (r.returncode, r.stderr, nodes.logs())
    return r.stdout


def denied(nodes, *args):
    r = ctl(nodes, *args)
    assert r.returncode == 4, 'rc %d: %s\n%s' % (r.returncode, r.stderr, nodes.logs())
    assert re.search('access denied', r.stderr, re.I), r.stderr
    return r


def test_delegated_user_sees_only_its_domain(nodes):
    assert ok(nodes, 'list', '--all', '--name').split() == ['test']
    # root on the same node sees both (privileged: polkitd is not asked)
    r = nodes.ctl_b(virtbusctl_path(), '-c', 'test', 'list', '--all', '--name')
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.split()) == ['other', 'test']


def test_delegated_user_controls_its_domain(nodes):
    assert state(nodes, TEST_DOMAIN_PATH) == RUNNING
    assert 'destroyed' in ok(nodes, 'destroy', 'test')
    assert state(nodes, TEST_DOMAIN_PATH) == SHUTOFF
    assert 'started' in ok(nodes, 'start', 'test')
    assert state(nodes, TEST_DOMAIN_PATH) == RUNNING


def test_delegated_user_cannot_touch_another_domain(nodes):
    assert state(nodes, nodes.other) == SHUTOFF
    denied(nodes, 'start', 'other')
    denied(nodes, 'dumpxml', 'other')
    denied(nodes, 'undefine', 'other')
    assert state(nodes, nodes.other) == SHUTOFF
    res = client.call(nodes.conn, TEST_PATH, CONNECT, 'DomainLookupByName', 's', ('other',))
    assert res['ok'] and res['result'][0] == nodes.other, res


def test_delegated_user_cannot_define(nodes, tmp_path):
    xml = os.path.join(nodes.tmp, 'newcomer.xml')
    with open(xml, 'w') as f:
        f.write(NEW_XML)
    os.chmod(xml, 0o644)
    denied(nodes, 'define', xml)
    res = client.call(nodes.conn, TEST_PATH, CONNECT, 'DomainLookupByName', 's', ('newcomer',))
    assert not res['ok'], res
