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
    /* Bulk-message firmwares (AVRISP mkII; NULL for control-only ones): the
     * device has bulk endpoints 0x02 OUT / 0x82 IN (64-byte packets).
     * msg_length: the length of the command that starts buf, once have bytes of
     * it arrived (0: more are needed to tell); message: execute one command,
     * write the answer to ans (STK500v2 bodies: at most 275 bytes), return its
     * length. */
    size_t (*msg_length)(const uint8_t *buf, size_t have);
    size_t (*message)(struct usbemu *e, const uint8_t *cmd, size_t len, uint8_t *ans);
    /* Called once the options are parsed (identity variants); may be NULL. */
    void (*setup)(struct usbemu *e, char *vendor, char *product, size_t size);
};

extern const struct usbemu_fw usbemu_usbtiny;
extern const struct usbemu_fw usbemu_usbasp;
extern const struct usbemu_fw usbemu_avrisp2;

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

struct usbemu_mk2 {
    bool lufa; /* LUFA's AVRISP-MKII clone: its identity and parameters */
    uint8_t sck_duration, reset_polarity;
    uint32_t address; /* as LOAD_ADDRESS set it (bit 31: load extended address) */
    bool need_ext;    /* send Load Extended Address before the next memory access */
    bool progmode;
};

struct usbemu {
    const struct usbemu_fw *fw;
    struct avrchip chip;
    double sck_hz;         /* current ISP clock */
    unsigned long max_sck; /* target answers only at SCK <= this (0 = any) */
    union {
        struct usbemu_tiny tiny;
        struct usbemu_asp asp;
        struct usbemu_mk2 mk2;
    } u;
    /* counters of vendor requests (bulk firmwares: bulk transfers, and messages) */
    unsigned long transfers, bytes_in, bytes_out, messages;
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
