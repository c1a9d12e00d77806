#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# -c stk500 finds the programmer's protocol: STK500v2 (SIGN_ON) first, then
# STK500v1 (GET_SYNC), as avrdude does. Against the STK500v2 emulator and the
# ArduinoISP (STK500v1) emulator it writes and verifies a real HEX and leaves the
# chip srec_cat expects; -v names the protocol; a port that is not a programmer
# ends with exit 4 in bounded time; avrdude 7.1 agrees with the emulators.
# usage: e2e.sh ISPFLASH ISPF-EMU DATA_DIR CASE   (CASE: write avrdude notpgm usage valgrind)
BIN=$1
EMU=$2
DATA=$3
CASE=$4
. "$(dirname "$0")/../stk500v1/lib.sh"
CHATTER="$(dirname "$0")/../tools/chatter.py"
HEX="$DATA/real/sparkfun_Caterina-promicro16.hex"

# The chip srec_cat expects after writing HEX to an erased m32u4 (32 KiB).
srec_cat "$HEX" -Intel -fill 0xFF 0 0x8000 -o "$WORK/expect.bin" -Binary

# stk500 PROTO NAME ARGS...: one ispflash -c stk500 run against a fresh emulator.
stk500() {
    _proto=$1
    _name=$2
    shift 2
    # shellcheck disable=SC2086
    EMUPROTO=$_proto emu_start "$WORK/$_name.chip" m32u4 ${EMUOPTS:-}
    run "$BIN" -c stk500 -P "net:127.0.0.1:$PORT" -p m32u4 "$@"
    emu_done
}

# avrd PROTO NAME SECONDS PGM ARGS...: avrdude 7.1 against a fresh emulator.
avrd() {
    _proto=$1
    _name=$2
    _secs=$3
    _pgm=$4
    shift 4
    EMUPROTO=$_proto emu_start "$WORK/$_name.chip" m32u4
    timeout "$_secs" avrdude -c "$_pgm" -P "net:127.0.0.1:$PORT" -p m32u4 "$@" \
        >"$WORK/out" 2>"$WORK/err"
    RC=$?
    emu_done
}

chip_is_expected() {
    state_flash "$1" "$WORK/got.bin"
    cmp -s "$WORK/got.bin" "$WORK/expect.bin"
}

case_write() {
    stk500 stk500v2 v2 -v -U "flash:w:$HEX:i"
    check "v2: exit 0 (got $RC)" ok
    check "v2: -v names STK500v2 and its sign-on" \
        err_has "stk500.*the programmer speaks STK500v2 (sign-on 'STK500_2')"
    check "v2: flash verified" err_has "flash verified (4090 bytes)"
    check "v2: chip equals srec_cat's expectation" chip_is_expected "$WORK/v2.chip"

    stk500 arduinoisp v1 -v -U "flash:w:$HEX:i"
    check "v1: exit 0 (got $RC)" ok
    check "v1: -v names STK500v1 and its sign-on" \
        err_has "stk500.*the programmer speaks STK500v1 (sign-on 'AVR ISP')"
    check "v1: flash verified" err_has "flash verified (4090 bytes)"
    check "v1: chip equals srec_cat's expectation" chip_is_expected "$WORK/v1.chip"
    # A genuine STK500 with v1 firmware (sign-on "AVR STK"): what -c stk500 is for.
    EMUOPTS="--opt firmware=stk500" stk500 arduinoisp gen -v -U "flash:w:$HEX:i"
    check "genuine STK500 v1: exit 0 (got $RC)" ok
    check "genuine STK500 v1: -v names STK500v1 and its sign-on" \
        err_has "the programmer speaks STK500v1 (sign-on 'AVR STK')"
    check "genuine STK500 v1: chip equals srec_cat's expectation" chip_is_expected "$WORK/gen.chip"
    # The v2 probe's sign-on retries are not warnings at the default level.
    stk500 arduinoisp v1q -U "flash:w:$HEX:i"
    check "v1 quiet: exit 0 (got $RC)" ok
    check "v1 quiet: no SIGN_ON warnings" sh -c "! grep -q SIGN_ON '$WORK/err'"
    check "v1 quiet: chip equals srec_cat's expectation" chip_is_expected "$WORK/v1q.chip"

    # Reading back through each: the whole flash as written.
    # (a raw read leaves out trailing 0xFF bytes, as avrdude does: pad it back)
    for v in 2 1; do
        [ $v = 2 ] && proto=stk500v2 || proto=arduinoisp
        stk500 $proto v$v -U "flash:r:$WORK/back$v.bin:r"
        check "v$v read: exit 0 (got $RC)" ok
        srec_cat "$WORK/back$v.bin" -Binary -fill 0xFF 0 0x8000 -o "$WORK/back$v.pad" -Binary
        check "v$v read: what was written" cmp -s "$WORK/back$v.pad" "$WORK/expect.bin"
    done
}

