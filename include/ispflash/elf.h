/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AVR ELF files (avr-gcc's output), read with libelf. The allocated sections that
 * carry bytes (PROGBITS) are placed at their load address (LMA: the program header
 * holding a section gives sh_addr - p_vaddr + p_paddr, as avr-objcopy does) and
 * sorted by avr-gcc's address spaces:
 *   below 0x800000   flash (.text, the load image of .data, .bootloader ...)
 *   0x800000         RAM (.bss, .noinit: no bytes in the file; ignored)
 *   0x810000         EEPROM (.eeprom, avr-libc's EEMEM)
 *   0x820000         fuses (.fuse, avr-libc's FUSES: byte 0 low, 1 high, 2 extended)
 *   0x830000         lock bits (.lock, LOCKBITS)
 *   0x840000         signature (.signature: which part the file was built for)
 * Everything else (debug sections, higher spaces) is ignored.
 */
#ifndef ISPFLASH_ELF_H
#define ISPFLASH_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"
#include "ispflash/image.h"
#include "ispflash/part.h"

/* What one AVR ELF file holds, by memory. */
struct elf_avr {
    struct image flash;  /* addresses from 0 */
    struct image eeprom; /* addresses from 0 (0x810000 in the file) */
    uint8_t fuse[3];     /* .fuse: lfuse, hfuse, efuse */
    bool has_fuse[3];    /* fuse[i] was in the file */
    uint8_t lock;
    bool has_lock;
    uint8_t signature[3]; /* .signature, in the chip's order (0x1E first; the file has it
                           * reversed, as avr-libc stores it) */
    bool has_signature;
};

void elf_avr_init(struct elf_avr *e);
void elf_avr_free(struct elf_avr *e);

/* True if buf starts with the ELF magic (0x7F 'E' 'L' 'F'). */
bool elf_is_elf(const void *buf, size_t len);

/* Parse an ELF file held in buf (len bytes). name is used in messages. ISPF_E_INPUT
 * for a file that is not an AVR ELF (naming its machine) or is truncated or corrupt;
 * e is left empty then. e must be initialised (elf_avr_init). */
int elf_avr_parse(struct elf_avr *e, const void *buf, size_t len, const char *name,
                  struct ispf_error *err);

/* The part of e meant for mem into out (cleared first): flash, EEPROM, or one fuse /
 * lock byte at address 0. ISPF_E_INPUT "NAME has no .eeprom section" (and the like)
 * when the file holds nothing for mem. */
int elf_avr_image(const struct elf_avr *e, enum mem_id mem, struct image *out, const char *name,
                  struct ispf_error *err);

/* The memories other than mem the file holds, in words: ".eeprom (8 bytes), .fuse
 * (lfuse 0xFF hfuse 0xD8 efuse 0xCB), .lock (0xFC)". Returns the length (0: none). */
size_t elf_avr_others(const struct elf_avr *e, enum mem_id mem, char *buf, size_t len);

#endif
