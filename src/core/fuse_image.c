// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The image <-> fuse check (see include/ispflash/fuse.h): what a flash image holds
 * (application, bootloader, both) and whether the boot-section fuses fit it.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/fuse_internal.h"

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

/* One image <-> fuse check: the image, the fuses in effect, what is said about them. */
struct fuse_imgchk {
    const struct part *p;
    const char *source;
    const uint8_t *v; /* fuses in effect, FUSE_NBYTES */
    struct fuse_boot cfg;
    struct fuse_image_info info;
    const char *mn; /* the byte holding BOOTSZ */
    uint8_t cur;    /* its value */
    uint32_t flash_end;
    struct fuse_buf w, nb;
};

/* A bootloader at b in a section other than the one BOOTSZ selects. */
static void fuse_imgchk_wrong_size(struct fuse_imgchk *c, uint32_t b, uint32_t want)
{
    uint8_t bz = 0;
    fuse_bootsz_for_start(c->p, want, &bz);
    struct boot_section bs = {0, 0};
    fuse_boot_section(c->p, bz, &bs);
    fuse_buf_add(&c->w,
                 ", in a %u-word boot section (0x%04X-0x%04X), but %s 0x%02X "
                 "selects BOOTSZ=%u words (boot section 0x%04X-0x%04X)",
                 (unsigned)(bs.size / 2), (unsigned)bs.start, (unsigned)c->flash_end, c->mn, c->cur,
                 (unsigned)(c->cfg.size / 2), (unsigned)c->cfg.start, (unsigned)c->flash_end);
    if (c->cfg.bootrst)
        fuse_buf_add(&c->w, ": at reset the chip would jump to 0x%04X, %s", (unsigned)c->cfg.start,
                     c->cfg.start > b ? "into the middle of the bootloader"
                                      : "below the bootloader");
    if (c->cfg.start > b)
        fuse_buf_add(&c->w, ", and the bootloader could not program its own first part");
}

/* A bootloader (or the bootloader part of a combined image): the section and reset
 * must fit it. */
static int fuse_imgchk_bootloader(struct fuse_imgchk *c)
{
    const struct part *p = c->p;
    uint32_t b = c->info.boot_start;
    /* The section that holds it: the highest boot-section start at or below b. */
    uint32_t want = UINT32_MAX;
    for (unsigned k = 0; k < p->n_boot_sections; k++)
        if (p->boot_sections[k].start <= b &&
            (want == UINT32_MAX || p->boot_sections[k].start > want))
            want = p->boot_sections[k].start;
    bool wrong_size = want != UINT32_MAX && want != c->cfg.start;
    bool unreached = !c->cfg.bootrst && !(c->cfg.has_hwbe && c->cfg.hwbe);
    const char *what = c->info.kind == FUSE_IMAGE_COMBINED
                           ? "the bootloader part of this combined image"
                           : "the bootloader";
    if (wrong_size || unreached) {
        char fit[500];
        fuse_fitting(p, c->v, wrong_size ? want : UINT32_MAX, unreached, false, fit, sizeof fit);
        fuse_buf_add(&c->w, "%s: %s starts at 0x%04X", c->source, what, (unsigned)b);
        if (wrong_size)
            fuse_imgchk_wrong_size(c, b, want);
        if (unreached)
            fuse_buf_add(&c->w,
                         "%s BOOTRST is not programmed, so reset starts the "
                         "application at 0x0000 and never the bootloader",
                         wrong_size ? "; and" : ", but");
        fuse_buf_add(&c->w, ". Would fit: %s.", fit);
    } else if (!c->cfg.bootrst) {
        fuse_buf_add(&c->nb,
                     "%s: reset starts the application at 0x0000 (BOOTRST not "
                     "programmed); the bootloader at 0x%04X runs when HWB is held "
                     "low during reset (HWBE), when the application jumps to it, or "
                     "when the application area is empty.",
                     c->source, (unsigned)b);
    }
    return ISPF_OK;
}

/* An application that reaches into the boot section BOOTRST jumps to: refused. */
static int fuse_imgchk_too_big(struct fuse_imgchk *c, struct ispf_error *err)
{
    const struct part *p = c->p;
    char fit[500];
    fuse_fitting(p, c->v, UINT32_MAX, false, true, fit, sizeof fit);
    char smaller[400] = "";
    /* The largest boot section that still leaves room for the application. */
    for (unsigned k = p->n_boot_sections; k-- > 0;) {
        if (p->boot_sections[k].start > c->info.hi) {
            char t[200];
            fuse_fitting(p, c->v, p->boot_sections[k].start, false, false, t, sizeof t);
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
                     c->source, (unsigned)c->info.lo, (unsigned)c->info.hi, (unsigned)c->cfg.start,
                     (unsigned)c->flash_end, c->mn, c->cur, (unsigned)(c->cfg.size / 2),
                     (unsigned)c->cfg.start, fit, smaller);
}

/* An application image. */
static int fuse_imgchk_application(struct fuse_imgchk *c, struct ispf_error *err)
{
    if (c->info.hi >= c->cfg.start) {
        if (c->cfg.bootrst)
            return fuse_imgchk_too_big(c, err);
        fuse_buf_add(&c->nb,
                     "%s: the application (0x%04X-0x%04X) reaches into the boot "
                     "section 0x%04X-0x%04X; fine without a bootloader (BOOTRST is "
                     "not programmed).",
                     c->source, (unsigned)c->info.lo, (unsigned)c->info.hi, (unsigned)c->cfg.start,
                     (unsigned)c->flash_end);
        return ISPF_OK;
    }
    if (c->cfg.bootrst)
        fuse_buf_add(&c->nb,
                     "%s holds no bootloader, and BOOTRST jumps to 0x%04X: when the chip "
                     "is erased first (the default when writing flash), no USB bootloader "
                     "is left there. To keep one, flash a production image (application "
                     "+ bootloader in one file).",
                     c->source, (unsigned)c->cfg.start);
    return ISPF_OK;
}

int fuse_image_check(const struct part *p, const struct image *img, const char *source,
                     const uint8_t v[FUSE_NBYTES], char *warn, size_t wlen, char *notes,
                     size_t nlen, struct ispf_error *err)
{
    struct fuse_imgchk c = {.p = p, .source = source, .v = v};
    fuse_buf_init(&c.w, warn, wlen);
    fuse_buf_init(&c.nb, notes, nlen);
    fuse_boot_config(p, v, &c.cfg);
    if (!c.cfg.has_boot)
        return ISPF_OK;
    fuse_image_classify(p, img, c.cfg.start, &c.info);
    c.mn = mem_name(c.cfg.mem);
    c.cur = v[fuse_index(c.cfg.mem)];
    c.flash_end = p->flash_size - 1;
    if (c.info.kind == FUSE_IMAGE_BOOTLOADER || c.info.kind == FUSE_IMAGE_COMBINED)
        return fuse_imgchk_bootloader(&c);
    if (c.info.kind == FUSE_IMAGE_APPLICATION)
        return fuse_imgchk_application(&c, err);
    return ISPF_OK;
}
