/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What is on the chip (--identify): signature, fuses, lock, the bootloader in the
 * top of flash by fingerprint (include/ispflash/fingerprint.h), or empty, or unknown
 * code; whether an application is present; and how the fuses differ from the
 * bootloader's --bootloader preset, in plain words. Reads only what it needs: the
 * first bytes of flash and the top of flash one boot-section size at a time,
 * smallest first, stopping at the first fingerprint that matches. Writes nothing.
 */
#ifndef ISPFLASH_IDENTIFY_H
#define ISPFLASH_IDENTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/bootloaders.h"
#include "ispflash/error.h"
#include "ispflash/fingerprint.h"
#include "ispflash/fuse.h"
#include "ispflash/part.h"
#include "ispflash/session.h"

/* How many bytes at 0x0000 tell whether an application is present. */
#define IDENTIFY_APP_BYTES 8

enum identify_kind {
    IDENTIFY_EMPTY = 0,  /* the top of flash (largest boot section) is all 0xFF */
    IDENTIFY_BOOTLOADER, /* a known bootloader: fp */
    IDENTIFY_UNKNOWN,    /* code in the top of flash that no fingerprint matches */
    IDENTIFY_NO_BOOT,    /* the part has no boot sections: only the application is looked at */
};

struct identify_result {
    const struct part *part;
    uint8_t sig[3];
    bool fuses_read;     /* false: the programmer cannot read fuses (a bootloader, -c arduino) */
    char fuses_why[160]; /* why not */
    bool fuse_present[FUSE_NBYTES];
    uint8_t fuse[FUSE_NBYTES]; /* lfuse, hfuse, efuse, lock (0xFF where absent) */
    struct fuse_boot boot;     /* what the fuses select */
    bool locked;               /* lock bits forbid reading flash over ISP */
    enum identify_kind kind;
    const struct fp_entry *fp;              /* IDENTIFY_BOOTLOADER */
    uint32_t code_lo, code_hi;              /* BOOTLOADER / UNKNOWN: first and last non-0xFF */
    bool code_may_continue;                 /* UNKNOWN: reaches the bottom of what was read */
    bool app_present;                       /* flash at 0x0000 is not erased */
    uint32_t flash_read;                    /* bytes of flash read */
    const struct bootloader_preset *preset; /* the bootloader's preset for the part, or NULL */
    bool fuses_ok;                          /* preset found and the fuses agree with it */
    /* Plain-words problems, one per line ("Caterina ... found, but BOOTRST is not set:
     * ..."), then the fields that differ from the preset. "" when none. */
    char problems[2048];
};

/* Identify the chip of an attached session (part p). */
int identify_chip(struct session *s, const struct part *p, struct identify_result *out,
                  struct ispf_error *err);

/* The fuse judgement of identify_chip on its own (r->part, r->fuse, r->fp set):
 * fills boot, preset, fuses_ok and problems. */
void identify_judge(struct identify_result *r);

#endif
