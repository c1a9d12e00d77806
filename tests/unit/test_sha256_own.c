// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The built-in SHA-256 (src/base/sha256_own.c, used when ispflash is built without
 * nettle): the FIPS 180-4 examples test_sha256.c checks through nettle, and, where
 * nettle is there, the same digest as nettle for every length 0..300 and for data
 * fed in uneven pieces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/sha256_own.h"

#ifdef ISPF_HAVE_NETTLE
#include <nettle/sha2.h>
#endif

static void own_hex(const void *data, size_t len, char hex[65])
{
    struct sha256_own c;
    uint8_t h[32];
    sha256_own_init(&c);
    sha256_own_update(&c, data, len);
    sha256_own_digest(&c, h);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
}

static void test_fips_examples(void **state)
{
    (void)state;
    char hex[65];
    own_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    own_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    own_hex(two, strlen(two), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *million = malloc(1000000);
    assert_non_null(million);
    memset(million, 'a', 1000000);
    own_hex(million, 1000000, hex);
    free(million);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

#ifdef ISPF_HAVE_NETTLE
static void test_same_as_nettle(void **state)
{
    (void)state;
    uint8_t data[300];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof data; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (uint8_t)(x >> 16);
    }
    /* Every length around the 55/56/64-byte padding edges, whole and in pieces of
     * 1, 7 and 63 bytes. */
    static const size_t pieces[] = {sizeof data, 1, 7, 63};
    for (size_t len = 0; len <= sizeof data; len++)
        for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
            struct sha256_own own;
            struct sha256_ctx ref;
            uint8_t h_own[32], h_ref[32];
            sha256_own_init(&own);
            sha256_init(&ref);
            for (size_t at = 0; at < len; at += pieces[k]) {
                size_t n = len - at < pieces[k] ? len - at : pieces[k];
                sha256_own_update(&own, data + at, n);
                sha256_update(&ref, n, data + at);
            }
            sha256_own_digest(&own, h_own);
            sha256_digest(&ref, 32, h_ref);
            if (memcmp(h_own, h_ref, 32) != 0)
                fail_msg("length %zu in pieces of %zu: digests differ", len, pieces[k]);
        }
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips_examples),
#ifdef ISPF_HAVE_NETTLE
        cmocka_unit_test(test_same_as_nettle),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
