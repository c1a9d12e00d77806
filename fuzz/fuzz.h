/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared pieces of the fuzz harnesses (fuzz/fuzz_*.c). Each harness defines
 * LLVMFuzzerTestOneInput; libFuzzer drives it (-DISPF_FUZZ=ON with clang), or
 * fuzz/standalone_main.c runs it over files (the regression tests in the default build).
 */
#ifndef ISPFLASH_FUZZ_H
#define ISPFLASH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "ispflash/error.h"
#include "ispflash/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: a violation is a finding (abort). */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Every failure carries its code and a non-empty message. */
static inline void fuzz_check_error(int rc, const struct ispf_error *err)
{
    if (rc == ISPF_OK)
        return;
    FUZZ_CHECK(rc < 0 && rc >= ISPF_E_INTERRUPTED);
    FUZZ_CHECK(err->code == rc);
    FUZZ_CHECK(err->msg[0] != '\0');
    FUZZ_CHECK(memchr(err->msg, '\0', sizeof err->msg) != NULL);
}

/* A file reader's input error names the file and a line, "NAME:LINE: ..." (or only the
 * file, for the formats whose errors are about the whole file: whole_file_ok). */
static inline void fuzz_check_where(int rc, const struct ispf_error *err, const char *name,
                                    int whole_file_ok)
{
    fuzz_check_error(rc, err);
    if (rc != ISPF_E_INPUT)
        return;
    const char *m = strstr(err->msg, name);
    if (m == NULL) {
        fprintf(stderr, "message without the file name %s: %s\n", name, err->msg);
        abort();
    }
    m += strlen(name);
    if (m[0] == ':' && m[1] >= '1' && m[1] <= '9')
        return;
    if (whole_file_ok)
        return;
    fprintf(stderr, "message without %s:LINE: %s\n", name, err->msg);
    abort();
}

/* A NUL-terminated copy of the input (caller frees). */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Nothing is printed by the code under test: the log goes nowhere. */
static inline void fuzz_quiet(void)
{
    static int done;
    if (!done) {
        ispf_log_set_sink(NULL, NULL);
#ifdef M_MMAP_THRESHOLD
        /* Each input runs as in a fresh ispflash process, where an image's large zeroed
         * arrays are new pages the kernel zeroes as they are touched. In one long process
         * glibc raises its mmap threshold after the first large free and serves the next
         * large callocs from the heap, clearing them whole: up to 16 MiB per input, a
         * cost of the fuzz loop only. A fixed threshold keeps them on mmap. */
        mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
        done = 1;
    }
}

/* A file holding data[0..size) (rewritten every call): a path in a private folder. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

#endif
