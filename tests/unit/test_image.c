// SPDX-License-Identifier: GPL-2.0-or-later
/* Sparse image operations and the file formats other than Intel HEX parsing:
 * raw binary, immediate values, S-records, auto-detection, load/save, stdin/stdout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>

#include "ispflash/image.h"

#define TMPDIR_PREFIX "test_image"
#include "unit/tmpdir.h"

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

#define assert_ok(expr)                                                                            \
    do {                                                                                           \
        struct ispf_error *e_ = &err;                                                              \
        ispf_error_clear(e_);                                                                      \
        int rc_ = (expr);                                                                          \
        if (rc_ != ISPF_OK)                                                                        \
            fail_msg("%s failed: %d %s", #expr, rc_, e_->msg);                                     \
    } while (0)

/* ---- sparse image ---- */

static void test_image_basics(void **state)
{
    (void)state;
    struct image img;
    struct ispf_error err;
    image_init(&img);
    assert_true(image_empty(&img));
    assert_int_equal(image_start(&img), 0);
    assert_false(image_has(&img, 0));
    assert_int_equal(image_get(&img, 12345, 0xA5), 0xA5);

    assert_ok(image_set(&img, 0x100, 0x12, &err));
    assert_ok(image_set(&img, 0x100, 0x34, &err)); /* overwrite: still one byte */
    assert_ok(image_set(&img, 0x80, 0x00, &err));
    assert_int_equal(img.count, 2);
    assert_int_equal(img.end, 0x101);
    assert_int_equal(image_start(&img), 0x80);
    assert_int_equal(image_get(&img, 0x100, 0), 0x34);
    assert_int_equal(image_get(&img, 0x80, 0xFF), 0x00);
    assert_int_equal(image_get(&img, 0x81, 0xEE), 0xEE);
    assert_false(image_empty(&img));

    image_clear(&img);
    assert_true(image_empty(&img));
    assert_int_equal(img.end, 0);
    assert_false(image_has(&img, 0x100));
    assert_ok(image_set(&img, 3, 3, &err));
    assert_int_equal(img.count, 1);
    assert_int_equal(image_start(&img), 3);
    image_free(&img);
    assert_null(img.data);
    image_free(&img); /* twice is harmless */
}

static void test_image_limits(void **state)
{
    (void)state;
    struct image img;
    struct ispf_error err;
    uint8_t buf[16] = {0};
    image_init(&img);
    ispf_error_clear(&err);
    assert_int_equal(image_set(&img, IMAGE_MAX_SIZE, 1, &err), ISPF_E_INPUT);
    assert_int_equal(err.code, ISPF_E_INPUT);
    assert_non_null(strstr(err.msg, "0x1000000"));
    assert_int_equal(image_set_range(&img, IMAGE_MAX_SIZE - 8, buf, 16, &err), ISPF_E_INPUT);
    assert_int_equal(image_set_range(&img, 0xFFFFFFF8u, buf, 16, &err), ISPF_E_INPUT);
    assert_true(image_empty(&img));
    /* The very last address is fine. */
    assert_ok(image_set(&img, IMAGE_MAX_SIZE - 1, 7, &err));
    assert_int_equal(img.end, IMAGE_MAX_SIZE);
    assert_ok(image_set_range(&img, IMAGE_MAX_SIZE - 16, buf, 16, &err));
    assert_int_equal(img.count, 16);
    assert_int_equal(image_set_range(&img, 0, buf, 0, &err), ISPF_OK);
    image_free(&img);
}

static void test_image_growth_amortised(void **state)
{
    (void)state;
    /* Growing byte by byte: capacity at most doubles past what is needed, so the
     * number of distinct capacities (reallocations) is logarithmic. */
    struct image img;
    struct ispf_error err;
    image_init(&img);
    unsigned reallocs = 0;
    uint32_t last_cap = 0;
    for (uint32_t a = 0; a < 0x40000; a++) {
        assert_ok(image_set(&img, a, (uint8_t)a, &err));
        if (img.cap != last_cap) {
            reallocs++;
            last_cap = img.cap;
        }
    }
    assert_true(reallocs <= 20);
    assert_true(img.cap >= 0x40000 && img.cap <= 2 * 0x40000);
    assert_int_equal(img.count, 0x40000);
    for (uint32_t a = 0; a < 0x40000; a += 4099)
        assert_int_equal(image_get(&img, a, 0), (uint8_t)a);
    image_free(&img);
}

