/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A request to stop, set by the client (the CLI's SIGINT/SIGTERM/SIGHUP handler)
 * and checked by the library between pages and inside every wait loop. The
 * library never installs signal handlers itself.
 *
 * When the flag is set, long operations stop at the next page or chunk boundary
 * and return ISPF_E_INTERRUPTED; the run then leaves programming mode, releases
 * RESET, returns the programmer to idle and closes it as on any other error.
 * Waits (sync retries, polling, reads) return ISPF_E_INTERRUPTED instead of
 * retrying; a transfer already under way is finished so the protocol stays in step.
 */
#ifndef ISPFLASH_INTERRUPT_H
#define ISPFLASH_INTERRUPT_H

#include <stdbool.h>

/* Async-signal-safe: only stores to a volatile sig_atomic_t. */
void ispf_interrupt_request(void);
/* True once ispf_interrupt_request() was called (until ispf_interrupt_clear). */
bool ispf_interrupted(void);
void ispf_interrupt_clear(void);

/* A gentler request, for work made of units (the boards of a batch): finish the unit
 * under way, start no other. Waits between units end at once. Async-signal-safe. */
void ispf_stop_request(void);
bool ispf_stop_requested(void);
void ispf_stop_clear(void);

#endif
