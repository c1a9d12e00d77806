#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interruption and output files, end to end on the real binary:
#  - SIGINT / SIGTERM / SIGHUP in the middle of a paced dryrun write: exit 8 within
#    2 s, the message names the flash addresses written, programming mode is left,
#    the chip state is saved with the pages written so far;
#  - the same through the ArduinoISP emulator over net: (--pace);
#  - SIGPIPE (| head) and /dev/full on standard output;
#  - an existing output file survives a failed or interrupted read;
#  - the dryrun state: unsavable state = error exit, concurrent runs never clobber,
#    a run that changes nothing does not rewrite it;
#  - -l FILE, and -v notes for -C/-s/-u.
# Usage: signals_e2e.sh ISPFLASH ISPF-EMU
BIN=$1
EMU=$2
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

head -c 28672 /dev/urandom >img.bin
# The flash bytes of a dryrun state file (after its 5 header lines).
state_flash() { tail -n +6 "$1" | head -c 32768; }
now_ms() { date +%s%3N; }

# interrupt SIG STATE: start a paced 28 KiB write, send SIG after 1.5 s; sets RC and
# LAT (ms from the signal to the exit).
interrupt() {
    timeout --foreground 60 "$BIN" -vv -c dryrun -p m32u4 -x "state=$2" -x delay_us=150 \
        -U flash:w:img.bin:r >out 2>err &
    pid=$!
    sleep 1.5
    kill "-$1" "$pid"
    t0=$(now_ms)
    wait "$pid"
    RC=$?
    LAT=$(($(now_ms) - t0))
}

for sig in INT TERM HUP; do
    rm -f s.chip
    interrupt "$sig" s.chip
    check "SIG$sig: exit 8 (got $RC)" [ "$RC" = 8 ]
    check "SIG$sig: exits within 2 s (took $LAT ms)" [ "$LAT" -lt 2000 ]
    check "SIG$sig: message names the addresses written" \
        grep -q "interrupted: flash 0x00000-0x[0-9a-f]* written, the rest not; the chip is incomplete" err
    check "SIG$sig: programming mode left" grep -q "programming mode left, RESET released" err
    check "SIG$sig: state saved" grep -q "chip state saved to s.chip" err
    end=$(sed -n 's/.*interrupted: flash 0x00000-0x\([0-9a-f]*\) written.*/\1/p' err)
    n=$((0x${end:-0} + 1))
    state_flash s.chip | head -c "$n" >got.bin
    head -c "$n" img.bin >want.bin
    check "SIG$sig: state holds the bytes written so far ($n)" cmp -s got.bin want.bin
    check "SIG$sig: not all of it was written" [ "$n" -lt 28672 ]
done

# A second signal (Ctrl-C, SIGTERM, SIGHUP) exits at once with 130.
timeout --foreground 60 "$BIN" -c dryrun -p m32u4 -x delay_us=2000 -U flash:w:img.bin:r \
    >out 2>err &
pid=$!
sleep 1
# Two different signals back to back (two of the same may merge into one while
# pending): the second one exits at once.
kill -INT "$pid"
kill -TERM "$pid"
wait "$pid"
RC=$?
check "second signal: exit 130 (got $RC)" [ "$RC" = 130 ]

# An interrupted read keeps the previous output file.
echo "previous content" >keep.hex
timeout --foreground 60 "$BIN" -c dryrun -p m32u4 -x delay_us=300 -U flash:r:keep.hex:i >out 2>err &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
RC=$?
check "interrupted read: exit 8 (got $RC)" [ "$RC" = 8 ]
check "interrupted read: old file kept" grep -qx "previous content" keep.hex
check "interrupted read: no temporary file left" sh -c '! ls -A | grep -q ispflash-'

# A failed read (no target) keeps it too; a good read replaces it.
run 5 "$BIN" -c dryrun -p m32u4 -x unwired -U flash:r:keep.hex:i
check "failed read: exit 5 (got $RC)" [ "$RC" = 5 ]
check "failed read: old file kept" grep -qx "previous content" keep.hex
run 0 "$BIN" -c dryrun -p m32u4 -x state=s.chip -U flash:r:keep.hex:i
check "good read: exit 0" [ "$RC" = 0 ]
check "good read: file replaced" grep -q "^:10000000" keep.hex

# SIGPIPE: | head. The write completes and the state is saved; the output error fails
# the run with exit 1.
rm -f p.chip
rm -f p.chip
timeout --foreground 60 "$BIN" -c dryrun -p m32u4 -x state=p.chip -U flash:w:img.bin:r -U flash:r:-:i \
    2>err3 | head -c 10 >/dev/null
pipe_rc=${PIPESTATUS[0]}
check "| head: ispflash exits 1, not 141 (got $pipe_rc)" [ "$pipe_rc" = 1 ]
check "| head: message" grep -q "writing to standard output: Broken pipe" err3
state_flash p.chip >got.bin
check "| head: the flash write is in the state" cmp -s -n 28672 got.bin img.bin

