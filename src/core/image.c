// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sparse memory image: two parallel arrays (data, used) indexed by address.
 * AVR memories are at most a few hundred KiB, so a flat map is the simplest
 * representation that keeps every operation O(1) or a linear scan. Capacity
 * grows geometrically so filling an image byte by byte is amortised O(1).
 * The arrays are calloc'ed, and only the blocks of [start, end) that hold bytes
 * (the per-block counts) are ever copied, cleared or scanned, so the pages of the
 * gaps cost nothing (the C library maps large zeroed allocations lazily).
 */
#include <stdlib.h>
#include <string.h>

#include "ispflash/image.h"

#define IMAGE_MIN_CAP 4096u

void image_init(struct image *img)
{
    img->data = NULL;
    img->used = NULL;
    img->blocks = NULL;
    img->cap = 0;
    img->start = 0;
    img->end = 0;
    img->count = 0;
}

void image_free(struct image *img)
{
    free(img->data);
    free(img->used);
    free(img->blocks);
    image_init(img);
}

/* The block of address a. */
static uint32_t image_block(uint32_t a)
{
    return a >> IMAGE_BLOCK_SHIFT;
}

/* One past the last address of a's block, or limit when that is lower. */
static uint32_t image_block_end(uint32_t a, uint32_t limit)
{
    uint32_t e = (image_block(a) + 1) << IMAGE_BLOCK_SHIFT;
    return e < limit ? e : limit;
}

void image_clear(struct image *img)
{
    for (uint32_t a = img->start; img->count && a < img->end; a = image_block_end(a, img->end))
        if (img->blocks[image_block(a)])
            memset(img->used + a, 0, image_block_end(a, img->end) - a);
    if (img->blocks)
        memset(img->blocks, 0, IMAGE_BLOCKS * sizeof *img->blocks);
    img->start = 0;
    img->end = 0;
    img->count = 0;
}

/* A zeroed array of ncap bytes holding old's bytes in its non-empty blocks (old is freed). */
static uint8_t *image_regrow(uint8_t *old, const struct image *img, uint32_t ncap)
{
    uint8_t *n = calloc(ncap, 1);
    if (!n)
        return NULL;
    for (uint32_t a = img->start; img->count && a < img->end; a = image_block_end(a, img->end))
        if (img->blocks[image_block(a)])
            memcpy(n + a, old + a, image_block_end(a, img->end) - a);
    free(old);
    return n;
}

/* Make room for addresses below need (need <= IMAGE_MAX_SIZE). */
static int image_reserve(struct image *img, uint32_t need, struct ispf_error *err)
{
    if (need <= img->cap)
        return ISPF_OK;
    if (!img->blocks) {
        img->blocks = calloc(IMAGE_BLOCKS, sizeof *img->blocks);
        if (!img->blocks)
            return ispf_fail(err, ISPF_E_NOMEM, "out of memory for an image");
    }
    uint32_t ncap = img->cap ? img->cap : IMAGE_MIN_CAP;
    while (ncap < need)
        ncap = ncap > IMAGE_MAX_SIZE / 2 ? IMAGE_MAX_SIZE : ncap * 2;
    if (ncap > IMAGE_MAX_SIZE)
        ncap = IMAGE_MAX_SIZE;
    uint8_t *nd = image_regrow(img->data, img, ncap);
    if (!nd)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory growing an image to %u bytes", ncap);
    img->data = nd;
    uint8_t *nu = image_regrow(img->used, img, ncap);
    if (!nu) {
        /* data is already the larger array: keep cap (the smaller one) valid for both. */
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory growing an image to %u bytes", ncap);
    }
    img->used = nu;
    img->cap = ncap;
    return ISPF_OK;
}

/* Record that [addr, addr + len) is now used (the bytes themselves are set by the caller). */
static void image_mark(struct image *img, uint32_t addr, uint32_t len)
{
    if (!img->count || addr < img->start)
        img->start = addr;
    for (uint32_t i = 0; i < len; i++) {
        if (!img->used[addr + i]) {
            img->used[addr + i] = 1;
            img->count++;
            img->blocks[image_block(addr + i)]++;
        }
    }
    if (addr + len > img->end)
        img->end = addr + len;
}

int image_set(struct image *img, uint32_t addr, uint8_t val, struct ispf_error *err)
{
    if (addr >= IMAGE_MAX_SIZE)
        return ispf_fail(err, ISPF_E_INPUT,
                         "address 0x%X is beyond the largest supported image (%u MiB)", addr,
                         IMAGE_MAX_SIZE >> 20);
    int rc = image_reserve(img, addr + 1, err);
    if (rc)
        return rc;
    image_mark(img, addr, 1);
    img->data[addr] = val;
    return ISPF_OK;
}

