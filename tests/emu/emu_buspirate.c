// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Emulated Bus Pirate (v3, firmware v5.10+/v6.x) on the shared target-chip model:
 * text terminal (just enough: prompt, 20 zero bytes -> binary mode), binary
 * bitbang mode (BBIO1), and binary SPI mode (SPI1) with CS, bulk transfers,
 * write-then-read with and without CS, peripherals, speed, configuration, and
 * optionally the "AVR extended commands" (0x06) of some firmware builds.
 * Behaviour follows the firmware's binIO.c / SPI.c (protocols.md section 6).
 *
 * Wiring modelled: CS -> target RESET (CS low = RESET held), MOSI/MISO/CLK.
 * Options (--opt KEY=VALUE):
 *   avrext=1      firmware has the AVR extended commands (bulk flash read)
 *   nowtr=1       firmware older than v5.10: no write-then-read without CS (0x05)
 *   needpower=1   the target is powered only from the Bus Pirate's supply (0x4x bit 3)
 *   extpullups=1  the target board pulls MOSI/SCK up (open-drain "hiz" works)
 * Stats: proto.terminal_returns (0x0F: back to the terminal), and at the end of a
 * connection proto.ended_in_binary (still in bitbang/SPI mode), proto.ended_powered
 * (supplies still on), proto.ended_reset_held (CS low: target RESET held).
 * SPI bytes are fed to the chip model in 4-byte instructions; the MISO bytes of a
 * transfer are computed once all of its bytes have arrived.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/emu.h"

#define BPE_BUFFER 4096u /* TERMINAL_BUFFER */

enum bpe_mode { BPE_TERMINAL, BPE_BITBANG, BPE_SPI };

struct bpe {
    struct emu_io *io;
    struct avrchip *chip;
    enum bpe_mode mode;
    unsigned zeros;
    bool avrext, nowtr, needpower, extpullups;
    /* SPI mode state */
    bool cs_high, power, pullups, aux, hiz;
    unsigned speed;
    uint8_t acc[4];
    unsigned acc_n;
    bool page_pending; /* page-buffer loads not yet committed by 4C / C2 */
};

static bool bpe_opt_on(struct emu_io *io, const char *key)
{
    const char *v = emu_opt(io, key);
    return v != NULL && strcmp(v, "0") != 0;
}

static void bpe_puts(struct bpe *b, const char *s)
{
    emu_write(b->io, (const uint8_t *)s, strlen(s));
}

static void bpe_byte(struct bpe *b, uint8_t c)
{
    emu_write(b->io, &c, 1);
}

/* Can the target see our signals? */
static bool bpe_target_live(const struct bpe *b)
{
    if (b->needpower && !b->power)
        return false;
    if (b->hiz && !b->pullups && !b->extpullups)
        return false; /* open drain with nothing pulling up: lines never go high */
    return true;
}

/* RESET follows CS (active low), and is released whenever the pins float. */
static void bpe_update_reset(struct bpe *b)
{
    bool low = b->mode == BPE_SPI && !b->cs_high && bpe_target_live(b);
    if (!low && b->chip->reset_low && b->page_pending) {
        /* RESET released with loaded, uncommitted page data: it is lost. A
         * programmer must never raise CS in the middle of a page. */
        emu_stat_add(b->io, "reset_lost_page", 1);
    }
    if (!low)
        b->page_pending = false;
    avrchip_set_reset(b->chip, low);
    if (!low)
        b->acc_n = 0;
}

/* Clock n bytes through the target, MISO into miso. */
static void bpe_clock(struct bpe *b, const uint8_t *mosi, uint8_t *miso, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        miso[i] = 0x00;
        if (!bpe_target_live(b))
            continue;
        if (b->cs_high) {
            miso[i] = 0xFF; /* target not selected: MISO floats high */
            continue;
        }
        b->acc[b->acc_n++] = mosi[i];
        if (b->acc_n == 4) {
            uint8_t out[4];
            avrchip_spi(b->chip, b->acc, out);
            if (b->acc[0] == 0x40 || b->acc[0] == 0x48 || b->acc[0] == 0xC1)
                b->page_pending = true;
            else if (b->acc[0] == 0x4C || b->acc[0] == 0xC2)
                b->page_pending = false;
            for (int k = 0; k < 4; k++) {
                long pos = (long)i - 3 + k;
                if (pos >= 0)
                    miso[pos] = out[k];
            }
            b->acc_n = 0;
        }
    }
}

