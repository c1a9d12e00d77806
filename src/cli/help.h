/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the CLI tells the user without running anything: --help, the exit codes, the
 * lists of programmers and parts.
 */
#ifndef ISPFLASH_CLI_HELP_H
#define ISPFLASH_CLI_HELP_H

/* Exit codes (documented in --help, README.md and the man page). */
enum cli_exit {
    EXIT_OK = 0,
    EXIT_FAILURE_OTHER = 1,
    EXIT_USAGE = 2,
    EXIT_INPUT = 3,
    EXIT_PROGRAMMER = 4,
    EXIT_TARGET = 5,
    EXIT_VERIFY = 6,
    EXIT_REFUSED = 7,
    EXIT_INTERRUPTED = 8,
};

extern const char cli_help[];

/* The exit code of a library status (ISPF_OK, ISPF_E_*). */
int cli_exit_code(int code);
void cli_list_programmers(void);
void cli_list_parts(void);
/* --complete-data (hidden): one "KIND WORD" line per option, programmer, part,
 * memory and bootloader preset, for the shell completions tools/gen_completion.py
 * generates at build time. */
void cli_complete_data(void);

#endif