static void test_image_segments(void **state)
{
    (void)state;
    struct image img;
    struct ispf_error err;
    const uint8_t d[4] = {1, 2, 3, 4};
    image_init(&img);
    uint32_t from = 0, start = 99, len = 99;
    assert_false(image_next_segment(&img, &from, &start, &len));
    assert_ok(image_set_range(&img, 0x10, d, 4, &err));
    assert_ok(image_set_range(&img, 0x14, d, 2, &err)); /* adjacent: same segment */
    assert_ok(image_set(&img, 0x20, 9, &err));
    assert_ok(image_set_range(&img, 0x1FFFE, d, 4, &err));
    assert_true(image_next_segment(&img, &from, &start, &len));
    assert_int_equal(start, 0x10);
    assert_int_equal(len, 6);
    assert_int_equal(from, 0x16);
    assert_true(image_next_segment(&img, &from, &start, &len));
    assert_int_equal(start, 0x20);
    assert_int_equal(len, 1);
    assert_true(image_next_segment(&img, &from, &start, &len));
    assert_int_equal(start, 0x1FFFE);
    assert_int_equal(len, 4);
    assert_false(image_next_segment(&img, &from, &start, &len));
    /* Starting in the middle of a segment returns its remainder. */
    from = 0x12;
    assert_true(image_next_segment(&img, &from, &start, &len));
    assert_int_equal(start, 0x12);
    assert_int_equal(len, 4);

    assert_int_equal(image_count_range(&img, 0, 0x100), 7);
    assert_int_equal(image_count_range(&img, 0x12, 2), 2);
    assert_int_equal(image_count_range(&img, 0x1FFF0, 0x100), 4);
    assert_int_equal(image_count_range(&img, 0x30000, 0x100), 0);
    assert_int_equal(image_count_range(&img, 0x1FFFF, 0xFFFFFFFFu), 3);
    image_free(&img);
}

static void test_image_high_only(void **state)
{
    (void)state;
    /* Bytes only near the top (a multi-memory file's lock section at 0x830000): the
     * lowest address is tracked, segments and counts start there, growth keeps the bytes
     * already held, clearing and setting low again works. */
    struct image img, copy;
    struct ispf_error err;
    const uint8_t d[3] = {0xA1, 0xB2, 0xC3};
    image_init(&img);
    image_init(&copy);
    assert_ok(image_set_range(&img, 0x830000, d, 3, &err));
    assert_int_equal(image_start(&img), 0x830000);
    uint32_t from = 0, start, len;
    assert_true(image_next_segment(&img, &from, &start, &len));
    assert_int_equal(start, 0x830000);
    assert_int_equal(len, 3);
    assert_false(image_next_segment(&img, &from, &start, &len));
    assert_int_equal(image_count_range(&img, 0, 0x1000000), 3);
    assert_ok(image_set(&img, IMAGE_MAX_SIZE - 1, 0x5A, &err)); /* grows: 0x830000 kept */
    assert_int_equal(image_get(&img, 0x830001, 0), 0xB2);
    assert_ok(image_set(&img, 0x10, 0x01, &err)); /* below: start moves down */
    assert_int_equal(image_start(&img), 0x10);
    assert_int_equal(img.count, 5);
    assert_ok(image_put(&copy, &img, 0, &err));
    assert_true(image_equal(&img, &copy));
    image_clear(&copy);
    assert_ok(image_set(&copy, 0x10, 0x01, &err));
    assert_false(image_equal(&img, &copy));
    /* Counts over whole 64 KiB blocks and parts of them. */
    assert_int_equal(image_count_range(&img, 0x820000, 0x20000), 3);
    assert_int_equal(image_count_range(&img, 0x830001, 0x10000), 2);
    assert_int_equal(image_count_range(&img, 0x11, 0x82FFEF), 0);
    /* Trailing 0xFF bytes in a far block go, across the empty blocks, down to 0x10. */
    assert_ok(image_set(&copy, 0x10, 0x01, &err));
    assert_ok(image_set(&copy, 0x9FFFFF, 0xFF, &err));
    assert_ok(image_set(&copy, 0x700000, 0xFF, &err));
    image_trim_ff(&copy);
    assert_int_equal(copy.end, 0x11);
    assert_int_equal(copy.count, 1);
    assert_int_equal(image_count_range(&copy, 0, IMAGE_MAX_SIZE), 1);
    image_clear(&copy);
    image_clear(&img);
    assert_false(image_has(&img, 0x830000));
    assert_false(image_has(&img, 0x10));
    assert_int_equal(image_count_range(&img, 0, 0x1000000), 0);
    assert_ok(image_set(&img, 0x20, 2, &err));
    assert_int_equal(image_start(&img), 0x20);
    assert_int_equal(img.end, 0x21);
    image_free(&img);
    image_free(&copy);
}

