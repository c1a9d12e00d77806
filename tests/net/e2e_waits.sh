#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every wait on a net: port ends (issue 10): a refused connection says so at
# once (exit 4), a port nobody resolves fails fast, and a port that keeps sending
# data that is not the protocol ends within 5 s with exit 4 and the message that
# asks whether it is the right port.
#   e2e_waits.sh ISPFLASH ISPF_EMU TOOLS_DIR [PGM...]   (chatty-port cases for these
#   programmers, default avrisp buspirate; with PGMs given, only those cases)
set -u
ISPF=$1 EMU=$2 BRIDGE=$3/bridge.py CHATTER=$3/chatter.py
shift 3
PGMS=${*:-avrisp buspirate}
. "$(dirname "$0")/lib.sh"

if [ $# = 0 ]; then
# A port with nothing listening: bind one, close it, connect to it.
FREE=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for host in 127.0.0.1 localhost; do
    timeout 3 "$ISPF" -c avrisp -P "net:$host:$FREE" -p m32u4 -U flash:r:-:h >"$W/log" 2>&1
    expect_rc 4 $? "net:$host:<closed port> refused within 3 s"
    expect_log "connection refused" "net:$host: the message says refused"
done

timeout 3 "$ISPF" -c avrisp -P "net:127.0.0.1" -p m32u4 -U flash:r:-:h >"$W/log" 2>&1
expect_rc 2 $? "net: without a port is a usage error"
fi

# Chatty ports: a flood, a dribbler (10 bytes / 10 ms) and a trickle (1 byte /
# 10 ms) never go quiet; each serial protocol gives up within 5 s.
for pgm in $PGMS; do
    for mode in dribble flood trickle; do
        start_chatter "$mode"
        timeout 5 "$ISPF" -c "$pgm" -P "net:127.0.0.1:$PORT" -p m32u4 -U flash:r:-:h >"$W/log" 2>&1
        expect_rc 4 $? "-c $pgm against a $mode port ends within 5 s"
        expect_log "not the .* protocol" "-c $pgm/$mode: says the port sends another protocol"
        stop_all
    done
done
finish
