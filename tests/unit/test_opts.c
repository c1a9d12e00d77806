// SPDX-License-Identifier: GPL-2.0-or-later
/* Table-driven tests of argv -> struct cli_opts (no I/O involved). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "opts.h"

static int parse(const char *line, struct cli_opts *o, char *msg, size_t msglen)
{
    static char buf[512];
    char *argv[64];
    int argc = 0;
    strncpy(buf, line, sizeof buf - 1);
    buf[sizeof buf - 1] = '\0';
    for (char *t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    return cli_parse(argc, argv, o, msg, msglen);
}

struct uop_case {
    const char *arg;
    const char *mem;
    char op;
    const char *file;
    char fmt;
};

static void test_uop_table(void **state)
{
    (void)state;
    static const struct uop_case cases[] = {
        {"Caterina.hex", "flash", 'w', "Caterina.hex", 'a'},
        {"flash:w:Caterina.hex", "flash", 'w', "Caterina.hex", 'a'},
        {"flash:w:Caterina.hex:i", "flash", 'w', "Caterina.hex", 'i'},
        {"flash:r:out.bin:r", "flash", 'r', "out.bin", 'r'},
        {"efuse:w:0xCB:m", "efuse", 'w', "0xCB", 'm'},
        {"eeprom:v:ee.hex:a", "eeprom", 'v', "ee.hex", 'a'},
        {"lfuse:r:-:h", "lfuse", 'r', "-", 'h'},
        {"flash:w:C:\\fw\\x.hex:i", "flash", 'w', "C:\\fw\\x.hex", 'i'},
        {"C:\\fw\\x.hex", "flash", 'w', "C:\\fw\\x.hex", 'a'},
        {"hfuse:w:0xD9,:m", "hfuse", 'w', "0xD9,", 'm'},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cli_uop u;
        char msg[256];
        assert_int_equal(cli_parse_uop(cases[i].arg, &u, msg, sizeof msg), 0);
        assert_string_equal(u.mem, cases[i].mem);
        assert_int_equal(u.op, cases[i].op);
        assert_string_equal(u.file, cases[i].file);
        assert_int_equal(u.fmt, cases[i].fmt);
        free(u.file);
    }
}

static void test_uop_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {"flash:x:file.hex", "flash:w:", "flash:w:f.hex:q",
                                      "flsh:w:f.hex"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cli_uop u;
        char msg[256] = "";
        assert_int_not_equal(cli_parse_uop(bad[i], &u, msg, sizeof msg), 0);
        assert_non_null(strstr(msg, "-U"));
    }
}

static void test_full_lines(void **state)
{
    (void)state;
    struct cli_opts o;
    char msg[256];
    assert_int_equal(parse("ispflash -c avrisp -P /dev/ttyACM0 -p atmega32u4 -U Caterina.hex", &o,
                           msg, sizeof msg),
                     0);
    assert_string_equal(o.programmer, "avrisp");
    assert_string_equal(o.port, "/dev/ttyACM0");
    assert_string_equal(o.part, "atmega32u4");
    assert_int_equal(o.n_uops, 1);
    assert_string_equal(o.uops[0].file, "Caterina.hex");
    cli_opts_free(&o);

    assert_int_equal(parse("ispflash -c usbasp -p m32u4 -e -D -V -n -F -vv -q -b 19200 -B 32 "
                           "-x a=1 -x hiz -C /etc/avrdude.conf -U lfuse:w:0x5E:m "
                           "-U hfuse:w:0xD9:m",
                           &o, msg, sizeof msg),
                     0);
    assert_true(o.erase && o.no_erase && o.no_verify && o.no_write && o.force);
    assert_int_equal(o.verbose, 2);
    assert_int_equal(o.quiet, 1);
    assert_int_equal(o.baud, 19200);
    assert_true(o.bitclock_us > 31.9 && o.bitclock_us < 32.1);
    assert_int_equal(o.n_xopts, 2);
    assert_string_equal(o.xopts[1], "hiz");
    assert_int_equal(o.n_uops, 2);
    assert_string_equal(o.uops[1].mem, "hfuse");
    cli_opts_free(&o);

    assert_int_equal(parse("ispflash -c dryrun -p m32u4 --fuses --unsafe-fuses "
                           "--bootloader atmel-dfu --jtag off",
                           &o, msg, sizeof msg),
                     0);
    assert_true(o.list_fuses && o.unsafe_fuses);
    assert_string_equal(o.bootloader, "atmel-dfu");
    assert_string_equal(o.jtag, "off");
    assert_null(o.logfile);
    assert_null(o.config);
    assert_false(o.opt_s || o.opt_u);
    cli_opts_free(&o);

    /* avrdude's -l FILE is used; -C FILE, -s, -u (QMK Toolbox) are kept to be named at -v. */
    assert_int_equal(
        parse("ispflash -C avrdude.conf -s -u -l run.log -c dryrun -p m32u4", &o, msg, sizeof msg),
        0);
    assert_string_equal(o.logfile, "run.log");
    assert_string_equal(o.config, "avrdude.conf");
    assert_true(o.opt_s && o.opt_u);
    assert_string_equal(o.part, "m32u4");
    cli_opts_free(&o);
}