static void test_image_trim_ff(void **state)
{
    (void)state;
    struct image img;
    struct ispf_error err;
    image_init(&img);
    const uint8_t d[] = {0x0C, 0xFF, 0x94, 0xFF, 0xFF, 0xFF};
    assert_ok(image_set_range(&img, 0, d, sizeof d, &err));
    assert_ok(image_set(&img, 0x100, 0xFF, &err)); /* after a hole, still trailing 0xFF */
    image_trim_ff(&img);
    assert_int_equal(img.end, 3);
    assert_int_equal(img.count, 3);
    assert_true(image_has(&img, 1)); /* 0xFF in the middle stays */
    assert_false(image_has(&img, 3));
    assert_false(image_has(&img, 0x100));
    image_trim_ff(&img); /* idempotent */
    assert_int_equal(img.end, 3);

    image_clear(&img);
    for (uint32_t a = 0; a < 1000; a++)
        assert_ok(image_set(&img, a, 0xFF, &err));
    image_trim_ff(&img);
    assert_true(image_empty(&img));
    assert_int_equal(img.end, 0);
    image_trim_ff(&img);
    assert_true(image_empty(&img));
    /* Set again after trimming: the trimmed area must not come back. */
    assert_ok(image_set(&img, 500, 1, &err));
    assert_int_equal(img.count, 1);
    assert_int_equal(image_start(&img), 500);
    image_free(&img);
}

static void test_image_equal(void **state)
{
    (void)state;
    struct image a, b;
    struct ispf_error err;
    image_init(&a);
    image_init(&b);
    assert_true(image_equal(&a, &b));
    assert_ok(image_set(&a, 5, 1, &err));
    assert_false(image_equal(&a, &b));
    assert_ok(image_set(&b, 5, 2, &err));
    assert_false(image_equal(&a, &b));
    assert_ok(image_set(&b, 5, 1, &err));
    assert_true(image_equal(&a, &b));
    /* Same bytes, different holes. */
    assert_ok(image_set(&a, 7, 0xFF, &err));
    assert_ok(image_set(&b, 6, 0xFF, &err));
    assert_ok(image_set(&b, 7, 0xFF, &err));
    assert_false(image_equal(&a, &b));
    /* Capacity and history do not matter. */
    image_clear(&b);
    assert_ok(image_set(&b, 0x30000, 0, &err));
    image_clear(&b);
    assert_ok(image_set(&b, 5, 1, &err));
    assert_ok(image_set(&b, 7, 0xFF, &err));
    assert_true(image_equal(&a, &b));
    image_free(&a);
    image_free(&b);
}

/* ---- format names ---- */

