#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end tests of -c stk500v2 against the STK500v2 emulator (ispf-emu), over
# TCP and over an emulated /dev/ttyACM0, with avrdude 7.1 as the reference.
# Usage: e2e.sh CASE   (see the case list at the bottom)
. "$(dirname "$0")/lib.sh"

REAL=$ISPF_TEST_DATA/real
CRKBD=$REAL/qmkbuild_crkbd_rev1_default.hex
V2="-c stk500v2"
CHATTER=$(dirname "$0")/../tools/chatter.py

# Program flash + EEPROM + fuses with ispflash and with avrdude on two fresh
# emulated chips; both must end identical, and each tool must read the other's
# work back.
case_same_as_avrdude() {
    make_hex "$WORK/ee.hex" 0 300 11
    emu_start ours stk500v2 m32u4
    ispf ours 60 $V2 -p m32u4 -U "flash:w:$CRKBD" -U "eeprom:w:$WORK/ee.hex" \
        -U lfuse:w:0xE2:m -U hfuse:w:0xD8:m -U efuse:w:0xCB:m
    expect_rc 0
    emu_wait
    emu_start theirs stk500v2 m32u4
    avrd theirs 120 -c stk500v2 -p m32u4 -U "flash:w:$CRKBD" -U "eeprom:w:$WORK/ee.hex" \
        -U lfuse:w:0xE2:m -U hfuse:w:0xD8:m -U efuse:w:0xCB:m
    expect_rc 0
    emu_wait
    same_chip ours theirs
    # Firmware without SPI_MULTI: the dedicated commands do signature, erase, fuses.
    emu_start old stk500v2 m32u4 --opt nospimulti=1
    ispf old 60 $V2 -p m32u4 -U "flash:w:$CRKBD" -U "eeprom:w:$WORK/ee.hex" \
        -U lfuse:w:0xE2:m -U hfuse:w:0xD8:m -U efuse:w:0xCB:m
    expect_rc 0
    emu_wait
    same_chip ours old
    # avrdude reads back what ispflash wrote...
    cp "$WORK/ours.chip" "$WORK/check1.chip"
    emu_start check1 stk500v2 m32u4
    avrd check1 60 -c stk500v2 -p m32u4 -U "flash:v:$CRKBD" -U "eeprom:v:$WORK/ee.hex" \
        -U lfuse:v:0xE2:m -U hfuse:v:0xD8:m -U efuse:v:0xCB:m
    expect_rc 0
    emu_wait
    # ...and ispflash reads back what avrdude wrote.
    cp "$WORK/theirs.chip" "$WORK/check2.chip"
    emu_start check2 stk500v2 m32u4
    ispf check2 60 $V2 -p m32u4 -U "flash:r:$WORK/back.hex:i" -U "eeprom:r:$WORK/eeback.bin:r" \
        -U "hfuse:r:$WORK/hfuse.txt:h"
    expect_rc 0
    emu_wait
    srec_cmp "$WORK/back.hex" -Intel "$CRKBD" -Intel || fail "flash read back differs"
    srec_cat "$WORK/ee.hex" -Intel -o "$WORK/ee.bin" -Binary
    cmp -n 300 "$WORK/eeback.bin" "$WORK/ee.bin" || fail "EEPROM read back differs"
    grep -qi '0xd8' "$WORK/hfuse.txt" || fail "hfuse read back: $(cat "$WORK/hfuse.txt")"
}

