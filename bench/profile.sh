#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# profile.sh BUILD_DIR [OUT_DIR]
#
# Where virtbusd's per-call time goes, deterministically: virtbusd (--drivers test) and the
# echo floor each run under valgrind --tool=callgrind on a private bus; for every method,
# CALLS calls are made, and the instruction count (Ir) of just those calls is dumped
# (callgrind_control -z / -d). Prints "method Ir_per_call" and keeps the dumps in OUT_DIR
# for callgrind_annotate. With SCALE=N, N domains are defined first (lookups at scale).
# Env: CALLS (2000), SCALE (0), ONLY (space-separated method names to measure; default all).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/common.sh"
BUILD=$(cd "${1:?usage: profile.sh BUILD_DIR [OUT_DIR]}" && pwd)
OUT=${2:-/tmp/vbbench-profile}
CALLS=${CALLS:-2000}
SCALE=${SCALE:-0}
ONLY=${ONLY:-}
STATE=$OUT/state
VB=$STATE/vbbench
PIDS=$STATE/pids
D=/org/libvirt/Test/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f
XML="<domain type='test'><name>NAME</name><memory unit='KiB'>131072</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>"

command -v valgrind >/dev/null || apt-get install -y -q --no-install-recommends valgrind >&2
mkdir -p "$STATE"
rm -f "$OUT"/callgrind.* "$STATE/bus.sock"
"$HERE/build.sh" "$VB"
: > "$PIDS"
trap 'bench_stop_recorded "$PIDS" profile.sh' EXIT

A=unix:path=$STATE/bus.sock
bench_bus_conf "$STATE/bus.sock" "$STATE/bus.conf"
dbus-daemon --config-file="$STATE/bus.conf" --nofork > "$STATE/bus.log" 2>&1 &
bench_record "$PIDS" dbus-daemon $! dbus-daemon
bench_wait_for 20 "the bus" "$VB" -n 1 -w 0 "$A" ping org.freedesktop.DBus

rm -rf "$STATE/root"
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/callgrind.virtbusd.%p" \
        "$BUILD/virtbusd" --bus "$A" --root "$STATE/root" --drivers test > "$STATE/virtbusd.log" 2>&1 &
VBPID=$!
bench_record "$PIDS" virtbusd $VBPID valgrind
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/callgrind.echo.%p" \
        "$VB" "$A" serve org.bench.Echo > "$STATE/echo.log" 2>&1 &
ECHOPID=$!
bench_record "$PIDS" echo $ECHOPID valgrind
bench_wait_for 60 virtbusd "$VB" -n 1 -w 0 "$A" call org.libvirt /org/libvirt/Test org.libvirt.Connect ListDomains u 0
bench_wait_for 60 echo "$VB" -n 1 -w 0 "$A" ping org.bench.Echo
# valgrind runs the tool binary under the daemon's PID; its comm is the tool's name
sed -i "s/ valgrind\$/ $(cat /proc/$VBPID/comm)/" "$PIDS"

if [ "$SCALE" -gt 0 ]; then
        "$VB" -s -w 0 -n "$SCALE" "$A" call org.libvirt /org/libvirt/Test org.libvirt.Connect \
                DomainDefineXML s "${XML/NAME/scale-\{i\}}" > /dev/null
        D=$(busctl --address="$A" call org.libvirt /org/libvirt/Test org.libvirt.Connect \
                DomainLookupByName s "scale-$((SCALE / 2))" | awk '{ gsub("\"", "", $2); print $2 }')
fi

measure() { # PID NAME VBBENCH-ARGS...
        local pid=$1 name=$2 ir
        shift 2
        if [ -n "$ONLY" ] && [[ " $ONLY " != *" $name "* ]]; then
                return 0
        fi
        "$VB" -n 5 -w 0 "$A" "$@" > /dev/null
        callgrind_control -i on "$pid" > /dev/null 2>&1
        "$VB" -n 20 -w 0 -t 600 "$A" "$@" > /dev/null
        callgrind_control -z "$pid" > /dev/null 2>&1
        "$VB" -n "$CALLS" -w 0 -t 600 "$A" "$@" > /dev/null
        callgrind_control -d "$name" "$pid" > /dev/null 2>&1
        callgrind_control -i off "$pid" > /dev/null 2>&1
        ir=$(ls -t "$OUT"/callgrind.*."$pid".* 2>/dev/null | head -1 | xargs grep -h '^summary:' | awk '{ print $2 }')
        printf '%-28s %10.0f Ir/call\n' "$name" "$(echo "$ir / $CALLS" | bc -l)"
}

measure $ECHOPID echo-Nop call org.bench.Echo /org/bench org.bench.Echo Nop
measure $VBPID Ping ping org.libvirt
measure $VBPID ListDomains call org.libvirt /org/libvirt/Test org.libvirt.Connect ListDomains u 0
measure $VBPID DomainLookupByName call org.libvirt /org/libvirt/Test org.libvirt.Connect DomainLookupByName s \
        "$( [ "$SCALE" -gt 0 ] && echo "scale-$((SCALE / 2))" || echo test)"
measure $VBPID GetState call org.libvirt "$D" org.libvirt.Domain GetState u 0
measure $VBPID GetXMLDesc call org.libvirt "$D" org.libvirt.Domain GetXMLDesc u 0
measure $VBPID GetStats call org.libvirt "$D" org.libvirt.Domain GetStats uu 0 0
measure $VBPID GetAll call org.libvirt "$D" org.freedesktop.DBus.Properties GetAll s org.libvirt.Domain
measure $VBPID Introspect call org.libvirt "$D" org.freedesktop.DBus.Introspectable Introspect
measure $VBPID Introspect-domaindir call org.libvirt /org/libvirt/Test/domain org.freedesktop.DBus.Introspectable Introspect
echo "dumps: $OUT/callgrind.*  (callgrind_annotate --inclusive=yes FILE)" >&2
