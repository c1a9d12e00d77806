/* SPDX-License-Identifier: GPL-2.0-or-later */
/* -P ? / --list-ports: what is plugged in, what it probably is, the -c and -P to use. */
#ifndef ISPFLASH_CLI_LISTPORTS_H
#define ISPFLASH_CLI_LISTPORTS_H

/* Print the listing on standard output; returns the exit code. */
int cli_list_ports(void);

#endif
