// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ispflash: argv -> options -> one run of the core. The only place that prints
 * and exits.
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

static int cli_quiet;

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

/* One prepared -U: memory resolved and, for w/v, its image loaded and checked. */
struct cli_job {
    const struct cli_uop *u;
    enum mem_id mem;
    struct image img;
};

static enum image_format cli_out_format(char fmt)
{
    switch (fmt) {
    case 'r': return IMAGE_FMT_RAW;
    case 's': return IMAGE_FMT_SREC;
    case 'm': return IMAGE_FMT_IMMEDIATE;
    default: return IMAGE_FMT_IHEX;
    }
}

static int cli_prepare(const struct cli_opts *o, const struct part *part, struct cli_job *job,
                       const struct cli_uop *u, struct ispf_error *err)
{
    job->u = u;
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
    rc = session_check_fits(part, job->mem, &job->img, source, err);
    (void)o;
    return rc;
}

static int cli_save_values(const struct image *img, const char *path, char fmt,
                           struct ispf_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f)
        return ispf_fail(err, ISPF_E_IO, "cannot write %s: %s", path, strerror(errno));
    for (uint32_t a = 0; a < img->end; a++) {
        uint8_t v = image_get(img, a, 0xFF);
        if (a)
            fputc(',', f);
        switch (fmt) {
        case 'd': fprintf(f, "%u", v); break;
        case 'o': fprintf(f, "0%o", v); break;
        case 'b': {
            fputs("0b", f);
            for (int bit = 7; bit >= 0; bit--)
                fputc('0' + ((v >> bit) & 1), f);
            break;
        }
        default: fprintf(f, "0x%02x", v); break;
        }
    }
    fputc('\n', f);
    if (f != stdout && fclose(f) != 0)
        return ispf_fail(err, ISPF_E_IO, "cannot write %s: %s", path, strerror(errno));
    return ISPF_OK;
}

static int cli_run_job(struct session *s, const struct cli_opts *o, const struct part *part,
                       struct cli_job *job, struct ispf_error *err)
{
    const struct cli_uop *u = job->u;
    const char *mn = mem_name(job->mem);
    int rc;
    switch (u->op) {
    case CLI_OP_WRITE:
        if (!cli_quiet)
            ispf_log(ISPF_LOG_INFO, "cli", "writing %s (%u byte%s from %s)", mn, job->img.count,
                     job->img.count == 1 ? "" : "s", u->fmt == 'm' ? "the command line" : u->file);
        rc = session_write(s, job->mem, &job->img, err);
        if (rc)
            return rc;
        if (o->no_verify || o->no_write)
            return ISPF_OK;
        rc = session_verify(s, job->mem, &job->img, err);
        if (rc == ISPF_OK)
            ispf_log(ISPF_LOG_INFO, "cli", "%s verified (%u byte%s)", mn, job->img.count,
                     job->img.count == 1 ? "" : "s");
        return rc;
    case CLI_OP_VERIFY:
        rc = session_verify(s, job->mem, &job->img, err);
        if (rc == ISPF_OK)
            ispf_log(ISPF_LOG_INFO, "cli", "%u bytes of %s verified against %s", job->img.count,
                     mn, u->file);
        return rc;
    case CLI_OP_READ:
        rc = session_read(s, job->mem, &job->img, err);
        if (rc)
            return rc;
        if (o->verbose && mem_is_fuse(job->mem) && image_has(&job->img, 0))
            fusecli_log_decoded(part, job->mem, job->img.data[0]);
        if (strchr("hdob", u->fmt) || (u->fmt == 'm'))
            rc = cli_save_values(&job->img, u->file, u->fmt, err);
        else
            rc = image_save(&job->img, u->file, cli_out_format(u->fmt), err);
        if (rc == ISPF_OK && strcmp(u->file, "-") != 0)
            ispf_log(ISPF_LOG_INFO, "cli", "%s read: %u bytes saved to %s", mn, job->img.count,
                     u->file);
        return rc;
    }
    return ISPF_OK;
}

/* Synthetic -U operations for the fuse writes of --bootloader / --jtag. */
struct cli_fuse_extra {
    struct cli_uop uop[FUSE_NBYTES];
    char text[FUSE_NBYTES][96];
    char value[FUSE_NBYTES][8];
    size_t n;
    bool jtag_pending;      /* --jtag alone: the high fuse is the chip's with JTAGEN changed */
    size_t jtag_job;        /* its job index */
};

static bool cli_is_fuse_write(const struct cli_job *j)
{
    return mem_is_fuse(j->mem) && j->u->op == CLI_OP_WRITE;
}

