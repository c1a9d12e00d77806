// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --fuse FIELD=VALUE: field lookup and value parsing against the part database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ispflash/fuse.h"
#include "ispflash/fusefield.h"
#include "ispflash/part.h"

static uint8_t set(const char *part, const char *arg, uint8_t byte, enum mem_id want_mem)
{
    struct fusefield_set s;
    struct ispf_error err;
    const struct part *p = part_find(part);
    assert_non_null(p);
    if (fusefield_parse(p, arg, &s, &err) != ISPF_OK)
        fail_msg("%s on %s: %s", arg, part, err.msg);
    assert_int_equal(s.mem, want_mem);
    assert_int_equal(s.bits & (uint8_t)~s.mask, 0);
    return fusefield_apply(&s, byte);
}

static const char *refused(const char *part, const char *arg)
{
    static struct ispf_error err;
    struct fusefield_set s;
    assert_int_equal(fusefield_parse(part_find(part), arg, &s, &err), ISPF_E_USAGE);
    return err.msg;
}

static void test_flags(void **state)
{
    (void)state;
    /* JTAGEN is bit 6 of the 32U4's high fuse; programmed (on) reads 0 */
    assert_int_equal(set("m32u4", "JTAGEN=off", 0x99, MEM_HFUSE), 0xD9);
    assert_int_equal(set("m32u4", "JTAGEN=on", 0xD9, MEM_HFUSE), 0x99);
    assert_int_equal(set("m32u4", "jtagen=unprogrammed", 0x99, MEM_HFUSE), 0xD9);
    assert_int_equal(set("m32u4", "JTAGEN=programmed", 0xD9, MEM_HFUSE), 0x99);
    assert_int_equal(set("m32u4", "JTAGEN=0", 0x99, MEM_HFUSE), 0xD9);
    assert_int_equal(set("m32u4", "JTAGEN=1", 0xD9, MEM_HFUSE), 0x99);
    assert_int_equal(set("m32u4", "CKDIV8=off", 0x5E, MEM_LFUSE), 0xDE);
    assert_int_equal(set("m32u4", "HWBE=off", 0xF3, MEM_EFUSE), 0xFB);
    assert_int_equal(set("m328p", "RSTDISBL=on", 0xD9, MEM_HFUSE), 0x59);
    assert_non_null(strstr(refused("m32u4", "JTAGEN=maybe"), "a one-bit field is on or off"));
}

static void test_bootsz(void **state)
{
    (void)state;
    /* 32U4: 256/512/1024/2048 words = BOOTSZ 3/2/1/0 in bits 2:1 */
    assert_int_equal(set("m32u4", "BOOTSZ=2048", 0xDF, MEM_HFUSE), 0xD9);
    assert_int_equal(set("m32u4", "BOOTSZ=2048W", 0xDF, MEM_HFUSE), 0xD9);
    assert_int_equal(set("m32u4", "BOOTSZ=4096B", 0xDF, MEM_HFUSE), 0xD9);
    assert_int_equal(set("m32u4", "BOOTSZ=512words", 0xD9, MEM_HFUSE), 0xDD);
    assert_int_equal(set("m32u4", "BOOTSZ=512B", 0xD9, MEM_HFUSE), 0xDF);
    /* AT90USB1286: 4096 words is its largest */
    assert_int_equal(set("usb1286", "BOOTSZ=4096W", 0x9F, MEM_HFUSE), 0x99);
    assert_int_equal(set("usb1286", "BOOTSZ=4096B", 0x99, MEM_HFUSE), 0x9B);
    const char *m = refused("m32u4", "BOOTSZ=4096");
    assert_non_null(strstr(m, "no boot section of 4096 words"));
    assert_non_null(strstr(m, "2048W (4096B)"));
    refused("m32u4", "BOOTSZ=big");
    refused("m32u4", "BOOTSZ=1023B");
}

static void test_tables(void **state)
{
    (void)state;
    /* BODLEVEL of the 32U4: 0 = 4.3 V ... 7 = disabled */
    assert_int_equal(set("m32u4", "BODLEVEL=4.3", 0xF3, MEM_EFUSE), 0xF0);
    assert_int_equal(set("m32u4", "BODLEVEL=disabled", 0xF0, MEM_EFUSE), 0xF7);
    assert_int_equal(set("m32u4", "BODLEVEL=0x3", 0xF7, MEM_EFUSE), 0xF3);
    assert_int_equal(set("m32u4", "BODLEVEL=3", 0xF7, MEM_EFUSE), 0xF3);
    /* a piece of caption several values share */
    assert_non_null(strstr(refused("m32u4", "BODLEVEL=V"), "more than one value matches"));
    assert_non_null(strstr(refused("m32u4", "BODLEVEL=9"), "not a value of the field"));
    refused("m32u4", "BODLEVEL=1.1 V");
    /* the clock: a whole caption picks one value */
    assert_int_equal(set("m32u4",
                         "SUT_CKSEL=Ext. Crystal Osc. 8.0- MHz; Start-up time: 16K CK + 65 ms",
                         0x5E, MEM_LFUSE),
                     0x7F);
}

static void test_names(void **state)
{
    (void)state;
    const char *m = refused("m32u4", "JTAGN=off");
    assert_non_null(strstr(m, "has no fuse field JTAGN; did you mean JTAGEN?"));
    assert_non_null(strstr(refused("m32u4", "RSTDISBL=on"), "no fuse field RSTDISBL"));
    assert_non_null(strstr(refused("m32u4", "JTAGEN"), "give FIELD=VALUE"));
    assert_non_null(strstr(refused("m32u4", "=on"), "give FIELD=VALUE"));
    assert_non_null(strstr(refused("m32u4", "JTAGEN="), "give FIELD=VALUE"));
}

static void test_values_text(void **state)
{
    (void)state;
    const struct part *p = part_find("m32u4");
    enum mem_id mem;
    char buf[2000];
    fusefield_values(p, MEM_HFUSE, part_fuse_field(p, "BOOTSZ", &mem), ", ", buf, sizeof buf);
    assert_string_equal(buf, "2048W (4096B), 1024W (2048B), 512W (1024B), 256W (512B)");
    fusefield_values(p, MEM_HFUSE, part_fuse_field(p, "SPIEN", &mem), ", ", buf, sizeof buf);
    assert_string_equal(buf, "on, off");
    fusefield_values(p, MEM_EFUSE, part_fuse_field(p, "BODLEVEL", &mem), "; ", buf, sizeof buf);
    assert_non_null(strstr(buf, "0x3 = Brown-out detection at VCC=2.6 V"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flags),       cmocka_unit_test(test_bootsz),
        cmocka_unit_test(test_tables),      cmocka_unit_test(test_names),
        cmocka_unit_test(test_values_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
