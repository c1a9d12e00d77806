// SPDX-License-Identifier: GPL-2.0-or-later
/* Preparing each -U before the programmer is opened (prepare.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ispflash/elf.h"
#include "ispflash/log.h"
#include "ispflash/memfile.h"
#include "ispflash/session.h"
#include "prepare.h"

/* A flash image taken from an ELF file that holds more: say what, and which -U writes
 * it (-U flash writes flash only, as avrdude does). A signature of another part: a
 * warning. */
static void cli_elf_notes(const struct part *part, const struct cli_job *job,
                          const struct cli_uop *u, const struct elf_avr *e)
{
    if (e->has_signature && memcmp(e->signature, part->signature, 3) != 0)
        ispf_log(ISPF_LOG_WARN, "cli",
                 "%s was built for another part: its .signature is %02x %02x %02x, the %s's "
                 "is %02x %02x %02x",
                 u->file, e->signature[0], e->signature[1], e->signature[2], part->name,
                 part->signature[0], part->signature[1], part->signature[2]);
    char others[256];
    if (job->mem != MEM_FLASH || u->op != CLI_OP_WRITE ||
        elf_avr_others(e, job->mem, others, sizeof others) == 0)
        return;
    static const char *const fuse_names[3] = {"lfuse", "hfuse", "efuse"};
    char uops[512] = "";
    size_t n = 0;
    if (!image_empty(&e->eeprom))
        n += (size_t)snprintf(uops + n, sizeof uops - n, " -U eeprom:w:%s", u->file);
    for (unsigned i = 0; i < 3 && n < sizeof uops; i++)
        if (e->has_fuse[i] && part->fuse[i].present)
            n += (size_t)snprintf(uops + n, sizeof uops - n, " -U %s:w:%s", fuse_names[i], u->file);
    if (e->has_lock && n < sizeof uops)
        snprintf(uops + n, sizeof uops - n, " -U lock:w:%s", u->file);
    ispf_log(ISPF_LOG_INFO, "cli", "%s also holds %s: this -U writes flash only%s%s%s", u->file,
             others, n ? ";" : "", n ? uops : "", n ? " writes them" : "");
}

int cli_prepare(const struct part *part, struct cli_job *job, const struct cli_uop *u,
                struct ispf_error *err)
{
    image_init(&job->img);
    job->n_mems = 0;
    int mem = mem_from_name(u->mem);
    if (mem < 0)
        return ispf_fail(err, ISPF_E_USAGE, "-U %s: unknown memory '%s'", u->text, u->mem);
    job->mem = (enum mem_id)mem;
    if (part_mem_size(part, job->mem) == 0)
        return ispf_fail(err, ISPF_E_USAGE, "-U %s: %s has no %s", u->text, part->name,
                         mem_name(job->mem));
    if (u->op == CLI_OP_READ) {
        if (u->fmt == 'a' || strchr("irsmhdob", u->fmt))
            return ISPF_OK;
        return ispf_fail(err, ISPF_E_USAGE, "-U %s: format '%c' cannot be written", u->text,
                         u->fmt);
    }
    if (strchr("hdob", u->fmt))
        return ispf_fail(err, ISPF_E_USAGE, "-U %s: format '%c' is for reading only; use m",
                         u->text, u->fmt);
    int fmt = image_format_from_char(u->fmt);
    if (fmt < 0)
        return ispf_fail(err, ISPF_E_USAGE, "-U %s: unknown format '%c'", u->text, u->fmt);
    enum image_format detected = (enum image_format)fmt;
    struct elf_avr elf;
    elf_avr_init(&elf);
    int rc = (fmt == IMAGE_FMT_IMMEDIATE)
                 ? image_parse_immediate(&job->img, u->file, err)
                 : image_load_mem(&job->img, u->file, (enum image_format)fmt, job->mem, &detected,
                                  &elf, err);
    if (rc == ISPF_OK && detected == IMAGE_FMT_ELF)
        cli_elf_notes(part, job, u, &elf);
    elf_avr_free(&elf);
    if (rc)
        return rc;
    if (fmt == IMAGE_FMT_AUTO)
        ispf_log(ISPF_LOG_DEBUG, "cli", "%s: %s (auto-detected)", u->file,
                 image_format_name(detected));
    if (image_empty(&job->img))
        return ispf_fail(err, ISPF_E_INPUT, "%s: no data to %s", u->file,
                         u->op == CLI_OP_WRITE ? "write" : "verify");
    const char *source = fmt == IMAGE_FMT_IMMEDIATE ? u->text : u->file;
    return session_check_fits(part, job->mem, &job->img, source, err);
}

/* The whole file as one multi-memory image (an ELF file's sections at their
 * avr-gcc addresses). */
