// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Image files: loading and saving in every -U format (Intel HEX, raw binary,
 * immediate values, Motorola S-record; ELF is read only, by core/elf.c), and format
 * auto-detection.
 *
 * Auto-detection (-U ...:a or no format) errs on the side of reporting errors,
 * so that a damaged HEX file gets a file:line message instead of being written
 * to a chip as raw binary:
 *  - empty or blank-only file: an error (nothing to write, nothing to detect);
 *  - the ELF magic (0x7F 'E' 'L' 'F'): ELF;
 *  - first non-blank character ':' and the file is printable text, or its first
 *    line is a well-formed record, or at least 8 hex digits follow the ':'
 *    (HEX damaged by binary garbage): Intel HEX. (AVR code may well start with
 *    0x3A, "rjmp" 0xC03A, but is not followed by ASCII hex digits);
 *  - printable text whose first line looks like an S-record: S-record;
 *  - printable text with a line starting with ':' or a first line made of hex
 *    digits only (a record that lost its ':'): Intel HEX;
 *  - anything else: raw binary.
 * A UTF-8 byte order mark before HEX or S-record text is skipped.
 * Reading: "-" is standard input. Writing: "-" is standard output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomic_file.h"
#include "core/records.h"
#include "ispflash/elf.h"
#include "ispflash/image.h"

/* Refuse to read input files larger than this (a full 16 MiB image as Intel HEX
 * is about 45 MB). Protects against pointing -U at a device or a huge file. */
#define FILE_READ_MAX (128u * 1024u * 1024u)

int image_format_from_char(char c)
{
    switch (c) {
    case 'a':
        return IMAGE_FMT_AUTO;
    case 'i':
        return IMAGE_FMT_IHEX;
    case 'r':
        return IMAGE_FMT_RAW;
    case 'm':
        return IMAGE_FMT_IMMEDIATE;
    case 's':
        return IMAGE_FMT_SREC;
    case 'e':
        return IMAGE_FMT_ELF;
    default:
        return -1;
    }
}

const char *image_format_name(enum image_format fmt)
{
    switch (fmt) {
    case IMAGE_FMT_AUTO:
        return "auto-detect";
    case IMAGE_FMT_IHEX:
        return "Intel HEX";
    case IMAGE_FMT_RAW:
        return "raw binary";
    case IMAGE_FMT_IMMEDIATE:
        return "immediate";
    case IMAGE_FMT_SREC:
        return "Motorola S-record";
    case IMAGE_FMT_ELF:
        return "ELF";
    }
    return "unknown";
}

/* ---- whole-file I/O ---- */

static const char *display_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

static int read_all(const char *path, char **out, size_t *outlen, struct ispf_error *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return ispf_fail(err, ISPF_E_IO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        if (!is_stdin)
            fclose(f);
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory reading %s", display_name(path));
    }
    int rc = ISPF_OK;
    for (;;) {
        if (n == cap) {
            if (cap >= FILE_READ_MAX) {
                rc = ispf_fail(err, ISPF_E_INPUT, "%s: file is larger than %u MiB",
                               display_name(path), FILE_READ_MAX >> 20);
                break;
            }
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                rc = ispf_fail(err, ISPF_E_NOMEM, "out of memory reading %s", display_name(path));
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                rc = ispf_fail(err, ISPF_E_IO, "cannot read %s: %s", display_name(path),
                               strerror(errno));
            break;
        }
    }
    if (!is_stdin)
        fclose(f);
    else
        clearerr(f);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    *outlen = n;
    return ISPF_OK;
}

static int write_all(const char *path, const char *buf, size_t len, struct ispf_error *err)
{
    if (strcmp(path, "-") == 0) {
        if (len && fwrite(buf, 1, len, stdout) != len)
            return ispf_fail(err, ISPF_E_IO, "writing to standard output: %s", strerror(errno));
        if (fflush(stdout) != 0)
            return ispf_fail(err, ISPF_E_IO, "writing to standard output: %s", strerror(errno));
        return ISPF_OK;
    }
    struct atomic_file af;
    int rc = atomic_file_open(&af, path, err);
    if (rc)
        return rc;
    if (len && fwrite(buf, 1, len, af.f) != len) {
        int e = errno;
        atomic_file_abort(&af);
        return ispf_fail(err, ISPF_E_IO, "cannot write %s: %s", path, strerror(e));
    }
    return atomic_file_commit(&af, err);
}

