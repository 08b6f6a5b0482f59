#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install dependencies, build, and run virtbusd on its embedded default: the
# in-memory test driver (/org/libvirt/Test) on a private D-Bus bus. Shows a few
# busctl calls against it, then keeps it running until Ctrl-C.
#
#   tools/demo.sh [--no-deps] [--builddir DIR]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
deps=1
while [ $# -gt 0 ]; do
    case "$1" in
        --no-deps) deps=0; shift ;;
        --builddir) build=$(realpath -m "$2"); shift 2 ;;
        -h|--help) sed -n '3,8p' "$0"; exit 0 ;;
        *) echo "$0: unknown option '$1'" >&2; exit 2 ;;
    esac
done

if [ "$deps" = 1 ]; then
    "$root/tools/install-deps.sh" --run-only
fi
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$root"
fi
ninja -C "$build"

tmp=$(mktemp -d /tmp/virtbus-demo.XXXXXX)
bus_pid=
vb_pid=
cleanup() {
    trap - EXIT INT TERM
    [ -n "$vb_pid" ] && kill "$vb_pid" 2>/dev/null && wait "$vb_pid" 2>/dev/null
    [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null && wait "$bus_pid" 2>/dev/null
    rm -rf "$tmp"
    echo "demo: stopped and cleaned up"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

cat > "$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path=$tmp/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="$(id -un)"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="*"/>
  </policy>
</busconfig>
EOF

exec 3< <(exec dbus-daemon --config-file="$tmp/bus.conf" --print-address --nofork 2>"$tmp/dbus-daemon.log")
bus_pid=$!
read -r -t 5 full_addr <&3 || { echo "demo: dbus-daemon did not start" >&2; cat "$tmp/dbus-daemon.log" >&2; exit 1; }
addr=${full_addr%%,guid=*}

"$build/virtbusd" --bus "$addr" --root "$tmp/state" --drivers test >"$tmp/virtbusd.log" 2>&1 &
vb_pid=$!

deadline=$((SECONDS + 5))
until busctl --address="$addr" status org.libvirt >/dev/null 2>&1; do
    if ! kill -0 "$vb_pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
        echo "demo: virtbusd did not take org.libvirt within 5 s:" >&2
        cat "$tmp/virtbusd.log" >&2
        exit 1
    fi
    sleep 0.05
done

dom=/org/libvirt/Test/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f
run() {
    echo
    echo "\$ $*"
    "$@"
}
echo "virtbusd is running (pid $vb_pid) on the private bus $addr"
run busctl --address="$addr" tree org.libvirt
run busctl --address="$addr" call org.libvirt /org/libvirt/Test org.libvirt.Connect ListDomains u 0
run busctl --address="$addr" get-property org.libvirt "$dom" org.libvirt.Domain Name
run busctl --address="$addr" call org.libvirt "$dom" org.libvirt.Domain GetXMLDesc u 0
echo
echo "Try more, for example:"
echo "  busctl --address=$addr call org.libvirt $dom org.libvirt.Domain Suspend"
echo "  busctl --address=$addr monitor org.libvirt"
echo "Leaving it running until Ctrl-C (then everything is stopped and removed)."
wait "$vb_pid" || true
echo "demo: virtbusd exited; log:"
cat "$tmp/virtbusd.log"
