// SPDX-License-Identifier: GPL-2.0-or-later
/* --serial: parsing (accepted and rejected), the part check, rendering in every format
 * with overflow, and the counter file (create, reserve, --serial-start, corrupt files,
 * threads). The many-processes case is tests/record/serialno_hammer.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "ispflash/interrupt.h"
#include "ispflash/serialno.h"

#define TMPDIR_PREFIX "test_serialno"
#include "unit/tmpdir.h"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static char *read_text(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_parse_accepted(void **state)
{
    (void)state;
    static const struct {
        const char *arg;
        enum mem_id mem;
        uint32_t addr, len;
        enum serialno_format fmt;
        const char *tmpl;
    } ok[] = {
        {"eeprom:0:4", MEM_EEPROM, 0, 4, SERIALNO_LE, ""},
        {"eeprom:0x3f8:4:be", MEM_EEPROM, 0x3f8, 4, SERIALNO_BE, ""},
        {"eeprom:1016:0x4:le", MEM_EEPROM, 1016, 4, SERIALNO_LE, ""},
        {"flash:0X7FF0:8", MEM_FLASH, 0x7ff0, 8, SERIALNO_LE, ""},
        {"eeprom:16:6:dec", MEM_EEPROM, 16, 6, SERIALNO_DEC, ""},
        {"eeprom:0:64:dec", MEM_EEPROM, 0, 64, SERIALNO_DEC, ""},
        {"eeprom:0:9:KB-%06u", MEM_EEPROM, 0, 9, SERIALNO_TEMPLATE, "KB-%06u"},
        {"eeprom:0:12:id:%X:%%", MEM_EEPROM, 0, 12, SERIALNO_TEMPLATE, "id:%X:%%"},
        {"flash:0x100:16:%d", MEM_FLASH, 0x100, 16, SERIALNO_TEMPLATE, "%d"},
        {"eeprom:0:8:%08x", MEM_EEPROM, 0, 8, SERIALNO_TEMPLATE, "%08x"},
        {"eeprom:0:8:%4u", MEM_EEPROM, 0, 8, SERIALNO_TEMPLATE, "%4u"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct serialno_spec sp;
        struct ispf_error err;
        ispf_error_clear(&err);
        int rc = serialno_parse(ok[i].arg, &sp, &err);
        if (rc != ISPF_OK)
            fail_msg("%s: %s", ok[i].arg, err.msg);
        assert_int_equal(sp.mem, ok[i].mem);
        assert_int_equal(sp.addr, ok[i].addr);
        assert_int_equal(sp.len, ok[i].len);
        assert_int_equal(sp.fmt, ok[i].fmt);
        assert_string_equal(sp.tmpl, ok[i].tmpl);
    }
}

static void test_parse_rejected(void **state)
{
    (void)state;
    static const struct {
        const char *arg, *msg;
    } bad[] = {
        {"", "--serial : expected MEM:ADDR:LEN[:FORMAT], e.g. eeprom:0x3f8:4 or "
             "eeprom:0:9:KB-%06u"},
        {"eeprom", "expected MEM:ADDR:LEN[:FORMAT]"},
        {"eeprom:0", "expected MEM:ADDR:LEN[:FORMAT]"},
        {"lfuse:0:4", "--serial lfuse:0:4: MEM \"lfuse\" must be flash or eeprom"},
        {"EEPROM:0:4", "MEM \"EEPROM\" must be flash or eeprom"},
        {"eeprom:x:4", "--serial eeprom:x:4: ADDR \"x\" is not a number (decimal or 0x hex)"},
        {"eeprom::4", "ADDR \"\" is not a number"},
        {"eeprom:-1:4", "ADDR \"-1\" is not a number"},
        {"eeprom:0x:4", "ADDR \"0x\" is not a number"},
        {"eeprom:4294967296:4", "ADDR \"4294967296\" is not a number"},
        {"eeprom:0:", "LEN \"\" is not a number"},
        {"eeprom:0:4x:le", "LEN \"4x\" is not a number"},
        {"eeprom:0:0", "--serial eeprom:0:0: LEN 0: binary (le, be) takes 1 to 8 bytes"},
        {"eeprom:0:9", "LEN 9: binary (le, be) takes 1 to 8 bytes"},
        {"eeprom:0:9:be", "LEN 9: binary (le, be) takes 1 to 8 bytes"},
        {"eeprom:0:65:dec", "LEN 65: dec takes 1 to 64 bytes"},
        {"eeprom:0:0:dec", "LEN 0: dec takes 1 to 64 bytes"},
        {"eeprom:0:65:%u", "LEN 65: a template takes 1 to 64 bytes"},
        {"eeprom:0:4:", "--serial eeprom:0:4:: FORMAT is empty"},
        {"eeprom:0:8:KB-%s", "--serial eeprom:0:8:KB-%s: \"%s\" in the template is not a "
                             "conversion here: use one of %u %d %x %X, zero-padded like %06u "
                             "if needed, or %% for a '%'"},
        {"eeprom:0:8:%lu", "\"%l\" in the template is not a conversion here"},
        {"eeprom:0:8:%-4u", "\"%-\" in the template is not a conversion here"},
        {"eeprom:0:8:KB%", "\"%\" in the template is not a conversion here"},
        {"eeprom:0:8:KB", "--serial eeprom:0:8:KB: FORMAT is le, be, dec or a template with one "
                          "conversion (%u %d %x %X, e.g. KB-%06u); \"KB\" has none"},
        {"eeprom:0:8:LE", "\"LE\" has none"},
        {"eeprom:0:8:100%%", "\"100%%\" has none"},
        {"eeprom:0:8:%u%u", "the template has more than one conversion"},
        {"eeprom:0:4:KB-%06u", "the template gives at least 9 characters, more than LEN 4"},
        {"eeprom:0:64:%065u", "the width of \"%065u\" is more than 64 characters"},
        {"eeprom:0:64:01234567890123456789012345678901234567890123456789012345678901%u",
         "the template is longer than 63 characters"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct serialno_spec sp;
        struct ispf_error err;
        ispf_error_clear(&err);
        int rc = serialno_parse(bad[i].arg, &sp, &err);
        if (rc != ISPF_E_USAGE || strstr(err.msg, bad[i].msg) == NULL)
            fail_msg("%s: rc %d, message \"%s\", want \"%s\"", bad[i].arg, rc, err.msg, bad[i].msg);
    }
}

static void test_check_part(void **state)
{
    (void)state;
    const struct part *p = part_find("atmega32u4"); /* 32 KiB flash, 1 KiB EEPROM */
    assert_non_null(p);
    struct serialno_spec sp;
    struct ispf_error err;
    assert_int_equal(serialno_parse("eeprom:0x3fc:4", &sp, NULL), ISPF_OK);
    assert_int_equal(serialno_check_part(&sp, p, NULL), ISPF_OK);
    assert_int_equal(serialno_parse("eeprom:0x3fd:4:be", &sp, NULL), ISPF_OK);
    assert_int_equal(serialno_check_part(&sp, p, &err), ISPF_E_USAGE);
    assert_string_equal(err.msg, "--serial eeprom:0x3fd:4:be: bytes 0x3fd-0x400 do not fit the "
                                 "ATmega32U4's EEPROM (1024 bytes, 0x0-0x3ff)");
    assert_int_equal(serialno_parse("flash:0x7ff8:8", &sp, NULL), ISPF_OK);
    assert_int_equal(serialno_check_part(&sp, p, NULL), ISPF_OK);
    assert_int_equal(serialno_parse("flash:0x7ff0:17:KB-%06u", &sp, NULL), ISPF_OK);
    assert_int_equal(serialno_check_part(&sp, p, &err), ISPF_E_USAGE);
    assert_string_equal(err.msg, "--serial flash:0x7ff0:17:KB-%06u: bytes 0x7ff0-0x8000 do not "
                                 "fit the ATmega32U4's flash (32768 bytes, 0x0-0x7fff)");
    assert_int_equal(serialno_parse("eeprom:0xffffffff:8", &sp, NULL), ISPF_OK);
    assert_int_equal(serialno_check_part(&sp, p, &err), ISPF_E_USAGE);
    assert_non_null(strstr(err.msg, "bytes 0xffffffff-0x100000006 do not fit"));
    /* a spec filled in by hand is checked too */
    memset(&sp, 0, sizeof sp);
    sp.mem = MEM_EEPROM;
    sp.len = 9;
    sp.fmt = SERIALNO_BE;
    assert_int_equal(serialno_check_part(&sp, p, &err), ISPF_E_USAGE);
    assert_non_null(strstr(err.msg, "LEN 9: binary (le, be) takes 1 to 8 bytes"));
    sp.mem = MEM_LFUSE;
    sp.len = 1;
    assert_int_equal(serialno_check_part(&sp, p, &err), ISPF_E_USAGE);
    assert_non_null(strstr(err.msg, "MEM must be flash or eeprom"));
}

