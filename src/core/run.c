// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One run: the --bootloader / --jtag fuse values, connect, the fuse plan (guards,
 * image <-> fuse checks, write order), erase, the memory operations, --fuses, close.
 * See include/ispflash/run.h. Talks to the user only through ispf_log().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/atomic_file.h"
#include "ispflash/backup.h"
#include "ispflash/memfile.h"
#include "ispflash/interrupt.h"
#include "ispflash/fusefield.h"
#include "ispflash/log.h"
#include "ispflash/memmap.h"
#include "ispflash/run.h"

#define RUN_LOG "run"
#define RUN_MAX_JOBS (RUN_MAX_OPS + FUSE_NBYTES)

/* One operation of the run: a run_op of the client, or a fuse write of
 * --bootloader / --jtag. */
struct run_job {
    enum mem_id mem;
    enum run_kind kind;
    const struct image *img; /* write/verify: the client's image, or &own */
    const char *file;
    char fmt;
    const char *text;
    const enum mem_id *mems; /* a read of a memory list (NULL: just mem) */
    size_t n_mems;
    struct image own;  /* reads; fuse writes whose value the run sets */
    char text_buf[96]; /* text of a preset fuse write ("--bootloader x (hfuse)") */
    char value_buf[8]; /* its value as immediate text ("0xD9") */
    /* --jtag / --fuse without another write of the byte: the value is the chip's with
     * the bits of mod_mask set to mod_bits (filled in once the fuses are read). */
    bool from_chip;
    uint8_t mod_mask, mod_bits;
};

struct run {
    const struct run_spec *spec;
    const struct part *part;
    struct run_job jobs[RUN_MAX_JOBS];
    size_t njobs;
    bool writes_flash;
    size_t order[RUN_MAX_JOBS];
    size_t norder;
    bool planned;  /* the fuse plan passed (the programmer's counters are then logged) */
    bool have_cur; /* cur holds the chip's fuse bytes (read by the fuse plan) */
    uint8_t cur[FUSE_NBYTES];
};

/* A multi-line text from the fuse checks, one log line each. */
static void run_log_lines(enum ispf_log_level level, const char *text)
{
    const char *s = text;
    while (s && *s) {
        size_t l = strcspn(s, "\n");
        ispf_log(level, "fuse", "%.*s", (int)l, s);
        s += l;
        if (*s == '\n')
            s++;
    }
}

static const char *run_jtag_word(enum bootloader_jtag j)
{
    return j == BOOTLOADER_JTAG_OFF ? "off" : "on";
}

static bool run_is_fuse_write(const struct run_job *j)
{
    return mem_is_fuse(j->mem) && j->kind == RUN_WRITE;
}

/* Give a fuse write the value v (in the job's own one-byte image). */
static int run_job_set_value(struct run_job *j, uint8_t v, struct ispf_error *err)
{
    image_clear(&j->own);
    j->img = &j->own;
    return image_set(&j->own, 0, v, err);
}

static int run_add_fuse_job(struct run *r, enum mem_id mem, uint8_t val, const char *why,
                            struct ispf_error *err)
{
    for (size_t i = 0; i < r->njobs; i++)
        if (r->jobs[i].mem == mem && run_is_fuse_write(&r->jobs[i]))
            return ispf_fail(err, ISPF_E_USAGE, "%s sets %s, and so does -U %s: give one of them",
                             why, mem_name(mem), r->jobs[i].text);
    struct run_job *j = &r->jobs[r->njobs++];
    j->mem = mem;
    j->kind = RUN_WRITE;
    j->fmt = 'm';
    snprintf(j->text_buf, sizeof j->text_buf, "%s (%s)", why, mem_name(mem));
    snprintf(j->value_buf, sizeof j->value_buf, "0x%02X", val);
    j->text = j->text_buf;
    j->file = j->value_buf;
    return run_job_set_value(j, val, err);
}

/* Some bits of one fuse byte changed (--jtag, --fuse): in every write of that byte the
 * run has, or else in a write of the chip's value (run_fuse_plan fills it in). */
