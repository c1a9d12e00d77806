/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the USB programmers (usbtiny.c, usbasp.c) share: finding a clock the target
 * answers at when no -B was given, and the single-instruction path for flash at
 * 0x10000 and above (both firmwares' block requests have 16-bit addresses there:
 * USBtiny always, USBasp before 2011-05-28).
 */
#ifndef ISPFLASH_ISP_USB_COMMON_H
#define ISPFLASH_ISP_USB_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/pgm_ops.h"

/* A programmer's ISP clock settings: opaque ids (USBtiny: SCK period in us; USBasp:
 * SETISPSCK option), tried in order when the target does not answer. */
struct isp_usb_clock {
    const unsigned *fallback; /* slower settings, fastest first */
    size_t n_fallback;
    /* Reset the target and try Programming Enable at setting sck; *answered = echoed.
     * On success the backend keeps sck as its clock. */
    int (*try_enable)(struct pgm *pgm, unsigned sck, bool *answered, struct ispf_error *err);
    /* SCK period of setting sck in microseconds. */
    double (*period_us)(unsigned sck);
    /* Release RESET after the target did not answer (errors only logged). */
    void (*release)(struct pgm *pgm);
};

/* Programming Enable at setting first; without -B, then at each slower fallback
 * (stops when interrupted). ISPF_E_NO_TARGET with the clocks tried if none answered. */
int isp_usb_enable(struct pgm *pgm, const struct isp_usb_clock *c, unsigned first,
                   struct ispf_error *err);

/* "375 kHz" for a period in microseconds. */
const char *isp_usb_sck_text(double period_us, char *buf, size_t size);

/* Read flash addr..addr+len-1 with one Read Program Memory instruction per byte
 * (+ Load Extended Address when needed), through pgm->ops->spi. */
int isp_usb_read_flash_bytes(struct pgm *pgm, uint32_t addr, uint8_t *buf, uint32_t len,
                             struct ispf_error *err);

/* Commit the page holding addr (Load Extended Address, Write Program Memory Page
 * with the full word address) and wait t_WD_FLASH. */
int isp_usb_commit_page(struct pgm *pgm, uint32_t addr, struct ispf_error *err);

/* Load one page byte by byte with Load Program Memory Page instructions, then
 * commit it (isp_usb_commit_page). */
int isp_usb_write_page_bytes(struct pgm *pgm, uint32_t addr, const uint8_t *buf, uint32_t len,
                             struct ispf_error *err);

#endif
