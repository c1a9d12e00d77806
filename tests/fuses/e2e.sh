#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end fuse handling of the ispflash binary on the dryrun chip (-x state=FILE):
# decoding, write order, confirmations, every brick guard (refused without
# --unsafe-fuses with nothing written; with it, the next run finds ISP gone as a real
# chip would), bootloader presets with the real HEX files, and the image <-> fuse check.
# Usage: e2e.sh ISPFLASH TESTDATA
set -u
BIN=$1
DATA=$2
REAL=$DATA/real
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

# run STATE PART ARGS... : one ispflash run on the dryrun chip saved in $W/STATE.chip
run() {
    st=$1
    part=$2
    shift 2
    N=$((N + 1))
    RC=0
    "$BIN" -c dryrun -p "$part" -x "state=$W/$st.chip" "$@" >"$W/out" 2>"$W/err" || RC=$?
}

expect_rc() {
    [ "$RC" = "$1" ] || fail "exit code $RC, expected $1"
}

has_err() {
    grep -qF -- "$1" "$W/err" || fail "stderr lacks: $1"
}

has_out() {
    grep -qF -- "$1" "$W/out" || fail "stdout lacks: $1"
}

no_warning() {
    ! grep -q "warning" "$W/err" || fail "unexpected warning"
}

# line of the first occurrence of a text in stderr (0 if absent)
line_of() {
    grep -nF -- "$1" "$W/err" | head -n 1 | cut -d: -f1 | grep . || echo 0
}

before() {
    a=$(line_of "$1")
    b=$(line_of "$2")
    [ "$a" -gt 0 ] && [ "$b" -gt 0 ] && [ "$a" -lt "$b" ] || fail "'$1' (line $a) not before '$2' (line $b)"
}

same_state() {
    cmp -s "$W/$1.chip" "$W/$1.before" || fail "chip state $1 changed although nothing may be written"
}

snapshot() {
    cp "$W/$1.chip" "$W/$1.before"
}

# A programmed Pro Micro: Caterina + its fuses (the clock first, so the guard sees a crystal).
pro_micro() {
    rm -f "$W/$1.chip"
    run "$1" m32u4 --unsafe-fuses -U lfuse:w:0xFF:m
    expect_rc 0
    run "$1" m32u4 --bootloader caterina-promicro16 -U "$REAL/sparkfun_Caterina-promicro16.hex"
    expect_rc 0
}

# ---------------------------------------------------------------- decoding
rm -f "$W/fresh.chip"
run fresh m32u4 --fuses
expect_rc 0
has_out "lfuse 0x5E"
has_out "SUT_CKSEL=Ext. Crystal Osc. 8.0- MHz; Start-up time: 258 CK + 65 ms"
has_out "hfuse 0x99"
has_out "BOOTSZ=2048 words (boot section 0x7000-0x7FFF), BOOTRST=start application at 0x0000"
has_out "efuse 0xF3 (bits 0xF0 do not exist and read as 1)"
has_out "HWBE=on, BODLEVEL=Brown-out detection at VCC=2.6 V"
has_out "lock  0xFF"
has_out "LB=No memory lock features enabled"

run fresh m32u4 -v -U hfuse:r:-:h
expect_rc 0
has_out "0x99"
has_err "hfuse 0x99: OCDEN=off, JTAGEN=on, SPIEN=on"
run fresh m32u4 -U hfuse:r:-:h
! grep -q "JTAGEN" "$W/err" || fail "decoding printed without -v"

# ---------------------------------------------------- efuse 0xCB: silent
rm -f "$W/cb.chip"
run cb m32u4 -U efuse:w:0xCB:m
expect_rc 0
no_warning
run cb m32u4 --fuses
has_out "efuse 0xFB"
rm -f "$W/cb.chip"
run cb m32u4 --bootloader atmel-dfu --unsafe-fuses
expect_rc 0
run cb m32u4 -U efuse:w:0xCB:m
expect_rc 0
no_warning
has_err "efuse 0xF3 -> 0xCB changes:"
has_err "  HWBE: on -> off"
run cb m32u4 -U efuse:v:0xCB:m
expect_rc 0

