# SPDX-License-Identifier: LGPL-2.1-or-later
"""Virtual networks of the QEMU connection (drivers/network): a Linux bridge with its
addresses (ip), dnsmasq for DHCP, an nftables table for nat/route/isolation, and
<interface type='network'> guests on it.

virtbusd runs inside a network namespace of its own (`ip netns exec` as the daemon
wrapper: the bus is a socket path, so it still connects), so bridges, routes, nft
tables and net.ipv4.ip_forward of the host are never touched. Every test removes the
namespace and kills the dnsmasq processes of its root, also on failure.
"""

import json
import os
import signal
import subprocess
import xml.etree.ElementTree as ET

import pytest
from gi.repository import GLib

import vbharness
from vbharness import assert_libvirt_error, wait_until
from test_qemu import (QEMU, QPATH, CONNECT, DOMAIN, EV_STARTED, QUICK_DEADLINE, BOOT_DEADLINE,
                       kit, idle_xml, define, guest_xml, Console, console_path,  # noqa: F401
                       QemuDaemon, qemu_pids, reap_children)
from test_virtbusctl import ctl

NETWORK = 'org.libvirt.Network'
PROPS = 'org.freedesktop.DBus.Properties'
NS = 'vbtnet-%d' % os.getpid()
UUID_D = '5e0c8a1e-7a1b-4c2d-8e3f-4a5b6c7d9e01'
MAC = '52:54:00:7b:00:01'

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason='bridges and network namespaces need root'),
    pytest.mark.skipif(subprocess.run(['which', 'dnsmasq', 'nft', 'ip'], capture_output=True).returncode != 0,
                       reason='dnsmasq, nft and ip are needed (tools/install-deps.sh)'),
]


def nsrun(*args, check=True):
    return subprocess.run(['ip', 'netns', 'exec', NS] + list(args), capture_output=True, text=True, check=check)


def link_exists(name):
    return nsrun('ip', 'link', 'show', 'dev', name, check=False).returncode == 0


def links():
    return sorted(l.split(':')[1].strip().split('@')[0]
                  for l in nsrun('ip', '-o', 'link', 'show').stdout.splitlines())


def addrs(dev):
    return nsrun('ip', '-4', '-o', 'addr', 'show', 'dev', dev).stdout


def nft_tables():
    return nsrun('nft', 'list', 'tables').stdout.split()


def nft_table(name):
    return nsrun('nft', 'list', 'table', 'ip', 'virtbus_' + name, check=False)


def dnsmasq_pids(root):
    pids = []
    for entry in os.listdir('/proc'):
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as f:
                cmd = f.read()
            with open('/proc/%s/stat' % entry) as f:
                st = f.read().rsplit(')', 1)[1].split()[0]
        except OSError:
            continue
        if b'dnsmasq' in cmd.split(b'\0')[0] and root.encode() in cmd and st != 'Z':
            pids.append(int(entry))
    return pids


@pytest.fixture
def nd(mock_env, monkeypatch):
    """virtbusd (QEMU driver) in a fresh network namespace."""
    subprocess.run(['ip', 'netns', 'del', NS], capture_output=True)
    subprocess.run(['ip', 'netns', 'add', NS], check=True)
    nsrun('ip', 'link', 'set', 'lo', 'up')
    monkeypatch.setattr(vbharness, 'WRAPPER', ['ip', 'netns', 'exec', NS] + vbharness.WRAPPER)
    mock_env.set_polkit({'default': 'allow'})
    q = None
    try:
        q = QemuDaemon(mock_env)
        yield q
    finally:
        try:
            mock_env.stop_daemons()
        finally:
            if q:
                q.close()
                for pid in dnsmasq_pids(q.root):
                    os.kill(pid, signal.SIGKILL)
            reap_children()
            subprocess.run(['ip', 'netns', 'del', NS], capture_output=True)


