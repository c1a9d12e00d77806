#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The long fuzzing run: each target (default: all; or those named) runs until it has
# executed RUNS inputs (default 10 million) or SECONDS seconds have passed (default 3600),
# whichever is first, niced, one job at a time, on a copy of its corpus; new inputs are
# then merged back into fuzz/corpus/<target>/ (-merge=1 keeps only the ones that add
# coverage) and the figures (executions, cov:, ft: from libFuzzer's final stats) are
# written to fuzz/long-run-figures.md, to be copied into docs/fuzzing.md's table.
#   RUNS=10000000 SECONDS_PER_TARGET=3600 fuzz/long-run.sh [target...]
# A finding stops that target; its input is left in fuzz/artifacts/<target>/ (make it a
# regression input in tests/data/fuzz-regress/<target>/ with the fix).
set -uo pipefail
cd "$(dirname "$0")/.."
. fuzz/common.sh
runs=${RUNS:-10000000}
secs=${SECONDS_PER_TARGET:-3600}
targets=${*:-$FUZZ_TARGETS}
fuzz_build || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=fuzz/long-run-figures.md
echo "| target | executions | seconds | cov | ft | corpus | result |" >"$out"
echo "|---|---|---|---|---|---|---|" >>"$out"
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
    "$FUZZ_BUILD/fuzz/fuzz_$t" -merge=1 $FUZZ_LIMITS "fuzz/corpus/$t" "$work/$t" >/dev/null 2>&1
    n=$(find "fuzz/corpus/$t" -type f | wc -l)
    result=$([ $rc -eq 0 ] && echo "no finding" || echo "FINDING (rc $rc, fuzz/artifacts/$t/)")
    echo "| $t | ${execs:-?} | $took | ${cov:-?} | ${ft:-?} | $n | $result |" | tee -a "$out"
done
