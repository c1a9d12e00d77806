// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The USB identity table (src/core/usbids.c): lookups, the product-string rows, how
 * devices fit a -c id, the table's own consistency (every -c it names exists), the
 * rows taken from real images checked against those images' USB device descriptors,
 * and the usb:VID:PID[:SERIAL] parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ispflash/image.h"
#include "ispflash/ports.h"
#include "ispflash/programmer.h"
#include "ispflash/usbids.h"

static void test_lookup(void **state)
{
    (void)state;
    const struct usbids_entry *e = usbids_lookup(0x16C0, 0x0483, "USB Serial");
    assert_non_null(e);
    assert_string_equal(e->pgm, "avrisp");
    assert_int_equal(e->kind, USBIDS_SERIAL_ISP);
    assert_true(e->serial);
    e = usbids_lookup(0x2341, 0x0036, NULL);
    assert_non_null(e);
    assert_true(usbids_is_bootloader(e));
    assert_true(e->serial); /* Caterina is a CDC serial port: the usual mix-up */
    assert_null(e->pgm);
    e = usbids_lookup(0x03EB, 0x2FF4, NULL);
    assert_non_null(e);
    assert_true(usbids_is_bootloader(e));
    assert_false(e->serial);
    e = usbids_lookup(0x1781, 0x0C9F, NULL);
    assert_non_null(e);
    assert_string_equal(e->pgm, "usbtiny");
    assert_null(usbids_lookup(0xDEAD, 0xBEEF, NULL));
    assert_false(usbids_is_bootloader(NULL));
}

static void test_product_rows(void **state)
{
    (void)state;
    const struct usbids_entry *e = usbids_lookup(0x16C0, 0x05DC, "USBasp");
    assert_non_null(e);
    assert_string_equal(e->pgm, "usbasp");
    e = usbids_lookup(0x16C0, 0x05DC, "USBaspX");
    assert_non_null(e);
    assert_string_equal(e->pgm, "usbasp-clone");
    e = usbids_lookup(0x16C0, 0x05DC, NULL);
    assert_non_null(e);
    assert_string_equal(e->pgm, "usbasp-clone");
}

static void test_fit(void **state)
{
    (void)state;
    const struct usbids_entry *isp = usbids_lookup(0x16C0, 0x0483, NULL);
    const struct usbids_entry *ch340 = usbids_lookup(0x1A86, 0x7523, NULL);
    const struct usbids_entry *uno = usbids_lookup(0x2341, 0x0043, NULL);
    const struct usbids_entry *cat = usbids_lookup(0x1B4F, 0x9205, NULL);
    const struct usbids_entry *bp4 = usbids_lookup(0x04D8, 0xFB00, NULL);
    assert_int_equal(usbids_fit(isp, "avrisp"), 2);
    assert_int_equal(usbids_fit(isp, "stk500v1"), 2);
    assert_int_equal(usbids_fit(isp, "buspirate"), 0);
    assert_int_equal(usbids_fit(ch340, "avrisp"), 1);
    assert_int_equal(usbids_fit(ch340, "stk500v2"), 1);
    assert_int_equal(usbids_fit(uno, "arduino"), 1);
    assert_int_equal(usbids_fit(cat, "avrisp"), 0);
    assert_int_equal(usbids_fit(bp4, "buspirate"), 2);
    assert_int_equal(usbids_fit(bp4, "avrisp"), 0);
    assert_int_equal(usbids_fit(NULL, "avrisp"), 0);
}

/* Is each word of list a registry id of the given transport? */
static void check_ids(const char *list, enum pgm_transport tr, const char *row)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *w = strtok(buf, " "); w; w = strtok(NULL, " ")) {
        const struct pgm_entry *pe = pgm_registry_find(w);
        if (!pe || pe->transport != tr)
            fail_msg("row %s names -c %s, which is not a %s programmer", row, w,
                     tr == PGM_TRANSPORT_USB ? "USB" : "serial");
    }
}

