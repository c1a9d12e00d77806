// SPDX-License-Identifier: GPL-2.0-or-later
/* The board log: CSV or JSON Lines, one record per write(2), fsync'ed. */
#include "ispflash/boardlog.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/compat.h"

#include "base/clock.h"
#include "base/json.h"
#include "base/sha256.h"

static const char boardlog_header[] =
    "time,board,programmer,port,part,signature,images,image_bytes,serial,serial_text,"
    "fuses_written,fuses_read,result,exit_code,message,seconds\n";

struct boardlog {
    pthread_mutex_t mu;
    int fd;
    bool jsonl;
    bool can_read; /* opened O_RDWR: the header and the last byte can be checked */
    char *path;
};

/* A growable line for the CSV record; failed on out of memory. */
struct blbuf {
    char *s;
    size_t len, cap;
    bool failed;
};

static void blbuf_put(struct blbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 512;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (ns == NULL) {
            b->failed = true;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void blbuf_printf(struct blbuf *b, const char *fmt, ...) ISPF_PRINTF(2, 3);
static void blbuf_printf(struct blbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        blbuf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

int64_t boardlog_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void boardlog_time_iso(int64_t time_ms, char out[BOARDLOG_TIME_LEN])
{
    int64_t sec = time_ms / 1000, ms = time_ms % 1000;
    if (ms < 0) { /* before 1970: floor */
        ms += 1000;
        sec--;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL) {
        snprintf(out, BOARDLOG_TIME_LEN, "invalid-time");
        return;
    }
    char date[24];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, BOARDLOG_TIME_LEN, "%s.%03dZ", date, (int)ms);
}

/* One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, or starts or
 * ends with a space; quotes doubled. NULL is an empty field. */
static void csv_field(struct blbuf *b, const char *s, bool last)
{
    if (s == NULL)
        s = "";
    size_t n = strlen(s);
    bool quote = strpbrk(s, ",\"\r\n") != NULL || (n > 0 && (s[0] == ' ' || s[n - 1] == ' '));
    if (!quote)
        blbuf_put(b, s, n);
    else {
        blbuf_put(b, "\"", 1);
        for (const char *p = s; *p; p++)
            blbuf_put(b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
        blbuf_put(b, "\"", 1);
    }
    blbuf_put(b, last ? "\n" : ",", 1);
}

/* A list field: "flash=crkbd.hex@<sha256>;eeprom=..." and the like, built in a blbuf. */
static void csv_images(struct blbuf *b, const struct boardlog_record *r, bool bytes)
{
    struct blbuf f = {0};
    for (size_t i = 0; i < r->n_images; i++) {
        const struct boardlog_image *im = &r->images[i];
        if (i)
            blbuf_put(&f, ";", 1);
        if (bytes)
            blbuf_printf(&f, "%s=%u", im->mem ? im->mem : "", (unsigned)im->bytes);
        else {
            char hex[2 * ISPF_SHA256_LEN + 1];
            ispf_sha256_hex(im->sha256, hex);
            blbuf_printf(&f, "%s=", im->mem ? im->mem : "");
            if (im->file)
                blbuf_put(&f, im->file, strlen(im->file));
            blbuf_printf(&f, "@%s", hex);
        }
    }
    b->failed |= f.failed;
    csv_field(b, f.s, false);
    free(f.s);
}

static void csv_fuses(struct blbuf *b, const struct boardlog_fuse *fu, size_t n)
{
    struct blbuf f = {0};
    for (size_t i = 0; i < n; i++)
        blbuf_printf(&f, "%s%s=0x%02x", i ? ";" : "", fu[i].mem ? fu[i].mem : "", fu[i].value);
    b->failed |= f.failed;
    csv_field(b, f.s, false);
    free(f.s);
}

static void boardlog_csv(struct blbuf *b, const struct boardlog_record *r)
{
    char t[BOARDLOG_TIME_LEN], num[32];
    boardlog_time_iso(r->time_ms, t);
    csv_field(b, t, false);
    snprintf(num, sizeof num, "%u", r->board);
    csv_field(b, num, false);
    csv_field(b, r->programmer, false);
    csv_field(b, r->port, false);
    csv_field(b, r->part, false);
    snprintf(num, sizeof num, "%02x%02x%02x", r->signature[0], r->signature[1], r->signature[2]);
    csv_field(b, r->have_signature ? num : NULL, false);
    csv_images(b, r, false);
    csv_images(b, r, true);
    snprintf(num, sizeof num, "%llu", (unsigned long long)r->serial);
    csv_field(b, r->have_serial ? num : NULL, false);
    csv_field(b, r->have_serial ? r->serial_text : NULL, false);
    csv_fuses(b, r->fuses_written, r->n_fuses_written);
    csv_fuses(b, r->fuses_read, r->n_fuses_read);
    csv_field(b, r->result == BOARDLOG_PASS ? "PASS" : "FAIL", false);
    snprintf(num, sizeof num, "%d", r->exit_code);
    csv_field(b, num, false);
    csv_field(b, r->message, false);
    snprintf(num, sizeof num, "%.3f", r->seconds);
    csv_field(b, num, true);
}

static void json_fuses(struct json *j, const char *key, const struct boardlog_fuse *fu, size_t n)
{
    json_key(j, key);
    json_obj_begin(j);
    for (size_t i = 0; i < n; i++) {
        json_key(j, fu[i].mem ? fu[i].mem : "");
        json_uint(j, fu[i].value);
    }
    json_obj_end(j);
}

static void boardlog_json(struct json *j, const struct boardlog_record *r)
{
    char t[BOARDLOG_TIME_LEN], sig[8];
    boardlog_time_iso(r->time_ms, t);
    json_obj_begin(j);
    json_key(j, "time");
    json_str(j, t);
    json_key(j, "board");
    json_uint(j, r->board);
    json_key(j, "programmer");
    json_str(j, r->programmer);
    json_key(j, "port");
    json_str(j, r->port);
    json_key(j, "part");
    json_str(j, r->part);
    snprintf(sig, sizeof sig, "%02x%02x%02x", r->signature[0], r->signature[1], r->signature[2]);
    json_key(j, "signature");
    json_str(j, r->have_signature ? sig : NULL);
    json_key(j, "images");
    json_arr_begin(j);
    for (size_t i = 0; i < r->n_images; i++) {
        char hex[2 * ISPF_SHA256_LEN + 1];
        ispf_sha256_hex(r->images[i].sha256, hex);
        json_obj_begin(j);
        json_key(j, "mem");
        json_str(j, r->images[i].mem);
        json_key(j, "file");
        json_str(j, r->images[i].file);
        json_key(j, "sha256");
        json_str(j, hex);
        json_key(j, "bytes");
        json_uint(j, r->images[i].bytes);
        json_obj_end(j);
    }
    json_arr_end(j);
    json_key(j, "serial");
    if (r->have_serial)
        json_uint(j, r->serial);
    else
        json_null(j);
    json_key(j, "serial_text");
    json_str(j, r->have_serial ? r->serial_text : NULL);
    json_fuses(j, "fuses_written", r->fuses_written, r->n_fuses_written);
    json_fuses(j, "fuses_read", r->fuses_read, r->n_fuses_read);
    json_key(j, "result");
    json_str(j, r->result == BOARDLOG_PASS ? "PASS" : "FAIL");
    json_key(j, "exit_code");
    json_int(j, r->exit_code);
    json_key(j, "message");
    json_str(j, r->message);
    json_key(j, "seconds");
    json_num(j, (double)(long long)(r->seconds * 1000.0 + (r->seconds < 0 ? -0.5 : 0.5)) / 1000.0);
    json_obj_end(j);
}

/* flock(LOCK_EX), waiting at most 30 s for another process. Not stopped by Ctrl-C: the
 * record of a finished board is written even then. */
static int boardlog_flock(struct boardlog *l, struct ispf_error *err)
{
    uint64_t t0 = clock_now_us();
    while (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            return ispf_fail(err, ISPF_E_IO, "cannot lock %s: %s", l->path, strerror(errno));
        if (clock_now_us() - t0 > 30000000u)
            return ispf_fail(err, ISPF_E_IO, "%s: locked by another process for more than 30 s",
                             l->path);
        clock_sleep_ms(1);
    }
    return ISPF_OK;
}

/* All of buf at the end of the file, then fsync. */
static int boardlog_write(struct boardlog *l, const char *buf, size_t len, struct ispf_error *err)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(l->fd, buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue; /* finish the record even after Ctrl-C */
        if (n <= 0)
            return ispf_fail(err, ISPF_E_IO, "cannot write %s: %s", l->path,
                             n < 0 ? strerror(errno) : "nothing written");
        done += (size_t)n;
    }
    if (fsync(l->fd) != 0)
        return ispf_fail(err, ISPF_E_IO, "cannot write %s: %s", l->path, strerror(errno));
    return ISPF_OK;
}

/* The file's last line is cut short (a process killed in the middle of a write: the
 * kernel may stop a write between pages on SIGKILL). */
static bool boardlog_ends_cut(struct boardlog *l)
{
    struct stat st;
    char last = '\n';
    if (!l->can_read || fstat(l->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
        return false;
    return pread(l->fd, &last, 1, st.st_size - 1) == 1 && last != '\n';
}

/* Under the flock at open: the header of a new CSV file, the header check of an old one. */
static int boardlog_prepare(struct boardlog *l, struct ispf_error *err)
{
    struct stat st;
    if (fstat(l->fd, &st) != 0)
        return ispf_fail(err, ISPF_E_IO, "cannot open %s: %s", l->path, strerror(errno));
    if (!S_ISREG(st.st_mode) || l->jsonl)
        return ISPF_OK; /* a pipe or /dev/null: just write */
    if (st.st_size == 0)
        return boardlog_write(l, boardlog_header, strlen(boardlog_header), err);
    char head[sizeof boardlog_header];
    ssize_t n = l->can_read ? pread(l->fd, head, sizeof head - 1, 0) : 0;
    if (n < 0)
        return ispf_fail(err, ISPF_E_IO, "cannot read %s: %s", l->path, strerror(errno));
    head[n] = '\0';
    if (l->can_read && strcmp(head, boardlog_header) != 0)
        return ispf_fail(err, ISPF_E_INPUT,
                         "%s: not an ispflash board log (its first line is not the header "
                         "\"time,board,...,seconds\"): name a new file",
                         l->path);
    return ISPF_OK;
}

/* The directory entry of a new file is on disk. */
static void boardlog_sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
             slash ? path : ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

void boardlog_close(struct boardlog *l)
{
    if (l == NULL)
        return;
    if (l->fd >= 0)
        close(l->fd);
    pthread_mutex_destroy(&l->mu);
    free(l->path);
    free(l);
}

int boardlog_open(struct boardlog **out, const char *path, struct ispf_error *err)
{
    *out = NULL;
    struct boardlog *l = calloc(1, sizeof *l);
    if (l == NULL || (l->path = strdup(path)) == NULL) {
        free(l);
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    }
    pthread_mutex_init(&l->mu, NULL);
    size_t n = strlen(path);
    l->jsonl = n >= 6 && strcmp(path + n - 6, ".jsonl") == 0;
    bool existed = access(path, F_OK) == 0;
    l->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    l->can_read = l->fd >= 0;
    if (l->fd < 0 && errno == EACCES) /* a write-only file: no header check */
        l->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (l->fd < 0) {
        int rc = ispf_fail(err, ISPF_E_IO, "cannot open %s: %s", path, strerror(errno));
        boardlog_close(l);
        return rc;
    }
    int rc = boardlog_flock(l, err);
    if (rc == ISPF_OK) {
        rc = boardlog_prepare(l, err);
        flock(l->fd, LOCK_UN);
    }
    if (rc) {
        boardlog_close(l);
        return rc;
    }
    if (!existed)
        boardlog_sync_dir(path);
    *out = l;
    return ISPF_OK;
}

int boardlog_append(struct boardlog *l, const struct boardlog_record *r, struct ispf_error *err)
{
    struct blbuf b = {0};
    blbuf_put(&b, "\n", 1); /* sent only after a line cut short */
    if (l->jsonl) {
        struct json j;
        json_init(&j);
        boardlog_json(&j, r);
        if (json_text(&j) == NULL)
            b.failed = true;
        else
            blbuf_put(&b, json_text(&j), j.len);
        blbuf_put(&b, "\n", 1);
        json_free(&j);
    } else
        boardlog_csv(&b, r);
    if (b.failed) {
        free(b.s);
        return ispf_fail(err, ISPF_E_NOMEM, "cannot write %s: out of memory", l->path);
    }
    pthread_mutex_lock(&l->mu);
    int rc = boardlog_flock(l, err);
    if (rc == ISPF_OK) {
        size_t skip = boardlog_ends_cut(l) ? 0 : 1;
        rc = boardlog_write(l, b.s + skip, b.len - skip, err);
        flock(l->fd, LOCK_UN);
    }
    pthread_mutex_unlock(&l->mu);
    free(b.s);
    return rc;
}

bool boardlog_is_jsonl(const struct boardlog *l)
{
    return l->jsonl;
}
