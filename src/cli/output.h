/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the CLI's output goes and whether it got there: the log sink (stderr, or the
 * -l FILE it is appended to), the notes about avrdude options that are ignored, and
 * the final check that standard output was written.
 */
#ifndef ISPFLASH_CLI_OUTPUT_H
#define ISPFLASH_CLI_OUTPUT_H

#include <stdbool.h>

#include "opts.h"

/* Warnings kept for --json (struct cli_capture: strings owned by it). */
struct cli_capture {
    char **warn;
    size_t n, cap;
};

/* For the calling thread: a tag put before its log lines ("[/dev/ttyACM0] ..."; NULL:
 * none), and where its warnings are also kept (NULL: nowhere). */
void cli_output_set_tag(const char *tag);
void cli_output_capture(struct cli_capture *c);
/* Forget the kept warnings. */
void cli_capture_reset(struct cli_capture *c);

/* -l FILE: append stderr to FILE (avrdude's -l). Returns 0, or -1 with errno. */
int cli_output_logfile(const char *path);
/* Route the library's log to stderr at the level the options ask for. */
void cli_output_log_setup(const struct cli_opts *o);
/* With -v: one line per ignored avrdude option (-C, -s, -u) saying why. */
void cli_output_ignored(const struct cli_opts *o);
/* True once an error was logged (e.g. a chip state that could not be saved at close). */
bool cli_output_error_logged(void);
/* Flush and check standard output; a failed write is reported (exit 1). Returns the
 * exit code to use given the run's code. */
int cli_output_finish(int code);

#endif
