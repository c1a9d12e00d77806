// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the part database (src/core/part.c, src/core/partdb.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "base/suggest.h"
#include "ispflash/part.h"
#include "ispflash/programmer.h"

static const struct part *must_find(const char *name)
{
    const struct part *p = part_find(name);
    if (!p)
        fail_msg("part %s not found", name);
    return p;
}

/* ------------------------------------------------------------- lookups -- */

static void test_find_by_id_and_name(void **state)
{
    (void)state;
    const struct part *p = must_find("m32u4");
    assert_string_equal(p->id, "m32u4");
    assert_string_equal(p->name, "ATmega32U4");
    assert_ptr_equal(part_find("atmega32u4"), p);
    assert_ptr_equal(part_find("ATmega32U4"), p);
    assert_ptr_equal(part_find("ATMEGA32U4"), p);
    assert_ptr_equal(part_find("M32U4"), p);
    assert_string_equal(must_find("at90usb1286")->id, "usb1286");
    assert_string_equal(must_find("atmega328p")->id, "m328p");
    assert_string_equal(must_find("atmega328")->id, "m328");
    assert_string_equal(must_find("ATtiny85")->id, "t85");
    assert_string_equal(must_find("attiny2313a")->id, "t2313a");
    assert_string_equal(must_find("attiny2313")->id, "t2313");
}

static void test_find_by_alias(void **state)
{
    (void)state;
    assert_string_equal(must_find("attiny85v")->id, "t85");
    assert_string_equal(must_find("ATtiny85V")->id, "t85");
    assert_string_equal(must_find("ATmega32U4RC")->id, "m32u4");
    assert_string_equal(must_find("atmega8l")->id, "m8");
    /* aliases are whole words of the list, not substrings of it */
    assert_null(part_find("attiny85"
                          "v attiny"));
    assert_null(part_find("atmega32u4r"));
    size_t with_alias = 0;
    for (size_t i = 0; i < part_count(); i++) {
        const struct part *p = part_at(i);
        assert_non_null(p->aliases);
        const char *a = p->aliases;
        while (*a) {
            char word[32];
            size_t n = strcspn(a, " ");
            assert_true(n > 0 && n < sizeof word);
            memcpy(word, a, n);
            word[n] = '\0';
            assert_ptr_equal(part_find(word), p);
            with_alias++;
            a += n;
            while (*a == ' ')
                a++;
        }
    }
    assert_true(with_alias >= 10);
}

static void test_find_rejects(void **state)
{
    (void)state;
    assert_null(part_find(NULL));
    assert_null(part_find(""));
    assert_null(part_find("m32u"));   /* no prefix matching */
    assert_null(part_find("m32u4 ")); /* no trimming */
    assert_null(part_find("atmega32u5"));
    assert_null(part_find("xyzzy"));
}

/* The parts issue 3 requires, by any of their names. */
static void test_required_parts_present(void **state)
{
    (void)state;
    static const char *const required[] = {
        "atmega32u4", "atmega16u4",  "atmega32u2",  "atmega16u2", "atmega8u2",  "at90usb646",
        "at90usb647", "at90usb1286", "at90usb1287", "at90usb162", "atmega32a",  "atmega328p",
        "atmega328",  "atmega168",   "atmega168p",  "atmega168a", "atmega88",   "atmega88p",
        "atmega8",    "atmega8a",    "atmega16",    "atmega16a",  "atmega644",  "atmega644p",
        "atmega644a", "atmega1284",  "atmega1284p", "atmega2560", "attiny85",   "attiny45",
        "attiny25",   "attiny84",    "attiny44",    "attiny24",   "attiny2313", "attiny2313a",
        "attiny4313",
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        const struct part *p = must_find(required[i]);
        assert_true(strcasecmp(p->name, required[i]) == 0);
    }
    assert_true(part_count() >= 37);
}

static void test_ids_unique_and_table_walk(void **state)
{
    (void)state;
    size_t n = part_count();
    for (size_t i = 0; i < n; i++) {
        const struct part *p = part_at(i);
        assert_non_null(p);
        /* every part is found by its own id and name, and not shadowed by another */
        assert_ptr_equal(part_find(p->id), p);
        assert_ptr_equal(part_find(p->name), p);
    }
    assert_null(part_at(n));
}