static void test_format_letters(void **state)
{
    (void)state;
    assert_int_equal(image_format_from_char('a'), IMAGE_FMT_AUTO);
    assert_int_equal(image_format_from_char('i'), IMAGE_FMT_IHEX);
    assert_int_equal(image_format_from_char('r'), IMAGE_FMT_RAW);
    assert_int_equal(image_format_from_char('m'), IMAGE_FMT_IMMEDIATE);
    assert_int_equal(image_format_from_char('s'), IMAGE_FMT_SREC);
    assert_int_equal(image_format_from_char('x'), -1);
    assert_int_equal(image_format_from_char('e'), IMAGE_FMT_ELF);
    assert_int_equal(image_format_from_char('\0'), -1);
    assert_string_equal(image_format_name(IMAGE_FMT_IHEX), "Intel HEX");
    assert_string_equal(image_format_name(IMAGE_FMT_RAW), "raw binary");
    assert_string_equal(image_format_name(IMAGE_FMT_IMMEDIATE), "immediate");
    assert_string_equal(image_format_name(IMAGE_FMT_SREC), "Motorola S-record");
    assert_string_equal(image_format_name(IMAGE_FMT_AUTO), "auto-detect");
}

/* ---- immediate ---- */

static void expect_immediate(const char *text, const uint8_t *want, uint32_t n)
{
    struct image img;
    struct ispf_error err;
    image_init(&img);
    ispf_error_clear(&err);
    int rc = image_parse_immediate(&img, text, &err);
    if (rc)
        fail_msg("'%s': %s", text, err.msg);
    assert_int_equal(img.count, n);
    assert_int_equal(img.end, n);
    for (uint32_t i = 0; i < n; i++)
        if (image_get(&img, i, 0) != want[i])
            fail_msg("'%s': byte %u is 0x%02X, want 0x%02X", text, i, image_get(&img, i, 0),
                     want[i]);
    image_free(&img);
}

static void expect_immediate_error(const char *text, const char *kw1, const char *kw2)
{
    struct image img;
    struct ispf_error err;
    image_init(&img);
    ispf_error_clear(&err);
    int rc = image_parse_immediate(&img, text, &err);
    if (rc != ISPF_E_INPUT)
        fail_msg("'%s': expected ISPF_E_INPUT, got %d", text, rc);
    if (kw1 && !strstr(err.msg, kw1))
        fail_msg("'%s': message '%s' lacks '%s'", text, err.msg, kw1);
    if (kw2 && !strstr(err.msg, kw2))
        fail_msg("'%s': message '%s' lacks '%s'", text, err.msg, kw2);
    image_free(&img);
}

static void test_immediate(void **state)
{
    (void)state;
    expect_immediate("0x5E", (const uint8_t[]){0x5E}, 1);
    expect_immediate("94,0x1E,0x87", (const uint8_t[]){94, 0x1E, 0x87}, 3);
    expect_immediate("0xff 0XFf 255 0377 0b11111111 0B1",
                     (const uint8_t[]){255, 255, 255, 255, 255, 1}, 6);
    expect_immediate(" 1, 2 ,3\t4\n", (const uint8_t[]){1, 2, 3, 4}, 4);
    expect_immediate("0,00,0x0,0b0", (const uint8_t[]){0, 0, 0, 0}, 4);
    expect_immediate("'A','z' ',' ' '", (const uint8_t[]){'A', 'z', ',', ' '}, 4);
    expect_immediate("'\\n',010", (const uint8_t[]){'\n', 8}, 2);

    expect_immediate_error("", "no values", NULL);
    expect_immediate_error(" , ", "no values", NULL);
    expect_immediate_error("256", "'256'", "does not fit in a byte");
    expect_immediate_error("1,0x100,2", "'0x100'", "does not fit");
    expect_immediate_error("99999999999999999999999", "does not fit", NULL);
    expect_immediate_error("-1", "'-1'", "does not fit");
    expect_immediate_error("0x5G", "'0x5G'", "not a number");
    expect_immediate_error("0x", "'0x'", "not a number");
    expect_immediate_error("0b2", "'0b2'", "not a number");
    expect_immediate_error("09", "'09'", "not a number");
    expect_immediate_error("1,abc", "'abc'", "not a number");
    expect_immediate_error("'ab'", "character", NULL);
}

static void test_immediate_via_load(void **state)
{
    (void)state;
    struct image img;
    struct ispf_error err;
    enum image_format det = IMAGE_FMT_AUTO;
    image_init(&img);
    assert_ok(image_load(&img, "0xde,0xad", IMAGE_FMT_IMMEDIATE, &det, &err));
    assert_int_equal(det, IMAGE_FMT_IMMEDIATE);
    assert_int_equal(img.count, 2);
    assert_int_equal(image_get(&img, 1, 0), 0xAD);
    image_free(&img);
}

