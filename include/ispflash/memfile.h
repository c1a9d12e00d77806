/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Several memories in one file, at avr-gcc's section addresses (as avr-objcopy
 * writes them and avrdude 8 reads them): flash at 0, EEPROM at 0x810000, the fuse
 * bytes at 0x820000 (lfuse, hfuse, efuse), lock at 0x830000. Used by memory lists
 * (-U flash,eeprom:r:FILE, -U ALL:w:FILE) and by the backups taken before a chip is
 * overwritten.
 */
#ifndef ISPFLASH_MEMFILE_H
#define ISPFLASH_MEMFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"
#include "ispflash/image.h"
#include "ispflash/part.h"

#define MEMFILE_EEPROM 0x810000u
#define MEMFILE_FUSE 0x820000u
#define MEMFILE_LOCK 0x830000u

/* Where mem starts in a multi-memory file. */
uint32_t memfile_offset(enum mem_id mem);
/* True when text names a memory list: "ALL" or names joined by ','. */
bool memfile_is_list(const char *text);
/* "ALL" (every memory of the part that a backup holds: flash, eeprom, the fuses, lock)
 * or "flash,eeprom,...": the memories, in that order. ISPF_E_USAGE for an unknown
 * name or one the part lacks (ALL skips what it lacks). */
int memfile_parse_list(const char *text, const struct part *p, enum mem_id *mems, size_t max,
                       size_t *n, struct ispf_error *err);
/* Copy mem's image into all at mem's offset. */
int memfile_put(struct image *all, enum mem_id mem, const struct image *img,
                struct ispf_error *err);
/* mem's part of all, moved to address 0 (empty when all holds none of it). */
int memfile_get(const struct image *all, enum mem_id mem, const struct part *p, struct image *out,
                struct ispf_error *err);
/* True when all holds anything above flash's range (a multi-memory file). */
bool memfile_has_sections(const struct image *all);

#endif
