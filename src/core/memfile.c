// SPDX-License-Identifier: GPL-2.0-or-later
/* Several memories in one file (include/ispflash/memfile.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ispflash/memfile.h"

uint32_t memfile_offset(enum mem_id mem)
{
    switch (mem) {
    case MEM_EEPROM:
        return MEMFILE_EEPROM;
    case MEM_LFUSE:
    case MEM_HFUSE:
    case MEM_EFUSE:
        return MEMFILE_FUSE + (uint32_t)(mem - MEM_LFUSE);
    case MEM_LOCK:
        return MEMFILE_LOCK;
    default:
        return 0;
    }
}

bool memfile_is_list(const char *text)
{
    return strcasecmp(text, "all") == 0 || strchr(text, ',') != NULL;
}

static int memfile_add(enum mem_id m, enum mem_id *mems, size_t max, size_t *n,
                       struct ispf_error *err)
{
    for (size_t i = 0; i < *n; i++)
        if (mems[i] == m)
            return ISPF_OK;
    if (*n == max)
        return ispf_fail(err, ISPF_E_USAGE, "too many memories in the list");
    mems[(*n)++] = m;
    return ISPF_OK;
}

int memfile_parse_list(const char *text, const struct part *p, enum mem_id *mems, size_t max,
                       size_t *n, struct ispf_error *err)
{
    *n = 0;
    if (strcasecmp(text, "all") == 0) {
        static const enum mem_id all[] = {MEM_FLASH, MEM_EEPROM, MEM_LFUSE,
                                          MEM_HFUSE, MEM_EFUSE,  MEM_LOCK};
        int rc = ISPF_OK;
        for (size_t i = 0; i < sizeof all / sizeof all[0] && rc == ISPF_OK; i++)
            if (part_mem_size(p, all[i]))
                rc = memfile_add(all[i], mems, max, n, err);
        return rc;
    }
    const char *s = text;
    while (*s) {
        size_t len = strcspn(s, ",");
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)len, s);
        int m = mem_from_name(name);
        if (m < 0 || m == MEM_SIGNATURE || m == MEM_CALIBRATION)
            return ispf_fail(err, ISPF_E_USAGE,
                             "%s: '%s' cannot be in a memory list (flash, eeprom, lfuse, hfuse, "
                             "efuse, lock; or ALL)",
                             text, name);
        if (!part_mem_size(p, (enum mem_id)m))
            return ispf_fail(err, ISPF_E_USAGE, "%s: %s has no %s", text, p->name, name);
        int rc = memfile_add((enum mem_id)m, mems, max, n, err);
        if (rc)
            return rc;
        s += len;
        if (*s == ',')
            s++;
    }
    return *n ? ISPF_OK : ispf_fail(err, ISPF_E_USAGE, "empty memory list");
}

int memfile_put(struct image *all, enum mem_id mem, const struct image *img, struct ispf_error *err)
{
    return image_put(all, img, memfile_offset(mem), err);
}

int memfile_get(const struct image *all, enum mem_id mem, const struct part *p, struct image *out,
                struct ispf_error *err)
{
    image_clear(out);
    uint32_t base = memfile_offset(mem);
    uint32_t size = mem_is_fuse(mem) ? 1 : part_mem_size(p, mem);
    uint32_t limit = mem == MEM_FLASH ? MEMFILE_EEPROM : base + (size ? size : 1);
    if (mem == MEM_EEPROM)
        limit = MEMFILE_FUSE;
    int rc = ISPF_OK;
    for (uint32_t a = base; a < limit && a < all->end && rc == ISPF_OK; a++)
        if (image_has(all, a))
            rc = image_set(out, a - base, all->data[a], err);
    return rc;
}

bool memfile_has_sections(const struct image *all)
{
    return all->end > MEMFILE_EEPROM;
}