static int run_modify_fuse(struct run *r, enum mem_id mem, uint8_t mask, uint8_t bits,
                           const char *why, struct ispf_error *err)
{
    bool found = false;
    for (size_t i = 0; i < r->njobs; i++) {
        struct run_job *j = &r->jobs[i];
        if (j->mem != mem || !run_is_fuse_write(j))
            continue;
        found = true;
        if (j->from_chip) {
            j->mod_mask |= mask;
            j->mod_bits = (uint8_t)((j->mod_bits & (uint8_t)~mask) | bits);
            size_t l = strlen(j->text_buf), sl = strlen(mem_name(mem)) + 3;
            char head[96];
            snprintf(head, sizeof head, "%.*s", (int)(l > sl ? l - sl : l), j->text_buf);
            int n =
                snprintf(j->text_buf, sizeof j->text_buf, "%s, %s (%s)", head, why, mem_name(mem));
            if (n >= (int)sizeof j->text_buf) /* too long: keep the start */
                j->text_buf[sizeof j->text_buf - 1] = '\0';
            continue;
        }
        uint8_t v = image_get(j->img, 0, 0xFF);
        int rc = run_job_set_value(j, (uint8_t)((v & (uint8_t)~mask) | bits), err);
        if (rc)
            return rc;
    }
    if (found)
        return ISPF_OK;
    size_t k = r->njobs;
    int rc = run_add_fuse_job(r, mem, 0xFF, why, err);
    if (rc)
        return rc;
    r->jobs[k].from_chip = true;
    r->jobs[k].mod_mask = mask;
    r->jobs[k].mod_bits = bits;
    return ISPF_OK;
}

/* --fuse FIELD=VALUE, each applied to its byte; the same field twice with two values
 * is a usage error. */
static int run_fuse_sets(struct run *r, struct ispf_error *err)
{
    const struct run_spec *sp = r->spec;
    struct fusefield_set set[RUN_MAX_OPS];
    if (sp->n_fuse_sets > RUN_MAX_OPS)
        return ispf_fail(err, ISPF_E_USAGE, "too many --fuse options (at most %d)", RUN_MAX_OPS);
    for (size_t i = 0; i < sp->n_fuse_sets; i++) {
        int rc = fusefield_parse(r->part, sp->fuse_sets[i], &set[i], err);
        if (rc)
            return rc;
        for (size_t k = 0; k < i; k++)
            if (set[k].field == set[i].field && set[k].bits != set[i].bits)
                return ispf_fail(err, ISPF_E_USAGE, "--fuse %s and --fuse %s: give one value",
                                 sp->fuse_sets[k], sp->fuse_sets[i]);
        char why[80];
        snprintf(why, sizeof why, "--fuse %s", sp->fuse_sets[i]);
        rc = run_modify_fuse(r, set[i].mem, set[i].mask, set[i].bits, why, err);
        if (rc)
            return rc;
    }
    return ISPF_OK;
}

/* The fuse writes asked for with --bootloader / --jtag become jobs like the client's. */
static int run_fuse_jobs(struct run *r, struct ispf_error *err)
{
    const struct run_spec *sp = r->spec;
    const struct part *part = r->part;
    enum bootloader_jtag jtag = sp->jtag;
    if (sp->bootloader) {
        const struct bootloader_preset *b = bootloader_find(sp->bootloader, part);
        const char *refusal = b ? NULL : bootloader_refusal(sp->bootloader, part);
        if (refusal)
            return ispf_fail(err, ISPF_E_USAGE, "--bootloader %s on the %s: %s", sp->bootloader,
                             part->name, refusal);
        if (!b) {
            char names[512];
            bootloader_names_for_part(part, names, sizeof names);
            if (names[0])
                return ispf_fail(err, ISPF_E_USAGE,
                                 "--bootloader %s: no such preset for the %s; presets for it: "
                                 "%s (--bootloader ? lists all)",
                                 sp->bootloader, part->name, names);
            return ispf_fail(err, ISPF_E_USAGE,
                             "--bootloader %s: there are no bootloader presets for the %s%s "
                             "(--bootloader ? lists them per MCU)",
                             sp->bootloader, part->name,
                             bootloader_name_known(sp->bootloader) ? ", only for other MCUs" : "");
        }
        bool w[FUSE_NBYTES];
        uint8_t v[FUSE_NBYTES];
        int rc = bootloader_fuses(b, part, jtag, w, v, err);
        if (rc)
            return rc;
        char why[64];
        snprintf(why, sizeof why, "--bootloader %s", b->name);
        for (int i = 0; i < FUSE_NBYTES && rc == ISPF_OK; i++)
            if (w[i])
                rc = run_add_fuse_job(r, fuse_mem(i), v[i], why, err);
        if (rc)
            return rc;
        if (strcasecmp(sp->bootloader, b->name) != 0)
            ispf_log(ISPF_LOG_INFO, RUN_LOG, "--bootloader %s: the %s preset%s", sp->bootloader,
                     b->name,
                     strncmp(b->name, "caterina-", 9) == 0
                         ? " (other Caterina boards: --bootloader ? lists them)"
                         : "");
        ispf_log(ISPF_LOG_INFO, RUN_LOG, "--bootloader %s: %s for the %s, USB %s", b->name, b->desc,
                 part->name, b->usb_id);
        if (!r->writes_flash)
            ispf_log(ISPF_LOG_INFO, RUN_LOG,
                     "--bootloader sets the fuses only; add -U FILE to "
                     "write the bootloader in the same run");
        return ISPF_OK;
    }
    if (jtag == BOOTLOADER_JTAG_TABLE)
        return ISPF_OK;
    enum mem_id mem;
    const struct fuse_field *f = part_fuse_field(part, "JTAGEN", &mem);
    if (!f)
        return ispf_fail(err, ISPF_E_USAGE, "--jtag: the %s has no JTAG interface (no JTAGEN fuse)",
                         part->name);
    char why[32];
    snprintf(why, sizeof why, "--jtag %s", run_jtag_word(jtag));
    /* JTAGEN is active-low: programmed (0) = JTAG on. */
    return run_modify_fuse(r, mem, f->mask, jtag == BOOTLOADER_JTAG_ON ? 0 : f->mask, why, err);
}

