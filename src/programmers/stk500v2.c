// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STK500v2 (AVR068) programmers on a serial port or net:HOST:PORT: Atmel STK500
 * and AVRISP with v2 firmware, and the many clones that speak the protocol
 * (Arduino-based STK500v2 ISPs, ScratchMonkey...). Facts: protocols.md section 3.
 * And the AVRISP mkII (and LUFA's clone of it) over USB (AVR069): the same
 * command bodies, without framing, one bulk OUT transfer per command on endpoint
 * 0x02 and the answer as one bulk IN transfer on 0x82. The one seam between the
 * two is stk2_attempt (framed over a stream, or stk2_usb_attempt); every command
 * above it is the same code.
 *
 * Wire economy: flash is written one page per PROGRAM_FLASH_ISP (page mode commits
 * once per message), read in the largest blocks the firmware takes, and
 * LOAD_ADDRESS is only sent when the programmer's own auto-incrementing address
 * counter is not already where the next command starts.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_PREFIX "stk500v2"
#include "base/clock.h"
#include "ispflash/interrupt.h"
#include "ispflash/log.h"
#include "programmers/backend.h"
#include "programmers/stk500v2_proto.h"
#include "transport/stream.h"
#include "transport/usb.h"

/* Per-message answer timeout; a whole command gets STK2_ATTEMPTS of them. */
#define STK2_TIMEOUT_MS 1000
#define STK2_ATTEMPTS 3
/* Sign-on: short tries, so a dead port is reported within ~2 s. */
#define STK2_SIGNON_TIMEOUT_MS 250
#define STK2_SIGNON_TRIES 8
/* All sign-on tries together, whatever the port sends. */
#define STK2_SIGNON_TOTAL_MS 2000
/* -c stk500 probing for STK500v2 before STK500v1: fewer tries, about 0.8 s. */
#define STK2_PROBE_TRIES 3
#define STK2_PROBE_TOTAL_MS 800
/* Data bytes per PROGRAM_*_ISP: the body is 10 header bytes + data <= 275. */
#define STK2_WRITE_MAX 256u
/* Data bytes per READ_*_ISP: the answer body is id, status, data, status <= 275. */
#define STK2_READ_MAX (STK2_MAX_BODY - 3u)
#define STK2_READ_SAFE 256u
/* AVRISP mkII over USB (AVR069; avrdude usbdevs.h): bulk endpoints, packet size. */
#define STK2_USB_VID 0x03EBu
#define STK2_USB_PID 0x2104u
#define STK2_USB_EP_OUT 0x02u
#define STK2_USB_EP_IN 0x82u
#define STK2_USB_PACKET 64u
/* IN buffer when the answer's length is not known: a multiple of the packet size
 * above the largest body, so the device's short packet always ends the transfer. */
#define STK2_USB_IN_BUF 320u

enum stk2_type {
    STK2_TYPE_STK500,
    STK2_TYPE_AVRISP,
    STK2_TYPE_AVRISP_MK2,
    STK2_TYPE_STK600,
    STK2_TYPE_SCRATCHMONKEY,
    STK2_TYPE_UNKNOWN,
};

static const char *const stk2_type_names[] = {
    [STK2_TYPE_STK500] = "STK500 (v2 firmware)",
    [STK2_TYPE_AVRISP] = "AVRISP (v2 firmware)",
    [STK2_TYPE_AVRISP_MK2] = "AVRISP mkII",
    [STK2_TYPE_STK600] = "STK600",
    [STK2_TYPE_SCRATCHMONKEY] = "ScratchMonkey",
    [STK2_TYPE_UNKNOWN] = "unknown STK500v2-compatible programmer",
};

struct stk2_priv {
    struct stream *s;    /* serial / net: framed messages */
    struct usb_dev *usb; /* AVRISP mkII over USB: one bulk transfer each way */
    uint8_t seq;
    enum stk2_type type;
    char signon[40];
    int vtarget; /* volts x 10, -1 = not known */
    /* The programmer's address counter (raw value as LOAD_ADDRESS set it, with
     * bit 31), valid when addr_known. */
    bool addr_known;
    uint32_t addr;
    /* Bits 16..23 of the word address the last LOAD_ADDRESS carried: the extended
     * address the firmware gave the target. Firmware sends Load Extended Address
     * on a LOAD_ADDRESS with bit 31; not all of it again at a 64K-word boundary. */
    uint32_t loaded_bank;
    unsigned read_max;
    bool enabled;
    bool unresponsive; /* a command went unanswered on every attempt */
    bool read_big_ok;  /* a read above 256 bytes has worked */
    bool no_spi_multi; /* the firmware answered CMD_UNKNOWN to SPI_MULTI */
    bool probing;      /* -c stk500 probes: short, quiet sign-on */
    /* Bytes that arrived but were no answer, since the count was last reset
     * (sign-on): how many, and the first of them. */
    struct stream_junk junk;
};

static struct stk2_priv *stk2_priv(struct pgm *pgm)
{
    return pgm->priv;
}

static void stk2_sync_stats(struct pgm *pgm)
{
    struct stk2_priv *st = stk2_priv(pgm);
    if (st->usb)
        pgm_stats_from_usb(pgm, st->usb);
    else if (st->s)
        pgm_stats_from_stream(pgm, st->s);
}

/* The port for messages: the stream's name or the USB device. */
static const char *stk2_port(const struct stk2_priv *st)
{
    return st->usb ? usb_describe(st->usb) : st->s ? st->s->port : "(closed)";
}

/* LOAD_ADDRESS raw was answered OK: the counter and the extended address. */
static void stk2_note_loaded(struct stk2_priv *st, uint32_t raw)
{
    st->addr = raw;
    st->addr_known = true;
    st->loaded_bank = (raw >> 16) & 0xFFu;
}

/* Receive the answer with sequence number seq by deadline (clock_now_ms), however
 * many bytes keep arriving. Returns ISPF_OK with the body in rx, STK2_RX_BADSUM as
 * a positive 1 when a frame with a bad checksum arrived, or a negative status. */
static int stk2_receive(struct stk2_priv *st, struct stk2_rx *rx, uint8_t seq, long long deadline,
                        struct ispf_error *err)
{
    stk2_rx_init(rx, seq);
    uint8_t buf[STK2_MAX_BODY + 1];
    unsigned long skipped = 0;
    int rc = ISPF_OK;
    for (;;) {
        size_t want = stk2_rx_pending(rx);
        if (want == 0)
            want = 1;
        long long left = deadline - clock_now_ms();
        if (left <= 0) {
            rc = ispf_fail(err, ISPF_E_TIMEOUT, "%s: no valid answer in time", stk2_port(st));
            break;
        }
        rc = stream_read(st->s, buf, want, (int)left, err);
        if (rc)
            break;
        enum stk2_rx_result r = STK2_RX_MORE;
        for (size_t i = 0; i < want && r == STK2_RX_MORE; i++) {
            r = stk2_rx_feed(rx, buf[i]);
            if (rx->skipped > skipped) /* the byte was no part of an answer */
                stream_junk_add(&st->junk, buf + i, rx->skipped - skipped);
            skipped = rx->skipped;
        }
        if (r == STK2_RX_DONE) {
            if (rx->skipped)
                log_trace("skipped %lu stray byte(s) before the answer (%lu with a wrong "
                          "sequence number)",
                          rx->skipped, rx->wrong_seq);
            return ISPF_OK;
        }
        if (r == STK2_RX_BADSUM)
            return 1;
    }
    return rc;
}

/* True for commands that move the programmer's address counter. */
static bool stk2_cmd_uses_addr(uint8_t cmd)
{
    return cmd == STK2_CMD_PROGRAM_FLASH_ISP || cmd == STK2_CMD_READ_FLASH_ISP ||
           cmd == STK2_CMD_PROGRAM_EEPROM_ISP || cmd == STK2_CMD_READ_EEPROM_ISP ||
           cmd == STK2_CMD_LOAD_ADDRESS;
}

/* Reply timeout for a command: the base plus the time the command and its largest
 * answer take on the link at its speed (a bridge may hand over a whole reply only
 * when it is complete). */
static int stk2_timeout_for(const struct stk2_priv *st, const uint8_t *body, size_t len,
                            int base_ms)
{
    size_t answer = 40; /* SIGN_ON's, the longest of the short answers */
    if (body[0] == STK2_CMD_READ_FLASH_ISP || body[0] == STK2_CMD_READ_EEPROM_ISP)
        answer = ((size_t)body[1] << 8 | body[2]) + 3u;
    else if (body[0] == STK2_CMD_SPI_MULTI)
        answer = (size_t)body[2] + 3u;
    if (st->usb)
        return base_ms; /* full-speed USB: a 275-byte body takes well under 1 ms */
    return base_ms + stream_wire_ms(st->s, len + answer + 2u * STK2_FRAME_OVERHEAD);
}

/* Put the address counter back to addr0 before resending a command that may have
 * moved it. Returns OK, a negative status, or 1 when the LOAD_ADDRESS itself got
 * no valid answer (counts as one of the command's attempts). */
static int stk2_exchange(struct pgm *pgm, const uint8_t *body, size_t len, struct stk2_rx *ans,
                         unsigned tries, int timeout_ms, long long overall, struct ispf_error *err);

static int stk2_restore_addr(struct pgm *pgm, uint32_t addr0, const char *name, int timeout_ms,
                             long long overall, struct ispf_error *err)
{
    uint8_t la[5] = {STK2_CMD_LOAD_ADDRESS, (uint8_t)(addr0 >> 24), (uint8_t)(addr0 >> 16),
                     (uint8_t)(addr0 >> 8), (uint8_t)addr0};
    struct stk2_rx lans;
    int lrc = stk2_exchange(pgm, la, sizeof la, &lans, 1, timeout_ms, overall, err);
    if (lrc == ISPF_E_TIMEOUT || lrc == ISPF_E_PROTOCOL)
        return 1;
    if (lrc)
        return ispf_error_prefix(err, "restoring the address before resending %s", name);
    if (lans.size < 2 || lans.body[1] != STK2_STATUS_CMD_OK)
        return ispf_fail(err, ISPF_E_PROTOCOL,
                         "restoring the address before resending %s: LOAD_ADDRESS answered %s",
                         name, lans.size >= 2 ? stk2_status_name(lans.body[1]) : "nothing");
    stk2_note_loaded(stk2_priv(pgm), addr0);
    return ISPF_OK;
}

/* The answer length a command has when it succeeds, or 0 when it varies. */
static size_t stk2_answer_len(const uint8_t *body)
{
    if (body[0] == STK2_CMD_READ_FLASH_ISP || body[0] == STK2_CMD_READ_EEPROM_ISP)
        return ((size_t)body[1] << 8 | body[2]) + 3u;
    if (body[0] == STK2_CMD_SPI_MULTI)
        return (size_t)body[2] + 3u;
    return 0;
}

/* One attempt over USB: the body as one bulk OUT transfer, the answer as one bulk
 * IN transfer. An answer whose length is a multiple of the packet size is read
 * with a buffer of exactly that size (it ends without a short packet); a
 * zero-length packet the firmware sends after such an answer is skipped before
 * the next one. Same results as stk2_attempt. */
static int stk2_usb_attempt(struct pgm *pgm, const uint8_t *body, size_t len, struct stk2_rx *ans,
                            long long deadline, int *last, char *why, size_t whysize,
                            struct ispf_error *err)
{
    struct stk2_priv *st = stk2_priv(pgm);
    const char *name = stk2_cmd_name(body[0]);
    long long left = deadline - clock_now_ms();
    int rc = usb_bulk_out(st->usb, STK2_USB_EP_OUT, body, len, left > 1 ? (unsigned)left : 1u, name,
                          err);
    pgm->stats.commands++;
    if (rc) {
        stk2_sync_stats(pgm);
        return ispf_error_prefix(err, "sending %s", name);
    }
    size_t expect = stk2_answer_len(body);
    size_t want = expect && expect % STK2_USB_PACKET == 0 ? expect : STK2_USB_IN_BUF;
    uint8_t buf[STK2_USB_IN_BUF];
    int n = 0;
    while (n == 0) {
        left = deadline - clock_now_ms();
        n = usb_bulk_in(st->usb, STK2_USB_EP_IN, buf, want, left > 1 ? (unsigned)left : 1u, name,
                        err);
        if (n == 0 && left <= 1)
            n = ispf_fail(err, ISPF_E_TIMEOUT, "no answer to %s in time", name);
    }
    stk2_sync_stats(pgm);
    *last = ISPF_E_PROTOCOL;
    if (n == ISPF_E_TIMEOUT) {
        *last = ISPF_E_TIMEOUT;
        ispf_error_clear(err);
        return 1;
    }
    if (n < 0)
        return ispf_error_prefix(err, "waiting for the answer to %s", name);
    if ((size_t)n > STK2_MAX_BODY)
        n = (int)STK2_MAX_BODY;
    memcpy(ans->body, buf, (size_t)n);
    ans->size = (uint16_t)n;
    if (buf[0] == body[0])
        return ISPF_OK;
    /* A late answer to an earlier command that timed out: skip it. */
    log_warn("answer to %s carries command id 0x%02X; sending it again", name, buf[0]);
    snprintf(why, whysize, "the answers carried the wrong command id (0x%02X)", buf[0]);
    return 1;
}

/* One attempt: send, receive by deadline. Returns OK, 1 (retry: why says why, *last
 * the status), or a negative status to return at once. */
static int stk2_attempt(struct pgm *pgm, const uint8_t *body, size_t len, struct stk2_rx *ans,
                        long long deadline, int *last, char *why, size_t whysize,
                        struct ispf_error *err)
{
    struct stk2_priv *st = stk2_priv(pgm);
    if (st->usb)
        return stk2_usb_attempt(pgm, body, len, ans, deadline, last, why, whysize, err);
    uint8_t frame[STK2_MAX_BODY + STK2_FRAME_OVERHEAD];
    const char *name = stk2_cmd_name(body[0]);
    uint8_t seq = st->seq++;
    size_t n = stk2_frame(frame, seq, body, len);
    int rc = stream_write(st->s, frame, n, err);
    pgm->stats.commands++;
    if (rc) {
        stk2_sync_stats(pgm);
        return ispf_error_prefix(err, "sending %s", name);
    }
    rc = stk2_receive(st, ans, seq, deadline, err);
    stk2_sync_stats(pgm);
    *last = ISPF_E_PROTOCOL;
    if (rc == ISPF_OK && ans->body[0] == STK2_ANSWER_CKSUM_ERROR) {
        /* Our message arrived damaged; the programmer did not execute it. */
        log_warn("the programmer received %s with a bad checksum; sending it again", name);
        snprintf(why, whysize, "the programmer reported a checksum error every time");
    } else if (rc == ISPF_OK && ans->body[0] != body[0]) {
        log_warn("answer to %s carries command id 0x%02X; sending it again", name, ans->body[0]);
        snprintf(why, whysize, "the answers carried the wrong command id (0x%02X)", ans->body[0]);
    } else if (rc == ISPF_OK) {
        return ISPF_OK;
    } else if (rc == 1) {
        log_warn("answer to %s had a bad checksum; sending the command again", name);
        snprintf(why, whysize, "every answer had a bad checksum");
    } else if (rc == ISPF_E_TIMEOUT) {
        *last = ISPF_E_TIMEOUT;
        ispf_error_clear(err);
        return 1;
    } else {
        return ispf_error_prefix(err, "waiting for the answer to %s", name);
    }
    return 1;
}

/*
 * Send one command and wait for its answer, with recovery: a lost or corrupted
 * answer, or a programmer reporting a checksum error in our message, makes us
 * send the command again (with a new sequence number, so a late answer to the
 * old one is recognised and skipped). *ans receives the answer body.
 * tries/timeout_ms: attempts and per-attempt timeout; overall: a deadline for all
 * attempts together (clock_now_ms, 0 = tries x timeout). No retry starts after an
 * interruption request.
 */
static int stk2_exchange(struct pgm *pgm, const uint8_t *body, size_t len, struct stk2_rx *ans,
                         unsigned tries, int timeout_ms, long long overall, struct ispf_error *err)
{
    struct stk2_priv *st = stk2_priv(pgm);
    const char *name = stk2_cmd_name(body[0]);
    int last = ISPF_E_TIMEOUT;
    char why[ISPF_ERRMSG_MAX] = "";
    /* A PROGRAM/READ command that may have run moved the address counter: before
     * sending it again, put the counter back where this command started. */
    bool moves_addr = stk2_cmd_uses_addr(body[0]) && body[0] != STK2_CMD_LOAD_ADDRESS;
    bool restore = false;
    uint32_t addr0 = st->addr;
    if (moves_addr && !st->addr_known)
        return ispf_fail(err, ISPF_E_PROTOCOL, "%s with no address loaded", name);
    if (st->unresponsive)
        tries = 1; /* do not wait a full round again on a programmer that went silent */
    unsigned attempt;
    for (attempt = 1; attempt <= tries; attempt++) {
        long long now = clock_now_ms();
        if (attempt > 1 && ispf_interrupted())
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
        if (overall && now >= overall)
            break;
        long long deadline = now + timeout_ms;
        if (overall && deadline > overall)
            deadline = overall;
        int rc = restore ? stk2_restore_addr(pgm, addr0, name, timeout_ms, overall, err) : 0;
        if (rc == 0) {
            restore = false;
            rc = stk2_attempt(pgm, body, len, ans, deadline, &last, why, sizeof why, err);
        } else if (rc == 1) {
            last = ISPF_E_TIMEOUT;
        }
        if (rc == ISPF_OK) {
            st->unresponsive = false;
            if (attempt > 1)
                log_dbg("%s succeeded on attempt %u", name, attempt);
            return ISPF_OK;
        }
        if (rc < 0)
            return rc;
        if (last == ISPF_E_TIMEOUT) {
            ispf_log(st->probing ? ISPF_LOG_DEBUG : ISPF_LOG_WARN, LOG_PREFIX,
                     "no valid answer to %s within %d ms (attempt %u of %u)", name, timeout_ms,
                     attempt, tries);
            snprintf(why, sizeof why, "no valid answer within %d ms, %u time%s", timeout_ms,
                     attempt, attempt == 1 ? "" : "s");
        }
        /* The command may or may not have run: the address counter is unknown. */
        if (stk2_cmd_uses_addr(body[0]))
            st->addr_known = false;
        restore = moves_addr;
        rc = st->usb
                 ? ISPF_OK
                 : stream_discard(st->s, 20, clock_now_ms() + 100, &st->junk, SIZE_MAX, false, err);
        stk2_sync_stats(pgm);
        if (rc)
            return ispf_error_prefix(err, "after a failed %s", name);
    }
    if (last == ISPF_E_TIMEOUT)
        st->unresponsive = true;
    return ispf_fail(err, last, "%s on %s: %s", name, stk2_port(st), why);
}

/* A command whose answer must have status OK in body[1]; min_len answer bytes. */
static int stk2_command(struct pgm *pgm, const uint8_t *body, size_t len, struct stk2_rx *ans,
                        size_t min_len, struct ispf_error *err)
{
    int timeout = stk2_timeout_for(stk2_priv(pgm), body, len, STK2_TIMEOUT_MS);
    int rc = stk2_exchange(pgm, body, len, ans, STK2_ATTEMPTS, timeout, 0, err);
    if (rc)
        return rc;
    if (ans->size < 2 || ans->size < min_len)
        return ispf_fail(err, ISPF_E_PROTOCOL, "%s: short answer (%u bytes)",
                         stk2_cmd_name(body[0]), ans->size);
    return ISPF_OK;
}

static int stk2_status_error(uint8_t cmd, uint8_t status, const char *what, struct ispf_error *err)
{
    int code = ISPF_E_PROTOCOL;
    if (status == STK2_STATUS_CMD_TOUT || status == STK2_STATUS_RDY_BSY_TOUT ||
        status == STK2_STATUS_CMD_FAILED)
        code = ISPF_E_TARGET;
    else if (status == STK2_STATUS_CMD_UNKNOWN)
        code = ISPF_E_UNSUPPORTED;
    return ispf_fail(err, code, "%s: the programmer answered %s to %s (status 0x%02X)", what,
                     stk2_status_name(status), stk2_cmd_name(cmd), status);
}

static int stk2_get_param(struct pgm *pgm, uint8_t param, uint8_t *value, struct ispf_error *err)
{
    uint8_t body[2] = {STK2_CMD_GET_PARAMETER, param};
    struct stk2_rx ans;
    int rc = stk2_command(pgm, body, sizeof body, &ans, 2, err);
    if (rc)
        return rc;
    if (ans.body[1] != STK2_STATUS_CMD_OK || ans.size < 3)
        return stk2_status_error(body[0], ans.body[1], "reading a parameter", err);
    *value = ans.body[2];
    return ISPF_OK;
}

static int stk2_set_param(struct pgm *pgm, uint8_t param, uint8_t value, struct ispf_error *err)
{
    uint8_t body[3] = {STK2_CMD_SET_PARAMETER, param, value};
    struct stk2_rx ans;
    int rc = stk2_command(pgm, body, sizeof body, &ans, 2, err);
    if (rc)
        return rc;
    if (ans.body[1] != STK2_STATUS_CMD_OK)
        return stk2_status_error(body[0], ans.body[1], "setting a parameter", err);
    return ISPF_OK;
}

static enum stk2_type stk2_type_from_signon(const char *s)
{
    /* Longest names first: "AVRISP_2" is not a prefix of "AVRISP_MK2", but keep
     * the order explicit anyway. */
    if (strncmp(s, "AVRISP_MK2", 10) == 0)
        return STK2_TYPE_AVRISP_MK2;
    if (strncmp(s, "STK500_2", 8) == 0)
        return STK2_TYPE_STK500;
    if (strncmp(s, "AVRISP_2", 8) == 0)
        return STK2_TYPE_AVRISP;
    if (strncmp(s, "STK600", 6) == 0)
        return STK2_TYPE_STK600;
    if (strncmp(s, "SCRATCHMONKEY", 13) == 0)
        return STK2_TYPE_SCRATCHMONKEY;
    return STK2_TYPE_UNKNOWN;
}

static int stk2_sign_on(struct pgm *pgm, struct ispf_error *err)
{
    struct stk2_priv *st = stk2_priv(pgm);
    uint8_t body[1] = {STK2_CMD_SIGN_ON};
    struct stk2_rx ans;
    st->junk.n = 0;
    int timeout = stk2_timeout_for(st, body, 1, STK2_SIGNON_TIMEOUT_MS);
    int total = st->probing ? STK2_PROBE_TOTAL_MS : STK2_SIGNON_TOTAL_MS;
    long long overall = clock_now_ms() + total;
    int rc = stk2_exchange(pgm, body, 1, &ans, st->probing ? STK2_PROBE_TRIES : STK2_SIGNON_TRIES,
                           timeout, overall, err);
    if (st->usb && rc == ISPF_E_TIMEOUT)
        return ispf_fail(err, ISPF_E_TIMEOUT,
                         "the AVRISP mkII %s does not answer SIGN_ON (within %d ms): unplug it "
                         "and plug it in again",
                         stk2_port(st), total);
    if (!st->usb && (rc == ISPF_E_TIMEOUT || rc == ISPF_E_PROTOCOL) && st->junk.n > 0)
        return stream_not_protocol(st->s, "STK500v2", st->junk.first, st->junk.n, err);
    if (rc == ISPF_E_TIMEOUT)
        return ispf_fail(err, ISPF_E_TIMEOUT,
                         "no STK500v2 programmer answers on %s (no answer to SIGN_ON within "
                         "%d ms). Check -P, that the programmer runs STK500v2 firmware (an "
                         "ArduinoISP sketch speaks STK500v1: use -c avrisp), and -b (it uses "
                         "%d baud)",
                         stk2_port(st), total, pgm_baud(pgm));
    if (rc)
        return rc;
    if (ans.body[1] != STK2_STATUS_CMD_OK || ans.size < 3)
        return stk2_status_error(body[0], ans.body[1], "signing on", err);
    size_t n = ans.body[2];
    if (n > ans.size - 3u)
        n = ans.size - 3u;
    if (n >= sizeof st->signon)
        n = sizeof st->signon - 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = ans.body[3 + i];
        st->signon[i] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
    }
    st->signon[n] = '\0';
    st->type = stk2_type_from_signon(st->signon);
    if (st->type == STK2_TYPE_UNKNOWN)
        log_info("programmer signs on as \"%s\", not a name this tool knows; treating it as an "
                 "STK500",
                 st->signon);
    log_dbg("found %s (signs on as \"%s\")", stk2_type_names[st->type], st->signon);
    return ISPF_OK;
}

