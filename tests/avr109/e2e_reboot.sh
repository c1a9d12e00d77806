#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# -r on an emulated Pro Micro (ispf-emu --tty --touch, umockdev): the application's
# /dev/ttyACM0 (1b4f:9206) re-enumerates as Caterina's port (1b4f:9205) on the
# 1200-baud touch; ispflash -r finds it, writes and verifies crkbd; Caterina's
# timeout; no bootloader appearing (exit 4, the 750 ms / 8 s windows); Ctrl-C in
# the wait (exit 8); avrdude 7.1 (no -r in 7.1) over the tty leaves the same chip.
# usage: e2e_reboot.sh ISPFLASH ISPF-EMU DATA_DIR
BIN=$1
EMU=$2
DATA=$3
. "$(dirname "$0")/../stk500v1/lib.sh"
XDG_STATE_HOME=$WORK/state # the boot-section backups
export XDG_STATE_HOME

HEX=$DATA/real/qmkbuild_crkbd_rev1_default.hex
CAT=$DATA/real/sparkfun_Caterina-promicro16.hex
srec_cat "$HEX" -Intel -crop 0 0x7000 "$CAT" -Intel -crop 0x7000 0x8000 -o "$WORK/want.hex" -Intel
srec_cat "$WORK/want.hex" -Intel -fill 0xFF 0 0x8000 -o "$WORK/want.bin" -Binary
# seed FILE [HEX]: a Pro Micro with Caterina (and a sketch: HEX)
seed() {
    run "$BIN" -c dryrun -x "state=$1" -p m32u4 -q -U "flash:w:$CAT:i" ${2:+-U "flash:w:$2:i"}
    check "seed $1 (rc $RC)" ok
}
# tty STATE EMU-OPTIONS... -- CMD...: the emulator on /dev/ttyACM0 with CMD as its client
tty() {
    _st=$1
    shift
    run "$EMU" --proto caterina --part m32u4 --tty ttyACM0 --state "$_st" --stats "$_st.stats" \
        --lifetime 28 "$@"
}
# A sketch to start the timeout with: the first page of crkbd.
srec_cat "$HEX" -Intel -crop 0 0x80 -o "$WORK/sketch.hex" -Intel

# 1. -r: the application's port is touched, the bootloader's (another node) found by
# its identity, the image written and verified; then the bootloader exits ('E') and
# the application's port is back: a second -r finds the bootloader again.
st=$WORK/a.chip
seed "$st" "$WORK/sketch.hex"
tty "$st" --touch --boot-tty ttyACM1 -- sh -c "'$BIN' -c avr109 -r -P /dev/ttyACM0 -p m32u4 \
    -U 'flash:w:$HEX:i' && sleep 1.5 && '$BIN' -c avr109 -r -P /dev/ttyACM0 -p m32u4 -q \
    -U 'flash:v:$HEX:i'"
check "-r -P /dev/ttyACM0 writes and verifies crkbd, twice through the touch (rc $RC)" ok
check "names the port it found, with its identity" \
    err_has "-r: bootloader appeared on /dev/ttyACM1 (1b4f:9205 SparkFun Pro Micro 5V"
check "verified" err_has "flash verified"
state_flash "$st" "$WORK/got.bin"
check "chip = crkbd below 0x7000, Caterina above" cmp -s "$WORK/want.bin" "$WORK/got.bin"
check "two touches" [ "$(stat_of "$st" proto.touches)" = 2 ]
check "the bootloader exited twice ('E')" [ "$(stat_of "$st" proto.exits)" = 2 ]

# 3. Without -r inside the bootloader's window (the board was just reset: the port is
# Caterina's from the start, 8 s timeout, a sketch present).
st=$WORK/c.chip
seed "$st" "$WORK/sketch.hex"
tty "$st" --opt timeout=8000 -- "$BIN" -c avr109 -P /dev/ttyACM0 -p m32u4 -q -U "flash:w:$HEX:i"
check "without -r within the window (rc $RC)" ok
state_flash "$st" "$WORK/got.bin"
check "  ... chip = crkbd + Caterina" cmp -s "$WORK/want.bin" "$WORK/got.bin"

