/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user's configuration file, like avrdude's ~/.avrduderc: defaults a shop sets
 * once. $XDG_CONFIG_HOME/ispflash/config (default ~/.config/ispflash/config), lines
 * "key = value" with keys programmer, port, baud, bitclock and part; '#' starts a
 * comment. The command line overrides it; -N ignores it (docs/ispflash.1, FILES).
 */
#ifndef ISPFLASH_CLI_CONFIG_H
#define ISPFLASH_CLI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "opts.h"

#define CLI_CONFIG_VALUE 256
#define CLI_CONFIG_PATH 4096

struct cli_config {
    char path[CLI_CONFIG_PATH]; /* the file looked for ("" if no home is known) */
    bool loaded;                /* it existed and was read */
    char programmer[CLI_CONFIG_VALUE], port[CLI_CONFIG_VALUE], part[CLI_CONFIG_VALUE];
    int baud;           /* 0: not set */
    double bitclock_us; /* 0: not set */
};

/* The file's path from the environment (XDG_CONFIG_HOME, else HOME/.config).
 * Returns 0, or -1 when neither is set (no configuration file then). */
int cli_config_path(char *buf, size_t size);

/* Parse the text of a configuration file (path: for messages). Returns 0, or -1 with
 * "PATH:LINE: why" in msg. */
int cli_config_parse(struct cli_config *c, const char *text, const char *path, char *msg,
                     size_t msglen);

/* Read and parse the file at c->path (set it first, e.g. with cli_config_path). A
 * missing file is no error (c->loaded stays false). Returns 0, or -1 with msg. */
int cli_config_load(struct cli_config *c, char *msg, size_t msglen);

/* Fill what the command line left unset. port and baud belong to the configured
 * programmer: they apply only when -c is not given or names that programmer. */
void cli_config_apply(const struct cli_config *c, struct cli_opts *o);

#endif
