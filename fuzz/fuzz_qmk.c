// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QMK keyboard folder (--qmk; src/core/qmk.c): the input is "INFO_JSON\0RULES_MK",
 * written as info.json and rules.mk of a folder (not below keyboards/, so only its own
 * files are read). Also every line of RULES_MK through qmk_rules_line. Asserts: a
 * rejected folder has a message; every value found is a terminated string and says
 * where it came from; a rules.mk assignment gives a terminated name and value.
 */
#include <sys/stat.h>

#include "fuzz.h"
#include "ispflash/qmk.h"

static void check_value(const struct qmk_value *v)
{
    FUZZ_CHECK(memchr(v->value, '\0', sizeof v->value) != NULL);
    FUZZ_CHECK(memchr(v->where, '\0', sizeof v->where) != NULL);
    if (v->set)
        FUZZ_CHECK(v->where[0] != '\0');
}

static void rules_lines(const char *text)
{
    char *copy = strdup(text);
    FUZZ_CHECK(copy != NULL);
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        char name[64], value[QMK_VALUE_MAX];
        memset(name, 'x', sizeof name);
        memset(value, 'x', sizeof value);
        enum qmk_assign a = qmk_rules_line(line, name, sizeof name, value, sizeof value);
        if (a != QMK_NOT_ASSIGN) {
            FUZZ_CHECK(memchr(name, '\0', sizeof name) != NULL);
            FUZZ_CHECK(memchr(value, '\0', sizeof value) != NULL);
        }
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    const uint8_t *nul = memchr(data, '\0', size);
    size_t jlen = nul ? (size_t)(nul - data) : size;
    const uint8_t *rules = nul ? nul + 1 : data + size;
    size_t rlen = (size_t)(data + size - rules);
    char dir[300];
    snprintf(dir, sizeof dir, "%s", fuzz_file("info.json", data, jlen));
    *strrchr(dir, '/') = '\0';
    fuzz_file("rules.mk", rules, rlen);
    struct qmk_board b;
    struct ispf_error err;
    ispf_error_clear(&err);
    int rc = qmk_read(dir, &b, &err);
    fuzz_check_error(rc, &err);
    if (rc == ISPF_OK) {
        FUZZ_CHECK(memchr(b.keyboard, '\0', sizeof b.keyboard) != NULL);
        check_value(&b.mcu);
        check_value(&b.bootloader);
        check_value(&b.f_cpu);
        if (b.bootloader.set)
            (void)qmk_bootloader_preset(b.bootloader.value, b.mcu.set ? b.mcu.value : "",
                                        b.f_cpu.set ? b.f_cpu.value : NULL);
    }
    char *text = fuzz_strdup(rules, rlen);
    rules_lines(text);
    free(text);
    return 0;
}
