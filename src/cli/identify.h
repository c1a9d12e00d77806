/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ispflash -c PGM -p PART --identify: what is on the chip (include/ispflash/identify.h),
 * printed on standard output. Nothing is written.
 */
#ifndef ISPFLASH_CLI_IDENTIFY_H
#define ISPFLASH_CLI_IDENTIFY_H

#include "ispflash/part.h"
#include "ispflash/programmer.h"
#include "opts.h"

/* Returns the exit code: 0 the chip could be read, 2 usage, 4/5 programmer/target. */
int cli_identify(const struct cli_opts *o, const struct part *part, const struct pgm_entry *pe);

#endif
