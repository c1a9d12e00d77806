/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One run of the tool, as a library call: connect, check the fuse plan, erase, then
 * every memory operation in order (write + verify, read, verify), --fuses, close.
 *
 * The client (the CLI) parses its options, loads and checks every input image, fills
 * a struct run_spec and calls run_execute() once. Everything the run has to tell the
 * user (fuse decodings, old -> new fuse changes, warnings, notes, progress) goes
 * through ispf_log() and the callbacks in the spec; the run never prints or exits.
 */
#ifndef ISPFLASH_RUN_H
#define ISPFLASH_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/bootloaders.h"
#include "ispflash/error.h"
#include "ispflash/fuse.h"
#include "ispflash/image.h"
#include "ispflash/part.h"
#include "ispflash/session.h"

enum run_kind { RUN_WRITE = 'w', RUN_READ = 'r', RUN_VERIFY = 'v' };

/* One memory operation (one -U). */
struct run_op {
    enum mem_id mem;
    enum run_kind kind;
    /* RUN_WRITE / RUN_VERIFY: the image, already loaded, non-empty and checked to fit
     * mem (session_check_fits). Owned by the client; the run does not change it. */
    const struct image *img;
    /* RUN_WRITE / RUN_VERIFY: the file the image came from (for messages; with fmt 'm'
     * the values as given). RUN_READ: the output path ("-" = standard output). */
    const char *file;
    /* The format letter: 'm' for immediate values (write: "from the command line").
     * RUN_READ: 'a'/'i' Intel HEX, 'r' raw, 's' S-record, 'm'/'h' hex values,
     * 'd' decimal, 'o' octal, 'b' binary values. */
    char fmt;
    const char *text; /* the operation as the user gave it ("lfuse:w:0x5E:m"), for messages */
};

/* Called with the chip's fuse and lock bytes (0xFF where the part has none) after the
 * operations, when the client asked for them (--fuses). */
typedef void (*run_fuses_fn)(void *ctx, const struct part *p, const uint8_t cur[FUSE_NBYTES]);

struct run_spec {
    struct session_config session; /* programmer, port, part, -F, progress ... */
    const struct run_op *ops;
    size_t n_ops;
    bool erase;        /* -e: erase the chip */
    bool no_erase;     /* -D: writing flash does not erase first */
    bool no_verify;    /* -V: no verify after a write */
    bool no_write;     /* -n: write nothing (also sets session.no_write); guard refusals
                        * become warnings */
    bool unsafe_fuses; /* --unsafe-fuses: guard refusals become warnings, and the writes happen */
    const char *bootloader;    /* --bootloader NAME (NULL: none): write its preset fuses */
    enum bootloader_jtag jtag; /* --jtag: BOOTLOADER_JTAG_TABLE when not given */
    run_fuses_fn fuses;        /* --fuses: receives the fuse bytes at the end (NULL: none) */
    void *fuses_ctx;
    /* If not NULL: set to true when the run failed because an output (a -U mem:r:FILE
     * or standard output) could not be written, not because of the programmer. */
    bool *output_failed;
};

/* Maximum number of operations in a spec (the bootloader preset and --jtag add up to
 * FUSE_NBYTES more internally). */
#define RUN_MAX_OPS 32

/* The whole run. Before the programmer is opened: the --bootloader / --jtag fuse
 * values are resolved and checked against the -U fuse writes (ISPF_E_USAGE).
 * After: the fuses are read and the plan is checked (brick guards, image <-> fuse
 * consistency; ISPF_E_REFUSED unless unsafe_fuses or no_write), the chip is erased
 * when asked or when flash is written (unless no_erase), then the operations run in
 * order with the fuse writes after the others (clock byte last, lock after it) and
 * fuse reads/verifies given after a fuse write moved behind the writes. Returns
 * ISPF_OK or the first error (err says what and where). */
int run_execute(const struct run_spec *spec, struct ispf_error *err);

#endif
