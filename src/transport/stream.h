/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Byte streams below the serial protocols (STK500v1, STK500v2, Bus Pirate).
 * The port string chooses the implementation: "net:HOST:PORT" -> TCP,
 * anything else -> a serial port through libserialport. Protocol files use only
 * this API; they never call libserialport or sockets.
 */
#ifndef ISPFLASH_STREAM_H
#define ISPFLASH_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"

struct stream;

/* Per-implementation operations (contract: negative ispf_status on failure,
 * message in *err; every read has a timeout; a closed peer is ISPF_E_DISCONNECTED
 * at once, never a spin). */
struct stream_ops {
    const char *name;
    int (*open)(struct stream *s, const char *port, int baud, struct ispf_error *err);
    void (*close)(struct stream *s);
    /* Write all len bytes (or fail). */
    int (*write)(struct stream *s, const uint8_t *buf, size_t len, struct ispf_error *err);
    /* Read up to len bytes, waiting at most timeout_ms for the first one.
     * Returns bytes read (>0), 0 on timeout, or a negative status. */
    int (*read_some)(struct stream *s, uint8_t *buf, size_t len, int timeout_ms,
                     struct ispf_error *err);
    /* Optional (NULL for TCP): change speed; set modem lines. */
    int (*set_baud)(struct stream *s, int baud, struct ispf_error *err);
    int (*set_lines)(struct stream *s, int dtr, int rts, struct ispf_error *err);
};

struct stream {
    const struct stream_ops *ops;
    char *port;      /* copy of the port string, for messages */
    void *impl;      /* implementation state */
    uint64_t tx, rx; /* byte counters */
    int baud;        /* link speed: the serial baud rate; for TCP the speed of the
                      * serial line assumed behind the bridge (what open was given) */
};

/* Open port at baud (ignored for TCP). *out is freed by stream_close. */
int stream_open(struct stream **out, const char *port, int baud, struct ispf_error *err);
void stream_close(struct stream *s);
int stream_write(struct stream *s, const uint8_t *buf, size_t len, struct ispf_error *err);
/* Read exactly len bytes within timeout_ms in total. A short read is ISPF_E_TIMEOUT
 * naming how many bytes arrived. After a request to stop (ispf_interrupted(), a
 * signal arriving during the wait) a read that has received nothing yet returns
 * ISPF_E_INTERRUPTED; one that has begun is finished, so the protocol stays in step. */
int stream_read(struct stream *s, uint8_t *buf, size_t len, int timeout_ms, struct ispf_error *err);
/* Bytes a port sent that are not the protocol: how many, and the first of them
 * (for stream_not_protocol). */
struct stream_junk {
    size_t n;
    uint8_t first[8];
};
/* Count n bytes into j (NULL: nothing). */
void stream_junk_add(struct stream_junk *j, const uint8_t *buf, size_t n);
/* Read and drop input until quiet_ms pass without a byte (0: only what is already
 * there), the clock_now_ms() time deadline_ms passes, or (with j) max bytes are
 * counted in j: it never waits past the deadline, however the port keeps sending.
 * ISPF_OK then; a transport error (its message in *err when err is not NULL); with
 * interruptible, ISPF_E_INTERRUPTED once a stop was requested (ispflash/interrupt.h). */
int stream_discard(struct stream *s, int quiet_ms, long long deadline_ms, struct stream_junk *j,
                   size_t max, bool interruptible, struct ispf_error *err);
int stream_set_baud(struct stream *s, int baud, struct ispf_error *err);
int stream_set_lines(struct stream *s, int dtr, int rts, struct ispf_error *err);
/* Milliseconds that nbytes take on the link at s->baud (10 bits a byte), rounded up;
 * 0 when the speed is unknown (baud <= 0). Reply timeouts add this to their base. */
int stream_wire_ms(const struct stream *s, size_t nbytes);
/* The error for a port that sends bytes which are not the expected protocol (the
 * wrong -P, a sketch printing, a wrong -b): ISPF_E_PROTOCOL, naming the port, the
 * protocol, how many such bytes arrived and the first of them, and asking whether it
 * is the right port and speed. */
int stream_not_protocol(struct stream *s, const char *protocol, const uint8_t *junk, size_t njunk,
                        struct ispf_error *err);
/* Open the serial port at baud (1200: the Arduino "touch"), drop DTR and close it,
 * sending nothing: a board running an Arduino 32U4 core or Caterina's application
 * reboots into its bootloader. Errors as for opening the port. */
int stream_serial_touch(const char *port, int baud, struct ispf_error *err);
/* True if port names a TCP endpoint ("net:..."). */
int stream_is_net(const char *port);

#endif
