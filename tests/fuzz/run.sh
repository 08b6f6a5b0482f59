#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fuzz every libFuzzer target (or the ones named) for SECONDS each (default 60),
# with -max_len=65536 -timeout=10 -rss_limit_mb=2048 under ASan+UBSan (leaks
# count). Fails if any target finds a crash, leak, timeout or OOM; the input is
# saved as tests/fuzz/crashes/<target>-<kind>-<sha1>. First replays the inputs
# already in tests/fuzz/crashes/ (fixed bugs must stay fixed).
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# Environment: FUZZ_BUILDDIR (default <source>/build-fuzz, set up with clang if
# missing), FUZZ_JOBS (targets fuzzed at once, default 1). New corpus entries
# go to $FUZZ_BUILDDIR/fuzz-work/<target>/ (kept between runs, not committed);
# the committed seeds in tests/fuzz/corpus/<target>/ are only read.
# Prints per target "fuzz <target>: ok|FAILED, N execs in S s (N/s), corpus N"
# and, last, "fuzz: N ok, N failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcroot=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILDDIR:-$srcroot/build-fuzz}
jobs=${FUZZ_JOBS:-1}
secs=60
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
    secs=$1
    shift
fi
all_targets=(domain network network-update pool vol nodedev secret iface nwfilter snapshot object-path qmp)
targets=("${@:-${all_targets[@]}}")

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" "$srcroot" -Dfuzz=true -Dtests=false \
        -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 2
fi
ninja -C "$build" >/dev/null || { ninja -C "$build"; exit 2; }

crashes=$here/crashes
mkdir -p "$crashes"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# Replay the saved reproducers of one target; prints nothing when all pass.
replay() {   # target
    local exe=$build/tests/fuzz/fuzz-$1 f bad=0
    for f in "$crashes/$1"-*; do
        [ -f "$f" ] || continue
        if ! "$exe" -timeout=10 -rss_limit_mb=2048 "$f" >"$logs/$1.replay" 2>&1; then
            echo "fuzz $1: saved input $f still fails:"
            tail -n 30 "$logs/$1.replay"
            bad=1
        fi
    done
    return $bad
}

fuzz_one() {   # target -> writes $logs/<target>.result
    local t=$1 exe=$build/tests/fuzz/fuzz-$1 work=$build/fuzz-work/$1 rc start end
    local dict=() execs corpus
    mkdir -p "$work"
    [ -f "$here/dict/$t.dict" ] && dict=(-dict="$here/dict/$t.dict")
    start=$(date +%s)
    "$exe" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -max_total_time="$secs" \
        -print_final_stats=1 -artifact_prefix="$crashes/$t-" "${dict[@]}" \
        "$work" "$here/corpus/$t" >"$logs/$t.log" 2>&1
    rc=$?
    end=$(date +%s)
    execs=$(awk '/stat::number_of_executed_units:/{n=$2} END{print n+0}' "$logs/$t.log")
    corpus=$(find "$work" -type f | wc -l)
    echo "$t $rc $execs $((end - start)) $corpus" >"$logs/$t.result"
}

ok=0 failed=0
for t in "${targets[@]}"; do
    if [ ! -x "$build/tests/fuzz/fuzz-$t" ]; then
        echo "fuzz $t: no such target (have: ${all_targets[*]})"
        failed=$((failed + 1))
        continue
    fi
    if ! replay "$t"; then
        failed=$((failed + 1))
        continue
    fi
    fuzz_one "$t" &
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
        wait -n
    done
done
wait

for t in "${targets[@]}"; do
    [ -f "$logs/$t.result" ] || continue
    read -r _ rc execs took corpus <"$logs/$t.result"
    rate=$((execs / (took > 0 ? took : 1)))
    if [ "$rc" -eq 0 ]; then
        echo "fuzz $t: ok, $execs execs in $took s ($rate/s), corpus $corpus"
        ok=$((ok + 1))
    else
        echo "fuzz $t: FAILED (exit $rc) after $execs execs in $took s:"
        grep -E 'ERROR|fuzz check failed|SUMMARY|Test unit written|ALARM|out-of-memory' "$logs/$t.log" | head -n 20
        tail -n 40 "$logs/$t.log"
        failed=$((failed + 1))
    fi
done
echo "fuzz: $ok ok, $failed failed"
[ "$failed" -eq 0 ]
