#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end cases for the USB programmers: the real ispflash (and avrdude) under
# umockdev-wrapper, talking through the real libusb to usb_emu's emulated
# USBtiny/USBasp. Each case asserts exit codes, messages and the chip image the
# emulator is left with (compared with the same operation on -c dryrun).
# usage: usb_cases.sh CASE ISPFLASH USB_EMU UMOCKDEV_WRAPPER DATA_DIR AVRDUDE
CASE=$1
BIN=$2
EMU=$3
WRAP=$4
DATA=$5
AVRDUDE=$6
LIST="$(dirname "$0")/../cli/parts_of_real_files.txt"
W=$(mktemp -d "${TMPDIR:-/tmp}/ispflash-usb.XXXXXX")
trap 'rm -rf "$W"' EXIT
QMK128="$DATA/real/qmk_bootloader_at90usb128x_1_0_1.hex"
QMK32U4="$DATA/real/qmk_bootloader_atmega32u4_1_0_0.hex"
CATERINA="$DATA/real/sparkfun_Caterina-promicro16.hex"
LEONARDO="$DATA/real/arduino_Caterina-Leonardo.hex"

fail() {
    echo "FAIL [$CASE]: $*" >&2
    exit 1
}

# expect CODE CMD...: run with a guard against hangs; output in $W/out.
# CMD may start with "emu PROTO PART STATE": run under usb_emu in umockdev-wrapper.
expect() {
    want=$1
    shift
    if [ "$1" = emu ]; then # expand here: timeout cannot run a shell function
        _proto=$2 _part=$3 _state=$4
        shift 4
        set -- "$WRAP" "$EMU" --proto "$_proto" --part "$_part" --state "$_state" "$@"
    fi
    timeout 120 "$@" >"$W/out" 2>&1
    rc=$?
    sed 's/^/  | /' "$W/out"
    [ "$rc" = 124 ] && fail "hung: $*"
    [ "$rc" = "$want" ] || fail "exit code $rc, expected $want: $*"
}
has() { grep -q -- "$1" "$W/out" || fail "the output lacks \"$1\""; }
hasnot() { ! grep -q -- "$1" "$W/out" || fail "the output unexpectedly has \"$1\""; }

# (expect CODE) emu PROTO PART STATE [usb_emu options] -- COMMAND...

# ref PART STATE ISPFLASH-ARGS...: the same operation on the dryrun chip.
ref() {
    part=$1 state=$2
    shift 2
    rm -f "$state"
    "$BIN" -q -c dryrun -p "$part" -x "state=$state" "$@" >"$W/refout" 2>&1 ||
        { cat "$W/refout"; fail "dryrun reference failed: $*"; }
}

same_chip() {
    cmp -s "$1" "$2" || fail "chip image $1 differs from $2"
}

stat_of() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

# The QMK DFU bootloader at 0x1E000 of an AT90USB1286, written and verified (the
# verify reads the bootloader back); with readback=1 the whole flash is read too
# (through USBtiny or old USBasp firmware that is one transfer per byte above 64 KiB,
# ~35 s, so only the fast paths do it).
qmk_usb1286() {
    p=$1
    full=$2
    shift 2
    st="$W/chip"
    rm -f "$st"
    expect 0 emu "$p" usb1286 "$st" "$@" -- "$BIN" -c "$p" -P usb -p usb1286 -U "$QMK128"
    has "flash verified"
    ref usb1286 "$W/ref" -U "$QMK128"
    same_chip "$st" "$W/ref"
    expect 0 emu "$p" usb1286 "$st" "$@" -- "$BIN" -c "$p" -p usb1286 -U "flash:v:$QMK128"
    has "flash verified"
    [ "$full" = readback=1 ] || return 0
    expect 0 emu "$p" usb1286 "$st" "$@" -- "$BIN" -q -c "$p" -p usb1286 -U "flash:r:$W/back.bin:r"
    "$BIN" -q -c dryrun -p usb1286 -x "state=$W/ref" -U "flash:r:$W/want.bin:r" || fail "dryrun read"
    cmp -s "$W/back.bin" "$W/want.bin" || fail "flash read back through $p differs"
}