/* Every fuse and lock byte the part has (0xFF where absent). */
static int run_read_fuses(struct session *s, const struct part *p, uint8_t cur[FUSE_NBYTES],
                          struct ispf_error *err)
{
    for (int i = 0; i < FUSE_NBYTES; i++) {
        cur[i] = 0xFF;
        if (!p->fuse[i].present)
            continue;
        int rc = session_read_fuse(s, fuse_mem(i), &cur[i], err);
        if (rc)
            return rc;
    }
    return ISPF_OK;
}

/* The confirmation before a fuse write: old -> new, only the fields that change. */
static void run_log_change(const struct part *p, enum mem_id mem, uint8_t old, uint8_t new_val)
{
    const struct fuse_byte *fb = part_fuse(p, mem);
    char text[1500];
    int n = fuse_diff(p, mem, old, new_val, "  ", text, sizeof text);
    uint8_t used = fb ? fb->used : 0xFF;
    if (n == 0) {
        if ((old & used) == (new_val & used) && old != new_val)
            ispf_log(ISPF_LOG_INFO, "fuse",
                     "%s: 0x%02X matches the chip's 0x%02X in the bits "
                     "that exist (0x%02X): nothing to change",
                     mem_name(mem), new_val, old, used);
        else
            ispf_log(ISPF_LOG_INFO, "fuse", "%s: already 0x%02X, nothing to change", mem_name(mem),
                     old);
        return;
    }
    char effects[1500] = "";
    if (mem == MEM_LOCK)
        fuse_lock_effects(p, new_val, effects, sizeof effects);
    /* One message of several lines: the header, the changed fields, the lock's effect. */
    ispf_log(ISPF_LOG_INFO, "fuse", "%s 0x%02X -> 0x%02X changes:\n%s%s%s%s", mem_name(mem), old,
             new_val, text, mem == MEM_LOCK ? "\n  (then: " : "", effects,
             mem == MEM_LOCK ? ")" : "");
}

/* A fuse-only run that moves the boot section or BOOTRST: look at the chip's flash
 * around each boot-section start, and warn if a bootloader there no longer fits. */
static int run_check_chip_bootloader(struct session *s, const struct part *part,
                                     const uint8_t cur[FUSE_NBYTES],
                                     const uint8_t result[FUSE_NBYTES], struct ispf_error *err)
{
    struct fuse_boot a, b;
    fuse_boot_config(part, cur, &a);
    fuse_boot_config(part, result, &b);
    if (!b.has_boot || (a.start == b.start && a.bootrst == b.bootrst && a.hwbe == b.hwbe))
        return ISPF_OK;
    struct image img;
    image_init(&img);
    int rc = ISPF_OK;
    for (unsigned k = 0; k < part->n_boot_sections && rc == ISPF_OK; k++) {
        uint8_t buf[10];
        uint32_t at = part->boot_sections[k].start - 8;
        rc = session_read_range(s, MEM_FLASH, at, buf, sizeof buf, err);
        if (rc == ISPF_OK)
            rc = image_set_range(&img, at, buf, sizeof buf, err);
    }
    struct fuse_image_info info;
    if (rc == ISPF_OK) {
        fuse_image_classify(part, &img, b.start, &info);
        if (info.kind == FUSE_IMAGE_BOOTLOADER || info.kind == FUSE_IMAGE_COMBINED) {
            char warn[2048];
            rc = fuse_image_check(part, &img, "the chip's flash", result, warn, sizeof warn, NULL,
                                  0, err);
            if (warn[0])
                run_log_lines(ISPF_LOG_WARN, warn);
        }
    }
    image_free(&img);
    return rc;
}

