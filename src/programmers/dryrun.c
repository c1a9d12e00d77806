// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `-c dryrun`: a programmer wired to a simulated chip (src/sim/avrchip.c).
 * It implements only the mandatory ops, so every dryrun run also exercises the
 * core's generic fallbacks for paged reads and writes.
 *
 * -x options:
 *   state=FILE      load the chip from FILE if it exists, save it back on close when the
 *                   run changed it (temporary file, fsync, rename). FILE.lock is held
 *                   (flock) from open to close: a second run on the same state waits up
 *                   to 10 s for it, then refuses
 *   target=FILE     a target socket (src/sim/avrsocket.h): FILE names the board in it,
 *                   so a test can take the board away and put another one in while
 *                   the programmer stays connected. FILE missing: the socket is empty
 *                   (no target: Programming Enable fails, the signature reads
 *                   00 00 00); FILE empty (size 0): a factory-fresh chip; otherwise a
 *                   saved chip (the state= format). The file is looked at whenever
 *                   programming mode is entered, at each write instruction and every
 *                   64 instructions; a new file (new inode or ctime) is a new board.
 *                   The chip is written back (temporary file, fsync, rename) when
 *                   programming mode is left and at close, if it changed and FILE is
 *                   still the same board: a board taken away is never written back.
 *                   %P in FILE is replaced by the -P port ("dryrun" without -P), so
 *                   several ports have several sockets. Not with state=
 *   delay_us=N      sleep N microseconds per SPI instruction (a slow programmer, for tests)
 *   unwired         no target connected (MISO reads 0x00)
 *   stuck=ADDR:MASK a flash byte whose MASK bits stay 1 (a worn cell)
 *   busy=N          RDY/BSY reports busy N polls after each write
 *   signature=XXXXXX  the chip answers another signature (a wrong part on the socket)
 *   noerase         Chip Erase is accepted but changes nothing (worn flash)
 *   fusestuck       fuse writes are accepted but the fuses keep their values
 *   noxtal          no crystal or clock on XTAL1/XTAL2: once the fuses select an
 *                   external clock source, the chip stops and ISP no longer answers
 */
#define LOG_PREFIX "dryrun"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/compat.h"

#include "base/clock.h"
#include "ispflash/interrupt.h"

#include "sim/avrchip.h"
#include "sim/avrsocket.h"
#include "ispflash/log.h"
#include "programmers/backend.h"

struct dryrun_priv {
    struct avrchip chip;
    struct part fake_part; /* copy of the part when signature= is given */
    const char *state_path;
    const char *target_spec; /* -x target=FILE as given (%P not yet replaced) */
    bool has_socket;         /* sock is open */
    struct avrsocket sock;
    int lock_fd;       /* FILE.lock, flock'ed while the run uses the state (-1: none) */
    bool new_state;    /* no state file yet: it is written even if the chip stays fresh */
    unsigned delay_us; /* -x delay_us=N */
};

#define DRYRUN_LOCK_WAIT_MS 10000

/* Take FILE.lock (created next to the state): a concurrent run on the same state
 * waits for it, a bounded time. */
static int dryrun_lock(struct dryrun_priv *d, struct ispf_error *err)
{
    char lock[4096];
    snprintf(lock, sizeof lock, "%s.lock", d->state_path);
    d->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (d->lock_fd < 0)
        return ispf_fail(err, ISPF_E_IO, "dryrun: cannot use chip state %s: cannot create %s: %s",
                         d->state_path, lock, strerror(errno));
    int64_t deadline = (int64_t)clock_now_ms() + DRYRUN_LOCK_WAIT_MS;
    bool said = false;
    while (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e != EWOULDBLOCK && e != EINTR)
            return ispf_fail(err, ISPF_E_IO, "dryrun: cannot lock %s: %s", lock, strerror(e));
        if (ispf_interrupted())
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted while waiting for %s", lock);
        if ((int64_t)clock_now_ms() > deadline)
            return ispf_fail(err, ISPF_E_ACCESS,
                             "dryrun: chip state %s is in use by another run (waited %d s for "
                             "%s); try again when it has finished",
                             d->state_path, DRYRUN_LOCK_WAIT_MS / 1000, lock);
        if (!said)
            log_info("chip state %s is in use by another run: waiting", d->state_path);
        said = true;
        clock_sleep_ms(20);
    }
    return ISPF_OK;
}

