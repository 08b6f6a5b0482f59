# SPDX-License-Identifier: LGPL-2.1-or-later
"""QEMU driver: <interface type='bridge'> on a tap device (drivers/qemu/qemu-tap.c).

A bridge vbtbr0 is made with iproute2 for each test (root only) and removed after.
Idle guests (QEMU in its firmware) show the host side: the tap vnetN exists, is up,
is a port of the bridge, has the guest MAC with 0xfe first, is named in the live XML
and in GetStats, and goes with QEMU (Destroy, also after kill -9 and restart of
virtbusd). Refusals (no such bridge, bad names, type='network') leave no tap and no
QEMU. The tiny Linux guest (tests/qemu/build-guest.sh) brings its virtio NIC up with
an address from the kernel command line and pings the bridge's address.
"""

import os
import subprocess

import pytest

import vbharness
from vbharness import assert_libvirt_error, wait_until
from test_qemu import (QEMU, QPATH, DOMAIN, EV_STARTED, EV_STOPPED, STOPPED_DESTROYED,
                       QUICK_DEADLINE, BOOT_DEADLINE, qd, kit, idle_xml, define, state,  # noqa: F401
                       qemu_pids, no_qemu_left, guest_xml, Console, console_path, READY,
                       ST_RUNNING, ST_SHUTOFF)
from test_qemu_stats import get_stats, STATS_NET

BRIDGE = 'vbtbr0'
BRIDGE_IP = '10.213.77.1'
GUEST_IP = '10.213.77.2'
UUID_N1 = '7c1d2e3f-0a1b-4c2d-8e3f-4a5b6c7d8e01'
UUID_N2 = '7c1d2e3f-0a1b-4c2d-8e3f-4a5b6c7d8e02'
MAC = '52:54:00:7a:00:01'
AFFECT_LIVE = 1

pytestmark = [
    pytest.mark.skipif(not os.access(QEMU, os.X_OK), reason='qemu-system-x86 is not installed'),
    pytest.mark.skipif(os.geteuid() != 0, reason='tap devices and bridges need root'),
    pytest.mark.skipif(not os.path.exists('/dev/net/tun'), reason='no /dev/net/tun'),
]


def ip(*args, check=True):
    return subprocess.run(['ip'] + list(args), capture_output=True, text=True, check=check)


def sysnet(*parts):
    return os.path.join('/sys/class/net', *parts)


def taps():
    """Our tap devices: vnetN."""
    return sorted(n for n in os.listdir('/sys/class/net') if n.startswith('vnet'))


@pytest.fixture
def bridge():
    ip('link', 'del', BRIDGE, check=False)
    ip('link', 'add', BRIDGE, 'type', 'bridge')
    ip('addr', 'add', BRIDGE_IP + '/24', 'dev', BRIDGE)
    ip('link', 'set', BRIDGE, 'up')
    yield BRIDGE
    ip('link', 'del', BRIDGE, check=False)


def nic_xml(bridge_name, target=None, mac=MAC, model='virtio'):
    return ("<interface type='bridge'><mac address='%s'/><source bridge='%s'/>%s"
            "<model type='%s'/></interface>" %
            (mac, bridge_name, "<target dev='%s'/>" % target if target else '', model))


def live_nics(env, path, flags=0):
    import xml.etree.ElementTree as ET
    xml = env.call_ok(path, DOMAIN, 'GetXMLDesc', 'u', (flags,))[0]
    return ET.fromstring(xml).findall('./devices/interface')


def tap_of(env, path):
    nics = live_nics(env, path)
    assert len(nics) == 1
    t = nics[0].find('target')
    assert t is not None, 'no <target dev> in the live XML'
    return t.get('dev')


def assert_tap_on_bridge(dev, mac=MAC):
    assert os.path.exists(sysnet(dev)), dev
    assert os.path.basename(os.readlink(sysnet(dev, 'master'))) == BRIDGE
    with open(sysnet(dev, 'flags')) as f:
        assert int(f.read(), 16) & 1, '%s is not up' % dev
    with open(sysnet(dev, 'address')) as f:
        assert f.read().strip() == 'fe' + mac[2:]
    with open(sysnet(dev, 'mtu')) as f, open(sysnet(BRIDGE, 'mtu')) as g:
        assert f.read() == g.read()
    with open(sysnet(dev, 'tun_flags')) as f:
        assert int(f.read(), 16) & 0x0002, 'not a tap (IFF_TAP)'


