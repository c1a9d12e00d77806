// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuse decoding, brick guards, write order and the image <-> fuse consistency check
 * (see include/ispflash/fuse.h). Everything is derived from the part database: the
 * field names, masks and value captions of each fuse byte (Microchip ATDF data) and
 * the boot sections; nothing here is specific to one part.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ispflash/fuse.h"

/* ------------------------------------------------------------- buffers -- */

struct fuse_buf {
    char *buf;
    size_t len, pos;
};

static void fuse_buf_init(struct fuse_buf *b, char *buf, size_t len)
{
    b->buf = buf;
    b->len = buf ? len : 0;
    b->pos = 0;
    if (b->len)
        buf[0] = '\0';
}

static void fuse_buf_add(struct fuse_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fuse_buf_add(struct fuse_buf *b, const char *fmt, ...)
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
static void fuse_clean_caption(const char *cap, char *out, size_t len)
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
static const struct fuse_field *fuse_field_in(const struct part *p, const char *name,
                                              enum mem_id mem)
{
    enum mem_id m;
    const struct fuse_field *f = part_fuse_field(p, name, &m);
    return f && m == mem ? f : NULL;
}

static bool fuse_is(const struct fuse_field *f, const char *name)
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

/* ------------------------------------------------------ guards, order -- */

void fuse_plan_result(const struct fuse_plan *plan, uint8_t out[FUSE_NBYTES])
{
    for (int i = 0; i < FUSE_NBYTES; i++) {
        const struct fuse_byte *fb = &plan->part->fuse[i];
        uint8_t v = plan->write[i] ? plan->next[i] : plan->cur[i];
        uint8_t used = fb->present ? fb->used : 0;
        out[i] = (uint8_t)((v & used) | (uint8_t)~used);
    }
}

/* A one-bit flag that goes from unprogrammed to programmed (to_programmed) or back. */
static bool fuse_flag_turns(const struct part *p, int i, const char *name, uint8_t old,
                            uint8_t new_val, bool to_programmed)
{
    const struct fuse_field *f = fuse_field_in(p, name, fuse_mem(i));
    if (!f || !fuse_field_is_flag(f))
        return false;
    bool was = fuse_flag_programmed(f, old), will = fuse_flag_programmed(f, new_val);
    return to_programmed ? (!was && will) : (was && !will);
}

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

/* Reasons are collected as numbered sentences. */
struct fuse_reasons {
    struct fuse_buf b;
    int n;
};

static void fuse_reason(struct fuse_reasons *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fuse_reason(struct fuse_reasons *r, const char *fmt, ...)
{
    char tmp[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    fuse_buf_add(&r->b, "%s%s", r->n ? "\n" : "", tmp);
    r->n++;
}

int fuse_plan_check(const struct fuse_plan *plan, bool unsafe, char *warn, size_t wlen,
                    struct ispf_error *err)
{
    const struct part *p = plan->part;
    char refused_text[ISPF_ERRMSG_MAX];
    struct fuse_reasons refuse, notes;
    fuse_buf_init(&refuse.b, refused_text, sizeof refused_text);
    refuse.n = 0;
    char notes_text[ISPF_ERRMSG_MAX];
    fuse_buf_init(&notes.b, notes_text, sizeof notes_text);
    notes.n = 0;
    enum mem_id clk_mem = MEM_LFUSE;
    const struct fuse_field *clk = fuse_clock_field(p, &clk_mem);

    for (int i = 0; i < FUSE_NBYTES; i++) {
        const struct fuse_byte *fb = &p->fuse[i];
        if (!plan->write[i] || !fb->present)
            continue;
        const char *mn = mem_name(fuse_mem(i));
        uint8_t used = fb->used;
        uint8_t old = (uint8_t)(plan->cur[i] | (uint8_t)~used);
        uint8_t nv = (uint8_t)(plan->next[i] | (uint8_t)~used);
        if (old == nv)
            continue;
        if (fuse_flag_turns(p, i, "SPIEN", old, nv, false))
            fuse_reason(&refuse,
                        "%s 0x%02X -> 0x%02X unprograms SPIEN (serial programming enable): "
                        "after the next reset the %s no longer answers ISP, so no ISP "
                        "programmer (ispflash, avrdude) can reach it again; only a "
                        "high-voltage programmer can undo this.",
                        mn, plan->cur[i], plan->next[i], p->name);
        if (fuse_flag_turns(p, i, "RSTDISBL", old, nv, true))
            fuse_reason(&refuse,
                        "%s 0x%02X -> 0x%02X programs RSTDISBL: the RESET pin becomes an I/O "
                        "pin, and ISP needs RESET, so after the next reset no ISP programmer "
                        "can reach the %s; only a high-voltage programmer can undo this.",
                        mn, plan->cur[i], plan->next[i], p->name);
        if (fuse_flag_turns(p, i, "DWEN", old, nv, true))
            fuse_reason(&refuse,
                        "%s 0x%02X -> 0x%02X programs DWEN: debugWIRE takes over the RESET "
                        "pin, and ISP stops working after the next power cycle until a "
                        "debugWIRE debugger (e.g. Atmel-ICE) turns it off again.",
                        mn, plan->cur[i], plan->next[i]);
        if (clk && fuse_mem(i) == clk_mem) {
            const char *ocap, *ncap;
            enum fuse_clock os = fuse_clock_source(p, old, &ocap);
            enum fuse_clock ns = fuse_clock_source(p, nv, &ncap);
            char oc[160] = "?", nc[160] = "?";
            if (ocap)
                fuse_clean_caption(ocap, oc, sizeof oc);
            if (ncap)
                fuse_clean_caption(ncap, nc, sizeof nc);
            oc[strcspn(oc, ";")] = '\0'; /* the source, without the start-up time */
            nc[strcspn(nc, ";")] = '\0';
            if (fuse_field_get(clk, old) != fuse_field_get(clk, nv)) {
                if (!ncap)
                    fuse_reason(&refuse,
                                "%s 0x%02X -> 0x%02X sets %s=0x%02X, a value the %s datasheet "
                                "marks reserved: what the clock does then is undefined, and if "
                                "it does not start, ISP cannot reach the chip.",
                                mn, plan->cur[i], plan->next[i], clk->name, fuse_field_get(clk, nv),
                                p->name);
                else if (os == FUSE_CLOCK_INTERNAL && ns == FUSE_CLOCK_EXTERNAL)
                    fuse_reason(plan->crystal_confirmed ? &notes : &refuse,
                                "%s 0x%02X -> 0x%02X switches the clock from the internal "
                                "oscillator (%s) to an external source (%s): unless that "
                                "crystal or clock is fitted and working, the chip stops after "
                                "the next reset and ISP cannot reach it (recovery needs a clock "
                                "fed into XTAL1). If the board has it (Pro Micro, Elite-C and "
                                "most keyboard controllers have a crystal), this is what you "
                                "want.",
                                mn, plan->cur[i], plan->next[i], oc, nc);
                else if (os == FUSE_CLOCK_EXTERNAL && ns == FUSE_CLOCK_EXTERNAL &&
                         strcmp(fuse_clock_kind(ocap), fuse_clock_kind(ncap)) != 0)
                    fuse_reason(&notes,
                                "%s 0x%02X -> 0x%02X changes the clock source from %s to %s: "
                                "the board must provide that kind of source (%s), or the chip "
                                "will not run and ISP will not answer.",
                                mn, plan->cur[i], plan->next[i], oc, nc,
                                strcmp(fuse_clock_kind(ncap), "clock") == 0
                                    ? "a clock signal on XTAL1; a crystal alone does not "
                                      "drive it"
                                    : fuse_clock_kind(ncap));
            }
        }
        for (size_t k = 0; k < fb->n_fields; k++) {
            const struct fuse_field *f = &fb->fields[k];
            if (f == clk || !f->n_values)
                continue;
            uint8_t v = fuse_field_get(f, nv);
            if (v != fuse_field_get(f, old) && !fuse_field_lookup(f, v))
                fuse_reason(&notes,
                            "%s 0x%02X sets %s=0x%X, which the %s datasheet marks "
                            "reserved.",
                            mn, plan->next[i], f->name, v, p->name);
        }
        if (fuse_mem(i) == MEM_LOCK && plan->writes_flash) {
            const struct fuse_field *lb = fuse_field_in(p, "LB", MEM_LOCK);
            const struct fuse_field *blb0 = fuse_field_in(p, "BLB0", MEM_LOCK);
            bool unreadable = lb && fuse_field_get(lb, nv) < 2;
            bool blocks_boot = blb0 && fuse_field_get(blb0, nv) != 3;
            if (unreadable || blocks_boot) {
                char eff[600];
                fuse_lock_effects(p, nv, eff, sizeof eff);
                fuse_reason(&refuse,
                            "lock 0x%02X together with a flash write: %s. Program and test "
                            "the flash first, then set the lock bits in a separate run.",
                            plan->next[i], eff);
            }
        }
    }
    struct fuse_buf w;
    fuse_buf_init(&w, warn, wlen);
    if (refuse.n && unsafe)
        fuse_buf_add(&w, "--unsafe-fuses: writing anyway what would otherwise be refused:\n%s",
                     refused_text);
    if (notes.n)
        fuse_buf_add(&w, "%s%s", w.pos ? "\n" : "", notes_text);
    if (refuse.n && !unsafe)
        return ispf_fail(err, ISPF_E_REFUSED,
                         "refused by the fuse safety checks%s:\n%s\n"
                         "Nothing was written. If this is really what you want, add "
                         "--unsafe-fuses.",
                         refuse.n > 1 ? " (several reasons)" : "", refused_text);
    return ISPF_OK;
}

size_t fuse_write_order(const struct part *p, const bool write[FUSE_NBYTES],
                        enum mem_id order[FUSE_NBYTES])
{
    enum mem_id clk_mem = MEM_LOCK;
    bool has_clk = fuse_clock_field(p, &clk_mem) != NULL;
    size_t n = 0;
    for (int i = 0; i < FUSE_NBYTES - 1; i++)
        if (write[i] && !(has_clk && fuse_mem(i) == clk_mem))
            order[n++] = fuse_mem(i);
    if (has_clk && clk_mem != MEM_LOCK && write[fuse_index(clk_mem)])
        order[n++] = clk_mem;
    if (write[fuse_index(MEM_LOCK)])
        order[n++] = MEM_LOCK;
    return n;
}

/* ------------------------------------------------------ image <-> fuses -- */

static bool fuse_img_ff(const struct image *img, uint32_t a)
{
    return image_get(img, a, 0xFF) == 0xFF;
}

/* A jmp (1001 010k kkkk 110k) or rjmp (1100 kkkk kkkk kkkk) at a: the first word of
 * a vector table. */
static bool fuse_img_vector(const struct image *img, uint32_t a)
{
    uint8_t lo = image_get(img, a, 0xFF), hi = image_get(img, a + 1, 0xFF);
    return (hi & 0xF0) == 0xC0 || ((hi & 0xFE) == 0x94 && (lo & 0x0E) == 0x0C);
}

#define FUSE_SPLIT_GAP 8u /* bytes of 0xFF/holes that separate the parts of a combined image */

void fuse_image_classify(const struct part *p, const struct image *img, uint32_t boot_start_sel,
                         struct fuse_image_info *out)
{
    memset(out, 0, sizeof *out);
    bool any = false;
    for (uint32_t a = 0; a < img->end; a++) {
        if (!image_has(img, a) || img->data[a] == 0xFF)
            continue;
        if (!any)
            out->lo = a;
        out->hi = a;
        any = true;
    }
    if (!any) {
        out->kind = FUSE_IMAGE_EMPTY;
        return;
    }
    unsigned n = p->n_boot_sections;
    if (n == 0) {
        out->kind = FUSE_IMAGE_APPLICATION;
        return;
    }
    uint32_t lowest = p->boot_sections[n - 1].start; /* the largest section */
    if (out->lo >= lowest) {
        out->kind = FUSE_IMAGE_BOOTLOADER;
        out->boot_start = out->lo;
        return;
    }
    if (out->hi < lowest) {
        out->kind = FUSE_IMAGE_APPLICATION;
        return;
    }
    /* Reaches into the boot area: a combined image if a bootloader vector table starts
     * at a boot-section start after a gap. Lowest start first. */
    for (unsigned k = n; k-- > 0;) {
        uint32_t s = p->boot_sections[k].start;
        if (s <= out->lo || s > out->hi || fuse_img_ff(img, s) || !fuse_img_vector(img, s))
            continue;
        bool gap = true;
        for (uint32_t a = s - FUSE_SPLIT_GAP; a < s && gap; a++)
            gap = fuse_img_ff(img, a);
        if (gap) {
            out->kind = FUSE_IMAGE_COMBINED;
            out->boot_start = s;
            return;
        }
    }
    (void)boot_start_sel;
    out->kind = FUSE_IMAGE_APPLICATION;
}

/* "hfuse 0xD8" with BOOTSZ/BOOTRST changed to fit a bootloader at start. */
static void fuse_fitting(const struct part *p, const uint8_t v[FUSE_NBYTES], uint32_t start,
                         bool set_bootrst, bool clear_bootrst, char *buf, size_t len)
{
    struct fuse_buf b;
    fuse_buf_init(&b, buf, len);
    enum mem_id mem;
    const struct fuse_field *sz = part_fuse_field(p, "BOOTSZ", &mem);
    const struct fuse_field *rst = fuse_field_in(p, "BOOTRST", mem);
    uint8_t bootsz;
    if (!sz)
        return;
    uint8_t val = v[fuse_index(mem)];
    if (start != UINT32_MAX && fuse_bootsz_for_start(p, start, &bootsz))
        val = fuse_field_put(sz, val, bootsz);
    if (rst && set_bootrst)
        val = (uint8_t)(val & (uint8_t)~rst->mask);
    if (rst && clear_bootrst)
        val = (uint8_t)(val | rst->mask);
    char text[400];
    size_t t = 0;
    const struct fuse_byte *fb = part_fuse(p, mem);
    for (size_t i = 0; i < fb->n_fields; i++) {
        const struct fuse_field *f = &fb->fields[i];
        if (f != sz && f != rst)
            continue;
        char ft[160];
        fuse_field_text(p, mem, f, val, ft, sizeof ft);
        t += (size_t)snprintf(text + t, sizeof text - t, "%s%s=%s", t ? ", " : "", f->name, ft);
        if (t >= sizeof text)
            break;
    }
    fuse_buf_add(&b, "%s 0x%02X (%s)", mem_name(mem), val, text);
}

int fuse_image_check(const struct part *p, const struct image *img, const char *source,
                     const uint8_t v[FUSE_NBYTES], char *warn, size_t wlen, char *notes,
                     size_t nlen, struct ispf_error *err)
{
    struct fuse_buf w, nb;
    fuse_buf_init(&w, warn, wlen);
    fuse_buf_init(&nb, notes, nlen);
    struct fuse_boot cfg;
    fuse_boot_config(p, v, &cfg);
    if (!cfg.has_boot)
        return ISPF_OK;
    struct fuse_image_info info;
    fuse_image_classify(p, img, cfg.start, &info);
    const char *mn = mem_name(cfg.mem);
    uint8_t cur = v[fuse_index(cfg.mem)];
    uint32_t flash_end = p->flash_size - 1;
    char fit[500];

    if (info.kind == FUSE_IMAGE_BOOTLOADER || info.kind == FUSE_IMAGE_COMBINED) {
        uint32_t b = info.boot_start;
        /* The section that holds it: the highest boot-section start at or below b. */
        uint32_t want = UINT32_MAX;
        for (unsigned k = 0; k < p->n_boot_sections; k++)
            if (p->boot_sections[k].start <= b &&
                (want == UINT32_MAX || p->boot_sections[k].start > want))
                want = p->boot_sections[k].start;
        bool wrong_size = want != UINT32_MAX && want != cfg.start;
        bool unreached = !cfg.bootrst && !(cfg.has_hwbe && cfg.hwbe);
        const char *what = info.kind == FUSE_IMAGE_COMBINED
                               ? "the bootloader part of this combined image"
                               : "the bootloader";
        if (wrong_size || unreached) {
            fuse_fitting(p, v, wrong_size ? want : UINT32_MAX, unreached, false, fit, sizeof fit);
            fuse_buf_add(&w, "%s: %s starts at 0x%04X", source, what, (unsigned)b);
            if (wrong_size) {
                uint8_t bz = 0;
                fuse_bootsz_for_start(p, want, &bz);
                struct boot_section bs = {0, 0};
                fuse_boot_section(p, bz, &bs);
                fuse_buf_add(&w,
                             ", in a %u-word boot section (0x%04X-0x%04X), but %s 0x%02X "
                             "selects BOOTSZ=%u words (boot section 0x%04X-0x%04X)",
                             (unsigned)(bs.size / 2), (unsigned)bs.start, (unsigned)flash_end, mn,
                             cur, (unsigned)(cfg.size / 2), (unsigned)cfg.start,
                             (unsigned)flash_end);
                if (cfg.bootrst)
                    fuse_buf_add(&w, ": at reset the chip would jump to 0x%04X, %s",
                                 (unsigned)cfg.start,
                                 cfg.start > b ? "into the middle of the bootloader"
                                               : "below the bootloader");
                if (cfg.start > b)
                    fuse_buf_add(&w, ", and the bootloader could not program its own first "
                                     "part");
            }
            if (unreached)
                fuse_buf_add(&w,
                             "%s BOOTRST is not programmed, so reset starts the "
                             "application at 0x0000 and never the bootloader",
                             wrong_size ? "; and" : ", but");
            fuse_buf_add(&w, ". Would fit: %s.", fit);
        } else if (!cfg.bootrst) {
            fuse_buf_add(&nb,
                         "%s: reset starts the application at 0x0000 (BOOTRST not "
                         "programmed); the bootloader at 0x%04X runs when HWB is held "
                         "low during reset (HWBE), when the application jumps to it, or "
                         "when the application area is empty.",
                         source, (unsigned)b);
        }
        return ISPF_OK;
    }
    if (info.kind != FUSE_IMAGE_APPLICATION)
        return ISPF_OK;
    if (info.hi >= cfg.start) {
        if (!cfg.bootrst) {
            fuse_buf_add(&nb,
                         "%s: the application (0x%04X-0x%04X) reaches into the boot "
                         "section 0x%04X-0x%04X; fine without a bootloader (BOOTRST is "
                         "not programmed).",
                         source, (unsigned)info.lo, (unsigned)info.hi, (unsigned)cfg.start,
                         (unsigned)flash_end);
            return ISPF_OK;
        }
        fuse_fitting(p, v, UINT32_MAX, false, true, fit, sizeof fit);
        char smaller[400] = "";
        /* The largest boot section that still leaves room for the application. */
        for (unsigned k = p->n_boot_sections; k-- > 0;) {
            if (p->boot_sections[k].start > info.hi) {
                char t[200];
                fuse_fitting(p, v, p->boot_sections[k].start, false, false, t, sizeof t);
                snprintf(smaller, sizeof smaller,
                         "; %s would leave 0x0000-0x%04X for "
                         "the application",
                         t, (unsigned)(p->boot_sections[k].start - 1));
                break;
            }
        }
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s: the application (0x%04X-0x%04X) reaches into the boot section "
                         "0x%04X-0x%04X that %s 0x%02X selects (BOOTSZ=%u words), and BOOTRST "
                         "makes the chip jump to 0x%04X at reset, into the middle of the "
                         "application. The image is too big for this bootloader layout, or the "
                         "fuses are wrong: %s would run it from 0x0000 without a "
                         "bootloader%s. "
                         "Nothing was written.",
                         source, (unsigned)info.lo, (unsigned)info.hi, (unsigned)cfg.start,
                         (unsigned)flash_end, mn, cur, (unsigned)(cfg.size / 2),
                         (unsigned)cfg.start, fit, smaller);
    }
    if (cfg.bootrst)
        fuse_buf_add(&nb,
                     "%s holds no bootloader, and BOOTRST jumps to 0x%04X: when the chip "
                     "is erased first (the default when writing flash), no USB bootloader "
                     "is left there. To keep one, flash a production image (application "
                     "+ bootloader in one file).",
                     source, (unsigned)cfg.start);
    return ISPF_OK;
}
