#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# boardlog_hammer.sh HAMMER PYTHON3 CHECK_PY: for a CSV and a JSON Lines log, four
# processes append records at once while a fifth is killed with -9 mid-way; then
# boardlog_check.py reads the log back (every record whole, nothing finished lost).
set -u
hammer=${1:?} py=${2:?} check=${3:?}
dir=$(mktemp -d "${TMPDIR:-/tmp}/boardlog_hammer.XXXXXX")
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
K=60
for log in "$dir/boards.csv" "$dir/boards.jsonl"; do
    pids=()
    for i in 1 2 3 4; do
        timeout 120 "$hammer" "$log" "$i" $K >/dev/null 2>"$dir/err.$i" &
        pids+=($!)
    done
    "$hammer" "$log" victim 1000000 >"$dir/victim.done" 2>"$dir/err.victim" &
    victim=$!
    for _ in $(seq 1 600); do
        [ "$(wc -l <"$dir/victim.done")" -ge 10 ] && break
        sleep 0.1
    done
    kill -9 "$victim"
    wait "$victim" 2>/dev/null
    for i in 1 2 3 4; do
        wait "${pids[$((i - 1))]}" || fail "hammer $i exited $?: $(cat "$dir/err.$i")"
    done
    "$py" "$check" "$log" $K "$dir/victim.done" 1 2 3 4 || fail "$log"
done
