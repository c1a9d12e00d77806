#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ispflash through the real libserialport open path: ispf-emu --tty creates an
# emulated USB CDC /dev/ttyACM0 with umockdev (sysfs with USB VID:PID, a pty as
# the device node, a shim for the modem-line ioctls) and runs ispflash on it.
# usage: e2e_tty.sh ISPFLASH ISPF-EMU DATA_DIR
BIN=$1
EMU=$2
DATA=$3
. "$(dirname "$0")/lib.sh"

HEX=$DATA/real/sparkfun_Caterina-promicro16.hex
srec_cat "$HEX" -Intel -fill 0xFF 0 32768 -o "$WORK/want.bin" -Binary

# tty STATE [EMU OPTIONS...] -- ISPFLASH ARGS...
tty() {
    tst=$1
    shift
    topts=
    while [ "$1" != -- ]; do topts="$topts $1"; shift; done
    shift
    # shellcheck disable=SC2086
    run "$EMU" --proto arduinoisp --part m32u4 --tty ttyACM0 --state "$tst" --stats "$tst.stats" \
        --lifetime 60 $topts -- "$BIN" -P /dev/ttyACM0 -p m32u4 "$@"
}

tty "$WORK/a.chip" -- -c avrisp -v -U "$HEX"
check "write over the emulated /dev/ttyACM0 exits 0 (rc $RC)" ok
check "libserialport saw the USB identity" err_has "USB 1b4f:9206"
state_flash "$WORK/a.chip" "$WORK/got.bin"
check "chip holds the image" cmp -s "$WORK/want.bin" "$WORK/got.bin"
check "no NOSYNC/UNKNOWN at the programmer" [ -z "$(stat_of "$WORK/a.chip" proto.errors)" ]

tty "$WORK/a.chip" -- -c avrisp -q -U "flash:r:$WORK/back.hex:i"
check "read over the tty exits 0" ok
srec_cat "$WORK/back.hex" -Intel -fill 0xFF 0 32768 -o "$WORK/back.bin" -Binary
check "read-back matches" cmp -s "$WORK/want.bin" "$WORK/back.bin"

# ArduinoISP at 19200 and the user's -c stk500v1 without -b (115200): the rates are
# tried and the one that answered is named.
rm -f "$WORK/b.chip"
tty "$WORK/b.chip" --opt baud=19200 -- -c stk500v1 -v -U "$HEX"
check "baud search: exits 0 (rc $RC)" ok
check "baud search: names the rate that answered" err_has "answered at 19200 baud"
check "baud search: ArduinoISP detected" err_has "ArduinoISP detected"
state_flash "$WORK/b.chip" "$WORK/got.bin"
check "baud search: chip holds the image" cmp -s "$WORK/want.bin" "$WORK/got.bin"

# With -b, only that rate is tried, and the message says what to check.
tty "$WORK/c.chip" --opt baud=19200 -- -c avrisp -b 115200 -U "$HEX"
check "wrong -b: exit 4, no hang (rc $RC)" failed_with 4
check "wrong -b: message names the rate and what to check" \
    grep -Eq "no answer.*115200 baud.*baud rate" "$WORK/err"

# A 32U4 programmer (Arduino CDC) sends nothing while DTR is low: ispflash must
# assert DTR/RTS itself (the shim starts with both lines low here).
rm -f "$WORK/e.chip"
ISPF_TTYSHIM_LINES_LOW=1 tty "$WORK/e.chip" --opt cdc=1 -- -c avrisp -q -U "$HEX"
check "CDC programmer with lines initially low: exits 0 (rc $RC)" ok
state_flash "$WORK/e.chip" "$WORK/got.bin"
check "CDC programmer: chip holds the image" cmp -s "$WORK/want.bin" "$WORK/got.bin"
# control: a client that leaves DTR low gets no answer from that programmer
ISPF_TTYSHIM_LINES_LOW=1 run "$EMU" --proto arduinoisp --part m32u4 --tty ttyACM0 --lifetime 60 \
    --opt cdc=1 -- sh -c 'exec 3<>/dev/ttyACM0; printf "0 " >&3; timeout 1 head -c 2 <&3 | od -An -tx1'
check "control: DTR low, no answer" [ -z "$(tr -d ' \n' <"$WORK/out")" ]
ISPF_TTYSHIM_LINES_LOW=0 run "$EMU" --proto arduinoisp --part m32u4 --tty ttyACM0 --lifetime 60 \
    --opt cdc=1 -- sh -c 'exec 3<>/dev/ttyACM0; printf "0 " >&3; timeout 1 head -c 2 <&3 | od -An -tx1'
check "control: DTR high, 14 10" [ "$(tr -d ' \n' <"$WORK/out")" = 1410 ]

# Faults on the tty path
tty "$WORK/d.chip" --drop-reply 25 -- -c avrisp -U "$HEX"
check "tty dropped reply: exit 4, no hang (rc $RC)" failed_with 4
check "tty dropped reply: says so" err_has "no complete reply"
tty "$WORK/d.chip" --unwired -- -c avrisp -U "$HEX"
check "tty no target: exit 5 (rc $RC)" failed_with 5
check "tty no target: says so" err_has "00 00 00"

finish
