#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# -c avr109 on an emulated USB CDC /dev/ttyACM0 (ispf-emu --tty, umockdev): the
# Caterina emulator behind a serial port instead of net:, crkbd written and verified.
# usage: e2e_tty.sh ISPFLASH ISPF-EMU DATA_DIR
BIN=$1
EMU=$2
DATA=$3
. "$(dirname "$0")/../stk500v1/lib.sh"

HEX=$DATA/real/qmkbuild_crkbd_rev1_default.hex
CAT=$DATA/real/sparkfun_Caterina-promicro16.hex
srec_cat "$HEX" -Intel -crop 0 0x7000 "$CAT" -Intel -crop 0x7000 0x8000 -o "$WORK/want.hex" -Intel
srec_cat "$WORK/want.hex" -Intel -fill 0xFF 0 0x8000 -o "$WORK/want.bin" -Binary
st=$WORK/c.chip
run "$BIN" -c dryrun -x "state=$st" -p m32u4 -q -U "flash:w:$CAT:i"
check "seed chip with Caterina (rc $RC)" ok

run "$EMU" --proto caterina --part m32u4 --tty ttyACM0 --state "$st" --stats "$st.stats" \
    --lifetime 25 -- "$BIN" -c avr109 -P /dev/ttyACM0 -p m32u4 -v -U "flash:w:$HEX:i"
check "ispflash -c avr109 -P /dev/ttyACM0 writes crkbd (rc $RC)" ok
check "Caterina answered on the tty" err_has "AVR109 bootloader 'CATERIN'"
state_flash "$st" "$WORK/got.bin"
check "chip = crkbd below 0x7000, Caterina above" cmp -s "$WORK/want.bin" "$WORK/got.bin"
check "exited the bootloader ('E')" [ "$(stat_of "$st" proto.exits)" = 1 ]

finish
