/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small streaming JSON writer (RFC 8259) into a growable buffer, for --json and the
 * JSON Lines board log. The writer puts the commas and colons; the output is compact
 * (no spaces, no newlines), so one document is one line.
 *
 * Strings: '"' and '\\' are escaped, \n \r \t as those two-character escapes and every
 * other control character (below 0x20, and 0x7f) as \u00XX; valid UTF-8 is passed
 * through unchanged; each byte that is not part of a valid UTF-8 sequence (stray
 * continuation byte, truncated sequence, overlong form, surrogate, above U+10FFFF) is
 * replaced by \ufffd.
 *
 * Out of memory, nesting deeper than JSON_MAX_DEPTH, or a call out of place (a value
 * where a key is due, a key outside an object, an end without a begin) sets `failed`;
 * from then on every call does nothing and json_text returns NULL.
 */
#ifndef ISPFLASH_JSON_H
#define ISPFLASH_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 32

struct json {
    char *buf;  /* NUL-terminated text so far (NULL before the first output) */
    size_t len; /* bytes in buf, without the NUL */
    size_t cap;
    int depth;                  /* open containers */
    char kind[JSON_MAX_DEPTH];  /* 'o' object, 'a' array, per level */
    bool first[JSON_MAX_DEPTH]; /* no member written yet at that level */
    bool want_value;            /* a key was written, its value is due */
    bool done;                  /* a complete top-level value was written */
    bool failed;
};

void json_init(struct json *j);
void json_free(struct json *j);
/* Empty the buffer (kept allocated) to write the next document, e.g. the next JSON line. */
void json_reset(struct json *j);

void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *k);
/* A string (NULL writes null). */
void json_str(struct json *j, const char *s);
/* A string of len bytes (may hold NUL bytes, written as \u0000). */
void json_strn(struct json *j, const char *s, size_t len);
void json_int(struct json *j, long long v);
void json_uint(struct json *j, unsigned long long v);
/* Shortest of up to 15 significant digits ("1.5", "0.001", "1e+20"); NaN and infinities,
 * which JSON cannot hold, are written as null. */
void json_num(struct json *j, double v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* The text written so far, NUL-terminated ("" when nothing yet); NULL after a failure. */
const char *json_text(const struct json *j);
/* True when the text is one complete JSON value (every container closed). */
bool json_complete(const struct json *j);

#endif
