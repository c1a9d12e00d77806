// SPDX-License-Identifier: GPL-2.0-or-later
/* SHA-256 through nettle: the FIPS 180-4 examples, and files against sha256sum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "base/sha256.h"

static void hash_hex(const void *data, size_t len, char hex[65])
{
    uint8_t h[ISPF_SHA256_LEN];
    ispf_sha256(data, len, h);
    ispf_sha256_hex(h, hex);
}

static void test_fips_examples(void **state)
{
    (void)state;
    char hex[65];
    hash_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hash_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hash_hex(two, strlen(two), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *million = malloc(1000000);
    assert_non_null(million);
    memset(million, 'a', 1000000);
    hash_hex(million, 1000000, hex);
    free(million);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* `sha256sum path` as 64 hex digits. */
static void sha256sum(const char *path, char hex[65])
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_int_equal(fscanf(p, "%64s", hex), 1);
    assert_int_equal(pclose(p), 0);
}

static void test_file_equals_sha256sum(void **state)
{
    (void)state;
    char path[] = "/tmp/test_sha256.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    /* 100 000 bytes: several reads of the 16 KiB buffer and a partial one */
    uint8_t *buf = malloc(100000);
    assert_non_null(buf);
    uint32_t x = 12345;
    for (size_t i = 0; i < 100000; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    assert_int_equal(write(fd, buf, 100000), 100000);
    close(fd);
    uint8_t h[ISPF_SHA256_LEN], h2[ISPF_SHA256_LEN];
    struct ispf_error err;
    ispf_error_clear(&err);
    assert_int_equal(ispf_sha256_file(path, h, &err), ISPF_OK);
    ispf_sha256(buf, 100000, h2);
    assert_memory_equal(h, h2, ISPF_SHA256_LEN);
    char hex[65], want[65];
    ispf_sha256_hex(h, hex);
    sha256sum(path, want);
    assert_string_equal(hex, want);
    free(buf);
    unlink(path);
}

static void test_real_file(void **state)
{
    (void)state;
    const char *dir = getenv("ISPF_TEST_DATA");
    assert_non_null(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/real/arduino_Caterina-Leonardo.hex", dir);
    uint8_t h[ISPF_SHA256_LEN];
    char hex[65], want[65];
    assert_int_equal(ispf_sha256_file(path, h, NULL), ISPF_OK);
    ispf_sha256_hex(h, hex);
    sha256sum(path, want);
    assert_string_equal(hex, want);
}

static void test_missing_file(void **state)
{
    (void)state;
    uint8_t h[ISPF_SHA256_LEN];
    struct ispf_error err;
    ispf_error_clear(&err);
    assert_int_equal(ispf_sha256_file("/nonexistent/x.hex", h, &err), ISPF_E_IO);
    assert_string_equal(err.msg, "cannot read /nonexistent/x.hex: No such file or directory");
    /* a directory opens but cannot be read */
    assert_int_equal(ispf_sha256_file("/tmp", h, &err), ISPF_E_IO);
    assert_string_equal(err.msg, "cannot read /tmp: Is a directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips_examples),
        cmocka_unit_test(test_file_equals_sha256sum),
        cmocka_unit_test(test_real_file),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
