// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An Arduino bootloader of the Optiboot family (the target chip programming
 * itself, for -c arduino), as a test emulator. Behaviour restated from the
 * STK500v1 subset Optiboot implements (protocols.md section 2.6/2.7):
 *  - every command ends with EOP; a missing EOP makes the bootloader wait for
 *    its watchdog and start the application: nothing answers any more;
 *  - replies are INSYNC [payload] OK; commands it does not implement (GET_SYNC,
 *    GET_SIGN_ON, ENTER_PROGMODE ...) just get INSYNC OK (an empty sign-on);
 *  - GET_PARAMETER: SW_MAJOR 8, SW_MINOR 0, anything else 3;
 *  - LOAD_ADDRESS: word address; UNIVERSAL answers 0x00 (4D sets the address
 *    bits above 64 KiB, on parts that have them) and does nothing else:
 *    no fuses, no lock bits, no chip erase;
 *  - PROG_PAGE 'F': the page is erased and then written (a bootloader replaces
 *    flash, it does not AND into it); no EEPROM support in this build;
 *  - READ_PAGE 'F': bytes from the address; READ_SIGN: the chip's signature;
 *  - LEAVE_PROGMODE: OK, then the application starts (silence).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "emu/emu.h"

#define OB_OK 0x10
#define OB_INSYNC 0x14
#define OB_EOP 0x20

struct ob {
    struct emu_io *io;
    struct avrchip *chip;
    bool closed;
    bool app;         /* the bootloader has left: the application runs, nothing answers */
    uint32_t address; /* byte address */
    uint8_t rampz;
    bool pmode; /* ENTER_PROGMODE seen, LEAVE_PROGMODE not yet */
    uint8_t buff[512];
};

static uint8_t ob_getch(struct ob *o)
{
    if (o->closed)
        return 0;
    int c = emu_getc(o->io);
    if (c < 0) {
        o->closed = true;
        return 0;
    }
    return (uint8_t)c;
}

static void ob_put(struct ob *o, uint8_t b)
{
    if (!o->closed && !o->app)
        emu_write(o->io, &b, 1);
}

/* verifySpace(): EOP or the watchdog takes the chip into its application. */
static bool ob_verify_space(struct ob *o)
{
    if (ob_getch(o) != OB_EOP) {
        emu_stat_add(o->io, "errors", 1);
        o->app = true;
        return false;
    }
    ob_put(o, OB_INSYNC);
    return true;
}

static void ob_get_n(struct ob *o, unsigned n)
{
    while (n-- > 0)
        ob_getch(o);
    ob_verify_space(o);
}

/* PROG_PAGE: the page is erased, then written. False: nothing more to answer. */
static bool ob_prog_page(struct ob *o)
{
    const struct part *p = o->chip->part;
    unsigned len = (unsigned)ob_getch(o) << 8;
    len |= ob_getch(o);
    uint8_t type = ob_getch(o);
    for (unsigned i = 0; i < len; i++) {
        uint8_t b = ob_getch(o);
        if (i < sizeof o->buff)
            o->buff[i] = b;
    }
    if (!ob_verify_space(o) || o->closed)
        return false;
    if (type == 'F' && len <= sizeof o->buff) {
        uint32_t page = p->flash_page;
        uint32_t base = (o->address % p->flash_size) & ~(page - 1u);
        memset(o->chip->flash + base, 0xFF, page); /* page erase */
        for (unsigned i = 0; i < len && base + i < p->flash_size; i++)
            o->chip->flash[base + i] = o->buff[i];
        const struct avrchip_faults *f = &o->chip->faults; /* --stuck: bits stay 1 */
        if (f->has_stuck && f->stuck_addr - base < page)
            o->chip->flash[f->stuck_addr] |= f->stuck_mask;
        o->chip->stats.page_writes++;
    } else {
        emu_stat_add(o->io, "ignored_writes", 1);
    }
    return true;
}

static void ob_command(struct ob *o, uint8_t ch)
{
    const struct part *p = o->chip->part;
    char key[24];
    snprintf(key, sizeof key, "cmd_%02x", ch);
    emu_stat_add(o->io, key, 1);
    switch (ch) {
    case 0x41: { /* GET_PARAMETER */
        uint8_t which = ob_getch(o);
        if (!ob_verify_space(o))
            return;
        ob_put(o, which == 0x82 ? 0 : which == 0x81 ? 8 : 3);
        break;
    }
    case 0x42: /* SET_DEVICE: ignored */
        ob_get_n(o, 20);
        break;
    case 0x45: /* SET_DEVICE_EXT: ignored */
        ob_get_n(o, 5);
        break;
    case 0x55: { /* LOAD_ADDRESS, word */
        uint32_t w = ob_getch(o);
        w |= (uint32_t)ob_getch(o) << 8;
        o->address = ((uint32_t)o->rampz << 16) | (w * 2u);
        ob_verify_space(o);
        break;
    }
    case 0x56: { /* UNIVERSAL: only 4D means something */
        uint8_t b[4];
        for (int i = 0; i < 4; i++)
            b[i] = ob_getch(o);
        if (b[0] == 0x4D && p->flash_size > 65536u)
            o->rampz = (uint8_t)(b[2] << 1);
        if (!ob_verify_space(o))
            return;
        ob_put(o, 0x00);
        break;
    }
    case 0x64: /* PROG_PAGE */
        if (!ob_prog_page(o))
            return;
        break;
    case 0x74: { /* READ_PAGE */
        unsigned len = (unsigned)ob_getch(o) << 8;
        len |= ob_getch(o);
        uint8_t type = ob_getch(o);
        if (!ob_verify_space(o))
            return;
        (void)type; /* this build reads flash whatever the type */
        for (unsigned i = 0; i < len; i++)
            ob_put(o, o->chip->flash[(o->address + i) % p->flash_size]);
        break;
    }
    case 0x75: /* READ_SIGN */
        if (!ob_verify_space(o))
            return;
        for (int i = 0; i < 3; i++)
            ob_put(o, p->signature[i]);
        break;
    case 0x51: /* LEAVE_PROGMODE: the watchdog starts the application */
        if (!ob_verify_space(o))
            return;
        ob_put(o, OB_OK);
        emu_end_reply(o->io);
        emu_stat_add(o->io, "left_progmode", 1);
        o->pmode = false;
        o->app = true;
        return;
    case 0x50: /* ENTER_PROGMODE: nothing to do but answer */
        o->pmode = true;
        if (!ob_verify_space(o))
            return;
        break;
    default: /* everything else: EOP, then INSYNC OK */
        if (!ob_verify_space(o))
            return;
        break;
    }
    ob_put(o, OB_OK);
}

static int ob_serve(struct emu_io *io, struct avrchip *chip)
{
    struct ob o;
    memset(&o, 0, sizeof o);
    o.io = io;
    o.chip = chip;
    /* Each connection is a fresh reset into the bootloader (DTR auto-reset). */
    avrchip_set_reset(chip, false);
    for (;;) {
        int c = emu_getc(io);
        if (c < 0)
            break;
        if (o.app)
            continue; /* the application ignores the programming protocol */
        ob_command(&o, (uint8_t)c);
        if (o.closed)
            break;
        emu_end_reply(io);
    }
    if (o.pmode)
        emu_stat_add(io, "ended_in_progmode", 1);
    return 0;
}

const struct emu_proto emu_optiboot = {
    .name = "optiboot",
    .serve = ob_serve,
};
