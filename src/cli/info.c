// SPDX-License-Identifier: GPL-2.0-or-later
/* ispflash info (info.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fusecli.h"
#include "help.h"
#include "info.h"
#include "ispflash/bootloaders.h"
#include "ispflash/error.h"
#include "ispflash/fingerprint.h"
#include "ispflash/fuse.h"
#include "ispflash/image.h"
#include "ispflash/memmap.h"
#include "ispflash/part.h"
#include "ispflash/session.h"
#include "output.h"

const char cli_info_help[] =
    "Usage: ispflash info FILE... [-p PART] [--bootloader NAME]\n"
    "Say what image files hold, without a programmer: the segments, the bootloader\n"
    "(recognised by its fingerprint), whether there is an application, and a map of\n"
    "the flash.\n"
    "\n"
    "  -p PART      does each file fit, and where are the part's boot sections\n"
    "  --bootloader NAME\n"
    "               the preset's fuses (needs -p; --bootloader ? lists them): does the\n"
    "               file agree with the boot section and reset vector they select\n"
    "  --help\n"
    "\n"
    "Exit codes: 0 success, 2 usage error, 3 a file cannot be read, does not fit the\n"
    "part, or disagrees with the --bootloader preset.\n";

enum { INFO_OPT_BOOTLOADER = 1000 };

struct info_ctx {
    const struct part *part;                /* -p, or NULL */
    const struct bootloader_preset *preset; /* --bootloader, or NULL */
    uint8_t fuses[FUSE_NBYTES];             /* the preset's fuses (factory values elsewhere) */
};

static int info_usage(const char *fmt, const char *a)
{
    fprintf(stderr, "ispflash info: usage error: ");
    fprintf(stderr, fmt, a);
    fprintf(stderr, "\nRun 'ispflash info --help' for the options.\n");
    return EXIT_USAGE;
}

/* The first part the fingerprint is for. */
static const struct part *info_fp_part(const struct fp_entry *f)
{
    char id[32];
    size_t l = strcspn(f->parts, " ");
    snprintf(id, sizeof id, "%.*s", (int)l, f->parts);
    return part_find(id);
}

static void info_fuses_factory(const struct part *p, uint8_t v[FUSE_NBYTES])
{
    for (int i = 0; i < FUSE_NBYTES; i++)
        v[i] = p->fuse[i].present ? p->fuse[i].initval : 0xFF;
}

/* Non-0xFF bytes below limit: the application. */
static bool info_app_range(const struct image *img, uint32_t limit, uint32_t *lo, uint32_t *hi)
{
    bool any = false;
    uint32_t end = img->end < limit ? img->end : limit;
    for (uint32_t a = 0; a < end; a++)
        if (image_has(img, a) && image_get(img, a, 0xFF) != 0xFF) {
            *lo = any ? *lo : a;
            *hi = a;
            any = true;
        }
    return any;
}

static void info_boot_sections(const struct part *p, const struct fp_entry *f)
{
    if (!p->n_boot_sections) {
        printf("  boot sections: the %s has none\n", p->name);
        return;
    }
    printf("  boot sections of the %s:", p->name);
    for (unsigned k = 0; k < p->n_boot_sections; k++)
        printf(" 0x%05X (%u bytes)%s", p->boot_sections[k].start, p->boot_sections[k].size,
               f && f->start == p->boot_sections[k].start ? " <- the bootloader" : "");
    printf("\n");
}

/* The file's bootloader has another preset: a disagreement if its fuses differ
 * (existing bits), a note if they are the same. */
static bool info_other_preset(const struct info_ctx *c, const struct fp_entry *f)
{
    const struct bootloader_preset *fb =
        f && f->preset[0] ? bootloader_find(f->preset, c->part) : NULL;
    if (!fb || fb == c->preset)
        return false;
    uint8_t v[FUSE_NBYTES];
    bool w[FUSE_NBYTES];
    struct ispf_error err;
    memcpy(v, c->fuses, sizeof v);
    if (bootloader_fuses(fb, c->part, BOOTLOADER_JTAG_TABLE, w, v, &err) != ISPF_OK)
        return false;
    bool differ = false;
    for (int i = 0; i < FUSE_NBYTES; i++)
        differ = differ || (w[i] && ((v[i] ^ c->fuses[i]) & c->part->fuse[i].used));
    printf("  %s: the file holds %s, whose preset is --bootloader %s%s\n",
           differ ? "disagrees" : "note", f->name, fb->name,
           differ ? " (other fuse values)" : " (the same fuse values)");
    return differ;
}

