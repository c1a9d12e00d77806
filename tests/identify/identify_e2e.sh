#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --identify on dryrun chips: each real bootloader written by ispflash first (with its
# preset's fuses, then with wrong fuses), an empty chip, foreign code, an application.
# The dryrun counts every SPI instruction: flash reads are bounded by the boot area.
# usage: identify_e2e.sh ISPFLASH DATA_DIR
BIN=$1
DATA=$2
HERE=$(dirname "$0")
. "$HERE/../cli/lib.sh"

out_line() { grep -qxF -- "$1" "$WORK/out"; }
# "N bytes of flash read" and "M commands" of the last run (-v).
flash_read() { sed -n 's/.*\[identify\]: \([0-9]*\) bytes of flash read.*/\1/p' "$WORK/err"; }
commands() { sed -n 's/.*received, \([0-9]*\) commands.*/\1/p' "$WORK/err"; }
largest_boot() { case $1 in usb646 | usb647 | usb1286 | usb1287) echo 8192 ;; *) echo 4096 ;; esac; }

# Each real bootloader with its preset: named, fuses agree, nothing written, reads bounded.
n=0
while IFS='|' read -r file part preset desc; do
    case $file in '#'* | '') continue ;; esac
    n=$((n + 1))
    st="$WORK/$file.chip"
    if [ "$preset" = - ]; then
        run 0 "$BIN" -q -c dryrun -p "$part" -x "state=$st" -U "$DATA/real/$file"
    else
        run 0 "$BIN" -q -c dryrun -p "$part" -x "state=$st" -U "$DATA/real/$file" --bootloader "$preset"
    fi
    check "$file written (exit $RC)" [ "$RC" = 0 ]
    cp "$st" "$WORK/before"
    run 0 "$BIN" -v -c dryrun -p "$part" -x "state=$st" --identify
    check "$file: --identify exits 0 (got $RC)" [ "$RC" = 0 ]
    check "$file: named as $desc" grep -qF "bootloader:  $desc at 0x" "$WORK/out"
    if [ "$preset" = - ]; then
        check "$file: no preset said" out_has "fuses check: no --bootloader preset"
    else
        check "$file: fuses agree with $preset" out_line "fuses check: the fuses agree with the $preset preset"
    fi
    check "$file: chip unchanged" cmp -s "$st" "$WORK/before"
    fr=$(flash_read)
    cmds=$(commands)
    max=$((8 + $(largest_boot "$part")))
    check "$file: flash read $fr <= $max" [ "${fr:-999999}" -le "$max" ]
    # Independent of ispflash's own count: the dryrun's SPI instructions (one per flash
    # byte read, plus signature and fuses).
    check "$file: $cmds instructions <= $max + 10" [ "${cmds:-999999}" -le $((max + 10)) ]
done <"$HERE/bootloaders.txt"
check "17 bootloaders tried" [ "$n" = 17 ]

# Optiboot sits in the smallest boot section: only it (512 bytes) and 8 bytes at 0 are read.
run 0 "$BIN" -v -c dryrun -p m328p -x "state=$WORK/arduino_optiboot_atmega328.hex.chip" --identify
check "optiboot: 520 bytes of flash read" [ "$(flash_read)" = 520 ]
cmds=$(commands)
check "optiboot: $cmds instructions, at most 530" [ "${cmds:-999999}" -le 530 ]

# Caterina with BOOTRST unprogrammed: the plain-words problem and the command that fixes it.
st="$WORK/cat.chip"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "$DATA/real/sparkfun_Caterina-promicro16.hex" --bootloader caterina-promicro16
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U hfuse:w:0xD9:m
run 0 "$BIN" -c dryrun -p m32u4 -x "state=$st" --identify
check "wrong fuses: still exit 0 (got $RC)" [ "$RC" = 0 ]
check "BOOTRST problem in plain words" out_line "problem:     Caterina (SparkFun Pro Micro 5V/16 MHz) for ATmega32U4 found, but BOOTRST is not set: the chip starts the application, not the bootloader, after reset"
check "the differing field is listed" out_has "BOOTRST: start application at 0x0000 -> jump to bootloader at 0x7000"
check "the fix is suggested" out_line "fix:         ispflash -c dryrun -p m32u4 --bootloader caterina-promicro16"
check "no agreement claimed" sh -c "! grep -q 'agree' '$WORK/out'"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" --bootloader caterina-promicro16
check "the suggested fix runs (exit $RC)" [ "$RC" = 0 ]
run 0 "$BIN" -c dryrun -p m32u4 -x "state=$st" --identify
check "after the fix the fuses agree" out_line "fuses check: the fuses agree with the caterina-promicro16 preset"

