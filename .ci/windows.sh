#!/usr/bin/env bash
# CI: ispflash.exe cross-built with Debian's mingw-w64 (-Werror, without the
# libraries Debian has no mingw builds of) and run under wine against the dryrun
# chip and the ArduinoISP emulator over net: (tests/windows/e2e.sh). Needs the
# Linux build in build/ (ispflash and ispf-emu). Here a skip is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build -j2 --target ispflash ispf-emu
rc=0
sh tests/windows/e2e.sh "$PWD" "$PWD/build-windows" "$PWD/build/ispflash" \
    "$PWD/build/tests/ispf-emu" || rc=$?
if [ "$rc" != 0 ]; then
    echo "windows e2e failed (status $rc; 77: mingw-w64 or wine missing)"
    exit 1
fi
