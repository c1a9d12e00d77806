/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ispflash merge -o OUT.hex [-p PART] [--bootloader NAME | --boot-size N] IN...:
 * several image files joined into one clean Intel HEX file (include/ispflash/merge.h).
 */
#ifndef ISPFLASH_CLI_MERGE_H
#define ISPFLASH_CLI_MERGE_H

extern const char cli_merge_help[];

/* argv[0] is "merge" (the program's own name comes before it and is not passed).
 * Returns the exit code: 0 ok, 1 the output could not be written, 2 usage, 3 input. */
int cli_merge_main(int argc, char **argv);

#endif
