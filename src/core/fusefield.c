// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --fuse FIELD=VALUE (include/ispflash/fusefield.h): a field of the part's fuse table
 * by name, and the bits a value sets. Names and values come from the part database,
 * the way the decoder (fuse_decode.c) prints them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/suggest.h"
#include "core/fuse_internal.h"
#include "ispflash/fusefield.h"

#define FF_MAX_FIELDS 64

/* Every field of the part with its byte; returns how many. */
static size_t ff_fields(const struct part *p, const struct fuse_field **f, enum mem_id *m,
                        size_t max)
{
    size_t n = 0;
    for (int i = 0; i < FUSE_NBYTES; i++) {
        const struct fuse_byte *fb = &p->fuse[i];
        for (size_t k = 0; fb->present && k < fb->n_fields && n < max; k++) {
            f[n] = &fb->fields[k];
            m[n++] = fuse_mem(i);
        }
    }
    return n;
}

/* "did you mean A, B?" for an unknown field name, or "" */
static void ff_suggest(const struct part *p, const char *name, char *buf, size_t len)
{
    const struct fuse_field *f[FF_MAX_FIELDS];
    enum mem_id m[FF_MAX_FIELDS];
    size_t n = ff_fields(p, f, m, FF_MAX_FIELDS);
    int dist[FF_MAX_FIELDS];
    size_t ql = strlen(name);
    for (size_t i = 0; i < n; i++)
        dist[i] = suggest_distance(name, ql, f[i]->name, strlen(f[i]->name));
    size_t idx[3];
    int limit = 2 * (ql / 3 > 2 ? (int)(ql / 3) : 2);
    size_t k = suggest_pick(dist, n, limit, idx, 3);
    struct fuse_buf b;
    fuse_buf_init(&b, buf, len);
    for (size_t i = 0; i < k; i++)
        fuse_buf_add(&b, "%s%s", i ? ", " : "; did you mean ", f[idx[i]]->name);
    if (k)
        fuse_buf_add(&b, "?");
}

/* Case-insensitive: does hay contain needle? */
static bool ff_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

static bool ff_word(const char *v, const char *const *words)
{
    for (size_t i = 0; words[i]; i++)
        if (strcasecmp(v, words[i]) == 0)
            return true;
    return false;
}

/* A number with an optional unit suffix (W/words, B/bytes); unit 0 when none. */
static bool ff_number(const char *v, unsigned long *out, char *unit)
{
    char *end;
    errno = 0;
    if (!isdigit((unsigned char)v[0]))
        return false;
    *out = strtoul(v, &end, 0);
    if (errno)
        return false;
    while (*end == ' ')
        end++;
    *unit = 0;
    if (*end == '\0')
        return true;
    if (strcasecmp(end, "w") == 0 || strcasecmp(end, "words") == 0)
        *unit = 'W';
    else if (strcasecmp(end, "b") == 0 || strcasecmp(end, "bytes") == 0)
        *unit = 'B';
    else
        return false;
    return true;
}

static int ff_bad_value(const struct part *p, enum mem_id mem, const struct fuse_field *f,
                        const char *arg, const char *why, struct ispf_error *err)
{
    char vals[900];
    fusefield_values(p, mem, f, "; ", vals, sizeof vals);
    return ispf_fail(err, ISPF_E_USAGE, "--fuse %s: %s; %s of the %s takes: %s", arg, why, f->name,
                     p->name, vals);
}

/* BOOTSZ: a size in words (no unit or W) or bytes (B). */
static int ff_bootsz(const struct part *p, enum mem_id mem, const struct fuse_field *f,
                     const char *arg, const char *v, uint8_t *val, struct ispf_error *err)
{
    unsigned long n;
    char unit;
    if (!ff_number(v, &n, &unit))
        return ff_bad_value(p, mem, f, arg, "give the boot section size", err);
    unsigned long words = unit == 'B' ? n / 2 : n;
    for (uint8_t x = 0; x <= fuse_field_get(f, f->mask); x++) {
        struct boot_section bs;
        if (fuse_boot_section(p, x, &bs) && bs.size / 2 == words && (unit != 'B' || n % 2 == 0)) {
            *val = x;
            return ISPF_OK;
        }
    }
    char why[120];
    snprintf(why, sizeof why, "no boot section of %lu %s", n, unit == 'B' ? "bytes" : "words");
    return ff_bad_value(p, mem, f, arg, why, err);
}

