# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
# Shared by the benchmarks that run ispflash and avrdude against ispf-emu over
# net: (bench_stk500v1.sh, bench_stk500v2_buspirate.sh). Source it after setting
#   BUILD         the build directory (ispflash, tests/ispf-emu)
#   EMU_LIFETIME  seconds an emulator may live at most
# A run that fails ends the benchmark with exit 1, naming the run.
# It checks the tools, makes the work directory $W (removed on exit) with
# $W/rand.hex, and defines start_emu, stop_emu, stat_of, now_ms and bench_run.

ISPF=$BUILD/ispflash
EMU=$BUILD/tests/ispf-emu
AVRDUDE=${AVRDUDE:-avrdude}
for f in "$ISPF" "$EMU"; do
    [ -x "$f" ] || { echo "missing $f (build first: cmake --build $BUILD)" >&2; exit 2; }
done
command -v "$AVRDUDE" >/dev/null || { echo "avrdude not found" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/ispf-bench.XXXXXX")
EMU_PID=
cleanup() {
    [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT

# 28 KiB of random data as Intel HEX (random data has no all-0xFF page, so
# nobody can skip a page).
srec_cat -generate 0 0x7000 -random -o "$W/rand.hex" -intel >/dev/null 2>&1 || {
    echo "srec_cat (package srecord) is needed" >&2; exit 2; }

# start_emu NAME PROTO [emu options]: fresh emulator with its own state/stats, port in $PORT
start_emu() {
    en=$1; ep=$2; shift 2
    rm -f "$W/$en.port" "$W/$en.stats"
    "$EMU" --proto "$ep" --part m32u4 --listen 127.0.0.1:0 --port-file "$W/$en.port" \
        --state "$W/$en.chip" --stats "$W/$en.stats" --once --lifetime "$EMU_LIFETIME" "$@" \
        >/dev/null &
    EMU_PID=$!
    i=0
    while [ ! -s "$W/$en.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    PORT=$(cat "$W/$en.port")
}
stop_emu() {
    wait "$EMU_PID" 2>/dev/null
    EMU_PID=
}
stat_of() { awk -v k="$2" '$1 == k { print $2 }' "$W/$1.stats"; }
now_ms() { date +%s%3N; }

# bench_run TOOL NAME PROTO PGM "EMU OPTIONS" ARGS...: one run of TOOL (ispflash
# or avrdude) as programmer PGM on a fresh emulated chip (ispf-emu --proto
# PROTO); counts in $W/NAME.TOOL.stats, wall time in $W/NAME.TOOL.ms.
bench_run() {
    tool=$1; name=$2; proto=$3; pgm=$4; eopts=$5; shift 5
    # shellcheck disable=SC2086
    start_emu "$name.$tool" "$proto" $eopts
    t0=$(now_ms)
    if [ "$tool" = ispflash ]; then
        "$ISPF" -q -c "$pgm" -P "net:127.0.0.1:$PORT" -p m32u4 "$@" >"$W/$name.$tool.log" 2>&1
    else
        "$AVRDUDE" -q -q -c "$pgm" -P "net:127.0.0.1:$PORT" -p m32u4 "$@" >"$W/$name.$tool.log" 2>&1
    fi
    rc=$?
    t1=$(now_ms)
    stop_emu
    # A failed run fails the benchmark: its counts are partial, no ratio is honest.
    if [ $rc != 0 ] || [ ! -s "$W/$name.$tool.stats" ]; then
        echo "BENCHMARK FAILED: the $tool run '$name' (-c $pgm) exited $rc:" >&2
        cat "$W/$name.$tool.log" >&2
        exit 1
    fi
    echo $((t1 - t0)) >"$W/$name.$tool.ms"
}
