#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ispf-emu --target-file FILE with ispflash as the client: PROTO (arduinoisp or
# stk500v2) is given as the 4th argument. One emulator process serves every run
# (not --once), so the emulated firmware must see each board swap between client
# connections without a restart; swap_client.py swaps boards within one connection;
# a board pulled in the middle of a slow write (--spi-delay-us) fails the run and is
# never written back.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
PROTO=$4
case $PROTO in
arduinoisp)
    C=avrisp
    EMPTY_SAYS="signature reads 00 00 00"
    ;;
stk500v2)
    C=stk500v2
    EMPTY_SAYS="answered CMD_FAILED to ENTER_PROGMODE_ISP"
    ;;
*)
    echo "unknown protocol $PROTO" >&2
    exit 2
    ;;
esac
make_image img.bin 4096
make_image big.bin 16384
T=$WORK/b.chip

run 30 r_both.log "$EMU" --proto "$PROTO" --part m328p --listen 127.0.0.1:0 --state s.chip \
    --target-file "$T"
expect_rc "--state with --target-file" 2
expect_log "--state with --target-file" "cannot be used together"

emu_start "$PROTO" m328p "$T"
P="-c $C -P net:127.0.0.1:$EMU_PORT -p m328p"

run 60 r_empty.log "$BIN" $P -U flash:r:out.bin:r
expect_rc "empty socket" 5
expect_log "empty socket" "$EMPTY_SAYS"
check "empty socket: no file made" missing b.chip

touch b.chip
run 60 r_write.log "$BIN" $P -U flash:w:img.bin:r -U eeprom:w:0x11,0x22:m
expect_rc "write to a fresh board" 0
check "written board saved in the socket file" nonempty b.chip
run 60 r_read.log "$BIN" $P -U flash:r:back.bin:r -U eeprom:r:ee.hex:h
expect_rc "read back by a second connection" 0
check "read back equals the image" cmp -s img.bin back.bin
check "EEPROM read back" grep -q "^0x11,0x22" ee.hex

rm b.chip
run 60 r_empty2.log "$BIN" $P -U flash:v:img.bin:r
expect_rc "board taken away between connections" 5
check "board taken away: no file made" missing b.chip
touch b.chip
run 60 r_fresh.log "$BIN" $P -U flash:r:fresh.bin:r -U lfuse:r:lf.txt:h
expect_rc "another board put in" 0
check "another board: blank flash" [ ! -s fresh.bin ]
check "another board: default lfuse 0x62" grep -qx "0x62" lf.txt
check "another board: the file stays empty" empty_file b.chip

# Boards swapped within one connection.
rm -f b.chip
touch b.chip
run 60 r_swap.log python3 "$HERE/swap_client.py" "$PROTO" "$EMU_PORT" "$T"
expect_rc "swaps within one connection" 0
check "the emulator survived every swap" kill -0 "$EMU_PID"
emu_stop
check "emulator counts 5 boards put in (got $(stat_of socket_inserts))" [ "$(stat_of socket_inserts)" = 5 ]
check "emulator counts 4 boards taken away (got $(stat_of socket_removals))" [ "$(stat_of socket_removals)" = 4 ]
check "emulator counts 1 changed board not written back" [ "$(stat_of socket_dropped)" = 1 ]

# A board pulled in the middle of a slow write (300 us an instruction).
rm -f b.chip
touch b.chip
emu_start "$PROTO" m328p "$T" --spi-delay-us 300
P="-c $C -P net:127.0.0.1:$EMU_PORT -p m328p"
LAST_LOG=mid.log
timeout 120 "$BIN" $P -U flash:w:big.bin:r >mid.log 2>&1 &
PID=$!
BG_PIDS="$BG_PIDS $PID"
if wait_for mid.log "writing flash" 60; then
    sleep 0.5
    rm b.chip
else
    fail "pulled mid-write: the write never started"
fi
RC=0
wait $PID || RC=$?
expect_rc "board pulled mid-write" 6
expect_log "board pulled mid-write" "flash verification failed: first mismatch"
check "board pulled mid-write: not written back" missing b.chip
sleep 0.3 # the emulator writes its stats after the client has gone
PAGES=$(stat_of chip_page_writes)
check "board pulled mid-write: some pages reached it (${PAGES:-?} of 128)" between "$PAGES" 0 128
check "board pulled mid-write: counted as dropped" [ "$(stat_of socket_dropped)" = 1 ]
emu_stop
check "the emulator never wrote the pulled board back" missing b.chip

finish
