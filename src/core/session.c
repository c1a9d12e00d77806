// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Erase/write/read/verify orchestration, once for every programmer. Backends are
 * reached only through src/core/pgm.h (vtable + fallbacks).
 */
#define LOG_PREFIX "core"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "ispflash/interrupt.h"
#include "ispflash/isp.h"
#include "core/pgm.h"
#include "ispflash/log.h"
#include "ispflash/ports.h"
#include "ispflash/reboot.h"
#include "ispflash/session.h"

struct session {
    struct session_config cfg;
    struct pgm *pgm;
    char port[256]; /* the serial port chosen by ports_resolve (-P usb:VID:PID, no -P) */
    uint8_t signature[3];
    bool erased;
    /* Fuse/lock bytes read or written in this session: only this session changes the
     * chip, so a value read once stays true until a write (re-read) or an erase. */
    bool fuse_known[4];
    uint8_t fuse_val[4];
    struct session_mismatch mismatch; /* of the last verify */
    /* progress bookkeeping */
    const char *what;
    uint32_t base, total;
};

static void session_progress(struct session *s, uint32_t done)
{
    if (s->cfg.progress)
        s->cfg.progress(s->cfg.progress_ctx, s->what, s->base + done, s->total);
}

static void session_progress_cb(void *ctx, uint32_t done, uint32_t total)
{
    (void)total;
    session_progress(ctx, done);
}

static void session_progress_begin(struct session *s, const char *what, uint32_t total)
{
    s->what = what;
    s->base = 0;
    s->total = total;
    session_progress(s, 0);
}

static int session_read_signature(struct session *s, struct ispf_error *err)
{
    for (unsigned i = 0; i < 3; i++) {
        uint8_t cmd[4], res[4];
        isp_read_signature(cmd, i);
        int rc = pgm_spi(s->pgm, cmd, res, err);
        if (rc)
            return ispf_error_prefix(err, "reading the signature");
        s->signature[i] = res[3];
    }
    return ISPF_OK;
}

static int session_no_target(struct session *s, const char *what, struct ispf_error *err)
{
    const char *hint = s->pgm->ops->wiring_hint;
    return ispf_fail(err, ISPF_E_NO_TARGET,
                     "no target answers (%s). Check the wiring (RESET, SCK, MOSI, MISO, GND), "
                     "that the target is powered, and try a slower ISP clock (-B 32) for a "
                     "factory-fresh 1 MHz chip%s%s",
                     what, hint ? ". " : "", hint ? hint : "");
}

static int session_check_signature(struct session *s, struct ispf_error *err)
{
    const uint8_t *sig = s->signature;
    const struct part *p = s->cfg.part;
    char got[16];
    snprintf(got, sizeof got, "%02x %02x %02x", sig[0], sig[1], sig[2]);
    if ((sig[0] == 0x00 && sig[1] == 0x00 && sig[2] == 0x00) ||
        (sig[0] == 0xFF && sig[1] == 0xFF && sig[2] == 0xFF)) {
        char what[64];
        snprintf(what, sizeof what, "signature reads %s", got);
        return session_no_target(s, what, err);
    }
    if (memcmp(sig, p->signature, 3) == 0) {
        log_info("device signature %s (%s)", got, p->name);
        return ISPF_OK;
    }
    const struct part *found[4];
    size_t n = part_find_by_signature(sig, found, 4);
    char names[128] = "";
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names);
        snprintf(names + len, sizeof names - len, "%s%s (-p %s)", i ? " or " : "", found[i]->name,
                 found[i]->id);
    }
    if (s->cfg.force) {
        log_warn("device signature %s is %s, not %s; going on because of -F", got,
                 n ? names : "unknown", p->name);
        return ISPF_OK;
    }
    if (n)
        return ispf_fail(err, ISPF_E_SIGNATURE,
                         "device signature %s belongs to %s, not to the %s selected with -p "
                         "(%02x %02x %02x). Use the right -p, or -F to override",
                         got, names, p->name, p->signature[0], p->signature[1], p->signature[2]);
    if (sig[0] != 0x1E)
        return ispf_fail(err, ISPF_E_SIGNATURE,
                         "device signature %s is not an Atmel/Microchip AVR signature (expected "
                         "%02x %02x %02x for %s): the target is not in sync; check the wiring and "
                         "try a slower ISP clock (-B), or -F to override",
                         got, p->signature[0], p->signature[1], p->signature[2], p->name);
    return ispf_fail(err, ISPF_E_SIGNATURE,
                     "device signature %s matches no known part (expected %02x %02x %02x for "
                     "%s). Use -F to override",
                     got, p->signature[0], p->signature[1], p->signature[2], p->name);
}

