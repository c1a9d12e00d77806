#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fault injection in the ArduinoISP emulator: every fault must end ispflash with a
# non-zero exit and a message saying what happened, and never hang (the 30 s
# guard of `run` must not fire).
# usage: e2e_faults.sh ISPFLASH ISPF-EMU DATA_DIR
BIN=$1
EMU=$2
DATA=$3
. "$(dirname "$0")/lib.sh"

HEX=$DATA/real/sparkfun_Caterina-promicro16.hex

# fault NAME EXIT-CODE EMU-OPTIONS MESSAGE-REGEX [ISPFLASH ARGS...]
fault() {
    fname=$1
    fcode=$2
    EMUOPTS=$3
    msg=$4
    shift 4
    [ $# -gt 0 ] || set -- -U "$HEX"
    rm -f "$WORK/f.chip"
    ispf_emu "$WORK/f.chip" "${FPART:-m32u4}" "$@"
    EMUOPTS=
    check "$fname: exits $fcode without hanging (rc $RC)" failed_with "$fcode"
    check "$fname: guard did not fire" [ "$HUNG" = no ]
    check "$fname: message says what happened" grep -Eqi -- "$msg" "$WORK/err"
}

# The link
fault "dropped reply" 4 "--drop-reply 20" "no complete reply from the programmer to PROG_PAGE"
fault "dropped reply during sync-up" 4 "--drop-reply 3" "no complete reply from the programmer"
fault "garbled byte" 4 "--garble-reply 20" "unexpected byte 0x[0-9a-f]+ instead of INSYNC"
# after a failed command the target is still let out of programming mode
check "garbled byte: LEAVE_PROGMODE still reached the programmer" [ "$(stat_of "$WORK/f.chip" proto.left_progmode)" -ge 1 ]
check "garbled byte: the session did not end in programming mode" [ -z "$(stat_of "$WORK/f.chip" proto.ended_in_progmode)" ]
fault "garbled signature read" 4 "--garble-reply 7" "unexpected byte"
fault "truncated reply" 4 "--truncate-reply 30" "no complete reply"
fault "connection closed mid-write" 4 "--close-after-rx 2000" "closed the connection|connection to the programmer was lost"
fault "connection closed at once" 4 "--close-after-rx 1" "closed the connection|connection to the programmer was lost|no answer"
fault "programmer silent" 4 "--silent" "no answer from the programmer.*baud rate.*ISP firmware.*pin 10"

# The target
st=$WORK/f.chip
srec_cat "$HEX" -Intel -fill 0xFF 0 32768 -o "$WORK/want.bin" -Binary
v=$(od -An -tu1 -j $((0x7010)) -N1 "$WORK/want.bin" | tr -d ' ')
mask=$(((~v) & 0xFF))
check "test setup: byte 0x7010 of the image has a 0 bit" [ "$mask" -ne 0 ]
fault "stuck flash bit" 6 "--stuck 0x7010:$mask" "verif.*0x0*7010"
fault "no target (signature 000000)" 5 "--unwired" "no target.*00 00 00.*pin 10"
FPART=m328p fault "wrong part" 5 "" "signature 1e 95 0f.*ATmega328P" -p m32u4 -U "$HEX"
FPART=

# The port and options (no emulator needed)
run "$BIN" -c avrisp -P /dev/ttyISPFNOPE0 -p m32u4 -U "$HEX"
check "missing port: exit 4 (rc $RC)" failed_with 4
check "missing port: says so" err_has "does not exist"
run "$BIN" -c avrisp -P /dev/ttyISPFNOPE0 -b 1200 -p m32u4 -U "$HEX"
check "1200 baud refused: exit 2 (rc $RC)" failed_with 2
check "1200 baud: says why" err_has "refusing 1200 baud"
run "$BIN" -c avrisp -P net:127.0.0.1:1 -p m32u4 -U "$HEX"
check "nothing listening: exit 4 (rc $RC)" failed_with 4
check "nothing listening: says so" err_has "cannot connect"
run "$BIN" -c avrisp -P net:nohostport -p m32u4 -U "$HEX"
check "bad net: port: usage error, exit 2 (rc $RC)" failed_with 2
check "bad net: port: says the syntax" err_has "net:HOST:PORT"
ispf_emu "$WORK/x.chip" m32u4 -x frobnicate -U "$HEX"
check "unknown -x: exit 2 (rc $RC)" failed_with 2
check "unknown -x: named" err_has "frobnicate"
# -B: ArduinoISP's clock is fixed (and it cannot parse SET_PARAMETER)
ispf_emu "$WORK/x.chip" m32u4 -B 32 -U "$HEX"
check "-B refused with avrisp: exit 2 (rc $RC)" failed_with 2
check "-B refusal says the clock is fixed" err_has "fixed"
check "-B never reached the programmer as SET_PARAMETER" [ -z "$(stat_of "$WORK/x.chip" proto.cmd_40)" ]

finish
