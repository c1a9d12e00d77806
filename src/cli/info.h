/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ispflash info FILE... [-p PART] [--bootloader NAME]: what image files hold
 * (segments, the bootloader by fingerprint, an application), without a programmer.
 */
#ifndef ISPFLASH_CLI_INFO_H
#define ISPFLASH_CLI_INFO_H

extern const char cli_info_help[];

/* argv[0] is "info". Returns the exit code: 0 ok, 2 usage, 3 a file cannot be read,
 * does not fit the part, or disagrees with the --bootloader preset. */
int cli_info_main(int argc, char **argv);

#endif
