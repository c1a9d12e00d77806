// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVRISP mkII firmware emulation (Atmel AVR068 command set, AVR069 for the mkII
 * specifics; protocols.md section 3): STK500v2 command bodies arrive over bulk
 * endpoint 0x02 without framing, one command per transfer, and the answer body
 * goes back on 0x82. The firmware parses a command by its contents (a command
 * longer than 64 bytes comes in several packets), executes it by clocking ISP
 * instructions into the shared chip model, and answers.
 *
 * Identity: Atmel's 03EB:2104 "ATMEL" "AVRISP mkII", sign-on "AVRISP_MK2". With
 * lufa=1: LUFA's AVRISP-MKII clone (same ids and sign-on; manufacturer "Dean
 * Camera", product "LUFA AVRISP MkII", HW_VER 1, firmware 1.00, and the
 * BUILD_NUMBER parameters LUFA answers).
 * SCK_DURATION selects the ISP clock from AVR069's table (8 MHz ... 51 Hz).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usb/usbemu.h"

enum {
    MK2_SIGN_ON = 0x01,
    MK2_SET_PARAMETER = 0x02,
    MK2_GET_PARAMETER = 0x03,
    MK2_LOAD_ADDRESS = 0x06,
    MK2_ENTER_PROGMODE = 0x10,
    MK2_LEAVE_PROGMODE = 0x11,
    MK2_CHIP_ERASE = 0x12,
    MK2_PROGRAM_FLASH = 0x13,
    MK2_READ_FLASH = 0x14,
    MK2_PROGRAM_EEPROM = 0x15,
    MK2_READ_EEPROM = 0x16,
    MK2_PROGRAM_FUSE = 0x17,
    MK2_READ_FUSE = 0x18,
    MK2_PROGRAM_LOCK = 0x19,
    MK2_READ_LOCK = 0x1A,
    MK2_READ_SIGNATURE = 0x1B,
    MK2_READ_OSCCAL = 0x1C,
    MK2_SPI_MULTI = 0x1D,
};

enum {
    ST_OK = 0x00,
    ST_CMD_TOUT = 0x80,
    ST_RDY_BSY_TOUT = 0x81,
    ST_FAILED = 0xC0,
    ST_UNKNOWN = 0xC9,
};

/* AVR069: SCK_DURATION -> ISP clock in Hz. */
static const double mk2_freqs[] = {
    8000000, 4000000, 2000000, 1000000, 500000, 250000, 125000, 96386, 89888, 84211, 79208, 74767,
    70797,   67227,   64000,   61069,   58395,  55945,  51613,  49690, 47905, 46243, 43244, 41885,
    39409,   38278,   36200,   34335,   32654,  31129,  29740,  28470, 27304, 25724, 24768, 23461,
    22285,   21221,   20254,   19371,   18562,  17583,  16914,  16097, 15356, 14520, 13914, 13224,
    12599,   12031,   11511,   10944,   10431,  9963,   9468,   9081,  8612,  8239,  7851,  7498,
    7137,    6809,    6478,    6178,    5879,   5607,   5359,   5093,  4870,  4633,  4418,  4209,
    4019,    3823,    3645,    3474,    3310,   3161,   3011,   2869,  2734,  2611,  2484,  2369,
    2257,    2152,    2052,    1956,    1866,   1779,   1695,   1615,  1539,  1468,  1398,  1333,
    1271,    1212,    1155,    1101,    1049,   1000,   953,    909,   866,   826,   787,   750,
    715,     682,     650,     619,     590,    563,    536,    511,   487,   465,   443,   422,
    402,     384,     366,     349,     332,    317,    302,    288,   274,   261,   249,   238,
    226,     216,     206,     196,     187,    178,    170,    162,   154,   147,   140,   134,
    128,     122,     116,     111,     105,    100,    95,     91,    87,    83,    79,    75,
    71,      68,      65,      62,      59,     56,     54,     51};
#define MK2_N_FREQS (sizeof mk2_freqs / sizeof mk2_freqs[0])

/* Polls of RDY/BSY before a programming command gives up. */
#define MK2_BUSY_POLLS 1000u

static void mk2_spi(struct usbemu *e, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t out[4])
{
    uint8_t in[4] = {a, b, c, d};
    usbemu_spi(e, in, out);
}