static void test_bad_lines(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "ispflash -b fast", "ispflash -b 0",       "ispflash -B abc",       "ispflash -c",
        "ispflash --nope",  "ispflash stray-word", "ispflash --jtag maybe",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cli_opts o;
        char msg[256] = "";
        assert_int_not_equal(parse(bad[i], &o, msg, sizeof msg), 0);
        assert_true(strlen(msg) > 0);
        cli_opts_free(&o);
    }
}

static void test_bitclock(void **state)
{
    (void)state;
    double us;
    assert_int_equal(cli_parse_bitclock("10", &us), 0);
    assert_true(us > 9.99 && us < 10.01);
    assert_int_equal(cli_parse_bitclock("125kHz", &us), 0);
    assert_true(us > 7.99 && us < 8.01);
    assert_int_equal(cli_parse_bitclock("1MHz", &us), 0);
    assert_true(us > 0.99 && us < 1.01);
    assert_int_equal(cli_parse_bitclock("4.5us", &us), 0);
    assert_true(us > 4.49 && us < 4.51);
    assert_int_not_equal(cli_parse_bitclock("-3", &us), 0);
    assert_int_not_equal(cli_parse_bitclock("3 parsecs", &us), 0);
}

/* Production options: --batch with and without a count (the count is the next
 * argument only when it is a number), several -P, the serial options. */
static void test_production(void **state)
{
    (void)state;
    struct cli_opts o;
    char msg[256] = "";
    assert_int_equal(parse("ispflash -c avrisp -P a -P b --batch 5 -p m32u4 -U x.hex --serial "
                           "eeprom:0:4 --serial-file c --serial-start 0x10 --log l.csv --json",
                           &o, msg, sizeof msg),
                     0);
    assert_true(o.batch);
    assert_int_equal(o.batch_count, 5);
    assert_int_equal(o.n_ports, 2);
    assert_string_equal(o.port, "a");
    assert_string_equal(o.ports[1], "b");
    assert_string_equal(o.part, "m32u4");
    assert_int_equal(o.n_uops, 1);
    assert_string_equal(o.serial, "eeprom:0:4");
    assert_true(o.has_serial_start);
    assert_int_equal(o.serial_start, 16);
    assert_string_equal(o.board_log, "l.csv");
    assert_true(o.json);
    cli_opts_free(&o);

    assert_int_equal(parse("ispflash --batch -U x.hex --batch-wait enter", &o, msg, sizeof msg), 0);
    assert_true(o.batch);
    assert_int_equal(o.batch_count, 0);
    assert_true(o.batch_wait_enter);
    assert_int_equal(o.n_uops, 1);
    cli_opts_free(&o);

    static const char *const bad[] = {
        "ispflash --batch 0",         "ispflash --batch 12x",        "ispflash --batch-wait later",
        "ispflash --serial-start -3", "ispflash --serial-start ten",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        msg[0] = '\0';
        assert_int_not_equal(parse(bad[i], &o, msg, sizeof msg), 0);
        assert_true(strlen(msg) > 0);
        cli_opts_free(&o);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uop_table),  cmocka_unit_test(test_uop_errors),
        cmocka_unit_test(test_full_lines), cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_bitclock),   cmocka_unit_test(test_production),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
