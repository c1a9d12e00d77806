/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Production runs (docs/production.md): --batch, --log, --serial, several -P at once
 * and --json, all through the core's batch_execute (include/ispflash/batch.h). This
 * file prints the board lines and the summaries and picks the exit code.
 */
#ifndef ISPFLASH_CLI_PRODUCTION_H
#define ISPFLASH_CLI_PRODUCTION_H

#include <stdbool.h>

#include "ispflash/run.h"
#include "opts.h"

/* True when the options ask for a production run rather than one plain run. */
bool cli_production_wanted(const struct cli_opts *o);

/* Run it: spec is the run for one board (its session.port is replaced per port).
 * Returns the exit code. */
int cli_production(const struct cli_opts *o, const struct run_spec *spec, const char *version);

#endif
