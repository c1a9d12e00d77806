// SPDX-License-Identifier: GPL-2.0-or-later
/* See production.h. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "help.h"
#include "platform.h"
#include "ispflash/batch.h"
#include "ispflash/boardlog.h"
#include "ispflash/interrupt.h"
#include "ispflash/report.h"
#include "ispflash/serialno.h"
#include "output.h"
#include "production.h"
#include "signals.h"
#include "statusboard.h"

#define CLI_MAX_IMAGES 40

/* What every port shares. */
struct cli_prod {
    const struct cli_opts *o;
    const struct run_spec *spec;
    const char *version;
    struct serialno_spec serial;
    struct serialno_counter *counter;
    struct boardlog *log;
    struct boardlog_image images[CLI_MAX_IMAGES];
    size_t n_images;
    const char *ports[CLI_MAX_PORTS];
    char *ports_owned[CLI_MAX_PORTS];
    size_t n_ports;
    bool tagged; /* several ports: lines carry the port */
};

/* One port: its batch, in its own thread when there are several. */
struct cli_port {
    struct cli_prod *prod;
    size_t idx;     /* its line on the status board */
    unsigned board; /* the board under way */
    const char *port;
    struct batch_spec b;
    struct report_context ctx;
    struct cli_capture cap;
    struct batch_summary sum;
    struct ispf_error err;
    int rc;
    int exit_code;
    bool output_failed;              /* a -U ...:r: output could not be written */
    char first_msg[ISPF_ERRMSG_MAX]; /* the first failed board's message */
    pthread_t thread;
};

bool cli_production_wanted(const struct cli_opts *o)
{
    return o->batch || o->board_log || o->serial || o->serial_file || o->has_serial_start ||
           o->json || o->n_ports > 1 || o->ports_file || o->batch_wait_enter;
}

static const char *cli_port_name(const struct cli_port *p)
{
    return p->port ? p->port : "default port";
}

/* Lines of human output carry the port when there are several. */
static void cli_say(const struct cli_port *p, const char *fmt, const char *a, const char *b)
{
    char tag[300] = "", text[ISPF_ERRMSG_MAX + 512], line[sizeof text + 320];
    if (p->prod->tagged)
        snprintf(tag, sizeof tag, " [%s]", cli_port_name(p));
    snprintf(text, sizeof text, fmt, a, b);
    snprintf(line, sizeof line, "ispflash%s: %s", tag, text);
    statusboard_print(line);
}

/* The port's line on the status board (when there is one). */
static void cli_status(const struct cli_port *p, const char *fmt, unsigned n, const char *what)
{
    if (!statusboard_on())
        return;
    char text[160];
    snprintf(text, sizeof text, fmt, n, what);
    statusboard_set(p->idx, text);
}

/* Progress of one port, onto its status line. */
static void cli_port_progress(void *ctx, const char *what, uint32_t done, uint32_t total)
{
    struct cli_port *p = ctx;
    char text[96];
    snprintf(text, sizeof text, "%s %3u%%", what,
             total ? (unsigned)((uint64_t)done * 100 / total) : 100u);
    cli_status(p, "board %u: %s", p->board, text);
}

