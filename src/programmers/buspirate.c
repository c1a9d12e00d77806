// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bus Pirate (v3/v4 firmware) in binary SPI mode as an AVR ISP programmer.
 * Facts: protocols.md section 6. Wiring: the 10-pin header's CS -> target RESET,
 * MOSI, MISO, CLK -> SCK, GND (and +5V/3V3 if the Bus Pirate powers the target).
 *
 * RESET is held low through CS for the whole session: nothing here raises CS while
 * programming (no 0x03, no 0x04 write-then-read with CS), only disable() does.
 * Wire economy:
 *  - a flash page is one write-then-read-without-CS (0x05) carrying all its
 *    load-page instructions and the Write Page instruction;
 *  - reads use the firmware's AVR bulk-read extension (0x06 0x02) where it exists,
 *    otherwise bulk SPI transfers (0x1F) of four read instructions each.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_PREFIX "buspirate"
#include "base/clock.h"
#include "ispflash/interrupt.h"
#include "ispflash/isp.h"
#include "ispflash/log.h"
#include "programmers/backend.h"
#include "transport/stream.h"

#define BP_TIMEOUT_MS 1000
/* Entering binary mode: all of it within this, however chatty the port. */
#define BP_SYNC_MS 2500
/* A port that sends this many bytes without "BBIO1" is not a Bus Pirate. */
#define BP_JUNK_MAX 1024u
/* Write-then-read buffer of the firmware (TERMINAL_BUFFER). */
#define BP_WTR_MAX 4096u
/* The AVR extension's bulk read only addresses the first 64 K words, and
 * start word + byte count must stay below 0x10000. */
#define BP_EXT_LIMIT 0xFFFFu

static const unsigned bp_speed_hz[8] = {30000,   125000,  250000,  1000000,
                                        2000000, 2600000, 4000000, 8000000};

struct bp_priv {
    struct stream *s;
    uint8_t periph; /* last 0100wxyz byte: power, pull-ups, AUX, CS */
    uint8_t config; /* 1000wxyz SPI configuration */
    unsigned speed; /* 0..7 */
    bool speed_given;
    bool hiz, pullups, nopagedwrite, nopagedread;
    bool has_wtr;    /* 0x05 write-then-read without CS */
    bool has_avrext; /* 0x06 AVR extended commands */
    bool in_spi;
    bool in_binary;          /* bitbang or SPI mode reached: close must return to terminal */
    size_t last_tx;          /* bytes of the last command, for its reply's timeout */
    struct stream_junk junk; /* bytes seen while entering binary mode */
};

static struct bp_priv *bp_priv(struct pgm *pgm)
{
    return pgm->priv;
}

static void bp_sync_stats(struct pgm *pgm)
{
    pgm_stats_from_stream(pgm, bp_priv(pgm)->s);
}

static int bp_write(struct pgm *pgm, const uint8_t *buf, size_t len, struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    pgm->stats.commands++;
    bp->last_tx = len;
    int rc = stream_write(bp->s, buf, len, err);
    bp_sync_stats(pgm);
    return rc;
}

/* A reply's timeout: the last command and the reply on the wire at the link's
 * speed, half as much again, what the SPI clock needs for spi_bytes, and a base. */
static int bp_timeout(const struct bp_priv *bp, size_t len, size_t spi_bytes)
{
    int wire = stream_wire_ms(bp->s, bp->last_tx + len);
    unsigned long spi = (unsigned long)spi_bytes * 8000ul / bp_speed_hz[bp->speed] + 1;
    return BP_TIMEOUT_MS + wire * 3 / 2 + (int)(spi * 3 / 2);
}

static int bp_read_spi(struct pgm *pgm, uint8_t *buf, size_t len, size_t spi_bytes,
                       struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    int rc = stream_read(bp->s, buf, len, bp_timeout(bp, len, spi_bytes), err);
    bp->last_tx = 0;
    bp_sync_stats(pgm);
    return rc;
}

static int bp_read(struct pgm *pgm, uint8_t *buf, size_t len, struct ispf_error *err)
{
    return bp_read_spi(pgm, buf, len, len, err);
}

static int bp_interrupted(struct ispf_error *err)
{
    return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
}

