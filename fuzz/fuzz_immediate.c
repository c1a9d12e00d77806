// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Immediate values (-U mem:w:0x12,0x34,'c':m; src/core/fileformat.c). Asserts: an
 * error has a message; success gives at least one byte at 0.. with no holes, and the
 * values written out as immediate text read back to the same image.
 */
#include "fuzz.h"
#include "ispflash/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    if (size > 4096)
        return 0;
    char *text = fuzz_strdup(data, size);
    struct image img, back;
    struct ispf_error err;
    image_init(&img);
    image_init(&back);
    ispf_error_clear(&err);
    int rc = image_parse_immediate(&img, text, &err);
    fuzz_check_error(rc, &err);
    if (rc == ISPF_OK) {
        FUZZ_CHECK(img.count > 0 && img.count == img.end && image_start(&img) == 0);
        /* Render as avrdude's immediate output would: decimal list. */
        char *out = malloc((size_t)img.count * 5 + 1);
        FUZZ_CHECK(out != NULL);
        size_t n = 0;
        for (uint32_t a = 0; a < img.end; a++)
            n += (size_t)sprintf(out + n, "%s%u", a ? "," : "", img.data[a]);
        rc = image_parse_immediate(&back, out, &err);
        FUZZ_CHECK(rc == ISPF_OK);
        FUZZ_CHECK(image_equal(&img, &back));
        free(out);
    }
    image_free(&img);
    image_free(&back);
    free(text);
    return 0;
}
