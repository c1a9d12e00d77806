/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the fuse_*.c files of the core (decoding, guards, planning, the image check);
 * everyone else uses include/ispflash/fuse.h.
 */
#ifndef ISPF_CORE_FUSE_INTERNAL_H
#define ISPF_CORE_FUSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "ispflash/fuse.h"

/* A text buffer filled piece by piece; never overflows, always terminated. */
struct fuse_buf {
    char *buf;
    size_t len, pos;
};

void fuse_buf_init(struct fuse_buf *b, char *buf, size_t len);
void fuse_buf_add(struct fuse_buf *b, const char *fmt, ...) ISPF_PRINTF(2, 3);

/* Copy a datasheet caption without runs of blanks and without the "; [BODLEVEL=111]"
 * and "; default value" remarks. */
void fuse_clean_caption(const char *cap, char *out, size_t len);

/* A field of the part looked up by name, only if it lives in byte mem. */
const struct fuse_field *fuse_field_in(const struct part *p, const char *name, enum mem_id mem);
/* The field is called name (case-insensitively). */
bool fuse_is(const struct fuse_field *f, const char *name);

#endif