/* ---- detection ---- */

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Line at p (up to '\n', without trailing CR/blanks) - its length. */
static size_t line_len(const char *p, size_t avail)
{
    size_t pos = 0, ll;
    rec_next_line(p, avail, &pos, &ll);
    return ll;
}

/* A well-formed Intel HEX record: ':' + whole bytes, length field and checksum right. */
static bool line_is_ihex_record(const char *p, size_t ll)
{
    if (ll < 11 || p[0] != ':' || (ll - 1) % 2)
        return false;
    unsigned sum = 0;
    for (size_t i = 1; i < ll; i += 2) {
        if (!rec_is_hex((unsigned char)p[i]) || !rec_is_hex((unsigned char)p[i + 1]))
            return false;
        sum += rec_hex_byte(p + i);
    }
    unsigned n = rec_hex_byte(p + 1);
    return n + 5 == (ll - 1) / 2 && (sum & 0xFF) == 0;
}

/* Looks like an S-record: 'S', a type digit, whole bytes of hex (at least count+addr+sum). */
static bool line_looks_srec(const char *p, size_t ll)
{
    if (ll < 8 || p[0] != 'S' || p[1] < '0' || p[1] > '9' || (ll - 2) % 2)
        return false;
    for (size_t i = 2; i < ll; i++)
        if (!rec_is_hex((unsigned char)p[i]))
            return false;
    return true;
}

/* Number of hex digits at p. */
static size_t hex_run(const char *p, size_t avail)
{
    size_t n = 0;
    while (n < avail && rec_is_hex((unsigned char)p[n]))
        n++;
    return n;
}

/* Only hex digits (a record that lost its ':'). */
static bool line_all_hex(const char *p, size_t ll)
{
    if (ll < 10)
        return false;
    for (size_t i = 0; i < ll; i++)
        if (!rec_is_hex((unsigned char)p[i]))
            return false;
    return true;
}

/* A text file (printable ASCII, tabs, line breaks only) some line of which starts with ':'. */
static bool text_has_colon_line(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == ':' && (i == 0 || buf[i - 1] == '\n'))
            return true;
    }
    return false;
}

/* Returns the detected format, or -1 for an empty (or blank-only) file. */
static int detect_format(const char *buf, size_t len)
{
    size_t i = 0;
    if (elf_is_elf(buf, len))
        return IMAGE_FMT_ELF;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        /* UTF-8 byte order mark: look at the text after it. */
        buf += 3;
        len -= 3;
    }
    while (i < len && is_blank((unsigned char)buf[i]))
        i++;
    if (i == len)
        return -1;
    bool text = true;
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)buf[k];
        if (!(c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7F))) {
            text = false;
            break;
        }
    }
    size_t ll = line_len(buf + i, len - i);
    if (buf[i] == ':' &&
        (text || line_is_ihex_record(buf + i, ll) || hex_run(buf + i + 1, len - i - 1) >= 8))
        return IMAGE_FMT_IHEX;
    if (text && buf[i] == 'S' && line_looks_srec(buf + i, ll))
        return IMAGE_FMT_SREC;
    /* Damaged HEX files must be reported, not flashed as binary: any printable
     * text with a line starting with ':' or made of hex digits only is HEX. */
    if (text && (line_all_hex(buf + i, ll) || text_has_colon_line(buf, len)))
        return IMAGE_FMT_IHEX;
    return IMAGE_FMT_RAW;
}

/* ---- Motorola S-record ---- */

static void show_char(unsigned char c, char buf[8])
{
    if (c >= 0x21 && c < 0x7F)
        snprintf(buf, 8, "'%c'", c);
    else if (c == ' ')
        snprintf(buf, 8, "space");
    else
        snprintf(buf, 8, "0x%02X", c);
}

/* One S-record line decoded: its type, the bytes after "Sn" and where the address ends. */
struct srec_line {
    unsigned type, alen;
    size_t nbytes;
    uint8_t rec[256];
};

