/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Raw enumeration of what is plugged in (src/transport/portlist.c): serial ports
 * through libserialport, with the USB identity of the ones on USB, and USB devices
 * through libusb. No guessing here: ispflash/ports.h turns these into guesses.
 * (Declared in include/ispflash/ because the core may not include src/transport/.)
 */
#ifndef ISPFLASH_PORTLIST_H
#define ISPFLASH_PORTLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"

#define PORTLIST_STR 128

struct portlist_dev {
    char name[PORTLIST_STR]; /* serial: "/dev/ttyACM0"; USB: "usb bus 1 device 2" */
    bool serial;             /* a serial port (else a USB device seen through libusb) */
    bool usb;                /* the identity below is known */
    uint16_t vid, pid;
    int bus, addr; /* -1 if unknown */
    char serial_no[PORTLIST_STR], manufacturer[PORTLIST_STR], product[PORTLIST_STR];
    char description[PORTLIST_STR]; /* serial: libserialport's description */
    char note[PORTLIST_STR];        /* USB: why the strings could not be read, or "" */
};

/* Every serial port, in name order. *out is malloc'd (free it); *n may be 0. */
int portlist_serial(struct portlist_dev **out, size_t *n, struct ispf_error *err);
/* The identity of one named serial port (no open); false if the port is unknown. */
bool portlist_serial_one(const char *name, struct portlist_dev *out);
/* USB devices for which want(vid, pid) is true, with their strings (read by opening
 * the device; a device that cannot be opened gets a note). Built without libusb:
 * none, and ISPF_OK. */
int portlist_usb(bool (*want)(uint16_t vid, uint16_t pid), struct portlist_dev **out, size_t *n,
                 struct ispf_error *err);
/* The reset touch on a serial port (-r): open it at baud (1200), drop DTR, close
 * it (transport/stream.h stream_serial_touch). */
int portlist_touch(const char *port, int baud, struct ispf_error *err);

#endif
