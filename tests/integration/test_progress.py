# SPDX-License-Identifier: LGPL-2.1-or-later
"""virtbusctl's progress display of org.virtbus.Job1 jobs, with `vol-wipe` on the test
driver (a timer-driven job of 10 steps of 50 ms): a bar with a percentage on a terminal
(virtbusctl runs in a tmux pane, read with capture-pane), plain lines otherwise, and
Ctrl-C (tmux send-keys C-c) cancels the job: "operation aborted", non-zero exit."""

import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from vbharness import TEST_PATH, wait_until, virtbusd_path

POOL_PATH = TEST_PATH + '/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566'
POOL_IFACE = 'org.libvirt.StoragePool'
VOL_XML = "<volume><name>wipe.img</name><capacity unit='MiB'>100</capacity></volume>"
BAR = re.compile(r'\[(#*) *\] +(\d+)%')
DEADLINE = 10.0


def virtbusctl_path():
    exe = os.environ.get('VIRTBUSCTL') or \
        os.path.join(os.path.dirname(virtbusd_path()), 'tools', 'virtbusctl')
    if not os.access(exe, os.X_OK):
        pytest.fail('virtbusctl not found at %s (set VIRTBUSCTL)' % exe)
    return exe


@pytest.fixture
def wipe_vb(vb):
    """The daemon of the `vb` fixture with a 100 MiB volume wipe.img in default-pool."""
    vb.call_ok(POOL_PATH, POOL_IFACE, 'StorageVolCreateXML', 'su', (VOL_XML, 0))
    return vb


class Tmux:
    """A private tmux server (own socket, no user config) running one command in a
    120x10 pane; the command's exit status is written to a file and the pane stays."""

    def __init__(self, argv):
        if not shutil.which('tmux'):
            pytest.fail('tmux is missing (tools/install-deps.sh installs it)')
        self.tmp = tempfile.mkdtemp(prefix='vb-tmux-')
        self.sock = os.path.join(self.tmp, 'tmux.sock')
        self.rc_file = os.path.join(self.tmp, 'rc')
        # the shell traps SIGINT (a handler, reset to the default in the command) so that
        # Ctrl-C in the pane reaches the command and the shell still records its status
        script = 'trap : INT; %s; echo $? > %s.new && mv %s.new %s; exec sleep 600' % (
            ' '.join(shlex.quote(a) for a in argv), self.rc_file, self.rc_file, self.rc_file)
        self.env = dict(os.environ, TERM='xterm')
        self.env.pop('TMUX', None)
        r = self.tmux('new-session', '-d', '-x', '120', '-y', '10', 'sh', '-c', script)
        if r.returncode != 0:
            self.close()
            pytest.fail('tmux new-session failed: %s' % r.stderr)

    def tmux(self, *args):
        return subprocess.run(['tmux', '-S', self.sock, '-f', '/dev/null'] + list(args),
                              capture_output=True, text=True, timeout=DEADLINE,
                              env=self.env, stdin=subprocess.DEVNULL)

    def capture(self):
        r = self.tmux('capture-pane', '-p', '-t', '0')
        return r.stdout if r.returncode == 0 else ''

    def send_keys(self, *keys):
        r = self.tmux('send-keys', '-t', '0', *keys)
        assert r.returncode == 0, r.stderr

    def rc(self):
        try:
            with open(self.rc_file) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def close(self):
        if os.path.exists(self.sock):
            self.tmux('kill-server')
        shutil.rmtree(self.tmp, ignore_errors=True)


def wipe_argv(env):
    return [virtbusctl_path(), '--address', env.address, '-c', 'test',
            'vol-wipe', 'default-pool', 'wipe.img']