# ----------------------------------- write order, confirmation, read-back
rm -f "$W/ord.chip"
run ord m32u4 --unsafe-fuses -U lfuse:w:0x5E:m
expect_rc 0
run ord m32u4 -U lfuse:w:0xFF:m -U hfuse:w:0xD8:m -U efuse:w:0xCB:m -U lfuse:r:-:h
expect_rc 0
no_warning
before "writing hfuse" "writing efuse"
before "writing efuse" "writing lfuse"
before "hfuse verified" "writing lfuse"
has_out "0xff"
has_err "hfuse 0x99 -> 0xD8 changes:"
has_err "  JTAGEN: on -> off"
has_err "  BOOTRST: start application at 0x0000 -> jump to bootloader at 0x7000"
! grep -q "  BOOTSZ:" "$W/err" || fail "BOOTSZ listed although it does not change"
has_err "lfuse 0x5E -> 0xFF changes:"
has_err "  CKDIV8: on -> off"
before "changes:" "writing hfuse"
run ord m32u4 --fuses
has_out "lfuse 0xFF"
has_out "hfuse 0xD8"
has_out "efuse 0xFB"

# ------------------------------------------------------------- guards
# guard NAME PART STATE_SETUP_ARGS -- WRITE_ARGS... : refused (7) with nothing written
guard_refused() {
    st=$1
    part=$2
    shift 2
    snapshot "$st"
    run "$st" "$part" "$@"
    expect_rc 7
    has_err "--unsafe-fuses"
    has_err "Nothing was written"
    same_state "$st"
}

fresh_chip() {
    rm -f "$W/$1.chip"
    run "$1" "$2" --fuses
    expect_rc 0
}

# SPIEN off (hfuse 0x99 -> 0xB9)
fresh_chip g1 m32u4
guard_refused g1 m32u4 -U hfuse:w:0xB9:m
has_err "unprograms SPIEN"
run g1 m32u4 --unsafe-fuses -U hfuse:w:0xB9:m
expect_rc 0
has_err "--unsafe-fuses: writing anyway"
run g1 m32u4 --fuses
expect_rc 5
has_err "no target answers"

# RSTDISBL (m328p hfuse 0xD9 -> 0x59)
fresh_chip g2 m328p
guard_refused g2 m328p -U hfuse:w:0x59:m
has_err "programs RSTDISBL"
has_err "RESET pin becomes an I/O pin"
run g2 m328p --unsafe-fuses -U hfuse:w:0x59:m
expect_rc 0
run g2 m328p -U flash:r:/dev/null:i
expect_rc 5

# DWEN (m328p hfuse 0xD9 -> 0x99)
fresh_chip g3 m328p
guard_refused g3 m328p -U hfuse:w:0x99:m
has_err "programs DWEN"
has_err "debugWIRE"
run g3 m328p --unsafe-fuses -U hfuse:w:0x99:m
expect_rc 0
run g3 m328p --fuses
expect_rc 5

# internal oscillator -> external crystal (m32u4 lfuse 0x52 -> 0x5E), on a board without
# a crystal (-x noxtal); the refusal names the fix. A new m32u4 runs from its crystal, so
# first move it to the internal oscillator (allowed: that needs nothing on the board).
fresh_chip g4 m32u4
run g4 m32u4 -U lfuse:w:0x52:m
expect_rc 0
guard_refused g4 m32u4 -x noxtal -U lfuse:w:0x5E:m
has_err "switches the clock from the internal oscillator (Int. RC Osc.) to an external source (Ext. Crystal Osc. 8.0- MHz)"
has_err "XTAL1"
run g4 m32u4 -x noxtal --unsafe-fuses -U lfuse:w:0x5E:m
expect_rc 0
run g4 m32u4 -x noxtal --fuses
expect_rc 5
# ...while on a board with a crystal the chip keeps answering
fresh_chip g4b m32u4
run g4b m32u4 -U lfuse:w:0x52:m
expect_rc 0
run g4b m32u4 --unsafe-fuses -U lfuse:w:0x5E:m
expect_rc 0
run g4b m32u4 --fuses
expect_rc 0
has_out "lfuse 0x5E"