def test_bridge_nic_start_stats_destroy(qd, bridge):
    env = qd.env
    before = taps()
    path = define(env, idle_xml('nettap', UUID_N1, nic_xml(BRIDGE)))
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    qd.events.wait(path, EV_STARTED)
    dev = tap_of(env, path)
    assert dev.startswith('vnet') and dev not in before
    assert_tap_on_bridge(dev)
    # QEMU got it on the command line as fd 3
    with open(os.path.join(qd.root, 'QEMU', 'log', 'nettap.log')) as f:
        assert 'tap,fd=3,id=net0' in f.read()
    # the generated name is runtime only
    assert all(n.find('target') is None for n in live_nics(env, path, 2))   # INACTIVE
    st = get_stats(env, path, STATS_NET)
    assert st['net.count'] == 1 and st['net.0.name'] == dev
    for key in ('rx.bytes', 'rx.pkts', 'tx.bytes', 'tx.pkts', 'rx.drop', 'tx.drop'):
        assert 'net.0.' + key in st, key
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    qd.events.wait(path, EV_STOPPED, STOPPED_DESTROYED)
    wait_until(lambda: not os.path.exists(sysnet(dev)), QUICK_DEADLINE, 'tap %s to go' % dev)
    assert all(n.find('target') is None for n in live_nics(env, path))
    # started again: a tap again
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    dev2 = tap_of(env, path)
    assert_tap_on_bridge(dev2)
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    wait_until(lambda: not os.path.exists(sysnet(dev2)), QUICK_DEADLINE, 'tap %s to go' % dev2)


def test_user_named_target_and_two_nics(qd, bridge):
    env = qd.env
    devs = nic_xml(BRIDGE, target='vbtap-a') + nic_xml(BRIDGE, target='vnet999', mac='52:54:00:7a:00:02')
    path = define(env, idle_xml('nettap2', UUID_N2, devs))
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    nics = live_nics(env, path)
    names = [n.find('target').get('dev') for n in nics]
    assert names[0] == 'vbtap-a'
    # a vnet name is libvirt's reserved prefix: replaced by a generated one
    assert names[1].startswith('vnet')
    assert_tap_on_bridge('vbtap-a')
    assert_tap_on_bridge(names[1], mac='52:54:00:7a:00:02')
    # the user's name stays in the inactive XML, the generated one does not
    inactive = live_nics(env, path, 2)
    assert inactive[0].find('target').get('dev') == 'vbtap-a'
    assert inactive[1].find('target') is None
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    wait_until(lambda: not os.path.exists(sysnet('vbtap-a')) and not os.path.exists(sysnet(names[1])),
               QUICK_DEADLINE, 'taps to go')


@pytest.mark.parametrize('source,pattern', [
    ('vbtnosuch0', "Cannot get interface MTU on 'vbtnosuch0': No such device"),
    ('a/b', "invalid bridge name 'a/b'"),
    ('x' * 16, "Network interface name '%s' is too long" % ('x' * 16)),
    ('lo', "'lo': it is not a bridge"),
])
def test_bad_bridge_refused(qd, bridge, source, pattern):
    env = qd.env
    before = taps()
    path = define(env, idle_xml('netbad', UUID_N1, nic_xml(BRIDGE) + nic_xml(source, mac='52:54:00:7a:00:03')))
    assert_libvirt_error(env.call(path, DOMAIN, 'Create', 'u', (0,)), pattern)
    assert taps() == before
    assert not os.listdir(sysnet(BRIDGE, 'brif'))
    assert no_qemu_left(qd.root)
    assert state(env, path)[0] == ST_SHUTOFF
    assert all(n.find('target') is None for n in live_nics(env, path))


def test_bad_target_and_network_refused(qd, bridge):
    env = qd.env
    before = taps()
    ip('link', 'add', 'vbtdummy0', 'type', 'bridge')
    try:
        for nic, pattern in (
                (nic_xml(BRIDGE, target='vbtdummy0'), 'The vbtdummy0 interface already exists'),
                (nic_xml(BRIDGE, target='bad/name'), "invalid target device name 'bad/name'"),
                (nic_xml(BRIDGE, target='t%s%s'), 'template'),
                ("<interface type='network'><source network='default'/></interface>",
                 "Network not found: no network with matching name 'default'")):
            path = define(env, idle_xml('netbad2', UUID_N2, nic))
            assert_libvirt_error(env.call(path, DOMAIN, 'Create', 'u', (0,)), pattern)
            assert taps() == before
            assert no_qemu_left(qd.root)
    finally:
        ip('link', 'del', 'vbtdummy0', check=False)


def test_tap_survives_daemon_restart(qd, bridge):
    """kill -9 virtbusd: QEMU keeps the tap; the restarted daemon knows its name (live
    XML, stats) and Destroy removes it."""
    env = qd.env
    path = define(env, idle_xml('netre', UUID_N1, nic_xml(BRIDGE)))
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    dev = tap_of(env, path)
    qd.kill9()
    assert_tap_on_bridge(dev)
    qd.start()
    assert state(env, path)[0] == ST_RUNNING
    assert tap_of(env, path) == dev
    assert get_stats(env, path, STATS_NET)['net.0.name'] == dev
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    qd.events.wait(path, EV_STOPPED, STOPPED_DESTROYED)
    wait_until(lambda: not os.path.exists(sysnet(dev)), QUICK_DEADLINE, 'tap %s to go' % dev)
    wait_until(lambda: no_qemu_left(qd.root), QUICK_DEADLINE, 'QEMU to be gone')


