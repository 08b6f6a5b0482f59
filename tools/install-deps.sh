#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the Debian 12 packages needed to build virtbus (--run-only) or to build
# and run every test suite (default, or --test). Idempotent: apt-get skips what is
# already installed. Must run as root.
set -euo pipefail

mode=test
for arg in "$@"; do
    case "$arg" in
        --run-only) mode=run ;;
        --test) mode=test ;;
        -h|--help)
            echo "usage: $0 [--run-only|--test]"
            echo "  --run-only  packages to build virtbusd and run the demo"
            echo "  --test      additionally everything the unit, integration and conformance tests use (default)"
            exit 0 ;;
        *) echo "$0: unknown option '$arg'" >&2; exit 2 ;;
    esac
done

if [ "$(id -u)" != 0 ]; then
    echo "$0: must run as root (apt-get install)" >&2
    exit 1
fi

build_pkgs=(
    build-essential meson ninja-build pkg-config
    libsystemd-dev libxml2-dev libjson-c-dev
    dbus-daemon dbus-bin systemd            # dbus-daemon, busctl
    util-linux mount                        # setpriv, unshare, mount
    iproute2 nftables dnsmasq-base          # the QEMU connection's virtual networks (run time)
)
test_pkgs=(
    libcmocka-dev
    polkitd                                 # the real authority for the end-to-end run
    python3 python3-dbus python3-gi python3-pytest
    dpkg-dev xz-utils                       # apt-get source for the conformance suite
    qemu-system-x86                         # QMP client test against a real QEMU
    qemu-utils                              # qemu-img: disk images, qcow2 snapshots (tests)
    bsdutils                                # script: virtbusctl on a terminal (test_virtbusctl)
    busybox-static cpio gzip                # tests/qemu/build-guest.sh initramfs
    openssh-server openssh-client iproute2  # test_remote: sshd in a netns, virtbusctl -H
    tmux                                    # test_progress: the progress bar on a terminal
    clang libclang-rt-14-dev llvm           # libFuzzer targets (tests/fuzz), llvm-symbolizer
    valgrind                                # memcheck pass of the integration tests
)

pkgs=("${build_pkgs[@]}")
if [ "$mode" = test ]; then
    pkgs+=("${test_pkgs[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all ${#pkgs[@]} packages already installed"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Package scripts must not start services (nftables, a dnsmasq, sshd...) on this machine:
# a policy-rc.d that refuses, only for this install, unless the admin has one already.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
fi
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
