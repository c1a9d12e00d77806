/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Linked into every program of a sanitizer build (-DISPF_SANITIZE=ON) and into no other
 * build. The sanitizers exit with 1 by default (ASan, UBSan) or 23 (LeakSanitizer):
 * 1 is also ispflash's documented "other failure", so a test expecting exit 1 would pass
 * on a memory error or a leak. Every sanitizer report ends the program with 86 instead,
 * which is none of the documented codes (docs/ispflash.1, EXIT STATUS; CTest
 * sanitizer_exitcode checks both). An explicit exitcode= in ASAN_OPTIONS, UBSAN_OPTIONS
 * or LSAN_OPTIONS still wins, so .ci/run sets none.
 */
#include "base/sanitizer_defaults.h"

const char *__asan_default_options(void)
{
    return "exitcode=" ISPF_SANITIZER_EXITCODE_STR;
}

const char *__ubsan_default_options(void)
{
    return "exitcode=" ISPF_SANITIZER_EXITCODE_STR;
}

const char *__lsan_default_options(void)
{
    return "exitcode=" ISPF_SANITIZER_EXITCODE_STR;
}
