/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Emulated USB programmers for the tests: a firmware emulator (USBtiny, USBasp)
 * answers vendor control requests as the real firmware would, clocking ISP
 * instructions into the shared target-chip model (src/sim/avrchip.h). The
 * harness (usb_emu.c) exposes it as a USB device node through umockdev and runs
 * the real ispflash/avrdude against it through the real libusb.
 */
#ifndef ISPF_TEST_USBEMU_H
#define ISPF_TEST_USBEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/avrchip.h"

struct usbemu;

/* A firmware: identity and the vendor-request handler. */
struct usbemu_fw {
    const char *name; /* --proto value */
    uint16_t vid, pid;
    const char *vendor, *product; /* string descriptors 1 and 2 */
    /* Handle one vendor request. setup: the 8 setup bytes; data: OUT data (wLength
     * bytes) or the buffer for IN data (wLength bytes). Returns the number of IN
     * bytes (0 for OUT), or -1 to stall. */
    int (*handle)(struct usbemu *e, const uint8_t setup[8], uint8_t *data);
    /* Parse a firmware-specific option; false if unknown. */
    bool (*option)(struct usbemu *e, const char *key, const char *value);
};

extern const struct usbemu_fw usbemu_usbtiny;
extern const struct usbemu_fw usbemu_usbasp;

/* Firmware state, one of these per device. */
struct usbemu_tiny {
    bool powered;
    uint8_t sck_period;
    uint8_t poll1, poll2;
};

struct usbemu_asp {
    bool no_caps;     /* old firmware: no GETCAPABILITIES */
    bool no_longaddr; /* pre-2011 firmware: no SETLONGADDRESS */
    uint8_t sck_opt;
    bool newmode;
    uint32_t address;
    uint16_t pagesize;
    uint8_t blockflags;
    uint8_t pagecounter; /* 8 bits in the firmware */
    uint8_t ext_cached;  /* v1.04: starts at 0 */
};

struct usbemu {
    const struct usbemu_fw *fw;
    struct avrchip chip;
    double sck_hz;         /* current ISP clock */
    unsigned long max_sck; /* target answers only at SCK <= this (0 = any) */
    union {
        struct usbemu_tiny tiny;
        struct usbemu_asp asp;
    } u;
    /* counters of vendor requests */
    unsigned long transfers, bytes_in, bytes_out;
    unsigned long per_request[256];
    unsigned long instructions;
};

/* Clock one ISP instruction into the chip at the current SCK. A target clocked
 * too fast (sck_hz > max_sck) answers garbage and executes nothing. */
void usbemu_spi(struct usbemu *e, const uint8_t in[4], uint8_t out[4]);

static inline uint16_t usbemu_w(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

#endif
