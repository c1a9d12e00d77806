// SPDX-License-Identifier: GPL-2.0-or-later
/* See output.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "help.h"
#include "ispflash/log.h"
#include "output.h"
#include "statusboard.h"

#define CLI_LINE_MAX 4600

static bool cli_error_logged;
static _Thread_local const char *cli_tag;
static _Thread_local struct cli_capture *cli_cap;

void cli_output_set_tag(const char *tag)
{
    cli_tag = tag;
}

void cli_output_capture(struct cli_capture *c)
{
    cli_cap = c;
}

void cli_capture_reset(struct cli_capture *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->warn[i]);
    free(c->warn);
    *c = (struct cli_capture){0};
}

static void cli_capture_add(struct cli_capture *c, const char *msg)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        char **w = realloc(c->warn, cap * sizeof *w);
        if (!w)
            return;
        c->warn = w;
        c->cap = cap;
    }
    char *d = strdup(msg);
    if (d)
        c->warn[c->n++] = d;
}

/* Under a status board (several ports on a terminal): the board shows what INFO
 * lines would say; everything else is printed above it. */
static void cli_log_board(enum ispf_log_level level, const char *prefix, const char *msg)
{
    if (level == ISPF_LOG_INFO)
        return;
    if (level == ISPF_LOG_ERROR)
        cli_error_logged = true;
    if (level == ISPF_LOG_WARN && cli_cap)
        cli_capture_add(cli_cap, msg);
    char line[CLI_LINE_MAX];
    const char *tag = cli_tag ? cli_tag : "";
    if (level == ISPF_LOG_ERROR)
        snprintf(line, sizeof line, "ispflash [%s]: error: %s", tag, msg);
    else if (level == ISPF_LOG_WARN)
        snprintf(line, sizeof line, "ispflash [%s]: warning: %s", tag, msg);
    else
        snprintf(line, sizeof line, "ispflash [%s] [%s]: %s", tag, prefix, msg);
    statusboard_print(line);
}

static void cli_log_sink(void *ctx, enum ispf_log_level level, const char *prefix, const char *msg)
{
    (void)ctx;
    if (statusboard_on()) {
        cli_log_board(level, prefix, msg);
        return;
    }
    char tag[300] = "";
    if (cli_tag)
        snprintf(tag, sizeof tag, " [%s]", cli_tag);
    switch (level) {
    case ISPF_LOG_ERROR:
        cli_error_logged = true;
        fprintf(stderr, "ispflash%s: error: %s\n", tag, msg);
        break;
    case ISPF_LOG_WARN:
        if (cli_cap)
            cli_capture_add(cli_cap, msg);
        fprintf(stderr, "ispflash%s: warning: %s\n", tag, msg);
        break;
    case ISPF_LOG_INFO:
        fprintf(stderr, "ispflash%s: %s\n", tag, msg);
        break;
    default:
        fprintf(stderr, "ispflash%s [%s]: %s\n", tag, prefix, msg);
        break;
    }
}

int cli_output_logfile(const char *path)
{
    FILE *f = fopen(path, "a");
    if (!f)
        return -1;
    fflush(stderr);
    int rc = dup2(fileno(f), STDERR_FILENO) < 0 ? -1 : 0;
    fclose(f);
    return rc;
}

void cli_output_log_setup(const struct cli_opts *o)
{
    enum ispf_log_level lvl = ISPF_LOG_INFO;
    if (o->quiet)
        lvl = o->quiet > 1 ? ISPF_LOG_ERROR : ISPF_LOG_WARN;
    else if (o->verbose)
        lvl = (enum ispf_log_level)(ISPF_LOG_INFO + (o->verbose > 3 ? 3 : o->verbose));
    ispf_log_set_sink(cli_log_sink, NULL);
    ispf_log_set_level(lvl);
}

void cli_output_ignored(const struct cli_opts *o)
{
    if (!o->verbose)
        return;
    if (o->config)
        fprintf(stderr,
                "ispflash: -C %s ignored: the part and programmer database is "
                "compiled in (no avrdude.conf is read)\n",
                o->config);
    if (o->opt_s)
        fprintf(stderr, "ispflash: -s ignored: avrdude's safemode prompt is obsolete; fuse "
                        "writes are always read back and checked\n");
    if (o->opt_u)
        fprintf(stderr, "ispflash: -u ignored: avrdude's safemode is obsolete; risky fuse "
                        "writes are refused unless --unsafe-fuses is given\n");
}

bool cli_output_error_logged(void)
{
    return cli_error_logged;
}

int cli_output_finish(int code)
{
    errno = 0;
    bool bad = fflush(stdout) != 0 || ferror(stdout);
    int e = errno;
    if (fclose(stdout) != 0 && !bad) {
        bad = true;
        e = errno;
    }
    if (bad) {
        /* Reported once: a run that failed writing stdout already said so. */
        if (code == EXIT_OK)
            fprintf(stderr, "ispflash: error: writing to standard output: %s\n",
                    e ? strerror(e) : "write error");
        return code == EXIT_OK ? EXIT_FAILURE_OTHER : code;
    }
    if (code == EXIT_OK && cli_error_logged)
        return EXIT_FAILURE_OTHER;
    return code;
}
