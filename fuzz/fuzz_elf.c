// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVR ELF reader (src/core/elf.c over libelf), from memory. Asserts: a rejected file's
 * message names it; an accepted one gives consistent images for every memory, and the
 * list of the other memories it holds is a terminated string.
 */
#include "fuzz.h"
#include "ispflash/elf.h"
#include "ispflash/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    struct elf_avr e;
    struct ispf_error err;
    elf_avr_init(&e);
    ispf_error_clear(&err);
    int rc = elf_avr_parse(&e, data, size, "in.elf", &err);
    fuzz_check_where(rc, &err, "in.elf", 1);
    if (rc == ISPF_OK) {
        FUZZ_CHECK(e.flash.count <= e.flash.end && e.flash.end <= IMAGE_MAX_SIZE);
        FUZZ_CHECK(e.eeprom.count <= e.eeprom.end && e.eeprom.end <= IMAGE_MAX_SIZE);
        static const enum mem_id mems[] = {MEM_FLASH, MEM_EEPROM, MEM_LFUSE,    MEM_HFUSE,
                                           MEM_EFUSE, MEM_LOCK,   MEM_SIGNATURE};
        for (size_t i = 0; i < sizeof mems / sizeof mems[0]; i++) {
            struct image img;
            image_init(&img);
            ispf_error_clear(&err);
            rc = elf_avr_image(&e, mems[i], &img, "in.elf", &err);
            fuzz_check_where(rc, &err, "in.elf", 1);
            if (rc == ISPF_OK)
                FUZZ_CHECK(!image_empty(&img));
            char others[256];
            memset(others, 'x', sizeof others);
            elf_avr_others(&e, mems[i], others, sizeof others);
            FUZZ_CHECK(memchr(others, '\0', sizeof others) != NULL);
            image_free(&img);
        }
    }
    elf_avr_free(&e);
    return 0;
}
