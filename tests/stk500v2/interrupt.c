// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The STK500v2 backend and an interruption request (include/ispflash/interrupt.h),
 * driven through its vtable against the emulator (run by e2e.sh case interrupt):
 *   stk2_interrupt PORT read   - programming mode entered, then a request: the read
 *                                returns ISPF_E_INTERRUPTED without a command, and
 *                                disable() still leaves programming mode.
 *   stk2_interrupt PORT retry  - the programmer goes mute (emulator --opt mute=N)
 *                                and a request comes: the write gives up after one
 *                                attempt instead of three (< 2.5 s, not ~3 s).
 * Prints what it saw; exit 0 when the backend behaved so, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "ispflash/interrupt.h"
#include "ispflash/pgm_ops.h"
#include "programmers/backend.h"

static int check(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAILED", what);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    static struct pgm pgm;
    struct ispf_error err;
    ispf_error_clear(&err);
    pgm.ops = &pgm_stk500v2_ops;
    pgm.entry = pgm_registry_find("stk500v2");
    pgm.cfg.port = argv[1];
    pgm.cfg.part = part_find("m32u4");
    pgm.priv = calloc(1, pgm.ops->priv_size);
    if (!pgm.entry || !pgm.cfg.part || !pgm.priv || pgm.ops->open(&pgm, &err)) {
        printf("open: %s\n", err.msg);
        return 1;
    }
    int bad = 0;
    if (pgm.ops->enable(&pgm, &err)) {
        printf("enable: %s\n", err.msg);
        pgm.ops->close(&pgm);
        return 1;
    }
    uint8_t buf[256];
    memset(buf, 0x5A, sizeof buf);
    if (strcmp(argv[2], "read") == 0) {
        uint64_t before = pgm.stats.commands;
        ispf_interrupt_request();
        int rc = pgm.ops->read_block(&pgm, MEM_FLASH, 0, buf, 4096, &err);
        bad |= check(rc == ISPF_E_INTERRUPTED, "read_block returns ISPF_E_INTERRUPTED");
        bad |= check(pgm.stats.commands == before, "no command sent after the request");
    } else {
        ispf_interrupt_request();
        long long t0 = clock_now_ms();
        int rc = pgm.ops->write_page(&pgm, MEM_FLASH, 0, buf, 128, &err);
        long long ms = clock_now_ms() - t0;
        printf("write_page: rc %d after %lld ms: %s\n", rc, ms, err.msg);
        bad |= check(rc == ISPF_E_INTERRUPTED, "write_page returns ISPF_E_INTERRUPTED");
        bad |= check(ms < 2500, "no retry after the request");
    }
    pgm.ops->disable(&pgm); /* LEAVE_PROGMODE_ISP, sent whatever the flag says */
    pgm.ops->close(&pgm);
    free(pgm.priv);
    return bad;
}
