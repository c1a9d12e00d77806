/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuses without fear: decoding fuse and lock bytes field by field, the guards that
 * refuse writes which would lock ISP out (or make the chip unreadable), the write
 * order, and the check that a flash image and the fuses in effect agree about the
 * boot section. Everything here is a pure function of the part database and the
 * values given: no I/O, no logging.
 */
#ifndef ISPFLASH_FUSE_H
#define ISPFLASH_FUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"
#include "ispflash/image.h"
#include "ispflash/part.h"

/* Index of a fuse memory (MEM_LFUSE..MEM_LOCK) in part->fuse[] and fuse arrays. */
#define FUSE_NBYTES 4
static inline int fuse_index(enum mem_id mem)
{
    return (int)mem - (int)MEM_LFUSE;
}
static inline enum mem_id fuse_mem(int index)
{
    return (enum mem_id)(MEM_LFUSE + index);
}

/* ---- Fields ---------------------------------------------------------------- */

/* The field's value in byte, right-aligned (BOOTSZ of 0xD8 on the 32U4 = 0). */
uint8_t fuse_field_get(const struct fuse_field *f, uint8_t byte);
/* byte with the field set to value (right-aligned). */
uint8_t fuse_field_put(const struct fuse_field *f, uint8_t byte, uint8_t value);
/* One-bit fields without a value table are active-low flags: programmed = bit is 0. */
bool fuse_field_is_flag(const struct fuse_field *f);
bool fuse_flag_programmed(const struct fuse_field *f, uint8_t byte);
/* The datasheet entry for a value of a multi-bit field; NULL when the value is not in
 * the table (reserved) or the field has no table. */
const struct fuse_value *fuse_field_lookup(const struct fuse_field *f, uint8_t value);

/* The meaning of one field's setting in byte, e.g. "2048 words (boot section
 * 0x7000-0x7FFF)", "jump to bootloader at 0x7000", "on", "off",
 * "Ext. Crystal Osc. 8.0- MHz; Start-up time: 258 CK + 65 ms", "reserved value 0x3".
 * mem is the byte the field belongs to (BOOTRST needs BOOTSZ of the same byte).
 * Returns the length written (truncated to fit len). */
size_t fuse_field_text(const struct part *p, enum mem_id mem, const struct fuse_field *f,
                       uint8_t byte, char *buf, size_t len);

/* All fields of one byte, "NAME=meaning" joined by sep (e.g. ", " or "\n  "). A part
 * whose byte has no field descriptions gives "". Returns the length. */
size_t fuse_decode(const struct part *p, enum mem_id mem, uint8_t byte, const char *sep, char *buf,
                   size_t len);

/* The fields whose setting differs between old and new (existing bits only), one
 * "NAME: old meaning -> new meaning" per line, each line starting with indent.
 * Returns how many fields change (0: nothing to write). */
int fuse_diff(const struct part *p, enum mem_id mem, uint8_t old, uint8_t new_val,
              const char *indent, char *buf, size_t len);

/* ---- Clock ----------------------------------------------------------------- */

enum fuse_clock {
    FUSE_CLOCK_UNKNOWN = 0, /* reserved value, or the part has no clock field */
    FUSE_CLOCK_INTERNAL,    /* internal RC / watchdog / PLL from the internal RC */
    FUSE_CLOCK_EXTERNAL,    /* crystal, resonator, external RC or external clock */
};

/* The field that selects the clock source (SUT_CKSEL, or CKSEL) and the byte holding
 * it. NULL if the part has none. */
const struct fuse_field *fuse_clock_field(const struct part *p, enum mem_id *mem);
/* The clock source selected by byte (the value of the clock field's byte). caption
 * (may be NULL) receives the datasheet caption, or NULL for a reserved value. */
enum fuse_clock fuse_clock_source(const struct part *p, uint8_t byte, const char **caption);
/* Classify a clock caption ("Int. RC Osc. 8 MHz" -> internal). */
enum fuse_clock fuse_clock_classify(const char *caption);
/* The external-source kind of a caption, for telling crystal from external clock:
 * "crystal", "clock", "rc" (external RC), or NULL for an internal source. */
const char *fuse_clock_kind(const char *caption);

/* ---- Boot section ---------------------------------------------------------- */

struct fuse_boot {
    bool has_boot;   /* the part has BOOTSZ (and BOOTRST) */
    enum mem_id mem; /* the byte holding BOOTSZ and BOOTRST */
    uint8_t bootsz;  /* BOOTSZ value, right-aligned */
    uint32_t start;  /* selected boot section, byte address */
    uint32_t size;   /* bytes */
    bool bootrst;    /* BOOTRST programmed: reset jumps to start */
    bool has_hwbe;   /* the part has HWBE */
    bool hwbe;       /* HWBE programmed: the HWB pin held low at reset starts the bootloader */
};

