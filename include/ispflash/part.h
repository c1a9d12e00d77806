/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compiled-in part database: AVR parts programmable over ISP, with the data
 * every layer needs (sizes, signature, fuse layout, write delays, STK500 codes).
 * The table itself is generated (tools/gen_partdb.py) into src/core/partdb.c.
 */
#ifndef ISPFLASH_PART_H
#define ISPFLASH_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Memories addressable with -U. */
enum mem_id {
    MEM_FLASH = 0,
    MEM_EEPROM,
    MEM_LFUSE,
    MEM_HFUSE,
    MEM_EFUSE,
    MEM_LOCK,
    MEM_SIGNATURE,
    MEM_CALIBRATION,
    MEM__COUNT
};

/* Name used on the command line ("flash", "eeprom", "lfuse"...). */
const char *mem_name(enum mem_id mem);
/* Parse a memory name (also avrdude's aliases: "lock"/"lockbits", "fuse0"...). -1 if unknown. */
int mem_from_name(const char *name);
/* True for the one-byte fuse/lock memories. */
bool mem_is_fuse(enum mem_id mem);

/* One encoded value of a multi-bit fuse field, right-aligned to the field. */
struct fuse_value {
    uint8_t value;
    const char *caption;
};

/* A named field inside a fuse or lock byte. One-bit fields are active-low flags
 * (0 = programmed) and have no values table. */
struct fuse_field {
    const char *name; /* "CKSEL" style datasheet name, e.g. "SUT_CKSEL", "BOOTSZ" */
    uint8_t mask;     /* bits of the byte the field covers */
    const char *caption;
    const struct fuse_value *values;
    uint8_t n_values;
};

/* One fuse/lock byte of a part. */
struct fuse_byte {
    bool present;    /* the part has this byte */
    uint8_t initval; /* factory default */
    uint8_t used;    /* bits that exist (the others read back as 1 and are ignored) */
    const struct fuse_field *fields;
    uint8_t n_fields;
};

struct boot_section {
    uint32_t start; /* byte address */
    uint32_t size;  /* bytes */
};

/* STK500v2 ISP parameters (AVR068), from avrdude.conf. */
struct stk500v2_params {
    uint8_t timeout, stabdelay, cmdexedelay, synchloops, bytedelay, pollvalue, pollindex;
    uint8_t predelay, postdelay, pollmethod;
    uint8_t flash_mode, flash_delay, eeprom_mode, eeprom_delay;
    uint8_t flash_readback[2], eeprom_readback[2];
};

struct part {
    const char *id;      /* avrdude id, e.g. "m32u4" */
    const char *name;    /* datasheet name, e.g. "ATmega32U4" (matches case-insensitively too) */
    const char *aliases; /* extra ids separated by spaces, or "" */
    uint8_t signature[3];
    uint32_t flash_size;
    uint16_t flash_page; /* bytes */
    uint16_t eeprom_size;
    uint16_t eeprom_page; /* bytes */
    uint8_t n_calibration;
    /* delays in microseconds */
    uint32_t flash_delay_us, eeprom_delay_us, fuse_delay_us, erase_delay_us;
    uint8_t stk500_devcode; /* 0 = none */
    struct stk500v2_params v2;
    /* fuse[0..3] = lfuse, hfuse, efuse, lock (index mem - MEM_LFUSE) */
    struct fuse_byte fuse[4];
    const struct boot_section *boot_sections; /* smallest first */
    uint8_t n_boot_sections;
};

/* Parts above 128 KiB need the Load Extended Address (4D) instruction. */
static inline bool part_has_ext_addr(const struct part *p)
{
    return p->flash_size > 131072u;
}

size_t part_count(void);
const struct part *part_at(size_t i);
/* Find by id, name or alias, case-insensitively ("m32u4", "atmega32u4", "ATmega32U4"). */
const struct part *part_find(const char *name);
/* The parts whose signature is sig (several parts may share one), in table order.
 * Writes at most max pointers to out and returns how many it wrote (never more than
 * max); part_count_by_signature says how many parts match in all. */
size_t part_find_by_signature(const uint8_t sig[3], const struct part **out, size_t max);
size_t part_count_by_signature(const uint8_t sig[3]);
/* Up to max ids closest to an unknown name (edit distance), best first. */
size_t part_suggest(const char *name, const struct part **out, size_t max);
/* Size in bytes of a memory of the part (0 if the part has no such memory). */
uint32_t part_mem_size(const struct part *p, enum mem_id mem);
/* The fuse byte descriptor of a fuse memory (NULL if mem is not a fuse/lock memory). */
const struct fuse_byte *part_fuse(const struct part *p, enum mem_id mem);
/* Find a named fuse field anywhere in the part's fuse/lock bytes.
 * Returns the field and stores its byte in *mem, or NULL. */
const struct fuse_field *part_fuse_field(const struct part *p, const char *name, enum mem_id *mem);

#endif
