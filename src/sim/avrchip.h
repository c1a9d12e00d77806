/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A simulated AVR target at the ISP pin level: the 4-byte serial programming
 * instructions of the datasheets, applied to flash/EEPROM/fuse/lock state.
 * Used by the `dryrun` programmer and by every test emulator, so all of them
 * share one model:
 *  - programming flash only clears bits (1 -> 0); chip erase sets flash (and EEPROM
 *    unless EESAVE is programmed) to 0xFF and clears lock bits to 0xFF;
 *  - flash writes go through the page buffer (40/48 load, 4C commit);
 *  - fuse bits that do not exist read back as 1;
 *  - lock mode 2/3 disables further programming (and reading, mode 3) of
 *    flash/EEPROM and fuse writes, until a chip erase;
 *  - fuses are latched at reset: with SPIEN unprogrammed, RSTDISBL or DWEN
 *    programmed, a clock selection the datasheet marks reserved, or (with
 *    faults.no_xtal) an external clock source, the next Programming Enable is not
 *    answered (ISP lost).
 * A chip can sit in a socket (src/sim/avrsocket.h): the socket watches RESET and
 * the instructions (avrchip.watch) and swaps the chip's contents, or empties the
 * socket (avrchip.absent), when the board is changed.
 */
#ifndef ISPFLASH_AVRCHIP_H
#define ISPFLASH_AVRCHIP_H

#include <stdbool.h>
#include <stdint.h>

#include "ispflash/error.h"
#include "ispflash/part.h"

struct avrchip_faults {
    bool unwired;   /* nothing connected: MISO always reads 0x00 */
    bool has_stuck; /* a flash cell whose stuck_mask bits cannot be cleared */
    uint32_t stuck_addr;
    uint8_t stuck_mask;
    unsigned busy_polls;   /* RDY/BSY reports busy this many polls after each write */
    bool no_xtal;          /* nothing on XTAL1/XTAL2: fuses selecting an external clock
                            * source stop the chip, so ISP no longer answers */
    unsigned spi_delay_us; /* each instruction takes this long (a slow ISP clock) */
    bool no_erase;         /* Chip Erase is accepted but changes nothing (worn flash) */
    bool fuse_stuck;       /* fuse writes are accepted but the fuses keep their values */
};

/* What the chip's watcher (a socket) is told, before it happens (RESET held, an
 * instruction) or after (RESET released). */
enum avrchip_event {
    AVRCHIP_RESET_HELD,
    AVRCHIP_RESET_RELEASED,
    AVRCHIP_INSTRUCTION,
};

struct avrchip;
struct avrchip_watch {
    /* in: the instruction for AVRCHIP_INSTRUCTION, NULL otherwise */
    void (*fn)(struct avrchip *c, enum avrchip_event ev, const uint8_t *in, void *ctx);
    void *ctx;
};

struct avrchip_stats {
    unsigned long instructions, page_writes, erases, fuse_writes;
};

struct avrchip {
    const struct part *part;
    uint8_t *flash;
    uint8_t *eeprom;
    uint8_t fuse[4]; /* lfuse, hfuse, efuse, lock as stored (existing bits only matter) */
    uint8_t calibration[4];
    uint8_t *pagebuf;     /* flash page buffer (flash_page bytes) */
    uint8_t *epagebuf;    /* EEPROM page buffer */
    uint8_t *epageloaded; /* which EEPROM page-buffer bytes were loaded */
    uint8_t ext_addr;     /* Load Extended Address byte */
    bool reset_low;       /* RESET held active by the programmer */
    bool prog_enabled;    /* Programming Enable accepted since reset */
    bool isp_dead;        /* fuses latched at reset disable ISP */
    unsigned busy_left;
    bool modified; /* a write instruction (flash, EEPROM, erase, fuse, lock) ran
                    * since the chip was made or loaded */
    bool absent;   /* the socket is empty: MISO reads 0x00, as with faults.unwired */
    struct avrchip_faults faults;
    struct avrchip_stats stats;
    struct avrchip_watch watch; /* fn NULL: nobody watches */
};

/* A factory-fresh chip of part p (flash/EEPROM 0xFF, default fuses). */
int avrchip_init(struct avrchip *c, const struct part *p, struct ispf_error *err);
void avrchip_free(struct avrchip *c);
void avrchip_erase_state(struct avrchip *c); /* apply a chip erase directly */
/* Factory contents (flash/EEPROM 0xFF, default fuses, modified false); faults,
 * statistics and the watcher stay. */
void avrchip_factory(struct avrchip *c);
/* A chip was just put in (or its contents replaced): not programming-enabled,
 * page buffers empty, and the fuses latched again if RESET is held. */
void avrchip_power_up(struct avrchip *c);

/* RESET pin: true = held low (programming), false = released (chip runs). Holding
 * it latches the fuses and decides whether ISP answers. */
void avrchip_set_reset(struct avrchip *c, bool low);
/* Clock one instruction; out receives the 4 MISO bytes. */
void avrchip_spi(struct avrchip *c, const uint8_t in[4], uint8_t out[4]);

/* Fuse byte as the chip reads it (non-existent bits as 1). idx 0..3 = l,h,e,lock. */
uint8_t avrchip_fuse_read(const struct avrchip *c, int idx);

/* Persist a chip (dryrun -x state=FILE, emulators' --state, sockets). Saving is
 * whole-or-nothing (PATH.tmp, fsync, rename). Loading checks the part and leaves
 * modified false. */
int avrchip_save(const struct avrchip *c, const char *path, struct ispf_error *err);
int avrchip_load(struct avrchip *c, const char *path, struct ispf_error *err);

#endif
