# SPDX-License-Identifier: LGPL-2.1-or-later
"""virtbusctl -H USER@HOST reaches the virtbusd of another node over ssh (sd-bus's
transport: ssh runs systemd-stdio-bridge on the far side), for real: two network
namespaces, sshd and virtbusd in one, virtbusctl in the other (see remote_fixture.py
and docs/remote.md)."""

import os
import re

import pytest

import client
from remote_fixture import ADDR_A, TEST_USER, Nodes
from vbharness import DOMAIN, TEST_DOMAIN_PATH, virtbusd_path

RUNNING, SHUTOFF = 1, 5


def virtbusctl_path():
    exe = os.environ.get('VIRTBUSCTL') or \
        os.path.join(os.path.dirname(virtbusd_path()), 'tools', 'virtbusctl')
    if not os.access(exe, os.X_OK):
        pytest.fail('virtbusctl not found at %s (set VIRTBUSCTL)' % exe)
    return exe


@pytest.fixture(scope='module')
def nodes():
    n = Nodes()
    yield n
    n.close()


@pytest.fixture
def far(nodes):
    """The nodes, with the far node's polkit allowing everything and the default
    domain running again afterwards, whatever the test did."""
    nodes.set_polkit({'default': 'allow'})
    nodes.polkit_queries(clear=True)
    yield nodes
    nodes.set_polkit({'default': 'allow'})
    if state(nodes) != RUNNING:
        res = client.call(nodes.conn, TEST_DOMAIN_PATH, DOMAIN, 'Create', 'u', (0,))
        assert res['ok'], res


def state(nodes):
    """The domain's state, asked directly on node A's bus (not through ssh)."""
    res = client.call(nodes.conn, TEST_DOMAIN_PATH, DOMAIN, 'GetState', 'u', (0,))
    assert res['ok'], res
    return res['result'][0][0]


def ctl(nodes, *args, user='root'):
    r = nodes.ctl_b(virtbusctl_path(), '-c', 'test', *args, host='%s@%s' % (user, ADDR_A))
    return r


def ok(nodes, *args, user='root'):
    r = ctl(nodes, *args, user=user)
    assert r.returncode == 0, 'rc %d: %s\n%s' % (r.returncode, r.stderr, nodes.logs())
    return r.stdout


def test_list_all_over_ssh(far):
    out = ok(far, 'list', '--all')
    assert re.search(r'^\s*1\s+test\s+running\b', out, re.M), out
    # the driver is found by introspection over the same connection, too
    r = far.ctl_b(virtbusctl_path(), 'list', '--all', '--name')
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ['test']


def test_destroy_and_start_over_ssh(far):
    assert 'destroyed' in ok(far, 'destroy', 'test')
    assert state(far) == SHUTOFF
    assert re.search(r'^\s*-\s+test\s+shutoff\b', ok(far, 'list', '--all'), re.M)
    assert 'started' in ok(far, 'start', 'test')
    assert state(far) == RUNNING
    # root on the far node is privileged: no polkit query was needed
    assert far.polkit_queries() == []


def test_only_sshd_listens_on_tcp(far):
    ok(far, 'list')
    lines = far.tcp_listeners(far.ns_a).splitlines()
    assert lines, 'sshd does not listen'
    for line in lines:
        assert '%s:22 ' % ADDR_A in line and '"sshd"' in line, lines
    assert far.tcp_listeners(far.ns_b).strip() == ''


def test_far_polkit_sees_the_ssh_login_user(far):
    ok(far, 'destroy', 'test')
    deny_start = {'action': 'org.libvirt.api.domain.start', 'result': 'deny'}
    far.set_polkit({'default': 'allow', 'rules': [deny_start]})
    r = ctl(far, 'start', 'test', user=TEST_USER)
    assert r.returncode == 4, (r.returncode, r.stderr)
    assert re.search('access denied', r.stderr, re.I), r.stderr
    # the call came from the unprivileged ssh login user (root would skip polkit):
    # the subject is the bus connection systemd-stdio-bridge opened as that user
    queries = far.polkit_queries(clear=True)
    starts = [q for q in queries if q['action'] == 'org.libvirt.api.domain.start']
    assert len(starts) == 1, queries
    assert starts[0]['details'].get('domain_name') == 'test', starts
    assert starts[0]['subject_kind'] == 'system-bus-name', starts
    assert not starts[0]['authorized']
    assert state(far) == SHUTOFF
    # the same command as root@ needs no authorization at all
    assert 'started' in ok(far, 'start', 'test')
    assert far.polkit_queries(clear=True) == []
    ok(far, 'destroy', 'test')
    far.set_polkit({'default': 'allow'})
    assert 'started' in ok(far, 'start', 'test', user=TEST_USER)
    assert state(far) == RUNNING
    assert 'org.libvirt.api.domain.start' in [q['action'] for q in far.polkit_queries()]


def test_user_without_access_is_refused_by_sshd(far):
    # nobody is not in AllowUsers and has no key: ssh fails, virtbusctl names the host
    r = ctl(far, 'list', user='nobody')
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert r.stdout == ''
    assert 'Permission denied (publickey)' in r.stderr, r.stderr
    assert 'cannot reach the system bus of nobody@%s over ssh' % ADDR_A in r.stderr, r.stderr
