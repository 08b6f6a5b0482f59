#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build bench/vbbench (kept out of the meson build on purpose).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
out=${1:-$HERE/vbbench}
gcc -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Wshadow \
        -o "$out" "$HERE/vbbench.c" $(pkg-config --cflags --libs libsystemd) -lm
echo "built $out" >&2
