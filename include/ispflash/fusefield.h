/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --fuse FIELD=VALUE: one fuse field changed by name. Parses the assignment against the
 * part's fuse field table (the datasheet names the decoder prints: JTAGEN, BOOTSZ,
 * CKDIV8, SUT_CKSEL, BODLEVEL...) into the bits it sets in one fuse or lock byte, and
 * describes the values a field takes (for --fuse ?). No I/O.
 *
 * Values:
 * - one-bit fields: on / programmed / 1 / yes, off / unprogrammed / 0 / no ("on" is
 *   what the decoder prints for a programmed bit, which reads as 0 in the byte);
 * - BOOTSZ: the boot section size in words as the datasheet and the decoder give it
 *   ("2048" or "2048W"), or in bytes with B ("4096B");
 * - other multi-bit fields: the field's value as a number ("0x3", "7"), or a piece of
 *   the datasheet caption that only one value has ("2.6 V", "8.0- MHz; Start-up time:
 *   16K CK + 65 ms").
 */
#ifndef ISPFLASH_FUSEFIELD_H
#define ISPFLASH_FUSEFIELD_H

#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"
#include "ispflash/part.h"

struct fusefield_set {
    enum mem_id mem;                /* the byte holding the field */
    const struct fuse_field *field; /* in the part database */
    uint8_t mask;                   /* the field's bits in the byte */
    uint8_t bits;                   /* the new value, in place (bits & ~mask == 0) */
};

/* Parse "FIELD=VALUE" for part p. ISPF_E_USAGE with the reason: no '=', a field the
 * part does not have (with the closest names), a value the field does not take (with
 * the values it takes). */
int fusefield_parse(const struct part *p, const char *arg, struct fusefield_set *out,
                    struct ispf_error *err);

/* byte with the assignment applied. */
static inline uint8_t fusefield_apply(const struct fusefield_set *s, uint8_t byte)
{
    return (uint8_t)((byte & (uint8_t)~s->mask) | s->bits);
}

/* The values field f of byte mem takes, for --fuse ? and messages: "on, off" or
 * "256W (512B), 512W (1024B), ..." or "0x0 ... 0x7: 0x0 = caption, ...", joined by sep.
 * Returns the length (truncated to fit len). */
size_t fusefield_values(const struct part *p, enum mem_id mem, const struct fuse_field *f,
                        const char *sep, char *buf, size_t len);

#endif