def net_xml(name='vbtnet', bridge=None, subnet='10.237.1', forward="<forward mode='nat'/>", dhcp=True,
            extra=''):
    return ("<network><name>%s</name>%s%s%s<ip address='%s.1' prefix='24'>%s</ip></network>" %
            (name, forward, "<bridge name='%s'/>" % bridge if bridge else '', extra, subnet,
             "<dhcp><range start='%s.100' end='%s.199'/><host mac='52:54:00:7b:00:09' ip='%s.9' name='fixed'/></dhcp>"
             % (subnet, subnet, subnet) if dhcp else ''))


def prop(env, path, name):
    return env.call_ok(path, PROPS, 'Get', 'ss', (NETWORK, name))[0]


def xml_of(env, path, flags=0):
    return ET.fromstring(env.call_ok(path, NETWORK, 'GetXMLDesc', 'u', (flags,))[0])


def bridge_name(root):
    b = root.find('bridge')
    return None if b is None else b.get('name')


def net_define(env, xml):
    return env.call_ok(QPATH, CONNECT, 'NetworkDefineXML', 's', (xml,))[0]


def net_names(env):
    paths = env.call_ok(QPATH, CONNECT, 'ListNetworks', 'u', (0,))[0]
    return sorted(prop(env, p, 'Name') for p in paths)


def assert_nothing_left(nd, before_links):
    assert links() == before_links
    assert not [t for t in nft_tables() if t.startswith('virtbus_')]
    assert dnsmasq_pids(nd.root) == []


def test_define_start_destroy_undefine(nd):
    env = nd.env
    before = links()
    path = net_define(env, net_xml())
    assert not prop(env, path, 'Active') and prop(env, path, 'Persistent')
    assert os.path.exists(os.path.join(nd.root, 'QEMU', 'network', 'vbtnet.xml'))
    assert bridge_name(xml_of(env, path)) is None
    env.call_ok(path, NETWORK, 'Create')
    assert prop(env, path, 'Active')
    # libvirt's auto-assigned bridge name: live XML only
    br = bridge_name(xml_of(env, path))
    assert br == 'virbr0'
    assert bridge_name(xml_of(env, path, 1)) is None   # INACTIVE
    assert link_exists(br) and '10.237.1.1/24' in addrs(br)
    assert 'UP' in nsrun('ip', 'link', 'show', br).stdout
    rules = nft_table('vbtnet')
    assert rules.returncode == 0 and 'masquerade' in rules.stdout and '10.237.1.0/24' in rules.stdout
    assert nsrun('cat', '/proc/sys/net/ipv4/ip_forward').stdout.strip() == '1'
    pids = dnsmasq_pids(nd.root)
    assert len(pids) == 1
    conf = open(os.path.join(nd.root, 'QEMU', 'run', 'network', 'vbtnet.conf')).read()
    assert 'interface=virbr0' in conf and 'dhcp-range=10.237.1.100,10.237.1.199,255.255.255.0' in conf
    assert 'dhcp-host=52:54:00:7b:00:09,10.237.1.9,fixed' in conf
    assert env.call_ok(path, NETWORK, 'GetDHCPLeases', 'su', ('', 0))[0] == []
    assert_libvirt_error(env.call(path, NETWORK, 'Create'), 'network is already active')
    env.call_ok(path, NETWORK, 'Destroy')
    assert not prop(env, path, 'Active')
    wait_until(lambda: dnsmasq_pids(nd.root) == [], QUICK_DEADLINE, 'dnsmasq to go')
    assert_nothing_left(nd, before)
    assert_libvirt_error(env.call(path, NETWORK, 'Destroy'), 'network is not active')
    env.call_ok(path, NETWORK, 'Undefine')
    assert not os.path.exists(os.path.join(nd.root, 'QEMU', 'network', 'vbtnet.xml'))
    assert_libvirt_error(env.call(QPATH, CONNECT, 'NetworkLookupByName', 's', ('vbtnet',)), 'Network not found')