# /dev/full on standard output.
for args in "-c dryrun -p m32u4 -U signature:r:-:h" "-c dryrun -p m32u4 --fuses" "-p ?"; do
    # shellcheck disable=SC2086
    timeout --foreground 60 "$BIN" $args >/dev/full 2>err
    RC=$?
    check "$args >/dev/full: exit 1 (got $RC)" [ "$RC" = 1 ]
    check "$args >/dev/full: message" grep -q "error: writing to standard output" err
done

# The dryrun state.
run 4 "$BIN" -c dryrun -p m32u4 -x state=/nonexistent/dir/chip.bin -U eeprom:w:1:m
check "unsavable state: exit 4 (got $RC)" [ "$RC" = 4 ]
check "unsavable state: message" err_has "cannot use chip state /nonexistent/dir/chip.bin"

# A state that cannot be saved at the end (its temporary file is a directory) fails
# the run.
mkdir bad.chip.tmp
run 1 "$BIN" -c dryrun -p m32u4 -x state=bad.chip -U eeprom:w:1:m
check "state not saved at close: exit 1 (got $RC)" [ "$RC" = 1 ]
check "state not saved at close: message" err_has "cannot write chip state"

# An output file through a symbolic link: the link stays, its target is replaced,
# its permissions kept.
echo old >target.hex
chmod 640 target.hex
ln -s target.hex link.hex
run 0 "$BIN" -c dryrun -p m32u4 -x state=s.chip -U flash:r:link.hex:i
check "symlinked output: still a link" [ -L link.hex ]
check "symlinked output: target replaced" grep -q "^:10000000" target.hex
check "symlinked output: mode kept" [ "$(stat -c %a target.hex)" = 640 ]

# A run that changes nothing does not rewrite the state.
run 0 "$BIN" -c dryrun -p m32u4 -x state=s.chip -U eeprom:w:1:m
before=$(stat -c %Y.%i s.chip)
sleep 1.1
run 0 "$BIN" -c dryrun -p m32u4 -x state=s.chip -U flash:r:/dev/null:r
check "read-only run: state not rewritten" [ "$(stat -c %Y.%i s.chip)" = "$before" ]

# Concurrent runs on one state: a flash write (-D: no erase, which would clear the
# EEPROM) and an EEPROM write, 20 pairs: both changes are in the state.
head -c 2048 /dev/urandom >small.bin
lost=0
for i in $(seq 1 20); do
    rm -f c.chip
    timeout --foreground 60 "$BIN" -q -c dryrun -p m32u4 -x state=c.chip -D -U flash:w:small.bin:r 2>e1 &
    p1=$!
    timeout --foreground 60 "$BIN" -q -c dryrun -p m32u4 -x state=c.chip -U eeprom:w:0x11,0x22:m 2>e2 &
    p2=$!
    wait $p1; r1=$?
    wait $p2; r2=$?
    timeout --foreground 60 "$BIN" -q -c dryrun -p m32u4 -x state=c.chip -U eeprom:r:ee.txt:h \
        -U flash:v:small.bin:r 2>e3 || lost=$((lost + 1))
    [ "$r1$r2" = 00 ] || lost=$((lost + 1))
    grep -q "^0x11,0x22," ee.txt || lost=$((lost + 1))
done
check "20 concurrent flash+EEPROM pairs: nothing lost ($lost failures)" [ "$lost" = 0 ]

# A second run waits for the lock: while a paced run holds it, a run starts, waits and
# then sees the first run's write.
rm -f w.chip
timeout --foreground 60 "$BIN" -q -c dryrun -p m32u4 -x state=w.chip -x delay_us=50 -U flash:w:small.bin:r \
    2>/dev/null &
p1=$!
sleep 0.3
run 0 "$BIN" -c dryrun -p m32u4 -x state=w.chip -U flash:v:small.bin:r
wait $p1
check "second run waits for the lock, then verifies the first run's write" [ "$RC" = 0 ]
check "second run says it waits" err_has "is in use by another run: waiting"

# -l FILE: stderr goes to FILE, appended.
echo "old line" >log.txt
run 0 "$BIN" -l log.txt -c dryrun -p m32u4 -U signature:r:-:h
check "-l: nothing on stderr" [ ! -s err ]
check "-l: log appended" sh -c 'head -1 log.txt | grep -qx "old line" && grep -q "device signature 1e 95 87" log.txt'
run 1 "$BIN" -l /nonexistent/dir/log.txt -c dryrun -p m32u4 -U signature:r:-:h
check "-l unwritable: exit 1" [ "$RC" = 1 ]
check "-l unwritable: message" err_has "-l /nonexistent/dir/log.txt"

