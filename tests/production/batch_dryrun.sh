#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --batch on the dryrun chip with target swaps (-x target=FILE: the file is the board
# in the socket; missing = no board, empty = a factory-fresh chip). Boards are swapped
# by moving the socket file away and creating a new one while ispflash runs:
#  - three boards: each PASS line, each board's flash = the image, its serial number in
#    EEPROM, the log (JSON Lines) and --json lines (validated against the schema)
#    agree, the counter file's next number is 4;
#  - a board pulled in the middle of the write is a FAIL (exit 5) naming the last flash
#    address written before the target stopped answering, its
#    number logged as spent, and the next board passes with the next number;
#  - Ctrl-C during a board: the board is finished (PASS) and the batch ends (exit 0);
#  - kill -9 in the middle of a board: the log holds only complete records, no PASS for
#    the killed board, and a new batch on the same counter never reuses a number;
#  - --batch-wait enter: a line on standard input starts each board;
#  - --json compared with what happened; the production options' usage errors;
#  - several ports on a terminal (script(1)): one status line per port.
# Usage: batch_dryrun.sh ISPFLASH DATADIR SCHEMA
set -u
BIN=$(realpath "$1")
D=$(realpath "$2")
SCHEMA=$(realpath "$3")
W=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
APP=$D/qmkbuild_crkbd_rev1_default.hex
. "$(dirname "$(realpath "${BASH_SOURCE[0]}")")/lib.sh"

validate_json() { # FILE (one JSON object per line) against the schema
    $PY - "$SCHEMA" "$1" <<'EOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft202012Validator(schema)
n = 0
for line in open(sys.argv[2]):
    v.validate(json.loads(line))
    n += 1
print(n)
EOF
}

srec_cat "$APP" -Intel -o "$W/app.bin" -Binary

# --- 1. three boards -----------------------------------------------------------
cd "$W" || exit 1
mkdir one && cd one || exit 1
touch s.chip
timeout 60 "$BIN" -c dryrun -P s -x target="$W/one/%P.chip" -p m32u4 -U "flash:w:$APP" \
    --serial eeprom:0x3f0:8:KB-%05u --serial-file ctr --log log.jsonl --json --batch 3 \
    >out.jsonl 2>err &
pid=$!
for b in 1 2 3; do
    wait_for err "board $b: PASS" || break
    [ $b = 3 ] && break
    wait_for err "board $b done: take it away" || break
    mv s.chip board$b.chip
    wait_for err "waiting for board $((b + 1))" || break
    touch s.chip
done
wait $pid
rc=$?
mv s.chip board3.chip 2>/dev/null
check "three boards: exit 0 (got $rc)" [ "$rc" = 0 ]
check "three boards: summary line" grep -q "batch done: 3 boards, 3 passed, 0 failed" err
for b in 1 2 3; do
    read_chip board$b.chip flash f$b.bin
    check "board $b: flash holds the image" cmp -s f$b.bin <(head -c "$(stat -c %s f$b.bin)" "$W/app.bin")
    read_chip board$b.chip eeprom e$b.bin
    check "board $b: serial KB-0000$b in EEPROM at 0x3f0" \
        [ "$(dd if=e$b.bin bs=1 skip=1008 count=8 2>/dev/null)" = "KB-0000$b" ]