static bool mk2_wait_ready(struct usbemu *e)
{
    uint8_t out[4];
    for (unsigned i = 0; i < MK2_BUSY_POLLS; i++) {
        mk2_spi(e, 0xF0, 0, 0, 0, out);
        if (!(out[3] & 1))
            return true;
    }
    return false;
}

/* Load Extended Address when LOAD_ADDRESS asked for it (bit 31) and at every
 * 64K-word boundary the counter crosses. */
static void mk2_ext(struct usbemu *e)
{
    struct usbemu_mk2 *m = &e->u.mk2;
    if (!(m->address & 0x80000000u))
        return;
    if (m->need_ext || (m->address & 0xFFFFu) == 0) {
        uint8_t out[4];
        mk2_spi(e, 0x4D, 0, (uint8_t)(m->address >> 16), 0, out);
        m->need_ext = false;
    }
}

static uint8_t mk2_param_get(struct usbemu *e, uint8_t id, uint8_t *v)
{
    struct usbemu_mk2 *m = &e->u.mk2;
    bool wired = !e->chip.faults.unwired && !e->chip.absent;
    switch (id) {
    case 0x80: /* BUILD_NUMBER_LOW / HIGH: LUFA only */
    case 0x81:
        if (!m->lufa)
            return ST_FAILED;
        *v = id == 0x80 ? 0x01 : 0x70;
        return ST_OK;
    case 0x90: /* HW_VER */
        *v = m->lufa ? 1 : 2;
        return ST_OK;
    case 0x91: /* SW_MAJOR */
        *v = 1;
        return ST_OK;
    case 0x92: /* SW_MINOR */
        *v = m->lufa ? 0 : 13;
        return ST_OK;
    case 0x94: /* VTARGET */
        *v = wired ? 50 : 0;
        return ST_OK;
    case 0x98:
        *v = m->sck_duration;
        return ST_OK;
    case 0x9E:
        *v = m->reset_polarity;
        return ST_OK;
    default:
        return ST_FAILED;
    }
}

static uint8_t mk2_param_set(struct usbemu *e, uint8_t id, uint8_t v)
{
    struct usbemu_mk2 *m = &e->u.mk2;
    if (id == 0x98) {
        m->sck_duration = v;
        e->sck_hz = mk2_freqs[v < MK2_N_FREQS ? v : MK2_N_FREQS - 1];
        return ST_OK;
    }
    if (id == 0x9E) {
        m->reset_polarity = v;
        return ST_OK;
    }
    if (id == 0x9F) /* CONTROLLER_INIT */
        return ST_OK;
    return ST_FAILED;
}

/* ENTER_PROGMODE_ISP: reset, then Programming Enable until the echo at pollIndex
 * is pollValue, synchLoops times at most (a SCK pulse between tries). */
static uint8_t mk2_enter(struct usbemu *e, const uint8_t *c)
{
    uint8_t synch = c[4], pollvalue = c[6], pollindex = c[7];
    avrchip_set_reset(&e->chip, true);
    for (unsigned i = 0; i < synch; i++) {
        uint8_t out[4];
        mk2_spi(e, c[8], c[9], c[10], c[11], out);
        if (pollindex == 0 || (pollindex <= 4 && out[pollindex - 1] == pollvalue)) {
            e->u.mk2.progmode = true;
            return ST_OK;
        }
    }
    avrchip_set_reset(&e->chip, false);
    return ST_FAILED;
}