case_avrdude() {
    if ! command -v avrdude >/dev/null; then
        echo "avrdude is required (Debian package avrdude)" >&2
        exit 1
    fi
    # STK500v2 emulator: avrdude 7.1 -c stk500 finds v2 and leaves the same chip.
    avrd stk500v2 a2 60 stk500 -q -q -U "flash:w:$HEX:i"
    check "avrdude -c stk500 on v2: exit 0 (got $RC)" ok
    check "avrdude -c stk500 on v2: chip equals srec_cat's expectation" \
        chip_is_expected "$WORK/a2.chip"
    # ArduinoISP emulator: avrdude 7.1 -c stk500 sends the v2 SIGN_ON frame, gets
    # 0x15 (NOSYNC) bytes back, as real ArduinoISP/STK500v1 firmware answers, and
    # never falls back to v1: avrdude's issue #1467 (fixed in 7.2 by PR #1468,
    # which falls back after ~30 s). So: its probe for 8 s, then -c stk500v1.
    avrd arduinoisp a1p 8 stk500 -vvvv -U "flash:r:$WORK/a1p.bin:r"
    check "avrdude -c stk500 on v1: sends the v2 SIGN_ON frame" \
        err_has "send: . \[1b\] . \[01\] . \[00\] . \[01\] . \[0e\] . \[01\] . \[14\]"
    check "avrdude -c stk500 on v1: the emulator answers NOSYNC" err_has "recv: . \[15\]"
    check "avrdude -c stk500 on v1: 7.1 does not fall back (its #1467; rc $RC)" [ "$RC" = 124 ]
    avrd arduinoisp a1 60 stk500v1 -q -q -U "flash:w:$HEX:i"
    check "avrdude -c stk500v1 on v1: exit 0 (got $RC)" ok
    check "avrdude -c stk500v1 on v1: chip equals srec_cat's expectation" \
        chip_is_expected "$WORK/a1.chip"
    # ispflash reads avrdude's chips back through -c stk500 (same chip state).
    cp "$WORK/a2.chip" "$WORK/r2.chip"
    stk500 stk500v2 r2 -U "flash:v:$HEX:i"
    check "ispflash -c stk500 verifies avrdude's v2 chip (rc $RC)" ok
    cp "$WORK/a1.chip" "$WORK/r1.chip"
    stk500 arduinoisp r1 -U "flash:v:$HEX:i"
    check "ispflash -c stk500 verifies avrdude's v1 chip (rc $RC)" ok
}

# notpgm MODE: a TCP peer that is not a programmer; exit 4 within 10 s (the
# probes take about 0.8 s + 2.5 s), naming both protocols.
notpgm() {
    rm -f "$WORK/cport"
    python3 "$CHATTER" "$1" --port-file "$WORK/cport" --seconds 30 &
    _cpid=$!
    _i=0
    while [ ! -s "$WORK/cport" ] && [ $_i -lt 250 ]; do
        sleep 0.02
        _i=$((_i + 1))
    done
    _t0=$(date +%s)
    # shellcheck disable=SC2086
    timeout 10 $BIN -c stk500 -P "net:127.0.0.1:$(cat "$WORK/cport")" -p m32u4 \
        -U "flash:r:$WORK/x.bin:r" >"$WORK/out" 2>"$WORK/err"
    RC=$?
    ELAPSED=$(($(date +%s) - _t0))
    kill "$_cpid" 2>/dev/null
    wait "$_cpid" 2>/dev/null
}

case_notpgm() {
    notpgm silent
    check "silent: exit 4 (got $RC; 124 = hung)" failed_with 4
    check "silent: names both tries" err_has "tried STK500v2 (SIGN_ON: no answer.*then STK500v1"
    check "silent: within 8 s (took ${ELAPSED}s)" [ "$ELAPSED" -le 8 ]
    notpgm flood
    check "flood: exit 4 (got $RC; 124 = hung)" failed_with 4
    check "flood: names both tries" err_has "tried STK500v2 (SIGN_ON: no valid STK500v2 answer"
    check "flood: says the port sends data that is not STK500v1" err_has "not the STK500v1 protocol"
    check "flood: within 8 s (took ${ELAPSED}s)" [ "$ELAPSED" -le 8 ]
}

case_usage() {
    run "$BIN" -c stk500 -P net:127.0.0.1:9 -p m32u4 -x foo -U "flash:r:$WORK/x.bin:r"
    check "-x foo: exit 2 (got $RC)" failed_with 2
    check "-x foo: says -c stk500 has no -x options" err_has "stk500 has no extended options"
    # -B: STK500v2 sets the clock; the STK500v1 ArduinoISP has a fixed one.
    stk500 stk500v2 b2 -B 8 -U "flash:r:$WORK/x.bin:r"
    check "-B on v2: exit 0 (got $RC)" ok
    stk500 arduinoisp b1 -B 8 -U "flash:r:$WORK/x.bin:r"
    check "-B on v1: exit 2 as -c stk500v1 -B (got $RC)" failed_with 2
    check "-B on v1: says the STK500v1 clock is fixed" err_has "speaks STK500v1: its ISP clock is fixed"
    run "$BIN" -c '?'
    check "-c ? lists stk500" grep -q "stk500 .*STK500v2 or STK500v1" "$WORK/out" "$WORK/err"
}

# The forwarding and the probe's priv allocation under valgrind (both protocols,
# and a failed probe of both).
case_valgrind() {
    VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99"
    for proto in stk500v2 arduinoisp; do
        EMUPROTO=$proto emu_start "$WORK/vg$proto.chip" m32u4
        # shellcheck disable=SC2086
        timeout 120 $VG "$BIN" -q -c stk500 -P "net:127.0.0.1:$PORT" -p m32u4 -U "flash:w:$HEX:i" \
            >"$WORK/out" 2>"$WORK/err"
        RC=$?
        emu_done
        check "valgrind $proto: exit 0, no errors (got $RC)" ok
    done
    BIN="$VG $BIN" notpgm flood
    check "valgrind flood: exit 4, no errors (got $RC)" failed_with 4
}

"case_$CASE"
finish
