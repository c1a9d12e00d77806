#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# -c avr109 / butterfly: ispflash through the Caterina emulator (ispf-emu --proto
# caterina) over net:, a chip with Caterina in its last 4 KiB; flash and EEPROM
# written, read and verified; the bootloader's section refused; a dead port.
# usage: e2e_emu.sh ISPFLASH ISPF-EMU DATA_DIR
BIN=$1
EMU=$2
DATA=$3
. "$(dirname "$0")/../stk500v1/lib.sh"
EMUPROTO=caterina
export EMUPROTO
PGM=avr109

HEX=$DATA/real/qmkbuild_crkbd_rev1_default.hex
CAT=$DATA/real/sparkfun_Caterina-promicro16.hex
st=$WORK/c.chip
# A Pro Micro as it ships: Caterina at 0x7000, the application empty.
run "$BIN" -c dryrun -x "state=$st" -p m32u4 -q -U "flash:w:$CAT:i"
check "seed chip with Caterina (rc $RC)" ok
srec_cat "$HEX" -Intel -crop 0 0x7000 "$CAT" -Intel -crop 0x7000 0x8000 -o "$WORK/want.hex" -Intel
srec_cat "$WORK/want.hex" -Intel -fill 0xFF 0 0x8000 -o "$WORK/want.bin" -Binary

ispf_emu "$st" m32u4 -v -U "flash:w:$HEX:i"
check "ispflash -c avr109 writes crkbd (rc $RC)" ok
check "the bootloader is named" err_has "AVR109 bootloader 'CATERIN', block size 128"
check "signature from 's' (reversed on the wire)" err_has "1e 95 87"
check "says the bootloader erases page by page" err_has "erases each flash page"
state_flash "$st" "$WORK/got.bin"
check "chip = crkbd below 0x7000, Caterina above" cmp -s "$WORK/want.bin" "$WORK/got.bin"

# one block write a page, and no address command a page: one per run (identify,
# backup of the boot section, write, verify), the counter advances by itself
check "one block write a page (B: $(stat_of "$st" proto.cmd_42))" [ "$(stat_of "$st" proto.cmd_42)" = 211 ]
check "no redundant address commands (A: $(stat_of "$st" proto.cmd_41))" [ "$(stat_of "$st" proto.cmd_41)" -le 4 ]
check "no unknown command" [ -z "$(stat_of "$st" proto.errors)" ]
check "left programming mode" [ "$(stat_of "$st" proto.left_progmode)" = 1 ]
check "exited the bootloader ('E')" [ "$(stat_of "$st" proto.exits)" = 1 ]

PGM=butterfly ispf_emu "$st" m32u4 -q -U "flash:r:$WORK/back.hex:i"
check "-c butterfly reads flash (rc $RC)" ok
srec_cat "$WORK/back.hex" -Intel -fill 0xFF 0 0x8000 -o "$WORK/back.bin" -Binary
check "read-back (bootloader bytes included) = chip" cmp -s "$WORK/want.bin" "$WORK/back.bin"
PGM=avr911 ispf_emu "$st" m32u4 -q -U "flash:v:$HEX:i"
check "-c avr911 verifies (rc $RC)" ok

# EEPROM: a 1 KiB pattern written, compared with srec_cat's image, read back.
srec_cat -generate 0 0x400 -repeat-string "ispflash avr109 eeprom " -o "$WORK/ee.hex" -Intel
srec_cat "$WORK/ee.hex" -Intel -o "$WORK/ee_want.bin" -Binary
ispf_emu "$st" m32u4 -q -U "eeprom:w:$WORK/ee.hex:i"
check "EEPROM written (rc $RC)" ok
state_eeprom "$st" "$WORK/ee_got.bin"
check "chip EEPROM = srec_cat's image" cmp -s "$WORK/ee_want.bin" "$WORK/ee_got.bin"
ispf_emu "$st" m32u4 -q -U "eeprom:r:$WORK/ee_back.hex:i"
check "EEPROM read (rc $RC)" ok
srec_cat "$WORK/ee_back.hex" -Intel -fill 0xFF 0 0x400 -o "$WORK/ee_back.bin" -Binary
check "EEPROM read-back = written" cmp -s "$WORK/ee_want.bin" "$WORK/ee_back.bin"
state_flash "$st" "$WORK/got.bin"
check "EEPROM runs left the flash alone" cmp -s "$WORK/want.bin" "$WORK/got.bin"

# Caterina's own section: refused (exit 7) before a byte is sent for it.
srec_cat -generate 0x7000 0x7100 -constant 0x12 -o "$WORK/boot.hex" -Intel
ispf_emu "$st" m32u4 -U "flash:w:$WORK/boot.hex:i"
check "write into the bootloader's section: exit 7 (rc $RC)" failed_with 7
check "names the bootloader's section" err_has "into 0x07000-0x07fff, which the bootloader (-c avr109) keeps for itself"
# An image that spans the application and Caterina's section: refused whole, so no page
# of the application part is written either.
srec_cat -generate 0x6F00 0x7100 -constant 0x34 -o "$WORK/span.hex" -Intel
cp "$st" "$WORK/before.chip"
ispf_emu "$st" m32u4 -U "flash:w:$WORK/span.hex:i"
check "an image spanning into the section: exit 7 (rc $RC)" failed_with 7
check "  ... and nothing of it written" cmp -s "$WORK/before.chip" "$st"
check "no block write was sent" [ -z "$(stat_of "$st" proto.cmd_42)" ]
state_flash "$st" "$WORK/got.bin"
check "the bootloader is intact" cmp -s "$WORK/want.bin" "$WORK/got.bin"

# Fuse writes need an ISP programmer (exit 2), nothing changes.
ispf_emu "$st" m32u4 -U hfuse:w:0xD8:m
check "fuse write refused: exit 2 (rc $RC)" failed_with 2

# A programmer that never answers: exit 4, in bounded time, naming the window.
t0=$(date +%s)
EMUOPTS=--silent ispf_emu "$st" m32u4 -U "flash:w:$HEX:i"
t1=$(date +%s)
check "silent bootloader: exit 4 (rc $RC)" failed_with 4
check "within 10 s ($((t1 - t0)) s)" [ $((t1 - t0)) -le 10 ]
check "says how to enter the bootloader" err_has "Caterina waits 8 s"

finish
