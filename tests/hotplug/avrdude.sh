#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# avrdude 7.1 as the independent client of ispf-emu --target-file (PROTO, the 4th
# argument: arduinoisp or stk500v2), one emulator process for every run: with the
# socket empty avrdude finds no target; with a board put in it writes an image and
# reads it back equal; taken away, no target again and nothing written back; and
# ispflash reads the board avrdude wrote.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
PROTO=$4
case $PROTO in
arduinoisp)
    C=avrisp
    EMPTY_SAYS="Invalid device signature" # the sketch enters progmode blindly
    ;;
stk500v2)
    C=stk500v2
    EMPTY_SAYS="initialization failed" # ENTER_PROGMODE_ISP: STATUS_CMD_FAILED
    ;;
*)
    echo "unknown protocol $PROTO" >&2
    exit 2
    ;;
esac
command -v avrdude >/dev/null || {
    echo "avrdude not installed" >&2
    exit 1
}
make_image img.bin 3000
T=$WORK/b.chip
emu_start "$PROTO" m328p "$T"
A="-c $C -P net:127.0.0.1:$EMU_PORT -p m328p"

run 60 a_empty.log avrdude $A -U signature:r:sig.txt:h
expect_rc "avrdude, empty socket" 1
expect_log "avrdude, empty socket" "$EMPTY_SAYS"
[ "$PROTO" = arduinoisp ] && expect_log "avrdude, empty socket: signature" "device signature = 0x000000"
check "avrdude, empty socket: no file made" missing b.chip

touch b.chip
run 120 a_write.log avrdude $A -U flash:w:img.bin:r
expect_rc "avrdude writes a fresh board" 0
check "avrdude's board saved in the socket file" nonempty b.chip
run 120 a_read.log avrdude $A -U flash:r:back.bin:r
expect_rc "avrdude reads it back" 0
check "avrdude reads back what it wrote" cmp -s img.bin back.bin
run 60 i_read.log "$BIN" -c "$C" -P "net:127.0.0.1:$EMU_PORT" -p m328p -U flash:v:img.bin:r
expect_rc "ispflash verifies the board avrdude wrote" 0

rm b.chip
run 60 a_gone.log avrdude $A -U flash:v:img.bin:r
expect_rc "avrdude, board taken away" 1
expect_log "avrdude, board taken away" "$EMPTY_SAYS"
check "avrdude, board taken away: no file made" missing b.chip
touch b.chip
run 120 a_fresh.log avrdude $A -U flash:r:fresh.bin:r -U lfuse:r:lf.txt:h
expect_rc "avrdude, another board" 0
check "avrdude, another board: blank flash" [ ! -s fresh.bin ]
check "avrdude, another board: default lfuse" grep -qix "0x62" lf.txt
emu_stop
check "the board read only was never rewritten" empty_file b.chip

finish