/* PROGRAM_FLASH_ISP / PROGRAM_EEPROM_ISP (AVR068 mode byte, protocols.md 3.3). */
static uint8_t mk2_program(struct usbemu *e, const uint8_t *c, bool flash)
{
    struct usbemu_mk2 *m = &e->u.mk2;
    unsigned n = (unsigned)c[1] << 8 | c[2];
    uint8_t mode = c[3], out[4];
    bool paged = mode & 1;
    uint32_t start = m->address & 0x7FFFFFFFu;
    mk2_ext(e);
    for (unsigned i = 0; i < n; i++) {
        uint32_t a = flash ? (m->address & 0x7FFFFFFFu) : m->address;
        uint8_t cmd = c[5];
        if (flash)
            cmd = (uint8_t)(cmd | ((i & 1) ? 0x08 : 0x00));
        mk2_spi(e, cmd, (uint8_t)(a >> 8), (uint8_t)a, c[10 + i], out);
        if (!paged && (mode & 0x0E) && !mk2_wait_ready(e))
            return ST_RDY_BSY_TOUT;
        if (!flash || (i & 1))
            m->address++;
    }
    if (paged && (mode & 0x80)) {
        mk2_spi(e, c[6], (uint8_t)(start >> 8), (uint8_t)start, 0, out);
        if ((mode & 0x70) && !mk2_wait_ready(e))
            return ST_RDY_BSY_TOUT;
    }
    return ST_OK;
}

static size_t mk2_read(struct usbemu *e, const uint8_t *c, bool flash, uint8_t *ans)
{
    struct usbemu_mk2 *m = &e->u.mk2;
    unsigned n = (unsigned)c[1] << 8 | c[2];
    if (n > 256) { /* the mkII's buffer */
        ans[1] = ST_FAILED;
        return 2;
    }
    mk2_ext(e);
    for (unsigned i = 0; i < n; i++) {
        uint32_t a = flash ? (m->address & 0x7FFFFFFFu) : m->address;
        uint8_t cmd = flash ? (uint8_t)(c[3] | ((i & 1) ? 0x08 : 0x00)) : c[3], out[4];
        mk2_spi(e, cmd, (uint8_t)(a >> 8), (uint8_t)a, 0, out);
        ans[2 + i] = out[3];
        if (!flash || (i & 1)) {
            m->address++;
            if (flash && (m->address & 0xFFFFu) == 0)
                mk2_ext(e);
        }
    }
    ans[1] = ST_OK;
    ans[2 + n] = ST_OK;
    return n + 3;
}

/* SPI_MULTI: NumTx bytes out (padded with 0x00 up to NumRx), NumRx bytes back from
 * RxStartAddr on. The chip model takes whole 4-byte instructions. */
static size_t mk2_spi_multi(struct usbemu *e, const uint8_t *c, uint8_t *ans)
{
    unsigned ntx = c[1], nrx = c[2], start = c[3];
    uint8_t tx[260] = {0}, rx[260] = {0};
    unsigned total = ntx > start + nrx ? ntx : start + nrx;
    memcpy(tx, c + 4, ntx);
    for (unsigned i = 0; i < total && i + 4 <= sizeof tx; i += 4)
        usbemu_spi(e, tx + i, rx + i);
    ans[1] = ST_OK;
    memcpy(ans + 2, rx + start, nrx);
    ans[2 + nrx] = ST_OK;
    return nrx + 3;
}

static size_t mk2_message(struct usbemu *e, const uint8_t *c, size_t len, uint8_t *ans)
{
    struct usbemu_mk2 *m = &e->u.mk2;
    uint8_t v = 0, out[4];
    (void)len;
    ans[0] = c[0];
    switch (c[0]) {
    case MK2_SIGN_ON:
        ans[1] = ST_OK;
        ans[2] = 10;
        memcpy(ans + 3, "AVRISP_MK2", 10);
        return 13;
    case MK2_SET_PARAMETER:
        ans[1] = mk2_param_set(e, c[1], c[2]);
        return 2;
    case MK2_GET_PARAMETER:
        ans[1] = mk2_param_get(e, c[1], &v);
        ans[2] = v;
        return ans[1] == ST_OK ? 3 : 2;
    case MK2_LOAD_ADDRESS:
        m->address = (uint32_t)c[1] << 24 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 8 | c[4];
        m->need_ext = (m->address & 0x80000000u) != 0;
        ans[1] = ST_OK;
        return 2;
    case MK2_ENTER_PROGMODE:
        ans[1] = mk2_enter(e, c);
        return 2;
    case MK2_LEAVE_PROGMODE:
        avrchip_set_reset(&e->chip, false);
        m->progmode = false;
        ans[1] = ST_OK;
        return 2;
    case MK2_CHIP_ERASE:
        mk2_spi(e, c[3], c[4], c[5], c[6], out);
        ans[1] = (c[2] == 1 && !mk2_wait_ready(e)) ? ST_RDY_BSY_TOUT : ST_OK;
        if (c[2] != 1)
            mk2_wait_ready(e); /* the eraseDelay passes */
        return 2;
    case MK2_PROGRAM_FLASH:
    case MK2_PROGRAM_EEPROM:
        ans[1] = mk2_program(e, c, c[0] == MK2_PROGRAM_FLASH);
        return 2;
    case MK2_READ_FLASH:
    case MK2_READ_EEPROM:
        return mk2_read(e, c, c[0] == MK2_READ_FLASH, ans);
    case MK2_PROGRAM_FUSE:
    case MK2_PROGRAM_LOCK:
        mk2_spi(e, c[1], c[2], c[3], c[4], out);
        ans[1] = ST_OK;
        ans[2] = ST_OK;
        return 3;
    case MK2_READ_FUSE:
    case MK2_READ_LOCK:
    case MK2_READ_SIGNATURE:
    case MK2_READ_OSCCAL:
        mk2_spi(e, c[2], c[3], c[4], c[5], out);
        ans[1] = ST_OK;
        ans[2] = out[(c[1] >= 1 && c[1] <= 4 ? c[1] : 4) - 1];
        ans[3] = ST_OK;
        return 4;
    case MK2_SPI_MULTI:
        return mk2_spi_multi(e, c, ans);
    default:
        ans[1] = ST_UNKNOWN;
        return 2;
    }
}