static void cli_json_line(char *text)
{
    if (!text)
        return;
    flockfile(stdout);
    fputs(text, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    funlockfile(stdout);
    free(text);
}

/* "board 3: PASS  signature 1e 95 87  serial KB-000042  4.2 s" */
static void cli_board_line(struct cli_port *p, const struct batch_board *bd)
{
    const struct cli_opts *o = p->prod->o;
    char line[ISPF_ERRMSG_MAX + 256];
    int n = snprintf(line, sizeof line, "board %u: %s", bd->n, bd->passed ? "PASS" : "FAIL");
    if (!bd->passed)
        n += snprintf(line + n, sizeof line - n, " (exit %d)", ispf_exit_class(bd->rc));
    if (bd->report.have_signature)
        n += snprintf(line + n, sizeof line - n, "  signature %02x %02x %02x",
                      bd->report.signature[0], bd->report.signature[1], bd->report.signature[2]);
    if (bd->have_serial)
        n += snprintf(line + n, sizeof line - n, "  serial %s", bd->serial_text);
    n += snprintf(line + n, sizeof line - n, "  %.1f s", bd->seconds);
    if (!bd->passed)
        snprintf(line + n, sizeof line - n, ": %s", bd->msg);
    if (o->quiet < 2 && (o->batch || p->prod->tagged || bd->passed))
        cli_say(p, "%s%s", line, "");
    else if (!bd->passed)
        cli_say(p, "error: %s%s", bd->msg, "");
}

static void cli_on_event(void *ctx, const struct batch_event *ev)
{
    struct cli_port *p = ctx;
    const struct cli_opts *o = p->prod->o;
    char num[16];
    snprintf(num, sizeof num, "%u", ev->n);
    switch (ev->kind) {
    case BATCH_WAIT_BOARD:
        cli_status(p, "waiting for board %u%s", ev->n, "");
        if (!o->quiet && !o->batch_wait_enter && !statusboard_on())
            cli_say(p, "waiting for board %s (Ctrl-C ends the batch)%s", num, "");
        break;
    case BATCH_BOARD_START:
        p->board = ev->n;
        cli_status(p, "board %u: %s", ev->n, "connected");
        cli_capture_reset(&p->cap);
        break;
    case BATCH_BOARD_DONE:
        cli_status(p, "board %u: %s", ev->n, ev->board->passed ? "PASS" : "FAIL");
        if (!ev->board->passed && !p->first_msg[0])
            snprintf(p->first_msg, sizeof p->first_msg, "%s", ev->board->msg);
        cli_board_line(p, ev->board);
        if (o->json)
            cli_json_line(
                report_board_json(&p->ctx, ev->board, (const char *const *)p->cap.warn, p->cap.n));
        cli_capture_reset(&p->cap);
        break;
    case BATCH_WAIT_REMOVAL:
        cli_status(p, "board %u: %s", ev->n, "done, take it away");
        if (!o->quiet && !statusboard_on())
            cli_say(p, "board %s done: take it away, then put on the next one%s", num, "");
        break;
    }
}

/* --batch-wait enter: a line on standard input starts the next board; end of input
 * or Ctrl-C ends the batch. */
static bool cli_wait_enter(void *ctx, unsigned n)
{
    struct cli_port *p = ctx;
    char num[16];
    snprintf(num, sizeof num, "%u", n);
    cli_say(p, "put board %s on the programmer and press Enter (Ctrl-D ends the batch)%s", num, "");
    for (;;) {
        char c;
        ssize_t r = read(STDIN_FILENO, &c, 1);
        if (r == 1 && c == '\n')
            return true;
        if (r == 0 || (r < 0 && errno != EINTR) || ispf_stop_requested() || ispf_interrupted())
            return false;
    }
}

static void *cli_port_thread(void *arg)
{
    struct cli_port *p = arg;
    if (p->prod->tagged)
        cli_output_set_tag(cli_port_name(p));
    cli_output_capture(&p->cap);
    ispf_error_clear(&p->err);
    p->rc = batch_execute(&p->b, &p->sum, &p->err);
    cli_output_capture(NULL);
    cli_capture_reset(&p->cap);
    return NULL;
}

/* The port's exit code: its error, else its first failed board, else 0. */
static int cli_port_exit(const struct cli_port *p)
{
    if (p->rc)
        return ispf_exit_class(p->rc);
    if (p->output_failed)
        return EXIT_FAILURE_OTHER;
    return ispf_exit_class(p->sum.first_fail_rc);
}

static void cli_port_summary(struct cli_port *p)
{
    const struct cli_opts *o = p->prod->o;
    p->exit_code = cli_port_exit(p);
    if (p->rc)
        cli_say(p, "error: %s%s", p->err.msg, "");
    if (o->batch && o->quiet < 2) {
        unsigned total = p->sum.passed + p->sum.failed;
        char text[256];
        snprintf(text, sizeof text,
                 "batch done: %u board%s, %u passed, %u failed, %.1f s (%.0f boards/hour)", total,
                 total == 1 ? "" : "s", p->sum.passed, p->sum.failed, p->sum.seconds,
                 p->sum.seconds > 0 ? total * 3600.0 / p->sum.seconds : 0.0);
        cli_say(p, "%s%s", text, "");
    }
    if (o->json && (o->batch || p->rc))
        cli_json_line(report_summary_json(&p->ctx, &p->sum, p->rc ? &p->err : NULL, p->exit_code));
}

static void cli_port_init(struct cli_prod *pr, struct cli_port *p, const char *port)
{
    const struct cli_opts *o = pr->o;
    memset(p, 0, sizeof *p);
    p->prod = pr;
    p->port = port;
    p->b.run = *pr->spec;
    p->b.run.session.port = port;
    p->b.run.report = NULL;
    p->b.run.output_failed = &p->output_failed;
    if (pr->tagged) {
        p->b.run.session.progress = cli_port_progress;
        p->b.run.session.progress_ctx = p;
    }
    p->b.boards = o->batch ? o->batch_count : 1;
    p->b.single = !o->batch;
    p->b.next_board = o->batch_wait_enter ? cli_wait_enter : NULL;
    p->b.serial = o->serial ? &pr->serial : NULL;
    p->b.counter = pr->counter;
    p->b.log = pr->log;
    p->b.images = pr->images;
    p->b.n_images = pr->n_images;
    p->b.event = cli_on_event;
    p->b.ctx = p;
    p->ctx = (struct report_context){
        .version = pr->version,
        .programmer = pr->spec->session.programmer->id,
        .port = port,
        .part = pr->spec->session.part,
        .kind = o->batch ? "board" : "run",
    };
}

/* Every port, at once when there are several. Returns the exit code. */
static int cli_run_ports(struct cli_prod *pr)
{
    size_t n = pr->n_ports ? pr->n_ports : 1;
    struct cli_port *ports = calloc(n, sizeof *ports);
    if (!ports) {
        fprintf(stderr, "ispflash: error: out of memory\n");
        return EXIT_FAILURE_OTHER;
    }
    for (size_t i = 0; i < n; i++) {
        cli_port_init(pr, &ports[i], pr->n_ports ? pr->ports[i] : NULL);
        ports[i].idx = i;
    }
    bool board = n > 1 && !pr->o->quiet && !pr->o->verbose && isatty(STDERR_FILENO);
    statusboard_start(n, pr->ports, board);
    if (n == 1) {
        cli_port_thread(&ports[0]);
    } else {
        for (size_t i = 0; i < n; i++)
            if (pthread_create(&ports[i].thread, NULL, cli_port_thread, &ports[i]) != 0)
                cli_port_thread(&ports[i]); /* no thread: run it here */
        for (size_t i = 0; i < n; i++)
            if (ports[i].thread)
                pthread_join(ports[i].thread, NULL);
    }
    statusboard_stop();
    int code = EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        cli_port_summary(&ports[i]);
        if (code == EXIT_OK)
            code = ports[i].exit_code;
    }
    free(ports);
    return code;
}

