// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <time.h>

#ifdef _WIN32
#include <windows.h>
#endif

#include "base/clock.h"

#ifdef _WIN32
/* QueryPerformanceCounter: monotonic, at least microsecond resolution. */
uint64_t clock_now_us(void)
{
    static LARGE_INTEGER freq; /* constant while the system runs */
    LARGE_INTEGER now;
    if (freq.QuadPart == 0)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&now);
    uint64_t f = (uint64_t)freq.QuadPart, c = (uint64_t)now.QuadPart;
    return c / f * 1000000u + c % f * 1000000u / f;
}

/* Sleep() counts in milliseconds (and the timer ticks coarser): round up, so the
 * sleep is never shorter than asked, as nanosleep's. */
void clock_sleep_us(uint64_t us)
{
    uint64_t end = clock_now_us() + us;
    Sleep((DWORD)((us + 999u) / 1000u));
    while (clock_now_us() < end)
        Sleep(1);
}
#else
uint64_t clock_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void clock_sleep_us(uint64_t us)
{
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
#endif