/* A command's length from its header: known once its fixed part arrived. */
static size_t mk2_msg_length(const uint8_t *b, size_t have)
{
    static const uint8_t fixed[0x1E] = {
        [MK2_SIGN_ON] = 1,      [MK2_SET_PARAMETER] = 3,   [MK2_GET_PARAMETER] = 2,
        [MK2_LOAD_ADDRESS] = 5, [MK2_ENTER_PROGMODE] = 12, [MK2_LEAVE_PROGMODE] = 3,
        [MK2_CHIP_ERASE] = 7,   [MK2_READ_FLASH] = 4,      [MK2_READ_EEPROM] = 4,
        [MK2_PROGRAM_FUSE] = 5, [MK2_PROGRAM_LOCK] = 5,    [MK2_READ_FUSE] = 6,
        [MK2_READ_LOCK] = 6,    [MK2_READ_SIGNATURE] = 6,  [MK2_READ_OSCCAL] = 6,
    };
    if (have == 0)
        return 0;
    if (b[0] == MK2_PROGRAM_FLASH || b[0] == MK2_PROGRAM_EEPROM)
        return have >= 3 ? 10u + ((size_t)b[1] << 8 | b[2]) : 0;
    if (b[0] == MK2_SPI_MULTI)
        return have >= 2 ? 4u + b[1] : 0;
    if (b[0] < sizeof fixed && fixed[b[0]])
        return fixed[b[0]];
    return have; /* unknown: what came in this transfer */
}

static int mk2_vendor(struct usbemu *e, const uint8_t setup[8], uint8_t *data)
{
    (void)e, (void)setup, (void)data;
    return -1; /* no vendor requests: everything goes over the bulk endpoints */
}

static bool mk2_option(struct usbemu *e, const char *key, const char *value)
{
    if (strcmp(key, "lufa") == 0) {
        e->u.mk2.lufa = atoi(value) != 0;
        return true;
    }
    return false;
}

static void mk2_setup(struct usbemu *e, char *vendor, char *product, size_t size)
{
    e->u.mk2.sck_duration = 1; /* 4 MHz until the host sets it (a choice of this model) */
    e->sck_hz = mk2_freqs[e->u.mk2.sck_duration];
    if (e->u.mk2.lufa) {
        snprintf(vendor, size, "Dean Camera");
        snprintf(product, size, "LUFA AVRISP MkII");
    }
}

const struct usbemu_fw usbemu_avrisp2 = {
    .name = "avrisp2",
    .vid = 0x03EB,
    .pid = 0x2104,
    .vendor = "ATMEL",
    .product = "AVRISP mkII",
    .handle = mk2_vendor,
    .option = mk2_option,
    .msg_length = mk2_msg_length,
    .message = mk2_message,
    .setup = mk2_setup,
};
