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

#endif