int session_connect(struct session **out, const struct session_config *cfg, struct ispf_error *err)
{
    struct session *s = calloc(1, sizeof *s);
    if (!s)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    s->cfg = *cfg;
    struct pgm_config pc = {
        .port = cfg->port,
        .baud = cfg->baud,
        .bitclock_us = cfg->bitclock_us,
        .part = cfg->part,
        .xopts = cfg->xopts,
        .n_xopts = cfg->n_xopts,
    };
    int rc = cfg->reboot ? reboot_to_bootloader(cfg->programmer, cfg->port, REBOOT_WAIT_MS, s->port,
                                                sizeof s->port, err)
                         : ports_resolve(cfg->programmer, cfg->port, s->port, sizeof s->port, err);
    if (rc == ISPF_OK && s->port[0])
        s->cfg.port = pc.port = s->port;
    if (rc == ISPF_OK)
        rc = pgm_create(cfg->programmer, &pc, &s->pgm, err);
    if (rc) {
        free(s);
        return rc;
    }
    rc = pgm_open(s->pgm, err);
    if (rc == ISPF_OK && cfg->bitclock_us > 0)
        rc = pgm_set_sck(s->pgm, cfg->bitclock_us, err);
    if (rc) {
        session_close(s);
        return rc;
    }
    *out = s;
    return ISPF_OK;
}

/* Forget everything known about the previous target. */
static void session_forget_target(struct session *s)
{
    s->erased = false;
    memset(s->fuse_known, 0, sizeof s->fuse_known);
    memset(s->signature, 0, sizeof s->signature);
    s->mismatch = (struct session_mismatch){0};
}

int session_attach(struct session *s, struct ispf_error *err)
{
    session_forget_target(s);
    pgm_disable(s->pgm);
    int rc = pgm_enable(s->pgm, err);
    if (rc == ISPF_E_NO_TARGET) {
        char what[ISPF_ERRMSG_MAX];
        snprintf(what, sizeof what, "%s", err->msg);
        rc = session_no_target(s, what, err);
    }
    if (rc == ISPF_OK)
        rc = session_read_signature(s, err);
    if (rc == ISPF_OK)
        rc = session_check_signature(s, err);
    return rc;
}

void session_detach(struct session *s)
{
    pgm_disable(s->pgm);
}

int session_probe(struct session *s, uint8_t sig[3], struct ispf_error *err)
{
    session_forget_target(s);
    pgm_disable(s->pgm);
    memset(sig, 0, 3);
    int rc = pgm_enable(s->pgm, err);
    if (rc == ISPF_E_NO_TARGET || rc == ISPF_E_TARGET) {
        ispf_error_clear(err);
        pgm_disable(s->pgm);
        return ISPF_OK;
    }
    if (rc == ISPF_OK)
        rc = session_read_signature(s, err);
    pgm_disable(s->pgm);
    if (rc == ISPF_OK)
        memcpy(sig, s->signature, 3);
    return rc;
}

int session_open(struct session **out, const struct session_config *cfg, struct ispf_error *err)
{
    struct session *s = NULL;
    int rc = session_connect(&s, cfg, err);
    if (rc)
        return rc;
    rc = session_attach(s, err);
    if (rc) {
        session_close(s);
        return rc;
    }
    *out = s;
    return ISPF_OK;
}

void session_close(struct session *s)
{
    if (!s)
        return;
    pgm_destroy(s->pgm);
    free(s);
}

bool session_signature_absent(const uint8_t sig[3])
{
    return (sig[0] == 0x00 && sig[1] == 0x00 && sig[2] == 0x00) ||
           (sig[0] == 0xFF && sig[1] == 0xFF && sig[2] == 0xFF);
}

const char *session_port(const struct session *s)
{
    return s->cfg.port;
}

const uint8_t *session_signature(const struct session *s)
{
    return s->signature;
}

void session_stats(const struct session *s, uint64_t *tx, uint64_t *rx, uint64_t *commands)
{
    *tx = s->pgm->stats.bytes_tx;
    *rx = s->pgm->stats.bytes_rx;
    *commands = s->pgm->stats.commands;
}

bool session_erased(const struct session *s)
{
    return s->erased;
}

