// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lookups in the part database (the table itself is generated into partdb.c) and
 * the names of the memories.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ispflash/part.h"
#include "partdb.h"

/* ------------------------------------------------------------ memories -- */

static const char *const part_mem_names[MEM__COUNT] = {
    [MEM_FLASH] = "flash",         [MEM_EEPROM] = "eeprom", [MEM_LFUSE] = "lfuse",
    [MEM_HFUSE] = "hfuse",         [MEM_EFUSE] = "efuse",   [MEM_LOCK] = "lock",
    [MEM_SIGNATURE] = "signature", [MEM_CALIBRATION] = "calibration",
};

/* avrdude's other spellings of the same memories. */
static const struct {
    const char *name;
    enum mem_id mem;
} part_mem_aliases[] = {
    {"fuse0", MEM_LFUSE}, {"fuse1", MEM_HFUSE}, {"fuse2", MEM_EFUSE}, {"lockbits", MEM_LOCK},
};

const char *mem_name(enum mem_id mem)
{
    if ((int)mem < 0 || mem >= MEM__COUNT)
        return "?";
    return part_mem_names[mem];
}

int mem_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < MEM__COUNT; i++)
        if (strcasecmp(name, part_mem_names[i]) == 0)
            return i;
    for (size_t i = 0; i < sizeof part_mem_aliases / sizeof part_mem_aliases[0]; i++)
        if (strcasecmp(name, part_mem_aliases[i].name) == 0)
            return (int)part_mem_aliases[i].mem;
    return -1;
}

bool mem_is_fuse(enum mem_id mem)
{
    return mem >= MEM_LFUSE && mem <= MEM_LOCK;
}

/* --------------------------------------------------------------- table -- */

size_t part_count(void)
{
    return partdb_count;
}

const struct part *part_at(size_t i)
{
    return i < partdb_count ? &partdb_parts[i] : NULL;
}

/* Calls fn(name, len) for each name of the part (id, datasheet name, aliases);
 * stops and returns true when fn does. */
typedef bool (*part_name_fn)(const char *name, size_t len, void *ctx);

static bool part_each_name(const struct part *p, part_name_fn fn, void *ctx)
{
    if (fn(p->id, strlen(p->id), ctx) || fn(p->name, strlen(p->name), ctx))
        return true;
    const char *s = p->aliases ? p->aliases : "";
    while (*s) {
        while (*s == ' ')
            s++;
        size_t n = strcspn(s, " ");
        if (n && fn(s, n, ctx))
            return true;
        s += n;
    }
    return false;
}

static bool part_name_equals(const char *name, size_t len, void *ctx)
{
    const char *want = ctx;
    return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

const struct part *part_find(const char *name)
{
    if (!name || !*name)
        return NULL;
    for (size_t i = 0; i < partdb_count; i++)
        if (part_each_name(&partdb_parts[i], part_name_equals, (void *)name))
            return &partdb_parts[i];
    return NULL;
}

size_t part_find_by_signature(const uint8_t sig[3], const struct part **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < partdb_count; i++) {
        if (memcmp(partdb_parts[i].signature, sig, 3) != 0)
            continue;
        if (out && n < max)
            out[n] = &partdb_parts[i];
        n++;
    }
    return n;
}

/* ---------------------------------------------------------- suggestions -- */

/* Edit distance in half-steps: insert, delete, transpose and substitute cost 2,
 * except that substituting a neighbouring key of a QWERTY keyboard costs 1, so
 * "atmega32u5" ranks atmega32u4 before atmega32u2. */
#define PART_SUGGEST_MAXLEN 40