/* Everything open() does once the stream st->s is open: sign-on, version, target
 * voltage. Leaves the stream open on failure. */
static int stk2_start(struct pgm *pgm, struct ispf_error *err)
{
    struct stk2_priv *st = stk2_priv(pgm);
    st->seq = 1; /* as avrdude: the first command carries 1 */
    st->vtarget = -1;
    st->read_max = STK2_READ_MAX;
    st->junk.n = 0;
    int rc = ISPF_OK;
    if (st->usb)
        st->read_max = STK2_READ_SAFE; /* the mkII's buffer: 256-byte reads */
    else
        rc = stream_discard(st->s, 0, clock_now_ms() + 100, &st->junk, SIZE_MAX, false,
                            err); /* what the port sent before we asked */
    if (rc == ISPF_OK)
        rc = stk2_sign_on(pgm, err);
    if (rc == ISPF_OK && ispf_log_enabled(ISPF_LOG_DEBUG)) {
        uint8_t hw = 0, major = 0, minor = 0;
        struct ispf_error e2;
        ispf_error_clear(&e2);
        if (stk2_get_param(pgm, STK2_PARAM_HW_VER, &hw, &e2) == ISPF_OK &&
            stk2_get_param(pgm, STK2_PARAM_SW_MAJOR, &major, &e2) == ISPF_OK &&
            stk2_get_param(pgm, STK2_PARAM_SW_MINOR, &minor, &e2) == ISPF_OK)
            log_dbg("hardware version %u, firmware %u.%02u", hw, major, minor);
    }
    if (rc == ISPF_OK && st->type != STK2_TYPE_SCRATCHMONKEY) {
        /* Target voltage, where the programmer measures it. Clones without the
         * parameter answer FAILED; that is not an error. */
        uint8_t v = 0;
        struct ispf_error e2;
        ispf_error_clear(&e2);
        int vrc = stk2_get_param(pgm, STK2_PARAM_VTARGET, &v, &e2);
        if (vrc == ISPF_OK) {
            st->vtarget = v;
            log_dbg("target voltage %u.%u V", v / 10u, v % 10u);
            if (v < 18)
                log_warn("the programmer measures %u.%u V on the target: it looks unpowered",
                         v / 10u, v % 10u);
        } else if (vrc == ISPF_E_TIMEOUT || vrc == ISPF_E_DISCONNECTED || vrc == ISPF_E_IO) {
            *err = e2;
            rc = vrc;
        } else {
            log_trace("no target voltage: %s", e2.msg);
        }
    }
    stk2_sync_stats(pgm);
    return rc;
}