int session_chip_erase(struct session *s, struct ispf_error *err)
{
    if (s->cfg.no_write) {
        log_info("-n: chip erase skipped");
        return ISPF_OK;
    }
    if (s->pgm->flags & PGM_FLAG_BOOTLOADER) {
        log_info("%s is a bootloader: it has no chip erase, and erases each flash page as "
                 "it writes it",
                 s->pgm->entry->id);
        return ISPF_OK;
    }
    uint8_t cmd[4], res[4];
    isp_chip_erase(cmd);
    int rc = pgm_spi(s->pgm, cmd, res, err);
    if (rc)
        return ispf_error_prefix(err, "chip erase");
    memset(s->fuse_known, 0, sizeof s->fuse_known); /* the lock bits are cleared */
    clock_sleep_us(s->cfg.part->erase_delay_us);
    /* The erase cycle completes/ends through RESET: re-enter programming mode. */
    pgm_disable(s->pgm);
    rc = pgm_enable(s->pgm, err);
    if (rc)
        return ispf_error_prefix(err, "re-entering programming mode after chip erase");
    s->erased = true;
    log_dbg("chip erased");
    return ISPF_OK;
}

int session_check_fits(const struct part *p, enum mem_id mem, const struct image *img,
                       const char *source, struct ispf_error *err)
{
    uint32_t size = part_mem_size(p, mem);
    if (size == 0)
        return ispf_fail(err, ISPF_E_INPUT, "%s has no %s memory", p->name, mem_name(mem));
    if (img->end <= size)
        return ISPF_OK;
    uint32_t from = size, start, len;
    image_next_segment(img, &from, &start, &len);
    if (mem_is_fuse(mem))
        return ispf_fail(err, ISPF_E_INPUT, "%s: %s is one byte, but %u values were given", source,
                         mem_name(mem), img->count);
    return ispf_fail(err, ISPF_E_INPUT,
                     "%s: address 0x%05x does not fit: %s of %s is %u bytes (0x0000-0x%04x)",
                     source, start, mem_name(mem), p->name, size, size - 1);
}

/* Fill buf with the page at a; returns true if it has something to program. */
static bool session_page_data(const struct image *img, uint32_t a, uint32_t page, uint8_t *buf)
{
    bool all_ff = true;
    for (uint32_t i = 0; i < page; i++) {
        buf[i] = image_get(img, a + i, 0xFF);
        all_ff = all_ff && buf[i] == 0xFF;
    }
    return !all_ff;
}

/* --batch: is the target that was attached still the one answering? (The first
 * signature byte, after each run of pages: a board taken away reads 00 or FF.) */
static int session_still_there(struct session *s, uint32_t first, uint32_t written,
                               struct ispf_error *err)
{
    uint8_t cmd[4], res[4];
    isp_read_signature(cmd, 0);
    int rc = pgm_spi(s->pgm, cmd, res, err);
    if (rc)
        return rc;
    if (res[3] == s->signature[0])
        return ISPF_OK;
    return ispf_fail(err, ISPF_E_NO_TARGET,
                     "the target stopped answering after flash 0x%05x-0x%05x was written "
                     "(signature byte reads %02x): the chip is incomplete",
                     first, written - 1, res[3]);
}

/* A bootloader's own section: refused whole, before any page is written. */
static int session_boot_kept(const struct session *s, const struct image *img,
                             struct ispf_error *err)
{
    uint32_t keep = s->pgm->boot_keep, size = s->cfg.part->flash_size;
    if (!keep || keep >= size || img->end <= size - keep)
        return ISPF_OK;
    return ispf_fail(err, ISPF_E_REFUSED,
                     "the image reaches 0x%05x, into 0x%05x-0x%05x, which the bootloader (-c %s) "
                     "keeps for itself: only the application below 0x%05x can be written through "
                     "it (write a bootloader over ISP)",
                     img->end - 1, size - keep, size - 1, s->pgm->entry->id, size - keep);
}

