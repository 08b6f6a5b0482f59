# SPDX-License-Identifier: LGPL-2.1-or-later
"""org.virtbus.Job1: a volume wipe on the test driver runs as a timer-driven job with
progress, Finished and Cancel; the StorageVol.Wipe call itself replies when it is over."""
import dbus
import pytest

from vb_storage_fixture import Session, TEST_PATH

POOL = TEST_PATH + '/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566'
VOL = TEST_PATH + '/storagevol/_2fdefault_2dpool_2fwipe_2eimg'
JOB_IFACE = 'org.virtbus.Job1'
OM = 'org.freedesktop.DBus.ObjectManager'
VOL_XML = "<volume><name>wipe.img</name><capacity unit='MiB'>100</capacity></volume>"


@pytest.fixture
def s():
    sess = Session()
    sess.iface(POOL, 'org.libvirt.StoragePool').StorageVolCreateXML(VOL_XML, 0)
    sess.clear_signals()
    yield sess
    sess.close()


def start_wipe(s):
    """Call Wipe asynchronously; returns a dict filled when the reply arrives."""
    result = {}
    s.iface(VOL, 'org.libvirt.StorageVol').Wipe(
        0, 0, reply_handler=lambda: result.update(ok=True),
        error_handler=lambda err: result.update(error=err))
    return result


def wait_for(s, pred, timeout=20.0):
    import time
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, 'timed out'
        s.pump(0.02)


def job_added(s):
    for iface, member, path, args in s.signals:
        if member == 'InterfacesAdded' and JOB_IFACE in args[1]:
            return str(args[0]), args[1][JOB_IFACE]
    return None


def progress_values(s, job):
    vals = []
    for iface, member, path, args in s.signals:
        if member == 'PropertiesChanged' and path == job and args[0] == JOB_IFACE and 'Progress' in args[1]:
            vals.append(float(args[1]['Progress']))
    return vals


def finished(s, job):
    for iface, member, path, args in s.signals:
        if member == 'Finished' and path == job:
            return bool(args[0]), str(args[1])
    return None


def test_wipe_runs_as_job(s):
    result = start_wipe(s)
    wait_for(s, lambda: job_added(s))
    job, props = job_added(s)
    assert job.startswith(TEST_PATH + '/job/')
    assert props['Operation'] == 'StorageVolWipe'
    assert props['Object'] == VOL
    assert props['State'] == 'running'
    assert int(props['BytesTotal']) == 100 * 1024 * 1024
    assert not result, 'Wipe replied before its job finished'
    # the job is listed by the ObjectManager while it runs
    managed = s.iface(TEST_PATH, OM).GetManagedObjects()
    assert JOB_IFACE in managed[dbus.ObjectPath(job)]
    wait_for(s, lambda: result)
    assert result == {'ok': True}
    assert finished(s, job) == (True, '')
    # the last PropertiesChanged is coalesced and may come after the reply
    wait_for(s, lambda: 1.0 in progress_values(s, job))
    vals = progress_values(s, job)
    assert len(vals) >= 3 and vals == sorted(vals) and vals[-1] == 1.0
    assert s.get(job, JOB_IFACE, 'State') == 'completed'


def test_cancel_job(s):
    result = start_wipe(s)
    wait_for(s, lambda: job_added(s))
    job, _ = job_added(s)
    s.iface(job, JOB_IFACE).Cancel()
    wait_for(s, lambda: result)
    assert 'error' in result
    assert result['error'].get_dbus_name() == 'org.libvirt.Error'
    assert 'operation aborted' in result['error'].get_dbus_message()
    ok, msg = finished(s, job)
    assert not ok and 'cancelled' in msg
    assert s.get(job, JOB_IFACE, 'State') == 'cancelled'
    # a finished job cannot be cancelled again
    with pytest.raises(dbus.DBusException) as e:
        s.iface(job, JOB_IFACE).Cancel()
    assert 'is not running' in e.value.get_dbus_message()


def test_volume_busy_while_job_runs(s):
    result = start_wipe(s)
    wait_for(s, lambda: job_added(s))
    with pytest.raises(dbus.DBusException) as e:
        s.iface(VOL, 'org.libvirt.StorageVol').Delete(0)
    assert 'still in use' in e.value.get_dbus_message()
    with pytest.raises(dbus.DBusException) as e:
        s.iface(POOL, 'org.libvirt.StoragePool').Destroy()
    assert 'asynchronous jobs running' in e.value.get_dbus_message()
    wait_for(s, lambda: result)
    s.iface(VOL, 'org.libvirt.StorageVol').Delete(0)


def test_job_path_of_missing_job(s):
    with pytest.raises(dbus.DBusException) as e:
        s.iface(TEST_PATH + '/job/999', JOB_IFACE).Cancel()
    assert e.value.get_dbus_name() == 'org.libvirt.Error'


