# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers shared by bench/*.sh (sourced). Every process a script starts is recorded as
# "name pid comm" in a pids file; stop_recorded stops exactly those, newest first,
# checking /proc/PID/comm so a recycled PID is never signalled.

bench_record() { # PIDSFILE NAME PID COMM (comm as /proc/PID/comm shows it after exec)
        echo "$2 $3 $4" >> "$1"
}

bench_alive() { # PID COMM: running (not a zombie) with that comm
        local st
        [ -r "/proc/$1/stat" ] || return 1
        st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
        [ "$st" != Z ] || return 1
        [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

bench_stop_recorded() { # PIDSFILE [TAG]: SIGTERM, SIGKILL after 10 s; removes the file
        local pids=$1 tag=${2:-bench} name pid comm rc=0
        [ -s "$pids" ] || { rm -f "$pids"; return 0; }
        while read -r name pid comm; do
                [ -n "${pid:-}" ] || continue
                bench_alive "$pid" "$comm" || continue
                kill -TERM "$pid" 2>/dev/null || true
                for _ in $(seq 100); do
                        bench_alive "$pid" "$comm" || break
                        sleep 0.1
                done
                if bench_alive "$pid" "$comm"; then
                        echo "$tag: $name ($pid) ignored SIGTERM for 10 s, sending SIGKILL" >&2
                        kill -KILL "$pid" 2>/dev/null || true
                        sleep 0.2
                fi
                if bench_alive "$pid" "$comm"; then
                        echo "$tag: $name ($pid) still running" >&2
                        rc=1
                else
                        echo "$tag: stopped $name ($pid)" >&2
                fi
        done < <(tac "$pids")
        rm -f "$pids"
        return $rc
}

bench_wait_for() { # SECONDS DESCRIPTION COMMAND...
        local t=$1 what=$2 deadline
        shift 2
        deadline=$(( $(date +%s) + t ))
        until "$@" >/dev/null 2>&1; do
                if [ "$(date +%s)" -ge "$deadline" ]; then
                        echo "timed out waiting for $what" >&2
                        return 1
                fi
                sleep 0.05
        done
}

bench_rss_kib() { # PID: VmRSS in KiB (0 if gone)
        awk '/^VmRSS:/ { print $2; f = 1 } END { if (!f) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0
}

bench_hwm_kib() { # PID: VmHWM in KiB
        awk '/^VmHWM:/ { print $2; f = 1 } END { if (!f) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0
}

bench_bus_conf() { # SOCKET OUTFILE: an allow-all private system-type bus config
        cat > "$2" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- Private benchmark bus (bench/): every local client may own any name and call anything;
     nothing is bus-activated. -->
<busconfig>
  <type>system</type>
  <listen>unix:path=$1</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
  <!-- the built-in 128 would throttle the in-flight runs -->
  <limit name="max_replies_per_connection">50000</limit>
</busconfig>
CONF
}

# bench_qemu_configs VIRTBUSD ADDRESS ROOT COUNT: COUNT persistent QEMU domains in ROOT (a
# fresh --root), as the QEMU driver writes them. virtbusd --drivers qemu defines one domain
# through DomainDefineXML (so the file has the driver's own format and defaults), then the
# other COUNT-1 are copies of that file with their own name and UUID. Names are boot-0 …;
# UUIDs 00000000-0000-4000-8000-<i as 12 hex digits>. No autostart links.
bench_qemu_configs() {
        local vbd=$1 addr=$2 root=$3 count=$4 pid cfg
        rm -rf "$root"
        "$vbd" --bus "$addr" --root "$root" --drivers qemu > "$root.log" 2>&1 &
        pid=$!
        bench_wait_for 20 "virtbusd --drivers qemu" busctl --address="$addr" status org.libvirt
        busctl --address="$addr" call org.libvirt /org/libvirt/QEMU org.libvirt.Connect DomainDefineXML s \
                "<domain type='qemu'><name>boot-0</name><uuid>00000000-0000-4000-8000-000000000000</uuid><memory unit='KiB'>131072</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>" > /dev/null
        kill -TERM "$pid"
        wait "$pid" || true
        cfg=$root/QEMU/config
        [ -s "$cfg/boot-0.xml" ] || { echo "bench_qemu_configs: no $cfg/boot-0.xml" >&2; return 1; }
        awk -v dir="$cfg" -v count="$count" '
                { tpl[NR] = $0 }
                END {
                        for (i = 1; i < count; i++) {
                                f = sprintf("%s/boot-%d.xml", dir, i)
                                for (l = 1; l <= NR; l++) {
                                        line = tpl[l]
                                        sub(/<name>boot-0</, "<name>boot-" i "<", line)
                                        sub(/000000000000<\/uuid>/, sprintf("%012x</uuid>", i), line)
                                        print line > f
                                }
                                close(f)
                        }
                }' "$cfg/boot-0.xml"
        find "$cfg" -name '*.xml' -exec chmod 600 {} +
}

bench_bus_start() { # KIND SOCKET STATEPREFIX PIDSFILE BROKERCTL [NAME]: one private bus in the background
        # KIND dbus-broker: brokerctl (bench/brokerctl.c) runs dbus-broker with an allow-all
        # policy; else dbus-daemon with bench_bus_conf's. Log in STATEPREFIX.log. Recorded in
        # PIDSFILE as NAME (default "bus").
        if [ "$1" = dbus-broker ]; then
                "$5" --listen "$2" > "$3.log" 2>&1 &
                bench_record "$4" "${6:-bus}" $! brokerctl
        else
                bench_bus_conf "$2" "$3.conf"
                dbus-daemon --config-file="$3.conf" --nofork > "$3.log" 2>&1 &
                bench_record "$4" "${6:-bus}" $! dbus-daemon
        fi
}
