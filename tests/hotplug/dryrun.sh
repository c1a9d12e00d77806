#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The dryrun target socket (-x target=FILE), one ispflash run after another:
# an empty socket is "no target" (exit 5) and stays empty; a board put in (touch)
# is written and read back by later runs; a new file is a fresh chip; a board taken
# away in the middle of a write fails the run (exit 6: verification) and is never
# written back, nor is the old chip written over another board put in meanwhile; %P gives each -P port its own socket.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

DR="-c dryrun -p m328p"
make_image img.bin 8192
make_image big.bin 16384

# The socket is empty.
run 30 r_empty.log "$BIN" $DR -x "target=$WORK/b.chip" -U flash:r:out.bin:r
expect_rc "empty socket" 5
expect_log "empty socket" "no target answers"
expect_log "empty socket" "the target socket is empty (no file $WORK/b.chip)"
check "empty socket: still no file" missing b.chip
run 30 r_empty2.log "$BIN" $DR -x "target=$WORK/b.chip" -U signature:r:-:h
expect_rc "empty socket, signature" 5
expect_log "empty socket, signature" "Programming Enable (got 00 00 00 00)"

# target= and state= together.
run 30 r_both.log "$BIN" $DR -x "target=$WORK/b.chip" -x "state=$WORK/s.chip" -U signature:r:-:h
expect_rc "target= with state=" 2
expect_log "target= with state=" "cannot be used together"

# A fresh board: written, then read back by other runs.
touch b.chip
run 60 r_write.log "$BIN" $DR -x "target=$WORK/b.chip" -U flash:w:img.bin:r -U lfuse:w:0xe2:m
expect_rc "write to a fresh board" 0
check "written board saved in the socket file" nonempty b.chip
check "socket file is a chip state" grep -aq "^ispflash-chip 1" b.chip
INO=$(inode b.chip)
run 60 r_read1.log "$BIN" $DR -x "target=$WORK/b.chip" -U flash:r:back1.bin:r -U lfuse:r:lf1.txt:h
expect_rc "read the board back" 0
check "read back equals the image" cmp -s img.bin back1.bin
check "lfuse read back" grep -qx "0xe2" lf1.txt
check "a run that changes nothing does not rewrite the file" [ "$(inode b.chip)" = "$INO" ]
run 60 r_read2.log "$BIN" $DR -x "target=$WORK/b.chip" -U flash:v:img.bin:r
expect_rc "a second run verifies the same board" 0

# Another board: rm + touch gives a factory-fresh chip.
rm b.chip
touch b.chip
run 60 r_fresh.log "$BIN" $DR -x "target=$WORK/b.chip" -U flash:r:back2.bin:r -U lfuse:r:lf2.txt:h \
    -U hfuse:r:hf2.txt:h
expect_rc "fresh board read" 0
expect_log "fresh board: blank flash" "flash read: 0 bytes saved"
check "fresh board: blank flash (nothing but 0xFF)" [ ! -s back2.bin ]
check "fresh board: default lfuse 0x62" grep -qx "0x62" lf2.txt
check "fresh board: default hfuse 0xd9" grep -qx "0xd9" hf2.txt
check "fresh board untouched by reading" empty_file b.chip
run 60 r_fresh_v.log "$BIN" $DR -x "target=$WORK/b.chip" -U flash:v:img.bin:r
expect_rc "fresh board does not hold the old image" 6

# %P: one socket per -P port.
touch p-b1.chip
run 30 r_p1.log "$BIN" $DR -P b1 -x "target=$WORK/p-%P.chip" -U eeprom:w:0x42:m
expect_rc "-P b1: its socket p-b1.chip has a board" 0
check "-P b1: p-b1.chip written" nonempty p-b1.chip
run 30 r_p2.log "$BIN" $DR -P b2 -x "target=$WORK/p-%P.chip" -U eeprom:w:0x42:m
expect_rc "-P b2: its socket p-b2.chip is empty" 5
check "-P b2: p-b2.chip not created" missing p-b2.chip
touch p-dryrun.chip
run 30 r_p0.log "$BIN" $DR -x "target=$WORK/p-%P.chip" -U eeprom:r:-:h
expect_rc "no -P: %P is \"dryrun\"" 0

# A board taken away in the middle of a write (16 KB at 300 us an instruction: some
# seconds): the run fails on verification and nothing is written back.
pulled() { # pulled NAME ACTION: run a slow write, do ACTION once it is writing
    rm -f "$1.chip"
    touch "$1.chip"
    LAST_LOG=$1.log
    timeout 120 "$BIN" -v $DR -x "target=$WORK/$1.chip" -x delay_us=300 -U flash:w:big.bin:r \
        >"$1.log" 2>&1 &
    local pid=$!
    BG_PIDS="$BG_PIDS $pid"
    if wait_for "$1.log" "writing flash" 60; then
        sleep 0.5
        $2 "$1.chip"
    else
        fail "$1: the write never started"
    fi
    RC=0
    wait $pid || RC=$?
}
pulled mid rm
expect_rc "board pulled mid-write" 6
expect_log "board pulled mid-write" "flash verification failed: first mismatch"
check "board pulled mid-write: not written back" missing mid.chip
PAGES=$(sed -n 's/.*; \([0-9]*\) flash pages reached a chip.*/\1/p' mid.log)
check "board pulled mid-write: some pages reached it before (${PAGES:-?} of 128)" \
    between "$PAGES" 0 128
expect_log "board pulled mid-write: counted as taken away" "1 taken away"

swap() { rm "$1" && touch "$1"; }
# Taken away and another board put in: the new chip was never sent Programming
# Enable, so it answers out of sync and RDY/BSY never says ready (exit 5, target).
pulled swapped swap
expect_rc "board swapped mid-write" 5
expect_log "board swapped mid-write" "target stays busy"
check "board swapped mid-write: the new board is not overwritten" empty_file swapped.chip
expect_log "board swapped mid-write: two boards seen" "2 boards put in"

finish