/* Render number with arg into a fresh image and compare the bytes and the text. */
static void check_render(const char *arg, uint64_t number, const void *bytes, const char *text)
{
    struct serialno_spec sp;
    struct ispf_error err;
    ispf_error_clear(&err);
    if (serialno_parse(arg, &sp, &err) != ISPF_OK)
        fail_msg("%s: %s", arg, err.msg);
    struct image img;
    image_init(&img);
    char t[SERIALNO_TEXT_MAX];
    if (serialno_render(&sp, number, &img, t, sizeof t, &err) != ISPF_OK)
        fail_msg("%s %llu: %s", arg, (unsigned long long)number, err.msg);
    assert_int_equal(img.count, sp.len);
    assert_int_equal(image_start(&img), sp.addr);
    assert_int_equal(img.end, sp.addr + sp.len);
    assert_memory_equal(img.data + sp.addr, bytes, sp.len);
    assert_string_equal(t, text);
    image_free(&img);
}

static void test_render(void **state)
{
    (void)state;
    check_render("eeprom:0x10:4", 0x12345678, "\x78\x56\x34\x12", "305419896");
    check_render("eeprom:0x10:4:be", 0x12345678, "\x12\x34\x56\x78", "305419896");
    check_render("eeprom:0:3:le", 0xffffff, "\xff\xff\xff", "16777215");
    check_render("eeprom:0:1:be", 0, "\x00", "0");
    check_render("flash:0x7ff8:8:le", UINT64_MAX, "\xff\xff\xff\xff\xff\xff\xff\xff",
                 "18446744073709551615");
    check_render("flash:0:8:be", 0x0102030405060708ull, "\x01\x02\x03\x04\x05\x06\x07\x08",
                 "72623859790382856");
    check_render("eeprom:0:6:dec", 42, "000042", "42");
    check_render("eeprom:0:6:dec", 999999, "999999", "999999");
    check_render("eeprom:0:20:dec", UINT64_MAX, "18446744073709551615", "18446744073709551615");
    check_render("eeprom:0:12:KB-%06u", 42, "KB-000042\x00\xff\xff", "KB-000042");
    check_render("eeprom:0:9:KB-%06u", 42, "KB-000042", "KB-000042"); /* exactly LEN: no NUL */
    check_render("eeprom:0:10:KB-%06u", 1234567, "KB-1234567", "KB-1234567");
    check_render("eeprom:0:4:%x", 255, "ff\x00\xff", "ff");
    check_render("eeprom:0:8:%08X", 0xbeef, "0000BEEF", "0000BEEF");
    check_render("eeprom:0:4:%4d", 42, "  42", "  42");
    check_render("eeprom:0:6:%%%u%%", 7, "%7%\x00\xff\xff", "%7%");
    check_render("eeprom:0:12:id:%u:x", 5, "id:5:x\x00\xff\xff\xff\xff\xff", "id:5:x");
}

