# SPDX-License-Identifier: GPL-2.0-or-later
# Tiny assertion helpers for the end-to-end shell tests. Source it, call
# `check NAME CONDITION...`, end with `finish`.
PASS=0
FAIL=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ispflash-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# run EXPECTED_EXIT CMD...: runs CMD (with a 60 s guard), stores stdout/stderr in
# $WORK/out and $WORK/err, and the exit code in $RC.
run() {
    local want=$1
    shift
    timeout 60 "$@" >"$WORK/out" 2>"$WORK/err"
    RC=$?
    if [ "$RC" = 124 ]; then
        echo "HUNG (timeout guard fired): $*" >&2
    fi
    [ "$RC" = "$want" ]
}

check() {
    local name=$1
    shift
    if "$@"; then
        PASS=$((PASS + 1))
    else
        FAIL=$((FAIL + 1))
        echo "FAIL: $name" >&2
        echo "  command: $*" >&2
        [ -f "$WORK/err" ] && sed 's/^/  stderr: /' "$WORK/err" | head -20 >&2
    fi
}

err_has() { grep -q -- "$1" "$WORK/err"; }
out_has() { grep -q -- "$1" "$WORK/out"; }

finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" = 0 ]
}
