#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding the programmer (docs/ports.md), end to end: -P ? / --list-ports, -P
# usb:VID:PID[:SERIAL], no -P, and the warning for a board in its bootloader, on
# emulated serial ports with USB sysfs identities (ispf-emu --tty-record: the
# served port runs the ArduinoISP emulator) and emulated USB devices (usb_emu,
# with the same tty records beside them through ISPF_USB_EMU_RECORDS).
# usage: ports_cases.sh CASE ISPFLASH ISPF-EMU USB_EMU UMOCKDEV_WRAPPER DATA_DIR
CASE=$1
BIN=$2
EMU=$3
USBEMU=$4
WRAP=$5
DATA=$6
W=$(mktemp -d "${TMPDIR:-/tmp}/ispflash-ports.XXXXXX")
trap 'rm -rf "$W"' EXIT
HEX=$DATA/real/sparkfun_Caterina-promicro16.hex

fail() {
    echo "FAIL [$CASE]: $*" >&2
    exit 1
}

# tty_rec NAME N VID PID SERIAL MANUFACTURER PRODUCT: append one USB CDC serial port
# (USB device, interface, tty) to $W/rec, on bus 2 port N (usb_emu uses bus 1).
tty_rec() {
    cat >>"$W/rec" <<REC
P: /devices/pci0000:00/0000:00:14.0/usb2/2-$2
E: SUBSYSTEM=usb
E: DEVTYPE=usb_device
A: idVendor=$3
A: idProduct=$4
A: manufacturer=$6
A: product=$7
A: serial=$5
A: busnum=2
A: devnum=$((10 + $2))

P: /devices/pci0000:00/0000:00:14.0/usb2/2-$2/2-$2:1.0
E: SUBSYSTEM=usb
E: DEVTYPE=usb_interface
E: DRIVER=cdc_acm
A: bInterfaceClass=02
A: bInterfaceNumber=00

P: /devices/pci0000:00/0000:00:14.0/usb2/2-$2/2-$2:1.0/tty/$1
N: $1
E: SUBSYSTEM=tty
E: DEVNAME=/dev/$1
A: dev=166:$2
L: device=../../../2-$2:1.0

REC
}
# The identities (docs/ports.md): QMK's ISP firmware (read from the real images),
# a Leonardo in Caterina, a CH340 adapter.
ISP="16c0 0483 12345 Teensyduino USB_Serial"
CATERINA="2341 0036 - Arduino_LLC Arduino_Leonardo"
CH340="1a86 7523 - - USB2.0-Serial"
# port NAME N IDENTITY: tty_rec with an identity above (underscores are blanks).
port() {
    set -- "$1" "$2" $3
    tty_rec "$1" "$2" "$3" "$4" "$(echo "$5" | tr -d -)" "$(echo "$6" | tr _ ' ' | tr -d -)" \
        "$(echo "$7" | tr _ ' ')"
}

# expect CODE CMD...: run with a guard against hangs; stdout in $W/out, stderr in $W/err.
expect() {
    want=$1
    shift
    timeout 120 "$@" >"$W/out" 2>"$W/err"
    rc=$?
    sed 's/^/  out| /' "$W/out"
    sed 's/^/  err| /' "$W/err"
    [ "$rc" = 124 ] && fail "hung: $*"
    [ "$rc" = "$want" ] || fail "exit code $rc, expected $want: $*"
}
has() { grep -q -- "$1" "$W/out" || fail "stdout lacks \"$1\""; }
err_has() { grep -q -- "$1" "$W/err" || fail "stderr lacks \"$1\""; }
err_hasnot() { ! grep -q -- "$1" "$W/err" || fail "stderr unexpectedly has \"$1\""; }

# tty SERVED -- ISPFLASH ARGS...: ispflash (under timeout) on the testbed of $W/rec,
# the ArduinoISP emulator on /dev/SERVED with its chip in $W/chip.
tty() {
    served=$1
    shift 2
    expect_code=${EXPECT:-0}
    expect "$expect_code" "$EMU" --proto "${PROTO:-arduinoisp}" --part m32u4 --tty "$served" \
        --tty-record "$W/rec" --state "$W/chip" --lifetime 100 -- timeout 60 "$BIN" "$@"
}

# The chip holds the Caterina image (the run programmed it through the right port).
chip_has_hex() {
    srec_cat "$HEX" -Intel -fill 0xFF 0 32768 -o "$W/want.bin" -Binary
    _fs=$(sed -n 's/^flash //p' "$W/chip" | head -1)
    tail -c +$(($(head -n 5 "$W/chip" | wc -c) + 1)) "$W/chip" | head -c "$_fs" >"$W/got.bin"
    cmp -s "$W/want.bin" "$W/got.bin" || fail "the emulated chip does not hold $HEX"
}

