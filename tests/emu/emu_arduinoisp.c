// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ArduinoISP v1.18 (Arduino's ArduinoISP sketch, also QMK's Pro Micro / Teensy
 * 2.0 ISP firmware) as a test emulator. Behaviour restated from protocols.md
 * section 2, quirks included:
 *  - a byte other than EOP where EOP is expected: the reply is NOSYNC (0x15) only;
 *  - unknown commands (0x52 CHIP_ERASE, 0x40 SET_PARAMETER, 0x53 ...) read one
 *    more byte and answer UNKNOWN (0x12) if it was EOP, else NOSYNC; their
 *    parameters are then parsed as commands;
 *  - SET_DEVICE_EXT always consumes 5 bytes; ENTER_PROGMODE always answers OK;
 *  - LOAD_ADDRESS is a word address for flash AND EEPROM (EEPROM byte = word*2);
 *  - the address counter auto-increments on flash PROG_PAGE / READ_PAGE only;
 *  - READ_PAGE length is a signed 16-bit int: 0x8000 and above stream nothing;
 *    odd flash lengths return one byte more;
 *  - PROG_PAGE flash data goes into a 256-byte buffer without a bounds check (a
 *    longer block corrupts the sketch: this emulator then stops answering);
 *  - PROG_PAGE memtype other than 'F'/'E': a bare FAILED, EOP not read;
 *  - EEPROM PROG_PAGE longer than the SET_DEVICE EEPROM size: FAILED with the
 *    data left unread;
 *  - page commits follow the SET_DEVICE page size (32/64/128/256, otherwise every
 *    word is committed on its own).
 * Options (--opt): baud=N   answer only when the host's line speed is N (tty mode);
 *                  cdc=1    an ATmega32U4 programmer (Pro Micro, Leonardo): the
 *                           Arduino CDC code sends nothing while the host holds
 *                           DTR low (tty mode);
 *                  firmware=stk500  a genuine STK500 instead: sign-on "AVR STK",
 *                           firmware 2.10, EEPROM LOAD_ADDRESS in bytes, blocks
 *                           over 256 bytes answered FAILED;
 *                  whole=BAUD  behind a bridge that hands a reply over only when it
 *                           is complete: each reply is sent in one piece, after the
 *                           time its command and it take on a serial line at BAUD.
 * Stats: proto.left_progmode (LEAVE_PROGMODE while in programming mode),
 * proto.ended_in_progmode (connections that ended with the target still held in
 * programming mode).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu/emu.h"

#define AISP_OK 0x10
#define AISP_FAILED 0x11
#define AISP_UNKNOWN 0x12
#define AISP_INSYNC 0x14
#define AISP_NOSYNC 0x15
#define AISP_EOP 0x20

struct aisp {
    struct emu_io *io;
    struct avrchip *chip;
    bool closed;  /* host went away */
    bool crashed; /* buffer overflow: the sketch no longer runs */
    int error;
    bool pmode;
    uint16_t here; /* unsigned int on the AVR */
    uint8_t buff[256];
    /* SET_DEVICE parameters the sketch keeps */
    uint8_t devicecode;
    uint16_t pagesize, eepromsize;
    bool rst_active_high;
    bool stk500;             /* --opt firmware=stk500 */
    bool cdc;                /* --opt cdc=1 */
    bool mute;               /* cdc: the host holds DTR low, output is dropped */
    long whole;              /* --opt whole=BAUD: replies whole, after their wire time */
    unsigned long cmd_bytes; /* whole: host bytes of the current command */
    uint8_t *reply;          /* whole: the reply being built */
    size_t reply_len, reply_cap;
};

static uint8_t aisp_getch(struct aisp *a)
{
    if (a->closed)
        return 0;
    int c = emu_getc(a->io);
    if (c < 0) {
        a->closed = true;
        return 0;
    }
    a->cmd_bytes++;
    return (uint8_t)c;
}

