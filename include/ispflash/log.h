/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging: the library never prints; it hands messages to a sink installed by
 * the client (the CLI prints them to stderr according to -v/-q).
 * Levels: ERROR < WARN < INFO (default) < DEBUG (-v) < TRACE (-vv) < WIRE (-vvv, bytes).
 */
#ifndef ISPFLASH_LOG_H
#define ISPFLASH_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h" /* ISPF_PRINTF */

enum ispf_log_level {
    ISPF_LOG_ERROR = 0,
    ISPF_LOG_WARN = 1,
    ISPF_LOG_INFO = 2,
    ISPF_LOG_DEBUG = 3,
    ISPF_LOG_TRACE = 4,
    ISPF_LOG_WIRE = 5,
};

typedef void (*ispf_log_sink)(void *ctx, enum ispf_log_level level, const char *prefix,
                              const char *msg);

/* Install the sink (NULL: discard everything) and the most verbose level passed to it. */
void ispf_log_set_sink(ispf_log_sink sink, void *ctx);
void ispf_log_set_level(enum ispf_log_level level);
int ispf_log_enabled(enum ispf_log_level level);

void ispf_log(enum ispf_log_level level, const char *prefix, const char *fmt, ...)
    ISPF_PRINTF(3, 4);
/* Hex dump of wire bytes at ISPF_LOG_WIRE ("tx 30 20"). */
void ispf_log_bytes(const char *prefix, const char *dir, const uint8_t *buf, size_t len);

/* Per-file convenience: #define LOG_PREFIX "stk500v1" before including. */
#ifdef LOG_PREFIX
#define log_err(...) ispf_log(ISPF_LOG_ERROR, LOG_PREFIX, __VA_ARGS__)
#define log_warn(...) ispf_log(ISPF_LOG_WARN, LOG_PREFIX, __VA_ARGS__)
#define log_info(...) ispf_log(ISPF_LOG_INFO, LOG_PREFIX, __VA_ARGS__)
#define log_dbg(...) ispf_log(ISPF_LOG_DEBUG, LOG_PREFIX, __VA_ARGS__)
#define log_trace(...) ispf_log(ISPF_LOG_TRACE, LOG_PREFIX, __VA_ARGS__)
#define log_wire(dir, buf, len) ispf_log_bytes(LOG_PREFIX, dir, buf, len)
#endif

#endif
