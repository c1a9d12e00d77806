// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Caterina, the AVR109 bootloader of the Leonardo / Micro / Pro Micro (the target
 * chip programming itself, for -c avr109), as a test emulator. Behaviour restated
 * from the AVR109 command set as Caterina implements it (protocols.md section 7):
 *  - one command byte, binary arguments; '\r' for done, '?' for unknown commands;
 *    ESC (0x1B) gets no answer;
 *  - 'S' "CATERIN", 'V' "10", 'v' '?', 'p' 'S', 'a' 'Y', 'b' 'Y' + the SPM page
 *    size (2 bytes, big-endian), 't' 0x44 0x00, 'T' x / 'P' / 'L' / 'l' x '\r';
 *  - 'A' hi lo: word address (Caterina keeps it doubled, a byte address; EEPROM
 *    accesses use it halved and count it up by 2 per byte);
 *  - 'B' n 'F': erase the page at the address, fill it with n bytes, write it;
 *    'B' n 'E': EEPROM bytes; 'g' n 'F'|'E': read; the address advances;
 *    a memory type other than F/E answers '?';
 *  - its own section (the last 4 KiB of flash) is never erased or written:
 *    such writes are ignored (proto.ignored_writes); reads return its bytes;
 *  - 'e': erase the application section only; 's': signature in reverse order;
 *    'F' 'N' 'Q' 'r': low, high, extended fuse, lock byte;
 *  - the timeout (Caterina.c's TIMEOUT_PERIOD, a 1 ms timer): when a sketch is
 *    present (flash word 0 is not 0xFFFF) and no command arrives for --opt
 *    timeout=MS (default 8000, SparkFun's Pro Micro Caterina; 750 for a
 *    Leonardo-type one), the bootloader starts the application. 'B' and 'g' restart
 *    the count; 'E' answers '\r' and leaves 500 ms (TIMEOUT_PERIOD - 500), in which
 *    commands are still answered. Without a sketch it never times out.
 *  - when the application starts, nothing answers any more: over TCP the connection
 *    stays open and silent; on a tty (ispf-emu --tty) serve() returns, and with
 *    --touch the harness re-enumerates the port as the application's
 *    (proto.timeouts counts the timeouts, proto.exits the 'E's).
 * Each TCP connection is a fresh reset into the bootloader.
 * Not emulated: the word-level commands 'R' 'C' 'c' 'm' 'D' 'd' (answer '?').
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu/emu.h"

#define CT_BOOT_SIZE 4096u

struct ct {
    struct emu_io *io;
    struct avrchip *chip;
    bool closed;
    bool app;      /* the application runs (timeout, or 500 ms after 'E') */
    bool exited;   /* 'E' was answered */
    uint32_t addr; /* Caterina's CurrAddress: word address x 2 */
    bool pmode;
};

static long long ct_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint8_t ct_getch(struct ct *c)
{
    if (c->closed)
        return 0;
    int ch = emu_getc(c->io);
    if (ch < 0) {
        c->closed = true;
        return 0;
    }
    return (uint8_t)ch;
}

static void ct_put(struct ct *c, uint8_t b)
{
    if (!c->closed)
        emu_write(c->io, &b, 1);
}

static uint32_t ct_boot_start(const struct ct *c)
{
    return c->chip->part->flash_size - CT_BOOT_SIZE;
}

static void ct_write_flash(struct ct *c, const uint8_t *buf, unsigned n)
{
    const struct part *p = c->chip->part;
    uint32_t page = p->flash_page;
    uint32_t base = (c->addr % p->flash_size) & ~(page - 1u);
    if (base >= ct_boot_start(c)) {
        emu_stat_add(c->io, "ignored_writes", 1);
        c->addr += n;
        return;
    }
    /* boot_page_erase, then the words go into the page buffer (wrapping in it), then
     * boot_page_write */
    uint8_t pagebuf[1024];
    memset(pagebuf, 0xFF, sizeof pagebuf);
    uint32_t off = (c->addr % p->flash_size) - base;
    for (unsigned i = 0; i < n; i++)
        pagebuf[(off + i) % page] = buf[i];
    memcpy(c->chip->flash + base, pagebuf, page);
    const struct avrchip_faults *f = &c->chip->faults; /* --stuck: bits stay 1 */
    if (f->has_stuck && f->stuck_addr - base < page)
        c->chip->flash[f->stuck_addr] |= f->stuck_mask;
    c->chip->stats.page_writes++;
    c->chip->modified = true;
    c->addr += n;
}

static void ct_block(struct ct *c, bool write)
{
    const struct part *p = c->chip->part;
    unsigned n = (unsigned)ct_getch(c) << 8;
    n |= ct_getch(c);
    uint8_t type = ct_getch(c);
    if (type != 'F' && type != 'E') {
        ct_put(c, '?');
        return;
    }
    if (!write) {
        for (unsigned i = 0; i < n; i++, c->addr += type == 'E' ? 2u : 1u) {
            uint8_t b = type == 'F' ? c->chip->flash[c->addr % p->flash_size]
                                    : c->chip->eeprom[(c->addr >> 1) % p->eeprom_size];
            ct_put(c, b);
        }
        return;
    }
    uint8_t buf[1024];
    for (unsigned i = 0; i < n; i++) {
        uint8_t b = ct_getch(c);
        if (i < sizeof buf)
            buf[i] = b;
    }
    if (c->closed)
        return;
    if (type == 'F' && n <= p->flash_page) {
        ct_write_flash(c, buf, n);
    } else if (type == 'E') {
        for (unsigned i = 0; i < n && i < sizeof buf; i++, c->addr += 2)
            c->chip->eeprom[(c->addr >> 1) % p->eeprom_size] = buf[i];
        c->chip->modified = true;
    } else {
        emu_stat_add(c->io, "ignored_writes", 1);
    }
    ct_put(c, '\r');
}

static void ct_put_str(struct ct *c, const char *s)
{
    emu_write(c->io, (const uint8_t *)s, strlen(s));
}

static void ct_erase_app(struct ct *c)
{
    memset(c->chip->flash, 0xFF, ct_boot_start(c));
    c->chip->stats.erases++;
    c->chip->modified = true;
    ct_put(c, '\r');
}

static void ct_command(struct ct *c, uint8_t ch)
{
    const struct part *p = c->chip->part;
    char key[24];
    snprintf(key, sizeof key, "cmd_%02x", ch);
    emu_stat_add(c->io, key, 1);
    switch (ch) {
    case 0x1B: /* ESC: sync, no answer */
        return;
    case 'S':
        ct_put_str(c, "CATERIN");
        return;
    case 'V':
        ct_put_str(c, "10");
        return;
    case 'p':
        ct_put(c, 'S');
        return;
    case 'a':
        ct_put(c, 'Y');
        return;
    case 'b':
        ct_put(c, 'Y');
        ct_put(c, (uint8_t)(p->flash_page >> 8));
        ct_put(c, (uint8_t)p->flash_page);
        return;
    case 't':
        ct_put(c, 0x44);
        ct_put(c, 0x00);
        return;
    case 'T':
    case 'l': /* device code / lock bits: taken and ignored */
        ct_getch(c);
        ct_put(c, '\r');
        return;
    case 'P':
    case 'L':
        c->pmode = ch == 'P';
        if (ch == 'L')
            emu_stat_add(c->io, "left_progmode", 1);
        ct_put(c, '\r');
        return;
    case 'E':
        ct_put(c, '\r');
        emu_stat_add(c->io, "exits", 1);
        return;
    case 'A': {
        uint32_t hi = ct_getch(c), lo = ct_getch(c);
        c->addr = (hi << 9) | (lo << 1);
        ct_put(c, '\r');
        return;
    }
    case 'B':
    case 'g':
        ct_block(c, ch == 'B');
        return;
    case 'e':
        ct_erase_app(c);
        return;
    case 's':
        for (int i = 2; i >= 0; i--)
            ct_put(c, p->signature[i]);
        return;
    case 'F':
    case 'N':
    case 'Q':
    case 'r':
        ct_put(c, avrchip_fuse_read(c->chip, ch == 'F' ? 0 : ch == 'N' ? 1 : ch == 'Q' ? 2 : 3));
        return;
    default:
        emu_stat_add(c->io, "errors", 1);
        ct_put(c, '?');
        return;
    }
}

static long long ct_timeout_ms(struct emu_io *io)
{
    const char *v = emu_opt(io, "timeout");
    return v ? strtoll(v, NULL, 0) : 8000;
}

/* Caterina's timer counts only while a sketch is there (pgm_read_word(0)). */
static bool ct_sketch(const struct ct *c)
{
    return c->chip->flash[0] != 0xFF || c->chip->flash[1] != 0xFF;
}

static int ct_serve(struct emu_io *io, struct avrchip *chip)
{
    struct ct c;
    memset(&c, 0, sizeof c);
    c.io = io;
    c.chip = chip;
    avrchip_set_reset(chip, false); /* each connection: a fresh start in the bootloader */
    long long period = ct_timeout_ms(io);
    long long deadline = ct_now_ms() + period;
    for (;;) {
        int ch;
        if (c.app) {
            ch = emu_getc(io); /* the application: reads, never answers */
        } else if (ct_sketch(&c)) {
            long long left = deadline - ct_now_ms();
            ch = emu_getc_within(io, left > 0 ? (int)left : 0);
        } else {
            ch = emu_getc_within(io, 100);
            if (ch == -2) { /* no sketch: the count never runs out */
                deadline = ct_now_ms() + period;
                continue;
            }
        }
        if (ch == -2) {
            emu_stat_add(io, c.exited ? "exit_starts" : "timeouts", 1);
            c.app = true;
            if (emu_on_tty(io))
                break; /* the harness detaches the bootloader's port */
            continue;
        }
        if (ch < 0)
            break;
        if (c.app)
            continue;
        if (ch == 'B' || ch == 'g')
            deadline = ct_now_ms() + period; /* Timeout = 0 */
        ct_command(&c, (uint8_t)ch);
        if (ch == 'E') {
            c.exited = true;
            deadline = ct_now_ms() + (period > 500 ? 500 : period);
        }
        if (c.closed)
            break;
        emu_end_reply(io);
    }
    if (c.pmode)
        emu_stat_add(io, "ended_in_progmode", 1);
    return 0;
}

const struct emu_proto emu_caterina = {
    .name = "caterina",
    .serve = ct_serve,
};
