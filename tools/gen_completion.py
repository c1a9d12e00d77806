#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Shell completions from the binary's own tables, at build time (so they never drift).

    gen_completion.py ISPFLASH OUTDIR

runs `ISPFLASH --complete-data` (lines "KIND WORD": option, programmer, part, mem,
bootloader) and writes OUTDIR/ispflash (bash) and OUTDIR/_ispflash (zsh).
tests/install/layout.sh checks the installed files against the binary again.
"""
import os
import subprocess
import sys

KINDS = ("option", "programmer", "part", "mem", "bootloader")
# Options whose value is a file or a folder (everything else: complete nothing special).
FILE_OPTIONS = "-P -l -C --ports --log --backup --serial-file --qmk"


def read_words(binary):
    out = subprocess.run([binary, "--complete-data"], check=True, capture_output=True,
                         text=True).stdout
    words = {k: [] for k in KINDS}
    for line in out.splitlines():
        kind, _, word = line.partition(" ")
        if kind not in words or not word or any(c in word for c in " '\"\\$`"):
            sys.exit(f"gen_completion.py: unexpected line from --complete-data: {line!r}")
        if word not in words[kind]:
            words[kind].append(word)
    for k in KINDS:
        if not words[k]:
            sys.exit(f"gen_completion.py: --complete-data listed no {k}")
    return words


BASH = """\
# bash completion for ispflash. GENERATED at build time by tools/gen_completion.py
# from `ispflash --complete-data` (the binary's own tables): do not edit.
_ispflash()
{{
    local cur=${{COMP_WORDS[COMP_CWORD]}} prev=
    ((COMP_CWORD > 0)) && prev=${{COMP_WORDS[COMP_CWORD - 1]}}
    local options='{option}'
    local programmers='{programmer}'
    local parts='{part}'
    local mems='{mem}'
    local bootloaders='{bootloader}'
    COMPREPLY=()
    case $prev in
    -c) COMPREPLY=($(compgen -W "$programmers" -- "$cur")); return 0 ;;
    -p) COMPREPLY=($(compgen -W "$parts" -- "$cur")); return 0 ;;
    --bootloader) COMPREPLY=($(compgen -W "$bootloaders" -- "$cur")); return 0 ;;
    -U)
        # mem:op:file[:fmt] or just a file (flash:w:FILE)
        local m
        for m in $mems; do [[ $m == "$cur"* ]] && COMPREPLY+=("$m:"); done
        COMPREPLY+=($(compgen -f -- "$cur"))
        compopt -o nospace 2>/dev/null
        return 0 ;;
    {file_case}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    -b | -B | -x | --batch-wait | --serial | --serial-start | --fuse | --jtag) return 0 ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    elif ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W "merge info" -- "$cur"))
    fi
    return 0
}}
complete -o default -F _ispflash ispflash
"""

ZSH = """\
#compdef ispflash
# zsh completion for ispflash. GENERATED at build time by tools/gen_completion.py
# from `ispflash --complete-data` (the binary's own tables): do not edit.
local -a options programmers parts mems bootloaders
options=({option})
programmers=({programmer})
parts=({part})
mems=({mem})
bootloaders=({bootloader})
case ${{words[CURRENT-1]}} in
-c) compadd -a programmers ;;
-p) compadd -a parts ;;
--bootloader) compadd -a bootloaders ;;
-U) compadd -S : -a mems; _files ;;
{zsh_file_case}) _files ;;
-b|-B|-x|--batch-wait|--serial|--serial-start|--fuse|--jtag) ;;
*) if [[ $PREFIX == -* ]]; then compadd -a options; else _files; fi ;;
esac
"""


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    words = read_words(sys.argv[1])
    outdir = sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    joined = {k: " ".join(v) for k, v in words.items()}
    with open(os.path.join(outdir, "ispflash"), "w") as f:
        f.write(BASH.format(file_case=" | ".join(FILE_OPTIONS.split()), **joined))
    with open(os.path.join(outdir, "_ispflash"), "w") as f:
        f.write(ZSH.format(zsh_file_case="|".join(FILE_OPTIONS.split()), **joined))


if __name__ == "__main__":
    main()
