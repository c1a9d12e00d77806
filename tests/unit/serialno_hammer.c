// SPDX-License-Identifier: GPL-2.0-or-later
/* serialno_hammer COUNTER K [START]: reserve K numbers from the counter file and print
 * each on its own line as soon as it is reserved. Several run at once in
 * tests/record/serialno_hammer.sh, one of them killed with -9 mid-way. */
#include <stdio.h>
#include <stdlib.h>

#include "ispflash/serialno.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: serialno_hammer COUNTER K [START]\n");
        return 2;
    }
    long k = strtol(argv[2], NULL, 10);
    struct serialno_counter *c;
    struct ispf_error err;
    ispf_error_clear(&err);
    if (serialno_counter_open(&c, argv[1], argc > 3, argc > 3 ? strtoull(argv[3], NULL, 10) : 0,
                              &err) != ISPF_OK) {
        fprintf(stderr, "serialno_hammer: %s\n", err.msg);
        return 1;
    }
    for (long i = 0; i < k; i++) {
        uint64_t n;
        if (serialno_reserve(c, &n, &err) != ISPF_OK) {
            fprintf(stderr, "serialno_hammer: %s\n", err.msg);
            return 1;
        }
        printf("%llu\n", (unsigned long long)n);
        fflush(stdout);
    }
    serialno_counter_close(c);
    return 0;
}
