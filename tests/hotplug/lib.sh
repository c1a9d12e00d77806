# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the target-socket tests (sourced by bash).
# Arguments of every script: ISPFLASH ISPF_EMU TEST_DATA.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) # tests/hotplug
BIN=$(realpath "$1")
EMU=$(realpath "$2")
DATA=$(realpath "$3")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ispf-hotplug.XXXXXX")
EMU_PIDS=""
BG_PIDS=""
cleanup() {
    local p
    for p in $BG_PIDS $EMU_PIDS; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 1

FAILS=0
LAST_LOG=""
fail() {
    echo "FAIL: $*" >&2
    if [ -n "$LAST_LOG" ] && [ -f "$LAST_LOG" ]; then
        echo "---- $LAST_LOG ----" >&2
        tail -n 20 "$LAST_LOG" >&2
    fi
    FAILS=$((FAILS + 1))
}
pass() { echo "ok: $*"; }
check() { # check WHAT cmd...
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
    exit 0
}

# run SECS LOG cmd...: run with a time limit, output in LOG, exit status in RC.
run() {
    local secs=$1 log=$2
    shift 2
    LAST_LOG=$log
    RC=0
    timeout "$secs" "$@" >"$log" 2>&1 || RC=$?
    [ "$RC" -ne 124 ] || fail "timed out after ${secs}s: $*"
}
expect_rc() { # expect_rc WHAT N
    if [ "$RC" -eq "$2" ]; then pass "$1: exit $2"; else fail "$1: exit $RC, expected $2"; fi
}
expect_log() { # expect_log WHAT TEXT (in the last log)
    if grep -q -- "$2" "$LAST_LOG"; then pass "$1: says \"$2\""; else fail "$1: no \"$2\""; fi
}
missing() { [ ! -e "$1" ]; }
nonempty() { [ -s "$1" ]; }
empty_file() { [ -f "$1" ] && [ ! -s "$1" ]; }
inode() { stat -c %i "$1"; }
between() { [ "${1:-0}" -gt "$2" ] && [ "${1:-0}" -lt "$3" ]; } # between N LOW HIGH (exclusive)

# all_ff FILE: every byte of FILE is 0xFF (and there is at least one).
all_ff() { [ -s "$1" ] && [ "$(tr -d '\377' <"$1" | wc -c)" -eq 0 ]; }

# An image of N random bytes whose last byte is not 0xFF (readers trim trailing 0xFF).
make_image() { # make_image FILE N
    head -c $(($2 - 1)) /dev/urandom >"$1"
    printf '\000' >>"$1"
}

# wait_for FILE TEXT SECS: until TEXT appears in FILE.
wait_for() {
    local i=0
    while ! grep -q -- "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt $(($3 * 50)) ] && return 1
        sleep 0.02
    done
    return 0
}

# emu_start PROTO PART TARGET [ispf-emu options...]: an emulator serving clients one
# after the other (not --once) with the socket TARGET; EMU_PORT, EMU_PID, stats in
# $WORK/emu.stats.
emu_start() {
    local proto=$1 part=$2 target=$3
    shift 3
    rm -f "$WORK/emu.port"
    "$EMU" --proto "$proto" --part "$part" --listen 127.0.0.1:0 --port-file "$WORK/emu.port" \
        --target-file "$target" --stats "$WORK/emu.stats" --lifetime 280 "$@" \
        >"$WORK/emu.log" 2>&1 &
    EMU_PID=$!
    EMU_PIDS="$EMU_PIDS $EMU_PID"
    local i=0
    while [ ! -s "$WORK/emu.port" ]; do
        i=$((i + 1))
        if [ $i -gt 250 ]; then
            fail "emulator did not start: $(cat "$WORK/emu.log")"
            finish
        fi
        sleep 0.02
    done
    EMU_PORT=$(cat "$WORK/emu.port")
}
emu_stop() {
    kill "$EMU_PID" 2>/dev/null
    wait "$EMU_PID" 2>/dev/null
}
# stat_of KEY: a counter from the emulator's --stats file (written after each client).
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$WORK/emu.stats"; }
