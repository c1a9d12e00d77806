// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Emulated STK500v2 (AVR068) programmer firmware on the shared target-chip model:
 * framing with start-byte hunting and checksum check, the ISP command set with
 * its auto-incrementing address counter (bit 31 -> Load Extended Address), page
 * and word modes with timed / value / RDY-BSY completion, SPI_MULTI, parameters.
 * Written from protocols.md section 3 (AVR068); the framing here is independent
 * of the host side's src/programmers/stk500v2_proto.c.
 *
 * Options (--opt KEY=VALUE):
 *   signon=NAME     SIGN_ON string (default STK500_2; AVRISP_2, SCRATCHMONKEY, ...)
 *   vtarget=N       VTARGET in tenths of a volt (default 50); below 10 the target
 *                   is unpowered: MISO reads 0 and ENTER_PROGMODE_ISP fails
 *   novtarget=1     GET_PARAMETER VTARGET answers FAILED (clones without it)
 *   maxread=N       largest READ_*_ISP block accepted (default 272); larger: FAILED
 *   maxread_silent=1  larger reads get no answer at all (a firmware that chokes)
 *   failed=N        answer the Nth message with STATUS_CMD_FAILED (not executed)
 *   tout=N          answer the Nth message with STATUS_CMD_TOUT (not executed)
 *   failcmd=ID      answer every command ID (hex, e.g. 10) with STATUS_CMD_FAILED
 *   toutcmd=ID      answer every command ID with STATUS_CMD_TOUT
 *   badsum=N        send the answer to the Nth message with a wrong checksum
 *   badseq=N        send the answer to the Nth message with a wrong sequence number
 *   cksumerr=N      pretend the Nth message arrived damaged: ANSWER_CKSUM_ERROR
 *   noise=N         send stray bytes (with a fake start byte) before the Nth answer
 *   mute=N          from the Nth message on, answer nothing (a programmer that hangs)
 *   nospimulti=1    old firmware without SPI_MULTI: it answers STATUS_CMD_UNKNOWN
 *   extaddr=MODE    when the firmware sends Load Extended Address (4D) on parts
 *                   whose LOAD_ADDRESS has bit 31 (AVR068: bit 31 = "a load extended
 *                   address must be executed"):
 *                   bit31 (default): once, before the first flash access after a
 *                     LOAD_ADDRESS with bit 31; never again by itself, so a counter
 *                     that runs over a 64K-word boundary keeps the old extended byte
 *                   auto: also again whenever the counter crosses a 64K-word
 *                     boundary (as LUFA's AVRISP-MKII firmware does)
 * Messages are counted from 1, every well-formed frame counts.
 * Stats: proto.left_progmode (LEAVE_PROGMODE_ISP while in programming mode),
 * proto.ended_in_progmode (connections that ended with the target still in it).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/emu.h"

#define V2E_MAX_BODY 275u

struct v2e {
    struct emu_io *io;
    struct avrchip *chip;
    const char *signon;
    int vtarget;
    bool novtarget;
    unsigned maxread;
    bool maxread_silent;
    bool nospimulti;
    bool ext_auto;    /* extaddr=auto: re-load 4D at each 64K-word boundary */
    bool ext_pending; /* 4D due before the next flash access */
    unsigned long failed_n, tout_n, badsum_n, badseq_n, cksumerr_n, noise_n, mute_n;
    int failcmd, toutcmd;
    uint32_t addr; /* the address counter, as loaded (bit 31 kept) */
    uint8_t sck_duration, reset_polarity;
    uint8_t acc[4]; /* SPI_MULTI bytes of an unfinished instruction */
    unsigned acc_n;
    unsigned long msgs;
};

static unsigned long v2e_opt_ul(struct emu_io *io, const char *key, unsigned long dflt, int base)
{
    const char *v = emu_opt(io, key);
    return v ? strtoul(v, NULL, base) : dflt;
}

static bool v2e_unpowered(const struct v2e *e)
{
    return e->vtarget < 10;
}

/* Clock one 4-byte instruction into the target. */
static void v2e_spi(struct v2e *e, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t out[4])
{
    uint8_t in[4] = {a, b, c, d};
    if (v2e_unpowered(e)) {
        memset(out, 0, 4);
        return;
    }
    avrchip_spi(e->chip, in, out);
}

static void v2e_answer(struct v2e *e, uint8_t seq, const uint8_t *body, size_t len)
{
    uint8_t frame[V2E_MAX_BODY + 8];
    if (e->noise_n && e->msgs == e->noise_n) {
        /* Line noise, including a start byte followed by a wrong sequence number. */
        static const uint8_t noise[] = {0x00, 0xFF, 0x1B, 0x77, 0x1B, 0x00, 0x55};
        emu_write(e->io, noise, sizeof noise);
    }
    frame[0] = 0x1B;
    frame[1] = (e->badseq_n && e->msgs == e->badseq_n) ? (uint8_t)(seq + 1u) : seq;
    frame[2] = (uint8_t)(len >> 8);
    frame[3] = (uint8_t)len;
    frame[4] = 0x0E;
    memcpy(frame + 5, body, len);
    uint8_t x = 0;
    for (size_t i = 0; i < 5 + len; i++)
        x ^= frame[i];
    if (e->badsum_n && e->msgs == e->badsum_n)
        x ^= 0x5A;
    frame[5 + len] = x;
    emu_write(e->io, frame, len + 6);
    emu_end_reply(e->io);
}

/* Before a flash access at word: send 4D if one is due (after a LOAD_ADDRESS
 * with bit 31, or in auto mode after the counter crossed a 64K-word boundary). */
static void v2e_ext_addr(struct v2e *e, uint32_t word)
{
    if (!(e->addr & 0x80000000u))
        return;
    if (e->ext_auto && (word & 0xFFFFu) == 0)
        e->ext_pending = true;
    if (e->ext_pending) {
        uint8_t out[4];
        v2e_spi(e, 0x4D, 0x00, (uint8_t)(word >> 16), 0x00, out);
        e->ext_pending = false;
    }
}

/* Wait for completion after a write as the mode bits say. Returns a status. */
static uint8_t v2e_complete(struct v2e *e, uint8_t mode, bool page, uint8_t readcmd, uint32_t a,
                            uint8_t expect, uint8_t poll1, bool flash)
{
    uint8_t out[4];
    bool rdybsy = page ? (mode & 0x40) : (mode & 0x08);
    bool value = page ? (mode & 0x20) : (mode & 0x04);
    if (rdybsy) {
        for (int i = 0; i < 200; i++) {
            v2e_spi(e, 0xF0, 0x00, 0x00, 0x00, out);
            if (!(out[3] & 1))
                return 0x00;
        }
        return 0x81; /* STATUS_RDY_BSY_TOUT */
    }
    if (value && expect != poll1) {
        for (int i = 0; i < 200; i++) {
            if (flash)
                v2e_spi(e, (uint8_t)(readcmd | ((a & 1u) ? 0x08 : 0)), (uint8_t)(a >> 9),
                        (uint8_t)(a >> 1), 0x00, out);
            else
                v2e_spi(e, readcmd, (uint8_t)(a >> 8), (uint8_t)a, 0x00, out);
            if (out[3] == expect)
                return 0x00;
        }
        return 0x80; /* STATUS_CMD_TOUT */
    }
    return 0x00; /* timed delay: the model is instant */
}

static size_t v2e_program(struct v2e *e, const uint8_t *b, size_t len, uint8_t *ans)
{
    bool flash = b[0] == 0x13;
    ans[0] = b[0];
    if (len < 10) {
        ans[1] = 0xC0;
        return 2;
    }
    unsigned n = (unsigned)b[1] << 8 | b[2];
    uint8_t mode = b[3], cmd1 = b[5], cmd2 = b[6], cmd3 = b[7], poll1 = b[8];
    if (len != 10u + n || (flash && (n & 1u) && (mode & 1u))) {
        ans[1] = 0xC0;
        return 2;
    }
    const uint8_t *data = b + 10;
    uint8_t out[4];
    uint8_t status = 0x00;
    uint32_t start = e->addr & 0x7FFFFFFFu;
    bool page = mode & 1u;
    uint32_t poll_addr = 0;
    uint8_t poll_val = poll1;
    for (unsigned i = 0; i < n; i++) {
        if (flash) {
            uint32_t word = start + i / 2u;
            if (!(i & 1u))
                v2e_ext_addr(e, word);
            uint8_t op = (uint8_t)(cmd1 | ((i & 1u) ? 0x08 : 0x00));
            v2e_spi(e, op, (uint8_t)(word >> 8), (uint8_t)word, data[i], out);
            if (data[i] != poll1 && poll_val == poll1) {
                poll_addr = word * 2u + (i & 1u);
                poll_val = data[i];
            }
            if (!page) {
                status =
                    v2e_complete(e, mode, false, cmd3, word * 2u + (i & 1u), data[i], poll1, true);
                if (status)
                    break;
            }
        } else {
            uint32_t a = start + i;
            v2e_spi(e, cmd1, (uint8_t)(a >> 8), (uint8_t)a, data[i], out);
            if (data[i] != poll1 && poll_val == poll1) {
                poll_addr = a;
                poll_val = data[i];
            }
            if (!page) {
                status = v2e_complete(e, mode, false, cmd3, a, data[i], poll1, false);
                if (status)
                    break;
            }
        }
    }
    if (page && status == 0 && (mode & 0x80u)) {
        v2e_spi(e, cmd2, (uint8_t)(start >> 8), (uint8_t)start, 0x00, out);
        status = v2e_complete(e, mode, true, cmd3, poll_addr, poll_val, poll1, flash);
    }
    e->addr += flash ? n / 2u : n;
    ans[1] = status;
    return 2;
}

static size_t v2e_read(struct v2e *e, const uint8_t *b, size_t len, uint8_t *ans)
{
    bool flash = b[0] == 0x14;
    ans[0] = b[0];
    if (len < 4) {
        ans[1] = 0xC0;
        return 2;
    }
    unsigned n = (unsigned)b[1] << 8 | b[2];
    if (n > e->maxread || n + 3u > V2E_MAX_BODY) {
        ans[1] = 0xC0;
        return 2;
    }
    uint8_t cmd = b[3], out[4];
    uint32_t start = e->addr & 0x7FFFFFFFu;
    for (unsigned i = 0; i < n; i++) {
        if (flash) {
            uint32_t word = start + i / 2u;
            if (!(i & 1u))
                v2e_ext_addr(e, word);
            v2e_spi(e, (uint8_t)(cmd | ((i & 1u) ? 0x08 : 0x00)), (uint8_t)(word >> 8),
                    (uint8_t)word, 0x00, out);
        } else {
            uint32_t a = start + i;
            v2e_spi(e, cmd, (uint8_t)(a >> 8), (uint8_t)a, 0x00, out);
        }
        ans[2 + i] = out[3];
    }
    e->addr += flash ? n / 2u : n;
    ans[1] = 0x00;
    ans[2 + n] = 0x00;
    return n + 3u;
}

static size_t v2e_spi_multi(struct v2e *e, const uint8_t *b, size_t len, uint8_t *ans)
{
    ans[0] = b[0];
    if (len < 4 || len != 4u + b[1] || b[2] + 3u > V2E_MAX_BODY) {
        ans[1] = 0xC0;
        return 2;
    }
    unsigned ntx = b[1], nrx = b[2], rxstart = b[3];
    unsigned total = ntx > rxstart + nrx ? ntx : rxstart + nrx;
    uint8_t miso[512];
    for (unsigned i = 0; i < total; i++) {
        e->acc[e->acc_n++] = i < ntx ? b[4 + i] : 0x00;
        miso[i] = 0xFF;
        if (e->acc_n == 4) {
            /* The instruction ends at byte i; it may have begun in an earlier message. */
            uint8_t out[4];
            v2e_spi(e, e->acc[0], e->acc[1], e->acc[2], e->acc[3], out);
            for (int k = 0; k < 4; k++) {
                int pos = (int)i - 3 + k;
                if (pos >= 0)
                    miso[pos] = out[k];
            }
            e->acc_n = 0;
        }
    }
    ans[1] = 0x00;
    for (unsigned i = 0; i < nrx; i++)
        ans[2 + i] = miso[rxstart + i];
    ans[2 + nrx] = 0x00;
    return nrx + 3u;
}

static size_t v2e_set_param(struct v2e *e, const uint8_t *b, size_t len, uint8_t *ans)
{
    if (len < 3) {
        ans[1] = 0xC0;
        return 2;
    }
    if (b[1] == 0x98)
        e->sck_duration = b[2];
    else if (b[1] == 0x9E)
        e->reset_polarity = b[2];
    else if (b[1] == 0x94 && b[2] >= 10)
        e->vtarget = b[2];
    return 2;
}

static size_t v2e_get_param(struct v2e *e, const uint8_t *b, size_t len, uint8_t *ans)
{
    if (len < 2) {
        ans[1] = 0xC0;
        return 2;
    }
    switch (b[1]) {
    case 0x90:
        ans[2] = 2;
        break;
    case 0x91:
        ans[2] = 2;
        break;
    case 0x92:
        ans[2] = 10;
        break;
    case 0x94:
        if (e->novtarget) {
            ans[1] = 0xC0;
            return 2;
        }
        ans[2] = (uint8_t)e->vtarget;
        break;
    case 0x95:
        ans[2] = 50;
        break;
    case 0x96:
        ans[2] = 1;
        break;
    case 0x97:
        ans[2] = 1;
        break;
    case 0x98:
        ans[2] = e->sck_duration;
        break;
    case 0x9A:
        ans[2] = 0xFF;
        break;
    case 0x9E:
        ans[2] = e->reset_polarity;
        break;
    default:
        ans[1] = 0xC0;
        return 2;
    }
    return 3;
}

static size_t v2e_enter_progmode(struct v2e *e, const uint8_t *b, size_t len, uint8_t *ans)
{
    uint8_t out[4];
    if (len < 12) {
        ans[1] = 0xC0;
        return 2;
    }
    unsigned loops = b[4] ? b[4] : 1;
    uint8_t pollvalue = b[6], pollindex = b[7];
    e->acc_n = 0;
    avrchip_set_reset(e->chip, false);
    avrchip_set_reset(e->chip, true);
    for (unsigned i = 0; i < loops; i++) {
        v2e_spi(e, b[8], b[9], b[10], b[11], out);
        if (pollindex == 0 || (pollindex <= 4 && out[pollindex - 1] == pollvalue))
            return 2;
        /* Out of sync: positive RESET pulse, try again. */
        avrchip_set_reset(e->chip, false);
        avrchip_set_reset(e->chip, true);
    }
    avrchip_set_reset(e->chip, false);
    ans[1] = 0xC0;
    return 2;
}

static size_t v2e_chip_erase(struct v2e *e, const uint8_t *b, size_t len, uint8_t *ans)
{
    uint8_t out[4];
    if (len < 7) {
        ans[1] = 0xC0;
        return 2;
    }
    v2e_spi(e, b[3], b[4], b[5], b[6], out);
    if (b[2] == 1) {
        for (int i = 0; i < 200; i++) {
            v2e_spi(e, 0xF0, 0, 0, 0, out);
            if (!(out[3] & 1))
                return 2;
        }
        ans[1] = 0x80;
    }
    return 2;
}

static size_t v2e_execute(struct v2e *e, const uint8_t *b, size_t len, uint8_t *ans)
{
    uint8_t out[4];
    ans[0] = b[0];
    ans[1] = 0x00;
    switch (b[0]) {
    case 0x01: { /* SIGN_ON */
        size_t n = strlen(e->signon);
        if (n > 32)
            n = 32;
        ans[2] = (uint8_t)n;
        memcpy(ans + 3, e->signon, n);
        return 3 + n;
    }
    case 0x02: /* SET_PARAMETER */
        return v2e_set_param(e, b, len, ans);
    case 0x03: /* GET_PARAMETER */
        return v2e_get_param(e, b, len, ans);
    case 0x06: /* LOAD_ADDRESS */
        if (len < 5) {
            ans[1] = 0xC0;
            return 2;
        }
        e->addr = (uint32_t)b[1] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 8 | b[4];
        e->ext_pending = (e->addr & 0x80000000u) != 0;
        return 2;
    case 0x10: /* ENTER_PROGMODE_ISP */
        return v2e_enter_progmode(e, b, len, ans);
    case 0x11: /* LEAVE_PROGMODE_ISP */
        if (e->chip->reset_low)
            emu_stat_add(e->io, "left_progmode", 1);
        avrchip_set_reset(e->chip, false);
        e->acc_n = 0;
        return 2;
    case 0x12: /* CHIP_ERASE_ISP */
        return v2e_chip_erase(e, b, len, ans);
    case 0x13:
    case 0x15:
        return v2e_program(e, b, len, ans);
    case 0x14:
    case 0x16:
        return v2e_read(e, b, len, ans);
    case 0x17: /* PROGRAM_FUSE_ISP */
    case 0x19: /* PROGRAM_LOCK_ISP */
        if (len < 5) {
            ans[1] = 0xC0;
            return 2;
        }
        v2e_spi(e, b[1], b[2], b[3], b[4], out);
        ans[2] = 0x00;
        return 3;
    case 0x18: /* READ_FUSE_ISP */
    case 0x1A: /* READ_LOCK_ISP */
    case 0x1B: /* READ_SIGNATURE_ISP */
    case 0x1C: /* READ_OSCCAL_ISP */
        if (len < 6 || b[1] < 1 || b[1] > 4) {
            ans[1] = 0xC0;
            return 2;
        }
        v2e_spi(e, b[2], b[3], b[4], b[5], out);
        ans[2] = out[b[1] - 1];
        ans[3] = 0x00;
        return 4;
    case 0x1D:
        if (e->nospimulti) {
            ans[1] = 0xC9;
            return 2;
        }
        return v2e_spi_multi(e, b, len, ans);
    default:
        ans[1] = 0xC9; /* STATUS_CMD_UNKNOWN */
        return 2;
    }
}

/* The firmware's state and the --opt settings; false on a bad option. */
static bool v2e_init(struct v2e *e, struct emu_io *io, struct avrchip *chip)
{
    memset(e, 0, sizeof *e);
    e->io = io;
    e->chip = chip;
    e->signon = emu_opt(io, "signon") ? emu_opt(io, "signon") : "STK500_2";
    e->vtarget = (int)v2e_opt_ul(io, "vtarget", 50, 10);
    e->novtarget = v2e_opt_ul(io, "novtarget", 0, 10) != 0;
    e->maxread = (unsigned)v2e_opt_ul(io, "maxread", V2E_MAX_BODY - 3u, 10);
    e->maxread_silent = v2e_opt_ul(io, "maxread_silent", 0, 10) != 0;
    e->nospimulti = v2e_opt_ul(io, "nospimulti", 0, 10) != 0;
    const char *ext = emu_opt(io, "extaddr");
    if (ext && strcmp(ext, "auto") != 0 && strcmp(ext, "bit31") != 0) {
        fprintf(stderr, "ispf-emu: --opt extaddr=%s: use bit31 or auto\n", ext);
        return false;
    }
    e->ext_auto = ext && strcmp(ext, "auto") == 0;
    e->failed_n = v2e_opt_ul(io, "failed", 0, 10);
    e->tout_n = v2e_opt_ul(io, "tout", 0, 10);
    e->badsum_n = v2e_opt_ul(io, "badsum", 0, 10);
    e->badseq_n = v2e_opt_ul(io, "badseq", 0, 10);
    e->cksumerr_n = v2e_opt_ul(io, "cksumerr", 0, 10);
    e->noise_n = v2e_opt_ul(io, "noise", 0, 10);
    e->mute_n = v2e_opt_ul(io, "mute", 0, 10);
    e->failcmd = emu_opt(io, "failcmd") ? (int)v2e_opt_ul(io, "failcmd", 0, 16) : -1;
    e->toutcmd = emu_opt(io, "toutcmd") ? (int)v2e_opt_ul(io, "toutcmd", 0, 16) : -1;
    e->sck_duration = 1;
    return true;
}

static int v2e_serve(struct emu_io *io, struct avrchip *chip)
{
    struct v2e e;
    if (!v2e_init(&e, io, chip))
        return 0;
    avrchip_set_reset(chip, false);

    uint8_t body[V2E_MAX_BODY], ans[V2E_MAX_BODY + 4];
    for (;;) {
        int c = emu_getc(io);
        if (c < 0)
            break;
        if (c != 0x1B)
            continue; /* hunt for MESSAGE_START */
        uint8_t hdr[4];
        if (emu_read(io, hdr, 4) < 0)
            break;
        if (hdr[3] != 0x0E)
            continue; /* not a frame: hunt again */
        unsigned size = (unsigned)hdr[1] << 8 | hdr[2];
        if (size == 0 || size > V2E_MAX_BODY)
            continue; /* larger than the receive buffer: dropped */
        if (emu_read(io, body, size) < 0)
            break;
        int cs = emu_getc(io);
        if (cs < 0)
            break;
        uint8_t x = 0x1B ^ hdr[0] ^ hdr[1] ^ hdr[2] ^ hdr[3] ^ (uint8_t)cs;
        for (unsigned i = 0; i < size; i++)
            x ^= body[i];
        e.msgs++;
        emu_stat_add(io, "messages", 1);
        uint8_t seq = hdr[0];
        if (e.mute_n && e.msgs >= e.mute_n)
            continue;
        if (x != 0 || (e.cksumerr_n && e.msgs == e.cksumerr_n)) {
            uint8_t b2[2] = {0xB0, 0xC1}; /* ANSWER_CKSUM_ERROR, STATUS_CKSUM_ERROR */
            v2e_answer(&e, seq, b2, 2);
            continue;
        }
        if ((e.failed_n && e.msgs == e.failed_n) || e.failcmd == body[0]) {
            uint8_t b2[2] = {body[0], 0xC0};
            v2e_answer(&e, seq, b2, 2);
            continue;
        }
        if ((e.tout_n && e.msgs == e.tout_n) || e.toutcmd == body[0]) {
            uint8_t b2[2] = {body[0], 0x80};
            v2e_answer(&e, seq, b2, 2);
            continue;
        }
        if (e.maxread_silent && (body[0] == 0x14 || body[0] == 0x16) && size >= 3 &&
            ((unsigned)body[1] << 8 | body[2]) > e.maxread)
            continue;
        size_t n = v2e_execute(&e, body, size, ans);
        v2e_answer(&e, seq, ans, n);
    }
    if (chip->reset_low) /* the client went away with the target in programming mode */
        emu_stat_add(io, "ended_in_progmode", 1);
    avrchip_set_reset(chip, false);
    return 0;
}

const struct emu_proto emu_stk500v2 = {
    .name = "stk500v2",
    .serve = v2e_serve,
};
