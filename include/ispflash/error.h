/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Errors are values: every fallible function returns ISPF_OK (0) or a negative
 * enum ispf_status, and fills a struct ispf_error with a human-readable message.
 * Nothing below src/cli prints or exits.
 */
#ifndef ISPFLASH_ERROR_H
#define ISPFLASH_ERROR_H

#include <stdarg.h>

/* The printf format checks: mingw-w64 (built with __USE_MINGW_ANSI_STDIO) prints
 * like glibc, which gcc calls gnu_printf there (its "printf" is msvcrt's). */
#if defined(__MINGW32__) && !defined(__clang__)
#define ISPF_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#else
#define ISPF_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif

enum ispf_status {
    ISPF_OK = 0,
    ISPF_E_USAGE = -1,        /* bad option or argument */
    ISPF_E_INPUT = -2,        /* bad input file / value (malformed HEX, image too big) */
    ISPF_E_NOMEM = -3,        /* allocation failed */
    ISPF_E_IO = -4,           /* read/write failure on a file or a port */
    ISPF_E_TIMEOUT = -5,      /* the programmer did not answer in time */
    ISPF_E_PROTOCOL = -6,     /* the programmer answered something unexpected */
    ISPF_E_NO_DEVICE = -7,    /* programmer not found (port missing, USB device absent) */
    ISPF_E_ACCESS = -8,       /* permission denied opening the programmer */
    ISPF_E_DISCONNECTED = -9, /* programmer went away mid-operation */
    ISPF_E_NO_TARGET = -10,   /* no target answers (signature 000000/FFFFFF, enable failed) */
    ISPF_E_SIGNATURE = -11,   /* target signature is not the expected part */
    ISPF_E_VERIFY = -12,      /* verification mismatch */
    ISPF_E_UNSUPPORTED = -13, /* operation not possible with this programmer/part */
    ISPF_E_REFUSED = -14,     /* a safety guard refused the operation */
    ISPF_E_TARGET = -15,      /* target reported a failure (write timeout, FAILED status) */
    ISPF_E_INTERRUPTED = -16, /* stopped on request (Ctrl-C, SIGTERM, SIGHUP): see interrupt.h */
};

#define ISPF_ERRMSG_MAX 4096

struct ispf_error {
    int code;                  /* last enum ispf_status set, ISPF_OK if none */
    char msg[ISPF_ERRMSG_MAX]; /* complete sentence(s), no trailing newline */
};

/* Clear an error object. */
void ispf_error_clear(struct ispf_error *err);

/* Record an error (printf-style message) and return code, so callers can write
 * `return ispf_fail(err, ISPF_E_INPUT, "%s:%u: bad checksum", ...);`. err may be NULL. */
int ispf_fail(struct ispf_error *err, int code, const char *fmt, ...) ISPF_PRINTF(3, 4);
int ispf_vfail(struct ispf_error *err, int code, const char *fmt, va_list ap);

/* Prepend context to an existing message ("writing flash: <old message>"). Returns err->code. */
int ispf_error_prefix(struct ispf_error *err, const char *fmt, ...) ISPF_PRINTF(2, 3);

/* Short name of a status code ("timeout", "verification failed"...). */
const char *ispf_strerror(int code);

/* The documented exit code of a status (the classes of `ispflash --help`): 0 ok,
 * 1 other, 2 usage, 3 input, 4 programmer, 5 target, 6 verify, 7 refused,
 * 8 interrupted. The CLI exits with it; the board log records it. */
int ispf_exit_class(int status);

#endif
