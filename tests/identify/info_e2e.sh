#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ispflash info on every real HEX file: each bootloader named by its fingerprint, the
# firmware images recognised as application only; -p fit, --bootloader agree/disagree,
# the map compared with an expected text, usage and input errors.
# usage: info_e2e.sh ISPFLASH DATA_DIR
BIN=$1
DATA=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../cli/lib.sh"

# Every bootloader file: named, with and without -p, and nothing called an application
# unless the file holds one.
n=0
while IFS='|' read -r file part preset desc; do
    case $file in '#'* | '') continue ;; esac
    n=$((n + 1))
    run 0 "$BIN" info "$DATA/real/$file"
    check "info $file: exit 0 (got $RC)" [ "$RC" = 0 ]
    check "info $file: $desc" grep -qF "  bootloader: $desc at 0x" "$WORK/out"
    [ "$preset" = - ] || check "info $file: its preset" out_has ", --bootloader $preset\$"
    run 0 "$BIN" info -p "$part" "$DATA/real/$file"
    check "info -p $part $file: $desc" grep -qF "  bootloader: $desc at 0x" "$WORK/out"
    check "info -p $part $file: fits" out_has "  fits the "
    check "info -p $part $file: the bootloader's boot section marked" out_has "<- the bootloader"
    case $file in
    arduino_Caterina-*.hex | arduino_Arduino-COMBINED-*)
        check "info $file: the sketch is an application" out_has "  application: 0x00000-" ;;
    *)
        check "info $file: no application" out_has "  application: none" ;;
    esac
done <"$HERE/bootloaders.txt"
check "17 bootloader files" [ "$n" = 17 ]

# Firmware and ISP-programmer images: application only.
for f in qmkbuild_crkbd_rev1_default.hex qmkbuild_sofle_rev1_default.hex qmk_pro_micro_ISP_B6_10.hex \
    qmk_teensy_2.0_ISP_B0.hex qmk_pro_mico_ISP_B6.hex; do
    run 0 "$BIN" info "$DATA/real/$f"
    check "info $f: exit 0" [ "$RC" = 0 ]
    check "info $f: no bootloader" out_has "  bootloader: none recognised"
    check "info $f: application" out_has "  application: 0x00000-"
done
run 0 "$BIN" info -p m32u4 "$DATA/real/qmkbuild_sofle_rev1_default.hex"
check "sofle: application range" out_has "  application: 0x00000-0x05ED3 (24276 bytes)"
check "sofle with -p: no bootloader" out_has "  bootloader: none\$"

# Several files in one run, each described.
run 0 "$BIN" info "$DATA/real/qmkbuild_crkbd_rev1_default.hex" "$DATA/real/arduino_optiboot_atmega328.hex"
check "two files: both" [ "$(grep -c '^/.*: Intel HEX' "$WORK/out")" = 2 ]

# -p: fits or not (exit 3, the first address that does not fit).
run 3 "$BIN" info -p m32u4 "$DATA/real/qmk_bootloader_at90usb128_1.0.1.hex"
check "at90usb128 on m32u4: exit 3 (got $RC)" [ "$RC" = 3 ]
check "at90usb128 on m32u4: does not fit" out_has "  does not fit: .*0x1e000 does not fit"
check "at90usb128 on m32u4: named, for another part" out_has "  bootloader: Atmel/QMK DFU 1.0.1 for AT90USB128x at 0x1E000-0x1FFFF (8192 bytes): not one for the ATmega32U4"
run 0 "$BIN" info -p m328p "$DATA/real/sparkfun_Caterina-promicro16.hex"
check "Caterina on m328p: fits (exit $RC)" [ "$RC" = 0 ]
check "Caterina on m328p: not for it" out_has "  bootloader: Caterina (SparkFun Pro Micro 5V/16 MHz) for ATmega32U4 at 0x07000-0x07FF9 (4090 bytes): not one for the ATmega328P"
check "Caterina on m328p: no application" out_has "  application: none"
run 3 "$BIN" info -p m16u4 "$DATA/real/qmkbuild_crkbd_rev1_default.hex"
check "crkbd on m16u4: exit 3 (got $RC)" [ "$RC" = 3 ]
check "crkbd on m16u4: does not fit" out_has "  does not fit: "

