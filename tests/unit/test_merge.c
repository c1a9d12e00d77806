// SPDX-License-Identifier: GPL-2.0-or-later
/* The merge core (conflicts, FILE@OFFSET, fit, boot section) and the ELF reader
 * (address spaces, non-AVR, truncated), on images built in memory and on the ELF
 * files of tests/data/elf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ispflash/elf.h"
#include "ispflash/merge.h"

static void set_bytes(struct image *img, uint32_t addr, const char *bytes)
{
    struct ispf_error err;
    assert_int_equal(
        image_set_range(img, addr, (const uint8_t *)bytes, (uint32_t)strlen(bytes), &err), ISPF_OK);
}

static void test_conflict_names_both(void **state)
{
    (void)state;
    struct merge m;
    struct image a, b, c;
    struct ispf_error err;
    merge_init(&m);
    image_init(&a);
    image_init(&b);
    image_init(&c);
    set_bytes(&a, 0x100, "ABCDEF");
    set_bytes(&b, 0x200, "xyz");  /* no overlap with a */
    set_bytes(&c, 0x102, "CDEX"); /* agrees at 0x102-0x104, differs at 0x105 */
    assert_int_equal(merge_add_image(&m, "a.hex", &a, &err), ISPF_OK);
    assert_int_equal(merge_add_image(&m, "b.hex", &b, &err), ISPF_OK);
    assert_int_equal(merge_add_image(&m, "c.hex", &c, &err), ISPF_E_INPUT);
    assert_non_null(strstr(err.msg, "a.hex and c.hex conflict at 0x00105"));
    assert_non_null(strstr(err.msg, "a.hex has 0x46"));
    assert_non_null(strstr(err.msg, "c.hex has 0x58"));
    /* The failed input is not part of the merge. */
    assert_int_equal(m.n, 2);
    assert_int_equal(m.out.count, 9);
    image_free(&a);
    image_free(&b);
    image_free(&c);
    merge_free(&m);
}

static void test_identical_overlap_is_fine(void **state)
{
    (void)state;
    struct merge m;
    struct image a, b;
    struct ispf_error err;
    merge_init(&m);
    image_init(&a);
    image_init(&b);
    set_bytes(&a, 0x10, "hello");
    set_bytes(&b, 0x12, "llo world");
    assert_int_equal(merge_add_image(&m, "a", &a, &err), ISPF_OK);
    assert_int_equal(merge_add_image(&m, "b", &b, &err), ISPF_OK);
    assert_int_equal(m.out.count, 11);
    assert_int_equal(image_start(&m.out), 0x10);
    assert_memory_equal(m.out.data + 0x10, "hello world", 11);
    image_free(&a);
    image_free(&b);
    merge_free(&m);
}

/* The conflicting byte is named with the first earlier input that holds it. */
static void test_conflict_owner_is_the_right_input(void **state)
{
    (void)state;
    struct merge m;
    struct image a, b, c;
    struct ispf_error err;
    merge_init(&m);
    image_init(&a);
    image_init(&b);
    image_init(&c);
    set_bytes(&a, 0, "aaaa");
    set_bytes(&b, 0x1000, "bbbb");
    set_bytes(&c, 0x1002, "Z");
    assert_int_equal(merge_add_image(&m, "first", &a, &err), ISPF_OK);
    assert_int_equal(merge_add_image(&m, "second", &b, &err), ISPF_OK);
    assert_int_equal(merge_add_image(&m, "third", &c, &err), ISPF_E_INPUT);
    assert_non_null(strstr(err.msg, "second and third conflict at 0x01002"));
    image_free(&a);
    image_free(&b);
    image_free(&c);
    merge_free(&m);
}