real_files() {
    p=$1
    grep -v '^#' "$LIST" | while read -r file part; do
        [ -n "$file" ] || continue
        st="$W/$file.chip"
        expect 0 emu "$p" "$part" "$st" -- "$BIN" -q -c "$p" -p "$part" -U "$DATA/real/$file"
        ref "$part" "$W/ref" -U "$DATA/real/$file"
        same_chip "$st" "$W/ref"
        expect 0 emu "$p" "$part" "$st" -- "$BIN" -q -c "$p" -p "$part" -U "flash:v:$DATA/real/$file"
        echo "$file ($part) through $p: written, same chip as dryrun, verified"
    done || exit 1
    [ "$(grep -vc '^#' "$LIST")" -ge 20 ] || fail "the list of real files is missing"
}

fuses_eeprom() {
    p=$1
    st="$W/$p.chip"
    rm -f "$st"
    head -c 300 /dev/urandom >"$W/ee.bin"
    ops="-U lfuse:w:0xD2:m -U hfuse:w:0xD9:m -U efuse:w:0xF3:m -U eeprom:w:$W/ee.bin:r -U $QMK32U4"
    # shellcheck disable=SC2086
    expect 0 emu "$p" m32u4 "$st" -- "$BIN" -c "$p" -p m32u4 $ops
    # shellcheck disable=SC2086
    ref m32u4 "$W/ref" $ops
    same_chip "$st" "$W/ref"
    expect 0 emu "$p" m32u4 "$st" -- "$BIN" -q -c "$p" -p m32u4 -U "eeprom:r:$W/ee_back.bin:r" \
        -U "lfuse:r:$W/l.bin:r" -U "hfuse:r:$W/h.bin:r" -U "efuse:r:$W/e.bin:r"
    cmp -s -n 300 "$W/ee.bin" "$W/ee_back.bin" || fail "EEPROM read back through $p differs"
    [ "$(od -An -tx1 "$W/l.bin" | tr -d ' \n')" = d2 ] || fail "lfuse read back $(od -An -tx1 "$W/l.bin")"
    [ "$(od -An -tx1 "$W/h.bin" | tr -d ' \n')" = d9 ] || fail "hfuse read back"
    [ "$(od -An -tx1 "$W/e.bin" | tr -d ' \n')" = f3 ] || fail "efuse read back"
    expect 0 emu "$p" m32u4 "$st" -- "$BIN" -q -c "$p" -p m32u4 -U "eeprom:v:$W/ee.bin:r" \
        -U "lfuse:v:0xD2:m" -U "flash:v:$QMK32U4"
    # The seed's efuse case (with its hfuse 0xD8, so reset reaches the bootloader once
    # HWBE is off): on a 32U4 the four upper efuse bits do not exist and read back as 1
    # (0xFB). It succeeds without a warning.
    expect 0 emu "$p" m32u4 "$st" -- "$BIN" -c "$p" -p m32u4 -U hfuse:w:0xD8:m -U efuse:w:0xCB:m \
        -U "efuse:r:$W/e2.bin:r"
    hasnot "warning"
    has "efuse verified"
    [ "$(od -An -tx1 "$W/e2.bin" | tr -d ' \n')" = fb ] || fail "efuse 0xCB read back through $p"
}

case "$CASE" in
tiny_qmk_usb1286)
    qmk_usb1286 usbtiny readback=0
    ;;
asp_qmk_usb1286) qmk_usb1286 usbasp readback=1 ;;

tiny_wrap_proof)
    # The emulated USBtiny wraps its 16-bit address like the firmware. An image with
    # data below and above 64 KiB must write and verify: block reads below 0x10000,
    # single instructions above (and never a block read that would wrap).
    grep -v ':00000001FF' "$CATERINA" >"$W/both.hex"
    cat "$QMK128" >>"$W/both.hex"
    st="$W/chip"
    expect 0 emu usbtiny usb1286 "$st" --stats "$W/stats" -- "$BIN" -c usbtiny -p usb1286 -U "$W/both.hex"
    has "flash verified"
    ref usb1286 "$W/ref" -U "$W/both.hex"
    same_chip "$st" "$W/ref"
    high=$(grep -c '' "$QMK128")
    expect 0 emu usbtiny usb1286 "$st" --stats "$W/stats" -- "$BIN" -c usbtiny -p usb1286 -U "flash:v:$QMK128"
    [ -z "$(stat_of "$W/stats" request_9)" ] || fail "FLASH_READ used above 64 KiB"
    [ "$(stat_of "$W/stats" request_7)" -ge 4421 ] || fail "fewer SPI reads than bootloader bytes"
    [ "$high" -gt 0 ] || fail "no bootloader file"
    ;;