# --bootloader: agree and disagree.
run 0 "$BIN" info -p m32u4 --bootloader caterina-promicro16 "$DATA/real/sparkfun_Caterina-promicro16.hex"
check "promicro16 with its preset: exit 0 (got $RC)" [ "$RC" = 0 ]
check "promicro16 with its preset: agrees" out_has "  agrees with the preset's fuses"
run 3 "$BIN" info -p m32u4 --bootloader atmel-dfu "$DATA/real/sparkfun_Caterina-promicro16.hex"
check "Caterina with atmel-dfu: exit 3 (got $RC)" [ "$RC" = 3 ]
check "Caterina with atmel-dfu: disagrees" out_has "  disagrees: the file holds Caterina (SparkFun Pro Micro 5V/16 MHz), whose preset is --bootloader caterina-promicro16 (other fuse values)"
run 3 "$BIN" info -p m328p --bootloader usbasploader "$DATA/real/arduino_optiboot_atmega328.hex"
check "Optiboot with usbasploader's fuses: exit 3 (got $RC)" [ "$RC" = 3 ]
check "Optiboot with usbasploader's fuses: BOOTSZ" out_has "  disagrees: .*the bootloader starts at 0x7E00.*hfuse 0xD0 selects BOOTSZ=2048 words"
run 0 "$BIN" info -p m32u4 --bootloader caterina-leonardo "$DATA/real/sparkfun_Caterina-promicro16.hex"
check "same fuses, other preset: exit 0 (got $RC)" [ "$RC" = 0 ]
check "same fuses, other preset: a note" out_has "  note: the file holds .* (the same fuse values)"

# The map for a known image, compared with the expected text (run in the data folder so
# the file name printed is the same everywhere).
(cd "$DATA/real" && timeout 60 "$BIN" info -p m32u4 --bootloader caterina-promicro16 \
    qmkbuild_crkbd_rev1_default.hex >"$WORK/map.txt" 2>&1)
check "the crkbd map is the expected text" cmp -s "$WORK/map.txt" "$HERE/expected/info_crkbd_m32u4_caterina.txt"
diff "$HERE/expected/info_crkbd_m32u4_caterina.txt" "$WORK/map.txt" >&2

# Errors.
run 2 "$BIN" info --bootloader atmel-dfu "$DATA/real/sparkfun_Caterina-promicro16.hex"
check "--bootloader without -p: exit 2 (got $RC)" [ "$RC" = 2 ]
run 2 "$BIN" info -p nosuchpart "$DATA/real/sparkfun_Caterina-promicro16.hex"
check "unknown part: exit 2 (got $RC)" [ "$RC" = 2 ]
run 2 "$BIN" info -p m328p --bootloader caterina-promicro16 "$DATA/real/sparkfun_Caterina-promicro16.hex"
check "preset for another part: exit 2 (got $RC)" [ "$RC" = 2 ]
run 2 "$BIN" info
check "no files: exit 2 (got $RC)" [ "$RC" = 2 ]
run 3 "$BIN" info "$WORK/no-such.hex"
check "missing file: exit 3 (got $RC)" [ "$RC" = 3 ]
run 3 "$BIN" info "$DATA/real/sparkfun_Caterina-promicro16.hex" "$WORK/no-such.hex"
check "one good, one missing: exit 3 (got $RC)" [ "$RC" = 3 ]
check "one good, one missing: the good one described" out_has "Caterina (SparkFun Pro Micro 5V/16 MHz)"
run 0 "$BIN" info --help
check "info --help" out_has "Usage: ispflash info FILE"

# -v before a write draws the map (dryrun).
run 0 "$BIN" -v -c dryrun -p m32u4 -U "$DATA/real/qmkbuild_crkbd_rev1_default.hex" -U "$DATA/real/sparkfun_Caterina-promicro16.hex" --bootloader caterina-promicro16
check "-v write: exit 0 (got $RC)" [ "$RC" = 0 ]
check "-v write: the bar" err_has "ispflash: \[#####################################################...@@@@@@@@\]  0x00000-0x07FFF"
check "-v write: the overlap" err_has "overlap  0x07000-0x07FF9   4090 bytes of the image in the boot section"
check "-v write: before the erase" sh -c "grep -n 'overlap\|erasing chip' '$WORK/err' | head -1 | grep -q overlap"
run 0 "$BIN" -c dryrun -p m32u4 -U "$DATA/real/qmkbuild_crkbd_rev1_default.hex"
check "without -v: no map" sh -c "! grep -q 'overlap' '$WORK/err'"

finish
