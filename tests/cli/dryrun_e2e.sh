#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end runs of the real ispflash binary against the built-in dryrun chip.
# Independent checks use srec_cat (srecord) for what the chip must hold.
# usage: dryrun_e2e.sh ISPFLASH DATA_DIR
BIN=$1
DATA=$2
. "$(dirname "$0")/lib.sh"

flash_size() { "$BIN" -p '?' | awk -v id="$1" '$1 == id { for (i = 1; i <= NF; i++) if ($i == "flash") { v = $(i + 1); gsub(",", "", v); print v } }'; }

# Every real HEX file, written into a fresh chip of its part, must read back as
# exactly what srec_cat makes of the file (holes = erased 0xFF), over the whole flash.
grep -v '^#' "$(dirname "$0")/parts_of_real_files.txt" | while read -r file part; do
    [ -n "$file" ] || continue
    size=$(flash_size "$part")
    st="$WORK/$file.chip"
    run 0 "$BIN" -q -c dryrun -p "$part" -x "state=$st" -U "$DATA/real/$file"
    echo "write $file $RC" >>"$WORK/results"
    run 0 "$BIN" -q -c dryrun -p "$part" -x "state=$st" -U "flash:r:$WORK/back.bin:r"
    echo "read $file $RC" >>"$WORK/results"
    srec_cat "$DATA/real/$file" -Intel -fill 0xFF 0 "$size" -o "$WORK/want.bin" -Binary
    srec_cat "$WORK/back.bin" -Binary -fill 0xFF 0 "$size" -o "$WORK/got.bin" -Binary
    if cmp -s "$WORK/want.bin" "$WORK/got.bin"; then r=0; else r=1; fi
    echo "compare $file $r" >>"$WORK/results"
    # Intel HEX read-back too: srec_cat must see the same bytes.
    run 0 "$BIN" -q -c dryrun -p "$part" -x "state=$st" -U "flash:r:$WORK/back.hex:i"
    srec_cat "$WORK/back.hex" -Intel -fill 0xFF 0 "$size" -o "$WORK/got2.bin" -Binary
    if cmp -s "$WORK/want.bin" "$WORK/got2.bin"; then r=0; else r=1; fi
    echo "comparehex $file $r" >>"$WORK/results"
done
n_real=$(grep -c '^compare ' "$WORK/results")
check "22 real files were tried" [ "$n_real" -ge 22 ]
while read -r what file r; do
    check "$what $file" [ "$r" = 0 ]
done <"$WORK/results"

# The seed command and what it prints.
run 0 "$BIN" -c dryrun -p atmega32u4 -U "$DATA/real/sparkfun_Caterina-promicro16.hex"
check "seed command succeeds" [ "$RC" = 0 ]
check "signature is reported" err_has "1e 95 87"
check "flash is verified" err_has "flash verified (4090 bytes)"
check "writing flash erases first" err_has "erasing chip"

