/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Several programmers at once on a terminal: one status line per port at the bottom
 * of the screen, redrawn in place ("[/dev/ttyACM1] board 3: writing flash  45%"),
 * with the lines that stay (PASS/FAIL, warnings, errors) printed above it. Off when
 * standard error is not a terminal: then every line is printed as it comes.
 * Thread-safe (one mutex).
 */
#ifndef ISPFLASH_CLI_STATUSBOARD_H
#define ISPFLASH_CLI_STATUSBOARD_H

#include <stdbool.h>
#include <stddef.h>

/* n lines, one per name. Returns false (and stays off) when not enabled. */
bool statusboard_start(size_t n, const char *const *names, bool enabled);
bool statusboard_on(void);
/* Line i's text (after its name). */
void statusboard_set(size_t i, const char *text);
/* A line that stays, printed above the board (a newline is added). */
void statusboard_print(const char *line);
/* Leave the board's last state on the screen and stop. */
void statusboard_stop(void);

#endif
