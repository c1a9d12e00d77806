/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Machine-readable results (--json): a board's run, and a batch's summary, each as
 * one JSON object on one line. The schema is docs/json-schema.json (described in
 * docs/json.md); tests validate the output against it.
 */
#ifndef ISPFLASH_REPORT_H
#define ISPFLASH_REPORT_H

#include <stddef.h>

#include "ispflash/batch.h"

struct report_context {
    const char *version;    /* ispflash's version */
    const char *programmer; /* -c */
    const char *port;       /* -P (NULL: the programmer's default) */
    const struct part *part;
    const char *kind; /* "run" (one run, no --batch) or "board" (one board of a batch) */
};

/* One board: what ran, the fuses before and after, the warnings, the result.
 * Returns malloc'ed NUL-terminated text without a newline (NULL: out of memory). */
char *report_board_json(const struct report_context *ctx, const struct batch_board *b,
                        const char *const *warnings, size_t n_warnings);

/* The end of a batch on one port: boards, passed, failed, time, boards per hour,
 * the error that ended it (err NULL or code ISPF_OK: none), and the exit code. */
char *report_summary_json(const struct report_context *ctx, const struct batch_summary *s,
                          const struct ispf_error *err, int exit_code);

#endif
