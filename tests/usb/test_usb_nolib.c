// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * src/transport/usb.c compiled as in a build without libusb-1.0 (ISPF_WITH_LIBUSB=OFF,
 * see tests/usb.cmake): the USB programmers stay in the registry and every one of
 * them fails at open() from the one place, with a message that says why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ispflash/part.h"
#include "ispflash/pgm_ops.h"
#include "transport/usb.h"

static void test_open_says_built_without(void **state)
{
    (void)state;
    const char *ids[] = {"usbtiny", "usbasp", "usbasp-clone", "arduinoisp", "nibobee"};
    const struct part *m32u4 = part_find("m32u4");
    assert_non_null(m32u4);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const struct pgm_entry *e = pgm_registry_find(ids[i]);
        assert_non_null(e);
        assert_int_equal(e->transport, PGM_TRANSPORT_USB);
        struct pgm pgm;
        memset(&pgm, 0, sizeof pgm);
        pgm.ops = e->ops;
        pgm.entry = e;
        pgm.cfg.part = m32u4;
        pgm.priv = calloc(1, e->ops->priv_size);
        assert_non_null(pgm.priv);
        struct ispf_error err;
        ispf_error_clear(&err);
        assert_int_equal(e->ops->open(&pgm, &err), ISPF_E_UNSUPPORTED);
        assert_non_null(strstr(err.msg, "built without libusb-1.0"));
        free(pgm.priv);
    }
}

static void test_transfers_refuse(void **state)
{
    (void)state;
    struct ispf_error err;
    ispf_error_clear(&err);
    struct usb_dev *dev = (struct usb_dev *)&err; /* never dereferenced without libusb */
    uint8_t b[4];
    assert_int_equal(usb_ctrl_in(dev, 7, 0, 0, b, 4, 100, "SPI", &err), ISPF_E_UNSUPPORTED);
    assert_int_equal(usb_ctrl_out(dev, 10, 0, 0, b, 4, 100, "FLASH_WRITE", &err),
                     ISPF_E_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_says_built_without),
        cmocka_unit_test(test_transfers_refuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
