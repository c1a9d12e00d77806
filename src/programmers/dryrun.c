// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `-c dryrun`: a programmer wired to a simulated chip (src/sim/avrchip.c).
 * It implements only the mandatory ops, so every dryrun run also exercises the
 * core's generic fallbacks for paged reads and writes.
 *
 * -x options:
 *   state=FILE      load the chip from FILE if it exists, save it back on close
 *   unwired         no target connected (MISO reads 0x00)
 *   stuck=ADDR:MASK a flash byte whose MASK bits stay 1 (a worn cell)
 *   busy=N          RDY/BSY reports busy N polls after each write
 *   signature=XXXXXX  the chip answers another signature (a wrong part on the socket)
 *   noxtal          no crystal or clock on XTAL1/XTAL2: once the fuses select an
 *                   external clock source, the chip stops and ISP no longer answers
 */
#define LOG_PREFIX "dryrun"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/avrchip.h"
#include "ispflash/log.h"
#include "programmers/backend.h"

struct dryrun_priv {
    struct avrchip chip;
    struct part fake_part; /* copy of the part when signature= is given */
    const char *state_path;
};

static int dryrun_parse_opts(struct pgm *pgm, struct dryrun_priv *d, struct ispf_error *err)
{
    for (size_t i = 0; i < pgm->cfg.n_xopts; i++) {
        const char *x = pgm->cfg.xopts[i];
        long a, m;
        unsigned long n;
        char extra;
        if (strncmp(x, "state=", 6) == 0 && x[6]) {
            d->state_path = x + 6;
        } else if (strcmp(x, "unwired") == 0) {
            d->chip.faults.unwired = true;
        } else if (strcmp(x, "noxtal") == 0) {
            d->chip.faults.no_xtal = true;
        } else if (strncmp(x, "stuck=", 6) == 0) {
            if (sscanf(x, "stuck=%li:%li%c", &a, &m, &extra) != 2 || a < 0 ||
                (unsigned long)a >= pgm->cfg.part->flash_size || m < 1 || m > 0xFF)
                return ispf_fail(err, ISPF_E_USAGE,
                                 "dryrun: -x %s: give stuck=ADDR:MASK, a flash address below "
                                 "0x%x and a bit mask 0x01..0xff",
                                 x, (unsigned)pgm->cfg.part->flash_size);
            d->chip.faults.has_stuck = true;
            d->chip.faults.stuck_addr = (uint32_t)a;
            d->chip.faults.stuck_mask = (uint8_t)m;
        } else if (sscanf(x, "busy=%lu%c", &n, &extra) == 1) {
            d->chip.faults.busy_polls = (unsigned)n;
        } else if (strncmp(x, "signature=", 10) != 0) {
            return ispf_fail(err, ISPF_E_USAGE,
                             "dryrun: unknown -x option '%s' (known: state=FILE, unwired, "
                             "stuck=ADDR:MASK, busy=N, signature=XXXXXX, noxtal)",
                             x);
        }
    }
    return ISPF_OK;
}

static int dryrun_open(struct pgm *pgm, struct ispf_error *err)
{
    struct dryrun_priv *d = pgm->priv;
    const struct part *p = pgm->cfg.part;
    const char *sig = pgm_xopt(pgm, "signature");
    if (sig) {
        unsigned s0, s1, s2;
        char extra;
        if (strlen(sig) != 6 || sscanf(sig, "%2x%2x%2x%c", &s0, &s1, &s2, &extra) != 3)
            return ispf_fail(err, ISPF_E_USAGE, "dryrun: -x signature wants 6 hex digits");
        d->fake_part = *p;
        d->fake_part.signature[0] = (uint8_t)s0;
        d->fake_part.signature[1] = (uint8_t)s1;
        d->fake_part.signature[2] = (uint8_t)s2;
        p = &d->fake_part;
    }
    int rc = avrchip_init(&d->chip, p, err);
    if (rc)
        return rc;
    rc = dryrun_parse_opts(pgm, d, err);
    if (rc == ISPF_OK && d->state_path && access(d->state_path, F_OK) == 0) {
        d->chip.part = pgm->cfg.part; /* state files are keyed by the real part */
        rc = avrchip_load(&d->chip, d->state_path, err);
        d->chip.part = p;
        if (rc == ISPF_OK)
            log_dbg("chip state loaded from %s", d->state_path);
    }
    if (rc)
        avrchip_free(&d->chip);
    return rc;
}

static void dryrun_close(struct pgm *pgm)
{
    struct dryrun_priv *d = pgm->priv;
    if (d->state_path) {
        struct ispf_error err;
        ispf_error_clear(&err);
        const struct part *p = d->chip.part;
        d->chip.part = pgm->cfg.part;
        if (avrchip_save(&d->chip, d->state_path, &err))
            log_err("%s", err.msg);
        d->chip.part = p;
    }
    avrchip_free(&d->chip);
}

static int dryrun_enable(struct pgm *pgm, struct ispf_error *err)
{
    struct dryrun_priv *d = pgm->priv;
    uint8_t cmd[4] = {0xAC, 0x53, 0x00, 0x00}, res[4];
    avrchip_set_reset(&d->chip, true);
    avrchip_spi(&d->chip, cmd, res);
    if (res[2] != 0x53) {
        avrchip_set_reset(&d->chip, false);
        return ispf_fail(err, ISPF_E_NO_TARGET,
                         "the target did not answer Programming Enable (got %02x %02x %02x %02x)",
                         res[0], res[1], res[2], res[3]);
    }
    return ISPF_OK;
}

static void dryrun_disable(struct pgm *pgm)
{
    struct dryrun_priv *d = pgm->priv;
    avrchip_set_reset(&d->chip, false);
}

static int dryrun_spi(struct pgm *pgm, const uint8_t cmd[4], uint8_t res[4],
                      struct ispf_error *err)
{
    (void)err;
    struct dryrun_priv *d = pgm->priv;
    avrchip_spi(&d->chip, cmd, res);
    pgm->stats.commands++;
    pgm->stats.bytes_tx += 4;
    pgm->stats.bytes_rx += 4;
    return ISPF_OK;
}

const struct programmer_ops pgm_dryrun_ops = {
    .priv_size = sizeof(struct dryrun_priv),
    .wiring_hint = "the dryrun chip was started with -x unwired",
    .open = dryrun_open,
    .close = dryrun_close,
    .enable = dryrun_enable,
    .disable = dryrun_disable,
    .spi = dryrun_spi,
};
