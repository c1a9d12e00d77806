// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of fuse decoding, the brick guards, the write order, the image <-> fuse
 * check (src/core/fuse_*.c) and the bootloader presets (src/core/bootloaders.c).
 * Decoding and guards run over EVERY part of the database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ispflash/bootloaders.h"
#include "ispflash/fuse.h"
#include "ispflash/image.h"
#include "ispflash/part.h"

static const struct part *must_find(const char *name)
{
    const struct part *p = part_find(name);
    if (!p)
        fail_msg("part %s not found", name);
    return p;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

static void assert_not_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle))
        fail_msg("did not expect \"%s\" in:\n%s", needle, hay);
}

static unsigned popcount8(uint8_t v)
{
    unsigned n = 0;
    for (; v; v &= (uint8_t)(v - 1))
        n++;
    return n;
}

static void factory(const struct part *p, uint8_t v[FUSE_NBYTES])
{
    for (int i = 0; i < FUSE_NBYTES; i++)
        v[i] = p->fuse[i].present ? p->fuse[i].initval : 0xFF;
}

/* ------------------------------------------------ decoding, every part -- */

static void test_fields_encode_decode_every_part(void **state)
{
    (void)state;
    size_t nfields = 0;
    for (size_t pi = 0; pi < part_count(); pi++) {
        const struct part *p = part_at(pi);
        for (int i = 0; i < FUSE_NBYTES; i++) {
            const struct fuse_byte *fb = &p->fuse[i];
            if (!fb->present)
                continue;
            enum mem_id mem = fuse_mem(i);
            uint8_t seen = 0;
            for (size_t k = 0; k < fb->n_fields; k++) {
                const struct fuse_field *f = &fb->fields[k];
                nfields++;
                if (f->mask & seen)
                    fail_msg("%s %s: %s overlaps another field", p->id, mem_name(mem), f->name);
                seen |= f->mask;
                if (f->mask & (uint8_t)~fb->used)
                    fail_msg("%s %s: %s covers bits that do not exist", p->id, mem_name(mem),
                             f->name);
                unsigned bits = popcount8(f->mask);
                /* every value of the field survives put/get, and put leaves the rest alone */
                for (unsigned v = 0; v < (1u << bits); v++) {
                    uint8_t b = fuse_field_put(f, 0x5A, (uint8_t)v);
                    assert_int_equal(fuse_field_get(f, b), v);
                    assert_int_equal(b & (uint8_t)~f->mask, 0x5A & (uint8_t)~f->mask);
                }
                if (fuse_field_is_flag(f)) {
                    assert_true(fuse_flag_programmed(f, (uint8_t)~f->mask));
                    assert_false(fuse_flag_programmed(f, 0xFF));
                    char t[200];
                    fuse_field_text(p, mem, f, 0xFF, t, sizeof t);
                    if (strcmp(f->name, "BOOTRST") != 0)
                        assert_string_equal(t, "off");
                }
                /* every documented value decodes to its caption, never to "reserved" */
                for (size_t vi = 0; vi < f->n_values; vi++) {
                    uint8_t b = fuse_field_put(f, 0xFF, f->values[vi].value);
                    assert_ptr_equal(fuse_field_lookup(f, f->values[vi].value), &f->values[vi]);
                    char t[200];
                    fuse_field_text(p, mem, f, b, t, sizeof t);
                    assert_true(strlen(t) > 0);
                    assert_not_contains(t, "reserved");
                }
                /* flipping one field's bits changes exactly that field */
                uint8_t a = fb->initval, c = (uint8_t)(fb->initval ^ f->mask);
                char diff[600];
                assert_int_equal(fuse_diff(p, mem, a, c, "", diff, sizeof diff), 1);
                char head[64];
                snprintf(head, sizeof head, "%s: ", f->name);
                assert_true(strncmp(diff, head, strlen(head)) == 0);
            }
            /* the factory default decodes with every field, none of them reserved */
            char text[1500];
            fuse_decode(p, mem, fb->initval, ", ", text, sizeof text);
            for (size_t k = 0; k < fb->n_fields; k++) {
                char nm[48];
                snprintf(nm, sizeof nm, "%s=", fb->fields[k].name);
                assert_contains(text, nm);
            }
            assert_not_contains(text, "reserved");
            char diff[64];
            assert_int_equal(fuse_diff(p, mem, fb->initval, fb->initval, "", diff, sizeof diff), 0);
            /* bits that do not exist never make a difference */
            assert_int_equal(fuse_diff(p, mem, fb->initval,
                                       (uint8_t)(fb->initval ^ (uint8_t)~fb->used), "", diff,
                                       sizeof diff),
                             0);
        }
    }
    assert_true(part_count() >= 55);
    assert_true(nfields > 300);
}

static void test_clock_every_part(void **state)
{
    (void)state;
    for (size_t pi = 0; pi < part_count(); pi++) {
        const struct part *p = part_at(pi);
        enum mem_id mem;
        const struct fuse_field *f = fuse_clock_field(p, &mem);
        if (!f)
            fail_msg("%s has no clock selection field", p->id);
        assert_true(f->n_values > 0);
        unsigned internal = 0, external = 0;
        for (size_t vi = 0; vi < f->n_values; vi++) {
            uint8_t b = fuse_field_put(f, 0xFF, f->values[vi].value);
            const char *cap;
            enum fuse_clock c = fuse_clock_source(p, b, &cap);
            if (c == FUSE_CLOCK_UNKNOWN)
                fail_msg("%s: clock caption \"%s\" not classified", p->id, f->values[vi].caption);
            assert_ptr_equal(cap, f->values[vi].caption);
            internal += c == FUSE_CLOCK_INTERNAL;
            external += c == FUSE_CLOCK_EXTERNAL;
            if (c == FUSE_CLOCK_EXTERNAL)
                assert_non_null(fuse_clock_kind(cap));
            else
                assert_null(fuse_clock_kind(cap));
        }
        if (!internal || !external)
            fail_msg("%s: %u internal, %u external clock values", p->id, internal, external);
    }
    /* a few known values */
    assert_int_equal(fuse_clock_source(must_find("m32u4"), 0x52, NULL), FUSE_CLOCK_INTERNAL);
    assert_int_equal(fuse_clock_source(must_find("m32u4"), 0x5E, NULL), FUSE_CLOCK_EXTERNAL);
    assert_int_equal(fuse_clock_source(must_find("m32u4"), 0xFF, NULL), FUSE_CLOCK_EXTERNAL);
    assert_int_equal(fuse_clock_source(must_find("m328p"), 0x62, NULL), FUSE_CLOCK_INTERNAL);
    assert_int_equal(fuse_clock_source(must_find("m328p"), 0xD7, NULL), FUSE_CLOCK_EXTERNAL);
    assert_int_equal(fuse_clock_source(must_find("m32a"), 0xE1, NULL), FUSE_CLOCK_INTERNAL);
    assert_int_equal(fuse_clock_source(must_find("m32a"), 0x0F, NULL), FUSE_CLOCK_EXTERNAL);
    assert_int_equal(fuse_clock_source(must_find("t85"), 0x62, NULL), FUSE_CLOCK_INTERNAL);
    assert_string_equal(fuse_clock_kind("Ext. Clock; Start-up time: 6 CK + 0 ms"), "clock");
    /* SUT_CKSEL 0x01 is reserved on the 32U4 */
    const char *cap = "x";
    assert_int_equal(fuse_clock_source(must_find("m32u4"), 0x41, &cap), FUSE_CLOCK_UNKNOWN);
    assert_null(cap);
}

