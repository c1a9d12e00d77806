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