def test_bar_on_a_terminal(wipe_vb):
    t = Tmux(wipe_argv(wipe_vb))
    try:
        seen = []

        def poll():
            screen = t.capture()
            seen.extend(int(m.group(2)) for m in BAR.finditer(screen))
            return t.rc() is not None

        wait_until(poll, DEADLINE, 'vol-wipe in tmux to exit')
        screen = t.capture()
        assert t.rc() == 0, screen
        # a bar with a percentage while the job ran, and the full bar at the end
        assert any(0 < p < 100 for p in seen), 'no intermediate bar seen: %r\n%s' % (seen, screen)
        assert seen == sorted(seen), seen
        assert re.search(r'\[#{40}\] 100%', screen), screen
        assert 'Vol wipe.img wiped' in screen, screen
        assert 'progress:' not in screen, screen
    finally:
        t.close()


def test_plain_lines_without_a_terminal(wipe_vb):
    r = subprocess.run(wipe_argv(wipe_vb), stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=DEADLINE)
    assert r.returncode == 0, r.stderr
    assert r.stdout == 'Vol wipe.img wiped\n'
    lines = r.stderr.splitlines()
    assert lines, 'no progress lines'
    assert all(re.fullmatch(r'progress: \d+%', l) for l in lines), r.stderr
    pcts = [int(l.split()[1].rstrip('%')) for l in lines]
    assert pcts == sorted(pcts) and len(pcts) >= 3 and pcts[-1] == 100, pcts
    assert '\r' not in r.stderr and '[' not in r.stderr


def test_ctrl_c_cancels_the_job(wipe_vb):
    daemon = wipe_vb.daemons[-1].proc
    t = Tmux(wipe_argv(wipe_vb))
    stopped = False
    try:
        # as soon as the bar shows the job running, freeze the daemon so that the job
        # cannot finish before the Cancel arrives, whatever the machine's load
        def running():
            m = BAR.search(t.capture())
            return m is not None and int(m.group(2)) < 100
        wait_until(running, DEADLINE, 'a progress bar below 100%')
        daemon.send_signal(signal.SIGSTOP)
        stopped = True
        t.send_keys('C-c')
        wait_until(lambda: 'cancelling' in t.capture(), DEADLINE, 'virtbusctl to cancel the job')
        daemon.send_signal(signal.SIGCONT)
        stopped = False
        wait_until(lambda: t.rc() is not None, DEADLINE, 'vol-wipe to exit after Ctrl-C')
        screen = t.capture()
        assert t.rc() != 0, screen
        assert re.search(r'cancelling /org/libvirt/Test/job/\d+', screen), screen
        assert 'operation aborted' in screen, screen
        assert 'wiped' not in screen, screen
        # the daemon is fine and the volume is no longer busy: a second wipe completes
        r = subprocess.run(wipe_argv(wipe_vb), stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=DEADLINE)
        assert r.returncode == 0, r.stderr
    finally:
        if stopped:
            daemon.send_signal(signal.SIGCONT)
        t.close()


# ---- vol-upload / vol-download (org.virtbus.StorageVol1): the same display -------

UPLOAD_SIZE = 8 * 1024 * 1024


def upload_argv(env, fifo, length=UPLOAD_SIZE):
    return [virtbusctl_path(), '--address', env.address, '-c', 'test',
            'vol-upload', 'wipe.img', fifo, '--pool', 'default-pool', '--length', str(length)]