/* The characters of a line: start code, type, hex digits, whole bytes. */
static int srec_check_chars(const char *s, size_t ll, const char *fn, unsigned ln,
                            struct ispf_error *err)
{
    char cb[8];
    if (s[0] != 'S') {
        show_char((unsigned char)s[0], cb);
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s:%u: missing start code 'S' (the line starts with %s)", fn, ln, cb);
    }
    if (ll < 2 || s[1] < '0' || s[1] > '9' || s[1] == '4') {
        show_char(ll < 2 ? ' ' : (unsigned char)s[1], cb);
        return ispf_fail(err, ISPF_E_INPUT, "%s:%u: unknown S-record type %s", fn, ln, cb);
    }
    for (size_t i = 2; i < ll; i++) {
        if (!rec_is_hex((unsigned char)s[i])) {
            show_char((unsigned char)s[i], cb);
            return ispf_fail(err, ISPF_E_INPUT, "%s:%u: non-hex character %s at column %zu", fn, ln,
                             cb, i + 1);
        }
    }
    if ((ll - 2) % 2)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s:%u: odd number of hex digits (%zu): a record is whole bytes", fn, ln,
                         ll - 2);
    return ISPF_OK;
}

/* Decode a line into *r: sizes, length field and checksum checked. */
static int srec_decode(const char *s, size_t ll, const char *fn, unsigned ln, struct srec_line *r,
                       struct ispf_error *err)
{
    int rc = srec_check_chars(s, ll, fn, ln, err);
    if (rc)
        return rc;
    unsigned type = (unsigned)(s[1] - '0');
    size_t nbytes = (ll - 2) / 2;
    unsigned alen = (type == 0 || type == 1 || type == 5 || type == 9) ? 2
                    : (type == 2 || type == 6 || type == 8)            ? 3
                                                                       : 4;
    if (nbytes < 2 + alen || nbytes > 256)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s:%u: record has %zu bytes, an S%u record needs "
                         "%u to 256",
                         fn, ln, nbytes, type, 2 + alen);
    unsigned sum = 0;
    for (size_t i = 0; i < nbytes; i++) {
        r->rec[i] = (uint8_t)rec_hex_byte(s + 2 + 2 * i);
        if (i + 1 < nbytes)
            sum += r->rec[i];
    }
    if ((unsigned)r->rec[0] + 1 != nbytes)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s:%u: length field says %u bytes follow but the line holds %zu", fn, ln,
                         r->rec[0], nbytes - 1);
    unsigned expected = 0xFFu - (sum & 0xFF);
    if (expected != r->rec[nbytes - 1])
        return ispf_fail(err, ISPF_E_INPUT, "%s:%u: bad checksum: expected 0x%02X, found 0x%02X",
                         fn, ln, expected, r->rec[nbytes - 1]);
    r->type = type;
    r->alen = alen;
    r->nbytes = nbytes;
    return ISPF_OK;
}

/* The reader's state across lines. */
struct srec_reader {
    struct image *img;
    struct rec_ranges ranges;
    const char *fn;
    unsigned ln, end_line, ndata;
};

/* Apply a decoded record: store data, check a count record, note the termination. */
static int srec_apply(struct srec_reader *rd, const struct srec_line *r, struct ispf_error *err)
{
    uint64_t addr = 0;
    for (unsigned i = 0; i < r->alen; i++)
        addr = addr << 8 | r->rec[1 + i];
    const uint8_t *data = r->rec + 1 + r->alen;
    unsigned dlen = (unsigned)(r->nbytes - 2 - r->alen);
    const char *fn = rd->fn;
    unsigned ln = rd->ln, type = r->type;
    switch (type) {
    case 0:
        return ISPF_OK; /* header */
    case 1:
    case 2:
    case 3:
        rd->ndata++;
        if (dlen == 0)
            return ISPF_OK;
        return rec_store(rd->img, &rd->ranges, addr, data, dlen, fn, ln, err);
    case 5:
    case 6:
        if (dlen != 0)
            return ispf_fail(err, ISPF_E_INPUT, "%s:%u: S%u count record must not carry data", fn,
                             ln, type);
        if (addr != (rd->ndata & (type == 5 ? 0xFFFFu : 0xFFFFFFu)))
            return ispf_fail(err, ISPF_E_INPUT,
                             "%s:%u: count record says %llu data records, the file has %u", fn, ln,
                             (unsigned long long)addr, rd->ndata);
        return ISPF_OK;
    default: /* 7, 8, 9: termination with start address */
        if (dlen != 0)
            return ispf_fail(err, ISPF_E_INPUT, "%s:%u: S%u termination record must not carry data",
                             fn, ln, type);
        rd->end_line = ln;
        return ISPF_OK;
    }
}

static int srec_parse(struct image *img, const char *text, size_t len, const char *fn,
                      struct ispf_error *err)
{
    struct srec_reader rd = {.img = img, .ranges = {.what = "S-records"}, .fn = fn};
    struct srec_line r;
    size_t pos = 0;
    int rc = ISPF_OK;