/* ---- raw binary ---- */

static void test_raw_load_save(void **state)
{
    (void)state;
    struct image img, back;
    struct ispf_error err;
    image_init(&img);
    image_init(&back);
    const uint8_t bin[] = {0x0C, 0x94, 0x00, 0x3A, 0xFF, 0x0D, 0x0A, 0xFF};
    write_file(tmp_path("in.bin"), bin, sizeof bin);
    enum image_format det = IMAGE_FMT_AUTO;
    assert_ok(image_load(&img, tmp_path("in.bin"), IMAGE_FMT_RAW, &det, &err));
    assert_int_equal(det, IMAGE_FMT_RAW);
    assert_int_equal(img.count, sizeof bin);
    assert_int_equal(image_start(&img), 0);
    assert_int_equal(image_get(&img, 7, 0), 0xFF); /* trailing 0xFF kept on load */

    /* Save from 0 to end, holes as 0xFF. */
    image_clear(&img);
    assert_ok(image_set(&img, 2, 0x11, &err));
    assert_ok(image_set(&img, 5, 0x22, &err));
    assert_ok(image_save(&img, tmp_path("out.bin"), IMAGE_FMT_RAW, &err));
    size_t n;
    char *got = slurp(tmp_path("out.bin"), &n);
    assert_int_equal(n, 6);
    assert_memory_equal(got, "\xFF\xFF\x11\xFF\xFF\x22", 6);
    free(got);

    /* Empty image: empty file; an empty raw file loads as an empty image. */
    image_clear(&img);
    assert_ok(image_save(&img, tmp_path("empty.bin"), IMAGE_FMT_RAW, &err));
    got = slurp(tmp_path("empty.bin"), &n);
    assert_int_equal(n, 0);
    free(got);
    assert_ok(image_load(&back, tmp_path("empty.bin"), IMAGE_FMT_RAW, NULL, &err));
    assert_true(image_empty(&back));
    image_free(&img);
    image_free(&back);
}

static void test_immediate_save(void **state)
{
    (void)state;
    struct image img;
    struct ispf_error err;
    image_init(&img);
    assert_ok(image_set(&img, 0, 0x5E, &err));
    assert_ok(image_set(&img, 1, 0x1E, &err));
    assert_ok(image_save(&img, tmp_path("imm.txt"), IMAGE_FMT_IMMEDIATE, &err));
    size_t n;
    char *got = slurp(tmp_path("imm.txt"), &n);
    assert_string_equal(got, "0x5e,0x1e\n");
    free(got);
    /* Reads back as immediate text. */
    struct image back;
    image_init(&back);
    got = slurp(tmp_path("imm.txt"), &n);
    assert_ok(image_parse_immediate(&back, got, &err));
    assert_true(image_equal(&img, &back));
    free(got);
    image_free(&back);
    image_free(&img);
}

/* ---- Intel HEX through files ---- */

static void test_ihex_save_load(void **state)
{
    (void)state;
    struct image img, back;
    struct ispf_error err;
    image_init(&img);
    image_init(&back);
    for (uint32_t a = 0x1E000; a < 0x1E123; a++)
        assert_ok(image_set(&img, a, (uint8_t)(a ^ 0x5A), &err));
    assert_ok(image_save(&img, tmp_path("o.hex"), IMAGE_FMT_IHEX, &err));
    assert_ok(image_save(&img, tmp_path("o2.hex"), IMAGE_FMT_AUTO, &err)); /* AUTO = IHEX */
    enum image_format det = IMAGE_FMT_RAW;
    assert_ok(image_load(&back, tmp_path("o.hex"), IMAGE_FMT_AUTO, &det, &err));
    assert_int_equal(det, IMAGE_FMT_IHEX);
    assert_true(image_equal(&img, &back));
    assert_ok(image_load(&back, tmp_path("o2.hex"), IMAGE_FMT_IHEX, &det, &err));
    assert_int_equal(det, IMAGE_FMT_IHEX);
    assert_true(image_equal(&img, &back));
    image_free(&img);
    image_free(&back);
}