/* stream_discard, counting what it drops into bp->junk when count. */
static int bp_discard(struct pgm *pgm, int quiet_ms, long long deadline, bool count,
                      bool interruptible, struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    int rc = stream_discard(bp->s, quiet_ms, deadline, count ? &bp->junk : NULL, BP_JUNK_MAX,
                            interruptible, err);
    bp_sync_stats(pgm);
    return rc;
}

static long long bp_min_deadline(long long deadline, int ms)
{
    long long d = clock_now_ms() + ms;
    return d < deadline ? d : deadline;
}

/* One-byte command answered by 0x01 (peripherals, speed, configuration...). */
static int bp_cmd_ok(struct pgm *pgm, uint8_t cmd, const char *what, struct ispf_error *err)
{
    uint8_t r;
    int rc = bp_write(pgm, &cmd, 1, err);
    if (rc == ISPF_OK)
        rc = bp_read(pgm, &r, 1, err);
    if (rc)
        return ispf_error_prefix(err, "Bus Pirate: %s (command 0x%02X)", what, cmd);
    if (r != 0x01)
        return ispf_fail(err, ISPF_E_PROTOCOL,
                         "Bus Pirate: %s (command 0x%02X) answered 0x%02X instead of 0x01", what,
                         cmd, r);
    return ISPF_OK;
}

/* Read until the text `want` has arrived (within timeout_ms), skipping anything
 * before it (counted in bp->junk when count). ISPF_OK, or ISPF_E_TIMEOUT. */
static int bp_expect_text(struct pgm *pgm, const char *want, int timeout_ms, bool count,
                          struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    size_t wl = strlen(want), match = 0;
    long long t0 = clock_now_ms();
    for (;;) {
        long el = (long)(clock_now_ms() - t0);
        if (el >= timeout_ms || (count && bp->junk.n >= BP_JUNK_MAX))
            return ispf_fail(err, ISPF_E_TIMEOUT, "timeout");
        uint8_t c;
        struct ispf_error e2;
        ispf_error_clear(&e2);
        int rc = stream_read(bp->s, &c, 1, (int)(timeout_ms - el), &e2);
        bp_sync_stats(pgm);
        if (rc == ISPF_E_TIMEOUT)
            return ispf_fail(err, ISPF_E_TIMEOUT, "timeout");
        if (rc) {
            *err = e2;
            return rc;
        }
        if (count)
            stream_junk_add(&bp->junk, &c, 1);
        if (c == (uint8_t)want[match]) {
            if (++match == wl)
                return ISPF_OK;
        } else {
            match = c == (uint8_t)want[0] ? 1 : 0;
        }
    }
}

static int bp_parse_xopts(struct pgm *pgm, struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    bp->speed = 1; /* 125 kHz: safe for a factory-fresh 1 MHz target */
    for (size_t i = 0; i < pgm->cfg.n_xopts; i++) {
        const char *x = pgm->cfg.xopts[i];
        if (strncmp(x, "spifreq=", 8) == 0) {
            char *end;
            unsigned long v = strtoul(x + 8, &end, 10);
            if (x[8] == '\0' || *end != '\0' || v > 7)
                return ispf_fail(err, ISPF_E_USAGE,
                                 "-x %s: spifreq must be 0..7 (0 = 30 kHz, 1 = 125 kHz, 2 = 250 "
                                 "kHz, 3 = 1 MHz, 4 = 2 MHz, 5 = 2.6 MHz, 6 = 4 MHz, 7 = 8 MHz)",
                                 x);
            bp->speed = (unsigned)v;
            bp->speed_given = true;
        } else if (strcmp(x, "hiz") == 0) {
            bp->hiz = true;
        } else if (strcmp(x, "pullups") == 0) {
            bp->pullups = true;
        } else if (strcmp(x, "nopagedwrite") == 0) {
            bp->nopagedwrite = true;
        } else if (strcmp(x, "nopagedread") == 0) {
            bp->nopagedread = true;
        } else if (strcmp(x, "reset=cs") == 0 || strcmp(x, "reset=CS") == 0) {
            /* the default */
        } else {
            return ispf_fail(err, ISPF_E_USAGE,
                             "-x %s: unknown option for -c %s (known: spifreq=0..7, hiz, "
                             "pullups, nopagedwrite, nopagedread, reset=cs)",
                             x, pgm->entry->id);
        }
    }
    return ISPF_OK;
}