# 4. Without -r after the timeout (750 ms, a Leonardo-type window): the application
# runs, nothing answers: exit 4, saying the bootloader is not running and how to reset.
st=$WORK/d.chip
seed "$st" "$WORK/sketch.hex"
cp "$st" "$WORK/d.before"
tty "$st" --opt timeout=750 -- sh -c "sleep 1.5; exec '$BIN' -c avr109 -P /dev/ttyACM0 -p m32u4 \
    -U 'flash:w:$HEX:i'"
check "after the timeout: exit 4 (rc $RC)" failed_with 4
check "  ... the bootloader is not running" err_has "the bootloader is not running"
check "  ... how to reset" err_has "double-tap RESET"
check "  ... the emulator timed out" [ "$(stat_of "$st" proto.timeouts)" = 1 ]
check "  ... nothing written" cmp -s "$WORK/d.before" "$st"

# 5. -r where no bootloader appears (a board whose application ignores the touch):
# exit 4 within a bounded time, naming Caterina's windows.
t0=$(date +%s)
tty "$st" -- "$BIN" -c avr109 -r -P /dev/ttyACM0 -p m32u4 -U "flash:w:$HEX:i"
t1=$(date +%s)
check "-r, no bootloader appears: exit 4 (rc $RC)" failed_with 4
check "  ... within 20 s ($((t1 - t0)) s)" [ $((t1 - t0)) -le 20 ]
check "  ... names the 750 ms window" err_has "750 ms after a reset"
check "  ... and the 8 s after a double reset" err_has "8 s on a SparkFun Pro Micro after a double reset"

# 6. Ctrl-C during the wait: exit 8, soon.
t0=$(date +%s)
tty "$st" -- sh -c "'$BIN' -c avr109 -r -P /dev/ttyACM0 -p m32u4 -U 'flash:w:$HEX:i' & p=\$!; \
    sleep 1.5; kill -INT \$p; wait \$p"
t1=$(date +%s)
check "Ctrl-C in the -r wait: exit 8 (rc $RC)" failed_with 8
check "  ... within 6 s ($((t1 - t0)) s)" [ $((t1 - t0)) -le 6 ]
check "  ... says interrupted" err_has "interrupted"

# 7. -r needs a serial -P.
run "$BIN" -c avr109 -r -P net:127.0.0.1:1 -p m32u4 -U "flash:w:$HEX:i"
check "-r with net: is a usage error: exit 2 (rc $RC)" failed_with 2

# 8. avrdude 7.1 (it has no -r) writes the same firmware over the emulated tty, to
# the bootloader's port; the chip ends as ispflash -r left it (case 1, same seed).
st=$WORK/e.chip
seed "$st" "$WORK/sketch.hex"
tty "$st" -- avrdude -q -q -c avr109 -P /dev/ttyACM0 -p m32u4 -U "flash:w:$HEX:i"
check "avrdude -c avr109 over the emulated tty (rc $RC)" ok
state_flash "$st" "$WORK/got.bin"
check "  ... chip = crkbd + Caterina" cmp -s "$WORK/want.bin" "$WORK/got.bin"
state_flash "$WORK/a.chip" "$WORK/a.bin"
check "avrdude and ispflash -r leave the same flash" cmp -s "$WORK/a.bin" "$WORK/got.bin"
# ... and avrdude, after the touch done by stty (what avrdude 7.2's -r does), on the
# bootloader's port
st=$WORK/f.chip
seed "$st" "$WORK/sketch.hex"
tty "$st" --touch --boot-tty ttyACM1 -- sh -c "stty -F /dev/ttyACM0 1200 && sleep 1 && \
    exec avrdude -q -q -c avr109 -P /dev/ttyACM1 -p m32u4 -U 'flash:w:$HEX:i'"
check "avrdude on the port that appeared after a touch (rc $RC)" ok
state_flash "$st" "$WORK/got.bin"
check "  ... chip = crkbd + Caterina" cmp -s "$WORK/want.bin" "$WORK/got.bin"

finish