static void aisp_queue(struct aisp *a, uint8_t b)
{
    if (a->reply_len == a->reply_cap) {
        size_t cap = a->reply_cap ? 2 * a->reply_cap : 4096;
        uint8_t *r = realloc(a->reply, cap);
        if (r == NULL) {
            a->closed = true;
            return;
        }
        a->reply = r;
        a->reply_cap = cap;
    }
    a->reply[a->reply_len++] = b;
}

/* whole: the command's reply in one write, once the command and the reply would
 * have crossed the serial line behind the bridge. */
static void aisp_send_whole(struct aisp *a)
{
    if (a->reply_len > 0) {
        unsigned long long ns = (unsigned long long)(a->cmd_bytes + a->reply_len) * 10ull *
                                1000000000ull / (unsigned long long)a->whole;
        struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
        nanosleep(&ts, NULL);
        emu_write(a->io, a->reply, a->reply_len);
        emu_stat_add(a->io, "whole_replies", 1);
    }
    a->reply_len = 0;
    a->cmd_bytes = 0;
}

static void aisp_put(struct aisp *a, uint8_t b)
{
    if (a->mute)
        emu_stat_add(a->io, "dropped_no_dtr", 1);
    else if (!a->closed && a->whole > 0)
        aisp_queue(a, b);
    else if (!a->closed)
        emu_write(a->io, &b, 1);
}

static void aisp_err(struct aisp *a, const char *what)
{
    a->error++;
    emu_stat_add(a->io, "errors", 1);
    emu_stat_add(a->io, what, 1);
}

static void aisp_fill(struct aisp *a, int n)
{
    for (int x = 0; x < n && !a->closed; x++)
        a->buff[x] = aisp_getch(a);
}

static uint8_t aisp_spi(struct aisp *a, uint8_t b1, uint8_t b2, uint8_t b3, uint8_t b4)
{
    uint8_t in[4] = {b1, b2, b3, b4}, out[4];
    avrchip_spi(a->chip, in, out);
    return out[3];
}

/* reset_target(): drive the target's RESET line active or inactive. */
static void aisp_reset_target(struct aisp *a, bool active)
{
    bool level_high = (active && a->rst_active_high) || (!active && !a->rst_active_high);
    avrchip_set_reset(a->chip, !level_high); /* an AVR is held in reset by a low level */
}

static void aisp_empty_reply(struct aisp *a)
{
    if (aisp_getch(a) == AISP_EOP) {
        aisp_put(a, AISP_INSYNC);
        aisp_put(a, AISP_OK);
    } else {
        aisp_err(a, "nosync");
        aisp_put(a, AISP_NOSYNC);
    }
}

static void aisp_breply(struct aisp *a, uint8_t b)
{
    if (aisp_getch(a) == AISP_EOP) {
        aisp_put(a, AISP_INSYNC);
        aisp_put(a, b);
        aisp_put(a, AISP_OK);
    } else {
        aisp_err(a, "nosync");
        aisp_put(a, AISP_NOSYNC);
    }
}

static void aisp_get_version(struct aisp *a, uint8_t c)
{
    switch (c) {
    case 0x80:
        aisp_breply(a, 2);
        break; /* HWVER */
    case 0x81:
        aisp_breply(a, a->stk500 ? 2 : 1);
        break; /* SWMAJ */
    case 0x82:
        aisp_breply(a, a->stk500 ? 10 : 18);
        break; /* SWMIN */
    case 0x93:
        aisp_breply(a, 'S');
        break; /* serial programmer */
    default:
        aisp_breply(a, 0);
        break;
    }
}

static void aisp_set_parameters(struct aisp *a)
{
    a->devicecode = a->buff[0];
    a->pagesize = (uint16_t)(a->buff[12] * 256 + a->buff[13]);
    a->eepromsize = (uint16_t)(a->buff[14] * 256 + a->buff[15]);
    a->rst_active_high = a->devicecode >= 0xE0;
}