asp_old_firmware)
    # USBasp firmware before 2011-05-28: no GETCAPABILITIES, no SETLONGADDRESS.
    qmk_usb1286 usbasp readback=0 --opt caps=0 --opt longaddr=0
    expect 0 emu usbasp usb1286 "$W/chip" --opt caps=0 --opt longaddr=0 -- "$BIN" -c usbasp -p usb1286 -U "flash:v:$QMK128"
    has "predates 2011"
    # One run of pages across 0x10000: blocks below, single instructions above.
    srec_cat -generate 0xFE00 0x10200 -random -o "$W/cross.hex" -Intel || fail "srec_cat (srecord) is needed"
    ref usb1286 "$W/ref" -U "$W/cross.hex"
    rm -f "$W/chip"
    expect 0 emu usbasp usb1286 "$W/chip" --opt caps=0 --opt longaddr=0 -- "$BIN" -c usbasp -p usb1286 -U "$W/cross.hex"
    has "flash verified"
    same_chip "$W/chip" "$W/ref"
    ;;

asp_no_caps)
    qmk_usb1286 usbasp readback=0 --opt caps=0
    ;;

above_128k)
    # ATmega2560: data below 64 KiB, between 64 and 128 KiB, and above 128 KiB (Load
    # Extended Address), in one image, through both programmers.
    srec_cat "$CATERINA" -Intel "$QMK128" -Intel "$CATERINA" -Intel -offset 0x38000 \
        -o "$W/m2560.hex" -Intel || fail "srec_cat (srecord) is needed"
    ref m2560 "$W/ref" -U "$W/m2560.hex"
    for p in usbtiny usbasp; do
        expect 0 emu "$p" m2560 "$W/$p" -- "$BIN" -c "$p" -p m2560 -U "$W/m2560.hex"
        has "flash verified"
        same_chip "$W/$p" "$W/ref"
        expect 0 emu "$p" m2560 "$W/$p" -- "$BIN" -q -c "$p" -p m2560 -U "flash:v:$W/m2560.hex"
    done
    ;;

real_files_tiny) real_files usbtiny ;;
real_files_asp) real_files usbasp ;;

fuses_eeprom_readback)
    fuses_eeprom usbtiny
    fuses_eeprom usbasp
    ;;

slow_sck_auto)
    # A factory-fresh chip that answers only at SCK <= 20 kHz: found without -B.
    for p in usbtiny usbasp; do
        st="$W/$p.chip"
        expect 0 emu "$p" m32u4 "$st" --opt max_sck=20000 -- "$BIN" -c "$p" -p m32u4 -U "$QMK32U4"
        has "did not answer at"
        has "it did at"
        has "flash verified"
        ref m32u4 "$W/ref" -U "$QMK32U4"
        same_chip "$st" "$W/ref"
    done
    # A factory-fresh 1 MHz chip (SCK must stay below 250 kHz): USBasp's default
    # 375 kHz is too fast, 187.5 kHz works; USBtiny's default 100 kHz works at once.
    expect 0 emu usbasp m32u4 "$W/asp1m" --opt max_sck=250000 -- "$BIN" -c usbasp -p m32u4 -U "$QMK32U4"
    has "it did at 187.5 kHz"
    expect 0 emu usbtiny m32u4 "$W/tiny1m" --opt max_sck=250000 -- "$BIN" -c usbtiny -p m32u4 -U "$QMK32U4"
    hasnot "did not answer at"
    ;;

