#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/, a separate SwiftPM package): every decoder and the ballot verifier, and runs
# each for SECONDS.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (default 600 s; targets: certificate endorsement ballot scmsfile records
#                                              verifier)
#
# Recipe (Swift 6.3.1 on Linux): one `-sanitize=fuzzer,address` flag (two separate flags silently drop the
# coverage instrumentation), lld as the linker, and a main.swift that calls LLVMFuzzerRunDriver. At run
# time SWIFT_BACKTRACE=enable=no, otherwise Swift's backtracer handles the trap and no crash file is written.
# Seeds: Fuzz/corpus/<target>/ (kept in git, never written to); new inputs go to Fuzz/corpus-work/<target>/,
# crashing inputs to Fuzz/artifacts/<target>/ — turn each one into a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-600}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(certificate endorsement ballot scmsfile records verifier)

build_path="$PWD/Fuzz/.build"
echo "fuzz: building ${targets[*]} (release, -sanitize=fuzzer,address, lld)" >&2
(cd Fuzz && swift build -c release --build-path "$build_path" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld >&2)
bin="$build_path/release"

total_fail=0
total_execs=0
total_crashes=0
summary=()
for t in "${targets[@]}"; do
    work="Fuzz/corpus-work/$t"
    artifacts="Fuzz/artifacts/$t"
    mkdir -p "$work" "$artifacts"
    log="$work.log"
    echo "fuzz: $t for ${seconds}s" >&2
    set +e
    SWIFT_BACKTRACE=enable=no "$bin/fuzz-$t" "$work" "Fuzz/corpus/$t" \
        -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1
    rc=$?
    set -e
    counters=$(grep -m1 -o 'Loaded 1 modules *([0-9]* inline 8-bit counters)' "$log" | tr -s ' ' || true)
    [ -n "$counters" ] || counters="NO COVERAGE COUNTERS"
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    rate="?"
    [[ "$execs" =~ ^[0-9]+$ ]] && rate=$((execs / seconds))
    cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'cov: [0-9]*' || echo "cov: ?")
    crashes=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) | wc -l)
    if ((rc != 0)) || ((crashes > 0)); then total_fail=1; fi
    [[ "$execs" =~ ^[0-9]+$ ]] && total_execs=$((total_execs + execs))
    total_crashes=$((total_crashes + crashes))
    summary+=("$(printf '%-12s executions %-10s (%s/s)  %-9s crashes %s  rc %s  [%s]' "$t" "$execs" "$rate" "$cov" "$crashes" "$rc" "$counters")")
done

echo
echo "== fuzz totals (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
printf 'all targets  executions %s  crashes %s\n' "$total_execs" "$total_crashes"
if ((total_fail)); then
    echo "fuzz: FAILURES — see Fuzz/artifacts/ and Fuzz/corpus-work/*.log" >&2
    exit 1
fi
