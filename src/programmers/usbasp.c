// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * USBasp protocol (T. Fischl's firmware and clones): vendor control transfers on
 * endpoint 0, at most 254 bytes each (protocols.md section 5).
 *
 *  - open:       find the device (16C0:05DC "www.fischl.de" "USBasp", or the old
 *                03EB:C7B4), GETCAPABILITIES (127). Firmware that answers it is
 *                2011-05-28 (v1.04) or later and has SETLONGADDRESS; older firmware
 *                gets compatibility-mode addresses (16 bits in wValue).
 *  - enable:     SETISPSCK (10), CONNECT (1), ENABLEPROG (5) -> 0 = target answered.
 *  - spi:        TRANSMIT (3).
 *  - read_block: READFLASH (4) / READEEPROM (7), 254-byte blocks. The firmware's
 *                address auto-increments in "new mode", so a SETLONGADDRESS (9) is
 *                only sent when the next block does not continue where the last one
 *                ended (avrdude sends one before every 200-byte block).
 *  - write_page: runs of up to 127 pages (pgm->flash_write_max) as WRITEFLASH (6)
 *                blocks of 254 bytes with the page size, FIRST on the run's first
 *                block only: the firmware loads the page buffer, counts each page's
 *                bytes down across blocks, commits the page when its counter runs out
 *                and waits for it (protocols.md 5.3).
 *                WRITEEEPROM (8) for EEPROM (the firmware waits after each byte).
 *                Old firmware cannot address flash at 0x10000 and above: there,
 *                pages are loaded and committed with single ISP instructions.
 *  - set_sck:    the fastest SETISPSCK option not above 1/period.
 * Chip erase, signature, fuses and lock bits come from the core through spi.
 */
#define LOG_PREFIX "usbasp"
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
    ASP_CONNECT = 1,
    ASP_DISCONNECT = 2,
    ASP_TRANSMIT = 3,
    ASP_READFLASH = 4,
    ASP_ENABLEPROG = 5,
    ASP_WRITEFLASH = 6,
    ASP_READEEPROM = 7,
    ASP_WRITEEEPROM = 8,
    ASP_SETLONGADDRESS = 9,
    ASP_SETISPSCK = 10,
    ASP_GETCAPABILITIES = 127,
};

#define ASP_BLOCK 254u /* V-USB without long transfers */
#define ASP_FLAG_FIRST 1u
#define ASP_CAP_3MHZ 0x01000000u
#define ASP_TIMEOUT_MS 5000u
/* Pages per write_page call: 127 pages are a whole number of 254-byte blocks for
 * every power-of-two page size, so only a run's last block is short. */
#define ASP_RUN_PAGES 127u

/* Identities per registry variant: 0 usbasp, 1 usbasp-clone, 2 nibobee. */
static const struct usb_id asp_ids_usbasp[] = {
    {0x16C0, 0x05DC, "www.fischl.de", "USBasp"},
    {0x03EB, 0xC7B4, "www.fischl.de", "USBasp"},
};
static const struct usb_id asp_ids_clone[] = {{0x16C0, 0x05DC, NULL, NULL}};
static const struct usb_id asp_ids_nibobee[] = {
    {0x16C0, 0x092F, "www.nicai-systems.com", "NIBObee"}};

/* SETISPSCK options (protocols.md 5.5). */
struct asp_sck {
    uint8_t id;
    double hz;
    const char *text;
};
static const struct asp_sck asp_sck_table[] = {
    {13, 3000000, "3 MHz"},  {12, 1500000, "1.5 MHz"}, {11, 750000, "750 kHz"},
    {10, 375000, "375 kHz"}, {9, 187500, "187.5 kHz"}, {8, 93750, "93.75 kHz"},
    {7, 32000, "32 kHz"},    {6, 16000, "16 kHz"},     {5, 8000, "8 kHz"},
    {4, 4000, "4 kHz"},      {3, 2000, "2 kHz"},       {2, 1000, "1 kHz"},
    {1, 500, "500 Hz"},
};
#define ASP_N_SCK (sizeof asp_sck_table / sizeof asp_sck_table[0])
#define ASP_SCK_AUTO 0
/* Tried in turn when the target does not answer and no -B was given. */
static const unsigned asp_fallback_sck[] = {9, 6, 2};

