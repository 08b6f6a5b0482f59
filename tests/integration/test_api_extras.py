# SPDX-License-Identifier: LGPL-2.1-or-later
"""org.libvirt wire details and our extensions, checked on the test driver:
- every org.libvirt method (generated from dbus-interfaces/) is refused for an
  unprivileged caller whom polkit denies, and nothing changes;
- GetAll wraps values in two variants, Get in one (libvirt-dbus's quirk);
- ObjectManager's inventory equals what the List* methods return;
- PropertiesChanged follows Create/Destroy, and never precedes InterfacesAdded."""
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

from gi.repository import Gio, GLib

import vbharness
from vbharness import TEST_PATH

HERE = os.path.dirname(os.path.abspath(__file__))
IFACE_DIR = os.path.join(HERE, '..', '..', 'dbus-interfaces')
DOMAIN = TEST_PATH + '/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f'
NETWORK = TEST_PATH + '/network/_dd8fe884_6c02_601e_7551_cca97df1c5df'
POOL = TEST_PATH + '/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566'
VOL = TEST_PATH + '/storagevol/_2fdefault_2dpool_2fm_2eimg'
NODEDEV = TEST_PATH + '/nodedev/scsi_5fhost1'
IFACE = TEST_PATH + '/interface/aa_3abb_3acc_3add_3aee_3aff'
SECRET_UUID = '11111111-2222-3333-4444-555555555555'
SECRET = TEST_PATH + '/secret/_' + SECRET_UUID.replace('-', '_')
NWF_UUID = '21111111-2222-3333-4444-555555555555'
NWFILTER = TEST_PATH + '/nwfilter/_' + NWF_UUID.replace('-', '_')
SNAPSHOT = TEST_PATH + '/domainsnapshot/_6695eb01_f6a4_8304_79aa_97f2502e193f_m'
PROPS = 'org.freedesktop.DBus.Properties'
OM = 'org.freedesktop.DBus.ObjectManager'

PATHS = {
    'org.libvirt.Connect': TEST_PATH, 'org.virtbus.Connect1': TEST_PATH,
    'org.libvirt.Domain': DOMAIN, 'org.libvirt.DomainSnapshot': SNAPSHOT,
    'org.libvirt.Network': NETWORK, 'org.libvirt.StoragePool': POOL,
    'org.libvirt.StorageVol': VOL, 'org.virtbus.StorageVol1': VOL, 'org.libvirt.NodeDevice': NODEDEV,
    'org.libvirt.Interface': IFACE, 'org.libvirt.Secret': SECRET,
    'org.libvirt.NWFilter': NWFILTER,
}


def methods():
    """(interface, member, in signature) of every method in dbus-interfaces/."""
    out = []
    for name in sorted(os.listdir(IFACE_DIR)):
        if not name.endswith('.xml'):
            continue
        root = ET.parse(os.path.join(IFACE_DIR, name)).getroot()
        for iface in root.iter('interface'):
            for m in iface.iter('method'):
                sig = ''.join(a.get('type') for a in m.iter('arg') if a.get('direction', 'in') == 'in')
                out.append((iface.get('name'), m.get('name'), sig))
    return out


def populate(vb):
    """Objects for the interfaces the default state lacks."""
    vb.call_ok(POOL, 'org.libvirt.StoragePool', 'StorageVolCreateXML', 'su',
               ("<volume><name>m.img</name><capacity>1024</capacity></volume>", 0))
    vb.call_ok(TEST_PATH, 'org.libvirt.Connect', 'SecretDefineXML', 'su',
               ("<secret ephemeral='no' private='no'><uuid>%s</uuid></secret>" % SECRET_UUID, 0))
    vb.call_ok(TEST_PATH, 'org.libvirt.Connect', 'NWFilterDefineXML', 's',
               ("<filter name='m' chain='root'><uuid>%s</uuid></filter>" % NWF_UUID,))
    vb.call_ok(DOMAIN, 'org.libvirt.Domain', 'SnapshotCreateXML', 'su',
               ("<domainsnapshot><name>m</name></domainsnapshot>", 0))


