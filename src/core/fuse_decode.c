// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuse field decoding (see include/ispflash/fuse.h): field values and their datasheet
 * meanings, the clock source and the boot section a fuse byte selects, and what a lock
 * byte does. Everything is derived from the part database (Microchip ATDF data);
 * nothing here is specific to one part.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/fuse_internal.h"

/* ------------------------------------------------------------- buffers -- */

void fuse_buf_init(struct fuse_buf *b, char *buf, size_t len)
{
    b->buf = buf;
    b->len = buf ? len : 0;
    b->pos = 0;
    if (b->len)
        buf[0] = '\0';
}

void fuse_buf_add(struct fuse_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (b->pos < b->len) {
        int n = vsnprintf(b->buf + b->pos, b->len - b->pos, fmt, ap);
        if (n > 0)
            b->pos += (size_t)n < b->len - b->pos ? (size_t)n : b->len - b->pos - 1;
    }
    va_end(ap);
}

/* Copy a datasheet caption without runs of blanks and without the "; [BODLEVEL=111]"
 * and "; default value" remarks. */
void fuse_clean_caption(const char *cap, char *out, size_t len)
{
    size_t o = 0;
    bool blank = false;
    for (const char *c = cap; *c && o + 1 < len; c++) {
        if (c[0] == ';' && (strncmp(c, "; [", 3) == 0 || strncmp(c, "; default value", 15) == 0))
            break;
        if (isspace((unsigned char)*c)) {
            blank = true;
            continue;
        }
        if (blank && o > 0 && o + 2 < len)
            out[o++] = ' ';
        blank = false;
        out[o++] = *c;
    }
    out[o] = '\0';
}

/* -------------------------------------------------------------- fields -- */

static unsigned fuse_shift(uint8_t mask)
{
    unsigned s = 0;
    while (mask && !(mask & 1u)) {
        mask >>= 1;
        s++;
    }
    return s;
}

uint8_t fuse_field_get(const struct fuse_field *f, uint8_t byte)
{
    return (uint8_t)((byte & f->mask) >> fuse_shift(f->mask));
}

uint8_t fuse_field_put(const struct fuse_field *f, uint8_t byte, uint8_t value)
{
    return (uint8_t)((byte & (uint8_t)~f->mask) |
                     ((uint8_t)(value << fuse_shift(f->mask)) & f->mask));
}

bool fuse_field_is_flag(const struct fuse_field *f)
{
    return f->n_values == 0 && f->mask && (f->mask & (f->mask - 1)) == 0;
}

bool fuse_flag_programmed(const struct fuse_field *f, uint8_t byte)
{
    return (byte & f->mask) == 0;
}

const struct fuse_value *fuse_field_lookup(const struct fuse_field *f, uint8_t value)
{
    for (size_t i = 0; i < f->n_values; i++)
        if (f->values[i].value == value)
            return &f->values[i];
    return NULL;
}

/* A field of the part looked up by name, only if it lives in byte mem. */
const struct fuse_field *fuse_field_in(const struct part *p, const char *name, enum mem_id mem)
{
    enum mem_id m;
    const struct fuse_field *f = part_fuse_field(p, name, &m);
    return f && m == mem ? f : NULL;
}

bool fuse_is(const struct fuse_field *f, const char *name)
{
    return strcasecmp(f->name, name) == 0;
}

size_t fuse_field_text(const struct part *p, enum mem_id mem, const struct fuse_field *f,
                       uint8_t byte, char *buf, size_t len)
{
    struct fuse_buf b;
    fuse_buf_init(&b, buf, len);
    uint8_t v = fuse_field_get(f, byte);
    struct boot_section bs;
    if (fuse_is(f, "BOOTSZ") && fuse_boot_section(p, v, &bs)) {
        fuse_buf_add(&b, "%u words (boot section 0x%04X-0x%04X)", (unsigned)(bs.size / 2),
                     (unsigned)bs.start, (unsigned)(bs.start + bs.size - 1));
        return b.pos;
    }
    if (fuse_is(f, "BOOTRST") && fuse_field_is_flag(f)) {
        if (!fuse_flag_programmed(f, byte)) {
            fuse_buf_add(&b, "start application at 0x0000");
            return b.pos;
        }
        const struct fuse_field *sz = fuse_field_in(p, "BOOTSZ", mem);
        if (sz && fuse_boot_section(p, fuse_field_get(sz, byte), &bs))
            fuse_buf_add(&b, "jump to bootloader at 0x%04X", (unsigned)bs.start);
        else
            fuse_buf_add(&b, "jump to bootloader");
        return b.pos;
    }
    if (fuse_field_is_flag(f)) {
        fuse_buf_add(&b, "%s", fuse_flag_programmed(f, byte) ? "on" : "off");
        return b.pos;
    }
    if (f->n_values) {
        const struct fuse_value *fv = fuse_field_lookup(f, v);
        if (fv) {
            char cap[160];
            fuse_clean_caption(fv->caption, cap, sizeof cap);
            fuse_buf_add(&b, "%s", cap);
        } else {
            fuse_buf_add(&b, "reserved value 0x%02X", v);
        }
        return b.pos;
    }
    fuse_buf_add(&b, "0x%02X", v);
    return b.pos;
}

