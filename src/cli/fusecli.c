// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Printing for fuses: --fuses, --bootloader ?.
 */
#include <stdio.h>
#include <string.h>

#include "fusecli.h"
#include "ispflash/bootloaders.h"
#include "ispflash/fusefield.h"

/* "bits 7:4 do not exist" style remark for a byte with missing bits. */
static void fusecli_unused(const struct fuse_byte *fb, char *buf, size_t len)
{
    buf[0] = '\0';
    uint8_t missing = (uint8_t)~fb->used;
    if (!missing)
        return;
    snprintf(buf, len, " (bits 0x%02X do not exist and read as 1)", missing);
}

static void fusecli_preset_line(const struct bootloader_preset *b)
{
    char h[32], e[16], name[80];
    if (b->has_hfuse_nojtag)
        snprintf(h, sizeof h, "0x%02X/0x%02X", b->hfuse, b->hfuse_nojtag);
    else
        snprintf(h, sizeof h, "0x%02X", b->hfuse);
    if (b->has_efuse)
        snprintf(e, sizeof e, "0x%02X", b->efuse);
    else
        snprintf(e, sizeof e, "-");
    snprintf(name, sizeof name, "%s%s%s%s", b->name, b->aliases[0] ? " (" : "", b->aliases,
             b->aliases[0] ? ")" : "");
    printf("    %-29s L 0x%02X  H %-9s  E %-4s  %s, USB %s\n", name, b->lfuse, h, e, b->desc,
           b->usb_id);
}

void fusecli_list_bootloaders(const struct part *p)
{
    printf("Bootloader presets (--bootloader NAME with -p; --jtag off picks the "
           "JTAG-disabled high fuse):\n");
    bool any = false;
    for (size_t g = 0; g < bootloader_count(); g++) {
        /* one group per MCU list, in the order the table first names it */
        const char *parts = bootloader_at(g)->parts;
        bool first = true;
        for (size_t k = 0; k < g && first; k++)
            first = strcmp(bootloader_at(k)->parts, parts) != 0;
        if (!first || (p && !bootloader_for_part(bootloader_at(g), p)))
            continue;
        printf("  -p %s\n", parts);
        any = true;
        for (size_t i = g; i < bootloader_count(); i++)
            if (strcmp(bootloader_at(i)->parts, parts) == 0)
                fusecli_preset_line(bootloader_at(i));
    }
    if (p && !any)
        printf("  (none for the %s)\n", p->name);
    printf("QMK's other AVR BOOTLOADER values (halfkay, lufa-ms, custom) have no preset: "
           "--bootloader NAME -p PART says why (docs/qmk.md).\n");
}

void fusecli_list_fields(const struct part *p, const uint8_t *cur)
{
    printf("Fuse fields of the %s (--fuse FIELD=VALUE; one-bit fields take on or off, BOOTSZ "
           "a size in words (2048 or 2048W) or bytes (4096B), other fields a value number or "
           "a piece of its description):\n",
           p->name);
    for (int i = 0; i < FUSE_NBYTES; i++) {
        const struct fuse_byte *fb = &p->fuse[i];
        if (!fb->present || !fb->n_fields)
            continue;
        if (cur)
            printf("  %s (0x%02X)\n", mem_name(fuse_mem(i)), cur[i]);
        else
            printf("  %s\n", mem_name(fuse_mem(i)));
        for (size_t k = 0; k < fb->n_fields; k++) {
            const struct fuse_field *f = &fb->fields[k];
            char vals[4000], now[200];
            /* one line for on/off and BOOTSZ, one line per value for a table */
            bool table = !fuse_field_is_flag(f) && strcmp(f->name, "BOOTSZ") != 0;
            fusefield_values(p, fuse_mem(i), f, "\n          ", vals, sizeof vals);
            printf("    %-10s %s:%s%s\n", f->name, f->caption, table ? "\n          " : " ", vals);
            if (cur) {
                fuse_field_text(p, fuse_mem(i), f, cur[i], now, sizeof now);
                printf("          now: %s\n", now);
            }
        }
    }
    fflush(stdout);
}

void fusecli_print_fuses(const struct part *p, const uint8_t cur[FUSE_NBYTES])
{
    printf("Fuses of the %s:\n", p->name);
    for (int i = 0; i < FUSE_NBYTES; i++) {
        const struct fuse_byte *fb = &p->fuse[i];
        if (!fb->present)
            continue;
        char text[1200], unused[80];
        fuse_decode(p, fuse_mem(i), cur[i], ", ", text, sizeof text);
        fusecli_unused(fb, unused, sizeof unused);
        printf("  %-5s 0x%02X%s\n", mem_name(fuse_mem(i)), cur[i], unused);
        if (text[0])
            printf("        %s\n", text);
        if (fuse_mem(i) == MEM_LOCK && (cur[i] & fb->used) != fb->used) {
            fuse_lock_effects(p, cur[i], text, sizeof text);
            printf("        (%s)\n", text);
        }
    }
    struct fuse_boot cfg;
    fuse_boot_config(p, cur, &cfg);
    if (cfg.has_boot) {
        if (cfg.bootrst)
            printf("  Reset jumps to the bootloader at 0x%04X.\n", (unsigned)cfg.start);
        else if (cfg.has_hwbe && cfg.hwbe)
            printf("  Reset starts the application at 0x0000; the bootloader at 0x%04X runs when "
                   "HWB is held low during reset.\n",
                   (unsigned)cfg.start);
        else
            printf("  Reset starts the application at 0x0000.\n");
    }
    fflush(stdout);
}