/* The order of the jobs: everything but fuse writes (fuse reads/verifies that come
 * after a fuse write move behind the writes), then the fuse writes (clock byte last,
 * lock after it), then those reads. Marks the fuse bytes written in plan->write. */
static void run_order(struct run *r, struct fuse_plan *plan)
{
    size_t n = 0;
    bool seen = false;
    for (size_t i = 0; i < r->njobs; i++) {
        if (run_is_fuse_write(&r->jobs[i])) {
            seen = true;
            plan->write[fuse_index(r->jobs[i].mem)] = true;
        } else if (!(seen && mem_is_fuse(r->jobs[i].mem))) {
            r->order[n++] = i;
        }
    }
    enum mem_id fo[FUSE_NBYTES];
    size_t nfo = fuse_write_order(r->part, plan->write, fo);
    for (size_t k = 0; k < nfo; k++)
        for (size_t i = 0; i < r->njobs; i++)
            if (run_is_fuse_write(&r->jobs[i]) && r->jobs[i].mem == fo[k])
                r->order[n++] = i;
    seen = false;
    for (size_t i = 0; i < r->njobs; i++) {
        if (run_is_fuse_write(&r->jobs[i]))
            seen = true;
        else if (seen && mem_is_fuse(r->jobs[i].mem))
            r->order[n++] = i;
    }
    r->norder = n;
}

/* The confirmations, in write order: old -> new for each fuse write. */
static void run_log_changes(const struct run *r, const uint8_t cur[FUSE_NBYTES])
{
    uint8_t shown[FUSE_NBYTES];
    memcpy(shown, cur, sizeof shown);
    for (size_t k = 0; k < r->norder; k++) {
        const struct run_job *j = &r->jobs[r->order[k]];
        if (!run_is_fuse_write(j))
            continue;
        int fi = fuse_index(j->mem);
        uint8_t v = image_get(j->img, 0, 0xFF);
        run_log_change(r->part, j->mem, shown[fi], v);
        shown[fi] = v;
    }
}

/* The flash the run writes, judged as one image against the fuses the run leaves:
 * several -U flash:w: files (a bootloader and a firmware) are checked together. */
static int run_check_flash_image(struct run *r, const uint8_t result[FUSE_NBYTES],
                                 struct ispf_error *err)
{
    struct image all;
    image_init(&all);
    char names[512] = "";
    int rc = ISPF_OK;
    for (size_t i = 0; i < r->njobs && rc == ISPF_OK; i++) {
        const struct run_job *j = &r->jobs[i];
        if (j->mem != MEM_FLASH || j->kind != RUN_WRITE)
            continue;
        size_t len = strlen(names);
        snprintf(names + len, sizeof names - len, "%s%s", len ? " + " : "", j->file);
        rc = image_put(&all, j->img, 0, err);
    }
    char warn[4096], notes[2048];
    if (rc == ISPF_OK)
        rc = fuse_image_check(r->part, &all, names, result, warn, sizeof warn, notes, sizeof notes,
                              err);
    if (rc == ISPF_OK && warn[0])
        run_log_lines(ISPF_LOG_WARN, warn);
    if (rc == ISPF_OK && notes[0])
        run_log_lines(ISPF_LOG_INFO, notes);
    if (rc == ISPF_OK)
        memmap_log_write(r->part, &all, result); /* -v: the map (include/ispflash/memmap.h) */
    image_free(&all);
    return rc;
}

/* After the session opened: read the fuses, fill in --jtag, run the guards and the
 * image check, log the confirmations, and decide the order of the jobs. Nothing is
 * written here. */
