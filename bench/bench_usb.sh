#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# USBtiny and USBasp: control transfers and bytes per workload, ispflash vs
# avrdude 7.1, both driving the same emulated programmer (tests/usb/usb_emu under
# umockdev-wrapper, a fresh chip for every run). See bench/README.md.
# Floors (exit 1 when missed): 28 KiB erase+write+verify in at most 0.85x avrdude's
# control transfers through USBtiny, 0.30x through USBasp; the AVRISP mkII line
# counts bulk transfers (either direction) and its floor is 0.30x. A run of either tool that
# fails fails the benchmark (exit 1) instead of comparing partial counts.
# usage: bench/bench_usb.sh [BUILD_DIR] [TESTDATA_DIR]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
DATA=${2:-$ROOT/tests/data}
BIN=$BUILD/ispflash
EMU=$BUILD/tests/usb_emu
WRAP=$(command -v umockdev-wrapper)
AVRDUDE=$(command -v avrdude)
[ -x "$BIN" ] && [ -x "$EMU" ] || { echo "build first: $BIN, $EMU" >&2; exit 2; }
[ -n "$WRAP" ] && [ -n "$AVRDUDE" ] || { echo "needs umockdev-wrapper and avrdude" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-usb.XXXXXX")
trap 'rm -rf "$W"' EXIT
FAILED=0

head -c 28672 /dev/urandom >"$W/r28k.bin"
head -c 1024 /dev/urandom >"$W/ee1k.bin"
CATERINA=$DATA/real/sparkfun_Caterina-promicro16.hex
QMK128=$DATA/real/qmk_bootloader_at90usb128x_1_0_1.hex

stat_of() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

# one TOOL PROTO PART ARGS...: run on a fresh emulated chip; prints "transfers bytes ms".
one() {
    tool=$1 proto=$2 part=$3
    shift 3
    rm -f "$W/chip" "$W/stats"
    if [ "$tool" = ispflash ]; then
        set -- "$BIN" -q -c "$proto" -p "$part" "$@"
    else
        set -- "$AVRDUDE" -q -q -c "$proto" -p "$part" "$@"
    fi
    t0=$(date +%s%N)
    "$WRAP" "$EMU" --proto "$proto" --part "$part" --state "$W/chip" --stats "$W/stats" -- "$@" \
        >"$W/log" 2>&1 || {
        echo "FAILED: $*" >&2
        cat "$W/log" >&2
        : >"$W/failed"
        echo "0 0 0"
        return
    }
    t1=$(date +%s%N)
    tr=$(stat_of "$W/stats" transfers)
    by=$(($(stat_of "$W/stats" bytes_in) + $(stat_of "$W/stats" bytes_out) + 8 * tr))
    # bulk transfers carry no setup packet: payload only
    [ "$proto" = avrisp2 ] && by=$(($(stat_of "$W/stats" bytes_in) + $(stat_of "$W/stats" bytes_out)))
    echo "$tr $by $(((t1 - t0) / 1000000))"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.3f", a / b }'; }
perkib() { awk -v a="$1" -v k="$2" 'BEGIN { if (k == 0) print "-"; else printf "%.1f", a / k }'; }

# workload NAME PROTO PART KIB FLOOR ARGS-ispflash -- ARGS-avrdude: FLOOR (or -) is
# the highest transfer ratio ispflash/avrdude allowed.
workload() {
    name=$1 proto=$2 part=$3 kib=$4 floor=$5
    shift 5
    iargs=""
    while [ "$1" != -- ]; do iargs="$iargs $1"; shift; done
    shift
    rm -f "$W/failed"
    # shellcheck disable=SC2086
    set -- $(one ispflash "$proto" "$part" $iargs) $(one avrdude "$proto" "$part" "$@")
    if [ -e "$W/failed" ]; then
        echo "$proto $name: FAILED (a run failed; no ratio)"
        FAILED=1
        return
    fi
    printf '%-8s %-12s transfers %6s / %6s = %s (%s vs %s per KiB)  bytes %7s / %7s = %s  time %5s / %5s ms\n' \
        "$proto" "$name" "$1" "$4" "$(ratio "$1" "$4")" "$(perkib "$1" "$kib")" "$(perkib "$4" "$kib")" \
        "$2" "$5" "$(ratio "$2" "$5")" "$3" "$6"
    [ "$floor" = - ] && return
    if awk -v a="$1" -v b="$4" -v f="$floor" 'BEGIN { exit !(b > 0 && a <= f * b) }'; then
        echo "$proto $name: transfers ratio $(ratio "$1" "$4") <= $floor: ok"
    else
        echo "$proto $name: FLOOR MISSED: transfers ratio $(ratio "$1" "$4") > $floor"
        FAILED=1
    fi
}

for p in usbtiny usbasp; do
    floor=0.85
    [ "$p" = usbasp ] && floor=0.30
    workload ewv28k "$p" m32u4 28 "$floor" -U "flash:w:$W/r28k.bin:r" -- -U "flash:w:$W/r28k.bin:r"
    workload caterina "$p" m32u4 4 - -U "$CATERINA" -- -U "flash:w:$CATERINA:i"
    workload readall "$p" m32u4 32 - -U "flash:r:$W/back.hex:i" -- -U "flash:r:$W/back2.hex:i"
    workload eeprom1k "$p" m32u4 1 - -U "eeprom:w:$W/ee1k.bin:r" -- -U "eeprom:w:$W/ee1k.bin:r"
    workload usb1286bl "$p" usb1286 4.3 - -U "$QMK128" -- -U "flash:w:$QMK128:i"
    workload connect "$p" m32u4 0 - -- 
done
# AVRISP mkII over USB (STK500v2 bodies in bulk transfers): erase+write+verify 28 KiB.
workload ewv28k avrisp2 m32u4 28 0.30 -P usb -U "flash:w:$W/r28k.bin:r" -- -P usb -U "flash:w:$W/r28k.bin:r"
workload caterina avrisp2 m32u4 4 - -P usb -U "$CATERINA" -- -P usb -U "flash:w:$CATERINA:i"
exit "$FAILED"
