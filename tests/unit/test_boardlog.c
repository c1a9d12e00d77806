// SPDX-License-Identifier: GPL-2.0-or-later
/* The board log: time stamps, CSV quoting and header, JSON Lines, appending to an old
 * file, threads. Many processes and kill -9: tests/record/boardlog_hammer.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ispflash/boardlog.h"

#define TMPDIR_PREFIX "test_boardlog"
#include "unit/tmpdir.h"

static char *read_text(const char *path)
{
    static char buf[1 << 20];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

#define HEADER                                                                                     \
    "time,board,programmer,port,part,signature,images,image_bytes,serial,serial_text,"             \
    "fuses_written,fuses_read,result,exit_code,message,seconds\n"

static const struct boardlog_image images[] = {
    {"flash",
     "crkbd.hex",
     {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
      0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
      0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55},
     28672},
    {"eeprom", "cfg, v2.eep", {0}, 16},
};
static const struct boardlog_fuse fw[] = {{"lfuse", 0x5e}, {"hfuse", 0xd9}, {"efuse", 0xc3}};
static const struct boardlog_fuse fr[] = {{"lfuse", 0x5e}, {"hfuse", 0xd9}};

static struct boardlog_record full_record(void)
{
    struct boardlog_record r = {0};
    r.board = 7;
    r.time_ms = 1796652191123; /* 2026-12-07T14:03:11.123Z */
    r.programmer = "arduino";
    r.port = "/dev/ttyACM0";
    r.part = "ATmega32U4";
    r.have_signature = true;
    memcpy(r.signature, "\x1e\x95\x87", 3);
    r.images = images;
    r.n_images = 2;
    r.have_serial = true;
    r.serial = 42;
    r.serial_text = "KB-000042";
    r.fuses_written = fw;
    r.n_fuses_written = 3;
    r.fuses_read = fr;
    r.n_fuses_read = 2;
    r.result = BOARDLOG_PASS;
    r.seconds = 12.3456;
    return r;
}

#define SHA_E3 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_00 "0000000000000000000000000000000000000000000000000000000000000000"

static void test_time(void **state)
{
    (void)state;
    char t[BOARDLOG_TIME_LEN];
    boardlog_time_iso(0, t);
    assert_string_equal(t, "1970-01-01T00:00:00.000Z");
    boardlog_time_iso(1796652191123, t);
    assert_string_equal(t, "2026-12-07T14:03:11.123Z");
    boardlog_time_iso(-1, t);
    assert_string_equal(t, "1969-12-31T23:59:59.999Z");
    int64_t now = boardlog_now_ms();
    assert_true(now > 1700000000000 && now < 4102444800000); /* 2023 .. 2100 */
}

static void test_csv(void **state)
{
    (void)state;
    const char *path = tmp_path("boards.csv");
    struct boardlog *l;
    struct ispf_error err;
    assert_int_equal(boardlog_open(&l, path, &err), ISPF_OK);
    assert_false(boardlog_is_jsonl(l));
    assert_string_equal(read_text(path), HEADER); /* a new file: the header at once */
    struct boardlog_record r = full_record();
    assert_int_equal(boardlog_append(l, &r, &err), ISPF_OK);
    /* a failed board: no signature, no serial text, a message with every special */
    struct boardlog_record f = {0};
    f.board = 8;
    f.time_ms = 1796652191123 + 61000;
    f.programmer = "arduino";
    f.port = "net:localhost:1234";
    f.part = "m32u4";
    f.result = BOARDLOG_FAIL;
    f.exit_code = 5;
    f.message = "writing flash: target gone at 0x1234, \"no answer\"\nafter 3 tries";
    f.seconds = 1.5;
    assert_int_equal(boardlog_append(l, &f, &err), ISPF_OK);
    boardlog_close(l);
    assert_string_equal(
        read_text(path),
        HEADER "2026-12-07T14:03:11.123Z,7,arduino,/dev/ttyACM0,ATmega32U4,1e9587,"
               "\"flash=crkbd.hex@" SHA_E3 ";eeprom=cfg, v2.eep@" SHA_00 "\","
               "flash=28672;eeprom=16,42,KB-000042,lfuse=0x5e;hfuse=0xd9;efuse=0xc3,"
               "lfuse=0x5e;hfuse=0xd9,PASS,0,,12.346\n"
               "2026-12-07T14:04:12.123Z,8,arduino,net:localhost:1234,m32u4,,,,,,,,FAIL,5,"
               "\"writing flash: target gone at 0x1234, \"\"no answer\"\"\nafter 3 tries\","
               "1.500\n");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    mode_t um = umask(0);
    umask(um);
    assert_int_equal(st.st_mode & 0777, 0644 & ~um);

    /* reopened: appended after the old records, no second header */
    assert_int_equal(boardlog_open(&l, path, &err), ISPF_OK);
    f.board = 9;
    f.message = " leading space";
    assert_int_equal(boardlog_append(l, &f, &err), ISPF_OK);
    boardlog_close(l);
    const char *text = read_text(path);
    assert_ptr_equal(strstr(text, "time,"), text);
    assert_null(strstr(text + 1, "time,"));
    assert_non_null(strstr(text, "1.500\n2026-12-07T14:04:12.123Z,9,"));
    assert_non_null(strstr(text, ",FAIL,5,\" leading space\",1.500\n"));
}

