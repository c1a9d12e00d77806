/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The backup taken before a run replaces what a chip holds (a chip erase, a flash
 * write over the boot section, a fuse change): one Intel HEX file with each memory at
 * avr-gcc's section addresses (include/ispflash/memfile.h), which ispflash writes
 * back with -U ALL:w:FILE through the same guards.
 *
 *  - BACKUP_AUTO (the default): the largest boot section, when code is there (its
 *    first bytes are not all 0xFF), and the fuse and lock bytes, when the run changes
 *    a fuse or loses the boot section. Saved in the user's state directory
 *    ($XDG_STATE_HOME, else ~/.local/state)/ispflash/backups/, named with the part,
 *    the signature and the time. Nothing to lose (an empty boot section, no fuse
 *    change): no file.
 *  - BACKUP_FULL (--backup FILE): flash, EEPROM, fuses and lock, to FILE.
 *  - BACKUP_NONE (--no-backup, -n, and the boards of a batch).
 */
#ifndef ISPFLASH_BACKUP_H
#define ISPFLASH_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"
#include "ispflash/fuse.h"
#include "ispflash/part.h"
#include "ispflash/session.h"

enum backup_mode { BACKUP_AUTO, BACKUP_NONE, BACKUP_FULL };

/* What the run is about to lose. */
struct backup_loss {
    bool flash;       /* a chip erase, or a flash write over the boot section */
    bool fuse_change; /* a fuse or lock byte changes */
    bool have_fuses;  /* fuses[] holds the chip's bytes (else they are read) */
    uint8_t fuses[FUSE_NBYTES];
};

/* Take the backup mode asks for, before anything is written. path: BACKUP_FULL's file
 * (else NULL: the state directory). saved receives the file written ("" when none
 * was needed). An error (the file cannot be written) should stop the run: the chip
 * must not be overwritten without the backup the user expects. *write_failed (when not
 * NULL) is set when the error is the file's, not the chip read's (an output file's
 * failure: exit 1, not a programmer problem). */
int backup_take(struct session *s, const struct part *p, enum backup_mode mode, const char *path,
                const struct backup_loss *loss, char *saved, size_t saved_len, bool *write_failed,
                struct ispf_error *err);

#endif
