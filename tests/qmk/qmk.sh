#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# QMK's names and fuse fields by name, end to end on the dryrun chip:
# --bootloader with QMK's BOOTLOADER values (the preset per part, or the refusal),
# --qmk with the fake keyboards/ tree in tests/data/qmk (README there says which real
# keyboard each folder imitates), and --fuse FIELD=VALUE with its guards.
# Usage: qmk.sh ISPFLASH TESTDATA
set -u
BIN=$1
KB=$2/qmk/keyboards
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
FAILS=0
N=0

fail() {
    echo "FAIL [$N]: $*" >&2
    echo "--- stdout:" >&2
    cat "$W/out" >&2
    echo "--- stderr:" >&2
    cat "$W/err" >&2
    FAILS=$((FAILS + 1))
}

# run STATE ARGS... : one ispflash run (at most 30 s) on the dryrun chip $W/STATE.chip
run() {
    st=$1
    shift
    N=$((N + 1))
    RC=0
    timeout 30 "$BIN" -c dryrun -x "state=$W/$st.chip" "$@" >"$W/out" 2>"$W/err" || RC=$?
}
expect_rc() { [ "$RC" = "$1" ] || fail "exit code $RC, expected $1"; }
has_err() { grep -qF -- "$1" "$W/err" || fail "stderr lacks: $1"; }
has_out() { grep -qF -- "$1" "$W/out" || fail "stdout lacks: $1"; }

# fuses STATE PART "L H E": the chip's lfuse, hfuse, efuse read back in a new run
fuses() {
    run "$1" -p "$2" -U lfuse:r:-:h -U hfuse:r:-:h -U efuse:r:-:h
    got=$(tr '\n' ' ' <"$W/out" | sed 's/ $//')
    [ "$RC" = 0 ] && [ "$got" = "$3" ] || fail "$1 ($2): fuses '$got', expected '$3' (rc $RC)"
}
# lh STATE PART "L H": parts without an extended fuse
lh() {
    run "$1" -p "$2" -U lfuse:r:-:h -U hfuse:r:-:h
    got=$(tr '\n' ' ' <"$W/out" | sed 's/ $//')
    [ "$RC" = 0 ] && [ "$got" = "$3" ] || fail "$1 ($2): fuses '$got', expected '$3' (rc $RC)"
}
fresh() { rm -f "$W/$1.chip"; }

# ------------------------------------------- QMK's BOOTLOADER values
# name part expected-fuses: each from a chip holding Caterina's fuses, so a DFU preset
# visibly changes them
preset() {
    fresh p
    run p -p "$2" --bootloader caterina-promicro16
    [ "$2" = m32u4 ] && expect_rc 0
    run p -p "$2" --bootloader "$1"
    expect_rc 0
    fuses p "$2" "$3"
}
preset atmel-dfu m32u4 "0x5e 0x99 0xf3"
preset qmk-dfu m32u4 "0x5e 0x99 0xf3"
preset lufa-dfu m32u4 "0x5e 0x99 0xf3"
preset qmk-hid m32u4 "0x5e 0x99 0xf3"
preset caterina m32u4 "0xff 0xd8 0xfb"
preset qmk-dfu m16u4 "0x5e 0x99 0xf3"
preset lufa-dfu usb1286 "0x5e 0x99 0xf3"
preset qmk-dfu usb646 "0x5e 0x9b 0xf3"
fresh p
run p -p m32u4 --bootloader caterina
has_err "--bootloader caterina: the caterina-promicro16 preset"
fresh v
run v -p m32a --bootloader bootloadHID
expect_rc 0
lh v m32a "0x0f 0xd0"
fresh v
run v -p m32a --bootloader USBasp
expect_rc 0
lh v m32a "0x1f 0xc0"
fresh v
run v -p m328p --bootloader usbasploader
expect_rc 0
lh v m328p "0xd7 0xd0"

