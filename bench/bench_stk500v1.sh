#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# STK500v1 / ArduinoISP benchmark: the same workloads through ispflash and
# avrdude against the project's ArduinoISP emulator (ispf-emu over net:), counted
# on the emulator side (bytes each way, replies = round trips), plus wall time to
# connect and enter programming mode. Prints ispflash/avrdude ratios and checks
# them against the floors of issue 4.
#
#   bench/bench_stk500v1.sh [BUILD_DIR] [TESTDATA_DIR]
#
# Not part of the default ctest run (timings depend on the machine).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../build}
DATA=${2:-$HERE/../tests/data}
EMU_LIFETIME=600
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
CATERINA=$DATA/real/sparkfun_Caterina-promicro16.hex
[ -f "$CATERINA" ] || CATERINA=$DATA/real/arduino_Caterina-Leonardo.hex

# run_tool TOOL NAME ARGS...: -c avrisp on the ArduinoISP emulator
run_tool() {
    t=$1; n=$2; shift 2
    bench_run "$t" "$n" arduinoisp avrisp "" "$@"
}

FAILS=0
report() { # name [floor_bytes floor_rt]
    name=$1
    ib=$(( $(stat_of "$name.ispflash" rx_bytes) + $(stat_of "$name.ispflash" tx_bytes) ))
    ab=$(( $(stat_of "$name.avrdude" rx_bytes) + $(stat_of "$name.avrdude" tx_bytes) ))
    ir=$(stat_of "$name.ispflash" replies)
    ar=$(stat_of "$name.avrdude" replies)
    it=$(cat "$W/$name.ispflash.ms")
    at=$(cat "$W/$name.avrdude.ms")
    itx=$(stat_of "$name.ispflash" rx_bytes); atx=$(stat_of "$name.avrdude" rx_bytes)
    line=$(awk -v n="$name" -v ib="$ib" -v ab="$ab" -v ir="$ir" -v ar="$ar" -v it="$it" -v at="$at" \
        -v itx="$itx" -v atx="$atx" \
        'BEGIN { printf "%-9s bytes %6d / %6d = %.3f (host->prog %.3f)  round trips %4d / %4d = %.3f  time %5d / %5d ms",
                 n, ib, ab, ib / ab, itx / atx, ir, ar, ir / ar, it, at }')
    verdict=""
    if [ $# -ge 3 ]; then
        ok=$(awk -v ib="$ib" -v ab="$ab" -v ir="$ir" -v ar="$ar" -v fb="$2" -v fr="$3" \
            'BEGIN { print (ib / ab <= fb && ir / ar <= fr) ? "ok" : "FAIL" }')
        verdict="  [floors $2 / $3: $ok]"
        [ "$ok" = ok ] || FAILS=$((FAILS + 1))
    fi
    echo "$line$verdict"
}

echo "ispflash/avrdude on the ArduinoISP emulator (m32u4, net:), $("$AVRDUDE" -? 2>&1 | grep -o 'version [0-9.]*' | head -1)"

run_tool ispflash ewv28k -U "flash:w:$W/rand.hex:i"
run_tool avrdude ewv28k -U "flash:w:$W/rand.hex:i"
report ewv28k 0.94 0.30

run_tool ispflash caterina -U "flash:w:$CATERINA:i"
run_tool avrdude caterina -U "flash:w:$CATERINA:i"
report caterina

run_tool ispflash readall -U "flash:r:$W/read.ispflash.hex:i"
run_tool avrdude readall -U "flash:r:$W/read.avrdude.hex:i"
report readall 0.92 0.10

run_tool ispflash fuses --unsafe-fuses -U lfuse:w:0xFF:m -U hfuse:w:0xD8:m -U efuse:w:0xFB:m
run_tool avrdude fuses -U lfuse:w:0xFF:m -U hfuse:w:0xD8:m -U efuse:w:0xFB:m
report fuses

# Connect + enter programming mode (+ signature): the programmer answers at once.
run_tool ispflash connect
run_tool avrdude connect
report connect
ct=$(cat "$W/connect.ispflash.ms")
if [ "$ct" -le 300 ]; then
    echo "connect+progmode: ispflash ${ct} ms  [floor 300 ms: ok]"
else
    echo "connect+progmode: ispflash ${ct} ms  [floor 300 ms: FAIL]"
    FAILS=$((FAILS + 1))
fi
[ $FAILS = 0 ] && echo "all floors met" || echo "$FAILS floor(s) missed"
[ $FAILS = 0 ]