case $CASE in
list_ttys)
    port ttyACM0 1 "$ISP"
    port ttyACM1 2 "$CATERINA"
    port ttyUSB0 3 "$CH340"
    for opt in "-P ?" --list-ports; do
        # shellcheck disable=SC2086
        EXPECT=0 tty ttyACM0 -- $opt
        has "^  /dev/ttyACM0  USB 16c0:0483  serial 12345  \"Teensyduino\" \"USB Serial\""
        has "QMK's ISP firmware on a Pro Micro or Teensy 2.0.*: -c avrisp"
        has "-P /dev/ttyACM0 or -P usb:16c0:0483:12345"
        has "^  /dev/ttyACM1  USB 2341:0036"
        has "Arduino Leonardo in its Caterina bootloader"
        has "this is a board in its bootloader, not a programmer"
        has "^  /dev/ttyUSB0  USB 1a86:7523"
        has "CH340 USB-serial adapter"
        has "could be anything; -c avrisp if it runs ArduinoISP"
        has "USB programmers and boards in a USB bootloader:"
    done
    ;;
list_access)
    # A USB programmer that cannot be opened (no udev rule): listed, strings missing.
    expect 0 "$WRAP" "$USBEMU" --proto usbtiny --part m32u4 --state "$W/chip" --opt access=1 \
        -- timeout 60 "$BIN" -P '?'
    has "^  usb bus 1 device 2  USB 1781:0c9f$"
    has "USBtiny.*: -c usbtiny"
    has "(strings not read: permission denied)"
    ;;
list_usbtiny | list_usbasp | list_dfu)
    port ttyACM0 1 "$ISP"
    port ttyACM1 2 "$CATERINA"
    case $CASE in
    list_usbtiny) set -- --proto usbtiny ;;
    list_usbasp) set -- --proto usbasp ;;
    list_dfu) set -- --proto usbtiny --opt vid=0x03eb --opt pid=0x2ff4 --opt vendor=ATMEL \
        --opt product=ATm32U4DFU --opt serial=1.0.0 ;;
    esac
    ISPF_USB_EMU_RECORDS=$W/rec expect 0 "$WRAP" "$USBEMU" --part m32u4 --state "$W/chip" "$@" \
        -- timeout 60 "$BIN" -P '?'
    has "^  /dev/ttyACM0  USB 16c0:0483"
    has "^  /dev/ttyACM1  USB 2341:0036"
    case $CASE in
    list_usbtiny)
        has "^  usb bus 1 device 2  USB 1781:0c9f"
        has "USBtinyISP / SparkFun Pocket AVR: -c usbtiny"
        has "^      -P usb"
        ;;
    list_usbasp)
        has "^  usb bus 1 device 2  USB 16c0:05dc  .*\"www.fischl.de\" \"USBasp\""
        has "USBasp (fischl.de firmware), or a board running USBaspLoader.*: -c usbasp$"
        ;;
    list_dfu)
        has "^  usb bus 1 device 2  USB 03eb:2ff4  serial 1.0.0  \"ATMEL\" \"ATm32U4DFU\""
        has "ATmega32U4 in its Atmel/QMK DFU bootloader"
        has "this is a board in its bootloader, not a programmer"
        ;;
    esac
    ;;
usb_pick)
    # Two ports; -P usb:16c0:0483 names the second, which is programmed.
    port ttyACM0 1 "$CH340"
    port ttyACM1 2 "$ISP"
    tty ttyACM1 -- -c avrisp -P usb:16c0:0483 -p m32u4 -U "$HEX"
    err_has "P usb:16c0:0483 is /dev/ttyACM1"
    chip_has_hex
    ;;
usb_pick_serial)
    # Two programmers of one kind told apart by serial number.
    tty_rec ttyACM0 1 16c0 0483 AAA1 Teensyduino "USB Serial"
    tty_rec ttyACM1 2 16c0 0483 BBB2 Teensyduino "USB Serial"
    tty ttyACM1 -- -c avrisp -P usb:16C0:0483:BBB2 -p m32u4 -U "$HEX"
    err_has "is /dev/ttyACM1"
    chip_has_hex
    ;;
usb_nomatch)
    port ttyACM0 1 "$ISP"
    port ttyUSB0 2 "$CH340"
    EXPECT=4 tty ttyACM0 -- -c avrisp -P usb:2341:0043 -p m32u4 -U "$HEX"
    err_has "no serial port has USB id 2341:0043"
    err_has "/dev/ttyACM0  usb:16c0:0483:12345"
    err_has "/dev/ttyUSB0  usb:1a86:7523"
    ;;
usb_two)
    port ttyACM0 1 "$ISP"
    port ttyACM1 2 "$ISP"
    EXPECT=2 tty ttyACM0 -- -c avrisp -P usb:16c0:0483 -p m32u4 -U "$HEX"
    err_has "2 serial ports have USB id 16c0:0483; add :SERIAL"
    err_has "/dev/ttyACM0  usb:16c0:0483:12345"
    err_has "/dev/ttyACM1  usb:16c0:0483:12345"
    ;;
