// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Intel HEX reader and writer.
 *
 * The reader is strict: every malformed record is an error naming file:line
 * and what is wrong, so a damaged file never reaches a chip. Records 00-05 are
 * understood; 03/05 (start address) are checked and ignored.
 *
 * Addressing: a data record's address is base + offset. After an 04 record (or
 * with no extended address record) a record that runs past offset 0xFFFF simply
 * continues into the next 64 KiB (srec_cat and objcopy agree on that). After an
 * 02 record the Intel specification wraps such bytes to the start of the
 * segment, objcopy does not: the tools disagree, so the reader refuses it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/records.h"
#include "ispflash/image.h"

/* Printable rendering of one character for messages. */
static const char *show_char(unsigned char c, char buf[8])
{
    if (c >= 0x21 && c < 0x7F)
        snprintf(buf, 8, "'%c'", c);
    else if (c == ' ')
        snprintf(buf, 8, "space");
    else if (c == '\t')
        snprintf(buf, 8, "tab");
    else
        snprintf(buf, 8, "0x%02X", c);
    return buf;
}

static const char *record_name(unsigned type)
{
    switch (type) {
    case 0:
        return "data record (type 00)";
    case 1:
        return "end-of-file record (type 01)";
    case 2:
        return "extended segment address record (type 02)";
    case 3:
        return "start segment address record (type 03)";
    case 4:
        return "extended linear address record (type 04)";
    case 5:
        return "start linear address record (type 05)";
    default:
        return "record";
    }
}

/* The reader's state across the lines of one file. */
struct ihex_reader {
    struct image *img;
    const char *fn;
    struct rec_ranges ranges;
    uint64_t base;  /* from the last 02/04 record */
    bool segmented; /* the base came from an 02 record */
    unsigned ln;    /* current line */
    unsigned last_line, eof_line;
};

/* The characters of one record line: start code, hex digits, whole bytes. */
static int ihex_check_chars(const struct ihex_reader *r, const char *s, size_t ll,
                            struct ispf_error *err)
{
    char cb[8];
    if (s[0] != ':')
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s:%u: missing start code ':' (the line starts with %s)", r->fn, r->ln,
                         show_char((unsigned char)s[0], cb));
    for (size_t i = 1; i < ll; i++) {
        if (!rec_is_hex((unsigned char)s[i]))
            return ispf_fail(err, ISPF_E_INPUT, "%s:%u: non-hex character %s at column %zu", r->fn,
                             r->ln, show_char((unsigned char)s[i], cb), i + 1);
    }
    size_t digits = ll - 1;
    if (digits % 2)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s:%u: odd number of hex digits (%zu): a record is whole bytes", r->fn,
                         r->ln, digits);
    return ISPF_OK;
}

/* One line's bytes into rec (length, address, type, data, checksum), checked. */
static int ihex_decode_line(const struct ihex_reader *r, const char *s, size_t ll, uint8_t *rec,
                            struct ispf_error *err)
{
    int rc = ihex_check_chars(r, s, ll, err);
    if (rc)
        return rc;
    size_t nbytes = (ll - 1) / 2;
    if (nbytes < 5)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s:%u: record too short (%zu bytes; length, address, type and "
                         "checksum need 5)",
                         r->fn, r->ln, nbytes);
    unsigned lenfield = rec_hex_byte(s + 1);
    if (lenfield + 5 != nbytes)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s:%u: length field says %u data bytes but the line holds %zu", r->fn,
                         r->ln, lenfield, nbytes - 5);
    unsigned sum = 0;
    for (size_t i = 0; i < nbytes; i++) {
        rec[i] = (uint8_t)rec_hex_byte(s + 1 + 2 * i);
        if (i + 1 < nbytes)
            sum += rec[i];
    }
    unsigned expected = (0x100u - (sum & 0xFF)) & 0xFF;
    unsigned found = rec[nbytes - 1];
    if (expected != found)
        return ispf_fail(err, ISPF_E_INPUT, "%s:%u: bad checksum: expected 0x%02X, found 0x%02X",
                         r->fn, r->ln, expected, found);
    return ISPF_OK;
}

/* The record type is known and has the length it must have. */
static int ihex_check_type(const struct ihex_reader *r, unsigned type, unsigned lenfield,
                           struct ispf_error *err)
{
    unsigned want = 0;
    switch (type) {
    case 0:
    case 1:
        break;
    case 2:
    case 4:
        want = 2;
        break;
    case 3:
    case 5:
        want = 4;
        break;
    default:
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s:%u: unknown record type %02X (Intel HEX types are 00 to 05)", r->fn,
                         r->ln, type);
    }
    if (type != 0 && lenfield != want)
        return ispf_fail(err, ISPF_E_INPUT, "%s:%u: %s must have length %u, not %u", r->fn, r->ln,
                         record_name(type), want, lenfield);
    return ISPF_OK;
}

