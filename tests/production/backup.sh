#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Back up before overwriting (issue 12) and memory lists (avrdude 8's -U ALL / a,b):
#  - a Caterina chip turned into a DFU one: the run first saves Caterina's boot section
#    and the fuses to the state directory, says where and how to restore; restoring
#    with -U ALL:w:BACKUP gives back the boot section and the fuses byte for byte;
#  - --backup FILE saves the whole chip (flash, EEPROM, fuses, lock), the same bytes as
#    -U ALL:r; --no-backup and -n save nothing; a blank chip with no fuse change
#    needs no backup; a backup that cannot be written stops the run before the chip
#    is touched, nothing erased;
#  - -U flash,eeprom:r:FILE puts EEPROM at 0x810000 (as avr-objcopy does), and
#    -U ALL:w of an avr-objcopy-style file writes every memory in it.
# Usage: backup.sh ISPFLASH DATADIR
set -u
BIN=$(realpath "$1")
D=$(realpath "$2")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
export XDG_STATE_HOME=$W/state
CAT=$D/sparkfun_Caterina-promicro16.hex
DFU=$D/qmk_bootloader_atmega32u4_1_0_0.hex
. "$(dirname "$(realpath "${BASH_SOURCE[0]}")")/lib.sh"
isp() { # CHIP ARGS...: one dryrun run; sets RC, output in out/err
    local chip=$1
    shift
    RC=0
    timeout 30 "$BIN" -c dryrun -p m32u4 -x state="$chip" "$@" >out 2>err || RC=$?
}
crop() { # IN OUT RANGES...: the bytes of IN in the ranges (flash's trailing 0xFF
    local in=$1 out=$2 # filled in: a read trims them), as Intel HEX
    shift 2
    srec_cat "$in" -Intel -crop "$@" -fill 0xFF 0x7000 0x8000 -o "$out" -Intel
}
nbackups() { find "$XDG_STATE_HOME" -name '*.hex' 2>/dev/null | wc -l; }

# A Caterina board, as it comes.
isp cat.chip -U "$CAT" --bootloader caterina-promicro16 --no-backup
check "setup: Caterina written (exit $RC)" [ "$RC" = 0 ]
check "--no-backup: no file" [ "$(nbackups)" = 0 ]
isp cat.chip -U ALL:r:orig.hex
check "ALL:r (exit $RC)" [ "$RC" = 0 ]

# Caterina -> DFU: the backup comes first.
isp cat.chip -U "$DFU" --bootloader atmel-dfu
check "to DFU: exit 0 (got $RC)" [ "$RC" = 0 ]
check "to DFU: one backup file" [ "$(nbackups)" = 1 ]
B=$(find "$XDG_STATE_HOME" -name '*.hex')
check "to DFU: in ispflash/backups, named part-signature-time" \
    sh -c "echo '$B' | grep -Eq '/state/ispflash/backups/m32u4-1e9587-[0-9]{8}-[0-9]{6}\\.hex$'"
check "to DFU: says where it went" grep -q "backup of the boot section 0x07000-0x07fff and the fuses saved to $B" err
check "to DFU: says how to restore" grep -q -- "-U ALL:w:$B" err
check "to DFU: the backup came before the erase" \
    [ "$(grep -n 'backup of the boot' err | cut -d: -f1)" -lt "$(grep -n 'erasing chip' err | cut -d: -f1)" ]
crop orig.hex want.hex 0x7000 0x8000 0x820000 0x830001
crop "$B" got.hex 0x7000 0x8000 0x820000 0x830001
check "backup = Caterina's boot section and fuses" cmp -s want.hex got.hex
check "backup holds nothing of the application area" \
    [ -z "$(srec_cat "$B" -Intel -crop 0 0x7000 -o - -Intel | grep -v '^:00000001FF')" ]

