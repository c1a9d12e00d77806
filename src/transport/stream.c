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

/* Windows port names: COM5, or the device path \\.\COM10 (which COM10 and above need
 * when a program opens them itself). libserialport takes the name and adds the
 * \\.\ itself: of a device path it is given the name only. */
static const char *stream_serial_name(const char *port)
{
    return strncmp(port, "\\\\.\\", 4) == 0 ? port + 4 : port;
}

static const struct stream_ops *stream_ops_serial = &stream_serial_ops;
static const struct stream_ops *stream_ops_net = &stream_tcp_ops;

void stream_use_ops(const struct stream_ops *serial, const struct stream_ops *net)
{
    stream_ops_serial = serial;
    stream_ops_net = net;
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
    s->ops = stream_is_net(port) ? stream_ops_net : stream_ops_serial;
    int rc = s->ops->open(s, stream_is_net(port) ? port : stream_serial_name(port), baud, err);
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

void stream_junk_add(struct stream_junk *j, const uint8_t *buf, size_t n)
{
    if (j == NULL)
        return;
    for (size_t i = 0; i < n && j->n + i < sizeof j->first; i++)
        j->first[j->n + i] = buf[i];
    j->n += n;
}

int stream_discard(struct stream *s, int quiet_ms, long long deadline_ms, struct stream_junk *j,
                   size_t max, bool interruptible, struct ispf_error *err)
{
    for (;;) {
        if (interruptible && ispf_interrupted())
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
        long long left = deadline_ms - clock_now_ms();
        if (left <= 0 || (j != NULL && j->n >= max))
            return ISPF_OK;
        uint8_t b;
        struct ispf_error e;
        ispf_error_clear(&e);
        int rc = stream_read(s, &b, 1, left < quiet_ms ? (int)left : quiet_ms, &e);
        if (rc == ISPF_E_TIMEOUT)
            return ISPF_OK;
        if (rc == ISPF_E_INTERRUPTED && !interruptible)
            return ISPF_OK; /* a stop cut the quiet wait short: nothing more to drop */
        if (rc < 0) {
            if (err != NULL)
                *err = e;
            return rc;
        }
        stream_junk_add(j, &b, 1);
    }
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
