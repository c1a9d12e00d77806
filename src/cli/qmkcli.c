// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --qmk PATH: see qmkcli.h and include/ispflash/qmk.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "help.h"
#include "ispflash/bootloaders.h"
#include "ispflash/log.h"
#include "ispflash/part.h"
#include "qmkcli.h"

static int qmkcli_usage(const char *msg)
{
    fprintf(stderr, "ispflash: usage error: %s\nRun 'ispflash --help' for the options.\n", msg);
    return EXIT_USAGE;
}

/* The part from the keyboard's MCU, checked against -p. */
static int qmkcli_part(struct cli_opts *o, const struct qmk_board *b, const struct part **out)
{
    char msg[1024];
    *out = o->part ? part_find(o->part) : NULL;
    if (!b->mcu.set) {
        if (o->part)
            return EXIT_OK;
        snprintf(msg, sizeof msg,
                 "--qmk %s: no MCU in the rules.mk, info.json or keyboard.json files of %s: give "
                 "-p PART",
                 o->qmk, b->keyboard);
        return qmkcli_usage(msg);
    }
    ispf_log(ISPF_LOG_INFO, "qmk", "%s: MCU %s", b->mcu.where, b->mcu.value);
    const struct part *qp = part_find(b->mcu.value);
    if (!qp) {
        snprintf(msg, sizeof msg,
                 "--qmk %s: MCU = %s (%s) is not an AVR part ispflash knows (-p ? lists them; "
                 "ARM keyboards are not programmed over ISP)",
                 o->qmk, b->mcu.value, b->mcu.where);
        return qmkcli_usage(msg);
    }
    if (o->part && *out != qp) {
        snprintf(msg, sizeof msg,
                 "-p %s and --qmk %s disagree: the keyboard's MCU is %s (%s); give one of them",
                 o->part, o->qmk, b->mcu.value, b->mcu.where);
        return qmkcli_usage(msg);
    }
    if (!o->part)
        o->part = qp->id;
    *out = qp;
    return EXIT_OK;
}

/* Two bootloader names that choose the same preset on p agree. */
static bool qmkcli_same_bootloader(const char *a, const char *b, const struct part *p)
{
    if (strcasecmp(a, b) == 0)
        return true;
    const struct bootloader_preset *pa = p ? bootloader_find(a, p) : NULL;
    return pa && pa == bootloader_find(b, p);
}

int cli_qmk_apply(struct cli_opts *o, struct qmk_board *b)
{
    struct ispf_error err;
    ispf_error_clear(&err);
    if (qmk_read(o->qmk, b, &err) != ISPF_OK) {
        fprintf(stderr, "ispflash: error: %s\n", err.msg);
        return cli_exit_code(err.code);
    }
    const struct part *p = NULL;
    int code = qmkcli_part(o, b, &p);
    if (code != EXIT_OK)
        return code;
    /* --bootloader ? and --fuse ? list; the keyboard then only gives the part. */
    bool listing = o->bootloader && strcmp(o->bootloader, "?") == 0;
    for (size_t i = 0; i < o->n_fuse_sets; i++)
        listing = listing || strcmp(o->fuse_sets[i], "?") == 0;
    if (listing)
        return EXIT_OK;
    if (!b->bootloader.set) {
        ispf_log(ISPF_LOG_INFO, "qmk",
                 "%s: no BOOTLOADER in its rules.mk, info.json or keyboard.json files",
                 b->keyboard);
        return EXIT_OK;
    }
    const char *preset = qmk_bootloader_preset(b->bootloader.value, p ? p->id : NULL,
                                               b->f_cpu.set ? b->f_cpu.value : NULL);
    if (strcmp(preset, b->bootloader.value) != 0)
        ispf_log(ISPF_LOG_INFO, "qmk", "%s: BOOTLOADER %s with F_CPU = %s (%s): preset %s",
                 b->bootloader.where, b->bootloader.value, b->f_cpu.value, b->f_cpu.where, preset);
    else
        ispf_log(ISPF_LOG_INFO, "qmk", "%s: BOOTLOADER %s", b->bootloader.where,
                 b->bootloader.value);
    if (o->bootloader && !qmkcli_same_bootloader(o->bootloader, preset, p)) {
        char msg[1024];
        snprintf(msg, sizeof msg,
                 "--bootloader %s and --qmk %s disagree: the keyboard's BOOTLOADER is %s (%s); "
                 "give one of them",
                 o->bootloader, o->qmk, b->bootloader.value, b->bootloader.where);
        return qmkcli_usage(msg);
    }
    if (!o->bootloader)
        o->bootloader = preset;
    return EXIT_OK;
}
