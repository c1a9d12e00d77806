// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>

#include "ispflash/log.h"

static ispf_log_sink log_sink;
static void *log_ctx;
static enum ispf_log_level log_level = ISPF_LOG_INFO;

void ispf_log_set_sink(ispf_log_sink sink, void *ctx)
{
    log_sink = sink;
    log_ctx = ctx;
}

void ispf_log_set_level(enum ispf_log_level level)
{
    log_level = level;
}

int ispf_log_enabled(enum ispf_log_level level)
{
    return log_sink != NULL && level <= log_level;
}

void ispf_log(enum ispf_log_level level, const char *prefix, const char *fmt, ...)
{
    if (!ispf_log_enabled(level))
        return;
    char msg[4096]; /* a message may span several lines (a fuse's changed fields) */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_sink(log_ctx, level, prefix, msg);
}

void ispf_log_bytes(const char *prefix, const char *dir, const uint8_t *buf, size_t len)
{
    if (!ispf_log_enabled(ISPF_LOG_WIRE))
        return;
    char msg[1024];
    size_t n = (size_t)snprintf(msg, sizeof msg, "%s", dir);
    for (size_t i = 0; i < len && n + 8 < sizeof msg; i++)
        n += (size_t)snprintf(msg + n, sizeof msg - n, " %02x", buf[i]);
    if (n + 8 >= sizeof msg)
        snprintf(msg + n, sizeof msg - n, " ...");
    log_sink(log_ctx, ISPF_LOG_WIRE, prefix, msg);
}
