// SPDX-License-Identifier: GPL-2.0-or-later
/* --identify (identify.h): open, identify_chip, print, close. */
#include <stdio.h>
#include <string.h>

#include "help.h"
#include "identify.h"
#include "prepare.h"
#include "ispflash/error.h"
#include "ispflash/fingerprint.h"
#include "ispflash/identify.h"
#include "ispflash/log.h"
#include "ispflash/session.h"

static void id_print_fuses(const struct identify_result *r)
{
    static const char *const names[FUSE_NBYTES] = {"lfuse", "hfuse", "efuse", "lock"};
    if (!r->fuses_read) {
        printf("fuses:       not readable with this programmer (%s)\n", r->fuses_why);
        return;
    }
    printf("fuses:       ");
    for (int i = 0; i < FUSE_NBYTES; i++)
        if (r->fuse_present[i])
            printf("%s 0x%02X%s", names[i], r->fuse[i], i < FUSE_NBYTES - 1 ? ", " : "");
    printf("\n");
    const struct fuse_boot *b = &r->boot;
    if (b->has_boot) {
        printf("boot:        BOOTSZ selects 0x%05X-0x%05X (%u bytes); ", b->start,
               r->part->flash_size - 1, b->size);
        if (b->bootrst)
            printf("BOOTRST set: reset starts the bootloader at 0x%05X", b->start);
        else
            printf("BOOTRST not set: reset starts the application at 0x0000");
        if (b->has_hwbe)
            printf("; HWBE %s", b->hwbe ? "set (HWB low at reset starts the bootloader)" : "off");
        printf("\n");
    }
    if (r->locked)
        printf("lock:        the lock bits forbid reading flash over ISP: what follows "
               "describes what the chip returns, not what it holds (a chip erase clears them)\n");
}

static void id_print_flash(const struct identify_result *r)
{
    char desc[200];
    uint32_t top =
        r->part->n_boot_sections ? r->part->boot_sections[r->part->n_boot_sections - 1].size : 0;
    switch (r->kind) {
    case IDENTIFY_BOOTLOADER:
        fp_describe(r->fp, desc, sizeof desc);
        printf("bootloader:  %s at 0x%05X-0x%05X (%u bytes)\n", desc, r->code_lo, r->code_hi,
               r->code_hi - r->code_lo + 1);
        break;
    case IDENTIFY_UNKNOWN:
        printf("bootloader:  none known: unknown code at 0x%05X-0x%05X (%u bytes) in the top "
               "%u bytes of flash%s\n",
               r->code_lo, r->code_hi, r->code_hi - r->code_lo + 1, top,
               r->code_may_continue ? " (it reaches the bottom of the largest boot section "
                                      "and may go on below)"
                                    : "");
        break;
    case IDENTIFY_EMPTY:
        printf("bootloader:  none: the top %u bytes of flash are empty (0xFF)\n", top);
        break;
    case IDENTIFY_NO_BOOT:
        printf("bootloader:  the %s has no boot section\n", r->part->name);
        break;
    }
    printf("application: %s\n", r->app_present ? "present (flash at 0x0000 is not erased)"
                                               : "none (flash at 0x0000 is erased)");
    if (r->kind == IDENTIFY_EMPTY && !r->app_present)
        printf("chip:        empty (the bytes read are all 0xFF)\n");
}

/* The preset check and the command that fixes the fuses. */
static void id_print_verdict(const struct cli_opts *o, const struct identify_result *r)
{
    if (r->kind != IDENTIFY_BOOTLOADER)
        return;
    if (!r->fuses_read) {
        printf("fuses check: not done: the fuses could not be read (an ISP programmer can)\n");
        return;
    }
    if (!r->preset) {
        printf("fuses check: no --bootloader preset for %s on the %s: fuses not checked\n",
               r->fp->name, r->part->name);
        return;
    }
    if (r->fuses_ok) {
        printf("fuses check: the fuses agree with the %s preset\n", r->preset->name);
        return;
    }
    const char *p = r->problems;
    while (*p) {
        size_t l = strcspn(p, "\n");
        printf("%s%.*s\n", *p == ' ' ? "             " : "problem:     ", (int)l, p);
        p += l + (p[l] == '\n');
    }
    printf("fix:         ispflash -c %s%s%s -p %s --bootloader %s\n", o->programmer,
           o->port ? " -P " : "", o->port ? o->port : "", r->part->id, r->preset->name);
}

int cli_identify(const struct cli_opts *o, const struct part *part, const struct pgm_entry *pe)
{
    if (o->n_uops || o->erase || o->bootloader || o->jtag || o->batch || o->list_fuses || o->json)
        return fprintf(stderr, "ispflash: usage error: --identify only reads: it does not go "
                               "with -U, -e, --bootloader, --jtag, --fuses, --batch or --json\n"),
               EXIT_USAGE;
    struct session_config cfg = cli_session_config(o, part, pe);
    cfg.no_write = true;
    struct ispf_error err;
    ispf_error_clear(&err);
    struct session *s = NULL;
    struct identify_result r;
    int rc = session_open(&s, &cfg, &err);
    if (rc == ISPF_OK)
        rc = identify_chip(s, part, &r, &err);
    if (s) {
        uint64_t tx, rx, cmds;
        session_stats(s, &tx, &rx, &cmds);
        ispf_log(ISPF_LOG_DEBUG, pe->id, "%llu bytes sent, %llu received, %llu commands",
                 (unsigned long long)tx, (unsigned long long)rx, (unsigned long long)cmds);
    }
    session_close(s);
    if (rc) {
        fprintf(stderr, "ispflash: error: %s\n", err.msg);
        return cli_exit_code(err.code);
    }
    printf("signature:   %02x %02x %02x (%s)\n", r.sig[0], r.sig[1], r.sig[2], part->name);
    id_print_fuses(&r);
    id_print_flash(&r);
    id_print_verdict(o, &r);
    return EXIT_OK;
}
