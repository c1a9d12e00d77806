// SPDX-License-Identifier: GPL-2.0-or-later
/* The serial-number counter file (--serial-file): "next N", reserved under a lock and
 * rewritten whole-or-nothing before a number is handed out. */
#include "ispflash/serialno.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/compat.h"

#include "base/atomic_file.h"
#include "base/clock.h"
#include "ispflash/interrupt.h"

#define COUNTER_FILE_MAX 4096
#define COUNTER_LOCK_WAIT_MS 30000u

struct serialno_counter {
    pthread_mutex_t mu; /* threads of this process */
    int lockfd;         /* FILE.lock, flock'ed: other processes */
    char *path, *lockpath;
};

/* Take the mutex, then the flock, waiting at most COUNTER_LOCK_WAIT_MS. */
static int counter_lock(struct serialno_counter *c, struct ispf_error *err)
{
    pthread_mutex_lock(&c->mu);
    uint64_t t0 = clock_now_us();
    for (;;) {
        if (flock(c->lockfd, LOCK_EX | LOCK_NB) == 0)
            return ISPF_OK;
        int e = errno;
        int rc = ISPF_OK;
        if (e != EWOULDBLOCK && e != EINTR)
            rc = ispf_fail(err, ISPF_E_IO, "cannot lock %s: %s", c->lockpath, strerror(e));
        else if (ispf_interrupted())
            rc = ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
        else if (clock_now_us() - t0 > COUNTER_LOCK_WAIT_MS * 1000ull)
            rc = ispf_fail(err, ISPF_E_IO, "%s: locked by another process for more than %u s",
                           c->lockpath, COUNTER_LOCK_WAIT_MS / 1000u);
        if (rc) {
            pthread_mutex_unlock(&c->mu);
            return rc;
        }
        clock_sleep_ms(2);
    }
}

static void counter_unlock(struct serialno_counter *c)
{
    flock(c->lockfd, LOCK_UN);
    pthread_mutex_unlock(&c->mu);
}

/* One line (without its newline) of the file: a comment, blank, or "next N". */
static int counter_line(const struct serialno_counter *c, unsigned lineno, char *s, bool *have,
                        uint64_t *next, struct ispf_error *err)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\0' || *s == '#')
        return ISPF_OK;
    if (strncmp(s, "next", 4) != 0 || (s[4] != ' ' && s[4] != '\t'))
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s:%u: not a serial-number counter line (expected \"next N\" or a '#' "
                         "comment): \"%.40s\"",
                         c->path, lineno, s);
    if (*have)
        return ispf_fail(err, ISPF_E_INPUT, "%s:%u: a second \"next\" line", c->path, lineno);
    const char *d = s + 5;
    while (*d == ' ' || *d == '\t')
        d++;
    uint64_t v = 0;
    if (*d == '\0')
        return ispf_fail(err, ISPF_E_INPUT, "%s:%u: \"next\" without a number", c->path, lineno);
    for (; *d; d++) {
        if (*d < '0' || *d > '9' || v > (UINT64_MAX - (uint64_t)(*d - '0')) / 10)
            return ispf_fail(err, ISPF_E_INPUT,
                             "%s:%u: \"%.40s\" is not a number from 0 to 18446744073709551615",
                             c->path, lineno, s + 5);
        v = v * 10 + (uint64_t)(*d - '0');
    }
    *have = true;
    *next = v;
    return ISPF_OK;
}

static int counter_parse(const struct serialno_counter *c, char *text, size_t len, uint64_t *next,
                         struct ispf_error *err)
{
    if (memchr(text, '\0', len) != NULL)
        return ispf_fail(err, ISPF_E_INPUT, "%s: binary data, not a serial-number counter file",
                         c->path);
    bool have = false;
    unsigned lineno = 1;
    for (char *s = text; s != NULL; lineno++) {
        char *nl = strchr(s, '\n');
        if (nl)
            *nl = '\0';
        int rc = counter_line(c, lineno, s, &have, next, err);
        if (rc)
            return rc;
        s = nl ? nl + 1 : NULL;
    }
    if (!have)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s: no \"next N\" line: not a serial-number counter file", c->path);
    return ISPF_OK;
}

/* Read FILE: *exists false when it is missing. */
static int counter_read(const struct serialno_counter *c, bool *exists, uint64_t *next,
                        struct ispf_error *err)
{
    FILE *f = fopen(c->path, "rb");
    *exists = f != NULL;
    if (f == NULL)
        return errno == ENOENT
                   ? ISPF_OK
                   : ispf_fail(err, ISPF_E_IO, "cannot read %s: %s", c->path, strerror(errno));
    char buf[COUNTER_FILE_MAX + 1];
    size_t n = fread(buf, 1, sizeof buf, f);
    int failed = ferror(f), e = errno;
    fclose(f);
    if (failed)
        return ispf_fail(err, ISPF_E_IO, "cannot read %s: %s", c->path, strerror(e));
    if (n > COUNTER_FILE_MAX)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s: longer than %u bytes: not a serial-number counter file", c->path,
                         COUNTER_FILE_MAX);
    buf[n] = '\0';
    return counter_parse(c, buf, n, next, err);
}

