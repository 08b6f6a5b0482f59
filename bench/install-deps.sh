#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install what bench/ needs on Debian 12: the build of vbbench (gcc, libsystemd),
# the private bus (dbus-daemon; dbus-broker for BUS=broker), and the peer stack
# (libvirtd + libvirt-dbus); QEMU for the QEMU connection rows (libvirtd and virtbusd
# --drivers qemu both probe the emulator).
# Idempotent. Package scripts are kept from starting libvirtd/virtlogd on this
# machine (a temporary policy-rc.d): bench/peer-up.sh starts its own, by PID.
# --versions prints the installed versions afterwards.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
        echo "$0: must run as root (apt-get install)" >&2
        exit 1
fi

pkgs=(
        gcc libc6-dev pkg-config libsystemd-dev     # vbbench
        meson ninja-build libxml2-dev libjson-c-dev # virtbusd
        dbus-daemon dbus-bin systemd                # the private bus, busctl
        dbus-broker                                 # BUS=broker runs (bench/brokerctl)
        libvirt-daemon libvirt-clients libvirt-dbus # the peer
        libvirt-daemon-driver-qemu qemu-system-x86  # the QEMU rows: libvirtd's qemu:///system, virtbusd --drivers qemu
        procps util-linux
)

missing=()
for p in "${pkgs[@]}"; do
        if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
                missing+=("$p")
        fi
done

if [ "${#missing[@]}" -gt 0 ]; then
        echo "bench/install-deps: installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        tmp_policy=
        if [ ! -e /usr/sbin/policy-rc.d ]; then
                printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
                chmod +x /usr/sbin/policy-rc.d
                tmp_policy=1
        fi
        rc=0
        { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >&2 || rc=$?
        if [ -n "$tmp_policy" ]; then
                rm -f /usr/sbin/policy-rc.d
        fi
        [ "$rc" = 0 ] || exit "$rc"
fi

if [ "${1:-}" = --versions ]; then
        dpkg-query -W -f='${Package} ${Version}\n' dbus-daemon dbus-broker libvirt-daemon libvirt-clients \
                libvirt-dbus libvirt0 libsystemd0 qemu-system-x86 gcc
        echo "kernel $(uname -r)"
fi
