#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Boot the virtbus test guest with plain qemu-system-x86_64 (no virtbusd).

    /usr/bin/python3 tests/qemu/boot-check.py [--guest-dir DIR] [--serial pty|unix]
                                              [--machine pc|q35] [--runs N] [--boot-timeout S]
                                              [--shutdown-timeout S] [-v]

For every run: start QEMU under TCG with the guest from build-guest.sh (run
first unless --guest-dir is given), a QMP unix socket and the serial port on a
pty (found through QMP query-chardev, as a driver would) or a unix socket;
wait for VIRTBUS-GUEST-READY, write a line and expect "ECHO:<line>", send QMP
system_powerdown and expect the guest's power-button handler, a SHUTDOWN event
(guest: true) and the QEMU process to exit 0 — each step with a deadline.
Prints the timings and exits non-zero on the first failure.
"""

import argparse
import json
import os
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
MARKER = b"VIRTBUS-GUEST-READY"
POWERBUTTON = b"VIRTBUS-GUEST-POWERBUTTON"


class CheckFailed(Exception):
    pass


class Guest:
    """One QEMU process with its QMP socket and serial channel."""

    def __init__(self, guest_dir, serial_kind, workdir, verbose, machine="pc"):
        self.verbose = verbose
        self.qmp_path = os.path.join(workdir, "qmp.sock")
        self.serial_path = os.path.join(workdir, "serial.sock")
        with open(os.path.join(guest_dir, "cmdline")) as f:
            cmdline = f.read().strip()
        if serial_kind == "pty":
            chardev = "pty,id=ser0"
        else:
            chardev = "socket,id=ser0,path=%s,server=on,wait=off" % self.serial_path
        self.argv = [
            "qemu-system-x86_64",
            "-machine", machine + ",accel=tcg", "-cpu", "qemu64",
            "-m", "128", "-smp", "1",
            "-nographic", "-nodefaults", "-no-user-config",
            "-kernel", os.path.join(guest_dir, "vmlinuz"),
            "-initrd", os.path.join(guest_dir, "initrd.img"),
            "-append", cmdline,
            "-chardev", chardev, "-serial", "chardev:ser0",
            "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
        ]
        self.serial_kind = serial_kind
        self.proc = None
        self.qmp = None
        self.qmp_buf = b""
        self.events = []
        self.replies = {}
        self.next_id = 0
        self.serial_fd = None
        self.serial_buf = b""

    # ---- process ----
    def start(self):
        self.t_start = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def exited(self):
        return self.proc.poll() is not None

    def output(self):
        if self.exited():
            return self.proc.stdout.read().decode(errors="replace")
        return ""

    def kill(self):
        if self.proc and not self.exited():
            self.proc.kill()
            self.proc.wait()
        if self.serial_fd is not None:
            os.close(self.serial_fd)
            self.serial_fd = None
        if self.qmp:
            self.qmp.close()
            self.qmp = None

    # ---- waiting ----
    def pump(self, deadline):
        """Read whatever QMP and serial have, waiting at most until deadline."""
        fds = [f for f in (self.qmp.fileno() if self.qmp else None, self.serial_fd) if f is not None]
        timeout = max(0.0, deadline - time.monotonic())
        if not fds:
            time.sleep(min(timeout, 0.01))
            return
        readable, _, _ = select.select(fds, [], [], min(timeout, 0.2))
        for fd in readable:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""  # a pty reads EIO once QEMU closed its side
            if self.qmp and fd == self.qmp.fileno():
                if not data:
                    self.qmp.close()
                    self.qmp = None
                    continue
                self.qmp_buf += data
                while b"\n" in self.qmp_buf:
                    line, self.qmp_buf = self.qmp_buf.split(b"\n", 1)
                    if line.strip():
                        self.on_qmp(json.loads(line))
            else:
                if not data:
                    os.close(self.serial_fd)
                    self.serial_fd = None
                    continue
                if self.verbose:
                    sys.stderr.write(data.decode(errors="replace"))
                self.serial_buf += data

    def wait_for(self, what, cond, seconds):
        deadline = time.monotonic() + seconds
        while True:
            result = cond()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise CheckFailed("timed out after %.1f s waiting for %s; serial so far: %r"
                                  % (seconds, what, self.serial_buf[-400:]))
            if self.exited() and what != "QEMU exit" and not self.qmp and self.serial_fd is None:
                raise CheckFailed("QEMU exited (%s) while waiting for %s: %s"
                                  % (self.proc.returncode, what, self.output()))
            self.pump(deadline)

    # ---- QMP ----
    def on_qmp(self, msg):
        if "QMP" in msg:
            self.greeting = msg
        elif "event" in msg:
            self.events.append((time.monotonic(), msg))
        elif "id" in msg:
            self.replies[msg["id"]] = msg

    def connect_qmp(self, seconds):
        deadline = time.monotonic() + seconds
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.qmp_path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                s.close()
                if self.exited():
                    raise CheckFailed("QEMU exited before QMP was up: " + self.output())
                if time.monotonic() >= deadline:
                    raise CheckFailed("QMP socket not ready within %.1f s" % seconds)
                # The socket appears when QEMU has parsed its options; nothing to poll on.
                select.select([], [], [], 0.005)
        self.qmp = s
        self.greeting = None
        self.wait_for("QMP greeting", lambda: self.greeting, seconds)
        self.t_qmp = time.monotonic()
        self.command("qmp_capabilities", timeout=seconds)

    def command(self, name, arguments=None, timeout=10):
        self.next_id += 1
        cid = "c%d" % self.next_id
        msg = {"execute": name, "id": cid}
        if arguments:
            msg["arguments"] = arguments
        self.qmp.sendall(json.dumps(msg).encode() + b"\n")
        reply = self.wait_for("reply to " + name, lambda: self.replies.pop(cid, None), timeout)
        if "error" in reply:
            raise CheckFailed("QMP %s failed: %s" % (name, reply["error"]))
        return reply["return"]

    # ---- serial ----
    def open_serial(self, seconds):
        if self.serial_kind == "pty":
            chardevs = self.command("query-chardev")
            filename = next(c["filename"] for c in chardevs if c["label"] == "ser0")
            if not filename.startswith("pty:"):
                raise CheckFailed("ser0 is not a pty: " + filename)
            fd = os.open(filename[4:], os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            # Raw: no echo of guest output back into the guest, no CR/NL mapping.
            tty.setraw(fd)
            self.serial_fd = fd
        else:
            deadline = time.monotonic() + seconds
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            while True:
                try:
                    s.connect(self.serial_path)
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    if time.monotonic() >= deadline:
                        raise CheckFailed("serial socket not ready within %.1f s" % seconds)
                    select.select([], [], [], 0.005)
            self.serial_fd = s.detach()  # the fd is owned and closed here, not by the socket
            os.set_blocking(self.serial_fd, False)

    def serial_write(self, data):
        view = memoryview(data)
        while view:
            _, writable, _ = select.select([], [self.serial_fd], [], 5)
            if not writable:
                raise CheckFailed("serial port not writable")
            n = os.write(self.serial_fd, view)
            view = view[n:]

    def serial_has(self, needle):
        return needle in self.serial_buf


def run_once(guest_dir, args, workdir):
    g = Guest(guest_dir, args.serial, workdir, args.verbose, args.machine)
    t = {}
    try:
        g.start()
        g.connect_qmp(args.boot_timeout)
        t["exec_to_qmp"] = g.t_qmp - g.t_start
        g.open_serial(args.boot_timeout)
        g.wait_for(MARKER.decode(), lambda: g.serial_has(MARKER), args.boot_timeout)
        t_ready = time.monotonic()
        t["exec_to_marker"] = t_ready - g.t_start

        line = "hello virtbus %d" % os.getpid()
        expect = ("ECHO:" + line).encode()
        g.serial_write(line.encode() + b"\n")
        g.wait_for(expect.decode(), lambda: g.serial_has(expect), 10)
        t["echo_roundtrip"] = time.monotonic() - t_ready

        t_pd = time.monotonic()
        g.command("system_powerdown")
        shutdown = g.wait_for(
            "SHUTDOWN event",
            lambda: next((e for e in g.events if e[1]["event"] == "SHUTDOWN"), None),
            args.shutdown_timeout)
        t["powerdown_to_event"] = shutdown[0] - t_pd
        data = shutdown[1].get("data", {})
        if data.get("guest") is not True:
            raise CheckFailed("SHUTDOWN was not guest-initiated: %s" % shutdown[1])
        remaining = max(0.1, args.shutdown_timeout - (time.monotonic() - t_pd))
        try:
            rc = g.proc.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            raise CheckFailed("QEMU still running %.1f s after system_powerdown" % args.shutdown_timeout)
        t["powerdown_to_exit"] = time.monotonic() - t_pd
        # Drain what the guest wrote before powering off.
        g.wait_for("serial EOF", lambda: g.serial_fd is None, 5)
        if rc != 0:
            raise CheckFailed("QEMU exited with %d: %s" % (rc, g.output()))
        if not g.serial_has(POWERBUTTON):
            raise CheckFailed("the guest's power-button handler did not run (no %s)" % POWERBUTTON.decode())
        t["shutdown_reason"] = data.get("reason")
        return t
    finally:
        g.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--guest-dir", help="directory with vmlinuz, initrd.img, cmdline "
                    "(default: run build-guest.sh into tests/qemu/cache/guest)")
    ap.add_argument("--serial", choices=("pty", "unix"), default="pty")
    ap.add_argument("--machine", choices=("pc", "q35"), default="pc")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--boot-timeout", type=float, default=60.0)
    ap.add_argument("--shutdown-timeout", type=float, default=30.0)
    ap.add_argument("-v", "--verbose", action="store_true", help="copy the serial console to stderr")
    args = ap.parse_args()

    guest_dir = args.guest_dir
    if not guest_dir:
        guest_dir = os.path.join(HERE, "cache", "guest")
        t0 = time.monotonic()
        subprocess.run([os.path.join(HERE, "build-guest.sh"), guest_dir], check=True)
        print("build-guest.sh: %.2f s" % (time.monotonic() - t0))

    results = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="virtbus-boot-check.") as workdir:
            try:
                t = run_once(guest_dir, args, workdir)
            except CheckFailed as e:
                print("FAIL (run %d): %s" % (i + 1, e))
                return 1
        results.append(t)
        print("run %d: exec->QMP %.3f s, exec->marker %.2f s, echo %.3f s, "
              "powerdown->SHUTDOWN %.2f s, powerdown->exit %.2f s (reason %s)"
              % (i + 1, t["exec_to_qmp"], t["exec_to_marker"], t["echo_roundtrip"],
                 t["powerdown_to_event"], t["powerdown_to_exit"], t["shutdown_reason"]))
    if args.runs > 1:
        for key in ("exec_to_marker", "powerdown_to_exit"):
            vals = [r[key] for r in results]
            print("%s: median %.2f s, min %.2f s, max %.2f s"
                  % (key, statistics.median(vals), min(vals), max(vals)))
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
