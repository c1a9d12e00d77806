/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The board log (--log FILE): one record per board, appended and fsync'ed before the
 * next board starts, so killing the process loses nothing about finished boards.
 * CSV, or JSON Lines when FILE ends in ".jsonl". Columns and fields: docs/production.md.
 */
#ifndef ISPFLASH_BOARDLOG_H
#define ISPFLASH_BOARDLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"

enum boardlog_result { BOARDLOG_PASS, BOARDLOG_FAIL };

struct boardlog_image {
    const char *mem;  /* "flash", "eeprom" */
    const char *file; /* as given on the command line */
    uint8_t sha256[32];
    uint32_t bytes; /* bytes written from it */
};

struct boardlog_fuse {
    const char *mem; /* "lfuse", "hfuse", "efuse", "lock" */
    uint8_t value;
};

/* Every pointer may be NULL (an empty CSV field, null in JSON); arrays with their count 0. */
struct boardlog_record {
    unsigned board;  /* 1, 2, ... within the run */
    int64_t time_ms; /* wall clock (ms since the epoch) when the board started */
    const char *programmer, *port, *part;
    bool have_signature;
    uint8_t signature[3];
    const struct boardlog_image *images;
    size_t n_images;
    bool have_serial;
    uint64_t serial;
    const char *serial_text;
    const struct boardlog_fuse *fuses_written;
    size_t n_fuses_written;
    const struct boardlog_fuse *fuses_read;
    size_t n_fuses_read;
    enum boardlog_result result;
    int exit_code;       /* the exit class (0 ok ... 8 interrupted) */
    const char *message; /* the error message, or NULL */
    double seconds;
};

struct boardlog;

/* Open for appending (O_APPEND, created 0644). A new or empty CSV file gets the header
 * line; an existing CSV file must start with that header (ISPF_E_INPUT otherwise: name
 * a new file). A file whose last line was cut short gets a newline first, so the next
 * record starts on a line of its own. ISPF_E_IO "cannot open FILE: ...". */
int boardlog_open(struct boardlog **out, const char *path, struct ispf_error *err);
/* Append one record: one write(2) of the whole line (under a mutex, and an flock on the
 * file so other processes' records never interleave), then fsync before returning.
 * Thread-safe. ISPF_E_IO "cannot write FILE: ...". */
int boardlog_append(struct boardlog *l, const struct boardlog_record *r, struct ispf_error *err);
/* True when the log is JSON Lines. */
bool boardlog_is_jsonl(const struct boardlog *l);
void boardlog_close(struct boardlog *l);

/* Wall-clock milliseconds since the epoch (CLOCK_REALTIME), for time_ms. */
int64_t boardlog_now_ms(void);
/* "2026-12-07T14:03:11.123Z": ISO 8601 UTC with milliseconds, as in the log. */
#define BOARDLOG_TIME_LEN 32
void boardlog_time_iso(int64_t time_ms, char out[BOARDLOG_TIME_LEN]);

#endif