/* From whatever state the Bus Pirate is in (terminal, binary bitbang, a binary
 * mode) into binary bitbang mode: up to 20 zero bytes until "BBIO1", all of it
 * by the deadline. */
static int bp_enter_bitbang(struct pgm *pgm, long long deadline, struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    bp->junk.n = 0;
    /* Stale input, then leave any terminal sub-menu and forget what it printed. */
    int rc = bp_discard(pgm, 0, bp_min_deadline(deadline, 100), true, true, err);
    if (rc == ISPF_OK)
        rc = bp_write(pgm, (const uint8_t *)"\n\n", 2, err);
    if (rc == ISPF_OK)
        rc = bp_discard(pgm, 30, bp_min_deadline(deadline, 300), true, true, err);
    if (rc)
        return rc == ISPF_E_INTERRUPTED ? rc
                                        : ispf_error_prefix(err, "Bus Pirate on %s", bp->s->port);
    uint8_t zeros[20];
    memset(zeros, 0, sizeof zeros);
    for (int round = 0; round < 2; round++) {
        long long left = deadline - clock_now_ms();
        if (ispf_interrupted())
            return bp_interrupted(err);
        if (left <= 0 || bp->junk.n >= BP_JUNK_MAX)
            break;
        rc = bp_write(pgm, zeros, sizeof zeros, err);
        if (rc)
            return ispf_error_prefix(err, "Bus Pirate on %s", bp->s->port);
        rc = bp_expect_text(pgm, "BBIO1", left < 400 ? (int)left : 400, true, err);
        if (rc == ISPF_OK) {
            bp->in_binary = true;
            /* Already in bitbang mode, every zero answered BBIO1: drop the rest. */
            return bp_discard(pgm, 30, bp_min_deadline(deadline, 300), false, true, err);
        }
        if (rc != ISPF_E_TIMEOUT)
            return ispf_error_prefix(err, "Bus Pirate on %s", bp->s->port);
    }
    if (bp->junk.n > 0) {
        rc = stream_not_protocol(bp->s, "Bus Pirate", bp->junk.first, bp->junk.n, err);
        size_t l = strlen(err->msg);
        snprintf(err->msg + l, sizeof err->msg - l,
                 " (20 zero bytes did not bring up binary mode, \"BBIO1\"; power-cycle a Bus "
                 "Pirate that hangs in another mode)");
        return rc;
    }
    return ispf_fail(err, ISPF_E_TIMEOUT,
                     "no Bus Pirate answers on %s: 20 zero bytes did not bring up binary mode "
                     "(\"BBIO1\"). Check -P and -b (the Bus Pirate uses %d baud), and "
                     "power-cycle the Bus Pirate if it hangs in another mode",
                     bp->s->port, pgm_baud(pgm));
}

static int bp_enter_spi(struct pgm *pgm, struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    uint8_t c = 0x01, r[4];
    int rc = bp_write(pgm, &c, 1, err);
    if (rc == ISPF_OK)
        rc = bp_read(pgm, r, 4, err);
    if (rc)
        return ispf_error_prefix(err, "Bus Pirate: entering SPI mode");
    if (memcmp(r, "SPI1", 4) != 0)
        return ispf_fail(err, ISPF_E_PROTOCOL,
                         "Bus Pirate: SPI mode not confirmed (answer %02X %02X %02X %02X, "
                         "expected \"SPI1\")",
                         r[0], r[1], r[2], r[3]);
    bp->in_spi = true;
    return ISPF_OK;
}

/* Does the firmware have write-then-read without CS (v5.10 and later)? If not,
 * the probe's stray zeros left SPI mode: go back. */