static void test_suggest(void **state)
{
    (void)state;
    const struct part *s[5];
    size_t n = part_suggest("atmega32u5", s, 5);
    assert_true(n >= 2);
    assert_string_equal(s[0]->id, "m32u4");
    assert_string_equal(s[1]->id, "m32u2");

    n = part_suggest("m32u5", s, 5);
    assert_true(n >= 1);
    assert_string_equal(s[0]->id, "m32u4");

    n = part_suggest("atmega382p", s, 5); /* transposition */
    assert_true(n >= 1);
    assert_string_equal(s[0]->id, "m328p");

    n = part_suggest("ATTINY58", s, 1);
    assert_int_equal(n, 1);
    assert_string_equal(s[0]->id, "t85");

    n = part_suggest("atmega32u4", s, 3); /* an exact name comes first */
    assert_true(n >= 1);
    assert_string_equal(s[0]->id, "m32u4");

    assert_int_equal(part_suggest("qqqqqqqqqqqqqqqqqqqqqqq", s, 5), 0);
    assert_int_equal(part_suggest("", s, 5), 0);
    assert_int_equal(part_suggest("m32u5", s, 0), 0);
}

/* The one edit distance (src/base/suggest.c) behind both "did you mean" lists. */
static void test_suggest_distance(void **state)
{
    (void)state;
    assert_int_equal(suggest_distance("m32u4", 5, "M32U4", 5), 0);
    assert_int_equal(suggest_distance("m32u4", 5, "m32u5", 5), 1); /* neighbouring keys */
    assert_int_equal(suggest_distance("m32u4", 5, "m32u2", 5), 2);
    assert_int_equal(suggest_distance("avrsip", 6, "avrisp", 6), 2); /* one transposition */
    assert_int_equal(suggest_distance("usbtin", 6, "usbtiny", 7), 2);
    assert_int_equal(suggest_distance("", 0, "abc", 3), 6);
    int dist[5] = {4, 0, 9, 4, 2};
    size_t idx[5];
    assert_int_equal(suggest_pick(dist, 5, 4, idx, 5), 4);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 4);
    assert_int_equal(idx[2], 0); /* ties in order */
    assert_int_equal(idx[3], 3);
    assert_int_equal(suggest_pick(dist, 5, 4, idx, 2), 2);
}

/* -c: the programmer list uses the same distance (up to three edits). */
static void test_programmer_suggest(void **state)
{
    (void)state;
    const struct pgm_entry *s[4];
    size_t n = pgm_registry_suggest("usbtinu", s, 4);
    assert_true(n >= 1);
    assert_string_equal(s[0]->id, "usbtiny");
    n = pgm_registry_suggest("avrsip", s, 4); /* transposition */
    assert_true(n >= 1);
    assert_string_equal(s[0]->id, "avrisp");
    n = pgm_registry_suggest("STK500V3", s, 4);
    assert_true(n >= 2);
    assert_true(strncmp(s[0]->id, "stk500v", 7) == 0);
    assert_int_equal(pgm_registry_suggest("qqqqqqqqqqqq", s, 4), 0);
    assert_int_equal(pgm_registry_suggest("usbasp", s, 1), 1);
    assert_string_equal(s[0]->id, "usbasp"); /* an exact id comes first */
}

