#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ELF input through -U on the dryrun chip: each memory read back and compared with
# what avr-objcopy made of the same file (the .hex files next to the ELF files, see
# tests/data/elf/README.md); the errors (non-AVR, truncated, missing section).
# usage: elf_e2e.sh ISPFLASH ELF_DIR
BIN=$1
E=$2
HERE=$(dirname "$0")
. "$HERE/../cli/lib.sh"
FW=$E/fw_m32u4.elf
APP=$E/app_m32u4.elf

tobin() { srec_cat "$1" -Intel -fill 0xFF 0 "$3" -o "$2" -Binary; }
rawbin() { srec_cat "$1" -Binary -fill 0xFF 0 "$3" -o "$2" -Binary; }

# Flash (auto-detected): .text + .data's load image, and a note about the rest, which
# is NOT written.
st="$WORK/chip"
run 0 "$BIN" -c dryrun -p m32u4 -x "state=$st" -U "flash:w:$FW"
check "-U flash:w:fw.elf exits 0 (got $RC)" [ "$RC" = 0 ]
check "the note names .eeprom, .fuse and .lock with their values" \
    err_has "fw_m32u4.elf also holds .eeprom (8 bytes), .fuse (lfuse 0xFF hfuse 0xD8 efuse 0xCB), .lock (0xFC)"
check "the note gives the -U that writes them" err_has "-U lfuse:w:$FW -U hfuse:w:$FW -U efuse:w:$FW -U lock:w:$FW writes them"
check "flash verified" err_has "flash verified"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "flash:r:$WORK/f.bin:r" \
    -U "eeprom:r:$WORK/ee.bin:r" -U "hfuse:r:$WORK/h.txt:h" -U "lock:r:$WORK/lk.txt:h"
tobin "$E/fw_m32u4.flash.hex" "$WORK/fwant.bin" 0x8000
rawbin "$WORK/f.bin" "$WORK/fgot.bin" 0x8000
check "flash holds avr-objcopy -j .text -j .data" cmp -s "$WORK/fwant.bin" "$WORK/fgot.bin"
check "EEPROM was not written by -U flash" [ "$(tr -d '\377' <"$WORK/ee.bin" | wc -c)" = 0 ]
check "hfuse was not written by -U flash (factory 0x99)" grep -qx 0x99 "$WORK/h.txt"
check "lock was not written by -U flash" grep -qx 0xff "$WORK/lk.txt"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "flash:v:$FW:e"
check "-U flash:v:fw.elf:e verifies (got $RC)" [ "$RC" = 0 ]
run 6 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "flash:v:$APP"
check "another ELF does not verify (exit 6, got $RC)" [ "$RC" = 6 ]

# EEPROM, fuses and lock from the same file, read back (the lock last: LB=0xFC makes
# flash and EEPROM unreadable).
run 0 "$BIN" -c dryrun -p m32u4 -x "state=$st" -U "eeprom:w:$FW:e" -U "lfuse:w:$FW" \
    -U "hfuse:w:$FW" -U "efuse:w:$FW:e"
check "eeprom and fuses from fw.elf exit 0 (got $RC)" [ "$RC" = 0 ]
check "no note for -U eeprom" sh -c "! grep -q 'also holds' '$WORK/err'"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "eeprom:r:$WORK/ee.bin:r" \
    -U "lfuse:r:$WORK/l.txt:h" -U "hfuse:r:$WORK/h.txt:h" -U "efuse:r:$WORK/e.txt:h"
tobin "$E/fw_m32u4.eeprom.hex" "$WORK/eewant.bin" 1024
rawbin "$WORK/ee.bin" "$WORK/eegot.bin" 1024
check "EEPROM holds avr-objcopy -j .eeprom" cmp -s "$WORK/eewant.bin" "$WORK/eegot.bin"
check "lfuse = FUSES.low 0xFF" grep -qx 0xff "$WORK/l.txt"
check "hfuse = FUSES.high 0xD8" grep -qx 0xd8 "$WORK/h.txt"
# The ATmega32U4's efuse has 4 bits (HWBE, BODLEVEL): 0xCB reads back as 0xFB.
check "efuse = FUSES.extended 0xCB (existing bits: 0xFB)" grep -qx 0xfb "$WORK/e.txt"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "eeprom:v:$FW" -U "efuse:v:$FW"
check "eeprom and efuse verify against fw.elf (got $RC)" [ "$RC" = 0 ]
run 0 "$BIN" -c dryrun -p m32u4 -x "state=$st" -U "lock:w:$FW"
check "lock from fw.elf exits 0 (got $RC)" [ "$RC" = 0 ]
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "lock:r:$WORK/lk.txt:h" -U "lock:v:$FW"
check "lock = LOCKBITS 0xFC, and verifies (got $RC)" grep -qx 0xfc "$WORK/lk.txt"