static int bp_probe_wtr(struct pgm *pgm, struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    static const uint8_t probe[5] = {0x05, 0x00, 0x00, 0x00, 0x00};
    uint8_t r = 0;
    int rc = bp_write(pgm, probe, sizeof probe, err);
    if (rc == ISPF_OK)
        rc = bp_read(pgm, &r, 1, err);
    if (rc != ISPF_OK || r == 0x01) {
        bp->has_wtr = rc == ISPF_OK;
        return rc;
    }
    log_info("this Bus Pirate firmware has no write-then-read without CS (needs v5.10 "
             "or later): flash pages are written instruction by instruction");
    long long deadline = clock_now_ms() + BP_SYNC_MS;
    rc = bp_discard(pgm, 50, bp_min_deadline(deadline, 500), false, true, err);
    if (rc == ISPF_OK)
        rc = bp_enter_bitbang(pgm, deadline, err);
    if (rc == ISPF_OK)
        rc = bp_enter_spi(pgm, err);
    return rc;
}

/* The firmware's AVR extended commands (bulk flash read), if it has them. */
static int bp_probe_avrext(struct pgm *pgm, struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    uint8_t c = 0x06, r = 0;
    int rc = bp_write(pgm, &c, 1, err);
    if (rc == ISPF_OK)
        rc = bp_read(pgm, &r, 1, err);
    if (rc != ISPF_OK || r != 0x01) {
        if (rc == ISPF_OK)
            log_dbg("no AVR extended commands: reads use bulk SPI transfers");
        return rc;
    }
    uint8_t v[3];
    c = 0x01; /* extension version */
    rc = bp_write(pgm, &c, 1, err);
    if (rc == ISPF_OK)
        rc = bp_read(pgm, v, 3, err);
    if (rc == ISPF_OK && v[0] == 0x01) {
        bp->has_avrext = true;
        log_dbg("AVR extended commands version %u: bulk flash reads", v[1] << 8 | v[2]);
    }
    return rc;
}

/* Power on, CS high (RESET released), pull-ups if asked, speed, SPI mode 0. */
static int bp_setup_spi(struct pgm *pgm, struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    bp->periph = 0x48 | 0x01 | (bp->pullups ? 0x04 : 0x00);
    int rc = bp_cmd_ok(pgm, bp->periph, "switching the power supplies on", err);
    if (rc == ISPF_OK)
        clock_sleep_us(50000); /* let the target's supply settle */
    if (rc == ISPF_OK)
        rc = bp_cmd_ok(pgm, (uint8_t)(0x60 | bp->speed), "setting the SPI speed", err);
    /* 3.3 V push-pull, clock idle low, data change on active->idle, sample in
     * the middle = SPI mode 0; open drain (HiZ) with -x hiz or -x pullups. */
    bp->config = (bp->hiz || bp->pullups) ? 0x82 : 0x8A;
    if (rc == ISPF_OK)
        rc = bp_cmd_ok(pgm, bp->config, "configuring SPI", err);
    return rc;
}

/* SPI -> bitbang (pins released, supplies off) -> terminal mode. Runs even after
 * Ctrl-C; every wait in it is bounded. */
static void bp_leave(struct pgm *pgm)
{
    struct bp_priv *bp = bp_priv(pgm);
    struct ispf_error err;
    ispf_error_clear(&err);
    uint8_t c = 0x00;
    int rc = bp_write(pgm, &c, 1, &err);
    if (rc == ISPF_OK)
        rc = bp_expect_text(pgm, "BBIO1", 300, false, &err);
    if (rc == ISPF_OK) {
        uint8_t r = 0;
        c = 0x0F;
        rc = bp_write(pgm, &c, 1, &err);
        if (rc == ISPF_OK)
            rc = bp_read(pgm, &r, 1, &err);
        if (rc == ISPF_OK && r == 0x01) {
            /* It resets and prints its banner and prompt: discard them. */
            bp_discard(pgm, 100, clock_now_ms() + 500, false, false, &err);
            log_dbg("Bus Pirate is back in terminal mode");
        } else {
            rc = ISPF_E_PROTOCOL;
        }
    }
    if (rc)
        log_warn("the Bus Pirate did not return to terminal mode%s%s; power-cycle it if it "
                 "does not answer",
                 err.msg[0] ? ": " : "", err.msg);
    bp->in_binary = bp->in_spi = false;
}

