// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A scripted in-memory byte stream and a virtual clock, for the programmer harnesses
 * (fuzz_pgm.c). Linked before ispflash_core, it stands in for the transport: its
 * stream_serial_ops and stream_tcp_ops replace serial.c's and tcp.c's (the archive
 * members holding only those are then not linked), and clock_now_us/clock_sleep_us
 * replace src/base/clock.c's, so nothing waits: a sleep or a timeout moves the virtual
 * clock on at once, and a harness runs thousands of sessions a second.
 *
 * The script: each chunk is a length byte L then min(L & 0x3F, what is left) + 1 reply
 * bytes returned by one read; L >= 0xC0 instead makes that read time out (no bytes).
 * When the script is used up every read times out. Writes are swallowed (counted).
 */
#include "memstream.h"

#include <string.h>

#include "base/clock.h"
#include "transport/stream_impl.h"

static struct {
    const uint8_t *p, *end;
    uint64_t now_us;
    uint64_t writes;
    uint8_t pending[64];
    size_t npending, off;
} ms;

void memstream_script(const uint8_t *data, size_t size)
{
    ms.p = data;
    ms.end = data + size;
    ms.npending = ms.off = 0;
    ms.writes = 0;
}

uint64_t memstream_written(void)
{
    return ms.writes;
}

uint64_t clock_now_us(void)
{
    return ms.now_us;
}

void clock_sleep_us(uint64_t us)
{
    ms.now_us += us;
}

static int mem_open(struct stream *s, const char *port, int baud, struct ispf_error *err)
{
    (void)s, (void)port, (void)baud, (void)err;
    return ISPF_OK;
}

static void mem_close(struct stream *s)
{
    (void)s;
}

static int mem_write(struct stream *s, const uint8_t *buf, size_t len, struct ispf_error *err)
{
    (void)s, (void)buf, (void)err;
    ms.writes += len;
    ms.now_us += 10; /* writing takes a little time */
    return ISPF_OK;
}

static int mem_read_some(struct stream *s, uint8_t *buf, size_t len, int timeout_ms,
                         struct ispf_error *err)
{
    (void)s, (void)err;
    if (ms.off == ms.npending) {
        ms.off = ms.npending = 0;
        if (ms.p == ms.end || *ms.p >= 0xC0) {
            if (ms.p != ms.end)
                ms.p++;
            ms.now_us += (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000u + 1000u;
            return 0;
        }
        size_t want = (size_t)(*ms.p++ & 0x3F) + 1;
        size_t left = (size_t)(ms.end - ms.p);
        ms.npending = want < left ? want : left;
        memcpy(ms.pending, ms.p, ms.npending);
        ms.p += ms.npending;
        if (ms.npending == 0) {
            ms.now_us += (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000u + 1000u;
            return 0;
        }
    }
    size_t n = ms.npending - ms.off;
    if (n > len)
        n = len;
    memcpy(buf, ms.pending + ms.off, n);
    ms.off += n;
    ms.now_us += 10;
    return (int)n;
}

static int mem_set_baud(struct stream *s, int baud, struct ispf_error *err)
{
    (void)s, (void)baud, (void)err;
    return ISPF_OK;
}

static int mem_set_lines(struct stream *s, int dtr, int rts, struct ispf_error *err)
{
    (void)s, (void)dtr, (void)rts, (void)err;
    return ISPF_OK;
}

const struct stream_ops stream_serial_ops = {
    .name = "memory (serial)",
    .open = mem_open,
    .close = mem_close,
    .write = mem_write,
    .read_some = mem_read_some,
    .set_baud = mem_set_baud,
    .set_lines = mem_set_lines,
};

const struct stream_ops stream_tcp_ops = {
    .name = "memory (net)",
    .open = mem_open,
    .close = mem_close,
    .write = mem_write,
    .read_some = mem_read_some,
};
