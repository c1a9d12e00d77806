#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The test ELF files built afresh with avr-gcc (tests/data/elf/make.sh into a temporary
# folder), and what ispflash reads from each compared with what avr-objcopy makes of
# the same file: flash (-j .text -j .data), EEPROM (-j .eeprom), fuse and lock bytes
# (-j .fuse / -j .lock -O binary). Registered only when avr-gcc and avr-objcopy exist.
# usage: elf_rebuilt.sh ISPFLASH ELF_DIR
BIN=$1
E=$2
HERE=$(dirname "$0")
. "$HERE/../cli/lib.sh"
F=$WORK/elf
sh "$E/make.sh" "$F" >"$WORK/make.log" 2>&1
check "make.sh builds the ELF files with avr-gcc" [ -s "$F/fw_m32u4.elf" ]

tobin() { srec_cat "$1" -Intel -fill 0xFF 0 "$3" -o "$2" -Binary; }
for e in fw_m32u4 app_m32u4 boot_m32u4 boot_usb1286; do
    run 0 "$BIN" merge -o "$WORK/$e.hex" "$F/$e.elf"
    check "$e.elf: its flash exported (got $RC)" [ "$RC" = 0 ]
    tobin "$F/$e.flash.hex" "$WORK/$e.want" 0x20000
    tobin "$WORK/$e.hex" "$WORK/$e.got" 0x20000
    check "$e.elf: flash equals avr-objcopy -j .text -j .data" cmp -s "$WORK/$e.want" "$WORK/$e.got"
done

st=$WORK/chip
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "eeprom:w:$F/fw_m32u4.elf" \
    -U "lfuse:w:$F/fw_m32u4.elf" -U "hfuse:w:$F/fw_m32u4.elf" -U "lock:w:$F/fw_m32u4.elf"
check "fresh fw_m32u4.elf: eeprom, fuses, lock written (got $RC)" [ "$RC" = 0 ]
# The lock (0xFC) hides the EEPROM from reads: compare it before, on a second chip.
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$WORK/chip2" -U "eeprom:w:$F/fw_m32u4.elf" \
    -U "eeprom:r:$WORK/ee.bin:r"
srec_cat "$WORK/ee.bin" -Binary -fill 0xFF 0 1024 -o "$WORK/ee.got" -Binary
tobin "$F/fw_m32u4.eeprom.hex" "$WORK/ee.want" 1024
check "EEPROM equals avr-objcopy -j .eeprom" cmp -s "$WORK/ee.want" "$WORK/ee.got"
avr-objcopy -O binary -j .fuse "$F/fw_m32u4.elf" "$WORK/fuse.bin"
avr-objcopy -O binary -j .lock "$F/fw_m32u4.elf" "$WORK/lock.bin"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "lfuse:r:$WORK/l.bin:r" \
    -U "hfuse:r:$WORK/h.bin:r" -U "lock:r:$WORK/k.bin:r"
check "lfuse equals .fuse byte 0" [ "$(od -An -tx1 -N1 "$WORK/fuse.bin")" = "$(od -An -tx1 "$WORK/l.bin")" ]
check "hfuse equals .fuse byte 1" [ "$(od -An -tx1 -j1 -N1 "$WORK/fuse.bin")" = "$(od -An -tx1 "$WORK/h.bin")" ]
check "lock equals .lock" cmp -s "$WORK/lock.bin" "$WORK/k.bin"
finish
