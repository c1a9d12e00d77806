/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One -U made ready before any programmer is opened: its memory resolved, and for a
 * write or verify its input file loaded and checked to fit the part.
 */
#ifndef ISPFLASH_CLI_PREPARE_H
#define ISPFLASH_CLI_PREPARE_H

#include "ispflash/error.h"
#include "ispflash/image.h"
#include "ispflash/part.h"
#include "ispflash/programmer.h"
#include "ispflash/run.h"
#include "ispflash/session.h"
#include "opts.h"

/* One prepared -U: memory resolved and, for w/v, its image loaded and checked. */
struct cli_job {
    enum mem_id mem;
    struct image img;
    /* A read of a memory list (-U flash,eeprom:r:FILE, -U ALL:r:FILE): the memories. */
    enum mem_id mems[MEM__COUNT];
    size_t n_mems;
};

/* Fill job from u (job->img is initialised even on failure: image_free it).
 * ISPF_E_USAGE for a bad memory or format, ISPF_E_INPUT for a bad or unfit file. */
int cli_prepare(const struct part *part, struct cli_job *job, const struct cli_uop *u,
                struct ispf_error *err);

/* Like cli_prepare, for any -U: a memory list (ALL, or names joined by ',') gives one job
 * per memory the file holds for a write or verify, one job for a read. Fills jobs[0..]
 * (at most max; every one image_init'ed) and *n. */
int cli_prepare_any(const struct part *part, struct cli_job *jobs, size_t max, size_t *n,
                    const struct cli_uop *u, struct ispf_error *err);

/* Every -U of o, prepared: jobs[0..*njobs) and their run_op (every job's image to be
 * image_free'd, also after an error). ISPF_E_USAGE / ISPF_E_INPUT. */
int cli_prepare_all(const struct cli_opts *o, const struct part *part, struct cli_job *jobs,
                    struct run_op *ops, size_t *njobs, struct ispf_error *err);

/* The session every command opens: programmer, port, speed, -x, part, -F, -n. */
struct session_config cli_session_config(const struct cli_opts *o, const struct part *part,
                                         const struct pgm_entry *pe);

#endif