# ---- hotplug -------------------------------------------------------------------

def test_attach_bridge_nic_live(qd, bridge):
    """AttachDevice of a bridge NIC on a running guest: a tap on the bridge, passed to
    QEMU with getfd; the live XML names it, also after a restart of virtbusd, and the
    tap goes with QEMU (the daemon kept no copy of the fd). Refusals leave no tap and
    no change."""
    env = qd.env
    path = define(env, idle_xml('nethot', UUID_N1))
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    before = taps()
    for source, pattern in (('vbtnosuch0', "Cannot get interface MTU on 'vbtnosuch0'"),
                            ('a/b', "invalid bridge name")):
        assert_libvirt_error(env.call(path, DOMAIN, 'AttachDevice', 'su', (nic_xml(source), AFFECT_LIVE)),
                             pattern)
        assert taps() == before
        assert live_nics(env, path) == []
    assert_libvirt_error(env.call(path, DOMAIN, 'AttachDevice', 'su',
                                  ("<interface type='network'><source network='default'/></interface>",
                                   AFFECT_LIVE)), 'no network with matching name')
    env.call_ok(path, DOMAIN, 'AttachDevice', 'su', (nic_xml(BRIDGE, model='e1000'), AFFECT_LIVE))
    dev = tap_of(env, path)
    assert dev.startswith('vnet') and dev not in before
    assert_tap_on_bridge(dev)
    assert get_stats(env, path, STATS_NET)['net.0.name'] == dev
    # QEMU holds the only fd: the tap goes with it
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    wait_until(lambda: not os.path.exists(sysnet(dev)), QUICK_DEADLINE, 'tap %s to go' % dev)
    # the status file knows a hot-plugged tap: after kill -9 and restart it is still named
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    env.call_ok(path, DOMAIN, 'AttachDevice', 'su', (nic_xml(BRIDGE, model='e1000'), AFFECT_LIVE))
    dev = tap_of(env, path)
    qd.kill9()
    assert_tap_on_bridge(dev)
    qd.start()
    assert tap_of(env, path) == dev
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    wait_until(lambda: not os.path.exists(sysnet(dev)), QUICK_DEADLINE, 'tap %s to go' % dev)


# ---- traffic through the bridge (the tiny Linux guest) --------------------------

def net_guest_xml(kit, name, with_nic=True):
    xml = guest_xml(kit, name)
    xml = xml.replace('</cmdline>', ' virtbus.net=%s/24</cmdline>' % GUEST_IP)
    if with_nic:
        xml = xml.replace('</devices>', nic_xml(BRIDGE, model='e1000') + '</devices>')
    return xml


def ping_guest(deadline=60.0):
    """busybox (busybox-static, a test dependency): iputils-ping is not installed."""
    wait_until(lambda: subprocess.run(['/bin/busybox', 'ping', '-c', '1', '-W', '1', GUEST_IP],
                                      capture_output=True).returncode == 0,
               deadline, 'the guest to answer ping on %s' % GUEST_IP)


def test_guest_traffic_and_hot_unplug(qd, kit, bridge):
    """The guest's e1000 on the tap answers ping from the bridge's address; the tap's
    counters in GetStats grow; DetachDevice (the guest lets go) removes the tap,
    AttachDevice brings a new one that carries traffic again."""
    env = qd.env
    path = define(env, net_guest_xml(kit, 'netguest'))
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    qd.events.wait(path, EV_STARTED)
    con = Console(console_path(env, path))
    try:
        con.expect(b'VIRTBUS-GUEST-NET-UP', BOOT_DEADLINE)
        dev = tap_of(env, path)
        before = get_stats(env, path, STATS_NET)
        ping_guest()
        after = get_stats(env, path, STATS_NET)
        assert after['net.0.rx.pkts'] > before['net.0.rx.pkts']
        assert after['net.0.tx.pkts'] > before['net.0.tx.pkts']

        nic = nic_xml(BRIDGE, model='e1000')
        env.call_ok(path, DOMAIN, 'DetachDevice', 'su', (nic, AFFECT_LIVE))
        wait_until(lambda: not os.path.exists(sysnet(dev)), 60.0, 'tap %s to go' % dev)
        wait_until(lambda: live_nics(env, path) == [], 60.0, 'the NIC to leave the live XML')
        con.buf = b''
        env.call_ok(path, DOMAIN, 'AttachDevice', 'su', (nic, AFFECT_LIVE))
        dev2 = tap_of(env, path)
        assert_tap_on_bridge(dev2)
        con.expect(b'VIRTBUS-GUEST-NET-UP', 60.0)
        ping_guest()
    finally:
        con.close()
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))
    wait_until(lambda: not os.path.exists(sysnet(dev2)), QUICK_DEADLINE, 'tap %s to go' % dev2)
    wait_until(lambda: no_qemu_left(qd.root), QUICK_DEADLINE, 'QEMU to be gone')