# -C, -s, -u: accepted; -v says why they are ignored.
run 0 "$BIN" -v -C /etc/avrdude.conf -s -u -c dryrun -p m32u4 -U signature:r:-:h
check "-C ignored, said at -v" err_has "-C /etc/avrdude.conf ignored"
check "-s ignored, said at -v" err_has "-s ignored"
check "-u ignored, said at -v" err_has "-u ignored"
run 0 "$BIN" -C /etc/avrdude.conf -s -u -c dryrun -p m32u4 -U signature:r:-:h
check "-C -s -u quiet without -v" sh -c '! grep -q ignored "$0"' "$WORK/err"

# Through the ArduinoISP emulator over net:, paced like a 19200-baud line: the write
# takes under a second there, the verify about 15 s; Ctrl-C during the verify stops
# within 2 s (reads go in chunks that take ~0.5 s at 19200 baud).
if [ -x "$EMU" ]; then
    "$EMU" --proto arduinoisp --part m32u4 --listen 127.0.0.1:0 --port-file port \
        --state e.chip --stats e.stats --pace 19200 --lifetime 60 --once >/dev/null 2>emu.err &
    epid=$!
    for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
    timeout --foreground 60 "$BIN" -c avrisp -P "net:127.0.0.1:$(cat port)" -p m32u4 -U flash:w:img.bin:r \
        >out 2>err &
    pid=$!
    sleep 4
    kill -INT "$pid"
    t0=$(now_ms)
    wait "$pid"
    RC=$?
    LAT=$(($(now_ms) - t0))
    check "avrisp SIGINT: exit 8 (got $RC)" [ "$RC" = 8 ]
    check "avrisp SIGINT: within 2 s (took $LAT ms)" [ "$LAT" -lt 2000 ]
    check "avrisp SIGINT: says flash is written, not verified" \
        grep -Eq "interrupted: flash written, not verified: reading flash back \(0x[0-9a-f]+-0x[0-9a-f]+\): (.*: )?interrupted" err
    wait "$epid" # --once: it exits after the client, writing its stats
    # STK_LEAVE_PROGMODE is command 0x51 (the emulator counts each command).
    check "avrisp SIGINT: the programmer got LEAVE_PROGMODE" grep -Eq "^proto.cmd_51 [1-9]" e.stats
fi


# SIG in the middle of a paced 28 KiB write through the STK500v2 and Bus Pirate
# emulators: exit 8 within 2 s, and the emulator saw the client leave programming
# mode (STK500v2: LEAVE_PROGMODE_ISP; Bus Pirate: RESET released, supplies off,
# back in the terminal).
# emu_interrupt PROTO PGM SIG DELAY_S: sets RC, LAT; the emulator's stats in e.stats.
emu_interrupt() {
    rm -f port e.chip e.stats
    "$EMU" --proto "$1" --part m32u4 --listen 127.0.0.1:0 --port-file port \
        --state e.chip --stats e.stats --pace 115200 --lifetime 60 --once >/dev/null 2>emu.err &
    epid=$!
    for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
    timeout --foreground 60 "$BIN" -c "$2" -P "net:127.0.0.1:$(cat port)" -p m32u4 \
        -U flash:w:img.bin:r >out 2>err &
    pid=$!
    sleep "$4"
    kill "-$3" "$pid"
    t0=$(now_ms)
    wait "$pid"
    RC=$?
    LAT=$(($(now_ms) - t0))
    wait "$epid"
}
if [ -x "$EMU" ]; then
    for sig in INT TERM; do
        emu_interrupt stk500v2 stk500v2 "$sig" 1
        check "stk500v2 SIG$sig: exit 8 (got $RC)" [ "$RC" = 8 ]
        check "stk500v2 SIG$sig: within 2 s (took $LAT ms)" [ "$LAT" -lt 2000 ]
        check "stk500v2 SIG$sig: the message says what was written" grep -Eq "interrupted: flash (0x00000-0x[0-9a-f]* written, the rest not; the chip is incomplete|written, not verified: reading flash back \(0x[0-9a-f]+-0x[0-9a-f]+\): (.*: )?interrupted)" err
        check "stk500v2 SIG$sig: LEAVE_PROGMODE_ISP received" grep -Eq "^proto.left_progmode [1-9]" e.stats
        check "stk500v2 SIG$sig: not left in programming mode" sh -c '! grep -q "^proto.ended_in_progmode" e.stats'
        emu_interrupt buspirate buspirate "$sig" 1
        check "buspirate SIG$sig: exit 8 (got $RC)" [ "$RC" = 8 ]
        check "buspirate SIG$sig: within 2 s (took $LAT ms)" [ "$LAT" -lt 2000 ]
        check "buspirate SIG$sig: back in the terminal" grep -Eq "^proto.terminal_returns [1-9]" e.stats
        check "buspirate SIG$sig: supplies off, RESET released, not in binary mode" \
            sh -c '! grep -Eq "^proto.ended_(in_binary|powered|reset_held)" e.stats'
    done
fi

finish
