// SPDX-License-Identifier: GPL-2.0-or-later
/* --serial: parsing, checking against the part, rendering into the image. The counter
 * file is in serialno_counter.c. */
#include "ispflash/serialno.h"

#include <stdio.h>
#include <string.h>

#define SERIALNO_TEXT_LEN_MAX 64u
#define SERIALNO_BIN_LEN_MAX 8u

static const char *serialno_fmt_name(const struct serialno_spec *sp)
{
    switch (sp->fmt) {
    case SERIALNO_LE:
        return "le";
    case SERIALNO_BE:
        return "be";
    case SERIALNO_DEC:
        return "dec";
    default:
        return sp->tmpl;
    }
}

/* "eeprom:0x10:4:le", the spec as messages show it. */
static void serialno_describe(const struct serialno_spec *sp, char *out, size_t cap)
{
    snprintf(out, cap, "%s:0x%x:%u:%s", mem_name(sp->mem), (unsigned)sp->addr, (unsigned)sp->len,
             serialno_fmt_name(sp));
}

/* A decimal or 0x-hex number of n characters. */
static bool serialno_number(const char *s, size_t n, uint32_t *out)
{
    int base = 10;
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        n -= 2;
    }
    if (n == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > UINT32_MAX)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* The one conversion of a template: where it starts, its zero flag, width and letter. */
struct serialno_conv {
    size_t at, end; /* tmpl[at..end) is the conversion */
    bool zero;
    unsigned width;
    char letter;
    size_t literal; /* characters of output outside the conversion */
};

static int serialno_parse_tmpl(const char *arg, const char *tmpl, struct serialno_conv *cv,
                               struct ispf_error *err)
{
    int found = 0;
    memset(cv, 0, sizeof *cv);
    for (size_t i = 0; tmpl[i];) {
        if (tmpl[i] != '%') {
            cv->literal++;
            i++;
            continue;
        }
        if (tmpl[i + 1] == '%') {
            cv->literal++;
            i += 2;
            continue;
        }
        size_t k = i + 1;
        bool zero = tmpl[k] == '0';
        if (zero)
            k++;
        unsigned width = 0;
        while (tmpl[k] >= '0' && tmpl[k] <= '9' && width <= SERIALNO_TEXT_LEN_MAX)
            width = width * 10 + (unsigned)(tmpl[k++] - '0');
        char letter = tmpl[k];
        if (letter != 'u' && letter != 'd' && letter != 'x' && letter != 'X')
            return ispf_fail(err, ISPF_E_USAGE,
                             "--serial %s: \"%.*s\" in the template is not a conversion here: "
                             "use one of %%u %%d %%x %%X, zero-padded like %%06u if needed, "
                             "or %%%% for a '%%'",
                             arg, (int)(k - i + (letter ? 1 : 0)), tmpl + i);
        if (width > SERIALNO_TEXT_LEN_MAX)
            return ispf_fail(err, ISPF_E_USAGE,
                             "--serial %s: the width of \"%.*s\" is more than %u characters", arg,
                             (int)(k - i + 1), tmpl + i, SERIALNO_TEXT_LEN_MAX);
        if (++found > 1)
            return ispf_fail(err, ISPF_E_USAGE,
                             "--serial %s: the template has more than one conversion; it takes "
                             "exactly one (%%u %%d %%x %%X)",
                             arg);
        cv->at = i;
        cv->end = k + 1;
        cv->zero = zero;
        cv->width = width;
        cv->letter = letter;
        i = k + 1;
    }
    if (found == 0)
        return ispf_fail(err, ISPF_E_USAGE,
                         "--serial %s: FORMAT is le, be, dec or a template with one conversion "
                         "(%%u %%d %%x %%X, e.g. KB-%%06u); \"%s\" has none",
                         arg, tmpl);
    return ISPF_OK;
}