# Every real HEX file for its part, written by ispflash, verified by avrdude.
case_real_hex() {
    local f base part n=0
    for f in "$REAL"/*.hex; do
        base=$(basename "$f")
        part=$(real_part "$base")
        emu_start "r$n" stk500v2 "$part"
        ispf "r$n" 60 $V2 -p "$part" -U "flash:w:$f"
        expect_rc 0
        emu_wait
        cp "$WORK/r$n.chip" "$WORK/v$n.chip"
        emu_start "v$n" stk500v2 "$part"
        avrd "v$n" 60 -c stk500v2 -p "$part" -U "flash:v:$f"
        expect_rc 0
        emu_wait
        n=$((n + 1))
    done
    [ $n -ge 20 ] || fail "only $n real HEX files found in $REAL"
}

# Parts above 128 KiB: LOAD_ADDRESS with bit 31 (the programmer sends 4D). Two
# firmware behaviours: 4D only after a LOAD_ADDRESS with bit 31 (extaddr=bit31,
# the emulator's default) and again at each 64K-word boundary (extaddr=auto,
# LUFA). A whole 256 KiB m2560 image, written and verified by ispflash and by
# avrdude, must leave the same chip on both.
case_ext_addr() {
    make_hex "$WORK/full.hex" 0 $((0x40000)) 7
    local mode
    for mode in bit31 auto; do
        emu_start "i$mode" stk500v2 m2560 --opt "extaddr=$mode"
        ispf "i$mode" 120 $V2 -p m2560 -U "flash:w:$WORK/full.hex"
        expect_rc 0
        expect_log "flash verified"
        emu_wait
        emu_start "a$mode" stk500v2 m2560 --opt "extaddr=$mode"
        avrd "a$mode" 170 -c stk500v2 -p m2560 -U "flash:w:$WORK/full.hex"
        expect_rc 0
        emu_wait
        same_chip "i$mode" "a$mode"
        # ispflash reads the whole flash back (reads cross both boundaries too).
        cp "$WORK/i$mode.chip" "$WORK/r$mode.chip"
        emu_start "r$mode" stk500v2 m2560 --opt "extaddr=$mode"
        ispf "r$mode" 120 $V2 -p m2560 -U "flash:r:$WORK/back$mode.hex:i"
        expect_rc 0
        emu_wait
        srec_cmp "$WORK/back$mode.hex" -Intel "$WORK/full.hex" -Intel ||
            fail "extaddr=$mode: flash read back differs"
    done
    same_chip ibit31 iauto
    # Writes that start just below a boundary and at the top of the flash.
    make_hex "$WORK/big.hex" $((0x1FE00)) 1024 5
    make_hex "$WORK/top.hex" $((0x3F000)) 4096 9
    srec_cat "$WORK/big.hex" -Intel "$WORK/top.hex" -Intel -o "$WORK/both.hex" -Intel
    emu_start big stk500v2 m2560
    ispf big 60 $V2 -p m2560 -U "flash:w:$WORK/both.hex"
    expect_rc 0
    emu_wait
    emu_start bigav stk500v2 m2560
    avrd bigav 120 -c stk500v2 -p m2560 -U "flash:w:$WORK/both.hex"
    expect_rc 0
    emu_wait
    same_chip big bigav
}

# Recovery: bad checksums, wrong sequence numbers, a programmer that saw a bad
# checksum, line noise, dropped / garbled / truncated answers. The run must end
# with a verified chip, identical to a clean run.
case_recovery() {
    emu_start clean stk500v2 m32u4
    ispf clean 60 $V2 -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 0
    emu_wait
    emu_start faulty stk500v2 m32u4 --opt badsum=5 --opt badseq=9 --opt cksumerr=14 \
        --opt noise=20 --drop-reply 30 --garble-reply 40 --truncate-reply 50
    ispf faulty 60 $V2 -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 0
    expect_log "bad checksum"
    expect_log "no valid answer"
    expect_log "received .* with a bad checksum; sending it again"
    expect_log "flash verified"
    emu_wait
    same_chip clean faulty
}

# Programmer answers FAILED / TOUT.
case_failed_tout() {
    # Programming Enable never echoed: ENTER_PROGMODE_ISP answers FAILED.
    emu_start f1 stk500v2 m32u4 --opt failcmd=10
    ispf f1 20 $V2 -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 5
    expect_log "no target answers"
    expect_log "CMD_FAILED"
    emu_wait
    # Page writes time out in the programmer.
    emu_start f2 stk500v2 m32u4 --opt toutcmd=13
    ispf f2 20 $V2 -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 5
    expect_log "CMD_TOUT"
    expect_log "writing flash at 0x00000"
    emu_wait
    # One page write (message 100 of ~330) answered FAILED: the run stops there.
    emu_start f3 stk500v2 m32u4 --opt failed=100
    ispf f3 20 $V2 -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 5
    expect_log "answered CMD_FAILED to PROGRAM_FLASH_ISP"
    expect_no_log "flash verified"
    emu_wait
    # A READ (message 300, during the verify) answered FAILED after reads had worked.
    emu_start f4 stk500v2 m32u4 --opt failed=300
    ispf f4 20 $V2 -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 5
    expect_log "answered CMD_FAILED to READ_FLASH_ISP"
    expect_no_log "flash verified"
    emu_wait
}

# No target, unpowered target, dead programmer, connection closed mid-write.
case_faults() {
    emu_start nt stk500v2 m32u4 --unwired
    ispf nt 10 $V2 -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 5
    expect_log "no target answers"
    emu_wait

    emu_start np stk500v2 m32u4 --opt vtarget=0
    ispf np 10 $V2 -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 5
    expect_log "0.0 V on the target: it is not powered"
    emu_wait

    emu_start dead stk500v2 m32u4 --silent
    ispf dead 10 $V2 -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 4
    expect_log "no STK500v2 programmer answers"
    emu_wait

    # The programmer hangs mid-write: three tries of 1 s, then a clear error; the
    # LEAVE_PROGMODE that follows gets one try only.
    emu_start hang stk500v2 m32u4 --opt mute=100
    ispf hang 10 $V2 -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 4
    expect_log "PROGRAM_FLASH_ISP on net:127.0.0.1:$EMU_PORT: no valid answer within 10[0-9][0-9] ms, 3 times"
    expect_log "leaving programming mode"
    emu_wait

    emu_start cut stk500v2 m32u4 --close-after-rx 9000
    ispf cut 10 $V2 -p m32u4 -U "flash:w:$CRKBD"
    expect_rc 4
    expect_log "writing flash at 0x"
    expect_log "connection to the programmer"
    emu_wait
}

# SIGN_ON names, -v reporting, VTARGET, -B, small read buffers, -x.
case_signon() {
    local name
    for name in STK500_2 AVRISP_2 SCRATCHMONKEY AVRISP_MK2 STK600 MYISP_V2; do
        emu_start "s$name" stk500v2 m32u4 --opt "signon=$name"
        ispf "s$name" 20 $V2 -p m32u4 -v -U "signature:r:$WORK/sig.txt:h"
        expect_rc 0
        expect_log "signs on as \"$name\""
        emu_wait
    done
    expect_log "not a name this tool knows"
    for name in avrispv2 avrisp2; do
        emu_start "c$name" stk500v2 m32u4 --opt signon=AVRISP_2
        ispf "c$name" 20 -c "$name" -p m32u4 -v -U "lfuse:r:$WORK/lf.txt:h"
        expect_rc 0
        expect_log "found AVRISP (v2 firmware)"
        emu_wait
    done

    emu_start sck stk500v2 m32u4
    ispf sck 20 $V2 -p m32u4 -v -B 32 -U "signature:r:$WORK/sig.txt:h"
    expect_rc 0
    expect_log "SCK_DURATION 9 = 31.2 kHz"
    expect_log "target voltage 5.0 V"
    emu_wait

    emu_start small stk500v2 m32u4 --opt maxread=256 --opt novtarget=1
    ispf small 60 $V2 -p m32u4 -v -U "flash:w:$CRKBD"
    expect_rc 0
    expect_log "using 256-byte blocks"
    expect_log "flash verified"
    emu_wait
    emu_start choke stk500v2 m32u4 --opt maxread=256 --opt maxread_silent=1
    ispf choke 60 $V2 -p m32u4 -v -U "flash:w:$CRKBD"
    expect_rc 0
    expect_log "using 256-byte blocks"
    expect_log "flash verified"
    emu_wait
    same_chip small choke

    emu_start xopt stk500v2 m32u4
    ispf xopt 20 $V2 -p m32u4 -x foo=1 -U "signature:r:$WORK/sig.txt:h"
    expect_rc 2
    expect_log "no extended options"
    [ "$(stat_of xopt connections 2>/dev/null)" != 1 ] || fail "connected despite a bad -x"
    emu_kill
}

# The emulated serial device (umockdev /dev/ttyACM0) instead of TCP.
case_tty() {
    LAST_LOG=$WORK/tty.log
    RC=0
    timeout 60 "$ISPF_EMU" --proto stk500v2 --part m32u4 --tty ttyACM0 \
        --state "$WORK/tty.chip" --stats "$WORK/tty.stats" -- \
        "$ISPF_BIN" -c stk500v2 -P /dev/ttyACM0 -p m32u4 -U "flash:w:$CRKBD" \
        -U lfuse:w:0xE2:m >"$LAST_LOG" 2>&1 || RC=$?
    [ "$RC" -eq 124 ] && fail "timed out"
    expect_rc 0
    expect_log "flash verified"
    cp "$WORK/tty.chip" "$WORK/tv.chip"
    emu_start tv stk500v2 m32u4
    avrd tv 60 -c stk500v2 -p m32u4 -U "flash:v:$CRKBD" -U lfuse:v:0xE2:m
    expect_rc 0
    emu_wait
}

# A port that is not a programmer (tests/tools/chatter.py): a continuous sender,
# a dribbler and a trickle end within 5 s, exit 4, saying the port sends data
# that is not the protocol; a silent port keeps the "no programmer answers" text.
case_chatty() {
    local mode t0 t1
    for mode in flood dribble trickle silent; do
        rm -f "$WORK/ch.port"
        python3 "$CHATTER" --port-file "$WORK/ch.port" --seconds 30 "$mode" \
            >"$WORK/ch.$mode.log" 2>&1 &
        local cpid=$!
        EMU_PIDS="$EMU_PIDS $cpid"
        local i=0
        while [ ! -s "$WORK/ch.port" ]; do
            i=$((i + 1))
            [ $i -gt 200 ] && fail "chatter $mode did not start"
            sleep 0.02
        done
        EMU_PORT=$(cat "$WORK/ch.port")
        t0=$(date +%s%N)
        ispf "ch$mode" 5 $V2 -p m32u4 -U "flash:w:$CRKBD"
        t1=$(date +%s%N)
        kill "$cpid" 2>/dev/null
        wait "$cpid" 2>/dev/null
        expect_rc 4
        if [ "$mode" = silent ]; then
            expect_log "no STK500v2 programmer answers"
            expect_no_log "not the STK500v2 protocol"
        else
            expect_log "sends data that is not the STK500v2 protocol"
            expect_log "Is this the programmer's port (-P)"
        fi
        echo "chatty $mode: exit $RC after $(((t1 - t0) / 1000000)) ms"
    done
}

# Reply timeouts grow with the answer's time on the wire: a link at 2400 baud
# (--pace: 1.2 s for one 275-byte READ_FLASH_ISP answer, more than the 1 s base)
# still reads and verifies, with -b telling ispflash the speed.
case_slow_link() {
    make_hex "$WORK/small.hex" 0 512 3
    emu_start slow stk500v2 m32u4 --pace 2400
    ispf slow 60 $V2 -b 2400 -p m32u4 -U "flash:w:$WORK/small.hex"
    expect_rc 0
    expect_log "flash verified"
    expect_no_log "no valid answer"
    emu_wait
    # The same link with -b claiming 115200: the answers come too slowly for the
    # timeouts of that speed, and the run ends with a programmer error.
    emu_start fast stk500v2 m32u4 --pace 2400
    ispf fast 60 $V2 -b 115200 -p m32u4 -U "flash:v:$WORK/small.hex"
    expect_rc 4
    expect_log "READ_FLASH_ISP"
    emu_kill
}

# An interruption request (Ctrl-C): reads stop before the next command, a mute
# programmer gets no second attempt, and programming mode is still left.
case_interrupt() {
    : "${ISPF_STK2_INT:?ISPF_STK2_INT not set}"
    emu_start int1 stk500v2 m32u4
    guarded 20 "$WORK/int1.log" "$ISPF_STK2_INT" "net:127.0.0.1:$EMU_PORT" read
    expect_rc 0
    emu_wait
    # SIGN_ON, GET_PARAMETER VTARGET, SET_PARAMETER RESET_POLARITY, ENTER_PROGMODE,
    # then LEAVE_PROGMODE: five messages, none for the interrupted read.
    [ "$(stat_of int1 proto.messages)" = 5 ] ||
        fail "messages: $(stat_of int1 proto.messages), expected 5 (LEAVE_PROGMODE last)"
    emu_start int2 stk500v2 m32u4 --opt mute=5
    guarded 20 "$WORK/int2.log" "$ISPF_STK2_INT" "net:127.0.0.1:$EMU_PORT" retry
    expect_rc 0
    expect_log "interrupted"
    emu_wait
}

case "${1:-}" in
same_as_avrdude | real_hex | ext_addr | recovery | failed_tout | faults | signon | tty | chatty | slow_link | interrupt)
    "case_$1"
    echo "PASS: stk500v2 $1"
    ;;
*)
    echo "usage: $0 same_as_avrdude|real_hex|ext_addr|recovery|failed_tout|faults|signon|tty|chatty|slow_link|interrupt" >&2
    exit 2
    ;;
esac