    image_clear(img);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (rc == ISPF_OK && pos < len) {
        size_t ll;
        const char *s = rec_next_line(text, len, &pos, &ll);
        rd.ln++;
        if (ll == 0)
            continue;
        if (rd.end_line)
            rc = ispf_fail(err, ISPF_E_INPUT,
                           "%s:%u: data after the termination record (the file ended at line %u)",
                           fn, rd.ln, rd.end_line);
        else if ((rc = srec_decode(s, ll, fn, rd.ln, &r, err)) == ISPF_OK)
            rc = srec_apply(&rd, &r, err);
    }
    if (rc == ISPF_OK && !rd.end_line && rd.ndata == 0)
        rc = ispf_fail(err, ISPF_E_INPUT,
                       "%s:%u: no S-record data or termination record in the file", fn,
                       rd.ln ? rd.ln : 1);
    rec_ranges_free(&rd.ranges);
    return rc;
}

struct outbuf {
    char *p;
    size_t n, cap;
    bool oom;
};

static void out_reserve(struct outbuf *o, size_t more)
{
    if (o->oom || o->n + more + 1 <= o->cap)
        return;
    size_t ncap = o->cap ? o->cap : 4096;
    while (ncap < o->n + more + 1)
        ncap *= 2;
    char *np = realloc(o->p, ncap);
    if (!np) {
        o->oom = true;
        return;
    }
    o->p = np;
    o->cap = ncap;
}

static void out_puts(struct outbuf *o, const char *s, size_t n)
{
    out_reserve(o, n);
    if (o->oom)
        return;
    memcpy(o->p + o->n, s, n);
    o->n += n;
    o->p[o->n] = '\0';
}

static void srec_record(struct outbuf *o, unsigned type, unsigned alen, uint32_t addr,
                        const uint8_t *data, unsigned n)
{
    static const char hx[] = "0123456789ABCDEF";
    char line[2 + 2 * (1 + 4 + 255 + 1) + 2];
    uint8_t bytes[1 + 4 + 255];
    unsigned k = 0;
    bytes[k++] = (uint8_t)(alen + n + 1);
    for (unsigned i = alen; i-- > 0;)
        bytes[k++] = (uint8_t)(addr >> (8 * i));
    for (unsigned i = 0; i < n; i++)
        bytes[k++] = data[i];
    unsigned sum = 0, p = 0;
    line[p++] = 'S';
    line[p++] = (char)('0' + type);
    for (unsigned i = 0; i < k; i++) {
        sum += bytes[i];
        line[p++] = hx[bytes[i] >> 4];
        line[p++] = hx[bytes[i] & 15];
    }
    uint8_t ck = (uint8_t)(0xFFu - (sum & 0xFF));
    line[p++] = hx[ck >> 4];
    line[p++] = hx[ck & 15];
    line[p++] = '\n';
    out_puts(o, line, p);
}

static int srec_format(const struct image *img, struct outbuf *o, struct ispf_error *err)
{
    unsigned dtype = img->end <= 0x10000u ? 1 : img->end <= 0x1000000u ? 2 : 3;
    unsigned alen = dtype + 1;
    uint32_t from = 0, start, len, nrec = 0;
    srec_record(o, 0, 2, 0, (const uint8_t *)"ispflash", 8);
    while (image_next_segment(img, &from, &start, &len)) {
        for (uint32_t a = start; a < start + len;) {
            uint32_t n = start + len - a;
            if (n > 16)
                n = 16;
            srec_record(o, dtype, alen, a, img->data + a, n);
            nrec++;
            a += n;
        }
    }
    if (nrec <= 0xFFFF)
        srec_record(o, 5, 2, nrec, NULL, 0);
    else
        srec_record(o, 6, 3, nrec, NULL, 0);
    srec_record(o, 10 - dtype, alen, 0, NULL, 0);
    if (o->oom)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory writing S-records");
    return ISPF_OK;
}

/* ---- immediate values ---- */

static bool imm_sep(char c)
{
    return c == ',' || is_blank((unsigned char)c);
}

