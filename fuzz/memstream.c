// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A scripted in-memory byte stream and a virtual clock, for the programmer harnesses
 * (fuzz_pgm.c). It stands in for the transport: at start-up it makes every stream
 * open with its ops (stream_use_ops, transport/stream_impl.h), and, linked before
 * ispflash_core, its clock_now_us/clock_sleep_us replace src/base/clock.c's, so nothing
 * waits: a sleep or a timeout moves the virtual
 * clock on at once, and a harness runs thousands of sessions a second.
 *
 * The script: each chunk is a length byte L then min(L & 0x3F, what is left) + 1 reply
 * bytes returned by one read; L >= 0xC0 instead makes that read time out (no bytes).
 * When the script is used up every read times out. Writes are swallowed (counted).
 *
 * Recording (seeds from the emulators, fuzz/record-seeds.sh): with FUZZ_RECORD=PORT the
 * stream talks to 127.0.0.1:PORT (an ispf-emu) on the real clock instead, and writes
 * what each read got, in the script format, to the file FUZZ_RECORD_OUT.
 */
#include "memstream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "transport/stream_impl.h"

static struct {
    const uint8_t *p, *end;
    uint64_t now_us;
    uint64_t writes;
    uint8_t pending[64];
    size_t npending, off;
    int rec_fd;      /* recording: the socket to the emulator, else -1 */
    FILE *rec_out;   /* recording: the script written */
    int rec_checked; /* FUZZ_RECORD looked at */
} ms = {.rec_fd = -1};

static int recording(void)
{
    if (!ms.rec_checked) {
        ms.rec_checked = 1;
        const char *port = getenv("FUZZ_RECORD");
        const char *out = getenv("FUZZ_RECORD_OUT");
        if (port && out) {
            ms.rec_out = fopen(out, "ab");
            if (!ms.rec_out)
                abort();
            ms.rec_fd = -2; /* connected at open */
            (void)port;
        }
    }
    return ms.rec_out != NULL;
}

static int rec_connect(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)atoi(getenv("FUZZ_RECORD")))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        abort();
    return fd;
}

static int rec_read(uint8_t *buf, size_t len, int timeout_ms)
{
    struct pollfd pfd = {.fd = ms.rec_fd, .events = POLLIN};
    int n = 0;
    if (poll(&pfd, 1, timeout_ms) > 0) {
        ssize_t r = read(ms.rec_fd, buf, len > 64 ? 64 : len);
        n = r > 0 ? (int)r : 0;
    }
    if (n == 0)
        fputc(0xC0, ms.rec_out);
    else {
        fputc(n - 1, ms.rec_out);
        fwrite(buf, 1, (size_t)n, ms.rec_out);
    }
    return n;
}

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
    if (recording()) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
    }
    return ms.now_us;
}

void clock_sleep_us(uint64_t us)
{
    if (recording())
        usleep((useconds_t)us);
    else
        ms.now_us += us;
}

static int mem_open(struct stream *s, const char *port, int baud, struct ispf_error *err)
{
    (void)s, (void)port, (void)baud, (void)err;
    if (recording() && ms.rec_fd < 0)
        ms.rec_fd = rec_connect();
    return ISPF_OK;
}

static void mem_close(struct stream *s)
{
    (void)s;
    if (recording() && ms.rec_fd >= 0) {
        close(ms.rec_fd);
        ms.rec_fd = -2;
        fflush(ms.rec_out);
    }
}

static int mem_write(struct stream *s, const uint8_t *buf, size_t len, struct ispf_error *err)
{
    (void)s, (void)buf, (void)err;
    if (recording() && ms.rec_fd >= 0 && write(ms.rec_fd, buf, len) != (ssize_t)len)
        return ispf_fail(err, ISPF_E_IO, "recording: write to the emulator failed");
    ms.writes += len;
    ms.now_us += 10; /* writing takes a little time */
    return ISPF_OK;
}

static int mem_read_some(struct stream *s, uint8_t *buf, size_t len, int timeout_ms,
                         struct ispf_error *err)
{
    (void)s, (void)err;
    if (recording())
        return rec_read(buf, len, timeout_ms);
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

int memstream_next_chunk(uint8_t buf[64], uint16_t *len, unsigned timeout_ms)
{
    ms.now_us += 100;
    if (ms.p == ms.end) {
        ms.now_us += (uint64_t)timeout_ms * 1000u;
        return MEMSTREAM_TIMEOUT;
    }
    uint8_t l = *ms.p++;
    if (l >= 0xC0) {
        if (l == 0xFF) {
            *len = 0;
            return MEMSTREAM_EMPTY;
        }
        if (l == 0xFE)
            return MEMSTREAM_GONE;
        if (l < 0xF0)
            return MEMSTREAM_IO;
        ms.now_us += (uint64_t)timeout_ms * 1000u;
        return MEMSTREAM_TIMEOUT;
    }
    size_t want = (size_t)(l & 0x3F) + 1;
    size_t left = (size_t)(ms.end - ms.p);
    size_t n = want < left ? want : left;
    n = n < *len ? n : *len;
    memcpy(buf, ms.p, n);
    ms.p += want < left ? want : left;
    *len = (uint16_t)n;
    return MEMSTREAM_DATA;
}

static const struct stream_ops memstream_serial_ops = {
    .name = "memory (serial)",
    .open = mem_open,
    .close = mem_close,
    .write = mem_write,
    .read_some = mem_read_some,
    .set_baud = mem_set_baud,
    .set_lines = mem_set_lines,
};

static const struct stream_ops memstream_net_ops = {
    .name = "memory (net)",
    .open = mem_open,
    .close = mem_close,
    .write = mem_write,
    .read_some = mem_read_some,
};

/* Before main(): every stream of this process is a memory stream. */
__attribute__((constructor)) static void memstream_install(void)
{
    stream_use_ops(&memstream_serial_ops, &memstream_net_ops);
}
