#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Record a QMP transcript from a real qemu-system-x86_64 in the format the unit
tests replay (tests/data/qmp/*.txt, see tests/unit/qmp-mock.h):

    tools/qmp-record.py > tests/data/qmp/real-qemu-7.2.txt

Starts `qemu-system-x86_64 -machine none -nodefaults` with its monitor on a socket
this script creates and passes as fd 3, runs a fixed command sequence, and prints
"S:"/"C:" lines; "id" members are left out (the mock re-adds the client's ids) and
the end of the stream is written as CLOSE."""
import json
import os
import socket
import subprocess
import sys
import tempfile

COMMANDS = [
    ("qmp_capabilities", None),
    ("query-status", None),
    ("query-balloon", None),
    ("query-blockstats", None),
    ("stop", None),
    ("query-status", None),
    ("cont", None),
    ("query-migrate", None),
    ("no-such-command", None),
    ("quit", None),
]


def without_id(obj):
    return {k: v for k, v in obj.items() if k != "id"}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "qmp.sock")
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(path)
        lsock.listen(1)
        qemu = subprocess.Popen(
            ["qemu-system-x86_64", "-machine", "none", "-nodefaults", "-no-user-config",
             "-nographic", "-display", "none",
             "-chardev", "socket,id=mon,fd=3,server=on,wait=off",
             "-mon", "chardev=mon,mode=control"],
            pass_fds=[lsock.fileno()] if lsock.fileno() == 3 else [],
            preexec_fn=(lambda: os.dup2(lsock.fileno(), 3)) if lsock.fileno() != 3 else None)
        lsock.close()
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(path)
        f = conn.makefile("rwb")
        out = sys.stdout

        def server_line():
            line = f.readline()
            if not line:
                out.write("CLOSE\n")
                return None
            obj = json.loads(line)
            out.write("S: " + json.dumps(without_id(obj)) + "\n")
            return obj

        server_line()                           # greeting
        for n, (cmd, args) in enumerate(COMMANDS, start=1):
            msg = {"execute": cmd}
            if args is not None:
                msg["arguments"] = args
            out.write("C: " + json.dumps(msg) + "\n")
            msg["id"] = n
            f.write((json.dumps(msg) + "\n").encode())
            f.flush()
            while True:                         # events until this command's reply
                obj = server_line()
                if obj is None or "event" not in obj:
                    break
        while server_line() is not None:        # events after quit, then EOF
            pass
        qemu.wait(timeout=10)


if __name__ == "__main__":
    main()
