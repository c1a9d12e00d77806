// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Board after board through one connected programmer (include/ispflash/batch.h):
 * watch for a target, number it, run the spec on it, log it, watch it go.
 */
#define LOG_PREFIX "batch"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/sha256.h"
#include "ispflash/batch.h"
#include "ispflash/interrupt.h"
#include "ispflash/log.h"
#include "ispflash/session.h"

#define BATCH_POLL_MS 200
#define BATCH_STOPPED 1 /* a wait ended by a stop request or an interruption */

/* The per-board operations: the spec's, with the serial number added. */
struct batch_ops {
    struct run_op ops[RUN_MAX_OPS];
    size_t n;
    struct image serial_img; /* the number alone (EEPROM) or flash image + number */
};

static void batch_emit(const struct batch_spec *b, enum batch_event_kind kind, unsigned n,
                       const struct batch_board *board)
{
    if (!b->event)
        return;
    struct batch_event ev = {.kind = kind, .n = n, .board = board};
    b->event(b->ctx, &ev);
}

static bool batch_should_stop(void)
{
    return ispf_stop_requested() || ispf_interrupted();
}

/* Sleep ms in short steps, ending early on a stop request. */
static void batch_nap(unsigned ms)
{
    for (unsigned t = 0; t < ms && !batch_should_stop(); t += 20)
        clock_sleep_ms(ms - t < 20 ? ms - t : 20);
}

static int64_t batch_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The index of the spec's flash write, or -1. */
static int batch_flash_write(const struct run_spec *r)
{
    for (size_t i = 0; i < r->n_ops; i++)
        if (r->ops[i].mem == MEM_FLASH && r->ops[i].kind == RUN_WRITE)
            return (int)i;
    return -1;
}

int batch_check(const struct batch_spec *b, struct ispf_error *err)
{
    int rc = run_check(&b->run, err);
    if (rc || !b->serial)
        return rc;
    const struct serialno_spec *sp = b->serial;
    rc = serialno_check_part(sp, b->run.session.part, err);
    if (rc)
        return rc;
    if (b->run.n_ops >= RUN_MAX_OPS)
        return ispf_fail(err, ISPF_E_USAGE, "--serial: too many -U operations (at most %d)",
                         RUN_MAX_OPS - 1);
    if (sp->mem == MEM_FLASH && batch_flash_write(&b->run) < 0)
        return ispf_fail(err, ISPF_E_USAGE,
                         "--serial flash:...: a serial number in flash is written with the "
                         "flash image: add -U flash:w:FILE (or put it in EEPROM)");
    for (size_t i = 0; i < b->run.n_ops; i++) {
        const struct run_op *op = &b->run.ops[i];
        if (op->mem != sp->mem || op->kind != RUN_WRITE)
            continue;
        for (uint32_t a = sp->addr; a < sp->addr + sp->len; a++)
            if (image_has(op->img, a) && !(sp->mem == MEM_FLASH && op->img->data[a] == 0xFF))
                return ispf_fail(err, ISPF_E_INPUT,
                                 "--serial %s:0x%x:%u: %s has data at 0x%05x, where the serial "
                                 "number goes",
                                 mem_name(sp->mem), sp->addr, sp->len, op->file, a);
    }
    return ISPF_OK;
}

int batch_images(const struct run_spec *run, struct boardlog_image *out, size_t max, size_t *n,
                 struct ispf_error *err)
{
    *n = 0;
    for (size_t i = 0; i < run->n_ops && *n < max; i++) {
        const struct run_op *op = &run->ops[i];
        if (op->kind != RUN_WRITE)
            continue;
        struct boardlog_image *im = &out[(*n)++];
        *im = (struct boardlog_image){
            .mem = mem_name(op->mem), .file = op->file, .bytes = op->img->count};
        if (op->fmt != 'm' && strcmp(op->file, "-") != 0) {
            int rc = ispf_sha256_file(op->file, im->sha256, err);
            if (rc)
                return rc;
            continue;
        }
        uint8_t *flat = malloc(op->img->count ? op->img->count : 1);
        if (!flat)
            return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
        uint32_t from = 0, start, len, k = 0;
        while (image_next_segment(op->img, &from, &start, &len)) {
            memcpy(flat + k, op->img->data + start, len);
            k += len;
        }
        ispf_sha256(flat, k, im->sha256);
        free(flat);
    }
    return ISPF_OK;
}

/* The operations for board number `number`: the number in flash joins the flash
 * image (one write of the page it is in); in EEPROM it is one more write. */