static void dryrun_unlock(struct dryrun_priv *d)
{
    if (d->lock_fd >= 0)
        close(d->lock_fd); /* releases the flock */
    d->lock_fd = -1;
}

static int dryrun_parse_opts(struct pgm *pgm, struct dryrun_priv *d, struct ispf_error *err)
{
    for (size_t i = 0; i < pgm->cfg.n_xopts; i++) {
        const char *x = pgm->cfg.xopts[i];
        long a, m;
        unsigned long n;
        char extra;
        if (strncmp(x, "state=", 6) == 0 && x[6]) {
            d->state_path = x + 6;
        } else if (strncmp(x, "target=", 7) == 0 && x[7]) {
            d->target_spec = x + 7;
        } else if (strcmp(x, "unwired") == 0) {
            d->chip.faults.unwired = true;
        } else if (strcmp(x, "noxtal") == 0) {
            d->chip.faults.no_xtal = true;
        } else if (strcmp(x, "noerase") == 0) {
            d->chip.faults.no_erase = true;
        } else if (strcmp(x, "fusestuck") == 0) {
            d->chip.faults.fuse_stuck = true;
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
        } else if (sscanf(x, "delay_us=%lu%c", &n, &extra) == 1) {
            d->delay_us = (unsigned)n;
        } else if (sscanf(x, "busy=%lu%c", &n, &extra) == 1) {
            d->chip.faults.busy_polls = (unsigned)n;
        } else if (strncmp(x, "signature=", 10) != 0) {
            return ispf_fail(
                err, ISPF_E_USAGE,
                "dryrun: unknown -x option '%s' (known: state=FILE, target=FILE, unwired, "
                "stuck=ADDR:MASK, busy=N, signature=XXXXXX, noxtal, noerase, fusestuck, "
                "delay_us=N)",
                x);
        }
    }
    if (d->state_path && d->target_spec)
        return ispf_fail(err, ISPF_E_USAGE,
                         "dryrun: -x state=%s and -x target=%s cannot be used together: state= "
                         "is one chip kept from run to run, target= a socket whose board can be "
                         "changed; give one of them",
                         d->state_path, d->target_spec);
    return ISPF_OK;
}

/* -x target=FILE with each %P replaced by the -P port ("dryrun" without -P). */
static int dryrun_target_path(const struct pgm *pgm, const char *spec, char *out, size_t size,
                              struct ispf_error *err)
{
    const char *port = pgm->cfg.port ? pgm->cfg.port : "dryrun";
    size_t n = 0;
    for (const char *p = spec; *p; p++) {
        const char *add = p;
        size_t len = 1;
        if (p[0] == '%' && p[1] == 'P') {
            add = port;
            len = strlen(port);
            p++;
        }
        if (n + len >= size)
            return ispf_fail(err, ISPF_E_USAGE, "dryrun: -x target=%s: file name too long", spec);
        memcpy(out + n, add, len);
        n += len;
    }
    out[n] = '\0';
    return ISPF_OK;
}

/* Put the chip in the -x target= socket; the state files are keyed by the real part. */
static int dryrun_open_socket(struct pgm *pgm, struct dryrun_priv *d, struct ispf_error *err)
{
    char path[PATH_MAX];
    int rc = dryrun_target_path(pgm, d->target_spec, path, sizeof path, err);
    if (rc)
        return rc;
    rc = avrsocket_open(&d->sock, &d->chip, pgm->cfg.part, path, err);
    d->has_socket = true;
    if (rc)
        return ispf_error_prefix(err, "dryrun");
    log_dbg("target socket %s: %s", path, d->sock.present ? "a board is in it" : "empty");
    return ISPF_OK;
}

static int dryrun_open(struct pgm *pgm, struct ispf_error *err)
{
    struct dryrun_priv *d = pgm->priv;
    const struct part *p = pgm->cfg.part;
    d->lock_fd = -1;
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
    if (rc == ISPF_OK && d->target_spec)
        rc = dryrun_open_socket(pgm, d, err);
    if (rc == ISPF_OK && d->state_path)
        rc = dryrun_lock(d, err);
    if (rc == ISPF_OK && d->state_path && access(d->state_path, F_OK) != 0)
        d->new_state = true;
    else if (rc == ISPF_OK && d->state_path) {
        d->chip.part = pgm->cfg.part; /* state files are keyed by the real part */
        rc = avrchip_load(&d->chip, d->state_path, err);
        d->chip.part = p;
        if (rc == ISPF_OK)
            log_dbg("chip state loaded from %s", d->state_path);
    }
    if (rc) {
        if (d->has_socket)
            avrsocket_close(&d->sock, NULL); /* nothing was changed: nothing to save */
        dryrun_unlock(d);
        avrchip_free(&d->chip);
    }
    return rc;
}

