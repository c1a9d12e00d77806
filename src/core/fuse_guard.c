// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The brick guards (see include/ispflash/fuse.h): fuse_plan_check refuses a fuse write
 * that would lock ISP out or leave the chip without a running clock, explaining what it
 * would do and how to recover. Derived from the fuse field data of the part database.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/fuse_internal.h"

/* A one-bit flag that goes from unprogrammed to programmed (to_programmed) or back. */
static bool fuse_flag_turns(const struct part *p, int i, const char *name, uint8_t old,
                            uint8_t new_val, bool to_programmed)
{
    const struct fuse_field *f = fuse_field_in(p, name, fuse_mem(i));
    if (!f || !fuse_field_is_flag(f))
        return false;
    bool was = fuse_flag_programmed(f, old), will = fuse_flag_programmed(f, new_val);
    return to_programmed ? (!was && will) : (was && !will);
}

/* Reasons are collected as numbered sentences. */
struct fuse_reasons {
    struct fuse_buf b;
    int n;
};

static void fuse_reason(struct fuse_reasons *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fuse_reason(struct fuse_reasons *r, const char *fmt, ...)
{
    char tmp[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    fuse_buf_add(&r->b, "%s%s", r->n ? "\n" : "", tmp);
    r->n++;
}

int fuse_plan_check(const struct fuse_plan *plan, bool unsafe, char *warn, size_t wlen,
                    struct ispf_error *err)
{
    const struct part *p = plan->part;
    char refused_text[ISPF_ERRMSG_MAX];
    struct fuse_reasons refuse, notes;
    fuse_buf_init(&refuse.b, refused_text, sizeof refused_text);
    refuse.n = 0;
    char notes_text[ISPF_ERRMSG_MAX];
    fuse_buf_init(&notes.b, notes_text, sizeof notes_text);
    notes.n = 0;
    enum mem_id clk_mem = MEM_LFUSE;
    const struct fuse_field *clk = fuse_clock_field(p, &clk_mem);

    for (int i = 0; i < FUSE_NBYTES; i++) {
        const struct fuse_byte *fb = &p->fuse[i];
        if (!plan->write[i] || !fb->present)
            continue;
        const char *mn = mem_name(fuse_mem(i));
        uint8_t used = fb->used;
        uint8_t old = (uint8_t)(plan->cur[i] | (uint8_t)~used);
        uint8_t nv = (uint8_t)(plan->next[i] | (uint8_t)~used);
        if (old == nv)
            continue;
        if (fuse_flag_turns(p, i, "SPIEN", old, nv, false))
            fuse_reason(&refuse,
                        "%s 0x%02X -> 0x%02X unprograms SPIEN (serial programming enable): "
                        "after the next reset the %s no longer answers ISP, so no ISP "
                        "programmer (ispflash, avrdude) can reach it again; only a "
                        "high-voltage programmer can undo this.",
                        mn, plan->cur[i], plan->next[i], p->name);
        if (fuse_flag_turns(p, i, "RSTDISBL", old, nv, true))
            fuse_reason(&refuse,
                        "%s 0x%02X -> 0x%02X programs RSTDISBL: the RESET pin becomes an I/O "
                        "pin, and ISP needs RESET, so after the next reset no ISP programmer "
                        "can reach the %s; only a high-voltage programmer can undo this.",
                        mn, plan->cur[i], plan->next[i], p->name);
        if (fuse_flag_turns(p, i, "DWEN", old, nv, true))
            fuse_reason(&refuse,
                        "%s 0x%02X -> 0x%02X programs DWEN: debugWIRE takes over the RESET "
                        "pin, and ISP stops working after the next power cycle until a "
                        "debugWIRE debugger (e.g. Atmel-ICE) turns it off again.",
                        mn, plan->cur[i], plan->next[i]);
        if (clk && fuse_mem(i) == clk_mem) {
            const char *ocap, *ncap;
            enum fuse_clock os = fuse_clock_source(p, old, &ocap);
            enum fuse_clock ns = fuse_clock_source(p, nv, &ncap);
            char oc[160] = "?", nc[160] = "?";
            if (ocap)
                fuse_clean_caption(ocap, oc, sizeof oc);
            if (ncap)
                fuse_clean_caption(ncap, nc, sizeof nc);
            oc[strcspn(oc, ";")] = '\0'; /* the source, without the start-up time */
            nc[strcspn(nc, ";")] = '\0';
            if (fuse_field_get(clk, old) != fuse_field_get(clk, nv)) {
                if (!ncap)
                    fuse_reason(&refuse,
                                "%s 0x%02X -> 0x%02X sets %s=0x%02X, a value the %s datasheet "
                                "marks reserved: what the clock does then is undefined, and if "
                                "it does not start, ISP cannot reach the chip.",
                                mn, plan->cur[i], plan->next[i], clk->name, fuse_field_get(clk, nv),
                                p->name);
                else if (os == FUSE_CLOCK_INTERNAL && ns == FUSE_CLOCK_EXTERNAL)
                    fuse_reason(plan->crystal_confirmed ? &notes : &refuse,
                                "%s 0x%02X -> 0x%02X switches the clock from the internal "
                                "oscillator (%s) to an external source (%s): unless that "
                                "crystal or clock is fitted and working, the chip stops after "
                                "the next reset and ISP cannot reach it (recovery needs a clock "
                                "fed into XTAL1). If the board has it (Pro Micro, Elite-C and "
                                "most keyboard controllers have a crystal), this is what you "
                                "want.",
                                mn, plan->cur[i], plan->next[i], oc, nc);
                else if (os == FUSE_CLOCK_EXTERNAL && ns == FUSE_CLOCK_EXTERNAL &&
                         strcmp(fuse_clock_kind(ocap), fuse_clock_kind(ncap)) != 0)
                    fuse_reason(&notes,
                                "%s 0x%02X -> 0x%02X changes the clock source from %s to %s: "
                                "the board must provide that kind of source (%s), or the chip "
                                "will not run and ISP will not answer.",
                                mn, plan->cur[i], plan->next[i], oc, nc,
                                strcmp(fuse_clock_kind(ncap), "clock") == 0
                                    ? "a clock signal on XTAL1; a crystal alone does not "
                                      "drive it"
                                    : fuse_clock_kind(ncap));
            }
        }
        for (size_t k = 0; k < fb->n_fields; k++) {
            const struct fuse_field *f = &fb->fields[k];
            if (f == clk || !f->n_values)
                continue;
            uint8_t v = fuse_field_get(f, nv);
            if (v != fuse_field_get(f, old) && !fuse_field_lookup(f, v))
                fuse_reason(&notes,
                            "%s 0x%02X sets %s=0x%X, which the %s datasheet marks "
                            "reserved.",
                            mn, plan->next[i], f->name, v, p->name);
        }
        if (fuse_mem(i) == MEM_LOCK && plan->writes_flash) {
            const struct fuse_field *lb = fuse_field_in(p, "LB", MEM_LOCK);
            const struct fuse_field *blb0 = fuse_field_in(p, "BLB0", MEM_LOCK);
            bool unreadable = lb && fuse_field_get(lb, nv) < 2;
            bool blocks_boot = blb0 && fuse_field_get(blb0, nv) != 3;
            if (unreadable || blocks_boot) {
                char eff[600];
                fuse_lock_effects(p, nv, eff, sizeof eff);
                fuse_reason(&refuse,
                            "lock 0x%02X together with a flash write: %s. Program and test "
                            "the flash first, then set the lock bits in a separate run.",
                            plan->next[i], eff);
            }
        }
    }
    struct fuse_buf w;
    fuse_buf_init(&w, warn, wlen);
    if (refuse.n && unsafe)
        fuse_buf_add(&w, "--unsafe-fuses: writing anyway what would otherwise be refused:\n%s",
                     refused_text);
    if (notes.n)
        fuse_buf_add(&w, "%s%s", w.pos ? "\n" : "", notes_text);
    if (refuse.n && !unsafe)
        return ispf_fail(err, ISPF_E_REFUSED,
                         "refused by the fuse safety checks%s:\n%s\n"
                         "Nothing was written. If this is really what you want, add "
                         "--unsafe-fuses.",
                         refuse.n > 1 ? " (several reasons)" : "", refused_text);
    return ISPF_OK;
}
