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

int ihex_parse(struct image *img, const char *text, size_t len, const char *name,
               struct ispf_error *err)
{
    const char *fn = name ? name : "<input>";
    struct rec_ranges ranges = {.what = "Intel HEX"};
    uint8_t rec[5 + 255];
    uint64_t base = 0;
    bool segmented = false;
    unsigned ln = 0, last_line = 0, eof_line = 0;
    size_t pos = 0;
    int rc = ISPF_OK;
    char cb[8];

    image_clear(img);
    /* A UTF-8 byte order mark (some Windows editors add one) is not data. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        size_t ll;
        const char *s = rec_next_line(text, len, &pos, &ll);
        ln++;
        if (ll == 0)
            continue;
        if (eof_line) {
            rc = ispf_fail(err, ISPF_E_INPUT,
                           "%s:%u: data after the end-of-file record (the file ended at line %u)",
                           fn, ln, eof_line);
            goto out;
        }
        last_line = ln;
        if (s[0] != ':') {
            rc = ispf_fail(err, ISPF_E_INPUT,
                           "%s:%u: missing start code ':' (the line starts with %s)", fn, ln,
                           show_char((unsigned char)s[0], cb));
            goto out;
        }
        for (size_t i = 1; i < ll; i++) {
            if (!rec_is_hex((unsigned char)s[i])) {
                rc = ispf_fail(err, ISPF_E_INPUT, "%s:%u: non-hex character %s at column %zu", fn,
                               ln, show_char((unsigned char)s[i], cb), i + 1);
                goto out;
            }
        }
        size_t digits = ll - 1;
        if (digits % 2) {
            rc = ispf_fail(err, ISPF_E_INPUT,
                           "%s:%u: odd number of hex digits (%zu): a record is whole bytes", fn, ln,
                           digits);
            goto out;
        }
        size_t nbytes = digits / 2;
        if (nbytes < 5) {
            rc = ispf_fail(err, ISPF_E_INPUT,
                           "%s:%u: record too short (%zu bytes; length, address, type and "
                           "checksum need 5)",
                           fn, ln, nbytes);
            goto out;
        }
        unsigned lenfield = rec_hex_byte(s + 1);
        if (lenfield + 5 != nbytes) {
            rc = ispf_fail(err, ISPF_E_INPUT,
                           "%s:%u: length field says %u data bytes but the line holds %zu", fn, ln,
                           lenfield, nbytes - 5);
            goto out;
        }
        unsigned sum = 0;
        for (size_t i = 0; i < nbytes; i++) {
            rec[i] = (uint8_t)rec_hex_byte(s + 1 + 2 * i);
            if (i + 1 < nbytes)
                sum += rec[i];
        }
        unsigned expected = (0x100u - (sum & 0xFF)) & 0xFF;
        unsigned found = rec[nbytes - 1];
        if (expected != found) {
            rc = ispf_fail(err, ISPF_E_INPUT, "%s:%u: bad checksum: expected 0x%02X, found 0x%02X",
                           fn, ln, expected, found);
            goto out;
        }
        unsigned offset = (unsigned)rec[1] << 8 | rec[2];
        unsigned type = rec[3];
        const uint8_t *data = rec + 4;
        unsigned want = 0;
        switch (type) {
        case 0:
            break;
        case 1:
            want = 0;
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
            rc = ispf_fail(err, ISPF_E_INPUT,
                           "%s:%u: unknown record type %02X (Intel HEX types are 00 to 05)", fn, ln,
                           type);
            goto out;
        }
        if (type != 0 && lenfield != want) {
            rc = ispf_fail(err, ISPF_E_INPUT, "%s:%u: %s must have length %u, not %u", fn, ln,
                           record_name(type), want, lenfield);
            goto out;
        }
        switch (type) {
        case 0: {
            if (lenfield == 0)
                break;
            if (segmented && offset + lenfield > 0x10000) {
                rc = ispf_fail(err, ISPF_E_INPUT,
                               "%s:%u: data record runs past offset 0xFFFF of its segment "
                               "(type 02 addressing); tools disagree where those bytes go, "
                               "split the record",
                               fn, ln);
                goto out;
            }
            rc = rec_store(img, &ranges, base + offset, data, lenfield, fn, ln, err);
            if (rc)
                goto out;
            break;
        }
        case 1:
            eof_line = ln;
            break;
        case 2:
            base = (uint64_t)((unsigned)data[0] << 8 | data[1]) << 4;
            segmented = true;
            break;
        case 4:
            base = (uint64_t)((unsigned)data[0] << 8 | data[1]) << 16;
            segmented = false;
            break;
        default:
            break; /* 03, 05: start address, meaningless for an AVR */
        }
    }
    if (!eof_line) {
        if (!last_line)
            rc = ispf_fail(err, ISPF_E_INPUT,
                           "%s:%u: no Intel HEX records (the file is empty); missing "
                           "end-of-file record",
                           fn, ln ? ln : 1);
        else
            rc = ispf_fail(err, ISPF_E_INPUT,
                           "%s:%u: missing end-of-file record (:00000001FF) after the last "
                           "line, line %u: the file may be truncated",
                           fn, last_line, last_line);
    }
out:
    rec_ranges_free(&ranges);
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
