#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# STK500v2 and Bus Pirate benchmark: the same workloads through ispflash and
# avrdude 7.1 against the project's emulators (ispf-emu --proto stk500v2 /
# buspirate over net:), counted on the emulator side: bytes each way, and
# messages (STK500v2) or replies. Prints ispflash/avrdude ratios and checks the
# floors of issue 7 (bytes on the wire, erase + write + verify of 28 KiB on m32u4):
#   STK500v2                                   <= 0.88
#   Bus Pirate (firmware without the AVR
#   extension, avrdude's 575,856-byte case)    <= 0.65
#
#   bench/bench_stk500v2_buspirate.sh [BUILD_DIR] [TESTDATA_DIR]
#
# Not part of the default ctest run.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../build}
DATA=${2:-$HERE/../tests/data}
EMU_LIFETIME=900
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
CATERINA=$DATA/real/sparkfun_Caterina-promicro16.hex
CRKBD=$DATA/real/qmkbuild_crkbd_rev1_default.hex

# run_tool TOOL NAME PGM "EMU OPTIONS" ARGS...: -c PGM on ispf-emu --proto PGM
run_tool() {
    t=$1; n=$2; p=$3; o=$4; shift 4
    bench_run "$t" "$n" "$p" "$p" "$o" "$@"
}

FAILS=0
report() { # NAME COUNTER [floor_bytes]
    name=$1; counter=$2
    ib=$(( $(stat_of "$name.ispflash" rx_bytes) + $(stat_of "$name.ispflash" tx_bytes) ))
    ab=$(( $(stat_of "$name.avrdude" rx_bytes) + $(stat_of "$name.avrdude" tx_bytes) ))
    im=$(stat_of "$name.ispflash" "$counter"); am=$(stat_of "$name.avrdude" "$counter")
    it=$(cat "$W/$name.ispflash.ms"); at=$(cat "$W/$name.avrdude.ms")
    line=$(awk -v n="$name" -v ib="$ib" -v ab="$ab" -v im="${im:-0}" -v am="${am:-0}" \
        -v it="$it" -v at="$at" -v c="${counter#proto.}" \
        'BEGIN { printf "%-14s bytes %7d / %7d = %.3f   %s %5d / %5d = %.3f   time %6d / %6d ms",
                 n, ib, ab, ib / ab, c, im, am, (am ? im / am : 0), it, at }')
    verdict=""
    if [ $# -ge 3 ]; then
        ok=$(awk -v ib="$ib" -v ab="$ab" -v fb="$3" 'BEGIN { print (ib / ab <= fb) ? "ok" : "FAIL" }')
        verdict="  [floor $3: $ok]"
        [ "$ok" = ok ] || FAILS=$((FAILS + 1))
    fi
    echo "$line$verdict"
    # Both tools must have left the same chip.
    if [ -f "$W/$name.ispflash.chip" ] && [ -f "$W/$name.avrdude.chip" ] &&
        ! cmp -s "$W/$name.ispflash.chip" "$W/$name.avrdude.chip"; then
        echo "  ($name: the two tools left different chips)"
    fi
}

echo "ispflash/avrdude on the emulators (m32u4, net:), $("$AVRDUDE" -? 2>&1 | grep -o 'version [0-9.]*' | head -1)"
echo "-- STK500v2 (ispf-emu --proto stk500v2, SIGN_ON \"STK500_2\")"
for t in ispflash avrdude; do run_tool $t v2.ewv28k stk500v2 "" -U "flash:w:$W/rand.hex:i"; done
report v2.ewv28k proto.messages 0.88
for t in ispflash avrdude; do run_tool $t v2.crkbd stk500v2 "" -U "flash:w:$CRKBD:i"; done
report v2.crkbd proto.messages
for t in ispflash avrdude; do run_tool $t v2.caterina stk500v2 "" -U "flash:w:$CATERINA:i"; done
report v2.caterina proto.messages
for t in ispflash avrdude; do run_tool $t v2.readall stk500v2 "" -U "flash:r:$W/r.$t.hex:i"; done
report v2.readall proto.messages

echo "-- Bus Pirate, firmware without the AVR extension (avrdude: byte-wise writes and reads)"
for t in ispflash avrdude; do run_tool $t bp.ewv28k buspirate "" -U "flash:w:$W/rand.hex:i"; done
report bp.ewv28k replies 0.65
for t in ispflash avrdude; do run_tool $t bp.crkbd buspirate "" -U "flash:w:$CRKBD:i"; done
report bp.crkbd replies
for t in ispflash avrdude; do run_tool $t bp.readall buspirate "" -U "flash:r:$W/b.$t.hex:i"; done
report bp.readall replies

echo "-- Bus Pirate with the AVR extension (--opt avrext=1; both tools page-write and bulk-read)"
for t in ispflash avrdude; do run_tool $t bpx.ewv28k buspirate "--opt avrext=1" -U "flash:w:$W/rand.hex:i"; done
report bpx.ewv28k replies
for t in ispflash avrdude; do run_tool $t bpx.readall buspirate "--opt avrext=1" -U "flash:r:$W/x.$t.hex:i"; done
report bpx.readall replies

[ $FAILS = 0 ] && echo "all floors met" || echo "$FAILS floor(s) missed"
[ $FAILS = 0 ]