usb_bad)
    port ttyACM0 1 "$ISP"
    EXPECT=2 tty ttyACM0 -- -c avrisp -P usb:xyz -p m32u4 -U "$HEX"
    err_has "give usb:VID:PID\[:SERIAL\]"
    ;;
auto_one)
    # A bootloader, the ISP programmer and a CH340: the programmer is the one.
    port ttyACM0 1 "$CATERINA"
    port ttyACM1 2 "$ISP"
    port ttyUSB0 3 "$CH340"
    tty ttyACM1 -- -c avrisp -p m32u4 -U "$HEX"
    err_has "no -P given: using /dev/ttyACM1 (QMK's ISP firmware"
    chip_has_hex
    ;;
auto_log)
    # The port chosen without -P is the one the board log and --json name.
    port ttyACM0 1 "$CATERINA"
    port ttyACM1 2 "$ISP"
    tty ttyACM1 -- -c avrisp -p m32u4 -U "$HEX" --log "$W/log.csv" --json
    err_has "no -P given: using /dev/ttyACM1"
    has '"port":"/dev/ttyACM1"'
    grep -q ',avrisp,/dev/ttyACM1,' "$W/log.csv" || fail "the log does not name /dev/ttyACM1"
    chip_has_hex
    ;;
auto_buspirate)
    # The same ports and -c buspirate: the Bus Pirate v4 is the one, not the ISP firmware.
    port ttyACM0 1 "$ISP"
    tty_rec ttyACM1 2 04d8 fb00 0000001 "Dangerous Prototypes" "Bus Pirate V4 "
    PROTO=buspirate tty ttyACM1 -- -c buspirate -p m32u4 -U "$HEX"
    err_has "no -P given: using /dev/ttyACM1 (Bus Pirate v4)"
    chip_has_hex
    ;;
auto_only)
    # One unknown USB serial port and nothing else: it is used, and said so.
    tty_rec ttyACM0 1 dead beef X1 Someone "Some gadget"
    tty ttyACM0 -- -c avrisp -p m32u4 -U "$HEX"
    err_has "no -P given: using /dev/ttyACM0 (the only USB serial port, an unknown device)"
    chip_has_hex
    ;;
auto_other)
    # The only port is a known device of another kind: not taken, listed instead.
    tty_rec ttyACM0 1 04d8 fb00 0000001 "Dangerous Prototypes" "Bus Pirate V4 "
    EXPECT=2 tty ttyACM0 -- -c avrisp -p m32u4 -U "$HEX"
    err_has "no -P given and no serial port looks like a programmer for -c avrisp"
    err_has "/dev/ttyACM0  usb:04d8:fb00:0000001  Bus Pirate v4"
    ;;
auto_two)
    port ttyACM0 1 "$ISP"
    port ttyACM1 2 "$ISP"
    EXPECT=2 tty ttyACM0 -- -c avrisp -p m32u4 -U "$HEX"
    err_has "no -P given and 2 serial ports could be the programmer for -c avrisp"
    err_has "/dev/ttyACM0  usb:16c0:0483:12345"
    err_has "/dev/ttyACM1  usb:16c0:0483:12345"
    ;;
auto_none)
    # No serial port at all (only a USBtiny): exit 4 with what to do.
    expect 4 "$WRAP" "$USBEMU" --proto usbtiny --part m32u4 --state "$W/chip" -- \
        timeout 60 "$BIN" -c avrisp -p m32u4 -U "$HEX"
    err_has "no -P given and no USB serial port found: plug in the programmer"
    ;;
bootloader_warn)
    # -c avrisp on a port whose identity is a Leonardo in Caterina: warned about
    # before the first byte is sent (the -vvv wire log comes after the warning).
    port ttyACM0 1 "$CATERINA"
    tty ttyACM0 -- -c avrisp -vvv -P /dev/ttyACM0 -p m32u4 -U "$HEX"
    err_has "warning: /dev/ttyACM0 is 2341:0036, Arduino Leonardo in its Caterina bootloader"
    err_has "the board you want to flash, not an ISP programmer"
    wl=$(grep -n "warning: /dev/ttyACM0 is 2341:0036" "$W/err" | head -1 | cut -d: -f1)
    sl=$(grep -n -i "opened /dev/ttyACM0" "$W/err" | head -1 | cut -d: -f1)
    [ -n "$sl" ] || fail "no 'opened /dev/ttyACM0' line at -vvv"
    [ "$wl" -lt "$sl" ] || fail "the warning (line $wl) came after the port was opened (line $sl)"
    # the ISP programmer's own identity gets no such warning
    rm -f "$W/rec"
    port ttyACM0 1 "$ISP"
    tty ttyACM0 -- -c avrisp -P /dev/ttyACM0 -p m32u4 -U "$HEX"
    err_hasnot "warning: /dev/ttyACM0 is"
    err_hasnot "not an ISP programmer"
    ;;
*)
    fail "unknown case"
    ;;
esac
echo "PASS [$CASE]"
