#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Several programmers at once (issue 11): boards per hour of four emulated ArduinoISP
# programmers, each paced at the real 19200 baud, driven by one ispflash process
# (-P four times), against one programmer alone, measured in the same run:
#   ratio = (4 boards / time of the four) / (1 board / time of one)
# Each board: erase, write and verify the SparkFun Pro Micro Caterina image (4 KiB),
# plus an EEPROM serial number and a log record. Floor: 3.8.
#
#   bench/bench_production.sh [BUILD_DIR] [TESTDATA_DIR]
#
# Not part of the default ctest run (timings depend on the machine).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(realpath "${1:-$HERE/../build}")
DATA=$(realpath "${2:-$HERE/../tests/data}")
BIN=$BUILD/ispflash
EMU=$BUILD/tests/ispf-emu
IMG=$DATA/real/sparkfun_Caterina-promicro16.hex
W=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
cd "$W" || exit 1

now_ms() { date +%s%3N; }

# start_emus N: N paced ArduinoISP emulators with a fresh board each; -P args in PORTS
start_emus() {
    PORTS=()
    for i in $(seq "$1"); do
        rm -f "e$i.port" "e$i.chip"
        touch "e$i.chip"
        "$EMU" --proto arduinoisp --part m32u4 --listen 127.0.0.1:0 --port-file "e$i.port" \
            --target-file "$W/e$i.chip" --pace 19200 --lifetime 300 >/dev/null 2>&1 &
        for _ in $(seq 50); do [ -s "e$i.port" ] && break; sleep 0.1; done
        PORTS+=(-P "net:127.0.0.1:$(cat "e$i.port")")
    done
}
stop_emus() {
    kill $(jobs -p) 2>/dev/null
    wait 2>/dev/null
}

# run_boards: one ispflash process over every port in PORTS; prints its wall time (ms)
run_boards() {
    local t0 rc
    t0=$(now_ms)
    timeout 300 "$BIN" -c avrisp "${PORTS[@]}" -p m32u4 -U "flash:w:$IMG" \
        --serial eeprom:0:4 --serial-file "$W/ctr" --log "$W/log.csv" -q -q 2>"$W/err"
    rc=$?
    echo $(($(now_ms) - t0))
    [ $rc = 0 ] || { echo "ispflash failed (exit $rc):" >&2; cat "$W/err" >&2; }
}

start_emus 1
t1=$(run_boards)
stop_emus
start_emus 4
t4=$(run_boards)
stop_emus

boards=$(($(wc -l <"$W/log.csv") - 1))
pass=$(grep -c ',PASS,' "$W/log.csv")
awk -v t1="$t1" -v t4="$t4" -v b="$boards" -v p="$pass" 'BEGIN {
    r = (4 / t4) / (1 / t1)
    printf "one programmer:   1 board  in %6d ms = %7.1f boards/hour\n", t1, 3600000 / t1
    printf "four programmers: 4 boards in %6d ms = %7.1f boards/hour\n", t4, 4 * 3600000 / t4
    printf "ratio four/one: %.2f (floor 3.8); %d boards logged, %d passed\n", r, b, p
    exit !(r >= 3.8 && b == 5 && p == 5)
}'
