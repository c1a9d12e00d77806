// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --qmk: the rules.mk line parser, the preset QMK's BOOTLOADER value gives, and
 * qmk_read on the fake keyboards/ tree of tests/data/qmk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ispflash/qmk.h"

static enum qmk_assign line(const char *text, char *name, char *value)
{
    return qmk_rules_line(text, name, 64, value, 128);
}

static void test_rules_line(void **state)
{
    (void)state;
    char n[64], v[128];
    assert_int_equal(line("MCU = atmega32u4", n, v), QMK_ASSIGN_SET);
    assert_string_equal(n, "MCU");
    assert_string_equal(v, "atmega32u4");
    assert_int_equal(line("BOOTLOADER=atmel-dfu   # Atmel DFU", n, v), QMK_ASSIGN_SET);
    assert_string_equal(v, "atmel-dfu");
    assert_int_equal(line("  BOOTLOADER ?= caterina", n, v), QMK_ASSIGN_DEFAULT);
    assert_string_equal(n, "BOOTLOADER");
    assert_string_equal(v, "caterina");
    assert_int_equal(line("F_CPU := 8000000", n, v), QMK_ASSIGN_SET);
    assert_string_equal(v, "8000000");
    assert_int_equal(line("MCU ::= atmega32a", n, v), QMK_ASSIGN_SET);
    assert_string_equal(v, "atmega32a");
    assert_int_equal(line("SRC += matrix.c", n, v), QMK_ASSIGN_APPEND);
    assert_int_equal(line("export MCU = at90usb1286", n, v), QMK_ASSIGN_SET);
    assert_string_equal(n, "MCU");
    assert_string_equal(v, "at90usb1286");
    assert_int_equal(line("override BOOTLOADER = qmk-dfu", n, v), QMK_ASSIGN_SET);
    assert_string_equal(v, "qmk-dfu");
    assert_int_equal(line("DEFAULT_FOLDER = crkbd/rev1", n, v), QMK_ASSIGN_SET);
    assert_string_equal(v, "crkbd/rev1");
    /* empty value */
    assert_int_equal(line("BOOTLOADER =", n, v), QMK_ASSIGN_SET);
    assert_string_equal(v, "");
    /* not assignments */
    assert_int_equal(line("# BOOTLOADER = caterina", n, v), QMK_NOT_ASSIGN);
    assert_int_equal(line("", n, v), QMK_NOT_ASSIGN);
    assert_int_equal(line("ifeq ($(strip $(BOOTLOADER)), caterina)", n, v), QMK_NOT_ASSIGN);
    assert_int_equal(line("include $(KEYBOARD_PATH)/common.mk", n, v), QMK_NOT_ASSIGN);
    assert_int_equal(line("all: foo", n, v), QMK_NOT_ASSIGN);
}

static void test_bootloader_preset(void **state)
{
    (void)state;
    assert_string_equal(qmk_bootloader_preset("caterina", "m32u4", "8000000"),
                        "caterina-promicro8");
    assert_string_equal(qmk_bootloader_preset("caterina", "m32u4", "16000000"), "caterina");
    assert_string_equal(qmk_bootloader_preset("caterina", "m32u4", NULL), "caterina");
    assert_string_equal(qmk_bootloader_preset("atmel-dfu", "m32u4", "8000000"), "atmel-dfu");
    assert_null(qmk_bootloader_preset(NULL, "m32u4", NULL));
}

static void kb(char *buf, size_t len, const char *rel)
{
    const char *data = getenv("ISPF_TEST_DATA");
    snprintf(buf, len, "%s/qmk/keyboards/%s", data ? data : "tests/data", rel);
}

static void test_read_tree(void **state)
{
    (void)state;
    char path[1024];
    struct qmk_board b;
    struct ispf_error err;
    kb(path, sizeof path, "crkbd/rev1");
    assert_int_equal(qmk_read(path, &b, &err), ISPF_OK);
    assert_string_equal(b.keyboard, "crkbd/rev1");
    assert_string_equal(b.mcu.value, "atmega32u4");
    assert_string_equal(b.mcu.where, "keyboards/crkbd/rules.mk:2");
    /* rev1's "BOOTLOADER ?= atmel-dfu" does not override the parent's "=" */
    assert_string_equal(b.bootloader.value, "caterina");
    assert_false(b.f_cpu.set);
    kb(path, sizeof path, "crkbd");
    assert_int_equal(qmk_read(path, &b, &err), ISPF_OK);
    assert_string_equal(b.keyboard, "crkbd/rev1"); /* DEFAULT_FOLDER */
    kb(path, sizeof path, "kbd_rev/rev2");
    assert_int_equal(qmk_read(path, &b, &err), ISPF_OK);
    assert_string_equal(b.bootloader.value, "atmel-dfu");
    assert_string_equal(b.bootloader.where, "keyboards/kbd_rev/rev2/keyboard.json");
    assert_string_equal(b.mcu.where, "keyboards/kbd_rev/info.json");
    kb(path, sizeof path, "kbd_rev/rev3");
    assert_int_equal(qmk_read(path, &b, &err), ISPF_OK);
    assert_string_equal(b.bootloader.value, "qmk-hid");
    kb(path, sizeof path, "handwired/pm3v3");
    assert_int_equal(qmk_read(path, &b, &err), ISPF_OK);
    assert_string_equal(b.f_cpu.value, "8000000");
    kb(path, sizeof path, "nombr");
    assert_int_equal(qmk_read(path, &b, &err), ISPF_OK);
    assert_false(b.mcu.set);
    assert_false(b.bootloader.set);
    kb(path, sizeof path, "broken");
    assert_int_equal(qmk_read(path, &b, &err), ISPF_E_INPUT);
    assert_non_null(strstr(err.msg, "keyboards/broken/info.json:3:"));
    kb(path, sizeof path, "no-such-keyboard");
    assert_int_equal(qmk_read(path, &b, &err), ISPF_E_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_line),
        cmocka_unit_test(test_bootloader_preset),
        cmocka_unit_test(test_read_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