struct asp_priv {
    struct usb_dev *usb;
    uint32_t caps;
    bool new_firmware; /* answered GETCAPABILITIES: has SETLONGADDRESS */
    uint8_t sck;       /* SETISPSCK option */
    int64_t fw_addr;   /* the firmware's next address in new mode; -1 = compat mode/unknown */
    bool warned_old;
    bool enabled;
};

static const char *asp_sck_text(uint8_t id)
{
    if (id == ASP_SCK_AUTO)
        return "the firmware's default (375 kHz)";
    for (size_t i = 0; i < ASP_N_SCK; i++)
        if (asp_sck_table[i].id == id)
            return asp_sck_table[i].text;
    return "?";
}

/* Timeout for a transfer that clocks n ISP instructions at the current SCK
 * (500 Hz makes a 254-byte block take 16 s), plus per-page/byte waits. */
static unsigned asp_timeout_ms(const struct asp_priv *a, unsigned n_instr, unsigned wait_ms)
{
    double hz = 375000;
    for (size_t i = 0; i < ASP_N_SCK; i++)
        if (asp_sck_table[i].id == a->sck)
            hz = asp_sck_table[i].hz;
    return ASP_TIMEOUT_MS + (unsigned)(n_instr * 32.0 * 1000.0 * 1.5 / hz) + wait_ms;
}

static void asp_sync_stats(struct pgm *pgm)
{
    pgm_stats_from_usb(pgm, ((struct asp_priv *)pgm->priv)->usb);
}

/* IN request; returns the byte count or a negative status. */
static int asp_in(struct pgm *pgm, uint8_t req, uint16_t value, uint16_t index, uint8_t *buf,
                  uint16_t len, const char *what, struct ispf_error *err)
{
    struct asp_priv *a = pgm->priv;
    /* ENABLEPROG tries up to 32 times with RESET pulses. */
    unsigned n_instr = req == ASP_ENABLEPROG ? 32u : len;
    int n =
        usb_ctrl_in(a->usb, req, value, index, buf, len, asp_timeout_ms(a, n_instr, 0), what, err);
    asp_sync_stats(pgm);
    return n;
}

static int asp_out(struct pgm *pgm, uint8_t req, uint16_t value, uint16_t index, const uint8_t *buf,
                   uint16_t len, unsigned timeout_ms, const char *what, struct ispf_error *err)
{
    struct asp_priv *a = pgm->priv;
    int rc = usb_ctrl_out(a->usb, req, value, index, buf, len, timeout_ms, what, err);
    asp_sync_stats(pgm);
    return rc;
}

static int asp_spi(struct pgm *pgm, const uint8_t cmd[4], uint8_t res[4], struct ispf_error *err)
{
    int n = asp_in(pgm, ASP_TRANSMIT, (uint16_t)(cmd[0] | cmd[1] << 8),
                   (uint16_t)(cmd[2] | cmd[3] << 8), res, 4, "TRANSMIT", err);
    if (n < 0)
        return n;
    if (n != 4)
        return ispf_fail(err, ISPF_E_PROTOCOL, "USBasp answered TRANSMIT with %d bytes, not 4", n);
    if (cmd[0] == 0x4D)
        pgm->ext_addr = cmd[2];
    return ISPF_OK;
}

static int asp_open(struct pgm *pgm, struct ispf_error *err)
{
    struct asp_priv *a = pgm->priv;
    if (pgm->cfg.n_xopts)
        return ispf_fail(err, ISPF_E_USAGE, "%s: unknown -x option '%s' (it takes none)",
                         pgm->entry->id, pgm->cfg.xopts[0]);
    const struct usb_id *ids = asp_ids_usbasp;
    size_t n_ids = sizeof asp_ids_usbasp / sizeof asp_ids_usbasp[0];
    const char *name = "USBasp";
    if (pgm->entry->variant == 1) {
        ids = asp_ids_clone;
        n_ids = 1;
    } else if (pgm->entry->variant == 2) {
        ids = asp_ids_nibobee;
        n_ids = 1;
        name = "NIBObee";
    }
    a->fw_addr = -1;
    pgm->ext_addr = -1;
    pgm->flash_write_max = ASP_RUN_PAGES * pgm->cfg.part->flash_page;
    int rc = usb_open(&a->usb, ids, n_ids, pgm->cfg.port, name, NULL, err);
    if (rc)
        return rc;

    /* Old firmware does not know GETCAPABILITIES: it answers nothing (or stalls). */
    uint8_t caps[4] = {0, 0, 0, 0};
    struct ispf_error cerr;
    ispf_error_clear(&cerr);
    int n = asp_in(pgm, ASP_GETCAPABILITIES, 0, 0, caps, 4, "GETCAPABILITIES", &cerr);
    if (n == 4) {
        a->caps = (uint32_t)caps[0] | (uint32_t)caps[1] << 8 | (uint32_t)caps[2] << 16 |
                  (uint32_t)caps[3] << 24;
        a->new_firmware = true;
        log_dbg("capabilities 0x%08x", a->caps);
    } else if (n == ISPF_E_DISCONNECTED || n == ISPF_E_TIMEOUT) {
        *err = cerr;
        usb_close(a->usb);
        a->usb = NULL;
        return n;
    } else {
        log_dbg("no answer to GETCAPABILITIES: firmware older than 2011-05-28");
    }

    /* -B is applied once, by the core's set_sck() call after open(). */
    a->sck = ASP_SCK_AUTO;
    return ISPF_OK;
}

