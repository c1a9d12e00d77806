#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Seeds for the programmer fuzz targets from the emulators: each fuzzrun_pgm_<id> (the
# plain harness build, build/tests/) runs one whole session against an ispf-emu over TCP
# (memstream.c's FUZZ_RECORD mode, on the real clock) and the replies each read got are
# written as a reply script to fuzz/corpus/pgm_<id>/rec_<proto>_<part>.
#   fuzz/record-seeds.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
tmp=$(mktemp -d)
emu_pid=""
cleanup() {
    [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

# record TARGET PROTO PART OPTBYTE [emu options...]
record() {
    local target=$1 proto=$2 part=$3 opt=$4
    shift 4
    rm -f "$tmp/port"
    "$build/tests/ispf-emu" --proto "$proto" --part "$part" --listen 127.0.0.1:0 \
        --port-file "$tmp/port" --lifetime 60 --once "$@" >/dev/null &
    emu_pid=$!
    for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
    local out=fuzz/corpus/$target/rec_${proto}_${part}${*:+_fault}
    mkdir -p "fuzz/corpus/$target"
    printf "\\x$(printf %02x "$opt")" >"$out"
    printf "\\x$(printf %02x "$opt")" >"$tmp/in"
    FUZZ_RECORD=$(cat "$tmp/port") FUZZ_RECORD_OUT=$out FUZZ_VERBOSE=1 \
        timeout 60 "$build/tests/fuzzrun_$target" "$tmp/in" 2>&1 | grep session_open || true
    kill "$emu_pid" 2>/dev/null || true
    wait "$emu_pid" 2>/dev/null || true
    emu_pid=""
    echo "$out: $(stat -c %s "$out") bytes"
}

# Option byte: bit 0 serial port (0: net:), bits 1-2 part (0 atmega328p, 1 atmega32u4).
record pgm_arduino optiboot m328p 0
record pgm_avrisp arduinoisp m328p 0
record pgm_avrisp arduinoisp m32u4 2
record pgm_avrisp arduinoisp m32u4 2 --garble-reply 9
record pgm_stk500v2 stk500v2 m328p 0
record pgm_stk500v2 stk500v2 m32u4 2
record pgm_stk500v2 stk500v2 m32u4 2 --truncate-reply 7
record pgm_stk500 stk500v2 m32u4 2
record pgm_stk500 arduinoisp m32u4 2 --opt firmware=stk500
record pgm_buspirate buspirate m328p 0
record pgm_buspirate buspirate m32u4 2
record pgm_avr109 caterina m32u4 2