static int bp_open(struct pgm *pgm, struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    pgm->ext_addr = -1;
    int rc = bp_parse_xopts(pgm, err);
    if (rc)
        return rc;
    rc = stream_open(&bp->s, pgm->cfg.port, pgm_baud(pgm), err);
    if (rc)
        return rc;
    rc = bp_enter_bitbang(pgm, clock_now_ms() + BP_SYNC_MS, err);
    if (rc == ISPF_OK)
        rc = bp_enter_spi(pgm, err);
    if (rc == ISPF_OK && !bp->nopagedwrite)
        rc = bp_probe_wtr(pgm, err);
    if (rc == ISPF_OK)
        rc = bp_setup_spi(pgm, err);
    if (rc == ISPF_OK && !bp->nopagedread)
        rc = bp_probe_avrext(pgm, err);
    if (rc == ISPF_OK)
        log_dbg("Bus Pirate in binary SPI mode at %u kHz%s%s", bp_speed_hz[bp->speed] / 1000u,
                bp->has_wtr ? ", paged writes" : "", bp->has_avrext ? ", bulk reads" : "");
    if (rc) {
        if (bp->in_binary) /* supplies off, back to the terminal */
            bp_leave(pgm);
        stream_close(bp->s);
        bp->s = NULL;
    }
    return rc;
}

static void bp_close(struct pgm *pgm)
{
    struct bp_priv *bp = bp_priv(pgm);
    if (bp->s == NULL)
        return;
    bp_leave(pgm);
    bp_sync_stats(pgm);
    stream_close(bp->s);
    bp->s = NULL;
}

/* One ISP instruction through a 4-byte bulk transfer. */
static int bp_spi(struct pgm *pgm, const uint8_t cmd[4], uint8_t res[4], struct ispf_error *err)
{
    uint8_t tx[5] = {0x13, cmd[0], cmd[1], cmd[2], cmd[3]}, rx[5];
    int rc = bp_write(pgm, tx, sizeof tx, err);
    if (rc == ISPF_OK)
        rc = bp_read(pgm, rx, sizeof rx, err);
    if (rc)
        return ispf_error_prefix(err, "Bus Pirate: ISP instruction %02X %02X %02X %02X", cmd[0],
                                 cmd[1], cmd[2], cmd[3]);
    if (rx[0] != 0x01)
        return ispf_fail(err, ISPF_E_PROTOCOL,
                         "Bus Pirate: bulk SPI transfer answered 0x%02X instead of 0x01", rx[0]);
    memcpy(res, rx + 1, 4);
    return ISPF_OK;
}

static int bp_set_cs(struct pgm *pgm, bool high, struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    uint8_t p = (uint8_t)((bp->periph & ~0x01u) | (high ? 0x01u : 0x00u));
    int rc = bp_cmd_ok(pgm, p, high ? "releasing RESET (CS high)" : "holding RESET (CS low)", err);
    if (rc == ISPF_OK)
        bp->periph = p;
    return rc;
}

static int bp_enable(struct pgm *pgm, struct ispf_error *err)
{
    uint8_t cmd[4], res[4] = {0};
    int rc = bp_set_cs(pgm, false, err);
    if (rc)
        return rc;
    pgm->ext_addr = -1;
    for (int attempt = 0; attempt < 4; attempt++) {
        if (ispf_interrupted()) {
            rc = bp_interrupted(err);
            break;
        }
        clock_sleep_us(20000); /* >= 20 ms with RESET low before Programming Enable */
        isp_prog_enable(cmd);
        rc = bp_spi(pgm, cmd, res, err);
        if (rc)
            break;
        if (res[2] == 0x53)
            return ISPF_OK;
        /* Out of sync: positive RESET pulse, then try again. */
        rc = bp_set_cs(pgm, true, err);
        if (rc == ISPF_OK) {
            clock_sleep_us(1000);
            rc = bp_set_cs(pgm, false, err);
        }
        if (rc)
            break;
    }
    struct ispf_error e2;
    ispf_error_clear(&e2);
    bp_set_cs(pgm, true, &e2);
    if (rc)
        return rc;
    return ispf_fail(err, ISPF_E_NO_TARGET,
                     "Programming Enable was not echoed (got %02X %02X %02X %02X, expected 53 "
                     "in the third byte)",
                     res[0], res[1], res[2], res[3]);
}