static void test_table_consistent(void **state)
{
    (void)state;
    assert_true(usbids_count() > 30);
    for (size_t i = 0; i < usbids_count(); i++) {
        const struct usbids_entry *e = usbids_at(i);
        char row[32];
        snprintf(row, sizeof row, "%04x:%04x", e->vid, e->pid);
        assert_non_null(e->what);
        assert_non_null(e->source);
        assert_true(strlen(e->source) > 10);
        enum pgm_transport tr = e->serial ? PGM_TRANSPORT_SERIAL : PGM_TRANSPORT_USB;
        if (e->pgm)
            check_ids(e->pgm, tr, row);
        if (e->fits)
            check_ids(e->fits, tr, row);
        if (e->kind == USBIDS_BOOTLOADER || e->kind == USBIDS_ADAPTER)
            assert_null(e->pgm);
        if (e->kind == USBIDS_BOOTLOADER)
            assert_null(e->fits);
        if (e->kind == USBIDS_USB_ISP || e->kind == USBIDS_USB_OTHER)
            assert_false(e->serial);
        for (size_t j = 0; j < i; j++) { /* no identity twice */
            const struct usbids_entry *o = usbids_at(j);
            bool same_product = (!o->product && !e->product) ||
                                (o->product && e->product && strcmp(o->product, e->product) == 0);
            if (o->vid == e->vid && o->pid == e->pid && same_product)
                fail_msg("identity %s is in the table twice", row);
        }
    }
}

/* The device descriptor (18 bytes, 12 01 ...) with vid:pid somewhere in the image? */
static bool image_has_descriptor(const char *file, uint16_t vid, uint16_t pid)
{
    char path[1024];
    const char *dir = getenv("ISPF_TEST_DATA");
    snprintf(path, sizeof path, "%s/real/%s", dir ? dir : "tests/data", file);
    struct image img;
    image_init(&img);
    struct ispf_error err;
    ispf_error_clear(&err);
    if (image_load(&img, path, IMAGE_FMT_IHEX, NULL, &err))
        fail_msg("%s", err.msg);
    bool found = false;
    uint32_t from = 0, start, len;
    while (!found && image_next_segment(&img, &from, &start, &len)) {
        for (uint32_t a = start; a + 18 <= start + len && !found; a++)
            found = image_get(&img, a, 0xFF) == 0x12 && image_get(&img, a + 1, 0xFF) == 0x01 &&
                    image_get(&img, a + 8, 0) == (vid & 0xFF) &&
                    image_get(&img, a + 9, 0) == (vid >> 8) &&
                    image_get(&img, a + 10, 0) == (pid & 0xFF) &&
                    image_get(&img, a + 11, 0) == (pid >> 8);
    }
    image_free(&img);
    return found;
}

static void test_rows_from_real_images(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        uint16_t vid, pid;
        enum usbids_kind kind;
    } rows[] = {
        {"qmk_pro_micro_ISP_B6_10.hex", 0x16C0, 0x0483, USBIDS_SERIAL_ISP},
        {"qmk_teensy_2.0_ISP_B0.hex", 0x16C0, 0x0483, USBIDS_SERIAL_ISP},
        {"arduino_Arduino-COMBINED-dfu-usbserial-atmega16u2-Uno-Rev3.hex", 0x2341, 0x0043,
         USBIDS_SERIAL_BOARD},
        {"arduino_Arduino-COMBINED-dfu-usbserial-atmega16u2-Uno-Rev3.hex", 0x03EB, 0x2FEF,
         USBIDS_BOOTLOADER},
        {"arduino_Caterina-Leonardo.hex", 0x2341, 0x0036, USBIDS_BOOTLOADER},
        {"arduino_Caterina-Leonardo.hex", 0x2341, 0x8036, USBIDS_SERIAL_BOARD},
        {"arduino_Caterina-Micro.hex", 0x2341, 0x0037, USBIDS_BOOTLOADER},
        {"arduino_Caterina-Micro.hex", 0x2341, 0x8037, USBIDS_SERIAL_BOARD},
        {"sparkfun_Caterina-promicro8.hex", 0x1B4F, 0x9203, USBIDS_BOOTLOADER},
        {"sparkfun_Caterina-promicro16.hex", 0x1B4F, 0x9205, USBIDS_BOOTLOADER},
        {"sparkfun_Caterina-lilypadusb.hex", 0x1B4F, 0x9207, USBIDS_BOOTLOADER},
        {"qmk_bootloader_atmega32u4_1_0_0.hex", 0x03EB, 0x2FF4, USBIDS_BOOTLOADER},
        {"qmk_bootloader_atmega16u4_1_0_1.hex", 0x03EB, 0x2FF3, USBIDS_BOOTLOADER},
        {"qmk_bootloader_at90usb128x_1_0_1.hex", 0x03EB, 0x2FFB, USBIDS_BOOTLOADER},
        {"qmk_bootloader_at90usb64_1.0.0_2680132.hex", 0x03EB, 0x2FF9, USBIDS_BOOTLOADER},
        {"qmk_bootloader_ps2avrgb_bootloadhid_1.0.1.hex", 0x16C0, 0x05DF, USBIDS_BOOTLOADER},
        {"0xcb_usbasploader_atmega328p_main.hex", 0x16C0, 0x05DC, USBIDS_USB_ISP},
        {"nullbits_usbasploader_atmega328p_main.hex", 0x16C0, 0x05DC, USBIDS_USB_ISP},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (!image_has_descriptor(rows[i].file, rows[i].vid, rows[i].pid))
            fail_msg("%s has no USB device descriptor %04x:%04x", rows[i].file, rows[i].vid,
                     rows[i].pid);
        const struct usbids_entry *e = usbids_lookup(rows[i].vid, rows[i].pid, "USBasp");
        assert_non_null(e);
        assert_int_equal(e->kind, rows[i].kind);
    }
    /* and a control: an identity that is not in an image is not found there */
    assert_false(image_has_descriptor("qmk_bootloader_atmega32u4_1_0_0.hex", 0x03EB, 0x2FF3));
}

