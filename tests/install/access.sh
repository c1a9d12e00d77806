#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A USB programmer the user may not open (usb_emu --opt access=1, tests/usb/README.md):
# exit 4, and the message names the installed udev rule file when one is installed
# (after `apt install ./ispflash_*.deb`, .ci/deb.sh runs this against /usr/bin/ispflash),
# or else gives the rule line and where the rule file is.
#   access.sh ISPFLASH USB_EMU UMOCKDEV_WRAPPER DATA_DIR
set -u
BIN=${1:?usage: access.sh ISPFLASH USB_EMU UMOCKDEV_WRAPPER DATA_DIR}
EMU=${2:?}
WRAP=${3:?}
DATA=${4:?}
. "$(dirname "$0")/../cli/lib.sh"
HEX=$DATA/real/qmk_bootloader_atmega32u4_1_0_0.hex
installed=
for f in /usr/lib/udev/rules.d/60-ispflash.rules /lib/udev/rules.d/60-ispflash.rules \
    /etc/udev/rules.d/60-ispflash.rules; do
    [ -e "$f" ] && { installed=$f; break; }
done
echo "installed rule file: ${installed:-none}"
for p in usbtiny usbasp; do
    check "access $p: exit 4" run 4 "$WRAP" "$EMU" --proto "$p" --part m32u4 \
        --state "$WORK/$p" --opt access=1 -- "$BIN" -c "$p" -p m32u4 -U "$HEX"
    check "access $p: permission denied" err_has "permission denied opening"
    if [ -n "$installed" ]; then
        # Which path is named depends on the build's prefix: any installed one is right.
        check "access $p: names the installed rule file" err_has "udev rules are installed (/"
        check "access $p: says to replug" err_has "unplug and replug"
        check "access $p: mentions the seat" err_has "logged in at the seat"
        check "access $p: no rule line to copy" sh -c "! grep -q 'with this udev rule' '$WORK/err'"
    else
        check "access $p: the rule line" err_has 'SUBSYSTEM=="usb", ATTR{idVendor}=="'
        check "access $p: the rule file" err_has "contrib/udev/60-ispflash.rules"
        check "access $p: says cmake --install installs it" err_has "cmake --install"
    fi
done
finish
