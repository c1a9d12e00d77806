// SPDX-License-Identifier: GPL-2.0-or-later
#define LOG_PREFIX "pgm"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "ispflash/interrupt.h"
#include "ispflash/isp.h"
#include "core/pgm.h"
#include "ispflash/log.h"

/* Instance bookkeeping kept next to the public struct. */
struct pgm_instance {
    struct pgm pub;
    bool opened, enabled;
};

static struct pgm_instance *pgm_inst(struct pgm *pgm)
{
    return (struct pgm_instance *)pgm; /* pub is the first member */
}

int pgm_create(const struct pgm_entry *entry, const struct pgm_config *cfg, struct pgm **out,
               struct ispf_error *err)
{
    const struct programmer_ops *ops = entry->ops;
    struct pgm_instance *in = calloc(1, sizeof *in);
    if (!in)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    in->pub.ops = ops;
    in->pub.entry = entry;
    in->pub.cfg = *cfg;
    in->pub.ext_addr = -1;
    if (ops->priv_size) {
        in->pub.priv = calloc(1, ops->priv_size);
        if (!in->pub.priv) {
            free(in);
            return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
        }
    }
    *out = &in->pub;
    return ISPF_OK;
}

void pgm_destroy(struct pgm *pgm)
{
    if (!pgm)
        return;
    struct pgm_instance *in = pgm_inst(pgm);
    if (in->enabled)
        pgm_disable(pgm);
    if (in->opened)
        pgm->ops->close(pgm);
    free(pgm->priv);
    free(in);
}

int pgm_open(struct pgm *pgm, struct ispf_error *err)
{
    int rc = pgm->ops->open(pgm, err);
    if (rc == ISPF_OK)
        pgm_inst(pgm)->opened = true;
    return rc;
}

int pgm_enable(struct pgm *pgm, struct ispf_error *err)
{
    int rc = pgm->ops->enable(pgm, err);
    if (rc == ISPF_OK) {
        pgm_inst(pgm)->enabled = true;
        pgm->ext_addr = -1; /* the target was reset */
    } else if (rc == ISPF_E_PROTOCOL || rc == ISPF_E_TIMEOUT || rc == ISPF_E_NO_TARGET ||
               rc == ISPF_E_TARGET) {
        /* The command went out and only its answer was lost or garbled, or the
         * programmer answered that the target did not respond: either way it may
         * still drive RESET, so pgm_disable must still try to release it (the fault
         * matrix found it held after a garbled answer; an independent STK500v2 model
         * keeps RESET driven after a failed ENTER_PROGMODE_ISP, and avrdude sends
         * LEAVE_PROGMODE_ISP after one). */
        pgm_inst(pgm)->enabled = true;
    }
    return rc;
}

void pgm_disable(struct pgm *pgm)
{
    struct pgm_instance *in = pgm_inst(pgm);
    if (in->enabled) {
        pgm->ops->disable(pgm);
        in->enabled = false;
    }
}

bool pgm_is_enabled(const struct pgm *pgm)
{
    return ((const struct pgm_instance *)pgm)->enabled;
}

int pgm_spi(struct pgm *pgm, const uint8_t cmd[4], uint8_t res[4], struct ispf_error *err)
{
    return pgm->ops->spi(pgm, cmd, res, err);
}

int pgm_set_sck(struct pgm *pgm, double period_us, struct ispf_error *err)
{
    if (!pgm->ops->set_sck)
        return ispf_fail(err, ISPF_E_UNSUPPORTED,
                         "programmer %s has a fixed ISP clock; -B cannot be used with it",
                         pgm->entry->id);
    return pgm->ops->set_sck(pgm, period_us, err);
}

int pgm_wait_ready(struct pgm *pgm, uint32_t timeout_us, const char *what, struct ispf_error *err)
{
    uint8_t cmd[4], res[4];
    isp_poll(cmd);
    uint64_t deadline = clock_now_us() + timeout_us;
    for (;;) {
        int rc = pgm_spi(pgm, cmd, res, err);
        if (rc)
            return rc;
        if (!(res[3] & ISP_RDY_BSY_BUSY))
            return ISPF_OK;
        if (ispf_interrupted())
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted while waiting for %s", what);
        if (clock_now_us() > deadline)
            return ispf_fail(err, ISPF_E_TARGET,
                             "%s did not complete within %u ms (target stays busy)", what,
                             (unsigned)(timeout_us / 1000u));
        clock_sleep_us(200); /* 0.2 ms between polls */
    }
}

