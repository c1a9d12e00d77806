// SPDX-License-Identifier: GPL-2.0-or-later
/* ispflash merge (merge.h): options -> the core's merge -> one Intel HEX file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fusecli.h"
#include "help.h"
#include "ispflash/error.h"
#include "ispflash/image.h"
#include "ispflash/log.h"
#include "ispflash/merge.h"
#include "ispflash/part.h"
#include "merge.h"
#include "opts.h"
#include "output.h"

const char cli_merge_help[] =
    "Usage: ispflash merge -o OUT.hex [-p PART] [--bootloader NAME | --boot-size N] IN...\n"
    "Join image files (a bootloader and an application) into one Intel HEX file.\n"
    "\n"
    "Each IN is Intel HEX, S-record, an AVR ELF file (its flash: .text, .data) or raw\n"
    "binary, detected from its content; a raw binary is placed with FILE@OFFSET\n"
    "(boot.bin@0x7000; without @ it starts at 0). Inputs may overlap only where they\n"
    "hold the same bytes.\n"
    "\n"
    "Examples:\n"
    "  ispflash merge -o production.hex -p atmega32u4 --bootloader atmel-dfu \\\n"
    "      crkbd_rev1_default.hex bootloader_atmega32u4_1_0_0.hex\n"
    "  ispflash merge -o out.hex -p m328p --boot-size 512 app.elf optiboot.bin@0x7e00\n"
    "\n"
    "Options:\n"
    "  -o FILE      the output (Intel HEX; - = standard output), written whole or not at all\n"
    "  -p PART      the result must fit this part's flash\n"
    "  --bootloader NAME\n"
    "               the boot section that preset's fuses select (needs -p; --bootloader ?\n"
    "               lists them): an input starting in it is the bootloader, any other input\n"
    "               with data there is an error\n"
    "  --boot-size N  the same for a boot section of the top N bytes of flash (needs -p)\n"
    "  -v / -q      more / less output\n"
    "  --help\n"
    "\n"
    "Exit codes: 0 success, 1 the output could not be written, 2 usage error,\n"
    "3 bad input (a file that cannot be read, a conflict, does not fit).\n";

enum { MERGE_OPT_BOOTLOADER = 1000, MERGE_OPT_BOOT_SIZE };

struct merge_opts {
    const char *out, *part, *bootloader, *boot_size;
    int verbose, quiet;
    bool help;
    char **inputs;
    int n_inputs;
};

static int merge_usage(const char *fmt, const char *a)
{
    fprintf(stderr, "ispflash merge: usage error: ");
    fprintf(stderr, fmt, a);
    fprintf(stderr, "\nRun 'ispflash merge --help' for the options.\n");
    return EXIT_USAGE;
}

/* argv -> o. Returns EXIT_OK or the usage error's exit code (message printed). */
static int merge_parse(int argc, char **argv, struct merge_opts *o)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"bootloader", required_argument, NULL, MERGE_OPT_BOOTLOADER},
        {"boot-size", required_argument, NULL, MERGE_OPT_BOOT_SIZE},
        {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:p:vqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->out = optarg;
            break;
        case 'p':
            o->part = optarg;
            break;
        case MERGE_OPT_BOOTLOADER:
            o->bootloader = optarg;
            break;
        case MERGE_OPT_BOOT_SIZE:
            o->boot_size = optarg;
            break;
        case 'v':
            o->verbose++;
            break;
        case 'q':
            o->quiet++;
            break;
        case 'h':
            o->help = true;
            break;
        case ':':
            return merge_usage("option %s needs a value", argv[optind - 1]);
        default:
            return merge_usage("unknown option %s", argv[optind - 1]);
        }
    }
    o->inputs = argv + optind;
    o->n_inputs = argc - optind;
    return EXIT_OK;
}

static void merge_log_setup(const struct merge_opts *o)
{
    struct cli_opts lo;
    memset(&lo, 0, sizeof lo);
    lo.verbose = o->verbose;
    lo.quiet = o->quiet;
    cli_output_log_setup(&lo);
}

