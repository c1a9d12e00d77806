// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pieces shared by the Intel HEX and S-record readers (see records.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/records.h"

const char *rec_next_line(const char *text, size_t len, size_t *pos, size_t *ll)
{
    const char *s = text + *pos;
    const char *nl = memchr(s, '\n', len - *pos);
    size_t n = nl ? (size_t)(nl - s) : len - *pos;
    *pos += n + (nl ? 1 : 0);
    /* CRLF and trailing blanks are not part of the record. */
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *ll = n;
    return s;
}

int rec_ranges_add(struct rec_ranges *r, uint32_t start, uint32_t len, unsigned line,
                   struct ispf_error *err)
{
    if (r->n == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 256;
        struct rec_range *nv = realloc(r->v, ncap * sizeof *nv);
        if (!nv)
            return ispf_fail(err, ISPF_E_NOMEM, "out of memory reading %s", r->what);
        r->v = nv;
        r->cap = ncap;
    }
    r->v[r->n++] = (struct rec_range){start, len, line};
    return ISPF_OK;
}

unsigned rec_ranges_first_line(const struct rec_ranges *r, uint32_t addr)
{
    for (size_t i = 0; i < r->n; i++)
        if (addr >= r->v[i].start && addr - r->v[i].start < r->v[i].len)
            return r->v[i].line;
    return 0;
}

void rec_ranges_free(struct rec_ranges *r)
{
    free(r->v);
    r->v = NULL;
    r->n = r->cap = 0;
}

int rec_store(struct image *img, struct rec_ranges *r, uint64_t start, const uint8_t *data,
              unsigned n, const char *fn, unsigned ln, struct ispf_error *err)
{
    if (start + n > IMAGE_MAX_SIZE) {
        uint64_t bad = start > IMAGE_MAX_SIZE ? start : IMAGE_MAX_SIZE;
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s:%u: address 0x%llX is beyond the largest supported image (%u MiB)", fn,
                         ln, (unsigned long long)bad, IMAGE_MAX_SIZE >> 20);
    }
    uint32_t a0 = (uint32_t)start;
    for (unsigned i = 0; i < n; i++) {
        uint32_t a = a0 + i;
        if (image_has(img, a) && img->data[a] != data[i])
            return ispf_fail(err, ISPF_E_INPUT,
                             "%s:%u: conflicting data for address 0x%04X: this record gives "
                             "0x%02X, line %u already gave 0x%02X",
                             fn, ln, a, data[i], rec_ranges_first_line(r, a), img->data[a]);
    }
    int rc = image_set_range(img, a0, data, n, err);
    if (rc)
        return rc;
    return rec_ranges_add(r, a0, n, ln, err);
}
