/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test emulators of serial programmers (ArduinoISP/STK500v1, STK500v2, Bus Pirate).
 * Each protocol is one serve() function that reads host bytes with emu_read/emu_getc
 * and answers with emu_write, exactly as the programmer's firmware would, applying
 * ISP instructions to the shared target-chip model (src/sim/avrchip.h).
 * The harness (emu_main.c) owns the byte pipe: a TCP socket (net:) or the master
 * side of an emulated /dev/ttyACM0 (umockdev), the chip state file, fault
 * injection on the reply stream, and the statistics the benchmark reads.
 */
#ifndef ISPF_TEST_EMU_H
#define ISPF_TEST_EMU_H

#include <stddef.h>
#include <stdint.h>

#include "sim/avrchip.h"

struct emu_io;

/* Faults injected by the harness on the programmer's side of the wire.
 * Counts are 1-based; 0 = off. */
struct emu_faults {
    unsigned drop_reply;          /* swallow the Nth reply (everything written for command N) */
    unsigned garble_reply;        /* flip bits in the first byte of the Nth reply */
    unsigned truncate_reply;      /* send only the first half of the Nth reply */
    unsigned long close_after_rx; /* close the connection after this many host bytes */
    unsigned silent;              /* never answer anything (dead programmer) */
    unsigned extra_reply;         /* append junk bytes after the Nth reply */
};

/* Blocking reads from the host. Return -1 when the host closed the link (serve()
 * must then return). emu_getc returns the byte 0..255. */
int emu_getc(struct emu_io *io);
int emu_read(struct emu_io *io, uint8_t *buf, size_t n);
/* emu_getc waiting at most ms: -2 when no byte came in that time (a bootloader's
 * timeout), -1 when the link closed. */
int emu_getc_within(struct emu_io *io, int ms);
/* Queue reply bytes; emu_end_reply() marks the end of one command's reply
 * (fault injection and command counting work per reply). */
void emu_write(struct emu_io *io, const uint8_t *buf, size_t n);
void emu_end_reply(struct emu_io *io);
/* Modem lines as last set by the host (DTR/RTS), for protocols that reset on them. */
int emu_dtr(struct emu_io *io);
/* Protocol-specific option given with --opt KEY=VALUE (NULL if absent). */
const char *emu_opt(struct emu_io *io, const char *key);
/* Add n to a protocol counter, written to the --stats file as "proto.KEY N"
 * (e.g. "errors", "cmd_55"). */
void emu_stat_add(struct emu_io *io, const char *key, unsigned long n);
/* True on an emulated tty (ispf-emu --tty), false over TCP. */
int emu_on_tty(struct emu_io *io);
/* Line speed the host set on the emulated tty (0 on TCP, where there is none). */
int emu_baud(struct emu_io *io);

struct emu_proto {
    const char *name; /* --proto value: "arduinoisp", "stk500v2", "buspirate" */
    /* Serve one host connection until emu_getc returns -1. Return 0. */
    int (*serve)(struct emu_io *io, struct avrchip *chip);
};

extern const struct emu_proto emu_arduinoisp;
extern const struct emu_proto emu_stk500v2;
extern const struct emu_proto emu_buspirate;
extern const struct emu_proto emu_optiboot; /* Arduino bootloader (-c arduino) */
extern const struct emu_proto emu_caterina; /* Caterina AVR109 bootloader (-c avr109) */

#endif
