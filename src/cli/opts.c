// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opts.h"

static const char *const opts_mem_names[] = {
    "flash",    "eeprom",    "lfuse",       "hfuse",   "efuse", "lock",
    "lockbits", "signature", "calibration", "fuse0",   "fuse1", "fuse2",
    "fuse",     "lowfuse",   "highfuse",    "extfuse", NULL,
};

static bool opts_is_mem(const char *s, size_t len)
{
    for (size_t i = 0; opts_mem_names[i]; i++)
        if (strlen(opts_mem_names[i]) == len && strncasecmp(s, opts_mem_names[i], len) == 0)
            return true;
    return false;
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
        if (!strchr("airmshdob", f)) {
            snprintf(msg, msglen,
                     "-U %s: unknown file format '%c' (i = Intel HEX, r = raw "
                     "binary, m = immediate, s = S-record, a = auto; h, d, o, b for reading "
                     "values)",
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
};

int cli_parse(int argc, char **argv, struct cli_opts *o, char *msg, size_t msglen)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"fuses", no_argument, NULL, OPT_FUSES},
        {"unsafe-fuses", no_argument, NULL, OPT_UNSAFE_FUSES},
        {"bootloader", required_argument, NULL, OPT_BOOTLOADER},
        {"jtag", required_argument, NULL, OPT_JTAG},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    msg[0] = '\0';
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":c:p:P:b:B:U:x:C:l:eDVnFvqsuh?", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'c':
            o->programmer = optarg;
            break;
        case 'p':
            o->part = optarg;
            break;
        case 'P':
            o->port = optarg;
            break;
        case 'b':
            errno = 0;
            o->baud = (int)strtol(optarg, &end, 10);
            if (errno || *end || o->baud <= 0) {
                snprintf(msg, msglen, "-b %s: the baud rate must be a positive number", optarg);
                return -1;
            }
            break;
        case 'B':
            if (cli_parse_bitclock(optarg, &o->bitclock_us)) {
                snprintf(msg, msglen,
                         "-B %s: give the ISP clock period in microseconds (e.g. "
                         "-B 10) or a frequency (-B 125kHz)",
                         optarg);
                return -1;
            }
            break;
        case 'U':
            if (o->n_uops == CLI_MAX_UOPS) {
                snprintf(msg, msglen, "too many -U options (at most %d)", CLI_MAX_UOPS);
                return -1;
            }
            if (cli_parse_uop(optarg, &o->uops[o->n_uops], msg, msglen))
                return -1;
            o->n_uops++;
            break;
        case 'x':
            if (o->n_xopts == CLI_MAX_XOPTS) {
                snprintf(msg, msglen, "too many -x options");
                return -1;
            }
            o->xopts[o->n_xopts++] = optarg;
            break;
        case 'C':
            o->config = optarg;
            break; /* avrdude's config file: ignored */
        case 'l':
            o->logfile = optarg;
            break;
        case 's':
            o->opt_s = true;
            break; /* avrdude's obsolete safemode switches */
        case 'u':
            o->opt_u = true;
            break;
        case 'e':
            o->erase = true;
            break;
        case 'D':
            o->no_erase = true;
            break;
        case 'V':
            o->no_verify = true;
            break;
        case 'n':
            o->no_write = true;
            break;
        case 'F':
            o->force = true;
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
        case OPT_VERSION:
            o->version = true;
            break;
        case OPT_FUSES:
            o->list_fuses = true;
            break;
        case OPT_UNSAFE_FUSES:
            o->unsafe_fuses = true;
            break;
        case OPT_BOOTLOADER:
            o->bootloader = optarg;
            break;
        case OPT_JTAG:
            if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
                snprintf(msg, msglen, "--jtag takes on or off");
                return -1;
            }
            o->jtag = optarg;
            break;
        case ':':
            snprintf(msg, msglen, "option %s needs a value", argv[optind - 1]);
            return -1;
        case '?':
            if (optopt == '?' || optopt == 0) {
                if (optopt == '?') {
                    o->help = true;
                    break;
                }
                snprintf(msg, msglen, "unknown option %s", argv[optind - 1]);
                return -1;
            }
            snprintf(msg, msglen, "unknown option -%c", optopt);
            return -1;
        default:
            snprintf(msg, msglen, "unknown option");
            return -1;
        }
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
