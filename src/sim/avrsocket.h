/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A target socket: the board under the programmer can be taken away and another
 * one put in while the programmer stays connected (dryrun -x target=FILE, the
 * emulators' --target-file FILE). A file names the board in the socket:
 *  - FILE missing: the socket is empty; the chip reads as unwired (MISO 0x00), so
 *    Programming Enable fails and the signature reads 00 00 00;
 *  - FILE empty (size 0): a factory-fresh chip (flash/EEPROM 0xFF, default fuses);
 *  - FILE not empty: a saved chip (the avrchip_save format).
 * The socket is looked at when RESET is held, at every Programming Enable, at every
 * write instruction (page commit, byte write, erase, fuse) and every
 * AVRSOCKET_LOOK_EVERY instructions. A file that appears, or is replaced (another
 * inode, or another ctime: `rm F; touch F` may reuse the inode number), is a new
 * board: its chip is loaded and the previous one forgotten. A file that is gone
 * empties the socket, so the rest of a write goes nowhere.
 * The chip is written back to FILE (whole-or-nothing) when RESET is released and
 * when the socket is closed, only if it was changed (avrchip.modified) and FILE is
 * still the board that was loaded: a board taken away is never written back.
 * No global state: one struct avrsocket per chip, any number of them in threads.
 */
#ifndef ISPFLASH_AVRSOCKET_H
#define ISPFLASH_AVRSOCKET_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "ispflash/error.h"
#include "sim/avrchip.h"

#define AVRSOCKET_LOOK_EVERY 64 /* instructions between two looks at the file */

struct avrsocket_stats {
    unsigned long looks;    /* stat() calls on FILE */
    unsigned long inserts;  /* boards found in the socket (loaded or fresh) */
    unsigned long removals; /* boards found gone */
    unsigned long saves;    /* chips written back to FILE */
    unsigned long dropped;  /* changed chips not written back: their board was gone */
};

struct avrsocket {
    struct avrchip *chip;
    const struct part *file_part; /* the part FILE is keyed by (chip->part may differ) */
    char path[PATH_MAX];
    bool present; /* a board from FILE is in the socket */
    dev_t dev;    /* which file that board came from */
    ino_t ino;
    struct timespec ctime;
    unsigned since_look;   /* instructions since the last look */
    struct ispf_error err; /* the first failure found while watching (err.code) */
    struct avrsocket_stats stats;
};

/* Put chip c in a socket named by path and look at it once. file_part: the part
 * that FILE's state is keyed by (NULL: c->part). Fails (ISPF_E_INPUT, ISPF_E_IO)
 * when FILE is there but is not a chip state of that part; the socket is then
 * open and empty, and avrsocket_close must still be called. */
int avrsocket_open(struct avrsocket *s, struct avrchip *c, const struct part *file_part,
                   const char *path, struct ispf_error *err);
/* Look at FILE now (what the watcher does by itself). Returns a load failure. */
int avrsocket_look(struct avrsocket *s, struct ispf_error *err);
/* Write the chip back to FILE if it was changed and FILE is still its board. */
int avrsocket_save(struct avrsocket *s, struct ispf_error *err);
/* The first failure the watcher met (a board that would not load, a save that
 * failed), then forgotten; ISPF_OK if none. */
int avrsocket_take_error(struct avrsocket *s, struct ispf_error *err);
/* Save (as avrsocket_save) and take the chip out of the socket (the watcher goes). */
int avrsocket_close(struct avrsocket *s, struct ispf_error *err);

#endif