# an external clock signal (m32u4 lfuse 0x40) on a chip that runs from its crystal (a new
# m32u4 and every Pro Micro: lfuse 0x5E or 0xFF): a crystal does not drive XTAL1, so this
# is refused from any other clock source; the advice ends the message
fresh_chip x1 m32u4
guard_refused x1 m32u4 -U lfuse:w:0x40:m
has_err "lfuse 0x5E -> 0x40 switches the clock from a crystal or resonator (Ext. Crystal Osc. 8.0- MHz) to an external clock signal (Ext. Clock)"
has_err "until a clock generator is wired to XTAL1"
tail -n 1 "$W/err" | grep -qF "Nothing was written. If this is really what you want, add --unsafe-fuses." ||
    fail "the refusal does not end with its advice"
run x1 m32u4 --unsafe-fuses -U lfuse:w:0xFF:m
expect_rc 0
guard_refused x1 m32u4 -U lfuse:w:0x40:m
has_err "lfuse 0xFF -> 0x40 switches the clock from a crystal or resonator"
# ...from the internal oscillator too, and with a preset that confirms a crystal
run x1 m32u4 -U lfuse:w:0x52:m
expect_rc 0
guard_refused x1 m32u4 -U lfuse:w:0x40:m
has_err "switches the clock from the internal oscillator (Int. RC Osc.) to an external clock signal"
# -n: only a warning, nothing written
snapshot x1
run x1 m32u4 -n -U lfuse:w:0x40:m
expect_rc 0
has_err "warning: -n: a run without -n would stop here (exit 7)"
has_err "to an external clock signal (Ext. Clock)"
same_state x1
# --unsafe-fuses writes it, with the reason as a warning
run x1 m32u4 --unsafe-fuses -U lfuse:w:0x40:m
expect_rc 0
has_err "--unsafe-fuses: writing anyway"
has_err "until a clock generator is wired to XTAL1"
run x1 m32u4 --fuses
expect_rc 0
has_out "lfuse 0x40"
has_out "SUT_CKSEL=Ext. Clock"
# already external: another start-up time is fine, without a word
run x1 m32u4 -U lfuse:w:0x60:m
expect_rc 0
no_warning
run x1 m32u4 --fuses
has_out "lfuse 0x60"
# on a board with nothing on XTAL1 (-x noxtal; running from the internal oscillator), the
# written value stops the chip
fresh_chip x2 m32u4
run x2 m32u4 -U lfuse:w:0x52:m
expect_rc 0
run x2 m32u4 -x noxtal --unsafe-fuses -U lfuse:w:0x40:m
expect_rc 0
run x2 m32u4 -x noxtal --fuses
expect_rc 5
has_err "no target answers"

# a reserved clock selection (m32u4 SUT_CKSEL 0x01), even from a crystal
fresh_chip g5 m32u4
run g5 m32u4 --unsafe-fuses -U lfuse:w:0xDE:m
expect_rc 0
snapshot g5
guard_refused g5 m32u4 -U lfuse:w:0xC1:m
has_err "marks reserved"
run g5 m32u4 --unsafe-fuses -U lfuse:w:0xC1:m
expect_rc 0
run g5 m32u4 --fuses
expect_rc 5

# a lock byte that makes the chip unreadable, together with a flash write: nothing is
# erased or written (the chip keeps its Caterina)
pro_micro g6
guard_refused g6 m32u4 -U "$REAL/qmk_bootloader_atmega32u4_1_0_0.hex" -U lock:w:0x3C:m
has_err "can no longer be read"
# a lock that stops the bootloader from writing the application
guard_refused g6 m32u4 -U "$REAL/sparkfun_Caterina-promicro16.hex" -U lock:w:0x33:m
has_err "cannot be updated over USB"
# the usual bootloader protection (0x2F) is fine, and is written after the flash
run g6 m32u4 -U "$REAL/sparkfun_Caterina-promicro16.hex" -U lock:w:0x2F:m
expect_rc 0
before "flash verified" "writing lock"
run g6 m32u4 --fuses
has_out "lock  0xEF"
has_out "BLB1=SPM prohibited in Boot Section"

# -n writes nothing: a guard only says what a real run would refuse
fresh_chip g8 m32u4
snapshot g8
run g8 m32u4 -n -U hfuse:w:0xB9:m
expect_rc 0
has_err "warning: -n: a run without -n would stop here (exit 7)"
has_err "unprograms SPIEN"
same_state g8

# several refusals in one run are all explained; nothing written
fresh_chip g7 m328p
guard_refused g7 m328p -U hfuse:w:0x19:m
has_err "RSTDISBL"
has_err "DWEN"

