// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The multi-memory file (-U ALL / -U flash,eeprom; src/core/memfile.c). The input is
 * "LIST\0FILE": LIST a memory list, FILE an Intel HEX file holding the sections at
 * their offsets (eeprom at 0x810000, fuses 0x820000+, lock 0x830000). The part is the
 * ATmega32U4. Asserts: a rejected list or file has a message (file:line for the file);
 * each memory taken out of an accepted file fits that memory, and putting it back at
 * its offset into an empty image and taking it out again gives the same bytes.
 */
#include "fuzz.h"
#include "ispflash/image.h"
#include "ispflash/memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    const uint8_t *nul = memchr(data, '\0', size);
    size_t llen = nul ? (size_t)(nul - data) : size;
    if (llen > 256)
        return 0;
    char *list = fuzz_strdup(data, llen);
    const uint8_t *file = nul ? nul + 1 : data + size;
    size_t flen = (size_t)(data + size - file);
    const struct part *p = part_find("atmega32u4");
    FUZZ_CHECK(p != NULL);
    struct ispf_error err;
    ispf_error_clear(&err);
    enum mem_id mems[16];
    size_t n = 0;
    (void)memfile_is_list(list);
    int rc = memfile_parse_list(list, p, mems, 16, &n, &err);
    fuzz_check_error(rc, &err);
    if (rc != ISPF_OK) {
        free(list);
        return 0;
    }
    FUZZ_CHECK(n >= 1 && n <= 16);
    struct image all, one, again, back;
    image_init(&all);
    image_init(&one);
    image_init(&again);
    image_init(&back);
    rc = ihex_parse(&all, (const char *)file, flen, "all.hex", &err);
    fuzz_check_where(rc, &err, "all.hex", 0);
    for (size_t i = 0; rc == ISPF_OK && i < n; i++) {
        int r = memfile_get(&all, mems[i], p, &one, &err);
        fuzz_check_error(r, &err);
        if (r != ISPF_OK)
            continue;
        uint32_t size_mem = mem_is_fuse(mems[i]) ? 1 : part_mem_size(p, mems[i]);
        if (mems[i] != MEM_FLASH && mems[i] != MEM_EEPROM)
            FUZZ_CHECK(one.end <= size_mem);
        image_clear(&back);
        FUZZ_CHECK(memfile_put(&back, mems[i], &one, &err) == ISPF_OK);
        FUZZ_CHECK(memfile_get(&back, mems[i], p, &again, &err) == ISPF_OK);
        FUZZ_CHECK(image_equal(&one, &again));
        (void)memfile_has_sections(&all);
    }
    image_free(&all);
    image_free(&one);
    image_free(&again);
    image_free(&back);
    free(list);
    return 0;
}
