/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CLI side of fuse handling: --fuses, --bootloader ?, the confirmation printed before
 * fuse writes, and the plan (guards, image check, write order) run before anything is
 * written.
 */
#ifndef ISPFLASH_CLI_FUSECLI_H
#define ISPFLASH_CLI_FUSECLI_H

#include <stdbool.h>
#include <stdint.h>

#include "ispflash/fuse.h"
#include "ispflash/part.h"
#include "ispflash/session.h"

/* --bootloader ?: the presets, grouped per MCU (only p's when p is not NULL). */
void fusecli_list_bootloaders(const struct part *p);
/* --fuses: read every fuse/lock byte of the chip and print it decoded (stdout). */
int fusecli_print_fuses(struct session *s, const struct part *p, struct ispf_error *err);
/* Read every fuse/lock byte that the part has into cur (0xFF where absent). */
int fusecli_read_all(struct session *s, const struct part *p, uint8_t cur[FUSE_NBYTES],
                     struct ispf_error *err);
/* The decoding of one value, as an info message (-v on a fuse read). */
void fusecli_log_decoded(const struct part *p, enum mem_id mem, uint8_t v);
/* The confirmation before a fuse write: old -> new, only the fields that change. */
void fusecli_print_change(const struct part *p, enum mem_id mem, uint8_t old, uint8_t new_val,
                          bool quiet);
/* Print a multi-line text from the core as warnings or info lines. */
void fusecli_print_lines(const char *text, bool warning);

#endif