def test_transient_isolated_named_bridge_and_autostart_link(nd):
    env = nd.env
    before = links()
    path = env.call_ok(QPATH, CONNECT, 'NetworkCreateXML', 's',
                       (net_xml('vbtiso', 'vbtnet0', '10.237.2', forward='', dhcp=False),))[0]
    assert prop(env, path, 'Active') and not prop(env, path, 'Persistent')
    assert link_exists('vbtnet0') and '10.237.2.1/24' in addrs('vbtnet0')
    rules = nft_table('vbtiso').stdout
    assert 'masquerade' not in rules and 'reject' in rules
    assert_libvirt_error(env.call(path, PROPS, 'Set', 'ssv', (NETWORK, 'Autostart', GLib.Variant('b', True))),
                         'transient')
    env.call_ok(path, NETWORK, 'Destroy')
    assert_nothing_left(nd, before)
    assert_libvirt_error(env.call(QPATH, CONNECT, 'NetworkLookupByName', 's', ('vbtiso',)), 'Network not found')
    # autostart of a persistent one is a link
    path = net_define(env, net_xml('vbtauto', subnet='10.237.3'))
    env.call_ok(path, PROPS, 'Set', 'ssv', (NETWORK, 'Autostart', GLib.Variant('b', True)))
    assert os.path.islink(os.path.join(nd.root, 'QEMU', 'network', 'autostart', 'vbtauto.xml'))
    env.call_ok(path, PROPS, 'Set', 'ssv', (NETWORK, 'Autostart', GLib.Variant('b', False)))
    assert not os.path.lexists(os.path.join(nd.root, 'QEMU', 'network', 'autostart', 'vbtauto.xml'))


@pytest.mark.parametrize('xml,pattern', [
    ('<network><name>x', 'XML'),
    (net_xml('bad name'), "network name 'bad name' is not supported"),
    (net_xml(bridge='bad;br'), "invalid bridge name 'bad;br'"),
    (net_xml(forward="<forward mode='vepa'/>"), "forward mode 'vepa'"),
    ("<network><name>v6</name><ip family='ipv6' address='fd00::1' prefix='64'/></network>", 'only IPv4'),
    (net_xml(extra="<dns><host ip='1.2.3.4'><hostname>a</hostname></host></dns>"), '<dns>'),
    (net_xml(subnet='10.237.4').replace("name='fixed'", "name='a,b'"), "Cannot use host name 'a,b'"),
    ("<network><name>vbtbad</name><ip address='10.237.5.0' prefix='24'/></network>", 'network or broadcast'),
])
def test_bad_definitions_refused(nd, xml, pattern):
    env = nd.env
    before = links()
    assert_libvirt_error(env.call(QPATH, CONNECT, 'NetworkDefineXML', 's', (xml,)), pattern)
    assert_libvirt_error(env.call(QPATH, CONNECT, 'NetworkCreateXML', 's', (xml,)), pattern)
    assert net_names(env) == []
    assert os.listdir(os.path.join(nd.root, 'QEMU', 'network')) == ['autostart']
    assert_nothing_left(nd, before)


def test_overlaps_refused(nd):
    env = nd.env
    a = net_define(env, net_xml('vbta', subnet='10.237.6'))
    env.call_ok(a, NETWORK, 'Create')
    before = links()
    b = net_define(env, net_xml('vbtb', subnet='10.237.6').replace("prefix='24'", "prefix='16'"))
    assert_libvirt_error(env.call(b, NETWORK, 'Create'), "overlaps with active network 'vbta'")
    assert not prop(env, b, 'Active')
    # a host route into the subnet (a dummy device in the namespace)
    nsrun('ip', 'link', 'add', 'vbtdum0', 'type', 'bridge')
    nsrun('ip', 'addr', 'add', '10.237.7.1/24', 'dev', 'vbtdum0')
    nsrun('ip', 'link', 'set', 'vbtdum0', 'up')
    before = links()
    c = net_define(env, net_xml('vbtc', subnet='10.237.7'))
    assert_libvirt_error(env.call(c, NETWORK, 'Create'), 'Network is already in use by interface vbtdum0')
    # a bridge name taken by a host device: ip fails, the device stays
    d = net_define(env, net_xml('vbtd', bridge='vbtdum0', subnet='10.237.8'))
    assert_libvirt_error(env.call(d, NETWORK, 'Create'), 'ip link failed')
    assert links() == before and link_exists('vbtdum0')
    assert len(dnsmasq_pids(nd.root)) == 1
    assert [t for t in nft_tables() if t.startswith('virtbus_')] == ['virtbus_vbta']
    env.call_ok(a, NETWORK, 'Destroy')


