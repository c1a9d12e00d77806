// SPDX-License-Identifier: GPL-2.0-or-later
/* The JSON writer: structure, commas, escaping, UTF-8 checking, numbers, misuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <limits.h>
#include <math.h>

#include "base/json.h"

/* The JSON of one string value. */
static void check_str(const char *in, size_t len, const char *want)
{
    struct json j;
    json_init(&j);
    json_strn(&j, in, len);
    assert_non_null(json_text(&j));
    assert_string_equal(json_text(&j), want);
    assert_true(json_complete(&j));
    json_free(&j);
}

static void test_structure(void **state)
{
    (void)state;
    struct json j;
    json_init(&j);
    assert_string_equal(json_text(&j), "");
    assert_false(json_complete(&j));
    json_obj_begin(&j);
    json_key(&j, "a");
    json_int(&j, 1);
    json_key(&j, "b");
    json_arr_begin(&j);
    json_bool(&j, true);
    json_bool(&j, false);
    json_null(&j);
    json_arr_begin(&j);
    json_arr_end(&j);
    json_obj_begin(&j);
    json_obj_end(&j);
    json_arr_end(&j);
    json_key(&j, "c");
    json_str(&j, "x");
    json_key(&j, "d");
    json_str(&j, NULL);
    json_key(&j, "e");
    json_obj_begin(&j);
    json_key(&j, "f");
    json_uint(&j, 2);
    json_obj_end(&j);
    assert_false(json_complete(&j));
    json_obj_end(&j);
    assert_true(json_complete(&j));
    assert_string_equal(json_text(&j),
                        "{\"a\":1,\"b\":[true,false,null,[],{}],\"c\":\"x\",\"d\":null,"
                        "\"e\":{\"f\":2}}");
    assert_int_equal(j.len, strlen(json_text(&j)));

    json_reset(&j); /* the next JSON line */
    assert_string_equal(json_text(&j), "");
    json_arr_begin(&j);
    json_int(&j, 3);
    json_arr_end(&j);
    assert_string_equal(json_text(&j), "[3]");
    json_free(&j);
}

static void test_escapes(void **state)
{
    (void)state;
    check_str("", 0, "\"\"");
    check_str("plain text 123", 14, "\"plain text 123\"");
    check_str("\"\\/", 3, "\"\\\"\\\\/\"");
    check_str("a\nb\rc\td", 7, "\"a\\nb\\rc\\td\"");
    check_str("\x01\x08\x0c\x1f\x7f", 5, "\"\\u0001\\u0008\\u000c\\u001f\\u007f\"");
    check_str("a\0b", 3, "\"a\\u0000b\"");
    /* keys are escaped like strings */
    struct json j;
    json_init(&j);
    json_obj_begin(&j);
    json_key(&j, "k\"\n");
    json_int(&j, 0);
    json_obj_end(&j);
    assert_string_equal(json_text(&j), "{\"k\\\"\\n\":0}");
    json_free(&j);
}

static void test_utf8(void **state)
{
    (void)state;
    /* valid: é (2 bytes), € (3), U+FFFF, U+1F600 (4), U+10FFFF: passed through */
    const char *ok = "\xc3\xa9\xe2\x82\xac\xef\xbf\xbf\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf";
    char want[64];
    snprintf(want, sizeof want, "\"%s\"", ok);
    check_str(ok, strlen(ok), want);
    /* each invalid byte becomes \ufffd */
    check_str("a\x80z", 3, "\"a\\ufffdz\"");                              /* stray continuation */
    check_str("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");                       /* overlong '/' */
    check_str("\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\"");            /* overlong, 3 bytes */
    check_str("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");            /* surrogate U+D800 */
    check_str("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
    check_str("\xf5\xff", 2, "\"\\ufffd\\ufffd\"");
    check_str("x\xe2\x82", 3, "\"x\\ufffd\\ufffd\"");    /* truncated at the end */
    check_str("\xe2\x82x", 3, "\"\\ufffd\\ufffdx\"");    /* truncated before ASCII */
    check_str("\xc3\xa9\xc3", 3, "\"\xc3\xa9\\ufffd\""); /* valid, then truncated */
}

static void test_numbers(void **state)
{
    (void)state;
    struct json j;
    json_init(&j);
    json_arr_begin(&j);
    json_int(&j, LLONG_MIN);
    json_int(&j, -1);
    json_uint(&j, ULLONG_MAX);
    json_num(&j, 0.0);
    json_num(&j, 1.5);
    json_num(&j, 12.345);
    json_num(&j, 0.001);
    json_num(&j, 0.1 + 0.2);
    json_num(&j, -2.25);
    json_num(&j, 1e20);
    json_num(&j, NAN);
    json_num(&j, INFINITY);
    json_num(&j, -INFINITY);
    json_arr_end(&j);
    assert_string_equal(json_text(&j), "[-9223372036854775808,-1,18446744073709551615,0,1.5,"
                                       "12.345,0.001,0.3,-2.25,1e+20,null,null,null]");
    json_free(&j);
}

static void test_growth(void **state)
{
    (void)state;
    size_t n = 200000;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'q', n);
    big[n] = '\0';
    struct json j;
    json_init(&j);
    json_arr_begin(&j);
    for (int i = 0; i < 3; i++)
        json_str(&j, big);
    json_arr_end(&j);
    const char *t = json_text(&j);
    assert_non_null(t);
    assert_int_equal(strlen(t), 3 * (n + 2) + 2 + 2);
    assert_int_equal(t[1], '"');
    assert_int_equal(t[n + 2], '"');
    assert_int_equal(t[n + 3], ',');
    free(big);
    json_free(&j);
}

/* Each misuse sets failed; json_text is then NULL and later calls do nothing. */
static void test_misuse(void **state)
{
    (void)state;
    struct json j;
    for (int c = 0; c < 8; c++) {
        json_init(&j);
        switch (c) {
        case 0: /* a value where a key is due */
            json_obj_begin(&j);
            json_int(&j, 1);
            break;
        case 1: /* a key in an array */
            json_arr_begin(&j);
            json_key(&j, "k");
            break;
        case 2: /* the wrong end */
            json_obj_begin(&j);
            json_arr_end(&j);
            break;
        case 3: /* an end without a begin */
            json_obj_end(&j);
            break;
        case 4: /* two top-level values */
            json_int(&j, 1);
            json_int(&j, 2);
            break;
        case 5: /* a key without its value */
            json_obj_begin(&j);
            json_key(&j, "k");
            json_obj_end(&j);
            break;
        case 6: /* two keys in a row */
            json_obj_begin(&j);
            json_key(&j, "k");
            json_key(&j, "l");
            break;
        case 7: /* too deep */
            for (int d = 0; d <= JSON_MAX_DEPTH; d++)
                json_arr_begin(&j);
            break;
        }
        assert_true(j.failed);
        assert_null(json_text(&j));
        json_str(&j, "more");
        assert_null(json_text(&j));
        assert_false(json_complete(&j));
        json_free(&j);
    }
    /* exactly JSON_MAX_DEPTH levels are fine */
    json_init(&j);
    for (int d = 0; d < JSON_MAX_DEPTH; d++)
        json_arr_begin(&j);
    for (int d = 0; d < JSON_MAX_DEPTH; d++)
        json_arr_end(&j);
    assert_true(json_complete(&j));
    json_free(&j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure), cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_utf8),      cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_growth),    cmocka_unit_test(test_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
