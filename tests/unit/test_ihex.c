// SPDX-License-Identifier: GPL-2.0-or-later
/* Intel HEX reader and writer: features, every error class, the malformed
 * corpus (tests/data/malformed) and the real files (tests/data/real). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "ispflash/image.h"

static const char *data_dir(void)
{
    const char *d = getenv("ISPF_TEST_DATA");
    return d && *d ? d : "tests/data";
}

static int parse(struct image *img, const char *text, struct ispf_error *err)
{
    ispf_error_clear(err);
    return ihex_parse(img, text, strlen(text), "t.hex", err);
}

/* Parse text that must fail: check code, "t.hex:LINE: " prefix and key words. */
static void expect_error(const char *text, unsigned line, const char *kw1, const char *kw2)
{
    struct image img;
    struct ispf_error err;
    char prefix[64];
    image_init(&img);
    int rc = parse(&img, text, &err);
    if (rc != ISPF_E_INPUT)
        fail_msg("expected ISPF_E_INPUT for:\n%s\ngot %d (%s)", text, rc, err.msg);
    snprintf(prefix, sizeof prefix, "t.hex:%u: ", line);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0)
        fail_msg("message '%s' does not start with '%s'", err.msg, prefix);
    if (kw1 && !strstr(err.msg, kw1))
        fail_msg("message '%s' lacks '%s'", err.msg, kw1);
    if (kw2 && !strstr(err.msg, kw2))
        fail_msg("message '%s' lacks '%s'", err.msg, kw2);
    image_free(&img);
}

/* ---- reader ---- */

static void test_parse_basic(void **state)
{
    (void)state;
    struct image img;
    struct ispf_error err;
    image_init(&img);
    assert_int_equal(parse(&img,
                           ":10000000101112131415161718191A1B1C1D1E1F78\n"
                           ":03002000AABBCCAC\n"
                           ":00000001FF\n",
                           &err),
                     ISPF_OK);
    assert_int_equal(img.count, 19);
    assert_int_equal(image_start(&img), 0);
    assert_int_equal(img.end, 0x23);
    assert_int_equal(image_get(&img, 0x0F, 0), 0x1F);
    assert_false(image_has(&img, 0x10));
    assert_false(image_has(&img, 0x1F));
    assert_int_equal(image_get(&img, 0x20, 0), 0xAA);
    assert_int_equal(image_get(&img, 0x22, 0), 0xCC);
    image_free(&img);
}

static void test_parse_crlf_lowercase_equal(void **state)
{
    (void)state;
    struct image a, b, c;
    struct ispf_error err;
    image_init(&a);
    image_init(&b);
    image_init(&c);
    assert_int_equal(parse(&a,
                           ":020000040001F9\n:10000000ABCDEF0123456789ABCDEF012345678970\n"
                           ":00000001FF\n",
                           &err),
                     ISPF_OK);
    assert_int_equal(parse(&b,
                           ":020000040001f9\r\n:10000000abcdef0123456789abcdef012345678970\r\n"
                           ":00000001ff\r\n",
                           &err),
                     ISPF_OK);
    /* Mixed case, no newline after EOF, trailing blanks. */
    assert_int_equal(parse(&c,
                           ":020000040001F9 \n:10000000aBcDeF0123456789AbCdEf012345678970\t\r\n"
                           ":00000001Ff",
                           &err),
                     ISPF_OK);
    assert_true(image_equal(&a, &b));
    assert_true(image_equal(&a, &c));
    assert_int_equal(image_start(&a), 0x10000);
    assert_int_equal(image_get(&a, 0x10000, 0), 0xAB);
    image_free(&a);
    image_free(&b);
    image_free(&c);
}

static void test_parse_start_records_ignored(void **state)
{
    (void)state;
    struct image img;
    struct ispf_error err;
    image_init(&img);
    assert_int_equal(parse(&img,
                           ":040000030000700089\n:0100000042BD\n"
                           ":0400000500007000872\n" /* odd digits: must fail */
                           ":00000001FF\n",
                           &err),
                     ISPF_E_INPUT);
    assert_int_equal(parse(&img,
                           ":0400000300007000"
                           "89\n:0100000042BD\n:04000005000070008"
                           "7\n"
                           ":00000001FF\n",
                           &err),
                     ISPF_OK);
    assert_int_equal(img.count, 1);
    assert_int_equal(img.end, 1);
    assert_int_equal(image_get(&img, 0, 0), 0x42);
    image_free(&img);
}