def test_restart_adopts_running_and_cleans_dead(nd):
    env = nd.env
    a = net_define(env, net_xml('vbtre', subnet='10.237.10'))
    env.call_ok(a, NETWORK, 'Create')
    t = env.call_ok(QPATH, CONNECT, 'NetworkCreateXML', 's', (net_xml('vbttr', subnet='10.237.11'),))[0]
    pids = sorted(dnsmasq_pids(nd.root))
    assert len(pids) == 2
    nd.kill9()
    nd.start()
    assert prop(env, a, 'Active') and prop(env, t, 'Active') and not prop(env, t, 'Persistent')
    assert sorted(dnsmasq_pids(nd.root)) == pids
    assert bridge_name(xml_of(env, a)) == 'virbr0'
    assert bridge_name(xml_of(env, a, 1)) is None
    # dnsmasq of one dies while the daemon is down: cleaned up, inactive
    nd.kill9()
    br = 'virbr1'
    assert link_exists(br)
    victim = [p for p in pids if b'vbttr' in open('/proc/%d/cmdline' % p, 'rb').read()][0]
    os.kill(victim, signal.SIGKILL)
    # left a zombie on purpose (we are the subreaper): it must not count as alive
    wait_until(lambda: victim not in dnsmasq_pids(nd.root), QUICK_DEADLINE, 'dnsmasq to die')
    nd.start()
    assert_libvirt_error(env.call(QPATH, CONNECT, 'NetworkLookupByName', 's', ('vbttr',)), 'Network not found')
    assert not link_exists(br) and 'virtbus_vbttr' not in nft_tables()
    assert prop(env, a, 'Active')
    env.call_ok(a, NETWORK, 'Destroy')
    wait_until(lambda: dnsmasq_pids(nd.root) == [], QUICK_DEADLINE, 'dnsmasq to go')


def nic(network='vbtg', model='e1000', mac=MAC):
    return ("<interface type='network'><mac address='%s'/><source network='%s'/><model type='%s'/></interface>"
            % (mac, network, model))


def test_guest_nic_needs_an_active_network(nd):
    env = nd.env
    path = define(env, idle_xml('vbtidle', UUID_D, nic()))
    assert_libvirt_error(env.call(path, DOMAIN, 'Create', 'u', (0,)), "no network with matching name 'vbtg'")
    n = net_define(env, net_xml('vbtg', subnet='10.237.12'))
    assert_libvirt_error(env.call(path, DOMAIN, 'Create', 'u', (0,)), "network 'vbtg' is not active")
    assert not qemu_pids(nd.root)
    env.call_ok(n, NETWORK, 'Create')
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    nd.events.wait(path, EV_STARTED)
    live = ET.fromstring(env.call_ok(path, DOMAIN, 'GetXMLDesc', 'u', (0,))[0])
    src = live.find('./devices/interface/source')
    assert src.get('network') == 'vbtg' and src.get('bridge') == 'virbr0'
    tap = live.find('./devices/interface/target').get('dev')
    assert 'master virbr0' in nsrun('ip', 'link', 'show', tap).stdout
    inactive = ET.fromstring(env.call_ok(path, DOMAIN, 'GetXMLDesc', 'u', (2,))[0])
    assert inactive.find('./devices/interface/source').get('bridge') is None
    # hotplug onto the network too
    env.call_ok(path, DOMAIN, 'AttachDevice', 'su', (nic(mac='52:54:00:7b:00:02'), 1))
    live = ET.fromstring(env.call_ok(path, DOMAIN, 'GetXMLDesc', 'u', (0,))[0])
    assert [s.get('bridge') for s in live.findall('./devices/interface/source')] == ['virbr0', 'virbr0']
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))