/* --ports FILE: one port per line; blank lines and '#' comments skipped. */
static int cli_read_ports(struct cli_prod *pr, const char *path, struct ispf_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return ispf_fail(err, ISPF_E_USAGE, "--ports %s: %s", path, strerror(errno));
    char line[512];
    unsigned no = 0;
    int rc = ISPF_OK;
    while (rc == ISPF_OK && fgets(line, sizeof line, f)) {
        no++;
        char *s = line + strspn(line, " \t");
        s[strcspn(s, "\r\n#")] = '\0';
        for (size_t l = strlen(s); l && (s[l - 1] == ' ' || s[l - 1] == '\t'); l--)
            s[l - 1] = '\0';
        if (!*s)
            continue;
        if (pr->n_ports == CLI_MAX_PORTS)
            rc = ispf_fail(err, ISPF_E_USAGE, "%s:%u: too many ports (at most %d)", path, no,
                           CLI_MAX_PORTS);
        else if (!(pr->ports_owned[pr->n_ports] = strdup(s)))
            rc = ispf_fail(err, ISPF_E_NOMEM, "out of memory");
        else
            pr->ports[pr->n_ports] = pr->ports_owned[pr->n_ports], pr->n_ports++;
    }
    fclose(f);
    return rc;
}

/* The option combinations that make no sense, before anything is opened. */
static int cli_prod_check(const struct cli_opts *o, const struct run_spec *spec,
                          struct ispf_error *err)
{
    if ((o->serial_file || o->has_serial_start) && !o->serial)
        return ispf_fail(err, ISPF_E_USAGE,
                         "--serial-file and --serial-start go with --serial MEM:ADDR:LEN[:FORMAT]");
    if (o->serial && !o->serial_file)
        return ispf_fail(err, ISPF_E_USAGE,
                         "--serial needs --serial-file FILE: the counter that hands out the "
                         "numbers (created if missing)");
    if (o->batch_wait_enter && !o->batch)
        return ispf_fail(err, ISPF_E_USAGE, "--batch-wait goes with --batch");
    for (size_t i = 0; i < spec->n_ops; i++)
        if (o->json && spec->ops[i].kind == RUN_READ && strcmp(spec->ops[i].file, "-") == 0)
            return ispf_fail(err, ISPF_E_USAGE,
                             "-U %s: standard output carries the --json results; read into a "
                             "file instead",
                             spec->ops[i].text);
    if (o->batch && spec->n_ops == 0 && !spec->bootloader && !spec->erase && !spec->n_fuse_sets &&
        spec->jtag == BOOTLOADER_JTAG_TABLE)
        return ispf_fail(err, ISPF_E_USAGE,
                         "--batch: nothing to do on each board (give -U, --bootloader or -e)");
    return ISPF_OK;
}