static bool part_key_pos(int c, int *x, int *y)
{
    static const char *const rows[] = {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"};
    static const int offset[] = {0, 2, 3, 5};
    for (int r = 0; r < 4; r++) {
        const char *at = strchr(rows[r], c);
        if (c && at) {
            *x = (int)(at - rows[r]) * 4 + offset[r];
            *y = r;
            return true;
        }
    }
    return false;
}

static int part_subst_cost(int a, int b)
{
    if (a == b)
        return 0;
    int ax, ay, bx, by;
    if (part_key_pos(a, &ax, &ay) && part_key_pos(b, &bx, &by)) {
        int dx = abs(ax - bx), dy = abs(ay - by);
        if ((dy == 0 && dx == 4) || (dy == 1 && dx <= 3))
            return 1;
    }
    return 2;
}

static int part_min3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

/* Optimal string alignment distance, case-insensitive, in half-steps. */
static int part_distance(const char *a, size_t la, const char *b, size_t lb)
{
    int d[PART_SUGGEST_MAXLEN + 1][PART_SUGGEST_MAXLEN + 1];
    if (la > PART_SUGGEST_MAXLEN)
        la = PART_SUGGEST_MAXLEN;
    if (lb > PART_SUGGEST_MAXLEN)
        lb = PART_SUGGEST_MAXLEN;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i * 2;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j * 2;
    for (size_t i = 1; i <= la; i++) {
        int ca = tolower((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= lb; j++) {
            int cb = tolower((unsigned char)b[j - 1]);
            int v = part_min3(d[i - 1][j] + 2, d[i][j - 1] + 2,
                              d[i - 1][j - 1] + part_subst_cost(ca, cb));
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 2 < v)
                v = d[i - 2][j - 2] + 2;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

struct part_dist_ctx {
    const char *query;
    size_t qlen;
    int best;
};

static bool part_name_distance(const char *name, size_t len, void *ctx)
{
    struct part_dist_ctx *c = ctx;
    int d = part_distance(c->query, c->qlen, name, len);
    if (d < c->best)
        c->best = d;
    return false;
}

size_t part_suggest(const char *name, const struct part **out, size_t max)
{
    if (!name || !*name || !out || max == 0)
        return 0;
    size_t qlen = strlen(name);
    /* Close enough: at most a third of the typed name wrong, and at least two edits allowed. */
    int limit = 2 * (qlen / 3 > 2 ? (int)(qlen / 3) : 2);
    int *dist = malloc(partdb_count * sizeof *dist);
    if (!dist)
        return 0;
    for (size_t i = 0; i < partdb_count; i++) {
        struct part_dist_ctx c = {name, qlen, 1 << 30};
        part_each_name(&partdb_parts[i], part_name_distance, &c);
        dist[i] = c.best;
    }
    size_t n = 0;
    /* Selection by increasing distance; ties keep table order. */
    for (int d = 0; d <= limit && n < max; d++)
        for (size_t i = 0; i < partdb_count && n < max; i++)
            if (dist[i] == d)
                out[n++] = &partdb_parts[i];
    free(dist);
    return n;
}

/* --------------------------------------------------------- per part ---- */

uint32_t part_mem_size(const struct part *p, enum mem_id mem)
{
    if (!p)
        return 0;
    switch (mem) {
    case MEM_FLASH:
        return p->flash_size;
    case MEM_EEPROM:
        return p->eeprom_size;
    case MEM_LFUSE:
    case MEM_HFUSE:
    case MEM_EFUSE:
    case MEM_LOCK:
        return p->fuse[mem - MEM_LFUSE].present ? 1 : 0;
    case MEM_SIGNATURE:
        return 3;
    case MEM_CALIBRATION:
        return p->n_calibration;
    default:
        return 0;
    }
}

const struct fuse_byte *part_fuse(const struct part *p, enum mem_id mem)
{
    if (!p || !mem_is_fuse(mem))
        return NULL;
    return &p->fuse[mem - MEM_LFUSE];
}

const struct fuse_field *part_fuse_field(const struct part *p, const char *name,
                                         enum mem_id *mem)
{
    if (!p || !name)
        return NULL;
    for (int b = 0; b < 4; b++) {
        const struct fuse_byte *fb = &p->fuse[b];
        if (!fb->present)
            continue;
        for (size_t f = 0; f < fb->n_fields; f++) {
            if (strcasecmp(fb->fields[f].name, name) == 0) {
                if (mem)
                    *mem = (enum mem_id)(MEM_LFUSE + b);
                return &fb->fields[f];
            }
        }
    }
    return NULL;
}