def test_clone_runs_as_job_and_replies_with_path(s):
    result = {}
    clone = "<volume><name>clone.img</name><capacity unit='MiB'>1</capacity></volume>"
    s.iface(POOL, 'org.libvirt.StoragePool').StorageVolCreateXMLFrom(
        clone, '/default-pool/wipe.img', 0,
        reply_handler=lambda path: result.update(path=str(path)),
        error_handler=lambda err: result.update(error=err))
    wait_for(s, lambda: job_added(s))
    job, props = job_added(s)
    assert props['Operation'] == 'StorageVolCreateXMLFrom'
    assert props['Object'] == POOL
    # the source is busy while it is copied
    with pytest.raises(dbus.DBusException) as e:
        s.iface(VOL, 'org.libvirt.StorageVol').Delete(0)
    assert 'still in use' in e.value.get_dbus_message()
    wait_for(s, lambda: result)
    assert result == {'path': TEST_PATH + '/storagevol/_2fdefault_2dpool_2fclone_2eimg'}
    assert finished(s, job) == (True, '')
    # the clone is as large as its source
    info = s.iface(result['path'], 'org.libvirt.StorageVol').GetInfo(0)
    assert int(info[1]) == 100 * 1024 * 1024


def test_cancelled_clone_creates_nothing(s):
    result = {}
    clone = "<volume><name>gone.img</name><capacity>1</capacity></volume>"
    s.iface(POOL, 'org.libvirt.StoragePool').StorageVolCreateXMLFrom(
        clone, '/default-pool/wipe.img', 0,
        reply_handler=lambda path: result.update(path=str(path)),
        error_handler=lambda err: result.update(error=err))
    wait_for(s, lambda: job_added(s))
    job, _ = job_added(s)
    s.iface(job, JOB_IFACE).Cancel()
    wait_for(s, lambda: result)
    assert 'operation aborted' in result['error'].get_dbus_message()
    names = [str(p) for p in s.iface(POOL, 'org.libvirt.StoragePool').ListStorageVolumes(0)]
    assert names == [VOL]


def test_allocating_create_runs_as_job_sparse_does_not(s):
    result = {}
    xml = "<volume><name>big.img</name><capacity unit='MiB'>10</capacity></volume>"
    s.iface(POOL, 'org.libvirt.StoragePool').StorageVolCreateXML(
        xml, 0, reply_handler=lambda path: result.update(path=str(path)),
        error_handler=lambda err: result.update(error=err))
    wait_for(s, lambda: job_added(s))
    job, props = job_added(s)
    assert props['Operation'] == 'StorageVolCreateXML'
    assert props['Object'] == POOL
    assert int(props['BytesTotal']) == 10 * 1024 * 1024
    # the pool cannot stop while a volume is being allocated in it
    with pytest.raises(dbus.DBusException) as e:
        s.iface(POOL, 'org.libvirt.StoragePool').Destroy()
    assert 'asynchronous jobs running' in e.value.get_dbus_message()
    wait_for(s, lambda: result)
    assert result == {'path': TEST_PATH + '/storagevol/_2fdefault_2dpool_2fbig_2eimg'}
    assert finished(s, job) == (True, '')
    # a sparse volume needs no job
    s.clear_signals()
    path = s.iface(POOL, 'org.libvirt.StoragePool').StorageVolCreateXML(
        "<volume><name>sparse.img</name><capacity>1024</capacity><allocation>0</allocation></volume>", 0)
    assert str(path).endswith('sparse_2eimg')
    s.pump(0.1)
    assert job_added(s) is None


DOMAIN = TEST_PATH + '/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f'


def test_managed_save_runs_as_job(s):
    result = {}
    s.iface(DOMAIN, 'org.libvirt.Domain').ManagedSave(
        0, reply_handler=lambda: result.update(ok=True),
        error_handler=lambda err: result.update(error=err))
    wait_for(s, lambda: job_added(s))
    job, props = job_added(s)
    assert props['Operation'] == 'ManagedSave'
    assert props['Object'] == DOMAIN
    assert int(props['BytesTotal']) == 2097152 * 1024
    wait_for(s, lambda: result)
    assert result == {'ok': True}
    assert finished(s, job) == (True, '')
    dom = s.iface(DOMAIN, 'org.libvirt.Domain')
    assert tuple(dom.GetState(0)) == (5, 5)
    assert dom.HasManagedSaveImage(0)


def test_save_fails_when_domain_stops_meanwhile(s):
    result = {}
    dom = s.iface(DOMAIN, 'org.libvirt.Domain')
    dom.ManagedSave(0, reply_handler=lambda: result.update(ok=True),
                    error_handler=lambda err: result.update(error=err))
    wait_for(s, lambda: job_added(s))
    job, _ = job_added(s)
    dom.Destroy(0)
    wait_for(s, lambda: result)
    assert 'stopped while it was saved' in result['error'].get_dbus_message()
    ok, msg = finished(s, job)
    assert not ok and 'stopped while it was saved' in msg
    assert not dom.HasManagedSaveImage(0)
