#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# After the suite (tests/sanitizer.cmake): fails when any program a test ran, in the
# foreground or the background, made a sanitizer report (the summary lines the programs
# appended to DIR/TEST.log, src/base/sanitizer_defaults.c).
# usage: reports.sh DIR
dir=$1
if [ ! -d "$dir" ]; then
    echo "FAIL: $dir is missing: sanitizer_reports_reset did not run" >&2
    exit 1
fi
n=0
for f in "$dir"/*.log; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    echo "FAIL: test $(basename "$f" .log): sanitizer reports:" >&2
    sed 's/^/    /' "$f" >&2
done
if [ "$n" -gt 0 ]; then
    echo "$n test(s) ran a program that made a sanitizer report (the full reports are in each test's output or its programs' logs: rerun the test with --output-on-failure, or the script by hand)" >&2
    exit 1
fi
echo "sanitizer_reports: no program any test ran made a sanitizer report"
