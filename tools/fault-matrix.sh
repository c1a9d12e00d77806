#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerate docs/fault-matrix.md: run the fault matrix (ctest fault_matrix) in the
# build tree BUILD (default: build) and copy the table it produced over the
# committed one. usage: tools/fault-matrix.sh [BUILD]
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
ctest --test-dir "$build" -R '^fault_matrix$' --output-on-failure
cp "$build/fault-matrix.md" "$top/docs/fault-matrix.md"
echo "docs/fault-matrix.md regenerated"
