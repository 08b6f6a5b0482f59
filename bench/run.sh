#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh BUILD_DIR [OUT_DIR]
#
# One benchmark run, virtbusd against the peer (libvirt-dbus 1.4.1 + libvirtd, Debian 12)
# and against a trivial sd-bus echo service (the floor), side by side:
#   - the peer stack (peer-up.sh) on its own private bus;
#   - a second private bus with BUILD_DIR/virtbusd --drivers test and `vbbench serve`
#     (the floor) on it; a second echo service on the peer's bus checks the two buses match;
#   - both buses are dbus-daemon, or with BUS=broker dbus-broker run by bench/brokerctl (its
#     own minimal controller: allow-all policy, as the dbus-daemon config);
#   - start → name owned: virtbusd and libvirt-dbus (each started -n times, 0 domains), and
#     virtbusd --drivers qemu with QEMU_DOMAINS persistent domain configs (after 1 warm-up start);
#   - with QEMU_PATH (default 1), the QEMU connection: a third private bus (same kind) with
#     BUILD_DIR/virtbusd --drivers qemu (scratch --root) and its own echo floor; one shut-off
#     QEMU domain, vbbench-q, is defined through DomainDefineXML on /org/libvirt/QEMU there
#     and on the peer (libvirt-dbus → libvirtd qemu:///system) after the idle RSS lines, and
#     undefined on both at the end, also when the run fails;
#   - ROUNDS interleaved rounds (the target order rotates every round) of: Ping, Nop, every
#     per-call method sequentially and with 4 and 16 calls in flight, the define+undefine
#     cycle, the QEMU connection's sequential calls (ListDomains, DomainLookupByName,
#     GetXMLDesc, GetState, Properties.GetAll on vbbench-q; echo Nop on the third bus), then
#     the scale steps (define to 1,000 and 10,000 domains on the test driver of
#     both; ListDomains, GetManagedObjects (virtbus), Introspect of the domain subtree,
#     lookups; RSS; undefine all);
#   - bench/summarize.py: medians over rounds → OUT_DIR/summary.md (the table of README.md).
# Raw result lines: OUT_DIR/raw.txt ("label=rR/TARGET/NAME key=value..."), commands in
# OUT_DIR/commands.tsv. Env: ROUNDS (3), N (5000 sequential calls), KS ("4 16"),
# SCALE ("1000 10000", "" to skip), STARTS (5 starts per round), QEMU_DOMAINS (10000, "" to skip),
# QEMU_PATH (1; 0 or "" skips the QEMU connection rows), BENCH_STATE (/tmp/vbbench),
# BUS (dbus-daemon, or broker / dbus-broker).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/common.sh"

BUILD=$(cd "${1:?usage: run.sh BUILD_DIR [OUT_DIR]}" && pwd)
OUT=${2:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)}
ROUNDS=${ROUNDS:-3}
N=${N:-5000}
KS=${KS:-4 16}
SCALE=${SCALE-1000 10000}
STARTS=${STARTS:-5}
QEMU_DOMAINS=${QEMU_DOMAINS-10000}
QEMU_PATH=${QEMU_PATH-1}
case $QEMU_PATH in
"" | 0) QEMU_PATH=0 ;;
1) ;;
*) echo "run.sh: QEMU_PATH=$QEMU_PATH: 1 (default) or 0" >&2; exit 1 ;;
esac
STATE=${BENCH_STATE:-/tmp/vbbench}
export PEER_STATE=$STATE/peer
case ${BUS:-dbus-daemon} in
dbus-daemon) BUS=dbus-daemon ;;
broker | dbus-broker) BUS=dbus-broker ;;
*) echo "run.sh: BUS=$BUS: unknown bus (dbus-daemon, or broker for dbus-broker)" >&2; exit 1 ;;
esac
export BUS
VIRTBUSD=$BUILD/virtbusd
VB=$STATE/vbbench
BROKERCTL=$STATE/brokerctl      # built next to vbbench by build.sh
export VBBENCH=$VB              # peer-up.sh uses the same builds
PIDS=$STATE/pids
TESTDOM=/org/libvirt/Test/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f   # test:///default's "test"
DOMXML="<domain type='test'><name>NAME</name><memory unit='KiB'>131072</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>"
# The QEMU connection rows: one defined, shut-off domain on both sides. A fixed UUID gives it
# the same path on both, and a define left over by a killed run is simply redefined.
QDOM=vbbench-q
QDOM_UUID=7662656e-6368-4071-8000-000000000001
QDOMXML="<domain type='qemu'><name>$QDOM</name><uuid>$QDOM_UUID</uuid><memory unit='KiB'>32768</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>"
QSOCK=$STATE/vbq-bus.sock
VQA=unix:path=$QSOCK
QDEF_VB=0       # 1 from the DomainDefineXML of vbbench-q on that side until its Undefine
QDEF_PEER=0
PEER=

