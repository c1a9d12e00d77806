// SPDX-License-Identifier: GPL-2.0-or-later
/* --identify (include/ispflash/identify.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ispflash/identify.h"
#include "ispflash/log.h"

#define ID_LOG "identify"

/* Append printf-style text to r->problems. */
static void id_say(struct identify_result *r, const char *fmt, ...)
{
    size_t n = strlen(r->problems);
    if (n + 1 >= sizeof r->problems)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->problems + n, sizeof r->problems - n, fmt, ap);
    va_end(ap);
}

/* The preset the fingerprint names, for the part. */
static const struct bootloader_preset *id_preset(const struct identify_result *r)
{
    if (!r->fp || !r->fp->preset[0])
        return NULL;
    return bootloader_find(r->fp->preset, r->part);
}

/* The preset's fuse bytes, with JTAGEN as the chip has it (JTAG on or off is the
 * user's choice for every preset). */
static bool id_preset_fuses(const struct identify_result *r, const struct bootloader_preset *b,
                            uint8_t want[FUSE_NBYTES], bool write[FUSE_NBYTES])
{
    enum mem_id jm;
    const struct fuse_field *jf = part_fuse_field(r->part, "JTAGEN", &jm);
    enum bootloader_jtag jtag = BOOTLOADER_JTAG_TABLE;
    if (jf)
        jtag = fuse_flag_programmed(jf, r->fuse[fuse_index(jm)]) ? BOOTLOADER_JTAG_ON
                                                                 : BOOTLOADER_JTAG_OFF;
    struct ispf_error e;
    ispf_error_clear(&e);
    memcpy(want, r->fuse, FUSE_NBYTES);
    if (bootloader_fuses(b, r->part, jtag, write, want, &e) != ISPF_OK)
        return false;
    for (int i = 0; i < FUSE_NBYTES; i++)
        if (!write[i])
            want[i] = r->fuse[i];
    return true;
}

/* The boot-section sentences: BOOTRST, BOOTSZ, HWBE against the preset. */
static void id_judge_boot(struct identify_result *r, const struct fuse_boot *want, const char *bl)
{
    const struct fuse_boot *got = &r->boot;
    uint32_t start = r->fp->start;
    if (want->bootrst && !got->bootrst)
        id_say(r,
               "%s found, but BOOTRST is not set: the chip starts the application, not the "
               "bootloader, after reset\n",
               bl);
    else if (!want->bootrst && got->bootrst)
        id_say(r,
               "%s found, but BOOTRST is set although its preset leaves it off: reset always "
               "jumps to 0x%05X, never straight into the application\n",
               bl, got->start);
    if (got->start != start) {
        id_say(r,
               "%s found at 0x%05X, but BOOTSZ selects the boot section 0x%05X-0x%05X (%u "
               "bytes)",
               bl, start, got->start, r->part->flash_size - 1, got->size);
        if (got->bootrst)
            id_say(r, ": reset jumps to 0x%05X, not to the bootloader's start", got->start);
        if (got->start > start)
            id_say(r,
                   "%s its code below 0x%05X lies in the application section, where it "
                   "cannot write flash",
                   got->bootrst ? ", and" : ":", got->start);
        id_say(r, "\n");
    }
    if (want->has_hwbe && want->hwbe && !got->hwbe)
        id_say(r,
               "%s found, but HWBE is not set: holding HWB low during reset does not start "
               "the bootloader\n",
               bl);
}

void identify_judge(struct identify_result *r)
{
    const struct part *p = r->part;
    r->preset = id_preset(r);
    r->fuses_ok = false;
    if (!r->fuses_read)
        return;
    fuse_boot_config(p, r->fuse, &r->boot);
    uint8_t want[FUSE_NBYTES];
    bool write[FUSE_NBYTES];
    if (r->kind != IDENTIFY_BOOTLOADER || !r->preset || !id_preset_fuses(r, r->preset, want, write))
        return;
    char bl[160];
    fp_describe(r->fp, bl, sizeof bl);
    struct fuse_boot wb;
    fuse_boot_config(p, want, &wb);
    if (r->boot.has_boot)
        id_judge_boot(r, &wb, bl);
    for (int i = 0; i < FUSE_NBYTES; i++) {
        char diff[1024];
        if (!write[i] || !r->fuse_present[i])
            continue;
        int n = fuse_diff(p, fuse_mem(i), r->fuse[i], want[i], "  ", diff, sizeof diff);
        if (n > 0)
            id_say(r, "%s is 0x%02X, the %s preset has 0x%02X:\n%s%s", mem_name(fuse_mem(i)),
                   r->fuse[i], r->preset->name, want[i], diff,
                   diff[0] && diff[strlen(diff) - 1] == '\n' ? "" : "\n");
    }
    r->fuses_ok = r->problems[0] == '\0';
}

