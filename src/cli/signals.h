/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CLI's signal handling: SIGINT, SIGTERM and SIGHUP ask the library to stop at
 * the next page or chunk boundary (ispf_interrupt_request); a second one exits at
 * once with 130. SIGPIPE is ignored: a write to a closed pipe is an error of that
 * output, and the run ends cleanly.
 */
#ifndef ISPFLASH_CLI_SIGNALS_H
#define ISPFLASH_CLI_SIGNALS_H

#include <stdbool.h>

/* Install the handlers (sigaction without SA_RESTART, so blocking waits wake up). */
void cli_signals_install(void);
/* In a batch the first signal asks to stop after the board under way
 * (ispf_stop_request), the second stops that board (ispf_interrupt_request), the
 * third exits at once. */
void cli_signals_batch(bool on);

#endif
