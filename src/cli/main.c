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

#include "fusecli.h"
#include "ispflash/bootloaders.h"
#include "ispflash/error.h"
#include "ispflash/fuse.h"
#include "ispflash/image.h"
#include "ispflash/log.h"
#include "ispflash/part.h"
#include "ispflash/programmer.h"
#include "ispflash/run.h"
#include "ispflash/session.h"
#include "opts.h"
#include "progress.h"

#ifndef ISPF_VERSION
#define ISPF_VERSION "0"
#endif

/* Exit codes (documented in --help, README.md and the man page). */
enum cli_exit {
    EXIT_OK = 0,
    EXIT_FAILURE_OTHER = 1,
    EXIT_USAGE = 2,
    EXIT_INPUT = 3,
    EXIT_PROGRAMMER = 4,
    EXIT_TARGET = 5,
    EXIT_VERIFY = 6,
    EXIT_REFUSED = 7,
};

static const char cli_help[] =
    "Usage: ispflash -c PROGRAMMER [-P PORT] -p PART [options] [-U mem:op:file[:fmt]]...\n"
    "Program AVR microcontrollers over ISP (avrdude-compatible options).\n"
    "\n"
    "Examples (QMK ISP flashing):\n"
    "  ispflash -c avrisp -P /dev/ttyACM0 -p atmega32u4 -U Caterina.hex\n"
    "  ispflash -c usbtiny -p atmega32u4 -U bootloader_atmega32u4_1_0_0.hex\n"
    "  ispflash -c avrisp -P /dev/ttyACM0 -p m32u4 -U lfuse:w:0x5E:m -U hfuse:w:0xD9:m "
    "-U efuse:w:0xF3:m\n"
    "  ispflash -c dryrun -p m32u4 -x state=chip.bin -U firmware.hex   (no hardware)\n"
    "  ispflash -c usbasp -p m32u4 -U flash:r:backup.hex:i\n"
    "\n"
    "Options:\n"
    "  -c ID        programmer (-c ? lists them)\n"
    "  -p PART      target part, e.g. m32u4 or atmega32u4 (-p ? lists them)\n"
    "  -P PORT      port: /dev/ttyACM0, COM5, net:HOST:PORT, usb, usb:SERIAL\n"
    "  -b BAUD      serial speed (default: the programmer's)\n"
    "  -B PERIOD    ISP clock period in microseconds, or a frequency (125kHz)\n"
    "  -U mem:op:file[:fmt]\n"
    "               mem: flash eeprom lfuse hfuse efuse lock signature calibration\n"
    "               op: w write (then verify), r read, v verify\n"
    "               fmt: a auto (default), i Intel HEX, r raw binary, m immediate\n"
    "                    (-U lfuse:w:0x5E:m), s S-record; reading also h d o b (values)\n"
    "               -U FILE alone means -U flash:w:FILE:a\n"
    "  -e           erase the chip\n"
    "  -D           do not erase before writing flash\n"
    "  -V           do not verify after writing\n"
    "  -n           write nothing to the chip (reads still happen)\n"
    "  -F           go on even if the signature names another part\n"
    "  -x OPT       programmer-specific option (e.g. -x state=FILE for dryrun)\n"
    "  -v / -q      more / less output (repeatable; -vvv shows the bytes on the wire)\n"
    "\n"
    "Fuses (docs/fuses.md):\n"
    "  --fuses      read and print every fuse and lock byte, decoded field by field\n"
    "  --bootloader NAME\n"
    "               set the fuses a bootloader needs (with -U FILE: erase, write, verify,\n"
    "               fuses, verify fuses); --bootloader ? lists the presets per MCU\n"
    "  --jtag on|off  JTAG enabled/disabled in the high fuse (with or without a preset)\n"
    "  --unsafe-fuses  write fuses even when they would lock ISP out (SPIEN off, RSTDISBL,\n"
    "               DWEN, internal -> external clock, reserved clock, locking flash that is\n"
    "               written in the same run); without it such writes are refused (exit 7)\n"
    "  --help, --version\n"
    "\n"
    "Exit codes:\n"
    "  0 success\n"
    "  1 other failure\n"
    "  2 usage error (options, unknown part/programmer/memory)\n"
    "  3 bad input file or value (nothing was written)\n"
    "  4 programmer problem (cannot open or sync, timeout, disconnected)\n"
    "  5 target problem (no target answers, wrong signature, write failure)\n"
    "  6 verification failed\n"
    "  7 refused by a safety check\n";

static void cli_log_sink(void *ctx, enum ispf_log_level level, const char *prefix,
                         const char *msg)
{
    (void)ctx;
    switch (level) {
    case ISPF_LOG_ERROR: fprintf(stderr, "ispflash: error: %s\n", msg); break;
    case ISPF_LOG_WARN: fprintf(stderr, "ispflash: warning: %s\n", msg); break;
    case ISPF_LOG_INFO: fprintf(stderr, "ispflash: %s\n", msg); break;
    default: fprintf(stderr, "ispflash [%s]: %s\n", prefix, msg); break;
    }
}

