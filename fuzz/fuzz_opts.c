// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The command line (src/cli/opts.c): argv is the input split at NUL bytes (argv[0] is
 * "ispflash"). First byte 'U': the input is one -U argument (cli_parse_uop) instead.
 * opts.c does no I/O (only snprintf into msg; getopt_long runs with opterr = 0, so it
 * prints nothing). Asserts: a rejected command line has a message; an accepted one has
 * consistent counts, each -U has a memory name, a file and a known format letter; the
 * same command line parsed twice gives the same result (getopt's state is restarted).
 */
#include "cli/opts.h"
#include "fuzz.h"

#define FUZZ_MAX_ARGS 256

static void check_uop(const struct cli_uop *u)
{
    FUZZ_CHECK(memchr(u->mem, '\0', sizeof u->mem) != NULL);
    FUZZ_CHECK(u->file != NULL);
    FUZZ_CHECK(strchr("airmsehdob", u->fmt) != NULL && u->fmt != '\0'); /* opts.c's list */
    FUZZ_CHECK(u->op == CLI_OP_READ || u->op == CLI_OP_WRITE || u->op == CLI_OP_VERIFY);
}

static void one_uop(const uint8_t *data, size_t size)
{
    char *arg = fuzz_strdup(data, size);
    struct cli_uop u;
    char msg[512];
    memset(&u, 0, sizeof u);
    msg[0] = '\0';
    int rc = cli_parse_uop(arg, &u, msg, sizeof msg);
    if (rc == 0)
        check_uop(&u);
    else
        FUZZ_CHECK(msg[0] != '\0');
    free(u.file);
    free(arg);
}

/* One parse of argv built from data (its own copy, freed after): rc, and msg. */
static int parse_once(const uint8_t *data, size_t size, char *msg, size_t msglen)
{
    char *buf = fuzz_strdup(data, size);
    char *argv[FUZZ_MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = (char *)"ispflash";
    for (size_t i = 0; i < size && argc < FUZZ_MAX_ARGS;) {
        argv[argc++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    argv[argc] = NULL;
    struct cli_opts o;
    int rc = cli_parse(argc, argv, &o, msg, msglen);
    if (rc != 0) {
        FUZZ_CHECK(rc == -1);
        FUZZ_CHECK(msg[0] != '\0');
    } else {
        FUZZ_CHECK(o.n_uops <= CLI_MAX_UOPS);
        FUZZ_CHECK(o.n_xopts <= CLI_MAX_XOPTS);
        for (size_t i = 0; i < o.n_uops; i++)
            check_uop(&o.uops[i]);
    }
    cli_opts_free(&o);
    free(buf);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    if (size > 8192)
        return 0;
    if (size > 0 && data[0] == 'U') {
        one_uop(data + 1, size - 1);
        return 0;
    }
    /* Twice, each on its own copy: the second parse must not depend on the first
     * (getopt's state kept a pointer into the first argv: docs/fuzzing.md). */
    char msg1[512], msg2[512];
    int rc1 = parse_once(data, size, msg1, sizeof msg1);
    int rc2 = parse_once(data, size, msg2, sizeof msg2);
    FUZZ_CHECK(rc1 == rc2);
    FUZZ_CHECK(strcmp(msg1, msg2) == 0);
    return 0;
}