static void check_overflow(const char *arg, uint64_t number, const char *msg)
{
    struct serialno_spec sp;
    struct ispf_error err;
    assert_int_equal(serialno_parse(arg, &sp, NULL), ISPF_OK);
    struct image img;
    image_init(&img);
    char t[SERIALNO_TEXT_MAX] = "unchanged";
    int rc = serialno_render(&sp, number, &img, t, sizeof t, &err);
    if (rc != ISPF_E_INPUT || strcmp(err.msg, msg) != 0)
        fail_msg("%s %llu: rc %d \"%s\", want \"%s\"", arg, (unsigned long long)number, rc, err.msg,
                 msg);
    assert_true(image_empty(&img)); /* nothing written */
    assert_string_equal(t, "unchanged");
    image_free(&img);
}

static void test_render_overflow(void **state)
{
    (void)state;
    check_overflow("eeprom:0x10:3", 0x1000000,
                   "serial number 16777216 does not fit in 3 bytes (--serial eeprom:0x10:3:le: "
                   "at most 16777215)");
    check_overflow("eeprom:0:1:be", 256,
                   "serial number 256 does not fit in 1 byte (--serial eeprom:0x0:1:be: at most "
                   "255)");
    check_overflow("eeprom:0:6:dec", 1000000,
                   "serial number 1000000 has more than 6 digits (--serial eeprom:0x0:6:dec)");
    check_overflow("eeprom:0:8:KB-%u", 123456,
                   "serial number 123456 as KB-%u is longer than 8 bytes (--serial "
                   "eeprom:0x0:8:KB-%u)");
    check_overflow("eeprom:0:9:KB-%06u", 1000000,
                   "serial number 1000000 as KB-%06u is longer than 9 bytes (--serial "
                   "eeprom:0x0:9:KB-%06u)");
}