static void test_parse_linear_above_64k(void **state)
{
    (void)state;
    /* AT90USB1286 bootloader: 04 record 0x0001, data at offset 0xE000 -> 0x1E000. */
    struct image img;
    struct ispf_error err;
    image_init(&img);
    assert_int_equal(parse(&img,
                           ":020000040001F9\n:04E000000C94D2F0BA\n:020000040000FA\n"
                           ":0200100055AAEF\n:00000001FF\n",
                           &err),
                     ISPF_OK);
    assert_int_equal(img.count, 6);
    assert_int_equal(image_start(&img), 0x10);
    assert_int_equal(img.end, 0x1E004);
    assert_int_equal(image_get(&img, 0x1E000, 0), 0x0C);
    assert_int_equal(image_get(&img, 0x1E003, 0), 0xF0);
    assert_int_equal(image_get(&img, 0x11, 0), 0xAA);
    assert_false(image_has(&img, 0xE000));
    image_free(&img);
}

static void test_parse_segment_above_64k(void **state)
{
    (void)state;
    /* 02 record 0x1E00 -> base 0x1E000; a later 02 record 0xF000 -> 0xF0000. */
    struct image img;
    struct ispf_error err;
    image_init(&img);
    assert_int_equal(parse(&img,
                           ":020000021E00DE\n:04000000DEADBEEFC4\n:02000002F0000C\n"
                           ":01FFF00011FF\n:00000001FF\n",
                           &err),
                     ISPF_OK);
    assert_int_equal(img.count, 5);
    assert_int_equal(image_get(&img, 0x1E000, 0), 0xDE);
    assert_int_equal(image_get(&img, 0x1E003, 0), 0xEF);
    assert_int_equal(image_get(&img, 0xFFFF0, 0), 0x11);
    assert_int_equal(img.end, 0xFFFF1);
    image_free(&img);
}

static void test_parse_record_continues_past_64k_linear(void **state)
{
    (void)state;
    /* Without 02 addressing, srec_cat and objcopy both continue into the next 64 KiB. */
    struct image img;
    struct ispf_error err;
    image_init(&img);
    assert_int_equal(parse(&img, ":04FFFE0001020304F5\n:00000001FF\n", &err), ISPF_OK);
    assert_int_equal(image_get(&img, 0xFFFE, 0), 1);
    assert_int_equal(image_get(&img, 0x10001, 0), 4);
    assert_int_equal(img.count, 4);
    image_free(&img);
}

static void test_parse_blank_lines_and_duplicates(void **state)
{
    (void)state;
    struct image img;
    struct ispf_error err;
    image_init(&img);
    /* Identical data twice for one address is fine; blank lines after EOF too. */
    assert_int_equal(parse(&img, ":0100000042BD\n\n:0100000042BD\n:00000001FF\n\n\r\n  \n", &err),
                     ISPF_OK);
    assert_int_equal(img.count, 1);
    /* A record of length 0 is accepted and writes nothing. */
    assert_int_equal(parse(&img, ":00001000F0\n:00000001FF\n", &err), ISPF_OK);
    assert_true(image_empty(&img));
    image_free(&img);
}

static void test_parse_utf8_bom(void **state)
{
    (void)state;
    struct image img;
    struct ispf_error err;
    image_init(&img);
    assert_int_equal(parse(&img, "\xEF\xBB\xBF:0100000042BD\r\n:00000001FF\r\n", &err), ISPF_OK);
    assert_int_equal(img.count, 1);
    /* Line numbers still count from the first line. */
    expect_error("\xEF\xBB\xBF:0100000042BD\n:0100000042BC\n", 2, "bad checksum", NULL);
    /* A BOM anywhere else is an error. */
    expect_error(":0100000042BD\n\xEF\xBB\xBF:00000001FF\n", 2, "missing start code", "0xEF");
    image_free(&img);
}

static void test_parse_clears_previous_content(void **state)
{
    (void)state;
    struct image img;
    struct ispf_error err;
    image_init(&img);
    assert_int_equal(image_set(&img, 0x500, 7, &err), ISPF_OK);
    assert_int_equal(parse(&img, ":0100000042BD\n:00000001FF\n", &err), ISPF_OK);
    assert_int_equal(img.count, 1);
    assert_false(image_has(&img, 0x500));
    image_free(&img);
}

