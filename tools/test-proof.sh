# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by tools/test.sh after the normal suites (uses its $root, $build,
# $logs, $fuzz_seconds, record, meson_counts, pytest_counts): the sanitizer
# build, the short fuzz run, the valgrind pass and the short crash-safety run of issue 6.

asan=$build-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# Sanitizer reports of the integration daemon land in files (its own output
# goes to a log the harness deletes); each one found is a failure.
sanitizer_reports() {   # dir -> number of report files, printing them
    local n=0 f
    for f in "$1"/*; do
        [ -f "$f" ] || continue
        echo "--- sanitizer report $f"
        head -n 60 "$f"
        n=$((n + 1))
    done
    echo "$n" >"$1.count"
}

echo "=== ASan+UBSan build ($asan) ==="
rm -rf "$asan"
if meson setup "$asan" -Dtests=true -Db_sanitize=address,undefined >/dev/null && ninja -C "$asan"; then
    echo "=== ASan+UBSan: unit tests ==="
    meson test -C "$asan" --print-errorlogs --suite unit 2>&1 | tee "$logs/asan-unit.log"
    rc=${PIPESTATUS[0]}
    read -r ok bad < <(meson_counts "$logs/asan-unit.log")
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
    record asan-unit "$ok" "$bad"

    echo "=== ASan+UBSan: integration tests (daemon $asan/virtbusd) ==="
    mkdir -p "$logs/asan-reports"
    ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$logs/asan-reports/asan \
    UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$logs/asan-reports/ubsan \
        meson test -C "$asan" --print-errorlogs --suite integration -v --timeout-multiplier 2 \
        2>&1 | tee "$logs/asan-integration.log"
    rc=${PIPESTATUS[0]}
    if counts=$(pytest_counts "$logs/asan-integration.log"); then
        read -r ok bad <<<"$counts"
    else
        ok=0 bad=1
    fi
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
    sanitizer_reports "$logs/asan-reports"
    # one more test: no sanitizer report from any daemon
    if [ "$(cat "$logs/asan-reports.count")" -eq 0 ]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
    record asan-integration "$ok" "$bad"
else
    record asan-build 0 1
fi

echo "=== fuzz: every target for $fuzz_seconds s ==="
rm -rf "$build-fuzz"
FUZZ_BUILDDIR=$build-fuzz FUZZ_JOBS=$(nproc) bash "$root/tests/fuzz/run.sh" "$fuzz_seconds" \
    2>&1 | tee "$logs/fuzz.log"
rc=${PIPESTATUS[0]}
if line=$(grep -E '^fuzz: [0-9]+ ok, [0-9]+ failed$' "$logs/fuzz.log"); then
    read -r _ ok _ bad _ <<<"$line"
else
    ok=0 bad=1   # no summary: the fuzz build failed
fi
if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
record fuzz "$ok" "$bad"

echo "=== valgrind memcheck: integration tests (daemon $build/virtbusd) ==="
mkdir -p "$logs/valgrind"
# Left out under valgrind: the QEMU driver's tests (valgrind 3.19 lacks pidfd_open,
# which the driver needs to watch QEMU) and the D-Bus fuzz pass (10 MiB arguments
# outlast its per-call deadline at valgrind's speed; it runs in the two passes above).
PYTEST_ADDOPTS="--ignore-glob=*test_qemu*.py --ignore=$root/tests/integration/test_dbus_fuzz.py" \
VIRTBUSD_WRAPPER="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --log-file=$logs/valgrind/vg.%p.log" \
    meson test -C "$build" --print-errorlogs --suite integration -v --timeout-multiplier 4 \
    2>&1 | tee "$logs/valgrind-integration.log"
rc=${PIPESTATUS[0]}
vg_runs=0 vg_bad=0
for f in "$logs"/valgrind/vg.*.log; do
    [ -f "$f" ] || continue
    vg_runs=$((vg_runs + 1))
    if ! grep -qE 'ERROR SUMMARY: 0 errors' "$f"; then
        echo "--- valgrind $f"
        cat "$f"
        vg_bad=$((vg_bad + 1))
    fi
done
echo "valgrind: $vg_runs daemon runs, $vg_bad with errors; pytest exit $rc"
if [ "$rc" -eq 0 ] && [ "$vg_runs" -gt 0 ] && [ "$vg_bad" -eq 0 ]; then
    record valgrind-integration 1 0
else
    record valgrind-integration 0 1
fi

echo "=== crash safety: 150 QEMU-driver operations with SIGKILL of virtbusd (tests/crash) ==="
if [ -x /usr/bin/qemu-system-x86_64 ]; then
    timeout 600 /usr/bin/python3 "$root/tests/crash/crash-safety.py" --ops 150 --daemon "$build/virtbusd" \
        2>&1 | tee "$logs/crash-safety.log"
    if [ "${PIPESTATUS[0]}" -eq 0 ] && grep -qE '^crash-safety: [0-9]+ ops, [0-9]+ kills, 0 violations$' "$logs/crash-safety.log"; then
        record crash-safety 1 0
    else
        record crash-safety 0 1
    fi
else
    echo "qemu-system-x86_64 is not installed: crash safety not run"
    record crash-safety 0 1
fi
