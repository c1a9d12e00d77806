#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Production through emulated programmers (ispf-emu over net:, each with a target
# socket: --target-file FILE, missing = no board, empty = a factory-fresh chip):
#  - --batch 2 through the ArduinoISP and the STK500v2 emulators, boards swapped while
#    the programmer stays connected: both boards hold the image and their serial
#    number, one TCP connection for the whole batch;
#  - four ArduinoISP programmers at once (-P four times): four boards programmed,
#    four distinct serial numbers, one log with four records;
#  - one of four has no board, and another programmer dies mid-write: those two fail
#    with their own exit classes, the other two pass, the exit code is the first
#    failure's (in -P order).
# Usage: batch_emu.sh ISPFLASH ISPF-EMU DATADIR
set -u
BIN=$(realpath "$1")
EMU=$(realpath "$2")
D=$(realpath "$3")
W=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
cd "$W" || exit 1
APP=$D/qmkbuild_crkbd_rev1_default.hex
. "$(dirname "$(realpath "${BASH_SOURCE[0]}")")/lib.sh"
# emu NAME PROTO [ARGS...]: an emulator whose socket is NAME.chip; its port in NAME.port
emu() {
    local name=$1 proto=$2
    shift 2
    rm -f "$name.port"
    "$EMU" --proto "$proto" --part m32u4 --listen 127.0.0.1:0 --port-file "$name.port" \
        --target-file "$W/$name.chip" --stats "$name.stats" --lifetime 120 "$@" \
        >/dev/null 2>"$name.emu.err" &
    echo $! >"$name.pid"
    for _ in $(seq 50); do [ -s "$name.port" ] && return 0; sleep 0.1; done
    echo "emulator $name did not start" >&2
    return 1
}
srec_cat "$APP" -Intel -o app.bin -Binary

# --- --batch 2 through one emulated programmer, boards swapped --------------------
for pair in arduinoisp:avrisp stk500v2:stk500v2; do
    proto=${pair%%:*}
    pgm=${pair#*:}
    rm -f "$proto".*
    touch "$proto.chip"
    emu "$proto" "$proto" || continue
    timeout 120 "$BIN" -c "$pgm" -P "net:127.0.0.1:$(cat "$proto.port")" -p m32u4 -U "flash:w:$APP" \
        --serial eeprom:0x10:2:be --serial-file "$proto.ctr" --serial-start 500 --batch 2 \
        >"$proto.out" 2>"$proto.err" &
    pid=$!
    wait_for "$proto.err" "board 1: PASS" && wait_for "$proto.err" "board 1 done" &&
        mv "$proto.chip" "$proto.b1" && wait_for "$proto.err" "waiting for board 2" &&
        touch "$proto.chip"
    wait $pid
    rc=$?
    kill "$(cat "$proto.pid")" 2>/dev/null
    wait "$(cat "$proto.pid")" 2>/dev/null
    check "$proto batch: exit 0 (got $rc)" [ "$rc" = 0 ]
    check "$proto batch: 2 passed" grep -q "batch done: 2 boards, 2 passed, 0 failed" "$proto.err"
    for b in 1 2; do
        chip=$proto.b1
        [ $b = 2 ] && chip=$proto.chip
        read_chip "$chip" flash f.bin
        check "$proto board $b: flash holds the image" cmp -s f.bin <(head -c "$(stat -c %s f.bin)" app.bin)
        read_chip "$chip" eeprom e.bin
        want=$((499 + b))
        got=$(od -An -tx1 -j16 -N2 e.bin | tr -d ' ')
        check "$proto board $b: serial $want big-endian at 0x10 (got $got)" \
            [ "$got" = "$(printf '%04x' $want)" ]
    done
    conns=$(awk '$1 == "connections" { print $2 }' "$proto.stats")
    inserts=$(awk '$1 == "socket_inserts" { print $2 }' "$proto.stats")
    check "$proto batch: one connection for the whole batch (got $conns)" [ "$conns" = 1 ]
    check "$proto batch: the emulator saw two boards inserted (got $inserts)" [ "$inserts" = 2 ]
done

# --- four programmers at once --------------------------------------------------------
rm -f q*.chip
ports=()
for q in q1 q2 q3 q4; do
    touch "$q.chip"
    emu "$q" arduinoisp --pace 115200 || true
    ports+=(-P "net:127.0.0.1:$(cat "$q.port")")
done
rc=0
timeout 120 "$BIN" -c avrisp "${ports[@]}" -p m32u4 -U "flash:w:$APP" --serial eeprom:0:4 \
    --serial-file four.ctr --log four.csv --json >four.jsonl 2>four.err || rc=$?
check "four at once: exit 0 (got $rc)" [ "$rc" = 0 ]
check "four at once: four PASS lines" [ "$(grep -c 'board 1: PASS' four.err)" = 4 ]
check "four at once: four records, serials 1-4 once each, all PASS" $PY -c '
import csv
r=list(csv.DictReader(open("four.csv")))
assert sorted(int(x["serial"]) for x in r)==[1,2,3,4], r
assert all(x["result"]=="PASS" for x in r)
assert len(set(x["port"] for x in r))==4'
check "four at once: four json lines, one per port" $PY -c '
import json
r=[json.loads(l) for l in open("four.jsonl")]
assert len(r)==4 and len(set(x["port"] for x in r))==4 and all(x["result"]=="pass" for x in r), r'
for q in q1 q2 q3 q4; do
    read_chip "$q.chip" flash f.bin
    check "four at once: $q holds the image" cmp -s f.bin <(head -c "$(stat -c %s f.bin)" app.bin)
done
for q in q1 q2 q3 q4; do kill "$(cat $q.pid)" 2>/dev/null; done
wait 2>/dev/null

# --- one without a board, one that dies mid-write -------------------------------------------
ports=()
for q in r1 r2 r3 r4; do
    rm -f "$q.chip"
    [ $q != r2 ] && touch "$q.chip"
    emu "$q" arduinoisp --pace 57600 || true
    ports+=(-P "net:127.0.0.1:$(cat "$q.port")")
done
rc=0
timeout 120 "$BIN" -c avrisp "${ports[@]}" -p m32u4 -U "flash:w:$APP" --log mixed.csv \
    >mixed.out 2>mixed.err &
pid=$!
wait_for mixed.err "\[net:127.0.0.1:$(cat r3.port)\]: writing flash" && sleep 1 &&
    kill -9 "$(cat r3.pid)"
wait $pid
rc=$?
check "mixed: exit 5 (r2, the first failure in -P order: no target) (got $rc)" [ "$rc" = 5 ]
check "mixed: r1 and r4 passed" [ "$(grep -c 'board 1: PASS' mixed.err)" = 2 ]
check "mixed: r2 failed, no target" grep -q "$(cat r2.port)\]: board 1: FAIL (exit 5)" mixed.err
check "mixed: r3 failed as a programmer problem" grep -q "$(cat r3.port)\]: board 1: FAIL (exit 4)" mixed.err
check "mixed: the log has 2 PASS and 2 FAIL" $PY -c '
import csv
r=sorted(x["result"] for x in csv.DictReader(open("mixed.csv")))
assert r==["FAIL","FAIL","PASS","PASS"], r'
for q in r1 r4; do
    read_chip "$q.chip" flash f.bin
    check "mixed: $q holds the image" cmp -s f.bin <(head -c "$(stat -c %s f.bin)" app.bin)
done

finish batch_emu
