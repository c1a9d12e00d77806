/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding the programmer (docs/ports.md): what is plugged in, with a guess of what
 * each device is and the -c to use (-P ?, --list-ports); -P usb:VID:PID[:SERIAL]
 * for a serial programmer; the port chosen when no -P is given; the warning for a
 * port that is a board in its bootloader rather than a programmer.
 */
#ifndef ISPFLASH_PORTS_H
#define ISPFLASH_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"
#include "ispflash/portlist.h"
#include "ispflash/programmer.h"
#include "ispflash/usbids.h"

struct ports_entry {
    struct portlist_dev dev;
    const struct usbids_entry *id; /* NULL: identity not in the table */
    char guess[256];               /* what it probably is, in words */
    const char *advice;            /* a sentence to add, or NULL */
    const char *pgm;               /* the -c to suggest, or NULL */
    bool bootloader;               /* a board in its bootloader, not a programmer */
    char use[400];                 /* the -P forms that select it ("" for none) */
};

struct ports_list {
    struct ports_entry *v;
    size_t n;
};

/* Everything plugged in: the serial ports first (name order), then the USB devices
 * in the identity table that are not serial ports (USB programmers, bootloaders). */
int ports_list(struct ports_list *out, struct ispf_error *err);
void ports_list_free(struct ports_list *l);

/* Parse "usb:VID:PID[:SERIAL]" (hex VID and PID). False if port is not of that form. */
bool ports_parse_usb(const char *port, uint16_t *vid, uint16_t *pid, char *serial, size_t size);

/* The serial port to open for programmer pe given -P port (NULL: none given), into
 * buf; buf is "" when port is to be used as it is (USB and built-in programmers,
 * net:, a port name). usb:VID:PID[:SERIAL] picks the one serial port with that
 * identity (none: ISPF_E_NO_DEVICE, several: ISPF_E_USAGE, both listing the ports).
 * Without -P: the one port that fits pe (or the only serial port), said in the log;
 * several: ISPF_E_USAGE listing them; none at all: ISPF_E_NO_DEVICE. Whatever the
 * port, a board in its bootloader is warned about before anything is sent. */
int ports_resolve(const struct pgm_entry *pe, const char *port, char *buf, size_t size,
                  struct ispf_error *err);

#endif
