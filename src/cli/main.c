// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ispflash: argv -> options -> one run of the core (run_execute, include/ispflash/run.h).
 * The only place that prints and exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fusecli.h"
#include "help.h"
#include "identify.h"
#include "info.h"
#include "output.h"
#include "signals.h"
#include "ispflash/bootloaders.h"
#include "ispflash/buildinfo.h"
#include "ispflash/error.h"
#include "ispflash/fuse.h"
#include "ispflash/image.h"
#include "ispflash/log.h"
#include "ispflash/part.h"
#include "ispflash/programmer.h"
#include "ispflash/run.h"
#include "ispflash/session.h"
#include "listports.h"
#include "merge.h"
#include "opts.h"
#include "platform.h"
#include "prepare.h"
#include "production.h"
#include "progress.h"
#include "qmkcli.h"

#ifndef ISPF_VERSION
#define ISPF_VERSION "0"
#endif
#ifndef ISPF_GIT_REV
#define ISPF_GIT_REV ""
#endif

static int cli_fail(const struct ispf_error *err)
{
    fprintf(stderr, "ispflash: error: %s\n", err->msg);
    return cli_exit_code(err->code);
}

static int cli_usage(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "ispflash: usage error: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\nRun 'ispflash --help' for the options.\n");
    return EXIT_USAGE;
}

_Static_assert(CLI_MAX_UOPS <= RUN_MAX_OPS, "every -U must fit in one run");
_Static_assert((int)CLI_OP_WRITE == (int)RUN_WRITE && (int)CLI_OP_READ == (int)RUN_READ &&
                   (int)CLI_OP_VERIFY == (int)RUN_VERIFY,
               "a -U operation letter is its run_kind");

static void cli_print_fuses(void *ctx, const struct part *p, const uint8_t cur[FUSE_NBYTES])
{
    (void)ctx;
    fusecli_print_fuses(p, cur);
}

static void cli_print_fields(void *ctx, const struct part *p, const uint8_t cur[FUSE_NBYTES])
{
    (void)ctx;
    fusecli_list_fields(p, cur);
}

/* --fuse ?: -1 if not asked; else the exit code after listing from the database (no -c),
 * or 0 to go on and list with the chip's values (-c given, nothing else to do). */
static int cli_fuse_list(const struct cli_opts *o, bool *with_chip)
{
    bool asked = false;
    for (size_t i = 0; i < o->n_fuse_sets; i++)
        asked = asked || strcmp(o->fuse_sets[i], "?") == 0;
    *with_chip = false;
    if (!asked)
        return -1;
    if (o->n_fuse_sets > 1 || o->n_uops || o->bootloader || o->jtag || o->erase)
        return cli_usage("--fuse ? lists the fuse fields: give it alone (with -p, and -c to see "
                         "the chip's values)%s%s",
                         "", "");
    const struct part *p = o->part ? part_find(o->part) : NULL;
    if (!p && !o->part)
        return cli_usage("--fuse ? needs -p PART%s%s", "", "");
    if (p && !o->programmer) {
        fusecli_list_fields(p, NULL);
        return EXIT_OK;
    }
    *with_chip = true;
    return EXIT_OK;
}

/* -p / -c resolved, or a usage error (with suggestions) as the exit code. */
static int cli_lookup(const struct cli_opts *o, const struct part **part,
                      const struct pgm_entry **pe)
{
    char msg[300];
    if (!o->part)
        return cli_usage("no part given: use -p PART (-p ? lists them)%s%s", "", "");
    *part = part_find(o->part);
    if (!*part) {
        const struct part *sug[4];
        size_t n = part_suggest(o->part, sug, 4);
        char list[256] = "";
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(list);
            snprintf(list + len, sizeof list - len, "%s%s (%s)", i ? ", " : "", sug[i]->id,
                     sug[i]->name);
        }
        snprintf(msg, sizeof msg, n ? "; did you mean %s?" : "%s", list);
        return cli_usage("unknown part '%s'%s (-p ? lists all parts)", o->part, msg);
    }
    if (!o->programmer)
        return cli_usage("no programmer given: use -c PROGRAMMER (-c ? lists them; -c dryrun "
                         "needs no hardware)%s%s",
                         "", "");
    *pe = pgm_registry_find(o->programmer);
    if (!*pe) {
        const struct pgm_entry *sug[4];
        size_t n = pgm_registry_suggest(o->programmer, sug, 4);
        char list[256] = "";
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(list);
            snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", sug[i]->id);
        }
        snprintf(msg, sizeof msg, n ? "; did you mean %s?" : "%s", list);
        return cli_usage("unknown programmer '%s'%s (-c ? lists them)", o->programmer, msg);
    }
    return EXIT_OK;
}

/* The lists (-c ?, -p ?, --bootloader ?): true if one was asked for and printed. */
static bool cli_lists(const struct cli_opts *o)
{
    if (o->programmer && strcmp(o->programmer, "?") == 0)
        cli_list_programmers();
    else if (o->part && strcmp(o->part, "?") == 0)
        cli_list_parts();
    else if (o->bootloader && strcmp(o->bootloader, "?") == 0)
        fusecli_list_bootloaders(o->part ? part_find(o->part) : NULL);
    else
        return false;
    return true;
}