static void test_overlaps(void **state)
{
    (void)state;
    struct serialno_spec sp;
    assert_int_equal(serialno_parse("flash:0x100:4", &sp, NULL), ISPF_OK);
    struct image img;
    image_init(&img);
    assert_int_equal(image_set(&img, 0xff, 1, NULL), ISPF_OK);
    assert_int_equal(image_set(&img, 0x104, 1, NULL), ISPF_OK);
    assert_false(serialno_overlaps(&sp, &img));
    assert_int_equal(image_set(&img, 0x103, 1, NULL), ISPF_OK);
    assert_true(serialno_overlaps(&sp, &img));
    /* rendering overwrites */
    assert_int_equal(serialno_render(&sp, 0x0a0b0c0d, &img, NULL, 0, NULL), ISPF_OK);
    assert_int_equal(image_get(&img, 0x103, 0), 0x0a);
    image_free(&img);
}

static void test_counter_create_and_reserve(void **state)
{
    (void)state;
    const char *path = tmp_path("new.counter");
    struct serialno_counter *c;
    struct ispf_error err;
    assert_int_equal(serialno_counter_open(&c, path, false, 0, &err), ISPF_OK);
    assert_string_equal(serialno_counter_path(c), path);
    char *text = read_text(path);
    assert_non_null(strstr(text, "\nnext 1\n"));
    assert_int_equal(text[0], '#');
    uint64_t n, next;
    for (uint64_t want = 1; want <= 5; want++) {
        assert_int_equal(serialno_reserve(c, &n, &err), ISPF_OK);
        assert_int_equal(n, want);
    }
    assert_int_equal(serialno_counter_peek(c, &next, &err), ISPF_OK);
    assert_int_equal(next, 6);
    serialno_counter_close(c);
    assert_non_null(strstr(read_text(path), "\nnext 6\n"));
    assert_int_equal(access(tmp_path("new.counter.lock"), F_OK), 0);

    /* reopened: goes on where it stopped */
    assert_int_equal(serialno_counter_open(&c, path, false, 0, &err), ISPF_OK);
    assert_int_equal(serialno_reserve(c, &n, &err), ISPF_OK);
    assert_int_equal(n, 6);
    serialno_counter_close(c);

    /* missing file with a start */
    path = tmp_path("start.counter");
    assert_int_equal(serialno_counter_open(&c, path, true, 1000, &err), ISPF_OK);
    assert_int_equal(serialno_reserve(c, &n, &err), ISPF_OK);
    assert_int_equal(n, 1000);
    serialno_counter_close(c);
    assert_non_null(strstr(read_text(path), "\nnext 1001\n"));
}