static int batch_board_ops(const struct batch_spec *b, struct batch_ops *o,
                           struct batch_board *board, struct ispf_error *err)
{
    memcpy(o->ops, b->run.ops, b->run.n_ops * sizeof o->ops[0]);
    o->n = b->run.n_ops;
    if (!b->serial)
        return ISPF_OK;
    const struct serialno_spec *sp = b->serial;
    struct image num;
    image_init(&num);
    int rc = serialno_render(sp, board->serial, &num, board->serial_text, sizeof board->serial_text,
                             err);
    if (rc == ISPF_OK && sp->mem == MEM_FLASH) {
        int fi = batch_flash_write(&b->run);
        rc = image_put(&o->serial_img, b->run.ops[fi].img, 0, err);
        if (rc == ISPF_OK)
            rc = image_put(&o->serial_img, &num, 0, err);
        o->ops[fi].img = &o->serial_img;
    } else if (rc == ISPF_OK) {
        rc = image_put(&o->serial_img, &num, 0, err);
        snprintf(board->serial_op, sizeof board->serial_op, "serial number %s", board->serial_text);
        o->ops[o->n++] = (struct run_op){
            .mem = sp->mem,
            .kind = RUN_WRITE,
            .img = &o->serial_img,
            .file = board->serial_op,
            .fmt = 'r',
            .text = board->serial_op,
        };
    }
    image_free(&num);
    return rc;
}

/* Wait until a target answers with the same signature twice in a row. */
static int batch_wait_board(const struct batch_spec *b, struct session *s, struct ispf_error *err)
{
    uint8_t prev[3] = {0, 0, 0}, sig[3];
    unsigned poll = b->poll_ms ? b->poll_ms : BATCH_POLL_MS;
    for (;;) {
        if (batch_should_stop())
            return BATCH_STOPPED;
        int rc = session_probe(s, sig, err);
        if (rc)
            return rc;
        if (!session_signature_absent(sig) && memcmp(sig, prev, 3) == 0)
            return ISPF_OK;
        memcpy(prev, sig, 3);
        batch_nap(session_signature_absent(sig) ? poll : poll / 4);
    }
}

/* Wait until no target answers, twice in a row. */
static int batch_wait_removal(const struct batch_spec *b, struct session *s, struct ispf_error *err)
{
    unsigned poll = b->poll_ms ? b->poll_ms : BATCH_POLL_MS;
    unsigned absent = 0;
    while (absent < 2) {
        if (batch_should_stop())
            return BATCH_STOPPED;
        uint8_t sig[3];
        int rc = session_probe(s, sig, err);
        if (rc)
            return rc;
        absent = session_signature_absent(sig) ? absent + 1 : 0;
        if (absent < 2)
            batch_nap(poll);
    }
    return ISPF_OK;
}

/* The record of one board in the log. */
static int batch_log_board(const struct batch_spec *b, const struct batch_board *bd,
                           struct ispf_error *err)
{
    if (!b->log)
        return ISPF_OK;
    const struct run_report *rep = &bd->report;
    const struct part *p = b->run.session.part;
    struct boardlog_fuse written[FUSE_NBYTES], read[FUSE_NBYTES];
    size_t nw = 0, nr = 0;
    for (size_t i = 0; i < rep->n_ops; i++) {
        const struct run_op_result *o = &rep->ops[i];
        if (mem_is_fuse(o->mem) && o->kind == RUN_WRITE && o->written && nw < FUSE_NBYTES)
            written[nw++] = (struct boardlog_fuse){mem_name(o->mem), o->value};
    }
    for (int i = 0; i < FUSE_NBYTES && rep->have_fuses_after; i++)
        if (p->fuse[i].present)
            read[nr++] = (struct boardlog_fuse){mem_name(fuse_mem(i)), rep->fuses_after[i]};
    struct boardlog_record r = {
        .board = bd->n,
        .time_ms = bd->time_ms,
        .programmer = b->run.session.programmer->id,
        .port = bd->port,
        .part = p->name,
        .have_signature = rep->have_signature,
        .images = b->images,
        .n_images = b->n_images,
        .have_serial = bd->have_serial,
        .serial = bd->serial,
        .serial_text = bd->serial_text,
        .fuses_written = written,
        .n_fuses_written = nw,
        .fuses_read = read,
        .n_fuses_read = nr,
        .result = bd->passed ? BOARDLOG_PASS : BOARDLOG_FAIL,
        .exit_code = ispf_exit_class(bd->rc),
        .message = bd->passed ? NULL : bd->msg,
        .seconds = bd->seconds,
    };
    memcpy(r.signature, rep->signature, 3);
    return boardlog_append(b->log, &r, err);
}

