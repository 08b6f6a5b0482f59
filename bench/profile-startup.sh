#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# profile-startup.sh BUILD_DIR [OUT_DIR]
#
# Where virtbusd's start with COUNT persistent QEMU domains goes, deterministically: the
# configs are generated as run.sh does (bench_qemu_configs), one warm-up start runs the
# one-time work of a fresh root, then virtbusd --drivers qemu runs under valgrind
# --tool=callgrind on a private bus. Once org.libvirt is owned, the counts so far are dumped
# ("start": exec → name owned), then SIGTERM ends the daemon and callgrind writes the rest
# ("stop"). Prints the Ir of both and keeps the dumps for callgrind_annotate.
# Env: COUNT (10000), REUSE=1 keeps an existing OUT_DIR/state/root of the same COUNT.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/common.sh"
BUILD=$(cd "${1:?usage: profile-startup.sh BUILD_DIR [OUT_DIR]}" && pwd)
OUT=${2:-/tmp/vbbench-profile-startup}
COUNT=${COUNT:-10000}
STATE=$OUT/state
ROOT=$STATE/root
VB=$STATE/vbbench
PIDS=$STATE/pids

command -v valgrind >/dev/null || apt-get install -y -q --no-install-recommends valgrind >&2
mkdir -p "$STATE"
rm -f "$OUT"/callgrind.* "$STATE/bus.sock"
"$HERE/build.sh" "$VB"
: > "$PIDS"
trap 'bench_stop_recorded "$PIDS" profile-startup.sh' EXIT

A=unix:path=$STATE/bus.sock
bench_bus_conf "$STATE/bus.sock" "$STATE/bus.conf"
dbus-daemon --config-file="$STATE/bus.conf" --nofork > "$STATE/bus.log" 2>&1 &
bench_record "$PIDS" dbus-daemon $! dbus-daemon
bench_wait_for 20 "the bus" "$VB" -n 1 -w 0 "$A" ping org.freedesktop.DBus

if [ "${REUSE:-0}" != 1 ] || [ "$(ls "$ROOT/QEMU/config" 2>/dev/null | wc -l)" != "$COUNT" ]; then
        bench_qemu_configs "$BUILD/virtbusd" "$A" "$ROOT" "$COUNT"
fi
"$VB" -n 1 -t 120 "$A" startup org.libvirt -- "$BUILD/virtbusd" --bus "$A" --root "$ROOT" --drivers qemu \
        > /dev/null 2> "$STATE/warmup.log"

valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.virtbusd.%p" \
        "$BUILD/virtbusd" --bus "$A" --root "$ROOT" --drivers qemu > "$STATE/virtbusd.log" 2>&1 &
VBPID=$!
bench_record "$PIDS" virtbusd $VBPID valgrind
bench_wait_for 600 "virtbusd under callgrind" busctl --address="$A" status org.libvirt
callgrind_control -d start "$VBPID" > /dev/null
kill -TERM "$VBPID"
wait "$VBPID" || true

ir() { grep -h '^summary:' "$@" | awk '{ print $2 }'; }
start=$(ls "$OUT"/callgrind.virtbusd."$VBPID".* | head -1)
printf 'start (exec → org.libvirt owned), %s domains: %s Ir   (%s)\n' "$COUNT" "$(ir "$start")" "$start"
printf 'stop (SIGTERM → exit):                        %s Ir   (%s)\n' \
        "$(ir "$OUT/callgrind.virtbusd.$VBPID")" "$OUT/callgrind.virtbusd.$VBPID"
echo "callgrind_annotate --inclusive=yes FILE | head -60" >&2