static void test_parse_errors_inline(void **state)
{
    (void)state;
    expect_error(":0100000042BC\n:00000001FF\n", 1, "bad checksum", "expected 0xBD, found 0xBC");
    expect_error(":0200000042BC\n:00000001FF\n", 1, "length field", NULL);
    expect_error(":0100000042BD\n0100000042BD\n:00000001FF\n", 2, "missing start code", NULL);
    expect_error(":01000000x2BD\n", 1, "non-hex character 'x'", "column 10");
    expect_error(":0100000042B\n:00000001FF\n", 1, "odd number of hex digits", NULL);
    expect_error(":0100000742B6\n:00000001FF\n", 1, "unknown record type 07", NULL);
    expect_error(":0100000042BD\n\n", 1, "missing end-of-file record", "line 1");
    expect_error("", 1, "empty", "end-of-file");
    expect_error(":00000001FF\n:0100000042BD\n", 2, "data after the end-of-file record", "line 1");
    expect_error(":0100100042AD\n:0100100043AC\n:00000001FF\n", 2, "address 0x0010",
                 "line 1 already gave 0x42");
    expect_error(":020000040100F9\n:0100000042BD\n:00000001FF\n", 2, "0x1000000", "beyond");
    expect_error(":03000004000100F8\n:00000001FF\n", 1, "type 04", "length 2");
    expect_error(":03000002000100FA\n:00000001FF\n", 1, "type 02", "length 2");
    expect_error(":020000021000EC\n:04FFFE0001020304F5\n:00000001FF\n", 2, "0xFFFF", "segment");
}

/* ---- malformed corpus ---- */

struct malformed_case {
    const char *file;
    unsigned line;
    const char *kw[3];
};

static const struct malformed_case malformed_cases[] = {
    {"bad_checksum.hex", 2, {"bad checksum", "expected 0x68", "found 0x00"}},
    {"length_mismatch.hex", 2, {"length field", "16", "15"}},
    {"nonhex_char.hex", 3, {"non-hex character", "'G'", "column 20"}},
    {"odd_digits.hex", 2, {"odd number of hex digits", "41", NULL}},
    {"missing_colon.hex", 2, {"missing start code", "':'", NULL}},
    {"missing_colon_first_line.hex", 1, {"missing start code", "':'", NULL}},
    {"leading_space.hex", 2, {"missing start code", "space", NULL}},
    {"unknown_type.hex", 2, {"unknown record type", "06", NULL}},
    {"missing_eof.hex", 2, {"missing end-of-file record", "line 2", NULL}},
    {"data_after_eof.hex", 4, {"data after the end-of-file record", "line 3", NULL}},
    {"conflict.hex", 3, {"conflicting data", "address 0x0015", "line 2"}},
    {"conflict_ela.hex", 5, {"conflicting data", "address 0x10002", "line 2"}},
    {"beyond_max.hex", 2, {"address 0x1000000", "beyond", "16 MiB"}},
    {"beyond_max_partial.hex", 2, {"address 0x1000000", "beyond", NULL}},
    {"bad_ela_length.hex", 1, {"extended linear address", "length 2", "not 4"}},
    {"bad_esa_length.hex", 1, {"extended segment address", "length 2", "not 1"}},
    {"bad_sla_length.hex", 2, {"start linear address", "length 4", "not 2"}},
    {"bad_ssa_length.hex", 2, {"start segment address", "length 4", "not 3"}},
    {"eof_with_data.hex", 2, {"end-of-file record", "length 0", "not 1"}},
    {"short_record.hex", 2, {"too short", NULL, NULL}},
    {"colon_only.hex", 3, {"too short", NULL, NULL}},
    {"segment_wrap.hex", 2, {"0xFFFF", "segment", NULL}},
    {"nul_byte.hex", 2, {"non-hex character", "0x00", "column 16"}},
    {"space_inside.hex", 2, {"non-hex character", "space", "column 10"}},
    {"crlf_bad_checksum.hex", 3, {"bad checksum", "expected 0x58", "found 0x12"}},
    {"truncated.hex", 3, {"length field", "16", "holds 7"}},
    {"lowercase_bad_checksum.hex", 2, {"bad checksum", "found 0xAB", NULL}},
    {"double_eof.hex", 4, {"data after the end-of-file record", "line 3", NULL}},
    {"empty.hex", 1, {"empty", NULL, NULL}},
    {"blank_only.hex", 3, {"empty", NULL, NULL}},
};

static void check_malformed_message(const char *path, const struct malformed_case *c,
                                    const struct ispf_error *err)
{
    char prefix[1200];
    snprintf(prefix, sizeof prefix, "%s:%u: ", path, c->line);
    if (strncmp(err->msg, prefix, strlen(prefix)) != 0)
        fail_msg("%s: message '%s' does not start with '%s'", c->file, err->msg, prefix);
    for (int k = 0; k < 3; k++)
        if (c->kw[k] && !strstr(err->msg, c->kw[k]))
            fail_msg("%s: message '%s' lacks '%s'", c->file, err->msg, c->kw[k]);
}