static void test_counter_start(void **state)
{
    (void)state;
    const char *path = tmp_path("s.counter");
    write_text(path, "next 42\n");
    struct serialno_counter *c;
    struct ispf_error err;
    uint64_t n;
    assert_int_equal(serialno_counter_open(&c, path, true, 41, &err), ISPF_E_USAGE);
    assert_null(c);
    char want[700];
    snprintf(want, sizeof want,
             "--serial-start 41 would give numbers already used: %s's next is 42", path);
    assert_string_equal(err.msg, want);
    assert_string_equal(read_text(path), "next 42\n"); /* untouched */
    assert_int_equal(serialno_counter_open(&c, path, true, 0, &err), ISPF_E_USAGE);
    /* equal: nothing to change */
    assert_int_equal(serialno_counter_open(&c, path, true, 42, &err), ISPF_OK);
    serialno_counter_close(c);
    assert_string_equal(read_text(path), "next 42\n");
    /* above: skips ahead */
    assert_int_equal(serialno_counter_open(&c, path, true, 500, &err), ISPF_OK);
    assert_non_null(strstr(read_text(path), "\nnext 500\n"));
    assert_int_equal(serialno_reserve(c, &n, &err), ISPF_OK);
    assert_int_equal(n, 500);
    serialno_counter_close(c);
    /* and then 42 is below */
    assert_int_equal(serialno_counter_open(&c, path, true, 42, &err), ISPF_E_USAGE);
    assert_non_null(strstr(err.msg, "next is 501"));
}

static void test_counter_corrupt(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg; /* msg follows "PATH" */
    } bad[] = {
        {"garbage\n", ":1: not a serial-number counter line (expected \"next N\" or a '#' "
                      "comment): \"garbage\""},
        {"# c\nnext 5\nnext 6\n", ":3: a second \"next\" line"},
        {"next abc\n", ":1: \"abc\" is not a number from 0 to 18446744073709551615"},
        {"next -1\n", ":1: \"-1\" is not a number"},
        {"next 18446744073709551616\n", ":1: \"18446744073709551616\" is not a number"},
        {"next\n", ":1: not a serial-number counter line"},
        {"next \n", ":1: not a serial-number counter line"},
        {"nextt 5\n", ":1: not a serial-number counter line"},
        {"# only a comment\n\n", ": no \"next N\" line: not a serial-number counter file"},
        {"", ": no \"next N\" line: not a serial-number counter file"},
        {"\n\n# x\nnext 1 2\n", ":4: \"1 2\" is not a number"},
    };
    const char *path = tmp_path("bad.counter");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(path, bad[i].text);
        struct serialno_counter *c;
        struct ispf_error err;
        char want[700];
        snprintf(want, sizeof want, "%s%s", path, bad[i].msg);
        int rc = serialno_counter_open(&c, path, false, 0, &err);
        if (rc != ISPF_E_INPUT || strncmp(err.msg, want, strlen(want)) != 0)
            fail_msg("\"%s\": rc %d \"%s\", want \"%s\"", bad[i].text, rc, err.msg, want);
        assert_string_equal(read_text(path), bad[i].text); /* never rewritten */
    }
    /* binary */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite("next 1\n\0\0", 1, 9, f);
    fclose(f);
    struct serialno_counter *c;
    struct ispf_error err;
    assert_int_equal(serialno_counter_open(&c, path, false, 0, &err), ISPF_E_INPUT);
    assert_non_null(strstr(err.msg, ": binary data, not a serial-number counter file"));
    /* comments, blank lines, CRLF and spaces are fine */
    write_text(path, "# made by hand\r\n\r\n  next   7  \r\n# end\n");
    assert_int_equal(serialno_counter_open(&c, path, false, 0, &err), ISPF_OK);
    uint64_t n;
    assert_int_equal(serialno_reserve(c, &n, &err), ISPF_OK);
    assert_int_equal(n, 7);
    /* corrupted while open: reserve fails, names the line */
    write_text(path, "next x\n");
    assert_int_equal(serialno_reserve(c, &n, &err), ISPF_E_INPUT);
    assert_non_null(strstr(err.msg, ":1: \"x\" is not a number"));
    unlink(path);
    assert_int_equal(serialno_reserve(c, &n, &err), ISPF_E_INPUT);
    assert_non_null(strstr(err.msg, "the serial-number counter file was removed while in use"));
    serialno_counter_close(c);
}