bitclock)
    # -B picks the clock; no automatic slowing when the user chose it.
    expect 0 emu usbtiny m32u4 "$W/a" --opt max_sck=20000 -- "$BIN" -c usbtiny -B 100 -p m32u4 -U "$QMK32U4"
    hasnot "did not answer at"
    expect 5 emu usbtiny m32u4 "$W/b" --opt max_sck=20000 -- "$BIN" -c usbtiny -B 10 -p m32u4 -U "$QMK32U4"
    has "Programming Enable"
    expect 0 emu usbasp m32u4 "$W/c" --opt max_sck=20000 -- "$BIN" -c usbasp -B 62.5 -p m32u4 -U "$QMK32U4"
    hasnot "did not answer at"
    expect 5 emu usbasp m32u4 "$W/d" --opt max_sck=20000 -- "$BIN" -c usbasp -B 20 -p m32u4 -U "$QMK32U4"
    has "Programming Enable"
    expect 2 "$BIN" -c usbtiny -B 400 -p m32u4 -U "$QMK32U4"
    # -B is applied once: one warning, one SETISPSCK (10) per CONNECT (1).
    expect 0 emu usbasp m32u4 "$W/e" --stats "$W/stats" -- "$BIN" -c usbasp -B 4000 -p m32u4 -U "$QMK32U4"
    [ "$(grep -c "slowest USBasp SCK is 500 Hz" "$W/out")" = 1 ] || fail "-B 4000 warned $(grep -c "slowest USBasp SCK" "$W/out") times, not once"
    [ "$(stat_of "$W/stats" request_10)" = "$(stat_of "$W/stats" request_1)" ] ||
        fail "SETISPSCK sent $(stat_of "$W/stats" request_10) times for $(stat_of "$W/stats" request_1) CONNECTs"
    ;;

no_target)
    for p in usbtiny usbasp; do
        expect 5 emu "$p" m32u4 "$W/$p" --opt unwired=1 -- "$BIN" -c "$p" -p m32u4 -U "$QMK32U4"
        has "did not answer Programming Enable"
    done
    ;;

unplug)
    for p in usbtiny usbasp; do
        expect 4 emu "$p" m32u4 "$W/$p" --opt unplug_after=40 -- "$BIN" -c "$p" -p m32u4 -U "$QMK32U4"
        has "disconnected"
        has "last address written was flash 0x"
    done
    ;;

stall)
    for p in usbtiny usbasp; do
        expect 4 emu "$p" m32u4 "$W/$p" --opt stall_at=20 -- "$BIN" -c "$p" -p m32u4 -U "$QMK32U4"
        has "stalled"
    done
    ;;

ioerr)
    # A transfer lost to a wire error (a FLASH_WRITE, an SPI page commit, a FLASH_READ
    # of the verify): USBtiny asks again and the run ends with the right chip.
    ref m32u4 "$W/ref" -U "$QMK32U4"
    for n in 30 31 80; do
        rm -f "$W/t"
        expect 0 emu usbtiny m32u4 "$W/t" --opt ioerr_at=$n -- "$BIN" -c usbtiny -p m32u4 -U "$QMK32U4"
        has "retrying (1 of 3)"
        has "flash verified"
        same_chip "$W/t" "$W/ref"
    done
    ;;

hang)
    # A request the programmer never answers: a timeout error naming it, not a hang.
    for p in usbtiny usbasp; do
        expect 4 emu "$p" m32u4 "$W/$p" --opt hang_at=20 -- "$BIN" -c "$p" -p m32u4 -U "$QMK32U4"
        has "did not answer"
        has " ms"
    done
    ;;

not_found)
    expect 4 emu usbasp m32u4 "$W/a" -- "$BIN" -c usbtiny -p m32u4 -U "$QMK32U4"
    has "no USBtiny found"
    has "1781:0c9f"
    has "plugged in"
    # A USBasp whose strings are not fischl's: usbasp refuses it, usbasp-clone takes it.
    expect 4 emu usbasp m32u4 "$W/b" --opt vendor=acme -- "$BIN" -c usbasp -p m32u4 -U "$QMK32U4"
    has "no USBasp found"
    has 'manufacturer "acme", not "www.fischl.de"'
    has "usbasp-clone"
    expect 0 emu usbasp m32u4 "$W/b" --opt vendor=acme -- "$BIN" -c usbasp-clone -p m32u4 -U "$QMK32U4"
    expect 2 "$BIN" -c usbasp -P /dev/ttyACM0 -p m32u4 -U "$QMK32U4"
    has "usb:SERIAL"
    ;;