# Malformed HEX: exit 3, file:line in the message, and the chip is untouched.
st="$WORK/mal.chip"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "$DATA/real/sparkfun_Caterina-promicro16.hex"
cp "$st" "$WORK/mal.before"
for f in "$DATA"/malformed/*.hex; do
    name=$(basename "$f")
    run 3 "$BIN" -c dryrun -p m32u4 -x "state=$st" -U "$f"
    check "malformed $name exits 3 (got $RC)" [ "$RC" = 3 ]
    check "malformed $name names file:line" grep -qE "$name:[0-9]+:" "$WORK/err"
    check "malformed $name leaves the chip unchanged" cmp -s "$st" "$WORK/mal.before"
done

# An image that does not fit: name the first address and the memory size.
run 3 "$BIN" -c dryrun -p m32u4 -U "$DATA/real/qmk_bootloader_at90usb128x_1_0_1.hex"
check "too big image exits 3" [ "$RC" = 3 ]
check "too big names address" err_has "0x1e000"
check "too big names size" err_has "32768 bytes"

# -U shorthand equals flash:w:FILE:a; several -U run in order.
st="$WORK/multi.chip"
run 0 "$BIN" -c dryrun -p m32u4 -x "state=$st" -U "flash:w:$DATA/real/qmk_bootloader_atmega32u4_1_0_0.hex:i" \
    -U "eeprom:w:0x11,0x22,0x33:m" -U "hfuse:w:0xD9:m" -U "eeprom:r:$WORK/ee.txt:h" -U "hfuse:r:$WORK/hf.txt:h"
check "multi -U exits 0" [ "$RC" = 0 ]
check "eeprom read back (h format)" grep -q '^0x11,0x22,0x33' "$WORK/ee.txt"
check "hfuse read back after write" grep -qx '0xd9' "$WORK/hf.txt"
run 0 "$BIN" -c dryrun -p m32u4 -x "state=$st" -U "flash:v:$DATA/real/qmk_bootloader_atmega32u4_1_0_0.hex"
check "verify against the file passes" [ "$RC" = 0 ]
run 6 "$BIN" -c dryrun -p m32u4 -x "state=$st" -U "flash:v:$DATA/real/sparkfun_Caterina-promicro16.hex"
check "verify against another file fails with 6" [ "$RC" = 6 ]
check "verify failure names first address" err_has "first mismatch at 0x07000"

# -D: no erase, so bits can only be cleared: 0xF0 then 0x0F at one address reads 0x00.
st="$WORK/d.chip"
printf '\360' >"$WORK/f0.bin"
printf '\017' >"$WORK/0f.bin"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "flash:w:$WORK/f0.bin:r"
run 6 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -D -U "flash:w:$WORK/0f.bin:r"
check "-D keeps old bits: verify fails (6)" [ "$RC" = 6 ]
check "-D verify reports 0x00 read" err_has "read 0x00"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "flash:w:$WORK/0f.bin:r"
check "without -D the chip is erased first" [ "$RC" = 0 ]

# -V skips verification (a stuck bit goes unnoticed); without -V it is exit 6.
run 6 "$BIN" -c dryrun -p m32u4 -x stuck=0x7010:0x01 -U "$DATA/real/sparkfun_Caterina-promicro16.hex"
check "stuck bit fails verification" [ "$RC" = 6 ]
check "stuck bit address named" err_has "0x07010"
run 0 "$BIN" -q -c dryrun -p m32u4 -x stuck=0x7010:0x01 -V -U "$DATA/real/sparkfun_Caterina-promicro16.hex"
check "-V skips verification" [ "$RC" = 0 ]

# -n writes nothing: the state file stays the same.
st="$WORK/n.chip"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "$DATA/real/sparkfun_Caterina-promicro16.hex"
cp "$st" "$WORK/n.before"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -n -e -U "$DATA/real/qmkbuild_sofle_rev1_default.hex" -U lfuse:w:0xFF:m
check "-n exits 0" [ "$RC" = 0 ]
check "-n leaves the chip unchanged" cmp -s "$st" "$WORK/n.before"
# -e alone erases.
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -e
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "flash:r:$WORK/erased.hex:i"
check "-e erased the flash" [ "$(grep -c '^:10' "$WORK/erased.hex")" = 0 ]

# Exit-code classes.
run 2 "$BIN" -c dryrun -p m32u4 --no-such-option
check "unknown option is a usage error (2)" [ "$RC" = 2 ]
run 2 "$BIN" -c dryrun -p atmega32u5
check "unknown part is 2" [ "$RC" = 2 ]
check "unknown part suggests" err_has "did you mean m32u4"
run 2 "$BIN" -c nosuchprog -p m32u4
check "unknown programmer is 2" [ "$RC" = 2 ]
run 3 "$BIN" -c dryrun -p m32u4 -U "flash:w:$WORK/does-not-exist.hex"
check "missing input file is 3" [ "$RC" = 3 ]
run 3 "$BIN" -c dryrun -p m32u4 -U "lfuse:w:0x1FF:m"
check "bad fuse value is 3" [ "$RC" = 3 ]
run 5 "$BIN" -c dryrun -p m32u4 -x unwired -U "$DATA/real/sparkfun_Caterina-promicro16.hex"
check "no target is 5" [ "$RC" = 5 ]
check "no target says check wiring" err_has "no target answers"
run 5 "$BIN" -c dryrun -p m32u4 -x signature=1e950f
check "wrong part is 5" [ "$RC" = 5 ]
check "wrong part named" err_has "ATmega328P"
run 0 "$BIN" -q -c dryrun -p m32u4 -x signature=1e950f -F
check "-F overrides a wrong signature" [ "$RC" = 0 ]
run 5 "$BIN" -c dryrun -p m32u4 -F -x signature=000000
check "-F never overrides a missing target" [ "$RC" = 5 ]
run 0 "$BIN" --help
check "--help lists exit codes" out_has "6 verification failed"
run 0 "$BIN" -c '?'
check "-c ? lists dryrun" out_has "dryrun"
run 0 "$BIN" -p '?'
check "-p ? lists at least 30 parts" [ "$(grep -c signature "$WORK/out")" -ge 30 ]

# Signature and calibration reads.
run 0 "$BIN" -q -c dryrun -p m32a -U "signature:r:$WORK/sig.txt:h" -U "calibration:r:$WORK/cal.txt:h"
check "signature read" grep -qx '0x1e,0x95,0x02' "$WORK/sig.txt"
check "m32a has 4 calibration bytes" [ "$(tr ',' '\n' <"$WORK/cal.txt" | wc -l)" = 4 ]

# Above 128 KiB: the extended address reaches the top of an ATmega2560.
st="$WORK/m2560.chip"
srec_cat "$DATA/real/sparkfun_Caterina-promicro16.hex" -Intel -offset 0x38000 -o "$WORK/high.hex" -Intel
run 0 "$BIN" -q -c dryrun -p m2560 -x "state=$st" -U "$WORK/high.hex"
check "m2560 write above 128 KiB" [ "$RC" = 0 ]
run 0 "$BIN" -q -c dryrun -p m2560 -x "state=$st" -U "flash:r:$WORK/m2560.bin:r"
srec_cat "$WORK/high.hex" -Intel -fill 0xFF 0 262144 -o "$WORK/w2560.bin" -Binary
srec_cat "$WORK/m2560.bin" -Binary -fill 0xFF 0 262144 -o "$WORK/g2560.bin" -Binary
check "m2560 read back equals the image" cmp -s "$WORK/w2560.bin" "$WORK/g2560.bin"

finish
