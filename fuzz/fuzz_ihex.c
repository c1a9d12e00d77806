// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Intel HEX reader (src/core/ihex.c, src/core/records.c). Asserts: a rejected file's
 * message names file:line; an accepted file's image is consistent, and writing it as
 * Intel HEX and reading that back gives the same image.
 */
#include "fuzz.h"
#include "ispflash/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    struct image img, back;
    struct ispf_error err;
    image_init(&img);
    image_init(&back);
    ispf_error_clear(&err);
    /* The reader gets exactly size bytes (no NUL after them): ASan sees any read past. */
    int rc = ihex_parse(&img, (const char *)data, size, "in.hex", &err);
    fuzz_check_where(rc, &err, "in.hex", 0);
    if (rc == ISPF_OK) {
        FUZZ_CHECK(img.end <= IMAGE_MAX_SIZE);
        FUZZ_CHECK(img.count <= img.end);
        FUZZ_CHECK(image_empty(&img) == (img.count == 0));
        char *out = NULL;
        size_t outlen = 0;
        rc = ihex_format(&img, &out, &outlen, &err);
        FUZZ_CHECK(rc == ISPF_OK);
        rc = ihex_parse(&back, out, outlen, "round-trip.hex", &err);
        if (rc != ISPF_OK)
            fprintf(stderr, "re-reading the written HEX: %s\n", err.msg);
        FUZZ_CHECK(rc == ISPF_OK);
        FUZZ_CHECK(image_equal(&img, &back));
        free(out);
    }
    image_free(&img);
    image_free(&back);
    return 0;
}