done
check "counter: next is 4" grep -qx "next 4" ctr
check "json: 3 boards + summary, all valid" [ "$(validate_json out.jsonl)" = 4 ]
check "json: serial numbers 1 2 3, all pass" [ "$($PY -c '
import json,sys
r=[json.loads(l) for l in open("out.jsonl")]
print(" ".join("%s:%s" % (x["serial"]["number"], x["result"]) for x in r if x["type"]=="board"))')" = "1:pass 2:pass 3:pass" ]
check "json: summary says 3 passed" $PY -c '
import json
r=[json.loads(l) for l in open("out.jsonl")][-1]
assert r["type"]=="summary" and r["passed"]==3 and r["failed"]==0 and r["exit_code"]==0'
check "log: 3 records, serials 1-3, PASS, the image's sha256" $PY -c '
import json,hashlib,sys
want=hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest()
r=[json.loads(l) for l in open("log.jsonl")]
assert [x["serial"] for x in r]==[1,2,3], r
assert all(x["result"]=="PASS" and x["images"][0]["sha256"]==want for x in r)' "$APP"

# --- 2. a board pulled mid-write --------------------------------------------------
cd "$W" && mkdir two && cd two || exit 1
touch s.chip
timeout 60 "$BIN" -c dryrun -P s -x target="$W/two/%P.chip" -x delay_us=200 -p m32u4 \
    -U "flash:w:$APP" --serial eeprom:0:2 --serial-file ctr --log log.csv --batch 2 \
    >out 2>err &
pid=$!
wait_for err "writing flash" && sleep 1 && rm s.chip
wait_for err "board 1: FAIL"
wait_for err "waiting for board 2" && touch s.chip
wait $pid
rc=$?
check "pulled: exit 5 (first failure: the target went away) (got $rc)" [ "$rc" = 5 ]
check "pulled: FAIL says the board was removed, and the address reached" \
    grep -Eq "board 1: FAIL \(exit 5\).*the board was removed.*stopped answering after flash 0x00000-0x[0-9a-f]{5} was written" err
reached=$(grep -Eo "after flash 0x00000-0x[0-9a-f]{5}" err | grep -Eo "0x[0-9a-f]{5}$")
check "pulled: the address reached is inside the image (got $reached)" \
    test "$((reached))" -gt 0 -a "$((reached))" -lt 26970
check "pulled: board 2 passes" grep -q "board 2: PASS.*serial 2" err
check "pulled: log has FAIL with serial 1, then PASS with serial 2" $PY -c '
import csv
r=list(csv.DictReader(open("log.csv")))
assert [(x["serial"], x["result"]) for x in r]==[("1","FAIL"),("2","PASS")], r
assert r[0]["exit_code"]=="5" and "removed" in r[0]["message"]'

# --- 3. Ctrl-C during a board: finished, then the batch ends -------------------------
cd "$W" && mkdir three && cd three || exit 1
touch s.chip
timeout 60 "$BIN" -c dryrun -P s -x target="$W/three/%P.chip" -x delay_us=50 -p m32u4 \
    -U "flash:w:$APP" --batch >out 2>err &
pid=$!
# One SIGINT to ispflash itself, as a terminal's Ctrl-C sends it: $pid is timeout(1),
# which would pass the signal on twice (to its child and to its process group).
wait_for err "writing flash" && kill -INT "$(pgrep -P $pid)"
wait $pid
rc=$?
check "Ctrl-C: exit 0 (got $rc)" [ "$rc" = 0 ]
check "Ctrl-C: the board under way finished" grep -q "board 1: PASS" err
check "Ctrl-C: said it stops after this board" grep -q "stopping after the board under way" err
check "Ctrl-C: summary 1 passed" grep -q "batch done: 1 board, 1 passed, 0 failed" err
read_chip s.chip flash f.bin
check "Ctrl-C: the board holds the whole image" cmp -s f.bin <(head -c "$(stat -c %s f.bin)" "$W/app.bin")

# --- 4. kill -9 mid-board -------------------------------------------------------------
cd "$W" && mkdir four && cd four || exit 1
touch s.chip
timeout 60 "$BIN" -c dryrun -P s -x target="$W/four/%P.chip" -x delay_us=100 -p m32u4 \
    -U "flash:w:$APP" --serial eeprom:0:4 --serial-file ctr --log log.csv --batch >out 2>err &
pid=$!
wait_for err "board 1: PASS" && mv s.chip b1.chip && wait_for err "waiting for board 2" && touch s.chip
wait_for err "board 2: PASS" && mv s.chip b2.chip && wait_for err "waiting for board 3" && touch s.chip
# timeout(1) is $pid; ispflash is its child.
for _ in $(seq 200); do [ "$(grep -c 'writing flash' err)" -ge 3 ] && break; sleep 0.1; done
sleep 0.5
kill -9 $(pgrep -P $pid) $pid
wait $pid 2>/dev/null
check "kill -9: log has exactly 2 complete PASS records (serials 1, 2)" $PY -c '
import csv
r=list(csv.DictReader(open("log.csv")))
assert [(x["serial"], x["result"]) for x in r]==[("1","PASS"),("2","PASS")], r'
check "kill -9: the counter spent the killed board's number (next 4)" grep -qx "next 4" ctr
rm -f s.chip
touch s.chip
timeout 60 "$BIN" -c dryrun -P s -x target="$W/four/%P.chip" -p m32u4 -U "flash:w:$APP" \
    --serial eeprom:0:4 --serial-file ctr --log log.csv --batch 1 >out 2>err2
check "kill -9: the next batch gives number 4" grep -q "board 1: PASS.*serial 4" err2
check "kill -9: no number twice in the log" $PY -c '
import csv
s=[x["serial"] for x in csv.DictReader(open("log.csv"))]
assert len(s)==len(set(s))==3, s'

# --- 5. --batch-wait enter ----------------------------------------------------------------
cd "$W" && mkdir five && cd five || exit 1
touch s.chip
mkfifo in
timeout 60 "$BIN" -c dryrun -P s -x target="$W/five/%P.chip" -p m32u4 -U "flash:w:$APP" \
    --batch 2 --batch-wait enter <in >out 2>err &
pid=$!
exec 3>in
wait_for err "put board 1 on the programmer and press Enter" && echo >&3
wait_for err "board 1: PASS" && mv s.chip b1.chip
wait_for err "put board 2 on the programmer and press Enter" && touch s.chip && echo >&3
wait $pid
rc=$?
exec 3>&-
check "enter: exit 0 (got $rc)" [ "$rc" = 0 ]
check "enter: two boards passed" grep -q "batch done: 2 boards, 2 passed" err
check "enter: no watching for the target" sh -c '! grep -q "waiting for board" err'

# --- 6. --json of a run that fails verification, compared with what happened ---------
cd "$W" && mkdir six && cd six || exit 1
rc=0
timeout 30 "$BIN" -c dryrun -x state=c.chip -x stuck=0x123:0x01 -p m32u4 -U "flash:w:$APP" \
    -U hfuse:w:0xD8:m --json >out.json 2>err || rc=$?
check "json verify: exit 6 (got $rc)" [ "$rc" = 6 ]
check "json verify: one valid run object" [ "$(validate_json out.json)" = 1 ]
want=$(od -An -tx1 -j$((0x123)) -N1 "$W/app.bin" | tr -d ' ')
check "json verify: the failed write, its first mismatch, no fuse write after it" $PY -c '
import json, sys
r = json.load(open("out.json"))
want = int(sys.argv[1], 16)
assert r["type"] == "run" and r["result"] == "fail" and r["exit_code"] == 6, r
assert r["error"]["exit_code"] == 6 and "0x00123" in r["error"]["message"], r["error"]
ops = r["operations"]
assert len(ops) == 1 and ops[0]["memory"] == "flash" and ops[0]["result"] == "failed", ops
m = ops[0]["mismatch"]
assert m["address"] == 0x123 and m["expected"] == want and m["found"] == want | 1 and m["count"] == 1, m
assert ops[0]["written"] and not ops[0]["verified"]
assert r["fuses_before"]["hfuse"] == 0x99 and r["fuses_after"]["hfuse"] == 0x99, r' "$want"
rc=0
timeout 30 "$BIN" -c dryrun -x state=d.chip -x signature=1e9488 -F -p m32u4 -U "flash:w:$APP" \
    -U hfuse:w:0xD8:m --json >ok.json 2>err || rc=$?
check "json ok: exit 0 (got $rc)" [ "$rc" = 0 ]
check "json ok: flash then hfuse, fuses after say 0xD8, warning kept" $PY -c '
import json
r = json.load(open("ok.json"))
assert [o["memory"] for o in r["operations"]] == ["flash", "hfuse"], r["operations"]
assert r["operations"][1]["value"] == 0xD8 and r["fuses_after"]["hfuse"] == 0xD8
assert any("going on because of -F" in w for w in r["warnings"]), r["warnings"]
assert r["erased"] and r["signature"] == "1e9488" and r["error"] is None'

# --- 7. usage errors of the production options: exit 2, nothing opened ------------
cd "$W" && mkdir seven && cd seven || exit 1
usage() { # NAME ARGS...: exit 2 and no chip written
    local name=$1 rc=0
    shift
    rm -f u.chip
    timeout 20 "$BIN" -c dryrun -x state=u.chip -p m32u4 "$@" >out 2>err || rc=$?
    check "usage: $name: exit 2 (got $rc)" [ "$rc" = 2 ]
    check "usage: $name: nothing written" [ ! -e u.chip ]
}
usage "--serial without --serial-file" -U "flash:w:$APP" --serial eeprom:0:4
usage "--serial-file without --serial" -U "flash:w:$APP" --serial-file c
usage "--batch-wait without --batch" -U "flash:w:$APP" --batch-wait enter
usage "--json with a read to stdout" -U flash:r:-:h --json
usage "a flash serial without a flash write" -U eeprom:w:0x01:m --serial flash:0x7000:4 --serial-file c
usage "a serial outside the EEPROM" -U "flash:w:$APP" --serial eeprom:1022:4 --serial-file c
usage "--batch with nothing to do" --batch 2

# --- 8. several ports on a terminal: one status line per port, redrawn in place --------
cd "$W" && mkdir eight && cd eight || exit 1
touch a.chip b.chip
rc=0
script -qec "timeout 60 '$BIN' -c dryrun -P a -P b -P c -x target='$W/eight/%P.chip' -x delay_us=5 -p m32u4 -U 'flash:w:$APP'" \
    /dev/null >tty.out 2>&1 || rc=$?
check "terminal: exit 5 (port c has no board) (got $rc)" [ "$rc" = 5 ]
tr '\r' '\n' <tty.out >tty.lines
check "terminal: a status line per port" grep -q $'^\e\\[2K\\[c\\] board 1: FAIL' tty.lines
check "terminal: progress on the status lines" grep -Eq $'^\e\\[2K\\[[ab]\\] board 1: Writing flash +[0-9]+%' tty.lines
check "terminal: redrawn in place (cursor up 3 lines)" grep -q $'\e\\[3A' tty.out
check "terminal: the PASS lines stay above the board" [ "$(grep -c 'board 1: PASS  signature' tty.lines)" = 2 ]
check "terminal: no INFO chatter between the lines" sh -c '! grep -q "erasing chip" tty.lines'

# --- 9. --ports FILE: one port per line, comments and blank lines skipped -------------
cd "$W" && mkdir nine && cd nine || exit 1
touch p1.chip p2.chip
printf '# the bench\np1\n\n  p2   # left\n' >ports.txt
rc=0
timeout 60 "$BIN" -c dryrun --ports ports.txt -x target="$W/nine/%P.chip" -p m32u4 -U "flash:w:$APP" \
    --log log.csv >out 2>err || rc=$?
check "--ports: exit 0 (got $rc)" [ "$rc" = 0 ]
check "--ports: both ports programmed" sh -c 'grep -q "\[p1\]: board 1: PASS" err && grep -q "\[p2\]: board 1: PASS" err'
check "--ports: two records" [ "$(($(wc -l <log.csv) - 1))" = 2 ]
rc=0
timeout 20 "$BIN" -c dryrun --ports missing.txt -p m32u4 -U "flash:w:$APP" >out 2>err || rc=$?
check "--ports missing file: exit 2 (got $rc)" [ "$rc" = 2 ]

finish batch_dryrun