static void asp_close(struct pgm *pgm)
{
    struct asp_priv *a = pgm->priv;
    struct usb_counters c = usb_get_counters(a->usb);
    log_dbg("%llu control transfers, %llu bytes out, %llu bytes in",
            (unsigned long long)c.transfers, (unsigned long long)c.bytes_out,
            (unsigned long long)c.bytes_in);
    usb_close(a->usb);
    a->usb = NULL;
}

/* SETISPSCK + CONNECT + ENABLEPROG at option sck. *answered: the target echoed. */
static int asp_try_enable(struct pgm *pgm, unsigned sck, bool *answered, struct ispf_error *err)
{
    struct asp_priv *a = pgm->priv;
    uint8_t res[4] = {0, 0, 0, 0};
    *answered = false;
    int n = asp_in(pgm, ASP_SETISPSCK, (uint16_t)sck, 0, res, 1, "SETISPSCK", err);
    if (n < 0)
        return n;
    if (n >= 1 && res[0] != 0)
        log_warn("the USBasp refused SCK option %u (%s)", sck, asp_sck_text((uint8_t)sck));
    n = asp_in(pgm, ASP_CONNECT, 0, 0, res, 4, "CONNECT", err);
    if (n < 0)
        return n;
    a->fw_addr = -1; /* CONNECT puts the firmware back into compatibility mode */
    pgm->ext_addr = -1;
    n = asp_in(pgm, ASP_ENABLEPROG, 0, 0, res, 1, "ENABLEPROG", err);
    if (n < 0)
        return n;
    if (n == 1 && res[0] == 0) {
        *answered = true;
        a->sck = (uint8_t)sck;
    } else {
        log_dbg("ENABLEPROG at %s: %d bytes, %02x", asp_sck_text((uint8_t)sck), n, res[0]);
    }
    return ISPF_OK;
}

static double asp_period_us(unsigned sck)
{
    for (size_t i = 0; i < ASP_N_SCK; i++)
        if (asp_sck_table[i].id == sck)
            return 1e6 / asp_sck_table[i].hz;
    return 1e6 / 375000; /* ASP_SCK_AUTO: the firmware's default */
}

static void asp_release(struct pgm *pgm)
{
    struct ispf_error derr;
    asp_in(pgm, ASP_DISCONNECT, 0, 0, NULL, 0, "DISCONNECT", &derr);
}

static const struct isp_usb_clock asp_clock = {
    .fallback = asp_fallback_sck,
    .n_fallback = sizeof asp_fallback_sck / sizeof asp_fallback_sck[0],
    .try_enable = asp_try_enable,
    .period_us = asp_period_us,
    .release = asp_release,
};

static int asp_enable(struct pgm *pgm, struct ispf_error *err)
{
    struct asp_priv *a = pgm->priv;
    int rc = isp_usb_enable(pgm, &asp_clock, a->sck, err);
    if (rc == ISPF_OK)
        a->enabled = true;
    return rc;
}

static void asp_disable(struct pgm *pgm)
{
    struct asp_priv *a = pgm->priv;
    struct ispf_error err;
    ispf_error_clear(&err);
    if (asp_in(pgm, ASP_DISCONNECT, 0, 0, NULL, 0, "DISCONNECT", &err) < 0)
        log_dbg("%s", err.msg);
    a->fw_addr = -1;
    a->enabled = false;
}

