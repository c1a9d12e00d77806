// SPDX-License-Identifier: GPL-2.0-or-later
/* What the USB programmers share (see isp_usb_common.h). */
#define LOG_PREFIX "usb"
#include "programmers/isp_usb_common.h"

#include <stdio.h>

#include "base/clock.h"
#include "ispflash/interrupt.h"
#include "ispflash/isp.h"
#include "ispflash/log.h"
#include "programmers/backend.h"

const char *isp_usb_sck_text(double period_us, char *buf, size_t size)
{
    double hz = 1e6 / period_us;
    if (hz >= 1e6)
        snprintf(buf, size, "%.4g MHz", hz / 1e6);
    else if (hz >= 1e3)
        snprintf(buf, size, "%.4g kHz", hz / 1e3);
    else
        snprintf(buf, size, "%.4g Hz", hz);
    return buf;
}

/* The target did not answer at any clock tried: release it and say so. */
static int isp_usb_no_answer(struct pgm *pgm, const struct isp_usb_clock *c, unsigned first,
                             struct ispf_error *err)
{
    char a[32], b[32];
    c->release(pgm);
    isp_usb_sck_text(c->period_us(first), a, sizeof a);
    if (pgm->cfg.bitclock_us > 0 || c->n_fallback == 0)
        return ispf_fail(err, ISPF_E_NO_TARGET,
                         "the target did not answer Programming Enable at %s SCK (-B %g); "
                         "a larger -B (slower clock) may help",
                         a, pgm->cfg.bitclock_us > 0 ? pgm->cfg.bitclock_us : c->period_us(first));
    double slowest = c->period_us(c->fallback[c->n_fallback - 1]);
    return ispf_fail(err, ISPF_E_NO_TARGET,
                     "the target did not answer Programming Enable at %s SCK, nor at slower "
                     "clocks down to %s (-B %.4g)",
                     a, isp_usb_sck_text(slowest, b, sizeof b), slowest);
}

int isp_usb_enable(struct pgm *pgm, const struct isp_usb_clock *c, unsigned first,
                   struct ispf_error *err)
{
    bool ok = false;
    int rc = c->try_enable(pgm, first, &ok, err);
    if (rc)
        return rc;
    unsigned used = first;
    for (size_t i = 0; !ok && pgm->cfg.bitclock_us <= 0 && i < c->n_fallback; i++) {
        if (c->period_us(c->fallback[i]) <= c->period_us(first))
            continue; /* not slower than what was tried */
        if (ispf_interrupted())
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
        used = c->fallback[i];
        log_dbg("no answer; trying a slower SCK, period %g us", c->period_us(used));
        rc = c->try_enable(pgm, used, &ok, err);
        if (rc)
            return rc;
    }
    if (!ok)
        return isp_usb_no_answer(pgm, c, first, err);
    if (used != first) {
        char a[32], b[32];
        log_info("the target did not answer at %s SCK; it did at %s "
                 "(use -B %.4g next time, or set the fuses for a faster clock)",
                 isp_usb_sck_text(c->period_us(first), a, sizeof a),
                 isp_usb_sck_text(c->period_us(used), b, sizeof b), c->period_us(used));
    }
    return ISPF_OK;
}

int isp_usb_read_flash_bytes(struct pgm *pgm, uint32_t addr, uint8_t *buf, uint32_t len,
                             struct ispf_error *err)
{
    for (uint32_t i = 0; i < len; i++) {
        uint8_t cmd[4], res[4];
        if (i % 256u == 255u && ispf_interrupted())
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
        int rc = pgm_load_ext_addr(pgm, addr + i, err);
        if (rc == ISPF_OK) {
            isp_read_flash(cmd, addr + i);
            rc = pgm->ops->spi(pgm, cmd, res, err);
        }
        if (rc)
            return rc;
        buf[i] = res[3];
    }
    return ISPF_OK;
}

int isp_usb_commit_page(struct pgm *pgm, uint32_t addr, struct ispf_error *err)
{
    uint8_t cmd[4], res[4];
    int rc = pgm_load_ext_addr(pgm, addr, err);
    if (rc == ISPF_OK) {
        isp_write_flash_page(cmd, addr);
        rc = pgm->ops->spi(pgm, cmd, res, err);
    }
    if (rc)
        return rc;
    const struct part *p = pgm->cfg.part;
    clock_sleep_us(p->flash_delay_us ? p->flash_delay_us : 4500);
    return ISPF_OK;
}

int isp_usb_write_page_bytes(struct pgm *pgm, uint32_t addr, const uint8_t *buf, uint32_t len,
                             struct ispf_error *err)
{
    for (uint32_t i = 0; i < len; i++) {
        uint8_t cmd[4], res[4];
        isp_load_flash(cmd, addr + i, buf[i]);
        int rc = pgm->ops->spi(pgm, cmd, res, err);
        if (rc)
            return rc;
    }
    return isp_usb_commit_page(pgm, addr, err);
}