# Atmel DFU with BOOTSZ selecting 2048 bytes and HWBE off.
st="$WORK/dfu.chip"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "$DATA/real/qmk_bootloader_atmega32u4_1_0_0.hex" --bootloader atmel-dfu
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U hfuse:w:0x9B:m -U efuse:w:0xFB:m
check "DFU wrong fuses written (exit $RC)" [ "$RC" = 0 ]
run 0 "$BIN" -c dryrun -p m32u4 -x "state=$st" --identify
check "BOOTSZ problem" out_has "problem:     Atmel/QMK DFU 1.0.0 for ATmega32U4 found at 0x07000, but BOOTSZ selects the boot section 0x07800-0x07FFF (2048 bytes): its code below 0x07800 lies in the application section, where it cannot write flash"
check "HWBE problem" out_has "found, but HWBE is not set: holding HWB low during reset does not start the bootloader"
check "DFU fix" out_line "fix:         ispflash -c dryrun -p m32u4 --bootloader atmel-dfu"
# JTAG off (0xD9) is the preset's other value: not a problem.
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" --bootloader atmel-dfu --jtag off
run 0 "$BIN" -c dryrun -p m32u4 -x "state=$st" --identify
check "DFU with JTAG off agrees" out_line "fuses check: the fuses agree with the atmel-dfu preset"
check "hfuse 0xD9 read" out_has "hfuse 0xD9"

# An empty (factory-fresh) chip.
run 0 "$BIN" -c dryrun -p m32u4 -x "state=$WORK/empty.chip" --identify
check "empty: exit 0" [ "$RC" = 0 ]
check "empty: no bootloader" out_line "bootloader:  none: the top 4096 bytes of flash are empty (0xFF)"
check "empty: no application" out_line "application: none (flash at 0x0000 is erased)"
check "empty: said" out_line "chip:        empty (the bytes read are all 0xFF)"

# Foreign code: 300 bytes of pseudo-random data (no 0xFF) at 0x7D00.
python3 -c "
import random
r = random.Random(12)
open('$WORK/rand.bin', 'wb').write(bytes(r.randrange(255) for _ in range(300)))"
srec_cat "$WORK/rand.bin" -Binary -offset 0x7D00 -o "$WORK/rand.hex" -Intel
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$WORK/rand.chip" -U "$WORK/rand.hex"
run 0 "$BIN" -c dryrun -p m32u4 -x "state=$WORK/rand.chip" --identify
check "foreign code: exit 0" [ "$RC" = 0 ]
check "foreign code: range and size" out_line "bootloader:  none known: unknown code at 0x07D00-0x07E2B (300 bytes) in the top 4096 bytes of flash"
check "foreign code: no application" out_has "application: none"
check "foreign code: no fuse verdict" sh -c "! grep -q '^fuses check\|^fix' '$WORK/out'"

# An application alone, then with Caterina.
st="$WORK/app.chip"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "$DATA/real/qmkbuild_crkbd_rev1_default.hex"
run 0 "$BIN" -c dryrun -p m32u4 -x "state=$st" --identify
check "application present" out_line "application: present (flash at 0x0000 is not erased)"
check "application only: no bootloader" out_has "bootloader:  none: the top 4096 bytes"
run 0 "$BIN" -q -c dryrun -p m32u4 -x "state=$st" -U "$DATA/real/qmkbuild_crkbd_rev1_default.hex" -U "$DATA/real/sparkfun_Caterina-promicro16.hex" --bootloader caterina-promicro16
run 0 "$BIN" -c dryrun -p m32u4 -x "state=$st" --identify
check "application + Caterina: application" out_line "application: present (flash at 0x0000 is not erased)"
check "application + Caterina: bootloader" out_has "bootloader:  Caterina (SparkFun Pro Micro 5V/16 MHz) for ATmega32U4 at 0x07000-0x07FF9 (4090 bytes)"

# A part without boot sections: only the application is looked at (8 bytes read).
run 0 "$BIN" -v -c dryrun -p t85 -x "state=$WORK/t85.chip" --identify
check "t85: no boot section" out_line "bootloader:  the ATtiny85 has no boot section"
check "t85: 8 bytes of flash read" [ "$(flash_read)" = 8 ]
printf '\014\224\064\000' >"$WORK/vec.bin"
run 0 "$BIN" -q -c dryrun -p t85 -x "state=$WORK/t85.chip" -U "flash:w:$WORK/vec.bin:r"
run 0 "$BIN" -c dryrun -p t85 -x "state=$WORK/t85.chip" --identify
check "t85: application present" out_line "application: present (flash at 0x0000 is not erased)"

# Exit codes: no target 5, programmer missing 4, with -U a usage error 2.
run 5 "$BIN" -c dryrun -p m32u4 -x unwired --identify
check "no target: exit 5 (got $RC)" [ "$RC" = 5 ]
run 4 "$BIN" -c stk500v1 -P "$WORK/no-such-port" -p m32u4 --identify
check "no programmer: exit 4 (got $RC)" [ "$RC" = 4 ]
run 2 "$BIN" -c dryrun -p m32u4 --identify -U "$DATA/real/sparkfun_Caterina-promicro16.hex"
check "--identify with -U: exit 2 (got $RC)" [ "$RC" = 2 ]
run 5 "$BIN" -c dryrun -p m32u4 -x signature=1e950f --identify
check "another part's signature: exit 5 (got $RC)" [ "$RC" = 5 ]

finish
