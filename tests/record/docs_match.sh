#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# docs_match.sh HAMMER DOC: the CSV header and the JSON Lines field names documented in
# docs/production.md are the ones the board log writes.
set -u
hammer=${1:?} doc=${2:?}
dir=$(mktemp -d "${TMPDIR:-/tmp}/docs_match.XXXXXX")
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
timeout 30 "$hammer" "$dir/b.csv" 1 1 >/dev/null || fail "writing a CSV log"
timeout 30 "$hammer" "$dir/b.jsonl" 1 1 >/dev/null || fail "writing a JSON Lines log"
header=$(head -1 "$dir/b.csv")
grep -qxF "$header" "$doc" || fail "$doc does not show the CSV header: $header"
# every CSV column has its row in the table, in order
cols=$(grep -E '^\| `[a-z_]+` \| ' "$doc" | sed -n '/^| `time` | when/,/^| `seconds`/p' |
    sed -E 's/^\| `([a-z_]+)`.*/\1/' | paste -sd, -)
[ "$cols" = "$header" ] || fail "CSV column table: $cols, the log: $header"
# the JSON example's keys are those of a record, in order
keys() { python3 -c 'import json,sys; print(",".join(json.loads(sys.stdin.readline())))'; }
got=$(keys <"$dir/b.jsonl")
want=$(grep -E '^\{"time"' "$doc" | keys)
[ "$got" = "$want" ] || fail "JSON example keys: $want, the log: $got"
echo "docs: CSV header, column table and JSON fields match the log ($got)"