static int session_write_flash(struct session *s, const struct image *img, struct ispf_error *err)
{
    int krc = session_boot_kept(s, img, err);
    if (krc)
        return krc;
    const struct part *p = s->cfg.part;
    uint32_t page = p->flash_page;
    uint32_t max = pgm_flash_write_max(s->pgm);
    /* A bootloader rewrites whole pages: an all-0xFF page must be written too. */
    bool skip_ff = !(s->pgm->flags & PGM_FLAG_BOOTLOADER);
    uint8_t *buf = malloc(max + page); /* a full run plus the page that ends it */
    if (!buf)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    uint32_t first = image_start(img) / page * page;
    uint32_t npages = 0, skipped = 0;
    for (uint32_t a = first; a < img->end; a += page)
        if (image_count_range(img, a, page))
            npages++;
    session_progress_begin(s, "Writing flash", npages * page);
    int rc = ISPF_OK;
    uint32_t done = 0, run_addr = 0, run_len = 0, written = 0;
    for (uint32_t a = first; rc == ISPF_OK; a += page) {
        if (ispf_interrupted()) {
            if (written)
                rc = ispf_fail(err, ISPF_E_INTERRUPTED,
                               "interrupted: flash 0x%05x-0x%05x written, the rest not; the "
                               "chip is incomplete",
                               first, written - 1);
            else
                rc = ispf_fail(err, ISPF_E_INTERRUPTED,
                               "interrupted: no flash page written "
                               "yet; the chip is incomplete");
            break;
        }
        bool more = a < img->end;
        bool used = more && image_count_range(img, a, page);
        bool data = used && (session_page_data(img, a, page, buf + run_len) || !skip_ff);
        if (used && !data)
            skipped++; /* nothing to program: 0xFF never clears a bit */
        /* Write the pending run of consecutive pages when this page does not extend it. */
        if (run_len && (!data || run_len == max)) {
            rc = pgm_write_flash(s->pgm, run_addr, buf, run_len, err);
            if (rc) {
                ispf_error_prefix(err, "writing flash at 0x%05x", run_addr);
                break;
            }
            written = run_addr + run_len;
            if (s->cfg.watch_target)
                rc = session_still_there(s, first, written, err);
            if (rc)
                break;
            if (data) /* the page just filled in sits after the run: move it to the front */
                memmove(buf, buf + run_len, page);
            run_len = 0;
        }
        if (data) {
            if (!run_len)
                run_addr = a;
            run_len += page;
        }
        if (used) {
            done += page;
            session_progress(s, done);
        }
        if (!more)
            break;
    }
    free(buf);
    if (rc == ISPF_OK)
        log_dbg("flash: %u pages written, %u all-0xFF pages skipped", npages - skipped, skipped);
    return rc;
}

static int session_write_eeprom(struct session *s, const struct image *img, struct ispf_error *err)
{
    session_progress_begin(s, "Writing eeprom", img->count);
    uint32_t from = 0, start, len, done = 0;
    while (image_next_segment(img, &from, &start, &len)) {
        for (uint32_t off = 0; off < len;) {
            uint32_t n = len - off < 64 ? len - off : 64;
            if (ispf_interrupted())
                return ispf_fail(err, ISPF_E_INTERRUPTED,
                                 "interrupted: EEPROM written up to 0x%04x (%u of %u bytes), the "
                                 "rest not; the chip is incomplete",
                                 start + off, done, img->count);
            int rc = pgm_write_eeprom(s->pgm, start + off, img->data + start + off, n, err);
            if (rc)
                return ispf_error_prefix(err, "writing EEPROM at 0x%04x", start + off);
            off += n;
            done += n;
            session_progress(s, done);
        }
    }
    return ISPF_OK;
}

/* Read a fuse/lock byte from the chip (never the cache) and remember it. */
static int session_read_fuse_chip(struct session *s, enum mem_id mem, uint8_t *val,
                                  struct ispf_error *err)
{
    const struct fuse_byte *fb = part_fuse(s->cfg.part, mem);
    if (!fb || !fb->present)
        return ispf_fail(err, ISPF_E_UNSUPPORTED, "%s has no %s", s->cfg.part->name, mem_name(mem));
    uint8_t cmd[4], res[4];
    isp_read_fuse(cmd, mem);
    int rc = pgm_spi(s->pgm, cmd, res, err);
    if (rc)
        return ispf_error_prefix(err, "reading %s", mem_name(mem));
    *val = res[3];
    s->fuse_known[mem - MEM_LFUSE] = true;
    s->fuse_val[mem - MEM_LFUSE] = res[3];
    return ISPF_OK;
}

int session_read_fuse(struct session *s, enum mem_id mem, uint8_t *val, struct ispf_error *err)
{
    if (mem_is_fuse(mem) && s->fuse_known[mem - MEM_LFUSE]) {
        *val = s->fuse_val[mem - MEM_LFUSE];
        return ISPF_OK;
    }
    return session_read_fuse_chip(s, mem, val, err);
}

