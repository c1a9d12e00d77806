#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ispflash.exe (cross-built with Debian's mingw-w64, -Werror) under wine: the dryrun
# state is replaced on the second run, binary read-back is byte-exact, a write
# through the ArduinoISP emulator over net: (Winsock) lands in the emulator's chip,
# a bad HEX is exit 3 with file:line, a USB programmer says built without libusb.
# usage: e2e.sh SRCDIR WINBUILD LINUX_ISPFLASH ISPF_EMU
# Exit 77 (skipped) when the cross compiler or wine is missing.
set -u
SRC=$1 WB=$2 LBIN=$3 EMU=$4
for t in x86_64-w64-mingw32-gcc wine srec_cat; do
    command -v $t >/dev/null 2>&1 || { echo "SKIP: $t not installed"; exit 77; }
done
export WINEDEBUG=-all WINEPREFIX="$WB/wineprefix"
mkdir -p "$WB"
cmake -S "$SRC" -B "$WB" -DCMAKE_TOOLCHAIN_FILE="$SRC/cmake/mingw-w64-x86_64.cmake" \
    -DCMAKE_BUILD_TYPE=Release -DISPF_WERROR=ON >"$WB/configure.log" 2>&1 &&
    cmake --build "$WB" -j2 >"$WB/build.log" 2>&1 ||
    { cat "$WB/configure.log" "$WB/build.log" 2>/dev/null | tail -40; echo "FAIL: cross build"; exit 1; }
EXE=$WB/ispflash.exe
[ -d "$WINEPREFIX" ] || timeout 300 wineboot -i >/dev/null 2>&1

N=0 FAILS=0
check() {
    N=$((N + 1))
    what=$1
    shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; FAILS=$((FAILS + 1)); fi
}
T=$(mktemp -d)
trap 'kill $EMU_PID 2>/dev/null; rm -rf "$T"' EXIT
EMU_PID=
HEX=$SRC/tests/data/real/arduino_Caterina-Leonardo.hex
cp "$HEX" "$T/c.hex"
cd "$T" || exit 1
# win ARGS...: ispflash.exe, its stdout in out.txt, stderr in err.txt, status in RC.
win() {
    timeout 120 wine "$EXE" "$@" >out.txt 2>err.txt
    RC=$?
}

# 1. dryrun state written, then replaced by a second run that sees the first's chip.
win -c dryrun -p m32u4 -x state=chip.state -U flash:w:c.hex:i
check "first dryrun write: exit 0" [ "$RC" = 0 ]
check "the state file exists" [ -s chip.state ]
cp chip.state chip.first
win -c dryrun -p m32u4 -x state=chip.state -D -U eeprom:w:0x42,0x43:m
check "second run (EEPROM): exit 0" [ "$RC" = 0 ]
check "the state file was replaced" sh -c '! cmp -s chip.state chip.first'
win -c dryrun -p m32u4 -x state=chip.state -U flash:v:c.hex:i -U eeprom:r:ee.bin:r
check "third run verifies the first run's flash: exit 0" [ "$RC" = 0 ]
check "and reads the second run's EEPROM" [ "$(od -An -tx1 -N2 ee.bin | tr -d " ")" = 4243 ]

# 2. read back: Intel HEX and raw binary (binary mode: byte-exact, CR LF untouched).
win -c dryrun -p m32u4 -x state=chip.state -U flash:r:out.hex:i -U flash:r:out.bin:r
check "read back: exit 0" [ "$RC" = 0 ]
srec_cat c.hex -Intel -fill 0xFF 0 32768 -o want.bin -Binary
srec_cat out.hex -Intel -fill 0xFF 0 32768 -o got.bin -Binary
check "flash:r:out.hex:i holds the image" cmp want.bin got.bin
# A raw read ends at the last byte that is not 0xFF (as avrdude's): the image's 32730.
head -c 32730 want.bin >want32.bin
check "flash:r:out.bin:r is byte-exact (no CR LF translation)" cmp out.bin want32.bin
win -c dryrun -p m32u4 -x state=chip.state -U flash:r:-:r
check "flash:r:-:r on stdout is byte-exact" cmp out.txt want32.bin

# 3. through the ArduinoISP emulator (Linux) over net: (Winsock).
"$EMU" --proto arduinoisp --part m32u4 --listen 127.0.0.1:0 --port-file port --state emu.state \
    --once >emu.log 2>&1 &
EMU_PID=$!
i=0
while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
win -c avrisp -p m32u4 -P "net:127.0.0.1:$(cat port)" -U flash:w:c.hex:i
check "avrisp over net: exit 0" [ "$RC" = 0 ]
[ "$RC" = 0 ] || cat err.txt
wait $EMU_PID
EMU_PID=
timeout 20 "$LBIN" -c dryrun -p m32u4 -x state=emu.state -U flash:r:emu.bin:r -q 2>/dev/null
check "the emulator's chip holds the image" cmp emu.bin want32.bin

# 4. a bad HEX: exit 3, naming file and line.
sed '5s/^\(.\{9\}\)./\1X/' c.hex >bad.hex
win -c dryrun -p m32u4 -x state=chip.state -U flash:w:bad.hex:i
check "bad HEX: exit 3" [ "$RC" = 3 ]
check "bad HEX: names bad.hex:5" grep -q "bad.hex:5" err.txt

# 5. without libusb: USB programmers say so (exit 2: not possible with this build).
win -c usbtiny -p m32u4 -U flash:w:c.hex:i
check "usbtiny: exit 2" [ "$RC" = 2 ]
check "usbtiny: built without libusb" grep -q "built without libusb" err.txt
# and without libserialport: a COM port says so (exit 2).
win -c avrisp -p m32u4 -P COM5 -U flash:w:c.hex:i
check "COM5: exit 2" [ "$RC" = 2 ]
check "COM5: built without libserialport" grep -q "built without libserialport" err.txt

echo "windows e2e: $((N - FAILS)) of $N checks passed"
[ "$FAILS" = 0 ]