/* The directory entry of the rename is on disk too. */
static int counter_sync_dir(const char *path, struct ispf_error *err)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
             slash ? path : ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return ispf_fail(err, ISPF_E_IO, "cannot sync directory %s: %s", dir, strerror(e));
    }
    close(fd);
    return ISPF_OK;
}

static int counter_write(const struct serialno_counter *c, uint64_t next, struct ispf_error *err)
{
    struct atomic_file af;
    int rc = atomic_file_open(&af, c->path, err);
    if (rc)
        return rc;
    fprintf(af.f,
            "# ispflash serial-number counter: the number the next board gets.\n"
            "# Numbers below it are spent. Written by ispflash under %s.lock.\n"
            "next %llu\n",
            c->path, (unsigned long long)next);
    rc = atomic_file_commit(&af, err);
    if (rc)
        return rc;
    return counter_sync_dir(af.path, err);
}

/* Under the lock: create FILE, or apply --serial-start. */
static int counter_start(struct serialno_counter *c, bool has_start, uint64_t start,
                         struct ispf_error *err)
{
    bool exists;
    uint64_t next = 0;
    int rc = counter_read(c, &exists, &next, err);
    if (rc)
        return rc;
    if (!exists)
        return counter_write(c, has_start ? start : 1, err);
    if (!has_start || start == next)
        return ISPF_OK;
    if (start < next)
        return ispf_fail(err, ISPF_E_USAGE,
                         "--serial-start %llu would give numbers already used: %s's next is %llu",
                         (unsigned long long)start, c->path, (unsigned long long)next);
    return counter_write(c, start, err);
}

void serialno_counter_close(struct serialno_counter *c)
{
    if (c == NULL)
        return;
    if (c->lockfd >= 0)
        close(c->lockfd);
    pthread_mutex_destroy(&c->mu);
    free(c->path);
    free(c->lockpath);
    free(c);
}

int serialno_counter_open(struct serialno_counter **out, const char *path, bool has_start,
                          uint64_t start, struct ispf_error *err)
{
    *out = NULL;
    struct serialno_counter *c = calloc(1, sizeof *c);
    size_t n = strlen(path);
    if (c == NULL || (c->path = strdup(path)) == NULL || (c->lockpath = malloc(n + 6)) == NULL) {
        if (c)
            free(c->path);
        free(c);
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    }
    pthread_mutex_init(&c->mu, NULL);
    snprintf(c->lockpath, n + 6, "%s.lock", path);
    c->lockfd = open(c->lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (c->lockfd < 0) {
        int rc = ispf_fail(err, ISPF_E_IO, "cannot create %s: %s", c->lockpath, strerror(errno));
        serialno_counter_close(c);
        return rc;
    }
    int rc = counter_lock(c, err);
    if (rc == ISPF_OK) {
        rc = counter_start(c, has_start, start, err);
        counter_unlock(c);
    }
    if (rc) {
        serialno_counter_close(c);
        return rc;
    }
    *out = c;
    return ISPF_OK;
}

/* Under the lock: FILE must exist now (it was created at open). */
static int counter_take(struct serialno_counter *c, uint64_t *number, bool advance,
                        struct ispf_error *err)
{
    bool exists;
    uint64_t next = 0;
    int rc = counter_read(c, &exists, &next, err);
    if (rc)
        return rc;
    if (!exists)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s: the serial-number counter file was removed while in use", c->path);
    if (advance && next == UINT64_MAX)
        return ispf_fail(err, ISPF_E_INPUT, "%s: next is %llu, the last number: none left", c->path,
                         (unsigned long long)next);
    if (advance && (rc = counter_write(c, next + 1, err)) != ISPF_OK)
        return rc;
    *number = next;
    return ISPF_OK;
}

int serialno_reserve(struct serialno_counter *c, uint64_t *number, struct ispf_error *err)
{
    int rc = counter_lock(c, err);
    if (rc)
        return rc;
    rc = counter_take(c, number, true, err);
    counter_unlock(c);
    return rc;
}

int serialno_counter_peek(struct serialno_counter *c, uint64_t *next, struct ispf_error *err)
{
    int rc = counter_lock(c, err);
    if (rc)
        return rc;
    rc = counter_take(c, next, false, err);
    counter_unlock(c);
    return rc;
}

const char *serialno_counter_path(const struct serialno_counter *c)
{
    return c->path;
}
