// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuse-field assignments (--fuse FIELD=VALUE; src/core/fusefield.c). The first input
 * byte picks the part, the rest is the argument. Asserts: a rejected one has a message;
 * an accepted one names a fuse byte of the part and its new bits lie inside the field's
 * mask; applying it changes no bit outside the mask.
 */
#include "fuzz.h"
#include "ispflash/fusefield.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    if (size < 1 || size > 1024)
        return 0;
    const struct part *p = part_at(data[0] % part_count());
    FUZZ_CHECK(p != NULL);
    char *arg = fuzz_strdup(data + 1, size - 1);
    struct fusefield_set s;
    struct ispf_error err;
    ispf_error_clear(&err);
    int rc = fusefield_parse(p, arg, &s, &err);
    fuzz_check_error(rc, &err);
    if (rc == ISPF_OK) {
        FUZZ_CHECK(s.field != NULL);
        FUZZ_CHECK(mem_is_fuse(s.mem));
        FUZZ_CHECK((s.bits & (uint8_t)~s.mask) == 0);
        for (unsigned b = 0; b < 256; b += 17)
            FUZZ_CHECK((fusefield_apply(&s, (uint8_t)b) & (uint8_t)~s.mask) ==
                       ((uint8_t)b & (uint8_t)~s.mask));
        char buf[512];
        memset(buf, 'x', sizeof buf);
        fusefield_values(p, s.mem, s.field, ", ", buf, sizeof buf);
        FUZZ_CHECK(memchr(buf, '\0', sizeof buf) != NULL);
    }
    free(arg);
    return 0;
}