access)
    for p in usbtiny usbasp; do
        expect 4 emu "$p" m32u4 "$W/$p" --opt access=1 -- "$BIN" -c "$p" -p m32u4 -U "$QMK32U4"
        has "permission denied"
        has "udev rule"
        has "contrib/udev/60-ispflash.rules"
    done
    rules="$(dirname "$0")/../../contrib/udev/60-ispflash.rules"
    for id in '"1781", ATTR{idProduct}=="0c9f"' '"16c0", ATTR{idProduct}=="05dc"' '"03eb", ATTR{idProduct}=="c7b4"'; do
        grep -q "ATTR{idVendor}==$id" "$rules" || fail "$rules lacks $id"
    done
    ;;

busy)
    # Another program has claimed the programmer (CLAIMINTERFACE answers EBUSY):
    # exit 4 naming the device, and the chip is not touched.
    ref m32u4 "$W/fresh" -n
    for p in usbtiny usbasp; do
        cp "$W/fresh" "$W/$p"
        expect 4 emu "$p" m32u4 "$W/$p" --opt busy=1 -- "$BIN" -c "$p" -p m32u4 -U "$QMK32U4"
        has "is in use by another program"
        has "(bus 1 device 2)"
        same_chip "$W/$p" "$W/fresh"
    done
    ;;

several)
    expect 0 emu usbasp m32u4 "$W/a" --opt devices=2 --opt "state2=$W/b" -- "$BIN" -c usbasp -P usb -p m32u4 -U "$QMK32U4"
    has "2 USBasp programmers are connected"
    has "-P usb:EMU2"
    ;;

serial_select)
    expect 0 emu usbasp m32u4 "$W/a" --opt devices=2 --opt "state2=$W/b" -- "$BIN" -c usbasp -P usb:EMU2 -p m32u4 -U "$QMK32U4"
    ref m32u4 "$W/ref" -U "$QMK32U4"
    same_chip "$W/b" "$W/ref"
    ref m32u4 "$W/fresh" -n
    same_chip "$W/a" "$W/fresh"
    # usb:BUS:DEVICE picks the second one too (bus 1, device 3).
    expect 0 emu usbasp m32u4 "$W/a" --opt devices=2 --opt "state2=$W/c" -- "$BIN" -c usbasp -P usb:001:003 -p m32u4 -U "$QMK32U4"
    same_chip "$W/c" "$W/ref"
    same_chip "$W/a" "$W/fresh"
    expect 4 emu usbasp m32u4 "$W/a" --opt devices=2 -- "$BIN" -c usbasp -P usb:NOPE -p m32u4 -U "$QMK32U4"
    has "no USBasp with serial number \"NOPE\""
    has "usb:EMU2"
    ;;