static void test_signature(void **state)
{
    (void)state;
    const struct part *out[4];
    const uint8_t m32u4[3] = {0x1E, 0x95, 0x87};
    assert_int_equal(part_find_by_signature(m32u4, out, 4), 1);
    assert_string_equal(out[0]->id, "m32u4");

    const uint8_t usb646[3] = {0x1E, 0x96, 0x82};
    assert_int_equal(part_find_by_signature(usb646, out, 4), 2);
    assert_true((strcmp(out[0]->id, "usb646") == 0 && strcmp(out[1]->id, "usb647") == 0) ||
                (strcmp(out[0]->id, "usb647") == 0 && strcmp(out[1]->id, "usb646") == 0));

    /* the result is what was stored, never more than out holds; the total is separate */
    const uint8_t usb1286[3] = {0x1E, 0x97, 0x82};
    const struct part *guard[3] = {NULL, NULL, NULL};
    assert_int_equal(part_find_by_signature(usb1286, guard, 1), 1);
    assert_non_null(guard[0]);
    assert_null(guard[1]); /* nothing written past max */
    assert_int_equal(part_find_by_signature(usb1286, NULL, 0), 0);
    assert_int_equal(part_find_by_signature(usb1286, out, 0), 0);
    assert_int_equal(part_count_by_signature(usb1286), 2);
    assert_int_equal(part_count_by_signature(usb646), 2);
    assert_int_equal(part_count_by_signature(m32u4), 1);

    const uint8_t none[3] = {0x00, 0x00, 0x00};
    assert_int_equal(part_find_by_signature(none, out, 4), 0);
    const uint8_t ff[3] = {0xFF, 0xFF, 0xFF};
    assert_int_equal(part_find_by_signature(ff, out, 4), 0);

    /* every part is found by its own signature */
    for (size_t i = 0; i < part_count(); i++) {
        const struct part *p = part_at(i);
        const struct part *all[8];
        size_t n = part_find_by_signature(p->signature, all, 8);
        assert_true(n >= 1 && n <= 8);
        assert_int_equal(n, part_count_by_signature(p->signature));
        /* a caller's array of 4 (session.c) never receives more than 4 */
        const struct part *four[4];
        assert_int_equal(part_find_by_signature(p->signature, four, 4), n < 4 ? n : 4);
        bool seen = false;
        for (size_t j = 0; j < n; j++)
            seen |= all[j] == p;
        assert_true(seen);
        assert_int_equal(p->signature[0], 0x1E);
    }
}

/* ------------------------------------------------------------ memories -- */

static void test_mem_names(void **state)
{
    (void)state;
    static const char *const names[MEM__COUNT] = {"flash", "eeprom", "lfuse",     "hfuse",
                                                  "efuse", "lock",   "signature", "calibration"};
    for (int m = 0; m < MEM__COUNT; m++) {
        assert_string_equal(mem_name((enum mem_id)m), names[m]);
        assert_int_equal(mem_from_name(names[m]), m);
    }
    assert_int_equal(mem_from_name("FLASH"), MEM_FLASH);
    assert_int_equal(mem_from_name("lockbits"), MEM_LOCK);
    assert_int_equal(mem_from_name("fuse0"), MEM_LFUSE);
    assert_int_equal(mem_from_name("fuse1"), MEM_HFUSE);
    assert_int_equal(mem_from_name("fuse2"), MEM_EFUSE);
    assert_int_equal(mem_from_name("flsh"), -1);
    assert_int_equal(mem_from_name(""), -1);
    assert_int_equal(mem_from_name(NULL), -1);

    assert_false(mem_is_fuse(MEM_FLASH));
    assert_false(mem_is_fuse(MEM_EEPROM));
    assert_true(mem_is_fuse(MEM_LFUSE));
    assert_true(mem_is_fuse(MEM_HFUSE));
    assert_true(mem_is_fuse(MEM_EFUSE));
    assert_true(mem_is_fuse(MEM_LOCK));
    assert_false(mem_is_fuse(MEM_SIGNATURE));
    assert_false(mem_is_fuse(MEM_CALIBRATION));
}

static void test_mem_size(void **state)
{
    (void)state;
    const struct part *p = must_find("m32u4");
    assert_int_equal(part_mem_size(p, MEM_FLASH), 32768);
    assert_int_equal(part_mem_size(p, MEM_EEPROM), 1024);
    assert_int_equal(part_mem_size(p, MEM_LFUSE), 1);
    assert_int_equal(part_mem_size(p, MEM_EFUSE), 1);
    assert_int_equal(part_mem_size(p, MEM_LOCK), 1);
    assert_int_equal(part_mem_size(p, MEM_SIGNATURE), 3);
    assert_int_equal(part_mem_size(p, MEM_CALIBRATION), 1);

    const struct part *m32a = must_find("m32a");
    assert_int_equal(part_mem_size(m32a, MEM_EFUSE), 0);
    assert_int_equal(part_mem_size(m32a, MEM_CALIBRATION), 4);
    assert_int_equal(part_mem_size(NULL, MEM_FLASH), 0);
}

/* ---------------------------------------------------------- known data -- */