/* FORMAT and the LEN it allows. */
static int serialno_parse_format(const char *arg, const char *f, struct serialno_spec *sp,
                                 struct ispf_error *err)
{
    if (strcmp(f, "le") == 0)
        sp->fmt = SERIALNO_LE;
    else if (strcmp(f, "be") == 0)
        sp->fmt = SERIALNO_BE;
    else if (strcmp(f, "dec") == 0)
        sp->fmt = SERIALNO_DEC;
    else {
        if (*f == '\0')
            return ispf_fail(err, ISPF_E_USAGE, "--serial %s: FORMAT is empty", arg);
        if (strlen(f) >= sizeof sp->tmpl)
            return ispf_fail(err, ISPF_E_USAGE,
                             "--serial %s: the template is longer than %zu characters", arg,
                             sizeof sp->tmpl - 1);
        struct serialno_conv cv;
        int rc = serialno_parse_tmpl(arg, f, &cv, err);
        if (rc)
            return rc;
        size_t least = cv.literal + (cv.width > 1 ? cv.width : 1);
        if (sp->len >= 1 && sp->len <= SERIALNO_TEXT_LEN_MAX && least > sp->len)
            return ispf_fail(err, ISPF_E_USAGE,
                             "--serial %s: the template gives at least %zu characters, more "
                             "than LEN %u",
                             arg, least, (unsigned)sp->len);
        sp->fmt = SERIALNO_TEMPLATE;
        snprintf(sp->tmpl, sizeof sp->tmpl, "%s", f);
    }
    return ISPF_OK;
}

/* LEN suits the format: 1..8 bytes for binary, 1..64 for text. */
static int serialno_check_len(const char *what, const struct serialno_spec *sp,
                              struct ispf_error *err)
{
    bool bin = sp->fmt == SERIALNO_LE || sp->fmt == SERIALNO_BE;
    uint32_t max = bin ? SERIALNO_BIN_LEN_MAX : SERIALNO_TEXT_LEN_MAX;
    if (sp->len < 1 || sp->len > max)
        return ispf_fail(err, ISPF_E_USAGE, "--serial %s: LEN %u: %s takes 1 to %u bytes", what,
                         (unsigned)sp->len,
                         bin ? "binary (le, be)" : (sp->fmt == SERIALNO_DEC ? "dec" : "a template"),
                         (unsigned)max);
    return ISPF_OK;
}

int serialno_parse(const char *arg, struct serialno_spec *sp, struct ispf_error *err)
{
    memset(sp, 0, sizeof *sp);
    const char *c1 = strchr(arg, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c2 == NULL)
        return ispf_fail(err, ISPF_E_USAGE,
                         "--serial %s: expected MEM:ADDR:LEN[:FORMAT], e.g. eeprom:0x3f8:4 or "
                         "eeprom:0:9:KB-%%06u",
                         arg);
    const char *c3 = strchr(c2 + 1, ':');
    char mem[16];
    snprintf(mem, sizeof mem, "%.*s", (int)(c1 - arg), arg);
    if (strcmp(mem, "flash") == 0)
        sp->mem = MEM_FLASH;
    else if (strcmp(mem, "eeprom") == 0)
        sp->mem = MEM_EEPROM;
    else
        return ispf_fail(err, ISPF_E_USAGE, "--serial %s: MEM \"%.*s\" must be flash or eeprom",
                         arg, (int)(c1 - arg), arg);
    if (!serialno_number(c1 + 1, (size_t)(c2 - c1 - 1), &sp->addr))
        return ispf_fail(err, ISPF_E_USAGE,
                         "--serial %s: ADDR \"%.*s\" is not a number (decimal or 0x hex)", arg,
                         (int)(c2 - c1 - 1), c1 + 1);
    size_t lenlen = c3 ? (size_t)(c3 - c2 - 1) : strlen(c2 + 1);
    if (!serialno_number(c2 + 1, lenlen, &sp->len))
        return ispf_fail(err, ISPF_E_USAGE,
                         "--serial %s: LEN \"%.*s\" is not a number (decimal or 0x hex)", arg,
                         (int)lenlen, c2 + 1);
    sp->fmt = SERIALNO_LE;
    int rc = c3 ? serialno_parse_format(arg, c3 + 1, sp, err) : ISPF_OK;
    if (rc)
        return rc;
    return serialno_check_len(arg, sp, err);
}

int serialno_check_part(const struct serialno_spec *sp, const struct part *p,
                        struct ispf_error *err)
{
    char what[128];
    serialno_describe(sp, what, sizeof what);
    if (sp->mem != MEM_FLASH && sp->mem != MEM_EEPROM)
        return ispf_fail(err, ISPF_E_USAGE, "--serial %s: MEM must be flash or eeprom", what);
    int rc = serialno_check_len(what, sp, err);
    if (rc)
        return rc;
    uint32_t size = part_mem_size(p, sp->mem);
    const char *mname = sp->mem == MEM_FLASH ? "flash" : "EEPROM";
    if (size == 0)
        return ispf_fail(err, ISPF_E_USAGE, "--serial %s: the %s has no %s", what, p->name, mname);
    if ((uint64_t)sp->addr + sp->len > size)
        return ispf_fail(err, ISPF_E_USAGE,
                         "--serial %s: bytes 0x%x-0x%llx do not fit the %s's %s (%u bytes, "
                         "0x0-0x%x)",
                         what, (unsigned)sp->addr, (unsigned long long)sp->addr + sp->len - 1,
                         p->name, mname, (unsigned)size, (unsigned)(size - 1));
    return ISPF_OK;
}

