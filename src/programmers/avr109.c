// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVR109 ("butterfly", AVR911) self-programming bootloaders, as Caterina (the
 * Leonardo / Micro / Pro Micro bootloader) implements them: -c avr109, butterfly,
 * avr911. Facts: protocols.md section 7.
 *  - One ASCII command byte and binary arguments; most commands answer '\r',
 *    unknown ones '?'.
 *  - 'A' hi lo sets the address: a word address for flash, a byte address for
 *    EEPROM; 'B'/'g' (block write/read, size hi lo, 'F'|'E') advance it, so runs
 *    of consecutive blocks need one 'A' only.
 *  - 'b' answers 'Y' and the block size (Caterina: 128, one SPM page); a flash
 *    'B' erases and writes the one page it starts in.
 *  - 's' returns the signature in reverse order; 'F' 'N' 'Q' 'r' read the low,
 *    high and extended fuse and the lock byte. No fuse or lock writes here.
 *  - There is no raw ISP: spi() serves the instructions the core uses for the
 *    signature and fuse reads from those commands and refuses the others.
 *  - Caterina refuses to touch its own 4 KiB at the end of flash: writes there
 *    are refused here (ISPF_E_REFUSED) before anything is sent.
 */
#include <stdio.h>
#include <string.h>

#define LOG_PREFIX "avr109"

#include "base/clock.h"
#include "ispflash/interrupt.h"
#include "ispflash/log.h"
#include "programmers/backend.h"
#include "transport/stream.h"

#define A109_BASE_TIMEOUT_MS 1000
#define A109_CATERINA_BOOT 4096u /* Caterina's own section, at the end of flash */
#define A109_MAX_BLOCK 1024u

struct a109_priv {
    struct stream *s;
    char id[8];         /* 'S' answer */
    uint16_t block;     /* 'b' block size */
    uint32_t boot_size; /* bytes at the end of flash the bootloader keeps */
    uint8_t sig[3];     /* signature, in the usual order */
    int addr_mem;       /* memory of the address counter (-1: unknown) */
    uint32_t addr_next; /* byte address the bootloader's counter holds */
};

static struct a109_priv *a109_priv(struct pgm *pgm)
{
    return (struct a109_priv *)pgm->priv;
}

static int a109_timeout(const struct a109_priv *p, size_t bytes, unsigned work_ms)
{
    return A109_BASE_TIMEOUT_MS + stream_wire_ms(p->s, bytes) * 3 / 2 + (int)(work_ms * 3 / 2);
}

/* Send tx, read exactly nrx reply bytes within the reply's time. */
static int a109_xfer(struct pgm *pgm, const char *what, const uint8_t *tx, size_t ntx, uint8_t *rx,
                     size_t nrx, unsigned work_ms, struct ispf_error *err)
{
    struct a109_priv *p = a109_priv(pgm);
    if (ispf_interrupted())
        return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
    pgm->stats.commands++;
    int rc = stream_write(p->s, tx, ntx, err);
    if (rc < 0)
        return ispf_error_prefix(err, "AVR109 %s", what);
    if (nrx == 0)
        return ISPF_OK;
    rc = stream_read(p->s, rx, nrx, a109_timeout(p, ntx + nrx, work_ms), err);
    pgm_stats_from_stream(pgm, p->s);
    if (rc < 0) {
        p->addr_mem = -1;
        return ispf_error_prefix(err, "AVR109 %s", what);
    }
    return ISPF_OK;
}

/* A command answered by '\r'. */
static int a109_cmd_cr(struct pgm *pgm, const char *what, const uint8_t *tx, size_t ntx,
                       unsigned work_ms, struct ispf_error *err)
{
    uint8_t r;
    int rc = a109_xfer(pgm, what, tx, ntx, &r, 1, work_ms, err);
    if (rc < 0)
        return rc;
    if (r != '\r') {
        a109_priv(pgm)->addr_mem = -1;
        return ispf_fail(err, ISPF_E_PROTOCOL,
                         "AVR109 %s: the bootloader answered 0x%02X, not '\\r'%s", what, r,
                         r == '?' ? " (it does not know the command)" : "");
    }
    return ISPF_OK;
}

static int a109_check_xopts(struct pgm *pgm, struct ispf_error *err)
{
    for (size_t i = 0; i < pgm->cfg.n_xopts; i++)
        return ispf_fail(err, ISPF_E_USAGE, "-c %s takes no -x option (-x %s)", pgm->entry->id,
                         pgm->cfg.xopts[i]);
    return ISPF_OK;
}

