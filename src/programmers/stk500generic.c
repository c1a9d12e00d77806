// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -c stk500: an STK500 (or clone) whose firmware speaks STK500v2 or STK500v1.
 * As avrdude's -c stk500: STK500v2 first (SIGN_ON in a v2 frame), then STK500v1
 * (GET_SYNC, GET_SIGN_ON). The port is opened once; the backend that answered
 * (stk500v2.c or stk500v1.c, through their attach hooks in backend.h) then does
 * everything: every op here forwards to its ops with its own priv, which this
 * backend allocates in open() and frees in close().
 *
 * An STK500v1 firmware receiving the v2 frame 1B 01 00 01 0E 01 14 takes its
 * bytes as commands and answers NOSYNC (0x15) to them; the v1 sync that follows
 * lets those answers go before it counts a 14 10.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_PREFIX "stk500"
#include "ispflash/log.h"
#include "programmers/backend.h"
#include "transport/stream.h"

/* How long the STK500v2 probe lasts at most (stk500v2.c: STK2_PROBE_TOTAL_MS). */
#define GEN_V2_PROBE_MS 800

struct gen_priv {
    const struct programmer_ops *ops; /* the backend that answered */
    void *priv;                       /* its state (ops->priv_size bytes) */
};

/* What pgm held before a forwarded call: restored after it. */
struct gen_saved {
    const struct programmer_ops *ops;
    void *priv;
};

/* Make pgm the chosen backend's for one call (its helpers, e.g. pgm_load_ext_addr,
 * call pgm->ops themselves). */
static struct gen_saved gen_enter(struct pgm *pgm)
{
    struct gen_priv *g = pgm->priv;
    struct gen_saved sv = {pgm->ops, pgm->priv};
    pgm->ops = g->ops;
    pgm->priv = g->priv;
    return sv;
}

static void gen_leave(struct pgm *pgm, struct gen_saved sv)
{
    pgm->ops = sv.ops;
    pgm->priv = sv.priv;
}

/* Allocate the priv of ops and try its attach hook on s. */
static int gen_try(struct pgm *pgm, const struct programmer_ops *ops, struct stream *s,
                   char *signon, size_t n, struct ispf_error *err)
{
    struct gen_priv *g = pgm->priv;
    g->ops = ops;
    g->priv = calloc(1, ops->priv_size);
    if (g->priv == NULL)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    struct gen_saved sv = gen_enter(pgm);
    int rc = ops == &pgm_stk500v2_ops ? pgm_stk500v2_attach(pgm, s, true, signon, n, err)
                                      : pgm_stk500v1_attach(pgm, s, signon, n, err);
    gen_leave(pgm, sv);
    if (rc < 0) {
        free(g->priv);
        g->priv = NULL;
        g->ops = NULL;
    }
    return rc;
}

/* Neither answered: one error naming both tries, with the class of the v1 one
 * (TIMEOUT for silence, PROTOCOL for a port that sends something else). */
static int gen_neither(const struct pgm *pgm, const struct ispf_error *e2, struct ispf_error *err)
{
    char v1[ISPF_ERRMSG_MAX];
    snprintf(v1, sizeof v1, "%s", err->msg);
    return ispf_fail(err, err->code,
                     "-c stk500: no STK500 programmer on %s: tried STK500v2 (SIGN_ON: %s within "
                     "%d ms), then STK500v1: %s",
                     pgm->cfg.port,
                     e2->code == ISPF_E_TIMEOUT ? "no answer" : "no valid STK500v2 answer",
                     GEN_V2_PROBE_MS, v1);
}

