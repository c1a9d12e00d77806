#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end: the real ispflash binary against the ArduinoISP emulator over
# net:127.0.0.1:PORT. What the chip must hold is computed independently with
# srec_cat (srecord) and read from the emulator's chip state file.
# usage: e2e_tcp.sh ISPFLASH ISPF-EMU DATA_DIR
BIN=$1
EMU=$2
DATA=$3
. "$(dirname "$0")/lib.sh"

# --- every real HEX file, on its part: written, then what the chip holds -----
grep -v '^#' "$(dirname "$0")/real_files.txt" >"$WORK/files"
n=0
while read -r file part; do
    [ -n "$file" ] || continue
    n=$((n + 1))
    size=$(part_field "$part" flash)
    st="$WORK/real$n.chip"
    ispf_emu "$st" "$part" -q -U "$DATA/real/$file"
    check "write $file on $part exits 0 (got $RC)" ok
    srec_cat "$DATA/real/$file" -Intel -fill 0xFF 0 "$size" -o "$WORK/want.bin" -Binary
    state_flash "$st" "$WORK/got.bin"
    check "chip holds $file" cmp -s "$WORK/want.bin" "$WORK/got.bin"
    # read back through the programmer
    ispf_emu "$st" "$part" -q -U "flash:r:$WORK/back.hex:i"
    check "read back $file exits 0" ok
    srec_cat "$WORK/back.hex" -Intel -fill 0xFF 0 "$size" -o "$WORK/back.bin" -Binary
    check "read-back of $file matches" cmp -s "$WORK/want.bin" "$WORK/back.bin"
done <"$WORK/files"
check "22 real files were tried" [ "$n" -ge 22 ]
check "every file in tests/data/real is in the list" \
    [ "$(ls "$DATA/real" | grep -c '\.hex$')" = "$n" ]

# --- the seed command line ---------------------------------------------------
st="$WORK/seed.chip"
emu_start "$st" m32u4
run "$BIN" -c avrisp -P "net:127.0.0.1:$PORT" -p atmega32u4 -v -U "$DATA/real/sparkfun_Caterina-promicro16.hex"
emu_done
check "seed command exits 0" ok
check "seed: signature reported" err_has "1e 95 87"
check "seed: flash verified" err_has "verified (4090 bytes)"
check "-v names the firmware" err_has "ArduinoISP firmware"
check "-v shows wire statistics" err_has "bytes sent"
# ArduinoISP never saw a byte it could not parse, nor more than 256 bytes
check "no NOSYNC/UNKNOWN at the programmer" [ -z "$(stat_of "$st" proto.errors)" ]
check "no overflow of the 256-byte buffer" [ -z "$(stat_of "$st" proto.crashes)" ]
check "no CHIP_ERASE 0x52 sent" [ -z "$(stat_of "$st" proto.cmd_52)" ]
check "no SET_PARAMETER 0x40 sent" [ -z "$(stat_of "$st" proto.cmd_40)" ]
check "seed: left programming mode (LEAVE_PROGMODE)" [ "$(stat_of "$st" proto.left_progmode)" -ge 1 ]
check "seed: the session did not end in programming mode" [ -z "$(stat_of "$st" proto.ended_in_progmode)" ]
# one LOAD_ADDRESS for the backup's look at the boot section (0x7000: is there code to
# save before the erase?), one for the contiguous write, one for the verify read
la=$(stat_of "$st" proto.cmd_55)
check "LOAD_ADDRESS only where the auto-increment is wrong (got $la)" [ "$la" -le 3 ]

# --- EEPROM at the byte addresses asked for (word addresses on the wire) -----
printf '\240\241\242\243\244\245\246\247\250\251\252\253\254\255\256\257' >"$WORK/e1.bin"
printf '\021\042\063' >"$WORK/e2.bin"
printf '\132' >"$WORK/e3.bin"
srec_cat "$WORK/e1.bin" -binary -offset 0x10 "$WORK/e2.bin" -binary -offset 0x101 \
    "$WORK/e3.bin" -binary -offset 0x3ff -o "$WORK/eep.hex" -intel
st="$WORK/eep.chip"
ispf_emu "$st" m32u4 -q -U "eeprom:w:$WORK/eep.hex:i"
check "EEPROM write exits 0" ok
srec_cat "$WORK/eep.hex" -Intel -fill 0xFF 0 1024 -o "$WORK/want.bin" -Binary
state_eeprom "$st" "$WORK/got.bin"
check "EEPROM bytes at 0x10, 0x101 (odd) and 0x3ff" cmp -s "$WORK/want.bin" "$WORK/got.bin"
ispf_emu "$st" m32u4 -q -U "eeprom:r:$WORK/eback.hex:i"
check "EEPROM read exits 0" ok
srec_cat "$WORK/eback.hex" -Intel -fill 0xFF 0 1024 -o "$WORK/eback.bin" -Binary
check "EEPROM read back at the right addresses" cmp -s "$WORK/want.bin" "$WORK/eback.bin"
# Flash writing does not disturb the EEPROM read path (address counter shared)
ispf_emu "$st" m32u4 -q -D -U "$DATA/real/qmk_teensy_2.0_ISP_B0.hex" -U "eeprom:v:$WORK/eep.hex:i"
check "flash write then EEPROM verify" ok

