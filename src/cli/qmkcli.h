/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --qmk PATH on the command line: the keyboard folder's MCU and BOOTLOADER become -p
 * and --bootloader when those are not given, and must agree with them when they are.
 */
#ifndef ISPFLASH_CLI_QMKCLI_H
#define ISPFLASH_CLI_QMKCLI_H

#include "ispflash/qmk.h"
#include "opts.h"

/* Fill o->part / o->bootloader from o->qmk (kept in *board, which must outlive o).
 * Returns EXIT_OK or the exit code after printing the error (2: -p / --bootloader
 * disagree, the MCU is unknown or missing; 3: the folder or a file cannot be read). */
int cli_qmk_apply(struct cli_opts *o, struct qmk_board *board);

#endif
