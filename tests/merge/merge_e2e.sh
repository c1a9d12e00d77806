#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ispflash merge end to end. What a merge must hold comes from srec_cat (srecord)
# merging the same inputs; the chip's content is read back from dryrun.
# usage: merge_e2e.sh ISPFLASH DATA_DIR
BIN=$1
DATA=$2
HERE=$(dirname "$0")
. "$HERE/../cli/lib.sh"
R=$DATA/real
E=$DATA/elf
CRKBD=$R/qmkbuild_crkbd_rev1_default.hex
DFU=$R/qmk_bootloader_atmega32u4_1_0_0.hex

# tobin HEX OUT [SIZE]: the bytes of an Intel HEX file, holes 0xFF, 0..SIZE (32 KiB).
tobin() { srec_cat "$1" -Intel -fill 0xFF 0 "${3:-0x8000}" -o "$2" -Binary; }
same_bin() { cmp -s "$1" "$2"; }

# 1. The seed's production image: QMK crkbd firmware + ATmega32U4 DFU bootloader.
run 0 "$BIN" merge -o "$WORK/m.hex" -p atmega32u4 --bootloader atmel-dfu "$CRKBD" "$DFU"
check "crkbd + DFU merge exits 0 (got $RC)" [ "$RC" = 0 ]
check "merge names the boot section" err_has "boot section of the ATmega32U4: 0x07000-0x07fff"
check "no warning about a missing bootloader" sh -c "! grep -q 'holds no bootloader' '$WORK/err'"
srec_cat "$CRKBD" -Intel "$DFU" -Intel -o "$WORK/want.hex" -Intel
tobin "$WORK/want.hex" "$WORK/want.bin"
tobin "$WORK/m.hex" "$WORK/got.bin"
check "merged image equals srec_cat's merge" same_bin "$WORK/want.bin" "$WORK/got.bin"
check "merged file is clean Intel HEX (one EOF, last; 16-byte records)" \
    python3 "$HERE/hexcheck.py" "$WORK/m.hex" 16
check "exactly one EOF record" [ "$(grep -c '^:00000001FF' "$WORK/m.hex")" = 1 ]
check "the EOF record is the last line" [ "$(tail -n 1 "$WORK/m.hex")" = ":00000001FF" ]
check "holes stay holes (byte count of both inputs)" \
    [ "$(srec_info "$WORK/m.hex" -Intel | grep -c -- '-')" -ge 2 ]
run 0 "$BIN" merge -o "$WORK/m2.hex" "$DFU" "$CRKBD"
check "input order does not change the output" cmp -s "$WORK/m.hex" "$WORK/m2.hex"
run 0 "$BIN" merge -o - -p m32u4 "$CRKBD" "$DFU"
check "-o - writes the same to standard output" cmp -s "$WORK/m.hex" "$WORK/out"

# ... written, fuses set and verified in one run on a chip that had Caterina's fuses.
st="$WORK/chip"
run 0 "$BIN" -q -c dryrun -p atmega32u4 -x "state=$st" -U lfuse:w:0xFF:m -U hfuse:w:0xD8:m \
    -U efuse:w:0xCB:m
check "chip prepared with Caterina fuses (got $RC)" [ "$RC" = 0 ]
run 0 "$BIN" -c dryrun -p atmega32u4 -x "state=$st" -U "flash:w:$WORK/m.hex" --bootloader atmel-dfu
check "merged image + --bootloader atmel-dfu exits 0 (got $RC)" [ "$RC" = 0 ]
check "flash verified in that run" err_has "flash verified (30918 bytes)"
check "hfuse verified in that run" err_has "hfuse verified"
check "no 'holds no bootloader' warning for the merged image" \
    sh -c "! grep -qi 'no bootloader' '$WORK/err'"
run 0 "$BIN" -q -c dryrun -p atmega32u4 -x "state=$st" -U "flash:r:$WORK/back.bin:r" \
    -U "lfuse:r:$WORK/l.txt:h" -U "hfuse:r:$WORK/h.txt:h" -U "efuse:r:$WORK/e.txt:h"