/* -P usb, usb:SERIAL, usb:VID:PID (and no -P for a USB row): the mkII over USB. */
static bool stk2_port_is_usb(const char *port, enum pgm_transport t)
{
    if (!port)
        return t == PGM_TRANSPORT_USB;
    return strcmp(port, "usb") == 0 || strncmp(port, "usb:", 4) == 0;
}

static void stk2_close(struct pgm *pgm);

static int stk2_open(struct pgm *pgm, struct ispf_error *err)
{
    struct stk2_priv *st = stk2_priv(pgm);
    if (pgm->cfg.n_xopts > 0)
        return ispf_fail(err, ISPF_E_USAGE, "-x %s: -c %s has no extended options",
                         pgm->cfg.xopts[0], pgm->entry->id);
    int rc;
    unsigned vid, pid;
    const char *port = pgm->cfg.port;
    if (port && sscanf(port, "usb:%4x:%4x", &vid, &pid) == 2 && strlen(port) >= 13 &&
        (vid != STK2_USB_VID || pid != STK2_USB_PID))
        return ispf_fail(err, ISPF_E_USAGE,
                         "-P %s: with -c %s, -P usb... is the AVRISP mkII over USB (03eb:2104); "
                         "for an STK500v2 programmer on a serial port, give the port name or use "
                         "-c stk500v2 -P %s",
                         port, pgm->entry->id, port);
    if (stk2_port_is_usb(port, pgm->entry->transport)) {
        static const struct usb_id ids[] = {{STK2_USB_VID, STK2_USB_PID, NULL, NULL}};
        rc = usb_open(&st->usb, ids, 1, pgm->cfg.port, "AVRISP mkII", NULL, err);
    } else {
        rc = stream_open(&st->s, pgm->cfg.port, pgm_baud(pgm), err);
    }
    if (rc)
        return rc;
    rc = stk2_start(pgm, err);
    if (rc) {
        stk2_close(pgm);
    }
    return rc;
}

