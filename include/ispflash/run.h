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

#include "ispflash/backup.h"
#include "ispflash/bootloaders.h"
#include "ispflash/error.h"
#include "ispflash/fuse.h"
#include "ispflash/image.h"
#include "ispflash/part.h"
#include "ispflash/session.h"

enum run_kind { RUN_WRITE = 'w', RUN_READ = 'r', RUN_VERIFY = 'v' };

/* Maximum number of operations in a spec (the bootloader preset and --jtag add up to
 * FUSE_NBYTES more internally). */
#define RUN_MAX_OPS 32

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
    /* RUN_READ of several memories into one file, each at its avr-gcc address
     * (include/ispflash/memfile.h): the memories (mem is the first); NULL: just mem. */
    const enum mem_id *mems;
    size_t n_mems;
};

/* Called with the chip's fuse and lock bytes (0xFF where the part has none) after the
 * operations, when the client asked for them (--fuses). */
typedef void (*run_fuses_fn)(void *ctx, const struct part *p, const uint8_t cur[FUSE_NBYTES]);

/* What happened to one operation of a run (the -U operations and the fuse writes of
 * --bootloader / --jtag, in the order they ran). */
enum run_op_state { RUN_OP_FAILED, RUN_OP_OK };
struct run_op_result {
    enum mem_id mem;
    enum run_kind kind;
    const char *text; /* the operation as given, or "--bootloader x (hfuse)" */
    const char *file; /* as in struct run_op (the value as text for a preset) */
    bool preset;      /* a fuse write of --bootloader / --jtag */
    enum run_op_state state;
    uint32_t bytes;                   /* write/verify: the image's bytes; read: the bytes read */
    uint8_t value;                    /* a fuse/lock write: the value written */
    bool written;                     /* write: the write completed */
    bool verified;                    /* write or verify: compared with the chip and equal */
    struct session_mismatch mismatch; /* the first difference (count 0: none found) */
};

/* What a run did, for machine-readable output and the board log. Filled from the
 * start: after a failure it holds everything up to the failing operation. */
struct run_report {
    bool have_signature;
    uint8_t signature[3];
    bool have_fuses_before; /* read when the run writes flash or fuses */
    uint8_t fuses_before[FUSE_NBYTES];
    bool have_fuses_after; /* read at the end (when the programmer can read fuses) */
    uint8_t fuses_after[FUSE_NBYTES];
    bool erased;
    size_t n_ops;
    struct run_op_result ops[RUN_MAX_OPS + FUSE_NBYTES];
};

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
    /* --fuse FIELD=VALUE, in order (include/ispflash/fusefield.h): each changes one
     * field of the -U / --bootloader write of its byte, or of the chip's value. */
    const char *const *fuse_sets;
    size_t n_fuse_sets;
    run_fuses_fn fuses; /* --fuses: receives the fuse bytes at the end (NULL: none) */
    void *fuses_ctx;
    /* If not NULL: set to true when the run failed because an output (a -U mem:r:FILE
     * or standard output) could not be written, not because of the programmer. */
    bool *output_failed;
    /* If not NULL: filled with what the run did (struct run_report). */
    struct run_report *report;
    /* The backup before the chip is overwritten (include/ispflash/backup.h): AUTO by
     * default (0), FULL with backup_path (--backup FILE), NONE (--no-backup). */
    enum backup_mode backup;
    const char *backup_path;
};

/* The whole run. Before the programmer is opened: the --bootloader / --jtag fuse
 * values are resolved and checked against the -U fuse writes (ISPF_E_USAGE).
 * After: the fuses are read and the plan is checked (brick guards, image <-> fuse
 * consistency; ISPF_E_REFUSED unless unsafe_fuses or no_write), the chip is erased
 * when asked or when flash is written (unless no_erase), then the operations run in
 * order with the fuse writes after the others (clock byte last, lock after it) and
 * fuse reads/verifies given after a fuse write moved behind the writes. Returns
 * ISPF_OK or the first error (err says what and where). */
int run_execute(const struct run_spec *spec, struct ispf_error *err);

/* The checks run_execute does before opening the programmer, alone (the --bootloader
 * and --jtag values against the -U fuse writes): ISPF_OK or ISPF_E_USAGE. */
int run_check(const struct run_spec *spec, struct ispf_error *err);

/* run_execute on a session the caller opened and attached (session_connect +
 * session_attach): one board of a batch. The session stays open and attached. */
int run_board(const struct run_spec *spec, struct session *s, struct ispf_error *err);

#endif
