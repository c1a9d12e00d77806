/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bootloader fingerprints: which known bootloader (Atmel/QMK DFU, Caterina,
 * BootloadHID, USBaspLoader, Optiboot...) the top of a flash holds. A fingerprint is
 * the SHA-256 of the bootloader's bytes from its start (a boot-section start) to its
 * last byte that is not 0xFF, made from the real images in tests/data/real/ by
 * tools/gen_fingerprints.py (src/core/fingerprint_db.c). Pure functions, no I/O.
 */
#ifndef ISPFLASH_FINGERPRINT_H
#define ISPFLASH_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/image.h"
#include "ispflash/part.h"

struct fp_entry {
    const char *file;    /* the real image it was made from (tests/data/real/) */
    const char *name;    /* "Atmel/QMK DFU", "Caterina (SparkFun Pro Micro 5V/16 MHz)" */
    const char *version; /* "1.0.0", or "" when the image does not say */
    const char *mcu;     /* "ATmega32U4" */
    const char *parts;   /* part ids separated by spaces: "usb646 usb647" */
    const char *preset;  /* --bootloader preset with its fuses, "" if there is none */
    const char *note;    /* remark for the docs, or "" */
    uint32_t start;      /* byte address of its first byte (a boot-section start) */
    uint32_t length;     /* bytes from start to the last byte that is not 0xFF */
    uint32_t flash_size; /* of the parts it is for */
    uint8_t sha256[32];
};

size_t fp_count(void);
const struct fp_entry *fp_at(size_t i);
/* True if p is one of the parts f is for. */
bool fp_for_part(const struct fp_entry *f, const struct part *p);

/* The fingerprint the top of a flash matches. top holds the flash bytes from
 * base to flash_size (flash_size - base bytes); only fingerprints starting at or
 * above base, for a flash of flash_size bytes (and for p, unless p is NULL) are
 * tried. A match needs the bytes from its start to the end of flash to be its
 * bytes followed by nothing but 0xFF. NULL: none. */
const struct fp_entry *fp_match(const uint8_t *top, uint32_t base, uint32_t flash_size,
                                const struct part *p);
/* The same for an image (holes are 0xFF). p NULL: every flash size is tried. */
const struct fp_entry *fp_match_image(const struct image *img, const struct part *p);

/* "Atmel/QMK DFU 1.0.0 for ATmega32U4" into buf. Returns the length. */
size_t fp_describe(const struct fp_entry *f, char *buf, size_t len);

/* Lowest and highest address in [from, to) holding a byte other than 0xFF of buf
 * (buf[0] is address from). False if all are 0xFF. */
bool fp_code_range(const uint8_t *buf, uint32_t from, uint32_t to, uint32_t *lo, uint32_t *hi);

#endif