# the refusals: exit 2, the reason, nothing written
refused() {
    fresh r
    run r -p "$2" --bootloader "$1"
    expect_rc 2
    has_err "$3"
    fuses r m32u4 "0x5e 0x99 0xf3"
}
refused halfkay m32u4 "HalfKay is PJRC's closed-source Teensy bootloader"
refused lufa-ms m32u4 "lufa-ms (LUFA Mass Storage"
refused custom m32u4 "the keyboard brings its own bootloader"
refused stm32-dfu m32u4 "ARM/RISC-V keyboard"
fresh r
run r -p usb1286 --bootloader qmk-hid
expect_rc 2
has_err "--bootloader atmel-dfu --fuse BOOTSZ=2048W"
run r -p m328p --bootloader qmk-dfu
expect_rc 2
has_err "presets for it: usbasploader (USBasp)"

N=$((N + 1))
"$BIN" --bootloader '?' >"$W/out" 2>"$W/err" || fail "--bootloader ? exit code"
has_out "atmel-dfu (qmk-dfu lufa-dfu)"
has_out "caterina-promicro16 (caterina)"
has_out "qmk-hid"
has_out "usbasploader (USBasp)"

# ------------------------------------------------------------- --qmk
fresh q
run q --qmk "$KB/crkbd/rev1"
expect_rc 0
has_err "keyboards/crkbd/rules.mk:2: MCU atmega32u4"
has_err "keyboards/crkbd/rules.mk:5: BOOTLOADER caterina"
fuses q m32u4 "0xff 0xd8 0xfb"
# the parent folder: DEFAULT_FOLDER = crkbd/rev1
fresh q
run q --qmk "$KB/crkbd"
expect_rc 0
has_err "DEFAULT_FOLDER = crkbd/rev1: reading that keyboard"
fuses q m32u4 "0xff 0xd8 0xfb"
# development_board promicro in keyboard.json
fresh q
run q --qmk "$KB/ferris/sweep"
expect_rc 0
has_err "keyboards/ferris/sweep/keyboard.json (development_board promicro): MCU atmega32u4"
fuses q m32u4 "0xff 0xd8 0xfb"
# the child's keyboard.json overrides the parent's info.json (from Caterina fuses)
run q --qmk "$KB/kbd_rev/rev2"
expect_rc 0
has_err "keyboards/kbd_rev/info.json: MCU atmega32u4"
has_err "keyboards/kbd_rev/rev2/keyboard.json: BOOTLOADER atmel-dfu"
fuses q m32u4 "0x5e 0x99 0xf3"
# the parent alone: its own caterina
run q --qmk "$KB/kbd_rev"
expect_rc 0
fuses q m32u4 "0xff 0xd8 0xfb"
# rules.mk over keyboard.json
run q --qmk "$KB/kbd_rev/rev3"
expect_rc 0
has_err "keyboards/kbd_rev/rev3/rules.mk:2: BOOTLOADER = qmk-hid wins over"
has_err "--bootloader qmk-hid: QMK HID"
fuses q m32u4 "0x5e 0x99 0xf3"
# F_CPU = 8000000: the 3.3 V Pro Micro's Caterina
run q --qmk "$KB/handwired/pm3v3"
expect_rc 0
has_err "preset caterina-promicro8"
fuses q m32u4 "0xff 0xd8 0xfe"
# an ATmega32A board with QMK's bootloadHID spelling
fresh j
run j --qmk "$KB/jj40"
expect_rc 0
has_err "keyboards/jj40/rules.mk:2: MCU atmega32a"
lh j m32a "0x0f 0xd0"
# -p / --bootloader given: must agree
run q --qmk "$KB/crkbd/rev1" -p atmega32u4 -n
expect_rc 0
run q --qmk "$KB/crkbd/rev1" -p m16u4
expect_rc 2
has_err "-p m16u4 and --qmk"
has_err "the keyboard's MCU is atmega32u4 (keyboards/crkbd/rules.mk:2)"
run q --qmk "$KB/crkbd/rev1" --bootloader atmel-dfu
expect_rc 2
has_err "--bootloader atmel-dfu and --qmk"
has_err "the keyboard's BOOTLOADER is caterina (keyboards/crkbd/rules.mk:5)"
run q --qmk "$KB/crkbd/rev1" --bootloader caterina-promicro16 -n
expect_rc 0
# the lists: the keyboard gives the part
run q --qmk "$KB/crkbd/rev1" --bootloader '?'
expect_rc 0
has_out "caterina-promicro16 (caterina)"
if grep -q "usbasploader" "$W/out"; then fail "--qmk: --bootloader ? not limited to the 32U4"; fi
run j2 --qmk "$KB/jj40" --fuse '?'
expect_rc 0
has_out "Fuse fields of the ATmega32A"
# what cannot be used
run q --qmk "$KB/ergodox_ez"
expect_rc 2
has_err "HalfKay is PJRC's closed-source"
run q --qmk "$KB/broken"
expect_rc 3
has_err "keyboards/broken/info.json:3:"
run q --qmk "$KB/armboard"
expect_rc 2
has_err "MCU = STM32F303 (keyboards/armboard/rules.mk:1) is not an AVR part"
run q --qmk "$KB/nombr"
expect_rc 2
has_err "give -p PART"
run q --qmk "$KB/no-such-keyboard"
expect_rc 3
has_err "no-such-keyboard: No such file or directory"