/* 'S' (software id) and 'b' (block size). */
static int a109_identify(struct pgm *pgm, struct ispf_error *err)
{
    struct a109_priv *p = a109_priv(pgm);
    uint8_t id[7];
    static const uint8_t s = 'S', b = 'b';
    int rc = a109_xfer(pgm, "software id ('S')", &s, 1, id, sizeof id, 0, err);
    if (rc == ISPF_E_TIMEOUT)
        return ispf_fail(err, ISPF_E_TIMEOUT,
                         "no answer from the programmer on %s: no AVR109 bootloader answers, "
                         "the bootloader is not running (Caterina waits 8 s after a reset, "
                         "then starts the application; double-tap RESET to GND on SparkFun "
                         "boards, a single press opens a 750 ms window on others). Reset the "
                         "board into it and run again within the window, or let ispflash do "
                         "it with -r and -P the application's port",
                         pgm->cfg.port);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < sizeof id; i++)
        if (id[i] < 0x20 || id[i] > 0x7E)
            return stream_not_protocol(p->s, "AVR109", id, sizeof id, err);
    memcpy(p->id, id, sizeof id);
    p->id[7] = '\0';
    uint8_t r[3];
    rc = a109_xfer(pgm, "block support ('b')", &b, 1, r, 1, 0, err);
    if (rc < 0)
        return rc;
    if (r[0] != 'Y' && r[0] != 'N') { /* a port that sends printable junk */
        uint8_t junk[8];
        memcpy(junk, id, sizeof id);
        junk[7] = r[0];
        return stream_not_protocol(p->s, "AVR109", junk, sizeof junk, err);
    }
    if (r[0] != 'Y')
        return ispf_fail(err, ISPF_E_UNSUPPORTED,
                         "the AVR109 bootloader '%s' has no block mode ('b' answered 0x%02X)",
                         p->id, r[0]);
    rc = stream_read(p->s, r + 1, 2, a109_timeout(p, 2, 0), err);
    if (rc < 0)
        return ispf_error_prefix(err, "AVR109 block size");
    p->block = (uint16_t)(r[1] << 8 | r[2]);
    if (p->block < 2 || p->block > A109_MAX_BLOCK)
        return ispf_fail(err, ISPF_E_PROTOCOL, "AVR109 bootloader '%s': block size %u", p->id,
                         p->block);
    p->block &= (uint16_t)~1u;
    if (strcmp(p->id, "CATERIN") == 0)
        p->boot_size = A109_CATERINA_BOOT;
    pgm->boot_keep = p->boot_size;
    log_dbg("AVR109 bootloader '%s', block size %u", p->id, p->block);
    return ISPF_OK;
}

static int a109_open(struct pgm *pgm, struct ispf_error *err)
{
    struct a109_priv *p = a109_priv(pgm);
    int rc = a109_check_xopts(pgm, err);
    if (rc < 0)
        return rc;
    rc = stream_open(&p->s, pgm->cfg.port, pgm_baud(pgm), err);
    if (rc < 0)
        return rc;
    p->addr_mem = -1;
    pgm->ext_addr = -1;
    /* A CDC bootloader: DTR/RTS asserted, as a terminal would (no reset circuit). */
    if (!stream_is_net(pgm->cfg.port))
        rc = stream_set_lines(p->s, 1, 1, err);
    if (rc == ISPF_OK)
        rc = stream_discard(p->s, 0, clock_now_ms() + 50, NULL, 4096, true, err);
    if (rc == ISPF_OK)
        rc = a109_identify(pgm, err);
    if (rc < 0) {
        pgm_stats_from_stream(pgm, p->s);
        stream_close(p->s);
        p->s = NULL;
        return rc;
    }
    pgm->flags |= PGM_FLAG_BOOTLOADER;
    pgm->flash_write_max = 0; /* a flash 'B' writes the one page it starts in */
    return ISPF_OK;
}

static void a109_close(struct pgm *pgm)
{
    struct a109_priv *p = a109_priv(pgm);
    if (p->s == NULL)
        return;
    struct ispf_error e;
    ispf_error_clear(&e);
    static const uint8_t ex = 'E';
    if (a109_cmd_cr(pgm, "exit bootloader ('E')", &ex, 1, 0, &e) < 0)
        log_warn("the bootloader did not confirm its exit: %s", e.msg);
    pgm_stats_from_stream(pgm, p->s);
    stream_close(p->s);
    p->s = NULL;
}