static int gen_open(struct pgm *pgm, struct ispf_error *err)
{
    if (pgm->cfg.n_xopts > 0)
        return ispf_fail(err, ISPF_E_USAGE,
                         "-x %s: -c stk500 has no extended options (use -c stk500v1 or -c "
                         "stk500v2 for theirs)",
                         pgm->cfg.xopts[0]);
    struct stream *s = NULL;
    int rc = stream_open(&s, pgm->cfg.port, pgm_baud(pgm), err);
    if (rc < 0)
        return rc;
    char signon[40] = "";
    struct ispf_error e2;
    ispf_error_clear(&e2);
    rc = gen_try(pgm, &pgm_stk500v2_ops, s, signon, sizeof signon, &e2);
    if (rc == ISPF_OK) {
        log_dbg("the programmer speaks STK500v2 (sign-on '%s')", signon);
        return ISPF_OK;
    }
    if (rc == ISPF_E_INTERRUPTED || rc == ISPF_E_DISCONNECTED || rc == ISPF_E_IO ||
        rc == ISPF_E_NOMEM) {
        *err = e2;
        stream_close(s);
        return rc;
    }
    log_dbg("no STK500v2 answer (%s); trying STK500v1", e2.msg);
    rc = gen_try(pgm, &pgm_stk500v1_ops, s, signon, sizeof signon, err);
    if (rc == ISPF_OK) {
        log_dbg("the programmer speaks STK500v1 (sign-on '%s')", signon);
        return ISPF_OK;
    }
    stream_close(s);
    if (rc == ISPF_E_TIMEOUT || rc == ISPF_E_PROTOCOL)
        return gen_neither(pgm, &e2, err);
    return rc;
}

static void gen_close(struct pgm *pgm)
{
    struct gen_priv *g = pgm->priv;
    struct gen_saved sv = gen_enter(pgm);
    g->ops->close(pgm);
    gen_leave(pgm, sv);
    free(g->priv);
    g->priv = NULL;
}

static int gen_enable(struct pgm *pgm, struct ispf_error *err)
{
    struct gen_saved sv = gen_enter(pgm);
    int rc = pgm->ops->enable(pgm, err);
    gen_leave(pgm, sv);
    return rc;
}

static void gen_disable(struct pgm *pgm)
{
    struct gen_saved sv = gen_enter(pgm);
    pgm->ops->disable(pgm);
    gen_leave(pgm, sv);
}

static int gen_spi(struct pgm *pgm, const uint8_t cmd[4], uint8_t res[4], struct ispf_error *err)
{
    struct gen_saved sv = gen_enter(pgm);
    int rc = pgm->ops->spi(pgm, cmd, res, err);
    gen_leave(pgm, sv);
    return rc;
}

/* Both backends have read_block and write_page. */
static int gen_read_block(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf,
                          uint32_t len, struct ispf_error *err)
{
    struct gen_saved sv = gen_enter(pgm);
    int rc = pgm->ops->read_block(pgm, mem, addr, buf, len, err);
    gen_leave(pgm, sv);
    return rc;
}

static int gen_write_page(struct pgm *pgm, enum mem_id mem, uint32_t addr, const uint8_t *buf,
                          uint32_t len, struct ispf_error *err)
{
    struct gen_saved sv = gen_enter(pgm);
    int rc = pgm->ops->write_page(pgm, mem, addr, buf, len, err);
    gen_leave(pgm, sv);
    return rc;
}

/* STK500v2 sets the ISP clock; STK500v1 (ArduinoISP) cannot. */
static int gen_set_sck(struct pgm *pgm, double period_us, struct ispf_error *err)
{
    struct gen_saved sv = gen_enter(pgm);
    int rc = pgm->ops->set_sck
                 ? pgm->ops->set_sck(pgm, period_us, err)
                 : ispf_fail(err, ISPF_E_UNSUPPORTED,
                             "the programmer found by -c stk500 speaks STK500v1: its ISP clock "
                             "is fixed; -B cannot be used with it");
    gen_leave(pgm, sv);
    return rc;
}

const struct programmer_ops pgm_stk500generic_ops = {
    .priv_size = sizeof(struct gen_priv),
    .wiring_hint = "STK500: the 6-pin ISP cable's pin 1 (MISO) is the marked one; with "
                   "ArduinoISP firmware the target's RESET goes to the programmer's pin 10, "
                   "never to its own RESET pin",
    .open = gen_open,
    .close = gen_close,
    .enable = gen_enable,
    .disable = gen_disable,
    .spi = gen_spi,
    .read_block = gen_read_block,
    .write_page = gen_write_page,
    .set_sck = gen_set_sck,
};