/* In new mode, point the firmware's address counter at addr unless it is there. */
static int asp_set_addr(struct pgm *pgm, uint32_t addr, struct ispf_error *err)
{
    struct asp_priv *a = pgm->priv;
    if (!a->new_firmware || a->fw_addr == (int64_t)addr)
        return ISPF_OK;
    int n = asp_in(pgm, ASP_SETLONGADDRESS, (uint16_t)addr, (uint16_t)(addr >> 16), NULL, 0,
                   "SETLONGADDRESS", err);
    if (n < 0)
        return n;
    a->fw_addr = addr;
    return ISPF_OK;
}

static void asp_warn_old(struct pgm *pgm)
{
    struct asp_priv *a = pgm->priv;
    if (!a->warned_old) {
        log_warn("this USBasp firmware predates 2011-05-28 and cannot address flash above "
                 "64 KiB; ispflash uses single ISP instructions there (slow). Updating the "
                 "USBasp firmware makes it fast");
        a->warned_old = true;
    }
}

static int asp_read_block(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf,
                          uint32_t len, struct ispf_error *err)
{
    struct asp_priv *a = pgm->priv;
    if (mem != MEM_FLASH && mem != MEM_EEPROM)
        return ispf_fail(err, ISPF_E_UNSUPPORTED, "USBasp: no block reads of %s", mem_name(mem));
    while (len > 0) {
        int rc;
        if (mem == MEM_FLASH && addr >= 0x10000u && !a->new_firmware) {
            asp_warn_old(pgm);
            return isp_usb_read_flash_bytes(pgm, addr, buf, len, err);
        }
        uint32_t chunk = len < ASP_BLOCK ? len : ASP_BLOCK;
        if (!a->new_firmware && mem == MEM_FLASH && addr + chunk > 0x10000u)
            chunk = 0x10000u - addr;
        rc = asp_set_addr(pgm, addr, err);
        if (rc)
            return rc;
        int n = asp_in(pgm, mem == MEM_FLASH ? ASP_READFLASH : ASP_READEEPROM, (uint16_t)addr, 0,
                       buf, (uint16_t)chunk, mem == MEM_FLASH ? "READFLASH" : "READEEPROM", err);
        if (n < 0) {
            a->fw_addr = -2; /* unknown */
            return n;
        }
        if ((uint32_t)n != chunk) {
            a->fw_addr = -2;
            return ispf_fail(err, ISPF_E_PROTOCOL,
                             "reading %s at 0x%05x: the USBasp sent %d of %u bytes", mem_name(mem),
                             addr, n, chunk);
        }
        if (a->fw_addr >= 0)
            a->fw_addr += chunk;
        buf += chunk;
        addr += chunk;
        len -= chunk;
    }
    return ISPF_OK;
}

/* Flash pages addr..addr+len-1 in 254-byte blocks, FIRST on the first only: the
 * firmware counts the page bytes down across blocks and commits each page when its
 * counter runs out (protocols.md 5.3). On a stop request the page under way is
 * finished, then ISPF_E_INTERRUPTED. */
static int asp_write_flash_blocks(struct pgm *pgm, uint32_t addr, const uint8_t *buf, uint32_t len,
                                  struct ispf_error *err)
{
    struct asp_priv *a = pgm->priv;
    uint32_t ps = pgm->cfg.part->flash_page;
    int rc = asp_set_addr(pgm, addr, err);
    for (uint32_t done = 0; rc == ISPF_OK && done < len;) {
        uint32_t chunk = len - done < ASP_BLOCK ? len - done : ASP_BLOCK;
        if (ispf_interrupted()) {
            if (done % ps == 0)
                return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
            chunk = ps - done % ps; /* finish the page under way, then stop */
        }
        uint32_t at = addr + done;
        uint16_t index = (uint16_t)((ps & 0xFFu) | ((ps >> 8) & 0x0Fu) << 12 |
                                    (done == 0 ? ASP_FLAG_FIRST : 0u) << 8);
        /* The firmware commits each full page and waits for it (<= ~10 ms). */
        rc = asp_out(pgm, ASP_WRITEFLASH, (uint16_t)at, index, buf + done, (uint16_t)chunk,
                     asp_timeout_ms(a, chunk * 2u, 20u * (chunk / ps + 2u)), "WRITEFLASH", err);
        if (rc) {
            a->fw_addr = -2;
            return rc;
        }
        if (a->fw_addr >= 0)
            a->fw_addr += chunk;
        done += chunk;
        if (done >= ps)
            usb_note_written(a->usb, "flash", addr + done / ps * ps - 1);
    }
    return rc;
}

