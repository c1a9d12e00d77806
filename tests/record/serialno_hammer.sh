#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serialno_hammer.sh HAMMER: four processes reserve numbers from one counter file at once
# while a fifth is killed with -9 mid-way. No number is printed twice, every survivor got
# all its numbers, the file is still a valid counter whose next is above every number
# printed, and at most one number (the one the killed process was reserving) is spent
# without being printed.
set -u
hammer=${1:?usage: serialno_hammer.sh HAMMER}
dir=$(mktemp -d "${TMPDIR:-/tmp}/serialno_hammer.XXXXXX")
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
counter=$dir/serial.counter
K=150
START=1000

timeout 60 "$hammer" "$counter" 0 "$START" || fail "creating the counter"
pids=()
for i in 1 2 3 4; do
    timeout 120 "$hammer" "$counter" "$K" >"$dir/out.$i" 2>"$dir/err.$i" &
    pids+=($!)
done
# The victim: far more numbers than it will get before the kill.
"$hammer" "$counter" 100000 >"$dir/out.victim" 2>"$dir/err.victim" &
victim=$!
for _ in $(seq 1 600); do # wait until it has some numbers (at most 60 s)
    [ "$(wc -l <"$dir/out.victim")" -ge 20 ] && break
    sleep 0.1
done
kill -9 "$victim"
wait "$victim" 2>/dev/null
for i in 1 2 3 4; do
    wait "${pids[$((i - 1))]}" || fail "hammer $i exited $?: $(cat "$dir/err.$i")"
    [ "$(wc -l <"$dir/out.$i")" -eq $K ] || fail "hammer $i printed $(wc -l <"$dir/out.$i") numbers, not $K"
done
victim_n=$(wc -l <"$dir/out.victim")
[ "$victim_n" -ge 20 ] || fail "the killed process printed only $victim_n numbers"
[ "$victim_n" -lt 100000 ] || fail "the victim finished before the kill"

cat "$dir"/out.* >"$dir/all"
total=$(wc -l <"$dir/all")
dups=$(sort -n "$dir/all" | uniq -d | head -5)
[ -z "$dups" ] || fail "numbers given twice: $dups"
max=$(sort -n "$dir/all" | tail -1)
min=$(sort -n "$dir/all" | head -1)
[ "$min" -ge $START ] || fail "number $min below the start $START"

# the file: one "next N" line; N above every number printed
next=$(awk '$1 == "next" { n++; v = $2 } END { if (n == 1) print v }' "$counter")
[ -n "$next" ] || fail "the counter file is not valid after the kill: $(cat "$counter")"
[ "$next" -gt "$max" ] || fail "next $next is not above the highest number printed ($max)"
spent=$((next - START - total))
[ "$spent" -ge 0 ] && [ "$spent" -le 1 ] || fail "$spent numbers reserved but never printed (at most 1: the killed one's)"
# and it goes on from there
again=$(timeout 60 "$hammer" "$counter" 1) || fail "reserving after the kill"
[ "$again" -eq "$next" ] || fail "after the kill got $again, want $next"
echo "serialno: $total numbers from 5 processes ($victim_n from the one killed with -9), none twice, next $next, $spent spent unprinted"
