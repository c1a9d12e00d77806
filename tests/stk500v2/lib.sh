# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the STK500v2 and Bus Pirate end-to-end tests (sourced by bash).
# Environment: ISPF_BIN (ispflash), ISPF_EMU (ispf-emu), ISPF_TEST_DATA (tests/data).
set -u

: "${ISPF_BIN:?ISPF_BIN not set}"
: "${ISPF_EMU:?ISPF_EMU not set}"
: "${ISPF_TEST_DATA:?ISPF_TEST_DATA not set}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ispf-v2bp.XXXXXX")
EMU_PIDS=""
cleanup() {
    local p
    for p in $EMU_PIDS; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null # the emulators save their state as they exit
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    if [ -n "${LAST_LOG:-}" ] && [ -f "$LAST_LOG" ]; then
        echo "---- last output ($LAST_LOG) ----" >&2
        tail -n 30 "$LAST_LOG" >&2
    fi
    exit 1
}

# emu_start NAME PROTO PART [ispf-emu options...]
# Starts an emulator serving one connection; state in $WORK/NAME.chip, stats in
# $WORK/NAME.stats. Sets EMU_PORT and EMU_PID.
emu_start() {
    local name=$1 proto=$2 part=$3
    shift 3
    rm -f "$WORK/$name.port"
    "$ISPF_EMU" --proto "$proto" --part "$part" --listen 127.0.0.1:0 \
        --port-file "$WORK/$name.port" --state "$WORK/$name.chip" \
        --stats "$WORK/$name.stats" --once --lifetime 120 "$@" \
        >"$WORK/$name.emu.log" 2>&1 &
    EMU_PID=$!
    EMU_PIDS="$EMU_PIDS $EMU_PID"
    local i=0
    while [ ! -s "$WORK/$name.port" ]; do
        i=$((i + 1))
        [ $i -gt 200 ] && fail "emulator $name did not start: $(cat "$WORK/$name.emu.log")"
        sleep 0.02
    done
    EMU_PORT=$(cat "$WORK/$name.port")
}

# emu_wait: wait for the last emulator to finish its connection (and save state).
emu_wait() {
    local i=0
    while kill -0 "$EMU_PID" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 500 ]; then
            kill "$EMU_PID" 2>/dev/null
            fail "emulator did not finish"
        fi
        sleep 0.02
    done
    wait "$EMU_PID" 2>/dev/null || true
}

# emu_kill: stop the last emulator (when the host never connected).
emu_kill() {
    kill "$EMU_PID" 2>/dev/null
    wait "$EMU_PID" 2>/dev/null || true
}

# guarded SECONDS LOG cmd...: run cmd with a time limit, output to LOG; sets RC.
# Fails the test if the limit fired (every run must end by itself).
guarded() {
    local secs=$1 log=$2
    shift 2
    LAST_LOG=$log
    RC=0
    timeout "$secs" "$@" >"$log" 2>&1 || RC=$?
    [ "$RC" -eq 124 ] && fail "timed out after ${secs}s: $*"
    return 0
}

# ispf NAME SECONDS args...: ispflash against the running emulator ($EMU_PORT).
ispf() {
    local name=$1 secs=$2
    shift 2
    guarded "$secs" "$WORK/$name.log" "$ISPF_BIN" -P "net:127.0.0.1:$EMU_PORT" "$@"
}

# avrd NAME SECONDS args...: avrdude 7.1 against the running emulator.
avrd() {
    local name=$1 secs=$2
    shift 2
    guarded "$secs" "$WORK/$name.log" avrdude -P "net:127.0.0.1:$EMU_PORT" "$@"
}

expect_rc() {
    [ "$RC" -eq "$1" ] || fail "exit code $RC, expected $1"
}

expect_log() {
    grep -q -- "$1" "$LAST_LOG" || fail "output lacks \"$1\""
}

expect_no_log() {
    if grep -q -- "$1" "$LAST_LOG"; then fail "output has \"$1\""; fi
}

stat_of() { # stat_of NAME KEY
    awk -v k="$2" '$1 == k { print $2 }' "$WORK/$1.stats"
}

same_chip() { # same_chip A B: identical chip state files (flash, EEPROM, fuses, lock)
    cmp -s "$WORK/$1.chip" "$WORK/$2.chip" || fail "chips $1 and $2 differ"
}

# The part a real HEX file in tests/data/real is built for (SOURCES.md).
real_part() {
    case "$1" in
    *atmega328p* | *optiboot_atmega328* | qmk_pro_mico_ISP_B6.hex) echo m328p ;;
    *atmega16u2*) echo m16u2 ;;
    *atmega16u4*) echo m16u4 ;;
    *at90usb128*) echo usb1286 ;;
    *at90usb64*) echo usb646 ;;
    *atmega32a* | *ps2avrgb*) echo m32a ;;
    *) echo m32u4 ;;
    esac
}

# A deterministic test image: COUNT bytes at ADDR (Intel HEX, 02 records as needed).
make_hex() { # make_hex FILE ADDR COUNT SEED
    awk -v addr="$2" -v count="$3" -v seed="$4" 'BEGIN {
        x = seed; seg = -1
        for (a = addr; a < addr + count; a += 16) {
            n = addr + count - a; if (n > 16) n = 16
            s = int(a / 65536)
            if (s != seg) {
                hi = int(s * 4096 / 256); lo = (s * 4096) % 256
                printf(":02000002%02X%02X%02X\n", hi, lo, (256 - (2 + 2 + hi + lo) % 256) % 256)
                seg = s
            }
            off = a % 65536
            line = sprintf(":%02X%04X00", n, off)
            sum = n + int(off / 256) + off % 256
            for (i = 0; i < n; i++) {
                x = (x * 1103515245 + 12345) % 2147483648
                b = int(x / 65536) % 256
                line = line sprintf("%02X", b); sum += b
            }
            printf("%s%02X\n", line, (256 - sum % 256) % 256)
        }
        print ":00000001FF"
    }' >"$1"
}
