/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A program with one deliberate fault per mode, built only in a sanitizer build and
 * linked like every other program of it: CTest sanitizer_exitcode checks that each
 * report ends it with ISPF_SANITIZER_EXITCODE, whatever the program's own exit would
 * have been (each mode's own status is a documented ispflash code, so a missed report
 * would look like an ordinary failure).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int probe_sink;

static void probe_leak(void)
{
    for (int i = 0; i < 16; i++) {
        volatile char *p = malloc(32);
        if (p)
            p[0] = (char)i;
    }
}

static int probe_overflow(int n)
{
    char *p = malloc(4);
    if (!p)
        return 0;
    p[n + 3] = 1; /* n >= 1: one past the end */
    int v = p[0];
    free(p);
    return v;
}

static int probe_undefined(int n)
{
    int x = INT_MAX;
    x += n; /* n >= 1: signed overflow */
    return x & 1;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    if (!strcmp(argv[1], "leak")) {
        probe_leak();
        return 1;
    }
    if (!strcmp(argv[1], "overflow")) {
        probe_sink = probe_overflow(argc - 1);
        return 4;
    }
    if (!strcmp(argv[1], "undefined")) {
        probe_sink = probe_undefined(argc - 1);
        return 5;
    }
    if (!strcmp(argv[1], "none"))
        return 0;
    fprintf(stderr, "probe: unknown mode %s\n", argv[1]);
    return 2;
}
