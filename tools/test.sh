#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install dependencies, build, and run every test suite:
#   unit (cmocka, via meson), integration (pytest, via meson),
#   conformance (libvirt-dbus 1.4.1's suite, tests/conformance/run.sh);
#   then the proof passes: unit + integration again in DIR-asan built with
#   -Db_sanitize=address,undefined (any sanitizer report fails), a short
#   libFuzzer run of every tests/fuzz target (DIR-fuzz, one test per target),
#   and one pass of the integration tests with the daemon under valgrind
#   memcheck (one test: definite leaks or memory errors fail it), and a short
#   crash-safety run (tests/crash, 150 operations with SIGKILLs; one test).
# Prints a per-suite summary and, as its last line, "N passed, N failed" over
# all suites. Exit status is non-zero if anything failed.
#
#   tools/test.sh [--no-deps] [--builddir DIR] [--fuzz-seconds N]
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-ci
deps=1
fuzz_seconds=60   # issue 6: "e.g. 60 s each"
while [ $# -gt 0 ]; do
    case "$1" in
        --no-deps) deps=0; shift ;;
        --builddir) build=$(realpath -m "$2"); shift 2 ;;
        --fuzz-seconds) fuzz_seconds=$2; shift 2 ;;
        -h|--help) sed -n '3,16p' "$0"; exit 0 ;;
        *) echo "$0: unknown option '$1'" >&2; exit 2 ;;
    esac
done

cd "$root"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
total_pass=0
total_fail=0
summary=()

finish() {
    echo
    echo "=== summary ==="
    for line in "${summary[@]}"; do
        echo "$line"
    done
    echo "$total_pass passed, $total_fail failed"
    [ "$total_fail" -eq 0 ]
    exit $?
}

record() {   # suite passed failed
    total_pass=$((total_pass + $2))
    total_fail=$((total_fail + $3))
    summary+=("suite $1: $2 ok, $3 not ok")
}

if [ "$deps" = 1 ]; then
    if ! "$root/tools/install-deps.sh" --test; then
        record install-deps 0 1
        finish
    fi
fi

echo "=== build ($build) ==="
rm -rf "$build"
if ! meson setup "$build" -Dwerror=true -Dtests=true || ! ninja -C "$build"; then
    record build 0 1
    finish
fi

# meson's own counts: Ok / Fail / Unexpected Pass / Timeout
meson_counts() {   # log -> "ok bad"
    awk '/^Ok:/{ok=$2} /^Expected Fail:/{ok+=$3} /^Fail:/{bad+=$2} /^Unexpected Pass:/{bad+=$3}
         /^Timeout:/{bad+=$2} END{print ok+0, bad+0}' "$1"
}

# pytest's final line, e.g. "3 failed, 80 passed, 1 skipped in 12.3s"
pytest_counts() {   # log -> "passed failed" or "" if no summary line
    local line
    line=$(grep -E '[0-9]+ (passed|failed|errors?|skipped|deselected)\b.* in [0-9.]+s' "$1" | tail -n 1)
    [ -n "$line" ] || return 1
    local p f e
    p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || true)
    f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+' || true)
    e=$(grep -oE '[0-9]+ errors?' <<<"$line" | grep -oE '[0-9]+' || true)
    echo "${p:-0} $(( ${f:-0} + ${e:-0} ))"
}

echo "=== unit tests ==="
meson test -C "$build" --print-errorlogs --no-suite integration --no-suite conformance \
    2>&1 | tee "$logs/unit.log"
rc=${PIPESTATUS[0]}
read -r ok bad < <(meson_counts "$logs/unit.log")
if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
record unit "$ok" "$bad"

echo "=== integration tests ==="
meson test -C "$build" --print-errorlogs --suite integration -v 2>&1 | tee "$logs/integration.log"
rc=${PIPESTATUS[0]}
if counts=$(pytest_counts "$logs/integration.log"); then
    read -r ok bad <<<"$counts"
else
    ok=0 bad=1   # pytest never got to its summary
fi
if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
record integration "$ok" "$bad"

echo "=== conformance (libvirt-dbus 1.4.1 test suite) ==="
bash "$root/tests/conformance/run.sh" "$build" 2>&1 | tee "$logs/conformance.log"
rc=${PIPESTATUS[0]}
if counts=$(pytest_counts "$logs/conformance.log"); then
    read -r ok bad <<<"$counts"
else
    ok=0 bad=1
fi
if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
record conformance "$ok" "$bad"

source "$root/tools/test-proof.sh"

finish