srec_cat "$WORK/back.bin" -Binary -fill 0xFF 0 0x8000 -o "$WORK/back32.bin" -Binary
check "the chip holds srec_cat's merge" same_bin "$WORK/want.bin" "$WORK/back32.bin"
check "lfuse is atmel-dfu's 0x5e" grep -qx 0x5e "$WORK/l.txt"
check "hfuse is atmel-dfu's 0x99" grep -qx 0x99 "$WORK/h.txt"
check "efuse is atmel-dfu's 0xf3" grep -qx 0xf3 "$WORK/e.txt"

# 2. Raw binary at an offset: srec_cat app.bin -Binary boot.bin -Binary -offset 0x7000.
srec_cat "$CRKBD" -Intel -o "$WORK/app.bin" -Binary
srec_cat "$DFU" -Intel -offset -0x7000 -o "$WORK/boot.bin" -Binary
run 0 "$BIN" merge -o "$WORK/raw.hex" -p m32u4 --boot-size 4096 "$WORK/app.bin@0x0" \
    "$WORK/boot.bin@0x7000"
check "raw binaries at offsets exit 0 (got $RC)" [ "$RC" = 0 ]
srec_cat "$WORK/app.bin" -Binary "$WORK/boot.bin" -Binary -offset 0x7000 -o "$WORK/rawwant.hex" -Intel
tobin "$WORK/rawwant.hex" "$WORK/rawwant.bin"
tobin "$WORK/raw.hex" "$WORK/rawgot.bin"
check "raw@offset merge equals srec_cat's" same_bin "$WORK/rawwant.bin" "$WORK/rawgot.bin"
printf 'ABCD' >"$WORK/a.bin"
run 0 "$BIN" merge -o "$WORK/r16.hex" "$WORK/a.bin@16"
check "a.bin@16 is one record at 0x0010" grep -qx ':0400100041424344E2' "$WORK/r16.hex"
run 0 "$BIN" merge -o "$WORK/r0.hex" "$WORK/a.bin"
check "a raw binary without @ starts at 0" grep -qx ':0400000041424344F2' "$WORK/r0.hex"

# S-record input (srec_cat's conversion of the crkbd HEX) merges to the same image.
srec_cat "$CRKBD" -Intel -o "$WORK/crkbd.srec" -Motorola
run 0 "$BIN" merge -o "$WORK/s.hex" -p m32u4 --bootloader atmel-dfu "$WORK/crkbd.srec" "$DFU"
check "S-record + HEX merge exits 0 (got $RC)" [ "$RC" = 0 ]
tobin "$WORK/s.hex" "$WORK/s.bin"
check "S-record + HEX merge equals srec_cat's merge" same_bin "$WORK/want.bin" "$WORK/s.bin"

# 3. Conflicts: both files, the first address, both values; nothing written.
CAT=$R/sparkfun_Caterina-promicro16.hex
echo old >"$WORK/c.hex"
run 3 "$BIN" merge -o "$WORK/c.hex" "$CAT" "$DFU"
check "conflict exits 3 (got $RC)" [ "$RC" = 3 ]
check "conflict names both files and the address" \
    err_has "$CAT and $DFU conflict at 0x07000"
check "conflict gives both values" err_has "has 0x55 there, $DFU has 0x0C"
check "a failed merge leaves the output as it was" grep -qx old "$WORK/c.hex"
run 3 "$BIN" merge -o "$WORK/c2.hex" "$WORK/a.bin@0x7001" "$DFU"
check "raw vs HEX conflict exits 3 (got $RC)" [ "$RC" = 3 ]
check "raw vs HEX conflict names the raw file first" err_has "a.bin and $DFU conflict at 0x07001"
check "no output file is created by a failed merge" [ ! -e "$WORK/c2.hex" ]
run 0 "$BIN" merge -o "$WORK/twice.hex" "$DFU" "$DFU"
check "identical overlap (a file twice) is fine (got $RC)" [ "$RC" = 0 ]
tobin "$DFU" "$WORK/dfu.bin"
tobin "$WORK/twice.hex" "$WORK/twice.bin"
check "a file merged with itself is itself" same_bin "$WORK/dfu.bin" "$WORK/twice.bin"

