// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The edit distance and the pick behind every "did you mean" list (see suggest.h).
 */
#include "base/suggest.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool suggest_key_pos(int c, int *x, int *y)
{
    static const char *const rows[] = {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"};
    static const int offset[] = {0, 2, 3, 5};
    for (int r = 0; r < 4; r++) {
        const char *at = strchr(rows[r], c);
        if (c && at) {
            *x = (int)(at - rows[r]) * 4 + offset[r];
            *y = r;
            return true;
        }
    }
    return false;
}

static int suggest_subst_cost(int a, int b)
{
    if (a == b)
        return 0;
    int ax, ay, bx, by;
    if (suggest_key_pos(a, &ax, &ay) && suggest_key_pos(b, &bx, &by)) {
        int dx = abs(ax - bx), dy = abs(ay - by);
        if ((dy == 0 && dx == 4) || (dy == 1 && dx <= 3))
            return 1;
    }
    return 2;
}

static int suggest_min3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

int suggest_distance(const char *a, size_t la, const char *b, size_t lb)
{
    int d[SUGGEST_MAXLEN + 1][SUGGEST_MAXLEN + 1];
    if (la > SUGGEST_MAXLEN)
        la = SUGGEST_MAXLEN;
    if (lb > SUGGEST_MAXLEN)
        lb = SUGGEST_MAXLEN;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i * 2;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j * 2;
    for (size_t i = 1; i <= la; i++) {
        int ca = tolower((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= lb; j++) {
            int cb = tolower((unsigned char)b[j - 1]);
            int v = suggest_min3(d[i - 1][j] + 2, d[i][j - 1] + 2,
                                 d[i - 1][j - 1] + suggest_subst_cost(ca, cb));
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 2 < v)
                v = d[i - 2][j - 2] + 2;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

size_t suggest_pick(const int *dist, size_t n, int limit, size_t *out, size_t max)
{
    size_t k = 0;
    /* Selection by increasing distance; ties keep the candidates' order. */
    for (int d = 0; d <= limit && k < max; d++)
        for (size_t i = 0; i < n && k < max; i++)
            if (dist[i] == d)
                out[k++] = i;
    return k;
}