/* The boot section a BOOTSZ value selects. False if the part has no boot sections
 * or the value is out of range. */
bool fuse_boot_section(const struct part *p, uint8_t bootsz, struct boot_section *out);
/* The BOOTSZ value whose boot section starts at start (false: none does). */
bool fuse_bootsz_for_start(const struct part *p, uint32_t start, uint8_t *bootsz);
/* Boot configuration of the fuses v[] (lfuse, hfuse, efuse, lock as read/planned). */
void fuse_boot_config(const struct part *p, const uint8_t v[FUSE_NBYTES], struct fuse_boot *out);

/* ---- Guards and write order -------------------------------------------------- */

/* One run's fuse work: the values read from the chip, and what will be written. */
struct fuse_plan {
    const struct part *part;
    uint8_t cur[FUSE_NBYTES];  /* as read from the chip (0xFF where the part has none) */
    bool write[FUSE_NBYTES];   /* byte i is written in this run */
    uint8_t next[FUSE_NBYTES]; /* value to write where write[i] */
    bool writes_flash;         /* the run also writes flash */
    /* The user named a bootloader preset whose board runs from a crystal (--bootloader):
     * switching from the internal oscillator to that crystal is then a note, not a
     * refusal. */
    bool crystal_confirmed;
};

/* The fuse values in effect after the plan (cur overridden by the writes, existing
 * bits only; non-existent bits read 1). */
void fuse_plan_result(const struct fuse_plan *plan, uint8_t out[FUSE_NBYTES]);

/* The brick guards. ISPF_OK, or ISPF_E_REFUSED with every reason explained (what the
 * write would do to the chip and how to recover). With unsafe, the reasons are
 * returned in warn instead (may be NULL) and the result is ISPF_OK. Also collects
 * non-fatal notes (reserved non-clock values, crystal -> external clock) into warn.
 * Pure: call it before anything is written. */
int fuse_plan_check(const struct fuse_plan *plan, bool unsafe, char *warn, size_t wlen,
                    struct ispf_error *err);

/* The order in which to write the fuse bytes of a plan: the bytes without the clock
 * selection first (low index first), then the byte holding the clock selection, then
 * the lock byte (lock bits may forbid further fuse writes). Returns how many. */
size_t fuse_write_order(const struct part *p, const bool write[FUSE_NBYTES],
                        enum mem_id order[FUSE_NBYTES]);

/* What a lock byte does, in words ("flash and EEPROM can no longer be read or
 * programmed over ISP until a chip erase; the bootloader cannot write the
 * application section"). */
size_t fuse_lock_effects(const struct part *p, uint8_t lock, char *buf, size_t len);

/* ---- Image <-> fuses ------------------------------------------------------- */

enum fuse_image_kind {
    FUSE_IMAGE_EMPTY = 0,   /* nothing but 0xFF */
    FUSE_IMAGE_APPLICATION, /* starts below the boot area */
    FUSE_IMAGE_BOOTLOADER,  /* starts at a boot-section start or lies in the top boot area */
    FUSE_IMAGE_COMBINED,    /* application + bootloader in one (a production image) */
};

struct fuse_image_info {
    enum fuse_image_kind kind;
    uint32_t lo, hi;     /* first and last address holding a byte other than 0xFF */
    uint32_t boot_start; /* BOOTLOADER / COMBINED: where the bootloader part starts
                          * (0 when a combined image has no clear split) */
};

/* Classify a flash image. boot_start_sel is the start of the boot section the fuses
 * select (used to recognise a combined image without a clear split; 0 if unknown). */
void fuse_image_classify(const struct part *p, const struct image *img, uint32_t boot_start_sel,
                         struct fuse_image_info *out);

/* The check before writing flash img (named source) with the fuses v[] in effect:
 * - a bootloader (or the bootloader part of a combined image) that does not start at
 *   the boot section BOOTSZ selects, or that reset does not reach (BOOTRST not
 *   programmed and no HWBE): a warning in warn naming the fuse value that would fit;
 * - an application image reaching into the boot section while BOOTRST jumps there:
 *   ISPF_E_INPUT (the chip would jump into the middle of the application).
 * notes (may be NULL) receives remarks that are not warnings. */
int fuse_image_check(const struct part *p, const struct image *img, const char *source,
                     const uint8_t v[FUSE_NBYTES], char *warn, size_t wlen, char *notes,
                     size_t nlen, struct ispf_error *err);

#endif
