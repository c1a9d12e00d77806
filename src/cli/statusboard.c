// SPDX-License-Identifier: GPL-2.0-or-later
/* See statusboard.h. ANSI/VT100 cursor movement only: CUU (ESC [ n A), EL (ESC [ 2 K). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statusboard.h"

#define SB_LINE 160

static pthread_mutex_t sb_lock = PTHREAD_MUTEX_INITIALIZER;
static bool sb_enabled;
static bool sb_drawn;
static size_t sb_n;
static const char *const *sb_names;
static char (*sb_text)[SB_LINE];

/* Back to the board's first line (under the lock). */
static void sb_rewind(void)
{
    if (sb_drawn && sb_n)
        fprintf(stderr, "\033[%zuA", sb_n);
}

static void sb_draw(void)
{
    for (size_t i = 0; i < sb_n; i++)
        fprintf(stderr, "\r\033[2K[%s] %s\n", sb_names[i], sb_text[i]);
    fflush(stderr);
    sb_drawn = true;
}

bool statusboard_start(size_t n, const char *const *names, bool enabled)
{
    if (!enabled || n == 0)
        return false;
    sb_text = calloc(n, sizeof *sb_text);
    if (!sb_text)
        return false;
    pthread_mutex_lock(&sb_lock);
    sb_n = n;
    sb_names = names;
    for (size_t i = 0; i < n; i++)
        snprintf(sb_text[i], SB_LINE, "starting");
    sb_enabled = true;
    sb_draw();
    pthread_mutex_unlock(&sb_lock);
    return true;
}

bool statusboard_on(void)
{
    return sb_enabled;
}

void statusboard_set(size_t i, const char *text)
{
    pthread_mutex_lock(&sb_lock);
    if (sb_enabled && i < sb_n && strncmp(sb_text[i], text, SB_LINE) != 0) {
        snprintf(sb_text[i], SB_LINE, "%s", text);
        sb_rewind();
        sb_draw();
    }
    pthread_mutex_unlock(&sb_lock);
}

void statusboard_print(const char *line)
{
    pthread_mutex_lock(&sb_lock);
    if (sb_enabled) {
        sb_rewind();
        fprintf(stderr, "\r\033[2K%s\n", line);
        sb_draw();
    } else {
        fprintf(stderr, "%s\n", line);
    }
    pthread_mutex_unlock(&sb_lock);
}

void statusboard_stop(void)
{
    pthread_mutex_lock(&sb_lock);
    sb_enabled = false;
    sb_drawn = false;
    free(sb_text);
    sb_text = NULL;
    sb_n = 0;
    pthread_mutex_unlock(&sb_lock);
}
