// SPDX-License-Identifier: GPL-2.0-or-later
#include "base/json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_init(struct json *j)
{
    memset(j, 0, sizeof *j);
}

void json_free(struct json *j)
{
    free(j->buf);
    json_init(j);
}

void json_reset(struct json *j)
{
    char *buf = j->buf;
    size_t cap = j->cap;
    json_init(j);
    j->buf = buf;
    j->cap = cap;
    if (buf != NULL)
        buf[0] = '\0';
}

static void json_put(struct json *j, const char *s, size_t n)
{
    if (j->failed)
        return;
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap : 256;
        while (j->len + n + 1 > cap)
            cap *= 2;
        char *nb = realloc(j->buf, cap);
        if (nb == NULL) {
            j->failed = true;
            return;
        }
        j->buf = nb;
        j->cap = cap;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void json_puts(struct json *j, const char *s)
{
    json_put(j, s, strlen(s));
}

/* Before a value: the comma, and the checks that a value may come here. */
static bool json_value_start(struct json *j)
{
    if (j->failed)
        return false;
    if (j->depth == 0) {
        if (j->done) /* a second top-level value */
            j->failed = true;
        return !j->failed;
    }
    if (j->kind[j->depth - 1] == 'o') {
        if (!j->want_value)
            j->failed = true;
        j->want_value = false;
        return !j->failed;
    }
    if (!j->first[j->depth - 1])
        json_put(j, ",", 1);
    j->first[j->depth - 1] = false;
    return !j->failed;
}

/* After a scalar or a closed container. */
static void json_value_end(struct json *j)
{
    if (j->depth == 0)
        j->done = true;
}

static void json_open(struct json *j, char kind)
{
    if (!json_value_start(j))
        return;
    if (j->depth == JSON_MAX_DEPTH) {
        j->failed = true;
        return;
    }
    json_put(j, kind == 'o' ? "{" : "[", 1);
    j->kind[j->depth] = kind;
    j->first[j->depth] = true;
    j->depth++;
}

static void json_close(struct json *j, char kind)
{
    if (j->failed)
        return;
    if (j->depth == 0 || j->kind[j->depth - 1] != kind || j->want_value) {
        j->failed = true;
        return;
    }
    j->depth--;
    json_put(j, kind == 'o' ? "}" : "]", 1);
    json_value_end(j);
}

void json_obj_begin(struct json *j)
{
    json_open(j, 'o');
}

void json_obj_end(struct json *j)
{
    json_close(j, 'o');
}

void json_arr_begin(struct json *j)
{
    json_open(j, 'a');
}

void json_arr_end(struct json *j)
{
    json_close(j, 'a');
}

/* Length of the valid UTF-8 sequence starting at s[0] (a byte >= 0x80), or 0. */
static size_t json_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char b = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (b >= 0xc2 && b <= 0xdf)
        len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
        len = 3;
        lo = b == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
        hi = b == 0xed ? 0x9f : 0xbf; /* no surrogates */
    } else if (b >= 0xf0 && b <= 0xf4) {
        len = 4;
        lo = b == 0xf0 ? 0x90 : 0x80;
        hi = b == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

static void json_string(struct json *j, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    json_put(j, "\"", 1);
    size_t run = 0; /* bytes s[i-run..i) to copy as they are */
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t seq = c < 0x80 ? 1 : json_utf8_len(s + i, n - i);
        bool plain = (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') || seq > 1;
        if (plain) {
            run += seq;
            i += seq;
            continue;
        }
        json_put(j, str + i - run, run);
        run = 0;
        char esc[8];
        if (c == '"' || c == '\\')
            snprintf(esc, sizeof esc, "\\%c", c);
        else if (c == '\n' || c == '\r' || c == '\t')
            snprintf(esc, sizeof esc, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
        else if (c < 0x80)
            snprintf(esc, sizeof esc, "\\u%04x", c);
        else
            snprintf(esc, sizeof esc, "\\ufffd");
        json_puts(j, esc);
        i++;
    }
    json_put(j, str + n - run, run);
    json_put(j, "\"", 1);
}

void json_key(struct json *j, const char *k)
{
    if (j->failed)
        return;
    if (j->depth == 0 || j->kind[j->depth - 1] != 'o' || j->want_value || k == NULL) {
        j->failed = true;
        return;
    }
    if (!j->first[j->depth - 1])
        json_put(j, ",", 1);
    j->first[j->depth - 1] = false;
    json_string(j, k, strlen(k));
    json_put(j, ":", 1);
    j->want_value = true;
}

void json_strn(struct json *j, const char *s, size_t len)
{
    if (!json_value_start(j))
        return;
    json_string(j, s, len);
    json_value_end(j);
}

void json_str(struct json *j, const char *s)
{
    if (s == NULL)
        json_null(j);
    else
        json_strn(j, s, strlen(s));
}

static void json_raw_value(struct json *j, const char *text)
{
    if (!json_value_start(j))
        return;
    json_puts(j, text);
    json_value_end(j);
}

void json_int(struct json *j, long long v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", v);
    json_raw_value(j, b);
}

void json_uint(struct json *j, unsigned long long v)
{
    char b[32];
    snprintf(b, sizeof b, "%llu", v);
    json_raw_value(j, b);
}

void json_num(struct json *j, double v)
{
    if (!isfinite(v)) {
        json_null(j);
        return;
    }
    char b[40];
    snprintf(b, sizeof b, "%.15g", v);
    for (char *p = b; *p; p++)
        if (*p == ',') /* a locale with a decimal comma */
            *p = '.';
    json_raw_value(j, b);
}

void json_bool(struct json *j, bool v)
{
    json_raw_value(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
    json_raw_value(j, "null");
}

const char *json_text(const struct json *j)
{
    if (j->failed)
        return NULL;
    return j->buf ? j->buf : "";
}

bool json_complete(const struct json *j)
{
    return !j->failed && j->done && j->depth == 0;
}
