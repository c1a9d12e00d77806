/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * THE programmer vtable: the contract the core (src/core) calls and every backend
 * (src/programmers) implements. One `const struct programmer_ops` per backend file,
 * filled with designated initializers; rows of the registry (registry.c) point at it.
 * The helpers backends share are in src/programmers/backend.h.
 *
 * Contract (all ops):
 *  - Every op receives the instance (struct pgm *). Backend state lives in
 *    pgm->priv, ops->priv_size bytes allocated zeroed by the core before open()
 *    and freed by the core after close(). No globals.
 *  - Fallible ops return ISPF_OK (0) or a negative enum ispf_status and describe
 *    the failure in *err (ispf_fail). They never print and never exit; they may
 *    log through ispf_log (wire bytes at ISPF_LOG_WIRE).
 *  - Every wait on the device has a timeout: an op never blocks forever.
 *  - Mandatory ops: open, close, enable, disable, spi. Optional ops may be NULL;
 *    the core (src/core/pgm.c) then falls back to sequences of spi() calls.
 *  - Pairing: close() is called iff open() succeeded; disable() is called after
 *    enable() succeeded, and also after it failed with a lost or garbled answer
 *    (ISPF_E_TIMEOUT, ISPF_E_PROTOCOL) or a target that did not answer
 *    (ISPF_E_NO_TARGET, ISPF_E_TARGET): the programmer may still drive RESET.
 *    After disable(), enable() may be called again (the core does so after a chip
 *    erase).
 *  - Addresses are byte addresses in the memory's own space (flash byte address,
 *    EEPROM byte address), whatever the wire protocol wants.
 */
#ifndef ISPFLASH_PGM_OPS_H
#define ISPFLASH_PGM_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"
#include "ispflash/part.h"
#include "ispflash/programmer.h"

/* What the user asked for, handed to open(). */
struct pgm_config {
    const char *port;         /* -P as given, NULL if not given */
    int baud;                 /* -b, 0 = not given (use entry->default_baud) */
    double bitclock_us;       /* -B SCK period in microseconds, 0 = not given */
    const struct part *part;  /* the part selected with -p (never NULL) */
    const char *const *xopts; /* -x values, e.g. "state=chip.bin" */
    size_t n_xopts;
};

/* Counters a backend may update, shown at -v and used by benchmarks. */
struct pgm_stats {
    uint64_t bytes_tx, bytes_rx; /* bytes on the wire */
    uint64_t commands;           /* protocol commands / control transfers */
};

/* pgm->flags, set by a backend in open() when they apply. */
enum pgm_flag {
    /* The "programmer" is a self-programming bootloader (-c arduino): it has no chip
     * erase, each page write replaces the whole page, and fuses cannot be read. */
    PGM_FLAG_BOOTLOADER = 1u << 0,
};

struct pgm {
    const struct programmer_ops *ops;
    const struct pgm_entry *entry; /* registry row (id, defaults, variant) */
    struct pgm_config cfg;
    void *priv;
    struct pgm_stats stats;
    unsigned flags;           /* enum pgm_flag, set by open() */
    int ext_addr;             /* Load Extended Address byte last sent to the target,
                               * -1 = unknown; the core resets it at every enable() */
    uint32_t flash_write_max; /* set by open(): most bytes of consecutive flash pages one
                               * write_page call accepts (0 = one page) */
    uint32_t boot_keep;       /* set by open(): bytes at the end of flash a bootloader keeps
                               * for itself and never writes (0 = none); the core refuses
                               * a flash image reaching into them before writing anything */
};

struct programmer_ops {
    /* Bytes of private state the core allocates (zeroed) into pgm->priv. */
    size_t priv_size;

    /* Optional text the core appends when no target answers, naming this
     * programmer's wiring (e.g. "Pro Micro pin 10 -> target RESET"). NULL: generic. */
    const char *wiring_hint;

    /* Mandatory. Open the connection to the programmer (port, USB device) and make
     * sure it is the programmer it claims to be (sync/sign-on). Does not touch the
     * target yet. Unknown -x options must be rejected here with ISPF_E_USAGE. */
    int (*open)(struct pgm *pgm, struct ispf_error *err);

    /* Mandatory. Release the programmer (leave it usable by other tools).
     * Called iff open() succeeded. Cannot fail. */
    void (*close)(struct pgm *pgm);

    /* Mandatory. Reset the target and enter ISP programming mode (Programming Enable
     * AC 53 00 00). Returns ISPF_E_NO_TARGET when the programmer can tell that the
     * target did not answer; programmers that cannot tell (ArduinoISP) return OK and
     * the core detects the missing target by its signature. */
    int (*enable)(struct pgm *pgm, struct ispf_error *err);

    /* Mandatory. Leave programming mode and release RESET. Called after enable(),
     * also after a failed one (see Pairing above): it must be harmless then. Cannot
     * fail (errors are logged). */
    void (*disable)(struct pgm *pgm);

    /* Mandatory. Clock one 4-byte ISP instruction and return the 4 bytes read
     * on MISO. Programmers that only return the last byte (STK500v1 UNIVERSAL)
     * set res[0..2] to cmd echo positions as the target would (res[1]=cmd[0],
     * res[2]=cmd[1]) and res[3] to the byte read. */
    int (*spi)(struct pgm *pgm, const uint8_t cmd[4], uint8_t res[4], struct ispf_error *err);

    /* Optional. Read len bytes of mem (MEM_FLASH or MEM_EEPROM) starting at addr
     * into buf. Any addr/len inside the memory; the backend chunks as its wire
     * protocol needs. NULL: the core reads byte by byte through spi(). */
    int (*read_block)(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf, uint32_t len,
                      struct ispf_error *err);

    /* Optional. Write and commit data.
     *  MEM_FLASH: addr is page-aligned and len is one page (part flash_page), or a
     *    whole number of consecutive pages up to pgm->flash_write_max; the backend
     *    loads each page, commits it (4C) and waits until it is written.
     *  MEM_EEPROM: any contiguous run addr..addr+len-1; every byte is written (the
     *    backend chooses byte or page instructions) and waited for.
     * NULL: the core loads/commits through spi() and polls RDY/BSY. */
    int (*write_page)(struct pgm *pgm, enum mem_id mem, uint32_t addr, const uint8_t *buf,
                      uint32_t len, struct ispf_error *err);

    /* Optional. Set the ISP clock (SCK) period in microseconds (-B), before or
     * after enable(). NULL: the programmer's clock is fixed; -B is refused. */
    int (*set_sck)(struct pgm *pgm, double period_us, struct ispf_error *err);
};

#endif
