/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The few POSIX calls of src/cli that Windows (mingw-w64) lacks, under their POSIX
 * names (the core's are in src/base/compat.h, which src/cli may not include).
 * Include it after the system headers. Nothing on Linux and macOS.
 */
#ifndef ISPFLASH_CLI_PLATFORM_H
#define ISPFLASH_CLI_PLATFORM_H

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define flockfile _lock_file
#define funlockfile _unlock_file

static inline char *cli_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = malloc(len + 1);
    if (d != NULL) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}
#define strndup cli_strndup
#endif

/* Bytes in and out unchanged: stdin and stdout carry raw images (-U flash:r:-:r), and
 * every file is opened in binary mode (no CR LF translation, no Ctrl-Z end of
 * file) whether or not its fopen says "b". stderr stays a console text stream. */
static inline void cli_binary_mode(void)
{
#ifdef _WIN32
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
    _fmode = _O_BINARY;
#endif
}

#endif
