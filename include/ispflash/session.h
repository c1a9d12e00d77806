/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Core operations on one connected target, written once for every programmer:
 * connect (open, enter programming mode, check the signature), chip erase,
 * write/read/verify of every memory, fuse handling.
 */
#ifndef ISPFLASH_SESSION_H
#define ISPFLASH_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"
#include "ispflash/image.h"
#include "ispflash/part.h"
#include "ispflash/programmer.h"

/* Progress of one memory operation ("Writing flash", done, total bytes). Called with
 * done == 0 at the start and done == total at the end. */
typedef void (*ispf_progress_fn)(void *ctx, const char *what, uint32_t done, uint32_t total);

struct session_config {
    const struct pgm_entry *programmer; /* -c */
    const char *port;                   /* -P (NULL: programmer default) */
    int baud;                           /* -b (0: default) */
    double bitclock_us;                 /* -B (0: default) */
    const char *const *xopts;           /* -x */
    size_t n_xopts;
    const struct part *part; /* -p */
    bool force;              /* -F: go on when the signature names another part */
    bool no_write;           /* -n: never write anything to the chip */
    bool reboot;             /* -r: reset the board at -P into its bootloader, use its port */
    bool watch_target;       /* check after each flash write that the target still answers
                              * (a batch: a board taken away fails at the address reached) */
    ispf_progress_fn progress;
    void *progress_ctx;
};

struct session;

/* Open the programmer, enter programming mode, read and check the signature
 * (session_connect + session_attach). */
int session_open(struct session **out, const struct session_config *cfg, struct ispf_error *err);
/* Open the programmer only (and set -B); no target is touched. */
int session_connect(struct session **out, const struct session_config *cfg, struct ispf_error *err);
/* Enter programming mode on the target now on the programmer, read and check its
 * signature. Everything known about an earlier target is forgotten first.
 * 00 00 00 / FF FF FF: ISPF_E_NO_TARGET (never overridable). Another part's
 * signature: ISPF_E_SIGNATURE naming it, unless cfg->force. */
int session_attach(struct session *s, struct ispf_error *err);
/* Leave programming mode (RESET released); the programmer stays open. */
void session_detach(struct session *s);
/* Is a target there? Enter programming mode, read the signature into sig, leave
 * programming mode. No target (the programmer says so, or nothing answers) is not
 * an error: sig is then 00 00 00 (or FF FF FF). Errors are the programmer's own
 * (gone, not answering). Nothing is written. */
int session_probe(struct session *s, uint8_t sig[3], struct ispf_error *err);
/* True for a signature that means "nothing answered" (00 00 00 or FF FF FF). */
bool session_signature_absent(const uint8_t sig[3]);
/* Leave programming mode and close the programmer. NULL is fine. */
void session_close(struct session *s);

const uint8_t *session_signature(const struct session *s);
/* The port in use: -P as given, or the one chosen for it (-P usb:VID:PID, no -P);
 * NULL when the programmer needs none. */
const char *session_port(const struct session *s);
/* Counters of the programmer (bytes, commands). */
void session_stats(const struct session *s, uint64_t *tx, uint64_t *rx, uint64_t *commands);

/* Chip erase (flash, EEPROM unless EESAVE, lock bits), then re-enter programming mode. */
int session_chip_erase(struct session *s, struct ispf_error *err);
/* True once a chip erase was done in this session (write skips all-0xFF pages). */
bool session_erased(const struct session *s);

/* Write img into mem. Flash: page by page, partial pages padded with 0xFF, pages whose
 * content is all 0xFF skipped. EEPROM: only the bytes present in img. Fuse/lock:
 * img holds one byte at address 0; only existing bits are written and compared, and
 * a fuse already at the value is not written. The image must fit (checked before). */
int session_write(struct session *s, enum mem_id mem, const struct image *img,
                  struct ispf_error *err);
/* Read the whole memory into img (flash: trailing 0xFF trimmed). */
int session_read(struct session *s, enum mem_id mem, struct image *img, struct ispf_error *err);
/* The first difference found by the last session_verify (count 0: none). */
struct session_mismatch {
    uint32_t count;   /* bytes that differ */
    uint32_t address; /* the first of them */
    uint8_t expected, found;
};
/* Compare the bytes present in img with the chip (fuses: existing bits only).
 * Mismatch: ISPF_E_VERIFY naming the first address, expected and found, and the count. */
int session_verify(struct session *s, enum mem_id mem, const struct image *img,
                   struct ispf_error *err);
const struct session_mismatch *session_last_mismatch(const struct session *s);
/* len bytes of flash or EEPROM from addr, without progress reports: a small look at
 * the chip (e.g. whether a bootloader sits at a boot-section start). */
int session_read_range(struct session *s, enum mem_id mem, uint32_t addr, uint8_t *buf,
                       uint32_t len, struct ispf_error *err);
/* One fuse/lock byte as the chip reads it. */
int session_read_fuse(struct session *s, enum mem_id mem, uint8_t *val, struct ispf_error *err);

/* Checks done before any programmer is opened: does img fit mem of part? */
int session_check_fits(const struct part *p, enum mem_id mem, const struct image *img,
                       const char *source, struct ispf_error *err);

#endif
