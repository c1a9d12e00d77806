// SPDX-License-Identifier: GPL-2.0-or-later
#include "base/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef ISPF_HAVE_NETTLE
#include <nettle/sha2.h>
#else
/* Built without nettle: the same calls on the built-in implementation. */
#include "base/sha256_own.h"
#define sha256_ctx sha256_own
#define sha256_init sha256_own_init
#define sha256_update(c, len, data) sha256_own_update((c), (data), (len))
#define sha256_digest(c, len, out) sha256_own_digest((c), (out))
#endif

void ispf_sha256(const void *data, size_t len, uint8_t out[ISPF_SHA256_LEN])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, ISPF_SHA256_LEN, out);
}

int ispf_sha256_file(const char *path, uint8_t out[ISPF_SHA256_LEN], struct ispf_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return ispf_fail(err, ISPF_E_IO, "cannot read %s: %s", path, strerror(errno));
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    uint8_t buf[16384];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&ctx, n, buf);
    int failed = ferror(f);
    int e = errno;
    fclose(f);
    if (failed)
        return ispf_fail(err, ISPF_E_IO, "cannot read %s: %s", path, strerror(e));
    sha256_digest(&ctx, ISPF_SHA256_LEN, out);
    return ISPF_OK;
}

void ispf_sha256_hex(const uint8_t h[ISPF_SHA256_LEN], char out[2 * ISPF_SHA256_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < ISPF_SHA256_LEN; i++) {
        out[2 * i] = digits[h[i] >> 4];
        out[2 * i + 1] = digits[h[i] & 15];
    }
    out[2 * ISPF_SHA256_LEN] = '\0';
}
