// SPDX-License-Identifier: GPL-2.0-or-later
/* Prints one JSON document made with src/base/json for json_check.py to read back:
 * {"strings":[...], "numbers":[...], "nested":..., "keys":{...}}. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"

static const struct {
    const char *s;
    size_t len;
} samples[] = {
#define S(lit)                                                                                     \
    {                                                                                              \
        lit, sizeof lit - 1                                                                        \
    }
    S(""),
    S("plain"),
    S("quote \" backslash \\ slash /"),
    S("nl\ncr\rtab\tbs\bff\f"),
    S("\x01\x02\x1f\x7f"),
    S("nul\0in"),
    S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
    S("bad\x80\xff"),
    S("\xed\xa0\x80"),
    S("\xc0\xaf"),
    S("cut\xe2\x82"),
#undef S
};

int main(void)
{
    struct json j;
    json_init(&j);
    json_obj_begin(&j);
    json_key(&j, "strings");
    json_arr_begin(&j);
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        json_strn(&j, samples[i].s, samples[i].len);
    json_arr_end(&j);
    json_key(&j, "numbers");
    json_arr_begin(&j);
    json_int(&j, LLONG_MIN);
    json_uint(&j, ULLONG_MAX);
    json_num(&j, 12.345);
    json_num(&j, 1e-7);
    json_num(&j, 1e300);
    json_num(&j, -0.5);
    json_arr_end(&j);
    json_key(&j, "nested");
    json_arr_begin(&j);
    json_obj_begin(&j);
    json_obj_end(&j);
    json_arr_begin(&j);
    json_null(&j);
    json_bool(&j, true);
    json_arr_end(&j);
    json_arr_end(&j);
    json_key(&j, "keys");
    json_obj_begin(&j);
    json_key(&j, "a\"b\n\xc3\xa9\x80");
    json_int(&j, 1);
    json_obj_end(&j);
    json_obj_end(&j);
    const char *t = json_text(&j);
    if (t == NULL || !json_complete(&j))
        return 1;
    printf("%s\n", t);
    json_free(&j);
    return 0;
}
