// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The brick guards (see include/ispflash/fuse.h): fuse_plan_check refuses a fuse write
 * that would lock ISP out or leave the chip without a running clock, explaining what it
 * would do and how to recover. Derived from the fuse field data of the part database.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

/* Reasons are collected as sentences, one per line, each one whole or not at all. */
struct fuse_reasons {
    struct fuse_buf b;
    int n;
};

static void fuse_reason(struct fuse_reasons *r, const char *fmt, ...) ISPF_PRINTF(2, 3);

static void fuse_reason(struct fuse_reasons *r, const char *fmt, ...)
{
    char tmp[ISPF_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    fuse_buf_add(&r->b, "%s%s", r->n ? "\n" : "", tmp);
    r->n++;
}

/* One check of a plan: what it refuses and what it only notes. */
struct fuse_guard {
    const struct fuse_plan *plan;
    const struct part *p;
    struct fuse_reasons refuse, notes;
    char refused_text[ISPF_ERRMSG_MAX];
    char notes_text[ISPF_ERRMSG_MAX];
};

/* SPIEN, RSTDISBL and DWEN: each takes ISP away. */
static void fuse_guard_flags(struct fuse_guard *g, int i, uint8_t old, uint8_t nv)
{
    const struct fuse_plan *plan = g->plan;
    const char *mn = mem_name(fuse_mem(i));
    if (fuse_flag_turns(g->p, i, "SPIEN", old, nv, false))
        fuse_reason(&g->refuse,
                    "%s 0x%02X -> 0x%02X unprograms SPIEN (serial programming enable): "
                    "after the next reset the %s no longer answers ISP, so no ISP "
                    "programmer (ispflash, avrdude) can reach it again; only a "
                    "high-voltage programmer can undo this.",
                    mn, plan->cur[i], plan->next[i], g->p->name);
    if (fuse_flag_turns(g->p, i, "RSTDISBL", old, nv, true))
        fuse_reason(&g->refuse,
                    "%s 0x%02X -> 0x%02X programs RSTDISBL: the RESET pin becomes an I/O "
                    "pin, and ISP needs RESET, so after the next reset no ISP programmer "
                    "can reach the %s; only a high-voltage programmer can undo this.",
                    mn, plan->cur[i], plan->next[i], g->p->name);
    if (fuse_flag_turns(g->p, i, "DWEN", old, nv, true))
        fuse_reason(&g->refuse,
                    "%s 0x%02X -> 0x%02X programs DWEN: debugWIRE takes over the RESET "
                    "pin, and ISP stops working after the next power cycle until a "
                    "debugWIRE debugger (e.g. Atmel-ICE) turns it off again.",
                    mn, plan->cur[i], plan->next[i]);
}

/* The caption is an external clock signal on XTAL1 (CKSEL "Ext. Clock"). */
static bool fuse_is_ext_clock(const char *cap)
{
    const char *kind = fuse_clock_kind(cap);
    return kind && strcmp(kind, "clock") == 0;
}

/* "the internal oscillator (Int. RC Osc.)", "a crystal or resonator (...)"... */
static void fuse_source_words(const char *cap, const char *clean, char *out, size_t len)
{
    const char *kind = fuse_clock_kind(cap);
    if (!cap)
        snprintf(out, len, "a reserved clock setting");
    else if (!kind)
        snprintf(out, len, "the internal oscillator (%s)", clean);
    else if (strcmp(kind, "crystal") == 0)
        snprintf(out, len, "a crystal or resonator (%s)", clean);
    else if (strcmp(kind, "rc") == 0)
        snprintf(out, len, "an external RC oscillator (%s)", clean);
    else
        snprintf(out, len, "an external clock signal (%s)", clean);
}

/* Any source -> an external clock signal: a board with only a crystal stops. */
static void fuse_guard_ext_clock(struct fuse_guard *g, int i, const char *ocap, const char *oc,
                                 const char *nc)
{
    const struct fuse_plan *plan = g->plan;
    char from[200];
    fuse_source_words(ocap, oc, from, sizeof from);
    fuse_reason(&g->refuse,
                "%s 0x%02X -> 0x%02X switches the clock from %s to an external clock signal "
                "(%s): the chip then runs only from a clock that an oscillator or a clock "
                "generator drives into XTAL1, and a crystal alone does not (Pro Micro, "
                "Elite-C and most keyboard controllers have only a crystal). Without one, "
                "the chip stops after the next reset and ISP cannot reach it until a clock "
                "generator is wired to XTAL1; this is the commonest way to brick an AVR "
                "with fuses.%s",
                mem_name(fuse_mem(i)), plan->cur[i], plan->next[i], from, nc,
                fuse_clock_kind(ocap) && strcmp(fuse_clock_kind(ocap), "crystal") == 0
                    ? " To keep running from the crystal, leave the clock selection as it is."
                    : "");
}

/* The clock selection: reserved values, an external clock signal, internal -> external,
 * one kind of external source to another. */
static void fuse_guard_clock(struct fuse_guard *g, int i, const struct fuse_field *clk, uint8_t old,
                             uint8_t nv)
{
    const struct fuse_plan *plan = g->plan;
    const struct part *p = g->p;
    const char *mn = mem_name(fuse_mem(i));
    if (fuse_field_get(clk, old) == fuse_field_get(clk, nv))
        return;
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
    if (!ncap)
        fuse_reason(&g->refuse,
                    "%s 0x%02X -> 0x%02X sets %s=0x%02X, a value the %s datasheet "
                    "marks reserved: what the clock does then is undefined, and if "
                    "it does not start, ISP cannot reach the chip.",
                    mn, plan->cur[i], plan->next[i], clk->name, fuse_field_get(clk, nv), p->name);
    else if (fuse_is_ext_clock(ncap) && !fuse_is_ext_clock(ocap))
        fuse_guard_ext_clock(g, i, ocap, oc, nc);
    else if (os == FUSE_CLOCK_INTERNAL && ns == FUSE_CLOCK_EXTERNAL)
        fuse_reason(plan->crystal_confirmed ? &g->notes : &g->refuse,
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
        fuse_reason(&g->notes,
                    "%s 0x%02X -> 0x%02X changes the clock source from %s to %s: "
                    "the board must provide that kind of source (%s), or the chip "
                    "will not run and ISP will not answer.",
                    mn, plan->cur[i], plan->next[i], oc, nc, fuse_clock_kind(ncap));
}

/* Reserved values of the other multi-bit fields: a note. */
static void fuse_guard_reserved(struct fuse_guard *g, int i, const struct fuse_field *clk,
                                uint8_t old, uint8_t nv)
{
    const struct fuse_byte *fb = &g->p->fuse[i];
    for (size_t k = 0; k < fb->n_fields; k++) {
        const struct fuse_field *f = &fb->fields[k];
        if (f == clk || !f->n_values)
            continue;
        uint8_t v = fuse_field_get(f, nv);
        if (v != fuse_field_get(f, old) && !fuse_field_lookup(f, v))
            fuse_reason(&g->notes, "%s 0x%02X sets %s=0x%X, which the %s datasheet marks reserved.",
                        mem_name(fuse_mem(i)), g->plan->next[i], f->name, v, g->p->name);
    }
}

/* Lock bits that would stop the flash written in the same run from being checked or
 * updated. */
static void fuse_guard_lock(struct fuse_guard *g, int i, uint8_t nv)
{
    if (fuse_mem(i) != MEM_LOCK || !g->plan->writes_flash)
        return;
    const struct fuse_field *lb = fuse_field_in(g->p, "LB", MEM_LOCK);
    const struct fuse_field *blb0 = fuse_field_in(g->p, "BLB0", MEM_LOCK);
    bool unreadable = lb && fuse_field_get(lb, nv) < 2;
    bool blocks_boot = blb0 && fuse_field_get(blb0, nv) != 3;
    if (!unreadable && !blocks_boot)
        return;
    char eff[1024];
    fuse_lock_effects(g->p, nv, eff, sizeof eff);
    fuse_reason(&g->refuse,
                "lock 0x%02X together with a flash write: %s. Program and test "
                "the flash first, then set the lock bits in a separate run.",
                g->plan->next[i], eff);
}

static const char fuse_refusal_advice[] =
    "\nNothing was written. If this is really what you want, add --unsafe-fuses.";

/* The warnings, and the refusal: its advice always ends the message, however long the
 * reasons are (they are cut instead). */
static int fuse_guard_finish(struct fuse_guard *g, bool unsafe, char *warn, size_t wlen,
                             struct ispf_error *err)
{
    struct fuse_buf w;
    fuse_buf_init(&w, warn, wlen);
    if (g->refuse.n && unsafe)
        fuse_buf_add(&w, "--unsafe-fuses: writing anyway what would otherwise be refused:\n%s",
                     g->refused_text);
    if (g->notes.n)
        fuse_buf_add(&w, "%s%s", w.pos ? "\n" : "", g->notes_text);
    if (!g->refuse.n || unsafe)
        return ISPF_OK;
    char head[80];
    snprintf(head, sizeof head, "refused by the fuse safety checks%s:\n",
             g->refuse.n > 1 ? " (several reasons)" : "");
    size_t room = ISPF_ERRMSG_MAX - 1 - strlen(head) - strlen(fuse_refusal_advice);
    size_t n = strlen(g->refused_text);
    const char *cut = "";
    if (n > room) {
        cut = " [...]";
        n = room - strlen(cut);
    }
    return ispf_fail(err, ISPF_E_REFUSED, "%s%.*s%s%s", head, (int)n, g->refused_text, cut,
                     fuse_refusal_advice);
}

int fuse_plan_check(const struct fuse_plan *plan, bool unsafe, char *warn, size_t wlen,
                    struct ispf_error *err)
{
    struct fuse_guard g;
    memset(&g, 0, sizeof g);
    g.plan = plan;
    g.p = plan->part;
    fuse_buf_init(&g.refuse.b, g.refused_text, sizeof g.refused_text);
    fuse_buf_init(&g.notes.b, g.notes_text, sizeof g.notes_text);
    enum mem_id clk_mem = MEM_LFUSE;
    const struct fuse_field *clk = fuse_clock_field(g.p, &clk_mem);

    for (int i = 0; i < FUSE_NBYTES; i++) {
        const struct fuse_byte *fb = &g.p->fuse[i];
        if (!plan->write[i] || !fb->present)
            continue;
        uint8_t old = (uint8_t)(plan->cur[i] | (uint8_t)~fb->used);
        uint8_t nv = (uint8_t)(plan->next[i] | (uint8_t)~fb->used);
        if (old == nv)
            continue;
        fuse_guard_flags(&g, i, old, nv);
        if (clk && fuse_mem(i) == clk_mem)
            fuse_guard_clock(&g, i, clk, old, nv);
        fuse_guard_reserved(&g, i, clk, old, nv);
        fuse_guard_lock(&g, i, nv);
    }
    return fuse_guard_finish(&g, unsafe, warn, wlen, err);
}
