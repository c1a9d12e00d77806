/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flash as a bar of plain ASCII, for `ispflash info` and -v before a write:
 *
 *   [################..........@@@@]  0x00000-0x07FFF (32768 bytes, 1024 per cell)
 *   # data  . empty  B boot section (empty)  @ data in the boot section
 *   segment  0x00000-0x06959  26970 bytes
 *   hole     ...
 *   boot     0x07000-0x07FFF   4096 bytes (selected by the fuses)
 *   overlap  0x07000-0x07FD9   4058 bytes of the image in the boot section
 *
 * Pure: renders into a caller's buffer.
 */
#ifndef ISPFLASH_MEMMAP_H
#define ISPFLASH_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "ispflash/fuse.h"
#include "ispflash/image.h"
#include "ispflash/part.h"

/* Most segment/hole lines listed; the rest are counted in one line. */
#define MEMMAP_MAX_LINES 12

/* Render img in a flash of flash_size bytes as a bar of width cells (8..512),
 * with the boot section [boot_start, boot_start + boot_size) (boot_size 0: none),
 * a legend and the ranges underneath, each line ending in '\n'. Returns the length
 * the whole text needs (as snprintf: the text is truncated if len is smaller). */
size_t memmap_render(const struct image *img, uint32_t flash_size, uint32_t boot_start,
                     uint32_t boot_size, unsigned width, char *buf, size_t len);

/* At -v (ISPF_LOG_DEBUG enabled): log the map of the flash image a run is about to
 * write, with the boot section the fuses v[] (in effect after the run) select, at
 * INFO, one line each. Nothing otherwise. */
void memmap_log_write(const struct part *p, const struct image *img, const uint8_t v[FUSE_NBYTES]);

#endif
