#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# usb_emu --target-file FILE (USBtiny, USBasp): one emulated programmer stays
# plugged in while the board in its socket is taken away and others are put in
# between ispflash runs (all run as usb_emu's command, so the firmware is never
# restarted). Arguments: ISPFLASH USB_EMU DATA_DIR PROTO UMOCKDEV_WRAPPER.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
PROTO=$4
WRAP=$5
make_image img.bin 2048
T=$WORK/b.chip

# The runs, with each exit status in rcs (usb_emu serves them all).
cat >runs.sh <<INNER
r() { name=\$1; shift; timeout 60 "\$@" >"\$name.log" 2>&1; echo "\$name \$?" >>rcs; }
I="$BIN -c $PROTO -p m328p"
r empty \$I -U flash:r:out.bin:r
[ -e b.chip ] && echo "empty_made_file 1" >>rcs
touch b.chip
r write \$I -U flash:w:img.bin:r
[ -s b.chip ] && echo "write_saved 1" >>rcs
r verify \$I -U flash:v:img.bin:r
rm b.chip
r gone \$I -U flash:v:img.bin:r
[ -e b.chip ] && echo "gone_made_file 1" >>rcs
touch b.chip
r fresh \$I -U flash:r:fresh.bin:r -U lfuse:r:lf.txt:h
INNER
run 280 usb.log "$WRAP" "$EMU" --proto "$PROTO" --part m328p --target-file "$T" -- bash runs.sh
expect_rc "usb_emu with its runs" 0
rc_of() { awk -v k="$1" '$1 == k { print $2 }' rcs; }
LAST_LOG=empty.log
check "empty socket: exit 5 (got $(rc_of empty))" [ "$(rc_of empty)" = 5 ]
expect_log "empty socket" "did not answer Programming Enable"
check "empty socket: no file made" [ -z "$(rc_of empty_made_file)" ]
LAST_LOG=write.log
check "write to a fresh board: exit 0 (got $(rc_of write))" [ "$(rc_of write)" = 0 ]
check "written board saved when programming mode was left" [ "$(rc_of write_saved)" = 1 ]
LAST_LOG=verify.log
check "a later run verifies the same board: exit 0 (got $(rc_of verify))" [ "$(rc_of verify)" = 0 ]
LAST_LOG=gone.log
check "board taken away: exit 5 (got $(rc_of gone))" [ "$(rc_of gone)" = 5 ]
check "board taken away: no file made" [ -z "$(rc_of gone_made_file)" ]
LAST_LOG=fresh.log
check "another board: exit 0 (got $(rc_of fresh))" [ "$(rc_of fresh)" = 0 ]
check "another board: blank flash" [ ! -s fresh.bin ]
check "another board: default lfuse 0x62" grep -qx "0x62" lf.txt
check "another board, only read: the file stays empty" empty_file b.chip

finish
