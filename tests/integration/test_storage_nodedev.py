#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""org.libvirt.StoragePool / StorageVol / NodeDevice and their Connect methods on
the test driver: happy and error paths, signals, and what libvirt-dbus's own
suite expects of these kinds (reference §7.2)."""
import os
import sys

import dbus
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vb_storage_fixture import Session, TEST_PATH  # noqa: E402

POOL = TEST_PATH + '/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566'
POOL_UUID = 'dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566'
SPARSE = TEST_PATH + '/storagevol/_2fdefault_2dpool_2fsparse_2eimg'
GiB = 1024 ** 3
SP, SV, ND, CN = ('org.libvirt.StoragePool', 'org.libvirt.StorageVol', 'org.libvirt.NodeDevice',
                  'org.libvirt.Connect')
OM = 'org.freedesktop.DBus.ObjectManager'

POOL_FOO = '''<pool type='dir'>
  <name>foo</name>
  <uuid>35bb2ad9388acdfe461ab8907f6e53fe</uuid>
  <target><path>/foo</path></target>
</pool>'''
VOL_SPARSE = '''<volume>
  <name>sparse.img</name>
  <capacity unit="G">2</capacity>
  <target><path>/var/lib/virt/images/sparse.img</path></target>
</volume>'''
VOL_CLONE = '''<volume>
  <name>clone.img</name>
  <capacity unit="G">1</capacity>
</volume>'''
VHBA = '''<device>
  <name>scsi_host22</name>
  <parent>%s</parent>
  <capability type='scsi_host'>
    <capability type='fc_host'>
      <wwnn>2000000098765432</wwnn>
      <wwpn>1000000098765432</wwpn>
      <fabric_wwn>2000000098769876</fabric_wwn>
    </capability>
  </capability>
</device>'''


@pytest.fixture
def s():
    sess = Session()
    yield sess
    sess.close()


def err(excinfo):
    e = excinfo.value
    assert e.get_dbus_name() == 'org.libvirt.Error', e.get_dbus_name()
    return e.get_dbus_message()


def pool(s, path=POOL):
    return s.iface(path, SP)


def create_sparse(s):
    return pool(s).StorageVolCreateXML(VOL_SPARSE, 0)


# ---- Connect: pools ----

def test_list_storage_pools(s):
    pools = s.connect.ListStoragePools(0)
    assert isinstance(pools, dbus.Array) and list(pools) == [POOL]
    assert list(s.connect.ListStoragePools(2)) == [POOL]          # ACTIVE
    assert list(s.connect.ListStoragePools(1)) == []              # INACTIVE
    assert list(s.connect.ListStoragePools(4 | 64)) == [POOL]     # PERSISTENT, DIR
    assert list(s.connect.ListStoragePools(512)) == []            # LOGICAL
    with pytest.raises(dbus.DBusException) as e:
        s.connect.ListStoragePools(1 << 25)
    assert 'unsupported flags (0x2000000)' in err(e)
    s.obj(pools[0]).Introspect(dbus_interface='org.freedesktop.DBus.Introspectable')


def test_storage_pool_lookup(s):
    assert s.connect.StoragePoolLookupByName('default-pool') == POOL
    assert s.connect.StoragePoolLookupByUUID(POOL_UUID) == POOL
    assert s.connect.StoragePoolLookupByUUID(POOL_UUID.replace('-', '')) == POOL
    with pytest.raises(dbus.DBusException) as e:
        s.connect.StoragePoolLookupByName('nope')
    assert err(e) == "Storage pool not found: no storage pool with matching name 'nope'"
    with pytest.raises(dbus.DBusException) as e:
        s.connect.StoragePoolLookupByUUID('35bb2ad9-388a-cdfe-461a-b8907f6e53fe')
    assert err(e) == ("Storage pool not found: no storage pool with matching uuid "
                      "'35bb2ad9-388a-cdfe-461a-b8907f6e53fe'")
    with pytest.raises(dbus.DBusException) as e:
        s.connect.StoragePoolLookupByUUID('not-a-uuid')
    err(e)


def test_storage_pool_define_xml(s):
    path = s.connect.StoragePoolDefineXML(POOL_FOO, 0)
    assert isinstance(path, dbus.ObjectPath)
    assert path == TEST_PATH + '/storagepool/_35bb2ad9_388a_cdfe_461a_b8907f6e53fe'
    assert s.wait_signal(CN, 'StoragePoolEvent') == (path, 0, 0)
    s.wait_signal(OM, 'InterfacesAdded')
    p = s.props(path, SP)
    assert (p['Name'], p['Active'], p['Persistent'], p['UUID']) == \
        ('foo', False, True, '35bb2ad9-388a-cdfe-461a-b8907f6e53fe')
    assert len(s.connect.ListStoragePools(0)) == 2
    assert list(s.connect.ListStoragePools(1)) == [path]
    # redefining the same pool updates it
    assert s.connect.StoragePoolDefineXML(POOL_FOO, 0) == path


def test_storage_pool_define_xml_errors(s):
    bad = [
        ('<pool type="dir"><name>x</name></pool>', 'missing storage pool target path'),
        ('<pool type="bogus"><name>x</name><target><path>/x</path></target></pool>', 'unknown storage pool type'),
        ('<pool', 'XML error'),
        ('<network/>', ''),
        (POOL_FOO.replace('foo</name>', 'default-pool</name>'),
         "pool 'default-pool' already exists with uuid dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566"),
        (POOL_FOO.replace('35bb2ad9388acdfe461ab8907f6e53fe', POOL_UUID),
         "pool 'default-pool' is already defined with uuid " + POOL_UUID),
        (POOL_FOO.replace('/foo', '/default-pool'), "Storage source conflict with pool: 'default-pool'"),
    ]
    for xml, text in bad:
        with pytest.raises(dbus.DBusException) as e:
            s.connect.StoragePoolDefineXML(xml, 0)
        assert text in err(e), xml
    with pytest.raises(dbus.DBusException) as e:
        s.connect.StoragePoolDefineXML(POOL_FOO, 2)
    assert 'unsupported flags (0x2)' in err(e)
    assert list(s.connect.ListStoragePools(0)) == [POOL]
    s.pump()
    assert not [x for x in s.signals if x[1] == 'StoragePoolEvent']


def test_storage_pool_create_xml(s):
    path = s.connect.StoragePoolCreateXML(POOL_FOO, 0)
    assert s.wait_signal(CN, 'StoragePoolEvent') == (path, 2, 0)
    p = s.props(path, SP)
    assert (p['Active'], p['Persistent'], p['Autostart']) == (True, False, False)
    with pytest.raises(dbus.DBusException) as e:
        s.connect.StoragePoolCreateXML(POOL_FOO, 0)
    assert "pool is already active as 'foo'" in err(e)
    with pytest.raises(dbus.DBusException) as e:
        s.iface(path, 'org.freedesktop.DBus.Properties').Set(SP, 'Autostart', True)
    assert 'pool has no config file' in err(e)
    s.clear_signals()
    pool(s, path).Destroy()
    assert s.wait_signal(CN, 'StoragePoolEvent') == (path, 3, 0)
    s.wait_signal(OM, 'InterfacesRemoved')
    assert list(s.connect.ListStoragePools(0)) == [POOL]
    with pytest.raises(dbus.DBusException):
        s.connect.StoragePoolLookupByName('foo')


def test_find_storage_pool_sources(s):
    xml = s.connect.FindStoragePoolSources('logical', '', 0)
    assert isinstance(xml, dbus.String)
    assert "<device path='/dev/sda20'/>" in xml and '<name>testvg2</name>' in xml
    assert "<format type='lvm2'/>" in xml
    xml = s.connect.FindStoragePoolSources('netfs', "<source><host name='nfs.example'/></source>", 0)
    assert "<host name='nfs.example'/>" in xml and "<dir path='/testshare'/>" in xml
    cases = [
        (('netfs', '', 0), 'invalid argument: hostname must be specified for netfs sources'),
        (('iscsi', '', 0), "this function is not supported by the connection driver: "
                           "pool type 'iscsi' does not support source discovery"),
        (('nope', '', 0), 'unknown storage pool type nope'),
        (('logical', '', 1), 'unsupported flags (0x1)'),
        (('netfs', '<source><host', 0), 'XML error'),
    ]
    for args, text in cases:
        with pytest.raises(dbus.DBusException) as e:
            s.connect.FindStoragePoolSources(*args)
        assert text in err(e), args


# ---- StoragePool ----

def test_pool_properties(s):
    p = s.props(POOL, SP)
    assert isinstance(p['Active'], dbus.Boolean) and p['Active']
    assert isinstance(p['Autostart'], dbus.Boolean) and not p['Autostart']
    assert isinstance(p['Name'], dbus.String) and p['Name'] == 'default-pool'
    assert isinstance(p['Persistent'], dbus.Boolean) and p['Persistent']
    assert isinstance(p['UUID'], dbus.String) and p['UUID'] == POOL_UUID
    props = s.iface(POOL, 'org.freedesktop.DBus.Properties')
    props.Set(SP, 'Autostart', True)
    assert props.Get(SP, 'Autostart') == True  # noqa: E712
    with pytest.raises(dbus.DBusException):
        props.Set(SP, 'Name', 'x')


def test_pool_get_info_and_xml(s):
    info = pool(s).GetInfo()
    assert isinstance(info, dbus.Struct)
    assert tuple(info) == (2, 100 * GiB, 0, 100 * GiB)
    assert isinstance(info[0], dbus.Int32) and isinstance(info[1], dbus.UInt64)
    xml = pool(s).GetXMLDesc(0)
    assert '<name>default-pool</name>' in xml and '<path>/default-pool</path>' in xml
    assert "<capacity unit='bytes'>107374182400</capacity>" in xml
    with pytest.raises(dbus.DBusException) as e:
        pool(s).GetXMLDesc(2)
    assert 'unsupported flags (0x2)' in err(e)


def test_pool_lifecycle(s):
    p = pool(s)
    p.Destroy()
    assert s.wait_signal(CN, 'StoragePoolEvent') == (POOL, 3, 0)
    assert tuple(p.GetInfo())[0] == 0
    assert s.get(POOL, SP, 'Active') == False  # noqa: E712
    for call, text in [(p.Destroy, "storage pool 'default-pool' is not active"),
                       (lambda: p.Refresh(0), "storage pool 'default-pool' is not active"),
                       (lambda: p.ListStorageVolumes(0), 'storage pool is not active'),
                       (lambda: p.StorageVolCreateXML(VOL_SPARSE, 0), 'is not active')]:
        with pytest.raises(dbus.DBusException) as e:
            call()
        assert text in err(e)
    s.clear_signals()
    p.Build(0)
    assert s.wait_signal(CN, 'StoragePoolEvent') == (POOL, 4, 0)
    s.clear_signals()
    p.Delete(0)
    assert s.wait_signal(CN, 'StoragePoolEvent') == (POOL, 5, 0)
    s.clear_signals()
    p.Create(0)
    assert s.wait_signal(CN, 'StoragePoolEvent') == (POOL, 2, 0)
    for call, text in [(lambda: p.Create(0), "storage pool 'default-pool' is active"),
                       (lambda: p.Build(0), "storage pool 'default-pool' is active"),
                       (lambda: p.Delete(0), "storage pool 'default-pool' is active"),
                       (p.Undefine, "Requested operation is not valid: storage pool 'default-pool' is active"),
                       (lambda: p.Create(8), 'unsupported flags (0x8)'),
                       (lambda: p.Refresh(1), 'unsupported flags (0x1)')]:
        with pytest.raises(dbus.DBusException) as e:
            call()
        assert text in err(e)
    p.Destroy()
    s.clear_signals()
    with pytest.raises(dbus.DBusException) as e:
        p.Build(12)
    assert 'mutually exclusive' in err(e)
    p.Undefine()
    assert s.wait_signal(CN, 'StoragePoolEvent') == (POOL, 1, 0)
    s.wait_signal(OM, 'InterfacesRemoved', path=TEST_PATH)
    assert list(s.connect.ListStoragePools(0)) == []
    # libvirt-dbus: GetAll on a vanished object is an empty dict, other calls fail
    assert dict(s.props(POOL, SP)) == {}
    with pytest.raises(dbus.DBusException) as e:
        s.get(POOL, SP, 'Name')
    assert 'Storage pool not found' in err(e)


def test_pool_refresh(s):
    pool(s).Refresh(0)
    assert s.wait_signal(SP, 'Refresh', path=POOL) == ()


def test_pool_volumes(s):
    p = pool(s)
    vols = p.ListStorageVolumes(0)
    assert isinstance(vols, dbus.Array) and len(vols) == 0
    path = create_sparse(s)
    assert isinstance(path, dbus.ObjectPath) and path == SPARSE
    s.wait_signal(OM, 'InterfacesAdded')
    assert list(p.ListStorageVolumes(0)) == [SPARSE]
    assert tuple(p.GetInfo()) == (2, 100 * GiB, 2 * GiB, 98 * GiB)
    assert p.StorageVolLookupByName('sparse.img') == SPARSE
    with pytest.raises(dbus.DBusException) as e:
        p.StorageVolLookupByName('nope')
    assert err(e) == "Storage volume not found: no storage vol with matching name 'nope'"
    for xml, flags, text in [(VOL_SPARSE, 0, 'storage vol already exists'),
                             (VOL_SPARSE.replace('sparse', 'huge').replace('>2<', '>200<'), 0,
                              "Not enough free space in pool for volume 'huge.img'"),
                             ('<volume><name>x</name></volume>', 0, 'missing capacity element'),
                             ('<volume><name>a/b</name><capacity>1</capacity></volume>', 0, "cannot contain '/'"),
                             (VOL_CLONE, 1, 'unsupported flags (0x1)')]:
        with pytest.raises(dbus.DBusException) as e:
            p.StorageVolCreateXML(xml, flags)
        assert text in err(e)
    assert list(p.ListStorageVolumes(0)) == [SPARSE]
    with pytest.raises(dbus.DBusException) as e:
        p.ListStorageVolumes(1)
    assert 'unsupported flags (0x1)' in err(e)


def test_pool_volume_create_xml_from(s):
    create_sparse(s)
    clone = pool(s).StorageVolCreateXMLFrom(VOL_CLONE, '/default-pool/sparse.img', 0)
    assert clone == TEST_PATH + '/storagevol/_2fdefault_2dpool_2fclone_2eimg'
    # a clone is at least as large as its source
    assert tuple(s.iface(clone, SV).GetInfo(0)) == (0, 2 * GiB, 2 * GiB)
    with pytest.raises(dbus.DBusException) as e:
        pool(s).StorageVolCreateXMLFrom(VOL_CLONE.replace('clone', 'c2'), '/nope', 0)
    assert err(e) == "Storage volume not found: no storage vol with matching key '/nope'"
    assert len(pool(s).ListStorageVolumes(0)) == 2


# ---- StorageVol ----

def test_vol_lookup_by_key_and_path(s):
    create_sparse(s)
    p = s.props(SPARSE, SV)
    assert s.connect.StorageVolLookupByKey(p['Key']) == SPARSE
    assert s.connect.StorageVolLookupByPath(p['Path']) == SPARSE
    with pytest.raises(dbus.DBusException) as e:
        s.connect.StorageVolLookupByKey('/nope')
    assert err(e) == "Storage volume not found: no storage vol with matching key '/nope'"
    with pytest.raises(dbus.DBusException) as e:
        s.connect.StorageVolLookupByPath('/nope')
    assert err(e) == "Storage volume not found: no storage vol with matching path '/nope'"
    # volumes of an inactive pool are not reachable
    pool(s).Destroy()
    with pytest.raises(dbus.DBusException):
        s.connect.StorageVolLookupByKey(p['Key'])
    assert dict(s.props(SPARSE, SV)) == {}
    pool(s).Create(0)
    assert s.connect.StorageVolLookupByKey(p['Key']) == SPARSE


def test_vol_properties_and_xml(s):
    create_sparse(s)
    p = s.props(SPARSE, SV)
    assert all(isinstance(p[k], dbus.String) for k in ('Key', 'Name', 'Path'))
    assert (p['Name'], p['Key'], p['Path']) == ('sparse.img', '/default-pool/sparse.img', '/default-pool/sparse.img')
    v = s.iface(SPARSE, SV)
    xml = v.GetXMLDesc(0)
    assert '<key>/default-pool/sparse.img</key>' in xml
    assert '<path>/default-pool/sparse.img</path>' in xml
    assert "<capacity unit='bytes'>2147483648</capacity>" in xml
    with pytest.raises(dbus.DBusException) as e:
        v.GetXMLDesc(1)
    assert 'unsupported flags (0x1)' in err(e)


def test_vol_get_info(s):
    create_sparse(s)
    v = s.iface(SPARSE, SV)
    info = v.GetInfo(0)
    assert isinstance(info, dbus.Struct) and isinstance(info[0], dbus.Int32)
    assert tuple(info) == (0, 2 * GiB, 2 * GiB)
    assert tuple(v.GetInfo(1)) == (0, 2 * GiB, 2 * GiB)
    with pytest.raises(dbus.DBusException) as e:
        v.GetInfo(2)
    assert 'unsupported flags (0x2)' in err(e)


def test_vol_resize(s):
    create_sparse(s)
    v = s.iface(SPARSE, SV)
    v.Resize(dbus.UInt64(3 * GiB), 0)
    assert tuple(v.GetInfo(0)) == (0, 3 * GiB, 2 * GiB)
    v.Resize(dbus.UInt64(GiB), 2)                                   # DELTA
    assert tuple(v.GetInfo(0))[1] == 4 * GiB
    with pytest.raises(dbus.DBusException) as e:
        v.Resize(dbus.UInt64(3 * GiB), 0)
    assert 'shrink flag explicitly specified' in err(e)
    with pytest.raises(dbus.DBusException) as e:
        v.Resize(dbus.UInt64(GiB), 4)
    assert "can't shrink capacity below existing allocation" in err(e)
    v.Resize(dbus.UInt64(GiB), 2 | 4)                               # DELTA | SHRINK
    assert tuple(v.GetInfo(0))[1] == 3 * GiB
    v.Resize(dbus.UInt64(5 * GiB), 1)                               # ALLOCATE
    assert tuple(v.GetInfo(0)) == (0, 5 * GiB, 5 * GiB)
    assert tuple(pool(s).GetInfo()) == (2, 100 * GiB, 5 * GiB, 95 * GiB)
    with pytest.raises(dbus.DBusException) as e:
        v.Resize(dbus.UInt64(200 * GiB), 1)
    assert 'Not enough space left in storage pool' in err(e)
    with pytest.raises(dbus.DBusException) as e:
        v.Resize(dbus.UInt64(6 * GiB), 8)
    assert 'unsupported flags (0x8)' in err(e)
    assert tuple(v.GetInfo(0)) == (0, 5 * GiB, 5 * GiB)


def test_vol_wipe(s):
    create_sparse(s)
    v = s.iface(SPARSE, SV)
    v.Wipe(0, 0)
    v.Wipe(8, 0)
    with pytest.raises(dbus.DBusException) as e:
        v.Wipe(10, 0)
    assert 'wiping algorithm 10 not supported' in err(e)
    with pytest.raises(dbus.DBusException) as e:
        v.Wipe(0, 1)
    assert 'unsupported flags (0x1)' in err(e)


def test_vol_delete(s):
    create_sparse(s)
    s.clear_signals()
    v = s.iface(SPARSE, SV)
    with pytest.raises(dbus.DBusException) as e:
        v.Delete(1)
    assert 'unsupported flags (0x1)' in err(e)
    v.Delete(0)
    args = s.wait_signal(OM, 'InterfacesRemoved')
    assert args[0] == SPARSE and SV in args[1]
    assert len(pool(s).ListStorageVolumes(0)) == 0
    assert tuple(pool(s).GetInfo()) == (2, 100 * GiB, 0, 100 * GiB)
    with pytest.raises(dbus.DBusException):
        s.connect.StorageVolLookupByKey('/default-pool/sparse.img')


# ---- Connect: node devices ----

def nd(name):
    return TEST_PATH + '/nodedev/' + name.replace('_', '_5f')


def test_list_node_devices(s):
    devs = s.connect.ListNodeDevices(0)
    assert isinstance(devs, dbus.Array)
    assert sorted(devs) == sorted(nd(n) for n in ('computer', 'scsi_host1', 'scsi_host2', 'scsi_host11'))
    assert list(s.connect.ListNodeDevices(1)) == [nd('computer')]            # SYSTEM
    assert len(s.connect.ListNodeDevices(32)) == 3                           # SCSI_HOST
    assert len(s.connect.ListNodeDevices(512)) == 3                          # FC_HOST
    assert sorted(s.connect.ListNodeDevices(1024)) == sorted([nd('scsi_host1'), nd('scsi_host2')])  # VPORTS
    assert list(s.connect.ListNodeDevices(2)) == []                          # PCI_DEV
    with pytest.raises(dbus.DBusException) as e:
        s.connect.ListNodeDevices(1 << 30)
    assert 'unsupported flags (0x40000000)' in err(e)


def test_node_device_lookup(s):
    assert s.connect.NodeDeviceLookupByName('scsi_host2') == nd('scsi_host2')
    with pytest.raises(dbus.DBusException) as e:
        s.connect.NodeDeviceLookupByName('nope')
    assert err(e) == "Node device not found: no node device with matching name 'nope'"
    assert s.connect.NodeDeviceLookupSCSIHostByWWN('2000000012341234', '1000000012341234', 0) == nd('scsi_host1')
    with pytest.raises(dbus.DBusException) as e:
        s.connect.NodeDeviceLookupSCSIHostByWWN('2000000012341234', '1000000000000000', 0)
    assert err(e) == ("Node device not found: no node device with matching wwnn '2000000012341234' "
                      "and wwpn '1000000000000000'")
    with pytest.raises(dbus.DBusException) as e:
        s.connect.NodeDeviceLookupSCSIHostByWWN('2000000012341234', '1000000012341234', 1)
    assert 'unsupported flags (0x1)' in err(e)


def test_node_device_create_xml(s):
    path = s.connect.NodeDeviceCreateXML(VHBA % 'scsi_host2', 0)
    assert isinstance(path, dbus.ObjectPath) and path == nd('scsi_host12')
    assert s.wait_signal(CN, 'NodeDeviceEvent') == (path, 0, 0)
    s.wait_signal(OM, 'InterfacesAdded')
    p = s.props(path, ND)
    assert (p['Name'], p['Parent']) == ('scsi_host12', 'scsi_host2')
    assert s.connect.NodeDeviceLookupSCSIHostByWWN('2000000098765432', '1000000098765432', 0) == path
    assert len(s.connect.ListNodeDevices(0)) == 5
    # the same WWNs cannot be created twice
    with pytest.raises(dbus.DBusException) as e:
        s.connect.NodeDeviceCreateXML(VHBA % 'scsi_host2', 0)
    err(e)


def test_node_device_create_xml_errors(s):
    cases = [
        (VHBA % 'computer', 'Parent device computer is not capable of vport operations'),
        (VHBA % 'nope', "Could not find parent device for 'scsi_host22'"),
        ("<device><name>x</name><capability type='system'/></device>", 'Device is not a fibre channel HBA'),
        ('<device>', 'XML error'),
        ("<device><capability type='scsi_host'><capability type='fc_host'><wwnn>zz</wwnn>"
         "</capability></capability></device>", 'Malformed wwnn'),
    ]
    for xml, text in cases:
        with pytest.raises(dbus.DBusException) as e:
            s.connect.NodeDeviceCreateXML(xml, 0)
        assert text in err(e), xml
    with pytest.raises(dbus.DBusException) as e:
        s.connect.NodeDeviceCreateXML(VHBA % 'scsi_host2', 2)
    assert 'unsupported flags (0x2)' in err(e)
    assert len(s.connect.ListNodeDevices(0)) == 4
    s.pump()
    assert not [x for x in s.signals if x[1] == 'NodeDeviceEvent']


# ---- NodeDevice ----

def test_node_device_properties(s):
    p = s.props(nd('computer'), ND)
    assert dict(p) == {'Name': 'computer'}          # no Parent: the getter fails
    with pytest.raises(dbus.DBusException) as e:
        s.get(nd('computer'), ND, 'Parent')
    assert 'no parent for this device' in err(e)
    p = s.props(nd('scsi_host11'), ND)
    assert isinstance(p['Name'], dbus.String) and isinstance(p['Parent'], dbus.String)
    assert (p['Name'], p['Parent']) == ('scsi_host11', 'scsi_host1')


def test_node_device_xml_and_caps(s):
    d = s.iface(nd('scsi_host1'), ND)
    xml = d.GetXMLDesc(0)
    assert isinstance(xml, dbus.String)
    assert '<name>scsi_host1</name>' in xml and '<wwnn>2000000012341234</wwnn>' in xml
    with pytest.raises(dbus.DBusException) as e:
        d.GetXMLDesc(1)
    assert 'unsupported flags (0x1)' in err(e)
    caps = d.ListCaps()
    assert isinstance(caps, dbus.Array) and list(caps) == ['scsi_host', 'fc_host', 'vport_ops']
    assert list(s.iface(nd('computer'), ND).ListCaps()) == ['system']


def test_node_device_unsupported(s):
    d = s.iface(nd('scsi_host1'), ND)
    for call, api in [(lambda: d.Detach('', 0), 'virNodeDeviceDetachFlags'),
                      (d.ReAttach, 'virNodeDeviceReAttach'),
                      (d.Reset, 'virNodeDeviceReset')]:
        with pytest.raises(dbus.DBusException) as e:
            call()
        assert err(e) == 'this function is not supported by the connection driver: ' + api


def test_node_device_destroy(s):
    path = s.connect.NodeDeviceCreateXML(VHBA % 'scsi_host2', 0)
    s.clear_signals()
    s.iface(path, ND).Destroy()
    assert s.wait_signal(CN, 'NodeDeviceEvent') == (path, 1, 0)
    s.wait_signal(OM, 'InterfacesRemoved')
    assert len(s.connect.ListNodeDevices(0)) == 4
    with pytest.raises(dbus.DBusException):
        s.connect.NodeDeviceLookupByName('scsi_host12')


def test_node_device_destroy_errors(s):
    with pytest.raises(dbus.DBusException) as e:
        s.iface(nd('computer'), ND).Destroy()
    assert 'Device is not a fibre channel HBA' in err(e)
    with pytest.raises(dbus.DBusException) as e:
        s.iface(nd('scsi_host1'), ND).Destroy()
    assert 'Parent device computer is not capable of vport operations' in err(e)
    assert len(s.connect.ListNodeDevices(0)) == 4
    # scsi_host11 is a vHBA of scsi_host1
    s.iface(nd('scsi_host11'), ND).Destroy()
    assert s.wait_signal(CN, 'NodeDeviceEvent') == (nd('scsi_host11'), 1, 0)


if __name__ == '__main__':
    sys.exit(pytest.main(sys.argv))
