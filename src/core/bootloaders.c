// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bootloader fuse presets (--bootloader NAME). The values are the table "Bootloaders
 * and the fuses each needs" of QMK's ISP flashing guide (restated in the project's
 * reference notes, qmk-isp.md); ATmega32 shares the ATmega32A rows (same die and
 * fuse layout), AT90USB647/1287 the rows of their 646/1286 twins.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ispflash/bootloaders.h"
#include "ispflash/fuse.h"

/* name, aliases, description, parts, L, H, E, has E, has H(JTAG off), H(JTAG off), USB id */
static const struct bootloader_preset bl_table[] = {
    {"atmel-dfu", "qmk-dfu", "Atmel/QMK DFU", "m16u4", 0x5E, 0x99, 0xF3, true, true, 0xD9,
     "03EB:2FF3"},
    {"atmel-dfu", "qmk-dfu", "Atmel/QMK DFU", "m32u4", 0x5E, 0x99, 0xF3, true, true, 0xD9,
     "03EB:2FF4"},
    {"atmel-dfu", "qmk-dfu", "Atmel/QMK DFU", "usb646 usb647", 0x5E, 0x9B, 0xF3, true, true, 0xDB,
     "03EB:2FF9"},
    {"atmel-dfu", "qmk-dfu", "Atmel/QMK DFU", "usb1286 usb1287", 0x5E, 0x99, 0xF3, true, true, 0xD9,
     "03EB:2FFB"},
    {"caterina-promicro8", "", "Caterina, SparkFun Pro Micro 3V3/8 MHz", "m32u4", 0xFF, 0xD8, 0xFE,
     true, false, 0, "1B4F:9203"},
    {"caterina-promicro16", "", "Caterina, SparkFun Pro Micro 5V/16 MHz", "m32u4", 0xFF, 0xD8, 0xFB,
     true, false, 0, "1B4F:9205"},
    {"caterina-lilypadusb", "", "Caterina, SparkFun LilyPadUSB (some Pro Micro clones)", "m32u4",
     0xFF, 0xD8, 0xFE, true, false, 0, "1B4F:9207"},
    {"caterina-astar", "", "Caterina, Pololu A-Star 32U4", "m32u4", 0xFF, 0xD0, 0xF8, true, false,
     0, "1FFB:0101"},
    {"caterina-feather", "", "Caterina, Adafruit Feather 32U4", "m32u4", 0xFF, 0xD8, 0xFB, true,
     false, 0, "239A:000C"},
    {"caterina-itsybitsy3v3", "", "Caterina, Adafruit ItsyBitsy 32U4 3V3", "m32u4", 0xFF, 0xD8,
     0xFB, true, false, 0, "239A:000D"},
    {"caterina-itsybitsy5v", "", "Caterina, Adafruit ItsyBitsy 32U4 5V", "m32u4", 0xFF, 0xD8, 0xFB,
     true, false, 0, "239A:000E"},
    {"caterina-leonardo", "", "Caterina, Arduino Leonardo", "m32u4", 0xFF, 0xD8, 0xFB, true, false,
     0, "2341:0036"},
    {"caterina-micro", "", "Caterina, Arduino Micro", "m32u4", 0xFF, 0xD8, 0xFB, true, false, 0,
     "2341:0037"},
    {"bootloadhid", "", "BootloadHID (PS2AVRGB boards)", "m32a m32", 0x0F, 0xD0, 0xFF, false, false,
     0, "16C0:05DF"},
    {"usbasploader", "", "USBaspLoader", "m32a m32", 0x1F, 0xC0, 0xFF, false, false, 0,
     "16C0:05DC"},
    {"usbasploader", "", "USBaspLoader", "m328p", 0xD7, 0xD0, 0x04, true, false, 0, "16C0:05DC"},
};

#define BL_COUNT (sizeof bl_table / sizeof bl_table[0])

size_t bootloader_count(void)
{
    return BL_COUNT;
}

const struct bootloader_preset *bootloader_at(size_t i)
{
    return i < BL_COUNT ? &bl_table[i] : NULL;
}

/* Is word (case-insensitive) one of the space-separated words of list? */
static bool bl_in_list(const char *list, const char *word)
{
    size_t wl = strlen(word);
    for (const char *s = list; *s;) {
        while (*s == ' ')
            s++;
        size_t l = strcspn(s, " ");
        if (l == wl && l && strncasecmp(s, word, l) == 0)
            return true;
        s += l;
    }
    return false;
}

bool bootloader_matches(const struct bootloader_preset *b, const char *name)
{
    return strcasecmp(b->name, name) == 0 || bl_in_list(b->aliases, name);
}

bool bootloader_for_part(const struct bootloader_preset *b, const struct part *p)
{
    return bl_in_list(b->parts, p->id);
}

const struct bootloader_preset *bootloader_find(const char *name, const struct part *p)
{
    for (size_t i = 0; i < BL_COUNT; i++)
        if (bootloader_matches(&bl_table[i], name) && bootloader_for_part(&bl_table[i], p))
            return &bl_table[i];
    return NULL;
}

bool bootloader_name_known(const char *name)
{
    for (size_t i = 0; i < BL_COUNT; i++)
        if (bootloader_matches(&bl_table[i], name))
            return true;
    return false;
}

int bootloader_fuses(const struct bootloader_preset *b, const struct part *p,
                     enum bootloader_jtag jtag, bool write[4], uint8_t val[4],
                     struct ispf_error *err)
{
    memset(write, 0, 4 * sizeof write[0]);
    memset(val, 0xFF, 4);
    write[0] = write[1] = true;
    val[0] = b->lfuse;
    val[1] = b->hfuse;
    if (b->has_efuse && p->fuse[2].present) {
        write[2] = true;
        val[2] = b->efuse;
    }
    if (jtag == BOOTLOADER_JTAG_TABLE)
        return ISPF_OK;
    enum mem_id mem;
    const struct fuse_field *f = part_fuse_field(p, "JTAGEN", &mem);
    if (!f)
        return ispf_fail(err, ISPF_E_USAGE, "--jtag: the %s has no JTAG interface (no JTAGEN fuse)",
                         p->name);
    int i = fuse_index(mem);
    if (!write[i]) {
        write[i] = true;
        val[i] = 0xFF;
    }
    /* JTAGEN is active-low: programmed (0) = JTAG on. */
    val[i] = jtag == BOOTLOADER_JTAG_ON ? (uint8_t)(val[i] & (uint8_t)~f->mask)
                                        : (uint8_t)(val[i] | f->mask);
    return ISPF_OK;
}

size_t bootloader_names_for_part(const struct part *p, char *buf, size_t len)
{
    size_t pos = 0;
    if (len)
        buf[0] = '\0';
    for (size_t i = 0; i < BL_COUNT && pos < len; i++) {
        const struct bootloader_preset *b = &bl_table[i];
        if (!bootloader_for_part(b, p))
            continue;
        int n = snprintf(buf + pos, len - pos, "%s%s%s%s%s", pos ? ", " : "", b->name,
                         b->aliases[0] ? " (" : "", b->aliases, b->aliases[0] ? ")" : "");
        if (n < 0)
            break;
        pos += (size_t)n < len - pos ? (size_t)n : len - pos - 1;
    }
    return pos;
}