def full_inventory(vb):
    inv = vb.inventory()
    managed = vb.call_ok(TEST_PATH, OM, 'GetManagedObjects')[0]
    inv['managed'] = json.dumps(managed, sort_keys=True, default=str)
    return inv


def test_every_method_denied_without_grant(vb):
    populate(vb)
    calls = [{'interface': i, 'member': m, 'in_sig': s, 'path': PATHS[i]}
             for i, m, s in methods() if i in PATHS]
    assert len([c for c in calls if c['interface'].startswith('org.libvirt.')]) == 195
    before = full_inventory(vb)
    vb.set_polkit({'default': 'deny'})
    script = os.path.join(vb.tmp, 'deny_all_client.py')
    shutil.copy(os.path.join(HERE, 'deny_all_client.py'), script)
    os.chmod(script, 0o755)
    proc = subprocess.run(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups',
                           '/usr/bin/python3', script,
                           json.dumps({'address': vb.address, 'calls': calls})],
                          cwd=vb.tmp, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert len(results) == len(calls)
    wrong = [r for r in results
             if r['ok'] or r['name'] != 'org.libvirt.Error' or not r['message'].startswith('access denied')]
    assert not wrong, wrong[:10]
    vb.set_polkit({'default': 'allow'})
    assert full_inventory(vb) == before


def gdbus_call(vb, path, iface, member, args):
    return vb.conn.call_sync('org.libvirt', path, iface, member, args, None,
                             Gio.DBusCallFlags.NONE, 5000, None)


def test_getall_double_variants_get_single(vb):
    res = gdbus_call(vb, DOMAIN, PROPS, 'GetAll', GLib.Variant('(s)', ('org.libvirt.Domain',)))
    d = res.get_child_value(0)
    assert d.get_type_string() == 'a{sv}'
    assert d.n_children() == 9
    for i in range(d.n_children()):
        entry = d.get_child_value(i)
        outer = entry.get_child_value(1)            # the 'v' of a{sv}
        inner = outer.get_variant()
        assert inner.get_type_string() == 'v', entry.get_child_value(0).get_string()
        assert inner.get_variant().get_type_string() != 'v'
    one = gdbus_call(vb, DOMAIN, PROPS, 'Get', GLib.Variant('(ss)', ('org.libvirt.Domain', 'Active')))
    assert one.get_child_value(0).get_variant().get_type_string() == 'b'
    # typed-parameter outputs are double-wrapped too
    stats = gdbus_call(vb, DOMAIN, 'org.libvirt.Domain', 'GetStats', GLib.Variant('(uu)', (0, 0)))
    s = stats.get_child_value(0)
    assert s.n_children() > 0
    assert s.get_child_value(0).get_child_value(1).get_variant().get_type_string() == 'v'


LISTS = [
    ('ListDomains', 'org.libvirt.Domain'), ('ListNetworks', 'org.libvirt.Network'),
    ('ListStoragePools', 'org.libvirt.StoragePool'), ('ListNodeDevices', 'org.libvirt.NodeDevice'),
    ('ListInterfaces', 'org.libvirt.Interface'), ('ListSecrets', 'org.libvirt.Secret'),
    ('ListNWFilters', 'org.libvirt.NWFilter'),
]


