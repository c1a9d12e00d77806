# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the STK500v1/ArduinoISP end-to-end tests. Source after setting
# BIN (ispflash), EMU (ispf-emu) and DATA (tests/data).
PASS=0
FAIL=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ispf-stk1.XXXXXX")
EMU_PID=
trap 'emu_kill; rm -rf "$WORK"' EXIT

# run CMD...: runs CMD with a 30 s guard; stdout/stderr in $WORK/out, $WORK/err,
# exit code in $RC. HUNG is set when the guard fired.
run() {
    timeout 30 "$@" >"$WORK/out" 2>"$WORK/err"
    RC=$?
    HUNG=no
    [ "$RC" = 124 ] && HUNG=yes && echo "HUNG (30 s guard fired): $*" >&2
    return 0
}

check() {
    _cname=$1
    shift
    if "$@"; then
        PASS=$((PASS + 1))
    else
        FAIL=$((FAIL + 1))
        echo "FAIL: $_cname" >&2
        echo "  condition: $*" >&2
        [ -f "$WORK/err" ] && sed 's/^/  stderr: /' "$WORK/err" | head -12 >&2
    fi
}

err_has() { grep -qi -- "$1" "$WORK/err"; }
ok() { [ "$RC" = 0 ]; }
# failed_with CODE: the run ended with exactly the documented exit code CODE (2 usage,
# 4 programmer/port, 5 target, 6 verify, ...), not merely non-zero: a sanitizer's
# exit 23 or a signal must not pass.
failed_with() { [ "$RC" = "$1" ]; }

finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" = 0 ] && [ "$PASS" -gt 0 ]
}

# emu_start STATE PART [ispf-emu options...]: one emulator ($EMUPROTO, default
# arduinoisp) for one client
# (--once), chip kept in STATE, counters in STATE.stats. Sets PORT.
emu_start() {
    _est=$1
    _epart=$2
    shift 2
    rm -f "$WORK/port"
    "$EMU" --proto "${EMUPROTO:-arduinoisp}" --part "$_epart" --listen 127.0.0.1:0 --port-file "$WORK/port" \
        --state "$_est" --stats "$_est.stats" --once --lifetime 120 "$@" >/dev/null &
    EMU_PID=$!
    _ei=0
    while [ ! -s "$WORK/port" ] && [ $_ei -lt 200 ]; do
        sleep 0.02
        _ei=$((_ei + 1))
    done
    PORT=$(cat "$WORK/port" 2>/dev/null)
}

# emu_done: wait (at most ~3 s) for the emulator to save its state and exit.
emu_done() {
    [ -n "$EMU_PID" ] || return 0
    _ei=0
    while kill -0 "$EMU_PID" 2>/dev/null && [ $_ei -lt 150 ]; do
        sleep 0.02
        _ei=$((_ei + 1))
    done
    emu_kill
}

emu_kill() {
    if [ -n "$EMU_PID" ]; then
        kill "$EMU_PID" 2>/dev/null
        wait "$EMU_PID" 2>/dev/null
        EMU_PID=
    fi
}

# ispf_emu STATE PART ISPFLASH-ARGS...: one ispflash run (-c avrisp unless
# PGM is set) against a fresh emulator process on STATE over net:, result as
# for run. Extra emulator options come from $EMUOPTS (split on blanks).
ispf_emu() {
    _ist=$1
    _ipart=$2
    shift 2
    # shellcheck disable=SC2086
    emu_start "$_ist" "$_ipart" ${EMUOPTS:-}
    run "$BIN" -c "${PGM:-avrisp}" -P "net:127.0.0.1:$PORT" -p "$_ipart" "$@"
    emu_done
}

# avrdude_emu STATE PART AVRDUDE-ARGS...: the same with avrdude 7.1.
avrdude_emu() {
    _ast=$1
    _apart=$2
    shift 2
    emu_start "$_ast" "$_apart"
    run avrdude -q -q -c avrisp -P "net:127.0.0.1:$PORT" -p "$_apart" "$@"
    emu_done
}

# Part sizes from ispflash's own table.
part_field() {
    "$BIN" -p '?' | awk -v id="$1" -v f="$2" '$1 == id { for (i = 1; i <= NF; i++) if ($i == f) { v = $(i + 1); gsub(",", "", v); print v } }'
}

# Pieces of an emulator chip state file ("ispflash-chip 1" text header of 5
# lines, then flash, then EEPROM).
state_header_len() { head -n 5 "$1" | wc -c; }
state_flash() { # STATE OUT
    _fs=$(sed -n 's/^flash //p' "$1" | head -1)
    tail -c +$(($(state_header_len "$1") + 1)) "$1" | head -c "$_fs" >"$2"
}
state_eeprom() { # STATE OUT
    _fs=$(sed -n 's/^flash //p' "$1" | head -1)
    tail -c +$(($(state_header_len "$1") + 1 + _fs)) "$1" >"$2"
}
state_fuses() { sed -n 's/^fuses //p' "$1" | head -1; }
stat_of() { awk -v k="$2" '$1 == k { print $2 }' "$1.stats"; }