# every guard of the ATmega328P at once (well over 1024 characters): each reason whole,
# and the advice still ends the message
fresh_chip g9 m328p
guard_refused g9 m328p -U flash:w:0x0C,0x94,0x34,0x00:m -U hfuse:w:0x19:m -U lfuse:w:0x60:m -U lock:w:0x00:m
has_err "to an external clock signal (Ext. Clock)"
has_err "programs RSTDISBL"
has_err "programs DWEN"
has_err "then set the lock bits in a separate run."
[ "$(wc -c <"$W/err")" -gt 1024 ] || fail "the refusal is shorter than expected"
tail -n 1 "$W/err" | grep -qxF "Nothing was written. If this is really what you want, add --unsafe-fuses." ||
    fail "the refusal does not end with its advice"

# ------------------------------------------------------------- presets
run x m32u4 --bootloader '?'
expect_rc 0
has_out "atmel-dfu (qmk-dfu lufa-dfu)"
has_out "caterina-promicro16"
! grep -q "usbasploader" "$W/out" || fail "usbasploader listed for m32u4"
"$BIN" --bootloader '?' >"$W/out" 2>"$W/err" || fail "--bootloader ? without -p/-c"
has_out "bootloadhid"
has_out "L 0x0F  H 0xD0"
has_out "usbasploader"
has_out "-p usb646 usb647"
has_out "H 0x9B/0xDB"
"$BIN" -p m328p --bootloader '?' >"$W/out" 2>"$W/err" || fail "--bootloader ? -p m328p"
has_out "usbasploader"
! grep -q "caterina" "$W/out" || fail "caterina listed for m328p"

rm -f "$W/u.chip"
run u m328p --bootloader caterina-promicro16
expect_rc 2
has_err "no such preset for the ATmega328P; presets for it: usbasploader"
run u m32u4 --bootloader catarina
expect_rc 2
has_err "atmel-dfu (qmk-dfu lufa-dfu), caterina-promicro8"
run u m32u4 --bootloader atmel-dfu -U hfuse:w:0xD8:m
expect_rc 2
has_err "give one of them"
run u m328p --jtag off
expect_rc 2
has_err "no JTAG interface"

# preset NAME PART FILE L H E [extra args]: one command installs bootloader + fuses
preset() {
    name=$1
    part=$2
    file=$3
    l=$4
    h=$5
    e=$6
    shift 6
    rm -f "$W/p.chip"
    run p "$part" --unsafe-fuses -U "lfuse:w:$l:m" # the board has its crystal
    expect_rc 0
    run p "$part" --bootloader "$name" -U "$REAL/$file" "$@"
    expect_rc 0
    no_warning
    before "erasing chip" "writing flash ("
    before "flash verified" "writing hfuse"
    before "hfuse verified" "writing lfuse"
    run p "$part" --fuses -U "flash:v:$REAL/$file"
    expect_rc 0
    has_out "lfuse $l"
    has_out "hfuse $h"
    [ "$e" = - ] || has_out "efuse $e"
    has_out "SPIEN=on"
}

preset atmel-dfu m32u4 qmk_bootloader_atmega32u4_1_0_0.hex 0x5E 0x99 0xF3
has_out "the bootloader at 0x7000 runs when HWB is held low"
preset atmel-dfu m32u4 qmk_bootloader_atmega32u4_1_0_0.hex 0x5E 0xD9 0xF3 --jtag off
has_out "JTAGEN=off"
preset qmk-dfu m16u4 qmk_bootloader_atmega16u4_1_0_1.hex 0x5E 0x99 0xF3
has_out "BOOTSZ=2048 words (boot section 0x3000-0x3FFF)"
preset atmel-dfu usb1286 qmk_bootloader_at90usb128x_1_0_1.hex 0x5E 0x99 0xF3
has_out "BOOTSZ=4096 words (boot section 0x1E000-0x1FFFF)"
preset atmel-dfu usb646 qmk_bootloader_at90usb64_1.0.0_db98381.hex 0x5E 0xDB 0xF3 --jtag off
preset caterina-promicro16 m32u4 sparkfun_Caterina-promicro16.hex 0xFF 0xD8 0xFB
has_out "BOOTRST=jump to bootloader at 0x7000"
preset caterina-promicro8 m32u4 sparkfun_Caterina-promicro8.hex 0xFF 0xD8 0xFE
preset caterina-lilypadusb m32u4 sparkfun_Caterina-lilypadusb.hex 0xFF 0xD8 0xFE
preset caterina-leonardo m32u4 arduino_Caterina-Leonardo.hex 0xFF 0xD8 0xFB
preset caterina-micro m32u4 arduino_Caterina-Micro.hex 0xFF 0xD8 0xFB
preset bootloadhid m32a qmk_bootloader_ps2avrgb_bootloadhid_1.0.1.hex 0x0F 0xD0 -
preset usbasploader m328p 0xcb_usbasploader_atmega328p_main.hex 0xD7 0xD0 0xFC
has_out "BODLEVEL=Brown-out detection at VCC=4.3 V"