static void test_parse_usb(void **state)
{
    (void)state;
    uint16_t vid, pid;
    char serial[64];
    assert_true(ports_parse_usb("usb:16c0:0483", &vid, &pid, serial, sizeof serial));
    assert_int_equal(vid, 0x16C0);
    assert_int_equal(pid, 0x0483);
    assert_string_equal(serial, "");
    assert_true(ports_parse_usb("USB:1A86:7523:A9X:2", &vid, &pid, serial, sizeof serial));
    assert_int_equal(vid, 0x1A86);
    assert_string_equal(serial, "A9X:2");
    assert_false(ports_parse_usb("usb", &vid, &pid, serial, sizeof serial));
    assert_false(ports_parse_usb("usb:12345", &vid, &pid, serial, sizeof serial));
    assert_false(ports_parse_usb("usb:16c0", &vid, &pid, serial, sizeof serial));
    assert_false(ports_parse_usb("usb:16c0:", &vid, &pid, serial, sizeof serial));
    assert_false(ports_parse_usb("usb:16c0:0483:", &vid, &pid, serial, sizeof serial));
    assert_false(ports_parse_usb("usb:x6c0:0483", &vid, &pid, serial, sizeof serial));
    assert_false(ports_parse_usb("usb:16c00:0483", &vid, &pid, serial, sizeof serial));
    assert_false(ports_parse_usb("/dev/ttyACM0", &vid, &pid, serial, sizeof serial));
}

static void test_resolve_leaves_other_ports(void **state)
{
    (void)state;
    char buf[256];
    struct ispf_error err;
    ispf_error_clear(&err);
    const struct pgm_entry *tiny = pgm_registry_find("usbtiny");
    const struct pgm_entry *avrisp = pgm_registry_find("avrisp");
    const struct pgm_entry *dry = pgm_registry_find("dryrun");
    /* USB programmers keep their own -P usb / usb:SERIAL / usb:BUS:DEV forms */
    assert_int_equal(ports_resolve(tiny, "usb:1781:0c9f", buf, sizeof buf, &err), ISPF_OK);
    assert_string_equal(buf, "");
    assert_int_equal(ports_resolve(tiny, NULL, buf, sizeof buf, &err), ISPF_OK);
    assert_string_equal(buf, "");
    assert_int_equal(ports_resolve(dry, NULL, buf, sizeof buf, &err), ISPF_OK);
    assert_string_equal(buf, "");
    assert_int_equal(ports_resolve(avrisp, "net:127.0.0.1:1", buf, sizeof buf, &err), ISPF_OK);
    assert_string_equal(buf, "");
    assert_int_equal(ports_resolve(avrisp, "/dev/nonexistent-tty", buf, sizeof buf, &err), ISPF_OK);
    assert_string_equal(buf, "");
    assert_int_equal(ports_resolve(avrisp, "usb:nothex", buf, sizeof buf, &err), ISPF_E_USAGE);
    assert_non_null(strstr(err.msg, "usb:VID:PID[:SERIAL]"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_product_rows),
        cmocka_unit_test(test_fit),
        cmocka_unit_test(test_table_consistent),
        cmocka_unit_test(test_rows_from_real_images),
        cmocka_unit_test(test_parse_usb),
        cmocka_unit_test(test_resolve_leaves_other_ports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
