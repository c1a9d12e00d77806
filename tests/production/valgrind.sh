#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind over a production run: two ports in two threads (dryrun sockets), serial
# numbers, a JSON Lines log and --json, one port without a board (the failure path).
# Usage: valgrind.sh VALGRIND ISPFLASH DATADIR
set -u
VG=$1
BIN=$(realpath "$2")
D=$(realpath "$3")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
touch a.chip b.chip
rc=0
timeout 300 "$VG" -q --leak-check=full --error-exitcode=99 "$BIN" -c dryrun -P a -P b -P c \
    -x target="$W/%P.chip" -p m32u4 -U "$D/sparkfun_Caterina-promicro16.hex" \
    --serial eeprom:0:8:KB-%04u --serial-file ctr --log log.jsonl --json -q >out.json 2>err || rc=$?
# exit 5: port c has no board; 99 would be valgrind's
if [ "$rc" != 5 ]; then
    echo "FAIL: exit $rc (5 expected: port c has no board; 99 = valgrind errors)" >&2
    cat err >&2
    exit 1
fi
[ "$(wc -l <out.json)" = 3 ] && [ "$(wc -l <log.jsonl)" = 3 ] || {
    echo "FAIL: expected 3 JSON lines and 3 log records" >&2
    exit 1
}
echo "production valgrind: clean"