int pgm_stk500v2_attach(struct pgm *pgm, struct stream *s, bool probe, char *signon, size_t n,
                        struct ispf_error *err)
{
    struct stk2_priv *st = stk2_priv(pgm);
    st->s = s;
    st->probing = probe;
    int rc = stk2_start(pgm, err);
    st->probing = false;
    if (rc) {
        st->s = NULL; /* still the caller's */
        return rc;
    }
    if (signon != NULL && n > 0)
        snprintf(signon, n, "%s", st->signon);
    return ISPF_OK;
}

static void stk2_close(struct pgm *pgm)
{
    struct stk2_priv *st = stk2_priv(pgm);
    stk2_sync_stats(pgm);
    if (st->usb)
        usb_close(st->usb);
    else
        stream_close(st->s);
    st->s = NULL;
    st->usb = NULL;
}

static int stk2_enable(struct pgm *pgm, struct ispf_error *err)
{
    struct stk2_priv *st = stk2_priv(pgm);
    const struct part *p = pgm->cfg.part;
    struct stk500v2_params v = p->v2;
    if (v.timeout == 0 && v.synchloops == 0) {
        /* Part without STK500v2 data: avrdude's values for every ISP AVR. */
        v.timeout = 200;
        v.stabdelay = 100;
        v.cmdexedelay = 25;
        v.synchloops = 32;
        v.bytedelay = 0;
        v.pollvalue = 0x53;
        v.pollindex = 3;
    }
    int rc;
    if (st->type == STK2_TYPE_STK500 || st->type == STK2_TYPE_STK600) {
        /* Active-low (AVR) RESET on the STK500's ISP header. */
        rc = stk2_set_param(pgm, STK2_PARAM_RESET_POLARITY, 1, err);
        if (rc)
            return rc;
    }
    uint8_t body[12] = {STK2_CMD_ENTER_PROGMODE_ISP,
                        v.timeout,
                        v.stabdelay,
                        v.cmdexedelay,
                        v.synchloops,
                        v.bytedelay,
                        v.pollvalue,
                        v.pollindex,
                        0xAC,
                        0x53,
                        0x00,
                        0x00};
    struct stk2_rx ans;
    rc = stk2_command(pgm, body, sizeof body, &ans, 2, err);
    if (rc)
        return rc;
    st->addr_known = false;
    if (ans.body[1] != STK2_STATUS_CMD_OK) {
        char volt[96] = "";
        if (st->vtarget >= 0 && st->vtarget < 18)
            snprintf(volt, sizeof volt,
                     "; the programmer measures %d.%d V on the target: it is "
                     "not powered",
                     st->vtarget / 10, st->vtarget % 10);
        else if (st->vtarget >= 0)
            snprintf(volt, sizeof volt, "; target voltage %d.%d V", st->vtarget / 10,
                     st->vtarget % 10);
        return ispf_fail(err, ISPF_E_NO_TARGET,
                         "the %s answered %s to ENTER_PROGMODE_ISP: Programming Enable was "
                         "not echoed in %u tries%s",
                         stk2_type_names[st->type], stk2_status_name(ans.body[1]), v.synchloops,
                         volt);
    }
    st->enabled = true;
    log_trace("programming mode entered");
    return ISPF_OK;
}

