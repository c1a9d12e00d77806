/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SHA-256 (FIPS 180-4) of a buffer or a file, through nettle (else sha256_own.c): what the
 * board log and --json record for each image written.
 */
#ifndef ISPFLASH_SHA256_H
#define ISPFLASH_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "ispflash/error.h"

#define ISPF_SHA256_LEN 32

void ispf_sha256(const void *data, size_t len, uint8_t out[ISPF_SHA256_LEN]);
/* The hash of the file's bytes, the same as `sha256sum FILE`. ISPF_E_IO "cannot read
 * PATH: ..." when it cannot be opened or read. */
int ispf_sha256_file(const char *path, uint8_t out[ISPF_SHA256_LEN], struct ispf_error *err);
/* 64 lower-case hex digits and a NUL. */
void ispf_sha256_hex(const uint8_t h[ISPF_SHA256_LEN], char out[2 * ISPF_SHA256_LEN + 1]);

#endif
