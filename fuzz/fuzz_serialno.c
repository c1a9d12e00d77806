// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Serial numbers (--serial MEM:ADDR:LEN[:FORMAT]; src/core/serialno.c). The first 8
 * input bytes are the number, the rest the argument. Asserts: a rejected spec has a
 * message; an accepted one renders into exactly its LEN bytes at ADDR (or fails with a
 * message), with a terminated text, and a check against the ATmega32U4 has a message
 * when it fails.
 */
#include "fuzz.h"
#include "ispflash/serialno.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    if (size < 8 || size > 1024)
        return 0;
    uint64_t number = 0;
    memcpy(&number, data, 8);
    char *arg = fuzz_strdup(data + 8, size - 8);
    struct serialno_spec sp;
    struct ispf_error err;
    ispf_error_clear(&err);
    int rc = serialno_parse(arg, &sp, &err);
    fuzz_check_error(rc, &err);
    if (rc == ISPF_OK) {
        FUZZ_CHECK(sp.mem == MEM_FLASH || sp.mem == MEM_EEPROM);
        FUZZ_CHECK(memchr(sp.tmpl, '\0', sizeof sp.tmpl) != NULL);
        const struct part *p = part_find("atmega32u4");
        fuzz_check_error(serialno_check_part(&sp, p, &err), &err);
        struct image img;
        image_init(&img);
        char text[SERIALNO_TEXT_MAX];
        memset(text, 'x', sizeof text);
        rc = serialno_render(&sp, number, &img, text, sizeof text, &err);
        fuzz_check_error(rc, &err);
        if (rc == ISPF_OK) {
            FUZZ_CHECK(memchr(text, '\0', sizeof text) != NULL);
            FUZZ_CHECK(img.count == sp.len);
            FUZZ_CHECK(image_count_range(&img, sp.addr, sp.len) == sp.len);
            FUZZ_CHECK(serialno_overlaps(&sp, &img));
        }
        image_free(&img);
    }
    free(arg);
    return 0;
}
