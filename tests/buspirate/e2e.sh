#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end tests of -c buspirate against the Bus Pirate emulator (ispf-emu), with
# and without the firmware's AVR extended commands, over TCP and an emulated
# /dev/ttyACM0, with avrdude 7.1 as the reference.
# Usage: e2e.sh CASE   (see the case list at the bottom)
. "$(dirname "$0")/../stk500v2/lib.sh"

REAL=$ISPF_TEST_DATA/real
CRKBD=$REAL/qmkbuild_crkbd_rev1_default.hex
BP="-c buspirate"

stat0() { # stat0 NAME KEY: a counter of the emulator, 0 when never counted
    local v
    v=$(stat_of "$1" "$2")
    echo "${v:-0}"
}

# After a normal session: back in terminal mode, CS never raised with a page
# half loaded, never a CS-toggling command (0x02/0x03/0x04).
expect_clean_session() {
    [ "$(stat0 "$1" proto.terminal_returns)" = 1 ] || fail "$1: not returned to terminal mode"
    [ "$(stat0 "$1" proto.reset_lost_page)" = 0 ] || fail "$1: RESET released mid-page"
    [ "$(stat0 "$1" proto.cs_commands)" = 0 ] || fail "$1: CS-toggling commands used"
    [ "$(stat0 "$1" proto.ended_in_binary)" = 0 ] || fail "$1: left in binary mode"
    [ "$(stat0 "$1" proto.ended_powered)" = 0 ] || fail "$1: supplies left on"
    [ "$(stat0 "$1" proto.ended_reset_held)" = 0 ] || fail "$1: target RESET left held"
}

# avrdude verifies a chip state through the STK500v2 emulator (fast, independent).
verify_with_avrdude() { # verify_with_avrdude NAME PART -U...
    local name=$1 part=$2
    shift 2
    cp "$WORK/$name.chip" "$WORK/$name-v.chip"
    emu_start "$name-v" stk500v2 "$part"
    avrd "$name-v" 60 -c stk500v2 -p "$part" "$@"
    expect_rc 0
    emu_wait
}

# Flash + EEPROM + fuses written by ispflash and by avrdude (both through the Bus
# Pirate emulator): identical chips; each reads the other's back.
case_same_as_avrdude() {
    make_hex "$WORK/ee.hex" 0 64 3
    emu_start ours buspirate m32u4
    ispf ours 60 $BP -p m32u4 -U "flash:w:$CRKBD" -U "eeprom:w:$WORK/ee.hex" \
        -U lfuse:w:0xE2:m -U hfuse:w:0xD8:m -U efuse:w:0xCB:m
    expect_rc 0
    emu_wait
    expect_clean_session ours
    emu_start theirs buspirate m32u4
    avrd theirs 150 -c buspirate -p m32u4 -U "flash:w:$CRKBD" -U "eeprom:w:$WORK/ee.hex" \
        -U lfuse:w:0xE2:m -U hfuse:w:0xD8:m -U efuse:w:0xCB:m
    expect_rc 0
    emu_wait
    same_chip ours theirs
    verify_with_avrdude ours m32u4 -U "flash:v:$CRKBD" -U "eeprom:v:$WORK/ee.hex" \
        -U lfuse:v:0xE2:m -U hfuse:v:0xD8:m -U efuse:v:0xCB:m
    cp "$WORK/theirs.chip" "$WORK/back.chip"
    emu_start back buspirate m32u4 --opt avrext=1
    ispf back 60 $BP -p m32u4 -U "flash:r:$WORK/back.hex:i" -U "eeprom:r:$WORK/eeback.bin:r" \
        -U "efuse:r:$WORK/efuse.txt:h"
    expect_rc 0
    emu_wait
    srec_cmp "$WORK/back.hex" -Intel "$CRKBD" -Intel || fail "flash read back differs"
    srec_cat "$WORK/ee.hex" -Intel -o "$WORK/ee.bin" -Binary
    cmp -n 64 "$WORK/eeback.bin" "$WORK/ee.bin" || fail "EEPROM read back differs"
    grep -qi '0xfb' "$WORK/efuse.txt" || fail "efuse read back (0xCB, unused bits read 1): $(cat "$WORK/efuse.txt")"
}

# Both read paths (AVR extension and bulk transfers) and both write paths
# (write-then-read, and old firmware without it) leave the same chip.
case_paths() {
    emu_start plain buspirate m32u4
    ispf plain 60 $BP -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 0
    emu_wait
    expect_clean_session plain
    [ "$(stat0 plain proto.write_then_read)" -gt 200 ] || fail "pages not written with 0x05"
    [ "$(stat0 plain proto.avr_bulk_reads)" = 0 ] || fail "extension used where absent"

    emu_start ext buspirate m32u4 --opt avrext=1
    ispf ext 60 $BP -p m32u4 -v -U "flash:w:$CRKBD"
    expect_rc 0
    expect_log "AVR extended commands version 1"
    emu_wait
    expect_clean_session ext
    [ "$(stat0 ext proto.avr_bulk_reads)" -gt 0 ] || fail "extension not used for reads"
    same_chip plain ext

    emu_start old buspirate m32u4 --opt nowtr=1
    ispf old 90 $BP -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 0
    expect_log "no write-then-read without CS"
    emu_wait
    expect_clean_session old
    [ "$(stat0 old proto.write_then_read)" = 0 ] || fail "0x05 used on old firmware"
    same_chip plain old

    # Odd addresses and lengths through the extension path.
    cp "$WORK/plain.chip" "$WORK/odd.chip"
    emu_start odd buspirate m32u4 --opt avrext=1
    ispf odd 60 $BP -p m32u4 -U "flash:r:$WORK/odd.bin:r"
    expect_rc 0
    emu_wait
    srec_cat "$CRKBD" -Intel -fill 0xFF 0 0x8000 -o "$WORK/full.bin" -Binary
    cmp -n 26970 "$WORK/odd.bin" "$WORK/full.bin" || fail "full flash read differs"
}