static int a109_enable(struct pgm *pgm, struct ispf_error *err)
{
    struct a109_priv *p = a109_priv(pgm);
    static const uint8_t enter = 'P', sig = 's';
    int rc = a109_cmd_cr(pgm, "enter programming mode ('P')", &enter, 1, 0, err);
    if (rc < 0)
        return rc;
    uint8_t r[3];
    rc = a109_xfer(pgm, "read signature ('s')", &sig, 1, r, 3, 0, err);
    if (rc < 0)
        return rc;
    p->sig[0] = r[2]; /* 's' answers byte 2, 1, 0 */
    p->sig[1] = r[1];
    p->sig[2] = r[0];
    pgm->ext_addr = -1;
    p->addr_mem = -1;
    return ISPF_OK;
}

static void a109_disable(struct pgm *pgm)
{
    struct ispf_error e;
    ispf_error_clear(&e);
    static const uint8_t leave = 'L';
    if (a109_cmd_cr(pgm, "leave programming mode ('L')", &leave, 1, 0, &e) < 0)
        log_warn("could not leave programming mode: %s", e.msg);
}

/* The fuse/lock read instructions and the bootloader's commands for them. */
static int a109_fuse_cmd(const uint8_t cmd[4])
{
    if (cmd[0] == 0x50 && cmd[1] == 0x00)
        return 'F';
    if (cmd[0] == 0x58 && cmd[1] == 0x08)
        return 'N';
    if (cmd[0] == 0x50 && cmd[1] == 0x08)
        return 'Q';
    if (cmd[0] == 0x58 && cmd[1] == 0x00)
        return 'r';
    return 0;
}

static int a109_spi(struct pgm *pgm, const uint8_t cmd[4], uint8_t res[4], struct ispf_error *err)
{
    struct a109_priv *p = a109_priv(pgm);
    res[0] = 0;
    res[1] = cmd[0];
    res[2] = cmd[1];
    res[3] = 0;
    if (cmd[0] == 0x30 && cmd[2] < 3) {
        res[3] = p->sig[cmd[2]];
        return ISPF_OK;
    }
    if (cmd[0] == 0xF0) /* RDY/BSY: the bootloader waits for its own writes */
        return ISPF_OK;
    if (cmd[0] == 0x4D && cmd[2] == 0) /* no flash above 128 KiB here */
        return ISPF_OK;
    int f = a109_fuse_cmd(cmd);
    if (f != 0) {
        uint8_t c = (uint8_t)f;
        char what[32];
        snprintf(what, sizeof what, "read fuse ('%c')", f);
        return a109_xfer(pgm, what, &c, 1, &res[3], 1, 0, err);
    }
    if (cmd[0] == 0xAC && cmd[1] == 0x80)
        return ispf_fail(err, ISPF_E_UNSUPPORTED,
                         "a bootloader has no chip erase (it erases each flash page as it "
                         "writes it)");
    return ispf_fail(err, ISPF_E_UNSUPPORTED,
                     "the AVR109 bootloader (-c %s) cannot run ISP instruction %02x %02x %02x "
                     "%02x: fuse and lock writes need an ISP programmer",
                     pgm->entry->id, cmd[0], cmd[1], cmd[2], cmd[3]);
}

/* 'A' unless the bootloader's counter already holds addr (byte address of mem). */
static int a109_set_addr(struct pgm *pgm, enum mem_id mem, uint32_t addr, struct ispf_error *err)
{
    struct a109_priv *p = a109_priv(pgm);
    if (p->addr_mem == (int)mem && p->addr_next == addr)
        return ISPF_OK;
    uint32_t a = mem == MEM_FLASH ? addr / 2 : addr;
    if (a > 0xFFFFu)
        return ispf_fail(err, ISPF_E_UNSUPPORTED,
                         "AVR109 addresses reach 64 Ki words; 0x%05X is beyond them", addr);
    uint8_t tx[3] = {'A', (uint8_t)(a >> 8), (uint8_t)a};
    int rc = a109_cmd_cr(pgm, "set address ('A')", tx, sizeof tx, 0, err);
    if (rc < 0)
        return rc;
    p->addr_mem = (int)mem;
    p->addr_next = addr;
    return ISPF_OK;
}

static int a109_mem_ok(enum mem_id mem, struct ispf_error *err)
{
    if (mem != MEM_FLASH && mem != MEM_EEPROM)
        return ispf_fail(err, ISPF_E_UNSUPPORTED, "an AVR109 bootloader has only flash and EEPROM");
    return ISPF_OK;
}

