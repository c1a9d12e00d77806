// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opts.h"
#include "platform.h"

static const char *const opts_mem_names[] = {
    "flash",    "eeprom",    "lfuse",       "hfuse",   "efuse", "lock",
    "lockbits", "signature", "calibration", "fuse0",   "fuse1", "fuse2",
    "fuse",     "lowfuse",   "highfuse",    "extfuse", NULL,
};

const char *cli_mem_name_at(size_t i)
{
    return i < sizeof opts_mem_names / sizeof opts_mem_names[0] ? opts_mem_names[i] : NULL;
}

static bool opts_is_one_mem(const char *s, size_t len)
{
    for (size_t i = 0; opts_mem_names[i]; i++)
        if (strlen(opts_mem_names[i]) == len && strncasecmp(s, opts_mem_names[i], len) == 0)
            return true;
    return false;
}

/* A memory, "ALL", or a list of memories joined by ',' (avrdude 8). */
static bool opts_is_mem(const char *s, size_t len)
{
    if (len == 3 && strncasecmp(s, "all", 3) == 0)
        return true;
    while (len) {
        size_t one = 0;
        while (one < len && s[one] != ',')
            one++;
        if (!opts_is_one_mem(s, one))
            return false;
        s += one;
        len -= one;
        if (len) { /* the ',' */
            s++;
            len--;
            if (!len)
                return false;
        }
    }
    return true;
}

int cli_parse_uop(const char *arg, struct cli_uop *u, char *msg, size_t msglen)
{
    memset(u, 0, sizeof *u);
    u->text = arg;
    u->fmt = 'a';
    const char *c1 = strchr(arg, ':');
    bool memop = c1 && opts_is_mem(arg, (size_t)(c1 - arg));
    if (!memop) {
        /* "-U file" = flash:w:file:a (also Windows paths like C:\x.hex). */
        if (c1 && c1 - arg > 1 && c1[1] && c1[2] == ':' && strchr("rwv", c1[1])) {
            snprintf(msg, msglen,
                     "-U %s: unknown memory '%.*s' (known: flash, eeprom, lfuse, "
                     "hfuse, efuse, lock, signature, calibration)",
                     arg, (int)(c1 - arg), arg);
            return -1;
        }
        snprintf(u->mem, sizeof u->mem, "flash");
        u->op = CLI_OP_WRITE;
        u->file = strdup(arg);
        return u->file ? 0 : -1;
    }
    snprintf(u->mem, sizeof u->mem, "%.*s", (int)(c1 - arg), arg);
    const char *op = c1 + 1;
    if (!strchr("rwv", op[0]) || op[0] == '\0' || op[1] != ':') {
        snprintf(msg, msglen, "-U %s: the operation must be r, w or v (mem:op:file[:fmt])", arg);
        return -1;
    }
    u->op = (enum cli_op)op[0];
    const char *file = op + 2;
    size_t flen = strlen(file);
    if (flen >= 2 && file[flen - 2] == ':' && isalpha((unsigned char)file[flen - 1])) {
        char f = (char)tolower((unsigned char)file[flen - 1]);
        if (!strchr("airmsehdob", f)) {
            snprintf(msg, msglen,
                     "-U %s: unknown file format '%c' (i = Intel HEX, r = raw "
                     "binary, m = immediate, s = S-record, e = ELF, a = auto; h, d, o, b for "
                     "reading values)",
                     arg, file[flen - 1]);
            return -1;
        }
        u->fmt = f;
        flen -= 2;
    }
    if (flen == 0) {
        snprintf(msg, msglen, "-U %s: no file name", arg);
        return -1;
    }
    u->file = strndup(file, flen);
    return u->file ? 0 : -1;
}

int cli_parse_bitclock(const char *arg, double *period_us)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || v <= 0)
        return -1;
    while (*end == ' ')
        end++;
    if (*end == '\0' || strcasecmp(end, "us") == 0)
        *period_us = v;
    else if (strcasecmp(end, "hz") == 0)
        *period_us = 1e6 / v;
    else if (strcasecmp(end, "khz") == 0)
        *period_us = 1e3 / v;
    else if (strcasecmp(end, "mhz") == 0)
        *period_us = 1.0 / v;
    else
        return -1;
    return 0;
}

enum {
    OPT_FUSES = 1000,
    OPT_UNSAFE_FUSES,
    OPT_BOOTLOADER,
    OPT_JTAG,
    OPT_VERSION,
    OPT_PORTS,
    OPT_BATCH,
    OPT_BATCH_WAIT,
    OPT_LOG,
    OPT_SERIAL,
    OPT_SERIAL_FILE,
    OPT_SERIAL_START,
    OPT_JSON,
    OPT_BACKUP,
    OPT_NO_BACKUP,
    OPT_IDENTIFY,
    OPT_LIST_PORTS,
    OPT_FUSE,
    OPT_QMK,
    OPT_COMPLETE_DATA,
};