/* "size=N words start address=$XXXX" of a BOOTSZ caption. */
static bool parse_bootsz_caption(const char *cap, unsigned *words, unsigned *start_word)
{
    const char *s = strstr(cap, "size=");
    const char *a = strstr(cap, "address=$");
    if (!s || !a)
        return false;
    *words = (unsigned)strtoul(s + 5, NULL, 10);
    *start_word = (unsigned)strtoul(a + 9, NULL, 16);
    return true;
}

static void test_boot_sections_every_part(void **state)
{
    (void)state;
    size_t with_boot = 0;
    for (size_t pi = 0; pi < part_count(); pi++) {
        const struct part *p = part_at(pi);
        enum mem_id mem, rmem;
        const struct fuse_field *sz = part_fuse_field(p, "BOOTSZ", &mem);
        const struct fuse_field *rst = part_fuse_field(p, "BOOTRST", &rmem);
        if (!sz) {
            assert_int_equal(p->n_boot_sections, 0);
            continue;
        }
        with_boot++;
        assert_non_null(rst);
        assert_int_equal(mem, rmem); /* decoding BOOTRST relies on it */
        assert_int_equal(sz->n_values, p->n_boot_sections);
        /* The usb646/647 ATDF captions are known to be wrong (avr-fuses.md). */
        bool captions_ok = strcmp(p->id, "usb646") != 0 && strcmp(p->id, "usb647") != 0;
        for (size_t vi = 0; vi < sz->n_values; vi++) {
            uint8_t v = sz->values[vi].value;
            struct boot_section bs;
            assert_true(fuse_boot_section(p, v, &bs));
            assert_int_equal(bs.start + bs.size, p->flash_size);
            uint8_t back;
            assert_true(fuse_bootsz_for_start(p, bs.start, &back));
            assert_int_equal(back, v);
            unsigned words = 0, start_word = 0;
            if (captions_ok) {
                if (!parse_bootsz_caption(sz->values[vi].caption, &words, &start_word))
                    fail_msg("%s: BOOTSZ caption \"%s\"", p->id, sz->values[vi].caption);
                /* Some ATDF captions are copied from a bigger sibling (usb82: "start
                 * address=$1F00" on an 8 KiB part); a start outside the flash is such a
                 * caption, the boot sections (which decoding uses) are right. */
                if (start_word * 2 >= p->flash_size)
                    start_word = (unsigned)(bs.start / 2);
                if (words * 2 != bs.size || start_word * 2 != bs.start)
                    fail_msg("%s: BOOTSZ %u caption \"%s\" but boot section 0x%X+0x%X", p->id, v,
                             sz->values[vi].caption, (unsigned)bs.start, (unsigned)bs.size);
            }
            /* the decoded text states the same section, and BOOTRST points at it */
            uint8_t byte = fuse_field_put(sz, 0xFF, v);
            byte = (uint8_t)(byte & (uint8_t)~rst->mask);
            char text[1500], want[96];
            fuse_decode(p, mem, byte, ", ", text, sizeof text);
            snprintf(want, sizeof want, "BOOTSZ=%u words (boot section 0x%04X-0x%04X)",
                     (unsigned)(bs.size / 2), (unsigned)bs.start, (unsigned)(p->flash_size - 1));
            assert_contains(text, want);
            snprintf(want, sizeof want, "BOOTRST=jump to bootloader at 0x%04X", (unsigned)bs.start);
            assert_contains(text, want);
            uint8_t v4[FUSE_NBYTES];
            factory(p, v4);
            v4[fuse_index(mem)] = byte;
            struct fuse_boot cfg;
            fuse_boot_config(p, v4, &cfg);
            assert_true(cfg.has_boot);
            assert_int_equal(cfg.start, bs.start);
            assert_true(cfg.bootrst);
        }
        assert_false(fuse_bootsz_for_start(p, 0x0000, &(uint8_t){0}));
    }
    assert_true(with_boot >= 40);
}

static void test_decode_examples(void **state)
{
    (void)state;
    const struct part *p = must_find("m32u4");
    char t[1500];
    fuse_decode(p, MEM_LFUSE, 0x5E, ", ", t, sizeof t);
    assert_string_equal(t, "CKDIV8=on, CKOUT=off, SUT_CKSEL=Ext. Crystal Osc. 8.0- MHz; "
                           "Start-up time: 258 CK + 65 ms");
    fuse_decode(p, MEM_HFUSE, 0xD8, ", ", t, sizeof t);
    assert_string_equal(t, "OCDEN=off, JTAGEN=off, SPIEN=on, WDTON=off, EESAVE=off, "
                           "BOOTSZ=2048 words (boot section 0x7000-0x7FFF), "
                           "BOOTRST=jump to bootloader at 0x7000");
    fuse_decode(p, MEM_HFUSE, 0x99, ", ", t, sizeof t);
    assert_contains(t, "JTAGEN=on");
    assert_contains(t, "BOOTRST=start application at 0x0000");
    fuse_decode(p, MEM_EFUSE, 0xF3, ", ", t, sizeof t);
    assert_string_equal(t, "HWBE=on, BODLEVEL=Brown-out detection at VCC=2.6 V");
    fuse_decode(p, MEM_EFUSE, 0xCB, ", ", t, sizeof t);
    assert_string_equal(t, "HWBE=off, BODLEVEL=Brown-out detection at VCC=2.6 V");
    fuse_decode(p, MEM_EFUSE, 0xFF, ", ", t, sizeof t);
    assert_contains(t, "BODLEVEL=Brown-out detection disabled");
    assert_not_contains(t, "[");
    fuse_decode(p, MEM_LOCK, 0x2F, ", ", t, sizeof t);
    assert_contains(t, "BLB1=SPM prohibited in Boot Section");
    /* BOOTSZ/BOOTRST live in the extended fuse of the ATmega168 */
    const struct part *m168 = must_find("m168");
    fuse_decode(m168, MEM_EFUSE, 0xF8, ", ", t, sizeof t);
    assert_contains(t, "BOOTSZ=1024 words (boot section 0x3800-0x3FFF)");
    assert_contains(t, "BOOTRST=jump to bootloader at 0x3800");
    /* usb1286: 4096 words at 0x1E000 */
    fuse_decode(must_find("usb1286"), MEM_HFUSE, 0x98, ", ", t, sizeof t);
    assert_contains(t, "BOOTSZ=4096 words (boot section 0x1E000-0x1FFFF)");
    /* reserved clock value */
    fuse_decode(p, MEM_LFUSE, 0xC1, ", ", t, sizeof t);
    assert_contains(t, "SUT_CKSEL=reserved value 0x01");
}