static void stk2_disable(struct pgm *pgm)
{
    struct stk2_priv *st = stk2_priv(pgm);
    const struct stk500v2_params *v = &pgm->cfg.part->v2;
    uint8_t body[3] = {STK2_CMD_LEAVE_PROGMODE_ISP, v->predelay ? v->predelay : 1,
                       v->postdelay ? v->postdelay : 1};
    struct stk2_rx ans;
    struct ispf_error err;
    ispf_error_clear(&err);
    st->enabled = false;
    if (stk2_command(pgm, body, sizeof body, &ans, 2, &err) != ISPF_OK)
        log_warn("leaving programming mode: %s", err.msg);
    else if (ans.body[1] != STK2_STATUS_CMD_OK)
        log_warn("leaving programming mode: the programmer answered %s",
                 stk2_status_name(ans.body[1]));
}

/* The dedicated AVR068 command for an ISP instruction, if there is one:
 * id, and for reads the RetAddr (4: the byte clocked out during byte 4). */
static bool stk2_dedicated(const uint8_t cmd[4], uint8_t *id, bool *reads)
{
    *reads = true;
    switch (cmd[0]) {
    case 0x30:
        *id = STK2_CMD_READ_SIGNATURE_ISP;
        return true;
    case 0x38:
        *id = STK2_CMD_READ_OSCCAL_ISP;
        return true;
    case 0x50:
        *id = STK2_CMD_READ_FUSE_ISP;
        return true; /* lfuse, efuse */
    case 0x58:       /* 58 08: hfuse, 58 00: lock bits */
        *id = cmd[1] == 0x08 ? STK2_CMD_READ_FUSE_ISP : STK2_CMD_READ_LOCK_ISP;
        return true;
    case 0xAC:
        *reads = false;
        if (cmd[1] == 0x80) {
            *id = STK2_CMD_CHIP_ERASE_ISP;
            return true;
        }
        if (cmd[1] == 0xA0 || cmd[1] == 0xA8 || cmd[1] == 0xA4) {
            *id = STK2_CMD_PROGRAM_FUSE_ISP;
            return true;
        }
        if (cmd[1] == 0xE0) {
            *id = STK2_CMD_PROGRAM_LOCK_ISP;
            return true;
        }
        return false;
    default:
        return false;
    }
}

