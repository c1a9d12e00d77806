// SPDX-License-Identifier: GPL-2.0-or-later
/* Bootloader fingerprints (include/ispflash/fingerprint.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "core/fingerprint_db.h"
#include "ispflash/fingerprint.h"

size_t fp_count(void)
{
    return fp_db_count;
}

const struct fp_entry *fp_at(size_t i)
{
    return i < fp_db_count ? &fp_db[i] : NULL;
}

bool fp_for_part(const struct fp_entry *f, const struct part *p)
{
    size_t wl = strlen(p->id);
    for (const char *s = f->parts; *s;) {
        while (*s == ' ')
            s++;
        size_t l = strcspn(s, " ");
        if (l == wl && l && strncmp(s, p->id, l) == 0)
            return true;
        s += l;
    }
    return false;
}

bool fp_code_range(const uint8_t *buf, uint32_t from, uint32_t to, uint32_t *lo, uint32_t *hi)
{
    uint32_t i = 0, n = to > from ? to - from : 0;
    while (i < n && buf[i] == 0xFF)
        i++;
    if (i == n)
        return false;
    uint32_t j = n;
    while (buf[j - 1] == 0xFF)
        j--;
    *lo = from + i;
    *hi = from + j - 1;
    return true;
}

const struct fp_entry *fp_match(const uint8_t *top, uint32_t base, uint32_t flash_size,
                                const struct part *p)
{
    for (size_t i = 0; i < fp_db_count; i++) {
        const struct fp_entry *f = &fp_db[i];
        if (f->flash_size != flash_size || f->start < base || (p && !fp_for_part(f, p)))
            continue;
        const uint8_t *b = top + (f->start - base);
        uint32_t lo, hi;
        if (!fp_code_range(b, f->start, flash_size, &lo, &hi) || lo != f->start ||
            hi - lo + 1 != f->length)
            continue;
        uint8_t h[ISPF_SHA256_LEN];
        ispf_sha256(b, f->length, h);
        if (memcmp(h, f->sha256, sizeof h) == 0)
            return f;
    }
    return NULL;
}

/* fp_match over the image's top [base, flash_size). */
static const struct fp_entry *fp_match_size(const struct image *img, uint32_t flash_size,
                                            const struct part *p)
{
    uint32_t base = flash_size;
    for (size_t i = 0; i < fp_db_count; i++)
        if (fp_db[i].flash_size == flash_size && fp_db[i].start < base)
            base = fp_db[i].start;
    if (base == flash_size || img->end > flash_size)
        return NULL;
    uint8_t *top = malloc(flash_size - base);
    if (!top)
        return NULL;
    for (uint32_t a = base; a < flash_size; a++)
        top[a - base] = image_get(img, a, 0xFF);
    const struct fp_entry *f = fp_match(top, base, flash_size, p);
    free(top);
    return f;
}

const struct fp_entry *fp_match_image(const struct image *img, const struct part *p)
{
    if (p)
        return fp_match_size(img, p->flash_size, p);
    for (size_t i = 0; i < fp_db_count; i++) {
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen = seen || fp_db[j].flash_size == fp_db[i].flash_size;
        const struct fp_entry *f = seen ? NULL : fp_match_size(img, fp_db[i].flash_size, NULL);
        if (f)
            return f;
    }
    return NULL;
}

size_t fp_describe(const struct fp_entry *f, char *buf, size_t len)
{
    int n =
        snprintf(buf, len, "%s%s%s for %s", f->name, *f->version ? " " : "", f->version, f->mcu);
    if (n < 0)
        return 0;
    return (size_t)n < len ? (size_t)n : (len ? len - 1 : 0);
}
