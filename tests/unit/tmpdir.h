/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A temporary directory for one cmocka test program: setup_tmp / teardown_tmp as the
 * group's setup and teardown, tmp_path(NAME) for a file in it. Define TMPDIR_PREFIX
 * (e.g. "test_image") before including.
 */
#ifndef ISPF_TEST_TMPDIR_H
#define ISPF_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

static char tmpdir[256];

static int setup_tmp(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/%s.XXXXXX", t && *t ? t : "/tmp", TMPDIR_PREFIX);
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* tmpdir/name, in one of four rotating buffers (several may be in use at once). */
static const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

#endif
