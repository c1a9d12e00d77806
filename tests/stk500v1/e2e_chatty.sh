#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A port that is not the programmer (tests/tools/chatter.py): a continuous sender
# (flood), a slow dribbler (10 bytes every 10 ms) and a trickle (1 byte every
# 10 ms) must each end the run within 5 s with exit 4 and the message that the
# port sends data that is not the protocol; a silent port keeps its own timeout
# message (exit 4).
# usage: e2e_chatty.sh ISPFLASH ISPF-EMU DATA_DIR [PROGRAMMER...]
BIN=$1
EMU=$2
DATA=$3
shift 3
. "$(dirname "$0")/lib.sh"
CHATTER=$(dirname "$0")/../tools/chatter.py
[ $# -gt 0 ] || set -- avrisp stk500v1 arduino

# chat MODE PGM: one ispflash run against chatter.py in MODE; RC, ELAPSED (ms).
chat() {
    rm -f "$WORK/cport"
    python3 "$CHATTER" --port-file "$WORK/cport" "$1" --seconds 30 &
    _cpid=$!
    _ci=0
    while [ ! -s "$WORK/cport" ] && [ $_ci -lt 250 ]; do
        sleep 0.02
        _ci=$((_ci + 1))
    done
    _t0=$(date +%s%N)
    run "$BIN" -c "$2" -P "net:127.0.0.1:$(cat "$WORK/cport")" -p m32u4 -U "flash:r:$WORK/x.hex:i"
    ELAPSED=$((($(date +%s%N) - _t0) / 1000000))
    kill "$_cpid" 2>/dev/null
    wait "$_cpid" 2>/dev/null
}

for pgm in "$@"; do
    for mode in flood dribble trickle; do
        chat "$mode" "$pgm"
        check "$pgm/$mode: exit 4 (rc $RC)" [ "$RC" = 4 ]
        check "$pgm/$mode: ends within 5 s (${ELAPSED} ms)" [ "$ELAPSED" -lt 5000 ]
        check "$pgm/$mode: says the port sends data that is not the protocol" \
            err_has "sends data that is not the .* protocol"
        check "$pgm/$mode: asks whether it is the right port" err_has "programmer's port (-P)"
    done
    chat silent "$pgm"
    check "$pgm/silent: exit 4 (rc $RC)" [ "$RC" = 4 ]
    check "$pgm/silent: ends within 5 s (${ELAPSED} ms)" [ "$ELAPSED" -lt 5000 ]
    check "$pgm/silent: the no-answer message" err_has "no answer from the programmer\|no Bus Pirate answers"
    check "$pgm/silent: not called a chatty port" sh -c "! grep -q 'sends data' '$WORK/err'"
done

finish