/* Ports, serial counter, log, image hashes. */
static int cli_prod_open(struct cli_prod *pr, struct ispf_error *err)
{
    const struct cli_opts *o = pr->o;
    int rc = cli_prod_check(o, pr->spec, err);
    for (size_t i = 0; rc == ISPF_OK && i < o->n_ports; i++)
        pr->ports[pr->n_ports++] = o->ports[i];
    if (rc == ISPF_OK && o->ports_file)
        rc = cli_read_ports(pr, o->ports_file, err);
    if (rc == ISPF_OK && o->batch_wait_enter && pr->n_ports > 1)
        rc = ispf_fail(err, ISPF_E_USAGE, "--batch-wait enter works with one programmer (-P)");
    pr->tagged = pr->n_ports > 1;
    if (rc == ISPF_OK && o->serial)
        rc = serialno_parse(o->serial, &pr->serial, err);
    if (rc == ISPF_OK && o->serial)
        rc = serialno_check_part(&pr->serial, pr->spec->session.part, err);
    if (rc == ISPF_OK && o->serial)
        rc = serialno_counter_open(&pr->counter, o->serial_file, o->has_serial_start,
                                   o->serial_start, err);
    if (rc == ISPF_OK)
        rc = batch_images(pr->spec, pr->images, CLI_MAX_IMAGES, &pr->n_images, err);
    if (rc == ISPF_OK && o->board_log)
        rc = boardlog_open(&pr->log, o->board_log, err);
    return rc;
}

static void cli_prod_close(struct cli_prod *pr)
{
    boardlog_close(pr->log);
    serialno_counter_close(pr->counter);
    for (size_t i = 0; i < pr->n_ports; i++)
        free(pr->ports_owned[i]);
}

int cli_production(const struct cli_opts *o, const struct run_spec *spec, const char *version)
{
    struct cli_prod *pr = calloc(1, sizeof *pr);
    if (!pr) {
        fprintf(stderr, "ispflash: error: out of memory\n");
        return EXIT_FAILURE_OTHER;
    }
    pr->o = o;
    pr->spec = spec;
    pr->version = version;
    struct ispf_error err;
    ispf_error_clear(&err);
    int rc = cli_prod_open(pr, &err);
    int code;
    if (rc) {
        fprintf(stderr, "ispflash: %s%s\n",
                rc == ISPF_E_USAGE ? "usage error: " : "error: ", err.msg);
        code = cli_exit_code(rc);
    } else {
        if (o->batch)
            cli_signals_batch(true);
        code = cli_run_ports(pr);
        cli_signals_batch(false);
    }
    cli_prod_close(pr);
    free(pr);
    return code;
}