# ------------------------------------------------------------- --fuse
fresh f
run f -p m32u4 --fuse JTAGEN=off
expect_rc 0
has_err "hfuse 0x99 -> 0xD9 changes:"
has_err "JTAGEN: on -> off"
fuses f m32u4 "0x5e 0xd9 0xf3"
run f -p m32u4 --fuse BOOTSZ=512
expect_rc 0
fuses f m32u4 "0x5e 0xdd 0xf3"
run f -p m32u4 --fuse BOOTSZ=4096B --fuse CKDIV8=off
expect_rc 0
fuses f m32u4 "0xde 0xd9 0xf3"
run f -p m32u4 --fuse BOOTSZ=1024W --fuse BODLEVEL=4.3
expect_rc 0
fuses f m32u4 "0xde 0xdb 0xf0"
# with a -U write or a preset of the same byte: the field changes in that value
fresh f
run f -p m32u4 -U hfuse:w:0x99:m --fuse BOOTSZ=256W
expect_rc 0
fuses f m32u4 "0x5e 0x9f 0xf3"
run f -p m32u4 --bootloader atmel-dfu --fuse JTAGEN=off
expect_rc 0
fuses f m32u4 "0x5e 0xd9 0xf3"
# the guards: refused (exit 7), nothing written, unless --unsafe-fuses
run f -p m32u4 --fuse SPIEN=off
expect_rc 7
has_err "unprograms SPIEN"
fuses f m32u4 "0x5e 0xd9 0xf3"
fresh g
run g -p m328p --fuse RSTDISBL=on
expect_rc 7
has_err "RSTDISBL"
run g -p m328p --fuse RSTDISBL=on --unsafe-fuses
expect_rc 0
# usage errors
run f -p m32u4 --fuse JTAGN=off
expect_rc 2
has_err "the ATmega32U4 has no fuse field JTAGN; did you mean JTAGEN?"
run f -p m32u4 --fuse BOOTSZ=4096
expect_rc 2
has_err "2048W (4096B), 1024W (2048B), 512W (1024B), 256W (512B)"
run f -p m32u4 --fuse JTAGEN=maybe
expect_rc 2
has_err "a one-bit field is on or off"
run f -p m32u4 --fuse JTAGEN=off --fuse JTAGEN=on
expect_rc 2
run f -p m32u4 --fuse JTAGEN
expect_rc 2
has_err "give FIELD=VALUE"
fuses f m32u4 "0x5e 0xd9 0xf3"
# --fuse ?: the database's fields; with -c the chip's values too
N=$((N + 1))
RC=0
timeout 30 "$BIN" -p m32u4 --fuse '?' >"$W/out" 2>"$W/err" || RC=$?
expect_rc 0
has_out "Fuse fields of the ATmega32U4"
has_out "JTAGEN"
has_out "BOOTSZ"
has_out "2048W (4096B)"
has_out "CKDIV8"
N=$((N + 1))
RC=0
timeout 30 "$BIN" --fuse '?' >"$W/out" 2>"$W/err" || RC=$?
expect_rc 2
run f -p m32u4 --fuse '?'
expect_rc 0
has_out "hfuse (0xD9)"
has_out "now: off"

echo "$N runs, $FAILS failures"
[ "$FAILS" = 0 ]