/*
 * One ISP instruction. Signature/fuse/lock/calibration reads, fuse/lock writes and
 * chip erase go through their dedicated AVR068 commands (the programmer applies
 * its own timing, and they cost fewer bytes); everything else through SPI_MULTI.
 * The dedicated commands return only the byte read, so res is filled as the
 * target would answer in sync: res[1] = cmd[0], res[2] = cmd[1], res[3] = the
 * byte read (writes: cmd[2]).
 */
static int stk2_spi(struct pgm *pgm, const uint8_t cmd[4], uint8_t res[4], struct ispf_error *err)
{
    struct stk2_priv *st = stk2_priv(pgm);
    const struct part *p = pgm->cfg.part;
    uint8_t id;
    bool reads;
    struct stk2_rx ans;
    if (stk2_dedicated(cmd, &id, &reads)) {
        uint8_t body[7];
        size_t len;
        if (id == STK2_CMD_CHIP_ERASE_ISP) {
            uint32_t ms = (p->erase_delay_us + 999u) / 1000u;
            body[0] = id;
            body[1] = (uint8_t)(ms > 255 ? 255 : ms); /* eraseDelay */
            body[2] = 0;                              /* pollMethod: delay */
            memcpy(body + 3, cmd, 4);
            len = 7;
        } else if (reads) {
            body[0] = id;
            body[1] = 4; /* RetAddr */
            memcpy(body + 2, cmd, 4);
            len = 6;
        } else {
            body[0] = id;
            memcpy(body + 1, cmd, 4);
            len = 5;
        }
        int rc = stk2_command(pgm, body, len, &ans, 2, err);
        if (rc)
            return rc;
        if (ans.body[1] != STK2_STATUS_CMD_OK || (reads && ans.size < 3))
            return stk2_status_error(id, ans.body[1], "ISP instruction", err);
        res[0] = 0x00;
        res[1] = cmd[0];
        res[2] = cmd[1];
        res[3] = reads ? ans.body[2] : cmd[2];
        return ISPF_OK;
    }
    if (st->no_spi_multi)
        return ispf_fail(err, ISPF_E_UNSUPPORTED,
                         "ISP instruction %02X %02X %02X %02X: this programmer's firmware has "
                         "no SPI_MULTI, and no other command sends it",
                         cmd[0], cmd[1], cmd[2], cmd[3]);
    uint8_t body[8] = {STK2_CMD_SPI_MULTI, 4, 4, 0, cmd[0], cmd[1], cmd[2], cmd[3]};
    int rc = stk2_command(pgm, body, sizeof body, &ans, 2, err);
    if (rc)
        return rc;
    if (ans.body[1] == STK2_STATUS_CMD_UNKNOWN)
        st->no_spi_multi = true;
    if (ans.body[1] != STK2_STATUS_CMD_OK || ans.size < 7)
        return stk2_status_error(body[0], ans.body[1], "ISP instruction", err);
    memcpy(res, ans.body + 2, 4);
    return ISPF_OK;
}

/* Make the programmer's address counter hold raw (a flash word address or an
 * EEPROM byte address, with bit 31 for parts that need Load Extended Address). */
static int stk2_load_address(struct pgm *pgm, uint32_t raw, struct ispf_error *err)
{
    struct stk2_priv *st = stk2_priv(pgm);
    /* On parts with bit 31, a counter that ran into another 64K-word bank is loaded
     * again (one message per 128 KiB): only then is 4D sure to follow. */
    bool same_bank = !(raw & 0x80000000u) || ((raw >> 16) & 0xFFu) == st->loaded_bank;
    if (st->addr_known && st->addr == raw && same_bank)
        return ISPF_OK;
    uint8_t body[5] = {STK2_CMD_LOAD_ADDRESS, (uint8_t)(raw >> 24), (uint8_t)(raw >> 16),
                       (uint8_t)(raw >> 8), (uint8_t)raw};
    struct stk2_rx ans;
    int rc = stk2_command(pgm, body, sizeof body, &ans, 2, err);
    if (rc)
        return rc;
    if (ans.body[1] != STK2_STATUS_CMD_OK)
        return stk2_status_error(body[0], ans.body[1], "setting the address", err);
    stk2_note_loaded(st, raw);
    return ISPF_OK;
}

static uint32_t stk2_raw_addr(const struct part *p, enum mem_id mem, uint32_t addr)
{
    if (mem == MEM_FLASH)
        return (part_has_ext_addr(p) ? 0x80000000u : 0u) | (addr >> 1);
    return addr;
}

/* Advance the tracked address counter after a command moved it over n bytes. */
static void stk2_advance(struct stk2_priv *st, enum mem_id mem, uint32_t n)
{
    st->addr += mem == MEM_FLASH ? n / 2u : n;
}

static const char *stk2_mem_word(enum mem_id mem)
{
    return mem == MEM_FLASH ? "flash" : "EEPROM";
}

