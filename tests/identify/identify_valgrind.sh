#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --identify under valgrind on a dryrun AT90USB1286 holding its DFU bootloader.
# usage: identify_valgrind.sh VALGRIND ISPFLASH DATA_DIR
VG=$1
BIN=$2
DATA=$3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ispflash-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
timeout 60 "$BIN" -q -c dryrun -p usb1286 -x "state=$WORK/chip" \
    -U "$DATA/real/qmk_bootloader_at90usb128x_1_0_1.hex" --bootloader atmel-dfu || exit 1
timeout 240 "$VG" --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    "$BIN" -c dryrun -p usb1286 -x "state=$WORK/chip" --identify >"$WORK/out" || exit 1
cat "$WORK/out"
grep -q "bootloader:  Atmel/QMK DFU 1.0.1 for AT90USB128x" "$WORK/out"
