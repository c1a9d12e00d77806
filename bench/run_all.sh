#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every benchmark, one after the other: ispflash against avrdude 7.1 on the same
# emulated programmers, printing the ratios and the floors of issues 4, 5 and 7.
# usage: bench/run_all.sh [BUILD_DIR] [TESTDATA_DIR]   (about 2 minutes)
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../build}
DATA=${2:-$HERE/../tests/data}
status=0
for b in bench_stk500v1.sh bench_stk500v2_buspirate.sh bench_net.sh bench_usb.sh bench_production.sh bench_avr109.sh; do
    echo "== $b"
    bash "$HERE/$b" "$BUILD" "$DATA" || status=1
done
exit $status