static int run_fuse_plan(struct run *r, struct session *s, struct ispf_error *err)
{
    const struct run_spec *sp = r->spec;
    const struct part *part = r->part;
    struct fuse_plan plan;
    memset(&plan, 0, sizeof plan);
    plan.part = part;
    plan.writes_flash = r->writes_flash;
    plan.crystal_confirmed = sp->bootloader != NULL; /* the preset's board has its crystal */
    bool any_fuse_write = false;
    for (size_t i = 0; i < r->njobs; i++)
        if (run_is_fuse_write(&r->jobs[i]))
            any_fuse_write = true;
    run_order(r, &plan);
    if (!any_fuse_write && !r->writes_flash)
        return ISPF_OK;

    int rc = run_read_fuses(s, part, plan.cur, err);
    if (rc == ISPF_E_UNSUPPORTED && !any_fuse_write) {
        /* A bootloader (-c arduino) cannot read fuses: flash goes unchecked. */
        ispf_log(ISPF_LOG_DEBUG, "fuse", "fuses cannot be read (%s): image/fuse check skipped",
                 err->msg);
        ispf_error_clear(err);
        return ISPF_OK;
    }
    if (rc)
        return rc;
    memcpy(r->cur, plan.cur, FUSE_NBYTES);
    r->have_cur = true;
    if (sp->report) {
        memcpy(sp->report->fuses_before, plan.cur, FUSE_NBYTES);
        sp->report->have_fuses_before = true;
    }
    for (size_t i = 0; i < r->njobs && rc == ISPF_OK; i++) {
        struct run_job *j = &r->jobs[i];
        if (j->from_chip)
            rc = run_job_set_value(
                j, (uint8_t)((plan.cur[fuse_index(j->mem)] & (uint8_t)~j->mod_mask) | j->mod_bits),
                err);
    }
    if (rc)
        return rc;
    for (size_t k = 0; k < r->norder; k++) {
        const struct run_job *j = &r->jobs[r->order[k]];
        if (run_is_fuse_write(j))
            plan.next[fuse_index(j->mem)] = image_get(j->img, 0, 0xFF);
    }
    char warn[4096];
    rc = fuse_plan_check(&plan, sp->unsafe_fuses, warn, sizeof warn, err);
    if (warn[0])
        run_log_lines(ISPF_LOG_WARN, warn);
    if (rc == ISPF_E_REFUSED && sp->no_write) {
        /* -n writes nothing anyway: say what a real run would refuse, and go on. */
        ispf_log(ISPF_LOG_WARN, "fuse", "-n: a run without -n would stop here (exit 7):");
        run_log_lines(ISPF_LOG_WARN, err->msg);
        ispf_error_clear(err);
        rc = ISPF_OK;
    }
    if (rc)
        return rc;
    uint8_t result[FUSE_NBYTES];
    fuse_plan_result(&plan, result);
    if (r->writes_flash) {
        rc = run_check_flash_image(r, result, err);
        if (rc)
            return rc;
    }
    if (!r->writes_flash && !sp->erase) {
        rc = run_check_chip_bootloader(s, part, plan.cur, result, err);
        if (rc)
            return rc;
    }
    run_log_changes(r, plan.cur);
    return ISPF_OK;
}

/* Values read back, comma-separated: 'h'/'m' hex, 'd' decimal, 'o' octal, 'b' binary. */
static void run_put_values(const struct image *img, char fmt, FILE *f)
{
    for (uint32_t a = 0; a < img->end; a++) {
        uint8_t v = image_get(img, a, 0xFF);
        if (a)
            fputc(',', f);
        switch (fmt) {
        case 'd':
            fprintf(f, "%u", v);
            break;
        case 'o':
            fprintf(f, "0%o", v);
            break;
        case 'b': {
            fputs("0b", f);
            for (int bit = 7; bit >= 0; bit--)
                fputc('0' + ((v >> bit) & 1), f);
            break;
        }
        default:
            fprintf(f, "0x%02x", v);
            break;
        }
    }
    fputc('\n', f);
}

static int run_save_values(const struct image *img, const char *path, char fmt,
                           struct ispf_error *err)
{
    if (strcmp(path, "-") == 0) {
        run_put_values(img, fmt, stdout);
        if (fflush(stdout) != 0 || ferror(stdout))
            return ispf_fail(err, ISPF_E_IO, "writing to standard output: %s", strerror(errno));
        return ISPF_OK;
    }
    struct atomic_file af;
    int rc = atomic_file_open(&af, path, err);
    if (rc)
        return rc;
    run_put_values(img, fmt, af.f);
    return atomic_file_commit(&af, err);
}

static enum image_format run_out_format(char fmt);

/* Output files are written whole or not at all (base/atomic_file.h, also inside
 * image_save): a failed or interrupted read keeps the previous file. */
static int run_save(const struct image *img, const char *path, char fmt, struct ispf_error *err)
{
    if (strchr("hdob", fmt) || fmt == 'm')
        return run_save_values(img, path, fmt, err);
    return image_save(img, path, run_out_format(fmt), err);
}