static void aisp_start_pmode(struct aisp *a)
{
    aisp_reset_target(a, true);
    /* SCK low, 20 ms, RESET pulse of 100 us, 50 ms, Programming Enable */
    aisp_reset_target(a, false);
    aisp_reset_target(a, true);
    aisp_spi(a, 0xAC, 0x53, 0x00, 0x00);
    a->pmode = true;
}

static void aisp_end_pmode(struct aisp *a)
{
    aisp_reset_target(a, false);
    avrchip_set_reset(a->chip, false); /* RESET pin to input: the target runs */
    a->pmode = false;
}

static uint16_t aisp_current_page(const struct aisp *a)
{
    switch (a->pagesize) {
    case 32:
        return a->here & 0xFFF0u;
    case 64:
        return a->here & 0xFFE0u;
    case 128:
        return a->here & 0xFFC0u;
    case 256:
        return a->here & 0xFF80u;
    default:
        return a->here;
    }
}

static void aisp_commit(struct aisp *a, uint16_t addr)
{
    aisp_spi(a, 0x4C, (uint8_t)(addr >> 8), (uint8_t)addr, 0);
    emu_stat_add(a->io, "page_commits", 1);
}

static uint8_t aisp_write_flash_pages(struct aisp *a, int length)
{
    int x = 0;
    uint16_t page = aisp_current_page(a);
    while (x < length) {
        if (page != aisp_current_page(a)) {
            aisp_commit(a, page);
            page = aisp_current_page(a);
        }
        /* buff[x] past an odd length is whatever the buffer held before */
        aisp_spi(a, 0x40, (uint8_t)(a->here >> 8), (uint8_t)a->here, a->buff[x++ & 0xFF]);
        aisp_spi(a, 0x48, (uint8_t)(a->here >> 8), (uint8_t)a->here, a->buff[x++ & 0xFF]);
        a->here++;
    }
    aisp_commit(a, page);
    return AISP_OK;
}

static void aisp_write_flash(struct aisp *a, unsigned length)
{
    if (length > sizeof a->buff) {
        /* fill() writes past buff[255] into the sketch's other variables. */
        fprintf(stderr,
                "ispf-emu arduinoisp: PROG_PAGE of %u bytes overflows the sketch's 256-byte "
                "buffer; the emulated programmer has crashed and stops answering\n",
                length);
        emu_stat_add(a->io, "crashes", 1);
        a->crashed = true;
        return;
    }
    aisp_fill(a, (int)length);
    if (aisp_getch(a) == AISP_EOP) {
        aisp_put(a, AISP_INSYNC);
        aisp_put(a, aisp_write_flash_pages(a, (int)length));
    } else {
        aisp_err(a, "nosync");
        aisp_put(a, AISP_NOSYNC);
    }
}

static void aisp_write_eeprom_chunk(struct aisp *a, uint16_t start, unsigned length)
{
    aisp_fill(a, (int)length);
    if (a->closed)
        return;
    for (unsigned x = 0; x < length; x++) {
        uint16_t addr = (uint16_t)(start + x);
        aisp_spi(a, 0xC0, (uint8_t)(addr >> 8), (uint8_t)addr, a->buff[x]);
        /* the sketch sleeps 45 ms per byte here */
    }
}

static uint8_t aisp_write_eeprom(struct aisp *a, unsigned length)
{
    /* here is a word address (a genuine STK500 takes bytes) */
    uint16_t start = a->stk500 ? a->here : (uint16_t)(a->here * 2u);
    unsigned remaining = length;
    if (length > a->eepromsize) {
        aisp_err(a, "eeprom_too_long");
        return AISP_FAILED;
    }
    while (remaining > 32) {
        aisp_write_eeprom_chunk(a, start, 32);
        start = (uint16_t)(start + 32);
        remaining -= 32;
    }
    aisp_write_eeprom_chunk(a, start, remaining);
    return AISP_OK;
}