# a chip that runs from its internal oscillator: the bare fuse line that selects the
# crystal is refused, nothing written...
rm -f "$W/p.chip"
run p m32u4 -U lfuse:w:0x52:m
expect_rc 0
guard_refused p m32u4 -U lfuse:w:0xFF:m -U hfuse:w:0xD8:m -U efuse:w:0xCB:m
has_err "switches the clock from the internal oscillator"
# ...while the preset names a board that has its crystal: it goes through, with the note
run p m32u4 --bootloader caterina-promicro16 -U "$REAL/sparkfun_Caterina-promicro16.hex"
expect_rc 0
has_err "switches the clock from the internal oscillator"
run p m32u4 --fuses
has_out "lfuse 0xFF"

# --jtag alone: the chip's high fuse with JTAGEN changed
rm -f "$W/j.chip"
run j m32u4 --jtag off
expect_rc 0
has_err "hfuse 0x99 -> 0xD9 changes:"
run j m32u4 --fuses
has_out "hfuse 0xD9"

# ---------------------------------------------- image <-> fuse consistency
# the issue's case: a Caterina image with fuses for a 1024-word boot section is caught
# before anything is written
pro_micro c1
run c1 m32u4 -U "$REAL/sparkfun_Caterina-promicro16.hex" -U hfuse:w:0xDA:m
expect_rc 0
has_err "warning: $REAL/sparkfun_Caterina-promicro16.hex: the bootloader starts at 0x7000"
has_err "hfuse 0xDA selects BOOTSZ=1024 words (boot section 0x7800-0x7FFF)"
has_err "Would fit: hfuse 0xD8"
before "Would fit" "erasing chip"
# ...and the same on a chip already programmed with those fuses, writing only flash
run c1 m32u4 -U "$REAL/sparkfun_Caterina-promicro16.hex"
expect_rc 0
has_err "Would fit: hfuse 0xD8"
before "Would fit" "erasing chip"
# fuses alone, on a chip with Caterina: the bootloader found in flash no longer fits
pro_micro c3
run c3 m32u4 -U hfuse:w:0xDA:m
expect_rc 0
has_err "warning: the chip's flash: the bootloader starts at 0x7000"
has_err "Would fit: hfuse 0xD8"
before "Would fit" "writing hfuse"
run c3 m32u4 -U hfuse:w:0xD8:m
expect_rc 0
no_warning
# ...but not on an empty chip
rm -f "$W/c4.chip"
run c4 m32u4 -U hfuse:w:0xDA:m
expect_rc 0
no_warning
# a combined image (sketch + Caterina) with the right fuses: no warning
pro_micro c2
run c2 m32u4 -U "$REAL/arduino_Caterina-Leonardo.hex"
expect_rc 0
no_warning
# an application that runs into the boot section BOOTRST jumps to: refused as bad input
awk 'BEGIN { for (i = 0; i < 28928; i++) printf "%c", 0 }' >"$W/big.bin"
snapshot c2
run c2 m32u4 -U "flash:w:$W/big.bin:r"
expect_rc 3
has_err "reaches into the boot section 0x7000-0x7FFF"
has_err "hfuse 0xD9"
same_state c2
# with fuses that fit it, the same image is fine
run c2 m32u4 -U "flash:w:$W/big.bin:r" -U hfuse:w:0xD9:m
expect_rc 0

echo "$N runs, $FAILS failures"
[ "$FAILS" = 0 ]