/* --bootloader: the preset's fuses against the image. Returns ISPF_OK or the error. */
static int info_check_preset(const struct info_ctx *c, const struct image *img, const char *path,
                             const struct fp_entry *f)
{
    char warn[2048] = "", notes[1024] = "";
    struct ispf_error err;
    ispf_error_clear(&err);
    printf("  --bootloader %s: lfuse 0x%02X, hfuse 0x%02X%s", c->preset->name, c->fuses[0],
           c->fuses[1], c->part->fuse[2].present ? ", efuse " : "");
    if (c->part->fuse[2].present)
        printf("0x%02X", c->fuses[2]);
    printf("\n");
    int rc = fuse_image_check(c->part, img, path, c->fuses, warn, sizeof warn, notes, sizeof notes,
                              &err);
    bool other = info_other_preset(c, f);
    if (rc) {
        printf("  disagrees: %s\n", err.msg);
        return rc;
    }
    if (warn[0])
        printf("  disagrees: %s%s", warn, warn[strlen(warn) - 1] == '\n' ? "" : "\n");
    else if (!other)
        printf("  agrees with the preset's fuses\n");
    return warn[0] || other ? ISPF_E_INPUT : ISPF_OK;
}

/* The map, when the flash size is known. */
static void info_map(const struct info_ctx *c, const struct part *p, const struct image *img,
                     const struct fp_entry *f)
{
    uint8_t v[FUSE_NBYTES];
    const char *from = "the part's factory fuses";
    info_fuses_factory(p, v);
    const struct bootloader_preset *b = c->preset;
    if (!b && f && f->preset[0])
        b = bootloader_find(f->preset, p);
    bool w[FUSE_NBYTES];
    struct ispf_error err;
    if (b && bootloader_fuses(b, p, BOOTLOADER_JTAG_TABLE, w, v, &err) == ISPF_OK) {
        from = c->preset ? "--bootloader" : "the bootloader's preset";
        for (int i = 0; i < FUSE_NBYTES; i++)
            if (!w[i])
                v[i] = p->fuse[i].present ? p->fuse[i].initval : 0xFF;
    }
    if (c->preset)
        memcpy(v, c->fuses, sizeof v);
    struct fuse_boot boot;
    fuse_boot_config(p, v, &boot);
    char buf[4096];
    memmap_render(img, p->flash_size, boot.start, boot.has_boot ? boot.size : 0, 64, buf,
                  sizeof buf);
    printf("  map of the %s flash (boot section from %s):\n", p->name, from);
    for (const char *s = buf; *s;) {
        size_t l = strcspn(s, "\n");
        printf("    %.*s\n", (int)l, s);
        s += l + (s[l] == '\n');
    }
}