int image_set_range(struct image *img, uint32_t addr, const uint8_t *buf, uint32_t len,
                    struct ispf_error *err)
{
    if (len == 0)
        return ISPF_OK;
    if (addr >= IMAGE_MAX_SIZE || len > IMAGE_MAX_SIZE - addr) {
        uint32_t bad = addr >= IMAGE_MAX_SIZE ? addr : IMAGE_MAX_SIZE;
        return ispf_fail(err, ISPF_E_INPUT,
                         "address 0x%X is beyond the largest supported image (%u MiB)", bad,
                         IMAGE_MAX_SIZE >> 20);
    }
    int rc = image_reserve(img, addr + len, err);
    if (rc)
        return rc;
    image_mark(img, addr, len);
    memcpy(img->data + addr, buf, len);
    return ISPF_OK;
}

bool image_has(const struct image *img, uint32_t addr)
{
    return addr < img->end && img->used[addr];
}

uint8_t image_get(const struct image *img, uint32_t addr, uint8_t fill)
{
    return image_has(img, addr) ? img->data[addr] : fill;
}

uint32_t image_start(const struct image *img)
{
    return img->count ? img->start : 0;
}

bool image_empty(const struct image *img)
{
    return img->count == 0;
}

bool image_next_segment(const struct image *img, uint32_t *from, uint32_t *start, uint32_t *len)
{
    if (!img->count)
        return false;
    uint32_t a = *from < img->start ? img->start : *from;
    const uint8_t *p = NULL;
    for (; !p && a < img->end; a = image_block_end(a, img->end))
        if (img->blocks[image_block(a)])
            p = memchr(img->used + a, 1, image_block_end(a, img->end) - a);
    if (!p)
        return false;
    uint32_t s = (uint32_t)(p - img->used);
    uint32_t e = s;
    while (e < img->end && img->used[e])
        e++;
    *start = s;
    *len = e - s;
    *from = e;
    return true;
}

uint32_t image_count_range(const struct image *img, uint32_t addr, uint32_t len)
{
    if (!img->count || addr >= img->end)
        return 0;
    uint32_t stop = len > img->end - addr ? img->end : addr + len;
    uint32_t n = 0;
    for (uint32_t a = addr < img->start ? img->start : addr; a < stop;) {
        uint32_t be = image_block_end(a, stop);
        uint32_t in_block = img->blocks[image_block(a)];
        if (in_block && (a & ((1u << IMAGE_BLOCK_SHIFT) - 1)) == 0 &&
            be == a + (1u << IMAGE_BLOCK_SHIFT)) {
            n += in_block; /* the whole block is in the range */
        } else if (in_block) {
            for (uint32_t x = a; x < be; x++)
                n += img->used[x] != 0;
        }
        a = be;
    }
    return n;
}

void image_trim_ff(struct image *img)
{
    /* Remove every used 0xFF byte after the last used byte that is not 0xFF
     * (holes in between do not stop the trimming; empty blocks are skipped). */
    uint32_t e = img->end;
    while (e > 0 && img->count) {
        uint32_t b = image_block(e - 1);
        if (!img->blocks[b]) {
            e = b << IMAGE_BLOCK_SHIFT;
            continue;
        }
        if (img->used[e - 1] && img->data[e - 1] != 0xFF)
            break;
        if (img->used[e - 1]) {
            img->used[e - 1] = 0;
            img->count--;
            img->blocks[b]--;
        }
        e--;
    }
    img->end = img->count ? e : 0;
}

bool image_equal(const struct image *a, const struct image *b)
{
    if (a->end != b->end || a->count != b->count)
        return false;
    if (!a->count)
        return true;
    if (a->start != b->start)
        return false;
    for (uint32_t i = a->start; i < a->end; i = image_block_end(i, a->end)) {
        uint32_t k = image_block(i);
        if (a->blocks[k] != b->blocks[k])
            return false;
        if (!a->blocks[k])
            continue;
        uint32_t e = image_block_end(i, a->end);
        for (uint32_t x = i; x < e; x++) {
            if (a->used[x] != b->used[x])
                return false;
            if (a->used[x] && a->data[x] != b->data[x])
                return false;
        }
    }
    return true;
}

int image_put(struct image *dst, const struct image *src, uint32_t offset, struct ispf_error *err)
{
    uint32_t from = 0, start, len;
    int rc = ISPF_OK;
    while (rc == ISPF_OK && image_next_segment(src, &from, &start, &len))
        rc = image_set_range(dst, offset + start, src->data + start, len, err);
    return rc;
}