[ -x "$VIRTBUSD" ] || { echo "run.sh: no virtbusd in $BUILD (meson setup $BUILD --buildtype=release && ninja -C $BUILD)" >&2; exit 1; }
"$HERE/install-deps.sh" >&2
mkdir -p "$STATE" "$OUT"
if [ -s "$PIDS" ]; then
        echo "run.sh: $PIDS exists (another run?); stop it first" >&2
        exit 1
fi
"$HERE/build.sh" "$VB"
RAW=$OUT/raw.txt
CMDS=$OUT/commands.tsv
: > "$RAW"
: > "$CMDS"
: > "$PIDS"

qdom_undefine() { # ADDRESS: look vbbench-q up on /org/libvirt/QEMU there and undefine it
        local p
        p=$(busctl --timeout=60 --address="$1" call org.libvirt /org/libvirt/QEMU org.libvirt.Connect \
                DomainLookupByName s "$QDOM" 2>/dev/null | awk '{ gsub("\"", "", $2); print $2 }') || true
        [ -n "$p" ] || return 1
        busctl --timeout=60 --address="$1" call org.libvirt "$p" org.libvirt.Domain Undefine u 0 > /dev/null
}

# Also on failure: vbbench-q must not stay in libvirtd's /etc/libvirt/qemu (peer-down.sh only
# stops processes). Through libvirt-dbus, else virsh on our libvirtd, else (libvirtd gone)
# the config file itself if it is ours. virtbusd's copy lives in a scratch root.
cleanup() {
        if [ "$QDEF_VB" = 1 ] && qdom_undefine "$VQA"; then
                QDEF_VB=0
        fi
        if [ "$QDEF_PEER" = 1 ]; then
                if { [ -n "$PEER" ] && qdom_undefine "$PEER"; } ||
                        env -u LIBVIRT_DEFAULT_URI virsh -c qemu:///system undefine "$QDOM" > /dev/null 2>&1; then
                        QDEF_PEER=0
                fi
        fi
        bench_stop_recorded "$PIDS" run.sh || true
        "$HERE/peer-down.sh" || true
        rm -rf "$STATE/vbq-root"
        if [ "$QDEF_PEER" = 1 ] && grep -qs "<uuid>$QDOM_UUID</uuid>" "/etc/libvirt/qemu/$QDOM.xml"; then
                echo "run.sh: could not undefine $QDOM on the peer; removing /etc/libvirt/qemu/$QDOM.xml" >&2
                rm -f "/etc/libvirt/qemu/$QDOM.xml"
        fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

note() { echo "# $*" | tee -a "$RAW" >&2; }

# ------------------------------------------------------------------ the stacks
PEER=$("$HERE/peer-up.sh" | tail -1)
SOCK=$STATE/vb-bus.sock
VBA=unix:path=$SOCK
rm -f "$SOCK"
bench_bus_start "$BUS" "$SOCK" "$STATE/vb-bus" "$PIDS" "$BROKERCTL"
bench_wait_for 20 "the virtbus bus ($BUS)" "$VB" -n 1 -w 0 "$VBA" ping org.freedesktop.DBus ||
        { cat "$STATE/vb-bus.log" >&2; exit 1; }

"$VB" "$VBA" serve org.bench.Echo > "$STATE/echo.log" 2>&1 &
bench_record "$PIDS" echo $! vbbench
"$VB" "$PEER" serve org.bench.Echo > "$STATE/echo-peer.log" 2>&1 &
bench_record "$PIDS" echo-peerbus $! vbbench

note "date=$(date -u +%FT%TZ) host_cpus=$(nproc) kernel=$(uname -r) virtbus=$(git -C "$HERE" describe --always --dirty 2>/dev/null || echo ?) build=$BUILD rounds=$ROUNDS n=$N bus=$BUS"
"$HERE/install-deps.sh" --versions 2>/dev/null | sed 's/^/# version /' >> "$RAW"

declare -A ADDR=([floor]=$VBA [virtbus]=$VBA [peer]=$PEER [floor-peerbus]=$PEER)

# m TARGET NAME "OPTIONS" MODE ARGS...: one vbbench measurement, labelled rROUND/TARGET/NAME
m() {
        local t=$1 name=$2 opts=$3
        shift 3
        # shellcheck disable=SC2086
        "$VB" -l "r$ROUND/$t/$name" $opts "${ADDR[$t]}" "$@" | tee -a "$RAW" || true
        if [ "$ROUND" = 1 ]; then
                printf '%s/%s\tvbbench %s %s %s\n' "$t" "$name" "$opts" "${ADDR[$t]}" "$*" >> "$CMDS"
        fi
}

# virtbusd must survive the whole run: if it is gone, say how it ended (exit status or signal)
check_daemon() { # PID WHAT LOG
        local rc=0
        bench_alive "$1" virtbusd && return 0
        wait "$1" 2>/dev/null || rc=$?
        if [ "$rc" -gt 128 ]; then
                note "$2 DIED in round $ROUND: killed by signal $((rc - 128)) ($(kill -l $((rc - 128)) 2>/dev/null))"
        else
                note "$2 DIED in round $ROUND: exit status $rc"
        fi
        tail -20 "$STATE/$3" | sed "s/^/# $3: /" | tee -a "$RAW" >&2
        /usr/bin/python3 "$HERE/summarize.py" "$RAW" "$CMDS" > "$OUT/summary.md" || true
        exit 1
}

check_virtbusd() {
        check_daemon "$VBPID" VIRTBUSD virtbusd.log
        if [ "$QEMU_PATH" = 1 ]; then
                check_daemon "$VQPID" "VIRTBUSD (--drivers qemu)" virtbusd-qemu.log
        fi
}

bus_pids() { # PIDSFILE: the bus's processes: dbus-daemon, or brokerctl and its dbus-broker
        local pid
        pid=$(awk '$1 == "bus" { print $2 }' "$1")
        echo "$pid"
        if [ "$BUS" = dbus-broker ]; then
                pgrep -P "$pid" -x dbus-broker || true
        fi
}

rss_line() { # TARGET NAME
        local t=$1 name=$2 kib=0 hwm=0 anon=0 pss=0 pid detail=""
        for pid in $(awk -v t="$t" '$1 == t { print $2 }' "$STATE/rss-pids"); do
                kib=$((kib + $(bench_rss_kib "$pid")))
                hwm=$((hwm + $(bench_hwm_kib "$pid")))
                detail="$detail $(cat "/proc/$pid/comm")=$(bench_rss_kib "$pid")"
        done
        for pid in $(awk -v t="$t" '$1 == t { print $2 }' "$STATE/rss-pids"); do
                anon=$((anon + $(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)))
                pss=$((pss + $(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
        done
        echo "label=r$ROUND/$t/rss-$name vmrss_kib=$kib vmhwm_kib=$hwm rssanon_kib=$anon pss_kib=$pss detail=\"${detail# }\"" | tee -a "$RAW"
}

# ------------------------------------------------------------------ start → name owned
# Before the long-lived virtbusd owns org.libvirt on this bus. 0 domains: the test driver is
# in memory. With QEMU_DOMAINS persistent domains: --drivers qemu on a scratch root holding
# that many configs as the driver writes them (bench_qemu_configs); each round starts it once
# unmeasured first (a fresh root's first start records the once-per-boot autostart marker,
# and the configs come into the page cache), then STARTS measured starts.
if [ -n "$QEMU_DOMAINS" ]; then
        bench_qemu_configs "$VIRTBUSD" "$VBA" "$STATE/vb-boot-root" "$QEMU_DOMAINS"
fi
for ROUND in $(seq "$ROUNDS"); do
        m virtbus startup "-n $STARTS -t 30" startup org.libvirt -- \
                "$VIRTBUSD" --bus "$VBA" --root "$STATE/vb-startup-root" --drivers test
        if [ -n "$QEMU_DOMAINS" ]; then
                m virtbus "startup-qemu-$QEMU_DOMAINS" "-w 1 -n $STARTS -t 60" startup org.libvirt -- \
                        "$VIRTBUSD" --bus "$VBA" --root "$STATE/vb-boot-root" --drivers qemu
        fi
        # libvirt-dbus also starts on the virtbus bus, where org.libvirt is still free
        ADDR[peer]=$VBA
        m peer startup "-n $STARTS -t 30" startup org.libvirt -- \
                env DBUS_SYSTEM_BUS_ADDRESS="$VBA" libvirt-dbus --system
        ADDR[peer]=$PEER
done

rm -rf "$STATE/vb-root"
"$VIRTBUSD" --bus "$VBA" --root "$STATE/vb-root" --drivers test > "$STATE/virtbusd.log" 2>&1 &
VBPID=$!
bench_record "$PIDS" virtbusd "$VBPID" virtbusd
bench_wait_for 20 "virtbusd on the bus" "$VB" -n 1 -w 0 "$VBA" \
        call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetNameOwner s org.libvirt
bench_wait_for 20 "echo services" "$VB" -n 1 -w 0 "$PEER" ping org.bench.Echo
bench_wait_for 20 "echo services" "$VB" -n 1 -w 0 "$VBA" ping org.bench.Echo

{
        echo "virtbus $VBPID"
        for name in libvirtd libvirt-dbus; do
                echo "peer $(awk -v n="$name" '$1 == n { print $2 }' "$PEER_STATE/pids")"
        done
        for pid in $(bus_pids "$PEER_STATE/pids"); do echo "peer-bus $pid"; done
        for pid in $(bus_pids "$PIDS"); do echo "virtbus-bus $pid"; done
        # the echo floor: an sd-bus service linking only libsystemd and libc
        echo "floor $(awk '$1 == "echo" { print $2 }' "$PIDS")"
} > "$STATE/rss-pids"

ROUND=0
rss_line virtbus fresh
rss_line peer fresh
# both open their test driver: libvirt-dbus lazily on the first call, virtbusd at start
for t in virtbus peer; do
        "$VB" -n 1 -w 0 "${ADDR[$t]}" call org.libvirt /org/libvirt/Test org.libvirt.Connect ListDomains u 0 >/dev/null
done
# the floor has answered one call too
"$VB" -n 1 -w 0 "$VBA" call org.bench.Echo /org/bench org.bench.Echo Nop >/dev/null
rss_line virtbus idle
rss_line peer idle
rss_line floor idle
rss_line virtbus-bus idle
rss_line peer-bus idle

# Does the target have Domain.GetStats? Call it: only UnknownMethod/UnknownInterface means no.
# (busctl introspect of the peer's domain sometimes did not list it, and its GetStats went
# unmeasured.) Any other failure is retried; if it persists, GetStats is measured anyway and
# its errors show in the raw lines.
probe_stats() { # TARGET → 0 if it has GetStats
        local t=$1 out
        for _ in 1 2 3 4 5; do
                out=$("$VB" -n 1 -w 0 "${ADDR[$t]}" call org.libvirt "$TESTDOM" org.libvirt.Domain GetStats uu 0 0 2>&1) || true
                case $out in
                *" errors=0 "*) return 0 ;;
                *Error.UnknownMethod* | *Error.UnknownInterface*) return 1 ;;
                esac
                sleep 0.5
        done
        note "$t: GetStats probe failed 5 times (${out##*first_error=}); measuring it anyway"
        return 0
}
HAVE_STATS=()
for t in virtbus peer; do
        if probe_stats "$t"; then
                HAVE_STATS+=("$t")
        else
                note "$t: org.libvirt.Domain.GetStats not implemented, not measured"
        fi
done

# ------------------------------------------------------------------ the QEMU connection
# A third private bus of the same kind with virtbusd --drivers qemu and its own echo (the floor
# of these rows): the long-lived virtbusd above stays --drivers test, as every other row.
# Started after the idle RSS lines, so they do not see it (nor the peer's QEMU connection).
declare -A QPATH
qdom_define() { # TARGET: DomainDefineXML of vbbench-q on its /org/libvirt/QEMU → QPATH[TARGET]
        local out
        out=$(busctl --timeout=120 --address="${ADDR[$1]}" call org.libvirt /org/libvirt/QEMU \
                org.libvirt.Connect DomainDefineXML s "$QDOMXML" 2>&1) || true
        QPATH[$1]=$(echo "$out" | awk '$1 == "o" { gsub("\"", "", $2); print $2 }')
        if [ -z "${QPATH[$1]}" ]; then
                note "$1: DomainDefineXML of $QDOM on /org/libvirt/QEMU failed: $out"
                exit 1
        fi
        note "$1: $QDOM defined on /org/libvirt/QEMU: ${QPATH[$1]}"
}
if [ "$QEMU_PATH" = 1 ]; then
        rm -f "$QSOCK"
        rm -rf "$STATE/vbq-root"
        bench_bus_start "$BUS" "$QSOCK" "$STATE/vbq-bus" "$PIDS" "$BROKERCTL" qemu-bus
        bench_wait_for 20 "the QEMU rows' bus ($BUS)" "$VB" -n 1 -w 0 "$VQA" ping org.freedesktop.DBus ||
                { cat "$STATE/vbq-bus.log" >&2; exit 1; }
        "$VB" "$VQA" serve org.bench.Echo > "$STATE/echo-qemu.log" 2>&1 &
        bench_record "$PIDS" echo-qemubus $! vbbench
        "$VIRTBUSD" --bus "$VQA" --root "$STATE/vbq-root" --drivers qemu > "$STATE/virtbusd-qemu.log" 2>&1 &
        VQPID=$!
        bench_record "$PIDS" virtbusd-qemu "$VQPID" virtbusd
        ADDR[virtbus-qemu]=$VQA
        ADDR[floor-qemu]=$VQA
        bench_wait_for 60 "virtbusd --drivers qemu (ListDomains on /org/libvirt/QEMU)" "$VB" -n 1 -w 0 "$VQA" \
                call org.libvirt /org/libvirt/QEMU org.libvirt.Connect ListDomains u 0 ||
                { tail -20 "$STATE/virtbusd-qemu.log" >&2; exit 1; }
        # libvirt-dbus opens qemu:///system on first use (libvirtd may probe QEMU first)
        bench_wait_for 120 "libvirt-dbus → libvirtd (ListDomains on /org/libvirt/QEMU)" "$VB" -n 1 -w 0 "$PEER" \
                call org.libvirt /org/libvirt/QEMU org.libvirt.Connect ListDomains u 0 ||
                { tail -20 "$PEER_STATE/libvirtd.log" >&2; exit 1; }
        bench_wait_for 20 "echo service" "$VB" -n 1 -w 0 "$VQA" ping org.bench.Echo
        QDEF_VB=1
        qdom_define virtbus-qemu
        QDEF_PEER=1
        qdom_define peer
fi

order() { # the targets of this round, rotated: $1... → rotation by ROUND
        local a=("$@") i n=$#
        for ((i = 0; i < n; i++)); do
                echo "${a[$(( (i + ROUND) % n ))]}"
        done
}

has_stats() { local x; for x in "${HAVE_STATS[@]}"; do [ "$x" = "$1" ] && return 0; done; return 1; }

per_call() { # NAME PATH IFACE METHOD SIG ARGS...   on peer and virtbus, k = 1 and KS
        local name=$1 path=$2 k t
        shift 2
        for k in 1 $KS; do
                for t in $(order peer virtbus); do
                        if [ "$name" = GetStats ] && ! has_stats "$t"; then
                                continue
                        fi
                        m "$t" "$name-k$k" "-k $k -n $N" call org.libvirt "$path" "$@"
                done
        done
}

qemu_call() { # NAME PATH|@dom IFACE METHOD SIG ARGS...   sequential, QEMU connection of peer and virtbus
        local name=$1 path=$2 t p
        shift 2
        for t in $(order peer virtbus-qemu); do
                p=$path
                if [ "$p" = @dom ]; then
                        p=${QPATH[$t]}
                fi
                m "$t" "QEMU-$name-k1" "-k 1 -n $N" call org.libvirt "$p" "$@"
        done
}

scale_define() { # TARGET FROM TO
        m "$1" "define-$2-to-$3" "-s -i $2 -w 0 -n $(($3 - $2))" call org.libvirt /org/libvirt/Test \
                org.libvirt.Connect DomainDefineXML s "${DOMXML/NAME/scale-\{i\}}"
}

scale_measure() { # TARGET COUNT
        local t=$1 at=$2 reps path mid
        reps=$((200000 / at))
        [ "$reps" -lt 20 ] && reps=20
        [ "$reps" -gt 500 ] && reps=500
        m "$t" "ListDomains-at-$at" "-n $reps -w 2" call org.libvirt /org/libvirt/Test org.libvirt.Connect ListDomains u 0
        if [ "$t" = virtbus ]; then
                m "$t" "GetManagedObjects-at-$at" "-n $reps -w 2" call org.libvirt /org/libvirt/Test \
                        org.freedesktop.DBus.ObjectManager GetManagedObjects
        fi
        m "$t" "Introspect-domaindir-at-$at" "-n $reps -w 2" call org.libvirt /org/libvirt/Test/domain \
                org.freedesktop.DBus.Introspectable Introspect
        mid=scale-$((at / 2))
        m "$t" "DomainLookupByName-at-$at" "-n 2000" call org.libvirt /org/libvirt/Test \
                org.libvirt.Connect DomainLookupByName s "$mid"
        path=$(busctl --address="${ADDR[$t]}" call org.libvirt /org/libvirt/Test org.libvirt.Connect \
                DomainLookupByName s "$mid" 2>/dev/null | awk '{ gsub("\"", "", $2); print $2 }') || true
        [ -n "$path" ] || path=/org/libvirt/Test/domain/_lookup_failed
        m "$t" "GetXMLDesc-at-$at" "-n 2000" call org.libvirt "$path" org.libvirt.Domain GetXMLDesc u 0
        m "$t" "GetState-at-$at" "-n 2000" call org.libvirt "$path" org.libvirt.Domain GetState u 0
        rss_line "$t" "at-$at"
}

# ------------------------------------------------------------------ rounds
for ROUND in $(seq "$ROUNDS"); do
        note "round $ROUND of $ROUNDS $(date -u +%FT%TZ)"
        for k in 1 $KS; do
                for t in $(order floor peer virtbus); do
                        if [ "$t" = floor ]; then
                                m floor "Ping-k$k" "-k $k -n $N" ping org.bench.Echo
                                m floor "Nop-k$k" "-k $k -n $N" call org.bench.Echo /org/bench org.bench.Echo Nop
                        else
                                m "$t" "Ping-k$k" "-k $k -n $N" ping org.libvirt
                        fi
                done
        done
        m floor-peerbus Nop-k1 "-n $N" call org.bench.Echo /org/bench org.bench.Echo Nop
        m floor Paths1000 "-n 500" call org.bench.Echo /org/bench org.bench.Echo Paths u 1000
        m floor Paths10000 "-n 100" call org.bench.Echo /org/bench org.bench.Echo Paths u 10000
        m floor Blob843k "-n 100" call org.bench.Echo /org/bench org.bench.Echo Blob u 843448

        per_call ListDomains /org/libvirt/Test org.libvirt.Connect ListDomains u 0
        per_call DomainLookupByName /org/libvirt/Test org.libvirt.Connect DomainLookupByName s test
        per_call GetXMLDesc "$TESTDOM" org.libvirt.Domain GetXMLDesc u 0
        per_call GetState "$TESTDOM" org.libvirt.Domain GetState u 0
        per_call GetStats "$TESTDOM" org.libvirt.Domain GetStats uu 0 0
        per_call GetAll "$TESTDOM" org.freedesktop.DBus.Properties GetAll s org.libvirt.Domain
        per_call Introspect-domain "$TESTDOM" org.freedesktop.DBus.Introspectable Introspect
        per_call Introspect-domaindir /org/libvirt/Test/domain org.freedesktop.DBus.Introspectable Introspect

        for t in $(order peer virtbus); do
                m "$t" define-undefine "-s -n 2000 -w 5" cycle org.libvirt /org/libvirt/Test \
                        org.libvirt.Connect DomainDefineXML s "${DOMXML/NAME/cyc-\{i\}}" \
                        --then org.libvirt.Domain Undefine u 0
        done

        if [ "$QEMU_PATH" = 1 ]; then
                m floor-qemu Nop-k1 "-k 1 -n $N" call org.bench.Echo /org/bench org.bench.Echo Nop
                qemu_call ListDomains /org/libvirt/QEMU org.libvirt.Connect ListDomains u 0
                qemu_call DomainLookupByName /org/libvirt/QEMU org.libvirt.Connect DomainLookupByName s "$QDOM"
                qemu_call GetXMLDesc @dom org.libvirt.Domain GetXMLDesc u 0
                qemu_call GetState @dom org.libvirt.Domain GetState u 0
                qemu_call GetAll @dom org.freedesktop.DBus.Properties GetAll s org.libvirt.Domain
        fi

        check_virtbusd
        [ -n "$SCALE" ] || continue
        cur=0
        for t in $(order peer virtbus); do
                rss_line "$t" before-scale
        done
        for target in $SCALE; do
                for t in $(order peer virtbus); do
                        scale_define "$t" "$cur" "$target"
                done
                for t in $(order peer virtbus); do
                        scale_measure "$t" "$target"
                done
                cur=$target
        done
        for t in $(order peer virtbus); do
                m "$t" "lookup-undefine-all-$cur" "-s -i 0 -w 0 -n $cur" cycle org.libvirt /org/libvirt/Test \
                        org.libvirt.Connect DomainLookupByName s 'scale-{i}' --then org.libvirt.Domain Undefine u 0
                rss_line "$t" after-undefine-all
        done
        check_virtbusd
done
if [ "$QEMU_PATH" = 1 ]; then
        for t in virtbus-qemu peer; do
                if qdom_undefine "${ADDR[$t]}"; then
                        note "$t: $QDOM undefined"
                        if [ "$t" = peer ]; then QDEF_PEER=0; else QDEF_VB=0; fi
                else
                        note "$t: Undefine of $QDOM failed (cleanup retries)"
                fi
        done
fi
note "done $(date -u +%FT%TZ)"

/usr/bin/python3 "$HERE/summarize.py" "$RAW" "$CMDS" > "$OUT/summary.md"
echo "run.sh: results in $OUT (summary.md, raw.txt)" >&2
