// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVR ELF files through libelf (see include/ispflash/elf.h for the address spaces).
 * libelf does the parsing; this file checks what it is told against the size of the
 * file, so a truncated or corrupt file is an error that names it, never a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef ISPF_HAVE_LIBELF
#include <gelf.h>
#include <libelf.h>
#endif

#include "ispflash/elf.h"
#include "ispflash/log.h"

#ifndef EM_AVR
#define EM_AVR 83
#endif

/* avr-gcc's address spaces (binutils' avr linker scripts, avr-libc). */
#define ELF_AVR_RAM 0x800000u
#define ELF_AVR_EEPROM 0x810000u
#define ELF_AVR_FUSE 0x820000u
#define ELF_AVR_LOCK 0x830000u
#define ELF_AVR_SIGNATURE 0x840000u
#define ELF_AVR_SPACE 0x10000u /* each space above flash spans 64 KiB */

void elf_avr_init(struct elf_avr *e)
{
    memset(e, 0, sizeof *e);
    image_init(&e->flash);
    image_init(&e->eeprom);
}

void elf_avr_free(struct elf_avr *e)
{
    image_free(&e->flash);
    image_free(&e->eeprom);
    elf_avr_init(e);
}

bool elf_is_elf(const void *buf, size_t len)
{
    return len >= 4 && memcmp(buf, "\177ELF", 4) == 0;
}

#ifdef ISPF_HAVE_LIBELF
/* A machine number in words, for "built for x86-64 (machine 62)". */
static const char *elf_machine_name(unsigned m)
{
    switch (m) {
    case 3:
        return "x86";
    case 8:
        return "MIPS";
    case 20:
        return "PowerPC";
    case 40:
        return "ARM";
    case 62:
        return "x86-64";
    case 83:
        return "AVR";
    case 183:
        return "AArch64";
    case 243:
        return "RISC-V";
    default:
        return "another processor";
    }
}

/* The load address of a section: the PT_LOAD program header whose file and memory
 * ranges hold it maps its VMA to its LMA (sh_addr - p_vaddr + p_paddr). Without one
 * (an object file), the section loads where it runs. */
static uint64_t elf_lma(Elf *elf, size_t phnum, const GElf_Shdr *sh)
{
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
            continue;
        if (sh->sh_offset >= ph.p_offset && sh->sh_offset - ph.p_offset <= ph.p_filesz &&
            sh->sh_size <= ph.p_filesz - (sh->sh_offset - ph.p_offset) &&
            sh->sh_addr >= ph.p_vaddr && sh->sh_addr - ph.p_vaddr <= ph.p_memsz &&
            sh->sh_size <= ph.p_memsz - (sh->sh_addr - ph.p_vaddr))
            return sh->sh_addr - ph.p_vaddr + ph.p_paddr;
    }
    return sh->sh_addr;
}

/* Store the bytes of one section at its load address lma. */
static int elf_place(struct elf_avr *e, uint64_t lma, const uint8_t *p, size_t n, const char *sec,
                     const char *name, struct ispf_error *err)
{
    uint64_t end = lma + n;
    struct image *img = NULL;
    uint32_t base = 0;
    if (end <= ELF_AVR_RAM) {
        img = &e->flash;
    } else if (lma >= ELF_AVR_EEPROM && end <= ELF_AVR_EEPROM + ELF_AVR_SPACE) {
        img = &e->eeprom;
        base = ELF_AVR_EEPROM;
    } else if (lma >= ELF_AVR_FUSE && end <= ELF_AVR_FUSE + 3) {
        for (size_t i = 0; i < n; i++) {
            e->fuse[lma - ELF_AVR_FUSE + i] = p[i];
            e->has_fuse[lma - ELF_AVR_FUSE + i] = true;
        }
        return ISPF_OK;
    } else if (lma == ELF_AVR_LOCK && n == 1) {
        e->lock = p[0];
        e->has_lock = true;
        return ISPF_OK;
    } else if (lma == ELF_AVR_SIGNATURE && n == 3) {
        for (unsigned i = 0; i < 3; i++)
            e->signature[i] = p[2 - i];
        e->has_signature = true;
        return ISPF_OK;
    } else if (lma < ELF_AVR_SIGNATURE && !(lma >= ELF_AVR_RAM && lma < ELF_AVR_EEPROM)) {
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s: section %s (%zu bytes at 0x%06llx) does not fit the AVR memory it "
                         "starts in",
                         name, sec, n, (unsigned long long)lma);
    } else {
        ispf_log(ISPF_LOG_DEBUG, "elf", "%s: section %s at 0x%06llx ignored (RAM or no memory)",
                 name, sec, (unsigned long long)lma);
        return ISPF_OK;
    }
    uint32_t a = (uint32_t)(lma - base);
    if (image_count_range(img, a, (uint32_t)n))
        return ispf_fail(err, ISPF_E_INPUT, "%s: section %s (0x%06llx) overlaps another section",
                         name, sec, (unsigned long long)lma);
    return image_set_range(img, a, p, (uint32_t)n, err);
}

