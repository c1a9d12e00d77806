// SPDX-License-Identifier: GPL-2.0-or-later
/* One image from several files (include/ispflash/merge.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/compat.h"

#include "ispflash/bootloaders.h"
#include "ispflash/elf.h"
#include "ispflash/fuse.h"
#include "ispflash/log.h"
#include "ispflash/merge.h"

/* ---- inputs ---- */

/* A number in decimal or 0x hex, all of s: true and *v. */
static bool merge_number(const char *s, unsigned long long *v)
{
    if (!*s || *s == '-' || *s == '+' || *s == ' ')
        return false;
    char *end;
    errno = 0;
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    *v = strtoull(s, &end, hex ? 16 : 10);
    return errno == 0 && *end == '\0' && end != s + (hex ? 2 : 0);
}

int merge_input_parse(const char *arg, struct merge_input *in, struct ispf_error *err)
{
    memset(in, 0, sizeof *in);
    const char *at = strrchr(arg, '@');
    unsigned long long v = 0;
    size_t plen = strlen(arg);
    if (at && at != arg && merge_number(at + 1, &v)) {
        if (v >= IMAGE_MAX_SIZE)
            return ispf_fail(err, ISPF_E_USAGE, "%s: offset %s is beyond 16 MiB", arg, at + 1);
        in->has_offset = true;
        in->offset = (uint32_t)v;
        plen = (size_t)(at - arg);
    }
    in->path = strndup(arg, plen);
    if (!in->path)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    return ISPF_OK;
}

void merge_input_free(struct merge_input *in)
{
    free(in->path);
    in->path = NULL;
}

/* ---- the merge ---- */

void merge_init(struct merge *m)
{
    memset(m, 0, sizeof *m);
    image_init(&m->out);
}

void merge_free(struct merge *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].name);
        image_free(&m->items[i].img);
    }
    free(m->items);
    image_free(&m->out);
    merge_init(m);
}

/* The first input holding addr (every input holding it gives out's value). */
static const struct merge_item *merge_owner(const struct merge *m, uint32_t addr)
{
    for (size_t i = 0; i < m->n; i++)
        if (image_has(&m->items[i].img, addr))
            return &m->items[i];
    return NULL;
}

/* The lowest address where img and the merge so far disagree: true and *addr. */
static bool merge_find_conflict(const struct merge *m, const struct image *img, uint32_t *addr)
{
    uint32_t from = 0, start, len;
    while (image_next_segment(img, &from, &start, &len)) {
        for (uint32_t a = start; a < start + len; a++) {
            if (image_has(&m->out, a) && m->out.data[a] != img->data[a]) {
                *addr = a;
                return true;
            }
        }
    }
    return false;
}

static int merge_copy(struct image *to, const struct image *from, uint32_t shift,
                      struct ispf_error *err)
{
    uint32_t pos = 0, start, len;
    while (image_next_segment(from, &pos, &start, &len)) {
        if ((uint64_t)start + shift + len > IMAGE_MAX_SIZE)
            return ispf_fail(err, ISPF_E_INPUT, "data at 0x%x would lie beyond 16 MiB",
                             start + shift);
        int rc = image_set_range(to, start + shift, from->data + start, len, err);
        if (rc)
            return rc;
    }
    return ISPF_OK;
}

int merge_add_image(struct merge *m, const char *name, const struct image *img,
                    struct ispf_error *err)
{
    uint32_t a;
    if (merge_find_conflict(m, img, &a)) {
        const struct merge_item *o = merge_owner(m, a);
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s and %s conflict at 0x%05x: %s has 0x%02X there, %s has 0x%02X "
                         "(inputs may overlap only where they agree)",
                         o ? o->name : "an earlier input", name, a, o ? o->name : "it",
                         m->out.data[a], name, img->data[a]);
    }
    if (m->n == m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 8;
        struct merge_item *ni = realloc(m->items, ncap * sizeof *ni);
        if (!ni)
            return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
        m->items = ni;
        m->cap = ncap;
    }
    struct merge_item *it = &m->items[m->n];
    it->name = strdup(name);
    image_init(&it->img);
    int rc = it->name ? merge_copy(&it->img, img, 0, err)
                      : ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    if (rc == ISPF_OK)
        rc = merge_copy(&m->out, img, 0, err);
    if (rc) {
        free(it->name);
        image_free(&it->img);
        return rc;
    }
    m->n++;
    return ISPF_OK;
}

/* An ELF input gives its flash; say what else it holds, which the output does not. */
static void merge_elf_note(const char *name, const struct elf_avr *e)
{
    char others[256];
    if (elf_avr_others(e, MEM_FLASH, others, sizeof others))
        ispf_log(ISPF_LOG_INFO, "merge", "%s also holds %s: the merged image is flash only", name,
                 others);
}