avrdude_tiny | avrdude_asp)
    # avrdude 7.1 (libusb-0.1) on the same emulator must leave the same chip image.
    p=usbtiny
    [ "$CASE" = avrdude_asp ] && p=usbasp
    for pair in "m32u4 $QMK32U4" "usb1286 $QMK128"; do
        part=${pair%% *}
        file=${pair#* }
        expect 0 emu "$p" "$part" "$W/avrdude.chip" -- "$AVRDUDE" -c "$p" -p "$part" -U "flash:w:$file:i"
        has "verified"
        expect 0 emu "$p" "$part" "$W/ispflash.chip" -- "$BIN" -c "$p" -p "$part" -U "$file"
        same_chip "$W/avrdude.chip" "$W/ispflash.chip"
        rm -f "$W/avrdude.chip" "$W/ispflash.chip"
    done
    # EEPROM and fuses, then each tool reads back what the other wrote.
    head -c 200 /dev/urandom >"$W/ee.bin"
    expect 0 emu "$p" m32u4 "$W/avrdude.chip" -- "$AVRDUDE" -c "$p" -p m32u4 \
        -U "eeprom:w:$W/ee.bin:r" -U hfuse:w:0xD9:m -U efuse:w:0xF3:m
    expect 0 emu "$p" m32u4 "$W/ispflash.chip" -- "$BIN" -c "$p" -p m32u4 \
        -U "eeprom:w:$W/ee.bin:r" -U hfuse:w:0xD9:m -U efuse:w:0xF3:m
    same_chip "$W/avrdude.chip" "$W/ispflash.chip"
    expect 0 emu "$p" m32u4 "$W/avrdude.chip" -- "$BIN" -c "$p" -p m32u4 -U "eeprom:v:$W/ee.bin:r" -U hfuse:v:0xD9:m
    expect 0 emu "$p" m32u4 "$W/ispflash.chip" -- "$AVRDUDE" -c "$p" -p m32u4 -U "eeprom:v:$W/ee.bin:r" -U hfuse:v:0xD9:m
    ;;

counts)
    # Control transfers for write+verify and for a full read: never more than avrdude's.
    for p in usbtiny usbasp; do
        expect 0 emu "$p" m32u4 "$W/a" --stats "$W/s_isp" -- "$BIN" -c "$p" -p m32u4 -U "$CATERINA"
        expect 0 emu "$p" m32u4 "$W/b" --stats "$W/s_avr" -- "$AVRDUDE" -c "$p" -p m32u4 -U "flash:w:$CATERINA:i"
        i=$(stat_of "$W/s_isp" transfers)
        a=$(stat_of "$W/s_avr" transfers)
        echo "$p write+verify: ispflash $i, avrdude $a control transfers"
        [ "$i" -le "$a" ] || fail "$p: ispflash used $i transfers, avrdude $a"
        expect 0 emu "$p" m32u4 "$W/a" --stats "$W/s_isp" -- "$BIN" -c "$p" -p m32u4 -U "flash:r:$W/r1.bin:r"
        expect 0 emu "$p" m32u4 "$W/a" --stats "$W/s_avr" -- "$AVRDUDE" -c "$p" -p m32u4 -U "flash:r:$W/r2.bin:r"
        i=$(stat_of "$W/s_isp" transfers)
        a=$(stat_of "$W/s_avr" transfers)
        echo "$p read 32 KiB: ispflash $i, avrdude $a control transfers"
        [ "$i" -le "$a" ] || fail "$p: ispflash used $i transfers to read, avrdude $a"
        cmp -s "$W/r1.bin" "$W/r2.bin" || fail "$p: ispflash and avrdude read different flash"
    done
    ;;

mk2_caterina | mk2_lufa)
    # The AVRISP mkII (or LUFA's clone, lufa=1) over USB: Caterina on an ATmega32U4
    # and the QMK DFU bootloader on an AT90USB1286, written, verified, the chip as
    # dryrun leaves it; each -P form and both -c ids.
    o=""
    [ "$CASE" = mk2_lufa ] && o="--opt lufa=1"
    ref m32u4 "$W/ref" -U "$LEONARDO"
    rm -f "$W/a"
    expect 0 emu avrisp2 m32u4 "$W/a" $o -- "$BIN" -c avrisp2 -P usb -p m32u4 -v -U "$LEONARDO"
    has "found AVRISP mkII (signs on as \"AVRISP_MK2\")"
    has "flash verified"
    if [ "$CASE" = mk2_lufa ]; then has "hardware version 1, firmware 1.00"; else has "firmware 1.13"; fi
    same_chip "$W/a" "$W/ref"
    expect 0 emu avrisp2 m32u4 "$W/a" $o -- "$BIN" -c avrispmkII -P usb:03eb:2104 -p m32u4 -U "flash:v:$LEONARDO"
    has "flash verified"
    expect 0 emu avrisp2 m32u4 "$W/a" $o -- "$BIN" -c avrispmkII -p m32u4 -U "flash:v:$LEONARDO"
    ref usb1286 "$W/ref2" -U "$QMK128"
    expect 0 emu avrisp2 usb1286 "$W/b" $o -- "$BIN" -c avrisp2 -P usb -p usb1286 -U "$QMK128"
    has "flash verified"
    same_chip "$W/b" "$W/ref2"
    expect 0 emu avrisp2 usb1286 "$W/b" $o -- "$BIN" -q -c avrisp2 -p usb1286 -U "flash:r:$W/back.bin:r"
    "$BIN" -q -c dryrun -p usb1286 -x "state=$W/ref2" -U "flash:r:$W/want.bin:r" || fail "dryrun read"
    cmp -s "$W/back.bin" "$W/want.bin" || fail "flash of the AT90USB1286 read back differs"
    ;;

