#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CI: build every libFuzzer target (clang) and run each for 30 s (FUZZ_SECONDS) on a
# copy of its seed corpus (the tree is not modified) with its dictionary. Fails on any
# crash, leak, undefined behaviour, out-of-memory or timeout. docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. fuzz/common.sh
seconds=${FUZZ_SECONDS:-30}
fuzz_build
# The harnesses that take a path write their inputs to files: on a tmpfs when there is one.
[ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && export TMPDIR=/dev/shm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=""
for t in $FUZZ_TARGETS; do
    mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
    cp -r "fuzz/corpus/$t/." "$work/$t/corpus/"
    echo "== fuzz_$t: ${seconds} s"
    # shellcheck disable=SC2086
    if ! "$FUZZ_BUILD/fuzz/fuzz_$t" -max_total_time="$seconds" $FUZZ_LIMITS \
        -dict="fuzz/dict/$(fuzz_dict "$t").dict" -print_final_stats=1 \
        -artifact_prefix="$work/$t/artifacts/" "$work/$t/corpus" >"$work/$t/log" 2>&1; then
        tail -n 60 "$work/$t/log"
        ls -l "$work/$t/artifacts"
        failed="$failed $t"
    fi
    grep -E '^#[0-9]+.*DONE|stat::number_of_executed_units' "$work/$t/log" || true
done
if [ -n "$failed" ]; then
    echo "fuzzing found problems in:$failed" >&2
    exit 1
fi
echo "fuzzing: every target ran ${seconds} s without a finding"