int session_read_range(struct session *s, enum mem_id mem, uint32_t addr, uint8_t *buf,
                       uint32_t len, struct ispf_error *err)
{
    uint32_t size = part_mem_size(s->cfg.part, mem);
    if ((mem != MEM_FLASH && mem != MEM_EEPROM) || addr > size || len > size - addr)
        return ispf_fail(err, ISPF_E_UNSUPPORTED, "%s: 0x%05x+%u is not readable", mem_name(mem),
                         addr, len);
    int rc = pgm_read(s->pgm, mem, addr, buf, len, NULL, NULL, err);
    if (rc)
        return ispf_error_prefix(err, "reading %s at 0x%05x", mem_name(mem), addr);
    return ISPF_OK;
}

static int session_write_fuse(struct session *s, enum mem_id mem, uint8_t want,
                              struct ispf_error *err)
{
    const struct fuse_byte *fb = part_fuse(s->cfg.part, mem);
    if (!fb || !fb->present)
        return ispf_fail(err, ISPF_E_UNSUPPORTED, "%s has no %s", s->cfg.part->name, mem_name(mem));
    uint8_t used = fb->used, cur;
    if (want & (uint8_t)~used)
        log_dbg("%s: bits 0x%02x do not exist on %s and are written as 1", mem_name(mem),
                (uint8_t)~used, s->cfg.part->name);
    int rc = session_read_fuse(s, mem, &cur, err);
    if (rc)
        return rc;
    if ((cur & used) == (want & used)) {
        if (want == cur)
            log_info("%s is already 0x%02x, not written", mem_name(mem), cur);
        else
            log_info("%s reads 0x%02x: the bits that exist (0x%02x) already match 0x%02x, not "
                     "written",
                     mem_name(mem), cur, used, want);
        return ISPF_OK;
    }
    uint8_t cmd[4], res[4];
    isp_write_fuse(cmd, mem, (uint8_t)((want & used) | (uint8_t)~used));
    rc = pgm_spi(s->pgm, cmd, res, err);
    if (rc)
        return ispf_error_prefix(err, "writing %s", mem_name(mem));
    s->fuse_known[mem - MEM_LFUSE] = false;
    clock_sleep_us(s->cfg.part->fuse_delay_us);
    rc = session_read_fuse_chip(s, mem, &cur, err);
    if (rc)
        return rc;
    if ((cur & used) != (want & used))
        return ispf_fail(err, ISPF_E_VERIFY,
                         "%s: wrote 0x%02x but the chip reads back 0x%02x (bits that exist: "
                         "0x%02x)%s",
                         mem_name(mem), want, cur, used,
                         mem == MEM_LOCK ? "" : "; a set lock byte prevents fuse changes");
    log_info("%s written: 0x%02x", mem_name(mem), cur & used);
    return ISPF_OK;
}

int session_write(struct session *s, enum mem_id mem, const struct image *img,
                  struct ispf_error *err)
{
    if (s->cfg.no_write) {
        log_info("-n: %s not written (%u bytes)", mem_name(mem), img->count);
        return ISPF_OK;
    }
    switch (mem) {
    case MEM_FLASH:
        return session_write_flash(s, img, err);
    case MEM_EEPROM:
        return session_write_eeprom(s, img, err);
    case MEM_LFUSE:
    case MEM_HFUSE:
    case MEM_EFUSE:
    case MEM_LOCK:
        if (img->count != 1 || !image_has(img, 0))
            return ispf_fail(err, ISPF_E_INPUT, "%s takes exactly one byte", mem_name(mem));
        return session_write_fuse(s, mem, img->data[0], err);
    default:
        return ispf_fail(err, ISPF_E_UNSUPPORTED, "%s is read-only", mem_name(mem));
    }
}

static int session_read_small(struct session *s, enum mem_id mem, uint8_t *buf, uint32_t n,
                              struct ispf_error *err)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t cmd[4], res[4];
        if (mem == MEM_SIGNATURE)
            isp_read_signature(cmd, i);
        else
            isp_read_calibration(cmd, i);
        int rc = pgm_spi(s->pgm, cmd, res, err);
        if (rc)
            return ispf_error_prefix(err, "reading %s", mem_name(mem));
        buf[i] = res[3];
    }
    return ISPF_OK;
}

