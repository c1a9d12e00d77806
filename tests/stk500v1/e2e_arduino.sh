#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# -c arduino: an Arduino (Optiboot-class) bootloader programming its own chip,
# against the Optiboot emulator (ispf-emu --proto optiboot) over net:, with
# avrdude 7.1 -c arduino as the reference client.
# usage: e2e_arduino.sh ISPFLASH ISPF-EMU DATA_DIR
BIN=$1
EMU=$2
DATA=$3
. "$(dirname "$0")/lib.sh"

HEX=$DATA/real/qmk_pro_mico_ISP_B6.hex
srec_cat "$HEX" -Intel -fill 0xFF 0 32768 -o "$WORK/want.bin" -Binary
st=$WORK/a.chip
EMUPROTO=optiboot
export EMUPROTO

# avrdude writes through the emulated bootloader: the emulator is right when the
# chip then holds the file.
emu_start "$st" m328p
run avrdude -q -q -c arduino -P "net:127.0.0.1:$PORT" -p m328p -U "flash:w:$HEX:i"
emu_done
check "avrdude -c arduino writes (rc $RC)" ok
state_flash "$st" "$WORK/got.bin"
check "the chip holds what avrdude wrote" cmp -s "$WORK/want.bin" "$WORK/got.bin"

PGM=arduino ispf_emu "$st" m328p -v
check "ispflash -c arduino connects (rc $RC)" ok
check "bootloader recognised" err_has "Arduino bootloader"
check "signature through READ_SIGN" err_has "1e 95 0f"
check "the bootloader saw no malformed command" [ -z "$(stat_of "$st" proto.errors)" ]

PGM=arduino ispf_emu "$st" m328p -q -U "flash:r:$WORK/back.hex:i"
check "flash read through the bootloader (rc $RC)" ok
srec_cat "$WORK/back.hex" -Intel -fill 0xFF 0 32768 -o "$WORK/back.bin" -Binary
check "read-back matches" cmp -s "$WORK/want.bin" "$WORK/back.bin"
PGM=arduino ispf_emu "$st" m328p -q -U "flash:v:$HEX:i"
check "verify through the bootloader (rc $RC)" ok

# ispflash writes through the bootloader too: no chip erase (it has none), every page of
# the image rewritten whole. A different image first, then the test file over it: the
# chip must hold exactly the file afterwards (0xFF pages included).
srec_cat "$DATA/real/arduino_optiboot_atmega328.hex" -Intel -crop 0x7E00 0x7FFF -offset -0x7E00 -o "$WORK/other.hex" -Intel
PGM=arduino ispf_emu "$st" m328p -U "$WORK/other.hex"
check "ispflash -c arduino writes flash (rc $RC)" ok
check "says the bootloader erases page by page" err_has "erases each flash page"
PGM=arduino ispf_emu "$st" m328p -q -U "flash:w:$HEX:i"
check "ispflash -c arduino rewrites flash (rc $RC)" ok
state_flash "$st" "$WORK/got.bin"
check "the chip holds what ispflash wrote" cmp -s "$WORK/want.bin" "$WORK/got.bin"

# What a bootloader cannot do is refused with a reason, and nothing is sent for it.
PGM=arduino ispf_emu "$st" m328p -U hfuse:w:0xDE:m
check "fuse write refused: exit 2 (rc $RC)" failed_with 2
check "fuse refusal says a bootloader cannot" err_has "need an ISP programmer"
PGM=arduino ispf_emu "$st" m328p -U "eeprom:r:$WORK/e.hex:i"
check "EEPROM read refused: exit 2 (rc $RC)" failed_with 2
check "EEPROM refusal names the reason" err_has "bootloader"
state_flash "$st" "$WORK/got.bin"
check "refusals left the flash alone" cmp -s "$WORK/want.bin" "$WORK/got.bin"

finish
