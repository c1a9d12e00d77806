/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Production: the same run on board after board through one programmer that stays
 * connected, each board numbered (--serial) and on record (--log).
 *
 * For each board: wait until a target answers with a steady signature (or, with
 * next_board, until the client says go), reserve its serial number in the counter
 * file (before anything is written, so no number is ever given twice), run the
 * spec's operations on it with the number added (run_board), append its record to
 * the board log (flushed and fsync'ed), report it, then wait until the target is
 * gone. A board that fails is reported and logged as failed and the loop goes on;
 * its number is logged as spent.
 *
 * The batch ends after `boards` boards, or when ispf_stop_requested() (the current
 * board is finished first) or ispf_interrupted() (the current board stops as any
 * run does, and is failed). The programmer itself failing (gone, not answering)
 * ends it with that error.
 *
 * With `single`, there is no waiting: one board, the one on the programmer now,
 * exactly like run_execute, plus the serial number and the log record.
 */
#ifndef ISPFLASH_BATCH_H
#define ISPFLASH_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/boardlog.h"
#include "ispflash/error.h"
#include "ispflash/run.h"
#include "ispflash/serialno.h"

/* One board's outcome. */
struct batch_board {
    unsigned n; /* 1, 2, ... */
    bool passed;
    int rc; /* ISPF_OK or the error */
    char msg[ISPF_ERRMSG_MAX];
    bool have_serial;
    uint64_t serial;
    char serial_text[80];
    int64_t time_ms; /* wall clock when the board started */
    double seconds;
    struct run_report report;
    char serial_op[96]; /* the text of the serial number's write (the report points to it) */
    char port[256];     /* the port in use (the one chosen when -P named none) */
};

enum batch_event_kind {
    BATCH_WAIT_BOARD,   /* waiting for board n to answer */
    BATCH_BOARD_START,  /* board n answers: programming it */
    BATCH_BOARD_DONE,   /* board n is done (passed or failed) */
    BATCH_WAIT_REMOVAL, /* waiting for board n to be taken away */
};

struct batch_event {
    enum batch_event_kind kind;
    unsigned n;
    const struct batch_board *board; /* BATCH_BOARD_DONE: the outcome */
};

struct batch_spec {
    /* The run on each board: session (programmer, port, part), operations, flags.
     * report is the batch's own (set it to NULL). */
    struct run_spec run;
    unsigned boards; /* stop after this many boards (0: until stopped) */
    bool single;     /* one board, the one there now: no waiting */
    /* If not NULL: called before each board instead of watching for one (e.g. wait
     * for Enter); returns false to end the batch. */
    bool (*next_board)(void *ctx, unsigned n);
    const struct serialno_spec *serial;  /* NULL: no serial numbers */
    struct serialno_counter *counter;    /* the numbers' counter file (with serial) */
    struct boardlog *log;                /* NULL: no log */
    const struct boardlog_image *images; /* the images written, for the log */
    size_t n_images;
    void (*event)(void *ctx, const struct batch_event *ev); /* NULL: none */
    void *ctx;
    unsigned poll_ms; /* time between looks for a board (0: 200 ms) */
};

struct batch_summary {
    unsigned passed, failed;
    int first_fail_rc; /* the error of the first failed board (ISPF_OK: none failed) */
    double seconds;
};

/* Before the programmer is opened: the run's own checks (run_check), and that the
 * serial number has a place (a flash serial needs a flash write; it must not overlap
 * data the images write). ISPF_E_USAGE / ISPF_E_INPUT. */
int batch_check(const struct batch_spec *b, struct ispf_error *err);

/* The images the run writes, for the log: each write's memory, file, bytes and
 * SHA-256 (of the file, as sha256sum gives it; of the bytes, in address order, for
 * immediate values and standard input). At most max; *n is set. */
int batch_images(const struct run_spec *run, struct boardlog_image *out, size_t max, size_t *n,
                 struct ispf_error *err);

/* The batch (see above). ISPF_OK when it ended as asked (boards done, stopped or
 * interrupted: sum says how the boards went), or the programmer's error. */
int batch_execute(const struct batch_spec *b, struct batch_summary *sum, struct ispf_error *err);

#endif