static void test_diff_only_changed_fields(void **state)
{
    (void)state;
    const struct part *p = must_find("m32u4");
    char t[1500];
    assert_int_equal(fuse_diff(p, MEM_HFUSE, 0x99, 0xD9, "  ", t, sizeof t), 1);
    assert_string_equal(t, "  JTAGEN: on -> off");
    assert_int_equal(fuse_diff(p, MEM_EFUSE, 0xFB, 0xCB, "  ", t, sizeof t), 0);
    assert_int_equal(fuse_diff(p, MEM_EFUSE, 0xF3, 0xCB, "  ", t, sizeof t), 1);
    assert_string_equal(t, "  HWBE: on -> off");
    assert_int_equal(fuse_diff(p, MEM_HFUSE, 0x99, 0xD8, "", t, sizeof t), 2);
    assert_string_equal(t, "JTAGEN: on -> off\n"
                           "BOOTRST: start application at 0x0000 -> jump to bootloader at 0x7000");
    assert_int_equal(fuse_diff(p, MEM_HFUSE, 0xD8, 0xDA, "", t, sizeof t), 1);
    assert_string_equal(t, "BOOTSZ: 2048 words (boot section 0x7000-0x7FFF) -> 1024 words "
                           "(boot section 0x7800-0x7FFF)");
}

/* ------------------------------------------------------------- guards -- */

static int plan_one(const struct part *p, enum mem_id mem, uint8_t cur_val, uint8_t new_val,
                    bool flash, bool unsafe, char *warn, size_t wlen, struct ispf_error *err)
{
    struct fuse_plan plan;
    memset(&plan, 0, sizeof plan);
    plan.part = p;
    factory(p, plan.cur);
    plan.cur[fuse_index(mem)] = cur_val;
    plan.write[fuse_index(mem)] = true;
    plan.next[fuse_index(mem)] = new_val;
    plan.writes_flash = flash;
    ispf_error_clear(err);
    return fuse_plan_check(&plan, unsafe, warn, wlen, err);
}

/* Every part with flag NAME: turning it to the dangerous state is refused, and goes
 * through (with the reason as a warning) with unsafe. */
static unsigned guard_flag_every_part(const char *name, bool dangerous_programmed)
{
    unsigned n = 0;
    for (size_t pi = 0; pi < part_count(); pi++) {
        const struct part *p = part_at(pi);
        enum mem_id mem;
        const struct fuse_field *f = part_fuse_field(p, name, &mem);
        if (!f)
            continue;
        n++;
        uint8_t init = p->fuse[fuse_index(mem)].initval;
        /* the factory default is the safe state */
        assert_true(fuse_flag_programmed(f, init) != dangerous_programmed);
        uint8_t bad =
            dangerous_programmed ? (uint8_t)(init & (uint8_t)~f->mask) : (uint8_t)(init | f->mask);
        char warn[2048];
        struct ispf_error err;
        assert_int_equal(plan_one(p, mem, init, bad, false, false, warn, sizeof warn, &err),
                         ISPF_E_REFUSED);
        assert_contains(err.msg, name);
        assert_contains(err.msg, "--unsafe-fuses");
        assert_contains(err.msg, "Nothing was written");
        assert_int_equal(plan_one(p, mem, init, bad, false, true, warn, sizeof warn, &err),
                         ISPF_OK);
        assert_contains(warn, name);
        assert_contains(warn, "--unsafe-fuses");
        /* writing the byte back unchanged is fine */
        assert_int_equal(plan_one(p, mem, init, init, false, false, warn, sizeof warn, &err),
                         ISPF_OK);
    }
    return n;
}

static void test_guard_spien_rstdisbl_dwen_every_part(void **state)
{
    (void)state;
    assert_true(guard_flag_every_part("SPIEN", false) >= 40);
    assert_true(guard_flag_every_part("RSTDISBL", true) >= 20);
    assert_true(guard_flag_every_part("DWEN", true) >= 20);
}

static void test_guard_clock_every_part(void **state)
{
    (void)state;
    for (size_t pi = 0; pi < part_count(); pi++) {
        const struct part *p = part_at(pi);
        enum mem_id mem;
        const struct fuse_field *f = fuse_clock_field(p, &mem);
        const struct fuse_value *in = NULL, *ex = NULL, *in2 = NULL;
        for (size_t vi = 0; vi < f->n_values; vi++) {
            enum fuse_clock c = fuse_clock_classify(f->values[vi].caption);
            if (c == FUSE_CLOCK_INTERNAL && !in)
                in = &f->values[vi];
            else if (c == FUSE_CLOCK_INTERNAL && !in2)
                in2 = &f->values[vi];
            if (c == FUSE_CLOCK_EXTERNAL && !ex)
                ex = &f->values[vi];
        }
        uint8_t base = p->fuse[fuse_index(mem)].initval;
        uint8_t vin = fuse_field_put(f, base, in->value), vex = fuse_field_put(f, base, ex->value);
        char warn[2048];
        struct ispf_error err;
        /* internal -> external: refused, with the explanation */
        assert_int_equal(plan_one(p, mem, vin, vex, false, false, warn, sizeof warn, &err),
                         ISPF_E_REFUSED);
        assert_contains(err.msg, "internal oscillator");
        assert_contains(err.msg, "XTAL1");
        /* external -> internal and external -> the same external value: fine */
        assert_int_equal(plan_one(p, mem, vex, vin, false, false, warn, sizeof warn, &err),
                         ISPF_OK);
        assert_int_equal(plan_one(p, mem, vex, vex, false, false, warn, sizeof warn, &err),
                         ISPF_OK);
        if (in2) {
            uint8_t vin2 = fuse_field_put(f, base, in2->value);
            assert_int_equal(plan_one(p, mem, vin, vin2, false, false, warn, sizeof warn, &err),
                             ISPF_OK);
        }
        /* a value the datasheet does not list: refused as reserved, from any clock */
        unsigned bits = popcount8(f->mask);
        for (unsigned v = 0; v < (1u << bits); v++) {
            if (fuse_field_lookup(f, (uint8_t)v))
                continue;
            uint8_t vres = fuse_field_put(f, base, (uint8_t)v);
            assert_int_equal(plan_one(p, mem, vex, vres, false, false, warn, sizeof warn, &err),
                             ISPF_E_REFUSED);
            assert_contains(err.msg, "reserved");
            break;
        }
    }
}