int session_read(struct session *s, enum mem_id mem, struct image *img, struct ispf_error *err)
{
    uint32_t size = part_mem_size(s->cfg.part, mem);
    if (size == 0)
        return ispf_fail(err, ISPF_E_UNSUPPORTED, "%s has no %s", s->cfg.part->name, mem_name(mem));
    uint8_t *buf = malloc(size);
    if (!buf)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    int rc;
    if (mem == MEM_FLASH || mem == MEM_EEPROM) {
        session_progress_begin(s, mem == MEM_FLASH ? "Reading flash" : "Reading eeprom", size);
        rc = pgm_read(s->pgm, mem, 0, buf, size, session_progress_cb, s, err);
        if (rc)
            ispf_error_prefix(err, "reading %s", mem_name(mem));
    } else if (mem_is_fuse(mem)) {
        rc = session_read_fuse(s, mem, buf, err);
    } else {
        rc = session_read_small(s, mem, buf, size, err);
    }
    image_clear(img);
    if (rc == ISPF_OK)
        rc = image_set_range(img, 0, buf, size, err);
    if (rc == ISPF_OK && mem == MEM_FLASH)
        image_trim_ff(img);
    free(buf);
    return rc;
}

/* A fuse or lock byte: only the bits that exist are compared. */
static int session_verify_fuse(struct session *s, enum mem_id mem, const struct image *img,
                               struct ispf_error *err)
{
    const struct fuse_byte *fb = part_fuse(s->cfg.part, mem);
    uint8_t cur;
    int rc = session_read_fuse(s, mem, &cur, err);
    if (rc)
        return rc;
    uint8_t want = image_get(img, 0, 0xFF);
    if ((cur & fb->used) == (want & fb->used))
        return ISPF_OK;
    s->mismatch = (struct session_mismatch){1, 0, want, cur};
    return ispf_fail(err, ISPF_E_VERIFY,
                     "%s verification failed: expected 0x%02x, chip has 0x%02x (bits "
                     "compared: 0x%02x)",
                     mem_name(mem), want, cur, fb->used);
}

/* Count the differences of one segment into s->mismatch. */
static void session_compare(struct session *s, const uint8_t *want, const uint8_t *got,
                            uint32_t start, uint32_t len)
{
    struct session_mismatch *m = &s->mismatch;
    for (uint32_t i = 0; i < len; i++) {
        if (want[i] == got[i])
            continue;
        if (!m->count)
            *m = (struct session_mismatch){0, start + i, want[i], got[i]};
        m->count++;
    }
}

const struct session_mismatch *session_last_mismatch(const struct session *s)
{
    return &s->mismatch;
}

int session_verify(struct session *s, enum mem_id mem, const struct image *img,
                   struct ispf_error *err)
{
    s->mismatch = (struct session_mismatch){0};
    if (mem_is_fuse(mem))
        return session_verify_fuse(s, mem, img, err);
    uint32_t size = part_mem_size(s->cfg.part, mem);
    bool whole = mem == MEM_SIGNATURE || mem == MEM_CALIBRATION;
    /* Signature and calibration are read whole into buf, indexed by address like img. */
    if (whole && img->end > size)
        return session_check_fits(s->cfg.part, mem, img, mem_name(mem), err);
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    session_progress_begin(s, mem == MEM_FLASH ? "Verifying flash" : "Verifying", img->count);
    uint32_t from = 0, start, len, done = 0;
    int rc = ISPF_OK;
    while (rc == ISPF_OK && image_next_segment(img, &from, &start, &len)) {
        if (whole) {
            rc = session_read_small(s, mem, buf, size, err);
        } else {
            s->base = done;
            rc = pgm_read(s->pgm, mem, start, buf, len, session_progress_cb, s, err);
            if (rc)
                ispf_error_prefix(err, "reading %s back (0x%05x-0x%05x)", mem_name(mem), start,
                                  start + len - 1);
        }
        if (rc == ISPF_OK)
            session_compare(s, img->data + start, whole ? buf + start : buf, start, len);
        done += len;
    }
    free(buf);
    if (rc)
        return rc;
    const struct session_mismatch *m = &s->mismatch;
    if (m->count)
        return ispf_fail(err, ISPF_E_VERIFY,
                         "%s verification failed: first mismatch at 0x%05x: expected 0x%02x, "
                         "read 0x%02x; %u %s",
                         mem_name(mem), m->address, m->expected, m->found, m->count,
                         m->count == 1 ? "byte differs" : "bytes differ");
    log_dbg("%s: %u bytes verified", mem_name(mem), img->count);
    return ISPF_OK;
}
