#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# No round trip waits on a delayed ACK (issue 10): a write+verify through a
# programmer or bridge that sends each reply in pieces with Nagle left on ends
# well within a timeout that a delayed ACK per round trip would exceed many times
# (measured before the fix with 2 KiB: ArduinoISP 1.1 s, STK500v2 1.8 s, Bus
# Pirate 24 s; after: 0.05 / 0.06 / 0.4 s).
#   e2e_nagle.sh ISPFLASH ISPF_EMU TOOLS_DIR PROTO PGM
set -u
ISPF=$1 EMU=$2 BRIDGE=$3/bridge.py CHATTER=$3/chatter.py PROTO=$4 PGM=$5
. "$(dirname "$0")/lib.sh"
# Size: the Nagle bug would take >= 8x the timeout below.
case $PROTO in
buspirate) SIZE=0x1000 TMO=10 ;; # bug: > 60 s
stk500v2) SIZE=0x4000 TMO=8 ;;   # bug: > 10 s
*) SIZE=0x7000 TMO=6 ;;          # ArduinoISP, bug: ~12 s
esac
srec_cat -generate 0 $SIZE -random -o "$W/img.hex" -intel >/dev/null 2>&1 || {
    echo "srec_cat (package srecord) is needed"; exit 1; }

run() { # WHAT
    timeout "$TMO" "$ISPF" -q -c "$PGM" -P "net:127.0.0.1:$PORT" -p m32u4 -U "$W/img.hex" \
        >"$W/log" 2>&1
    expect_rc 0 $? "$1: write+verify within ${TMO} s"
}

start_emu "$PROTO" --split 2
run "$PROTO emulator, replies in 2 writes, Nagle on"
stop_all

for b in "--pieces 2" "--pieces 5" "--bytewise"; do
    start_emu "$PROTO"
    # shellcheck disable=SC2086
    start_bridge "$PORT" $b
    run "$PROTO through a bridge $b, Nagle on"
    stop_all
done
start_emu "$PROTO"
start_bridge "$PORT" --gap 5 --pieces 2
run "$PROTO through a bridge forwarding complete replies in 2 pieces"
stop_all
finish
