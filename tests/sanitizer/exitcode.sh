#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# No test can mistake a sanitizer or valgrind report for one of ispflash's documented
# exit codes: the codes the test tools exit with (the sanitizers' ISPF_SANITIZER_EXITCODE,
# valgrind's --error-exitcode=99 in every valgrind test) are none of the codes the man
# page and --help document; in a sanitizer build, a leak, a heap overflow and an
# undefined operation each end a program with that code, under the environment the
# suite runs in (which must not set another exitcode=), and the programs the tests run
# carry the default.
# usage: exitcode.sh MANPAGE ISPFLASH SANITIZER_CODE [PROBE PROGRAM...]
set -u
man=$1 ispf=$2 code=$3
shift 3
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# The documented codes: the numbers in the man page's EXIT STATUS section, and in
# --help's list of exit codes.
doc=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$man" | grep -oE '(^|[^0-9x.])[0-9]{1,3}([^0-9]|$)' |
    grep -oE '[0-9]+' | sort -nu | tr '\n' ' ')
helpcodes=$("$ispf" --help 2>&1 | sed -n '/^Exit codes:/,/^$/p' | grep -oE '^ *[0-9]+' |
    grep -oE '[0-9]+' | sort -nu | tr '\n' ' ')
echo "documented exit codes: man page: $doc; --help: $helpcodes"
case " $doc " in *" 8 "*) ;; *) fail "could not read the man page's exit codes (no 8 in '$doc')" ;; esac
case " $helpcodes " in *" 8 "*) ;; *) fail "could not read --help's exit codes (no 8 in '$helpcodes')" ;; esac
for tool in "$code" 99; do
    case " $doc $helpcodes " in
    *" $tool "*) fail "exit code $tool of a test tool is also a documented ispflash code" ;;
    esac
done

if [ $# -gt 0 ]; then
    probe=$1
    shift
    for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
        eval "val=\${$v:-}"
        case "$val" in
        *exitcode=*) fail "$v sets exitcode= ('$val'): it would replace $code" ;;
        esac
    done
    for mode in leak overflow undefined; do
        # log_path=stderr: the report comes here, not into a CI run's log directory.
        # ISPF_SANITIZER_REPORTS: the report's summary is also appended there (how the
        # suite sees reports from programs it runs in the background: sanitizer_reports).
        rm -f probe.reports
        ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=stderr" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=stderr" \
            LSAN_OPTIONS="${LSAN_OPTIONS:-}:log_path=stderr" ISPF_SANITIZER_REPORTS="$PWD/probe.reports" \
            "$probe" "$mode" >/dev/null 2>probe.err
        rc=$?
        if [ "$rc" -eq "$code" ]; then
            echo "ok: $mode ends with $rc"
        else
            fail "$mode ended with $rc, not $code"
            cat probe.err >&2
        fi
        if grep -q "^pid [0-9]* sanitizer_probe: SUMMARY: " probe.reports 2>/dev/null &&
            grep -q "^SUMMARY: " probe.err; then
            echo "ok: $mode: $(sed 's/^pid [0-9]* //' probe.reports)"
        else
            fail "$mode: no summary line in ISPF_SANITIZER_REPORTS's file and on stderr"
            cat probe.reports >&2
        fi
    done
    rm -f probe.reports
    ISPF_SANITIZER_REPORTS="$PWD/probe.reports" "$probe" none ||
        fail "the probe fails without a fault"
    [ -e probe.reports ] && fail "a run without a fault wrote ISPF_SANITIZER_REPORTS's file"
    # Every program the tests run: ispflash, the emulators. help=1 lists the flags with
    # their current values.
    for prog in "$ispf" "$@"; do
        if ASAN_OPTIONS=help=1 "$prog" --version 2>&1 | grep -A2 -E '^[[:space:]]*exitcode' |
            grep -q "Current Value: $code"; then
            echo "ok: $(basename "$prog") has exitcode=$code by default"
        else
            fail "$(basename "$prog") does not default to exitcode=$code"
        fi
    done
    rm -f probe.err probe.reports
fi
[ "$fails" -eq 0 ] && echo "sanitizer_exitcode: ok"
