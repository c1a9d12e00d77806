#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The configuration file end to end: a dryrun run whose programmer and part come
# from $XDG_CONFIG_HOME/ispflash/config, the command line overriding it, -N, -v
# naming the file, and a bad line (file:line, exit 2).
#   config_e2e.sh ISPFLASH DATA_DIR
set -u
BIN=${1:?usage: config_e2e.sh ISPFLASH DATA_DIR}
DATA=${2:?}
. "$(dirname "$0")/../cli/lib.sh"
HEX=$DATA/real/arduino_Caterina-Leonardo.hex
export XDG_CONFIG_HOME=$WORK/xdg
CFG=$XDG_CONFIG_HOME/ispflash/config
mkdir -p "$XDG_CONFIG_HOME/ispflash"
printf '# the shop default\nprogrammer = dryrun   # no hardware\npart = m32u4\n' >"$CFG"

# programmer and part from the file: written, then verified in a second run.
check "config: flash with -c/-p from the file" run 0 "$BIN" -v -x "state=$WORK/chip" -U "$HEX"
check "config: -v names the file read" err_has "configuration file $CFG: read"
check "config: the state was written" test -s "$WORK/chip"
check "config: verify from the file" run 0 "$BIN" -x "state=$WORK/chip" -U "flash:v:$HEX:i"
check "config: the part named in the run" err_has "ATmega32U4"

# The command line wins: -p t85 against the file's m32u4 (the Caterina image is too big).
check "config: -p overrides the file's part" run 3 "$BIN" -p t85 -x "state=$WORK/c2" -U "$HEX"
check "config: -p t85 is the one used" err_has "ATtiny85"

# -N: the file is not read (so no part: usage error), and -v says so.
check "config: -N ignores the file" run 2 "$BIN" -N -v -x "state=$WORK/chip" -U "$HEX"
check "config: -N, no part" err_has "no part given"
check "config: -N -v says no file was read" err_has "-N: no configuration file read"

# A bad line: its file and line, exit 2, nothing written; -N gets past it.
printf 'programmer = dryrun\nspeed = 3\n' >"$CFG"
rm -f "$WORK/c3"
check "config: a bad line is a usage error" run 2 "$BIN" -p m32u4 -x "state=$WORK/c3" -U "$HEX"
check "config: the message names file:line" err_has "$CFG:2: unknown key 'speed'"
check "config: nothing written after a bad file" test ! -e "$WORK/c3"
check "config: -N ignores a bad file" run 0 "$BIN" -N -c dryrun -p m32u4 -x "state=$WORK/c3" -U "$HEX"

# No file at all: nothing changes, -v says where it looked.
rm -f "$CFG"
check "config: no file, no -c" run 2 "$BIN" -v -p m32u4 -U "$HEX"
check "config: -v says the file is not present" err_has "configuration file $CFG: not present"
finish