static void test_input_parse(void **state)
{
    (void)state;
    struct merge_input in;
    struct ispf_error err;
    assert_int_equal(merge_input_parse("boot.bin@0x7000", &in, &err), ISPF_OK);
    assert_string_equal(in.path, "boot.bin");
    assert_true(in.has_offset);
    assert_int_equal(in.offset, 0x7000);
    merge_input_free(&in);
    assert_int_equal(merge_input_parse("app.bin@256", &in, &err), ISPF_OK);
    assert_int_equal(in.offset, 256);
    merge_input_free(&in);
    /* Not a number after '@': part of the name. */
    assert_int_equal(merge_input_parse("me@home.hex", &in, &err), ISPF_OK);
    assert_string_equal(in.path, "me@home.hex");
    assert_false(in.has_offset);
    merge_input_free(&in);
    assert_int_equal(merge_input_parse("x.bin@0x", &in, &err), ISPF_OK);
    assert_string_equal(in.path, "x.bin@0x");
    merge_input_free(&in);
    assert_int_equal(merge_input_parse("x.bin@0x1000000", &in, &err), ISPF_E_USAGE);
    merge_input_free(&in);
}

static void test_fits_and_boot(void **state)
{
    (void)state;
    const struct part *p = part_find("atmega32u4");
    assert_non_null(p);
    struct boot_section bs;
    struct ispf_error err;
    assert_int_equal(merge_boot_from_preset(p, "atmel-dfu", &bs, &err), ISPF_OK);
    assert_int_equal(bs.start, 0x7000);
    assert_int_equal(bs.size, 4096);
    assert_int_equal(merge_boot_from_preset(p, "usbasploader", &bs, &err), ISPF_E_USAGE);
    assert_int_equal(merge_boot_from_size(p, 512, &bs, &err), ISPF_OK);
    assert_int_equal(bs.start, 0x7E00);
    assert_int_equal(merge_boot_from_size(p, 32768, &bs, &err), ISPF_E_USAGE);

    struct merge m;
    struct image app, boot;
    merge_init(&m);
    image_init(&app);
    image_init(&boot);
    set_bytes(&app, 0, "app");
    set_bytes(&app, 0x6FFE, "XY");
    set_bytes(&boot, 0x7000, "boot");
    assert_int_equal(merge_add_image(&m, "app.hex", &app, &err), ISPF_OK);
    assert_int_equal(merge_add_image(&m, "boot.hex", &boot, &err), ISPF_OK);
    assert_int_equal(merge_check_fits(&m, p, &err), ISPF_OK);
    size_t nb = 9;
    bs = (struct boot_section){0x7000, 0x1000};
    assert_int_equal(merge_check_boot(&m, &bs, &nb, &err), ISPF_OK);
    assert_int_equal(nb, 1);
    /* An 8 KiB boot section: app.hex runs into it at 0x6ffe. */
    bs = (struct boot_section){0x6000, 0x2000};
    assert_int_equal(merge_check_boot(&m, &bs, &nb, &err), ISPF_E_INPUT);
    assert_non_null(strstr(err.msg, "app.hex runs into the boot section"));
    assert_non_null(strstr(err.msg, "0x06ffe"));
    assert_non_null(strstr(err.msg, "0x06000-0x07fff"));
    /* One byte past the flash. */
    struct image over;
    image_init(&over);
    set_bytes(&over, 0x8000, "!");
    assert_int_equal(merge_add_image(&m, "over.bin", &over, &err), ISPF_OK);
    assert_int_equal(merge_check_fits(&m, p, &err), ISPF_E_INPUT);
    assert_non_null(strstr(err.msg, "over.bin does not fit the ATmega32U4"));
    assert_non_null(strstr(err.msg, "0x08000"));
    assert_non_null(strstr(err.msg, "32768 bytes"));
    image_free(&over);
    image_free(&app);
    image_free(&boot);
    merge_free(&m);
}

