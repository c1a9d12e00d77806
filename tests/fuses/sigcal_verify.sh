#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# -U signature:v and -U calibration:v with an image that does not start at address 0
# (an Intel HEX record at an offset) compare each byte with the chip's byte at the same
# address: a match exits 0, a real mismatch exits 6 and names the address. On the dryrun
# chip (ATmega32A: 4 calibration bytes 9A A1 A8 AF; ATmega32U4: signature 1E 95 87).
# Usage: sigcal_verify.sh ISPFLASH
set -u
BIN=$1
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
FAILS=0
N=0

# check NAME EXPECTED_RC PART ARGS...
check() {
    name=$1
    want=$2
    part=$3
    shift 3
    N=$((N + 1))
    rc=0
    timeout 20 "$BIN" -c dryrun -p "$part" "$@" >"$W/out" 2>"$W/err" || rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL [$name]: exit $rc, expected $want" >&2
        cat "$W/err" >&2
        FAILS=$((FAILS + 1))
    fi
}

err_has() {
    grep -qF -- "$1" "$W/err" || {
        echo "FAIL [$name]: stderr lacks: $1" >&2
        cat "$W/err" >&2
        FAILS=$((FAILS + 1))
    }
}

printf ':02000200A8AFA5\n:00000001FF\n' >"$W/cal23.hex"  # A8 AF at 2..3
printf ':02000200A80054\n:00000001FF\n' >"$W/cal23bad.hex" # A8 00 at 2..3
printf ':01000300AF4D\n:00000001FF\n' >"$W/cal3.hex"      # AF at 3
printf ':020001009587E1\n:00000001FF\n' >"$W/sig12.hex" # 95 87 at 1..2
printf ':020001009588E0\n:00000001FF\n' >"$W/sig12bad.hex" # 95 88 at 1..2

check "calibration at 2..3" 0 m32a -U "calibration:v:$W/cal23.hex:i"
check "calibration at 3" 0 m32a -U "calibration:v:$W/cal3.hex:i"
check "calibration whole, from 0" 0 m32a -U "calibration:v:0x9A,0xA1,0xA8,0xAF:m"
check "calibration mismatch at 3" 6 m32a -U "calibration:v:$W/cal23bad.hex:i"
err_has "calibration verification failed: first mismatch at 0x00003: expected 0x00, read 0xaf; 1 byte differs"
check "signature at 1..2" 0 m32u4 -U "signature:v:$W/sig12.hex:i"
check "signature mismatch at 2" 6 m32u4 -U "signature:v:$W/sig12bad.hex:i"
err_has "signature verification failed: first mismatch at 0x00002: expected 0x88, read 0x87; 1 byte differs"
check "signature whole" 0 m32u4 -U "signature:v:0x1E,0x95,0x87:m"
check "signature whole, wrong" 6 m32u4 -U "signature:v:0x1E,0x95,0x88:m"

echo "$N runs, $FAILS failures"
[ "$FAILS" = 0 ]