/* A multi-bit field with a value table: a number, or a caption piece only one value has. */
static int ff_table(const struct part *p, enum mem_id mem, const struct fuse_field *f,
                    const char *arg, const char *v, uint8_t *val, struct ispf_error *err)
{
    unsigned long n;
    char unit;
    if (ff_number(v, &n, &unit) && unit == 0) {
        if (n <= fuse_field_get(f, f->mask) && (!f->n_values || fuse_field_lookup(f, (uint8_t)n))) {
            *val = (uint8_t)n;
            return ISPF_OK;
        }
        return ff_bad_value(p, mem, f, arg, "not a value of the field", err);
    }
    int found = -1;
    for (size_t i = 0; i < f->n_values; i++) {
        char cap[200];
        fuse_clean_caption(f->values[i].caption, cap, sizeof cap);
        if (strcasecmp(cap, v) == 0) {
            found = (int)i;
            break;
        }
        if (ff_contains(cap, v)) {
            if (found >= 0)
                return ff_bad_value(p, mem, f, arg, "more than one value matches", err);
            found = (int)i;
        }
    }
    if (found < 0)
        return ff_bad_value(p, mem, f, arg, "no value matches", err);
    *val = f->values[found].value;
    return ISPF_OK;
}

int fusefield_parse(const struct part *p, const char *arg, struct fusefield_set *out,
                    struct ispf_error *err)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return ispf_fail(err, ISPF_E_USAGE,
                         "--fuse %s: give FIELD=VALUE, e.g. --fuse JTAGEN=off (--fuse ? lists "
                         "the fields of the %s)",
                         arg, p->name);
    char name[48];
    snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
    const char *v = eq + 1;
    enum mem_id mem;
    const struct fuse_field *f = part_fuse_field(p, name, &mem);
    if (!f) {
        char sug[160];
        ff_suggest(p, name, sug, sizeof sug);
        return ispf_fail(err, ISPF_E_USAGE,
                         "--fuse %s: the %s has no fuse field %s%s (--fuse ? "
                         "lists them)",
                         arg, p->name, name, sug);
    }
    static const char *const on[] = {"on", "programmed", "1", "yes", "true", NULL};
    static const char *const off[] = {"off", "unprogrammed", "0", "no", "false", NULL};
    uint8_t val = 0;
    int rc = ISPF_OK;
    if (fuse_field_is_flag(f)) {
        if (ff_word(v, on))
            val = 0; /* programmed: the bit reads 0 */
        else if (ff_word(v, off))
            val = 1;
        else
            rc = ff_bad_value(p, mem, f, arg, "a one-bit field is on or off", err);
    } else if (fuse_is(f, "BOOTSZ")) {
        rc = ff_bootsz(p, mem, f, arg, v, &val, err);
    } else {
        rc = ff_table(p, mem, f, arg, v, &val, err);
    }
    if (rc)
        return rc;
    out->mem = mem;
    out->field = f;
    out->mask = f->mask;
    out->bits = fuse_field_put(f, 0, val);
    return ISPF_OK;
}

size_t fusefield_values(const struct part *p, enum mem_id mem, const struct fuse_field *f,
                        const char *sep, char *buf, size_t len)
{
    struct fuse_buf b;
    fuse_buf_init(&b, buf, len);
    (void)mem;
    if (fuse_field_is_flag(f)) {
        fuse_buf_add(&b, "on, off");
        return b.pos;
    }
    uint8_t maxv = fuse_field_get(f, f->mask);
    bool first = true;
    for (unsigned x = 0; x <= maxv; x++) {
        struct boot_section bs;
        if (fuse_is(f, "BOOTSZ")) {
            if (!fuse_boot_section(p, (uint8_t)x, &bs))
                continue;
            fuse_buf_add(&b, "%s%uW (%uB)", first ? "" : ", ", (unsigned)(bs.size / 2),
                         (unsigned)bs.size);
            first = false;
            continue;
        }
        const struct fuse_value *fv = f->n_values ? fuse_field_lookup(f, (uint8_t)x) : NULL;
        if (f->n_values && !fv)
            continue;
        char cap[200] = "";
        if (fv)
            fuse_clean_caption(fv->caption, cap, sizeof cap);
        fuse_buf_add(&b, "%s0x%X%s%s", first ? "" : sep, x, cap[0] ? " = " : "", cap);
        first = false;
    }
    return b.pos;
}