mk2_fuses_eeprom)
    fuses_eeprom avrisp2
    # A 61-byte EEPROM read answers exactly 64 bytes: the zero-length packet the
    # firmware ends it with comes before the next answer.
    head -c 61 /dev/urandom >"$W/e61.bin"
    expect 0 emu avrisp2 m32u4 "$W/z" --stats "$W/s" -- "$BIN" -c avrisp2 -p m32u4 \
        -U "eeprom:w:$W/e61.bin:r" -U "eeprom:v:$W/e61.bin:r" -U "lfuse:r:$W/lf.bin:r"
    has "61 bytes of eeprom verified"
    rm -f "$W/zref"
    "$BIN" -q -c dryrun -p m32u4 -x "state=$W/zref" -U "lfuse:r:$W/lf_ref.bin:r" || fail "dryrun"
    cmp -s "$W/lf.bin" "$W/lf_ref.bin" || fail "lfuse read after a 64-byte answer differs"
    ;;

mk2_serial_select)
    ref m32u4 "$W/ref" -U "$LEONARDO"
    ref m32u4 "$W/fresh" -n
    expect 0 emu avrisp2 m32u4 "$W/a" --opt devices=2 --opt "state2=$W/b" -- "$BIN" -c avrispmkII -P usb:EMU2 -p m32u4 -U "$LEONARDO"
    same_chip "$W/b" "$W/ref"
    same_chip "$W/a" "$W/fresh"
    expect 4 emu avrisp2 m32u4 "$W/a" --opt devices=2 -- "$BIN" -c avrisp2 -P usb:NOPE -p m32u4 -U "$LEONARDO"
    has "no AVRISP mkII with serial number \"NOPE\""
    has "usb:EMU2"
    expect 0 emu avrisp2 m32u4 "$W/a" --opt serial=000200012345 -- "$BIN" -P '?'
    has 'USB 03eb:2104  serial 000200012345  "ATMEL" "AVRISP mkII"'
    has '-P usb:000200012345'
    has "LUFA clone of it): -c avrisp2"
    expect 2 emu avrisp2 m32u4 "$W/a" -- "$BIN" -c avrisp2 -P usb:16c0:0483 -p m32u4 -U "$LEONARDO"
    has "use -c stk500v2 -P usb:16c0:0483"
    same_chip "$W/a" "$W/fresh"
    expect 4 emu usbasp m32u4 "$W/a" -- "$BIN" -c avrisp2 -P usb -p m32u4 -U "$LEONARDO"
    has "no AVRISP mkII found"
    has "03eb:2104"
    ;;

mk2_bitclock)
    # -B through the mkII's own SCK_DURATION table (AVR069), against a target
    # that answers only up to 20 kHz.
    expect 0 emu avrisp2 m32u4 "$W/a" --opt max_sck=20000 -- "$BIN" -c avrisp2 -v -B 100 -p m32u4 -U "$QMK32U4"
    has "SCK_DURATION 53 = 10.0 kHz"
    has "flash verified"
    expect 5 emu avrisp2 m32u4 "$W/b" --opt max_sck=20000 -- "$BIN" -c avrisp2 -B 10 -p m32u4 -U "$QMK32U4"
    has "Programming Enable"
    expect 0 emu avrisp2 m32u4 "$W/c" -- "$BIN" -c avrisp2 -v -B 0.125 -p m32u4 -n
    has "SCK_DURATION 0 = 8000.0 kHz"
    expect 0 emu avrisp2 m32u4 "$W/c" -- "$BIN" -c avrisp2 -v -B 100000 -p m32u4 -n
    has "slowest ISP clock of the AVRISP mkII is 51 Hz"
    ;;

mk2_faults)
    # Each fault: its exit code, within a bounded time, and after the failing
    # command nothing but LEAVE_PROGMODE reached the firmware (stats: commands run).
    expect 5 emu avrisp2 m32u4 "$W/u" --opt unwired=1 -- "$BIN" -c avrisp2 -p m32u4 -U "$LEONARDO"
    has "answered CMD_FAILED to ENTER_PROGMODE_ISP"
    has "measures 0.0 V"
    for f in stall_at=20:4:20 hang_at=20:4:19 unplug_after=40:4:39; do
        opt=${f%%:*}
        rest=${f#*:}
        code=${rest%%:*}
        ran=${rest#*:}
        rm -f "$W/f"
        t0=$(date +%s)
        expect "$code" emu avrisp2 m32u4 "$W/f" --stats "$W/s" --opt "$opt" -- "$BIN" -c avrisp2 -p m32u4 -U "$LEONARDO"
        t=$(($(date +%s) - t0))
        [ "$t" -le 20 ] || fail "$opt took $t s"
        [ "$(stat_of "$W/s" messages)" = "$ran" ] ||
            fail "$opt: the firmware ran $(stat_of "$W/s" messages) commands, expected $ran"
        case $opt in
        stall*) has "stalled request PROGRAM_FLASH_ISP" ;;
        hang*) has "no valid answer within 1000 ms, 3 times" ;;
        unplug*) has "last address written was flash 0x" ;;
        esac
    done
    ;;

