// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Byte-stream dispatch: "net:HOST:PORT" goes to TCP, anything else to a serial
 * port. Exact-length reads with a total timeout and input draining are written
 * once here on top of each implementation's read_some().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_PREFIX "stream"
#include "base/clock.h"
#include "ispflash/interrupt.h"
#include "ispflash/log.h"
#include "transport/stream_impl.h"

int stream_is_net(const char *port)
{
    return port != NULL && strncmp(port, "net:", 4) == 0;
}

int stream_open(struct stream **out, const char *port, int baud, struct ispf_error *err)
{
    *out = NULL;
    if (port == NULL || port[0] == '\0')
        return ispf_fail(err, ISPF_E_USAGE,
                         "no port given: use -P with a serial port (e.g. /dev/ttyACM0, COM5) "
                         "or net:HOST:PORT");
    struct stream *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory opening %s", port);
    s->port = strdup(port);
    if (s->port == NULL) {
        free(s);
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory opening %s", port);
    }
    s->ops = stream_is_net(port) ? &stream_tcp_ops : &stream_serial_ops;
    int rc = s->ops->open(s, port, baud, err);
    if (rc < 0) {
        free(s->port);
        free(s);
        return rc;
    }
    s->baud = baud;
    log_dbg("opened %s (%s)", port, s->ops->name);
    *out = s;
    return ISPF_OK;
}

void stream_close(struct stream *s)
{
    if (s == NULL)
        return;
    s->ops->close(s);
    free(s->port);
    free(s);
}

int stream_write(struct stream *s, const uint8_t *buf, size_t len, struct ispf_error *err)
{
    if (len == 0)
        return ISPF_OK;
    ispf_log_bytes(LOG_PREFIX, "tx", buf, len);
    int rc = s->ops->write(s, buf, len, err);
    if (rc < 0)
        return rc;
    s->tx += len;
    return ISPF_OK;
}

int stream_read(struct stream *s, uint8_t *buf, size_t len, int timeout_ms, struct ispf_error *err)
{
    size_t got = 0;
    long long deadline = clock_now_ms() + timeout_ms;
    while (got < len) {
        long long left = deadline - clock_now_ms();
        if (left < 0)
            left = 0;
        int n = s->ops->read_some(s, buf + got, len - got, (int)left, err);
        if (n < 0) {
            if (got > 0)
                ispf_log_bytes(LOG_PREFIX, "rx", buf, got);
            return n;
        }
        if (n == 0 && got == 0 && ispf_interrupted() && clock_now_ms() < deadline)
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
        if (n == 0 && got > 0 && clock_now_ms() < deadline)
            continue; /* cut short by a request to stop: finish the reply under way */
        if (n == 0) {
            if (got > 0)
                ispf_log_bytes(LOG_PREFIX, "rx", buf, got);
            return ispf_fail(err, ISPF_E_TIMEOUT,
                             "%s: timed out after %d ms waiting for %zu byte%s (%zu arrived)",
                             s->port, timeout_ms, len, len == 1 ? "" : "s", got);
        }
        got += (size_t)n;
        s->rx += (uint64_t)n;
    }
    ispf_log_bytes(LOG_PREFIX, "rx", buf, len);
    return ISPF_OK;
}

int stream_drain(struct stream *s, int quiet_ms, struct ispf_error *err)
{
    uint8_t junk[256];
    size_t total = 0;
    long long deadline = clock_now_ms() + STREAM_DRAIN_MAX_MS;
    for (;;) {
        int n = s->ops->read_some(s, junk, sizeof junk, quiet_ms, err);
        if (n < 0)
            return n;
        if (n == 0)
            break; /* quiet (or cut short by a request to stop: only discarding) */
        s->rx += (uint64_t)n;
        if (total < sizeof s->junk)
            memcpy(s->junk + total, junk,
                   (size_t)n < sizeof s->junk - total ? (size_t)n : sizeof s->junk - total);
        total += (size_t)n;
        s->njunk = total;
        ispf_log_bytes(LOG_PREFIX, "drained", junk, (size_t)n);
        if (total > STREAM_DRAIN_MAX_BYTES || clock_now_ms() >= deadline)
            return stream_not_protocol(s, "programmer's", s->junk, total, err);
    }
    return ISPF_OK;
}

int stream_set_baud(struct stream *s, int baud, struct ispf_error *err)
{
    if (s->ops->set_baud != NULL) { /* TCP: the bridge decides the speed */
        int rc = s->ops->set_baud(s, baud, err);
        if (rc < 0)
            return rc;
    }
    s->baud = baud;
    return ISPF_OK;
}

int stream_wire_ms(const struct stream *s, size_t nbytes)
{
    if (s->baud <= 0)
        return 0;
    unsigned long long bits = (unsigned long long)nbytes * 10u * 1000u;
    return (int)((bits + (unsigned long long)s->baud - 1u) / (unsigned long long)s->baud);
}

int stream_not_protocol(struct stream *s, const char *protocol, const uint8_t *junk, size_t njunk,
                        struct ispf_error *err)
{
    char first[3 * 8 + 1] = "";
    size_t show = njunk < 8 ? njunk : 8;
    size_t at = 0;
    for (size_t i = 0; i < show; i++)
        at += (size_t)snprintf(first + at, sizeof first - at, "%s%02X", i ? " " : "", junk[i]);
    return ispf_fail(err, ISPF_E_PROTOCOL,
                     "%s sends data that is not the %s protocol (%zu byte%s, first %s%s). "
                     "Is this the programmer's port (-P), and its speed (-b)? A sketch that "
                     "prints, a board in its bootloader or another device answers like this",
                     s->port, protocol, njunk, njunk == 1 ? "" : "s", first,
                     njunk > show ? " ..." : "");
}

int stream_set_lines(struct stream *s, int dtr, int rts, struct ispf_error *err)
{
    if (s->ops->set_lines == NULL)
        return ISPF_OK; /* TCP: no modem lines */
    return s->ops->set_lines(s, dtr, rts, err);
}