/* The spi() fallback of read_block: one Read Program Memory / Read EEPROM a byte. */
static int pgm_read_bytes(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf, uint32_t n,
                          struct ispf_error *err)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t cmd[4], res[4];
        int rc = ISPF_OK;
        if (mem == MEM_FLASH) {
            rc = pgm_load_ext_addr(pgm, addr + i, err);
            isp_read_flash(cmd, addr + i);
        } else {
            isp_read_eeprom(cmd, addr + i);
        }
        if (rc == ISPF_OK)
            rc = pgm_spi(pgm, cmd, res, err);
        if (rc)
            return rc;
        buf[i] = res[3];
    }
    return ISPF_OK;
}

/* Read chunks: large where the link is fast (fewer round trips), small where it is
 * slow, so an interruption is noticed within about PGM_READ_SLOW_MS. A chunk starts at
 * PGM_READ_CHUNK_MIN bytes and doubles while one takes less than PGM_READ_FAST_MS. */
#define PGM_READ_CHUNK_MIN 1024u
#define PGM_READ_CHUNK_MAX 4096u
#define PGM_READ_FAST_MS 250
#define PGM_READ_SLOW_MS 1000

static uint32_t pgm_next_chunk(uint32_t chunk, long long took_ms)
{
    if (took_ms < PGM_READ_FAST_MS && chunk < PGM_READ_CHUNK_MAX)
        return chunk * 2u;
    if (took_ms > PGM_READ_SLOW_MS && chunk > PGM_READ_CHUNK_MIN)
        return chunk / 2u;
    return chunk;
}

int pgm_read(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf, uint32_t len,
             pgm_progress_fn progress, void *ctx, struct ispf_error *err)
{
    uint32_t chunk = PGM_READ_CHUNK_MIN;
    for (uint32_t done = 0; done < len;) {
        uint32_t n = len - done < chunk ? len - done : chunk;
        if (ispf_interrupted())
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted at 0x%05x (%u of %u bytes read)",
                             addr + done, done, len);
        long long t0 = clock_now_ms();
        int rc = pgm->ops->read_block
                     ? pgm->ops->read_block(pgm, mem, addr + done, buf + done, n, err)
                     : pgm_read_bytes(pgm, mem, addr + done, buf + done, n, err);
        if (rc)
            return rc;
        chunk = pgm_next_chunk(chunk, clock_now_ms() - t0);
        done += n;
        if (progress)
            progress(ctx, done, len);
    }
    return ISPF_OK;
}

uint32_t pgm_flash_write_max(const struct pgm *pgm)
{
    uint32_t page = pgm->cfg.part->flash_page;
    if (!pgm->ops->write_page || pgm->flash_write_max < page)
        return page;
    return pgm->flash_write_max / page * page;
}

static int pgm_fallback_write_page(struct pgm *pgm, uint32_t addr, const uint8_t *buf,
                                   struct ispf_error *err)
{
    const struct part *p = pgm->cfg.part;
    uint8_t cmd[4], res[4];
    int rc = pgm_load_ext_addr(pgm, addr, err);
    for (uint32_t i = 0; rc == ISPF_OK && i < p->flash_page; i++) {
        isp_load_flash(cmd, addr + i, buf[i]);
        rc = pgm_spi(pgm, cmd, res, err);
    }
    if (rc == ISPF_OK) {
        isp_write_flash_page(cmd, addr);
        rc = pgm_spi(pgm, cmd, res, err);
    }
    if (rc == ISPF_OK)
        rc = pgm_wait_ready(pgm, 4u * p->flash_delay_us + 20000u, "flash page write", err);
    return rc;
}

int pgm_write_flash(struct pgm *pgm, uint32_t addr, const uint8_t *buf, uint32_t len,
                    struct ispf_error *err)
{
    const struct part *p = pgm->cfg.part;
    if (pgm->ops->write_page)
        return pgm->ops->write_page(pgm, MEM_FLASH, addr, buf, len, err);
    for (uint32_t off = 0; off < len; off += p->flash_page) {
        int rc = pgm_fallback_write_page(pgm, addr + off, buf + off, err);
        if (rc)
            return rc;
    }
    return ISPF_OK;
}

int pgm_write_eeprom(struct pgm *pgm, uint32_t addr, const uint8_t *buf, uint32_t len,
                     struct ispf_error *err)
{
    const struct part *p = pgm->cfg.part;
    if (pgm->ops->write_page)
        return pgm->ops->write_page(pgm, MEM_EEPROM, addr, buf, len, err);
    for (uint32_t i = 0; i < len; i++) {
        uint8_t cmd[4], res[4];
        isp_write_eeprom(cmd, addr + i, buf[i]);
        int rc = pgm_spi(pgm, cmd, res, err);
        if (rc == ISPF_OK)
            rc = pgm_wait_ready(pgm, 4u * p->eeprom_delay_us + 20000u, "EEPROM write", err);
        if (rc)
            return rc;
    }
    return ISPF_OK;
}