static bool is_ext_clock(const char *cap)
{
    const char *k = fuse_clock_kind(cap);
    return k && strcmp(k, "clock") == 0;
}

static const char advice[] =
    "\nNothing was written. If this is really what you want, add --unsafe-fuses.";

static void assert_ends_with_advice(const char *msg)
{
    size_t n = strlen(msg), a = strlen(advice);
    if (n < a || strcmp(msg + n - a, advice) != 0)
        fail_msg("the refusal does not end with its advice:\n%s", msg);
}

/* One clock byte write on part p: cur -> next, crystal_confirmed as --bootloader sets it. */
static int plan_clock(const struct part *p, enum mem_id mem, uint8_t cur, uint8_t next,
                      bool confirmed, bool unsafe, char *warn, size_t wlen, struct ispf_error *err)
{
    struct fuse_plan plan;
    memset(&plan, 0, sizeof plan);
    plan.part = p;
    factory(p, plan.cur);
    plan.cur[fuse_index(mem)] = cur;
    plan.write[fuse_index(mem)] = true;
    plan.next[fuse_index(mem)] = next;
    plan.crystal_confirmed = confirmed;
    ispf_error_clear(err);
    return fuse_plan_check(&plan, unsafe, warn, wlen, err);
}

/* Every part with an external-clock CKSEL value: switching to it from any other source
 * (crystal, internal RC, external RC) is refused, also when a preset confirmed a
 * crystal; --unsafe-fuses writes it with the reason as a warning; from one external
 * clock setting to another is fine. */
static void test_guard_ext_clock_every_part(void **state)
{
    (void)state;
    unsigned parts = 0, pairs = 0;
    for (size_t pi = 0; pi < part_count(); pi++) {
        const struct part *p = part_at(pi);
        enum mem_id mem;
        const struct fuse_field *f = fuse_clock_field(p, &mem);
        uint8_t base = p->fuse[fuse_index(mem)].initval;
        const struct fuse_value *ext = NULL;
        for (size_t vi = 0; vi < f->n_values && !ext; vi++)
            if (is_ext_clock(f->values[vi].caption))
                ext = &f->values[vi];
        if (!ext)
            continue;
        parts++;
        uint8_t vext = fuse_field_put(f, base, ext->value);
        for (size_t vi = 0; vi < f->n_values; vi++) {
            const struct fuse_value *src = &f->values[vi];
            uint8_t vsrc = fuse_field_put(f, base, src->value);
            char warn[4096];
            struct ispf_error err;
            if (is_ext_clock(src->caption)) {
                /* already external: another start-up time is fine */
                assert_int_equal(
                    plan_clock(p, mem, vsrc, vext, false, false, warn, sizeof warn, &err), ISPF_OK);
                assert_not_contains(warn, "clock generator");
                continue;
            }
            pairs++;
            for (int confirmed = 0; confirmed < 2; confirmed++) {
                int rc = plan_clock(p, mem, vsrc, vext, confirmed, false, warn, sizeof warn, &err);
                if (rc != ISPF_E_REFUSED)
                    fail_msg("%s: %s 0x%02X (%s) -> 0x%02X (%s) not refused", p->id, mem_name(mem),
                             vsrc, src->caption, vext, ext->caption);
                assert_contains(err.msg, "to an external clock signal (Ext. Clock)");
                assert_contains(err.msg, "a crystal alone does not");
                assert_contains(err.msg, "until a clock generator is wired to XTAL1");
                assert_ends_with_advice(err.msg);
            }
            assert_int_equal(plan_clock(p, mem, vsrc, vext, false, true, warn, sizeof warn, &err),
                             ISPF_OK);
            assert_contains(warn, "--unsafe-fuses: writing anyway");
            assert_contains(warn, "clock generator is wired to XTAL1");
        }
    }
    assert_true(parts >= 10);
    assert_true(pairs >= 100);
    /* the case: a Pro Micro (crystal, lfuse 0x5E or 0xFF) and lfuse 0x40 */
    const struct part *p = must_find("m32u4");
    char warn[4096];
    struct ispf_error err;
    assert_int_equal(plan_clock(p, MEM_LFUSE, 0xFF, 0x40, false, false, warn, sizeof warn, &err),
                     ISPF_E_REFUSED);
    assert_contains(err.msg, "lfuse 0xFF -> 0x40 switches the clock from a crystal or resonator "
                             "(Ext. Crystal Osc. 8.0- MHz) to an external clock signal");
    assert_contains(err.msg, "leave the clock selection as it is");
    assert_int_equal(plan_clock(p, MEM_LFUSE, 0x5E, 0x40, false, false, warn, sizeof warn, &err),
                     ISPF_E_REFUSED);
    assert_int_equal(plan_clock(p, MEM_LFUSE, 0x52, 0x40, true, false, warn, sizeof warn, &err),
                     ISPF_E_REFUSED);
    assert_contains(err.msg, "from the internal oscillator (Int. RC Osc.)");
    assert_int_equal(plan_clock(p, MEM_LFUSE, 0x40, 0x60, false, false, warn, sizeof warn, &err),
                     ISPF_OK);
    /* from an external clock back to the crystal: a note only */
    assert_int_equal(plan_clock(p, MEM_LFUSE, 0x40, 0xFF, false, false, warn, sizeof warn, &err),
                     ISPF_OK);
    assert_contains(warn, "the board must provide that kind of source (crystal)");
}

/* The longest refusal each part can give (every guard at once): whole, and it ends with
 * the advice. */