static void aisp_program_page(struct aisp *a)
{
    unsigned length = 256u * aisp_getch(a);
    length += aisp_getch(a);
    uint8_t memtype = aisp_getch(a);
    if (a->closed)
        return;
    if (a->stk500 && length > 256) {
        for (unsigned i = 0; i <= length; i++) /* data and EOP */
            aisp_getch(a);
        aisp_err(a, "too_long");
        aisp_put(a, AISP_INSYNC);
        aisp_put(a, AISP_FAILED);
        return;
    }
    if (memtype == 'F') {
        aisp_write_flash(a, length);
        return;
    }
    if (memtype == 'E') {
        uint8_t result = aisp_write_eeprom(a, length);
        if (aisp_getch(a) == AISP_EOP) {
            aisp_put(a, AISP_INSYNC);
            aisp_put(a, result);
        } else {
            aisp_err(a, "nosync");
            aisp_put(a, AISP_NOSYNC);
        }
        return;
    }
    aisp_err(a, "bad_memtype");
    aisp_put(a, AISP_FAILED);
}

static void aisp_read_page(struct aisp *a)
{
    uint8_t result = AISP_FAILED;
    /* int on the AVR: 16-bit signed */
    unsigned hi = aisp_getch(a);
    unsigned lo = aisp_getch(a);
    int16_t length = (int16_t)(uint16_t)(256u * hi + lo);
    uint8_t memtype = aisp_getch(a);
    if (aisp_getch(a) != AISP_EOP) {
        aisp_err(a, "nosync");
        aisp_put(a, AISP_NOSYNC);
        return;
    }
    aisp_put(a, AISP_INSYNC);
    if (a->stk500 && 256u * hi + lo > 256u) {
        aisp_err(a, "too_long");
        aisp_put(a, AISP_FAILED);
        return;
    }
    if (memtype == 'F') {
        for (int x = 0; x < length; x += 2) {
            aisp_put(a, aisp_spi(a, 0x20, (uint8_t)(a->here >> 8), (uint8_t)a->here, 0));
            aisp_put(a, aisp_spi(a, 0x28, (uint8_t)(a->here >> 8), (uint8_t)a->here, 0));
            a->here++;
        }
        result = AISP_OK;
    }
    if (memtype == 'E') {
        int16_t start = (int16_t)(uint16_t)(a->stk500 ? a->here : a->here * 2u);
        for (int x = 0; x < length; x++) {
            int16_t addr = (int16_t)(start + x);
            aisp_put(a, aisp_spi(a, 0xA0, (uint8_t)((uint16_t)addr >> 8), (uint8_t)addr, 0xFF));
        }
        result = AISP_OK;
    }
    aisp_put(a, result);
}

static void aisp_read_signature(struct aisp *a)
{
    if (aisp_getch(a) != AISP_EOP) {
        aisp_err(a, "nosync");
        aisp_put(a, AISP_NOSYNC);
        return;
    }
    aisp_put(a, AISP_INSYNC);
    for (uint8_t n = 0; n < 3; n++)
        aisp_put(a, aisp_spi(a, 0x30, 0x00, n, 0x00));
    aisp_put(a, AISP_OK);
}

static void aisp_universal(struct aisp *a)
{
    aisp_fill(a, 4);
    if (a->closed)
        return;
    uint8_t ch = aisp_spi(a, a->buff[0], a->buff[1], a->buff[2], a->buff[3]);
    aisp_breply(a, ch);
}

static void aisp_sign_on(struct aisp *a)
{
    if (aisp_getch(a) == AISP_EOP) {
        aisp_put(a, AISP_INSYNC);
        for (const char *m = a->stk500 ? "AVR STK" : "AVR ISP"; *m; m++)
            aisp_put(a, (uint8_t)*m);
        aisp_put(a, AISP_OK);
    } else {
        aisp_err(a, "nosync");
        aisp_put(a, AISP_NOSYNC);
    }
}