/* ---- S-records ---- */

static void test_srec_round_trip(void **state)
{
    (void)state;
    struct image img, back;
    struct ispf_error err;
    image_init(&img);
    image_init(&back);
    /* Small image: S1 records. */
    for (uint32_t a = 0x7000; a < 0x7021; a++)
        assert_ok(image_set(&img, a, (uint8_t)a, &err));
    assert_ok(image_set(&img, 0x7100, 1, &err));
    assert_ok(image_save(&img, tmp_path("s.srec"), IMAGE_FMT_SREC, &err));
    size_t n;
    char *t = slurp(tmp_path("s.srec"), &n);
    assert_memory_equal(t, "S0", 2);
    assert_non_null(strstr(t, "\nS1137000"));
    assert_non_null(strstr(t, "\nS5030004F8\n"));
    assert_non_null(strstr(t, "\nS9030000FC\n"));
    free(t);
    enum image_format det = IMAGE_FMT_AUTO;
    assert_ok(image_load(&back, tmp_path("s.srec"), IMAGE_FMT_AUTO, &det, &err));
    assert_int_equal(det, IMAGE_FMT_SREC);
    assert_true(image_equal(&img, &back));
    /* Above 64 KiB: S2 records and S8. */
    assert_ok(image_set(&img, 0x1E000, 0x0C, &err));
    assert_ok(image_save(&img, tmp_path("s2.srec"), IMAGE_FMT_SREC, &err));
    t = slurp(tmp_path("s2.srec"), &n);
    assert_non_null(strstr(t, "\nS2"));
    assert_non_null(strstr(t, "\nS804000000FB\n"));
    free(t);
    assert_ok(image_load(&back, tmp_path("s2.srec"), IMAGE_FMT_SREC, NULL, &err));
    assert_true(image_equal(&img, &back));
    image_free(&img);
    image_free(&back);
}

static void expect_srec_error(const char *text, unsigned line, const char *kw)
{
    struct image img;
    struct ispf_error err;
    char prefix[600];
    image_init(&img);
    write_file(tmp_path("bad.srec"), text, strlen(text));
    ispf_error_clear(&err);
    int rc = image_load(&img, tmp_path("bad.srec"), IMAGE_FMT_SREC, NULL, &err);
    if (rc != ISPF_E_INPUT)
        fail_msg("expected ISPF_E_INPUT for '%s', got %d", text, rc);
    snprintf(prefix, sizeof prefix, "%s:%u: ", tmp_path("bad.srec"), line);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0 || !strstr(err.msg, kw))
        fail_msg("message '%s' (want '%s' and '%s')", err.msg, prefix, kw);
    image_free(&img);
}

static void test_srec_errors(void **state)
{
    (void)state;
    expect_srec_error("S104000042B8\nS9030000FC\n", 1, "bad checksum");
    expect_srec_error("S105000042B9\nS9030000FC\n", 1, "length field");
    expect_srec_error("S104000042B9\nX9030000FC\n", 2, "missing start code");
    expect_srec_error("S104000042B9\nS4030000FC\n", 2, "unknown S-record type");
    expect_srec_error("S10400004ZB9\n", 1, "non-hex character 'Z'");
    expect_srec_error("S104000042B\n", 1, "odd number");
    expect_srec_error("S9030000FC\nS104000042B9\n", 2, "after the termination");
    expect_srec_error("S104000042B9\nS104000043B8\n", 2, "conflicting data");
    expect_srec_error("S104000042B9\nS5030002FA\n", 2, "count record");
}

/* ---- auto-detection ---- */

static enum image_format detect(const void *data, size_t len, int *rc)
{
    struct image img;
    struct ispf_error err;
    enum image_format det = IMAGE_FMT_AUTO;
    image_init(&img);
    write_file(tmp_path("detect"), data, len);
    ispf_error_clear(&err);
    *rc = image_load(&img, tmp_path("detect"), IMAGE_FMT_AUTO, &det, &err);
    image_free(&img);
    return det;
}

