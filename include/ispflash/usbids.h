/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a USB identity (VID:PID, and where it matters the product string) says about
 * the device behind a port: an ISP programmer and the -c that drives it, a
 * USB-serial adapter that could be anything, or a board sitting in its bootloader
 * (the target, not the programmer). One table, src/core/usbids.c; every row names
 * where its identity comes from (docs/ports.md lists them).
 */
#ifndef ISPFLASH_USBIDS_H
#define ISPFLASH_USBIDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum usbids_kind {
    USBIDS_SERIAL_ISP,   /* a serial port whose firmware is (usually) an ISP programmer */
    USBIDS_SERIAL_BOARD, /* an Arduino-class board's serial port: a sketch, maybe ArduinoISP */
    USBIDS_ADAPTER,      /* a USB-serial chip: the programmer behind it could be anything */
    USBIDS_USB_ISP,      /* a USB programmer ispflash drives through libusb */
    USBIDS_USB_OTHER,    /* a USB programmer ispflash does not drive */
    USBIDS_BOOTLOADER,   /* a board in its USB bootloader: the target, not a programmer */
};

struct usbids_entry {
    uint16_t vid, pid;
    const char *product; /* the product string this row needs (prefix), NULL: any */
    enum usbids_kind kind;
    bool serial;        /* the device is a serial port (CDC ACM or a USB-serial chip) */
    const char *what;   /* "QMK's ISP firmware (Pro Micro / Teensy 2.0)" */
    const char *pgm;    /* the -c to suggest, NULL: none (adapters, bootloaders) */
    const char *fits;   /* space-separated -c ids this device plausibly is (NULL: none) */
    const char *advice; /* a sentence for the listing, or NULL */
    const char *source; /* where the identity was taken from */
};

/* The row for vid:pid with product string product (NULL: unknown). A row whose
 * product is given wins over the row for any product; NULL if the identity is not
 * in the table. */
const struct usbids_entry *usbids_lookup(uint16_t vid, uint16_t pid, const char *product);

size_t usbids_count(void);
const struct usbids_entry *usbids_at(size_t i);

/* How well a device fits -c pgm_id: 2 = it is that kind of programmer (e.pgm or
 * listed in fits for a programmer row), 1 = it could be (an adapter, an Arduino
 * board that may run ArduinoISP), 0 = no (a bootloader, a USB programmer, NULL e). */
int usbids_fit(const struct usbids_entry *e, const char *pgm_id);

/* True for a board in its bootloader. */
bool usbids_is_bootloader(const struct usbids_entry *e);

#endif
