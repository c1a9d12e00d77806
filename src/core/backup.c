// SPDX-License-Identifier: GPL-2.0-or-later
/* The backup before a chip is overwritten (include/ispflash/backup.h). */
#define LOG_PREFIX "backup"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/compat.h"

#include "ispflash/backup.h"
#include "ispflash/log.h"
#include "ispflash/memfile.h"

#define BACKUP_PROBE 16 /* bytes looked at where the largest boot section starts */

/* mkdir -p of path's directories (path itself is a directory). */
static int backup_mkdirs(char *path, struct ispf_error *err)
{
    char *p = path + 1;
#ifdef _WIN32
    if (path[0] && path[1] == ':') /* C:\ exists */
        p = path + 2 + (path[2] != '\0');
#endif
    for (; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return ispf_fail(err, ISPF_E_IO, "cannot create %s: %s", path, strerror(errno));
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return ispf_fail(err, ISPF_E_IO, "cannot create %s: %s", path, strerror(errno));
    return ISPF_OK;
}

/* $XDG_STATE_HOME/ispflash/backups/PART-SIG-YYYYmmdd-HHMMSS[-N].hex */
static int backup_default_path(const struct part *p, const uint8_t *sig, char *out, size_t len,
                               struct ispf_error *err)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
#ifdef _WIN32
    /* Windows: XDG_STATE_HOME when set, else %LOCALAPPDATA%\ispflash\backups. */
    const char *local = getenv("LOCALAPPDATA");
    if (!(xdg && xdg[0]) && local && local[0])
        xdg = local;
    bool absolute = xdg && (xdg[0] == '/' || xdg[0] == '\\' || (xdg[0] && xdg[1] == ':'));
#else
    bool absolute = xdg && xdg[0] == '/';
#endif
    char dir[3072];
    if (absolute)
        snprintf(dir, sizeof dir, "%s/ispflash/backups", xdg);
    else if (home && home[0])
        snprintf(dir, sizeof dir, "%s/.local/state/ispflash/backups", home);
    else
        return ispf_fail(err, ISPF_E_IO,
                         "no place for the backup (neither XDG_STATE_HOME nor HOME is set): give "
                         "--backup FILE, or --no-backup");
    int rc = backup_mkdirs(dir, err);
    if (rc)
        return rc;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    struct stat st;
    for (unsigned n = 0; n < 1000; n++) {
        char suffix[8] = "";
        if (n)
            snprintf(suffix, sizeof suffix, "-%u", n);
        snprintf(out, len, "%s/%s-%02x%02x%02x-%s%s.hex", dir, p->id, sig[0], sig[1], sig[2], stamp,
                 suffix);
        if (stat(out, &st) != 0)
            return ISPF_OK;
    }
    return ispf_fail(err, ISPF_E_IO, "%s: too many backups this second", dir);
}

/* The largest boot section's code, when there is some: into all. */
static int backup_boot(struct session *s, const struct part *p, struct image *all, bool *found,
                       uint32_t *start, struct ispf_error *err)
{
    *found = false;
    if (!p->n_boot_sections)
        return ISPF_OK;
    *start = p->boot_sections[p->n_boot_sections - 1].start;
    uint8_t probe[BACKUP_PROBE];
    int rc = session_read_range(s, MEM_FLASH, *start, probe, sizeof probe, err);
    if (rc)
        return rc;
    bool blank = true;
    for (size_t i = 0; i < sizeof probe; i++)
        blank = blank && probe[i] == 0xFF;
    if (blank)
        return ISPF_OK;
    uint32_t len = p->flash_size - *start;
    uint8_t *buf = malloc(len);
    if (!buf)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    rc = session_read_range(s, MEM_FLASH, *start, buf, len, err);
    if (rc == ISPF_OK)
        rc = image_set_range(all, *start, buf, len, err);
    free(buf);
    *found = rc == ISPF_OK;
    return rc;
}

/* Every fuse and lock byte the part has, at their avr-gcc addresses. */
static int backup_fuses(struct session *s, const struct part *p, const struct backup_loss *loss,
                        struct image *all, struct ispf_error *err)
{
    for (int i = 0; i < FUSE_NBYTES; i++) {
        if (!p->fuse[i].present)
            continue;
        uint8_t v = loss->have_fuses ? loss->fuses[i] : 0xFF;
        if (!loss->have_fuses) {
            int rc = session_read_fuse(s, fuse_mem(i), &v, err);
            if (rc)
                return rc;
        }
        int rc = image_set(all, memfile_offset(fuse_mem(i)), v, err);
        if (rc)
            return rc;
    }
    return ISPF_OK;
}

/* --backup FILE: flash, EEPROM, fuses, lock. */
static int backup_full(struct session *s, const struct part *p, const struct backup_loss *loss,
                       struct image *all, struct ispf_error *err)
{
    struct image one;
    image_init(&one);
    int rc = session_read(s, MEM_FLASH, &one, err);
    if (rc == ISPF_OK)
        rc = memfile_put(all, MEM_FLASH, &one, err);
    if (rc == ISPF_OK && part_mem_size(p, MEM_EEPROM))
        rc = session_read(s, MEM_EEPROM, &one, err);
    if (rc == ISPF_OK && part_mem_size(p, MEM_EEPROM))
        rc = memfile_put(all, MEM_EEPROM, &one, err);
    image_free(&one);
    if (rc == ISPF_OK)
        rc = backup_fuses(s, p, loss, all, err);
    return rc;
}

int backup_take(struct session *s, const struct part *p, enum backup_mode mode, const char *path,
                const struct backup_loss *loss, char *saved, size_t saved_len, bool *write_failed,
                struct ispf_error *err)
{
    saved[0] = '\0';
    if (mode == BACKUP_NONE || (mode == BACKUP_AUTO && !loss->flash && !loss->fuse_change))
        return ISPF_OK;
    struct image all;
    image_init(&all);
    bool boot = false;
    uint32_t start = 0;
    int rc = ISPF_OK;
    if (mode == BACKUP_FULL) {
        rc = backup_full(s, p, loss, &all, err);
    } else {
        if (loss->flash)
            rc = backup_boot(s, p, &all, &boot, &start, err);
        if (rc == ISPF_OK && (boot || loss->fuse_change))
            rc = backup_fuses(s, p, loss, &all, err);
    }
    if (rc == ISPF_OK && !image_empty(&all)) {
        char def[4096];
        if (!path)
            rc = backup_default_path(p, session_signature(s), def, sizeof def, err);
        if (rc == ISPF_OK)
            rc = image_save(&all, path ? path : def, IMAGE_FMT_IHEX, err);
        if (rc && write_failed)
            *write_failed = true;
        if (rc == ISPF_OK) {
            snprintf(saved, saved_len, "%s", path ? path : def);
            if (mode == BACKUP_FULL)
                log_info("backup of the whole chip (flash, EEPROM, fuses, lock) saved to %s",
                         saved);
            else if (boot)
                log_info("backup of the boot section 0x%05x-0x%05x and the fuses saved to %s",
                         start, p->flash_size - 1, saved);
            else
                log_info("backup of the fuses saved to %s", saved);
        }
    }
    image_free(&all);
    if (rc)
        return ispf_error_prefix(err, "backup before overwriting the chip (--no-backup skips it)");
    return ISPF_OK;
}