static void test_autodetect(void **state)
{
    (void)state;
    int rc;
    const char *hex = "\n\n:0100000042BD\r\n:00000001FF\r\n";
    assert_int_equal(detect(hex, strlen(hex), &rc), IMAGE_FMT_IHEX);
    assert_int_equal(rc, ISPF_OK);
    const char *srec = "S00600004844521B\nS104000042B9\nS9030000FC\n";
    assert_int_equal(detect(srec, strlen(srec), &rc), IMAGE_FMT_SREC);
    assert_int_equal(rc, ISPF_OK);
    const char *bom = "\xEF\xBB\xBF:0100000042BD\r\n:00000001FF\r\n";
    assert_int_equal(detect(bom, strlen(bom), &rc), IMAGE_FMT_IHEX);
    assert_int_equal(rc, ISPF_OK);
    const char *bomsrec = "\xEF\xBB\xBFS104000042B9\nS9030000FC\n";
    assert_int_equal(detect(bomsrec, strlen(bomsrec), &rc), IMAGE_FMT_SREC);
    assert_int_equal(rc, ISPF_OK);
    /* AVR code: a jmp vector table. */
    const uint8_t bin[] = {0x0C, 0x94, 0x34, 0x00, 0x0C, 0x94, 0x51, 0x00};
    assert_int_equal(detect(bin, sizeof bin, &rc), IMAGE_FMT_RAW);
    assert_int_equal(rc, ISPF_OK);
    /* Binary that happens to start with ':' but is not a record. */
    const uint8_t colon_bin[] = {':', 0x00, 0x94, 0xFF};
    assert_int_equal(detect(colon_bin, sizeof colon_bin, &rc), IMAGE_FMT_RAW);
    assert_int_equal(rc, ISPF_OK);
    /* rjmp .+116 (0xC03A) as the first instruction: bytes 3A C0. */
    const uint8_t rjmp_bin[] = {0x3A, 0xC0, 0x39, 0xC0, 0x38, 0xC0, 0x11, 0x24};
    assert_int_equal(detect(rjmp_bin, sizeof rjmp_bin, &rc), IMAGE_FMT_RAW);
    assert_int_equal(rc, ISPF_OK);
    /* HEX whose first line holds a NUL: still HEX, and an error. */
    const char nul1[] = ":10000000\0"
                        "01112131415161718191A1B1C1D1E1F78\n:00000001FF\n";
    assert_int_equal(detect(nul1, sizeof nul1 - 1, &rc), IMAGE_FMT_IHEX);
    assert_int_equal(rc, ISPF_E_INPUT);
    /* Plain text without records: raw. */
    const char *txt = "Hello, EEPROM\n";
    assert_int_equal(detect(txt, strlen(txt), &rc), IMAGE_FMT_RAW);
    assert_int_equal(rc, ISPF_OK);
    /* Damaged HEX stays HEX (and fails), in all its forms. */
    const char *bad1 = ":0100000042BC\n:00000001FF\n";
    assert_int_equal(detect(bad1, strlen(bad1), &rc), IMAGE_FMT_IHEX);
    assert_int_equal(rc, ISPF_E_INPUT);
    const char *bad2 = "0100000042BD\n:00000001FF\n";
    assert_int_equal(detect(bad2, strlen(bad2), &rc), IMAGE_FMT_IHEX);
    assert_int_equal(rc, ISPF_E_INPUT);
    const char bad3[] = ":0100000042BD\n:01000100\0001BD\n:00000001FF\n";
    assert_int_equal(detect(bad3, sizeof bad3 - 1, &rc), IMAGE_FMT_IHEX);
    assert_int_equal(rc, ISPF_E_INPUT);
    const char *bad4 = "garbage\n:0100000042BD\n:00000001FF\n";
    assert_int_equal(detect(bad4, strlen(bad4), &rc), IMAGE_FMT_IHEX);
    assert_int_equal(rc, ISPF_E_INPUT);
    /* Empty: an error, not an empty image. */
    detect("", 0, &rc);
    assert_int_equal(rc, ISPF_E_INPUT);
}

/* ---- errors opening files ---- */