static int cli_fuse_add_job(struct cli_job *jobs, size_t *njobs, struct cli_fuse_extra *x,
                            enum mem_id mem, uint8_t val, const char *why,
                            struct ispf_error *err)
{
    for (size_t i = 0; i < *njobs; i++)
        if (jobs[i].mem == mem && cli_is_fuse_write(&jobs[i]))
            return ispf_fail(err, ISPF_E_USAGE, "%s sets %s, and so does -U %s: give one of them",
                             why, mem_name(mem), jobs[i].u->text);
    struct cli_uop *u = &x->uop[x->n];
    memset(u, 0, sizeof *u);
    snprintf(u->mem, sizeof u->mem, "%s", mem_name(mem));
    snprintf(x->text[x->n], sizeof x->text[x->n], "%s (%s)", why, mem_name(mem));
    snprintf(x->value[x->n], sizeof x->value[x->n], "0x%02X", val);
    u->op = CLI_OP_WRITE;
    u->fmt = 'm';
    u->file = x->value[x->n];
    u->text = x->text[x->n];
    x->n++;
    struct cli_job *j = &jobs[*njobs];
    j->u = u;
    j->mem = mem;
    image_init(&j->img);
    (*njobs)++;
    return image_set(&j->img, 0, val, err);
}

static int cli_fuse_jobs(const struct cli_opts *o, const struct part *part,
                         struct cli_job *jobs, size_t *njobs, struct cli_fuse_extra *x,
                         struct ispf_error *err)
{
    memset(x, 0, sizeof *x);
    enum bootloader_jtag jtag = BOOTLOADER_JTAG_TABLE;
    if (o->jtag)
        jtag = strcmp(o->jtag, "off") == 0 ? BOOTLOADER_JTAG_OFF : BOOTLOADER_JTAG_ON;
    if (o->bootloader) {
        const struct bootloader_preset *b = bootloader_find(o->bootloader, part);
        if (!b) {
            char names[512];
            bootloader_names_for_part(part, names, sizeof names);
            if (names[0])
                return ispf_fail(err, ISPF_E_USAGE,
                                 "--bootloader %s: no such preset for the %s; presets for it: "
                                 "%s (--bootloader ? lists all)",
                                 o->bootloader, part->name, names);
            return ispf_fail(err, ISPF_E_USAGE,
                             "--bootloader %s: there are no bootloader presets for the %s%s "
                             "(--bootloader ? lists them per MCU)",
                             o->bootloader, part->name,
                             bootloader_name_known(o->bootloader) ? ", only for other MCUs"
                                                                  : "");
        }
        bool w[FUSE_NBYTES];
        uint8_t v[FUSE_NBYTES];
        int rc = bootloader_fuses(b, part, jtag, w, v, err);
        if (rc)
            return rc;
        char why[64];
        snprintf(why, sizeof why, "--bootloader %s", b->name);
        for (int i = 0; i < FUSE_NBYTES && rc == ISPF_OK; i++)
            if (w[i])
                rc = cli_fuse_add_job(jobs, njobs, x, fuse_mem(i), v[i], why, err);
        if (rc == ISPF_OK)
            ispf_log(ISPF_LOG_INFO, "cli", "--bootloader %s: %s for the %s, USB %s", b->name,
                     b->desc, part->name, b->usb_id);
        bool flash = false;
        for (size_t i = 0; i < *njobs; i++)
            flash = flash || (jobs[i].mem == MEM_FLASH && jobs[i].u->op == CLI_OP_WRITE);
        if (rc == ISPF_OK && !flash)
            ispf_log(ISPF_LOG_INFO, "cli", "--bootloader sets the fuses only; add -U FILE to "
                     "write the bootloader in the same run");
        return rc;
    }
    if (!o->jtag)
        return ISPF_OK;
    enum mem_id mem;
    const struct fuse_field *f = part_fuse_field(part, "JTAGEN", &mem);
    if (!f)
        return ispf_fail(err, ISPF_E_USAGE, "--jtag: the %s has no JTAG interface (no JTAGEN fuse)",
                         part->name);
    bool found = false;
    for (size_t i = 0; i < *njobs; i++) {
        if (jobs[i].mem != mem || !cli_is_fuse_write(&jobs[i]))
            continue;
        uint8_t v = image_get(&jobs[i].img, 0, 0xFF);
        v = jtag == BOOTLOADER_JTAG_ON ? (uint8_t)(v & (uint8_t)~f->mask) : (uint8_t)(v | f->mask);
        int rc = image_set(&jobs[i].img, 0, v, err);
        if (rc)
            return rc;
        found = true;
    }
    if (found)
        return ISPF_OK;
    x->jtag_pending = true;
    x->jtag_job = *njobs;
    char why[32];
    snprintf(why, sizeof why, "--jtag %s", o->jtag);
    return cli_fuse_add_job(jobs, njobs, x, mem, 0xFF, why, err);
}

/* A fuse-only run that moves the boot section or BOOTRST: look at the chip's flash
 * around each boot-section start, and warn if a bootloader there no longer fits. */
