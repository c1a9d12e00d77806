/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ISPFLASH_CLI_PROGRESS_H
#define ISPFLASH_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/* A progress bar on stderr, drawn only when enabled (stderr is a terminal, no -q). */
struct progress {
    bool enabled;
    const char *what;
    int last_pct;
    double t0;
};

void progress_init(struct progress *p, bool enabled);
/* ispf_progress_fn-compatible callback. */
void progress_update(void *ctx, const char *what, uint32_t done, uint32_t total);

#endif