static int asp_write_eeprom(struct pgm *pgm, uint32_t addr, const uint8_t *buf, uint32_t len,
                            struct ispf_error *err)
{
    struct asp_priv *a = pgm->priv;
    int rc = asp_set_addr(pgm, addr, err);
    for (uint32_t done = 0; rc == ISPF_OK && done < len;) {
        uint32_t chunk = len - done < ASP_BLOCK ? len - done : ASP_BLOCK;
        uint32_t at = addr + done;
        rc = asp_out(pgm, ASP_WRITEEEPROM, (uint16_t)at, 0, buf + done, (uint16_t)chunk,
                     asp_timeout_ms(a, chunk, chunk * 20u), "WRITEEEPROM", err);
        if (rc) {
            a->fw_addr = -2;
            return rc;
        }
        if (a->fw_addr >= 0)
            a->fw_addr += chunk;
        done += chunk;
        usb_note_written(a->usb, "eeprom", at + chunk - 1);
    }
    return rc;
}

static int asp_write_page(struct pgm *pgm, enum mem_id mem, uint32_t addr, const uint8_t *buf,
                          uint32_t len, struct ispf_error *err)
{
    struct asp_priv *a = pgm->priv;
    uint32_t ps = pgm->cfg.part->flash_page;
    if (mem == MEM_EEPROM)
        return asp_write_eeprom(pgm, addr, buf, len, err);
    if (mem != MEM_FLASH)
        return ispf_fail(err, ISPF_E_UNSUPPORTED, "USBasp: no paged writes of %s", mem_name(mem));
    if (a->new_firmware || addr + len <= 0x10000u)
        return asp_write_flash_blocks(pgm, addr, buf, len, err);
    /* Old firmware cannot address flash from 0x10000: the pages there are loaded and
     * committed with single ISP instructions. */
    uint32_t low = addr < 0x10000u ? 0x10000u - addr : 0;
    int rc = low ? asp_write_flash_blocks(pgm, addr, buf, low, err) : ISPF_OK;
    if (rc == ISPF_OK)
        asp_warn_old(pgm);
    for (uint32_t off = low; rc == ISPF_OK && off < len; off += ps) {
        if (ispf_interrupted())
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
        rc = isp_usb_write_page_bytes(pgm, addr + off, buf + off, ps, err);
        if (rc == ISPF_OK)
            usb_note_written(a->usb, "flash", addr + off + ps - 1);
    }
    return rc;
}

static int asp_set_sck(struct pgm *pgm, double period_us, struct ispf_error *err)
{
    struct asp_priv *a = pgm->priv;
    if (period_us <= 0)
        return ispf_fail(err, ISPF_E_USAGE, "-B %g: the SCK period must be positive", period_us);
    double hz = 1e6 / period_us;
    uint8_t pick = 1; /* slowest, 500 Hz */
    for (size_t i = 0; i < ASP_N_SCK; i++) {
        if (asp_sck_table[i].id == 13 && !(a->caps & ASP_CAP_3MHZ))
            continue;
        if (asp_sck_table[i].hz <= hz + 1.0) {
            pick = asp_sck_table[i].id;
            break;
        }
    }
    if (hz + 1.0 < 500)
        log_warn("-B %g asks for %.0f Hz; the slowest USBasp SCK is 500 Hz", period_us, hz);
    log_dbg("-B %g us -> SCK option %u (%s)", period_us, pick, asp_sck_text(pick));
    a->sck = pick;
    if (a->enabled) { /* SETISPSCK takes effect at the next CONNECT */
        bool ok;
        int rc = asp_try_enable(pgm, pick, &ok, err);
        if (rc)
            return rc;
        if (!ok)
            return ispf_fail(err, ISPF_E_NO_TARGET,
                             "the target stopped answering at %s SCK (-B %g)", asp_sck_text(pick),
                             period_us);
    }
    return ISPF_OK;
}

const struct programmer_ops pgm_usbasp_ops = {
    .priv_size = sizeof(struct asp_priv),
    .wiring_hint = "USBasp: 10-pin ISP cable (use a 10-to-6 pin adapter for 6-pin headers); "
                   "power the target from its own supply or set the USBasp's VCC jumper",
    .open = asp_open,
    .close = asp_close,
    .enable = asp_enable,
    .disable = asp_disable,
    .spi = asp_spi,
    .read_block = asp_read_block,
    .write_page = asp_write_page,
    .set_sck = asp_set_sck,
};
