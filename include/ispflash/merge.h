/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One image from several files (ispflash merge): a bootloader and an application,
 * each Intel HEX, S-record, ELF (its flash) or raw binary at an offset, joined into one
 * flash image, with the checks a production image needs:
 *  - two inputs that give different bytes for one address are an error naming both
 *    files, the address and both values (identical overlaps are fine);
 *  - with a part: the result fits its flash;
 *  - with a boot section (a --bootloader preset's BOOTSZ, or --boot-size): an input
 *    whose data starts in the boot section is a bootloader; any other input (an
 *    application) with data in the boot section is an error.
 */
#ifndef ISPFLASH_MERGE_H
#define ISPFLASH_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"
#include "ispflash/image.h"
#include "ispflash/part.h"

/* One input as given: "app.hex", "boot.bin@0x7000". */
struct merge_input {
    char *path;      /* the file (malloc'ed by merge_input_parse) */
    bool has_offset; /* "@OFFSET" was given: the file must be raw binary */
    uint32_t offset; /* where a raw binary's first byte goes */
};

/* Split "FILE[@OFFSET]" (OFFSET: decimal or 0x hex, below 16 MiB). A text after the
 * last '@' that is not a number is part of the file name. ISPF_E_USAGE for an offset
 * that is too large; free in->path with merge_input_free. */
int merge_input_parse(const char *arg, struct merge_input *in, struct ispf_error *err);
void merge_input_free(struct merge_input *in);

/* One input once loaded. */
struct merge_item {
    char *name;       /* for messages (the file name) */
    struct image img; /* its flash bytes at their addresses */
};

/* The merge so far: every input (kept to name the owner of a conflicting byte) and
 * their union. */
struct merge {
    struct image out;
    struct merge_item *items;
    size_t n, cap;
};

void merge_init(struct merge *m);
void merge_free(struct merge *m);

/* Add img as an input called name (both are copied). ISPF_E_INPUT if it gives a byte
 * another input gives differently: the lowest such address of img, its value there
 * and the value and name of the first earlier input holding that address. */
int merge_add_image(struct merge *m, const char *name, const struct image *img,
                    struct ispf_error *err);

/* Load one input (format detected: Intel HEX, S-record, ELF's flash, raw binary) and
 * add it. ISPF_E_USAGE for an @OFFSET on a file that is not raw binary; ISPF_E_INPUT
 * for a bad file, an empty one, or a conflict. */
int merge_add_file(struct merge *m, const struct merge_input *in, struct ispf_error *err);

/* The result fits p's flash: ISPF_E_INPUT naming the input and the first address
 * that does not. */
int merge_check_fits(const struct merge *m, const struct part *p, struct ispf_error *err);

/* The boot section of p that bootloader preset name selects (its high fuse's
 * BOOTSZ). ISPF_E_USAGE if there is no such preset for p or p has no boot section. */
int merge_boot_from_preset(const struct part *p, const char *name, struct boot_section *bs,
                           struct ispf_error *err);
/* The top size bytes of p's flash. ISPF_E_USAGE if size is 0 or not below the flash. */
int merge_boot_from_size(const struct part *p, uint32_t size, struct boot_section *bs,
                         struct ispf_error *err);

/* Inputs whose lowest address lies in bs are bootloaders; every other input must have
 * no byte in bs (ISPF_E_INPUT naming the file, its first address in the boot section
 * and the section). *n_boot (may be NULL) receives the number of bootloader inputs. */
int merge_check_boot(const struct merge *m, const struct boot_section *bs, size_t *n_boot,
                     struct ispf_error *err);

#endif
