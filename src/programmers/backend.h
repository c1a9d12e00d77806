/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the backends share, below them: the registry's ops, -x option lookup, the
 * serial speed, and the Load Extended Address cache. Backends include this and
 * never a header of src/core (dependencies point down only).
 */
#ifndef ISPFLASH_PGM_BACKEND_H
#define ISPFLASH_PGM_BACKEND_H

#include "ispflash/pgm_ops.h"

struct stream;
struct usb_dev;

/* The backends' ops (one file each), for the registry. */
extern const struct programmer_ops pgm_dryrun_ops;
extern const struct programmer_ops pgm_usbtiny_ops; /* usbtiny.c */
extern const struct programmer_ops pgm_usbasp_ops;  /* usbasp.c */
extern const struct programmer_ops pgm_stk500v1_ops;
extern const struct programmer_ops pgm_stk500v2_ops;  /* stk500v2.c */
extern const struct programmer_ops pgm_buspirate_ops; /* buspirate.c */
extern const struct programmer_ops pgm_avr109_ops;    /* avr109.c */

/* Value of -x key=value for this pgm (NULL if absent; "" for a bare "-x key"). */
const char *pgm_xopt(const struct pgm *pgm, const char *key);
/* Send Load Extended Address (4D) through pgm->ops->spi when the byte address addr
 * needs another value than pgm->ext_addr; nothing on parts up to 128 KiB. */
int pgm_load_ext_addr(struct pgm *pgm, uint32_t addr, struct ispf_error *err);
/* pgm->stats from the byte counters of a stream (NULL: unchanged). */
void pgm_stats_from_stream(struct pgm *pgm, const struct stream *s);
/* pgm->stats from a USB device's transfer counters: commands = control transfers,
 * bytes sent include each transfer's 8-byte setup packet. */
void pgm_stats_from_usb(struct pgm *pgm, const struct usb_dev *usb);
/* Effective serial speed: -b if given, else the registry default. */
int pgm_baud(const struct pgm *pgm);

#endif