size_t fuse_decode(const struct part *p, enum mem_id mem, uint8_t byte, const char *sep, char *buf,
                   size_t len)
{
    struct fuse_buf b;
    fuse_buf_init(&b, buf, len);
    const struct fuse_byte *fb = part_fuse(p, mem);
    if (!fb || !fb->present)
        return 0;
    for (size_t i = 0; i < fb->n_fields; i++) {
        const struct fuse_field *f = &fb->fields[i];
        char text[200];
        fuse_field_text(p, mem, f, byte, text, sizeof text);
        fuse_buf_add(&b, "%s%s=%s", i ? sep : "", f->name, text);
    }
    return b.pos;
}

int fuse_diff(const struct part *p, enum mem_id mem, uint8_t old, uint8_t new_val,
              const char *indent, char *buf, size_t len)
{
    struct fuse_buf b;
    fuse_buf_init(&b, buf, len);
    const struct fuse_byte *fb = part_fuse(p, mem);
    if (!fb || !fb->present)
        return 0;
    int changed = 0;
    for (size_t i = 0; i < fb->n_fields; i++) {
        const struct fuse_field *f = &fb->fields[i];
        uint8_t m = f->mask & fb->used;
        if ((old & m) == (new_val & m))
            continue;
        char a[200], c[200];
        fuse_field_text(p, mem, f, old, a, sizeof a);
        fuse_field_text(p, mem, f, new_val, c, sizeof c);
        fuse_buf_add(&b, "%s%s%s: %s -> %s", changed ? "\n" : "", indent ? indent : "", f->name, a,
                     c);
        changed++;
    }
    return changed;
}

/* --------------------------------------------------------------- clock -- */

const struct fuse_field *fuse_clock_field(const struct part *p, enum mem_id *mem)
{
    const struct fuse_field *f = part_fuse_field(p, "SUT_CKSEL", mem);
    if (!f)
        f = part_fuse_field(p, "CKSEL", mem);
    return f;
}

enum fuse_clock fuse_clock_classify(const char *cap)
{
    if (!cap)
        return FUSE_CLOCK_UNKNOWN;
    if (strstr(cap, "Ext."))
        return FUSE_CLOCK_EXTERNAL;
    if (strstr(cap, "Int.") || strstr(cap, "WD. Osc") || strstr(cap, "PLL"))
        return FUSE_CLOCK_INTERNAL;
    if (strstr(cap, "Crystal") || strstr(cap, "Resonator") || strstr(cap, "Ceramic") ||
        strstr(cap, "Full Swing") || strstr(cap, "Full-swing"))
        return FUSE_CLOCK_EXTERNAL;
    return FUSE_CLOCK_UNKNOWN;
}

const char *fuse_clock_kind(const char *cap)
{
    if (fuse_clock_classify(cap) != FUSE_CLOCK_EXTERNAL)
        return NULL;
    if (strstr(cap, "Ext. Clock"))
        return "clock";
    if (strstr(cap, "Ext. RC"))
        return "rc";
    return "crystal";
}

enum fuse_clock fuse_clock_source(const struct part *p, uint8_t byte, const char **caption)
{
    enum mem_id mem;
    const struct fuse_field *f = fuse_clock_field(p, &mem);
    if (caption)
        *caption = NULL;
    if (!f)
        return FUSE_CLOCK_UNKNOWN;
    const struct fuse_value *fv = fuse_field_lookup(f, fuse_field_get(f, byte));
    if (!fv)
        return FUSE_CLOCK_UNKNOWN;
    if (caption)
        *caption = fv->caption;
    return fuse_clock_classify(fv->caption);
}