static void test_malformed_corpus(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof malformed_cases / sizeof *malformed_cases; i++) {
        const struct malformed_case *c = &malformed_cases[i];
        char path[1024];
        struct image img;
        struct ispf_error err;
        snprintf(path, sizeof path, "%s/malformed/%s", data_dir(), c->file);
        image_init(&img);

        /* Explicit Intel HEX. */
        ispf_error_clear(&err);
        int rc = image_load(&img, path, IMAGE_FMT_IHEX, NULL, &err);
        if (rc != ISPF_E_INPUT)
            fail_msg("%s: expected ISPF_E_INPUT, got %d (%s)", c->file, rc, err.msg);
        assert_int_equal(err.code, ISPF_E_INPUT);
        check_malformed_message(path, c, &err);

        /* Auto-detection must not turn a damaged HEX file into raw binary. */
        enum image_format det = IMAGE_FMT_RAW;
        ispf_error_clear(&err);
        rc = image_load(&img, path, IMAGE_FMT_AUTO, &det, &err);
        if (rc != ISPF_E_INPUT)
            fail_msg("%s (auto): expected ISPF_E_INPUT, got %d (%s)", c->file, rc, err.msg);
        if (strcmp(c->file, "empty.hex") != 0 && strcmp(c->file, "blank_only.hex") != 0) {
            assert_int_equal(det, IMAGE_FMT_IHEX);
            check_malformed_message(path, c, &err);
        } else {
            char prefix[1100];
            snprintf(prefix, sizeof prefix, "%s:1: ", path);
            assert_memory_equal(err.msg, prefix, strlen(prefix));
            assert_non_null(strstr(err.msg, "empty"));
        }
        image_free(&img);
    }
}

/* Every file in the corpus has an expectation (and every expectation a file). */
static void test_malformed_corpus_complete(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/malformed", data_dir());
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    size_t files = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        files++;
        bool found = false;
        for (size_t i = 0; i < sizeof malformed_cases / sizeof *malformed_cases; i++)
            found |= strcmp(malformed_cases[i].file, e->d_name) == 0;
        if (!found)
            fail_msg("tests/data/malformed/%s has no entry in malformed_cases[]", e->d_name);
    }
    closedir(d);
    assert_int_equal(files, sizeof malformed_cases / sizeof *malformed_cases);
}

/* ---- real files ---- */

static void test_real_files_parse_and_round_trip(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/real", data_dir());
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    unsigned n = 0;
    bool above_64k = false;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".hex") != 0)
            continue;
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct image img, back;
        struct ispf_error err;
        enum image_format det = IMAGE_FMT_RAW;
        image_init(&img);
        image_init(&back);
        ispf_error_clear(&err);
        if (image_load(&img, path, IMAGE_FMT_AUTO, &det, &err) != ISPF_OK)
            fail_msg("%s: %s", path, err.msg);
        assert_int_equal(det, IMAGE_FMT_IHEX);
        assert_false(image_empty(&img));
        above_64k |= img.end > 0x10000;

        /* The same file in lower case and with the other line ending reads the same. */
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        char *orig = malloc(1 << 20), *variant = malloc(2 << 20);
        assert_non_null(orig);
        assert_non_null(variant);
        size_t olen = fread(orig, 1, 1 << 20, f);
        fclose(f);
        bool crlf = memchr(orig, '\r', olen) != NULL;
        size_t vlen = 0;
        for (size_t i = 0; i < olen; i++) {
            char c = orig[i];
            if (c == '\r')
                continue;
            if (c == '\n' && !crlf)
                variant[vlen++] = '\r';
            variant[vlen++] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
        }
        assert_true(vlen != olen);
        assert_int_equal(ihex_parse(&back, variant, vlen, "variant", &err), ISPF_OK);
        if (!image_equal(&img, &back))
            fail_msg("%s: lower-case/%s variant reads differently", path, crlf ? "LF" : "CRLF");
        free(orig);
        free(variant);

        char *text;
        size_t len;
        assert_int_equal(ihex_format(&img, &text, &len, &err), ISPF_OK);
        assert_int_equal(strlen(text), len);
        assert_int_equal(ihex_parse(&back, text, len, "written", &err), ISPF_OK);
        if (!image_equal(&img, &back))
            fail_msg("%s: writer output reads back differently", path);
        free(text);
        image_free(&img);
        image_free(&back);
        n++;
    }
    closedir(d);
    assert_true(n >= 20);
    assert_true(above_64k);
}

/* ---- writer ---- */

