// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * USBasp firmware emulation (protocols.md section 5), modelled on fischl's
 * v1.04 (2011-05-28): compat/new address mode, the 8-bit page counter, the page
 * commit after the last byte of each page, extended address cache starting at 0.
 * The page counter is reloaded only by a block with the FIRST flag and counts down
 * across blocks, so a block may span pages: each page is committed (4C with the
 * address of its last byte) when its counter runs out inside the block
 * (protocols.md 5.3; how avrdude's 200-byte blocks cross pages). The firmware's
 * wait after 4C is not modelled: the chip model completes a page write at once.
 * Variants (--opt):
 *   caps=0      no GETCAPABILITIES (firmware before 2011-05-28 answers nothing)
 *   longaddr=0  no SETLONGADDRESS (before 2011-05-28): addresses are the 16 bits
 *               of wValue, so flash above 64 KiB is out of reach of its block requests
 */
#include <stdlib.h>
#include <string.h>

#include "usb/usbemu.h"

enum {
    ASP_CONNECT = 1,
    ASP_DISCONNECT = 2,
    ASP_TRANSMIT = 3,
    ASP_READFLASH = 4,
    ASP_ENABLEPROG = 5,
    ASP_WRITEFLASH = 6,
    ASP_READEEPROM = 7,
    ASP_WRITEEEPROM = 8,
    ASP_SETLONGADDRESS = 9,
    ASP_SETISPSCK = 10,
    ASP_GETCAPABILITIES = 127,
};

static double asp_sck_hz(uint8_t opt)
{
    static const double hz[] = {375000, 500,   1000,   2000,   4000,   8000,    16000,
                                32000,  93750, 187500, 375000, 750000, 1500000, 3000000};
    return opt < sizeof hz / sizeof hz[0] ? hz[opt] : 375000;
}

static void asp_ext(struct usbemu *e, uint32_t address)
{
    struct usbemu_asp *a = &e->u.asp;
    uint8_t ext = (uint8_t)(address >> 17);
    if (a->ext_cached != ext) {
        uint8_t cmd[4] = {0x4D, 0x00, ext, 0x00}, res[4];
        usbemu_spi(e, cmd, res);
        a->ext_cached = ext;
    }
}

static uint8_t asp_read_flash(struct usbemu *e, uint32_t address)
{
    uint8_t cmd[4] = {(uint8_t)((address & 1) ? 0x28 : 0x20), (uint8_t)(address >> 9),
                      (uint8_t)(address >> 1), 0},
            res[4];
    asp_ext(e, address);
    usbemu_spi(e, cmd, res);
    return res[3];
}

static void asp_load_flash(struct usbemu *e, uint32_t address, uint8_t v)
{
    uint8_t cmd[4] = {(uint8_t)((address & 1) ? 0x48 : 0x40), (uint8_t)(address >> 9),
                      (uint8_t)(address >> 1), v},
            res[4];
    asp_ext(e, address);
    usbemu_spi(e, cmd, res);
}

static void asp_flush_page(struct usbemu *e, uint32_t address)
{
    uint8_t cmd[4] = {0x4C, (uint8_t)(address >> 9), (uint8_t)(address >> 1), 0}, res[4];
    asp_ext(e, address);
    usbemu_spi(e, cmd, res);
}

/* READFLASH / READEEPROM: wlen bytes from the current address, auto-increment. */
static int asp_read(struct usbemu *e, uint8_t req, uint16_t value, uint8_t *data, uint16_t wlen)
{
    struct usbemu_asp *a = &e->u.asp;
    uint8_t res[4];
    if (!a->newmode)
        a->address = value;
    for (unsigned i = 0; i < wlen; i++) {
        if (req == ASP_READFLASH) {
            data[i] = asp_read_flash(e, a->address);
        } else {
            uint8_t c[4] = {0xA0, (uint8_t)(a->address >> 8), (uint8_t)a->address, 0};
            usbemu_spi(e, c, res);
            data[i] = res[3];
        }
        a->address++;
    }
    return wlen;
}

/* One byte of WRITEFLASH: load it; commit the page when its counter runs out. */
static void asp_write_flash_byte(struct usbemu *e, uint8_t v)
{
    struct usbemu_asp *a = &e->u.asp;
    asp_load_flash(e, a->address, v);
    if (!a->pagesize) {
        asp_flush_page(e, a->address); /* byte mode (non-paged parts) */
        return;
    }
    a->pagecounter--;
    if (a->pagecounter == 0) {
        asp_flush_page(e, a->address);
        a->pagecounter = (uint8_t)a->pagesize;
    }
}

/* WRITEFLASH / WRITEEEPROM: the page size and block flags come with every block; the
 * page counter is reloaded only on FIRST and runs on across blocks. */
static void asp_write(struct usbemu *e, const uint8_t setup[8], const uint8_t *data)
{
    struct usbemu_asp *a = &e->u.asp;
    uint8_t req = setup[1], res[4];
    uint16_t wlen = usbemu_w(setup + 6);
    if (!a->newmode)
        a->address = usbemu_w(setup + 2);
    if (req == ASP_WRITEFLASH) {
        a->pagesize = (uint16_t)(setup[4] | (setup[5] & 0xF0) << 4);
        a->blockflags = setup[5] & 0x0F;
        if (a->blockflags & 1)
            a->pagecounter = (uint8_t)a->pagesize;
    } else {
        a->pagesize = 0;
        a->blockflags = 0;
    }
    for (unsigned i = 0; i < wlen; i++) {
        if (req == ASP_WRITEFLASH) {
            asp_write_flash_byte(e, data[i]);
        } else {
            uint8_t c[4] = {0xC0, (uint8_t)(a->address >> 8), (uint8_t)a->address, data[i]};
            usbemu_spi(e, c, res);
        }
        if (i + 1 == wlen && (a->blockflags & 2) && a->pagecounter != a->pagesize)
            asp_flush_page(e, a->address);
        a->address++;
    }
}

static int asp_vendor(struct usbemu *e, const uint8_t setup[8], uint8_t *data)
{
    struct usbemu_asp *a = &e->u.asp;
    uint8_t req = setup[1];
    uint16_t value = usbemu_w(setup + 2);
    uint16_t wlen = usbemu_w(setup + 6);
    uint8_t cmd[4], res[4];

    switch (req) {
    case ASP_CONNECT:
        e->sck_hz = asp_sck_hz(a->sck_opt);
        a->newmode = false;
        avrchip_set_reset(&e->chip, true); /* RST low, SCK low, positive RST pulse */
        avrchip_set_reset(&e->chip, false);
        avrchip_set_reset(&e->chip, true);
        return 0;
    case ASP_DISCONNECT:
        avrchip_set_reset(&e->chip, false);
        return 0;
    case ASP_TRANSMIT:
        memcpy(cmd, setup + 2, 4);
        usbemu_spi(e, cmd, res);
        memcpy(data, res, wlen < 4 ? wlen : 4);
        return wlen < 4 ? wlen : 4;
    case ASP_ENABLEPROG: {
        uint8_t rc = 1;
        for (int i = 0; i < 32 && rc; i++) {
            uint8_t en[4] = {0xAC, 0x53, 0x00, 0x00};
            usbemu_spi(e, en, res);
            if (res[2] == 0x53)
                rc = 0;
            else { /* RST pulse between tries */
                avrchip_set_reset(&e->chip, false);
                avrchip_set_reset(&e->chip, true);
            }
        }
        if (wlen >= 1)
            data[0] = rc;
        return wlen >= 1 ? 1 : 0;
    }
    case ASP_READFLASH:
    case ASP_READEEPROM:
        return asp_read(e, req, value, data, wlen);
    case ASP_WRITEFLASH:
    case ASP_WRITEEEPROM:
        asp_write(e, setup, data);
        return 0;
    case ASP_SETLONGADDRESS:
        if (a->no_longaddr)
            return 0; /* unknown request: V-USB answers with no data */
        a->newmode = true;
        a->address = (uint32_t)setup[2] | (uint32_t)setup[3] << 8 | (uint32_t)setup[4] << 16 |
                     (uint32_t)setup[5] << 24;
        return 0;
    case ASP_SETISPSCK:
        a->sck_opt = setup[2];
        if (wlen >= 1)
            data[0] = 0;
        return wlen >= 1 ? 1 : 0;
    case ASP_GETCAPABILITIES:
        if (a->no_caps)
            return 0;
        memset(data, 0, wlen < 4 ? wlen : 4);
        if (wlen >= 1)
            data[0] = 0x01; /* TPI */
        return wlen < 4 ? wlen : 4;
    default:
        return 0;
    }
}

static bool asp_option(struct usbemu *e, const char *key, const char *value)
{
    if (strcmp(key, "caps") == 0) {
        e->u.asp.no_caps = atoi(value) == 0;
        return true;
    }
    if (strcmp(key, "longaddr") == 0) {
        e->u.asp.no_longaddr = atoi(value) == 0;
        return true;
    }
    return false;
}

const struct usbemu_fw usbemu_usbasp = {
    .name = "usbasp",
    .vid = 0x16C0,
    .pid = 0x05DC,
    .vendor = "www.fischl.de",
    .product = "USBasp",
    .handle = asp_vendor,
    .option = asp_option,
};
