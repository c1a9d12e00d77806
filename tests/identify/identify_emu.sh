#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --identify through real protocols: the ArduinoISP emulator (-c avrisp), whose own
# byte counters (ispf-emu --stats) bound what was read, and an Optiboot bootloader
# as programmer (-c arduino), which cannot read fuses.
# usage: identify_emu.sh ISPFLASH ISPF-EMU DATA_DIR
BIN=$1
EMU=$2
DATA=$3
. "$(dirname "$0")/../stk500v1/lib.sh"
out_has() { grep -q -- "$1" "$WORK/out"; }
stat_of() { sed -n "s/^$2[ =:]*//p" "$1.stats" | head -1; }

st=$WORK/cat.chip
ispf_emu "$st" m32u4 -q -U "$DATA/real/sparkfun_Caterina-promicro16.hex" --bootloader caterina-promicro16
check "Caterina written through the emulator (rc $RC)" ok
ispf_emu "$st" m32u4 --identify
check "--identify over ArduinoISP: exit 0 (rc $RC)" ok
check "Caterina named" out_has "bootloader:  Caterina (SparkFun Pro Micro 5V/16 MHz) for ATmega32U4 at 0x07000-0x07FF9"
check "fuses agree" out_has "fuses check: the fuses agree with the caterina-promicro16 preset"
# What the programmer sent back: the 4104 flash bytes read plus the protocol's framing,
# far below the 32 KiB flash.
sent=$(stat_of "$st" tx_bytes)
check "programmer->host bytes ($sent) cover the 4104 flash bytes read" [ "${sent:-0}" -ge 4104 ]
check "programmer->host bytes ($sent) below 4104 + 600" [ "${sent:-999999}" -le 4704 ]
ispf_emu "$st" m32u4 -q -U "flash:r:$WORK/all.hex:i"
full=$(stat_of "$st" tx_bytes)
check "a full read ($full bytes) costs far more" [ "${full:-0}" -ge 32768 ]

# Optiboot as programmer (-c arduino): flash through the bootloader, no fuses.
st=$WORK/opti.chip
ispf_emu "$st" m328p -q -U "$DATA/real/arduino_optiboot_atmega328.hex"
check "Optiboot written through ArduinoISP (rc $RC)" ok
EMUPROTO=optiboot
export EMUPROTO
PGM=arduino ispf_emu "$st" m328p --identify
check "--identify over -c arduino: exit 0 (rc $RC)" ok
check "-c arduino: Optiboot named" out_has "bootloader:  Optiboot 4.4 for ATmega328P at 0x07E00-0x07FFF (512 bytes)"
check "-c arduino: fuses not readable said" out_has "fuses:       not readable with this programmer"
check "-c arduino: no fuse verdict" out_has "fuses check: not done"
finish
