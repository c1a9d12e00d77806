#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# AVR109 (Caterina) benchmark: write+verify of 28 KiB (the application section of
# an ATmega32U4) through ispflash -c avr109 and avrdude -c avr109 against the
# Caterina emulator (ispf-emu --proto caterina over net:), counted on the emulator
# side: bytes each way and replies (= round trips). Prints ispflash/avrdude ratios.
#
#   bench/bench_avr109.sh [BUILD_DIR] [TESTDATA_DIR]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../build}
EMU_LIFETIME=600
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"

# avrdude -c avr109 erases first ('e'); ispflash has no chip erase through a bootloader
for tool in ispflash avrdude; do
    bench_run "$tool" wv28k caterina avr109 "" -U "flash:w:$W/rand.hex:i"
done
ib=$(($(stat_of wv28k.ispflash rx_bytes) + $(stat_of wv28k.ispflash tx_bytes)))
ab=$(($(stat_of wv28k.avrdude rx_bytes) + $(stat_of wv28k.avrdude tx_bytes)))
awk -v ib="$ib" -v ab="$ab" -v itx="$(stat_of wv28k.ispflash rx_bytes)" \
    -v atx="$(stat_of wv28k.avrdude rx_bytes)" -v ir="$(stat_of wv28k.ispflash replies)" \
    -v ar="$(stat_of wv28k.avrdude replies)" -v ia="$(stat_of wv28k.ispflash proto.cmd_41)" \
    -v aa="$(stat_of wv28k.avrdude proto.cmd_41)" \
    'BEGIN { printf "avr109 wv28k bytes %6d / %6d = %.3f (host->bootloader %.3f)  round trips %4d / %4d = %.3f  address commands %d / %d\n",
             ib, ab, ib / ab, itx / atx, ir, ar, ir / ar, ia, aa }'
