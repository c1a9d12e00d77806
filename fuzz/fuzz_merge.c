// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `ispflash merge` (src/core/merge.c): the input is up to four files separated by the
 * 4-byte marker "\0MRG", each "ARG\nCONTENT": ARG the command-line input (its @OFFSET
 * part is kept, the path replaced), CONTENT the file. Then the merged image is checked
 * against the ATmega32U4 and a boot section. Asserts: every failure has a message;
 * an accepted merge holds every byte of every input at its address.
 */
#include "fuzz.h"
#include "ispflash/image.h"
#include "ispflash/merge.h"

static const uint8_t *next_part(const uint8_t *p, const uint8_t *end, const uint8_t **stop)
{
    for (const uint8_t *q = p; q + 4 <= end; q++)
        if (memcmp(q, "\0MRG", 4) == 0) {
            *stop = q;
            return q + 4;
        }
    *stop = end;
    return NULL;
}

static int add_one(struct merge *m, int i, const uint8_t *p, const uint8_t *stop,
                   struct ispf_error *err)
{
    const uint8_t *nl = memchr(p, '\n', (size_t)(stop - p));
    size_t alen = nl ? (size_t)(nl - p) : 0;
    const uint8_t *content = nl ? nl + 1 : p;
    char *arg = fuzz_strdup(p, alen > 64 ? 64 : alen);
    char name[16], path[400];
    snprintf(name, sizeof name, "in%d.bin", i);
    snprintf(path, sizeof path, "%s%s", fuzz_file(name, content, (size_t)(stop - content)),
             strchr(arg, '@') ? strrchr(arg, '@') : "");
    struct merge_input in;
    int rc = merge_input_parse(path, &in, err);
    fuzz_check_error(rc, err);
    if (rc == ISPF_OK) {
        rc = merge_add_file(m, &in, err);
        fuzz_check_error(rc, err);
    }
    merge_input_free(&in);
    free(arg);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    struct merge m;
    struct ispf_error err;
    merge_init(&m);
    ispf_error_clear(&err);
    const uint8_t *p = data, *end = data + size;
    int rc = ISPF_OK;
    for (int i = 0; i < 4 && p && rc == ISPF_OK; i++) {
        const uint8_t *stop;
        const uint8_t *next = next_part(p, end, &stop);
        rc = add_one(&m, i, p, stop, &err);
        p = next;
    }
    if (rc == ISPF_OK) {
        for (size_t i = 0; i < m.n; i++) {
            uint32_t from = 0, start, len;
            while (image_next_segment(&m.items[i].img, &from, &start, &len))
                for (uint32_t a = start; a < start + len; a++)
                    FUZZ_CHECK(image_has(&m.out, a) && m.out.data[a] == m.items[i].img.data[a]);
        }
        const struct part *pt = part_find("atmega32u4");
        FUZZ_CHECK(pt != NULL);
        fuzz_check_error(merge_check_fits(&m, pt, &err), &err);
        struct boot_section bs;
        if (merge_boot_from_size(pt, 4096, &bs, &err) == ISPF_OK) {
            size_t n_boot = 0;
            fuzz_check_error(merge_check_boot(&m, &bs, &n_boot, &err), &err);
        }
    }
    merge_free(&m);
    return 0;
}