static int cli_exit_code(int code)
{
    switch (code) {
    case ISPF_OK: return EXIT_OK;
    case ISPF_E_USAGE:
    case ISPF_E_UNSUPPORTED: return EXIT_USAGE;
    case ISPF_E_INPUT: return EXIT_INPUT;
    case ISPF_E_IO:
    case ISPF_E_TIMEOUT:
    case ISPF_E_PROTOCOL:
    case ISPF_E_NO_DEVICE:
    case ISPF_E_ACCESS:
    case ISPF_E_DISCONNECTED: return EXIT_PROGRAMMER;
    case ISPF_E_NO_TARGET:
    case ISPF_E_SIGNATURE:
    case ISPF_E_TARGET: return EXIT_TARGET;
    case ISPF_E_VERIFY: return EXIT_VERIFY;
    case ISPF_E_REFUSED: return EXIT_REFUSED;
    default: return EXIT_FAILURE_OTHER;
    }
}

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

static void cli_list_programmers(void)
{
    printf("Programmers (-c):\n");
    for (size_t i = 0; i < pgm_registry_count(); i++) {
        const struct pgm_entry *e = pgm_registry_at(i);
        printf("  %-16s %s\n", e->id, e->desc);
    }
}

static void cli_list_parts(void)
{
    printf("Parts (-p), avrdude id and name:\n");
    for (size_t i = 0; i < part_count(); i++) {
        const struct part *p = part_at(i);
        printf("  %-10s %-14s signature %02x %02x %02x, flash %u bytes, EEPROM %u bytes\n",
               p->id, p->name, p->signature[0], p->signature[1], p->signature[2],
               (unsigned)p->flash_size, (unsigned)p->eeprom_size);
    }
}

_Static_assert(CLI_MAX_UOPS <= RUN_MAX_OPS, "every -U must fit in one run");
_Static_assert((int)CLI_OP_WRITE == (int)RUN_WRITE && (int)CLI_OP_READ == (int)RUN_READ &&
                   (int)CLI_OP_VERIFY == (int)RUN_VERIFY,
               "a -U operation letter is its run_kind");

/* One prepared -U: memory resolved and, for w/v, its image loaded and checked. */
struct cli_job {
    enum mem_id mem;
    struct image img;
};

static int cli_prepare(const struct part *part, struct cli_job *job, const struct cli_uop *u,
                       struct ispf_error *err)
{
    image_init(&job->img);
    int mem = mem_from_name(u->mem);
    if (mem < 0)
        return ispf_fail(err, ISPF_E_USAGE, "-U %s: unknown memory '%s'", u->text, u->mem);
    job->mem = (enum mem_id)mem;
    if (part_mem_size(part, job->mem) == 0)
        return ispf_fail(err, ISPF_E_USAGE, "-U %s: %s has no %s", u->text, part->name,
                         mem_name(job->mem));
    if (u->op == CLI_OP_READ) {
        if (u->fmt == 'a' || strchr("irsmhdob", u->fmt))
            return ISPF_OK;
        return ispf_fail(err, ISPF_E_USAGE, "-U %s: format '%c' cannot be written", u->text,
                         u->fmt);
    }
    if (strchr("hdob", u->fmt))
        return ispf_fail(err, ISPF_E_USAGE, "-U %s: format '%c' is for reading only; use m",
                         u->text, u->fmt);
    int fmt = image_format_from_char(u->fmt);
    if (fmt < 0)
        return ispf_fail(err, ISPF_E_USAGE, "-U %s: unknown format '%c'", u->text, u->fmt);
    enum image_format detected = (enum image_format)fmt;
    int rc = (fmt == IMAGE_FMT_IMMEDIATE)
                 ? image_parse_immediate(&job->img, u->file, err)
                 : image_load(&job->img, u->file, (enum image_format)fmt, &detected, err);
    if (rc)
        return rc;
    if (fmt == IMAGE_FMT_AUTO)
        ispf_log(ISPF_LOG_DEBUG, "cli", "%s: %s (auto-detected)", u->file,
                 image_format_name(detected));
    if (image_empty(&job->img))
        return ispf_fail(err, ISPF_E_INPUT, "%s: no data to %s", u->file,
                         u->op == CLI_OP_WRITE ? "write" : "verify");
    const char *source = fmt == IMAGE_FMT_IMMEDIATE ? u->text : u->file;
    return session_check_fits(part, job->mem, &job->img, source, err);
}

static void cli_print_fuses(void *ctx, const struct part *p, const uint8_t cur[FUSE_NBYTES])
{
    (void)ctx;
    fusecli_print_fuses(p, cur);
}