# Fuses from an ELF go through the same guards: SPIEN off is refused (exit 7).
run 7 "$BIN" -c dryrun -p m32u4 -x "state=$WORK/chip4" -U "hfuse:w:$E/nospien_m32u4.elf"
check "an ELF's .fuse with SPIEN off is refused (exit 7, got $RC)" [ "$RC" = 7 ]
check "the refusal names SPIEN" err_has "unprograms SPIEN"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$WORK/chip4" -U "hfuse:r:$WORK/h4.txt:h"
check "the refused hfuse was not written" grep -qx 0x99 "$WORK/h4.txt"

# A flash-only ELF: no note; a memory it does not hold is an input error naming it.
st2="$WORK/chip2"
run 0 "$BIN" -c dryrun -p m32u4 -x "state=$st2" -U "$APP"
check "-U app.elf (flash only) exits 0 (got $RC)" [ "$RC" = 0 ]
check "no note for an ELF with flash only" sh -c "! grep -q 'also holds' '$WORK/err'"
cp "$st2" "$WORK/chip2.before"
for mem in eeprom lfuse lock; do
    run 3 "$BIN" -c dryrun -p m32u4 -x "state=$st2" -U "$mem:w:$APP"
    check "-U $mem:w:app.elf exits 3 (got $RC)" [ "$RC" = 3 ]
done
run 3 "$BIN" -c dryrun -p m32u4 -x "state=$st2" -U "eeprom:w:$APP"
check "the message: app_m32u4.elf has no .eeprom section" err_has "app_m32u4.elf has no .eeprom section"
run 3 "$BIN" -c dryrun -p m32u4 -x "state=$st2" -U "lfuse:w:$APP"
check "the message: no .fuse section" err_has "app_m32u4.elf has no .fuse section"

# Not an AVR ELF (the ispflash binary itself), truncated, and :e on a HEX file.
run 3 "$BIN" -c dryrun -p m32u4 -x "state=$st2" -U "flash:w:$BIN"
check "a host ELF exits 3 (got $RC)" [ "$RC" = 3 ]
check "it names the file and its machine" err_has "$BIN is an ELF file for .* (machine [0-9]*), not for the AVR"
head -c 4000 "$FW" >"$WORK/cut.elf"
run 3 "$BIN" -c dryrun -p m32u4 -x "state=$st2" -U "flash:w:$WORK/cut.elf"
check "a truncated ELF exits 3 (got $RC)" [ "$RC" = 3 ]
check "it names the file: truncated" err_has "cut.elf: truncated ELF file"
head -c 40 "$FW" >"$WORK/cut40.elf"
run 3 "$BIN" -c dryrun -p m32u4 -x "state=$st2" -U "flash:w:$WORK/cut40.elf:e"
check "an ELF cut inside its header exits 3 (got $RC)" [ "$RC" = 3 ]
check "it names the file" err_has "cut40.elf"
run 3 "$BIN" -c dryrun -p m32u4 -x "state=$st2" -U "flash:w:$E/fw_m32u4.flash.hex:e"
check ":e on a HEX file exits 3 (got $RC)" [ "$RC" = 3 ]
check "it says it is not an ELF file" err_has "fw_m32u4.flash.hex: not an ELF file"
check "none of the failed runs changed the chip" cmp -s "$st2" "$WORK/chip2.before"

# Built for another part: a warning naming both signatures.
run 0 "$BIN" -q -c dryrun -p m16u4 -x "state=$WORK/chip3" -U "flash:w:$FW"
check "fw.elf on an ATmega16U4 writes (got $RC)" [ "$RC" = 0 ]
check "a .signature of another part warns" err_has "its .signature is 1e 95 87, the ATmega16U4's is 1e 94 88"
run 6 "$BIN" -q -c dryrun -p m16u4 -x "state=$WORK/chip3" -U "signature:v:$FW"
check "signature:v:fw.elf on an ATmega16U4 fails to verify (exit 6, got $RC)" [ "$RC" = 6 ]
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$WORK/chip5" -U "signature:v:$FW"
check "signature:v:fw.elf on an ATmega32U4 verifies (got $RC)" [ "$RC" = 0 ]
run 2 "$BIN" -c dryrun -p m32u4 -U "flash:r:$WORK/out.elf:e"
check "reading into an ELF file is a usage error (got $RC)" [ "$RC" = 2 ]

finish
