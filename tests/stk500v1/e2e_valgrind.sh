#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The STK500v1 path (TCP stream, backend, core) under valgrind: no memory errors,
# no leaks, on success and on a fault.
# usage: e2e_valgrind.sh ISPFLASH ISPF-EMU DATA_DIR
BIN=$1
EMU=$2
DATA=$3
. "$(dirname "$0")/lib.sh"

VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
printf '\001\002\003' >"$WORK/e.bin"
srec_cat "$WORK/e.bin" -binary -offset 0x21 -o "$WORK/eep.hex" -intel
emu_start "$WORK/a.chip" m32u4
run $VG "$BIN" -q -c avrisp -P "net:127.0.0.1:$PORT" -p m32u4 -U "$DATA/real/arduino_Caterina-Micro.hex" \
    -U "eeprom:w:$WORK/eep.hex:i" -U "flash:r:$WORK/back.hex:i" -U "eeprom:r:$WORK/eback.hex:i"
emu_done
check "valgrind clean on a full run (rc $RC)" ok
emu_start "$WORK/b.chip" m32u4 --garble-reply 30
run $VG "$BIN" -q -c avrisp -P "net:127.0.0.1:$PORT" -p m32u4 -U "$DATA/real/arduino_Caterina-Micro.hex"
emu_done
check "protocol error: exit 4 (rc $RC)" failed_with 4
check "valgrind clean on a protocol error" [ "$RC" != 99 ]
finish
