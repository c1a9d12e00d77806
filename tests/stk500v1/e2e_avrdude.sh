#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# avrdude 7.1 (Debian) and ispflash drive the same ArduinoISP emulator and must
# leave the same chip: this checks the emulator against the reference client, and
# ispflash against both. EEPROM is the exception: avrdude 7.1 sends byte
# addresses to ArduinoISP (its issue #1337), so its EEPROM lands at twice the
# address; the emulator must reproduce that, and ispflash must not.
# usage: e2e_avrdude.sh ISPFLASH ISPF-EMU DATA_DIR
BIN=$1
EMU=$2
DATA=$3
. "$(dirname "$0")/lib.sh"

if ! command -v avrdude >/dev/null; then
    echo "avrdude is required (Debian package avrdude)" >&2
    exit 1
fi

srec_cat -generate 0 0x7000 -random -o "$WORK/rand.hex" -intel

# same_chip NAME PART ARGS...: the same -U list through both tools on fresh chips
same_chip() {
    name=$1
    part=$2
    shift 2
    rm -f "$WORK/$name.a.chip" "$WORK/$name.i.chip"
    avrdude_emu "$WORK/$name.a.chip" "$part" "$@"
    check "$name: avrdude exits 0 (got $RC)" ok
    # (--unsafe-fuses: the emulated chip needs no crystal; the guard is tested elsewhere)
    ispf_emu "$WORK/$name.i.chip" "$part" -q --unsafe-fuses "$@"
    check "$name: ispflash exits 0 (got $RC)" ok
    state_flash "$WORK/$name.a.chip" "$WORK/a.bin"
    state_flash "$WORK/$name.i.chip" "$WORK/i.bin"
    check "$name: same flash" cmp -s "$WORK/a.bin" "$WORK/i.bin"
    state_eeprom "$WORK/$name.a.chip" "$WORK/a.bin"
    state_eeprom "$WORK/$name.i.chip" "$WORK/i.bin"
    check "$name: same EEPROM" cmp -s "$WORK/a.bin" "$WORK/i.bin"
    # Fuses as the chip reads them (bits that do not exist read as 1; avrdude
    # writes them as 0 on some parts, ispflash as 1).
    for w in a i; do
        ispf_emu "$WORK/$name.$w.chip" "$part" -q -U "lfuse:r:$WORK/$w.l:r" -U "hfuse:r:$WORK/$w.h:r" \
            -U "efuse:r:$WORK/$w.e:r" -U "lock:r:$WORK/$w.k:r"
        cat "$WORK/$w.l" "$WORK/$w.h" "$WORK/$w.e" "$WORK/$w.k" >"$WORK/$w.fuses"
    done
    check "$name: same fuses and lock bits" cmp -s "$WORK/a.fuses" "$WORK/i.fuses"
    check "$name: 4 fuse bytes read" [ "$(wc -c <"$WORK/i.fuses")" = 4 ]
}

same_chip caterina m32u4 -U "flash:w:$DATA/real/sparkfun_Caterina-promicro16.hex:i"
same_chip leonardo m32u4 -U "flash:w:$DATA/real/arduino_Caterina-Leonardo.hex:i"
same_chip random28k m32u4 -U "flash:w:$WORK/rand.hex:i"
same_chip qmkdfu1286 usb1286 -U "flash:w:$DATA/real/qmk_bootloader_at90usb128x_1_0_1.hex:i"
same_chip optiboot m328p -U "flash:w:$DATA/real/arduino_optiboot_atmega328.hex:i"
same_chip fuses m32u4 -U lfuse:w:0x5E:m -U hfuse:w:0x99:m -U efuse:w:0xF3:m
same_chip fuses328 m328p -U lfuse:w:0xD7:m -U hfuse:w:0xD0:m -U efuse:w:0xFC:m
same_chip caterina+fuses m32u4 -U "flash:w:$DATA/real/sparkfun_Caterina-promicro8.hex:i" \
    -U lfuse:w:0xFF:m -U hfuse:w:0xD8:m -U efuse:w:0xFE:m

# Above 128 KiB: the extended address (4D) through UNIVERSAL, blocks that do not
# cross a 128 KiB boundary.
srec_cat -generate 0x1F000 0x21000 -random -generate 0x3FF00 0x40000 -constant 0x42 \
    -generate 0 0x100 -random -o "$WORK/big.hex" -intel
same_chip m2560 m2560 -U "flash:w:$WORK/big.hex:i"
ispf_emu "$WORK/m2560.a.chip" m2560 -q -U "flash:r:$WORK/bigback.hex:i"
check "m2560: ispflash reads back what avrdude wrote (rc $RC)" ok
srec_cat "$WORK/big.hex" -Intel -fill 0xFF 0 0x40000 -o "$WORK/a.bin" -Binary
srec_cat "$WORK/bigback.hex" -Intel -fill 0xFF 0 0x40000 -o "$WORK/i.bin" -Binary
check "m2560: all 256 KiB read back" cmp -s "$WORK/a.bin" "$WORK/i.bin"

# Each reads back what the other wrote.
st="$WORK/x.chip"
rm -f "$st"
avrdude_emu "$st" m32u4 -U "flash:w:$WORK/rand.hex:i"
ispf_emu "$st" m32u4 -q -U "flash:v:$WORK/rand.hex:i"
check "ispflash verifies what avrdude wrote" ok
ispf_emu "$st" m32u4 -q -U "$DATA/real/qmk_bootloader_atmega32u4_1_0_0.hex"
avrdude_emu "$st" m32u4 -U "flash:v:$DATA/real/qmk_bootloader_atmega32u4_1_0_0.hex:i"
check "avrdude verifies what ispflash wrote" ok
avrdude_emu "$st" m32u4 -U "flash:r:$WORK/a.hex:i"
ispf_emu "$st" m32u4 -q -U "flash:r:$WORK/i.hex:i"
srec_cat "$WORK/a.hex" -Intel -fill 0xFF 0 32768 -o "$WORK/a.bin" -Binary
srec_cat "$WORK/i.hex" -Intel -fill 0xFF 0 32768 -o "$WORK/i.bin" -Binary
check "both read the same flash" cmp -s "$WORK/a.bin" "$WORK/i.bin"

# EEPROM: avrdude 7.1's known bug is reproduced by the emulator; ispflash is right.
printf '\240\241\242\243\244\245\246\247' >"$WORK/e.bin"
srec_cat "$WORK/e.bin" -binary -offset 0x10 -o "$WORK/eep.hex" -intel
srec_cat "$WORK/eep.hex" -Intel -fill 0xFF 0 1024 -o "$WORK/want.bin" -Binary
rm -f "$WORK/ea.chip" "$WORK/ei.chip"
avrdude_emu "$WORK/ea.chip" m32u4 -U "eeprom:w:$WORK/eep.hex:i"
state_eeprom "$WORK/ea.chip" "$WORK/ea.bin"
check "avrdude 7.1 EEPROM lands at twice the address (bug #1337, as on real ArduinoISP)" \
    [ "$(od -An -tx1 -j 32 -N 4 "$WORK/ea.bin" | tr -d ' \n')" = a0a1a2a3 ]
ispf_emu "$WORK/ei.chip" m32u4 -q -U "eeprom:w:$WORK/eep.hex:i"
state_eeprom "$WORK/ei.chip" "$WORK/ei.bin"
check "ispflash EEPROM lands at 0x10" cmp -s "$WORK/want.bin" "$WORK/ei.bin"

finish
