# SPDX-License-Identifier: GPL-2.0-or-later
# What the production tests share (sourced): counted checks, waiting for a line of a
# log, the system python3 (with python3-jsonschema), reading a dryrun chip file back.
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
FAILS=0
N=0

# check NAME COMMAND...: one counted check; a failure is reported and counted.
check() {
    N=$((N + 1))
    local name=$1
    shift
    if ! "$@"; then
        echo "FAIL: $name" >&2
        FAILS=$((FAILS + 1))
    fi
}

# wait_for FILE REGEX [SECONDS]: until a line of FILE matches (default 30 s).
wait_for() {
    local t=$((${3:-30} * 10))
    for _ in $(seq "$t"); do
        grep -Eq "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "timed out waiting for /$2/ in $1:" >&2
    tail -20 "$1" >&2
    return 1
}

# read_chip CHIP MEM OUT: one memory of a dryrun chip file (state or socket) as raw bytes.
read_chip() {
    timeout 20 "$BIN" -c dryrun -p m32u4 -x state="$1" -U "$2:r:$3:r" -q 2>/dev/null
}

# finish NAME: the summary line and the exit status.
finish() {
    echo "$1: $((N - FAILS)) of $N checks passed"
    [ "$FAILS" = 0 ]
}
