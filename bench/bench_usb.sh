#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# USBtiny and USBasp: control transfers and bytes per workload, ispflash vs
# avrdude 7.1, both driving the same emulated programmer (tests/usb/usb_emu under
# umockdev-wrapper, a fresh chip for every run). See bench/README.md.
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
        >"$W/log" 2>&1 || { echo "FAILED: $*" >&2; cat "$W/log" >&2; echo "0 0 0"; return; }
    t1=$(date +%s%N)
    tr=$(stat_of "$W/stats" transfers)
    by=$(($(stat_of "$W/stats" bytes_in) + $(stat_of "$W/stats" bytes_out) + 8 * tr))
    echo "$tr $by $(((t1 - t0) / 1000000))"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.3f", a / b }'; }
perkib() { awk -v a="$1" -v k="$2" 'BEGIN { if (k == 0) print "-"; else printf "%.1f", a / k }'; }

# workload NAME PROTO PART KIB ARGS-ispflash -- ARGS-avrdude
workload() {
    name=$1 proto=$2 part=$3 kib=$4
    shift 4
    iargs=""
    while [ "$1" != -- ]; do iargs="$iargs $1"; shift; done
    shift
    # shellcheck disable=SC2086
    set -- $(one ispflash "$proto" "$part" $iargs) $(one avrdude "$proto" "$part" "$@")
    printf '%-8s %-12s transfers %6s / %6s = %s (%s vs %s per KiB)  bytes %7s / %7s = %s  time %5s / %5s ms\n' \
        "$proto" "$name" "$1" "$4" "$(ratio "$1" "$4")" "$(perkib "$1" "$kib")" "$(perkib "$4" "$kib")" \
        "$2" "$5" "$(ratio "$2" "$5")" "$3" "$6"
}

for p in usbtiny usbasp; do
    workload ewv28k "$p" m32u4 28 -U "flash:w:$W/r28k.bin:r" -- -U "flash:w:$W/r28k.bin:r"
    workload caterina "$p" m32u4 4 -U "$CATERINA" -- -U "flash:w:$CATERINA:i"
    workload readall "$p" m32u4 32 -U "flash:r:$W/back.hex:i" -- -U "flash:r:$W/back2.hex:i"
    workload eeprom1k "$p" m32u4 1 -U "eeprom:w:$W/ee1k.bin:r" -- -U "eeprom:w:$W/ee1k.bin:r"
    workload usb1286bl "$p" usb1286 4.3 -U "$QMK128" -- -U "flash:w:$QMK128:i"
    workload connect "$p" m32u4 0 -- 
done