static void test_known_parts(void **state)
{
    (void)state;
    const struct part *p = must_find("m32u4");
    assert_memory_equal(p->signature, ((uint8_t[]){0x1E, 0x95, 0x87}), 3);
    assert_int_equal(p->flash_page, 128);
    assert_int_equal(p->eeprom_page, 4);
    assert_int_equal(p->flash_delay_us, 4500);
    assert_int_equal(p->eeprom_delay_us, 9000);
    assert_int_equal(p->fuse_delay_us, 9000);
    assert_int_equal(p->erase_delay_us, 9000);
    assert_int_equal(p->stk500_devcode, 0); /* commented out in avrdude.conf */
    assert_int_equal(p->v2.timeout, 200);
    assert_int_equal(p->v2.stabdelay, 100);
    assert_int_equal(p->v2.cmdexedelay, 25);
    assert_int_equal(p->v2.synchloops, 32);
    assert_int_equal(p->v2.pollvalue, 0x53);
    assert_int_equal(p->v2.pollindex, 3);
    assert_int_equal(p->fuse[2].used, 0x0F);
    /* as shipped with the Atmel DFU bootloader (not the ATDF's RC-variant 0x52/0xFB) */
    assert_int_equal(p->fuse[0].initval, 0x5E);
    assert_int_equal(p->fuse[1].initval, 0x99);
    assert_int_equal(p->fuse[2].initval, 0xF3);
    assert_int_equal(p->fuse[3].used, 0x3F);
    assert_false(part_has_ext_addr(p));
    assert_int_equal(p->n_boot_sections, 4);
    assert_int_equal(p->boot_sections[3].start, 0x7000);
    assert_int_equal(p->boot_sections[3].size, 4096);

    const struct part *m32a = must_find("atmega32a");
    assert_false(m32a->fuse[2].present);
    assert_true(m32a->fuse[0].present && m32a->fuse[1].present && m32a->fuse[3].present);
    assert_int_equal(m32a->n_calibration, 4);
    assert_int_equal(m32a->stk500_devcode, 0x91);
    assert_int_equal(m32a->fuse_delay_us, 2000);
    assert_false(must_find("m8")->fuse[2].present);
    assert_false(must_find("m16")->fuse[2].present);
    assert_int_equal(must_find("m16")->n_calibration, 4);

    const struct part *m328p = must_find("m328p");
    assert_int_equal(m328p->stk500_devcode, 0x86);
    assert_int_equal(m328p->eeprom_delay_us, 3600);
    assert_int_equal(m328p->fuse[2].used, 0x07);
    assert_int_equal(m328p->v2.flash_readback[0], 0xFF);

    const struct part *t85 = must_find("t85");
    assert_int_equal(t85->fuse[2].used, 0x01);
    assert_int_equal(t85->fuse[3].used, 0x03);
    assert_int_equal(t85->n_boot_sections, 0);
    assert_null(t85->boot_sections);
    assert_int_equal(t85->erase_delay_us, 4500);

    assert_true(part_has_ext_addr(must_find("m2560")));
    assert_false(part_has_ext_addr(must_find("usb1286")));
    assert_int_equal(must_find("t2313")->n_calibration, 2);
}

