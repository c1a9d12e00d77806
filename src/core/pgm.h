/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core's side of the programmer vtable: instance lifecycle, the pairing
 * rules (close iff open, disable iff enable), and the generic fallbacks for the
 * optional ops, written once over the mandatory spi() op.
 */
#ifndef ISPFLASH_CORE_PGM_H
#define ISPFLASH_CORE_PGM_H

#include "ispflash/pgm_ops.h"
#include "programmers/backend.h"

/* Progress of a long memory operation: done/total bytes. */
typedef void (*pgm_progress_fn)(void *ctx, uint32_t done, uint32_t total);

int pgm_create(const struct pgm_entry *entry, const struct pgm_config *cfg, struct pgm **out,
               struct ispf_error *err);
/* Disables and closes as needed, frees the instance. NULL is fine. */
void pgm_destroy(struct pgm *pgm);

int pgm_open(struct pgm *pgm, struct ispf_error *err);
int pgm_enable(struct pgm *pgm, struct ispf_error *err);
void pgm_disable(struct pgm *pgm);
bool pgm_is_enabled(const struct pgm *pgm);

int pgm_spi(struct pgm *pgm, const uint8_t cmd[4], uint8_t res[4], struct ispf_error *err);
/* Wait until RDY/BSY says ready, at most timeout_us (then ISPF_E_TARGET). */
int pgm_wait_ready(struct pgm *pgm, uint32_t timeout_us, const char *what, struct ispf_error *err);

/* Read len bytes of flash/EEPROM at addr (read_block, or spi byte by byte). */
int pgm_read(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf, uint32_t len,
             pgm_progress_fn progress, void *ctx, struct ispf_error *err);
/* Write whole flash pages (addr page-aligned, len a multiple of flash_page, at most
 * pgm_flash_write_max()). */
int pgm_write_flash(struct pgm *pgm, uint32_t addr, const uint8_t *buf, uint32_t len,
                    struct ispf_error *err);
/* Largest run of consecutive flash bytes pgm_write_flash takes in one call. */
uint32_t pgm_flash_write_max(const struct pgm *pgm);
/* Write a contiguous run of EEPROM bytes. */
int pgm_write_eeprom(struct pgm *pgm, uint32_t addr, const uint8_t *buf, uint32_t len,
                     struct ispf_error *err);
int pgm_set_sck(struct pgm *pgm, double period_us, struct ispf_error *err);

#endif
