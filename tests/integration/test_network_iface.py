#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""org.libvirt.Network, Interface, Secret and NWFilter on the Test driver, and their
org.libvirt.Connect methods: every method's happy and error path, the signals, and
what libvirt-dbus's own suite expects of these kinds (reference §7.2).

Run: /usr/bin/python3 -m pytest -q tests/integration/test_network_iface.py
(VIRTBUSD selects the daemon, default build/virtbusd)."""
import os
import sys

import dbus
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vbnet_harness import netbus, netd  # noqa: E402,F401

CONNECT = 'org.libvirt.Connect'
NETWORK = 'org.libvirt.Network'
IFACE = 'org.libvirt.Interface'
SECRET = 'org.libvirt.Secret'
NWFILTER = 'org.libvirt.NWFilter'
OM = 'org.freedesktop.DBus.ObjectManager'

DEFAULT_NET = '/org/libvirt/Test/network/_dd8fe884_6c02_601e_7551_cca97df1c5df'
DEFAULT_UUID = 'dd8fe884-6c02-601e-7551-cca97df1c5df'
ETH1 = '/org/libvirt/Test/interface/aa_3abb_3acc_3add_3aee_3aff'

NET_DEFINED, NET_UNDEFINED, NET_STARTED, NET_STOPPED = 0, 1, 2, 3
SECRET_DEFINED, SECRET_UNDEFINED = 0, 1

# a network like the one libvirt-dbus's suite defines: UUID without dashes
NET_XML = '''<network>
  <name>bar</name>
  <uuid>004b96e12d78c30f5aa5f03c87d21e69</uuid>
  <bridge name='brdefault'/>
  <forward dev='eth0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.128' end='192.168.122.253'/>
    </dhcp>
  </ip>
</network>'''
NET_PATH = '/org/libvirt/Test/network/_004b96e1_2d78_c30f_5aa5_f03c87d21e69'

HOST = "<host mac='00:16:3e:77:e2:ed' name='foo.example.com' ip='192.168.122.10'/>"

IFACE_XML = '''<interface type='ethernet' name='test-iface'>
  <start mode='onboot'/>
  <mac address='11:22:33:44:55:66'/>
  <mtu size='1492'/>
  <protocol family='ipv4'>
    <ip address='192.168.15.5' prefix='24'/>
    <route gateway='192.168.15.1'/>
  </protocol>
</interface>'''
IFACE_PATH = '/org/libvirt/Test/interface/11_3a22_3a33_3a44_3a55_3a66'

SECRET_UUID = '6dd3e4a5-1d76-44ce-961f-f119f5aad935'
SECRET_PATH = '/org/libvirt/Test/secret/_6dd3e4a5_1d76_44ce_961f_f119f5aad935'
SECRET_XML = '''<secret ephemeral='no' private='no'>
  <uuid>%s</uuid>
  <description>disk passphrase</description>
  <usage type='volume'>
    <volume>/var/lib/libvirt/images/disk.img</volume>
  </usage>
</secret>''' % SECRET_UUID
PRIVATE_SECRET_XML = '''<secret ephemeral='yes' private='yes'>
  <uuid>c0ffee00-1d76-44ce-961f-f119f5aad935</uuid>
  <usage type='ceph'>
    <name>client.admin secret</name>
  </usage>
</secret>'''

FILTER_UUID = '5c6d49af-b071-6127-b4ec-6f8ed4b55335'
FILTER_PATH = '/org/libvirt/Test/nwfilter/_5c6d49af_b071_6127_b4ec_6f8ed4b55335'
FILTER_XML = '''<filter name='no-spoof' chain='ipv4'>
  <uuid>%s</uuid>
  <rule action='drop' direction='out' priority='500'>
    <ip match='no' srcipaddr='$IP'/>
  </rule>
</filter>''' % FILTER_UUID


def expect_error(fn, *args, text):
    with pytest.raises(dbus.exceptions.DBusException) as ex:
        fn(*args)
    assert ex.value.get_dbus_name() == 'org.libvirt.Error'
    assert text in ex.value.get_dbus_message(), ex.value.get_dbus_message()
    return ex.value.get_dbus_message()


def net_event(netd, event, path=None):
    p, args = netd.wait_signal(CONNECT, 'NetworkEvent',
                               lambda p, a: a[1] == event and (path is None or a[0] == path))
    assert len(args) == 2      # NetworkEvent has no detail
    assert isinstance(args[0], dbus.ObjectPath) and isinstance(args[1], dbus.Int32)
    return args[0]


# ---------------------------------------------------------------- networks

class TestNetworks:
    def test_list_and_introspect(self, netd):
        nets = netd.connect.ListNetworks(0)
        assert isinstance(nets, dbus.Array) and list(nets) == [DEFAULT_NET]
        xml = netd.obj(DEFAULT_NET).Introspect(dbus_interface='org.freedesktop.DBus.Introspectable')
        assert 'org.libvirt.Network' in xml
        assert '<method name="Update">' in xml

    def test_list_filters(self, netd):
        c = netd.connect
        assert list(c.ListNetworks(2)) == [DEFAULT_NET]      # ACTIVE
        assert list(c.ListNetworks(1)) == []                 # INACTIVE
        assert list(c.ListNetworks(3)) == [DEFAULT_NET]      # both: no filter
        assert list(c.ListNetworks(8)) == []                 # TRANSIENT
        assert list(c.ListNetworks(32)) == [DEFAULT_NET]     # NO_AUTOSTART
        expect_error(c.ListNetworks, 64, text='unsupported flags (0x40)')

    def test_properties(self, netd):
        p = netd.props(DEFAULT_NET, NETWORK)
        assert set(p) == {'Active', 'Autostart', 'Name', 'Persistent', 'UUID'}
        assert isinstance(p['Active'], dbus.Boolean) and p['Active']
        assert isinstance(p['Autostart'], dbus.Boolean) and not p['Autostart']
        assert isinstance(p['Name'], dbus.String) and p['Name'] == 'default'
        assert isinstance(p['Persistent'], dbus.Boolean) and p['Persistent']
        assert isinstance(p['UUID'], dbus.String) and p['UUID'] == DEFAULT_UUID

    def test_lookup(self, netd):
        c = netd.connect
        assert c.NetworkLookupByName('default') == DEFAULT_NET
        assert c.NetworkLookupByUUID(DEFAULT_UUID) == DEFAULT_NET
        expect_error(c.NetworkLookupByName, 'nope',
                     text="Network not found: no network with matching name 'nope'")
        expect_error(c.NetworkLookupByUUID, 'not-a-uuid',
                     text='invalid argument: uuidstr in virNetworkLookupByUUIDString must be a valid UUID')
        expect_error(c.NetworkLookupByUUID, '00000000-0000-0000-0000-000000000001',
                     text="no network with matching uuid '00000000-0000-0000-0000-000000000001'")

    def test_autostart(self, netd):
        netd.set_prop(DEFAULT_NET, NETWORK, 'Autostart', True)
        assert netd.prop(DEFAULT_NET, NETWORK, 'Autostart') == True  # noqa: E712
        assert list(netd.connect.ListNetworks(16)) == [DEFAULT_NET]
        with pytest.raises(dbus.exceptions.DBusException):
            netd.set_prop(DEFAULT_NET, NETWORK, 'Name', 'x')

    def test_create_destroy(self, netd):
        n = netd.iface(DEFAULT_NET, NETWORK)
        expect_error(n.Create, text="Requested operation is not valid: Network 'default' is already running")
        n.Destroy()
        assert net_event(netd, NET_STOPPED) == DEFAULT_NET
        _, args = netd.wait_signal('org.freedesktop.DBus.Properties', 'PropertiesChanged',
                                   lambda p, a: p == DEFAULT_NET and not a[1].get('Active', True))
        assert args[0] == NETWORK
        assert netd.prop(DEFAULT_NET, NETWORK, 'Active') == False  # noqa: E712
        expect_error(n.Destroy, text='Requested operation is not valid: network is not active')
        n.Create()
        assert net_event(netd, NET_STARTED) == DEFAULT_NET
        assert netd.prop(DEFAULT_NET, NETWORK, 'Active') == True  # noqa: E712

    def test_undefine(self, netd):
        n = netd.iface(DEFAULT_NET, NETWORK)
        expect_error(n.Undefine, text="Requested operation is not valid: Network 'default' is still running")
        n.Destroy()
        n.Undefine()
        assert net_event(netd, NET_UNDEFINED) == DEFAULT_NET
        path, args = netd.wait_signal(OM, 'InterfacesRemoved')
        assert args[0] == DEFAULT_NET and NETWORK in args[1]
        assert list(netd.connect.ListNetworks(0)) == []
        expect_error(netd.connect.NetworkLookupByName, 'default', text='Network not found')

    def test_get_xml_desc(self, netd):
        n = netd.iface(DEFAULT_NET, NETWORK)
        xml = n.GetXMLDesc(0)
        assert isinstance(xml, dbus.String)
        assert "<name>default</name>" in xml and "<bridge name='virbr0'" in xml
        assert n.GetXMLDesc(1) == xml           # INACTIVE: no separate config
        expect_error(n.GetXMLDesc, 2, text='unsupported flags (0x2)')

    def test_update(self, netd):
        n = netd.iface(DEFAULT_NET, NETWORK)
        # libvirt-dbus's suite passes the u arguments as strings: dbus-python
        # converts them by the introspected signature uuisu
        n.Update('4', '4', 0, HOST, 0)
        assert HOST in n.GetXMLDesc(0)

    def test_update_errors(self, netd):
        n = netd.iface(DEFAULT_NET, NETWORK)
        before = n.GetXMLDesc(0)
        expect_error(n.Update, 4, 4, 0, HOST, 4, text='unsupported flags (0x4)')
        expect_error(n.Update, 4, 1, 0, "<bridge name='x'/>", 0,
                     text="can't update 'bridge' section of network 'default'")
        expect_error(n.Update, 9, 4, 0, HOST, 0, text='unrecognized network update command code 9')
        expect_error(n.Update, 4, 4, 0, '<host', 0, text='XML error')
        # CONFIG on the running network with its config untouched so far
        n.Update(3, 4, -1, HOST, 2)
        assert HOST not in n.GetXMLDesc(0)
        assert HOST in n.GetXMLDesc(1)
        n.Update(3, 4, -1, HOST, 1)
        expect_error(n.Update, 3, 4, -1, HOST, 1, text='there is an existing dhcp host entry')
        assert before != n.GetXMLDesc(0) and HOST in n.GetXMLDesc(0)
        # after a stop the config is what runs next
        n.Destroy()
        expect_error(n.Update, 2, 4, -1, HOST, 1, text='network is not running')
        n.Update(2, 4, -1, HOST, 0)             # CURRENT = CONFIG while inactive
        assert HOST not in n.GetXMLDesc(0)

    def test_get_dhcp_leases(self, netd):
        n = netd.iface(DEFAULT_NET, NETWORK)
        expect_error(n.GetDHCPLeases, '', 0,
                     text='this function is not supported by the connection driver: virNetworkGetDHCPLeases')

    def test_define_xml(self, netd):
        c = netd.connect
        path = c.NetworkDefineXML(NET_XML)
        assert isinstance(path, dbus.ObjectPath) and path == NET_PATH
        assert net_event(netd, NET_DEFINED) == NET_PATH
        _, args = netd.wait_signal(OM, 'InterfacesAdded')
        assert args[0] == NET_PATH and NETWORK in args[1]
        p = netd.props(NET_PATH, NETWORK)
        assert p['Name'] == 'bar' and p['UUID'] == '004b96e1-2d78-c30f-5aa5-f03c87d21e69'
        assert not p['Active'] and p['Persistent']
        assert sorted(c.ListNetworks(0)) == sorted([DEFAULT_NET, NET_PATH])
        assert list(c.ListNetworks(1)) == [NET_PATH]
        n = netd.iface(NET_PATH, NETWORK)
        n.Create()
        assert net_event(netd, NET_STARTED) == NET_PATH
        # redefining a running network keeps the live definition until it stops
        assert c.NetworkDefineXML(NET_XML.replace('brdefault', 'brnew')) == NET_PATH
        assert net_event(netd, NET_DEFINED) == NET_PATH
        assert 'brdefault' in n.GetXMLDesc(0) and 'brnew' in n.GetXMLDesc(1)
        n.Destroy()
        assert 'brnew' in n.GetXMLDesc(0)
        n.Undefine()
        assert net_event(netd, NET_UNDEFINED) == NET_PATH

    def test_define_errors(self, netd):
        c = netd.connect
        expect_error(c.NetworkDefineXML, '<network><name>x</name>', text='XML error')
        expect_error(c.NetworkDefineXML, '<pool type="dir"><name>x</name></pool>', text='')
        expect_error(c.NetworkDefineXML, NET_XML.replace('<name>bar', '<name>default'),
                     text="operation failed: network 'default' already exists with uuid " + DEFAULT_UUID)
        expect_error(c.NetworkDefineXML,
                     NET_XML.replace('004b96e12d78c30f5aa5f03c87d21e69', DEFAULT_UUID),
                     text="operation failed: network 'default' is already defined with uuid " + DEFAULT_UUID)
        assert list(c.ListNetworks(0)) == [DEFAULT_NET]

    def test_create_xml_transient(self, netd):
        c = netd.connect
        path = c.NetworkCreateXML(NET_XML)
        assert path == NET_PATH
        assert net_event(netd, NET_STARTED) == NET_PATH
        p = netd.props(NET_PATH, NETWORK)
        assert p['Active'] and not p['Persistent']
        expect_error(c.NetworkCreateXML, NET_XML,
                     text="Requested operation is not valid: network is already active as 'bar'")
        with pytest.raises(dbus.exceptions.DBusException) as ex:
            netd.set_prop(NET_PATH, NETWORK, 'Autostart', True)
        assert 'cannot set autostart for transient network' in ex.value.get_dbus_message()
        n = netd.iface(NET_PATH, NETWORK)
        expect_error(n.Update, 4, 4, 0, HOST, 2,
                     text='cannot change persistent config of a transient network')
        n.Destroy()
        assert net_event(netd, NET_STOPPED) == NET_PATH
        _, args = netd.wait_signal(OM, 'InterfacesRemoved')
        assert args[0] == NET_PATH
        assert list(c.ListNetworks(0)) == [DEFAULT_NET]
        with pytest.raises(dbus.exceptions.DBusException):
            netd.prop(NET_PATH, NETWORK, 'Name')

    def test_create_xml_over_defined(self, netd):
        c = netd.connect
        c.NetworkDefineXML(NET_XML)
        assert c.NetworkCreateXML(NET_XML.replace('brdefault', 'brlive')) == NET_PATH
        n = netd.iface(NET_PATH, NETWORK)
        assert 'brlive' in n.GetXMLDesc(0) and 'brdefault' in n.GetXMLDesc(1)
        n.Destroy()
        assert 'brdefault' in n.GetXMLDesc(0)
        assert netd.prop(NET_PATH, NETWORK, 'Persistent') == True  # noqa: E712


# ---------------------------------------------------------------- interfaces

class TestInterfaces:
    def test_seed(self, netd):
        assert list(netd.connect.ListInterfaces(0)) == [ETH1]
        assert list(netd.connect.ListInterfaces(2)) == [ETH1]
        assert list(netd.connect.ListInterfaces(1)) == []
        expect_error(netd.connect.ListInterfaces, 4, text='unsupported flags (0x4)')
        p = netd.props(ETH1, IFACE)
        assert set(p) == {'Active', 'MAC', 'Name'}
        assert isinstance(p['Name'], dbus.String) and p['Name'] == 'eth1'
        assert isinstance(p['MAC'], dbus.String) and p['MAC'] == 'aa:bb:cc:dd:ee:ff'
        assert isinstance(p['Active'], dbus.Boolean) and p['Active']
        xml = netd.iface(ETH1, IFACE).GetXMLDesc(0)
        assert "name='eth1'" in xml and "<ip address='192.168.0.5' prefix='24'/>" in xml

    def test_define_lookup(self, netd):
        c = netd.connect
        path = c.InterfaceDefineXML(IFACE_XML, 0)
        assert isinstance(path, dbus.ObjectPath) and path == IFACE_PATH
        _, args = netd.wait_signal(OM, 'InterfacesAdded')
        assert args[0] == IFACE_PATH and IFACE in args[1]
        p = netd.props(path, IFACE)
        assert p['Name'] == 'test-iface' and p['MAC'] == '11:22:33:44:55:66' and not p['Active']
        assert c.InterfaceLookupByName(p['Name']) == path
        assert c.InterfaceLookupByMAC(p['MAC']) == path
        assert c.InterfaceLookupByMAC('11:22:33:44:55:66'.upper()) == path
        expect_error(c.InterfaceLookupByName, 'nope', text="Interface not found: no interface with matching name 'nope'")
        expect_error(c.InterfaceLookupByMAC, '00:00:00:00:00:01',
                     text="Interface not found: no interface with matching mac '00:00:00:00:00:01'")

    def test_define_errors(self, netd):
        c = netd.connect
        expect_error(c.InterfaceDefineXML, IFACE_XML, 2, text='unsupported flags (0x2)')
        expect_error(c.InterfaceDefineXML, '<interface type="ethernet">', 0, text='XML error')
        expect_error(c.InterfaceDefineXML, IFACE_XML.replace('11:22:33:44:55:66', 'aa:bb:cc:dd:ee:ff'), 0,
                     text="interface 'eth1' already has MAC address aa:bb:cc:dd:ee:ff")
        expect_error(c.InterfaceDefineXML, "<interface type='ethernet' name='nomac'/>", 0,
                     text="interface 'nomac' has no MAC address")
        assert list(c.ListInterfaces(0)) == [ETH1]

    def test_lifecycle(self, netd):
        path = netd.connect.InterfaceDefineXML(IFACE_XML, 0)
        i = netd.iface(path, IFACE)
        expect_error(i.Destroy, 0, text='Requested operation is not valid')
        i.Create(0)
        _, args = netd.wait_signal('org.freedesktop.DBus.Properties', 'PropertiesChanged',
                                   lambda p, a: p == path and a[1].get('Active', False))
        assert args[0] == IFACE
        assert netd.prop(path, IFACE, 'Active') == True  # noqa: E712
        expect_error(i.Create, 0, text='Requested operation is not valid')
        expect_error(i.Create, 1, text='unsupported flags (0x1)')
        i.Destroy(0)
        assert netd.prop(path, IFACE, 'Active') == False  # noqa: E712
        i.Create(0)
        i.Destroy(0)
        i.Undefine()
        _, args = netd.wait_signal(OM, 'InterfacesRemoved')
        assert args[0] == path
        assert list(netd.connect.ListInterfaces(0)) == [ETH1]

    def test_redefine_keeps_state(self, netd):
        c = netd.connect
        assert c.InterfaceDefineXML(IFACE_XML.replace('test-iface', 'eth1')
                                    .replace('11:22:33:44:55:66', 'aa:bb:cc:dd:ee:ff'), 0) == ETH1
        p = netd.props(ETH1, IFACE)
        assert p['Active'] and p['Name'] == 'eth1'
        assert '192.168.15.5' in netd.iface(ETH1, IFACE).GetXMLDesc(0)

    def test_transaction_errors(self, netd):
        c = netd.connect
        expect_error(c.InterfaceChangeCommit, 0,
                     text='Requested operation is not valid: no transaction running, nothing to be committed.')
        expect_error(c.InterfaceChangeRollback, 0,
                     text='Requested operation is not valid: no transaction running, nothing to rollback.')
        expect_error(c.InterfaceChangeBegin, 1, text='unsupported flags (0x1)')
        c.InterfaceChangeBegin(0)
        expect_error(c.InterfaceChangeBegin, 0,
                     text='Requested operation is not valid: there is another transaction running.')
        c.InterfaceChangeCommit(0)

    def test_transaction_rollback(self, netd):
        c = netd.connect
        c.InterfaceChangeBegin(0)
        c.InterfaceDefineXML(IFACE_XML, 0)
        netd.iface(ETH1, IFACE).Destroy(0)
        netd.iface(ETH1, IFACE).Undefine()
        assert list(c.ListInterfaces(0)) == [IFACE_PATH]
        netd.signals.clear()
        c.InterfaceChangeRollback(0)
        assert list(c.ListInterfaces(0)) == [ETH1]
        assert netd.prop(ETH1, IFACE, 'Active') == True  # noqa: E712
        _, args = netd.wait_signal(OM, 'InterfacesRemoved', lambda p, a: a[0] == IFACE_PATH)
        _, args = netd.wait_signal(OM, 'InterfacesAdded', lambda p, a: a[0] == ETH1)
        expect_error(c.InterfaceChangeRollback, 0, text='no transaction running')

    def test_transaction_commit(self, netd):
        c = netd.connect
        c.InterfaceChangeBegin(0)
        c.InterfaceDefineXML(IFACE_XML, 0)
        c.InterfaceChangeCommit(0)
        assert sorted(c.ListInterfaces(0)) == sorted([ETH1, IFACE_PATH])
        expect_error(c.InterfaceChangeRollback, 0, text='no transaction running')

    def test_unknown_path(self, netd):
        with pytest.raises(dbus.exceptions.DBusException):
            netd.prop('/org/libvirt/Test/interface/AA_3ABB_3ACC_3ADD_3AEE_3AFF', IFACE, 'Name')


# ---------------------------------------------------------------- secrets

class TestSecrets:
    def define(self, netd, xml=SECRET_XML):
        path = netd.connect.SecretDefineXML(xml, 0)
        _, args = netd.wait_signal(CONNECT, 'SecretEvent', lambda p, a: a[0] == path)
        assert args[1:] == (SECRET_DEFINED, 0)
        assert isinstance(args[1], dbus.Int32) and isinstance(args[2], dbus.Int32)
        return path

    def test_none_at_start(self, netd):
        # libvirt's test driver has no secret driver at all; virtbus's keeps them in memory
        secrets = netd.connect.ListSecrets(0)
        assert isinstance(secrets, dbus.Array) and list(secrets) == []

    def test_define_properties_lookup(self, netd):
        path = self.define(netd)
        assert path == SECRET_PATH
        _, args = netd.wait_signal(OM, 'InterfacesAdded', lambda p, a: a[0] == path)
        p = netd.props(path, SECRET)
        assert set(p) == {'UUID', 'UsageID', 'UsageType'}      # never the value
        assert isinstance(p['UsageType'], dbus.Int32) and p['UsageType'] == 1
        assert p['UsageID'] == '/var/lib/libvirt/images/disk.img' and p['UUID'] == SECRET_UUID
        c = netd.connect
        assert list(c.ListSecrets(0)) == [path]
        assert c.SecretLookupByUUID(SECRET_UUID) == path
        assert c.SecretLookupByUsage(1, '/var/lib/libvirt/images/disk.img') == path
        expect_error(c.SecretLookupByUsage, 2, '/var/lib/libvirt/images/disk.img',
                     text="Secret not found: no secret with matching usage '/var/lib/libvirt/images/disk.img'")
        expect_error(c.SecretLookupByUUID, '00000000-0000-0000-0000-000000000001',
                     text="Secret not found: no secret with matching uuid '00000000-0000-0000-0000-000000000001'")
        expect_error(c.SecretLookupByUUID, 'zz',
                     text='uuidstr in virSecretLookupByUUIDString must be a valid UUID')
        xml = netd.iface(path, SECRET).GetXMLDesc(0)
        assert '<volume>/var/lib/libvirt/images/disk.img</volume>' in xml and SECRET_UUID in xml

    def test_value(self, netd):
        path = self.define(netd)
        s = netd.iface(path, SECRET)
        expect_error(s.GetValue, 0, text="Secret not found: secret '%s' does not have a value" % SECRET_UUID)
        s.SetValue(dbus.ByteArray(b'p\x00ssw\xffrd'), 0)
        v = s.GetValue(0)
        assert isinstance(v, dbus.Array) and bytes(v) == b'p\x00ssw\xffrd'
        expect_error(s.SetValue, dbus.ByteArray(b'x'), 1, text='unsupported flags (0x1)')
        expect_error(s.GetValue, 1, text='unsupported flags (0x1)')
        expect_error(s.SetValue, dbus.ByteArray(b'x' * (64 * 1024 + 1)), 0, text='secret value is too large')
        assert bytes(s.GetValue(0)) == b'p\x00ssw\xffrd'
        s.SetValue(dbus.ByteArray(b''), 0)
        assert bytes(s.GetValue(0)) == b''

    def test_private(self, netd):
        path = self.define(netd, PRIVATE_SECRET_XML)
        s = netd.iface(path, SECRET)
        s.SetValue(dbus.ByteArray(b'top secret'), 0)
        expect_error(s.GetValue, 0, text='Invalid secret: secret is private')
        c = netd.connect
        assert list(c.ListSecrets(4)) == [path]            # PRIVATE
        assert list(c.ListSecrets(1)) == [path]            # EPHEMERAL
        assert list(c.ListSecrets(8)) == []                # NO_PRIVATE
        expect_error(c.ListSecrets, 16, text='unsupported flags (0x10)')
        assert c.SecretLookupByUsage(2, 'client.admin secret') == path
        expect_error(c.SecretDefineXML, PRIVATE_SECRET_XML.replace("private='yes'", "private='no'"), 0,
                     text='internal error: cannot change private flag on existing secret')

    def test_define_errors(self, netd):
        c = netd.connect
        self.define(netd)
        expect_error(c.SecretDefineXML, SECRET_XML.replace('disk.img', 'other.img'), 0,
                     text='internal error: a secret with UUID %s is already defined for use with '
                          '/var/lib/libvirt/images/disk.img' % SECRET_UUID)
        expect_error(c.SecretDefineXML, SECRET_XML.replace('6dd3e4a5', '7dd3e4a5'), 0,
                     text='internal error: a secret with UUID %s already defined for use with '
                          '/var/lib/libvirt/images/disk.img' % SECRET_UUID)
        expect_error(c.SecretDefineXML, SECRET_XML, 2, text='unsupported flags (0x2)')
        expect_error(c.SecretDefineXML, '<secret><usage type="bogus"/></secret>', 0, text='XML error')
        assert len(c.ListSecrets(0)) == 1
        # redefining with the same usage updates it and signals DEFINED again
        assert self.define(netd, SECRET_XML.replace('disk passphrase', 'new text')) == SECRET_PATH
        assert 'new text' in netd.iface(SECRET_PATH, SECRET).GetXMLDesc(0)

    def test_undefine(self, netd):
        path = self.define(netd)
        netd.iface(path, SECRET).Undefine()
        _, args = netd.wait_signal(CONNECT, 'SecretEvent', lambda p, a: a[0] == path)
        assert args[1:] == (SECRET_UNDEFINED, 0)
        _, args = netd.wait_signal(OM, 'InterfacesRemoved', lambda p, a: a[0] == path)
        assert list(netd.connect.ListSecrets(0)) == []
        expect_error(netd.connect.SecretLookupByUUID, SECRET_UUID, text='Secret not found')


# ---------------------------------------------------------------- network filters

class TestNWFilters:
    def test_none_at_start(self, netd):
        assert list(netd.connect.ListNWFilters(0)) == []
        expect_error(netd.connect.ListNWFilters, 1, text='unsupported flags (0x1)')

    def test_define_lookup_undefine(self, netd):
        c = netd.connect
        path = c.NWFilterDefineXML(FILTER_XML)
        assert isinstance(path, dbus.ObjectPath) and path == FILTER_PATH
        _, args = netd.wait_signal(OM, 'InterfacesAdded', lambda p, a: a[0] == path)
        p = netd.props(path, NWFILTER)
        assert p == {'Name': 'no-spoof', 'UUID': FILTER_UUID}
        assert c.NWFilterLookupByName('no-spoof') == path
        assert c.NWFilterLookupByUUID(FILTER_UUID) == path
        assert list(c.ListNWFilters(0)) == [path]
        f = netd.iface(path, NWFILTER)
        xml = f.GetXMLDesc(0)
        assert "name='no-spoof'" in xml and FILTER_UUID in xml and "srcipaddr='$IP'" in xml
        expect_error(f.GetXMLDesc, 1, text='unsupported flags (0x1)')
        # same name and uuid: an update
        assert c.NWFilterDefineXML(FILTER_XML.replace("action='drop'", "action='reject'")) == path
        assert "action='reject'" in f.GetXMLDesc(0)
        f.Undefine()
        _, args = netd.wait_signal(OM, 'InterfacesRemoved', lambda p, a: a[0] == path)
        assert list(c.ListNWFilters(0)) == []

    def test_errors(self, netd):
        c = netd.connect
        c.NWFilterDefineXML(FILTER_XML)
        expect_error(c.NWFilterDefineXML, FILTER_XML.replace('no-spoof', 'other'),
                     text="operation failed: filter with same UUID but different name ('no-spoof') already exists")
        expect_error(c.NWFilterDefineXML, FILTER_XML.replace('5c6d49af', '6c6d49af'),
                     text="operation failed: filter 'no-spoof' already exists with uuid " + FILTER_UUID)
        expect_error(c.NWFilterDefineXML, '<filter>', text='XML error')
        expect_error(c.NWFilterLookupByName, 'nope',
                     text="Network filter not found: no nwfilter with matching name 'nope'")
        expect_error(c.NWFilterLookupByUUID, '00000000-0000-0000-0000-000000000001',
                     text="no nwfilter with matching uuid '00000000-0000-0000-0000-000000000001'")
        expect_error(c.NWFilterLookupByUUID, 'x',
                     text='uuidstr in virNWFilterLookupByUUIDString must be a valid UUID')
        assert len(c.ListNWFilters(0)) == 1


# ---------------------------------------------------------------- introspection

SIGNATURES = {
    NETWORK: {'Create': ('', ''), 'Destroy': ('', ''), 'GetDHCPLeases': ('su', 'a(sxisssuss)'),
              'GetXMLDesc': ('u', 's'), 'Undefine': ('', ''), 'Update': ('uuisu', '')},
    IFACE: {'Create': ('u', ''), 'Destroy': ('u', ''), 'GetXMLDesc': ('u', 's'), 'Undefine': ('', '')},
    SECRET: {'GetValue': ('u', 'ay'), 'GetXMLDesc': ('u', 's'), 'SetValue': ('ayu', ''),
             'Undefine': ('', '')},
    NWFILTER: {'GetXMLDesc': ('u', 's'), 'Undefine': ('', '')},
    CONNECT: {'ListNetworks': ('u', 'ao'), 'NetworkCreateXML': ('s', 'o'), 'NetworkDefineXML': ('s', 'o'),
              'NetworkLookupByName': ('s', 'o'), 'NetworkLookupByUUID': ('s', 'o'),
              'ListInterfaces': ('u', 'ao'), 'InterfaceDefineXML': ('su', 'o'),
              'InterfaceLookupByMAC': ('s', 'o'), 'InterfaceLookupByName': ('s', 'o'),
              'InterfaceChangeBegin': ('u', ''), 'InterfaceChangeCommit': ('u', ''),
              'InterfaceChangeRollback': ('u', ''), 'ListSecrets': ('u', 'ao'),
              'SecretDefineXML': ('su', 'o'), 'SecretLookupByUUID': ('s', 'o'),
              'SecretLookupByUsage': ('is', 'o'), 'ListNWFilters': ('u', 'ao'),
              'NWFilterDefineXML': ('s', 'o'), 'NWFilterLookupByName': ('s', 'o'),
              'NWFilterLookupByUUID': ('s', 'o')},
}


def method_signatures(xml, interface):
    import xml.etree.ElementTree as ET
    root = ET.fromstring(xml)
    out = {}
    for itf in root.findall('interface'):
        if itf.get('name') != interface:
            continue
        for m in itf.findall('method'):
            ins = ''.join(a.get('type') for a in m.findall('arg') if a.get('direction', 'in') == 'in')
            outs = ''.join(a.get('type') for a in m.findall('arg') if a.get('direction') == 'out')
            out[m.get('name')] = (ins, outs)
    return out


def test_introspected_signatures(netd):
    netd.connect.SecretDefineXML(SECRET_XML, 0)
    netd.connect.NWFilterDefineXML(FILTER_XML)
    paths = {NETWORK: DEFAULT_NET, IFACE: ETH1, SECRET: SECRET_PATH, NWFILTER: FILTER_PATH,
             CONNECT: '/org/libvirt/Test'}
    for interface, expected in SIGNATURES.items():
        xml = netd.obj(paths[interface]).Introspect(dbus_interface='org.freedesktop.DBus.Introspectable')
        got = method_signatures(xml, interface)
        for name, sig in expected.items():
            assert got.get(name) == sig, (interface, name, got.get(name))
        if interface != CONNECT:
            assert set(got) == set(expected), interface


if __name__ == '__main__':
    sys.exit(pytest.main(sys.argv))