static char *format(const struct image *img)
{
    char *text;
    size_t len;
    struct ispf_error err;
    ispf_error_clear(&err);
    assert_int_equal(ihex_format(img, &text, &len, &err), ISPF_OK);
    assert_int_equal(strlen(text), len);
    return text;
}

static void test_write_empty(void **state)
{
    (void)state;
    struct image img;
    image_init(&img);
    char *t = format(&img);
    assert_string_equal(t, ":00000001FF\n");
    free(t);
}

static void test_write_exact(void **state)
{
    (void)state;
    struct image img;
    struct ispf_error err;
    image_init(&img);
    for (unsigned i = 0; i < 17; i++)
        assert_int_equal(image_set(&img, 0x100 + i, (uint8_t)i, &err), ISPF_OK);
    assert_int_equal(image_set(&img, 0x200, 0x42, &err), ISPF_OK); /* after a hole */
    char *t = format(&img);
    assert_string_equal(t, ":10010000000102030405060708090A0B0C0D0E0F77\n"
                           ":0101100010DE\n"
                           ":0102000042BB\n"
                           ":00000001FF\n");
    free(t);
    image_free(&img);
}

static void test_write_above_64k(void **state)
{
    (void)state;
    struct image img, back;
    struct ispf_error err;
    image_init(&img);
    image_init(&back);
    /* A run from 0xFFF8 to 0x10007 must be split at the boundary, with an 04 record. */
    for (uint32_t a = 0xFFF8; a < 0x10008; a++)
        assert_int_equal(image_set(&img, a, (uint8_t)a, &err), ISPF_OK);
    /* and data at 0x1E000 (same 64 KiB page as 0x10000: no second 04 record) */
    assert_int_equal(image_set(&img, 0x1E000, 0x0C, &err), ISPF_OK);
    /* and data at 0x20000 (new 04 record) */
    assert_int_equal(image_set(&img, 0x20000, 0x94, &err), ISPF_OK);
    char *t = format(&img);
    assert_string_equal(t, ":08FFF800F8F9FAFBFCFDFEFF25\n"
                           ":020000040001F9\n"
                           ":080000000001020304050607DC\n"
                           ":01E000000C13\n"
                           ":020000040002F8\n"
                           ":01000000946B\n"
                           ":00000001FF\n");
    assert_int_equal(ihex_parse(&back, t, strlen(t), "w", &err), ISPF_OK);
    assert_true(image_equal(&img, &back));
    free(t);
    image_free(&img);
    image_free(&back);
}

static void test_write_large_dense(void **state)
{
    (void)state;
    /* 256 KiB dense image: 16-byte records, an 04 record every 64 KiB, reads back. */
    struct image img, back;
    struct ispf_error err;
    image_init(&img);
    image_init(&back);
    for (uint32_t a = 0; a < 0x40000; a++)
        assert_int_equal(image_set(&img, a, (uint8_t)(a * 7 + (a >> 8)), &err), ISPF_OK);
    char *t = format(&img);
    unsigned lines = 0, ela = 0;
    for (const char *p = t; *p; p = strchr(p, '\n') + 1) {
        lines++;
        if (strncmp(p, ":02000004", 9) == 0)
            ela++;
        else if (strncmp(p, ":00000001FF", 11) != 0)
            assert_memory_equal(p, ":10", 3);
    }
    assert_int_equal(ela, 3);
    assert_int_equal(lines, 0x40000 / 16 + 3 + 1);
    assert_int_equal(ihex_parse(&back, t, strlen(t), "w", &err), ISPF_OK);
    assert_true(image_equal(&img, &back));
    free(t);
    image_free(&img);
    image_free(&back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_basic),
        cmocka_unit_test(test_parse_crlf_lowercase_equal),
        cmocka_unit_test(test_parse_start_records_ignored),
        cmocka_unit_test(test_parse_linear_above_64k),
        cmocka_unit_test(test_parse_segment_above_64k),
        cmocka_unit_test(test_parse_record_continues_past_64k_linear),
        cmocka_unit_test(test_parse_blank_lines_and_duplicates),
        cmocka_unit_test(test_parse_utf8_bom),
        cmocka_unit_test(test_parse_clears_previous_content),
        cmocka_unit_test(test_parse_errors_inline),
        cmocka_unit_test(test_malformed_corpus),
        cmocka_unit_test(test_malformed_corpus_complete),
        cmocka_unit_test(test_real_files_parse_and_round_trip),
        cmocka_unit_test(test_write_empty),
        cmocka_unit_test(test_write_exact),
        cmocka_unit_test(test_write_above_64k),
        cmocka_unit_test(test_write_large_dense),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
