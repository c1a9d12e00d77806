/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SHA-256 (FIPS 180-4) without a library: what sha256.c uses when ispflash is built
 * without nettle (a Windows cross build: CMake ISPF_WITH_NETTLE). Checked against
 * nettle and the FIPS test vectors by tests/unit/test_sha256_own.c.
 */
#ifndef ISPFLASH_SHA256_OWN_H
#define ISPFLASH_SHA256_OWN_H

#include <stddef.h>
#include <stdint.h>

struct sha256_own {
    uint32_t h[8];
    uint64_t bytes;    /* message length so far */
    uint8_t block[64]; /* the block being filled */
    size_t fill;       /* bytes in block */
};

void sha256_own_init(struct sha256_own *c);
void sha256_own_update(struct sha256_own *c, const void *data, size_t len);
/* The digest (32 bytes); c must be initialised again before reuse. */
void sha256_own_digest(struct sha256_own *c, uint8_t out[32]);

#endif
