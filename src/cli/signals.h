/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CLI's signal handling: SIGINT, SIGTERM and SIGHUP ask the library to stop at
 * the next page or chunk boundary (ispf_interrupt_request); a second one exits at
 * once with 130. SIGPIPE is ignored: a write to a closed pipe is an error of that
 * output, and the run ends cleanly.
 */
#ifndef ISPFLASH_CLI_SIGNALS_H
#define ISPFLASH_CLI_SIGNALS_H

/* Install the handlers (sigaction without SA_RESTART, so blocking waits wake up). */
void cli_signals_install(void);

#endif
