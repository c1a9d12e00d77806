/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pieces shared by the text record readers (Intel HEX in ihex.c, Motorola
 * S-record in fileformat.c): hex digits, splitting the text into lines, and
 * storing a record's data so that a conflict names the line that wrote the
 * address first. Internal to src/core.
 */
#ifndef ISPFLASH_CORE_RECORDS_H
#define ISPFLASH_CORE_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"
#include "ispflash/image.h"

/* Value of one hex digit, -1 if c is not one. */
static inline int rec_hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static inline bool rec_is_hex(unsigned char c)
{
    return rec_hexval(c) >= 0;
}

/* Value of the two hex digits at p (both must be hex digits). */
static inline unsigned rec_hex_byte(const char *p)
{
    return (unsigned)(rec_hexval((unsigned char)p[0]) << 4 | rec_hexval((unsigned char)p[1]));
}

/* The line of text[0..len) that starts at *pos: returns its start and sets *ll
 * to its length without the '\n' and without trailing CR, spaces and tabs;
 * moves *pos past the line. Call while *pos < len. */
const char *rec_next_line(const char *text, size_t len, size_t *pos, size_t *ll);

/* Which line wrote which address range. */
struct rec_range {
    uint32_t start, len;
    unsigned line;
};

struct rec_ranges {
    struct rec_range *v;
    size_t n, cap;
    const char *what; /* the format, for the out-of-memory message */
};

int rec_ranges_add(struct rec_ranges *r, uint32_t start, uint32_t len, unsigned line,
                   struct ispf_error *err);
/* Line of the first record that wrote addr (0 if none). */
unsigned rec_ranges_first_line(const struct rec_ranges *r, uint32_t addr);
void rec_ranges_free(struct rec_ranges *r);

/* Stores the n (> 0) data bytes of the record at fn:ln at address start: refuses
 * addresses beyond IMAGE_MAX_SIZE and bytes that differ from what an earlier
 * record gave for the same address (naming that record's line). */
int rec_store(struct image *img, struct rec_ranges *r, uint64_t start, const uint8_t *data,
              unsigned n, const char *fn, unsigned ln, struct ispf_error *err);

#endif