# Every real HEX file for its part, written through the Bus Pirate (alternately
# with and without the AVR extension), verified by avrdude.
case_real_hex() {
    local f base part n=0
    for f in "$REAL"/*.hex; do
        base=$(basename "$f")
        part=$(real_part "$base")
        emu_start "r$n" buspirate "$part" --opt "avrext=$((n % 2))"
        ispf "r$n" 60 $BP -p "$part" -U "flash:w:$f"
        expect_rc 0
        emu_wait
        expect_clean_session "r$n"
        verify_with_avrdude "r$n" "$part" -U "flash:v:$f"
        n=$((n + 1))
    done
    [ $n -ge 20 ] || fail "only $n real HEX files found in $REAL"
}

# Above 128 KiB (Load Extended Address from the host), compared with avrdude
# writing the same image through the STK500v2 emulator.
case_ext_addr() {
    make_hex "$WORK/big.hex" $((0x1FE00)) 1024 5
    make_hex "$WORK/top.hex" $((0x3F000)) 2048 9
    srec_cat "$WORK/big.hex" -Intel "$WORK/top.hex" -Intel -o "$WORK/both.hex" -Intel
    emu_start big buspirate m2560 --opt avrext=1
    ispf big 60 $BP -p m2560 -U "flash:w:$WORK/both.hex"
    expect_rc 0
    emu_wait
    emu_start ref stk500v2 m2560
    avrd ref 120 -c stk500v2 -p m2560 -U "flash:w:$WORK/both.hex"
    expect_rc 0
    emu_wait
    same_chip big ref
}

# -x options as avrdude names them, and -B.
case_options() {
    emu_start slow buspirate m32u4
    ispf slow 90 $BP -p m32u4 -x spifreq=0 -U "flash:w:$REAL/arduino_optiboot_atmega328.hex" -F
    expect_rc 0
    emu_wait

    emu_start pu buspirate m32u4
    ispf pu 60 $BP -p m32u4 -x pullups -U "flash:w:$REAL/sparkfun_Caterina-promicro16.hex"
    expect_rc 0
    emu_wait

    # Open drain with nothing pulling the lines up: no target can answer.
    emu_start hiz buspirate m32u4
    ispf hiz 20 $BP -p m32u4 -x hiz -U "flash:w:$CRKBD"
    expect_rc 5
    expect_log "10-pin header"
    emu_wait
    emu_start hizok buspirate m32u4 --opt extpullups=1
    ispf hizok 60 $BP -p m32u4 -x hiz -U "flash:w:$REAL/sparkfun_Caterina-promicro16.hex"
    expect_rc 0
    emu_wait

    # The target is powered from the Bus Pirate's supply pins.
    emu_start pwr buspirate m32u4 --opt needpower=1
    ispf pwr 60 $BP -p m32u4 -v -B 1 -U "signature:r:$WORK/sig.txt:h"
    expect_rc 0
    expect_log "SPI clock 1000 kHz"
    emu_wait

    emu_start bad buspirate m32u4
    ispf bad 20 $BP -p m32u4 -x spifreq=9 -U "signature:r:$WORK/sig.txt:h"
    expect_rc 2
    expect_log "spifreq must be 0..7"
    ispf bad 20 $BP -p m32u4 -x ascii -U "signature:r:$WORK/sig.txt:h"
    expect_rc 2
    expect_log "unknown option"
    emu_kill
}

# No target, dead Bus Pirate, connection closed mid-write.
case_faults() {
    emu_start nt buspirate m32u4 --unwired
    ispf nt 10 $BP -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 5
    expect_log "no target answers"
    expect_log "10-pin header, not the 5-pin PIC ICSP header"
    emu_wait
    [ "$(stat0 nt proto.terminal_returns)" = 1 ] || fail "not returned to terminal mode"
    [ "$(stat0 nt proto.ended_powered)" = 0 ] || fail "no target: supplies left on"

    emu_start dead buspirate m32u4 --silent
    ispf dead 10 $BP -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 4
    expect_log "no Bus Pirate answers"
    emu_wait

    emu_start cut buspirate m32u4 --close-after-rx 30000
    ispf cut 10 $BP -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 4
    expect_log "writing the flash page at 0x"
    expect_log "connection to the programmer"
    emu_wait
}

case_tty() {
    LAST_LOG=$WORK/tty.log
    RC=0
    timeout 60 "$ISPF_EMU" --proto buspirate --part m32u4 --tty ttyACM0 \
        --state "$WORK/tty.chip" --stats "$WORK/tty.stats" --opt avrext=1 -- \
        "$ISPF_BIN" -c buspirate -P /dev/ttyACM0 -p m32u4 -U "flash:w:$CRKBD" \
        -U hfuse:w:0xD8:m >"$LAST_LOG" 2>&1 || RC=$?
    [ "$RC" -eq 124 ] && fail "timed out"
    expect_rc 0
    expect_log "flash verified"
    expect_clean_session tty
    verify_with_avrdude tty m32u4 -U "flash:v:$CRKBD" -U hfuse:v:0xD8:m
}

case "${1:-}" in
same_as_avrdude | paths | real_hex | ext_addr | options | faults | tty)
    "case_$1"
    echo "PASS: buspirate $1"
    ;;
*)
    echo "usage: $0 same_as_avrdude|paths|real_hex|ext_addr|options|faults|tty" >&2
    exit 2
    ;;
esac