/* After a failure: if no target answers any more, the board went away under us. */
static void batch_note_gone(struct session *s, struct batch_board *bd)
{
    struct ispf_error e;
    ispf_error_clear(&e);
    uint8_t sig[3];
    if (bd->rc == ISPF_E_INTERRUPTED || session_probe(s, sig, &e) != ISPF_OK ||
        !session_signature_absent(sig))
        return;
    static const char pre[] = "the board was removed (no target answers now): ";
    size_t keep = strnlen(bd->msg, sizeof bd->msg - sizeof pre);
    memmove(bd->msg + sizeof pre - 1, bd->msg, keep);
    memcpy(bd->msg, pre, sizeof pre - 1);
    bd->msg[sizeof pre - 1 + keep] = '\0';
}

/* One board on the programmer now: number, attach, run, detach. */
static void batch_run_board(const struct batch_spec *b, struct session *s, struct batch_board *bd)
{
    struct ispf_error e;
    ispf_error_clear(&e);
    struct batch_ops o;
    image_init(&o.serial_img);
    uint64_t t0 = clock_now_us();
    bd->time_ms = batch_wall_ms();
    snprintf(bd->port, sizeof bd->port, "%s", session_port(s) ? session_port(s) : "");
    /* The number is reserved once the right target answers, before anything is
     * written to it. */
    int rc = session_attach(s, &e);
    if (rc == ISPF_OK && b->serial) {
        rc = serialno_reserve(b->counter, &bd->serial, &e);
        bd->have_serial = rc == ISPF_OK;
    }
    if (rc == ISPF_OK)
        rc = batch_board_ops(b, &o, bd, &e);
    if (rc == ISPF_OK) {
        struct run_spec spec = b->run;
        spec.ops = o.ops;
        spec.n_ops = o.n;
        spec.report = &bd->report;
        if (!b->single)
            spec.backup = BACKUP_NONE; /* new boards: nothing to keep */
        rc = run_board(&spec, s, &e);
    }
    if (!bd->report.have_signature && rc != ISPF_E_NO_TARGET) {
        bd->report.have_signature = true; /* the run's report starts with it */
        memcpy(bd->report.signature, session_signature(s), 3);
    }
    session_detach(s);
    image_free(&o.serial_img);
    bd->rc = rc;
    bd->passed = rc == ISPF_OK;
    snprintf(bd->msg, sizeof bd->msg, "%s", rc ? e.msg : "");
    if (rc && !b->single)
        batch_note_gone(s, bd);
    bd->seconds = (double)(clock_now_us() - t0) / 1e6;
}

/* Board n from its wait to its record. BATCH_STOPPED, a programmer error, or OK. */
static int batch_one(const struct batch_spec *b, struct session *s, unsigned n,
                     struct batch_summary *sum, struct ispf_error *err)
{
    if (!b->single) {
        batch_emit(b, BATCH_WAIT_BOARD, n, NULL);
        if (b->next_board) {
            if (!b->next_board(b->ctx, n) || batch_should_stop())
                return BATCH_STOPPED;
        } else {
            int rc = batch_wait_board(b, s, err);
            if (rc)
                return rc;
        }
    }
    batch_emit(b, BATCH_BOARD_START, n, NULL);
    struct batch_board *bd = calloc(1, sizeof *bd);
    if (!bd)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    bd->n = n;
    batch_run_board(b, s, bd);
    int rc = batch_log_board(b, bd, err);
    if (bd->passed)
        sum->passed++;
    else if (sum->failed++ == 0)
        sum->first_fail_rc = bd->rc;
    batch_emit(b, BATCH_BOARD_DONE, n, bd);
    bool programmer_gone = bd->rc == ISPF_E_DISCONNECTED || bd->rc == ISPF_E_NO_DEVICE;
    if (rc == ISPF_OK && programmer_gone)
        rc = ispf_fail(err, bd->rc, "%s", bd->msg);
    free(bd);
    return rc;
}

int batch_execute(const struct batch_spec *b, struct batch_summary *sum, struct ispf_error *err)
{
    *sum = (struct batch_summary){0};
    uint64_t t0 = clock_now_us();
    int rc = batch_check(b, err);
    if (rc)
        return rc;
    struct session_config cfg = b->run.session;
    cfg.no_write = cfg.no_write || b->run.no_write;
    cfg.watch_target = !b->single;
    struct session *s = NULL;
    rc = session_connect(&s, &cfg, err);
    if (rc)
        return rc;
    unsigned last = b->single ? 1 : b->boards;
    for (unsigned n = 1; rc == ISPF_OK && (last == 0 || n <= last); n++) {
        rc = batch_one(b, s, n, sum, err);
        if (rc == ISPF_OK && (b->single || batch_should_stop() || (last && n == last)))
            break;
        if (rc == ISPF_OK && !b->next_board) {
            batch_emit(b, BATCH_WAIT_REMOVAL, n, NULL);
            rc = batch_wait_removal(b, s, err);
        }
    }
    session_close(s);
    sum->seconds = (double)(clock_now_us() - t0) / 1e6;
    return rc == BATCH_STOPPED ? ISPF_OK : rc;
}
