/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CLI side of fuse handling: the listings printed on standard output (--fuses,
 * --bootloader ?). The fuse plan of a run (guards, image check, write order, the
 * confirmations) is in the core (include/ispflash/run.h).
 */
#ifndef ISPFLASH_CLI_FUSECLI_H
#define ISPFLASH_CLI_FUSECLI_H

#include <stdbool.h>
#include <stdint.h>

#include "ispflash/fuse.h"
#include "ispflash/part.h"

/* --bootloader ?: the presets, grouped per MCU (only p's when p is not NULL). */
void fusecli_list_bootloaders(const struct part *p);
/* --fuse ?: the fields of p by byte with the values each takes, and with cur (not NULL)
 * the chip's current setting of each. */
void fusecli_list_fields(const struct part *p, const uint8_t *cur);
/* --fuses: print every fuse/lock byte cur[] of the chip, decoded (stdout). */
void fusecli_print_fuses(const struct part *p, const uint8_t cur[FUSE_NBYTES]);

#endif