static enum image_format run_out_format(char fmt)
{
    switch (fmt) {
    case 'r':
        return IMAGE_FMT_RAW;
    case 's':
        return IMAGE_FMT_SREC;
    case 'm':
        return IMAGE_FMT_IMMEDIATE;
    default:
        return IMAGE_FMT_IHEX;
    }
}

/* "flash, eeprom, lfuse" */
static const char *run_list_names(const struct run_job *j, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < j->n_mems && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", mem_name(j->mems[i]));
    return buf;
}

/* A memory list read into one image, each memory at its avr-gcc address. */
static int run_read_list(struct session *s, struct run_job *j, struct ispf_error *err)
{
    struct image one;
    image_init(&one);
    image_clear(&j->own);
    int rc = ISPF_OK;
    for (size_t i = 0; i < j->n_mems && rc == ISPF_OK; i++) {
        rc = session_read(s, j->mems[i], &one, err);
        if (rc == ISPF_OK)
            rc = memfile_put(&j->own, j->mems[i], &one, err);
    }
    image_free(&one);
    return rc;
}

static int run_job_do(struct run *r, struct session *s, struct run_job *j,
                      struct run_op_result *res, struct ispf_error *err)
{
    const struct run_spec *sp = r->spec;
    const char *mn = mem_name(j->mem);
    char names[128];
    int rc;
    switch (j->kind) {
    case RUN_WRITE:
        ispf_log(ISPF_LOG_INFO, RUN_LOG, "writing %s (%u byte%s from %s)", mn, j->img->count,
                 j->img->count == 1 ? "" : "s", j->fmt == 'm' ? "the command line" : j->file);
        rc = session_write(s, j->mem, j->img, err);
        if (rc)
            return rc;
        res->written = true;
        if (sp->no_verify || sp->no_write)
            return ISPF_OK;
        rc = session_verify(s, j->mem, j->img, err);
        res->mismatch = *session_last_mismatch(s);
        res->verified = rc == ISPF_OK;
        if (rc == ISPF_E_INTERRUPTED)
            ispf_error_prefix(err, "interrupted: %s written, not verified", mn);
        if (rc == ISPF_OK)
            ispf_log(ISPF_LOG_INFO, RUN_LOG, "%s verified (%u byte%s)", mn, j->img->count,
                     j->img->count == 1 ? "" : "s");
        return rc;
    case RUN_VERIFY:
        rc = session_verify(s, j->mem, j->img, err);
        res->mismatch = *session_last_mismatch(s);
        res->verified = rc == ISPF_OK;
        if (rc == ISPF_OK)
            ispf_log(ISPF_LOG_INFO, RUN_LOG, "%u bytes of %s verified against %s", j->img->count,
                     mn, j->file);
        return rc;
    case RUN_READ:
        rc = j->n_mems ? run_read_list(s, j, err) : session_read(s, j->mem, &j->own, err);
        if (rc)
            return rc;
        res->bytes = j->own.count;
        /* At -v (debug logging on), a fuse read is decoded field by field. */
        if (ispf_log_enabled(ISPF_LOG_DEBUG) && mem_is_fuse(j->mem) && image_has(&j->own, 0)) {
            char text[1200];
            uint8_t v = j->own.data[0];
            if (fuse_decode(r->part, j->mem, v, ", ", text, sizeof text))
                ispf_log(ISPF_LOG_INFO, "fuse", "%s 0x%02X: %s", mn, v, text);
        }
        rc = run_save(&j->own, j->file, j->fmt, err);
        if (rc && sp->output_failed)
            *sp->output_failed = true;
        if (rc == ISPF_OK && strcmp(j->file, "-") != 0)
            ispf_log(ISPF_LOG_INFO, RUN_LOG, "%s read: %u bytes saved to %s",
                     j->n_mems ? run_list_names(j, names, sizeof names) : mn, j->own.count,
                     j->file);
        return rc;
    }
    return ISPF_OK;
}

/* One job, its outcome recorded in the next slot of the report (if any). */
static int run_job(struct run *r, struct session *s, struct run_job *j, struct ispf_error *err)
{
    struct run_report *rep = r->spec->report;
    struct run_op_result scratch, *res = rep ? &rep->ops[rep->n_ops++] : &scratch;
    *res = (struct run_op_result){
        .mem = j->mem,
        .kind = j->kind,
        .text = j->text,
        .file = j->file,
        .preset = j->text == j->text_buf,
        .bytes = j->kind == RUN_READ ? 0 : j->img->count,
        .value = j->kind == RUN_WRITE && mem_is_fuse(j->mem) ? image_get(j->img, 0, 0xFF) : 0,
        .state = RUN_OP_FAILED,
    };
    int rc = run_job_do(r, s, j, res, err);
    if (rc == ISPF_OK)
        res->state = RUN_OP_OK;
    return rc;
}