static void test_guard_longest_refusal_keeps_advice(void **state)
{
    (void)state;
    size_t longest = 0;
    const char *longest_id = "";
    for (size_t pi = 0; pi < part_count(); pi++) {
        const struct part *p = part_at(pi);
        struct fuse_plan plan;
        memset(&plan, 0, sizeof plan);
        plan.part = p;
        plan.writes_flash = true;
        factory(p, plan.cur);
        memcpy(plan.next, plan.cur, sizeof plan.next);
        enum mem_id cm;
        const struct fuse_field *clk = fuse_clock_field(p, &cm);
        for (size_t vi = 0; vi < clk->n_values; vi++) {
            const char *cap = clk->values[vi].caption;
            int ci = fuse_index(cm);
            if (fuse_clock_classify(cap) == FUSE_CLOCK_INTERNAL)
                plan.cur[ci] = fuse_field_put(clk, plan.cur[ci], clk->values[vi].value);
            if (is_ext_clock(cap) || fuse_clock_classify(cap) == FUSE_CLOCK_EXTERNAL)
                plan.next[ci] = fuse_field_put(clk, plan.next[ci], clk->values[vi].value);
        }
        static const char *const flags[] = {"SPIEN", "RSTDISBL", "DWEN"};
        for (int k = 0; k < 3; k++) {
            enum mem_id m;
            const struct fuse_field *f = part_fuse_field(p, flags[k], &m);
            if (f)
                plan.next[fuse_index(m)] ^= f->mask;
        }
        plan.next[fuse_index(MEM_LOCK)] = 0x00;
        for (int i = 0; i < FUSE_NBYTES; i++)
            plan.write[i] = p->fuse[i].present;
        char warn[4096];
        struct ispf_error err;
        ispf_error_clear(&err);
        assert_int_equal(fuse_plan_check(&plan, false, warn, sizeof warn, &err), ISPF_E_REFUSED);
        assert_ends_with_advice(err.msg);
        assert_not_contains(err.msg, "[...]");
        assert_contains(err.msg, "(several reasons)");
        assert_contains(err.msg, "lock 0x00 together with a flash write");
        assert_contains(err.msg, "SPIEN");
        /* every reason is a whole sentence */
        const char *line = strchr(err.msg, '\n') + 1;
        while (line && strncmp(line, "Nothing was written", 19) != 0) {
            const char *end = strchr(line, '\n');
            assert_non_null(end);
            assert_true(end > line && end[-1] == '.');
            line = end + 1;
        }
        if (strlen(err.msg) > longest) {
            longest = strlen(err.msg);
            longest_id = p->id;
        }
    }
    print_message("longest fuse refusal: %zu characters (%s)\n", longest, longest_id);
    assert_true(longest > 1024); /* the old limit would have cut it */
    assert_true(longest < ISPF_ERRMSG_MAX - 1);
}

static void test_guard_lock_with_flash(void **state)
{
    (void)state;
    const struct part *p = must_find("m32u4");
    char warn[2048];
    struct ispf_error err;
    /* LB mode 3 (0x3C): unreadable. Refused with a flash write, fine alone. */
    assert_int_equal(plan_one(p, MEM_LOCK, 0xFF, 0x3C, true, false, warn, sizeof warn, &err),
                     ISPF_E_REFUSED);
    assert_contains(err.msg, "can no longer be read");
    assert_int_equal(plan_one(p, MEM_LOCK, 0xFF, 0x3C, false, false, warn, sizeof warn, &err),
                     ISPF_OK);
    /* BLB0 = SPM prohibited in the application section: the bootloader cannot update it */
    assert_int_equal(plan_one(p, MEM_LOCK, 0xFF, 0x3B, true, false, warn, sizeof warn, &err),
                     ISPF_E_REFUSED);
    assert_contains(err.msg, "cannot be updated over USB");
    /* Arduino's usual lock 0x2F (bootloader protected) is fine with a flash write */
    assert_int_equal(plan_one(p, MEM_LOCK, 0xFF, 0x2F, true, false, warn, sizeof warn, &err),
                     ISPF_OK);
    assert_int_equal(plan_one(p, MEM_LOCK, 0xFF, 0x3E, true, false, warn, sizeof warn, &err),
                     ISPF_OK); /* LB mode 2: still readable */
    char eff[600];
    fuse_lock_effects(p, 0xFF, eff, sizeof eff);
    assert_string_equal(eff, "no lock");
    fuse_lock_effects(p, 0x2F, eff, sizeof eff);
    assert_contains(eff, "bootloader is protected");
    /* ATtiny85: LB only */
    const struct part *t85 = must_find("t85");
    assert_int_equal(plan_one(t85, MEM_LOCK, 0xFF, 0xFC, true, false, warn, sizeof warn, &err),
                     ISPF_E_REFUSED);
}

static void test_guard_efuse_0xcb_silent(void **state)
{
    (void)state;
    const struct part *p = must_find("m32u4");
    char warn[2048];
    struct ispf_error err;
    assert_int_equal(plan_one(p, MEM_EFUSE, 0xFB, 0xCB, false, false, warn, sizeof warn, &err),
                     ISPF_OK);
    assert_string_equal(warn, "");
    assert_int_equal(plan_one(p, MEM_EFUSE, 0xF3, 0xCB, false, false, warn, sizeof warn, &err),
                     ISPF_OK);
    assert_string_equal(warn, "");
    /* the usual Caterina and DFU lines from a chip that already runs from a crystal */
    struct fuse_plan plan = {.part = p,
                             .cur = {0x5E, 0x99, 0xF3, 0xFF},
                             .write = {true, true, true, false},
                             .next = {0xFF, 0xD8, 0xCB, 0}};
    assert_int_equal(fuse_plan_check(&plan, false, warn, sizeof warn, &err), ISPF_OK);
    assert_string_equal(warn, "");
    uint8_t res[FUSE_NBYTES];
    fuse_plan_result(&plan, res);
    assert_int_equal(res[0], 0xFF);
    assert_int_equal(res[1], 0xD8);
    assert_int_equal(res[2], 0xFB); /* bits 7:4 do not exist */
    assert_int_equal(res[3], 0xFF);
}

