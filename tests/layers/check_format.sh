#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# .clang-format is the arbiter: every C file in src/, include/ and tests/ is
# formatted (the generated src/core/partdb.c is left as its generator writes it).
# Usage: check_format.sh SOURCE_DIR
set -u
cd "$1" || exit 1
if ! command -v clang-format >/dev/null; then
    echo "clang-format is not installed (apt-get install clang-format)" >&2
    exit 1
fi
bad=0
while IFS= read -r f; do
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "not formatted: $f (clang-format -i $f)"
        bad=$((bad + 1))
    fi
done < <(find src include tests -name '*.[ch]' ! -path src/core/partdb.c | sort)
echo "$bad file(s) not formatted"
[ "$bad" = 0 ]
