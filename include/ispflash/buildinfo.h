/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What this ispflash was built with, for --version (src/transport: the only layer
 * that calls libusb and libserialport).
 */
#ifndef ISPFLASH_BUILDINFO_H
#define ISPFLASH_BUILDINFO_H

/* "libusb 1.0.26.11724", or "built without libusb" (a static string). */
const char *buildinfo_libusb(void);
/* "libserialport 0.1.1" (the version built with; the one loaded if it differs). */
const char *buildinfo_libserialport(void);

#endif