static void test_counter_last_number(void **state)
{
    (void)state;
    const char *path = tmp_path("last.counter");
    write_text(path, "next 18446744073709551614\n");
    struct serialno_counter *c;
    struct ispf_error err;
    uint64_t n;
    assert_int_equal(serialno_counter_open(&c, path, false, 0, &err), ISPF_OK);
    assert_int_equal(serialno_reserve(c, &n, &err), ISPF_OK);
    assert_true(n == UINT64_MAX - 1);
    assert_int_equal(serialno_reserve(c, &n, &err), ISPF_E_INPUT);
    assert_non_null(strstr(err.msg, "next is 18446744073709551615, the last number: none left"));
    serialno_counter_close(c);
}

static void test_counter_unwritable(void **state)
{
    (void)state;
    struct serialno_counter *c;
    struct ispf_error err;
    assert_int_equal(serialno_counter_open(&c, "/nonexistent/dir/c", false, 0, &err), ISPF_E_IO);
    assert_string_equal(err.msg, "cannot create /nonexistent/dir/c.lock: No such file or "
                                 "directory");
}

/* Another process holds the lock: Ctrl-C ends the wait with ISPF_E_INTERRUPTED and the
 * number is not taken; once the lock is free, reserving works again. */
static void test_counter_lock_interrupted(void **state)
{
    (void)state;
    const char *path = tmp_path("locked.counter");
    struct serialno_counter *c;
    struct ispf_error err;
    assert_int_equal(serialno_counter_open(&c, path, false, 0, &err), ISPF_OK);
    int fd = open(tmp_path("locked.counter.lock"), O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0); /* an open file description of its own */
    ispf_interrupt_request();
    time_t t0 = time(NULL);
    uint64_t n;
    assert_int_equal(serialno_reserve(c, &n, &err), ISPF_E_INTERRUPTED);
    assert_string_equal(err.msg, "interrupted");
    assert_true(time(NULL) - t0 < 5);
    ispf_interrupt_clear();
    assert_non_null(strstr(read_text(path), "\nnext 1\n"));
    flock(fd, LOCK_UN);
    close(fd);
    assert_int_equal(serialno_reserve(c, &n, &err), ISPF_OK);
    assert_int_equal(n, 1);
    serialno_counter_close(c);
}

#define THREADS 4
#define PER_THREAD 40

struct worker {
    struct serialno_counter *c;
    uint64_t got[PER_THREAD];
    int rc;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < PER_THREAD && w->rc == ISPF_OK; i++)
        w->rc = serialno_reserve(w->c, &w->got[i], NULL);
    return NULL;
}

/* Threads on one counter, and a second counter on the same file in the same process. */
static void test_counter_threads(void **state)
{
    (void)state;
    const char *path = tmp_path("threads.counter");
    struct serialno_counter *c1, *c2;
    assert_int_equal(serialno_counter_open(&c1, path, true, 100, NULL), ISPF_OK);
    assert_int_equal(serialno_counter_open(&c2, path, false, 0, NULL), ISPF_OK);
    struct worker w[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i].c = i % 2 ? c2 : c1;
        w[i].rc = ISPF_OK;
        assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
    }
    bool seen[THREADS * PER_THREAD] = {false};
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].rc, ISPF_OK);
        for (int k = 0; k < PER_THREAD; k++) {
            uint64_t n = w[i].got[k];
            assert_true(n >= 100 && n < 100 + THREADS * PER_THREAD);
            assert_false(seen[n - 100]); /* never twice */
            seen[n - 100] = true;
            if (k > 0)
                assert_true(n > w[i].got[k - 1]);
        }
    }
    uint64_t next;
    assert_int_equal(serialno_counter_peek(c1, &next, NULL), ISPF_OK);
    assert_int_equal(next, 100 + THREADS * PER_THREAD);
    serialno_counter_close(c1);
    serialno_counter_close(c2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_accepted),
        cmocka_unit_test(test_parse_rejected),
        cmocka_unit_test(test_check_part),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_render_overflow),
        cmocka_unit_test(test_overlaps),
        cmocka_unit_test(test_counter_create_and_reserve),
        cmocka_unit_test(test_counter_start),
        cmocka_unit_test(test_counter_corrupt),
        cmocka_unit_test(test_counter_last_number),
        cmocka_unit_test(test_counter_unwritable),
        cmocka_unit_test(test_counter_lock_interrupted),
        cmocka_unit_test(test_counter_threads),
    };
    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