/* The report's fuse bytes after the operations (when the programmer can read them). */
static void run_report_after(struct run *r, struct session *s)
{
    struct run_report *rep = r->spec->report;
    struct ispf_error e;
    ispf_error_clear(&e);
    if (run_read_fuses(s, r->part, rep->fuses_after, &e) == ISPF_OK)
        rep->have_fuses_after = true;
}

/* What the run is about to lose, for the backup. */
static void run_loss(const struct run *r, bool erasing, struct backup_loss *loss)
{
    const struct part *p = r->part;
    *loss = (struct backup_loss){.flash = erasing, .have_fuses = r->have_cur};
    memcpy(loss->fuses, r->cur, FUSE_NBYTES);
    uint32_t boot =
        p->n_boot_sections ? p->boot_sections[p->n_boot_sections - 1].start : p->flash_size;
    for (size_t i = 0; i < r->njobs; i++) {
        const struct run_job *j = &r->jobs[i];
        if (j->kind != RUN_WRITE)
            continue;
        if (j->mem == MEM_FLASH && j->img->end > boot)
            loss->flash = true; /* -D: a write over the boot section */
        if (run_is_fuse_write(j)) {
            const struct fuse_byte *fb = part_fuse(p, j->mem);
            uint8_t used = fb ? fb->used : 0xFF;
            int fi = fuse_index(j->mem);
            if (!r->have_cur || ((image_get(j->img, 0, 0xFF) ^ r->cur[fi]) & used))
                loss->fuse_change = true;
        }
    }
}

/* The backup before anything is overwritten (include/ispflash/backup.h). */
static int run_backup(struct run *r, struct session *s, bool erasing, struct ispf_error *err)
{
    const struct run_spec *sp = r->spec;
    if (ispf_interrupted())
        return ispf_fail(err, ISPF_E_INTERRUPTED,
                         "interrupted before anything was written: the chip is unchanged");
    if (sp->no_write || sp->backup == BACKUP_NONE)
        return ISPF_OK;
    struct backup_loss loss;
    run_loss(r, erasing, &loss);
    char saved[4096];
    bool write_failed = false;
    int rc = backup_take(s, r->part, sp->backup, sp->backup_path, &loss, saved, sizeof saved,
                         &write_failed, err);
    if (rc && write_failed && sp->output_failed)
        *sp->output_failed = true;
    if (rc == ISPF_OK && saved[0])
        ispf_log(ISPF_LOG_INFO, RUN_LOG, "to restore it: ispflash -c %s -p %s -U ALL:w:%s",
                 sp->session.programmer->id, r->part->id, saved);
    return rc;
}

/* Connected: plan, erase, the jobs in order, --fuses. */
static int run_connected(struct run *r, struct session *s, struct ispf_error *err)
{
    const struct run_spec *sp = r->spec;
    if (sp->report) {
        memcpy(sp->report->signature, session_signature(s), 3);
        sp->report->have_signature = true;
    }
    /* Read the fuses, then check the whole plan before anything is written. */
    int rc = run_fuse_plan(r, s, err);
    if (rc)
        return rc;
    r->planned = true;
    bool erasing = sp->erase || (r->writes_flash && !sp->no_erase);
    rc = run_backup(r, s, erasing, err);
    if (rc)
        return rc;
    if (erasing) {
        if (!sp->erase)
            ispf_log(ISPF_LOG_INFO, RUN_LOG,
                     "erasing chip (writing flash erases it first; -D to skip)");
        else
            ispf_log(ISPF_LOG_INFO, RUN_LOG, "erasing chip");
        rc = session_chip_erase(s, err);
    }
    if (rc == ISPF_OK && sp->report)
        sp->report->erased = session_erased(s);
    for (size_t i = 0; i < r->norder && rc == ISPF_OK; i++)
        rc = run_job(r, s, &r->jobs[r->order[i]], err);
    if (sp->report && rc != ISPF_E_INTERRUPTED && rc != ISPF_E_DISCONNECTED)
        run_report_after(r, s);
    if (rc == ISPF_OK && sp->fuses) {
        uint8_t cur[FUSE_NBYTES];
        rc = run_read_fuses(s, r->part, cur, err);
        if (rc == ISPF_OK)
            sp->fuses(sp->fuses_ctx, r->part, cur);
    }
    return rc;
}

/* Two -U flash:w: images that give different data for one address cannot both be
 * written: the input error names both files, the address and both values. */