/* -p, --bootloader / --boot-size: the part and the boot section (bs->size 0: none). */
static int merge_resolve(const struct merge_opts *o, const struct part **part,
                         struct boot_section *bs, struct ispf_error *err)
{
    *part = NULL;
    bs->start = bs->size = 0;
    if (o->bootloader && o->boot_size)
        return ispf_fail(err, ISPF_E_USAGE, "give --bootloader or --boot-size, not both");
    if ((o->bootloader || o->boot_size) && !o->part)
        return ispf_fail(err, ISPF_E_USAGE,
                         "%s needs -p PART (the boot section's place depends on the flash size)",
                         o->bootloader ? "--bootloader" : "--boot-size");
    if (!o->part)
        return ISPF_OK;
    *part = part_find(o->part);
    if (!*part) {
        const struct part *sug[1];
        if (part_suggest(o->part, sug, 1))
            return ispf_fail(err, ISPF_E_USAGE,
                             "unknown part '%s'; did you mean %s (%s)? (ispflash -p ? lists all "
                             "parts)",
                             o->part, sug[0]->id, sug[0]->name);
        return ispf_fail(err, ISPF_E_USAGE, "unknown part '%s' (ispflash -p ? lists all parts)",
                         o->part);
    }
    if (o->bootloader)
        return merge_boot_from_preset(*part, o->bootloader, bs, err);
    if (o->boot_size) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(o->boot_size, &end, 0);
        if (errno || *end || end == o->boot_size || o->boot_size[0] == '-' || n > UINT32_MAX)
            return ispf_fail(err, ISPF_E_USAGE,
                             "--boot-size %s: give the boot section's size in bytes (4096, "
                             "0x1000)",
                             o->boot_size);
        return merge_boot_from_size(*part, (uint32_t)n, bs, err);
    }
    return ISPF_OK;
}

/* Load and merge every input, then the checks. */
static int merge_run(const struct merge_opts *o, const struct part *part,
                     const struct boot_section *bs, struct merge *m, struct ispf_error *err)
{
    for (int i = 0; i < o->n_inputs; i++) {
        struct merge_input in;
        int rc = merge_input_parse(o->inputs[i], &in, err);
        if (rc == ISPF_OK)
            rc = merge_add_file(m, &in, err);
        merge_input_free(&in);
        if (rc)
            return rc;
    }
    if (part) {
        int rc = merge_check_fits(m, part, err);
        if (rc)
            return rc;
    }
    if (bs->size) {
        size_t n_boot = 0;
        int rc = merge_check_boot(m, bs, &n_boot, err);
        if (rc)
            return rc;
        if (n_boot == 0)
            ispf_log(ISPF_LOG_WARN, "merge",
                     "no input starts in the boot section 0x%05x-0x%05x: the image holds no "
                     "bootloader",
                     bs->start, bs->start + bs->size - 1);
    }
    return ISPF_OK;
}

static int merge_fail(const struct ispf_error *err, int code)
{
    if (err->code == ISPF_E_USAGE)
        return merge_usage("%s", err->msg);
    fprintf(stderr, "ispflash: error: %s\n", err->msg);
    return code;
}

static int merge_main(int argc, char **argv)
{
    struct merge_opts o;
    struct ispf_error err;
    ispf_error_clear(&err);
    int code = merge_parse(argc, argv, &o);
    if (code != EXIT_OK)
        return code;
    if (o.help) {
        fputs(cli_merge_help, stdout);
        return EXIT_OK;
    }
    merge_log_setup(&o);
    if (o.bootloader && strcmp(o.bootloader, "?") == 0) {
        fusecli_list_bootloaders(o.part ? part_find(o.part) : NULL);
        return EXIT_OK;
    }
    if (!o.out)
        return merge_usage("no output given: use -o OUT.hex (- for standard output)%s", "");
    if (o.n_inputs == 0)
        return merge_usage("no input files given (ispflash merge -o OUT.hex IN...)%s", "");
    const struct part *part;
    struct boot_section bs;
    if (merge_resolve(&o, &part, &bs, &err))
        return merge_fail(&err, EXIT_USAGE);
    if (bs.size)
        ispf_log(ISPF_LOG_INFO, "merge", "boot section of the %s: 0x%05x-0x%05x (%u bytes)",
                 part->name, bs.start, bs.start + bs.size - 1, bs.size);
    struct merge m;
    merge_init(&m);
    if (merge_run(&o, part, &bs, &m, &err)) {
        code = merge_fail(&err, EXIT_INPUT);
    } else if (image_save(&m.out, o.out, IMAGE_FMT_IHEX, &err)) {
        code = merge_fail(&err, EXIT_FAILURE_OTHER);
    } else {
        ispf_log(ISPF_LOG_INFO, "merge", "%zu input%s, %u bytes (0x%05x-0x%05x) written to %s", m.n,
                 m.n == 1 ? "" : "s", m.out.count, image_start(&m.out), m.out.end - 1,
                 strcmp(o.out, "-") == 0 ? "standard output" : o.out);
    }
    merge_free(&m);
    return code;
}

int cli_merge_main(int argc, char **argv)
{
    return cli_output_finish(merge_main(argc, argv));
}
