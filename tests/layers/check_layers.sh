#!/usr/bin/env bash
# Dependencies point down only: each folder of src/ may include its own headers,
# the public include/ispflash/ headers, and the folders below it, never one above.
#   cli -> core -> programmers -> transport, sim -> base
set -u
src=${1:?usage: check_layers.sh SRC_DIR}
declare -A allowed=(
    [cli]="cli"
    [core]="core programmers base"
    [programmers]="programmers transport sim base"
    [transport]="transport base"
    [sim]="sim base"
    [base]="base"
)
bad=0
for layer in "${!allowed[@]}"; do
    for f in "$src/$layer"/*.[ch]; do
        [ -e "$f" ] || continue
        while IFS= read -r line; do
            inc=${line#*\"}
            inc=${inc%%\"*}
            dir=${inc%%/*}
            [ "$dir" = "$inc" ] && dir=$layer # same-folder include without a prefix
            [ "$dir" = ispflash ] && continue
            ok=0
            for a in ${allowed[$layer]}; do [ "$dir" = "$a" ] && ok=1; done
            if [ $ok = 0 ]; then
                echo "$f: includes \"$inc\": $layer may use only ${allowed[$layer]} (and ispflash/)"
                bad=1
            fi
        done < <(grep -E '^#include "' "$f")
    done
done
[ $bad = 0 ] && echo "layers: every include points down"
exit $bad