/* One READ_*_ISP of n bytes at addr (flash: addr and n even). */
static int stk2_read_chunk(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf,
                           uint32_t n, bool *refused, struct ispf_error *err)
{
    struct stk2_priv *st = stk2_priv(pgm);
    *refused = false;
    const struct part *p = pgm->cfg.part;
    int rc = stk2_load_address(pgm, stk2_raw_addr(p, mem, addr), err);
    if (rc)
        return ispf_error_prefix(err, "reading %s at 0x%05X", stk2_mem_word(mem), addr);
    uint8_t body[4] = {mem == MEM_FLASH ? STK2_CMD_READ_FLASH_ISP : STK2_CMD_READ_EEPROM_ISP,
                       (uint8_t)(n >> 8), (uint8_t)n, mem == MEM_FLASH ? 0x20 : 0xA0};
    struct stk2_rx ans;
    rc = stk2_command(pgm, body, sizeof body, &ans, 2, err);
    if (rc) {
        *refused = rc == ISPF_E_TIMEOUT || rc == ISPF_E_PROTOCOL;
        return ispf_error_prefix(err, "reading %s at 0x%05X", stk2_mem_word(mem), addr);
    }
    *refused = true;
    if (ans.body[1] != STK2_STATUS_CMD_OK) {
        st->addr_known = false;
        return stk2_status_error(body[0], ans.body[1], "reading", err);
    }
    if (ans.size != n + 3u)
        return ispf_fail(err, ISPF_E_PROTOCOL,
                         "reading %s at 0x%05X: %s answered %u bytes for %u requested",
                         stk2_mem_word(mem), addr, stk2_cmd_name(body[0]),
                         ans.size >= 3 ? ans.size - 3u : 0u, n);
    memcpy(buf, ans.body + 2, n);
    stk2_advance(st, mem, n);
    return ISPF_OK;
}

static int stk2_read_block(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf,
                           uint32_t len, struct ispf_error *err)
{
    struct stk2_priv *st = stk2_priv(pgm);
    if (mem != MEM_FLASH && mem != MEM_EEPROM)
        return ispf_fail(err, ISPF_E_UNSUPPORTED, "read_block: not a flash/EEPROM memory");
    uint8_t tmp[STK2_MAX_BODY];
    uint32_t done = 0;
    while (done < len) {
        if (ispf_interrupted()) /* between chunks: each one is a whole exchange */
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
        uint32_t a = addr + done;
        uint32_t start = a, lead = 0;
        if (mem == MEM_FLASH && (a & 1u)) {
            start = a - 1u; /* words only: read the word and keep its high byte */
            lead = 1;
        }
        uint32_t n = st->read_max;
        if (n > len - done + lead)
            n = len - done + lead;
        if (mem == MEM_FLASH) {
            n = (n + 1u) & ~1u;
            /* Never let one command cross a 128 KiB (64 K word) boundary: the
             * programmer only loads the extended address at the start. */
            uint32_t bank_end = (start | 0x1FFFFu) + 1u;
            if (start + n > bank_end)
                n = bank_end - start;
            if (start + n > pgm->cfg.part->flash_size)
                n = pgm->cfg.part->flash_size - start;
        }
        bool refused;
        int rc = stk2_read_chunk(pgm, mem, start, tmp, n, &refused, err);
        if (rc && refused && n > STK2_READ_SAFE && !st->read_big_ok) {
            /* The first read above 256 bytes failed: a firmware with a smaller
             * buffer (it refused, or choked on it). Use 256-byte reads from now on. */
            log_dbg("the programmer did not take a %u-byte read (%s); using %u-byte blocks", n,
                    err->msg, STK2_READ_SAFE);
            ispf_error_clear(err);
            st->read_max = STK2_READ_SAFE;
            st->addr_known = false;
            continue;
        }
        if (rc)
            return rc;
        if (n > STK2_READ_SAFE)
            st->read_big_ok = true;
        uint32_t use = n - lead;
        if (use > len - done)
            use = len - done;
        memcpy(buf + done, tmp + lead, use);
        done += use;
    }
    return ISPF_OK;
}

/* One PROGRAM_*_ISP of n bytes at addr; commit: set bit 7 of the mode byte. */
static int stk2_program_chunk(struct pgm *pgm, enum mem_id mem, uint32_t addr, const uint8_t *buf,
                              uint32_t n, bool commit, struct ispf_error *err)
{
    struct stk2_priv *st = stk2_priv(pgm);
    const struct part *p = pgm->cfg.part;
    const struct stk500v2_params *v = &p->v2;
    /* The core names a failed flash write ("writing flash at 0x..."); EEPROM's
     * address is only said here. */
    bool say = mem != MEM_FLASH;
    int rc = stk2_load_address(pgm, stk2_raw_addr(p, mem, addr), err);
    if (rc)
        return say ? ispf_error_prefix(err, "writing %s at 0x%05X", stk2_mem_word(mem), addr) : rc;
    uint8_t body[10 + STK2_WRITE_MAX];
    uint8_t mode, delay;
    if (mem == MEM_FLASH) {
        mode = v->flash_mode ? v->flash_mode : 0x41;
        delay = v->flash_delay ? v->flash_delay : 10;
        body[0] = STK2_CMD_PROGRAM_FLASH_ISP;
        body[5] = 0x40; /* load page low byte (the firmware sets the high-byte bit) */
        body[6] = 0x4C; /* write page */
        body[7] = 0x20; /* read low byte, for value polling */
        body[8] = v->flash_readback[0];
        body[9] = v->flash_readback[1];
    } else {
        mode = v->eeprom_mode ? v->eeprom_mode : 0x04;
        delay = v->eeprom_delay ? v->eeprom_delay : 10;
        if (p->eeprom_page <= 1)
            mode &= (uint8_t)~0x01u;
        body[0] = STK2_CMD_PROGRAM_EEPROM_ISP;
        body[5] = (mode & 0x01) ? 0xC1 : 0xC0;
        body[6] = 0xC2;
        body[7] = 0xA0;
        body[8] = v->eeprom_readback[0];
        body[9] = v->eeprom_readback[1];
    }
    if (commit)
        mode |= 0x80;
    else
        mode &= 0x7F;
    body[1] = (uint8_t)(n >> 8);
    body[2] = (uint8_t)n;
    body[3] = mode;
    body[4] = delay;
    memcpy(body + 10, buf, n);
    struct stk2_rx ans;
    rc = stk2_command(pgm, body, 10u + n, &ans, 2, err);
    if (rc)
        return say ? ispf_error_prefix(err, "writing %s at 0x%05X", stk2_mem_word(mem), addr) : rc;
    if (ans.body[1] != STK2_STATUS_CMD_OK) {
        st->addr_known = false;
        char what[64];
        if (say)
            snprintf(what, sizeof what, "writing %s at 0x%05X", stk2_mem_word(mem), addr);
        else
            snprintf(what, sizeof what, "%s write", stk2_mem_word(mem));
        return stk2_status_error(body[0], ans.body[1], what, err);
    }
    stk2_advance(st, mem, n);
    if (st->usb)
        usb_note_written(st->usb, stk2_mem_word(mem), addr + n - 1u);
    return ISPF_OK;
}