/* A switch without a value; false if c is not one. */
static bool cli_parse_flag(struct cli_opts *o, int c)
{
    switch (c) {
    case 's':
        o->opt_s = true;
        return true; /* avrdude's obsolete safemode switches */
    case 'u':
        o->opt_u = true;
        return true;
    case 'e':
        o->erase = true;
        return true;
    case 'D':
        o->no_erase = true;
        return true;
    case 'V':
        o->no_verify = true;
        return true;
    case 'n':
        o->no_write = true;
        return true;
    case 'F':
        o->force = true;
        return true;
    case 'r':
        o->reboot = true; /* -r: reset the board into its bootloader first (ispflash/reboot.h) */
        return true;
    case 'v':
        o->verbose++;
        return true;
    case 'q':
        o->quiet++;
        return true;
    case 'h':
        o->help = true;
        return true;
    case OPT_VERSION:
        o->version = true;
        return true;
    case OPT_FUSES:
        o->list_fuses = true;
        return true;
    case OPT_IDENTIFY:
        o->identify = true;
        return true;
    case OPT_UNSAFE_FUSES:
        o->unsafe_fuses = true;
        return true;
    case OPT_JSON:
        o->json = true;
        return true;
    case OPT_NO_BACKUP:
        o->no_backup = true;
        return true;
    case OPT_LIST_PORTS:
        o->list_ports = true;
        return true;
    case 'N':
        o->no_config = true;
        return true;
    case OPT_COMPLETE_DATA:
        o->complete_data = true;
        return true;
    default:
        return false;
    }
}

/* A production option with a value: 0, 1 if c is not one, -1 with msg. */
static int cli_parse_production(struct cli_opts *o, int c, char *arg, char *msg, size_t msglen)
{
    char *end;
    switch (c) {
    case OPT_PORTS:
        o->ports_file = arg;
        return 0;
    case OPT_BATCH_WAIT:
        if (strcmp(arg, "enter") && strcmp(arg, "target")) {
            snprintf(msg, msglen,
                     "--batch-wait %s: give enter (wait for Enter) or target (watch for the "
                     "next target, the default)",
                     arg);
            return -1;
        }
        o->batch_wait_enter = strcmp(arg, "enter") == 0;
        return 0;
    case OPT_LOG:
        o->board_log = arg;
        return 0;
    case OPT_BACKUP:
        o->backup = arg;
        return 0;
    case OPT_SERIAL:
        o->serial = arg;
        return 0;
    case OPT_SERIAL_FILE:
        o->serial_file = arg;
        return 0;
    case OPT_SERIAL_START:
        errno = 0;
        o->serial_start = strtoull(arg, &end, 0);
        if (errno || end == arg || *end || arg[0] == '-') {
            snprintf(msg, msglen, "--serial-start %s: give a number (e.g. 1000)", arg);
            return -1;
        }
        o->has_serial_start = true;
        return 0;
    default:
        return 1;
    }
}

/* --batch [N]: the count is the next argument when it is a number. */
static int cli_parse_batch(struct cli_opts *o, int argc, char **argv, char *msg, size_t msglen)
{
    o->batch = true;
    if (optind >= argc || !isdigit((unsigned char)argv[optind][0]))
        return 0;
    char *end;
    errno = 0;
    unsigned long n = strtoul(argv[optind], &end, 10);
    if (errno || *end || n == 0 || n > 1000000) {
        snprintf(msg, msglen,
                 "--batch %s: give the number of boards (1 or more), or nothing "
                 "(until Ctrl-C)",
                 argv[optind]);
        return -1;
    }
    o->batch_count = (unsigned)n;
    optind++;
    return 0;
}

