// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulated AVR target (see avrchip.h for the behaviour it models).
 * Instruction decoding follows the "Serial Programming Instruction Set" tables
 * of the ATmega/ATtiny datasheets (protocols.md section 1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/compat.h"

#include "sim/avrchip.h"
#include "base/clock.h"
#include "ispflash/fuse.h"

#define CHIP_STATE_MAGIC "ispflash-chip 1"

static uint8_t chip_fuse_mask(const struct avrchip *c, int idx)
{
    const struct fuse_byte *fb = &c->part->fuse[idx];
    return fb->present ? fb->used : 0;
}

uint8_t avrchip_fuse_read(const struct avrchip *c, int idx)
{
    uint8_t used = chip_fuse_mask(c, idx);
    return (uint8_t)((c->fuse[idx] & used) | (uint8_t)~used);
}

/* A one-bit flag field is "programmed" when its bit reads 0. Returns -1 if the part
 * has no such field. */
static int chip_flag_programmed(const struct avrchip *c, const char *name)
{
    enum mem_id mem;
    const struct fuse_field *f = part_fuse_field(c->part, name, &mem);
    if (!f)
        return -1;
    return (avrchip_fuse_read(c, (int)(mem - MEM_LFUSE)) & f->mask) == 0;
}

/* Lock mode from LB1/LB2 (bits 1:0): 3 = unlocked, 2 = programming disabled,
 * 0 (or 1) = programming and verification disabled. */
static unsigned chip_lock_mode(const struct avrchip *c)
{
    return avrchip_fuse_read(c, 3) & 0x03u;
}

static bool chip_write_locked(const struct avrchip *c)
{
    return chip_lock_mode(c) != 3;
}

static bool chip_read_locked(const struct avrchip *c)
{
    return chip_lock_mode(c) < 2;
}

int avrchip_init(struct avrchip *c, const struct part *p, struct ispf_error *err)
{
    memset(c, 0, sizeof *c);
    c->part = p;
    c->flash = malloc(p->flash_size);
    c->eeprom = malloc(p->eeprom_size ? p->eeprom_size : 1);
    c->pagebuf = malloc(p->flash_page ? p->flash_page : 2);
    c->epagebuf = malloc(p->eeprom_page ? p->eeprom_page : 1);
    c->epageloaded = calloc(p->eeprom_page ? p->eeprom_page : 1, 1);
    if (!c->flash || !c->eeprom || !c->pagebuf || !c->epagebuf || !c->epageloaded) {
        avrchip_free(c);
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory for the simulated %s", p->name);
    }
    memset(c->pagebuf, 0xFF, p->flash_page ? p->flash_page : 2);
    memset(c->epagebuf, 0xFF, p->eeprom_page ? p->eeprom_page : 1);
    avrchip_factory(c);
    /* Plausible factory calibration values: distinct per byte so reads are checkable. */
    for (int i = 0; i < 4; i++)
        c->calibration[i] = (uint8_t)(0x9A + 7 * i);
    return ISPF_OK;
}

void avrchip_factory(struct avrchip *c)
{
    const struct part *p = c->part;
    memset(c->flash, 0xFF, p->flash_size);
    memset(c->eeprom, 0xFF, p->eeprom_size ? p->eeprom_size : 1);
    for (int i = 0; i < 4; i++)
        c->fuse[i] = p->fuse[i].present ? p->fuse[i].initval : 0xFF;
    c->modified = false;
}

void avrchip_free(struct avrchip *c)
{
    free(c->flash);
    free(c->eeprom);
    free(c->pagebuf);
    free(c->epagebuf);
    free(c->epageloaded);
    c->flash = c->eeprom = c->pagebuf = c->epagebuf = c->epageloaded = NULL;
}

void avrchip_erase_state(struct avrchip *c)
{
    const struct part *p = c->part;
    memset(c->flash, 0xFF, p->flash_size);
    if (chip_flag_programmed(c, "EESAVE") != 1 && p->eeprom_size)
        memset(c->eeprom, 0xFF, p->eeprom_size);
    c->fuse[3] = 0xFF; /* lock bits are cleared last */
    c->stats.erases++;
}

/* Fuses are latched at reset: decide whether ISP can work at all. */
static void chip_latch_fuses(struct avrchip *c)
{
    bool dead = false;
    if (chip_flag_programmed(c, "SPIEN") == 0)
        dead = true;
    if (chip_flag_programmed(c, "RSTDISBL") == 1)
        dead = true;
    if (chip_flag_programmed(c, "DWEN") == 1)
        dead = true;
    /* The clock: a value the datasheet marks reserved is taken as "does not run";
     * an external source needs something on XTAL1/XTAL2. */
    enum mem_id mem;
    if (fuse_clock_field(c->part, &mem)) {
        const char *cap;
        enum fuse_clock src =
            fuse_clock_source(c->part, avrchip_fuse_read(c, fuse_index(mem)), &cap);
        if (!cap || (c->faults.no_xtal && src == FUSE_CLOCK_EXTERNAL))
            dead = true;
    }
    c->isp_dead = dead;
}

static void chip_clear_buffers(struct avrchip *c)
{
    const struct part *p = c->part;
    c->prog_enabled = false;
    c->ext_addr = 0;
    memset(c->pagebuf, 0xFF, p->flash_page ? p->flash_page : 2);
}

void avrchip_power_up(struct avrchip *c)
{
    const struct part *p = c->part;
    chip_clear_buffers(c);
    memset(c->epagebuf, 0xFF, p->eeprom_page ? p->eeprom_page : 1);
    memset(c->epageloaded, 0, p->eeprom_page ? p->eeprom_page : 1);
    c->busy_left = 0;
    if (c->reset_low)
        chip_latch_fuses(c);
}

void avrchip_set_reset(struct avrchip *c, bool low)
{
    if (low && c->watch.fn)
        c->watch.fn(c, AVRCHIP_RESET_HELD, NULL, c->watch.ctx);
    if (low && !c->reset_low)
        chip_latch_fuses(c);
    c->reset_low = low;
    chip_clear_buffers(c);
    if (!low && c->watch.fn)
        c->watch.fn(c, AVRCHIP_RESET_RELEASED, NULL, c->watch.ctx);
}

/* Every write instruction ends here: its write cycle starts, and the chip counts as
 * modified (what the dryrun state file needs to know). */
static void chip_mark_busy(struct avrchip *c)
{
    c->busy_left = c->faults.busy_polls;
    c->modified = true;
}

static uint32_t chip_flash_index(const struct avrchip *c, uint32_t word, bool high)
{
    uint32_t byte = (((uint32_t)c->ext_addr << 16 | word) << 1) | (high ? 1u : 0u);
    return byte % c->part->flash_size; /* unused high address bits are ignored */
}

static void chip_commit_page(struct avrchip *c, uint32_t word)
{
    const struct part *p = c->part;
    uint32_t page_words = p->flash_page / 2u;
    uint32_t base = chip_flash_index(c, word & ~(page_words - 1u), false);
    base -= base % p->flash_page;
    if (!chip_write_locked(c)) {
        for (uint32_t i = 0; i < p->flash_page; i++) {
            uint32_t a = base + i;
            uint8_t v = c->flash[a] & c->pagebuf[i]; /* programming only clears bits */
            if (c->faults.has_stuck && a == c->faults.stuck_addr)
                v |= c->faults.stuck_mask;
            c->flash[a] = v;
        }
    }
    memset(c->pagebuf, 0xFF, p->flash_page);
    c->stats.page_writes++;
    chip_mark_busy(c);
}

static void chip_commit_eeprom_page(struct avrchip *c, uint32_t addr)
{
    const struct part *p = c->part;
    if (!p->eeprom_size || !p->eeprom_page)
        return;
    uint32_t base = (addr % p->eeprom_size) & ~(uint32_t)(p->eeprom_page - 1u);
    for (uint32_t i = 0; i < p->eeprom_page; i++) {
        if (c->epageloaded[i] && !chip_write_locked(c))
            c->eeprom[base + i] = c->epagebuf[i]; /* EEPROM: erase + write per byte */
        c->epageloaded[i] = 0;
        c->epagebuf[i] = 0xFF;
    }
    chip_mark_busy(c);
}

static int chip_fuse_index_for_write(uint8_t b2)
{
    switch (b2) {
    case 0xA0:
        return 0;
    case 0xA8:
        return 1;
    case 0xA4:
        return 2;
    case 0xE0:
        return 3;
    default:
        return -1;
    }
}

/* AC xx: Programming Enable (53), Chip Erase (80), fuse and lock writes. */
static void chip_ac_instruction(struct avrchip *c, const uint8_t in[4], uint8_t out[4])
{
    const struct part *p = c->part;
    if (in[1] == 0x53) {
        out[2] = 0x53;
        return;
    }
    if (in[1] == 0x80) {
        if (!c->faults.no_erase)
            avrchip_erase_state(c);
        chip_mark_busy(c);
        return;
    }
    int idx = chip_fuse_index_for_write(in[1]);
    if (idx == 3 && p->fuse[3].present) {
        c->fuse[3] &= in[3]; /* lock bits are only ever programmed; erase clears them */
        c->stats.fuse_writes++;
    } else if (idx >= 0 && p->fuse[idx].present && !chip_write_locked(c)) {
        if (!c->faults.fuse_stuck)
            c->fuse[idx] = in[3]; /* fuses are rewritten whole, both directions */
        c->stats.fuse_writes++;
    }
    chip_mark_busy(c);
}

/* A0 read, C0 write, C1 load page buffer, C2 commit page: the EEPROM. */
static void chip_eeprom_instruction(struct avrchip *c, const uint8_t in[4], uint8_t out[4],
                                    uint32_t word)
{
    const struct part *p = c->part;
    switch (in[0]) {
    case 0xA0:
        if (p->eeprom_size)
            out[3] = chip_read_locked(c) ? 0x00 : c->eeprom[word % p->eeprom_size];
        break;
    case 0xC0:
        if (p->eeprom_size && !chip_write_locked(c))
            c->eeprom[word % p->eeprom_size] = in[3];
        chip_mark_busy(c);
        break;
    case 0xC1:
        if (p->eeprom_page) {
            uint32_t off = in[2] & (p->eeprom_page - 1u);
            c->epagebuf[off] = in[3];
            c->epageloaded[off] = 1;
        }
        break;
    default: /* C2 */
        chip_commit_eeprom_page(c, word);
        break;
    }
}

void avrchip_spi(struct avrchip *c, const uint8_t in[4], uint8_t out[4])
{
    const struct part *p = c->part;
    c->stats.instructions++;
    if (c->faults.spi_delay_us)
        clock_sleep_us(c->faults.spi_delay_us);
    if (c->watch.fn)
        c->watch.fn(c, AVRCHIP_INSTRUCTION, in, c->watch.ctx);
    bool nothing = c->faults.unwired || c->absent;
    if (nothing || !c->reset_low || c->isp_dead) {
        /* Nothing drives MISO (no target, RESET released, or ISP disabled by fuses). */
        memset(out, nothing ? 0x00 : 0xFF, 4);
        return;
    }
    /* In sync the target echoes the previous byte: [x, b1, b2, data]. */
    out[0] = 0x00;
    out[1] = in[0];
    out[2] = in[1];
    out[3] = in[2];
    if (!c->prog_enabled) {
        if (in[0] == 0xAC && in[1] == 0x53) {
            c->prog_enabled = true;
            out[2] = 0x53;
        } else {
            out[1] = out[2] = out[3] = 0xFF; /* out of sync: garbage */
        }
        return;
    }
    uint32_t word = (uint32_t)in[1] << 8 | in[2];
    switch (in[0]) {
    case 0xAC:
        chip_ac_instruction(c, in, out);
        break;
    case 0xF0: /* poll RDY/BSY */
        out[3] = c->busy_left ? 0x01 : 0x00;
        if (c->busy_left)
            c->busy_left--;
        break;
    case 0x4D: /* load extended address */
        c->ext_addr = in[2];
        break;
    case 0x20:
    case 0x28: {
        uint32_t a = chip_flash_index(c, word, in[0] == 0x28);
        out[3] = chip_read_locked(c) ? 0x00 : c->flash[a];
        break;
    }
    case 0x40:
    case 0x48: {
        uint32_t off = ((uint32_t)in[2] & (p->flash_page / 2u - 1u)) * 2u + (in[0] == 0x48);
        c->pagebuf[off] = in[3];
        break;
    }
    case 0x4C:
        chip_commit_page(c, word);
        break;
    case 0xA0:
    case 0xC0:
    case 0xC1:
    case 0xC2:
        chip_eeprom_instruction(c, in, out, word);
        break;
    case 0x50:
        out[3] = avrchip_fuse_read(c, in[1] == 0x08 ? 2 : 0);
        break;
    case 0x58:
        out[3] = avrchip_fuse_read(c, in[1] == 0x08 ? 1 : 3);
        break;
    case 0x30:
        out[3] = (in[2] & 3u) < 3 ? p->signature[in[2] & 3u] : 0xFF;
        break;
    case 0x38:
        out[3] = (in[2] & 3u) < (p->n_calibration ? p->n_calibration : 1)
                     ? c->calibration[in[2] & 3u]
                     : 0xFF;
        break;
    default:
        break; /* unknown instruction: ignored by the chip */
    }
}

int avrchip_save(const struct avrchip *c, const char *path, struct ispf_error *err)
{
    const struct part *p = c->part;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return ispf_fail(err, ISPF_E_IO, "cannot write chip state %s: %s", tmp, strerror(errno));
    fprintf(f, "%s\npart %s\nfuses %02x %02x %02x %02x\nflash %lu\neeprom %lu\n", CHIP_STATE_MAGIC,
            p->id, c->fuse[0], c->fuse[1], c->fuse[2], c->fuse[3], (unsigned long)p->flash_size,
            (unsigned long)p->eeprom_size);
    bool ok = fwrite(c->flash, 1, p->flash_size, f) == p->flash_size &&
              fwrite(c->eeprom, 1, p->eeprom_size, f) == p->eeprom_size && fflush(f) == 0 &&
              fsync(fileno(f)) == 0;
    if (fclose(f) != 0 || !ok || rename(tmp, path) != 0) {
        remove(tmp);
        return ispf_fail(err, ISPF_E_IO, "cannot write chip state %s: %s", path, strerror(errno));
    }
    return ISPF_OK;
}

int avrchip_load(struct avrchip *c, const char *path, struct ispf_error *err)
{
    const struct part *p = c->part;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ispf_fail(err, ISPF_E_IO, "cannot read chip state %s: %s", path, strerror(errno));
    char magic[64] = "", id[64] = "";
    unsigned fz[4];
    unsigned long fsz = 0, esz = 0;
    int ok = fgets(magic, sizeof magic, f) != NULL && strncmp(magic, CHIP_STATE_MAGIC, 15) == 0 &&
             fscanf(f, "part %63s\nfuses %x %x %x %x\nflash %lu\neeprom %lu", id, &fz[0], &fz[1],
                    &fz[2], &fz[3], &fsz, &esz) == 7 &&
             fgetc(f) == '\n';
    if (!ok) {
        fclose(f);
        return ispf_fail(err, ISPF_E_INPUT, "%s is not an ispflash chip state file", path);
    }
    const struct part *fp = part_find(id);
    if (fp != p) {
        fclose(f);
        return ispf_fail(
            err, ISPF_E_INPUT,
            "chip state %s is a simulated %s, not %s (delete the file to start a fresh chip)", path,
            fp ? fp->name : id, p->name);
    }
    if (fsz != p->flash_size || esz != p->eeprom_size || fread(c->flash, 1, fsz, f) != fsz ||
        fread(c->eeprom, 1, esz, f) != esz) {
        fclose(f);
        return ispf_fail(err, ISPF_E_INPUT, "chip state %s is truncated or damaged", path);
    }
    fclose(f);
    for (int i = 0; i < 4; i++)
        c->fuse[i] = (uint8_t)fz[i];
    c->modified = false;
    return ISPF_OK;
}