static void bpe_reset_pins(struct bpe *b)
{
    /* binReset(): pins to inputs, supplies off. */
    b->cs_high = true;
    b->power = false;
    b->pullups = false;
    b->aux = false;
    b->acc_n = 0;
}

static void bpe_terminal(struct bpe *b, int c)
{
    if (c == 0x00) {
        if (++b->zeros == 20) {
            b->zeros = 0;
            b->mode = BPE_BITBANG;
            bpe_reset_pins(b);
            bpe_puts(b, "BBIO1");
            emu_end_reply(b->io);
        }
        return;
    }
    if (c == '\r' || c == '\n') {
        bpe_puts(b, "\r\nHiZ>");
        emu_end_reply(b->io);
    } else if (c >= 0x20 && c < 0x7F) {
        bpe_byte(b, (uint8_t)c); /* echo */
    }
}

static void bpe_bitbang(struct bpe *b, int c)
{
    if (c == 0x00) {
        bpe_puts(b, "BBIO1");
    } else if (c == 0x01) {
        bpe_reset_pins(b);
        b->mode = BPE_SPI;
        b->speed = 1;
        b->hiz = true; /* the firmware's default until the first 0x8x */
        bpe_update_reset(b);
        bpe_puts(b, "SPI1");
    } else if (c == 0x0F) {
        bpe_byte(b, 0x01);
        emu_end_reply(b->io);
        emu_stat_add(b->io, "terminal_returns", 1);
        /* The v3 firmware resets: back in the terminal, banner and prompt. */
        b->mode = BPE_TERMINAL;
        b->zeros = 0;
        bpe_reset_pins(b);
        bpe_update_reset(b);
        bpe_puts(b, "\r\nBus Pirate v3.5 (ispflash emulator)\r\nFirmware v6.1 r1676\r\n"
                    "HiZ>");
    } else if ((c & 0x80) || ((c >> 5) & 0x02)) {
        bpe_byte(b, 0x00); /* pin values / directions: report all pins low */
    } else {
        bpe_byte(b, 0x00); /* other modes are not emulated: unknown command */
    }
    emu_end_reply(b->io);
}

/* 0x04 / 0x05: write-then-read with / without CS. False when the host went away. */
static bool bpe_wtr(struct bpe *b, int c)
{
    uint8_t buf[BPE_BUFFER], miso[BPE_BUFFER];
    if (c == 0x05 && b->nowtr) {
        bpe_byte(b, 0x00);
        return true;
    }
    uint8_t hdr[4];
    if (emu_read(b->io, hdr, 4) < 0)
        return false;
    unsigned fw = (unsigned)hdr[0] << 8 | hdr[1], fr = (unsigned)hdr[2] << 8 | hdr[3];
    if (fw > BPE_BUFFER || fr > BPE_BUFFER) {
        bpe_byte(b, 0x00); /* the write bytes that follow are read as commands */
        return true;
    }
    if (emu_read(b->io, buf, fw) < 0)
        return false;
    if (c == 0x04) {
        emu_stat_add(b->io, "cs_commands", 1);
        b->cs_high = false;
        bpe_update_reset(b);
    }
    bpe_clock(b, buf, miso, fw);
    memset(buf, 0xFF, fr);
    bpe_clock(b, buf, miso, fr);
    if (c == 0x04) {
        b->cs_high = true;
        bpe_update_reset(b);
    }
    bpe_byte(b, 0x01);
    emu_write(b->io, miso, fr);
    emu_stat_add(b->io, "write_then_read", 1);
    return true;
}