static void aisp_command(struct aisp *a, uint8_t ch)
{
    char key[24];
    snprintf(key, sizeof key, "cmd_%02x", ch);
    emu_stat_add(a->io, key, 1);
    switch (ch) {
    case '0': /* GET_SYNC */
        a->error = 0;
        aisp_empty_reply(a);
        break;
    case '1': /* GET_SIGN_ON */
        aisp_sign_on(a);
        break;
    case 'A': /* GET_PARAMETER */
        aisp_get_version(a, aisp_getch(a));
        break;
    case 'B': /* SET_DEVICE */
        aisp_fill(a, 20);
        if (!a->closed)
            aisp_set_parameters(a);
        aisp_empty_reply(a);
        break;
    case 'E': /* SET_DEVICE_EXT: always 5 bytes */
        aisp_fill(a, 5);
        aisp_empty_reply(a);
        break;
    case 'P': /* ENTER_PROGMODE: no check, always OK */
        if (!a->pmode)
            aisp_start_pmode(a);
        aisp_empty_reply(a);
        break;
    case 'U': /* LOAD_ADDRESS, word */
        a->here = aisp_getch(a);
        a->here = (uint16_t)(a->here + 256u * aisp_getch(a));
        aisp_empty_reply(a);
        break;
    case 0x60: /* PROG_FLASH: dummy */
        aisp_getch(a);
        aisp_getch(a);
        aisp_empty_reply(a);
        break;
    case 0x61: /* PROG_DATA: dummy */
        aisp_getch(a);
        aisp_empty_reply(a);
        break;
    case 0x64:
        aisp_program_page(a);
        break;
    case 0x74:
        aisp_read_page(a);
        break;
    case 'V':
        aisp_universal(a);
        break;
    case 'Q':
        a->error = 0;
        if (a->pmode)
            emu_stat_add(a->io, "left_progmode", 1);
        aisp_end_pmode(a);
        aisp_empty_reply(a);
        break;
    case 0x75:
        aisp_read_signature(a);
        break;
    case AISP_EOP: /* expecting a command: how hosts get back in sync */
        aisp_err(a, "nosync");
        aisp_put(a, AISP_NOSYNC);
        break;
    default:
        aisp_err(a, "unknown");
        if (aisp_getch(a) == AISP_EOP)
            aisp_put(a, AISP_UNKNOWN);
        else
            aisp_put(a, AISP_NOSYNC);
        break;
    }
}

static int aisp_serve(struct emu_io *io, struct avrchip *chip)
{
    struct aisp a;
    memset(&a, 0, sizeof a);
    a.io = io;
    a.chip = chip;
    const char *want_baud = emu_opt(io, "baud");
    long baud = want_baud ? strtol(want_baud, NULL, 10) : 0;
    const char *cdc = emu_opt(io, "cdc");
    const char *fw = emu_opt(io, "firmware");
    a.cdc = cdc != NULL && cdc[0] == '1';
    a.stk500 = fw != NULL && strcmp(fw, "stk500") == 0;
    const char *whole = emu_opt(io, "whole");
    a.whole = whole ? strtol(whole, NULL, 10) : 0;
    for (;;) {
        int c = emu_getc(io);
        if (c < 0)
            break;
        if (a.crashed)
            continue; /* a crashed sketch reads nothing sensible and answers nothing */
        if (baud > 0 && emu_baud(io) > 0 && emu_baud(io) != baud) {
            emu_stat_add(io, "wrong_baud_bytes", 1);
            continue; /* framing errors: nothing the host can read as an answer */
        }
        /* Arduino's CDC Serial.write drops output while the host holds DTR low */
        a.mute = a.cdc && !emu_dtr(io);
        a.cmd_bytes = 1;
        aisp_command(&a, (uint8_t)c);
        if (a.closed)
            break;
        if (a.whole > 0)
            aisp_send_whole(&a);
        emu_end_reply(io);
    }
    free(a.reply);
    /* The host is gone. The next connection meets a freshly started sketch (as an
     * Uno's auto-reset on open gives): RESET pin released, address 0, no
     * parameters. */
    if (a.pmode) {
        emu_stat_add(io, "ended_in_progmode", 1);
        avrchip_set_reset(chip, false);
    }
    return 0;
}

const struct emu_proto emu_arduinoisp = {
    .name = "arduinoisp",
    .serve = aisp_serve,
};
