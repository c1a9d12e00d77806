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
    {"atmel-dfu", "qmk-dfu lufa-dfu", "Atmel/QMK/LUFA DFU", "m16u4", 0x5E, 0x99, 0xF3, true, true,
     0xD9, "03EB:2FF3"},
    {"atmel-dfu", "qmk-dfu lufa-dfu", "Atmel/QMK/LUFA DFU", "m32u4", 0x5E, 0x99, 0xF3, true, true,
     0xD9, "03EB:2FF4"},
    {"atmel-dfu", "qmk-dfu lufa-dfu", "Atmel/QMK/LUFA DFU", "usb646 usb647", 0x5E, 0x9B, 0xF3, true,
     true, 0xDB, "03EB:2FF9"},
    {"atmel-dfu", "qmk-dfu lufa-dfu", "Atmel/QMK/LUFA DFU", "usb1286 usb1287", 0x5E, 0x99, 0xF3,
     true, true, 0xD9, "03EB:2FFB"},
    {"caterina-promicro8", "", "Caterina, SparkFun Pro Micro 3V3/8 MHz", "m32u4", 0xFF, 0xD8, 0xFE,
     true, false, 0, "1B4F:9203"},
    {"caterina-promicro16", "caterina", "Caterina, SparkFun Pro Micro 5V/16 MHz", "m32u4", 0xFF,
     0xD8, 0xFB, true, false, 0, "1B4F:9205"},
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
    {"usbasploader", "USBasp", "USBaspLoader", "m32a m32", 0x1F, 0xC0, 0xFF, false, false, 0,
     "16C0:05DC"},
    {"usbasploader", "USBasp", "USBaspLoader", "m328p", 0xD7, 0xD0, 0x04, true, false, 0,
     "16C0:05DC"},
    /* QMK HID (QMK's fork of LUFA's HID bootloader): QMK builds the file itself
     * (make KB:KM:bootloader); builddefs/bootloader.mk gives it a 4 KiB boot section,
     * the DFU rows' size on these MCUs, so the DFU rows' fuses; USB id from QMK's
     * lib/python/qmk/constants.py. */
    {"qmk-hid", "", "QMK HID (built by QMK: make KB:KM:bootloader)", "m16u4", 0x5E, 0x99, 0xF3,
     true, true, 0xD9, "03EB:2067"},
    {"qmk-hid", "", "QMK HID (built by QMK: make KB:KM:bootloader)", "m32u4", 0x5E, 0x99, 0xF3,
     true, true, 0xD9, "03EB:2067"},
    {"qmk-hid", "", "QMK HID (built by QMK: make KB:KM:bootloader)", "usb646 usb647", 0x5E, 0x9B,
     0xF3, true, true, 0xDB, "03EB:2067"},
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

/* QMK's BOOTLOADER values (builddefs/bootloader.mk, docs/flashing.md) that no preset
 * installs, and why. part: the part ids the reason is for ("" = any part). */
struct bl_refusal {
    const char *names; /* space-separated, case-insensitive */
    const char *parts;
    const char *why;
};

static const struct bl_refusal bl_refusals[] = {
    {"halfkay", "",
     "HalfKay is PJRC's closed-source Teensy bootloader: it is not available as a file, so it "
     "cannot be written over ISP, and once overwritten it cannot be restored (QMK's "
     "docs/flashing.md). A Teensy 2.0 (atmega32u4) or Teensy++ 2.0 (at90usb1286) reflashed over "
     "ISP can take --bootloader atmel-dfu (or qmk-dfu) instead"},
    {"lufa-ms", "",
     "lufa-ms (LUFA Mass Storage, on some KBDfans boards) has no documented fuse values and its "
     "image is not distributed; QMK keeps it only for existing boards and warns it is extremely "
     "prone to bricking. Over ISP, users replace it with Atmel DFU: --bootloader atmel-dfu -U "
     "bootloader_atmega32u4_1.0.0.hex (then BOOTLOADER = atmel-dfu in rules.mk)"},
    {"qmk-hid", "usb1286 usb1287",
     "QMK gives qmk-hid a 4 KiB boot section (BOOTLOADER_SIZE 4096) while the DFU preset of the "
     "AT90USB128x uses 8 KiB, so there is no preset: use --bootloader atmel-dfu --fuse "
     "BOOTSZ=2048W with the bootloader QMK built (make KB:KM:bootloader)"},
    {"custom", "",
     "BOOTLOADER = custom means the keyboard brings its own bootloader: give its fuses with "
     "-U lfuse:w:... or --fuse FIELD=VALUE"},
    {"stm32-dfu apm32-dfu gd32v-dfu kiibohd stm32duino tinyuf2 md-boot rp2040 wb32-dfu", "",
     "that is a bootloader of an ARM/RISC-V keyboard; ISP programming is for AVR chips only"},
};

const char *bootloader_refusal(const char *name, const struct part *p)
{
    for (size_t i = 0; i < sizeof bl_refusals / sizeof bl_refusals[0]; i++) {
        const struct bl_refusal *r = &bl_refusals[i];
        if (bl_in_list(r->names, name) && (!r->parts[0] || (p && bl_in_list(r->parts, p->id))))
            return r->why;
    }
    return NULL;
}
