/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A sparse memory image: address -> byte, with holes. Input files are parsed
 * completely into an image before any programmer is opened.
 */
#ifndef ISPFLASH_IMAGE_H
#define ISPFLASH_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"
#include "ispflash/part.h"

/* Highest address + 1 an image may hold (16 MiB: far above any AVR memory). */
#define IMAGE_MAX_SIZE (16u * 1024u * 1024u)

/* data and used are flat arrays indexed by address, allocated zeroed (calloc): the pages
 * below the lowest address and in empty blocks are never touched, so an image that holds
 * bytes near 16 MiB (a multi-memory file's sections at 0x810000+) costs what it holds, not
 * 16 MiB of writes and scans. data[a] is meaningful only where used[a] != 0: read holes
 * with image_get. */
/* The used bytes are also counted per 64 KiB block, so scans skip empty blocks. */
#define IMAGE_BLOCK_SHIFT 16
#define IMAGE_BLOCKS (IMAGE_MAX_SIZE >> IMAGE_BLOCK_SHIFT)

struct image {
    uint8_t *data;    /* data[a] is meaningful where used[a] != 0 */
    uint8_t *used;    /* 1 where address a holds a byte */
    uint32_t *blocks; /* IMAGE_BLOCKS counts: used bytes in each block (allocated with used) */
    uint32_t cap;     /* allocated length of data/used */
    uint32_t start;   /* the lowest used address; meaningful when count != 0 */
    uint32_t end;     /* one past the highest used address, 0 when empty */
    uint32_t count;   /* number of used addresses */
};

void image_init(struct image *img);
void image_free(struct image *img);
void image_clear(struct image *img);
/* Set one byte (grows the image). ISPF_E_NOMEM / ISPF_E_INPUT (address >= IMAGE_MAX_SIZE). */
int image_set(struct image *img, uint32_t addr, uint8_t val, struct ispf_error *err);
int image_set_range(struct image *img, uint32_t addr, const uint8_t *buf, uint32_t len,
                    struct ispf_error *err);
bool image_has(const struct image *img, uint32_t addr);
/* Copy every byte of src into dst at its address + offset (over what dst held there). */
int image_put(struct image *dst, const struct image *src, uint32_t offset, struct ispf_error *err);
/* Byte at addr, or fill where the address is a hole. */
uint8_t image_get(const struct image *img, uint32_t addr, uint8_t fill);
/* Lowest used address, or 0 for an empty image. */
uint32_t image_start(const struct image *img);
bool image_empty(const struct image *img);
/* Find the next run of used addresses at or after *from. Returns false when none.
 * On success *start and *len describe the run (a segment) and *from is moved past it. */
bool image_next_segment(const struct image *img, uint32_t *from, uint32_t *start, uint32_t *len);
/* Count used bytes in [addr, addr+len). */
uint32_t image_count_range(const struct image *img, uint32_t addr, uint32_t len);
/* Drop trailing 0xFF bytes (as avrdude does when saving flash read back). */
void image_trim_ff(struct image *img);
bool image_equal(const struct image *a, const struct image *b);

/* File formats (-U ...:fmt). */
enum image_format {
    IMAGE_FMT_AUTO = 0,  /* 'a' or omitted: detect Intel HEX vs raw binary */
    IMAGE_FMT_IHEX,      /* 'i' */
    IMAGE_FMT_RAW,       /* 'r' */
    IMAGE_FMT_IMMEDIATE, /* 'm': the "file name" is a list of values */
    IMAGE_FMT_SREC,      /* 's' Motorola S-record (optional) */
    IMAGE_FMT_ELF,       /* 'e' AVR ELF (avr-gcc's output; include/ispflash/elf.h) */
};

/* Map a -U format letter to a format; returns -1 for an unknown letter. */
int image_format_from_char(char c);
const char *image_format_name(enum image_format fmt);

/* Read path (or "-" for stdin) in fmt into img. For IMAGE_FMT_AUTO, *detected
 * (may be NULL) receives the format that was chosen. Errors name file:line.
 * An ELF file gives its flash (image_load_mem with MEM_FLASH). */
int image_load(struct image *img, const char *path, enum image_format fmt,
               enum image_format *detected, struct ispf_error *err);
struct elf_avr;
/* image_load for one memory: an ELF file (IMAGE_FMT_ELF, or auto-detected by its magic)
 * gives the part of it meant for mem (elf_avr_image: an error if it holds none); every
 * other format gives the whole file. elf (may be NULL, else elf_avr_init'ed) receives
 * everything the ELF file holds when it is one (the caller elf_avr_free's it). */
int image_load_mem(struct image *img, const char *path, enum image_format fmt, enum mem_id mem,
                   enum image_format *detected, struct elf_avr *elf, struct ispf_error *err);
/* Immediate values: "0x5E", "94,0x1E,0x87", decimal, octal (0..), 'c' chars. */
int image_parse_immediate(struct image *img, const char *text, struct ispf_error *err);
/* Write img to path ("-" = stdout) in fmt (IHEX, RAW, IMMEDIATE, SREC; AUTO = IHEX;
 * not ELF). */
int image_save(const struct image *img, const char *path, enum image_format fmt,
               struct ispf_error *err);

/* Intel HEX directly. name is used in messages ("file:line: ..."). */
int ihex_parse(struct image *img, const char *text, size_t len, const char *name,
               struct ispf_error *err);
/* Render img as Intel HEX (16 data bytes per record, 02/04 records as needed, EOF).
 * *out is malloc'ed and NUL-terminated. */
int ihex_format(const struct image *img, char **out, size_t *outlen, struct ispf_error *err);

#endif