# --- fuses and lock, read back -----------------------------------------------
st="$WORK/fuse.chip"
# (--unsafe-fuses: internal -> external clock is refused by default; the emulated
# chip needs no crystal)
ispf_emu "$st" m32u4 -q --unsafe-fuses -U lfuse:w:0xFF:m -U hfuse:w:0xD8:m -U efuse:w:0xCB:m -U lock:w:0x2F:m
check "fuse and lock writes exit 0" ok
check "chip fuses are ff d8 (efuse low nibble b), lock 2f" grep -Eq '^fuses ff d8 [0-9a-f]b [0-9a-f]f$' "$st"
ispf_emu "$st" m32u4 -q -U "lfuse:r:$WORK/l.bin:r" -U "hfuse:r:$WORK/h.bin:r" -U "lock:r:$WORK/k.bin:r"
check "fuse reads exit 0" ok
check "lfuse reads ff" [ "$(od -An -tx1 "$WORK/l.bin" | tr -d ' ')" = ff ]
check "hfuse reads d8" [ "$(od -An -tx1 "$WORK/h.bin" | tr -d ' \n')" = d8 ]
check "lock bits 0x2f read back" [ "$(( 0x$(od -An -tx1 "$WORK/k.bin" | tr -d ' \n') & 0x3f ))" = 47 ]
# a locked chip: flash write needs the erase, which clears the lock
ispf_emu "$st" m32u4 -q -U "$DATA/real/sparkfun_Caterina-promicro8.hex"
check "write after lock (erase first) exits 0" ok

# --- -c stk500v1 on ArduinoISP: detected, behaves as avrisp -----------------
st="$WORK/v1.chip"
PGM=stk500v1 ispf_emu "$st" m32u4 -v -U "eeprom:w:$WORK/eep.hex:i"
check "-c stk500v1 exits 0" ok
check "-c stk500v1 says it found ArduinoISP" err_has "ArduinoISP detected"
state_eeprom "$st" "$WORK/got.bin"
check "-c stk500v1 puts EEPROM at the right addresses" cmp -s "$WORK/want.bin" "$WORK/got.bin"
PGM=arduino_as_isp ispf_emu "$st" m32u4 -q -U "flash:r:$WORK/x.hex:i"
check "-c arduino_as_isp reads" ok

# --- a slow bridge behind net: (9600 baud): a 4 KiB READ_PAGE takes 4.3 s on
# the wire; it must not be cut short while bytes keep coming -------------------
srec_cat -generate 0 0x1000 -random -o "$WORK/slow.hex" -intel
st="$WORK/slow.chip"
ispf_emu "$st" m32u4 -q -U "$WORK/slow.hex"
EMUOPTS="--pace 9600" PGM=stk500v1 ispf_emu "$st" m32u4 -q -U "flash:v:$WORK/slow.hex:i"
check "4 KiB verify through a 9600-baud bridge (rc $RC)" ok

# --- a bridge that hands each reply over only when it is complete (19200 baud
# behind it): a 4096-byte READ_PAGE arrives 2.1 s after it was asked for, all at
# once; a whole 32 KiB flash read must pass (the reply timeout scales with it) ---
srec_cat -generate 0 0x8000 -random -o "$WORK/whole.hex" -intel
st="$WORK/whole.chip"
ispf_emu "$st" m32u4 -q -U "$WORK/whole.hex"
check "whole: image written (rc $RC)" ok
EMUOPTS="--opt whole=19200" ispf_emu "$st" m32u4 -q -U "flash:r:$WORK/wback.bin:r"
check "whole: 32 KiB read through a whole-reply bridge (rc $RC)" ok
srec_cat "$WORK/whole.hex" -Intel -fill 0xFF 0 32768 -o "$WORK/wwant.bin" -Binary
check "whole: read-back matches" cmp -s "$WORK/wwant.bin" "$WORK/wback.bin"
check "whole: replies came whole" [ "$(stat_of "$st" proto.whole_replies)" -gt 8 ]
# the core reads 1024-byte chunks where one takes 0.25-1 s (19200 baud: 0.53 s)
check "whole: READ_PAGE blocks of 1024 bytes (32 for 32 KiB)" [ "$(stat_of "$st" proto.cmd_74)" -le 32 ]
check "whole: left programming mode" [ "$(stat_of "$st" proto.left_progmode)" -ge 1 ]
# at 4800 baud (-b 4800: the speed behind the bridge) one 1024-byte READ_PAGE reply
# arrives 2.1 s after it was asked for
head -c 1024 /dev/urandom > "$WORK/weep.bin"
ispf_emu "$st" m32u4 -q -U "eeprom:w:$WORK/weep.bin:r"
check "whole: EEPROM written (rc $RC)" ok
EMUOPTS="--opt whole=4800" ispf_emu "$st" m32u4 -q -b 4800 -U "eeprom:r:$WORK/weepback.bin:r"
check "whole: 1 KiB EEPROM read in one 2.1 s reply at 4800 baud (rc $RC)" ok
check "whole: EEPROM read-back matches" cmp -s "$WORK/weep.bin" "$WORK/weepback.bin"

# --- -c stk500v1 on a genuine STK500 (emulated): byte-addressed EEPROM -------
st="$WORK/gen.chip"
EMUOPTS="--opt firmware=stk500" PGM=stk500v1 ispf_emu "$st" m32u4 -v \
    -U "$DATA/real/sparkfun_Caterina-promicro16.hex" -U "eeprom:w:$WORK/eep.hex:i"
check "genuine STK500: exits 0 (rc $RC)" ok
check "genuine STK500: recognised" err_has "STK500 'AVR STK'"
state_eeprom "$st" "$WORK/got.bin"
check "genuine STK500: EEPROM at the right addresses" cmp -s "$WORK/want.bin" "$WORK/got.bin"
state_flash "$st" "$WORK/got.bin"
srec_cat "$DATA/real/sparkfun_Caterina-promicro16.hex" -Intel -fill 0xFF 0 32768 -o "$WORK/w.bin" -Binary
check "genuine STK500: flash" cmp -s "$WORK/w.bin" "$WORK/got.bin"
check "genuine STK500: no block over 256 bytes" [ -z "$(stat_of "$st" proto.too_long)" ]

finish