static void test_write_order(void **state)
{
    (void)state;
    enum mem_id o[FUSE_NBYTES];
    bool all[FUSE_NBYTES] = {true, true, true, true};
    assert_int_equal(fuse_write_order(must_find("m32u4"), all, o), 4);
    assert_int_equal(o[0], MEM_HFUSE);
    assert_int_equal(o[1], MEM_EFUSE);
    assert_int_equal(o[2], MEM_LFUSE); /* the clock */
    assert_int_equal(o[3], MEM_LOCK);
    bool some[FUSE_NBYTES] = {true, false, true, false};
    assert_int_equal(fuse_write_order(must_find("m328p"), some, o), 2);
    assert_int_equal(o[0], MEM_EFUSE);
    assert_int_equal(o[1], MEM_LFUSE);
    /* every part: the byte holding the clock comes after the other fuses, lock last */
    for (size_t pi = 0; pi < part_count(); pi++) {
        const struct part *p = part_at(pi);
        enum mem_id cm;
        fuse_clock_field(p, &cm);
        size_t n = fuse_write_order(p, all, o);
        assert_int_equal(n, 4);
        assert_int_equal(o[3], MEM_LOCK);
        assert_int_equal(o[2], cm);
    }
}

/* ------------------------------------------------------ image <-> fuses -- */

static void load(struct image *img, const char *file)
{
    const char *dir = getenv("ISPF_TEST_DATA");
    if (!dir)
        fail_msg("ISPF_TEST_DATA is not set");
    char path[1024];
    snprintf(path, sizeof path, "%s/real/%s", dir, file);
    struct ispf_error err;
    image_init(img);
    if (image_load(img, path, IMAGE_FMT_IHEX, NULL, &err))
        fail_msg("%s: %s", path, err.msg);
}

static int check(const char *part, const char *file, uint8_t l, uint8_t h, uint8_t e, char *warn,
                 size_t wlen, struct ispf_error *err)
{
    const struct part *p = must_find(part);
    struct image img;
    load(&img, file);
    uint8_t v[FUSE_NBYTES] = {l, h, e, 0xFF};
    char notes[2048];
    ispf_error_clear(err);
    int rc = fuse_image_check(p, &img, file, v, warn, wlen, notes, sizeof notes, err);
    image_free(&img);
    return rc;
}

