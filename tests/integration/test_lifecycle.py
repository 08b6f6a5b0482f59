# SPDX-License-Identifier: LGPL-2.1-or-later
"""Daemon lifecycle, object tree, signals."""

import re
import signal
import subprocess
import time

from vbharness import (CONNECT, DOMAIN, TEST_DOMAIN_PATH, TEST_PATH, NAME_DEADLINE,
                       wait_until)

NET_PATH = TEST_PATH + '/network/_dd8fe884_6c02_601e_7551_cca97df1c5df'
POOL_PATH = TEST_PATH + '/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566'


def test_destroy_emits_domain_event(vb):
    got = vb.wait_signal(TEST_PATH, CONNECT, 'DomainEvent',
                         lambda: vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'Destroy', 'u', (0,)))
    assert got[0] == (TEST_DOMAIN_PATH, 5, 1)   # STOPPED / DESTROYED


def test_busctl_tree(vb):
    res = vb.busctl('tree', '--list', 'org.libvirt')
    assert res.returncode == 0, res.stderr
    paths = set(res.stdout.split())
    assert TEST_PATH in paths
    assert TEST_DOMAIN_PATH in paths
    assert NET_PATH in paths
    assert POOL_PATH in paths
    for dev in ('computer', 'scsi_5fhost1', 'scsi_5fhost2', 'scsi_5fhost11'):
        assert TEST_PATH + '/nodedev/' + dev in paths, sorted(paths)


def test_busctl_introspect_domain(vb):
    res = vb.busctl('introspect', 'org.libvirt', TEST_DOMAIN_PATH, 'org.libvirt.Domain')
    assert res.returncode == 0, res.stderr
    assert re.search(r'^\.GetXMLDesc\s+method\s+u\s+s\b', res.stdout, re.M), res.stdout
    assert re.search(r'^\.Name\s+property\s+s\b', res.stdout, re.M), res.stdout


def test_test_domain_xml(vb):
    xml = vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'GetXMLDesc', 'u', (0,))[0]
    assert "<domain type='test' id='1'>" in xml
    assert '<name>test</name>' in xml
    assert '<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>' in xml


def test_busctl_call_and_property(vb):
    res = vb.busctl('call', 'org.libvirt', TEST_PATH, 'org.libvirt.Connect', 'ListDomains', 'u', '0')
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == 'ao 1 "%s"' % TEST_DOMAIN_PATH
    res = vb.busctl('get-property', 'org.libvirt', TEST_DOMAIN_PATH, 'org.libvirt.Domain', 'Name')
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == 's "test"'


def test_state_reset_at_start(vb):
    vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'Destroy', 'u', (0,))
    vb.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'Undefine', 'u', (0,))
    assert vb.call_ok(TEST_PATH, CONNECT, 'ListDomains', 'u', (0,))[0] == []
    vb.stop_daemons()
    vb.start_daemon()
    assert vb.call_ok(TEST_PATH, CONNECT, 'ListDomains', 'u', (0,))[0] == [TEST_DOMAIN_PATH]


def test_sigterm_exits_within_one_second(mock_env):
    d = mock_env.start_daemon()
    t0 = time.monotonic()
    d.proc.send_signal(signal.SIGTERM)
    try:
        rc = d.proc.wait(timeout=1.0)
    except subprocess.TimeoutExpired:
        d.stop()
        raise AssertionError('virtbusd still running 1 s after SIGTERM')
    finally:
        mock_env.stop_daemons()
    assert rc == 0, (rc, d.output())
    assert time.monotonic() - t0 <= 1.0


def test_second_daemon_refused(vb):
    second = vb.start_daemon(wait=False)
    wait_until(lambda: second.proc.poll() is not None, NAME_DEADLINE,
               'the second virtbusd to exit', log=second.log)
    out = second.output()
    assert second.proc.returncode != 0
    assert 'org.libvirt' in out, out
    assert re.search(r'taken|already|in use|owned|exists', out, re.I), out
    # the first one still serves
    assert vb.call_ok(TEST_PATH, CONNECT, 'ListDomains', 'u', (0,))[0] == [TEST_DOMAIN_PATH]
