// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lookups in the part database (the table itself is generated into partdb.c) and
 * the names of the memories.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/suggest.h"
#include "ispflash/part.h"
#include "partdb.h"

/* ------------------------------------------------------------ memories -- */

static const char *const part_mem_names[MEM__COUNT] = {
    [MEM_FLASH] = "flash",         [MEM_EEPROM] = "eeprom",
    [MEM_LFUSE] = "lfuse",         [MEM_HFUSE] = "hfuse",
    [MEM_EFUSE] = "efuse",         [MEM_LOCK] = "lock",
    [MEM_SIGNATURE] = "signature", [MEM_CALIBRATION] = "calibration",
};

/* avrdude's other spellings of the same memories. */
static const struct {
    const char *name;
    enum mem_id mem;
} part_mem_aliases[] = {
    {"fuse0", MEM_LFUSE},
    {"fuse1", MEM_HFUSE},
    {"fuse2", MEM_EFUSE},
    {"lockbits", MEM_LOCK},
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
    for (size_t i = 0; out && i < partdb_count && n < max; i++)
        if (memcmp(partdb_parts[i].signature, sig, 3) == 0)
            out[n++] = &partdb_parts[i];
    return n;
}

size_t part_count_by_signature(const uint8_t sig[3])
{
    size_t n = 0;
    for (size_t i = 0; i < partdb_count; i++)
        n += memcmp(partdb_parts[i].signature, sig, 3) == 0;
    return n;
}

/* ---------------------------------------------------------- suggestions -- */

struct part_dist_ctx {
    const char *query;
    size_t qlen;
    int best;
};

static bool part_name_distance(const char *name, size_t len, void *ctx)
{
    struct part_dist_ctx *c = ctx;
    int d = suggest_distance(c->query, c->qlen, name, len);
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
    size_t *idx = malloc(max * sizeof *idx);
    size_t n = 0;
    if (dist && idx) {
        for (size_t i = 0; i < partdb_count; i++) {
            struct part_dist_ctx c = {name, qlen, 1 << 30};
            part_each_name(&partdb_parts[i], part_name_distance, &c);
            dist[i] = c.best;
        }
        n = suggest_pick(dist, partdb_count, limit, idx, max);
        for (size_t k = 0; k < n; k++)
            out[k] = &partdb_parts[idx[k]];
    }
    free(dist);
    free(idx);
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

const struct fuse_field *part_fuse_field(const struct part *p, const char *name, enum mem_id *mem)
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