def test_object_manager_matches_lists(vb):
    populate(vb)
    managed = vb.call_ok(TEST_PATH, OM, 'GetManagedObjects')[0]
    by_iface = {}
    for path, ifaces in managed.items():
        for name in ifaces:
            by_iface.setdefault(name, set()).add(path)
    for method, iface in LISTS:
        listed = set(vb.call_ok(TEST_PATH, 'org.libvirt.Connect', method, 'u', (0,))[0])
        assert listed, method
        assert by_iface.get(iface, set()) == listed, method
    vols = set(vb.call_ok(POOL, 'org.libvirt.StoragePool', 'ListStorageVolumes', 'u', (0,))[0])
    assert by_iface['org.libvirt.StorageVol'] == vols == {VOL}
    snaps = set(vb.call_ok(DOMAIN, 'org.libvirt.Domain', 'ListDomainSnapshots', 'u', (0,))[0])
    assert by_iface['org.libvirt.DomainSnapshot'] == snaps == {SNAPSHOT}
    assert TEST_PATH in by_iface['org.libvirt.Connect']
    # properties in the inventory are the same as GetAll's (single-wrapped here)
    dom = managed[DOMAIN]['org.libvirt.Domain']
    assert dom['Name'] == 'test' and dom['Active'] is True and dom['Id'] == 1


def collect_signals(vb, trigger, until, deadline=3.0):
    """Every signal from org.libvirt while trigger() runs, until until(signals) holds."""
    got = []
    loop = GLib.MainLoop()

    def on_signal(conn, sender, path, iface, name, params):
        got.append((path, iface, name, params.unpack()))
        if until(got):
            loop.quit()

    sub = vb.conn.signal_subscribe(None, None, None, None, None, Gio.DBusSignalFlags.NONE, on_signal)
    try:
        vb.name_has_owner('org.libvirt')
        trigger()
        tid = GLib.timeout_add(int(deadline * 1000), lambda: loop.quit() or False)
        loop.run()
        GLib.source_remove(tid)
    finally:
        vb.conn.signal_unsubscribe(sub)
    return got


def active_changes(signals, path):
    return [s[3][1]['Active'] for s in signals
            if s[0] == path and s[2] == 'PropertiesChanged' and s[3][0] == 'org.libvirt.Domain'
            and 'Active' in s[3][1]]


def test_properties_changed_on_destroy_and_create(vb):
    sig = collect_signals(vb, lambda: vb.call_ok(DOMAIN, 'org.libvirt.Domain', 'Destroy', 'u', (0,)),
                          lambda g: active_changes(g, DOMAIN))
    assert active_changes(sig, DOMAIN) == [False]
    names = [s[2] for s in sig]
    assert names.index('DomainEvent') < names.index('PropertiesChanged')
    sig = collect_signals(vb, lambda: vb.call_ok(DOMAIN, 'org.libvirt.Domain', 'Create', 'u', (0,)),
                          lambda g: active_changes(g, DOMAIN))
    assert active_changes(sig, DOMAIN) == [True]
    changed = [s for s in sig if s[2] == 'PropertiesChanged' and s[0] == DOMAIN][0][3][1]
    assert changed['Id'] >= 2


def test_interfaces_added_before_properties_changed(vb):
    xml = vbharness.domain_xml('pc-order')
    path_box = []

    def trigger():
        path_box.append(vb.call_ok(TEST_PATH, 'org.libvirt.Connect', 'DomainCreateXML', 'su', (xml, 0))[0])

    sig = collect_signals(vb, trigger, lambda g: any(s[2] == 'PropertiesChanged' for s in g))
    path = path_box[0]
    mine = [s[2] for s in sig if s[0] == path or (s[2] == 'InterfacesAdded' and s[3][0] == path)]
    assert 'InterfacesAdded' in mine
    if 'PropertiesChanged' in mine:
        assert mine.index('InterfacesAdded') < mine.index('PropertiesChanged')
    # a transient domain goes away on Destroy: InterfacesRemoved
    sig = collect_signals(vb, lambda: vb.call_ok(path, 'org.libvirt.Domain', 'Destroy', 'u', (0,)),
                          lambda g: any(s[2] == 'InterfacesRemoved' for s in g))
    assert any(s[2] == 'InterfacesRemoved' and s[3][0] == path for s in sig)