/* 0x06: the AVR extended commands. False when the host went away. */
static bool bpe_avrext(struct bpe *b)
{
    if (!b->avrext) {
        bpe_byte(b, 0x00);
        return true;
    }
    bpe_byte(b, 0x01);
    int sub = emu_getc(b->io);
    if (sub < 0)
        return false;
    if (sub == 0x00) {
        bpe_byte(b, 0x01);
    } else if (sub == 0x01) {
        static const uint8_t ver[3] = {0x01, 0x00, 0x01};
        emu_write(b->io, ver, 3);
    } else if (sub == 0x02) {
        uint8_t p[8];
        if (emu_read(b->io, p, 8) < 0)
            return false;
        unsigned long saddr =
            (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
        unsigned long len =
            (unsigned long)p[4] << 24 | (unsigned long)p[5] << 16 | (unsigned long)p[6] << 8 | p[7];
        if (saddr > 0xFFFF || len > 0xFFFF || saddr + len > 0xFFFF) {
            bpe_byte(b, 0x00);
            return true;
        }
        bpe_byte(b, 0x01);
        emu_stat_add(b->io, "avr_bulk_reads", 1);
        for (unsigned long j = saddr; len > 0; j++) {
            uint8_t ins[4] = {0x20, (uint8_t)(j >> 8), (uint8_t)j, 0x00}, out[4];
            bpe_clock(b, ins, out, 4);
            bpe_byte(b, out[3]);
            if (--len == 0)
                return true;
            ins[0] = 0x28;
            bpe_clock(b, ins, out, 4);
            bpe_byte(b, out[3]);
            len--;
        }
    } else {
        bpe_byte(b, 0x00);
    }
    return true;
}

/* Returns false when the host went away. */
static bool bpe_spi(struct bpe *b, int c)
{
    uint8_t buf[BPE_BUFFER], miso[BPE_BUFFER];
    switch (c >> 4) {
    case 0x0:
        switch (c) {
        case 0x00:
            b->mode = BPE_BITBANG;
            bpe_reset_pins(b);
            bpe_update_reset(b);
            bpe_puts(b, "BBIO1");
            break;
        case 0x01:
            bpe_puts(b, "SPI1");
            break;
        case 0x02:
        case 0x03:
            emu_stat_add(b->io, "cs_commands", 1);
            b->cs_high = c == 0x03;
            bpe_update_reset(b);
            bpe_byte(b, 0x01);
            break;
        case 0x04:
        case 0x05:
            if (!bpe_wtr(b, c))
                return false;
            break;
        case 0x06:
            if (!bpe_avrext(b))
                return false;
            break;
        default:
            bpe_byte(b, 0x00);
            break;
        }
        break;
    case 0x1: { /* bulk transfer of 1..16 bytes */
        unsigned n = (unsigned)(c & 0x0F) + 1u;
        bpe_byte(b, 0x01);
        if (emu_read(b->io, buf, n) < 0)
            return false;
        bpe_clock(b, buf, miso, n);
        emu_write(b->io, miso, n);
        emu_stat_add(b->io, "bulk_transfers", 1);
        break;
    }
    case 0x4: /* peripherals: power, pull-ups, AUX, CS */
        b->power = c & 0x08;
        b->pullups = c & 0x04;
        b->aux = c & 0x02;
        b->cs_high = c & 0x01;
        bpe_update_reset(b);
        bpe_byte(b, 0x01);
        break;
    case 0x6:
        b->speed = (unsigned)c & 0x07u;
        bpe_byte(b, 0x01);
        break;
    case 0x8:
    case 0x9:
        b->hiz = !(c & 0x08);
        bpe_update_reset(b);
        bpe_byte(b, 0x01);
        break;
    default:
        bpe_byte(b, 0x00);
        break;
    }
    emu_end_reply(b->io);
    return true;
}

static int bpe_serve(struct emu_io *io, struct avrchip *chip)
{
    struct bpe b;
    memset(&b, 0, sizeof b);
    b.io = io;
    b.chip = chip;
    b.mode = BPE_TERMINAL;
    b.avrext = bpe_opt_on(io, "avrext");
    b.nowtr = bpe_opt_on(io, "nowtr");
    b.needpower = bpe_opt_on(io, "needpower");
    b.extpullups = bpe_opt_on(io, "extpullups");
    bpe_reset_pins(&b);
    bpe_update_reset(&b);
    for (;;) {
        int c = emu_getc(io);
        if (c < 0)
            break;
        if (b.mode == BPE_TERMINAL)
            bpe_terminal(&b, c);
        else if (b.mode == BPE_BITBANG)
            bpe_bitbang(&b, c);
        else if (!bpe_spi(&b, c))
            break;
    }
    if (b.mode != BPE_TERMINAL)
        emu_stat_add(io, "ended_in_binary", 1);
    if (b.mode != BPE_TERMINAL && b.power)
        emu_stat_add(io, "ended_powered", 1);
    if (b.mode == BPE_SPI && !b.cs_high && bpe_target_live(&b))
        emu_stat_add(io, "ended_reset_held", 1);
    avrchip_set_reset(chip, false);
    return 0;
}

const struct emu_proto emu_buspirate = {
    .name = "buspirate",
    .serve = bpe_serve,
};