/* An option with a value (arg): 0, 1 if c is not one, -1 with msg on a bad value. */
static int cli_parse_value(struct cli_opts *o, int c, char *arg, char *msg, size_t msglen)
{
    char *end;
    switch (c) {
    case 'c':
        o->programmer = arg;
        return 0;
    case 'p':
        o->part = arg;
        return 0;
    case 'P':
        if (o->n_ports == CLI_MAX_PORTS) {
            snprintf(msg, msglen, "too many -P options (at most %d)", CLI_MAX_PORTS);
            return -1;
        }
        if (!o->port)
            o->port = arg;
        o->ports[o->n_ports++] = arg;
        return 0;
    case 'C':
        o->config = arg;
        return 0; /* avrdude's config file: ignored */
    case 'l':
        o->logfile = arg;
        return 0;
    case OPT_BOOTLOADER:
        o->bootloader = arg;
        return 0;
    case 'b':
        errno = 0;
        o->baud = (int)strtol(arg, &end, 10);
        if (!errno && !*end && o->baud > 0)
            return 0;
        snprintf(msg, msglen, "-b %s: the baud rate must be a positive number", arg);
        return -1;
    case 'B':
        if (cli_parse_bitclock(arg, &o->bitclock_us) == 0)
            return 0;
        snprintf(msg, msglen,
                 "-B %s: give the ISP clock period in microseconds (e.g. -B 10) or a "
                 "frequency (-B 125kHz)",
                 arg);
        return -1;
    case 'U':
        if (o->n_uops == CLI_MAX_UOPS) {
            snprintf(msg, msglen, "too many -U options (at most %d)", CLI_MAX_UOPS);
            return -1;
        }
        if (cli_parse_uop(arg, &o->uops[o->n_uops], msg, msglen))
            return -1;
        o->n_uops++;
        return 0;
    case 'x':
        if (o->n_xopts == CLI_MAX_XOPTS) {
            snprintf(msg, msglen, "too many -x options");
            return -1;
        }
        o->xopts[o->n_xopts++] = arg;
        return 0;
    case OPT_FUSE:
        if (o->n_fuse_sets == CLI_MAX_UOPS) {
            snprintf(msg, msglen, "too many --fuse options (at most %d)", CLI_MAX_UOPS);
            return -1;
        }
        o->fuse_sets[o->n_fuse_sets++] = arg;
        return 0;
    case OPT_QMK:
        o->qmk = arg;
        return 0;
    case OPT_JTAG:
        if (strcmp(arg, "on") && strcmp(arg, "off")) {
            snprintf(msg, msglen, "--jtag takes on or off");
            return -1;
        }
        o->jtag = arg;
        return 0;
    default:
        return cli_parse_production(o, c, arg, msg, msglen);
    }
}

int cli_parse(int argc, char **argv, struct cli_opts *o, char *msg, size_t msglen)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"fuses", no_argument, NULL, OPT_FUSES},
        {"unsafe-fuses", no_argument, NULL, OPT_UNSAFE_FUSES},
        {"bootloader", required_argument, NULL, OPT_BOOTLOADER},
        {"jtag", required_argument, NULL, OPT_JTAG},
        {"ports", required_argument, NULL, OPT_PORTS},
        {"batch", no_argument, NULL, OPT_BATCH},
        {"batch-wait", required_argument, NULL, OPT_BATCH_WAIT},
        {"log", required_argument, NULL, OPT_LOG},
        {"serial", required_argument, NULL, OPT_SERIAL},
        {"serial-file", required_argument, NULL, OPT_SERIAL_FILE},
        {"serial-start", required_argument, NULL, OPT_SERIAL_START},
        {"json", no_argument, NULL, OPT_JSON},
        {"backup", required_argument, NULL, OPT_BACKUP},
        {"no-backup", no_argument, NULL, OPT_NO_BACKUP},
        {"identify", no_argument, NULL, OPT_IDENTIFY},
        {"list-ports", no_argument, NULL, OPT_LIST_PORTS},
        {"fuse", required_argument, NULL, OPT_FUSE},
        {"qmk", required_argument, NULL, OPT_QMK},
        {"complete-data", no_argument, NULL, OPT_COMPLETE_DATA},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    msg[0] = '\0';
    optind = 0; /* glibc, musl: a full restart of getopt (1 keeps the last call's place) */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":c:p:P:b:B:U:x:C:l:eDVnFrvqsuNh?", longopts, NULL)) !=
           -1) {
        if (cli_parse_flag(o, c))
            continue;
        if (c == OPT_BATCH) {
            if (cli_parse_batch(o, argc, argv, msg, msglen))
                return -1;
            continue;
        }
        int rc = cli_parse_value(o, c, optarg, msg, msglen);
        if (rc < 0)
            return -1;
        if (rc == 0)
            continue;
        if (c == ':') {
            snprintf(msg, msglen, "option %s needs a value", argv[optind - 1]);
        } else if (c == '?' && optopt == '?') {
            o->help = true;
            continue;
        } else if (c == '?' && optopt == 0) {
            snprintf(msg, msglen, "unknown option %s", argv[optind - 1]);
        } else if (c == '?') {
            snprintf(msg, msglen, "unknown option -%c", optopt);
        } else {
            snprintf(msg, msglen, "unknown option");
        }
        return -1;
    }
    if (optind < argc) {
        snprintf(msg, msglen, "unexpected argument '%s' (files are given with -U)", argv[optind]);
        return -1;
    }
    return 0;
}

void cli_opts_free(struct cli_opts *o)
{
    for (size_t i = 0; i < o->n_uops; i++)
        free(o->uops[i].file);
    o->n_uops = 0;
}