static int cli_fuse_check_chip_bootloader(struct session *s, const struct part *part,
                                          const uint8_t cur[FUSE_NBYTES],
                                          const uint8_t result[FUSE_NBYTES],
                                          struct ispf_error *err)
{
    struct fuse_boot a, b;
    fuse_boot_config(part, cur, &a);
    fuse_boot_config(part, result, &b);
    if (!b.has_boot ||
        (a.start == b.start && a.bootrst == b.bootrst && a.hwbe == b.hwbe))
        return ISPF_OK;
    struct image img;
    image_init(&img);
    int rc = ISPF_OK;
    for (unsigned k = 0; k < part->n_boot_sections && rc == ISPF_OK; k++) {
        uint8_t buf[10];
        uint32_t at = part->boot_sections[k].start - 8;
        rc = session_read_range(s, MEM_FLASH, at, buf, sizeof buf, err);
        if (rc == ISPF_OK)
            rc = image_set_range(&img, at, buf, sizeof buf, err);
    }
    struct fuse_image_info info;
    if (rc == ISPF_OK) {
        fuse_image_classify(part, &img, b.start, &info);
        if (info.kind == FUSE_IMAGE_BOOTLOADER || info.kind == FUSE_IMAGE_COMBINED) {
            char warn[2048];
            rc = fuse_image_check(part, &img, "the chip's flash", result, warn, sizeof warn,
                                  NULL, 0, err);
            if (warn[0])
                fusecli_print_lines(warn, true);
        }
    }
    image_free(&img);
    return rc;
}

/* After the session opened: read the fuses, fill in --jtag, run the guards and the
 * image check, print the confirmations, and decide the order of the jobs (fuse writes
 * after flash, the clock byte last, lock after it). Nothing is written here. */
static int cli_fuse_plan(struct session *s, const struct cli_opts *o, const struct part *part,
                         struct cli_job *jobs, size_t njobs, const struct cli_fuse_extra *x,
                         bool writes_flash, size_t *order, size_t *norder,
                         struct ispf_error *err)
{
    struct fuse_plan plan;
    memset(&plan, 0, sizeof plan);
    plan.part = part;
    plan.writes_flash = writes_flash;
    plan.crystal_confirmed = o->bootloader != NULL; /* the preset's board has its crystal */
    bool any_fuse_write = false;
    for (size_t i = 0; i < njobs; i++)
        if (cli_is_fuse_write(&jobs[i]))
            any_fuse_write = true;

    /* Order: everything but fuse writes (fuse reads/verifies that come after a fuse
     * write move behind the writes), then the fuse writes, then those reads. */
    size_t n = 0;
    bool seen = false;
    for (size_t i = 0; i < njobs; i++) {
        if (cli_is_fuse_write(&jobs[i])) {
            seen = true;
            plan.write[fuse_index(jobs[i].mem)] = true;
        } else if (!(seen && mem_is_fuse(jobs[i].mem))) {
            order[n++] = i;
        }
    }
    enum mem_id fo[FUSE_NBYTES];
    size_t nfo = fuse_write_order(part, plan.write, fo);
    for (size_t k = 0; k < nfo; k++)
        for (size_t i = 0; i < njobs; i++)
            if (cli_is_fuse_write(&jobs[i]) && jobs[i].mem == fo[k])
                order[n++] = i;
    seen = false;
    for (size_t i = 0; i < njobs; i++) {
        if (cli_is_fuse_write(&jobs[i]))
            seen = true;
        else if (seen && mem_is_fuse(jobs[i].mem))
            order[n++] = i;
    }
    *norder = n;
    if (!any_fuse_write && !writes_flash)
        return ISPF_OK;

