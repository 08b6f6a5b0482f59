#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""summarize.py RAW COMMANDS: medians over rounds of a bench/run.sh run -> markdown tables.

RAW holds "label=rR/TARGET/NAME key=value ..." lines (vbbench and rss lines); COMMANDS holds
"TARGET/NAME<TAB>command" for round 1. Cells are medians over rounds; the p50 range over
rounds is shown where it helps judge the noise."""
import re
import shlex
import statistics
import sys
from collections import defaultdict

raw_path, cmd_path = sys.argv[1], sys.argv[2]
runs = defaultdict(list)          # (target, name) -> [dict per round]
date = "?"
bus = "dbus-daemon"               # runs before BUS= existed were all on dbus-daemon
versions = {}
notes = []
for line in open(raw_path):
    line = line.strip()
    if line.startswith("# date="):
        date = line.split("date=")[1].split("T")[0]
        m = re.search(r"\bbus=(\S+)", line)
        if m:
            bus = m.group(1)
    if line.startswith("# version "):
        w = line.split()
        if len(w) >= 4:
            versions[w[2]] = w[3]
    if line.startswith("#"):
        if "not implemented" in line or "probe failed" in line:
            notes.append(line[2:])
        continue
    if not line.startswith("label="):
        continue
    kv = dict(w.split("=", 1) for w in shlex.split(line) if "=" in w)
    m = re.match(r"r(\d+)/([^/]+)/(.+)", kv["label"])
    if not m:
        continue
    runs[(m.group(2), m.group(3))].append(kv)

cmds = {}
for line in open(cmd_path):
    k, _, c = line.rstrip("\n").partition("\t")
    cmds[k] = re.sub(r"unix:path=\S+", "$ADDR", c.replace("vbbench  ", "vbbench "))


def med(target, name, key):
    v = [float(r[key]) for r in runs.get((target, name), [])
         if key in r and r.get("errors", "0") == "0" and r.get("vmrss_kib", "1") != "0"]
    return statistics.median(v) if v else None


def rng(target, name, key):
    v = [float(r[key]) for r in runs.get((target, name), []) if key in r and r.get("errors", "0") == "0"]
    return (min(v), max(v)) if v else None


def errors(target, name):
    return sum(int(r.get("errors", "0")) for r in runs.get((target, name), []))


def fmt(x, unit=""):
    if x is None:
        return "—"
    if unit == "us":
        return f"{x / 1000:.2f} ms" if x >= 10000 else f"{x:.0f} µs"
    if unit == "/s":
        return f"{x / 1000:.1f}k/s" if x >= 1000 else f"{x:.0f}/s"
    if unit == "kib":
        return f"{x / 1024:.1f} MiB"
    if unit == "B":
        return f"{x:.0f} B"
    return f"{x:.2f}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def rfmt(x):
    return "—" if x is None else f"{x:.2f}×"


rows = []


def row(figure, v, p, f, unit, target, met, cmd):
    rows.append((figure, fmt(v, unit), fmt(p, unit), fmt(f, unit), rfmt(ratio(v, p)), rfmt(ratio(v, f)),
                 target, met, cmd))


def metstr(ok):
    return "—" if ok is None else ("yes" if ok else "**no**")


def cmd_of(t, name):
    return "`" + cmds.get(f"{t}/{name}", "?") + "`"


floor_p50 = med("floor", "Nop-k1", "p50_us")
methods = ["Ping", "ListDomains", "DomainLookupByName", "GetXMLDesc", "GetState", "GetStats", "GetAll",
           "Introspect-domain", "Introspect-domaindir"]

# per call, sequential: p50 ≤ 1.3× floor and ≥ 2× faster than the peer
for mth in methods:
    name = f"{mth}-k1"
    v, p = med("virtbus", name, "p50_us"), med("peer", name, "p50_us")
    if v is None and p is None:
        continue
    ok = None
    if v is not None and p is not None and floor_p50:
        ok = v <= 1.3 * floor_p50 and p / v >= 2
    note = "" if errors("virtbus", name) == 0 else " (virtbus errors)"
    if v is None:
        note = " (not implemented in virtbus)"
    row(f"{mth} p50, sequential{note}", v, p, floor_p50, "us", "≤ 1.3× floor, ≤ 0.5× peer", metstr(ok),
        cmd_of("virtbus" if v is not None else "peer", name))

# define + undefine: two calls; floor = two Nops
v, p = med("virtbus", "define-undefine", "p50_us"), med("peer", "define-undefine", "p50_us")
f2 = 2 * floor_p50 if floor_p50 else None
ok = None if None in (v, p, f2) else (v <= 1.3 * f2 and p / v >= 2)
row("DomainDefineXML + Undefine cycle p50 (floor = 2 Nops)", v, p, f2, "us", "≤ 1.3× floor, ≤ 0.5× peer", metstr(ok),
    cmd_of("virtbus", "define-undefine"))

# the QEMU connection, sequential: ≥ 4× faster than the peer (libvirt-dbus → libvirtd qemu:///system);
# virtbusd --drivers qemu on a third bus, the floor is the echo's Nop on that bus
qemu_methods = ["ListDomains", "DomainLookupByName", "GetXMLDesc", "GetState", "GetAll"]
floor_q = med("floor-qemu", "Nop-k1", "p50_us")
for mth in qemu_methods:
    name = f"QEMU-{mth}-k1"
    v, p = med("virtbus-qemu", name, "p50_us"), med("peer", name, "p50_us")
    if v is None and p is None:
        continue
    ok = None if None in (v, p) else p / v >= 4
    note = "".join(f" ({t} errors)" for t in ["virtbus-qemu", "peer"] if errors(t, name))
    row(f"{mth} p50, sequential, QEMU connection (1 shut-off domain; virtbus `--drivers qemu`, peer via "
        f"libvirtd; floor: echo on virtbus's bus){note}", v, p, floor_q, "us", "≥ 4× faster than peer (≤ 0.25× peer)",
        metstr(ok), cmd_of("virtbus-qemu" if v is not None else "peer", name))

# in flight: calls/s ≥ 3× the peer at 16
for k in [4, 16]:
    fk = med("floor", f"Nop-k{k}", "calls_per_s")
    for mth in methods:
        name = f"{mth}-k{k}"
        v, p = med("virtbus", name, "calls_per_s"), med("peer", name, "calls_per_s")
        if v is None and p is None:
            continue
        ok = None
        if k == 16 and v is not None and p is not None:
            ok = v / p >= 3
        row(f"{mth} calls/s, {k} in flight", v, p, fk, "/s", "≥ 3× peer" if k == 16 else "(no target)",
            metstr(ok), cmd_of("virtbus" if v is not None else "peer", name))

# scale
for at in [1000, 10000]:
    fl = med("floor", "Paths10000" if at == 10000 else "Paths1000", "p50_us")
    v, p = med("virtbus", f"ListDomains-at-{at}", "p50_us"), med("peer", f"ListDomains-at-{at}", "p50_us")
    ok = None if at != 10000 or None in (v, p) else p / v >= 8
    row(f"ListDomains p50 at {at:,} domains (floor: echo returning {at:,} paths)", v, p, fl, "us",
        "≤ 1/8 of peer" if at == 10000 else "(no target)", metstr(ok), cmd_of("virtbus", f"ListDomains-at-{at}"))
    v = med("virtbus", f"GetManagedObjects-at-{at}", "p50_us")
    row(f"GetManagedObjects p50 at {at:,} (virtbus only)", v, None, None, "us", "(no target)", "—",
        cmd_of("virtbus", f"GetManagedObjects-at-{at}"))
    fb = med("floor", "Blob843k", "p50_us") if at == 10000 else None
    v, p = med("virtbus", f"Introspect-domaindir-at-{at}", "p50_us"), med("peer", f"Introspect-domaindir-at-{at}", "p50_us")
    row(f"Introspect of /org/libvirt/Test/domain p50 at {at:,}" + (" (floor: 843 KB string)" if fb else ""),
        v, p, fb, "us", "(no target)", "—", cmd_of("virtbus", f"Introspect-domaindir-at-{at}"))
    for mth in ["DomainLookupByName", "GetXMLDesc", "GetState"]:
        v, p = med("virtbus", f"{mth}-at-{at}", "p50_us"), med("peer", f"{mth}-at-{at}", "p50_us")
        ok = None if None in (v, p) or not floor_p50 else (v <= 1.3 * floor_p50 and p / v >= 2)
        row(f"{mth} p50 at {at:,}", v, p, floor_p50, "us", "≤ 1.3× floor, ≤ 0.5× peer", metstr(ok),
            cmd_of("virtbus", f"{mth}-at-{at}"))
prev = 0
for at in [1000, 10000]:
    name = f"define-{prev}-to-{at}"
    v, p = med("virtbus", name, "calls_per_s"), med("peer", name, "calls_per_s")
    row(f"DomainDefineXML rate, {prev:,} → {at:,} domains", v, p, None, "/s", "(no target)", "—", cmd_of("virtbus", name))
    prev = at
v, p = med("virtbus", "lookup-undefine-all-10000", "p50_us"), med("peer", "lookup-undefine-all-10000", "p50_us")
row("LookupByName + Undefine cycle p50, undefining 10,000", v, p, None, "us", "(no target)", "—",
    cmd_of("virtbus", "lookup-undefine-all-10000"))

# memory; floor = the echo service (`vbbench serve`: libsystemd + libc only) after one Nop
v, p, f = med("virtbus", "rss-idle", "vmrss_kib"), med("peer", "rss-idle", "vmrss_kib"), med("floor", "rss-idle", "vmrss_kib")
row("RSS idle (peer = libvirtd + libvirt-dbus; after one ListDomains; floor = echo service after one Nop)",
    v, p, f, "kib", "≤ 4 MiB", metstr(None if v is None else v <= 4096), "`/proc/PID/status` VmRSS")

for key, what in [("rssanon_kib", "RssAnon: private heap/stack only"), ("pss_kib", "Pss: shared library pages split among their users")]:
    v, p, f = med("virtbus", "rss-idle", key), med("peer", "rss-idle", key), med("floor", "rss-idle", key)
    if v is not None:
        row(f"RSS idle, {what}", v, p, f, "kib", "(VmRSS is the target)", "—", "`/proc/PID/status`, `/proc/PID/smaps_rollup`")


def per_domain(t):
    vals = []
    for before, after in zip(runs.get((t, "rss-before-scale"), []), runs.get((t, "rss-at-10000"), [])):
        if float(before["vmrss_kib"]) > 0 and float(after["vmrss_kib"]) > 0:
            vals.append((float(after["vmrss_kib"]) - float(before["vmrss_kib"])) * 1024 / 10000)
    return statistics.median(vals) if vals else None


v, p = per_domain("virtbus"), per_domain("peer")
row("RSS per defined domain ((RSS at 10,000 − before) / 10,000)", v, p, None, "B", "≤ 2 KiB",
    metstr(None if v is None else v <= 2048), "`/proc/PID/status` VmRSS")
v, p = med("virtbus", "startup", "start_p50_us"), med("peer", "startup", "start_p50_us")
row("start → org.libvirt owned, 0 domains (peer: libvirt-dbus alone)", v, p, None, "us",
    "(no target at 0)", "—", cmd_of("virtbus", "startup"))
for (t, name) in sorted(k for k in runs if k[0] == "virtbus" and k[1].startswith("startup-qemu-")):
    v = med(t, name, "start_p50_us")
    n = int(name.rsplit("-", 1)[1])
    row(f"start → org.libvirt owned, {n:,} persistent domains (`--drivers qemu`, configs in ROOT/QEMU/config; "
        "median of the starts after 1 warm-up)", v, None, None, "us", "≤ 150 ms" if n == 10000 else "(no target)",
        metstr(None if v is None or n != 10000 else v <= 150000), cmd_of(t, name))

print("| figure | virtbus | peer | floor | virtbus/peer | virtbus/floor | target | met? | date | command |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(list(r[:8]) + [date, r[8]]) + " |")

# noise: p50 range over rounds for the sequential calls
print()
print("p50 range over rounds (µs, min–max), sequential:")
print()
print("| call | floor | peer | virtbus |")
print("|---|---|---|---|")
for mth in ["Nop"] + methods:
    name = f"{mth}-k1"
    cells = []
    for t in ["floor", "peer", "virtbus"]:
        r = rng(t, name, "p50_us")
        cells.append("—" if r is None else f"{r[0]:.0f}–{r[1]:.0f}")
    if cells != ["—"] * 3:
        print(f"| {mth} | " + " | ".join(cells) + " |")
for mth in qemu_methods:
    name = f"QEMU-{mth}-k1"
    cells = []
    for t, n in [("floor-qemu", "Nop-k1"), ("peer", name), ("virtbus-qemu", name)]:
        r = rng(t, n, "p50_us")
        cells.append("—" if r is None else f"{r[0]:.0f}–{r[1]:.0f}")
    if cells[1:] != ["—"] * 2:
        print(f"| {mth}, QEMU connection (floor: Nop on its bus) | " + " | ".join(cells) + " |")
b = med("floor-peerbus", "Nop-k1", "p50_us")
print()
bus_version = versions.get("dbus-broker" if bus == "dbus-broker" else "dbus-daemon")
print(f"Bus: {bus}" + (f" {bus_version}" if bus_version else "") +
      (" (run by bench/brokerctl)" if bus == "dbus-broker" else "") + ", private instances, allow-all policy.")
print()
print(f"Bus check: echo Nop p50 on the peer's bus {fmt(b, 'us')}, on the virtbus bus {fmt(floor_p50, 'us')}" +
      (f", on the bus of virtbusd --drivers qemu {fmt(floor_q, 'us')}." if floor_q is not None else "."))
for n in notes:
    print(f"\nNote: {n}")
