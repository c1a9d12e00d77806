/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -r: reset a board from its application into its bootloader (src/core/reboot.c).
 * The application's serial port is opened at 1200 baud and closed with DTR low
 * (the "1200-baud touch" of the Arduino 32U4 cores and Caterina boards), then the
 * bootloader's port is waited for: by its USB identity where the system tells it
 * (a Caterina bootloader row of ispflash/usbids.h), else a port that was not there
 * before. The application's and the bootloader's ports usually differ.
 */
#ifndef ISPFLASH_REBOOT_H
#define ISPFLASH_REBOOT_H

#include <stddef.h>

#include "ispflash/error.h"
#include "ispflash/programmer.h"

/* How long -r waits for the bootloader's port (a Caterina board re-enumerates in
 * well under a second; hosts with slow USB take a few). */
#define REBOOT_WAIT_MS 10000

/* Touch port (the application's, -P) for programmer pe and wait up to wait_ms for
 * the bootloader's port, whose name goes into found. A port that already is a
 * bootloader is used as it is, untouched. No port appearing: ISPF_E_NO_DEVICE
 * naming Caterina's windows; Ctrl-C: ISPF_E_INTERRUPTED; no -P, net:, a USB
 * programmer: ISPF_E_USAGE. */
int reboot_to_bootloader(const struct pgm_entry *pe, const char *port, int wait_ms, char *found,
                         size_t size, struct ispf_error *err);

#endif
