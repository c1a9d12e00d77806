/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The exit status of a sanitizer report in a sanitizer build (sanitizer_defaults.c). */
#ifndef ISPF_BASE_SANITIZER_DEFAULTS_H
#define ISPF_BASE_SANITIZER_DEFAULTS_H

#define ISPF_SANITIZER_EXITCODE 86
#define ISPF_SANITIZER_EXITCODE_STR "86"

/* The sanitizer runtimes call these at start-up for their default options. */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__lsan_default_options(void);
/* Called by every sanitizer with a report's "SUMMARY: ..." line (replaces the runtime's
 * version, which prints it to stderr): prints it, and appends it, prefixed with the pid and
 * the program's name, to the file $ISPF_SANITIZER_REPORTS names when that is set. */
void __sanitizer_report_error_summary(const char *summary);

#endif
