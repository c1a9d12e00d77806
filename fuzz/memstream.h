/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scripted in-memory stream and virtual clock of the programmer harnesses. */
#ifndef ISPFLASH_FUZZ_MEMSTREAM_H
#define ISPFLASH_FUZZ_MEMSTREAM_H

#include <stddef.h>
#include <stdint.h>

/* The replies for the next session (data must outlive it). */
void memstream_script(const uint8_t *data, size_t size);
/* Bytes the programmer wrote since memstream_script. */
uint64_t memstream_written(void);

/* For memusb.c: the next chunk of the script for a transfer of at most *len bytes, waiting
 * timeout_ms (virtually). MEMSTREAM_DATA: *len bytes in buf; otherwise what happens. */
enum { MEMSTREAM_DATA, MEMSTREAM_TIMEOUT, MEMSTREAM_IO, MEMSTREAM_GONE, MEMSTREAM_EMPTY };
int memstream_next_chunk(uint8_t buf[64], uint16_t *len, unsigned timeout_ms);

#endif