static int run_flash_conflicts(const struct run *r, struct ispf_error *err)
{
    for (size_t a = 0; a < r->njobs; a++) {
        const struct run_job *ja = &r->jobs[a];
        if (ja->mem != MEM_FLASH || ja->kind != RUN_WRITE)
            continue;
        for (size_t b = a + 1; b < r->njobs; b++) {
            const struct run_job *jb = &r->jobs[b];
            if (jb->mem != MEM_FLASH || jb->kind != RUN_WRITE)
                continue;
            uint32_t end = ja->img->end < jb->img->end ? ja->img->end : jb->img->end;
            for (uint32_t x = 0; x < end; x++)
                if (image_has(ja->img, x) && image_has(jb->img, x) &&
                    ja->img->data[x] != jb->img->data[x])
                    return ispf_fail(err, ISPF_E_INPUT,
                                     "%s and %s give different data for flash address 0x%05x "
                                     "(0x%02x and 0x%02x): one of them is not meant for the "
                                     "other (ispflash merge shows every conflict)",
                                     ja->file, jb->file, x, ja->img->data[x], jb->img->data[x]);
        }
    }
    return ISPF_OK;
}

static void run_free(struct run *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < RUN_MAX_JOBS; i++)
        image_free(&r->jobs[i].own);
    free(r);
}

/* The jobs of the spec, and the fuse writes of --bootloader / --jtag resolved. */
static int run_init(struct run **out, const struct run_spec *spec, struct ispf_error *err)
{
    if (!spec->session.part || !spec->session.programmer)
        return ispf_fail(err, ISPF_E_USAGE, "run: no part or no programmer given");
    if (spec->n_ops > RUN_MAX_OPS)
        return ispf_fail(err, ISPF_E_USAGE, "too many memory operations (%zu; at most %d)",
                         spec->n_ops, RUN_MAX_OPS);
    struct run *r = calloc(1, sizeof *r);
    if (!r)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    r->spec = spec;
    r->part = spec->session.part;
    for (size_t i = 0; i < RUN_MAX_JOBS; i++)
        image_init(&r->jobs[i].own);
    for (size_t i = 0; i < spec->n_ops; i++) {
        const struct run_op *op = &spec->ops[i];
        struct run_job *j = &r->jobs[r->njobs++];
        j->mem = op->mem;
        j->kind = op->kind;
        j->img = op->img;
        j->file = op->file;
        j->fmt = op->fmt;
        j->text = op->text;
        j->mems = op->mems;
        j->n_mems = op->n_mems;
        if (op->mem == MEM_FLASH && op->kind == RUN_WRITE)
            r->writes_flash = true;
    }
    if (spec->report)
        *spec->report = (struct run_report){0};
    int rc = run_flash_conflicts(r, err);
    if (rc == ISPF_OK)
        rc = run_fuse_jobs(r, err);
    if (rc == ISPF_OK)
        rc = run_fuse_sets(r, err);
    if (rc) {
        run_free(r);
        return rc;
    }
    *out = r;
    return ISPF_OK;
}

/* The programmer's counters, at -v. */
static void run_log_stats(const struct run_spec *spec, struct session *s)
{
    uint64_t tx, rx, cmds;
    session_stats(s, &tx, &rx, &cmds);
    ispf_log(ISPF_LOG_DEBUG, spec->session.programmer->id,
             "%llu bytes sent, %llu received, %llu commands", (unsigned long long)tx,
             (unsigned long long)rx, (unsigned long long)cmds);
}

int run_check(const struct run_spec *spec, struct ispf_error *err)
{
    struct run *r = NULL;
    int rc = run_init(&r, spec, err);
    run_free(r);
    return rc;
}

int run_board(const struct run_spec *spec, struct session *s, struct ispf_error *err)
{
    struct run *r = NULL;
    int rc = run_init(&r, spec, err);
    if (rc)
        return rc;
    rc = run_connected(r, s, err);
    run_free(r);
    return rc;
}

int run_execute(const struct run_spec *spec, struct ispf_error *err)
{
    struct run *r = NULL;
    int rc = run_init(&r, spec, err);
    if (rc)
        return rc;
    struct session_config cfg = spec->session;
    cfg.no_write = cfg.no_write || spec->no_write;
    struct session *s = NULL;
    rc = session_open(&s, &cfg, err);
    if (rc == ISPF_OK) {
        rc = run_connected(r, s, err);
        if (r->planned)
            run_log_stats(spec, s);
        session_close(s);
    }
    run_free(r);
    return rc;
}
