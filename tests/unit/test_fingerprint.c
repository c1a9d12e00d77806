// SPDX-License-Identifier: GPL-2.0-or-later
/* Bootloader fingerprints: every real image in tests/data/real is recognised as the
 * bootloader it was made from (and nothing else is); one changed byte, a shifted
 * copy, code after the end or the wrong part is no match; trailing 0xFF is ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ispflash/fingerprint.h"
#include "ispflash/image.h"

static void load_real(struct image *img, const char *file)
{
    const char *d = getenv("ISPF_TEST_DATA");
    if (!d)
        fail_msg("ISPF_TEST_DATA is not set");
    char path[1024];
    snprintf(path, sizeof path, "%s/real/%s", d, file);
    struct ispf_error err;
    image_init(img);
    if (image_load(img, path, IMAGE_FMT_AUTO, NULL, &err) != ISPF_OK)
        fail_msg("%s: %s", path, err.msg);
}

static const struct part *first_part(const struct fp_entry *f)
{
    char id[32];
    size_t l = strcspn(f->parts, " ");
    snprintf(id, sizeof id, "%.*s", (int)l, f->parts);
    const struct part *p = part_find(id);
    assert_non_null(p);
    return p;
}

static void test_each_real_bootloader_is_recognised(void **state)
{
    (void)state;
    assert_true(fp_count() >= 17);
    for (size_t i = 0; i < fp_count(); i++) {
        const struct fp_entry *f = fp_at(i);
        struct image img;
        load_real(&img, f->file);
        const struct part *p = first_part(f);
        assert_int_equal(p->flash_size, f->flash_size);
        assert_ptr_equal(fp_match_image(&img, NULL), f);
        assert_ptr_equal(fp_match_image(&img, p), f);
        image_free(&img);
    }
    assert_null(fp_at(fp_count()));
}

static void test_applications_are_not_bootloaders(void **state)
{
    (void)state;
    static const char *const apps[] = {
        "qmkbuild_crkbd_rev1_default.hex", "qmkbuild_sofle_rev1_default.hex",
        "qmk_pro_micro_ISP_B6_10.hex", "qmk_teensy_2.0_ISP_B0.hex", "qmk_pro_mico_ISP_B6.hex"};
    for (size_t i = 0; i < sizeof apps / sizeof apps[0]; i++) {
        struct image img;
        load_real(&img, apps[i]);
        assert_null(fp_match_image(&img, NULL));
        assert_null(fp_match_image(&img, part_find("m32u4")));
        image_free(&img);
    }
}

static void test_changed_shifted_or_wrong_part(void **state)
{
    (void)state;
    struct ispf_error err;
    struct image img, moved;
    load_real(&img, "sparkfun_Caterina-promicro16.hex");
    const struct fp_entry *f = fp_match_image(&img, NULL);
    assert_non_null(f);
    assert_string_equal(f->preset, "caterina-promicro16");
    assert_int_equal(f->start, 0x7000);
    assert_int_equal(f->length, 4090);
    /* Another part (same flash size, other signature) is not tried. */
    assert_null(fp_match_image(&img, part_find("m328p")));
    /* Trailing 0xFF is ignored; any other byte after the end is not. */
    assert_int_equal(image_set(&img, 0x7FFE, 0xFF, &err), ISPF_OK);
    assert_ptr_equal(fp_match_image(&img, NULL), f);
    assert_int_equal(image_set(&img, 0x7FFE, 0x00, &err), ISPF_OK);
    assert_null(fp_match_image(&img, NULL));
    assert_int_equal(image_set(&img, 0x7FFE, 0xFF, &err), ISPF_OK);
    /* One changed byte in the middle. */
    uint8_t b = image_get(&img, 0x7400, 0xFF);
    assert_int_equal(image_set(&img, 0x7400, (uint8_t)(b ^ 1), &err), ISPF_OK);
    assert_null(fp_match_image(&img, NULL));
    assert_int_equal(image_set(&img, 0x7400, b, &err), ISPF_OK);
    assert_ptr_equal(fp_match_image(&img, NULL), f);
    /* The same bytes 0x800 lower: not at a start of this bootloader. */
    image_init(&moved);
    for (uint32_t a = 0x7000; a < 0x8000; a++)
        if (image_has(&img, a))
            assert_int_equal(image_set(&moved, a - 0x800, image_get(&img, a, 0xFF), &err), ISPF_OK);
    assert_null(fp_match_image(&moved, NULL));
    image_free(&moved);
    image_free(&img);
}

static void test_match_on_a_buffer(void **state)
{
    (void)state;
    struct image img;
    load_real(&img, "arduino_optiboot_atmega328.hex");
    static uint8_t top[0x1000];
    for (uint32_t a = 0; a < sizeof top; a++)
        top[a] = image_get(&img, 0x7000 + a, 0xFF);
    const struct part *p = part_find("m328p");
    const struct fp_entry *f = fp_match(top + 0xE00, 0x7E00, 0x8000, p);
    assert_non_null(f);
    assert_string_equal(f->name, "Optiboot");
    assert_ptr_equal(fp_match(top, 0x7000, 0x8000, p), f);
    assert_null(fp_match(top, 0xF000, 0x10000, NULL)); /* the same bytes atop 64 KiB */
    char d[100];
    fp_describe(f, d, sizeof d);
    assert_string_equal(d, "Optiboot 4.4 for ATmega328P");
    /* Code below a matching bootloader does not matter to the match... */
    top[0x10] = 0x12;
    assert_ptr_equal(fp_match(top, 0x7000, 0x8000, p), f);
    uint32_t lo, hi;
    assert_true(fp_code_range(top, 0x7000, 0x8000, &lo, &hi));
    assert_int_equal(lo, 0x7010);
    assert_int_equal(hi, 0x7FFF);
    memset(top, 0xFF, sizeof top);
    assert_false(fp_code_range(top, 0x7000, 0x8000, &lo, &hi));
    assert_null(fp_match(top, 0x7000, 0x8000, p));
    image_free(&img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_real_bootloader_is_recognised),
        cmocka_unit_test(test_applications_are_not_bootloaders),
        cmocka_unit_test(test_changed_shifted_or_wrong_part),
        cmocka_unit_test(test_match_on_a_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
