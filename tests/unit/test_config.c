// SPDX-License-Identifier: GPL-2.0-or-later
/* The configuration file (src/cli/config.c): parsing, its errors (file:line), where
 * it is looked for, and how it merges under the command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#define TMPDIR_PREFIX "test_config"
#include "config.h"
#include "opts.h"
#include "unit/tmpdir.h"

static void test_parse_all_keys(void **state)
{
    (void)state;
    struct cli_config c;
    char msg[512] = "";
    memset(&c, 0, sizeof c);
    const char *text = "# a shop's defaults\n"
                       "programmer = avrisp\n"
                       "  port=/dev/ttyACM0   # QMK's Pro Micro ISP\n"
                       "\n"
                       "baud = 19200\r\n"
                       "bitclock = 125kHz\n"
                       "part = m32u4";
    assert_int_equal(cli_config_parse(&c, text, "cfg", msg, sizeof msg), 0);
    assert_string_equal(c.programmer, "avrisp");
    assert_string_equal(c.port, "/dev/ttyACM0");
    assert_string_equal(c.part, "m32u4");
    assert_int_equal(c.baud, 19200);
    assert_true(c.bitclock_us > 7.99 && c.bitclock_us < 8.01);
}

static void test_parse_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"programmer = avrisp\nprogramer = usbtiny\n", "cfg:2: unknown key 'programer'"},
        {"\n\nbaud = fast\n", "cfg:3: baud = fast: give a positive number"},
        {"baud = -5\n", "cfg:1: baud = -5"},
        {"bitclock = 3 parsecs\n", "cfg:1: bitclock = 3 parsecs"},
        {"port\n", "cfg:1: 'port' is not 'key = value'"},
        {"port =\n", "cfg:1: no value after '='"},
        {"= usbtiny\n", "cfg:1: no key before '='"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cli_config c;
        char msg[512] = "";
        memset(&c, 0, sizeof c);
        assert_int_equal(cli_config_parse(&c, bad[i].text, "cfg", msg, sizeof msg), -1);
        if (!strstr(msg, bad[i].want))
            fail_msg("'%s': got '%s', want '%s'", bad[i].text, msg, bad[i].want);
    }
}

static void test_path(void **state)
{
    (void)state;
    char buf[CLI_CONFIG_PATH];
    setenv("XDG_CONFIG_HOME", "/x/conf", 1);
    setenv("HOME", "/home/u", 1);
    assert_int_equal(cli_config_path(buf, sizeof buf), 0);
    assert_string_equal(buf, "/x/conf/ispflash/config");
    setenv("XDG_CONFIG_HOME", "", 1); /* empty or relative: ignored (XDG spec) */
    assert_int_equal(cli_config_path(buf, sizeof buf), 0);
    assert_string_equal(buf, "/home/u/.config/ispflash/config");
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("HOME");
    assert_int_equal(cli_config_path(buf, sizeof buf), -1);
}

static void test_load(void **state)
{
    (void)state;
    struct cli_config c;
    char msg[512] = "";
    memset(&c, 0, sizeof c);
    snprintf(c.path, sizeof c.path, "%s", tmp_path("missing"));
    assert_int_equal(cli_config_load(&c, msg, sizeof msg), 0); /* no file: no error */
    assert_false(c.loaded);

    FILE *f = fopen(tmp_path("config"), "w");
    assert_non_null(f);
    fputs("programmer = dryrun\npart = m32u4\n", f);
    fclose(f);
    snprintf(c.path, sizeof c.path, "%s", tmp_path("config"));
    assert_int_equal(cli_config_load(&c, msg, sizeof msg), 0);
    assert_true(c.loaded);
    assert_string_equal(c.programmer, "dryrun");

    f = fopen(tmp_path("bad"), "w");
    assert_non_null(f);
    fputs("part = m32u4\nspeed = 3\n", f);
    fclose(f);
    memset(&c, 0, sizeof c);
    snprintf(c.path, sizeof c.path, "%s", tmp_path("bad"));
    assert_int_equal(cli_config_load(&c, msg, sizeof msg), -1);
    assert_false(c.loaded);
    char want[600];
    snprintf(want, sizeof want, "%s:2: unknown key 'speed'", tmp_path("bad"));
    assert_non_null(strstr(msg, want));

    assert_int_equal(mkdir(tmp_path("adir"), 0700), 0); /* a folder is not readable text */
    snprintf(c.path, sizeof c.path, "%s", tmp_path("adir"));
    assert_int_equal(cli_config_load(&c, msg, sizeof msg), -1);
}

static struct cli_config shop(void)
{
    struct cli_config c;
    memset(&c, 0, sizeof c);
    strcpy(c.programmer, "avrisp");
    strcpy(c.port, "/dev/ttyACM0");
    strcpy(c.part, "m32u4");
    c.baud = 19200;
    c.bitclock_us = 8;
    c.loaded = true;
    return c;
}

static void test_apply(void **state)
{
    (void)state;
    struct cli_config c = shop();
    struct cli_opts o;

    memset(&o, 0, sizeof o); /* nothing on the command line: everything from the file */
    cli_config_apply(&c, &o);
    assert_string_equal(o.programmer, "avrisp");
    assert_string_equal(o.port, "/dev/ttyACM0");
    assert_int_equal(o.n_ports, 1);
    assert_string_equal(o.ports[0], "/dev/ttyACM0");
    assert_string_equal(o.part, "m32u4");
    assert_int_equal(o.baud, 19200);
    assert_true(o.bitclock_us == 8);

    memset(&o, 0, sizeof o); /* the command line wins */
    o.part = "t85";
    o.port = o.ports[0] = "/dev/ttyUSB3";
    o.n_ports = 1;
    o.baud = 115200;
    o.bitclock_us = 1;
    cli_config_apply(&c, &o);
    assert_string_equal(o.part, "t85");
    assert_string_equal(o.port, "/dev/ttyUSB3");
    assert_int_equal(o.n_ports, 1);
    assert_int_equal(o.baud, 115200);
    assert_true(o.bitclock_us == 1);

    memset(&o, 0, sizeof o); /* another -c: the file's port and baud are not its */
    o.programmer = "usbtiny";
    cli_config_apply(&c, &o);
    assert_string_equal(o.programmer, "usbtiny");
    assert_null(o.port);
    assert_int_equal(o.n_ports, 0);
    assert_int_equal(o.baud, 0);
    assert_string_equal(o.part, "m32u4");
    assert_true(o.bitclock_us == 8);

    memset(&o, 0, sizeof o); /* the same -c: they are */
    o.programmer = "avrisp";
    cli_config_apply(&c, &o);
    assert_string_equal(o.port, "/dev/ttyACM0");
    assert_int_equal(o.baud, 19200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_all_keys), cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_path),           cmocka_unit_test(test_load),
        cmocka_unit_test(test_apply),
    };
    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