/* What the socket met while watching (a board that would not load, a failed save). */
static int dryrun_socket_error(struct dryrun_priv *d, struct ispf_error *err)
{
    if (!d->has_socket || d->sock.err.code == ISPF_OK)
        return ISPF_OK;
    avrsocket_take_error(&d->sock, err);
    return ispf_error_prefix(err, "dryrun");
}

static void dryrun_close(struct pgm *pgm)
{
    struct dryrun_priv *d = pgm->priv;
    bool save = d->new_state || d->chip.modified;
    if (d->state_path && !save)
        log_dbg("chip unchanged: %s not rewritten", d->state_path);
    if (d->state_path && save) {
        struct ispf_error err;
        ispf_error_clear(&err);
        const struct part *p = d->chip.part;
        d->chip.part = pgm->cfg.part;
        if (avrchip_save(&d->chip, d->state_path, &err))
            log_err("%s", err.msg); /* an error logged at close fails the run (the CLI) */
        else
            log_dbg("chip state saved to %s", d->state_path);
        d->chip.part = p;
    }
    if (d->has_socket) {
        struct ispf_error err;
        ispf_error_clear(&err);
        if (dryrun_socket_error(d, &err))
            log_err("%s", err.msg); /* an error logged at close fails the run (the CLI) */
        ispf_error_clear(&err);
        if (avrsocket_close(&d->sock, &err))
            log_err("dryrun: %s", err.msg);
        log_dbg("target socket %s: %lu boards put in, %lu taken away, %lu saves, %lu changed "
                "boards not written back (taken away); %lu flash pages reached a chip",
                d->sock.path, d->sock.stats.inserts, d->sock.stats.removals, d->sock.stats.saves,
                d->sock.stats.dropped, d->chip.stats.page_writes);
    }
    dryrun_unlock(d);
    avrchip_free(&d->chip);
}

static int dryrun_enable(struct pgm *pgm, struct ispf_error *err)
{
    struct dryrun_priv *d = pgm->priv;
    uint8_t cmd[4] = {0xAC, 0x53, 0x00, 0x00}, res[4];
    avrchip_set_reset(&d->chip, true);
    avrchip_spi(&d->chip, cmd, res);
    int rc = dryrun_socket_error(d, err);
    bool empty = d->has_socket && !d->sock.present;
    if (rc == ISPF_OK && res[2] != 0x53)
        rc = ispf_fail(
            err, ISPF_E_NO_TARGET,
            "the target did not answer Programming Enable (got %02x %02x %02x %02x)%s%s%s", res[0],
            res[1], res[2], res[3], empty ? ": the target socket is empty (no file " : "",
            empty ? d->sock.path : "", empty ? ")" : "");
    if (rc)
        avrchip_set_reset(&d->chip, false);
    return rc;
}

static void dryrun_disable(struct pgm *pgm)
{
    struct dryrun_priv *d = pgm->priv;
    avrchip_set_reset(&d->chip, false); /* a socket writes its board back */
    log_dbg("programming mode left, RESET released");
    struct ispf_error err;
    ispf_error_clear(&err);
    if (dryrun_socket_error(d, &err))
        log_err("%s", err.msg);
}

static int dryrun_spi(struct pgm *pgm, const uint8_t cmd[4], uint8_t res[4], struct ispf_error *err)
{
    struct dryrun_priv *d = pgm->priv;
    if (d->delay_us)
        clock_sleep_us(d->delay_us);
    avrchip_spi(&d->chip, cmd, res);
    pgm->stats.commands++;
    pgm->stats.bytes_tx += 4;
    pgm->stats.bytes_rx += 4;
    return dryrun_socket_error(d, err);
}

const struct programmer_ops pgm_dryrun_ops = {
    .priv_size = sizeof(struct dryrun_priv),
    .wiring_hint = "the dryrun chip was started with -x unwired, or the file of its -x "
                   "target= socket does not exist (no board in the socket)",
    .open = dryrun_open,
    .close = dryrun_close,
    .enable = dryrun_enable,
    .disable = dryrun_disable,
    .spi = dryrun_spi,
};