/* A whole file into a malloc'ed buffer. */
static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    const char *d = getenv("ISPF_TEST_DATA");
    snprintf(path, sizeof path, "%s/elf/%s", d ? d : "tests/data", name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static void test_elf_spaces(void **state)
{
    (void)state;
    size_t len;
    char *buf = slurp("fw_m32u4.elf", &len);
    struct elf_avr e;
    struct ispf_error err;
    elf_avr_init(&e);
    assert_int_equal(elf_avr_parse(&e, buf, len, "fw.elf", &err), ISPF_OK);
    /* .text from 0 and .data's load image right after it, nothing in RAM. */
    assert_int_equal(image_start(&e.flash), 0);
    assert_true(e.flash.end < 0x1000);
    assert_int_equal(e.flash.count, e.flash.end);
    assert_int_equal(e.eeprom.count, 8);
    assert_memory_equal(e.eeprom.data, "\1\2\3\4\5\6\7\10", 8);
    assert_true(e.has_fuse[0] && e.has_fuse[1] && e.has_fuse[2]);
    assert_int_equal(e.fuse[0], 0xFF);
    assert_int_equal(e.fuse[1], 0xD8);
    assert_int_equal(e.fuse[2], 0xCB);
    assert_true(e.has_lock);
    assert_int_equal(e.lock, 0xFC);
    assert_true(e.has_signature);
    assert_memory_equal(e.signature, "\x1e\x95\x87", 3);
    struct image img;
    image_init(&img);
    assert_int_equal(elf_avr_image(&e, MEM_HFUSE, &img, "fw.elf", &err), ISPF_OK);
    assert_int_equal(img.count, 1);
    assert_int_equal(image_get(&img, 0, 0), 0xD8);
    assert_int_equal(elf_avr_image(&e, MEM_CALIBRATION, &img, "fw.elf", &err), ISPF_E_INPUT);
    char others[256];
    assert_true(elf_avr_others(&e, MEM_FLASH, others, sizeof others) > 0);
    assert_string_equal(others, ".eeprom (8 bytes), .fuse (lfuse 0xFF hfuse 0xD8 efuse 0xCB), "
                                ".lock (0xFC)");
    elf_avr_free(&e);

    /* A flash-only ELF: each missing section named. */
    free(buf);
    buf = slurp("app_m32u4.elf", &len);
    assert_int_equal(elf_avr_parse(&e, buf, len, "app.elf", &err), ISPF_OK);
    assert_int_equal(elf_avr_others(&e, MEM_FLASH, others, sizeof others), 0);
    assert_int_equal(elf_avr_image(&e, MEM_EEPROM, &img, "app.elf", &err), ISPF_E_INPUT);
    assert_string_equal(err.msg, "app.elf has no .eeprom section");
    assert_int_equal(elf_avr_image(&e, MEM_LFUSE, &img, "app.elf", &err), ISPF_E_INPUT);
    assert_string_equal(err.msg, "app.elf has no .fuse section");
    assert_int_equal(elf_avr_image(&e, MEM_LOCK, &img, "app.elf", &err), ISPF_E_INPUT);
    assert_string_equal(err.msg, "app.elf has no .lock section");
    image_free(&img);
    elf_avr_free(&e);
    free(buf);
}

/* Every prefix of a real ELF, and the machine field changed: errors, never a crash. */
static void test_elf_broken(void **state)
{
    (void)state;
    size_t len;
    char *buf = slurp("fw_m32u4.elf", &len);
    struct elf_avr e;
    struct ispf_error err;
    elf_avr_init(&e);
    for (size_t n = 0; n < len; n += (n < 128 ? 1 : 97)) {
        assert_int_equal(elf_avr_parse(&e, buf, n, "cut.elf", &err), ISPF_E_INPUT);
        assert_non_null(strstr(err.msg, "cut.elf"));
        assert_true(image_empty(&e.flash));
    }
    buf[18] = 62; /* e_machine = EM_X86_64 */
    buf[19] = 0;
    assert_int_equal(elf_avr_parse(&e, buf, len, "x.elf", &err), ISPF_E_INPUT);
    assert_non_null(strstr(err.msg, "x.elf is an ELF file for x86-64 (machine 62)"));
    assert_int_equal(elf_avr_parse(&e, "\177ELX", 4, "y", &err), ISPF_E_INPUT);
    elf_avr_free(&e);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conflict_names_both),
        cmocka_unit_test(test_identical_overlap_is_fine),
        cmocka_unit_test(test_conflict_owner_is_the_right_input),
        cmocka_unit_test(test_input_parse),
        cmocka_unit_test(test_fits_and_boot),
        cmocka_unit_test(test_elf_spaces),
        cmocka_unit_test(test_elf_broken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