/* One section: skipped unless it is allocated and carries bytes, else placed. */
static int elf_section(struct elf_avr *e, Elf *elf, Elf_Scn *scn, size_t shstrndx, size_t phnum,
                       size_t len, const char *name, struct ispf_error *err)
{
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh))
        return ispf_fail(err, ISPF_E_INPUT, "%s: corrupt ELF section header (%s)", name,
                         elf_errmsg(-1));
    if (sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC) || sh.sh_size == 0)
        return ISPF_OK;
    const char *sec = elf_strptr(elf, shstrndx, sh.sh_name);
    if (!sec)
        sec = "(unnamed)";
    if (sh.sh_offset > len || sh.sh_size > len - sh.sh_offset)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s: truncated ELF file: section %s (%llu bytes at offset %llu) ends "
                         "past the end of the file (%zu bytes)",
                         name, sec, (unsigned long long)sh.sh_size,
                         (unsigned long long)sh.sh_offset, len);
    Elf_Data *d = elf_getdata(scn, NULL);
    if (!d || d->d_size != sh.sh_size || !d->d_buf)
        return ispf_fail(err, ISPF_E_INPUT, "%s: corrupt ELF section %s (%s)", name, sec,
                         elf_errmsg(-1));
    uint64_t lma = elf_lma(elf, phnum, &sh);
    ispf_log(ISPF_LOG_DEBUG, "elf", "%s: section %s, %llu bytes at 0x%06llx", name, sec,
             (unsigned long long)sh.sh_size, (unsigned long long)lma);
    return elf_place(e, lma, d->d_buf, d->d_size, sec, name, err);
}

/* The file's header: an ELF for the AVR whose section table lies inside the file. */
static int elf_check_header(Elf *elf, size_t len, const char *name, struct ispf_error *err)
{
    GElf_Ehdr eh;
    if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh))
        return ispf_fail(err, ISPF_E_INPUT, "%s: not a valid ELF file (%s)", name, elf_errmsg(-1));
    if (eh.e_machine != EM_AVR)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s is an ELF file for %s (machine %u), not for the AVR: build it "
                         "with avr-gcc",
                         name, elf_machine_name(eh.e_machine), (unsigned)eh.e_machine);
    size_t shnum = 0;
    if (elf_getshdrnum(elf, &shnum) != 0)
        return ispf_fail(err, ISPF_E_INPUT, "%s: corrupt ELF file (%s)", name, elf_errmsg(-1));
    if (eh.e_shoff == 0)
        return ispf_fail(err, ISPF_E_INPUT, "%s: the ELF file has no section table", name);
    uint64_t shend = eh.e_shoff + (uint64_t)shnum * eh.e_shentsize;
    if (shnum == 0 || eh.e_shoff > len || shend > len)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s: truncated ELF file: its section table (at byte %llu) lies past the "
                         "end of the file (%zu bytes)",
                         name, (unsigned long long)eh.e_shoff, len);
    return ISPF_OK;
}

static int elf_walk(struct elf_avr *e, Elf *elf, size_t len, const char *name,
                    struct ispf_error *err)
{
    int rc = elf_check_header(elf, len, name, err);
    if (rc)
        return rc;
    size_t shstrndx = 0, phnum = 0;
    if (elf_getshdrstrndx(elf, &shstrndx) != 0 || elf_getphdrnum(elf, &phnum) != 0)
        return ispf_fail(err, ISPF_E_INPUT, "%s: corrupt ELF file (%s)", name, elf_errmsg(-1));
    for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
        rc = elf_section(e, elf, scn, shstrndx, phnum, len, name, err);
        if (rc)
            return rc;
    }
    return ISPF_OK;
}

/* The parse proper, on a buffer that starts with the ELF magic. */
static int elf_parse_body(struct elf_avr *e, const void *buf, size_t len, const char *name,
                          struct ispf_error *err)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return ispf_fail(err, ISPF_E_INPUT, "%s: libelf is out of date (%s)", name, elf_errmsg(-1));
    /* libelf may convert the data in place: give it a copy of its own. */
    char *copy = malloc(len);
    if (!copy)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory reading %s", name);
    memcpy(copy, buf, len);
    Elf *elf = elf_memory(copy, len);
    int rc =
        elf ? elf_walk(e, elf, len, name, err)
            : ispf_fail(err, ISPF_E_INPUT, "%s: not a valid ELF file (%s)", name, elf_errmsg(-1));
    if (elf)
        elf_end(elf);
    free(copy);
    if (rc)
        elf_avr_free(e);
    return rc;
}