/* ---------------------------------------------------------------- boot -- */

bool fuse_boot_section(const struct part *p, uint8_t bootsz, struct boot_section *out)
{
    /* BOOTSZ counts down: the highest value selects the smallest section, 0 the
     * largest (every ATmega datasheet); boot_sections[] is smallest first. */
    unsigned n = p->n_boot_sections;
    if (n == 0 || bootsz >= n)
        return false;
    *out = p->boot_sections[n - 1 - bootsz];
    return true;
}

bool fuse_bootsz_for_start(const struct part *p, uint32_t start, uint8_t *bootsz)
{
    for (unsigned v = 0; v < p->n_boot_sections; v++) {
        struct boot_section bs;
        if (fuse_boot_section(p, (uint8_t)v, &bs) && bs.start == start) {
            *bootsz = (uint8_t)v;
            return true;
        }
    }
    return false;
}

void fuse_boot_config(const struct part *p, const uint8_t v[FUSE_NBYTES], struct fuse_boot *out)
{
    memset(out, 0, sizeof *out);
    enum mem_id mem, rmem, hmem;
    const struct fuse_field *sz = part_fuse_field(p, "BOOTSZ", &mem);
    const struct fuse_field *rst = part_fuse_field(p, "BOOTRST", &rmem);
    const struct fuse_field *hwbe = part_fuse_field(p, "HWBE", &hmem);
    if (hwbe) {
        out->has_hwbe = true;
        out->hwbe = fuse_flag_programmed(hwbe, v[fuse_index(hmem)]);
    }
    struct boot_section bs;
    if (!sz || !fuse_boot_section(p, fuse_field_get(sz, v[fuse_index(mem)]), &bs))
        return;
    out->has_boot = true;
    out->mem = mem;
    out->bootsz = fuse_field_get(sz, v[fuse_index(mem)]);
    out->start = bs.start;
    out->size = bs.size;
    out->bootrst = rst && fuse_flag_programmed(rst, v[fuse_index(rmem)]);
}

/* ---------------------------------------------------------------- lock -- */

size_t fuse_lock_effects(const struct part *p, uint8_t lock, char *buf, size_t len)
{
    struct fuse_buf b;
    fuse_buf_init(&b, buf, len);
    const struct fuse_field *lb = fuse_field_in(p, "LB", MEM_LOCK);
    const struct fuse_field *blb0 = fuse_field_in(p, "BLB0", MEM_LOCK);
    const struct fuse_field *blb1 = fuse_field_in(p, "BLB1", MEM_LOCK);
    const char *sep = "";
    if (lb) {
        uint8_t m = fuse_field_get(lb, lock);
        if (m == 2) {
            fuse_buf_add(&b, "flash, EEPROM and fuses can no longer be programmed over ISP "
                             "until a chip erase (reading still works)");
            sep = "; ";
        } else if (m != 3) {
            fuse_buf_add(&b, "flash and EEPROM can no longer be read or programmed over ISP, "
                             "nor fuses changed, until a chip erase (nothing written can be "
                             "verified or backed up)");
            sep = "; ";
        }
    }
    if (blb0) {
        uint8_t m = fuse_field_get(blb0, lock);
        if (m == 0 || m == 2) {
            fuse_buf_add(&b,
                         "%sa bootloader can no longer write the application section, so "
                         "the board cannot be updated over USB",
                         sep);
            sep = "; ";
        }
        if (m == 0 || m == 1) {
            fuse_buf_add(&b,
                         "%sa bootloader can no longer read the application section (its "
                         "verify fails)",
                         sep);
            sep = "; ";
        }
    }
    if (blb1) {
        uint8_t m = fuse_field_get(blb1, lock);
        if (m == 0 || m == 2) {
            fuse_buf_add(&b,
                         "%sthe bootloader is protected from being overwritten by itself "
                         "or the application",
                         sep);
            sep = "; ";
        }
        if (m == 0 || m == 1)
            fuse_buf_add(&b, "%sthe application can no longer read the bootloader section", sep);
    }
    if (b.pos == 0)
        fuse_buf_add(&b, "no lock");
    return b.pos;
}