/* Parse one value token [s, s+n). Returns 0 and sets *val, or fills err. */
/* 'c' or an escape ('\n' '\t' '\r' '\0' '\\' '\''): true and *c when valid. */
static bool imm_char(const char *s, size_t n, unsigned char *c)
{
    static const char esc_in[] = "ntr0\\'";
    static const char esc_out[] = "\n\t\r\0\\'";
    if (n == 3 && s[2] == '\'' && s[1] != '\\') {
        *c = (unsigned char)s[1];
        return true;
    }
    if (n == 4 && s[1] == '\\' && s[3] == '\'' && s[2] != '\0') {
        const char *e = strchr(esc_in, s[2]);
        if (e == NULL)
            return false;
        *c = (unsigned char)esc_out[e - esc_in];
        return true;
    }
    return false;
}

/* A number in decimal, 0x hex, 0b binary or 0 octal: 1 and *v (saturated at
 * 0xFFFFFFFF), or 0 when it is not such a number. */
static int imm_number(const char *s, size_t n, unsigned long long *v)
{
    unsigned base = 10;
    size_t i = 0;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, i = 2;
    else if (n >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        base = 2, i = 2;
    else if (n >= 2 && s[0] == '0')
        base = 8, i = 1;
    if (i == n)
        return 0;
    *v = 0;
    for (; i < n; i++) {
        int d = rec_hexval((unsigned char)s[i]);
        if (d < 0 || (unsigned)d >= base)
            return 0;
        *v = *v * base + (unsigned)d;
        if (*v > 0xFFFFFFFFull)
            *v = 0xFFFFFFFFull;
    }
    return 1;
}

static int imm_value(const char *s, size_t n, uint8_t *val, struct ispf_error *err)
{
    int shown = n > 40 ? 40 : (int)n;
    const char *more = n > 40 ? "..." : "";
    unsigned long long v = 0;

    if (s[0] == '\'') {
        unsigned char c = 0;
        if (!imm_char(s, n, &c))
            return ispf_fail(err, ISPF_E_INPUT,
                             "immediate value %.*s%s is not a valid character constant", shown, s,
                             more);
        *val = c;
        return ISPF_OK;
    }
    if (imm_number(s, n, &v)) {
        if (v > 255)
            return ispf_fail(err, ISPF_E_INPUT,
                             "immediate value '%.*s%s' does not fit in a byte (0 to 255)", shown, s,
                             more);
        *val = (uint8_t)v;
        return ISPF_OK;
    }
    if (s[0] == '-')
        return ispf_fail(err, ISPF_E_INPUT,
                         "immediate value '%.*s%s' does not fit in a byte (0 to 255)", shown, s,
                         more);
    return ispf_fail(err, ISPF_E_INPUT,
                     "immediate value '%.*s%s' is not a number (use decimal, 0x hex, 0 octal, "
                     "0b binary or 'c')",
                     shown, s, more);
}

int image_parse_immediate(struct image *img, const char *text, struct ispf_error *err)
{
    uint32_t addr = 0;
    const char *p = text;
    image_clear(img);
    for (;;) {
        while (*p && imm_sep(*p))
            p++;
        if (!*p)
            break;
        const char *s = p;
        if (*p == '\'') {
            /* Quoted character: runs to the closing quote (may hold ',' or ' '). */
            p++;
            if (*p == '\\' && p[1])
                p += 2;
            else if (*p)
                p++;
            if (*p == '\'')
                p++;
            while (*p && !imm_sep(*p))
                p++;
        } else {
            while (*p && !imm_sep(*p))
                p++;
        }
        uint8_t v = 0;
        int rc = imm_value(s, (size_t)(p - s), &v, err);
        if (rc)
            return rc;
        rc = image_set(img, addr++, v, err);
        if (rc)
            return rc;
    }
    if (addr == 0)
        return ispf_fail(err, ISPF_E_INPUT, "no values in immediate data '%s'", text);
    return ISPF_OK;
}

/* ---- load / save ---- */

/* An ELF file's part for mem into img; the whole file into elf when asked. */
static int load_elf(struct image *img, const char *buf, size_t len, const char *name,
                    enum mem_id mem, struct elf_avr *elf, struct ispf_error *err)
{
    struct elf_avr e;
    elf_avr_init(&e);
    int rc = elf_avr_parse(&e, buf, len, name, err);
    if (rc == ISPF_OK)
        rc = elf_avr_image(&e, mem, img, name, err);
    if (rc == ISPF_OK && elf) {
        elf_avr_free(elf);
        *elf = e;
        return ISPF_OK;
    }
    elf_avr_free(&e);
    return rc;
}

/* The bytes of a file in fmt (not AUTO, not IMMEDIATE) into img. */
static int load_buffer(struct image *img, const char *buf, size_t len, const char *name,
                       enum image_format fmt, enum mem_id mem, struct elf_avr *elf,
                       struct ispf_error *err)
{
    switch (fmt) {
    case IMAGE_FMT_IHEX:
        return ihex_parse(img, buf, len, name, err);
    case IMAGE_FMT_SREC:
        return srec_parse(img, buf, len, name, err);
    case IMAGE_FMT_ELF:
        return load_elf(img, buf, len, name, mem, elf, err);
    default:
        image_clear(img);
        if (len > IMAGE_MAX_SIZE)
            return ispf_fail(err, ISPF_E_INPUT,
                             "%s: raw binary file is %zu bytes, larger than the largest supported "
                             "image (%u MiB)",
                             name, len, IMAGE_MAX_SIZE >> 20);
        return image_set_range(img, 0, (const uint8_t *)buf, (uint32_t)len, err);
    }
}

int image_load_mem(struct image *img, const char *path, enum image_format fmt, enum mem_id mem,
                   enum image_format *detected, struct elf_avr *elf, struct ispf_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    int rc;

    if (fmt == IMAGE_FMT_IMMEDIATE) {
        if (detected)
            *detected = IMAGE_FMT_IMMEDIATE;
        return image_parse_immediate(img, path, err);
    }
    if (fmt != IMAGE_FMT_AUTO && fmt != IMAGE_FMT_IHEX && fmt != IMAGE_FMT_RAW &&
        fmt != IMAGE_FMT_SREC && fmt != IMAGE_FMT_ELF)
        return ispf_fail(err, ISPF_E_USAGE, "unknown file format %d", (int)fmt);
    rc = read_all(path, &buf, &len, err);
    if (rc)
        return rc;
    const char *name = display_name(path);
    if (fmt == IMAGE_FMT_AUTO) {
        int d = detect_format(buf, len);
        if (d < 0) {
            free(buf);
            return ispf_fail(err, ISPF_E_INPUT,
                             "%s:1: the file is empty (no data, and no format to detect; "
                             "use :r to load an empty raw binary)",
                             name);
        }
        fmt = (enum image_format)d;
    }
    if (detected)
        *detected = fmt;
    rc = load_buffer(img, buf, len, name, fmt, mem, elf, err);
    free(buf);
    return rc;
}

int image_load(struct image *img, const char *path, enum image_format fmt,
               enum image_format *detected, struct ispf_error *err)
{
    return image_load_mem(img, path, fmt, MEM_FLASH, detected, NULL, err);
}

int image_save(const struct image *img, const char *path, enum image_format fmt,
               struct ispf_error *err)
{
    struct outbuf o = {0};
    int rc = ISPF_OK;

    switch (fmt) {
    case IMAGE_FMT_AUTO:
    case IMAGE_FMT_IHEX: {
        char *text;
        size_t n;
        rc = ihex_format(img, &text, &n, err);
        if (rc)
            return rc;
        rc = write_all(path, text, n, err);
        free(text);
        return rc;
    }
    case IMAGE_FMT_RAW: {
        uint8_t *raw = malloc(img->end ? img->end : 1);
        if (!raw)
            return ispf_fail(err, ISPF_E_NOMEM, "out of memory writing %s", path);
        for (uint32_t a = 0; a < img->end; a++)
            raw[a] = image_get(img, a, 0xFF);
        rc = write_all(path, (const char *)raw, img->end, err);
        free(raw);
        return rc;
    }
    case IMAGE_FMT_IMMEDIATE:
        for (uint32_t a = 0; a < img->end; a++) {
            char v[8];
            int k = snprintf(v, sizeof v, "%s0x%02x", a ? "," : "", image_get(img, a, 0xFF));
            out_puts(&o, v, (size_t)k);
        }
        out_puts(&o, "\n", 1);
        break;
    case IMAGE_FMT_SREC:
        rc = srec_format(img, &o, err);
        break;
    case IMAGE_FMT_ELF:
        return ispf_fail(err, ISPF_E_USAGE,
                         "%s: ELF files are read, not written (use i, s or r to save)", path);
    default:
        return ispf_fail(err, ISPF_E_USAGE, "unknown file format %d", (int)fmt);
    }
    if (!rc && o.oom)
        rc = ispf_fail(err, ISPF_E_NOMEM, "out of memory writing %s", path);
    if (!rc)
        rc = write_all(path, o.p, o.n, err);
    free(o.p);
    return rc;
}
