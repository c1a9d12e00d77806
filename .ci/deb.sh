#!/usr/bin/env bash
# CI: the .deb, as a new user gets it (issue 14, README.md "Install"). Run as root on
# Debian 12 after .ci/run's apt lines (dpkg-dev for dpkg-shlibdeps, lintian,
# bash-completion, man-db, umockdev). Builds a Release build, packs it, installs the
# package with apt, runs from the INSTALLED files only, lints it, removes it.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build-deb
rm -rf "$B"
# Debian's hardening flags, as a package build would use them (dpkg-buildflags).
CFLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" \
    LDFLAGS="$(dpkg-buildflags --get LDFLAGS) -Wl,-z,now" \
    cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr -DISPF_WERROR=ON
cmake --build "$B" -j2
(cd "$B" && rm -f ispflash_*.deb && cpack -G DEB)
deb=$(ls "$B"/ispflash_*.deb)
echo "== $deb"
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"
dpkg-deb --field "$deb" Depends | grep -q libusb-1.0-0 ||
    { echo "FAIL: Depends lacks libusb-1.0-0"; exit 1; }
dpkg-deb --field "$deb" Depends | grep -q libserialport0 ||
    { echo "FAIL: Depends lacks libserialport0"; exit 1; }

apt-get install -y "./$deb"
trap 'apt-get remove -y ispflash >/dev/null 2>&1 || true' EXIT
W=$(mktemp -d)
export XDG_CONFIG_HOME=$W/config XDG_STATE_HOME=$W/state

# From the installed files only (no build tree on PATH or in the commands).
test "$(command -v ispflash)" = /usr/bin/ispflash
ispflash --version
ispflash --version | grep -q "^ispflash $(dpkg-deb --field "$deb" Version)"
man -w ispflash
man -w ispflash | grep -q '^/usr/share/man/man1/ispflash.1.gz$'
MANWIDTH=80 man ispflash | grep -q 'program AVR microcontrollers'

comp=/usr/share/bash-completion/completions/ispflash
complete_words() {
    bash -c '. /usr/share/bash-completion/bash_completion; . "$1"; shift
             COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _ispflash
             printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@"
}
complete_words ispflash -c "" | grep -qx avrisp || { echo "FAIL: -c completion lacks avrisp"; exit 1; }
complete_words ispflash -c "" | grep -qx dryrun || { echo "FAIL: -c completion lacks dryrun"; exit 1; }
complete_words ispflash -p atm | grep -qx atmega32u4 || { echo "FAIL: -p completion lacks atmega32u4"; exit 1; }
# bash-completion's own loader finds it by the command's name.
bash -c '. /usr/share/bash-completion/bash_completion; _completion_loader ispflash; complete -p ispflash' |
    grep -q _ispflash
test -s /usr/share/zsh/vendor-completions/_ispflash

rules=
for d in /lib/udev/rules.d /usr/lib/udev/rules.d; do
    [ -f "$d/60-ispflash.rules" ] && rules=$d/60-ispflash.rules
done
test -n "$rules" || { echo "FAIL: no 60-ispflash.rules in /lib/udev/rules.d or /usr/lib/udev/rules.d"; exit 1; }
grep -q 'TAG+="uaccess"' "$rules"
bash tests/install/udev_rules.sh . "$rules"

cp tests/data/real/arduino_Caterina-Leonardo.hex "$W/"
(cd "$W" && ispflash -c dryrun -p atmega32u4 -x state=chip -U arduino_Caterina-Leonardo.hex)
(cd "$W" && ispflash -c dryrun -p atmega32u4 -x state=chip -U flash:v:arduino_Caterina-Leonardo.hex:i)
# The permission message of the installed binary names the installed rule file.
bash tests/install/access.sh /usr/bin/ispflash "$B/tests/usb_emu" "$(command -v umockdev-wrapper)" \
    "$PWD/tests/data"

# lintian: no errors (the warnings and infos are printed, see README.md "Install").
lintian --info --display-info --fail-on error "$deb"

apt-get remove -y ispflash
trap - EXIT
test ! -e /usr/bin/ispflash
rm -rf "$W"
echo "deb: all checks passed"
