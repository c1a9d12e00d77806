/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Monotonic time and sleeping, for every timeout and device wait in the library
 * (core, programmers, transports). One place, so no layer writes its own.
 */
#ifndef ISPFLASH_CLOCK_H
#define ISPFLASH_CLOCK_H

#include <stdint.h>

/* Microseconds on the monotonic clock (arbitrary origin). */
uint64_t clock_now_us(void);
/* Sleep at least us microseconds (resumes after signals). */
void clock_sleep_us(uint64_t us);

static inline long long clock_now_ms(void)
{
    return (long long)(clock_now_us() / 1000u);
}

static inline void clock_sleep_ms(unsigned ms)
{
    clock_sleep_us((uint64_t)ms * 1000u);
}

#endif
