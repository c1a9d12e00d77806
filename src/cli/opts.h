/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command-line parsing: argv -> struct cli_opts, no I/O, so it can be tested as a
 * table of command lines (tests/unit/test_opts.c).
 */
#ifndef ISPFLASH_CLI_OPTS_H
#define ISPFLASH_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_MAX_UOPS 32
#define CLI_MAX_XOPTS 32
#define CLI_MAX_PORTS 32

enum cli_op { CLI_OP_WRITE = 'w', CLI_OP_READ = 'r', CLI_OP_VERIFY = 'v' };

/* One -U memory operation. */
struct cli_uop {
    char mem[80]; /* memory name as given ("flash", "lfuse"..., "ALL", "flash,eeprom") */
    enum cli_op op;
    char *file; /* file name, "-" for stdin/stdout, or the values for format 'm' */
    char fmt;   /* format letter: 'a' auto (default), 'i', 'r', 'm', 's', 'h', 'd', 'o', 'b' */
    const char *text; /* the -U argument as given, for messages */
};

struct cli_opts {
    const char *programmer;           /* -c */
    const char *part;                 /* -p */
    const char *port;                 /* -P (the first one) */
    const char *ports[CLI_MAX_PORTS]; /* every -P, in order */
    size_t n_ports;
    int baud;           /* -b, 0 = default */
    double bitclock_us; /* -B, 0 = default */
    struct cli_uop uops[CLI_MAX_UOPS];
    size_t n_uops;
    const char *xopts[CLI_MAX_XOPTS];
    size_t n_xopts;
    bool erase;     /* -e */
    bool no_erase;  /* -D */
    bool no_verify; /* -V */
    bool no_write;  /* -n */
    bool force;     /* -F */
    bool reboot;    /* -r: 1200-baud touch on -P, then the bootloader's port */
    int verbose;    /* -v count */
    int quiet;      /* -q count */
    bool help, version;
    bool list_fuses;        /* --fuses: print decoded fuses */
    bool unsafe_fuses;      /* --unsafe-fuses */
    const char *bootloader; /* --bootloader NAME */
    const char *jtag;       /* --jtag on|off */
    const char *logfile;    /* -l FILE: everything written to stderr is appended to FILE */
    const char *config;     /* -C FILE: avrdude's config file, accepted and ignored */
    bool opt_s, opt_u;      /* -s, -u: avrdude's old safemode switches, accepted and ignored */
    /* Production (docs/production.md). */
    const char *ports_file;  /* --ports FILE: one port per line, added to the -P list */
    bool batch;              /* --batch [N] */
    unsigned batch_count;    /* N (0: until Ctrl-C) */
    bool batch_wait_enter;   /* --batch-wait enter (default: watch for the target) */
    const char *board_log;   /* --log FILE (.jsonl: JSON Lines, otherwise CSV) */
    const char *serial;      /* --serial MEM:ADDR:LEN[:FORMAT] */
    const char *serial_file; /* --serial-file FILE */
    bool has_serial_start;   /* --serial-start N */
    unsigned long long serial_start;
    bool json;          /* --json: machine-readable results on standard output */
    const char *backup; /* --backup FILE: the whole chip, before it is overwritten */
    bool no_backup;     /* --no-backup */
    bool identify;      /* --identify: say what is on the chip, write nothing */
    bool list_ports;    /* --list-ports (or -P ?): docs/ports.md */
    /* QMK (docs/qmk.md) */
    const char *fuse_sets[CLI_MAX_UOPS]; /* --fuse FIELD=VALUE, in order ("?" lists) */
    size_t n_fuse_sets;
    const char *qmk; /* --qmk PATH: a QMK keyboard folder gives -p and --bootloader */
    /* Installation (README.md "Install"; docs/ispflash.1 FILES) */
    bool no_config;     /* -N: do not read the configuration file (cli/config.h) */
    bool complete_data; /* --complete-data (hidden): the words shell completion offers */
};

/* Parse argv. Returns 0, or -1 with a message in msg (usage error). Strings in
 * opts point into argv or into allocations released by cli_opts_free. */
int cli_parse(int argc, char **argv, struct cli_opts *opts, char *msg, size_t msglen);
void cli_opts_free(struct cli_opts *opts);

/* Parse a -U argument ("flash:w:file.hex:i", or just "file.hex"). */
int cli_parse_uop(const char *arg, struct cli_uop *u, char *msg, size_t msglen);
/* The -U memory names, i = 0, 1, ...; NULL after the last. */
const char *cli_mem_name_at(size_t i);
/* Parse a -B value: "10" / "10us" (microseconds), "125kHz", "1MHz", "500Hz". */
int cli_parse_bitclock(const char *arg, double *period_us);

#endif
