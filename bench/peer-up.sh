#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# peer-up.sh: start the peer stack from nothing, without systemd and without touching any
# system bus:
#   virtlogd + libvirtd (monolithic; qemu:///system as root)
#   a private bus on $PEER_STATE/bus.sock (allow-all, system type): dbus-daemon, or with
#   BUS=broker dbus-broker run by bench/brokerctl (same policy)
#   libvirt-dbus --system on that bus. It exports /org/libvirt/Test (test:///default, the
#   test driver inside libvirt-dbus itself) and /org/libvirt/QEMU (RPC to the libvirtd above),
#   each opened on first use.
# Prints the bus address as the last line. Writes $PEER_STATE/pids ("name pid comm";
# peer-down.sh stops exactly these) and a log per process.
# Env: PEER_STATE (default /tmp/vbbench/peer), LIBVIRT_DBUS_THREADS (default 4, its default),
# BUS (dbus-daemon, default; broker or dbus-broker), VBBENCH (vbbench binary; brokerctl is
# built next to it).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/common.sh"
STATE=${PEER_STATE:-/tmp/vbbench/peer}
THREADS=${LIBVIRT_DBUS_THREADS:-4}
PIDS=$STATE/pids
VBBENCH=${VBBENCH:-$HERE/vbbench}
BROKERCTL=$(dirname "$VBBENCH")/brokerctl
case ${BUS:-dbus-daemon} in
dbus-daemon) BUS=dbus-daemon ;;
broker | dbus-broker) BUS=dbus-broker ;;
*) echo "peer-up: BUS=$BUS: unknown bus (dbus-daemon, or broker for dbus-broker)" >&2; exit 1 ;;
esac

"$HERE/install-deps.sh" >&2
if ! [ -x "$VBBENCH" ] || ! [ "$VBBENCH" -nt "$HERE/vbbench.c" ] ||
        ! [ -x "$BROKERCTL" ] || ! [ "$BROKERCTL" -nt "$HERE/brokerctl.c" ]; then
        "$HERE/build.sh" "$VBBENCH"
fi

if [ -s "$PIDS" ]; then
        echo "peer-up: $PIDS exists (stack already up?); run peer-down.sh first" >&2
        exit 1
fi
if env -u LIBVIRT_DEFAULT_URI virsh -c qemu:///system uri >/dev/null 2>&1; then
        echo "peer-up: a libvirtd not started by us answers on /run/libvirt/libvirt-sock; refusing" >&2
        exit 1
fi

mkdir -p "$STATE"
rm -f "$STATE"/bus.sock "$STATE"/*.pidfile
SOCK=$STATE/bus.sock
ADDR=unix:path=$SOCK
: > "$PIDS"

fail() {
        echo "peer-up: $*; stopping what was started" >&2
        "$HERE/peer-down.sh" || true
        exit 1
}

# libvirt's daemons must not see our private bus (no firewalld, no logind there).
env -u DBUS_SYSTEM_BUS_ADDRESS -u DBUS_SESSION_BUS_ADDRESS \
        virtlogd -p "$STATE/virtlogd.pidfile" > "$STATE/virtlogd.log" 2>&1 &
bench_record "$PIDS" virtlogd $! virtlogd
bench_wait_for 20 "virtlogd socket" test -S /run/libvirt/virtlogd-sock || fail "virtlogd did not start"

t0=$(date +%s.%N)
env -u DBUS_SYSTEM_BUS_ADDRESS -u DBUS_SESSION_BUS_ADDRESS \
        libvirtd -p "$STATE/libvirtd.pidfile" > "$STATE/libvirtd.log" 2>&1 &
bench_record "$PIDS" libvirtd $! libvirtd
bench_wait_for 60 "libvirtd" virsh -c qemu:///system uri || fail "libvirtd did not answer"
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "libvirtd_ready_s=%.3f\n", b - a }' > "$STATE/startup-times"

bench_bus_start "$BUS" "$SOCK" "$STATE/bus" "$PIDS" "$BROKERCTL"
bench_wait_for 20 "the private bus" "$VBBENCH" -n 1 -w 0 "$ADDR" ping org.freedesktop.DBus ||
        fail "$BUS did not start (see $STATE/bus.log)"

DBUS_SYSTEM_BUS_ADDRESS=$ADDR libvirt-dbus --system --threads "$THREADS" > "$STATE/libvirt-dbus.log" 2>&1 &
bench_record "$PIDS" libvirt-dbus $! libvirt-dbus
bench_wait_for 20 "org.libvirt on the bus" "$VBBENCH" -n 1 -w 0 "$ADDR" \
        call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetNameOwner s org.libvirt ||
        fail "libvirt-dbus did not own org.libvirt"

echo "peer-up: libvirtd + libvirt-dbus on $ADDR ($BUS); state in $STATE" >&2
echo "$ADDR"