static void test_csv_other_file(void **state)
{
    (void)state;
    struct boardlog *l;
    struct ispf_error err;
    const char *path = tmp_path("other.csv");
    write_text(path, "name,value\nx,1\n");
    assert_int_equal(boardlog_open(&l, path, &err), ISPF_E_INPUT);
    assert_null(l);
    char want[700];
    snprintf(want, sizeof want,
             "%s: not an ispflash board log (its first line is not the header "
             "\"time,board,...,seconds\"): name a new file",
             path);
    assert_string_equal(err.msg, want);
    assert_string_equal(read_text(path), "name,value\nx,1\n"); /* untouched */

    /* an empty file gets the header */
    path = tmp_path("empty.csv");
    write_text(path, "");
    assert_int_equal(boardlog_open(&l, path, &err), ISPF_OK);
    boardlog_close(l);
    assert_string_equal(read_text(path), HEADER);

    /* a last line cut short: the next record starts on its own line */
    path = tmp_path("cut.csv");
    write_text(path, HEADER "2026-12-07T14:03:11.123Z,1,ardu");
    assert_int_equal(boardlog_open(&l, path, &err), ISPF_OK);
    struct boardlog_record r = full_record();
    r.board = 2;
    assert_int_equal(boardlog_append(l, &r, &err), ISPF_OK);
    boardlog_close(l);
    assert_non_null(strstr(read_text(path), ",1,ardu\n2026-12-07T14:03:11.123Z,2,arduino,"));

    assert_int_equal(boardlog_open(&l, "/nonexistent/dir/b.csv", &err), ISPF_E_IO);
    assert_string_equal(err.msg, "cannot open /nonexistent/dir/b.csv: No such file or directory");
}

static void test_jsonl(void **state)
{
    (void)state;
    const char *path = tmp_path("boards.jsonl");
    struct boardlog *l;
    struct ispf_error err;
    assert_int_equal(boardlog_open(&l, path, &err), ISPF_OK);
    assert_true(boardlog_is_jsonl(l));
    assert_string_equal(read_text(path), ""); /* no header */
    struct boardlog_record r = full_record();
    assert_int_equal(boardlog_append(l, &r, &err), ISPF_OK);
    struct boardlog_record f = {0};
    f.board = 8;
    f.result = BOARDLOG_FAIL;
    f.exit_code = 8;
    f.message = "interrupted \"now\"\n\x01";
    assert_int_equal(boardlog_append(l, &f, &err), ISPF_OK);
    boardlog_close(l);
    assert_string_equal(
        read_text(path),
        "{\"time\":\"2026-12-07T14:03:11.123Z\",\"board\":7,\"programmer\":\"arduino\","
        "\"port\":\"/dev/ttyACM0\",\"part\":\"ATmega32U4\",\"signature\":\"1e9587\","
        "\"images\":[{\"mem\":\"flash\",\"file\":\"crkbd.hex\",\"sha256\":\"" SHA_E3 "\","
        "\"bytes\":28672},{\"mem\":\"eeprom\",\"file\":\"cfg, v2.eep\",\"sha256\":\"" SHA_00
        "\",\"bytes\":16}],\"serial\":42,\"serial_text\":\"KB-000042\","
        "\"fuses_written\":{\"lfuse\":94,\"hfuse\":217,\"efuse\":195},"
        "\"fuses_read\":{\"lfuse\":94,\"hfuse\":217},\"result\":\"PASS\",\"exit_code\":0,"
        "\"message\":null,\"seconds\":12.346}\n"
        "{\"time\":\"1970-01-01T00:00:00.000Z\",\"board\":8,\"programmer\":null,\"port\":null,"
        "\"part\":null,\"signature\":null,\"images\":[],\"serial\":null,\"serial_text\":null,"
        "\"fuses_written\":{},\"fuses_read\":{},\"result\":\"FAIL\",\"exit_code\":8,"
        "\"message\":\"interrupted \\\"now\\\"\\n\\u0001\",\"seconds\":0}\n");
}

#define THREADS 4
#define PER_THREAD 50

struct writer {
    struct boardlog *l;
    int id;
    int rc;
};

static void *writer_run(void *arg)
{
    struct writer *w = arg;
    char port[32], msg[64];
    snprintf(port, sizeof port, "port%d", w->id);
    for (int i = 1; i <= PER_THREAD && w->rc == ISPF_OK; i++) {
        struct boardlog_record r = full_record();
        r.board = (unsigned)i;
        r.port = port;
        snprintf(msg, sizeof msg, "thread %d, board %d", w->id, i);
        r.message = msg;
        w->rc = boardlog_append(w->l, &r, NULL);
    }
    return NULL;
}

/* Threads sharing one log: every record whole, on its own line. */
static void test_threads(void **state)
{
    (void)state;
    const char *path = tmp_path("threads.csv");
    struct boardlog *l;
    assert_int_equal(boardlog_open(&l, path, NULL), ISPF_OK);
    struct writer w[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct writer){l, i, ISPF_OK};
        assert_int_equal(pthread_create(&t[i], NULL, writer_run, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].rc, ISPF_OK);
    }
    boardlog_close(l);
    char *text = read_text(path);
    int lines = 0, seen[THREADS] = {0};
    for (char *s = strchr(text, '\n') + 1; *s; lines++) {
        char *nl = strchr(s, '\n');
        assert_non_null(nl);
        *nl = '\0';
        int id, board;
        char *p = strstr(s, ",port");
        assert_non_null(p);
        assert_int_equal(sscanf(p, ",port%d,", &id), 1);
        char want[64];
        board = ++seen[id]; /* each thread's records in its order */
        snprintf(want, sizeof want, ",\"thread %d, board %d\",12.346", id, board);
        assert_non_null(strstr(s, want));
        assert_ptr_equal(strstr(s, want) + strlen(want), nl);
        s = nl + 1;
    }
    assert_int_equal(lines, THREADS * PER_THREAD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time),           cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_other_file), cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