static void test_fuse_field(void **state)
{
    (void)state;
    const struct part *p = must_find("m32u4");
    enum mem_id mem = MEM_FLASH;
    const struct fuse_field *f = part_fuse_field(p, "BOOTSZ", &mem);
    assert_non_null(f);
    assert_int_equal(mem, MEM_HFUSE);
    assert_int_equal(f->mask, 0x06);
    assert_int_equal(f->n_values, 4);
    bool found = false;
    for (size_t i = 0; i < f->n_values; i++)
        if (f->values[i].value == 0)
            found = strstr(f->values[i].caption, "2048 words") != NULL;
    assert_true(found);

    f = part_fuse_field(p, "hwbe", &mem);
    assert_non_null(f);
    assert_int_equal(mem, MEM_EFUSE);
    assert_int_equal(f->mask, 0x08);
    assert_int_equal(f->n_values, 0);
    assert_null(f->values);

    f = part_fuse_field(p, "SUT_CKSEL", &mem);
    assert_non_null(f);
    assert_int_equal(mem, MEM_LFUSE);
    assert_int_equal(f->mask, 0x3F);

    f = part_fuse_field(p, "BLB1", &mem);
    assert_non_null(f);
    assert_int_equal(mem, MEM_LOCK);
    assert_int_equal(f->mask, 0x30);

    assert_non_null(part_fuse_field(p, "JTAGEN", NULL));
    assert_null(part_fuse_field(p, "RSTDISBL", &mem)); /* no such fuse on the 32U4 */
    assert_null(part_fuse_field(p, "BOOT", &mem));
    assert_null(part_fuse_field(p, NULL, &mem));

    /* ATmega168: BOOTSZ lives in the extended byte; BODLEVEL in the high byte */
    const struct part *m168 = must_find("m168");
    f = part_fuse_field(m168, "BOOTSZ", &mem);
    assert_non_null(f);
    assert_int_equal(mem, MEM_EFUSE);
    assert_int_equal(f->mask, 0x06);
    f = part_fuse_field(m168, "BODLEVEL", &mem);
    assert_non_null(f);
    assert_int_equal(mem, MEM_HFUSE);
    assert_int_equal(f->mask, 0x07);

    /* m32a: BODLEVEL and BODEN in the low byte, nothing in the absent efuse */
    f = part_fuse_field(must_find("m32a"), "BODEN", &mem);
    assert_non_null(f);
    assert_int_equal(mem, MEM_LFUSE);
    assert_int_equal(f->mask, 0x40);

    f = part_fuse_field(must_find("t85"), "SELFPRGEN", &mem);
    assert_non_null(f);
    assert_int_equal(mem, MEM_EFUSE);
    assert_int_equal(f->mask, 0x01);

    assert_ptr_equal(part_fuse(p, MEM_LFUSE), &p->fuse[0]);
    assert_ptr_equal(part_fuse(p, MEM_LOCK), &p->fuse[3]);
    assert_null(part_fuse(p, MEM_FLASH));
    assert_null(part_fuse(p, MEM_SIGNATURE));
    const struct fuse_byte *fb = part_fuse(must_find("m32a"), MEM_EFUSE);
    assert_non_null(fb);
    assert_false(fb->present);
}

/* ------------------------------------------------ invariants, all parts -- */

static void test_fuse_invariants(void **state)
{
    (void)state;
    static const char *const need_lock[] = {"LB"};
    for (size_t i = 0; i < part_count(); i++) {
        const struct part *p = part_at(i);
        /* every part has lfuse, hfuse and lock */
        assert_true(p->fuse[0].present);
        assert_true(p->fuse[1].present);
        assert_true(p->fuse[3].present);
        assert_non_null(part_fuse_field(p, need_lock[0], NULL));
        assert_non_null(part_fuse_field(p, "SPIEN", NULL));
        for (int b = 0; b < 4; b++) {
            const struct fuse_byte *fb = &p->fuse[b];
            if (!fb->present) {
                assert_int_equal(fb->n_fields, 0);
                continue;
            }
            /* the bits that do not exist read as 1 in the default */
            assert_int_equal(fb->initval | fb->used, 0xFF);
            assert_int_equal(fb->initval & (uint8_t)~fb->used, (uint8_t)~fb->used);
            assert_true(fb->n_fields > 0);
            uint8_t seen = 0;
            for (size_t f = 0; f < fb->n_fields; f++) {
                const struct fuse_field *fld = &fb->fields[f];
                if ((fld->mask & ~fb->used) != 0 || fld->mask == 0)
                    fail_msg("%s %s: field %s mask 0x%02X outside used 0x%02X", p->id,
                             mem_name((enum mem_id)(MEM_LFUSE + b)), fld->name, fld->mask,
                             fb->used);
                if (fld->mask & seen)
                    fail_msg("%s: field %s overlaps another", p->id, fld->name);
                seen |= fld->mask;
                assert_non_null(fld->name);
                assert_non_null(fld->caption);
                /* the field is found by name in this byte (names are unique per part) */
                enum mem_id m;
                assert_ptr_equal(part_fuse_field(p, fld->name, &m), fld);
                assert_int_equal(m, MEM_LFUSE + b);
                unsigned shift = (unsigned)__builtin_ctz(fld->mask);
                unsigned width = fld->mask >> shift;
                if (width == 1) {
                    /* a flag, or (BODLEVEL on m8/m16/m32) a one-bit choice with both values */
                    if (fld->n_values != 0) {
                        assert_int_equal(fld->n_values, 2);
                        assert_int_not_equal(fld->values[0].value, fld->values[1].value);
                        assert_true(fld->values[0].value <= 1 && fld->values[1].value <= 1);
                    }
                    continue;
                }
                assert_true(fld->n_values > 0);
                for (size_t v = 0; v < fld->n_values; v++) {
                    assert_true(fld->values[v].value <= width);
                    assert_non_null(fld->values[v].caption);
                    for (size_t w = 0; w < v; w++)
                        assert_int_not_equal(fld->values[w].value, fld->values[v].value);
                }
            }
            /* every used bit belongs to a field */
            assert_int_equal(seen, fb->used);
        }
        /* lock: the two top bits never exist */
        assert_int_equal(p->fuse[3].used & 0xC0, 0);
    }
}