static int info_file(const struct info_ctx *c, const char *path)
{
    struct image img;
    image_init(&img);
    struct ispf_error err;
    ispf_error_clear(&err);
    enum image_format fmt;
    int rc = image_load(&img, path, IMAGE_FMT_AUTO, &fmt, &err);
    if (rc) {
        fprintf(stderr, "ispflash: error: %s\n", err.msg);
        image_free(&img);
        return EXIT_INPUT;
    }
    int code = EXIT_OK;
    printf("%s: %s, %u bytes, 0x%05X-0x%05X\n", path, image_format_name(fmt), img.count,
           image_start(&img), img.end ? img.end - 1 : 0);
    const struct fp_entry *f = fp_match_image(&img, c->part);
    const struct fp_entry *other = c->part && !f ? fp_match_image(&img, NULL) : NULL;
    const struct part *p = c->part ? c->part : f ? info_fp_part(f) : NULL;
    char desc[200];
    uint32_t limit = f ? f->start : other ? other->start : img.end, lo = 0, hi = 0;
    if (other) {
        fp_describe(other, desc, sizeof desc);
        printf("  bootloader: %s at 0x%05X-0x%05X (%u bytes): not one for the %s\n", desc,
               other->start, other->start + other->length - 1, other->length, c->part->name);
    } else if (f) {
        fp_describe(f, desc, sizeof desc);
        printf("  bootloader: %s at 0x%05X-0x%05X (%u bytes)%s%s\n", desc, f->start,
               f->start + f->length - 1, f->length, f->preset[0] ? ", --bootloader " : "",
               f->preset);
    } else if (p && p->n_boot_sections) {
        limit = p->boot_sections[p->n_boot_sections - 1].start;
        if (info_app_range(&img, p->flash_size, &lo, &hi) && hi >= limit)
            printf("  bootloader: none known; code in the top %u bytes of flash up to 0x%05X\n",
                   p->flash_size - limit, hi);
        else
            printf("  bootloader: none\n");
    } else {
        printf("  bootloader: none recognised\n");
    }
    if (info_app_range(&img, limit, &lo, &hi))
        printf("  application: 0x%05X-0x%05X (%u bytes)\n", lo, hi, hi - lo + 1);
    else
        printf("  application: none\n");
    if (c->part) {
        if (session_check_fits(c->part, MEM_FLASH, &img, path, &err) == ISPF_OK) {
            printf("  fits the %s (%u bytes of flash)\n", c->part->name, c->part->flash_size);
        } else {
            printf("  does not fit: %s\n", err.msg);
            code = EXIT_INPUT;
        }
        info_boot_sections(c->part, f);
        if (c->preset && code == EXIT_OK && info_check_preset(c, &img, path, f) != ISPF_OK)
            code = EXIT_INPUT;
    }
    if (p && img.end <= p->flash_size)
        info_map(c, p, &img, f);
    image_free(&img);
    return code;
}

static int info_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"bootloader", required_argument, NULL, INFO_OPT_BOOTLOADER},
        {NULL, 0, NULL, 0},
    };
    const char *part = NULL, *bl = NULL;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":p:h", longopts, NULL)) != -1) {
        if (ch == 'p')
            part = optarg;
        else if (ch == INFO_OPT_BOOTLOADER)
            bl = optarg;
        else if (ch == 'h')
            return fputs(cli_info_help, stdout), EXIT_OK;
        else
            return info_usage(ch == ':' ? "option %s needs a value" : "unknown option %s",
                              argv[optind - 1]);
    }
    struct info_ctx c = {0};
    if (bl && strcmp(bl, "?") == 0)
        return fusecli_list_bootloaders(part ? part_find(part) : NULL), EXIT_OK;
    if (part && !(c.part = part_find(part)))
        return info_usage("unknown part '%s' (ispflash -p ? lists all parts)", part);
    if (bl && !c.part)
        return info_usage("--bootloader %s needs -p PART", bl);
    if (bl && !(c.preset = bootloader_find(bl, c.part)))
        return info_usage("--bootloader %s: no such preset for this part (--bootloader ? lists "
                          "them)",
                          bl);
    if (c.preset) {
        bool w[FUSE_NBYTES];
        struct ispf_error err;
        info_fuses_factory(c.part, c.fuses);
        if (bootloader_fuses(c.preset, c.part, BOOTLOADER_JTAG_TABLE, w, c.fuses, &err))
            return info_usage("%s", err.msg);
        for (int i = 0; i < FUSE_NBYTES; i++)
            if (!w[i])
                c.fuses[i] = c.part->fuse[i].present ? c.part->fuse[i].initval : 0xFF;
    }
    if (optind >= argc)
        return info_usage("no files given (ispflash info FILE...)%s", "");
    int code = EXIT_OK;
    for (int i = optind; i < argc; i++) {
        int rc = info_file(&c, argv[i]);
        code = code ? code : rc;
    }
    return code;
}

int cli_info_main(int argc, char **argv)
{
    return cli_output_finish(info_main(argc, argv));
}