    int rc = fusecli_read_all(s, part, plan.cur, err);
    if (rc == ISPF_E_UNSUPPORTED && !any_fuse_write) {
        /* A bootloader (-c arduino) cannot read fuses: flash goes unchecked. */
        ispf_log(ISPF_LOG_DEBUG, "fuse", "fuses cannot be read (%s): image/fuse check skipped",
                 err->msg);
        ispf_error_clear(err);
        return ISPF_OK;
    }
    if (rc)
        return rc;
    if (x->jtag_pending) {
        enum mem_id mem;
        const struct fuse_field *f = part_fuse_field(part, "JTAGEN", &mem);
        uint8_t v = plan.cur[fuse_index(mem)];
        v = strcmp(o->jtag, "on") == 0 ? (uint8_t)(v & (uint8_t)~f->mask) : (uint8_t)(v | f->mask);
        rc = image_set(&jobs[x->jtag_job].img, 0, v, err);
        if (rc)
            return rc;
    }
    for (size_t k = 0; k < n; k++) {
        const struct cli_job *j = &jobs[order[k]];
        if (cli_is_fuse_write(j))
            plan.next[fuse_index(j->mem)] = image_get(&j->img, 0, 0xFF);
    }
    char warn[4096];
    rc = fuse_plan_check(&plan, o->unsafe_fuses, warn, sizeof warn, err);
    if (warn[0])
        fusecli_print_lines(warn, true);
    if (rc == ISPF_E_REFUSED && o->no_write) {
        /* -n writes nothing anyway: say what a real run would refuse, and go on. */
        ispf_log(ISPF_LOG_WARN, "fuse", "-n: a run without -n would stop here (exit 7):");
        fusecli_print_lines(err->msg, true);
        ispf_error_clear(err);
        rc = ISPF_OK;
    }
    if (rc)
        return rc;
    uint8_t result[FUSE_NBYTES];
    fuse_plan_result(&plan, result);
    for (size_t i = 0; i < njobs; i++) {
        const struct cli_job *j = &jobs[i];
        if (j->mem != MEM_FLASH || j->u->op != CLI_OP_WRITE)
            continue;
        char notes[2048];
        rc = fuse_image_check(part, &j->img, j->u->file, result, warn, sizeof warn, notes,
                              sizeof notes, err);
        if (rc)
            return rc;
        if (warn[0])
            fusecli_print_lines(warn, true);
        if (notes[0] && !cli_quiet)
            fusecli_print_lines(notes, false);
    }
    if (!writes_flash && !o->erase) {
        rc = cli_fuse_check_chip_bootloader(s, part, plan.cur, result, err);
        if (rc)
            return rc;
    }
    uint8_t shown[FUSE_NBYTES];
    memcpy(shown, plan.cur, sizeof shown);
    for (size_t k = 0; k < n; k++) {
        const struct cli_job *j = &jobs[order[k]];
        if (!cli_is_fuse_write(j))
            continue;
        int fi = fuse_index(j->mem);
        uint8_t v = image_get(&j->img, 0, 0xFF);
        fusecli_print_change(part, j->mem, shown[fi], v, cli_quiet);
        shown[fi] = v;
    }
    return ISPF_OK;
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
    struct cli_job jobs[CLI_MAX_UOPS + FUSE_NBYTES];
    size_t njobs = 0;
    int rc = ISPF_OK;
    bool writes_flash = false;
    for (size_t i = 0; i < o->n_uops && rc == ISPF_OK; i++) {
        rc = cli_prepare(o, part, &jobs[i], &o->uops[i], &err);
        njobs = i + 1;
        if (rc == ISPF_OK && jobs[i].mem == MEM_FLASH && o->uops[i].op == CLI_OP_WRITE)
            writes_flash = true;
    }
    int code = EXIT_OK;
    if (rc) {
        code = rc == ISPF_E_USAGE ? cli_fail(&err) : (cli_fail(&err), EXIT_INPUT);
        goto out;
    }
    /* Fuse writes asked for with --bootloader / --jtag become jobs like -U ones. */
    struct cli_fuse_extra extra;
    rc = cli_fuse_jobs(o, part, jobs, &njobs, &extra, &err);
    if (rc) {
        code = cli_fail(&err);
        goto out;
    }

    struct progress prog;
    progress_init(&prog, !cli_quiet && isatty(STDERR_FILENO));
    struct session_config sc = {
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
    };
    struct session *s = NULL;
    rc = session_open(&s, &sc, &err);
    if (rc) {
        code = cli_fail(&err);
        goto out;
    }
    /* Read the fuses, then check the whole plan before anything is written. */
    size_t order[CLI_MAX_UOPS + FUSE_NBYTES];
    size_t norder = 0;
    rc = cli_fuse_plan(s, o, part, jobs, njobs, &extra, writes_flash, order, &norder, &err);
    if (rc) {
        session_close(s);
        code = cli_fail(&err);
        goto out;
    }
    if (o->erase || (writes_flash && !o->no_erase)) {
        if (!o->erase)
            ispf_log(ISPF_LOG_INFO, "cli",
                     "erasing chip (writing flash erases it first; -D to skip)");
        else
            ispf_log(ISPF_LOG_INFO, "cli", "erasing chip");
        rc = session_chip_erase(s, &err);
    }
    for (size_t i = 0; i < norder && rc == ISPF_OK; i++)
        rc = cli_run_job(s, o, part, &jobs[order[i]], &err);
    if (rc == ISPF_OK && o->list_fuses)
        rc = fusecli_print_fuses(s, part, &err);
    if (o->verbose) {
        uint64_t tx, rx, cmds;
        session_stats(s, &tx, &rx, &cmds);
        ispf_log(ISPF_LOG_DEBUG, pe->id, "%llu bytes sent, %llu received, %llu commands",
                 (unsigned long long)tx, (unsigned long long)rx, (unsigned long long)cmds);
    }
    session_close(s);
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
    cli_quiet = o.quiet;
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
