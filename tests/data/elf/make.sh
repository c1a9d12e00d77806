#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the test ELF files of this folder with avr-gcc (Debian 12: gcc-avr 5.4.0,
# avr-libc 2.0.0, binutils-avr 2.26) and writes, next to each, what avr-objcopy makes
# of it (the reference the tests compare ispflash with).
# usage: make.sh [OUTDIR]   (default: this folder)
set -eu
src=$(cd "$(dirname "$0")" && pwd)
out=${1:-$src}
mkdir -p "$out"
cc() { avr-gcc -Os -g -mmcu="$1" -o "$out/$2" "$src/$3"; }

cc atmega32u4 fw_m32u4.elf fw.c
cc atmega32u4 app_m32u4.elf app.c
# The same with SPIEN unprogrammed in the high fuse (0xF8): writing it would end ISP.
avr-gcc -Os -mmcu=atmega32u4 -DFUSE_HIGH=0xF8 -o "$out/nospien_m32u4.elf" "$src/fw.c"
avr-gcc -Os -mmcu=atmega32u4 -nostartfiles -Wl,--section-start=.text=0x7000 \
    -o "$out/boot_m32u4.elf" "$src/boot.c"
avr-gcc -Os -mmcu=at90usb1286 -nostartfiles -Wl,--section-start=.text=0x1F000 \
    -o "$out/boot_usb1286.elf" "$src/boot.c"

for e in fw_m32u4 app_m32u4 boot_m32u4 boot_usb1286; do
    avr-objcopy -O ihex -j .text -j .data "$out/$e.elf" "$out/$e.flash.hex"
done
avr-objcopy -O ihex -j .eeprom --change-section-lma .eeprom=0 "$out/fw_m32u4.elf" \
    "$out/fw_m32u4.eeprom.hex"
