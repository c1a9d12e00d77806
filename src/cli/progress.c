// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "progress.h"

static double progress_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(struct progress *p, bool enabled)
{
    memset(p, 0, sizeof *p);
    p->enabled = enabled;
    p->last_pct = -1;
}

void progress_update(void *ctx, const char *what, uint32_t done, uint32_t total)
{
    struct progress *p = ctx;
    if (!p->enabled)
        return;
    if (p->what != what) {
        p->what = what;
        p->last_pct = -1;
        p->t0 = progress_now();
    }
    int pct = total ? (int)((uint64_t)done * 100u / total) : 100;
    if (pct == p->last_pct)
        return;
    p->last_pct = pct;
    char bar[51];
    int fill = pct / 2;
    memset(bar, '#', (size_t)fill);
    memset(bar + fill, ' ', (size_t)(50 - fill));
    bar[50] = '\0';
    fprintf(stderr, "\r%-16s | %s | %3d%% %5.2f s", what, bar, pct, progress_now() - p->t0);
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}
