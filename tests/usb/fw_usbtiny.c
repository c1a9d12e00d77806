// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * USBtiny firmware emulation (protocols.md section 4): requests 5..12 as the
 * USBtinyISP firmware handles them, including its 16-bit byte-address counter
 * (FLASH_READ/FLASH_WRITE at 0xFFFF continue at 0x0000, which is what broke
 * AT90USB128x verification above 64 KiB, QMK #3286).
 */
#include <string.h>

#include "usb/usbemu.h"

enum {
    TINY_ECHO = 0,
    TINY_POWERUP = 5,
    TINY_POWERDOWN = 6,
    TINY_SPI = 7,
    TINY_POLL_BYTES = 8,
    TINY_FLASH_READ = 9,
    TINY_FLASH_WRITE = 10,
    TINY_EEPROM_READ = 11,
    TINY_EEPROM_WRITE = 12,
};

/* The firmware's read/write instruction for the next byte; address is 16 bits. */
static void tiny_rw(struct usbemu *e, uint16_t *address, uint8_t cmd0, uint8_t data, uint8_t cmd[4],
                    uint8_t res[4])
{
    uint16_t a = (*address)++;
    if (cmd0 & 0x80) /* EEPROM */
        a = (uint16_t)(a << 1);
    cmd[0] = (uint8_t)(cmd0 | ((a & 1) ? 0x08 : 0x00));
    cmd[1] = (uint8_t)(a >> 9);
    cmd[2] = (uint8_t)(a >> 1);
    cmd[3] = data;
    usbemu_spi(e, cmd, res);
}

static int tiny_vendor(struct usbemu *e, const uint8_t setup[8], uint8_t *data)
{
    struct usbemu_tiny *t = &e->u.tiny;
    uint8_t req = setup[1];
    uint16_t value = usbemu_w(setup + 2), index = usbemu_w(setup + 4);
    uint16_t wlen = usbemu_w(setup + 6);
    unsigned in_len = setup[7] ? 255u : setup[6]; /* firmware IN limit */
    bool in = setup[0] & 0x80;
    if (in && in_len > wlen)
        in_len = wlen;

    switch (req) {
    case TINY_ECHO:
        memcpy(data, setup, in_len < 8 ? in_len : 8);
        return (int)(in_len < 8 ? in_len : 8);
    case TINY_POWERUP:
        t->sck_period = (uint8_t)value;
        e->sck_hz = 1e6 / (t->sck_period ? t->sck_period : 256);
        t->powered = true;
        avrchip_set_reset(&e->chip, (index & 0xFF) == 0); /* 0: RESET low */
        return 0;
    case TINY_POWERDOWN:
        t->powered = false;
        avrchip_set_reset(&e->chip, false);
        return 0;
    default:
        break;
    }
    if (!t->powered)
        return 0; /* firmware: nothing happens until POWERUP */

    uint8_t cmd[4], res[4];
    switch (req) {
    case TINY_SPI: {
        cmd[0] = setup[2], cmd[1] = setup[3], cmd[2] = setup[4], cmd[3] = setup[5];
        usbemu_spi(e, cmd, res);
        unsigned n = in_len < 4 ? in_len : 4;
        memcpy(data, res, n);
        return (int)n;
    }
    case TINY_POLL_BYTES:
        t->poll1 = setup[2];
        t->poll2 = setup[3];
        return 0;
    case TINY_FLASH_READ:
    case TINY_EEPROM_READ: {
        uint16_t address = index;
        uint8_t cmd0 = req == TINY_FLASH_READ ? 0x20 : 0xA0;
        for (unsigned i = 0; i < in_len; i++) {
            tiny_rw(e, &address, cmd0, 0, cmd, res);
            data[i] = res[3];
        }
        return (int)in_len;
    }
    case TINY_FLASH_WRITE:
    case TINY_EEPROM_WRITE: {
        uint16_t address = index;
        uint16_t timeout = value;
        uint8_t cmd0 = req == TINY_FLASH_WRITE ? 0x40 : 0xC0;
        for (unsigned i = 0; i < wlen; i++) {
            tiny_rw(e, &address, cmd0, data[i], cmd, res);
            cmd[0] ^= 0x60; /* write -> read of the same location */
            unsigned step = 32u * (t->sck_period ? t->sck_period : 256);
            for (unsigned usec = 0; usec < timeout; usec += step) {
                usbemu_spi(e, cmd, res);
                if (res[3] == cmd[3] && res[3] != t->poll1 && res[3] != t->poll2)
                    break;
            }
        }
        return 0;
    }
    default:
        return 0;
    }
}

static bool tiny_option(struct usbemu *e, const char *key, const char *value)
{
    (void)e, (void)key, (void)value;
    return false;
}

const struct usbemu_fw usbemu_usbtiny = {
    .name = "usbtiny",
    .vid = 0x1781,
    .pid = 0x0C9F,
    .vendor = "LadyAda",
    .product = "USBtinyISP",
    .handle = tiny_vendor,
    .option = tiny_option,
};