static int id_read_fuses(struct session *s, struct identify_result *r, struct ispf_error *err)
{
    for (int i = 0; i < FUSE_NBYTES; i++) {
        const struct fuse_byte *fb = part_fuse(r->part, fuse_mem(i));
        r->fuse[i] = 0xFF;
        r->fuse_present[i] = fb && fb->present;
        if (!r->fuse_present[i])
            continue;
        int rc = session_read_fuse(s, fuse_mem(i), &r->fuse[i], err);
        if (rc == ISPF_E_UNSUPPORTED) {
            /* A bootloader as programmer (-c arduino) reads flash, not fuses. */
            snprintf(r->fuses_why, sizeof r->fuses_why, "%.150s", err->msg);
            ispf_error_clear(err);
            memset(r->fuse, 0xFF, sizeof r->fuse);
            return ISPF_OK;
        }
        if (rc)
            return rc;
    }
    r->fuses_read = true;
    /* LB2 programmed (lock mode 3): flash reads back as nothing useful. */
    r->locked = r->fuse_present[3] && !(r->fuse[3] & 0x02);
    return ISPF_OK;
}

/* The top of flash, one boot-section size at a time (smallest first), until a
 * fingerprint matches; then what the largest section read holds. */
static int id_read_top(struct session *s, struct identify_result *r, struct ispf_error *err)
{
    const struct part *p = r->part;
    uint32_t end = p->flash_size, largest = p->boot_sections[p->n_boot_sections - 1].size;
    uint32_t low = end - largest, base = end;
    uint8_t *buf = malloc(largest);
    if (!buf)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    int rc = ISPF_OK;
    for (unsigned k = 0; k < p->n_boot_sections && !r->fp; k++) {
        uint32_t from = p->boot_sections[k].start;
        if (from >= base)
            continue;
        rc = session_read_range(s, MEM_FLASH, from, buf + (from - low), base - from, err);
        if (rc)
            break;
        r->flash_read += base - from;
        base = from;
        r->fp = fp_match(buf + (base - low), base, end, p);
    }
    if (rc == ISPF_OK) {
        bool any = fp_code_range(buf + (base - low), base, end, &r->code_lo, &r->code_hi);
        r->kind = r->fp ? IDENTIFY_BOOTLOADER : any ? IDENTIFY_UNKNOWN : IDENTIFY_EMPTY;
        r->code_may_continue = any && !r->fp && r->code_lo == base;
    }
    free(buf);
    return rc;
}

int identify_chip(struct session *s, const struct part *p, struct identify_result *out,
                  struct ispf_error *err)
{
    memset(out, 0, sizeof *out);
    out->part = p;
    memcpy(out->sig, session_signature(s), 3);
    int rc = id_read_fuses(s, out, err);
    if (rc)
        return rc;
    uint8_t head[IDENTIFY_APP_BYTES];
    rc = session_read_range(s, MEM_FLASH, 0, head, sizeof head, err);
    if (rc)
        return rc;
    out->flash_read = sizeof head;
    for (size_t i = 0; i < sizeof head; i++)
        out->app_present = out->app_present || head[i] != 0xFF;
    if (p->n_boot_sections == 0)
        out->kind = IDENTIFY_NO_BOOT;
    else if ((rc = id_read_top(s, out, err)) != ISPF_OK)
        return rc;
    ispf_log(ISPF_LOG_DEBUG, ID_LOG, "%u bytes of flash read", (unsigned)out->flash_read);
    identify_judge(out);
    return ISPF_OK;
}
