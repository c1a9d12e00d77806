// SPDX-License-Identifier: GPL-2.0-or-later
/* Preparing each -U before the programmer is opened (prepare.h). */
#include <string.h>

#include "ispflash/log.h"
#include "ispflash/session.h"
#include "prepare.h"

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
    int rc = (fmt == IMAGE_FMT_IMMEDIATE)
                 ? image_parse_immediate(&job->img, u->file, err)
                 : image_load(&job->img, u->file, (enum image_format)fmt, &detected, err);
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
