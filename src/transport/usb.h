/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A thin helper over libusb-1.0 for the USB programmers (USBtiny, USBasp):
 * find the programmer by VID:PID (and optionally its vendor/product strings),
 * honour -P usb / -P usb:SERIAL, and run vendor control transfers with
 * timeouts. libusb errors become enum ispf_status here and nowhere else, with
 * the messages users need (not found, permission denied + udev rule, unplugged
 * mid-operation + the last address written).
 *
 * Built without libusb (ISPF_WITH_LIBUSB=OFF), usb_open() fails with
 * ISPF_E_UNSUPPORTED "built without libusb-1.0": the one place that says so.
 */
#ifndef ISPFLASH_USB_H
#define ISPFLASH_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"

/* One USB identity a programmer may have. vendor/product: the exact manufacturer
 * and product strings to require, or NULL to accept any. */
struct usb_id {
    uint16_t vid, pid;
    const char *vendor;
    const char *product;
};

/* Transfer counters (control and bulk transfers, payload bytes each way). */
struct usb_counters {
    uint64_t transfers;
    uint64_t bytes_in, bytes_out;
};

struct usb_dev;

/* Open the first device matching any of ids[0..n_ids-1] (in that order of
 * preference) and claim interface 0. port: NULL or "usb" = first match;
 * "usb:SERIAL" = the device whose serial-number string is SERIAL (or whose
 * bus:device numbers are given as "usb:BBB:DDD", or whose ids are "usb:VVVV:PPPP",
 * four hex digits each). pgm_name names the programmer
 * in messages ("USBtiny"). *which (may be NULL) receives the index in ids of the
 * identity that matched. */
int usb_open(struct usb_dev **out, const struct usb_id *ids, size_t n_ids, const char *port,
             const char *pgm_name, size_t *which, struct ispf_error *err);
void usb_close(struct usb_dev *dev);

/* Vendor request to the device, IN (device -> host). Returns the number of bytes
 * received (>= 0) or a negative status. what names the request in messages. */
int usb_ctrl_in(struct usb_dev *dev, uint8_t request, uint16_t value, uint16_t index, uint8_t *buf,
                uint16_t len, unsigned timeout_ms, const char *what, struct ispf_error *err);
/* Vendor request, OUT (host -> device) with len data bytes (buf may be NULL if
 * len is 0). Returns ISPF_OK or a negative status. */
int usb_ctrl_out(struct usb_dev *dev, uint8_t request, uint16_t value, uint16_t index,
                 const uint8_t *buf, uint16_t len, unsigned timeout_ms, const char *what,
                 struct ispf_error *err);

/* Bulk transfer OUT on endpoint ep (0x02): len bytes as one transfer (the
 * host splits it into max-packet-size packets; no zero-length packet is added).
 * Returns ISPF_OK or a negative status (stall: ISPF_E_PROTOCOL, timeout:
 * ISPF_E_TIMEOUT, unplugged: ISPF_E_DISCONNECTED). */
int usb_bulk_out(struct usb_dev *dev, uint8_t ep, const uint8_t *buf, size_t len,
                 unsigned timeout_ms, const char *what, struct ispf_error *err);
/* Bulk transfer IN on endpoint ep (0x82): up to len bytes, ending at the device's
 * short (or zero-length) packet or when len bytes arrived. Returns the number of
 * bytes (>= 0) or a negative status. */
int usb_bulk_in(struct usb_dev *dev, uint8_t ep, uint8_t *buf, size_t len, unsigned timeout_ms,
                const char *what, struct ispf_error *err);

/* Remember the last address written (mem name such as "flash"), so that an
 * unplug reports where programming stopped. */
void usb_note_written(struct usb_dev *dev, const char *mem, uint32_t addr);

/* Counters since usb_open. */
struct usb_counters usb_get_counters(const struct usb_dev *dev);

/* Human-readable description of the opened device ("1781:0c9f bus 1 device 2"). */
const char *usb_describe(const struct usb_dev *dev);

/* The udev rule line that grants access to vid:pid (for messages and docs). */
void usb_udev_rule(char *buf, size_t size, uint16_t vid, uint16_t pid);
/* The path of ispflash's installed udev rule file (60-ispflash.rules), or NULL. */
const char *usb_udev_rules_installed(void);

/* One USB device seen on the bus, for listings (-P ?). note: why its strings are
 * empty ("permission denied"), or "". */
struct usb_listed {
    uint16_t vid, pid;
    uint8_t bus, addr;
    char manufacturer[128], product[128], serial[128];
    char note[64];
};
/* Every device for which want(vid, pid) is true, its strings read where it can be
 * opened. *out is malloc'd (free it). Built without libusb: none, ISPF_OK. */
int usb_list(bool (*want)(uint16_t vid, uint16_t pid), struct usb_listed **out, size_t *n,
             struct ispf_error *err);

#endif
