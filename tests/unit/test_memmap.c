// SPDX-License-Identifier: GPL-2.0-or-later
/* The flash map bar (memmap_render) for known images, compared with the expected text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ispflash/memmap.h"

static void fill(struct image *img, uint32_t from, uint32_t len, uint8_t v)
{
    struct ispf_error err;
    for (uint32_t a = from; a < from + len; a++)
        assert_int_equal(image_set(img, a, v, &err), ISPF_OK);
}

static void test_segments_holes_boot_overlap(void **state)
{
    (void)state;
    struct image img;
    image_init(&img);
    fill(&img, 0x000, 0x100, 0x0C);
    fill(&img, 0x300, 0x100, 0x94);
    fill(&img, 0xE00, 0x100, 0x11);
    char buf[2048];
    size_t n = memmap_render(&img, 0x1000, 0xC00, 0x400, 16, buf, sizeof buf);
    const char *want =
        "[#..#........BB@B]  0x00000-0x00FFF (4096 bytes, 256 per cell)\n"
        "# data  . empty  B boot section (empty)  @ data in the boot section\n"
        "segment  0x00000-0x000FF    256 bytes\n"
        "hole     0x00100-0x002FF    512 bytes\n"
        "segment  0x00300-0x003FF    256 bytes\n"
        "hole     0x00400-0x00DFF   2560 bytes\n"
        "segment  0x00E00-0x00EFF    256 bytes\n"
        "boot     0x00C00-0x00FFF   1024 bytes (boot section selected by the fuses)\n"
        "overlap  0x00E00-0x00EFF    256 bytes of the image in the boot section\n";
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
    /* A short buffer: truncated, NUL-terminated, the full length returned. */
    char small[20];
    assert_int_equal(memmap_render(&img, 0x1000, 0xC00, 0x400, 16, small, sizeof small),
                     strlen(want));
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, want, sizeof small - 1);
    image_free(&img);
}

static void test_no_boot_section_and_empty(void **state)
{
    (void)state;
    struct image img;
    image_init(&img);
    char buf[1024];
    memmap_render(&img, 0x2000, 0, 0, 8, buf, sizeof buf);
    assert_string_equal(buf, "[........]  0x00000-0x01FFF (8192 bytes, 1024 per cell)\n"
                             "# data  . empty\n"
                             "(the image is empty)\n");
    fill(&img, 0x0, 0x10, 0x00);
    memmap_render(&img, 0x2000, 0x1800, 0x800, 8, buf, sizeof buf);
    assert_string_equal(buf, "[#.....BB]  0x00000-0x01FFF (8192 bytes, 1024 per cell)\n"
                             "# data  . empty  B boot section (empty)  @ data in the boot section\n"
                             "segment  0x00000-0x0000F     16 bytes\n"
                             "boot     0x01800-0x01FFF   2048 bytes (boot section selected by "
                             "the fuses)\n"
                             "overlap  none: the image leaves the boot section empty\n");
    image_free(&img);
}

static void test_many_segments_are_counted(void **state)
{
    (void)state;
    struct image img;
    image_init(&img);
    for (uint32_t a = 0; a < 40; a++)
        fill(&img, a * 0x40, 0x10, 0x01);
    char buf[4096];
    memmap_render(&img, 0x1000, 0, 0, 32, buf, sizeof buf);
    /* At most 12 lines: 6 segments and the 5 holes between them, then a count. */
    assert_non_null(strstr(buf, "... 34 more segment(s) with the holes before them\n"));
    image_free(&img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segments_holes_boot_overlap),
        cmocka_unit_test(test_no_boot_section_and_empty),
        cmocka_unit_test(test_many_segments_are_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
