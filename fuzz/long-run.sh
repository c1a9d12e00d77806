#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The long fuzzing run: each target (default: all; or those named) runs until it has
# executed RUNS inputs (default 10 million) or SECONDS_PER_TARGET seconds have passed
# (default 3600), whichever is first, niced, one job at a time, on a copy of its corpus;
# new inputs are then merged back into fuzz/corpus/<target>/ (-merge=1 keeps only the
# ones that add coverage) and the figures (executions, cov:, ft: from libFuzzer's final
# stats) are appended to fuzz/long-run-figures.md (header written when the file is new),
# to be copied into docs/fuzzing.md's table.
#   RUNS=10000000 SECONDS_PER_TARGET=3600 FUZZ_SAN=asan fuzz/long-run.sh [target...]
# FUZZ_SAN=asan (default) fuzzes the ASan + UBSan build (build-fuzz/); FUZZ_SAN=none the
# build with libFuzzer's coverage only (build-fuzz-nosan/: 2-10 times faster, but no
# memory-error, leak or UB detection, only crashes, invariants, timeouts and RSS). With
# FUZZ_SAN=none every input the run keeps is replayed on the ASan + UBSan build afterwards
# (REPLAY=0 skips it), so the corpus committed is clean under the sanitizers too.
# The harnesses' files go to a tmpfs (TMPDIR, default /dev/shm when it exists).
# A finding stops that target; its input is left in fuzz/artifacts/<target>/ (make it a
# regression input in tests/data/fuzz-regress/<target>/ with the fix).
set -uo pipefail
cd "$(dirname "$0")/.."
. fuzz/common.sh
runs=${RUNS:-10000000}
secs=${SECONDS_PER_TARGET:-3600}
targets=${*:-$FUZZ_TARGETS}
fuzz_build || exit 1
san=$FUZZ_SAN
asan_build=$FUZZ_ROOT/build-fuzz
if [ "$san" = none ] && [ "${REPLAY:-1}" = 1 ]; then
    (FUZZ_SAN=asan FUZZ_BUILD=$asan_build && fuzz_build) || exit 1
fi
[ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && export TMPDIR=/dev/shm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=fuzz/long-run-figures.md
if [ ! -f "$out" ]; then
    echo "| target | date | build | executions | seconds | cov | ft | corpus | result |" >"$out"
    echo "|---|---|---|---|---|---|---|---|---|" >>"$out"
fi
for t in $targets; do
    mkdir -p "$work/$t" "fuzz/artifacts/$t" "fuzz/corpus/$t"
    cp -r "fuzz/corpus/$t/." "$work/$t/"
    start=$(date +%s)
    # shellcheck disable=SC2086
    nice -n 19 "$FUZZ_BUILD/fuzz/fuzz_$t" -runs="$runs" -max_total_time="$secs" \
        $FUZZ_LIMITS -dict="fuzz/dict/$(fuzz_dict "$t").dict" -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$t/" "$work/$t" >"$work/$t.log" 2>&1
    rc=$?
    took=$(($(date +%s) - start))
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$t.log" | tail -1 | grep -o '[0-9]*$')
    last=$(grep -E '^#[0-9]+' "$work/$t.log" | tail -1)
    cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
    ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
    # shellcheck disable=SC2086
    nice -n 19 "$FUZZ_BUILD/fuzz/fuzz_$t" -merge=1 $FUZZ_LIMITS \
        "fuzz/corpus/$t" "$work/$t" >"$work/$t.merge.log" 2>&1
    result=$([ $rc -eq 0 ] && echo "no finding" || echo "FINDING (rc $rc, fuzz/artifacts/$t/)")
    if [ "$san" = none ] && [ "${REPLAY:-1}" = 1 ]; then
        # The corpus on the ASan + UBSan build: -runs=0 executes each input once.
        # shellcheck disable=SC2086
        if ! nice -n 19 "$asan_build/fuzz/fuzz_$t" -runs=0 $FUZZ_LIMITS \
            -artifact_prefix="fuzz/artifacts/$t/asan-" "fuzz/corpus/$t" \
            >"$work/$t.replay.log" 2>&1; then
            tail -n 40 "$work/$t.replay.log"
            result="$result; ASAN REPLAY FAILED (fuzz/artifacts/$t/asan-*)"
        else
            result="$result; corpus clean under ASan+UBSan"
        fi
    fi
    n=$(find "fuzz/corpus/$t" -type f | wc -l)
    echo "| $t | $(date -u +%F) | $san | ${execs:-?} | $took | ${cov:-?} | ${ft:-?} | $n | $result |" |
        tee -a "$out"
done
