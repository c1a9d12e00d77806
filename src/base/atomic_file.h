/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A file written whole or not at all: the data goes to a temporary file next to
 * the target, which is flushed to disk and renamed over the target only when
 * complete, so a failed or interrupted write keeps the previous file. A symbolic
 * link is followed (the link stays, its target is replaced) and an existing file's
 * permissions are kept. Devices and pipes named as files (/dev/null) are written
 * directly.
 */
#ifndef ISPFLASH_ATOMIC_FILE_H
#define ISPFLASH_ATOMIC_FILE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "ispflash/error.h"

struct atomic_file {
    FILE *f;                 /* write here */
    char path[PATH_MAX];     /* the target (symbolic links resolved) */
    char tmp[PATH_MAX + 32]; /* the temporary file ("" when written directly) */
};

/* Open path for writing (binary). */
int atomic_file_open(struct atomic_file *af, const char *path, struct ispf_error *err);
/* Flush, fsync, close and rename over the target; on failure the target is untouched
 * and the temporary file removed. Messages: "cannot write PATH: ...". */
int atomic_file_commit(struct atomic_file *af, struct ispf_error *err);
/* Give up: close and remove the temporary file, the target stays as it was. */
void atomic_file_abort(struct atomic_file *af);

#endif
