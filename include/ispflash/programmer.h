/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Public view of the programmer registry: ids the user can pass to -c.
 * The vtable itself is internal (include/ispflash/pgm_ops.h).
 */
#ifndef ISPFLASH_PROGRAMMER_H
#define ISPFLASH_PROGRAMMER_H

#include <stddef.h>

struct programmer_ops;

/* Transport a programmer talks over (tells the CLI what -P means for it). */
enum pgm_transport {
    PGM_TRANSPORT_NONE,   /* built in (dryrun) */
    PGM_TRANSPORT_SERIAL, /* serial port or net:host:port */
    PGM_TRANSPORT_USB,    /* libusb; -P usb[:serial] */
};

/* One row of the registry: an id, and the ops + defaults it uses. Several ids may
 * share ops (avrisp and stk500v1 differ only in default baud and variant). */
struct pgm_entry {
    const char *id;
    const char *desc; /* one line for -c ? */
    const struct programmer_ops *ops;
    enum pgm_transport transport;
    int default_baud; /* serial programmers; 0 otherwise */
    int variant;      /* backend-specific flavour (e.g. ArduinoISP vs genuine STK500) */
};

size_t pgm_registry_count(void);
const struct pgm_entry *pgm_registry_at(size_t i);
/* Case-insensitive lookup; NULL if unknown. */
const struct pgm_entry *pgm_registry_find(const char *id);
/* Up to max entries closest to an unknown id, best first. */
size_t pgm_registry_suggest(const char *id, const struct pgm_entry **out, size_t max);

#endif