static void test_classify_real_images(void **state)
{
    (void)state;
    struct {
        const char *part, *file;
        enum fuse_image_kind kind;
        uint32_t boot_start;
    } cases[] = {
        {"m32u4", "qmk_bootloader_atmega32u4_1_0_0.hex", FUSE_IMAGE_BOOTLOADER, 0x7000},
        {"m16u4", "qmk_bootloader_atmega16u4_1_0_1.hex", FUSE_IMAGE_BOOTLOADER, 0x3000},
        {"usb1286", "qmk_bootloader_at90usb128x_1_0_1.hex", FUSE_IMAGE_BOOTLOADER, 0x1E000},
        {"usb646", "qmk_bootloader_at90usb64_1.0.0_db98381.hex", FUSE_IMAGE_BOOTLOADER, 0xF000},
        {"m32u4", "sparkfun_Caterina-promicro16.hex", FUSE_IMAGE_BOOTLOADER, 0x7000},
        {"m32u4", "arduino_Caterina-Leonardo.hex", FUSE_IMAGE_COMBINED, 0x7000},
        {"m32u4", "arduino_Caterina-Micro.hex", FUSE_IMAGE_COMBINED, 0x7000},
        {"m16u2", "arduino_Arduino-COMBINED-dfu-usbserial-atmega16u2-Uno-Rev3.hex",
         FUSE_IMAGE_COMBINED, 0x3000},
        {"m32u4", "qmkbuild_crkbd_rev1_default.hex", FUSE_IMAGE_APPLICATION, 0},
        {"m328p", "arduino_optiboot_atmega328.hex", FUSE_IMAGE_BOOTLOADER, 0x7E00},
        {"m328p", "nullbits_usbasploader_atmega328p_main.hex", FUSE_IMAGE_BOOTLOADER, 0x7000},
        {"m32a", "qmk_bootloader_ps2avrgb_bootloadhid_1.0.1.hex", FUSE_IMAGE_BOOTLOADER, 0x7000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct image img;
        load(&img, cases[i].file);
        struct fuse_image_info info;
        fuse_image_classify(must_find(cases[i].part), &img, 0, &info);
        if (info.kind != cases[i].kind || info.boot_start != cases[i].boot_start)
            fail_msg("%s: kind %d boot 0x%X, expected %d 0x%X", cases[i].file, info.kind,
                     (unsigned)info.boot_start, cases[i].kind, (unsigned)cases[i].boot_start);
        image_free(&img);
    }
}

static void test_image_check_bootloaders(void **state)
{
    (void)state;
    char w[2048];
    struct ispf_error err;
    /* the right fuses: no warning */
    assert_int_equal(
        check("m32u4", "sparkfun_Caterina-promicro16.hex", 0xFF, 0xD8, 0xCB, w, sizeof w, &err),
        ISPF_OK);
    assert_string_equal(w, "");
    assert_int_equal(
        check("m32u4", "arduino_Caterina-Leonardo.hex", 0xFF, 0xD8, 0xFB, w, sizeof w, &err),
        ISPF_OK);
    assert_string_equal(w, "");
    assert_int_equal(
        check("m32u4", "qmk_bootloader_atmega32u4_1_0_0.hex", 0x5E, 0x99, 0xF3, w, sizeof w, &err),
        ISPF_OK);
    assert_string_equal(w, ""); /* BOOTRST off, but HWBE reaches the DFU bootloader */
    /* the case: Caterina with fuses for a 1024-word boot section */
    assert_int_equal(
        check("m32u4", "sparkfun_Caterina-promicro16.hex", 0xFF, 0xDA, 0xCB, w, sizeof w, &err),
        ISPF_OK);
    assert_contains(w, "starts at 0x7000");
    assert_contains(w, "BOOTSZ=1024 words");
    assert_contains(w, "Would fit: hfuse 0xD8");
    /* same for the bootloader part of a combined image */
    assert_int_equal(
        check("m32u4", "arduino_Caterina-Micro.hex", 0xFF, 0xDA, 0xCB, w, sizeof w, &err), ISPF_OK);
    assert_contains(w, "combined image starts at 0x7000");
    assert_contains(w, "hfuse 0xD8");
    /* Caterina with BOOTRST off and no HWBE: reset never reaches it */
    assert_int_equal(
        check("m32u4", "sparkfun_Caterina-promicro8.hex", 0xFF, 0xD9, 0xFE, w, sizeof w, &err),
        ISPF_OK);
    assert_contains(w, "BOOTRST is not programmed");
    assert_contains(w, "hfuse 0xD8");
    /* optiboot (256 words at 0x7E00) with a 2048-word boot section */
    assert_int_equal(
        check("m328p", "arduino_optiboot_atmega328.hex", 0xFF, 0xD8, 0xFD, w, sizeof w, &err),
        ISPF_OK);
    assert_contains(w, "hfuse 0xDE");
    /* ATmega168: BOOTSZ/BOOTRST and so the fix are in the extended fuse */
    const struct part *m168 = must_find("m168");
    struct image img;
    image_init(&img);
    for (uint32_t a = 0x3800; a < 0x3900; a += 2) {
        assert_int_equal(image_set(&img, a, 0x55, &err), 0);
        assert_int_equal(image_set(&img, a + 1, 0xC0, &err), 0); /* rjmp */
    }
    uint8_t v[FUSE_NBYTES] = {0xFF, 0xDD, 0xFA, 0xFF};
    char notes[1024];
    assert_int_equal(
        fuse_image_check(m168, &img, "b.hex", v, w, sizeof w, notes, sizeof notes, &err), ISPF_OK);
    assert_contains(w, "efuse 0xFA selects BOOTSZ=512 words (boot section 0x3C00-0x3FFF)");
    assert_contains(w, "Would fit: efuse 0xF8");
    v[2] = 0xF8;
    assert_int_equal(
        fuse_image_check(m168, &img, "b.hex", v, w, sizeof w, notes, sizeof notes, &err), ISPF_OK);
    assert_string_equal(w, "");
    image_free(&img);
}

static void test_image_check_application(void **state)
{
    (void)state;
    const struct part *p = must_find("m32u4");
    char w[2048], notes[2048];
    struct ispf_error err;
    /* an application that fits below the boot section: fine, with a note */
    assert_int_equal(
        check("m32u4", "qmkbuild_crkbd_rev1_default.hex", 0xFF, 0xD8, 0xCB, w, sizeof w, &err),
        ISPF_OK);
    assert_string_equal(w, "");
    /* an application running into the boot section that BOOTRST jumps to: an error */
    struct image img;
    image_init(&img);
    for (uint32_t a = 0; a < 0x7100; a++)
        assert_int_equal(image_set(&img, a, (uint8_t)(a * 7), &err), 0);
    uint8_t v[FUSE_NBYTES] = {0xFF, 0xD8, 0xCB, 0xFF};
    assert_int_equal(
        fuse_image_check(p, &img, "big.hex", v, w, sizeof w, notes, sizeof notes, &err),
        ISPF_E_INPUT);
    assert_contains(err.msg, "big.hex");
    assert_contains(err.msg, "0x0000-0x70FF");
    assert_contains(err.msg, "0x7000-0x7FFF");
    assert_contains(err.msg, "hfuse 0xD9"); /* BOOTRST off */
    assert_contains(err.msg, "hfuse 0xDA"); /* 1024 words at 0x7800 */
    /* without BOOTRST it is only a note */
    v[1] = 0xD9;
    assert_int_equal(
        fuse_image_check(p, &img, "big.hex", v, w, sizeof w, notes, sizeof notes, &err), ISPF_OK);
    assert_string_equal(w, "");
    assert_contains(notes, "reaches into the boot section");
    image_free(&img);
}

/* -------------------------------------------------------------- presets -- */

/* Where each preset's bootloader lives (from the real HEX files and QMK's table). */
static uint32_t preset_boot_start(const char *name, const struct part *p)
{
    if (strcmp(name, "atmel-dfu") == 0)
        return p->flash_size - (p->flash_size > 65536 ? 8192 : 4096);
    return p->flash_size - 4096; /* Caterina, BootloadHID, USBaspLoader: 4 KiB at the top */
}

static void test_presets_decode_to_what_the_bootloader_needs(void **state)
{
    (void)state;
    size_t rows = 0;
    for (size_t i = 0; i < bootloader_count(); i++) {
        const struct bootloader_preset *b = bootloader_at(i);
        char parts[64];
        snprintf(parts, sizeof parts, "%s", b->parts);
        for (char *id = strtok(parts, " "); id; id = strtok(NULL, " ")) {
            const struct part *p = must_find(id);
            assert_ptr_equal(bootloader_find(b->name, p), b);
            bool w[FUSE_NBYTES];
            uint8_t v[FUSE_NBYTES];
            struct ispf_error err;
            assert_int_equal(bootloader_fuses(b, p, BOOTLOADER_JTAG_TABLE, w, v, &err), 0);
            assert_true(w[0] && w[1]);
            assert_false(w[3]);
            assert_int_equal(w[2], b->has_efuse);
            uint8_t full[FUSE_NBYTES];
            factory(p, full);
            for (int k = 0; k < FUSE_NBYTES; k++)
                if (w[k])
                    full[k] = v[k];
            struct fuse_boot cfg;
            fuse_boot_config(p, full, &cfg);
            assert_true(cfg.has_boot);
            if (cfg.start != preset_boot_start(b->name, p))
                fail_msg("%s on %s: boot section at 0x%X", b->name, id, (unsigned)cfg.start);
            /* reset (or HWB) reaches the bootloader */
            assert_true(cfg.bootrst || (cfg.has_hwbe && cfg.hwbe));
            /* ISP stays usable: none of the preset's values trips the non-clock guards */
            /* from a factory chip that already runs from the preset's clock */
            struct fuse_plan plan = {.part = p};
            enum mem_id cm;
            fuse_clock_field(p, &cm);
            factory(p, plan.cur);
            plan.cur[fuse_index(cm)] = v[fuse_index(cm)];
            memcpy(plan.write, w, sizeof plan.write);
            memcpy(plan.next, v, sizeof plan.next);
            plan.writes_flash = true;
            char warn[2048];
            if (fuse_plan_check(&plan, false, warn, sizeof warn, &err) != ISPF_OK)
                fail_msg("%s on %s refused: %s", b->name, id, err.msg);
            assert_string_equal(warn, "");
            char t[1500];
            fuse_decode(p, MEM_HFUSE, v[1], ", ", t, sizeof t);
            assert_contains(t, "SPIEN=on");
            /* QMK HID has the DFU rows' fuses (the same 4 KiB boot section). */
            if (strcmp(b->name, "atmel-dfu") == 0 || strcmp(b->name, "qmk-hid") == 0) {
                assert_contains(t, "BOOTRST=start application at 0x0000");
                fuse_decode(p, MEM_EFUSE, v[2], ", ", t, sizeof t);
                assert_contains(t, "HWBE=on");
                /* --jtag off gives the table's JTAG-disabled high fuse */
                assert_true(b->has_hfuse_nojtag);
                assert_int_equal(bootloader_fuses(b, p, BOOTLOADER_JTAG_OFF, w, v, &err), 0);
                assert_int_equal(v[1], b->hfuse_nojtag);
                assert_int_equal(bootloader_fuses(b, p, BOOTLOADER_JTAG_ON, w, v, &err), 0);
                assert_int_equal(v[1], b->hfuse);
            } else {
                char want[64];
                snprintf(want, sizeof want, "BOOTRST=jump to bootloader at 0x%04X",
                         (unsigned)cfg.start);
                assert_contains(t, want);
            }
            rows++;
        }
    }
    assert_true(rows >= 17);
}

static void test_presets_table_values(void **state)
{
    (void)state;
    /* spot checks against QMK's table (qmk-isp.md) */
    const struct bootloader_preset *b = bootloader_find("atmel-dfu", must_find("m32u4"));
    assert_non_null(b);
    assert_int_equal(b->lfuse, 0x5E);
    assert_int_equal(b->hfuse, 0x99);
    assert_int_equal(b->hfuse_nojtag, 0xD9);
    assert_int_equal(b->efuse, 0xF3);
    b = bootloader_find("atmel-dfu", must_find("usb646"));
    assert_int_equal(b->hfuse, 0x9B);
    assert_int_equal(b->hfuse_nojtag, 0xDB);
    b = bootloader_find("QMK-DFU", must_find("usb1287"));
    assert_non_null(b);
    assert_string_equal(b->usb_id, "03EB:2FFB");
    b = bootloader_find("caterina-promicro8", must_find("m32u4"));
    assert_int_equal(b->efuse, 0xFE);
    b = bootloader_find("caterina-astar", must_find("m32u4"));
    assert_int_equal(b->hfuse, 0xD0);
    assert_int_equal(b->efuse, 0xF8);
    b = bootloader_find("usbasploader", must_find("m328p"));
    assert_int_equal(b->lfuse, 0xD7);
    assert_int_equal(b->efuse, 0x04);
    b = bootloader_find("bootloadhid", must_find("m32a"));
    assert_int_equal(b->lfuse, 0x0F);
    assert_false(b->has_efuse);
    /* presets that do not exist for a part */
    assert_null(bootloader_find("caterina-promicro16", must_find("m328p")));
    assert_null(bootloader_find("no-such-loader", must_find("m32u4")));
    assert_true(bootloader_name_known("caterina-promicro16"));
    assert_false(bootloader_name_known("no-such-loader"));
    char names[512];
    bootloader_names_for_part(must_find("m328p"), names, sizeof names);
    assert_string_equal(names, "usbasploader (USBasp)");
    bootloader_names_for_part(must_find("m32u4"), names, sizeof names);
    assert_contains(names, "atmel-dfu (qmk-dfu lufa-dfu)");
    assert_contains(names, "caterina-leonardo");
    bootloader_names_for_part(must_find("t85"), names, sizeof names);
    assert_string_equal(names, "");
    /* --jtag on a part without JTAG */
    bool w[FUSE_NBYTES];
    uint8_t v[FUSE_NBYTES];
    struct ispf_error err;
    b = bootloader_find("usbasploader", must_find("m328p"));
    assert_int_equal(bootloader_fuses(b, must_find("m328p"), BOOTLOADER_JTAG_OFF, w, v, &err),
                     ISPF_E_USAGE);
    assert_contains(err.msg, "JTAG");
}

static void test_presets_with_real_images(void **state)
{
    (void)state;
    struct {
        const char *name, *part, *file;
    } cases[] = {
        {"atmel-dfu", "m32u4", "qmk_bootloader_atmega32u4_1_0_0.hex"},
        {"atmel-dfu", "m16u4", "qmk_bootloader_atmega16u4_1_0_1.hex"},
        {"atmel-dfu", "usb1286", "qmk_bootloader_at90usb128x_1_0_1.hex"},
        {"atmel-dfu", "usb646", "qmk_bootloader_at90usb64_1.0.0_2680132.hex"},
        {"caterina-promicro16", "m32u4", "sparkfun_Caterina-promicro16.hex"},
        {"caterina-promicro8", "m32u4", "sparkfun_Caterina-promicro8.hex"},
        {"caterina-lilypadusb", "m32u4", "sparkfun_Caterina-lilypadusb.hex"},
        {"caterina-leonardo", "m32u4", "arduino_Caterina-Leonardo.hex"},
        {"caterina-micro", "m32u4", "arduino_Caterina-Micro.hex"},
        {"bootloadhid", "m32a", "qmk_bootloader_ps2avrgb_bootloadhid_1.0.1.hex"},
        {"usbasploader", "m328p", "0xcb_usbasploader_atmega328p_main.hex"},
        {"usbasploader", "m328p", "nullbits_usbasploader_atmega328p_main.hex"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct part *p = must_find(cases[i].part);
        const struct bootloader_preset *b = bootloader_find(cases[i].name, p);
        assert_non_null(b);
        char w[2048];
        struct ispf_error err;
        assert_int_equal(check(cases[i].part, cases[i].file, b->lfuse, b->hfuse,
                               b->has_efuse ? b->efuse : 0xFF, w, sizeof w, &err),
                         ISPF_OK);
        if (w[0])
            fail_msg("%s + %s: %s", cases[i].name, cases[i].file, w);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_encode_decode_every_part),
        cmocka_unit_test(test_clock_every_part),
        cmocka_unit_test(test_boot_sections_every_part),
        cmocka_unit_test(test_decode_examples),
        cmocka_unit_test(test_diff_only_changed_fields),
        cmocka_unit_test(test_guard_spien_rstdisbl_dwen_every_part),
        cmocka_unit_test(test_guard_clock_every_part),
        cmocka_unit_test(test_guard_ext_clock_every_part),
        cmocka_unit_test(test_guard_longest_refusal_keeps_advice),
        cmocka_unit_test(test_guard_lock_with_flash),
        cmocka_unit_test(test_guard_efuse_0xcb_silent),
        cmocka_unit_test(test_write_order),
        cmocka_unit_test(test_classify_real_images),
        cmocka_unit_test(test_image_check_bootloaders),
        cmocka_unit_test(test_image_check_application),
        cmocka_unit_test(test_presets_decode_to_what_the_bootloader_needs),
        cmocka_unit_test(test_presets_table_values),
        cmocka_unit_test(test_presets_with_real_images),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
