// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * USBtiny protocol (USBtinyISP, SparkFun Pocket AVR, and clones): vendor control
 * transfers on endpoint 0 (protocols.md section 4).
 *
 *  - spi:        request SPI (7), the 4 instruction bytes in wValue/wIndex, 4 bytes back.
 *  - read_block: FLASH_READ (9) / EEPROM_READ (11), up to 255 bytes per transfer
 *                (the firmware's IN limit); a short tail is read as a full transfer
 *                and the rest kept for the next call (any other request drops it).
 *                The firmware's address counter is 16 bits wide, so flash bytes at 0x10000 and
 * above are read with single Read Program Memory instructions carrying the full word address (the
 * AT90USB128x bootloader area; QMK issue #3286).
 *  - write_page: flash: FLASH_WRITE (10) fills the page buffer (one transfer for the
 *                whole page, wIndex = addr & 0xFFFF: only the page-offset bits matter),
 *                then the host commits it with Write Program Memory Page (4C) with the
 *                full word address (+ Load Extended Address on parts > 128 KiB) and
 *                waits t_WD_FLASH. EEPROM: EEPROM_WRITE (12); the firmware polls each
 *                byte itself (POLL_BYTES 0xFF 0xFF) up to t_WD_EEPROM.
 *  - set_sck:    POWERUP (5) again with the new SCK period in microseconds (1..250).
 * Chip erase, signature, fuses and lock bits come from the core through spi.
 */
#define LOG_PREFIX "usbtiny"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "ispflash/interrupt.h"
#include "ispflash/isp.h"
#include "ispflash/log.h"
#include "programmers/backend.h"
#include "programmers/isp_usb_common.h"
#include "transport/usb.h"

enum {
    TINY_POWERUP = 5,
    TINY_POWERDOWN = 6,
    TINY_SPI = 7,
    TINY_POLL_BYTES = 8,
    TINY_FLASH_READ = 9,
    TINY_FLASH_WRITE = 10,
    TINY_EEPROM_READ = 11,
    TINY_EEPROM_WRITE = 12,
};

#define TINY_DEFAULT_SCK_US 10 /* 100 kHz: fine for targets from 400 kHz up */
#define TINY_MAX_IN 255        /* firmware: wLength low byte, 255 if the high byte is set */
#define TINY_MAX_OUT 256       /* OUT has no firmware limit; one page per transfer */
#define TINY_ENABLE_TRIES 2
#define TINY_RETRIES 3

/* USBtiny-protocol identities (protocols.md 4.1); the registry variant picks the
 * first to try. `usbtiny` tries all of them, its own first. */
static const struct usb_id tiny_ids[] = {
    {0x1781, 0x0C9F, NULL, NULL}, /* USBtinyISP, SparkFun Pocket AVR */
    {0x2341, 0x0049, NULL, NULL}, /* Arduino ISP (arduinoisp) */
    {0x2A03, 0x0049, NULL, NULL}, /* Arduino.org ISP (arduinoisporg) */
    {0x16D0, 0x0BA5, NULL, NULL}, /* ehajo-isp */
    {0x1209, 0x6570, NULL, NULL}, /* iseavrprog */
};
#define TINY_N_IDS (sizeof tiny_ids / sizeof tiny_ids[0])

/* Slower clocks tried when the target does not answer at the default and no -B was given. */
static const unsigned tiny_fallback_sck_us[] = {40, 100, 250};

struct tiny_priv {
    struct usb_dev *usb;
    unsigned sck_us;
    bool powered;
    bool poll_bytes_set;
    /* Read ahead by the last block read; any other request empties it. */
    uint8_t ra_buf[TINY_MAX_IN];
    uint32_t ra_addr, ra_len;
    enum mem_id ra_mem;
};

static void tiny_sync_stats(struct pgm *pgm)
{
    pgm_stats_from_usb(pgm, ((struct tiny_priv *)pgm->priv)->usb);
}

/* Timeout for a transfer that clocks n ISP instructions, plus extra_us of waits. */
static unsigned tiny_timeout_ms(const struct tiny_priv *t, unsigned n_instr, unsigned long extra_us)
{
    unsigned long us = (unsigned long)n_instr * 32u * t->sck_us + extra_us;
    return 500u + (unsigned)(us / 1000u) * 2u;
}

static int tiny_in(struct pgm *pgm, uint8_t req, uint16_t value, uint16_t index, uint8_t *buf,
                   uint16_t len, unsigned timeout_ms, const char *what, struct ispf_error *err)
{
    struct tiny_priv *t = pgm->priv;
    int n = usb_ctrl_in(t->usb, req, value, index, buf, len, timeout_ms, what, err);
    /* Low-speed links see the odd CRC/bit-stuffing error (ISPF_E_IO). Every USBtiny
     * request carries its address in the setup packet, and repeating an ISP
     * instruction (a page commit, a fuse write) writes the same bits again, so
     * asking again is safe. */
    for (int retry = 1; n == ISPF_E_IO && retry <= TINY_RETRIES; retry++) {
        if (ispf_interrupted())
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
        log_warn("%s; retrying (%d of %d)", err->msg, retry, TINY_RETRIES);
        n = usb_ctrl_in(t->usb, req, value, index, buf, len, timeout_ms, what, err);
    }
    tiny_sync_stats(pgm);
    if (n >= 0 && n != len)
        return ispf_fail(err, ISPF_E_PROTOCOL, "USBtiny answered %s with %d bytes instead of %u",
                         what, n, len);
    return n < 0 ? n : ISPF_OK;
}

static int tiny_out(struct pgm *pgm, uint8_t req, uint16_t value, uint16_t index,
                    const uint8_t *buf, uint16_t len, unsigned timeout_ms, const char *what,
                    struct ispf_error *err)
{
    struct tiny_priv *t = pgm->priv;
    t->ra_len = 0; /* the target may change */
    int rc = usb_ctrl_out(t->usb, req, value, index, buf, len, timeout_ms, what, err);
    for (int retry = 1; rc == ISPF_E_IO && retry <= TINY_RETRIES; retry++) {
        if (ispf_interrupted())
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
        log_warn("%s; retrying (%d of %d)", err->msg, retry, TINY_RETRIES);
        rc = usb_ctrl_out(t->usb, req, value, index, buf, len, timeout_ms, what, err);
    }
    tiny_sync_stats(pgm);
    return rc;
}

/* POWERUP: drive the ISP pins, RESET low (reset_low) or high, with the SCK period. */
static int tiny_powerup(struct pgm *pgm, bool reset_low, struct ispf_error *err)
{
    struct tiny_priv *t = pgm->priv;
    int rc = tiny_out(pgm, TINY_POWERUP, (uint16_t)t->sck_us, reset_low ? 0 : 1, NULL, 0, 500,
                      "POWERUP", err);
    if (rc == ISPF_OK)
        t->powered = true;
    return rc;
}

static int tiny_spi(struct pgm *pgm, const uint8_t cmd[4], uint8_t res[4], struct ispf_error *err)
{
    struct tiny_priv *t = pgm->priv;
    t->ra_len = 0; /* an instruction may write (page commit, erase, fuses) */
    int rc =
        tiny_in(pgm, TINY_SPI, (uint16_t)(cmd[0] | cmd[1] << 8), (uint16_t)(cmd[2] | cmd[3] << 8),
                res, 4, tiny_timeout_ms(t, 1, 0), "SPI", err);
    if (rc == ISPF_OK && cmd[0] == 0x4D)
        pgm->ext_addr = cmd[2]; /* keep our view of the extended address right */
    return rc;
}

static int tiny_open(struct pgm *pgm, struct ispf_error *err)
{
    struct tiny_priv *t = pgm->priv;
    if (pgm->cfg.n_xopts)
        return ispf_fail(err, ISPF_E_USAGE, "%s: unknown -x option '%s' (it takes none)",
                         pgm->entry->id, pgm->cfg.xopts[0]);
    t->sck_us = TINY_DEFAULT_SCK_US;
    pgm->ext_addr = -1;
    if (pgm->cfg.bitclock_us > 0) {
        double p = pgm->cfg.bitclock_us;
        if (p < 1 || p > 250)
            return ispf_fail(err, ISPF_E_USAGE,
                             "-B %g: USBtiny SCK periods go from 1 to 250 microseconds", p);
        t->sck_us = (unsigned)lround(p);
    }
    /* variant = index of the preferred identity; try it first, then (for the generic
     * `usbtiny` row only) the other USBtiny-protocol identities. */
    size_t first = (size_t)pgm->entry->variant < TINY_N_IDS ? (size_t)pgm->entry->variant : 0;
    struct usb_id ids[TINY_N_IDS];
    size_t n = 0;
    ids[n++] = tiny_ids[first];
    if (first == 0)
        for (size_t i = 1; i < TINY_N_IDS; i++)
            ids[n++] = tiny_ids[i];
    return usb_open(&t->usb, ids, n, pgm->cfg.port, "USBtiny", NULL, err);
}

static void tiny_close(struct pgm *pgm)
{
    struct tiny_priv *t = pgm->priv;
    struct usb_counters c = usb_get_counters(t->usb);
    log_dbg("%llu control transfers, %llu bytes out, %llu bytes in",
            (unsigned long long)c.transfers, (unsigned long long)c.bytes_out,
            (unsigned long long)c.bytes_in);
    usb_close(t->usb);
    t->usb = NULL;
}

/* One attempt at SCK period sck_us: RESET low, wait, Programming Enable, check the echo. */
static int tiny_try_enable(struct pgm *pgm, unsigned sck_us, bool *answered, struct ispf_error *err)
{
    uint8_t cmd[4], res[4] = {0, 0, 0, 0};
    ((struct tiny_priv *)pgm->priv)->sck_us = sck_us;
    *answered = false;
    for (int i = 0; i < TINY_ENABLE_TRIES; i++) {
        int rc;
        if (i > 0) { /* positive RESET pulse, then try again */
            rc = tiny_powerup(pgm, false, err);
            if (rc)
                return rc;
        }
        rc = tiny_powerup(pgm, true, err);
        if (rc)
            return rc;
        clock_sleep_us(50000); /* >= 20 ms after RESET low */
        isp_prog_enable(cmd);
        rc = tiny_spi(pgm, cmd, res, err);
        if (rc)
            return rc;
        if (res[2] == 0x53) {
            *answered = true;
            return ISPF_OK;
        }
        log_dbg("Programming Enable at %u us SCK: got %02x %02x %02x %02x", sck_us, res[0], res[1],
                res[2], res[3]);
    }
    return ISPF_OK;
}

static double tiny_period_us(unsigned sck_us)
{
    return sck_us;
}

static void tiny_release(struct pgm *pgm)
{
    struct ispf_error err;
    tiny_powerup(pgm, false, &err); /* release RESET; the error is being reported */
}

static const struct isp_usb_clock tiny_clock = {
    .fallback = tiny_fallback_sck_us,
    .n_fallback = sizeof tiny_fallback_sck_us / sizeof tiny_fallback_sck_us[0],
    .try_enable = tiny_try_enable,
    .period_us = tiny_period_us,
    .release = tiny_release,
};

static int tiny_enable(struct pgm *pgm, struct ispf_error *err)
{
    struct tiny_priv *t = pgm->priv;
    pgm->ext_addr = -1;
    unsigned first = t->sck_us;
    int rc = isp_usb_enable(pgm, &tiny_clock, first, err);
    if (rc)
        t->sck_us = first;
    return rc;
}

static void tiny_disable(struct pgm *pgm)
{
    struct tiny_priv *t = pgm->priv;
    struct ispf_error err;
    ispf_error_clear(&err);
    if (tiny_out(pgm, TINY_POWERDOWN, 0, 0, NULL, 0, 500, "POWERDOWN", &err))
        log_dbg("%s", err.msg);
    t->powered = false;
}

/* Bytes of mem at addr already read ahead by the last block read: copied to buf. */
static uint32_t tiny_take_read_ahead(struct tiny_priv *t, enum mem_id mem, uint32_t addr,
                                     uint8_t *buf, uint32_t len)
{
    if (!t->ra_len || t->ra_mem != mem || addr < t->ra_addr || addr >= t->ra_addr + t->ra_len)
        return 0;
    uint32_t n = t->ra_addr + t->ra_len - addr;
    n = n < len ? n : len;
    memcpy(buf, t->ra_buf + (addr - t->ra_addr), n);
    return n;
}

/* One FLASH_READ/EEPROM_READ of chunk bytes at addr (below 0x10000 for flash). A short
 * tail is read as a full transfer where the memory goes on, and the rest kept for the
 * next call (the core reads in 4096-byte pieces, not multiples of 255). */
static int tiny_read_chunk(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf,
                           uint32_t chunk, struct ispf_error *err)
{
    struct tiny_priv *t = pgm->priv;
    uint32_t limit = part_mem_size(pgm->cfg.part, mem);
    if (mem == MEM_FLASH && limit > 0x10000u)
        limit = 0x10000u; /* the firmware's counter would wrap to 0 */
    uint32_t ahead = limit - addr < TINY_MAX_IN ? limit - addr : TINY_MAX_IN;
    if (ahead < chunk)
        ahead = chunk;
    if (mem == MEM_FLASH) {
        int rc = pgm_load_ext_addr(pgm, 0, err); /* the firmware never sends 4D itself */
        if (rc)
            return rc;
    }
    uint8_t *into = ahead > chunk ? t->ra_buf : buf;
    int rc = tiny_in(pgm, mem == MEM_FLASH ? TINY_FLASH_READ : TINY_EEPROM_READ, 0, (uint16_t)addr,
                     into, (uint16_t)ahead, tiny_timeout_ms(t, ahead, 0),
                     mem == MEM_FLASH ? "FLASH_READ" : "EEPROM_READ", err);
    if (rc || into == buf)
        return rc;
    memcpy(buf, t->ra_buf, chunk);
    memmove(t->ra_buf, t->ra_buf + chunk, ahead - chunk);
    t->ra_mem = mem;
    t->ra_addr = addr + chunk;
    t->ra_len = ahead - chunk;
    return ISPF_OK;
}

static int tiny_read_block(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf,
                           uint32_t len, struct ispf_error *err)
{
    struct tiny_priv *t = pgm->priv;
    if (mem != MEM_FLASH && mem != MEM_EEPROM)
        return ispf_fail(err, ISPF_E_UNSUPPORTED, "USBtiny: no block reads of %s", mem_name(mem));
    while (len > 0) {
        uint32_t got = tiny_take_read_ahead(t, mem, addr, buf, len);
        if (got == 0 && mem == MEM_FLASH && addr >= 0x10000u) /* beyond the 16-bit address */
            return isp_usb_read_flash_bytes(pgm, addr, buf, len, err);
        if (got == 0) {
            got = len < TINY_MAX_IN ? len : TINY_MAX_IN;
            if (mem == MEM_FLASH && addr + got > 0x10000u)
                got = 0x10000u - addr;
            int rc = tiny_read_chunk(pgm, mem, addr, buf, got, err);
            if (rc)
                return rc;
        }
        buf += got;
        addr += got;
        len -= got;
    }
    return ISPF_OK;
}

static int tiny_write_flash_page(struct pgm *pgm, uint32_t addr, const uint8_t *buf, uint32_t len,
                                 struct ispf_error *err)
{
    struct tiny_priv *t = pgm->priv;
    uint32_t done = 0;
    while (done < len) {
        uint32_t chunk = len - done < TINY_MAX_OUT ? len - done : TINY_MAX_OUT;
        /* Timeout 0: no polling while loading the page buffer. */
        int rc = tiny_out(pgm, TINY_FLASH_WRITE, 0, (uint16_t)(addr + done), buf + done,
                          (uint16_t)chunk, tiny_timeout_ms(t, chunk, 0), "FLASH_WRITE", err);
        if (rc)
            return rc;
        done += chunk;
    }
    int rc = isp_usb_commit_page(pgm, addr, err); /* the firmware never sends 4C */
    if (rc)
        return rc;
    usb_note_written(t->usb, "flash", addr + len - 1);
    return ISPF_OK;
}

static int tiny_write_eeprom(struct pgm *pgm, uint32_t addr, const uint8_t *buf, uint32_t len,
                             struct ispf_error *err)
{
    struct tiny_priv *t = pgm->priv;
    const struct part *p = pgm->cfg.part;
    unsigned long delay = p->eeprom_delay_us ? p->eeprom_delay_us : 9000;
    if (!t->poll_bytes_set) {
        /* EEPROM reads 0xFF while a write is in progress. */
        int rc = tiny_out(pgm, TINY_POLL_BYTES, 0xFFFF, 0, NULL, 0, 500, "POLL_BYTES", err);
        if (rc)
            return rc;
        t->poll_bytes_set = true;
    }
    while (len > 0) {
        uint32_t chunk = len < TINY_MAX_IN ? len : TINY_MAX_IN;
        int rc = tiny_out(pgm, TINY_EEPROM_WRITE, (uint16_t)(delay > 65535 ? 65535 : delay),
                          (uint16_t)addr, buf, (uint16_t)chunk,
                          tiny_timeout_ms(t, chunk * 2, chunk * delay), "EEPROM_WRITE", err);
        if (rc)
            return rc;
        usb_note_written(t->usb, "eeprom", addr + chunk - 1);
        buf += chunk;
        addr += chunk;
        len -= chunk;
    }
    return ISPF_OK;
}

static int tiny_write_page(struct pgm *pgm, enum mem_id mem, uint32_t addr, const uint8_t *buf,
                           uint32_t len, struct ispf_error *err)
{
    if (mem == MEM_FLASH)
        return tiny_write_flash_page(pgm, addr, buf, len, err);
    if (mem == MEM_EEPROM)
        return tiny_write_eeprom(pgm, addr, buf, len, err);
    return ispf_fail(err, ISPF_E_UNSUPPORTED, "USBtiny: no paged writes of %s", mem_name(mem));
}

static int tiny_set_sck(struct pgm *pgm, double period_us, struct ispf_error *err)
{
    struct tiny_priv *t = pgm->priv;
    if (period_us < 1 || period_us > 250)
        return ispf_fail(err, ISPF_E_USAGE,
                         "-B %g: USBtiny SCK periods go from 1 to 250 microseconds", period_us);
    t->sck_us = (unsigned)lround(period_us);
    if (t->powered)
        return tiny_powerup(pgm, true, err);
    return ISPF_OK;
}

const struct programmer_ops pgm_usbtiny_ops = {
    .priv_size = sizeof(struct tiny_priv),
    .wiring_hint = "USBtiny: the 6-pin ISP cable's red wire is pin 1 (MISO); the target needs "
                   "its own power unless the programmer's power jumper is set",
    .open = tiny_open,
    .close = tiny_close,
    .enable = tiny_enable,
    .disable = tiny_disable,
    .spi = tiny_spi,
    .read_block = tiny_read_block,
    .write_page = tiny_write_page,
    .set_sck = tiny_set_sck,
};