static int cli_main(const struct cli_opts *o)
{
    struct ispf_error err;
    ispf_error_clear(&err);
    if (o->list_ports || (o->port && strcmp(o->port, "?") == 0))
        return cli_list_ports();
    if (cli_lists(o))
        return EXIT_OK;
    bool fuse_list_chip;
    int fl = cli_fuse_list(o, &fuse_list_chip);
    if (fl >= 0 && !fuse_list_chip)
        return fl;
    const struct part *part = NULL;
    const struct pgm_entry *pe = NULL;
    int lc = cli_lookup(o, &part, &pe);
    if (lc != EXIT_OK)
        return lc;
    if (o->identify)
        return cli_identify(o, part, pe);

    /* Validate every -U and load every input file before touching the programmer. */
    struct cli_job jobs[CLI_MAX_UOPS];
    struct run_op ops[CLI_MAX_UOPS];
    size_t njobs = 0;
    int rc = cli_prepare_all(o, part, jobs, ops, &njobs, &err);
    int code = EXIT_OK;
    if (rc) {
        code = rc == ISPF_E_USAGE ? cli_fail(&err) : (cli_fail(&err), EXIT_INPUT);
        goto out;
    }

    bool output_failed = false;
    struct progress prog;
    progress_init(&prog, !o->quiet && isatty(STDERR_FILENO));
    struct run_spec spec = {
        .session = cli_session_config(o, part, pe),
        .ops = ops,
        .n_ops = njobs,
        .erase = o->erase,
        .no_erase = o->no_erase,
        .no_verify = o->no_verify,
        .no_write = o->no_write,
        .unsafe_fuses = o->unsafe_fuses,
        .bootloader = o->bootloader,
        .jtag = !o->jtag                      ? BOOTLOADER_JTAG_TABLE
                : strcmp(o->jtag, "off") == 0 ? BOOTLOADER_JTAG_OFF
                                              : BOOTLOADER_JTAG_ON,
        .fuse_sets = fuse_list_chip ? NULL : o->fuse_sets,
        .n_fuse_sets = fuse_list_chip ? 0 : o->n_fuse_sets,
        .fuses = fuse_list_chip  ? cli_print_fields
                 : o->list_fuses ? cli_print_fuses
                                 : NULL,
        .output_failed = &output_failed,
        .backup = o->no_backup ? BACKUP_NONE
                  : o->backup  ? BACKUP_FULL
                               : BACKUP_AUTO,
        .backup_path = o->backup,
    };
    if (o->backup && (o->no_backup || o->batch)) {
        code = cli_usage(o->no_backup ? "--backup and --no-backup: give one of them%s%s"
                                      : "--backup FILE saves one chip; a batch programs new "
                                        "boards (no backups)%s%s",
                         "", "");
        goto out;
    }
    spec.session.progress = progress_update;
    spec.session.progress_ctx = &prog;
    if (cli_production_wanted(o)) {
        code = cli_production(o, &spec, ISPF_VERSION);
        goto out;
    }
    rc = run_execute(&spec, &err);
    if (rc)
        code = cli_fail(&err);
    if (rc && output_failed)
        code = EXIT_FAILURE_OTHER; /* an output could not be written: not the programmer */
out:
    for (size_t i = 0; i < njobs; i++)
        image_free(&jobs[i].img);
    return code;
}

static void cli_print_version(void)
{
    printf("ispflash %s%s%s%s\n", ISPF_VERSION, ISPF_GIT_REV[0] ? " (git " : "", ISPF_GIT_REV,
           ISPF_GIT_REV[0] ? ")" : "");
    printf("%s\n%s\n", buildinfo_libusb(), buildinfo_libserialport());
}

/* The configuration file (config.h) under the command line, unless -N: 0, or the
 * usage exit code after a bad file. -v says which file was read. */
static int cli_apply_config(struct cli_opts *o, struct cli_config *cfg)
{
    char msg[600];
    memset(cfg, 0, sizeof *cfg);
    if (o->no_config) {
        if (o->verbose)
            fprintf(stderr, "ispflash: -N: no configuration file read\n");
        return EXIT_OK;
    }
    if (cli_config_path(cfg->path, sizeof cfg->path) == 0 && cli_config_load(cfg, msg, sizeof msg))
        return cli_usage("configuration file %s%s (-N ignores it)", msg, "");
    if (o->verbose)
        fprintf(stderr, "ispflash: configuration file %s%s\n",
                cfg->path[0] ? cfg->path : "(none: neither XDG_CONFIG_HOME nor HOME is set)",
                !cfg->path[0] ? ""
                : cfg->loaded ? ": read"
                              : ": not present");
    if (cfg->loaded)
        cli_config_apply(cfg, o);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    struct cli_opts o;
    char msg[512];
    cli_signals_install();
    cli_binary_mode();
    if (argc > 1 && strcmp(argv[1], "merge") == 0)
        return cli_merge_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "info") == 0)
        return cli_info_main(argc - 1, argv + 1);
    if (cli_parse(argc, argv, &o, msg, sizeof msg)) {
        cli_opts_free(&o);
        return cli_usage("%s%s", msg, "");
    }
    if (o.logfile && cli_output_logfile(o.logfile) != 0) {
        int e = errno;
        fprintf(stderr, "ispflash: error: -l %s: %s\n", o.logfile, strerror(e));
        cli_opts_free(&o);
        return EXIT_FAILURE_OTHER;
    }
    int code = EXIT_OK;
    if (o.help) {
        fputs(cli_help, stdout);
    } else if (o.version) {
        cli_print_version();
    } else if (o.complete_data) {
        cli_complete_data();
    } else {
        cli_output_log_setup(&o);
        cli_output_ignored(&o);
        struct qmk_board qmk_board;
        static struct cli_config cfg; /* o points into it */
        if (o.qmk)
            code = cli_qmk_apply(&o, &qmk_board);
        if (code == EXIT_OK)
            code = cli_apply_config(&o, &cfg);
        if (code == EXIT_OK)
            code = cli_main(&o);
    }
    cli_opts_free(&o);
    return cli_output_finish(code);
}
