# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
# Shared by tests/net/*.sh: ISPF EMU BRIDGE CHATTER set by the caller; $W is a
# work directory removed on exit; start_emu/start_bridge/start_chatter put the
# port in $PORT; expect_rc checks an exact exit code.
W=$(mktemp -d "${TMPDIR:-/tmp}/ispf-net.XXXXXX")
PIDS=
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    rm -rf "$W"
}
trap cleanup EXIT
FAILS=0

wait_port() {
    i=0
    while [ ! -s "$1" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    [ -s "$1" ] || { echo "FAIL: no port in $1"; exit 1; }
    PORT=$(cat "$1")
}
# start_emu PROTO [emu options]
start_emu() {
    ep=$1; shift
    rm -f "$W/emu.port"
    "$EMU" --proto "$ep" --part m32u4 --listen 127.0.0.1:0 --port-file "$W/emu.port" \
        --state "$W/chip" --lifetime 120 "$@" >/dev/null &
    PIDS="$PIDS $!"
    wait_port "$W/emu.port"
}
# start_bridge UPSTREAM_PORT [bridge options]
start_bridge() {
    up=$1; shift
    rm -f "$W/bridge.port"
    python3 "$BRIDGE" --port-file "$W/bridge.port" --upstream "127.0.0.1:$up" --seconds 120 "$@" &
    PIDS="$PIDS $!"
    wait_port "$W/bridge.port"
}
# start_chatter MODE
start_chatter() {
    rm -f "$W/chatter.port"
    python3 "$CHATTER" --port-file "$W/chatter.port" --seconds 60 "$1" &
    PIDS="$PIDS $!"
    wait_port "$W/chatter.port"
}
stop_all() {
    for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    PIDS=
}
# expect_rc WANT GOT WHAT
expect_rc() {
    if [ "$2" = "$1" ]; then
        echo "ok: $3 (exit $2)"
    else
        echo "FAIL: $3: exit $2, expected $1"
        [ -f "$W/log" ] && cat "$W/log"
        FAILS=$((FAILS + 1))
    fi
}
expect_log() { # PATTERN WHAT
    if grep -q "$1" "$W/log"; then
        echo "ok: $2"
    else
        echo "FAIL: $2: no '$1' in:"
        cat "$W/log"
        FAILS=$((FAILS + 1))
    fi
}
finish() {
    [ $FAILS = 0 ] && { echo "all passed"; exit 0; }
    echo "$FAILS failure(s)"
    exit 1
}
