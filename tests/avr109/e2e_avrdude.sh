#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# avrdude 7.1 -c avr109 as the independent client of the Caterina emulator: it
# writes the same crkbd firmware and EEPROM image, and the chip ends up as
# ispflash leaves it; ispflash needs no more bytes or round trips than avrdude.
# usage: e2e_avrdude.sh ISPFLASH ISPF-EMU DATA_DIR
BIN=$1
EMU=$2
DATA=$3
. "$(dirname "$0")/../stk500v1/lib.sh"
EMUPROTO=caterina
export EMUPROTO
PGM=avr109

HEX=$DATA/real/qmkbuild_crkbd_rev1_default.hex
CAT=$DATA/real/sparkfun_Caterina-promicro16.hex
srec_cat "$HEX" -Intel -crop 0 0x7000 "$CAT" -Intel -crop 0x7000 0x8000 -o "$WORK/want.hex" -Intel
srec_cat "$WORK/want.hex" -Intel -fill 0xFF 0 0x8000 -o "$WORK/want.bin" -Binary
srec_cat -generate 0 0x400 -repeat-string "avrdude and ispflash agree " -o "$WORK/ee.hex" -Intel
srec_cat "$WORK/ee.hex" -Intel -o "$WORK/ee_want.bin" -Binary

for who in avrdude ispflash; do
    # a Pro Micro's fuses: L FF, H D8, E CB (read back FB: only its low 4 bits exist)
    run "$BIN" -c dryrun -x "state=$WORK/$who.chip" -p m32u4 -q -U "flash:w:$CAT:i" \
        -U lfuse:w:0xFF:m -U hfuse:w:0xD8:m -U efuse:w:0xCB:m
    check "seed $who's chip with Caterina (rc $RC)" ok
done

emu_start "$WORK/avrdude.chip" m32u4
run avrdude -q -q -c avr109 -P "net:127.0.0.1:$PORT" -p m32u4 -U "flash:w:$HEX:i"
emu_done
check "avrdude -c avr109 writes and verifies crkbd (rc $RC)" ok
a_bytes=$(($(stat_of "$WORK/avrdude.chip" rx_bytes) + $(stat_of "$WORK/avrdude.chip" tx_bytes)))
a_trips=$(stat_of "$WORK/avrdude.chip" replies)
a_sent=$(stat_of "$WORK/avrdude.chip" rx_bytes)
emu_start "$WORK/avrdude.chip" m32u4
run avrdude -q -q -c avr109 -P "net:127.0.0.1:$PORT" -p m32u4 -U "eeprom:w:$WORK/ee.hex:i"
emu_done
check "avrdude -c avr109 writes EEPROM (rc $RC)" ok

# ispflash: the same firmware (no chip erase: Caterina's 'e' is avrdude's, the
# application section was empty in both) and the same EEPROM image.
ispf_emu "$WORK/ispflash.chip" m32u4 -q -U "flash:w:$HEX:i"
check "ispflash -c avr109 writes and verifies crkbd (rc $RC)" ok
i_bytes=$(($(stat_of "$WORK/ispflash.chip" rx_bytes) + $(stat_of "$WORK/ispflash.chip" tx_bytes)))
i_trips=$(stat_of "$WORK/ispflash.chip" replies)
i_sent=$(stat_of "$WORK/ispflash.chip" rx_bytes)
ispf_emu "$WORK/ispflash.chip" m32u4 -q -U "eeprom:w:$WORK/ee.hex:i"
check "ispflash -c avr109 writes EEPROM (rc $RC)" ok

for who in avrdude ispflash; do
    state_flash "$WORK/$who.chip" "$WORK/$who.flash"
    state_eeprom "$WORK/$who.chip" "$WORK/$who.eeprom"
    check "$who: flash = crkbd + Caterina (srec_cat)" cmp -s "$WORK/want.bin" "$WORK/$who.flash"
    check "$who: EEPROM = srec_cat's image" cmp -s "$WORK/ee_want.bin" "$WORK/$who.eeprom"
done
check "both clients leave the same chip" cmp -s "$WORK/avrdude.chip" "$WORK/ispflash.chip"

# Each reads back what the other wrote.
emu_start "$WORK/ispflash.chip" m32u4
run avrdude -q -q -c avr109 -P "net:127.0.0.1:$PORT" -p m32u4 -U "flash:v:$HEX:i" -U "eeprom:v:$WORK/ee.hex:i"
emu_done
check "avrdude verifies what ispflash wrote (rc $RC)" ok
ispf_emu "$WORK/avrdude.chip" m32u4 -q -U "flash:v:$HEX:i" -U "eeprom:v:$WORK/ee.hex:i"
check "ispflash verifies what avrdude wrote (rc $RC)" ok

# Fuses and lock through 'F' 'N' 'Q' 'r': both clients read the same bytes, the chip's.
fuses=$(state_fuses "$WORK/ispflash.chip")
ispf_emu "$WORK/ispflash.chip" m32u4 -q -U lfuse:r:-:h -U hfuse:r:-:h -U efuse:r:-:h -U lock:r:-:h
check "ispflash reads fuses and lock through the bootloader (rc $RC)" ok
tr '\n' ' ' <"$WORK/out" >"$WORK/i_fuses"
emu_start "$WORK/ispflash.chip" m32u4
run avrdude -q -q -c avr109 -P "net:127.0.0.1:$PORT" -p m32u4 -U lfuse:r:-:h -U hfuse:r:-:h \
    -U efuse:r:-:h -U lock:r:-:h
emu_done
check "avrdude reads fuses and lock (rc $RC)" ok
tr '\n' ' ' <"$WORK/out" >"$WORK/a_fuses"
echo "fuses/lock: ispflash $(cat "$WORK/i_fuses")| avrdude $(cat "$WORK/a_fuses")| chip $fuses"
check "ispflash and avrdude read the same fuses and lock" cmp -s "$WORK/i_fuses" "$WORK/a_fuses"
check "the chip's fuses and lock" [ "$(cat "$WORK/i_fuses")" = "0xff 0xd8 0xfb 0xff " ]

# write+verify of crkbd: bytes on the wire and round trips (a ratio, not a timing).
# ispflash's total includes the 4 KiB backup of the boot section it reads first;
# what the host sends has no such extra and must not exceed avrdude's ('A' once a
# run, not once a page).
echo "avr109 crkbd write+verify: bytes ispflash/avrdude $i_bytes/$a_bytes" \
    "(host->bootloader $i_sent/$a_sent), round trips $i_trips/$a_trips"
check "ispflash sends no more bytes than avrdude" [ "$i_sent" -le "$a_sent" ]
check "ispflash needs fewer round trips than avrdude" [ "$i_trips" -lt "$a_trips" ]

finish