# Restore it: boot section and fuses back, byte for byte.
isp cat.chip -U "ALL:w:$B"
check "restore: exit 0 (got $RC)" [ "$RC" = 0 ]
isp cat.chip -U ALL:r:after.hex
crop after.hex got2.hex 0x7000 0x8000 0x820000 0x830001
check "restore: boot section and fuses equal the original" cmp -s want.hex got2.hex
check "restore: itself backed up the DFU chip first" [ "$(nbackups)" = 2 ]

# --backup FILE: the whole chip, as -U ALL:r gives it.
isp cat.chip -U eeprom:w:0x12,0x34:m --no-backup
isp cat.chip -U ALL:r:full_want.hex
isp cat.chip -U "$CAT" --backup full.hex
check "--backup FILE: exit 0 (got $RC)" [ "$RC" = 0 ]
check "--backup FILE: says so" grep -q "backup of the whole chip (flash, EEPROM, fuses, lock) saved to full.hex" err
check "--backup FILE: the same as -U ALL:r" cmp -s full_want.hex full.hex
check "--backup FILE: EEPROM at 0x810000" \
    [ "$(srec_cat full.hex -Intel -crop 0x810000 0x810002 -offset -0x810000 -o - -Binary | od -An -tx1 | tr -d ' \n')" = 1234 ]

# Nothing to lose: a blank chip, no fuse change.
n0=$(nbackups)
isp blank.chip -U "$CAT"
check "blank chip: exit 0 (got $RC)" [ "$RC" = 0 ]
check "blank chip: no backup" [ "$(nbackups)" = "$n0" ]
isp cat.chip -U "$DFU" -n
check "-n: no backup" [ "$(nbackups)" = "$n0" ]

# A backup that cannot be written stops the run before the chip is touched.
cp cat.chip keep.chip
isp cat.chip -U "$DFU" --backup /nonexistent/dir/b.hex
check "unwritable backup: exit 1 (an output file) and names it (got $RC)" sh -c "[ $RC = 1 ] && grep -q '/nonexistent/dir/b.hex' err"
check "unwritable backup: the chip is unchanged" cmp -s keep.chip cat.chip
isp cat.chip -U "$DFU" --backup x.hex --no-backup
check "--backup with --no-backup: exit 2 (got $RC)" [ "$RC" = 2 ]

# Memory lists: flash,eeprom read at avr-gcc addresses; ALL:w of such a file.
isp cat.chip -U flash,eeprom:r:fe.hex:i
check "flash,eeprom:r: exit 0 (got $RC)" [ "$RC" = 0 ]
check "flash,eeprom:r: no fuses in the file" [ -z "$(srec_cat fe.hex -Intel -crop 0x820000 0x840000 -o - -Intel | grep -v '^:00000001FF')" ]
srec_cat "$CAT" -Intel -crop 0x7000 0x7100 -o part.hex -Intel
printf '\x5a\xa5' >ee.bin
srec_cat part.hex -Intel ee.bin -Binary -offset 0x810000 -o multi.hex -Intel
isp multi.chip -U ALL:w:multi.hex
check "ALL:w of flash + EEPROM sections: exit 0 (got $RC)" [ "$RC" = 0 ]
check "ALL:w: wrote flash and EEPROM" sh -c 'grep -q "writing flash (256 bytes" err && grep -q "writing eeprom (2 bytes" err'
isp multi.chip -U eeprom:r:e.bin:r
check "ALL:w: EEPROM holds 5a a5" [ "$(head -c 2 e.bin | od -An -tx1 | tr -d ' \n')" = 5aa5 ]
isp multi.chip -U flash,lfuse:w:multi.hex
check "a listed memory missing from the file: exit 3 (got $RC)" [ "$RC" = 3 ]
check "  ... names it and where it was expected" grep -q "no lfuse data (expected at 0x820000)" err
isp multi.chip -U flash,bogus:r:x.hex
check "an unknown memory in a list: exit 2 (got $RC)" [ "$RC" = 2 ]
isp multi.chip -U ALL:r:x.bin:r
check "a list read as raw binary: exit 2 (got $RC)" [ "$RC" = 2 ]

finish backup