static int stk2_write_page(struct pgm *pgm, enum mem_id mem, uint32_t addr, const uint8_t *buf,
                           uint32_t len, struct ispf_error *err)
{
    const struct part *p = pgm->cfg.part;
    if (mem == MEM_FLASH) {
        /* One message per page; pages above 256 bytes (none among ISP AVRs) are
         * split, committing with the last part. */
        for (uint32_t off = 0; off < len;) {
            uint32_t n = len - off > STK2_WRITE_MAX ? STK2_WRITE_MAX : len - off;
            int rc = stk2_program_chunk(pgm, mem, addr + off, buf + off, n, off + n == len, err);
            if (rc)
                return rc;
            off += n;
        }
        return ISPF_OK;
    }
    if (mem != MEM_EEPROM)
        return ispf_fail(err, ISPF_E_UNSUPPORTED, "write_page: not a flash/EEPROM memory");
    bool paged = (p->v2.eeprom_mode & 0x01) && p->eeprom_page > 1;
    for (uint32_t off = 0; off < len;) {
        if (off > 0 && ispf_interrupted())
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
        uint32_t a = addr + off;
        uint32_t n = len - off;
        if (paged) {
            uint32_t page_end = (a / p->eeprom_page + 1u) * p->eeprom_page;
            if (a + n > page_end)
                n = page_end - a;
        }
        if (n > STK2_WRITE_MAX)
            n = STK2_WRITE_MAX;
        int rc = stk2_program_chunk(pgm, mem, a, buf + off, n, true, err);
        if (rc)
            return rc;
        off += n;
    }
    return ISPF_OK;
}

/* SCK frequency in Hz for SCK_DURATION d on STK500-class hardware. */
static double stk2_sck_hz(enum stk2_type type, unsigned d)
{
    static const double fixed[4] = {1843200.0, 460800.0, 115200.0, 57600.0};
    double f = d < 4 ? fixed[d] : 7372800.0 / (24.0 * ((double)d + 10.0 / 12.0));
    if (type == STK2_TYPE_AVRISP)
        f /= 2.0; /* the old AVRISP runs at half the STK500's rates */
    return f;
}

/* SCK frequencies in Hz of the AVRISP mkII's SCK_DURATION values (AVR069's table,
 * as avrdude's avrispmkIIfreqs and LUFA's clone use it): 8 MHz down to 51 Hz. */
static const double stk2_mk2_freqs[] = {
    8000000, 4000000, 2000000, 1000000, 500000, 250000, 125000, 96386, 89888, 84211, 79208, 74767,
    70797,   67227,   64000,   61069,   58395,  55945,  51613,  49690, 47905, 46243, 43244, 41885,
    39409,   38278,   36200,   34335,   32654,  31129,  29740,  28470, 27304, 25724, 24768, 23461,
    22285,   21221,   20254,   19371,   18562,  17583,  16914,  16097, 15356, 14520, 13914, 13224,
    12599,   12031,   11511,   10944,   10431,  9963,   9468,   9081,  8612,  8239,  7851,  7498,
    7137,    6809,    6478,    6178,    5879,   5607,   5359,   5093,  4870,  4633,  4418,  4209,
    4019,    3823,    3645,    3474,    3310,   3161,   3011,   2869,  2734,  2611,  2484,  2369,
    2257,    2152,    2052,    1956,    1866,   1779,   1695,   1615,  1539,  1468,  1398,  1333,
    1271,    1212,    1155,    1101,    1049,   1000,   953,    909,   866,   826,   787,   750,
    715,     682,     650,     619,     590,    563,    536,    511,   487,   465,   443,   422,
    402,     384,     366,     349,     332,    317,    302,    288,   274,   261,   249,   238,
    226,     216,     206,     196,     187,    178,    170,    162,   154,   147,   140,   134,
    128,     122,     116,     111,     105,    100,    95,     91,    87,    83,    79,    75,
    71,      68,      65,      62,      59,     56,     54,     51};

/* The fastest mkII SCK_DURATION not above want_hz (the slowest if none is). */
static unsigned stk2_mk2_duration(double want_hz)
{
    unsigned n = (unsigned)(sizeof stk2_mk2_freqs / sizeof stk2_mk2_freqs[0]);
    unsigned d = 0;
    while (d + 1 < n && stk2_mk2_freqs[d] > want_hz * 1.001)
        d++;
    return d;
}

static int stk2_set_sck(struct pgm *pgm, double period_us, struct ispf_error *err)
{
    struct stk2_priv *st = stk2_priv(pgm);
    if (period_us <= 0)
        return ispf_fail(err, ISPF_E_USAGE, "-B %g: the SCK period must be positive", period_us);
    double want_hz = 1e6 / period_us;
    unsigned d;
    double got;
    if (st->type == STK2_TYPE_AVRISP_MK2) {
        d = stk2_mk2_duration(want_hz);
        got = stk2_mk2_freqs[d];
        if (got > want_hz * 1.001)
            log_warn("-B %g: the slowest ISP clock of the AVRISP mkII is %.0f Hz", period_us, got);
    } else if (st->type == STK2_TYPE_STK600) {
        /* mkII-style index: 8 MHz halved per step for the fast rates. */
        for (d = 0; d < 6 && 8e6 / (double)(1u << d) > want_hz; d++)
            ;
        got = 8e6 / (double)(1u << d);
        if (got > want_hz)
            return ispf_fail(err, ISPF_E_UNSUPPORTED,
                             "-B %g: this tool sets the %s's ISP clock down to 125 kHz (-B 8) "
                             "only",
                             period_us, stk2_type_names[st->type]);
    } else {
        for (d = 0; d < 254 && stk2_sck_hz(st->type, d) > want_hz; d++)
            ;
        got = stk2_sck_hz(st->type, d);
        if (got > want_hz * 1.001)
            log_warn("-B %g: the slowest ISP clock of the %s is %.0f Hz", period_us,
                     stk2_type_names[st->type], got);
    }
    int rc = stk2_set_param(pgm, STK2_PARAM_SCK_DURATION, (uint8_t)d, err);
    if (rc)
        return ispf_error_prefix(err, "setting the ISP clock (-B)");
    log_dbg("ISP clock: SCK_DURATION %u = %.1f kHz (period %.2f us)", d, got / 1000.0, 1e6 / got);
    return ISPF_OK;
}

const struct programmer_ops pgm_stk500v2_ops = {
    .priv_size = sizeof(struct stk2_priv),
    .wiring_hint = "STK500v2 programmers: the 6-pin ISP cable's pin 1 (MISO) is the marked "
                   "one; many clones need the target powered separately",
    .open = stk2_open,
    .close = stk2_close,
    .enable = stk2_enable,
    .disable = stk2_disable,
    .spi = stk2_spi,
    .read_block = stk2_read_block,
    .write_page = stk2_write_page,
    .set_sck = stk2_set_sck,
};
