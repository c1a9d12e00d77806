#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# contrib/udev/60-ispflash.rules covers every USB id ispflash drives, so that the
# rules never drift from the code: the id tables of src/programmers/*.c and the
# rows of src/core/usbids.c that are programmers, boards or serial bootloaders
# (not the generic USB-serial adapters, not the USB-only bootloaders). Each id needs
# a rule with its vendor (and its product, or none: the whole vendor), uaccess and
# ID_MM_DEVICE_IGNORE.
#   udev_rules.sh SOURCE_DIR [RULES_FILE]
set -u
src=${1:?usage: udev_rules.sh SOURCE_DIR [RULES_FILE]}
rules=${2:-$src/contrib/udev/60-ispflash.rules}
[ -r "$rules" ] || { echo "FAIL: no rule file $rules"; exit 1; }

ids=$(
    grep -hoE '\{0x[0-9A-Fa-f]{4}, 0x[0-9A-Fa-f]{4}, [^,]*, USBIDS_[A-Z_]+, (true|false)' \
        "$src/src/core/usbids.c" |
        awk -F', ' '$4 != "USBIDS_ADAPTER" && !($4 == "USBIDS_BOOTLOADER" && $5 == "false") \
            { print substr($1, 2) " " $2 " usbids.c(" $4 ")" }'
    grep -hoE '^ *\{0x[0-9A-Fa-f]{4}, 0x[0-9A-Fa-f]{4},' "$src"/src/programmers/*.c |
        tr -d ' {,' | sed 's/0x/ 0x/g; s/^ //' | awk '{ print $1 " " $2 " src/programmers" }'
)
n=$(printf '%s\n' "$ids" | grep -c .)
# Not a vacuous pass: the tables must have been found (usbids.c alone has 20+ such rows).
[ "$n" -ge 20 ] || { echo "FAIL: only $n ids found in $src: did the table format change?"; exit 1; }

bad=0
while read -r vid pid from; do
    v=$(printf '%04x' "$vid")
    p=$(printf '%04x' "$pid")
    ok=0
    while IFS= read -r line; do
        case $line in \#* | '') continue ;; esac
        case $line in *"{idVendor}==\"$v\""*) ;; *) continue ;; esac
        if [[ $line == *"{idProduct}=="* && $line != *"{idProduct}==\"$p\""* ]]; then continue; fi
        [[ $line == *'TAG+="uaccess"'* && $line == *'ENV{ID_MM_DEVICE_IGNORE}="1"'* ]] || continue
        ok=1
        break
    done <"$rules"
    if [ $ok = 0 ]; then
        echo "FAIL: $v:$p ($from) has no rule with uaccess and ID_MM_DEVICE_IGNORE in $rules"
        bad=1
    fi
done <<<"$ids"
[ $bad = 0 ] && echo "udev rules: all $n ids covered"
exit $bad