#else /* !ISPF_HAVE_LIBELF */

/* Built without libelf: an ELF file is recognised, and refused with advice. */
static int elf_parse_body(struct elf_avr *e, const void *buf, size_t len, const char *name,
                          struct ispf_error *err)
{
    (void)e;
    (void)buf;
    (void)len;
    return ispf_fail(err, ISPF_E_UNSUPPORTED,
                     "%s is an ELF file, but this ispflash was built without libelf: ELF input "
                     "is not available (convert it: avr-objcopy -O ihex -R .eeprom %s out.hex)",
                     name, name);
}
#endif

int elf_avr_parse(struct elf_avr *e, const void *buf, size_t len, const char *name,
                  struct ispf_error *err)
{
    elf_avr_free(e);
    if (!elf_is_elf(buf, len))
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s: not an ELF file (it does not start with 0x7F 'ELF')", name);
    return elf_parse_body(e, buf, len, name, err);
}

static int elf_copy(const struct image *from, struct image *out, struct ispf_error *err)
{
    uint32_t pos = 0, start, n;
    while (image_next_segment(from, &pos, &start, &n)) {
        int rc = image_set_range(out, start, from->data + start, n, err);
        if (rc)
            return rc;
    }
    return ISPF_OK;
}

int elf_avr_image(const struct elf_avr *e, enum mem_id mem, struct image *out, const char *name,
                  struct ispf_error *err)
{
    image_clear(out);
    switch (mem) {
    case MEM_FLASH:
        if (image_empty(&e->flash))
            return ispf_fail(err, ISPF_E_INPUT, "%s has no flash data (no .text section)", name);
        return elf_copy(&e->flash, out, err);
    case MEM_EEPROM:
        if (image_empty(&e->eeprom))
            return ispf_fail(err, ISPF_E_INPUT, "%s has no .eeprom section", name);
        return elf_copy(&e->eeprom, out, err);
    case MEM_LFUSE:
    case MEM_HFUSE:
    case MEM_EFUSE: {
        unsigned i = (unsigned)(mem - MEM_LFUSE);
        if (!e->has_fuse[0] && !e->has_fuse[1] && !e->has_fuse[2])
            return ispf_fail(err, ISPF_E_INPUT, "%s has no .fuse section", name);
        if (!e->has_fuse[i])
            return ispf_fail(err, ISPF_E_INPUT, "%s: its .fuse section holds no %s byte", name,
                             mem_name(mem));
        return image_set(out, 0, e->fuse[i], err);
    }
    case MEM_LOCK:
        if (!e->has_lock)
            return ispf_fail(err, ISPF_E_INPUT, "%s has no .lock section", name);
        return image_set(out, 0, e->lock, err);
    case MEM_SIGNATURE:
        if (!e->has_signature)
            return ispf_fail(err, ISPF_E_INPUT, "%s has no .signature section", name);
        return image_set_range(out, 0, e->signature, 3, err);
    default:
        return ispf_fail(err, ISPF_E_INPUT, "%s: an ELF file holds no %s", name, mem_name(mem));
    }
}

size_t elf_avr_others(const struct elf_avr *e, enum mem_id mem, char *buf, size_t len)
{
    static const char *const fuse_names[3] = {"lfuse", "hfuse", "efuse"};
    size_t pos = 0;
    char part[96];
    if (len)
        buf[0] = '\0';
    for (int what = 0; what < 3; what++) {
        part[0] = '\0';
        if (what == 0 && mem != MEM_EEPROM && !image_empty(&e->eeprom)) {
            snprintf(part, sizeof part, ".eeprom (%u bytes)", e->eeprom.count);
        } else if (what == 1) {
            size_t k = 0;
            for (unsigned i = 0; i < 3; i++)
                if (e->has_fuse[i] && mem != (enum mem_id)(MEM_LFUSE + i))
                    k += (size_t)snprintf(part + k, sizeof part - k, "%s%s 0x%02X",
                                          k ? " " : ".fuse (", fuse_names[i], e->fuse[i]);
            if (k)
                snprintf(part + k, sizeof part - k, ")");
        } else if (what == 2 && mem != MEM_LOCK && e->has_lock) {
            snprintf(part, sizeof part, ".lock (0x%02X)", e->lock);
        }
        if (part[0] && pos < len) {
            int n = snprintf(buf + pos, len - pos, "%s%s", pos ? ", " : "", part);
            if (n > 0)
                pos += (size_t)n < len - pos ? (size_t)n : len - pos - 1;
        }
    }
    return pos;
}
