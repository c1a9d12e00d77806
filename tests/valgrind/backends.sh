#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every backend's end-to-end path under valgrind memcheck (issue 15): the real ispflash
# against its emulator, a write + verify + read back of a real image, and a fault,
# each with its documented exit code and a clean valgrind log (no error, no leak).
# The USB backends run under umockdev-wrapper like tests/usb; umockdev.supp (next to
# this file) holds the one, narrow suppression that needs, with its reason.
# usage: backends.sh CASE VALGRIND ISPFLASH ISPF-EMU USB_EMU UMOCKDEV-WRAPPER DATA_DIR
#   CASE: stk500v2 buspirate avr109 arduino usbtiny usbasp avrisp2
set -u
CASE=$1 VALGRIND=$2 BIN=$3 EMU=$4 USBEMU=$5 WRAP=$6 DATA=$7
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/ispf-vg.XXXXXX")
EMU_PID=
trap '[ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null; rm -rf "$W"' EXIT
FAILS=0 N=0
fail() {
    echo "FAIL: $*" >&2
    FAILS=$((FAILS + 1))
}
VG="$VALGRIND --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --suppressions=$HERE/umockdev.supp"

# vg_check NAME WANT LOG: the exit code ($RC) is WANT and valgrind's log is clean.
vg_check() {
    N=$((N + 1))
    [ "$RC" = 124 ] && fail "$1: hung"
    [ "$RC" = 99 ] && fail "$1: valgrind found errors"
    [ "$RC" = "$2" ] || fail "$1: exit code $RC, expected $2"
    grep -q "ERROR SUMMARY: 0 errors" "$3" || fail "$1: valgrind's log has errors"
    if grep -qE "(definitely|indirectly) lost: [1-9]" "$3"; then
        fail "$1: leaks"
    fi
    if [ "$FAILS" -gt 0 ]; then
        sed 's/^/  | /' "$3" | tail -40 >&2
        sed 's/^/  > /' "$W/out" | tail -20 >&2
    fi
}

# serial PROTO CFLAG PART NAME WANT [ispf-emu options] -- ISPFLASH-ARGS...
serial() {
    proto=$1 cflag=$2 part=$3 name=$4 want=$5
    shift 5
    eopts=
    while [ "$1" != -- ]; do
        eopts="$eopts $1"
        shift
    done
    shift
    rm -f "$W/port"
    # shellcheck disable=SC2086
    "$EMU" --proto "$proto" --part "$part" --listen 127.0.0.1:0 --port-file "$W/port" \
        --state "$W/$proto.chip" --once --lifetime 300 $eopts >/dev/null 2>&1 &
    EMU_PID=$!
    i=0
    while [ ! -s "$W/port" ] && [ $i -lt 500 ]; do
        sleep 0.02
        i=$((i + 1))
    done
    timeout 280 $VG --log-file="$W/vg.log" "$BIN" -c "$cflag" -P "net:127.0.0.1:$(cat "$W/port")" \
        -p "$part" --no-backup "$@" >"$W/out" 2>&1
    RC=$?
    wait "$EMU_PID" 2>/dev/null
    EMU_PID=
    vg_check "$proto $name" "$want" "$W/vg.log"
}

# usb PROTO PART NAME WANT [usb_emu --opt K=V...] -- ISPFLASH-ARGS...
usb() {
    proto=$1 part=$2 name=$3 want=$4
    shift 4
    eopts=
    while [ "$1" != -- ]; do
        eopts="$eopts --opt $1"
        shift
    done
    shift
    # shellcheck disable=SC2086
    timeout 280 "$WRAP" "$USBEMU" --proto "$proto" --part "$part" --state "$W/$proto.chip" \
        $eopts -- $VG --log-file="$W/vg.log" "$BIN" -c "$proto" -P usb -p "$part" --no-backup "$@" \
        >"$W/out" 2>&1
    RC=$?
    vg_check "$proto $name" "$want" "$W/vg.log"
}

APP=$DATA/real/qmkbuild_crkbd_rev1_default.hex
CAT=$DATA/real/arduino_Caterina-Micro.hex
OPTI=$DATA/real/arduino_optiboot_atmega328.hex
RW="-U flash:w:$CAT -U flash:r:$W/back.hex:i -U lfuse:r:$W/lf.hex:i -U hfuse:w:0xd8:m"
case $CASE in
stk500v2 | buspirate)
    # shellcheck disable=SC2086
    serial "$CASE" "$CASE" m32u4 "write, verify, read back, fuses" 0 -- $RW
    # (STK500v2 sends a frame again after a garbled answer: a closed connection instead)
    serial "$CASE" "$CASE" m32u4 "connection closed mid-write" 4 --close-after-rx 3000 -- \
        -U "flash:w:$CAT"
    serial "$CASE" "$CASE" m32u4 "target not wired" 5 --unwired -- -U "flash:w:$CAT"
    ;;
avr109)
    serial caterina avr109 m32u4 "write, verify, read back" 0 -- -U "flash:w:$APP" \
        -U "flash:r:$W/back.hex:i"
    serial caterina avr109 m32u4 "dropped reply" 4 --drop-reply 20 -- -U "flash:w:$APP"
    ;;
arduino)
    # an application of 4 KiB below Optiboot
    head -c 4096 /dev/urandom >"$W/app.bin"
    serial optiboot arduino m328p "write, verify, read back" 0 -- -U "flash:w:$W/app.bin:r" \
        -U "flash:r:$W/back.hex:i"
    serial optiboot arduino m328p "truncated reply" 4 --truncate-reply 20 -- -U "flash:w:$W/app.bin:r"
    ;;
usbtiny | usbasp | avrisp2)
    # shellcheck disable=SC2086
    usb "$CASE" m32u4 "write, verify, read back, fuses" 0 -- $RW
    usb "$CASE" m32u4 "stalled transfer" 4 stall_at=20 -- -U "flash:w:$CAT"
    usb "$CASE" m32u4 "target not wired" 5 unwired=1 -- -U "flash:w:$CAT"
    ;;
*)
    echo "unknown case $CASE" >&2
    exit 2
    ;;
esac
echo "valgrind $CASE: $N runs, $FAILS failures"
[ "$FAILS" -eq 0 ] && [ "$N" -gt 0 ]