static int cli_main(const struct cli_opts *o)
{
    struct ispf_error err;
    ispf_error_clear(&err);

    if (o->programmer && strcmp(o->programmer, "?") == 0) {
        cli_list_programmers();
        return EXIT_OK;
    }
    if (o->part && strcmp(o->part, "?") == 0) {
        cli_list_parts();
        return EXIT_OK;
    }
    if (o->bootloader && strcmp(o->bootloader, "?") == 0) {
        fusecli_list_bootloaders(o->part ? part_find(o->part) : NULL);
        return EXIT_OK;
    }
    if (!o->part)
        return cli_usage("no part given: use -p PART (-p ? lists them)%s%s", "", "");
    const struct part *part = part_find(o->part);
    if (!part) {
        const struct part *sug[4];
        size_t n = part_suggest(o->part, sug, 4);
        char list[256] = "";
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(list);
            snprintf(list + len, sizeof list - len, "%s%s (%s)", i ? ", " : "", sug[i]->id,
                     sug[i]->name);
        }
        snprintf(err.msg, sizeof err.msg, n ? "; did you mean %s?" : "%s", list);
        return cli_usage("unknown part '%s'%s (-p ? lists all parts)", o->part, err.msg);
    }
    if (!o->programmer)
        return cli_usage("no programmer given: use -c PROGRAMMER (-c ? lists them; -c dryrun "
                         "needs no hardware)%s%s",
                         "", "");
    const struct pgm_entry *pe = pgm_registry_find(o->programmer);
    if (!pe) {
        const struct pgm_entry *sug[4];
        size_t n = pgm_registry_suggest(o->programmer, sug, 4);
        char list[256] = "";
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(list);
            snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", sug[i]->id);
        }
        snprintf(err.msg, sizeof err.msg, n ? "; did you mean %s?" : "%s", list);
        return cli_usage("unknown programmer '%s'%s (-c ? lists them)", o->programmer, err.msg);
    }

    /* Validate every -U and load every input file before touching the programmer. */
    struct cli_job jobs[CLI_MAX_UOPS];
    struct run_op ops[CLI_MAX_UOPS];
    size_t njobs = 0;
    int rc = ISPF_OK;
    for (size_t i = 0; i < o->n_uops; i++) {
        rc = cli_prepare(part, &jobs[i], &o->uops[i], &err);
        njobs = i + 1;
        if (rc)
            break;
        ops[i] = (struct run_op){
            .mem = jobs[i].mem,
            .kind = (enum run_kind)o->uops[i].op,
            .img = &jobs[i].img,
            .file = o->uops[i].file,
            .fmt = o->uops[i].fmt,
            .text = o->uops[i].text,
        };
    }
    int code = EXIT_OK;
    if (rc) {
        code = rc == ISPF_E_USAGE ? cli_fail(&err) : (cli_fail(&err), EXIT_INPUT);
        goto out;
    }

    struct progress prog;
    progress_init(&prog, !o->quiet && isatty(STDERR_FILENO));
    enum bootloader_jtag jtag = BOOTLOADER_JTAG_TABLE;
    if (o->jtag)
        jtag = strcmp(o->jtag, "off") == 0 ? BOOTLOADER_JTAG_OFF : BOOTLOADER_JTAG_ON;
    struct run_spec spec = {
        .session = {
            .programmer = pe,
            .port = o->port,
            .baud = o->baud,
            .bitclock_us = o->bitclock_us,
            .xopts = o->xopts,
            .n_xopts = o->n_xopts,
            .part = part,
            .force = o->force,
            .no_write = o->no_write,
            .progress = progress_update,
            .progress_ctx = &prog,
        },
        .ops = ops,
        .n_ops = njobs,
        .erase = o->erase,
        .no_erase = o->no_erase,
        .no_verify = o->no_verify,
        .no_write = o->no_write,
        .unsafe_fuses = o->unsafe_fuses,
        .bootloader = o->bootloader,
        .jtag = jtag,
        .fuses = o->list_fuses ? cli_print_fuses : NULL,
    };
    rc = run_execute(&spec, &err);
    if (rc)
        code = cli_fail(&err);
out:
    for (size_t i = 0; i < njobs; i++)
        image_free(&jobs[i].img);
    return code;
}

int main(int argc, char **argv)
{
    struct cli_opts o;
    char msg[512];
    if (cli_parse(argc, argv, &o, msg, sizeof msg)) {
        cli_opts_free(&o);
        return cli_usage("%s%s", msg, "");
    }
    if (o.help) {
        fputs(cli_help, stdout);
        cli_opts_free(&o);
        return EXIT_OK;
    }
    if (o.version) {
        printf("ispflash %s\n", ISPF_VERSION);
        cli_opts_free(&o);
        return EXIT_OK;
    }
    enum ispf_log_level lvl = ISPF_LOG_INFO;
    if (o.quiet)
        lvl = o.quiet > 1 ? ISPF_LOG_ERROR : ISPF_LOG_WARN;
    else if (o.verbose)
        lvl = (enum ispf_log_level)(ISPF_LOG_INFO + (o.verbose > 3 ? 3 : o.verbose));
    ispf_log_set_sink(cli_log_sink, NULL);
    ispf_log_set_level(lvl);
    int code = cli_main(&o);
    cli_opts_free(&o);
    return code;
}