int merge_add_file(struct merge *m, const struct merge_input *in, struct ispf_error *err)
{
    struct image img, shifted;
    struct elf_avr elf;
    enum image_format fmt = IMAGE_FMT_AUTO;
    image_init(&img);
    image_init(&shifted);
    elf_avr_init(&elf);
    int rc = image_load_mem(&img, in->path, IMAGE_FMT_AUTO, MEM_FLASH, &fmt, &elf, err);
    const char *name = strcmp(in->path, "-") == 0 ? "<stdin>" : in->path;
    if (rc == ISPF_OK && in->has_offset && fmt != IMAGE_FMT_RAW)
        rc = ispf_fail(err, ISPF_E_USAGE,
                       "%s@0x%x: an @OFFSET places a raw binary file; %s is %s, whose "
                       "addresses are in the file (give it without @)",
                       in->path, in->offset, name, image_format_name(fmt));
    if (rc == ISPF_OK && image_empty(&img))
        rc = ispf_fail(err, ISPF_E_INPUT, "%s: no data to merge", name);
    if (rc == ISPF_OK && fmt == IMAGE_FMT_ELF)
        merge_elf_note(name, &elf);
    if (rc == ISPF_OK) {
        ispf_log(ISPF_LOG_DEBUG, "merge", "%s: %s, %u bytes, 0x%05x-0x%05x", name,
                 image_format_name(fmt), img.count, image_start(&img) + in->offset,
                 img.end - 1 + in->offset);
        rc = merge_copy(&shifted, &img, in->has_offset ? in->offset : 0, err);
        if (rc)
            ispf_error_prefix(err, "%s: ", name);
    }
    if (rc == ISPF_OK)
        rc = merge_add_image(m, name, &shifted, err);
    elf_avr_free(&elf);
    image_free(&img);
    image_free(&shifted);
    return rc;
}

/* ---- checks ---- */

int merge_check_fits(const struct merge *m, const struct part *p, struct ispf_error *err)
{
    uint32_t size = p->flash_size;
    if (m->out.end <= size)
        return ISPF_OK;
    uint32_t from = size, start, len;
    image_next_segment(&m->out, &from, &start, &len);
    const struct merge_item *o = merge_owner(m, start);
    return ispf_fail(err, ISPF_E_INPUT,
                     "%s does not fit the %s: it has data at 0x%05x, the flash is %u bytes "
                     "(0x0000-0x%04x)",
                     o ? o->name : "the image", p->name, start, size, size - 1);
}

int merge_boot_from_preset(const struct part *p, const char *name, struct boot_section *bs,
                           struct ispf_error *err)
{
    const struct bootloader_preset *b = bootloader_find(name, p);
    if (!b) {
        char names[256];
        bootloader_names_for_part(p, names, sizeof names);
        if (bootloader_name_known(name))
            return ispf_fail(err, ISPF_E_USAGE, "--bootloader %s: no such preset for the %s%s%s",
                             name, p->name, names[0] ? "; its presets: " : "", names);
        return ispf_fail(err, ISPF_E_USAGE,
                         "--bootloader %s: unknown bootloader%s%s (--bootloader ? lists them)",
                         name, names[0] ? "; presets for this part: " : "", names);
    }
    bool write[4];
    uint8_t val[4], v[FUSE_NBYTES];
    int rc = bootloader_fuses(b, p, BOOTLOADER_JTAG_TABLE, write, val, err);
    if (rc)
        return rc;
    for (int i = 0; i < FUSE_NBYTES; i++)
        v[i] = write[i] ? val[i] : (p->fuse[i].present ? p->fuse[i].initval : 0xFF);
    struct fuse_boot fb;
    fuse_boot_config(p, v, &fb);
    if (!fb.has_boot)
        return ispf_fail(err, ISPF_E_USAGE, "--bootloader %s: the %s has no boot section", name,
                         p->name);
    bs->start = fb.start;
    bs->size = fb.size;
    return ISPF_OK;
}

int merge_boot_from_size(const struct part *p, uint32_t size, struct boot_section *bs,
                         struct ispf_error *err)
{
    if (size == 0 || size >= p->flash_size)
        return ispf_fail(err, ISPF_E_USAGE,
                         "--boot-size %u: the boot section must be smaller than the %s's flash "
                         "(%u bytes) and not empty",
                         size, p->name, p->flash_size);
    bs->start = p->flash_size - size;
    bs->size = size;
    return ISPF_OK;
}

int merge_check_boot(const struct merge *m, const struct boot_section *bs, size_t *n_boot,
                     struct ispf_error *err)
{
    size_t nb = 0;
    uint32_t end = bs->start + bs->size;
    for (size_t i = 0; i < m->n; i++) {
        const struct image *img = &m->items[i].img;
        uint32_t lo = image_start(img);
        if (lo >= bs->start && lo < end) {
            nb++;
            continue;
        }
        if (image_count_range(img, bs->start, bs->size) == 0)
            continue;
        uint32_t from = bs->start, start, len;
        image_next_segment(img, &from, &start, &len);
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s runs into the boot section: it starts at 0x%05x and has data at "
                         "0x%05x, but 0x%05x-0x%05x (%u bytes) is the bootloader's",
                         m->items[i].name, lo, start, bs->start, end - 1, bs->size);
    }
    if (n_boot)
        *n_boot = nb;
    return ISPF_OK;
}