bool serialno_overlaps(const struct serialno_spec *sp, const struct image *img)
{
    return image_count_range(img, sp->addr, sp->len) > 0;
}

/* The template with number in place of its conversion; false if longer than cap-1. */
static bool serialno_tmpl_text(const char *tmpl, uint64_t number, char *out, size_t cap)
{
    struct serialno_conv cv;
    if (serialno_parse_tmpl("", tmpl, &cv, NULL) != ISPF_OK)
        return false;
    char digits[32];
    snprintf(digits, sizeof digits,
             cv.letter == 'x'   ? "%llx"
             : cv.letter == 'X' ? "%llX"
                                : "%llu",
             (unsigned long long)number);
    size_t nd = strlen(digits), n = 0;
    size_t pad = cv.width > nd ? cv.width - nd : 0;
    for (size_t i = 0; tmpl[i];) {
        if (i == cv.at) {
            if (n + pad + nd >= cap)
                return false;
            memset(out + n, cv.zero ? '0' : ' ', pad);
            memcpy(out + n + pad, digits, nd);
            n += pad + nd;
            i = cv.end;
            continue;
        }
        if (n + 1 >= cap)
            return false;
        out[n++] = tmpl[i];
        i += tmpl[i] == '%' ? 2 : 1; /* "%%" */
    }
    out[n] = '\0';
    return true;
}

/* The LEN bytes of the number, and its text. */
static int serialno_bytes(const struct serialno_spec *sp, uint64_t number, uint8_t *b, char *txt,
                          struct ispf_error *err)
{
    char what[128];
    serialno_describe(sp, what, sizeof what);
    snprintf(txt, SERIALNO_TEXT_MAX, "%llu", (unsigned long long)number);
    uint32_t len = sp->len;
    switch (sp->fmt) {
    case SERIALNO_LE:
    case SERIALNO_BE:
        if (len < 8 && number >> (8 * len) != 0)
            return ispf_fail(err, ISPF_E_INPUT,
                             "serial number %llu does not fit in %u byte%s (--serial %s: at most "
                             "%llu)",
                             (unsigned long long)number, (unsigned)len, len == 1 ? "" : "s", what,
                             (unsigned long long)((1ull << (8 * len)) - 1));
        for (uint32_t i = 0; i < len; i++) {
            uint8_t v = (uint8_t)(number >> (8 * i));
            b[sp->fmt == SERIALNO_LE ? i : len - 1 - i] = v;
        }
        return ISPF_OK;
    case SERIALNO_DEC:
        if (strlen(txt) > len)
            return ispf_fail(err, ISPF_E_INPUT,
                             "serial number %llu has more than %u digits (--serial %s)",
                             (unsigned long long)number, (unsigned)len, what);
        memset(b, '0', len - strlen(txt));
        memcpy(b + len - strlen(txt), txt, strlen(txt));
        return ISPF_OK;
    default:
        if (!serialno_tmpl_text(sp->tmpl, number, txt, SERIALNO_TEXT_MAX) || strlen(txt) > len)
            return ispf_fail(err, ISPF_E_INPUT,
                             "serial number %llu as %s is longer than %u bytes (--serial %s)",
                             (unsigned long long)number, sp->tmpl, (unsigned)len, what);
        size_t n = strlen(txt);
        memcpy(b, txt, n);
        if (n < len)
            b[n++] = 0x00;
        memset(b + n, 0xff, len - n);
        return ISPF_OK;
    }
}

int serialno_render(const struct serialno_spec *sp, uint64_t number, struct image *img, char *text,
                    size_t textlen, struct ispf_error *err)
{
    uint8_t b[SERIALNO_TEXT_LEN_MAX];
    char txt[SERIALNO_TEXT_MAX];
    char what[128];
    serialno_describe(sp, what, sizeof what);
    int rc = serialno_check_len(what, sp, err);
    if (rc)
        return rc;
    rc = serialno_bytes(sp, number, b, txt, err);
    if (rc)
        return rc;
    rc = image_set_range(img, sp->addr, b, sp->len, err);
    if (rc)
        return rc;
    if (text != NULL && textlen > 0)
        snprintf(text, textlen, "%s", txt);
    return ISPF_OK;
}