static void test_io_errors(void **state)
{
    (void)state;
    struct image img;
    struct ispf_error err;
    image_init(&img);
    const char *missing = tmp_path("no/such/file.hex");
    ispf_error_clear(&err);
    assert_int_equal(image_load(&img, missing, IMAGE_FMT_AUTO, NULL, &err), ISPF_E_IO);
    assert_non_null(strstr(err.msg, missing));
    assert_non_null(strstr(err.msg, "No such file or directory"));
    ispf_error_clear(&err);
    assert_int_equal(image_load(&img, tmp_path("."), IMAGE_FMT_IHEX, NULL, &err), ISPF_E_IO);
    assert_non_null(strstr(err.msg, "Is a directory"));
    ispf_error_clear(&err);
    assert_int_equal(image_save(&img, missing, IMAGE_FMT_IHEX, &err), ISPF_E_IO);
    assert_non_null(strstr(err.msg, missing));
    assert_non_null(strstr(err.msg, "No such file or directory"));
    image_free(&img);
}

/* ---- stdin / stdout ---- */

static void test_stdin_stdout(void **state)
{
    (void)state;
    struct image img, back;
    struct ispf_error err;
    image_init(&img);
    image_init(&back);
    const char *hex = ":020000040001F9\n:0100000042BD\n:00000001FF\n";
    write_file(tmp_path("stdin.hex"), hex, strlen(hex));

    int saved_in = dup(0);
    int fd = open(tmp_path("stdin.hex"), O_RDONLY);
    assert_true(fd >= 0);
    dup2(fd, 0);
    close(fd);
    enum image_format det = IMAGE_FMT_RAW;
    ispf_error_clear(&err);
    int rc = image_load(&img, "-", IMAGE_FMT_AUTO, &det, &err);
    dup2(saved_in, 0);
    close(saved_in);
    clearerr(stdin);
    assert_int_equal(rc, ISPF_OK);
    assert_int_equal(det, IMAGE_FMT_IHEX);
    assert_int_equal(image_get(&img, 0x10000, 0), 0x42);

    /* Errors name <stdin>. */
    write_file(tmp_path("stdin_bad.hex"), ":0100000042BC\n", 14);
    saved_in = dup(0);
    fd = open(tmp_path("stdin_bad.hex"), O_RDONLY);
    dup2(fd, 0);
    close(fd);
    ispf_error_clear(&err);
    rc = image_load(&back, "-", IMAGE_FMT_IHEX, NULL, &err);
    dup2(saved_in, 0);
    close(saved_in);
    clearerr(stdin);
    assert_int_equal(rc, ISPF_E_INPUT);
    assert_memory_equal(err.msg, "<stdin>:1: ", 11);

    fflush(stdout);
    int saved_out = dup(1);
    fd = open(tmp_path("stdout.hex"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    dup2(fd, 1);
    close(fd);
    ispf_error_clear(&err);
    rc = image_save(&img, "-", IMAGE_FMT_IHEX, &err);
    fflush(stdout);
    dup2(saved_out, 1);
    close(saved_out);
    assert_int_equal(rc, ISPF_OK);
    size_t n;
    char *got = slurp(tmp_path("stdout.hex"), &n);
    assert_string_equal(got, hex);
    free(got);
    image_free(&img);
    image_free(&back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_basics),
        cmocka_unit_test(test_image_limits),
        cmocka_unit_test(test_image_growth_amortised),
        cmocka_unit_test(test_image_segments),
        cmocka_unit_test(test_image_high_only),
        cmocka_unit_test(test_image_trim_ff),
        cmocka_unit_test(test_image_equal),
        cmocka_unit_test(test_format_letters),
        cmocka_unit_test(test_immediate),
        cmocka_unit_test(test_immediate_via_load),
        cmocka_unit_test(test_raw_load_save),
        cmocka_unit_test(test_immediate_save),
        cmocka_unit_test(test_ihex_save_load),
        cmocka_unit_test(test_srec_round_trip),
        cmocka_unit_test(test_srec_errors),
        cmocka_unit_test(test_autodetect),
        cmocka_unit_test(test_io_errors),
        cmocka_unit_test(test_stdin_stdout),
    };
    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