def slow_writer(fifo, data, chunks, pause, stop=None):
    """Open the FIFO (once virtbusctl opened its end) and feed it slowly."""
    import threading

    def run():
        try:
            with open(fifo, 'wb', buffering=0) as f:
                step = len(data) // chunks
                for i in range(chunks):
                    if stop is not None and stop.is_set():
                        stop.wait(DEADLINE)   # keep the FIFO open, send nothing more
                        return
                    f.write(data[i * step:(i + 1) * step])
                    time.sleep(pause)
        except OSError:
            pass
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_upload_bar_on_a_terminal(wipe_vb):
    import hashlib
    data = os.urandom(UPLOAD_SIZE)
    tmp = tempfile.mkdtemp(prefix='vb-upload-')
    fifo = os.path.join(tmp, 'fifo')
    os.mkfifo(fifo)
    t = Tmux(upload_argv(wipe_vb, fifo))
    try:
        writer = slow_writer(fifo, data, 16, 0.15)
        seen = []

        def poll():
            seen.extend(int(m.group(2)) for m in BAR.finditer(t.capture()))
            return t.rc() is not None

        wait_until(poll, DEADLINE, 'vol-upload in tmux to exit')
        writer.join(DEADLINE)
        screen = t.capture()
        assert t.rc() == 0, screen
        assert any(0 < p < 100 for p in seen), 'no intermediate bar seen: %r\n%s' % (seen, screen)
        assert seen == sorted(seen), seen
        assert re.search(r'\[#{40}\] 100%', screen), screen
        assert 'Vol wipe.img uploaded from ' + fifo in screen, screen
        # vol-download without a terminal: plain progress lines, the same bytes back
        out = os.path.join(tmp, 'back')
        r = subprocess.run([virtbusctl_path(), '--address', wipe_vb.address, '-c', 'test',
                            'vol-download', 'wipe.img', out, '--pool', 'default-pool',
                            '--length', str(UPLOAD_SIZE)],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=DEADLINE)
        assert r.returncode == 0, r.stderr
        assert r.stdout == 'Vol wipe.img downloaded to %s\n' % out
        assert r.stderr.splitlines()[-1] == 'progress: 100%', r.stderr
        with open(out, 'rb') as f:
            assert hashlib.sha256(f.read()).digest() == hashlib.sha256(data).digest()
    finally:
        t.close()
        shutil.rmtree(tmp, ignore_errors=True)


def test_upload_ctrl_c_cancels(wipe_vb):
    import threading
    tmp = tempfile.mkdtemp(prefix='vb-upload-')
    fifo = os.path.join(tmp, 'fifo')
    os.mkfifo(fifo)
    stop = threading.Event()
    t = Tmux(upload_argv(wipe_vb, fifo))
    try:
        writer = slow_writer(fifo, os.urandom(UPLOAD_SIZE), 16, 0.1, stop)

        def running():
            m = BAR.search(t.capture())
            return m is not None and 0 < int(m.group(2)) < 100
        wait_until(running, DEADLINE, 'a progress bar below 100%')
        stop.set()   # the upload now waits for data: it cannot finish before the Cancel
        t.send_keys('C-c')
        wait_until(lambda: t.rc() is not None, DEADLINE, 'vol-upload to exit after Ctrl-C')
        screen = t.capture()
        assert t.rc() == 1, screen
        assert re.search(r'cancelling /org/libvirt/Test/job/\d+', screen), screen
        assert 'operation aborted' in screen and 'uploaded' not in screen, screen
        writer.join(DEADLINE)
    finally:
        stop.set()
        t.close()
        shutil.rmtree(tmp, ignore_errors=True)


def test_upload_errors_exit_codes(wipe_vb):
    base = [virtbusctl_path(), '--address', wipe_vb.address, '-c', 'test']
    run = lambda *a: subprocess.run(base + list(a), stdin=subprocess.DEVNULL, capture_output=True,  # noqa: E731
                                    text=True, timeout=DEADLINE)
    r = run('vol-upload', 'wipe.img', '/dev/null', '--pool', 'default-pool', '--offset', str(200 * 1024 * 1024))
    assert r.returncode == 1 and 'beyond the end' in r.stderr, r.stderr
    r = run('vol-upload', 'nope.img', '/dev/null', '--pool', 'default-pool')
    assert r.returncode == 3, r.stderr
    r = run('vol-upload', 'wipe.img', '/nonexistent/file', '--pool', 'default-pool')
    assert r.returncode == 3 and "cannot open '/nonexistent/file'" in r.stderr, r.stderr
    r = run('vol-download', 'wipe.img', '-', '--pool', 'default-pool', '--length', 'x')
    assert r.returncode == 2, r.stderr
    # - is standard output: the data there, the note on stderr
    r = subprocess.run(base + ['vol-download', 'wipe.img', '-', '--pool', 'default-pool', '--length', '5'],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=DEADLINE)
    assert r.returncode == 0 and r.stdout == bytes(5), r
    assert b'Vol wipe.img downloaded to stdout' in r.stderr, r.stderr
