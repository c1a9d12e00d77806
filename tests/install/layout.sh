#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `cmake --install` into a DESTDIR under the build tree (no root needed): every file
# in its place, the man page clean for man's own warnings, and the generated shell
# completion offering exactly what the binary's tables hold.
#   layout.sh BUILD_DIR SOURCE_DIR
set -u
BUILD=${1:?usage: layout.sh BUILD_DIR SOURCE_DIR}
SRC=${2:?}
. "$SRC/tests/cli/lib.sh"
D=$BUILD/install-test
rm -rf "$D"
check "install: cmake --install into DESTDIR" \
    env DESTDIR="$D" timeout 120 cmake --install "$BUILD" --prefix /usr
U=$D/usr
BIN=$U/bin/ispflash
check "install: the binary" test -x "$BIN"
check "install: the installed binary runs" run 0 "$BIN" --version
check "install: --version names the version" out_has "^ispflash [0-9]"
check "install: --version names libserialport" out_has "^libserialport [0-9]"
# Built from a git checkout (the build's configure-time `git describe`): the revision.
if [ -e "$SRC/.git" ] && command -v git >/dev/null && git -C "$SRC" rev-parse HEAD >/dev/null 2>&1; then
    check "install: --version names the git revision" out_has "^ispflash [0-9.]* (git [0-9a-z.-]*)$"
fi
check "install: --version names libusb" out_has "^libusb [0-9]\|^built without libusb"

MAN=$U/share/man/man1/ispflash.1.gz
check "install: the man page, gzipped" gzip -t "$MAN"
check "install: the man page is docs/ispflash.1" cmp -s <(gzip -dc "$MAN") "$SRC/docs/ispflash.1"
if command -v man >/dev/null; then
    # lintian's groff-message check: man's own warnings on the page.
    LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$MAN" \
        >/dev/null 2>"$WORK/manwarn"
    check "install: man reports no warnings" test ! -s "$WORK/manwarn"
    [ -s "$WORK/manwarn" ] && sed 's/^/  man: /' "$WORK/manwarn" >&2
fi

RULES=$U/lib/udev/rules.d/60-ispflash.rules
check "install: the udev rules" cmp -s "$RULES" "$SRC/contrib/udev/60-ispflash.rules"
DOC=$U/share/doc/ispflash
for f in README.md copyright changelog.gz; do
    check "install: doc $f" test -s "$DOC/$f"
done
for f in "$SRC"/docs/*.md; do
    check "install: doc $(basename "$f")" cmp -s "$f" "$DOC/$(basename "$f")"
done
check "install: the copyright file is machine-readable" \
    grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' "$DOC/copyright"

BASHC=$U/share/bash-completion/completions/ispflash
ZSHC=$U/share/zsh/vendor-completions/_ispflash
check "install: bash completion" test -s "$BASHC"
check "install: zsh completion" test -s "$ZSHC"

# Each list in the completion is exactly the binary's (sorted, without duplicates).
"$BIN" --complete-data >"$WORK/data"
check "install: --complete-data lists something" test -s "$WORK/data"
for kind in option programmer part mem bootloader; do
    awk -v k="$kind" '$1 == k { print $2 }' "$WORK/data" | sort -u >"$WORK/want"
    grep -m1 "^    local ${kind}s='" "$BASHC" | sed "s/^[^']*'//; s/'\$//" | tr ' ' '\n' |
        sort -u >"$WORK/bash"
    check "install: bash ${kind}s = the binary's" cmp -s "$WORK/want" "$WORK/bash"
    grep -m1 "^${kind}s=(" "$ZSHC" | sed 's/^[^(]*(//; s/)$//' | tr ' ' '\n' | sort -u >"$WORK/zsh"
    check "install: zsh ${kind}s = the binary's" cmp -s "$WORK/want" "$WORK/zsh"
done
check "install: the lists are not trivially empty" test "$(grep -c '^programmer ' "$WORK/data")" -ge 10

# The bash function itself: -c and -p complete from those lists.
complete_words() { # complete_words WORD...: COMPREPLY for the last word
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _ispflash
             printf "%s\n" "${COMPREPLY[@]}"' _ "$BASHC" "$@"
}
complete_words ispflash -c avr >"$WORK/out"
check "install: bash completes -c avr to avrisp" grep -qx avrisp "$WORK/out"
check "install: -c avr offers only avr*" test -z "$(grep -v '^avr' "$WORK/out")"
complete_words ispflash -p atmega32u >"$WORK/out"
check "install: bash completes -p atmega32u to atmega32u4" grep -qx atmega32u4 "$WORK/out"
complete_words ispflash -U fla >"$WORK/out"
check "install: bash completes -U fla to flash:" grep -qx 'flash:' "$WORK/out"
complete_words ispflash --bootloader cater >"$WORK/out"
check "install: bash completes --bootloader cater" grep -qx caterina "$WORK/out"
complete_words ispflash --unsafe >"$WORK/out"
check "install: bash completes --unsafe to --unsafe-fuses" grep -qx -- --unsafe-fuses "$WORK/out"
complete_words ispflash -N -p m32u4 - >"$WORK/out"
check "install: bash completes options, -N among them" grep -qx -- -N "$WORK/out"
finish