/* What a checked record does: store data, end the file, set the base address. */
static int ihex_apply(struct ihex_reader *r, const uint8_t *rec, struct ispf_error *err)
{
    unsigned lenfield = rec[0];
    unsigned offset = (unsigned)rec[1] << 8 | rec[2];
    unsigned type = rec[3];
    const uint8_t *data = rec + 4;
    switch (type) {
    case 0:
        if (lenfield == 0)
            return ISPF_OK;
        if (r->segmented && offset + lenfield > 0x10000)
            return ispf_fail(err, ISPF_E_INPUT,
                             "%s:%u: data record runs past offset 0xFFFF of its segment "
                             "(type 02 addressing); tools disagree where those bytes go, "
                             "split the record",
                             r->fn, r->ln);
        return rec_store(r->img, &r->ranges, r->base + offset, data, lenfield, r->fn, r->ln, err);
    case 1:
        r->eof_line = r->ln;
        return ISPF_OK;
    case 2:
        r->base = (uint64_t)((unsigned)data[0] << 8 | data[1]) << 4;
        r->segmented = true;
        return ISPF_OK;
    case 4:
        r->base = (uint64_t)((unsigned)data[0] << 8 | data[1]) << 16;
        r->segmented = false;
        return ISPF_OK;
    default:
        return ISPF_OK; /* 03, 05: start address, meaningless for an AVR */
    }
}

/* One non-empty line. */
static int ihex_line(struct ihex_reader *r, const char *s, size_t ll, struct ispf_error *err)
{
    uint8_t rec[5 + 255];
    if (r->eof_line)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s:%u: data after the end-of-file record (the file ended at line %u)",
                         r->fn, r->ln, r->eof_line);
    r->last_line = r->ln;
    int rc = ihex_decode_line(r, s, ll, rec, err);
    if (rc == ISPF_OK)
        rc = ihex_check_type(r, rec[3], rec[0], err);
    if (rc == ISPF_OK)
        rc = ihex_apply(r, rec, err);
    return rc;
}

/* The end of the text: the end-of-file record must have been there. */
static int ihex_finish(const struct ihex_reader *r, struct ispf_error *err)
{
    if (r->eof_line)
        return ISPF_OK;
    if (!r->last_line)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s:%u: no Intel HEX records (the file is empty); missing "
                         "end-of-file record",
                         r->fn, r->ln ? r->ln : 1);
    return ispf_fail(err, ISPF_E_INPUT,
                     "%s:%u: missing end-of-file record (:00000001FF) after the last "
                     "line, line %u: the file may be truncated",
                     r->fn, r->last_line, r->last_line);
}

int ihex_parse(struct image *img, const char *text, size_t len, const char *name,
               struct ispf_error *err)
{
    struct ihex_reader r = {.img = img, .fn = name ? name : "<input>"};
    r.ranges.what = "Intel HEX";
    size_t pos = 0;
    int rc = ISPF_OK;

    image_clear(img);
    /* A UTF-8 byte order mark (some Windows editors add one) is not data. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (rc == ISPF_OK && pos < len) {
        size_t ll;
        const char *s = rec_next_line(text, len, &pos, &ll);
        r.ln++;
        if (ll)
            rc = ihex_line(&r, s, ll, err);
    }
    if (rc == ISPF_OK)
        rc = ihex_finish(&r, err);
    rec_ranges_free(&r.ranges);
    return rc;
}

/* ---- writer ---- */

struct ihex_buf {
    char *p;
    size_t n, cap;
};

static int buf_record(struct ihex_buf *b, unsigned type, unsigned addr, const uint8_t *data,
                      unsigned n, struct ispf_error *err)
{
    size_t need = 1 + 2 * (5 + n) + 1 + 1;
    if (b->n + need > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 4096;
        while (ncap < b->n + need)
            ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (!np)
            return ispf_fail(err, ISPF_E_NOMEM, "out of memory writing Intel HEX");
        b->p = np;
        b->cap = ncap;
    }
    static const char hx[] = "0123456789ABCDEF";
    uint8_t head[4] = {(uint8_t)n, (uint8_t)(addr >> 8), (uint8_t)addr, (uint8_t)type};
    unsigned sum = 0;
    char *o = b->p + b->n;
    *o++ = ':';
    for (unsigned i = 0; i < 4 + n; i++) {
        uint8_t v = i < 4 ? head[i] : data[i - 4];
        sum += v;
        *o++ = hx[v >> 4];
        *o++ = hx[v & 15];
    }
    uint8_t ck = (uint8_t)(0x100u - (sum & 0xFF));
    *o++ = hx[ck >> 4];
    *o++ = hx[ck & 15];
    *o++ = '\n';
    *o = '\0';
    b->n = (size_t)(o - b->p);
    return ISPF_OK;
}

int ihex_format(const struct image *img, char **out, size_t *outlen, struct ispf_error *err)
{
    struct ihex_buf b = {0};
    uint32_t from = 0, start, len;
    unsigned upper = 0;
    int rc;

    *out = NULL;
    if (outlen)
        *outlen = 0;
    while (image_next_segment(img, &from, &start, &len)) {
        uint32_t a = start, end = start + len;
        while (a < end) {
            if ((a >> 16) != upper) {
                upper = a >> 16;
                uint8_t ela[2] = {(uint8_t)(upper >> 8), (uint8_t)upper};
                rc = buf_record(&b, 4, 0, ela, 2, err);
                if (rc)
                    goto fail;
            }
            uint32_t n = end - a;
            if (n > 16)
                n = 16;
            uint32_t to_boundary = 0x10000 - (a & 0xFFFF);
            if (n > to_boundary)
                n = to_boundary;
            rc = buf_record(&b, 0, a & 0xFFFF, img->data + a, n, err);
            if (rc)
                goto fail;
            a += n;
        }
    }
    rc = buf_record(&b, 1, 0, NULL, 0, err);
    if (rc)
        goto fail;
    *out = b.p;
    if (outlen)
        *outlen = b.n;
    return ISPF_OK;
fail:
    free(b.p);
    return rc;
}
