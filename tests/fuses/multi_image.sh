#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Several -U flash:w: files in one run are one image for the image <-> fuse checks:
# a QMK firmware plus the DFU bootloader, with BOOTRST programmed, draws no "holds no
# bootloader" warning (the firmware alone does), and both are written and verified.
# Two files that give different data for one address stop the run before the
# programmer is touched (exit 3, both files and the address named, chip unchanged).
# Usage: multi_image.sh ISPFLASH DATADIR
set -u
BIN=$1
D=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
FAILS=0
APP=$D/qmkbuild_crkbd_rev1_default.hex
DFU=$D/qmk_bootloader_atmega32u4_1_0_0.hex
LEO=$D/arduino_Caterina-Leonardo.hex

fail() {
    echo "FAIL: $1" >&2
    cat "$W/err" >&2
    FAILS=$((FAILS + 1))
}

# The firmware alone, BOOTRST programmed (hfuse 0xD8): warned.
rc=0
timeout 30 "$BIN" -c dryrun -p m32u4 -x state="$W/a.chip" -U "flash:w:$APP" \
    -U hfuse:w:0xD8:m >"$W/out" 2>"$W/err" || rc=$?
[ "$rc" = 0 ] || fail "firmware alone: exit $rc"
grep -q "holds no bootloader" "$W/err" || fail "firmware alone: no 'holds no bootloader' warning"

# Firmware + bootloader: no such warning, both written and verified.
rc=0
timeout 30 "$BIN" -c dryrun -p m32u4 -x state="$W/b.chip" -U "flash:w:$APP" -U "flash:w:$DFU" \
    -U hfuse:w:0xD8:m >"$W/out" 2>"$W/err" || rc=$?
[ "$rc" = 0 ] || fail "firmware + bootloader: exit $rc"
grep -q "holds no bootloader" "$W/err" && fail "firmware + bootloader: warned as if no bootloader"
[ "$(grep -c '^ispflash: flash verified' "$W/err")" = 2 ] || fail "firmware + bootloader: not both verified"
timeout 30 "$BIN" -c dryrun -p m32u4 -x state="$W/b.chip" -U "flash:r:$W/back.bin:r" 2>"$W/err" ||
    fail "read back"
srec_cat "$APP" -Intel "$DFU" -Intel -o "$W/want.hex" -Intel
srec_cat "$W/want.hex" -Intel -fill 0xFF 0 0x8000 -o "$W/want.bin" -Binary
head -c "$(stat -c %s "$W/back.bin")" "$W/want.bin" >"$W/want.trim"
cmp -s "$W/want.trim" "$W/back.bin" || fail "firmware + bootloader: chip differs from srec_cat's merge"

# Conflicting files: exit 3, nothing touched.
rc=0
timeout 30 "$BIN" -c dryrun -p m32u4 -x state="$W/c.chip" -U "flash:w:$APP" -U "flash:w:$LEO" \
    >"$W/out" 2>"$W/err" || rc=$?
[ "$rc" = 3 ] || fail "conflict: exit $rc, expected 3"
grep -q "qmkbuild_crkbd_rev1_default.hex and .*arduino_Caterina-Leonardo.hex give different data for flash address 0x0000" "$W/err" ||
    fail "conflict: message does not name both files and the address"
[ -e "$W/c.chip" ] && fail "conflict: the chip state was written"

[ "$FAILS" = 0 ] && echo "multi_image: all checks passed"
[ "$FAILS" = 0 ]