# 4. An application that runs into the boot section.
run 3 "$BIN" merge -o "$WORK/b.hex" -p m32u4 --bootloader atmel-dfu "$CRKBD" "$WORK/a.bin@0x6FFE"
check "app into the DFU boot section exits 3 (got $RC)" [ "$RC" = 3 ]
check "it names the file, the address and the section" \
    err_has "a.bin runs into the boot section: it starts at 0x06ffe and has data at 0x07000, but 0x07000-0x07fff"
run 3 "$BIN" merge -o "$WORK/b.hex" -p m32u4 --boot-size 8192 "$CRKBD" "$DFU"
check "--boot-size 8192: crkbd runs into 0x6000 (exit 3, got $RC)" [ "$RC" = 3 ]
check "it names crkbd and 0x06000-0x07fff" \
    err_has "qmkbuild_crkbd_rev1_default.hex runs into the boot section: it starts at 0x00000 and has data at 0x06000, but 0x06000-0x07fff"
run 0 "$BIN" merge -o "$WORK/b.hex" -p m32u4 --boot-size 0x1000 "$CRKBD" "$DFU"
check "--boot-size 0x1000 takes the DFU bootloader (got $RC)" [ "$RC" = 0 ]
run 0 "$BIN" merge -o "$WORK/b.hex" -p m32u4 --bootloader atmel-dfu "$CRKBD"
check "no bootloader input: a warning, exit 0 (got $RC)" [ "$RC" = 0 ]
check "the warning says the image holds no bootloader" err_has "the image holds no bootloader"

# 5. Does not fit the part.
run 3 "$BIN" merge -o "$WORK/f.hex" -p m32u4 "$R/qmk_bootloader_at90usb128x_1_0_1.hex"
check "too big for -p exits 3 (got $RC)" [ "$RC" = 3 ]
check "too big names the address and the size" err_has "has data at 0x1e000, the flash is 32768 bytes"
run 0 "$BIN" merge -o "$WORK/f.hex" -p usb1286 "$R/qmk_bootloader_at90usb128x_1_0_1.hex"
check "the same fits the AT90USB1286 (got $RC)" [ "$RC" = 0 ]
check "above 64 KiB: an extended linear address record" grep -q '^:02000004' "$WORK/f.hex"
python3 "$HERE/hexcheck.py" "$WORK/f.hex" 16
check "extended-address output is clean Intel HEX" [ $? = 0 ]
tobin "$R/qmk_bootloader_at90usb128x_1_0_1.hex" "$WORK/fw.bin" 0x20000
tobin "$WORK/f.hex" "$WORK/fg.bin" 0x20000
check "extended-address output equals srec_cat's" same_bin "$WORK/fw.bin" "$WORK/fg.bin"

# 6. Usage errors (exit 2) and bad inputs (exit 3).
for args in "$CRKBD" "-o $WORK/u.hex" "-o $WORK/u.hex --frob $CRKBD" \
    "-o $WORK/u.hex --boot-size 4096 $CRKBD" "-o $WORK/u.hex --bootloader atmel-dfu $CRKBD" \
    "-o $WORK/u.hex -p m32u4 --bootloader nope $CRKBD" \
    "-o $WORK/u.hex -p m32u4 --bootloader atmel-dfu --boot-size 4096 $CRKBD" \
    "-o $WORK/u.hex -p m32u4 --boot-size 4k $CRKBD" "-o $WORK/u.hex -p m32u4 --boot-size 32768 $CRKBD" \
    "-o $WORK/u.hex -p nosuchpart $CRKBD" "-o $WORK/u.hex $CRKBD@0x100" "-o"; do
    # shellcheck disable=SC2086
    run 2 "$BIN" merge $args
    check "usage error: merge $args (exit 2, got $RC)" [ "$RC" = 2 ]
    check "usage error says so: merge $args" err_has "usage error"
