# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by .ci/fuzz.sh and fuzz/long-run.sh (sourced): the targets, their dictionaries,
# and the libFuzzer build (clang) in $FUZZ_BUILD.
FUZZ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# FUZZ_SAN=asan (default: ASan + UBSan, CI) or none (coverage only, several times faster,
# for long runs: fuzz/long-run.sh); each has its own build folder.
FUZZ_SAN=${FUZZ_SAN:-asan}
case $FUZZ_SAN in
asan) FUZZ_BUILD=${FUZZ_BUILD:-$FUZZ_ROOT/build-fuzz} ;;
none) FUZZ_BUILD=${FUZZ_BUILD:-$FUZZ_ROOT/build-fuzz-nosan} ;;
*)
    echo "FUZZ_SAN must be asan or none, not $FUZZ_SAN" >&2
    return 1
    ;;
esac
FUZZ_TARGETS="ihex fileformat elf immediate opts memfile merge qmk fusefield serialno
pgm_arduino pgm_avrisp pgm_stk500v2 pgm_stk500 pgm_buspirate pgm_avr109 pgm_usbtiny pgm_usbasp"
# Bounded memory and time for bounded input: over 1 GiB or 10 s for one input is a finding.
FUZZ_LIMITS="-rss_limit_mb=1024 -timeout=10 -malloc_limit_mb=1024"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

fuzz_dict() {
    case $1 in
    ihex | fileformat | memfile | merge) echo ihex ;;
    elf) echo elf ;;
    qmk) echo json ;;
    pgm_arduino | pgm_avrisp) echo stk500v1 ;;
    pgm_stk500v2 | pgm_stk500) echo stk500v2 ;;
    pgm_buspirate) echo buspirate ;;
    pgm_avr109) echo avr109 ;;
    pgm_usbtiny | pgm_usbasp) echo usb ;;
    *) echo opts ;;
    esac
}

fuzz_build() {
    CC=clang cmake -S "$FUZZ_ROOT" -B "$FUZZ_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DISPF_FUZZ=ON -DISPF_FUZZ_SANITIZE="$FUZZ_SAN" -DISPF_BUILD_TESTS=OFF -DISPF_WERROR=ON \
        >/dev/null
    cmake --build "$FUZZ_BUILD" -j2 --target fuzz_all
}