static void bp_disable(struct pgm *pgm)
{
    struct ispf_error err;
    ispf_error_clear(&err);
    if (bp_set_cs(pgm, true, &err) != ISPF_OK)
        log_warn("releasing RESET: %s", err.msg);
}

/* Bulk SPI transfers of up to four instructions (16 bytes) each: reads n bytes
 * at addr. At 30 kHz the Bus Pirate v3's UART would overrun on 16-byte bulk
 * transfers, so one instruction per transfer there. */
static int bp_read_bulk(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf, uint32_t n,
                        struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    unsigned per = bp->speed == 0 ? 1u : 4u;
    uint8_t tx[17], rx[17];
    for (uint32_t i = 0; i < n;) {
        if (ispf_interrupted())
            return bp_interrupted(err);
        uint32_t a = addr + i;
        if (mem == MEM_FLASH) {
            int rc = pgm_load_ext_addr(pgm, a, err);
            if (rc)
                return rc;
        }
        unsigned k = 0;
        while (k < per && i + k < n) {
            uint32_t ak = a + k;
            /* Keep one transfer inside one 128 KiB bank. */
            if (k > 0 && mem == MEM_FLASH && (ak & 0x1FFFFu) == 0)
                break;
            if (mem == MEM_FLASH)
                isp_read_flash(tx + 1 + 4 * k, ak);
            else
                isp_read_eeprom(tx + 1 + 4 * k, ak);
            k++;
        }
        tx[0] = (uint8_t)(0x10 | (4 * k - 1));
        int rc = bp_write(pgm, tx, 1 + 4 * k, err);
        if (rc == ISPF_OK)
            rc = bp_read(pgm, rx, 1 + 4 * k, err);
        if (rc)
            return ispf_error_prefix(err, "Bus Pirate: reading %s at 0x%05X",
                                     mem == MEM_FLASH ? "flash" : "EEPROM", a);
        if (rx[0] != 0x01)
            return ispf_fail(err, ISPF_E_PROTOCOL,
                             "Bus Pirate: reading %s at 0x%05X: bulk transfer answered 0x%02X",
                             mem == MEM_FLASH ? "flash" : "EEPROM", a, rx[0]);
        for (unsigned j = 0; j < k; j++)
            buf[i + j] = rx[1 + 4 * j + 3];
        i += k;
    }
    return ISPF_OK;
}

/* The AVR extension's bulk flash read: even addr, start word + n <= 0xFFFF. */
static int bp_read_ext(struct pgm *pgm, uint32_t addr, uint8_t *buf, uint32_t n,
                       struct ispf_error *err)
{
    uint32_t w = addr >> 1;
    uint8_t tx[10] = {0x06,
                      0x02,
                      (uint8_t)(w >> 24),
                      (uint8_t)(w >> 16),
                      (uint8_t)(w >> 8),
                      (uint8_t)w,
                      (uint8_t)(n >> 24),
                      (uint8_t)(n >> 16),
                      (uint8_t)(n >> 8),
                      (uint8_t)n};
    uint8_t r[2];
    int rc = bp_write(pgm, tx, sizeof tx, err);
    if (rc == ISPF_OK)
        rc = bp_read(pgm, r, 2, err);
    if (rc)
        return ispf_error_prefix(err, "Bus Pirate: bulk flash read at 0x%05X", addr);
    if (r[0] != 0x01 || r[1] != 0x01)
        return ispf_fail(err, ISPF_E_PROTOCOL,
                         "Bus Pirate: bulk flash read at 0x%05X of %u bytes refused (%02X %02X)",
                         addr, n, r[0], r[1]);
    /* The data streams at the SPI rate: read it in pieces, each with a timeout. */
    for (uint32_t got = 0; got < n;) {
        uint32_t k = n - got > 256u ? 256u : n - got;
        rc = bp_read_spi(pgm, buf + got, k, 4u * k, err);
        if (rc)
            return ispf_error_prefix(err, "Bus Pirate: bulk flash read at 0x%05X", addr + got);
        got += k;
    }
    return ISPF_OK;
}