def test_guest_gets_a_dhcp_lease(nd, kit):
    env = nd.env
    n = net_define(env, net_xml('vbtg', subnet='10.237.13'))
    env.call_ok(n, NETWORK, 'Create')
    xml = guest_xml(kit, 'vbtdhcp').replace('</cmdline>', ' virtbus.net=dhcp</cmdline>')
    xml = xml.replace('</devices>', nic() + '</devices>')
    path = define(env, xml)
    env.call_ok(path, DOMAIN, 'Create', 'u', (0,))
    nd.events.wait(path, EV_STARTED)
    con = Console(console_path(env, path))
    try:
        con.expect(b'VIRTBUS-GUEST-DHCP-BOUND', BOOT_DEADLINE)
        con.expect(b'VIRTBUS-GUEST-PING-OK', 60.0)
    finally:
        con.close()
    assert b'router=10.237.13.1' in con.buf
    leases = env.call_ok(n, NETWORK, 'GetDHCPLeases', 'su', ('', 0))[0]
    assert len(leases) == 1
    iface, expiry, typ, mac, iaid, ip, prefix, host, client = leases[0]
    assert iface == 'virbr0' and mac == MAC and typ == 0 and prefix == 24
    assert 100 <= int(ip.split('.')[-1]) <= 199 and ip.startswith('10.237.13.')
    assert ('ip=%s' % ip).encode() in con.buf
    assert env.call_ok(n, NETWORK, 'GetDHCPLeases', 'su', (MAC.upper(), 0))[0] == leases
    assert env.call_ok(n, NETWORK, 'GetDHCPLeases', 'su', ('52:54:00:00:00:00', 0))[0] == []
    assert_libvirt_error(env.call(n, NETWORK, 'GetDHCPLeases', 'su', ('', 1)), 'unsupported flags')
    out = ctl(env, '-c', 'qemu', 'net-dhcp-leases', 'vbtg', '--json')
    assert out.returncode == 0, out.stderr
    assert [(l['mac'], l['ipaddr'], l['prefix']) for l in json.loads(out.stdout)] == [(MAC, ip, 24)]
    out = ctl(env, '-c', 'qemu', 'net-dhcp-leases', 'vbtg')
    assert out.returncode == 0 and MAC in out.stdout and '%s/24' % ip in out.stdout, out
    env.call_ok(path, DOMAIN, 'Destroy', 'u', (0,))


def test_virtbusctl_net_commands(nd, tmp_path):
    env = nd.env
    f = tmp_path / 'n.xml'
    f.write_text(net_xml('vbtctl', subnet='10.237.14'))
    for args, want in ((('net-define', str(f)), "Network 'vbtctl' defined"),
                       (('net-start', 'vbtctl'), 'started'),
                       (('net-list', '--name'), 'vbtctl'),
                       (('net-dumpxml', 'vbtctl'), "<bridge name='virbr0'"),
                       (('net-dhcp-leases', 'vbtctl'), 'MAC address'),
                       (('net-destroy', 'vbtctl'), 'destroyed'),
                       (('net-undefine', 'vbtctl'), 'undefined')):
        out = ctl(env, '-c', 'qemu', *args)
        assert out.returncode == 0 and want in out.stdout, (args, out)
    out = ctl(env, '-c', 'qemu', 'net-start', 'vbtctl')
    assert out.returncode != 0 and 'Network not found' in out.stderr
