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
extern const struct programmer_ops pgm_stk500v2_ops;      /* stk500v2.c */
extern const struct programmer_ops pgm_buspirate_ops;     /* buspirate.c */
extern const struct programmer_ops pgm_avr109_ops;        /* avr109.c */
extern const struct programmer_ops pgm_stk500generic_ops; /* stk500generic.c (-c stk500) */

/* For -c stk500 (stk500generic.c): start the STK500v1 / STK500v2 backend on the
 * stream s that is already open. pgm->priv must be that backend's priv (its
 * ops' priv_size, zeroed). On success the backend owns s (its close() closes it)
 * and signon holds the programmer's sign-on string; on failure s stays open and
 * the caller's. probe (v2): short, quiet sign-on tries (about 0.8 s). */
int pgm_stk500v1_attach(struct pgm *pgm, struct stream *s, char *signon, size_t n,
                        struct ispf_error *err);
int pgm_stk500v2_attach(struct pgm *pgm, struct stream *s, bool probe, char *signon, size_t n,
                        struct ispf_error *err);

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