static int bp_read_block(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf,
                         uint32_t len, struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    if (mem != MEM_FLASH && mem != MEM_EEPROM)
        return ispf_fail(err, ISPF_E_UNSUPPORTED, "read_block: not a flash/EEPROM memory");
    if (mem == MEM_EEPROM || !bp->has_avrext)
        return bp_read_bulk(pgm, mem, addr, buf, len, err);
    uint32_t done = 0;
    while (done < len) {
        uint32_t a = addr + done;
        uint32_t w = a >> 1;
        if ((a & 1u) || w >= BP_EXT_LIMIT) {
            /* Odd start, or beyond the extension's reach: the bulk path. */
            uint32_t n = (a & 1u) ? 1u : len - done;
            int rc = bp_read_bulk(pgm, mem, a, buf + done, n, err);
            if (rc)
                return rc;
            done += n;
            continue;
        }
        /* The extension reads in the first 128 KiB: on parts with an extended
         * address byte it must be 0 (a no-op when it is known to be). */
        int erc = pgm_load_ext_addr(pgm, 0, err);
        if (erc)
            return erc;
        uint32_t n = len - done;
        if (n > BP_EXT_LIMIT - w)
            n = (BP_EXT_LIMIT - w) & ~1u; /* stay on word boundaries for the next piece */
        if (n == 0) {
            int rc = bp_read_bulk(pgm, mem, a, buf + done, len - done, err);
            if (rc)
                return rc;
            break;
        }
        int rc = bp_read_ext(pgm, a, buf + done, n, err);
        if (rc)
            return rc;
        done += n;
    }
    return ISPF_OK;
}

/* Send instructions (4 bytes each) without reading MISO: one write-then-read
 * without CS when the firmware has it, else bulk transfers. */
static int bp_send_instructions(struct pgm *pgm, const uint8_t *ins, uint32_t nbytes,
                                const char *what, uint32_t addr, struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    if (bp->has_wtr && nbytes <= BP_WTR_MAX) {
        uint8_t *tx = malloc(5u + nbytes);
        if (!tx)
            return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
        tx[0] = 0x05;
        tx[1] = (uint8_t)(nbytes >> 8);
        tx[2] = (uint8_t)nbytes;
        tx[3] = 0x00;
        tx[4] = 0x00;
        memcpy(tx + 5, ins, nbytes);
        uint8_t r = 0;
        int rc = bp_write(pgm, tx, 5u + nbytes, err);
        free(tx);
        if (rc == ISPF_OK)
            rc = bp_read_spi(pgm, &r, 1, nbytes, err);
        if (rc)
            return ispf_error_prefix(err, "Bus Pirate: %s at 0x%05X", what, addr);
        if (r != 0x01)
            return ispf_fail(err, ISPF_E_PROTOCOL,
                             "Bus Pirate: %s at 0x%05X: write-then-read of %u bytes answered "
                             "0x%02X",
                             what, addr, nbytes, r);
        return ISPF_OK;
    }
    unsigned per = bp->speed == 0 ? 4u : 16u;
    uint8_t tx[17], rx[17];
    for (uint32_t off = 0; off < nbytes;) {
        uint32_t k = nbytes - off > per ? per : nbytes - off;
        tx[0] = (uint8_t)(0x10 | (k - 1));
        memcpy(tx + 1, ins + off, k);
        int rc = bp_write(pgm, tx, 1 + k, err);
        if (rc == ISPF_OK)
            rc = bp_read(pgm, rx, 1 + k, err);
        if (rc)
            return ispf_error_prefix(err, "Bus Pirate: %s at 0x%05X", what, addr);
        if (rx[0] != 0x01)
            return ispf_fail(err, ISPF_E_PROTOCOL,
                             "Bus Pirate: %s at 0x%05X: bulk transfer answered 0x%02X", what, addr,
                             rx[0]);
        off += k;
    }
    return ISPF_OK;
}

