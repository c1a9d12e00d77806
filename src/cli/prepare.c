// SPDX-License-Identifier: GPL-2.0-or-later
/* Preparing each -U before the programmer is opened (prepare.h). */
#include <stdio.h>
#include <string.h>

#include "ispflash/elf.h"
#include "ispflash/log.h"
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