static int cli_load_all(const struct cli_uop *u, struct image *all, struct ispf_error *err)
{
    int fmt = image_format_from_char(u->fmt);
    if (fmt < 0 || fmt == IMAGE_FMT_IMMEDIATE || strchr("hdob", u->fmt))
        return ispf_fail(err, ISPF_E_USAGE,
                         "-U %s: a memory list needs a file with addresses (Intel HEX, "
                         "S-record or ELF)",
                         u->text);
    enum image_format detected = (enum image_format)fmt;
    struct elf_avr elf;
    elf_avr_init(&elf);
    int rc = image_load_mem(all, u->file, (enum image_format)fmt, MEM_FLASH, &detected, &elf, err);
    if (rc == ISPF_OK && detected == IMAGE_FMT_ELF) {
        image_clear(all);
        rc = memfile_put(all, MEM_FLASH, &elf.flash, err);
        if (rc == ISPF_OK)
            rc = memfile_put(all, MEM_EEPROM, &elf.eeprom, err);
        for (int i = 0; i < 3 && rc == ISPF_OK; i++)
            if (elf.has_fuse[i])
                rc = image_set(all, MEMFILE_FUSE + (uint32_t)i, elf.fuse[i], err);
        if (rc == ISPF_OK && elf.has_lock)
            rc = image_set(all, MEMFILE_LOCK, elf.lock, err);
    }
    elf_avr_free(&elf);
    return rc;
}

/* A write or verify of a memory list: one job per memory in the file. */
static int cli_prepare_split(const struct part *part, struct cli_job *jobs, size_t max, size_t *n,
                             const struct cli_uop *u, const enum mem_id *mems, size_t nm,
                             struct ispf_error *err)
{
    struct image all;
    image_init(&all);
    int rc = cli_load_all(u, &all, err);
    bool is_all = strcasecmp(u->mem, "all") == 0;
    for (size_t i = 0; i < nm && rc == ISPF_OK; i++) {
        if (*n == max) {
            rc = ispf_fail(err, ISPF_E_USAGE, "-U %s: too many memory operations", u->text);
            break;
        }
        struct cli_job *j = &jobs[*n];
        image_init(&j->img);
        j->mem = mems[i];
        j->n_mems = 0;
        rc = memfile_get(&all, mems[i], part, &j->img, err);
        if (rc) {
            image_free(&j->img);
            break;
        }
        if (image_empty(&j->img)) {
            image_free(&j->img);
            if (!is_all)
                rc = ispf_fail(err, ISPF_E_INPUT, "%s: no %s data (expected at 0x%06x)", u->file,
                               mem_name(mems[i]), memfile_offset(mems[i]));
            continue;
        }
        (*n)++;
        if (rc == ISPF_OK)
            rc = session_check_fits(part, j->mem, &j->img, u->file, err);
    }
    if (rc == ISPF_OK && *n == 0)
        rc = ispf_fail(err, ISPF_E_INPUT, "%s: no data for any memory of the %s", u->file,
                       part->name);
    image_free(&all);
    return rc;
}

int cli_prepare_any(const struct part *part, struct cli_job *jobs, size_t max, size_t *n,
                    const struct cli_uop *u, struct ispf_error *err)
{
    *n = 0;
    if (!memfile_is_list(u->mem)) {
        int rc = cli_prepare(part, &jobs[0], u, err);
        *n = 1;
        return rc;
    }
    enum mem_id mems[MEM__COUNT];
    size_t nm = 0;
    int rc = memfile_parse_list(u->mem, part, mems, MEM__COUNT, &nm, err);
    if (rc)
        return ispf_error_prefix(err, "-U %s", u->text);
    if (u->op != CLI_OP_READ)
        return cli_prepare_split(part, jobs, max, n, u, mems, nm, err);
    struct cli_job *j = &jobs[0];
    image_init(&j->img);
    *n = 1;
    if (!strchr("ais", u->fmt))
        return ispf_fail(err, ISPF_E_USAGE,
                         "-U %s: a memory list is saved as Intel HEX (:i) or S-record (:s), "
                         "each memory at its avr-gcc address",
                         u->text);
    j->mem = mems[0];
    memcpy(j->mems, mems, nm * sizeof mems[0]);
    j->n_mems = nm;
    return ISPF_OK;
}

struct session_config cli_session_config(const struct cli_opts *o, const struct part *part,
                                         const struct pgm_entry *pe)
{
    return (struct session_config){
        .programmer = pe,
        .port = o->port,
        .baud = o->baud,
        .bitclock_us = o->bitclock_us,
        .xopts = o->xopts,
        .n_xopts = o->n_xopts,
        .part = part,
        .force = o->force,
        .no_write = o->no_write,
        .reboot = o->reboot,
    };
}

int cli_prepare_all(const struct cli_opts *o, const struct part *part, struct cli_job *jobs,
                    struct run_op *ops, size_t *njobs, struct ispf_error *err)
{
    int rc = ISPF_OK;
    *njobs = 0;
    for (size_t i = 0; i < o->n_uops && rc == ISPF_OK; i++) {
        const struct cli_uop *u = &o->uops[i];
        size_t got = 0;
        rc = cli_prepare_any(part, &jobs[*njobs], CLI_MAX_UOPS - *njobs, &got, u, err);
        for (size_t k = *njobs; k < *njobs + got; k++)
            ops[k] = (struct run_op){
                .mem = jobs[k].mem,
                .kind = (enum run_kind)u->op,
                .img = &jobs[k].img,
                .file = u->file,
                .fmt = u->fmt,
                .text = u->text,
                .mems = jobs[k].n_mems ? jobs[k].mems : NULL,
                .n_mems = jobs[k].n_mems,
            };
        *njobs += got;
        if (rc == ISPF_OK && *njobs == CLI_MAX_UOPS && i + 1 < o->n_uops)
            rc = ispf_fail(err, ISPF_E_USAGE, "too many memory operations (at most %d)",
                           CLI_MAX_UOPS);
    }
    return rc;
}
