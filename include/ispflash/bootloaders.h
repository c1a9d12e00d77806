/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bootloader fuse presets (--bootloader NAME): the fuse values each USB bootloader
 * used by QMK keyboards needs, per MCU, from QMK's ISP flashing guide.
 */
#ifndef ISPFLASH_BOOTLOADERS_H
#define ISPFLASH_BOOTLOADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"
#include "ispflash/part.h"

/* One row of the table: a bootloader on one MCU family. */
struct bootloader_preset {
    const char *name;    /* "atmel-dfu", "caterina-promicro16"... */
    const char *aliases; /* extra names separated by spaces, or "" */
    const char *desc;    /* "Atmel/QMK DFU" */
    const char *parts;   /* part ids separated by spaces: "usb1286 usb1287" */
    uint8_t lfuse, hfuse, efuse;
    bool has_efuse;        /* the table gives an extended fuse */
    bool has_hfuse_nojtag; /* the table gives a JTAG-disabled high fuse */
    uint8_t hfuse_nojtag;
    const char *usb_id; /* VID:PID once the bootloader runs */
};

size_t bootloader_count(void);
const struct bootloader_preset *bootloader_at(size_t i);
/* True if name (or an alias, case-insensitive) is a preset for part p. */
bool bootloader_matches(const struct bootloader_preset *b, const char *name);
bool bootloader_for_part(const struct bootloader_preset *b, const struct part *p);
/* The preset called name for part p; NULL if there is none for p. */
const struct bootloader_preset *bootloader_find(const char *name, const struct part *p);
/* True if any part has a preset called name. */
bool bootloader_name_known(const char *name);
/* Why a name QMK knows (BOOTLOADER = ... in rules.mk: halfkay, lufa-ms, custom, the ARM
 * ones; qmk-hid on parts without its preset) cannot be installed with --bootloader on p
 * (p may be NULL): a sentence, or NULL when the name is not one of them. */
const char *bootloader_refusal(const char *name, const struct part *p);

enum bootloader_jtag {
    BOOTLOADER_JTAG_TABLE = -1,
    BOOTLOADER_JTAG_OFF = 0,
    BOOTLOADER_JTAG_ON = 1
};

/* The fuse bytes the preset sets on p: write[i]/val[i] for lfuse, hfuse, efuse, lock
 * (lock is never set). jtag OFF/ON sets JTAGEN of the high fuse (for atmel-dfu this
 * gives the table's JTAG-disabled value); ISPF_E_USAGE if p has no JTAGEN. */
int bootloader_fuses(const struct bootloader_preset *b, const struct part *p,
                     enum bootloader_jtag jtag, bool write[4], uint8_t val[4],
                     struct ispf_error *err);

/* "atmel-dfu, qmk-dfu" style list of the preset names for p (aliases in
 * parentheses); "" if none. Returns the length. */
size_t bootloader_names_for_part(const struct part *p, char *buf, size_t len);

#endif
