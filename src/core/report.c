// SPDX-License-Identifier: GPL-2.0-or-later
/* --json results (include/ispflash/report.h; schema docs/json-schema.json). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "ispflash/boardlog.h"
#include "ispflash/report.h"

static const char *report_op_word(enum run_kind k)
{
    return k == RUN_WRITE ? "write" : k == RUN_READ ? "read" : "verify";
}

/* "2026-12-07T14:03:11.123Z", as the board log writes it */
static void report_time(struct json *j, int64_t ms)
{
    char t[BOARDLOG_TIME_LEN];
    boardlog_time_iso(ms, t);
    json_str(j, t);
}

static void report_fuses(struct json *j, const struct part *p, bool have, const uint8_t *v)
{
    if (!have) {
        json_null(j);
        return;
    }
    json_obj_begin(j);
    for (int i = 0; i < FUSE_NBYTES; i++) {
        if (!p->fuse[i].present)
            continue;
        json_key(j, mem_name(fuse_mem(i)));
        json_uint(j, v[i]);
    }
    json_obj_end(j);
}

static void report_op(struct json *j, const struct run_op_result *o)
{
    json_obj_begin(j);
    json_key(j, "memory");
    json_str(j, mem_name(o->mem));
    json_key(j, "op");
    json_str(j, report_op_word(o->kind));
    json_key(j, "text");
    json_str(j, o->text);
    json_key(j, "file");
    json_str(j, o->file);
    json_key(j, "preset");
    json_bool(j, o->preset);
    json_key(j, "result");
    json_str(j, o->state == RUN_OP_OK ? "ok" : "failed");
    json_key(j, "bytes");
    json_uint(j, o->bytes);
    if (o->kind == RUN_WRITE && mem_is_fuse(o->mem)) {
        json_key(j, "value");
        json_uint(j, o->value);
    }
    if (o->kind == RUN_WRITE) {
        json_key(j, "written");
        json_bool(j, o->written);
    }
    if (o->kind != RUN_READ) {
        json_key(j, "verified");
        json_bool(j, o->verified);
        json_key(j, "mismatch");
        if (!o->mismatch.count) {
            json_null(j);
        } else {
            json_obj_begin(j);
            json_key(j, "address");
            json_uint(j, o->mismatch.address);
            json_key(j, "expected");
            json_uint(j, o->mismatch.expected);
            json_key(j, "found");
            json_uint(j, o->mismatch.found);
            json_key(j, "count");
            json_uint(j, o->mismatch.count);
            json_obj_end(j);
        }
    }
    json_obj_end(j);
}

static void report_error(struct json *j, int rc, const char *msg)
{
    if (rc == ISPF_OK) {
        json_null(j);
        return;
    }
    json_obj_begin(j);
    json_key(j, "message");
    json_str(j, msg);
    json_key(j, "class");
    json_str(j, ispf_strerror(rc));
    json_key(j, "exit_code");
    json_int(j, ispf_exit_class(rc));
    json_obj_end(j);
}

static void report_head(struct json *j, const struct report_context *ctx, const char *type)
{
    json_key(j, "type");
    json_str(j, type);
    json_key(j, "ispflash");
    json_str(j, ctx->version);
    json_key(j, "programmer");
    json_str(j, ctx->programmer);
    json_key(j, "port");
    json_str(j, ctx->port);
    json_key(j, "part");
    json_str(j, ctx->part->name);
}

static char *report_take(struct json *j)
{
    const char *t = json_complete(j) ? json_text(j) : NULL;
    char *out = t ? strdup(t) : NULL;
    json_free(j);
    return out;
}

static void report_board_body(struct json *j, const struct report_context *ctx,
                              const struct batch_board *b)
{
    const struct run_report *r = &b->report;
    json_key(j, "board");
    json_uint(j, b->n);
    json_key(j, "time");
    report_time(j, b->time_ms);
    json_key(j, "signature");
    if (r->have_signature) {
        char sig[8];
        snprintf(sig, sizeof sig, "%02x%02x%02x", r->signature[0], r->signature[1],
                 r->signature[2]);
        json_str(j, sig);
    } else {
        json_null(j);
    }
    json_key(j, "serial");
    if (b->have_serial) {
        json_obj_begin(j);
        json_key(j, "number");
        json_uint(j, b->serial);
        json_key(j, "text");
        json_str(j, b->serial_text);
        json_obj_end(j);
    } else {
        json_null(j);
    }
    json_key(j, "erased");
    json_bool(j, r->erased);
    json_key(j, "operations");
    json_arr_begin(j);
    for (size_t i = 0; i < r->n_ops; i++)
        report_op(j, &r->ops[i]);
    json_arr_end(j);
    json_key(j, "fuses_before");
    report_fuses(j, ctx->part, r->have_fuses_before, r->fuses_before);
    json_key(j, "fuses_after");
    report_fuses(j, ctx->part, r->have_fuses_after, r->fuses_after);
}

char *report_board_json(const struct report_context *ctx, const struct batch_board *b,
                        const char *const *warnings, size_t n_warnings)
{
    struct json j;
    json_init(&j);
    json_obj_begin(&j);
    struct report_context c = *ctx;
    if (!c.port && b->port[0])
        c.port = b->port; /* the port chosen when -P named none */
    report_head(&j, &c, ctx->kind);
    report_board_body(&j, ctx, b);
    json_key(&j, "warnings");
    json_arr_begin(&j);
    for (size_t i = 0; i < n_warnings; i++)
        json_str(&j, warnings[i]);
    json_arr_end(&j);
    json_key(&j, "result");
    json_str(&j, b->passed ? "pass" : "fail");
    json_key(&j, "error");
    report_error(&j, b->rc, b->msg);
    json_key(&j, "exit_code");
    json_int(&j, ispf_exit_class(b->rc));
    json_key(&j, "seconds");
    json_num(&j, b->seconds);
    json_obj_end(&j);
    return report_take(&j);
}

char *report_summary_json(const struct report_context *ctx, const struct batch_summary *s,
                          const struct ispf_error *err, int exit_code)
{
    struct json j;
    json_init(&j);
    json_obj_begin(&j);
    report_head(&j, ctx, "summary");
    json_key(&j, "boards");
    json_uint(&j, s->passed + s->failed);
    json_key(&j, "passed");
    json_uint(&j, s->passed);
    json_key(&j, "failed");
    json_uint(&j, s->failed);
    json_key(&j, "seconds");
    json_num(&j, s->seconds);
    json_key(&j, "boards_per_hour");
    json_num(&j, s->seconds > 0 ? (s->passed + s->failed) * 3600.0 / s->seconds : 0.0);
    json_key(&j, "error");
    report_error(&j, err ? err->code : ISPF_OK, err ? err->msg : NULL);
    json_key(&j, "exit_code");
    json_int(&j, exit_code);
    json_obj_end(&j);
    return report_take(&j);
}
