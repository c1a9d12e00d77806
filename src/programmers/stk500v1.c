// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STK500v1 (AVR061) as spoken by ArduinoISP (QMK's Pro Micro / Teensy 2.0 ISP
 * firmware, the Arduino ArduinoISP sketch), by a genuine STK500, and by Arduino
 * (Optiboot-class) bootloaders. Facts: docs/../protocols.md section 2.
 *
 * What this backend does differently from avrdude 7.1 on the same wire:
 *  - sync: flush what is buffered, then GET_SYNC with short, growing timeouts (no
 *    fixed drains); without -b, the common rates are tried in turn;
 *  - never sends what ArduinoISP cannot parse (SET_PARAMETER, CHIP_ERASE 0x52,
 *    CHECK_AUTOINC, PROG_PAGE over 256 bytes), always 5 SET_DEVICE_EXT bytes;
 *  - EEPROM addresses are word addresses for ArduinoISP and bootloaders (avrdude
 *    7.1 sends byte addresses: its issue #1337);
 *  - reads in blocks of up to 32766 bytes (the sketch's signed 16-bit length);
 *  - LOAD_ADDRESS only when the firmware's auto-incremented address is not
 *    already the one needed.
 * Chip erase, signature, fuses, lock bits and verification are the core's
 * business, through spi() (UNIVERSAL 'V').
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define LOG_PREFIX "stk500v1"
#include "base/clock.h"
#include "ispflash/interrupt.h"
#include "ispflash/log.h"
#include "programmers/backend.h"
#include "transport/stream.h"

/* Registry variants (pgm_entry.variant). */
enum stk_variant {
    STK_VARIANT_AVRISP = 0,  /* ArduinoISP firmware (avrisp, arduino_as_isp) */
    STK_VARIANT_STK500 = 1,  /* stk500v1: genuine STK500 unless ArduinoISP is detected */
    STK_VARIANT_ARDUINO = 2, /* Arduino bootloader (Optiboot-class) */
};

/* What actually answered. */
enum stk_kind {
    STK_KIND_ARDUINOISP,
    STK_KIND_GENUINE,
    STK_KIND_BOOTLOADER,
};

/* AVR061 bytes */
#define STK_GET_SYNC 0x30
#define STK_GET_SIGN_ON 0x31
#define STK_GET_PARAMETER 0x41
#define STK_SET_DEVICE 0x42
#define STK_SET_DEVICE_EXT 0x45
#define STK_ENTER_PROGMODE 0x50
#define STK_LEAVE_PROGMODE 0x51
#define STK_LOAD_ADDRESS 0x55
#define STK_UNIVERSAL 0x56
#define STK_PROG_PAGE 0x64
#define STK_READ_PAGE 0x74
#define STK_READ_SIGN 0x75
#define STK_EOP 0x20
#define STK_OK 0x10
#define STK_FAILED 0x11
#define STK_UNKNOWN 0x12
#define STK_NODEVICE 0x13
#define STK_INSYNC 0x14
#define STK_NOSYNC 0x15

#define STK_PARM_SW_MAJOR 0x81
#define STK_PARM_SW_MINOR 0x82

#define STK_MAX_PROG 256u        /* ArduinoISP's buffer; AVR061's limit */
#define STK_MAX_READ_AISP 32766u /* ArduinoISP keeps READ_PAGE length in a signed int */
#define STK_MAX_READ_OTHER 256u  /* genuine STK500 / bootloaders */
/* The sketch reads EEPROM data 32 bytes at a time and writes each byte with a
 * 45 ms delay: 64-byte blocks keep a UART programmer's 64-byte receive buffer
 * from overflowing. */
#define STK_EEPROM_CHUNK 64u
#define STK_AISP_PAGE_MS 30   /* ArduinoISP sleeps 30 ms after each page commit */
#define STK_AISP_EEBYTE_MS 45 /* ... and 45 ms after each EEPROM byte */
#define STK_BASE_TIMEOUT_MS 600
/* Connecting: the whole sync at one speed (net:, or -b given), or at each of the
 * speeds tried in turn without -b; about 3 s in all, for a silent port and for a
 * chatty one (the wrong -P, a sketch printing, a wrong speed). */
#define STK_SYNC_BUDGET_MS 2500
#define STK_SYNC_FIRST_MS 1400
#define STK_SYNC_OTHER_MS 800
/* A port that sends this many bytes that are not STK500v1 is not the programmer. */
#define STK_JUNK_MAX 512u
/* At most this long to let the rest of a failed reply go before LEAVE_PROGMODE. */
#define STK_DISABLE_DRAIN_MS 1500
/* net: without -b: the serial speed assumed behind the bridge (ArduinoISP's). */
#define STK_NET_BAUD 19200

struct stk_priv {
    struct stream *s;
    enum stk_kind kind;
    int baud;        /* link speed in use (nominal for net:) */
    bool device_set; /* SET_DEVICE/SET_DEVICE_EXT sent */
    bool desync;     /* a command failed: the reply stream may hold leftovers */
    bool here_valid; /* ArduinoISP: we know its address counter */
    uint16_t here;   /* ... its value (word address) */
    uint8_t sw_major, sw_minor;
    uint8_t sig[3];  /* from READ_SIGN (bootloader; ArduinoISP signature reads) */
    bool sig_cached; /* ArduinoISP: sig holds a READ_SIGN answer for the next 30 00 n */
    char signon[16];
};

static struct stk_priv *stk_priv(struct pgm *pgm)
{
    return pgm->priv;
}

static void stk_update_stats(struct pgm *pgm)
{
    pgm_stats_from_stream(pgm, stk_priv(pgm)->s);
}

static int stk_interrupted(struct ispf_error *err)
{
    return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
}

/* Timeout for bytes of a reply: the time they take on the wire at the link's
 * speed (s->baud: -b or the default; for net: the speed assumed behind the
 * bridge), what the firmware spends on them, half as much again, and a base. */
#define STK_READ_CHUNK 256u
static int stk_timeout(const struct stk_priv *p, size_t bytes, unsigned work_ms)
{
    int wire = stream_wire_ms(p->s, bytes);
    return STK_BASE_TIMEOUT_MS + wire * 3 / 2 + (int)(work_ms * 3 / 2);
}

/* Read n bytes by the deadline, or within their own time on the wire if that
 * ends later (a reply that comes piece by piece, slower than the wire). */
static int stk_read_by(struct stk_priv *p, uint8_t *buf, size_t n, long long deadline,
                       struct ispf_error *err)
{
    long long left = deadline - clock_now_ms();
    int min = stk_timeout(p, n, 0);
    return stream_read(p->s, buf, n, left > min ? (int)left : min, err);
}

/* Prefix what we were doing to a transport error, keeping its code. */
static int stk_context(struct ispf_error *err, int rc, const char *what)
{
    if (err == NULL)
        return rc;
    char old[ISPF_ERRMSG_MAX];
    snprintf(old, sizeof old, "%s", err->msg);
    if (rc == ISPF_E_TIMEOUT)
        return ispf_fail(err, rc, "no complete reply from the programmer to %s (%s)", what, old);
    return ispf_fail(err, rc, "%s: %s", what, old);
}

/* The error for a reply that starts with b instead of INSYNC. */
static int stk_not_insync(uint8_t b, const char *what, struct ispf_error *err)
{
    switch (b) {
    case STK_NOSYNC:
        return ispf_fail(err, ISPF_E_PROTOCOL,
                         "the programmer lost sync on %s (it answered NOSYNC 0x15: a byte "
                         "was lost or garbled on the link)",
                         what);
    case STK_UNKNOWN:
        return ispf_fail(err, ISPF_E_PROTOCOL,
                         "the programmer does not know the command of %s (UNKNOWN 0x12)", what);
    case STK_FAILED:
        return ispf_fail(err, ISPF_E_TARGET, "the programmer reported FAILED for %s", what);
    default:
        return ispf_fail(err, ISPF_E_PROTOCOL,
                         "unexpected byte 0x%02x instead of INSYNC (0x14) in the reply to %s "
                         "(garbled link or wrong baud rate)",
                         b, what);
    }
}

/* Before a command goes out: nothing may be waiting. Bytes after a complete reply
 * (line noise, a desynchronised programmer) would otherwise be taken for the start
 * of the next reply only after the next command had been carried out, writing one
 * page more after the fault (found by an independent ArduinoISP model). */
static int stk_check_quiet(struct stk_priv *p, const char *what, struct ispf_error *err)
{
    struct stream_junk j = {0};
    /* quiet 0: only what is already there (a transport error shows with the write) */
    stream_discard(p->s, 0, clock_now_ms() + 100, &j, sizeof j.first, false, NULL);
    if (j.n == 0)
        return ISPF_OK;
    p->here_valid = false;
    p->desync = true;
    return ispf_fail(err, ISPF_E_PROTOCOL,
                     "%s%zu unexpected byte%s (first 0x%02x) arrived after the reply to the "
                     "previous command, before %s was sent (garbled link, line noise or another "
                     "program on the port); %s was not sent",
                     j.n >= sizeof j.first ? "at least " : "", j.n, j.n == 1 ? "" : "s", j.first[0],
                     what, what);
}

/* Send one command (tx ends with EOP) and read its reply: INSYNC, plen payload
 * bytes, OK. The payload goes to payload (may be NULL when plen is 0). */
static int stk_cmd(struct pgm *pgm, const char *what, const uint8_t *tx, size_t txlen,
                   uint8_t *payload, size_t plen, unsigned work_ms, struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    /* A bridge may hand the reply over only when it is complete: the deadline of
     * its first byte covers the command and the whole reply on the wire. Pieces
     * that come one by one each get at least their own wire time. */
    int rc = stk_check_quiet(p, what, err);
    if (rc < 0)
        return rc;
    long long deadline = clock_now_ms() + stk_timeout(p, txlen + plen + 2, work_ms);
    p->sig_cached = false;
    pgm->stats.commands++;
    rc = stream_write(p->s, tx, txlen, err);
    if (rc < 0) {
        p->here_valid = false;
        return stk_context(err, rc, what);
    }
    uint8_t b;
    rc = stk_read_by(p, &b, 1, deadline, err);
    if (rc < 0)
        goto fail;
    if (b != STK_INSYNC) {
        p->here_valid = false;
        p->desync = true;
        stk_update_stats(pgm);
        return stk_not_insync(b, what, err);
    }
    for (size_t off = 0; off < plen;) {
        size_t n = plen - off > STK_READ_CHUNK ? STK_READ_CHUNK : plen - off;
        rc = stk_read_by(p, payload + off, n, deadline, err);
        if (rc < 0)
            goto fail;
        off += n;
    }
    rc = stk_read_by(p, &b, 1, deadline, err);
    if (rc < 0)
        goto fail;
    stk_update_stats(pgm);
    if (b == STK_OK)
        return ISPF_OK;
    p->here_valid = false;
    p->desync = true;
    if (b == STK_FAILED)
        return ispf_fail(err, ISPF_E_TARGET, "the programmer reported FAILED for %s", what);
    if (b == STK_NODEVICE)
        return ispf_fail(err, ISPF_E_NO_TARGET, "the programmer reported no device for %s", what);
    return ispf_fail(err, ISPF_E_PROTOCOL,
                     "unexpected byte 0x%02x instead of OK (0x10) at the end of the reply to %s", b,
                     what);
fail:
    p->here_valid = false;
    p->desync = true;
    stk_update_stats(pgm);
    return stk_context(err, rc, what);
}

/* ---- connection: sync, sign-on ---- */

enum stk_sync_result { STK_SYNC_OK, STK_SYNC_SILENT, STK_SYNC_GARBAGE };

/* Read one "14 10" answer to GET_SYNC within tmo ms. 1: got it, 0: nothing came,
 * 2: something else came (added to j), <0: transport error. */
static int stk_sync_reply(struct stk_priv *p, int tmo, struct stream_junk *j,
                          struct ispf_error *err)
{
    uint8_t b[2];
    struct ispf_error e;
    ispf_error_clear(&e);
    int rc = stream_read(p->s, &b[0], 1, tmo, &e);
    if (rc == ISPF_E_TIMEOUT)
        return 0;
    if (rc < 0) {
        *err = e;
        return rc;
    }
    stream_junk_add(j, &b[0], 1); /* taken back below if it is the answer */
    if (b[0] != STK_INSYNC)
        return 2;
    rc = stream_read(p->s, &b[1], 1, tmo, &e);
    if (rc == ISPF_E_TIMEOUT)
        return 2;
    if (rc < 0) {
        *err = e;
        return rc;
    }
    if (b[1] == STK_OK) {
        if (j != NULL)
            j->n--;
        return 1;
    }
    stream_junk_add(j, &b[1], 1);
    return 2;
}

/* Answers to earlier GET_SYNCs still on their way (a slow bridge, a programmer
 * still starting): collect up to n of them, then let anything else go, so that
 * none can be taken for the reply to a later command. */
static int stk_collect_late(struct stk_priv *p, unsigned n, int tmo, long long deadline,
                            struct ispf_error *err)
{
    int settle = 2 * tmo > 300 ? 2 * tmo : 300;
    for (unsigned k = 0; k < n; k++) {
        long long left = deadline - clock_now_ms();
        if (left <= 0)
            break;
        int r = stk_sync_reply(p, settle < left ? settle : (int)left, NULL, err);
        if (r < 0)
            return r;
        if (r != 1)
            break; /* lost (sent while the programmer was not listening) or junk */
    }
    return stream_discard(p->s, 50, deadline, NULL, STK_JUNK_MAX, true, err);
}

/* GET_SYNC until a 14 10 answers the last one sent, or budget_ms runs out, or the
 * port has sent STK_JUNK_MAX bytes that are not STK500v1 (kept in j). No fixed
 * drains: the first attempts wait briefly, later ones longer. */
static int stk_sync(struct pgm *pgm, int budget_ms, enum stk_sync_result *res,
                    struct stream_junk *j, struct ispf_error *err)
{
    static const uint8_t sync[2] = {STK_GET_SYNC, STK_EOP};
    static const int steps[] = {60, 100, 150, 250, 400, 600};
    const int nsteps = (int)(sizeof steps / sizeof steps[0]);
    struct stk_priv *p = stk_priv(pgm);
    long long deadline = clock_now_ms() + budget_ms;
    unsigned sent = 0;
    *res = STK_SYNC_SILENT;
    /* Stale input: what is already there, for at most 100 ms of a chatty port. */
    long long stale = clock_now_ms() + 100;
    int rc =
        stream_discard(p->s, 0, stale < deadline ? stale : deadline, j, STK_JUNK_MAX, true, err);
    if (rc < 0)
        return rc;
    for (int i = 0;; i++) {
        if (ispf_interrupted())
            return stk_interrupted(err);
        long long left = deadline - clock_now_ms();
        if (left <= 0 || j->n >= STK_JUNK_MAX)
            return ISPF_OK;
        int tmo = steps[i < nsteps ? i : nsteps - 1];
        if (tmo > left)
            tmo = (int)left;
        pgm->stats.commands++;
        rc = stream_write(p->s, sync, sizeof sync, err);
        if (rc < 0)
            return rc;
        sent++;
        int r = stk_sync_reply(p, tmo, j, err);
        if (r < 0)
            return r;
        if (r == 0)
            continue;
        if (r == 2) {
            /* Not STK500v1, or leftovers: let them go while they come (never past
             * the deadline), then try again. */
            *res = STK_SYNC_GARBAGE;
            rc = stream_discard(p->s, 20, deadline, j, STK_JUNK_MAX, true, err);
            if (rc < 0)
                return rc;
            sent = 0;
            continue;
        }
        if (sent == 1) {
            *res = STK_SYNC_OK;
            stk_update_stats(pgm);
            return ISPF_OK;
        }
        rc = stk_collect_late(p, sent - 1, tmo, deadline, err);
        if (rc < 0)
            return rc;
        sent = 0; /* confirm with a GET_SYNC of our own */
    }
}

/* GET_SIGN_ON: "AVR ISP" (ArduinoISP), "AVR STK" (STK500), nothing (bootloaders
 * answer 14 10). What a failed sign-on brought goes to j. */
static int stk_signon(struct pgm *pgm, struct stream_junk *j, struct ispf_error *err)
{
    static const uint8_t cmd[2] = {STK_GET_SIGN_ON, STK_EOP};
    struct stk_priv *p = stk_priv(pgm);
    long long deadline = clock_now_ms() + stk_timeout(p, sizeof cmd + sizeof p->signon + 2, 0);
    pgm->stats.commands++;
    int rc = stream_write(p->s, cmd, sizeof cmd, err);
    if (rc < 0)
        return stk_context(err, rc, "GET_SIGN_ON");
    uint8_t b;
    rc = stk_read_by(p, &b, 1, deadline, err);
    if (rc < 0)
        return stk_context(err, rc, "GET_SIGN_ON");
    if (b != STK_INSYNC) {
        stream_junk_add(j, &b, 1);
        return ispf_fail(err, ISPF_E_PROTOCOL, "unexpected byte 0x%02x in the reply to GET_SIGN_ON",
                         b);
    }
    size_t n = 0;
    for (;;) {
        rc = stk_read_by(p, &b, 1, deadline, err);
        if (rc < 0)
            return stk_context(err, rc, "GET_SIGN_ON");
        if (b == STK_OK)
            break;
        if (n + 1 >= sizeof p->signon) {
            stream_junk_add(j, (const uint8_t[]){STK_INSYNC}, 1);
            stream_junk_add(j, (const uint8_t *)p->signon, n);
            stream_junk_add(j, &b, 1);
            return ispf_fail(err, ISPF_E_PROTOCOL, "sign-on string too long: not STK500v1");
        }
        p->signon[n++] = (char)b;
    }
    p->signon[n] = '\0';
    stk_update_stats(pgm);
    return ISPF_OK;
}

static int stk_get_param(struct pgm *pgm, uint8_t parm, uint8_t *val, struct ispf_error *err)
{
    uint8_t cmd[3] = {STK_GET_PARAMETER, parm, STK_EOP};
    char what[40];
    snprintf(what, sizeof what, "GET_PARAMETER 0x%02x", parm);
    return stk_cmd(pgm, what, cmd, sizeof cmd, val, 1, 0, err);
}

/* The Arduino bootloader is started by the DTR/RTS auto-reset circuit. */
static int stk_reset_pulse(struct pgm *pgm, struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    if (stream_is_net(pgm->cfg.port) || pgm_xopt(pgm, "noautoreset") != NULL)
        return ISPF_OK;
    if (ispf_interrupted())
        return stk_interrupted(err);
    int rc = stream_set_lines(p->s, 0, 0, err);
    if (rc < 0)
        return rc;
    clock_sleep_ms(100);
    rc = stream_set_lines(p->s, 1, 1, err);
    if (rc < 0)
        return rc;
    clock_sleep_ms(50); /* bootloader start-up */
    return ISPF_OK;
}

static int stk_check_xopts(struct pgm *pgm, struct ispf_error *err)
{
    for (size_t i = 0; i < pgm->cfg.n_xopts; i++) {
        const char *x = pgm->cfg.xopts[i];
        size_t k = strcspn(x, "=");
        if (pgm->entry->variant == STK_VARIANT_ARDUINO && k == 11 &&
            strncmp(x, "noautoreset", 11) == 0)
            continue;
        return ispf_fail(err, ISPF_E_USAGE, "-x %s: unknown option for -c %s%s", x, pgm->entry->id,
                         pgm->entry->variant == STK_VARIANT_ARDUINO ? " (it knows: -x noautoreset)"
                                                                    : " (it has no -x options)");
    }
    return ISPF_OK;
}

/* What stk_open tried and what came back. */
struct stk_conn {
    int bauds[4]; /* speeds to try, in order */
    int nbauds;
    int answered; /* the speed that answered, 0 if none */
    bool garbage; /* something answered, but not as STK500v1 */
    struct stream_junk junk;
};

/* The speeds to try: -b or the registry default; without -b on a serial port, the
 * other common ArduinoISP/STK500 rates after it. */
static void stk_baud_list(const struct pgm *pgm, struct stk_conn *c)
{
    int first = pgm->cfg.baud > 0 ? pgm->cfg.baud : pgm->entry->default_baud;
    c->nbauds = 0;
    c->bauds[c->nbauds++] = first;
    if (pgm->cfg.baud > 0 || stream_is_net(pgm->cfg.port))
        return;
    static const int common[] = {19200, 115200, 57600};
    for (int i = 0; i < 3; i++)
        if (common[i] != first)
            c->bauds[c->nbauds++] = common[i];
}

/* Speed number i: reset (bootloaders), GET_SYNC, GET_SIGN_ON. 1: it answered,
 * 0: not, <0: an error that ends the search. */
static int stk_try_baud(struct pgm *pgm, int i, struct stk_conn *c, struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    bool one = stream_is_net(pgm->cfg.port) || pgm->cfg.baud > 0;
    int rc = ISPF_OK;
    if (ispf_interrupted())
        return stk_interrupted(err);
    p->baud = c->bauds[i];
    if (i > 0)
        rc = stream_set_baud(p->s, c->bauds[i], err);
    if (rc == ISPF_OK && pgm->entry->variant == STK_VARIANT_ARDUINO)
        rc = stk_reset_pulse(pgm, err);
    if (rc < 0)
        return rc;
    enum stk_sync_result res = STK_SYNC_SILENT;
    int budget = one ? STK_SYNC_BUDGET_MS : i == 0 ? STK_SYNC_FIRST_MS : STK_SYNC_OTHER_MS;
    rc = stk_sync(pgm, budget, &res, &c->junk, err);
    if (rc < 0)
        return rc == ISPF_E_INTERRUPTED ? rc
                                        : stk_context(err, rc, "synchronising with the programmer");
    if (res == STK_SYNC_GARBAGE)
        c->garbage = true;
    if (res != STK_SYNC_OK)
        return 0;
    p->signon[0] = '\0';
    rc = stk_signon(pgm, &c->junk, err);
    if (rc == ISPF_E_DISCONNECTED || rc == ISPF_E_IO)
        return rc;
    if (rc < 0) {
        /* Typically an Arduino bootloader still running after the port opened
         * reset the board: try the next rate, the sketch will be up by then. */
        log_dbg("sync at %d baud but no valid sign-on (%s)", c->bauds[i], err->msg);
        c->garbage = true;
        return 0;
    }
    c->answered = c->bauds[i];
    return 1;
}

static const char *stk_protocol_name(const struct pgm *pgm)
{
    switch (pgm->entry->variant) {
    case STK_VARIANT_STK500:
        return "STK500v1";
    case STK_VARIANT_ARDUINO:
        return "STK500v1 (Arduino bootloader)";
    default:
        return "STK500v1/ArduinoISP";
    }
}

/* The error when no speed gave a valid sync and sign-on. */
static int stk_no_answer(struct pgm *pgm, const struct stk_conn *c, struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    const char *port = pgm->cfg.port;
    bool net = stream_is_net(port);
    char tried[64] = "";
    for (int i = 0; i < c->nbauds; i++) {
        size_t l = strlen(tried);
        snprintf(tried + l, sizeof tried - l, "%s%d", i ? ", " : "", c->bauds[i]);
    }
    if (c->junk.n > 0) {
        int rc = stream_not_protocol(p->s, stk_protocol_name(pgm), c->junk.first, c->junk.n, err);
        size_t l = strlen(err->msg);
        if (!net)
            snprintf(err->msg + l, sizeof err->msg - l, " (tried %s baud)", tried);
        return rc;
    }
    if (c->garbage)
        return ispf_fail(err, ISPF_E_PROTOCOL,
                         "the programmer on %s answers GET_SYNC, but not as STK500v1/ArduinoISP "
                         "(no valid sign-on%s%s). Check the baud rate (-b; ArduinoISP and QMK's "
                         "ISP firmware use 19200) and that the programmer runs ISP firmware, not "
                         "its bootloader or another sketch",
                         port, net ? "" : "; tried ", net ? "" : tried);
    return ispf_fail(err, ISPF_E_TIMEOUT,
                     "no answer from the programmer on %s (GET_SYNC%s%s%s). Check: -P is "
                     "the programmer's port; the baud rate (-b 19200 for ArduinoISP and "
                     "QMK's Pro Micro/Teensy ISP firmware); the programmer runs the ISP "
                     "firmware (not its bootloader or another sketch); the target's "
                     "RESET is wired to the programmer's pin 10 (Pro Micro, Arduino) or "
                     "B0 (Teensy 2.0), not to the programmer's own RESET",
                     port, net ? "" : " at ", net ? "" : tried, net ? "" : " baud");
}

/* What answered the sign-on: ArduinoISP, a genuine STK500 or a bootloader; its
 * firmware version where it matters. */
static int stk_identify(struct pgm *pgm, struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    int variant = pgm->entry->variant;
    if (strcmp(p->signon, "AVR ISP") == 0)
        p->kind = STK_KIND_ARDUINOISP;
    else if (strncmp(p->signon, "AVR STK", 7) == 0)
        p->kind = STK_KIND_GENUINE;
    else if (variant == STK_VARIANT_ARDUINO)
        p->kind = STK_KIND_BOOTLOADER;
    else
        p->kind = variant == STK_VARIANT_STK500 ? STK_KIND_GENUINE : STK_KIND_ARDUINOISP;
    if (variant == STK_VARIANT_ARDUINO && p->kind != STK_KIND_BOOTLOADER)
        log_warn("-c arduino expects a bootloader, but the sign-on is '%s': treating it as %s",
                 p->signon, p->kind == STK_KIND_ARDUINOISP ? "ArduinoISP" : "an STK500");
    if (variant != STK_VARIANT_ARDUINO && p->signon[0] == '\0')
        return ispf_fail(err, ISPF_E_PROTOCOL,
                         "the device on %s answers like a bootloader (empty sign-on), not like "
                         "ISP firmware: use -c arduino to program the board itself, or load the "
                         "ISP firmware",
                         pgm->cfg.port);
    /* The firmware version: needed to tell a genuine STK500's SET_DEVICE_EXT
     * length, and shown when -c stk500v1 finds ArduinoISP. -c avrisp on "AVR ISP"
     * needs neither (two round trips saved). */
    if (!(p->kind == STK_KIND_ARDUINOISP && variant == STK_VARIANT_AVRISP)) {
        int rc = stk_get_param(pgm, STK_PARM_SW_MAJOR, &p->sw_major, err);
        if (rc == ISPF_OK)
            rc = stk_get_param(pgm, STK_PARM_SW_MINOR, &p->sw_minor, err);
        if (rc < 0)
            return rc;
    }
    switch (p->kind) {
    case STK_KIND_ARDUINOISP:
        if (variant == STK_VARIANT_STK500)
            log_dbg("ArduinoISP detected (sign-on 'AVR ISP', firmware %u.%u): behaving as -c "
                    "avrisp (word-addressed EEPROM, large read blocks)",
                    p->sw_major, p->sw_minor);
        else
            log_dbg("ArduinoISP firmware (sign-on 'AVR ISP') at %d baud", p->baud);
        break;
    case STK_KIND_GENUINE:
        log_dbg("STK500 '%s' firmware %u.%u", p->signon, p->sw_major, p->sw_minor);
        break;
    case STK_KIND_BOOTLOADER:
        log_dbg("Arduino bootloader, version %u.%u", p->sw_major, p->sw_minor);
        pgm->flags |= PGM_FLAG_BOOTLOADER;
        break;
    }
    /* ArduinoISP commits every page a PROG_PAGE block crosses: one command may carry
     * up to 256 bytes of consecutive pages. */
    pgm->flash_write_max = p->kind == STK_KIND_ARDUINOISP ? STK_MAX_PROG : 0;
    return ISPF_OK;
}

/* Everything open() does once the stream p->s is open: the sync at each speed to
 * try, sign-on, identification. Leaves the stream open on failure. */
static int stk_start(struct pgm *pgm, struct ispf_error *err)
{
    struct stk_conn c;
    memset(&c, 0, sizeof c);
    stk_baud_list(pgm, &c);
    pgm->ext_addr = -1;
    int rc = ISPF_OK;
    /* net: the serial line behind the bridge runs at -b, or as ArduinoISP's. */
    if (stream_is_net(pgm->cfg.port))
        rc = stream_set_baud(stk_priv(pgm)->s, pgm->cfg.baud > 0 ? pgm->cfg.baud : STK_NET_BAUD,
                             err);
    for (int i = 0; rc == ISPF_OK && i < c.nbauds && c.answered == 0; i++) {
        int r = stk_try_baud(pgm, i, &c, err);
        if (r < 0)
            rc = r;
    }
    if (rc == ISPF_OK && c.answered == 0)
        rc = stk_no_answer(pgm, &c, err);
    if (rc == ISPF_OK && !stream_is_net(pgm->cfg.port) && c.answered != c.bauds[0])
        log_info("the programmer answered at %d baud, not %d: give -b %d to skip the search",
                 c.answered, c.bauds[0], c.answered);
    if (rc == ISPF_OK)
        rc = stk_identify(pgm, err);
    return rc;
}

static int stk_open(struct pgm *pgm, struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    int rc = stk_check_xopts(pgm, err);
    if (rc < 0)
        return rc;
    int baud = pgm->cfg.baud > 0 ? pgm->cfg.baud : pgm->entry->default_baud;
    rc = stream_open(&p->s, pgm->cfg.port, baud, err);
    if (rc < 0)
        return rc;
    rc = stk_start(pgm, err);
    if (rc < 0) {
        stream_close(p->s);
        p->s = NULL;
    }
    return rc;
}

int pgm_stk500v1_attach(struct pgm *pgm, struct stream *s, char *signon, size_t n,
                        struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    p->s = s;
    int rc = stk_start(pgm, err);
    if (rc < 0) {
        p->s = NULL; /* still the caller's */
        return rc;
    }
    if (signon != NULL && n > 0)
        snprintf(signon, n, "%s", p->signon);
    return ISPF_OK;
}

static void stk_close(struct pgm *pgm)
{
    struct stk_priv *p = stk_priv(pgm);
    if (p->s == NULL)
        return;
    stk_update_stats(pgm);
    stream_close(p->s);
    p->s = NULL;
}

/* ---- target ---- */

static int stk_set_device(struct pgm *pgm, struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    const struct part *pt = pgm->cfg.part;
    uint8_t nfuses = 0;
    for (int i = 0; i < 3; i++)
        nfuses += pt->fuse[i].present ? 1 : 0;
    uint16_t page = pt->flash_page;
    uint8_t d[22] = {
        STK_SET_DEVICE,
        pt->stk500_devcode, /* 0 when the part has none: < 0xE0, active-low reset */
        0,                  /* revision */
        0,                  /* progtype: parallel and serial */
        1,                  /* parmode: full parallel */
        1,                  /* polling */
        1,                  /* self-timed */
        1,                  /* lock bytes */
        nfuses,
        0xFF,                 /* flash poll value 1 */
        0xFF,                 /* flash poll value 2 */
        0xFF,                 /* EEPROM poll value 1 */
        0xFF,                 /* EEPROM poll value 2 */
        (uint8_t)(page >> 8), /* flash page size, big-endian: ArduinoISP uses it */
        (uint8_t)page,
        (uint8_t)(pt->eeprom_size >> 8), /* EEPROM size: ArduinoISP checks against it */
        (uint8_t)pt->eeprom_size,
        (uint8_t)(pt->flash_size >> 24), /* flash size, big-endian 32-bit */
        (uint8_t)(pt->flash_size >> 16),
        (uint8_t)(pt->flash_size >> 8),
        (uint8_t)pt->flash_size,
        STK_EOP,
    };
    int rc = stk_cmd(pgm, "SET_DEVICE", d, sizeof d, NULL, 0, 0, err);
    if (rc < 0)
        return rc;
    /* ArduinoISP and Optiboot read exactly 5 bytes; a genuine STK500 before
     * firmware 1.11 takes 4. */
    bool five =
        p->kind != STK_KIND_GENUINE || p->sw_major > 1 || (p->sw_major == 1 && p->sw_minor > 10);
    uint8_t e[7] = {
        STK_SET_DEVICE_EXT, five ? 5 : 4, (uint8_t)pt->eeprom_page, 0xD7, 0xA0, 0, STK_EOP};
    if (!five) {
        e[5] = STK_EOP;
        return stk_cmd(pgm, "SET_DEVICE_EXT", e, 6, NULL, 0, 0, err);
    }
    return stk_cmd(pgm, "SET_DEVICE_EXT", e, sizeof e, NULL, 0, 0, err);
}

static int stk_enable(struct pgm *pgm, struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    int rc;
    if (!p->device_set) {
        rc = stk_set_device(pgm, err);
        if (rc < 0)
            return rc;
        p->device_set = true;
    }
    static const uint8_t enter[2] = {STK_ENTER_PROGMODE, STK_EOP};
    /* ArduinoISP resets the target here (20 + 50 ms) and never reports failure. */
    rc = stk_cmd(pgm, "ENTER_PROGMODE", enter, sizeof enter, NULL, 0, 100, err);
    if (rc < 0)
        return rc;
    pgm->ext_addr = -1;
    if (p->kind == STK_KIND_BOOTLOADER) {
        static const uint8_t rs[2] = {STK_READ_SIGN, STK_EOP};
        rc = stk_cmd(pgm, "READ_SIGN", rs, sizeof rs, p->sig, 3, 0, err);
        if (rc < 0)
            return rc;
    }
    return ISPF_OK;
}

static void stk_disable(struct pgm *pgm)
{
    static const uint8_t leave[2] = {STK_LEAVE_PROGMODE, STK_EOP};
    struct stk_priv *p = stk_priv(pgm);
    struct ispf_error e;
    ispf_error_clear(&e);
    /* After a failed command, let the rest of its reply arrive and go (for a
     * bounded time, and even after Ctrl-C) before asking the programmer to release
     * the target's RESET. */
    if (p->desync && stream_discard(p->s, 100, clock_now_ms() + STK_DISABLE_DRAIN_MS, NULL,
                                    STK_JUNK_MAX, false, &e) < 0) {
        log_warn("could not release the target's RESET: %s", e.msg);
        return;
    }
    if (stk_cmd(pgm, "LEAVE_PROGMODE", leave, sizeof leave, NULL, 0, 0, &e) < 0)
        log_warn("could not release the target's RESET: %s", e.msg);
    else
        p->desync = false;
}

static int stk_universal(struct pgm *pgm, const uint8_t cmd[4], uint8_t *out,
                         struct ispf_error *err)
{
    uint8_t tx[6] = {STK_UNIVERSAL, cmd[0], cmd[1], cmd[2], cmd[3], STK_EOP};
    char what[48];
    snprintf(what, sizeof what, "UNIVERSAL %02x %02x %02x %02x", cmd[0], cmd[1], cmd[2], cmd[3]);
    return stk_cmd(pgm, what, tx, sizeof tx, out, 1, 0, err);
}

static int stk_spi(struct pgm *pgm, const uint8_t cmd[4], uint8_t res[4], struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    /* UNIVERSAL returns only the 4th byte: fill the echo positions as a target
     * in sync would. */
    res[0] = 0;
    res[1] = cmd[0];
    res[2] = cmd[1];
    res[3] = 0;
    if (p->kind == STK_KIND_BOOTLOADER) {
        if (cmd[0] == 0x30 && cmd[2] < 3) {
            res[3] = p->sig[cmd[2]];
            return ISPF_OK;
        }
        if (cmd[0] == 0xF0) { /* RDY/BSY: the bootloader waits for its own writes */
            res[3] = 0;
            return ISPF_OK;
        }
        if (cmd[0] == 0x4D) /* Optiboot on large parts takes 4D as well (RAMPZ) */
            return stk_universal(pgm, cmd, &res[3], err);
        if (cmd[0] == 0xAC && cmd[1] == 0x80)
            return ispf_fail(err, ISPF_E_UNSUPPORTED,
                             "a bootloader has no chip erase (it erases each flash page as it "
                             "writes it)");
        return ispf_fail(err, ISPF_E_UNSUPPORTED,
                         "the Arduino bootloader (-c arduino) cannot run ISP instruction "
                         "%02x %02x %02x %02x: fuses, lock bits and chip erase need an ISP "
                         "programmer",
                         cmd[0], cmd[1], cmd[2], cmd[3]);
    }
    if (p->kind == STK_KIND_ARDUINOISP && cmd[0] == 0x30 && cmd[1] == 0 && cmd[2] <= 2) {
        /* The core reads the signature as 30 00 n 00 for n = 0, 1, 2: READ_SIGN
         * gets all three in one round trip (7 bytes instead of 27). */
        if (cmd[2] == 0 || !p->sig_cached) {
            static const uint8_t rs[2] = {STK_READ_SIGN, STK_EOP};
            int rc = stk_cmd(pgm, "READ_SIGN", rs, sizeof rs, p->sig, 3, 0, err);
            if (rc < 0)
                return rc;
            p->sig_cached = true;
        }
        res[3] = p->sig[cmd[2]];
        if (cmd[2] == 2)
            p->sig_cached = false;
        return ISPF_OK;
    }
    return stk_universal(pgm, cmd, &res[3], err);
}

/* LOAD_ADDRESS (16-bit word address, little-endian), skipped when ArduinoISP's
 * own counter already holds it. */
static int stk_load_address(struct pgm *pgm, uint16_t word, struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    if (p->kind == STK_KIND_ARDUINOISP && p->here_valid && p->here == word)
        return ISPF_OK;
    uint8_t tx[4] = {STK_LOAD_ADDRESS, (uint8_t)word, (uint8_t)(word >> 8), STK_EOP};
    char what[40];
    snprintf(what, sizeof what, "LOAD_ADDRESS 0x%04x", word);
    int rc = stk_cmd(pgm, what, tx, sizeof tx, NULL, 0, 0, err);
    if (rc < 0)
        return rc;
    p->here = word;
    p->here_valid = true;
    return ISPF_OK;
}

static bool stk_word_eeprom(const struct stk_priv *p)
{
    return p->kind != STK_KIND_GENUINE;
}

static int stk_read_page(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf, uint32_t n,
                         struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    uint8_t tx[5] = {STK_READ_PAGE, (uint8_t)(n >> 8), (uint8_t)n, mem == MEM_FLASH ? 'F' : 'E',
                     STK_EOP};
    char what[64];
    snprintf(what, sizeof what, "READ_PAGE (%s 0x%05x, %u bytes)", mem_name(mem), addr, n);
    int rc = stk_cmd(pgm, what, tx, sizeof tx, buf, n, 0, err);
    if (rc == ISPF_OK && mem == MEM_FLASH && p->kind == STK_KIND_ARDUINOISP)
        p->here = (uint16_t)(p->here + n / 2);
    return rc;
}

static int stk_read_block(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf,
                          uint32_t len, struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    if (mem != MEM_FLASH && mem != MEM_EEPROM)
        return ispf_fail(err, ISPF_E_UNSUPPORTED, "STK500v1 cannot read %s in blocks",
                         mem_name(mem));
    if (mem == MEM_EEPROM && p->kind == STK_KIND_BOOTLOADER)
        return ispf_fail(err, ISPF_E_UNSUPPORTED,
                         "reading EEPROM through an Arduino bootloader is not supported (the "
                         "Uno's Optiboot answers with flash contents): use an ISP programmer");
    bool words = mem == MEM_FLASH || stk_word_eeprom(p);
    uint32_t maxn = p->kind == STK_KIND_ARDUINOISP ? STK_MAX_READ_AISP : STK_MAX_READ_OTHER;
    /* Word-addressed memories start on an even address and read even lengths
     * (an odd READ_PAGE length returns one byte more on ArduinoISP). */
    uint32_t start = words ? addr & ~1u : addr;
    uint32_t end = addr + len;
    if (words && (end & 1u))
        end++;
    uint8_t tmp[STK_MAX_READ_AISP + 2];
    uint8_t *t = (start != addr || end != addr + len) ? tmp : NULL;
    for (uint32_t a = start; a < end;) {
        if (ispf_interrupted())
            return stk_interrupted(err);
        uint32_t n = end - a;
        if (n > maxn)
            n = maxn & ~1u;
        if (mem == MEM_FLASH) {
            /* never cross a 128 KiB boundary in one block (the 16-bit word counter wraps) */
            uint32_t lim = ((a >> 17) + 1u) << 17;
            if (a + n > lim)
                n = lim - a;
            int rc = pgm_load_ext_addr(pgm, a, err);
            if (rc < 0)
                return rc;
        }
        uint16_t w = words ? (uint16_t)(a >> 1) : (uint16_t)a;
        /* (EEPROM reads and writes leave ArduinoISP's counter where it was.) */
        int rc = stk_load_address(pgm, w, err);
        if (rc < 0)
            return rc;
        if (t == NULL) {
            rc = stk_read_page(pgm, mem, a, buf + (a - addr), n, err);
        } else {
            rc = stk_read_page(pgm, mem, a, tmp, n, err);
            /* copy the requested part of [a, a+n) */
            for (uint32_t i = 0; i < n; i++)
                if (a + i >= addr && a + i < addr + len)
                    buf[a + i - addr] = tmp[i];
        }
        if (rc < 0)
            return rc;
        a += n;
    }
    return ISPF_OK;
}

/* PROG_PAGE: n (<= STK_MAX_PROG) bytes of memory 'F' or 'E' at the loaded address;
 * work_ms is how long the programmer may take to write them. */
static int stk_prog_page(struct pgm *pgm, char memtype, const uint8_t *data, uint32_t n,
                         const char *what, unsigned work_ms, struct ispf_error *err)
{
    uint8_t tx[5 + STK_MAX_PROG];
    tx[0] = STK_PROG_PAGE;
    tx[1] = (uint8_t)(n >> 8);
    tx[2] = (uint8_t)n;
    tx[3] = (uint8_t)memtype;
    memcpy(tx + 4, data, n);
    tx[4 + n] = STK_EOP;
    return stk_cmd(pgm, what, tx, 5 + n, NULL, 0, work_ms, err);
}

static int stk_write_flash(struct pgm *pgm, uint32_t addr, const uint8_t *buf, uint32_t len,
                           struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    const struct part *pt = pgm->cfg.part;
    if (p->kind == STK_KIND_ARDUINOISP && pt->flash_page != 32 && pt->flash_page != 64 &&
        pt->flash_page != 128 && pt->flash_page != 256)
        return ispf_fail(err, ISPF_E_UNSUPPORTED,
                         "ArduinoISP handles flash pages of 32, 64, 128 or 256 bytes only (%s "
                         "has %u)",
                         pt->name, pt->flash_page);
    if ((addr & 1u) || (len & 1u))
        return ispf_fail(err, ISPF_E_INPUT, "flash write at 0x%05x, %u bytes: not word aligned",
                         addr, len);
    /* ArduinoISP commits every page its block crosses, so one PROG_PAGE may carry
     * up to 256 bytes of consecutive pages; others get one page per command. */
    uint32_t chunk = p->kind == STK_KIND_ARDUINOISP ? STK_MAX_PROG : pt->flash_page;
    if (chunk > STK_MAX_PROG)
        chunk = STK_MAX_PROG;
    for (uint32_t off = 0; off < len;) {
        if (ispf_interrupted())
            return stk_interrupted(err);
        uint32_t a = addr + off;
        uint32_t n = len - off > chunk ? chunk : len - off;
        int rc = pgm_load_ext_addr(pgm, a, err);
        if (rc < 0)
            return rc;
        rc = stk_load_address(pgm, (uint16_t)(a >> 1), err);
        if (rc < 0)
            return rc;
        char what[64];
        snprintf(what, sizeof what, "PROG_PAGE (flash 0x%05x, %u bytes)", a, n);
        unsigned pages = (n + pt->flash_page - 1u) / pt->flash_page;
        rc = stk_prog_page(pgm, 'F', buf + off, n, what,
                           pages * (STK_AISP_PAGE_MS + pt->flash_delay_us / 1000u), err);
        if (rc < 0)
            return rc;
        if (p->kind == STK_KIND_ARDUINOISP)
            p->here = (uint16_t)(p->here + n / 2);
        else
            p->here_valid = false;
        off += n;
    }
    return ISPF_OK;
}

static int stk_write_eeprom(struct pgm *pgm, uint32_t addr, const uint8_t *buf, uint32_t len,
                            struct ispf_error *err)
{
    struct stk_priv *p = stk_priv(pgm);
    const struct part *pt = pgm->cfg.part;
    if (p->kind == STK_KIND_BOOTLOADER)
        return ispf_fail(err, ISPF_E_UNSUPPORTED,
                         "writing EEPROM through an Arduino bootloader is not supported (many "
                         "Optiboot builds would write the data to flash): use an ISP "
                         "programmer");
    bool words = stk_word_eeprom(p);
    uint32_t off = 0;
    if (words && (addr & 1u) && len > 0) {
        /* The word-addressed PROG_PAGE cannot start at an odd byte: write that one
         * byte with the ISP instruction and wait for it. */
        uint8_t cmd[4] = {0xC0, (uint8_t)(addr >> 8), (uint8_t)addr, buf[0]}, out;
        int rc = stk_universal(pgm, cmd, &out, err);
        if (rc < 0)
            return rc;
        clock_sleep_us(pt->eeprom_delay_us);
        off = 1;
    }
    while (off < len) {
        if (ispf_interrupted())
            return stk_interrupted(err);
        uint32_t a = addr + off;
        uint32_t n = len - off > STK_EEPROM_CHUNK ? STK_EEPROM_CHUNK : len - off;
        uint16_t w = words ? (uint16_t)(a >> 1) : (uint16_t)a;
        int rc = stk_load_address(pgm, w, err);
        if (rc < 0)
            return rc;
        char what[64];
        snprintf(what, sizeof what, "PROG_PAGE (eeprom 0x%04x, %u bytes)", a, n);
        unsigned work = n * (STK_AISP_EEBYTE_MS + pt->eeprom_delay_us / 1000u);
        rc = stk_prog_page(pgm, 'E', buf + off, n, what, work, err);
        if (rc < 0)
            return rc;
        off += n;
    }
    return ISPF_OK;
}

static int stk_write_page(struct pgm *pgm, enum mem_id mem, uint32_t addr, const uint8_t *buf,
                          uint32_t len, struct ispf_error *err)
{
    if (mem == MEM_FLASH)
        return stk_write_flash(pgm, addr, buf, len, err);
    if (mem == MEM_EEPROM)
        return stk_write_eeprom(pgm, addr, buf, len, err);
    return ispf_fail(err, ISPF_E_UNSUPPORTED, "STK500v1 cannot write %s in pages", mem_name(mem));
}

const struct programmer_ops pgm_stk500v1_ops = {
    .priv_size = sizeof(struct stk_priv),
    .wiring_hint = "With ArduinoISP firmware the target's RESET goes to the programmer's pin 10 "
                   "(Pro Micro, Arduino Uno/Micro) or B0 (Teensy 2.0), never to the "
                   "programmer's own RESET pin",
    .open = stk_open,
    .close = stk_close,
    .enable = stk_enable,
    .disable = stk_disable,
    .spi = stk_spi,
    .read_block = stk_read_block,
    .write_page = stk_write_page,
    .set_sck = NULL, /* ArduinoISP's ISP clock is fixed (and it cannot parse SET_PARAMETER) */
};
