#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build bench/vbbench and bench/brokerctl (kept out of the meson build on purpose).
# build.sh [VBBENCH_OUT]: brokerctl goes next to it.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
out=${1:-$HERE/vbbench}
ctl=$(dirname "$out")/brokerctl
flags=(-std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Wshadow)
# shellcheck disable=SC2046
gcc "${flags[@]}" -o "$out" "$HERE/vbbench.c" $(pkg-config --cflags --libs libsystemd) -lm
# shellcheck disable=SC2046
gcc "${flags[@]}" -Werror -o "$ctl" "$HERE/brokerctl.c" $(pkg-config --cflags --libs libsystemd)
echo "built $out $ctl" >&2