done
check "no output written by the usage errors" [ ! -e "$WORK/u.hex" ]
run 2 "$BIN" merge -o "$WORK/u.hex" "$CRKBD@0x100"
check "@ on a HEX file says why" err_has "an @OFFSET places a raw binary file"
run 3 "$BIN" merge -o "$WORK/u.hex" "$WORK/missing.hex"
check "a missing input exits 3 (got $RC)" [ "$RC" = 3 ]
check "it names the file" err_has "missing.hex"
run 3 "$BIN" merge -o "$WORK/u.hex" "$DATA/malformed/bad_checksum.hex"
check "a malformed HEX input exits 3 with file:line (got $RC)" grep -qE "bad_checksum.hex:[0-9]+:" "$WORK/err"
run 0 "$BIN" merge -p m32u4 --bootloader '?'
check "merge --bootloader ? lists the presets (got $RC)" out_has "atmel-dfu (qmk-dfu lufa-dfu)"
run 0 "$BIN" merge --help
check "merge --help prints its usage" out_has "Usage: ispflash merge -o OUT.hex"
run 1 "$BIN" merge -o /dev/full "$DFU"
check "an output that cannot be written exits 1 (got $RC)" [ "$RC" = 1 ]

# 7. ELF inputs: their flash (.text + .data), as avr-objcopy -j .text -j .data gives it.
run 0 "$BIN" merge -o "$WORK/elf.hex" -p m32u4 --bootloader atmel-dfu "$E/fw_m32u4.elf" \
    "$E/boot_m32u4.elf"
check "ELF app + ELF bootloader exit 0 (got $RC)" [ "$RC" = 0 ]
check "the ELF's other sections are named, not merged" \
    err_has "fw_m32u4.elf also holds .eeprom (8 bytes), .fuse (lfuse 0xFF hfuse 0xD8 efuse 0xCB), .lock (0xFC): the merged image is flash only"
srec_cat "$E/fw_m32u4.flash.hex" -Intel "$E/boot_m32u4.flash.hex" -Intel -o "$WORK/ew.hex" -Intel
tobin "$WORK/ew.hex" "$WORK/ew.bin"
tobin "$WORK/elf.hex" "$WORK/eg.bin"
check "ELF merge equals srec_cat over avr-objcopy's HEX" same_bin "$WORK/ew.bin" "$WORK/eg.bin"
run 0 "$BIN" merge -o "$WORK/mix.hex" -p m32u4 --bootloader atmel-dfu "$E/app_m32u4.elf" "$DFU"
check "ELF app + HEX bootloader exit 0 (got $RC)" [ "$RC" = 0 ]
srec_cat "$E/app_m32u4.flash.hex" -Intel "$DFU" -Intel -o "$WORK/mw.hex" -Intel
tobin "$WORK/mw.hex" "$WORK/mw.bin"
tobin "$WORK/mix.hex" "$WORK/mg.bin"
check "ELF + HEX merge equals srec_cat's" same_bin "$WORK/mw.bin" "$WORK/mg.bin"
run 0 "$BIN" merge -o "$WORK/u1286.hex" -p usb1286 --bootloader atmel-dfu "$E/app_m32u4.elf" \
    "$E/boot_usb1286.elf"
check "ELF bootloader above 64 KiB exits 0 (got $RC)" [ "$RC" = 0 ]
srec_cat "$E/app_m32u4.flash.hex" -Intel "$E/boot_usb1286.flash.hex" -Intel -o "$WORK/uw.hex" -Intel
tobin "$WORK/uw.hex" "$WORK/uw.bin" 0x20000
tobin "$WORK/u1286.hex" "$WORK/ug.bin" 0x20000
check "ELF at 0x1F000 merge equals srec_cat's" same_bin "$WORK/uw.bin" "$WORK/ug.bin"
run 3 "$BIN" merge -o "$WORK/x.hex" "$E/fw_m32u4.elf" "$DFU" "$E/boot_m32u4.elf"
check "ELF bootloader vs HEX bootloader conflict exits 3 (got $RC)" [ "$RC" = 3 ]
check "the conflict names both" err_has "$DFU and $E/boot_m32u4.elf conflict at 0x07000"
head -c 1000 "$E/fw_m32u4.elf" >"$WORK/cut.elf"
run 3 "$BIN" merge -o "$WORK/x.hex" "$WORK/cut.elf"
check "a truncated ELF input exits 3 (got $RC)" [ "$RC" = 3 ]
check "it names the file" err_has "cut.elf: truncated ELF file"
run 2 "$BIN" merge -o "$WORK/x.hex" "$E/fw_m32u4.elf@0x100"
check "@ on an ELF is a usage error (got $RC)" [ "$RC" = 2 ]

finish