static int bp_write_page(struct pgm *pgm, enum mem_id mem, uint32_t addr, const uint8_t *buf,
                         uint32_t len, struct ispf_error *err)
{
    const struct part *p = pgm->cfg.part;
    uint8_t ins[4 * 257 + 4];
    if (mem == MEM_FLASH) {
        if (len > 256)
            return ispf_fail(err, ISPF_E_UNSUPPORTED, "flash page of %u bytes", len);
        int rc = pgm_load_ext_addr(pgm, addr, err);
        if (rc)
            return rc;
        /* All load-page instructions of the page and the Write Page instruction in
         * one transfer; RESET (CS) stays low throughout. */
        for (uint32_t i = 0; i < len; i++)
            isp_load_flash(ins + 4 * i, addr + i, buf[i]);
        isp_write_flash_page(ins + 4 * len, addr);
        rc = bp_send_instructions(pgm, ins, 4 * len + 4, "writing the flash page", addr, err);
        if (rc)
            return rc;
        clock_sleep_us(p->flash_delay_us ? p->flash_delay_us : 4500u);
        return ISPF_OK;
    }
    if (mem != MEM_EEPROM)
        return ispf_fail(err, ISPF_E_UNSUPPORTED, "write_page: not a flash/EEPROM memory");
    uint32_t delay = p->eeprom_delay_us ? p->eeprom_delay_us : 9000u;
    bool paged = p->eeprom_page > 1 && (p->v2.eeprom_mode & 0x01);
    for (uint32_t off = 0; off < len;) {
        if (ispf_interrupted())
            return bp_interrupted(err);
        uint32_t a = addr + off, n = 1;
        int rc;
        if (paged) {
            uint32_t page_end = (a / p->eeprom_page + 1u) * p->eeprom_page;
            n = len - off < page_end - a ? len - off : page_end - a;
            if (n > 256)
                n = 256;
            for (uint32_t i = 0; i < n; i++)
                isp_load_eeprom_page(ins + 4 * i, a + i, buf[off + i]);
            isp_write_eeprom_page(ins + 4 * n, a - a % p->eeprom_page);
            rc = bp_send_instructions(pgm, ins, 4 * n + 4, "writing EEPROM", a, err);
        } else {
            isp_write_eeprom(ins, a, buf[off]);
            rc = bp_send_instructions(pgm, ins, 4, "writing EEPROM", a, err);
        }
        if (rc)
            return rc;
        clock_sleep_us(delay);
        off += n;
    }
    return ISPF_OK;
}

static int bp_set_sck(struct pgm *pgm, double period_us, struct ispf_error *err)
{
    struct bp_priv *bp = bp_priv(pgm);
    if (period_us <= 0)
        return ispf_fail(err, ISPF_E_USAGE, "-B %g: the SCK period must be positive", period_us);
    if (bp->speed_given) {
        log_warn("-B %g ignored: -x spifreq=%u sets the Bus Pirate's SPI clock", period_us,
                 bp->speed);
        return ISPF_OK;
    }
    double want = 1e6 / period_us;
    unsigned idx = 0;
    for (unsigned i = 0; i < 8; i++)
        if (bp_speed_hz[i] <= want * 1.001)
            idx = i;
    if (bp_speed_hz[0] > want * 1.001)
        log_warn("-B %g: the Bus Pirate's slowest SPI clock is 30 kHz (-B 33.3)", period_us);
    int rc = bp_cmd_ok(pgm, (uint8_t)(0x60 | idx), "setting the SPI speed (-B)", err);
    if (rc)
        return rc;
    bp->speed = idx;
    log_dbg("SPI clock %u kHz (-x spifreq=%u)", bp_speed_hz[idx] / 1000u, idx);
    return ISPF_OK;
}

const struct programmer_ops pgm_buspirate_ops = {
    .priv_size = sizeof(struct bp_priv),
    .wiring_hint = "Bus Pirate: use the 10-pin header, not the 5-pin PIC ICSP header: CS -> "
                   "target RESET, MOSI -> MOSI, MISO -> MISO, CLK -> SCK, GND -> GND (and +5V "
                   "or 3V3 if the Bus Pirate powers the target)",
    .open = bp_open,
    .close = bp_close,
    .enable = bp_enable,
    .disable = bp_disable,
    .spi = bp_spi,
    .read_block = bp_read_block,
    .write_page = bp_write_page,
    .set_sck = bp_set_sck,
};