mk2_avrdude)
    # avrdude 7.1 (libusb-0.1) drives the same emulated mkII and leaves the same chip.
    for o in "" "--opt lufa=1"; do
        for pair in "m32u4 $LEONARDO" "usb1286 $QMK128"; do
            part=${pair%% *}
            file=${pair#* }
            rm -f "$W/avrdude.chip" "$W/ispflash.chip"
            expect 0 emu avrisp2 "$part" "$W/avrdude.chip" $o -- "$AVRDUDE" -c avrisp2 -P usb -p "$part" -U "flash:w:$file:i"
            has "verified"
            expect 0 emu avrisp2 "$part" "$W/ispflash.chip" $o -- "$BIN" -c avrisp2 -P usb -p "$part" -U "$file"
            same_chip "$W/avrdude.chip" "$W/ispflash.chip"
        done
    done
    head -c 200 /dev/urandom >"$W/ee.bin"
    rm -f "$W/avrdude.chip" "$W/ispflash.chip"
    expect 0 emu avrisp2 m32u4 "$W/avrdude.chip" -- "$AVRDUDE" -c avrispmkII -P usb -p m32u4 \
        -U "eeprom:w:$W/ee.bin:r" -U hfuse:w:0xD9:m -U efuse:w:0xF3:m
    expect 0 emu avrisp2 m32u4 "$W/ispflash.chip" -- "$BIN" -c avrispmkII -P usb -p m32u4 \
        -U "eeprom:w:$W/ee.bin:r" -U hfuse:w:0xD9:m -U efuse:w:0xF3:m
    same_chip "$W/avrdude.chip" "$W/ispflash.chip"
    expect 0 emu avrisp2 m32u4 "$W/ispflash.chip" -- "$AVRDUDE" -c avrisp2 -P usb -p m32u4 -U "eeprom:v:$W/ee.bin:r" -U hfuse:v:0xD9:m
    ;;

mk2_counts)
    # Fewer USB transfers than avrdude for the same write+verify and read.
    expect 0 emu avrisp2 m32u4 "$W/a" --stats "$W/s_isp" -- "$BIN" -c avrisp2 -p m32u4 -U "$LEONARDO"
    expect 0 emu avrisp2 m32u4 "$W/b" --stats "$W/s_avr" -- "$AVRDUDE" -c avrisp2 -P usb -p m32u4 -U "flash:w:$LEONARDO:i"
    i=$(stat_of "$W/s_isp" transfers)
    a=$(stat_of "$W/s_avr" transfers)
    echo "avrisp2 write+verify: ispflash $i, avrdude $a bulk transfers"
    [ "$i" -lt "$a" ] || fail "ispflash used $i transfers, avrdude $a"
    [ "$(stat_of "$W/s_isp" request_6)" -le 4 ] || fail "$(stat_of "$W/s_isp" request_6) LOAD_ADDRESS for one contiguous image"
    expect 0 emu avrisp2 m32u4 "$W/a" --stats "$W/s_isp" -- "$BIN" -c avrisp2 -p m32u4 -U "flash:r:$W/r1.bin:r"
    [ "$(stat_of "$W/s_isp" request_20)" = 128 ] || fail "32 KiB read in $(stat_of "$W/s_isp" request_20) READ_FLASH_ISP, not 128"
    expect 0 emu avrisp2 m32u4 "$W/a" -- "$AVRDUDE" -c avrisp2 -P usb -p m32u4 -U "flash:r:$W/r2.bin:r"
    cmp -s "$W/r1.bin" "$W/r2.bin" || fail "ispflash and avrdude read different flash"
    ;;

*) fail "unknown case" ;;
esac
echo "PASS [$CASE]"
exit 0
