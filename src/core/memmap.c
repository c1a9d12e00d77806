// SPDX-License-Identifier: GPL-2.0-or-later
/* The flash as an ASCII bar (include/ispflash/memmap.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ispflash/log.h"
#include "ispflash/memmap.h"

struct mm_out {
    char *buf;
    size_t len, need;
};

static void mm_put(struct mm_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->need < o->len ? o->len - o->need : 0;
    int n = vsnprintf(room ? o->buf + o->need : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->need += (size_t)n;
}

static bool mm_overlaps(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

static void mm_bar(struct mm_out *o, const struct image *img, uint32_t flash_size,
                   uint32_t boot_start, uint32_t boot_size, unsigned width)
{
    mm_put(o, "[");
    for (unsigned i = 0; i < width; i++) {
        uint32_t lo = (uint32_t)((uint64_t)i * flash_size / width);
        uint32_t hi = (uint32_t)((uint64_t)(i + 1) * flash_size / width);
        bool data = hi > lo && image_count_range(img, lo, hi - lo) > 0;
        bool boot = mm_overlaps(lo, hi - lo, boot_start, boot_size);
        mm_put(o, "%c", data ? (boot ? '@' : '#') : (boot ? 'B' : '.'));
    }
    mm_put(o, "]  0x%05X-0x%05X (%u bytes", 0u, flash_size - 1, flash_size);
    if (flash_size % width == 0)
        mm_put(o, ", %u per cell", flash_size / width);
    mm_put(o, ")\n");
    mm_put(o, "# data  . empty%s\n",
           boot_size ? "  B boot section (empty)  @ data in the boot section" : "");
}

static void mm_range(struct mm_out *o, const char *what, uint32_t start, uint32_t len,
                     const char *note)
{
    mm_put(o, "%-8s 0x%05X-0x%05X %6u bytes%s\n", what, start, start + len - 1, len, note);
}

/* Segments and the holes between them; beyond MEMMAP_MAX_LINES lines, a count. */
static void mm_segments(struct mm_out *o, const struct image *img, uint32_t flash_size)
{
    uint32_t from = 0, start, len, prev_end = 0, lines = 0, more = 0, nseg = 0;
    while (image_next_segment(img, &from, &start, &len)) {
        bool hole = nseg > 0;
        nseg++;
        if (lines + (hole ? 2 : 1) > MEMMAP_MAX_LINES) {
            more++;
            continue;
        }
        if (hole) {
            mm_range(o, "hole", prev_end, start - prev_end, "");
            lines++;
        }
        mm_range(o, "segment", start, len, start + len > flash_size ? " (beyond the flash)" : "");
        lines++;
        prev_end = start + len;
    }
    if (nseg == 0)
        mm_put(o, "(the image is empty)\n");
    if (more)
        mm_put(o, "... %u more segment(s) with the holes before them\n", more);
}

/* The bytes of the image inside the boot section. */
static void mm_overlap(struct mm_out *o, const struct image *img, uint32_t boot_start,
                       uint32_t boot_size)
{
    uint32_t n = image_count_range(img, boot_start, boot_size), lo = boot_start,
             hi = boot_start + boot_size - 1;
    if (!n) {
        mm_put(o, "overlap  none: the image leaves the boot section empty\n");
        return;
    }
    while (!image_has(img, lo))
        lo++;
    while (!image_has(img, hi))
        hi--;
    mm_put(o, "overlap  0x%05X-0x%05X %6u bytes of the image in the boot section\n", lo, hi, n);
}

size_t memmap_render(const struct image *img, uint32_t flash_size, uint32_t boot_start,
                     uint32_t boot_size, unsigned width, char *buf, size_t len)
{
    struct mm_out o = {buf, len, 0};
    if (len)
        buf[0] = '\0';
    if (width < 8)
        width = 8;
    if (width > 512)
        width = 512;
    if (flash_size == 0)
        return 0;
    if (boot_start >= flash_size)
        boot_size = 0;
    mm_bar(&o, img, flash_size, boot_start, boot_size, width);
    mm_segments(&o, img, flash_size);
    if (boot_size) {
        mm_range(&o, "boot", boot_start, boot_size, " (boot section selected by the fuses)");
        mm_overlap(&o, img, boot_start, boot_size);
    }
    return o.need;
}

void memmap_log_write(const struct part *p, const struct image *img, const uint8_t v[FUSE_NBYTES])
{
    if (!ispf_log_enabled(ISPF_LOG_DEBUG) || image_empty(img) || img->end > p->flash_size)
        return;
    struct fuse_boot b;
    fuse_boot_config(p, v, &b);
    char buf[4096];
    memmap_render(img, p->flash_size, b.start, b.has_boot ? b.size : 0, 64, buf, sizeof buf);
    ispf_log(ISPF_LOG_INFO, "map", "the flash after this run (%s):", p->name);
    for (const char *s = buf; *s;) {
        size_t l = strcspn(s, "\n");
        ispf_log(ISPF_LOG_INFO, "map", "%.*s", (int)l, s);
        s += l + (s[l] == '\n');
    }
}
