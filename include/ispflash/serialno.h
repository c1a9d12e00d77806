/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Serial numbers: where and how a per-board number is written (--serial), and the
 * counter file that hands out the numbers (--serial-file, --serial-start).
 *
 * --serial MEM:ADDR:LEN[:FORMAT]
 *   MEM     flash | eeprom
 *   ADDR    byte address, decimal or 0x hex
 *   LEN     bytes reserved for the number, decimal or 0x hex
 *   FORMAT  le (default)  little-endian binary, LEN 1..8
 *           be            big-endian binary, LEN 1..8
 *           dec           ASCII decimal, zero-padded to exactly LEN digits, LEN 1..64
 *           TEMPLATE      anything else: text with exactly one conversion %u %d %x %X,
 *                         optionally zero-padded to a width (%06u, %08X); %% is a '%';
 *                         every other character is literal (':' included), LEN 1..64.
 *                         The text is written, then one 0x00 byte if it is shorter than
 *                         LEN, then 0xFF up to LEN bytes. %d is the same as %u (numbers
 *                         are never negative).
 *
 * Counter file (docs/production.md): text, "next N" on one line, '#' comment lines.
 */
#ifndef ISPFLASH_SERIALNO_H
#define ISPFLASH_SERIALNO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"
#include "ispflash/image.h"
#include "ispflash/part.h"

enum serialno_format { SERIALNO_LE, SERIALNO_BE, SERIALNO_DEC, SERIALNO_TEMPLATE };

#define SERIALNO_TEXT_MAX 65 /* longest text serialno_render gives, with its NUL */

struct serialno_spec {
    enum mem_id mem; /* MEM_FLASH or MEM_EEPROM */
    uint32_t addr;
    uint32_t len;
    enum serialno_format fmt;
    char tmpl[64]; /* SERIALNO_TEMPLATE: the template as given */
};

/* Parse the --serial argument. ISPF_E_USAGE with a message naming the bad piece. */
int serialno_parse(const char *arg, struct serialno_spec *sp, struct ispf_error *err);
/* The number's bytes fit the part's memory (ADDR+LEN <= size) and LEN suits the format
 * (1..8 for le/be, 1..64 for dec and templates). ISPF_E_USAGE naming the range and size. */
int serialno_check_part(const struct serialno_spec *sp, const struct part *p,
                        struct ispf_error *err);
/* True when img already holds a byte in [addr, addr+len): the number would overwrite
 * data from a file. */
bool serialno_overlaps(const struct serialno_spec *sp, const struct image *img);
/* Put number's LEN bytes at sp->addr in img (overwriting what was there), and the number
 * as text into text (textlen >= SERIALNO_TEXT_MAX is always enough; may be NULL): plain
 * decimal for le/be/dec ("42"), the rendered template for a template ("KB-000042").
 * ISPF_E_INPUT naming the number and LEN when it does not fit: le/be number >= 2^(8*LEN),
 * dec more than LEN digits, template text longer than LEN. img is untouched then. */
int serialno_render(const struct serialno_spec *sp, uint64_t number, struct image *img, char *text,
                    size_t textlen, struct ispf_error *err);

/* The counter file. Thread-safe: threads of one process may share one counter, and
 * several processes may use one file at once (flock on FILE.lock, which stays). */
struct serialno_counter;
/* Open, or create. FILE missing: created holding next = (has_start ? start : 1).
 * FILE present and has_start: start < the file's next -> ISPF_E_USAGE ("would give
 * numbers already used: FILE's next is N"); start >= next: next = start, written.
 * A corrupt file -> ISPF_E_INPUT naming FILE and line. */
int serialno_counter_open(struct serialno_counter **out, const char *path, bool has_start,
                          uint64_t start, struct ispf_error *err);
/* Reserve the next number: lock, read FILE, write next+1 whole-or-nothing (temporary
 * file, fsync, rename, fsync of the directory), unlock, return the number. A number,
 * once returned, is never returned again by any process, even if this one is killed
 * right after (a process killed while reserving may spend a number it never returned).
 * ISPF_E_INTERRUPTED while waiting for the lock after Ctrl-C; ISPF_E_IO if the lock is
 * held for more than 30 s or the file cannot be written. */
int serialno_reserve(struct serialno_counter *c, uint64_t *number, struct ispf_error *err);
/* The number the next reservation would give (read under the lock; for summaries). */
int serialno_counter_peek(struct serialno_counter *c, uint64_t *next, struct ispf_error *err);
const char *serialno_counter_path(const struct serialno_counter *c);
void serialno_counter_close(struct serialno_counter *c);

#endif