/* One 'g' of n bytes (even for flash) at addr. */
static int a109_read_chunk(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf,
                           uint32_t n, struct ispf_error *err)
{
    struct a109_priv *p = a109_priv(pgm);
    int rc = a109_set_addr(pgm, mem, addr, err);
    if (rc < 0)
        return rc;
    uint8_t tx[4] = {'g', (uint8_t)(n >> 8), (uint8_t)n, mem == MEM_FLASH ? 'F' : 'E'};
    rc = a109_xfer(pgm, "block read ('g')", tx, sizeof tx, buf, n, 0, err);
    if (rc < 0)
        return rc;
    p->addr_next = addr + n;
    return ISPF_OK;
}

static int a109_read_block(struct pgm *pgm, enum mem_id mem, uint32_t addr, uint8_t *buf,
                           uint32_t len, struct ispf_error *err)
{
    struct a109_priv *p = a109_priv(pgm);
    int rc = a109_mem_ok(mem, err);
    uint8_t tmp[A109_MAX_BLOCK];
    while (rc == ISPF_OK && len > 0) {
        /* Flash is read in words: an odd start or end reads one byte more. */
        uint32_t start = mem == MEM_FLASH ? addr & ~1u : addr, skip = addr - start;
        uint32_t n = len + skip;
        if (n > p->block)
            n = p->block;
        if (mem == MEM_FLASH && (n & 1u))
            n++;
        rc = a109_read_chunk(pgm, mem, start, tmp, n, err);
        uint32_t got = n - skip < len ? n - skip : len;
        if (rc == ISPF_OK)
            memcpy(buf, tmp + skip, got);
        buf += got;
        addr += got;
        len -= got;
    }
    return rc;
}

static int a109_boot_refused(struct pgm *pgm, uint32_t addr, uint32_t len, struct ispf_error *err)
{
    struct a109_priv *p = a109_priv(pgm);
    uint32_t size = pgm->cfg.part->flash_size;
    if (p->boot_size == 0 || size <= p->boot_size || addr + len <= size - p->boot_size)
        return ISPF_OK;
    return ispf_fail(err, ISPF_E_REFUSED,
                     "flash 0x%05X-0x%05X is the bootloader's own section (%s keeps "
                     "0x%05X-0x%05X and does not write there): only the application below "
                     "0x%05X can be written through it",
                     addr, addr + len - 1, p->id, size - p->boot_size, size - 1,
                     size - p->boot_size);
}

static int a109_write_page(struct pgm *pgm, enum mem_id mem, uint32_t addr, const uint8_t *buf,
                           uint32_t len, struct ispf_error *err)
{
    struct a109_priv *p = a109_priv(pgm);
    int rc = a109_mem_ok(mem, err);
    if (rc == ISPF_OK && mem == MEM_FLASH)
        rc = a109_boot_refused(pgm, addr, len, err);
    uint32_t page = pgm->cfg.part->flash_page;
    while (rc == ISPF_OK && len > 0) {
        /* flash: one page per 'B' (Caterina erases and writes the page it starts in) */
        uint32_t n = mem == MEM_FLASH ? page : p->block;
        if (n > p->block)
            n = p->block;
        if (n > len)
            n = len;
        uint8_t tx[4 + A109_MAX_BLOCK] = {'B', (uint8_t)(n >> 8), (uint8_t)n,
                                          mem == MEM_FLASH ? 'F' : 'E'};
        memcpy(tx + 4, buf, n);
        rc = a109_set_addr(pgm, mem, addr, err);
        unsigned work = mem == MEM_FLASH ? 20u : 10u * n; /* page erase+write; EEPROM bytes */
        if (rc == ISPF_OK)
            rc = a109_cmd_cr(pgm, "block write ('B')", tx, 4 + n, work, err);
        if (rc == ISPF_OK)
            p->addr_next = addr + n;
        buf += n;
        addr += n;
        len -= n;
    }
    return rc;
}

const struct programmer_ops pgm_avr109_ops = {
    .priv_size = sizeof(struct a109_priv),
    .wiring_hint = NULL,
    .open = a109_open,
    .close = a109_close,
    .enable = a109_enable,
    .disable = a109_disable,
    .spi = a109_spi,
    .read_block = a109_read_block,
    .write_page = a109_write_page,
    .set_sck = NULL,
};
