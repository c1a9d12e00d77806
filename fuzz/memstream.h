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

#endif