static void test_boot_sections(void **state)
{
    (void)state;
    for (size_t i = 0; i < part_count(); i++) {
        const struct part *p = part_at(i);
        const struct fuse_field *bootsz = part_fuse_field(p, "BOOTSZ", NULL);
        if (p->n_boot_sections == 0) {
            assert_null(bootsz);
            assert_null(part_fuse_field(p, "BOOTRST", NULL));
            continue;
        }
        assert_non_null(bootsz);
        assert_non_null(part_fuse_field(p, "BOOTRST", NULL));
        assert_non_null(part_fuse_field(p, "BLB1", NULL));
        /* BOOTSZ has one value per section */
        assert_int_equal(bootsz->n_values, p->n_boot_sections);
        for (size_t s = 0; s < p->n_boot_sections; s++) {
            const struct boot_section *bs = &p->boot_sections[s];
            assert_true(bs->size > 0);
            assert_true(bs->start < p->flash_size);
            assert_int_equal(bs->start + bs->size, p->flash_size);
            assert_int_equal(bs->size % p->flash_page, 0);
            if (s > 0)
                assert_int_equal(bs->size, 2 * p->boot_sections[s - 1].size);
            /* BOOTSZ value (n-1-s) selects section s; its caption names the size in words */
            char words[32];
            snprintf(words, sizeof words, "size=%u words", (unsigned)(bs->size / 2));
            bool ok = false;
            for (size_t v = 0; v < bootsz->n_values; v++)
                if (bootsz->values[v].value == p->n_boot_sections - 1 - s)
                    ok = strstr(bootsz->values[v].caption, words) != NULL;
            if (!ok)
                fail_msg("%s: BOOTSZ caption for section %zu does not say %s", p->id, s, words);
        }
    }
}

static void test_sizes_sane(void **state)
{
    (void)state;
    for (size_t i = 0; i < part_count(); i++) {
        const struct part *p = part_at(i);
        assert_true(p->flash_size >= 1024);
        assert_true(p->flash_page >= 32 && p->flash_page <= 256);
        assert_int_equal(p->flash_size % p->flash_page, 0);
        assert_int_equal(p->flash_page & (p->flash_page - 1), 0);
        assert_true(p->eeprom_size > 0);
        assert_true(p->eeprom_page > 0);
        assert_int_equal(p->eeprom_size % p->eeprom_page, 0);
        assert_true(p->n_calibration >= 1 && p->n_calibration <= 4);
        assert_true(p->flash_delay_us > 0 && p->eeprom_delay_us > 0 && p->fuse_delay_us > 0 &&
                    p->erase_delay_us > 0);
        assert_true(p->v2.timeout > 0);
        assert_int_equal(p->v2.pollvalue, 0x53);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_by_id_and_name),
        cmocka_unit_test(test_find_by_alias),
        cmocka_unit_test(test_find_rejects),
        cmocka_unit_test(test_required_parts_present),
        cmocka_unit_test(test_ids_unique_and_table_walk),
        cmocka_unit_test(test_suggest),
        cmocka_unit_test(test_suggest_distance),
        cmocka_unit_test(test_programmer_suggest),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_mem_names),
        cmocka_unit_test(test_mem_size),
        cmocka_unit_test(test_known_parts),
        cmocka_unit_test(test_fuse_field),
        cmocka_unit_test(test_fuse_invariants),
        cmocka_unit_test(test_boot_sections),
        cmocka_unit_test(test_sizes_sane),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
