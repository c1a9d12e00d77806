// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The file loader (src/core/fileformat.c: format detection, S-record, raw; through it
 * Intel HEX and ELF). The first input byte picks the format given (auto, ihex, raw, srec,
 * elf) and the memory; the rest is the file. Asserts: a rejected file's message names
 * the file (text formats: file:line); an accepted one gives a consistent image; auto
 * detection picks a real format; an S-record or Intel HEX image written back and read
 * again is the same image.
 */
#include "fuzz.h"
#include "ispflash/elf.h"
#include "ispflash/image.h"

static const enum image_format fmts[] = {IMAGE_FMT_AUTO, IMAGE_FMT_IHEX, IMAGE_FMT_RAW,
                                         IMAGE_FMT_SREC, IMAGE_FMT_ELF};
static const enum mem_id mems[] = {MEM_FLASH, MEM_EEPROM, MEM_LFUSE, MEM_LOCK};

static void round_trip(const struct image *img, enum image_format fmt)
{
    struct image back;
    struct ispf_error err;
    image_init(&back);
    ispf_error_clear(&err);
    char path[300];
    snprintf(path, sizeof path, "%s", fuzz_file("back", NULL, 0));
    int rc = image_save(img, path, fmt, &err);
    if (rc == ISPF_OK)
        rc = image_load(&back, path, fmt, NULL, &err);
    if (rc != ISPF_OK)
        fprintf(stderr, "round trip as %s: %s\n", image_format_name(fmt), err.msg);
    FUZZ_CHECK(rc == ISPF_OK);
    FUZZ_CHECK(image_equal(img, &back));
    image_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    if (size < 1)
        return 0;
    enum image_format fmt = fmts[(data[0] & 0x0F) % 5];
    enum mem_id mem = mems[(data[0] >> 4) % 4];
    const char *path = fuzz_file("in.img", data + 1, size - 1);
    struct image img;
    struct elf_avr elf;
    struct ispf_error err;
    image_init(&img);
    elf_avr_init(&elf);
    ispf_error_clear(&err);
    enum image_format detected = IMAGE_FMT_IMMEDIATE;
    int rc = image_load_mem(&img, path, fmt, mem, &detected, &elf, &err);
    /* ELF errors are about the whole file ("FILE: ..."), the text formats' about a line. */
    int text =
        fmt == IMAGE_FMT_IHEX || fmt == IMAGE_FMT_SREC ||
        (fmt == IMAGE_FMT_AUTO && (detected == IMAGE_FMT_IHEX || detected == IMAGE_FMT_SREC));
    fuzz_check_where(rc, &err, path, !text);
    if (fmt == IMAGE_FMT_AUTO && detected != IMAGE_FMT_IMMEDIATE)
        FUZZ_CHECK(detected == IMAGE_FMT_IHEX || detected == IMAGE_FMT_RAW ||
                   detected == IMAGE_FMT_SREC || detected == IMAGE_FMT_ELF);
    if (rc == ISPF_OK) {
        FUZZ_CHECK(img.end <= IMAGE_MAX_SIZE);
        FUZZ_CHECK(img.count <= img.end);
        enum image_format got = fmt == IMAGE_FMT_AUTO ? detected : fmt;
        if (got == IMAGE_FMT_RAW)
            FUZZ_CHECK(img.count == size - 1);
        if ((got == IMAGE_FMT_SREC || got == IMAGE_FMT_IHEX) && !image_empty(&img))
            round_trip(&img, got);
    }
    elf_avr_free(&elf);
    image_free(&img);
    return 0;
}
