// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The target socket (see avrsocket.h): a file names the board under the
 * programmer; the chip's watcher looks at it and swaps the chip's contents.
 */
#include <string.h>
#include <sys/stat.h>

#include "base/compat.h"

#include "sim/avrsocket.h"

static bool socket_same_file(const struct avrsocket *s, const struct stat *st)
{
    struct timespec ct = compat_stat_ctime(st);
    return st->st_dev == s->dev && st->st_ino == s->ino && ct.tv_sec == s->ctime.tv_sec &&
           ct.tv_nsec == s->ctime.tv_nsec;
}

static void socket_remember(struct avrsocket *s, const struct stat *st)
{
    s->dev = st->st_dev;
    s->ino = st->st_ino;
    s->ctime = compat_stat_ctime(st);
}

/* The board is gone (or replaced): whatever it had that was not saved is lost. */
static void socket_forget(struct avrsocket *s)
{
    if (s->present) {
        s->stats.removals++;
        if (s->chip->modified)
            s->stats.dropped++;
    }
    s->present = false;
    s->chip->modified = false;
    s->chip->absent = true;
}

/* A new board named by FILE (st): a fresh chip if FILE is empty, else its state. */
static int socket_insert(struct avrsocket *s, const struct stat *st, struct ispf_error *err)
{
    struct avrchip *c = s->chip;
    socket_forget(s);
    socket_remember(s, st); /* a file that does not load is not tried again until it changes */
    int rc = ISPF_OK;
    if (st->st_size == 0) {
        avrchip_factory(c);
    } else {
        const struct part *p = c->part;
        c->part = s->file_part;
        rc = avrchip_load(c, s->path, err);
        c->part = p;
    }
    if (rc) {
        avrchip_factory(c);
        return ispf_error_prefix(err, "the board in the socket %s", s->path);
    }
    c->modified = false;
    c->absent = false;
    avrchip_power_up(c);
    s->present = true;
    s->stats.inserts++;
    return ISPF_OK;
}

int avrsocket_look(struct avrsocket *s, struct ispf_error *err)
{
    struct stat st;
    s->since_look = 0;
    s->stats.looks++;
    if (stat(s->path, &st) != 0) {
        socket_forget(s);
        memset(&st, 0, sizeof st); /* missing: whatever appears next is a new board */
        socket_remember(s, &st);
        return ISPF_OK;
    }
    if (socket_same_file(s, &st))
        return ISPF_OK; /* the same board (or the same file that did not load) */
    return socket_insert(s, &st, err);
}

int avrsocket_save(struct avrsocket *s, struct ispf_error *err)
{
    struct avrchip *c = s->chip;
    if (!s->present || !c->modified)
        return ISPF_OK;
    struct stat st;
    if (stat(s->path, &st) != 0 || !socket_same_file(s, &st))
        return avrsocket_look(s, err); /* taken away: not written back */
    const struct part *p = c->part;
    c->part = s->file_part;
    int rc = avrchip_save(c, s->path, err);
    c->part = p;
    if (rc)
        return rc;
    c->modified = false;
    s->stats.saves++;
    if (stat(s->path, &st) == 0) /* the saved file is a new inode: still this board */
        socket_remember(s, &st);
    else
        socket_forget(s); /* taken away the moment it was written */
    return ISPF_OK;
}

static bool socket_must_look(struct avrsocket *s, const uint8_t *in)
{
    if (++s->since_look >= AVRSOCKET_LOOK_EVERY)
        return true;
    switch (in[0]) {
    case 0xAC: /* Programming Enable, Chip Erase, fuse and lock writes */
    case 0x4C: /* flash page commit */
    case 0xC0: /* EEPROM byte write */
    case 0xC2: /* EEPROM page commit */
        return true;
    default:
        return false;
    }
}

static void socket_watch(struct avrchip *c, enum avrchip_event ev, const uint8_t *in, void *ctx)
{
    (void)c;
    struct avrsocket *s = ctx;
    struct ispf_error e;
    ispf_error_clear(&e);
    int rc = ISPF_OK;
    if (ev == AVRCHIP_RESET_HELD || (ev == AVRCHIP_INSTRUCTION && socket_must_look(s, in)))
        rc = avrsocket_look(s, &e);
    else if (ev == AVRCHIP_RESET_RELEASED)
        rc = avrsocket_save(s, &e);
    if (rc && s->err.code == ISPF_OK)
        s->err = e;
}

int avrsocket_open(struct avrsocket *s, struct avrchip *c, const struct part *file_part,
                   const char *path, struct ispf_error *err)
{
    memset(s, 0, sizeof *s);
    s->chip = c;
    s->file_part = file_part ? file_part : c->part;
    ispf_error_clear(&s->err);
    c->absent = true;
    c->watch.fn = socket_watch;
    c->watch.ctx = s;
    if (strlen(path) >= sizeof s->path)
        return ispf_fail(err, ISPF_E_USAGE, "socket file name too long: %s", path);
    memcpy(s->path, path, strlen(path) + 1);
    return avrsocket_look(s, err);
}

int avrsocket_take_error(struct avrsocket *s, struct ispf_error *err)
{
    int rc = s->err.code;
    if (rc == ISPF_OK)
        return ISPF_OK;
    ispf_fail(err, rc, "%s", s->err.msg);
    ispf_error_clear(&s->err);
    return rc;
}

int avrsocket_close(struct avrsocket *s, struct ispf_error *err)
{
    int rc = s->path[0] ? avrsocket_save(s, err) : ISPF_OK;
    if (s->chip) {
        s->chip->watch.fn = NULL;
        s->chip->watch.ctx = NULL;
    }
    return rc;
}
