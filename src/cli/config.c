// SPDX-License-Identifier: GPL-2.0-or-later
/* See config.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cli_config_path(char *buf, size_t size)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int n;
    buf[0] = '\0';
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, size, "%s/ispflash/config", xdg);
    else if (home && home[0])
        n = snprintf(buf, size, "%s/.config/ispflash/config", home);
    else
        return -1;
    if (n < 0 || (size_t)n >= size) {
        buf[0] = '\0';
        return -1;
    }
    return 0;
}

static char *cli_config_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && strchr(" \t\r", s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* One "key = value" (both trimmed, value non-empty): 0, or -1 with the reason. */
static int cli_config_set(struct cli_config *c, const char *key, const char *value, char *why,
                          size_t whylen)
{
    char *dst = NULL;
    if (strcmp(key, "programmer") == 0)
        dst = c->programmer;
    else if (strcmp(key, "port") == 0)
        dst = c->port;
    else if (strcmp(key, "part") == 0)
        dst = c->part;
    if (dst) {
        if (strlen(value) >= CLI_CONFIG_VALUE) {
            snprintf(why, whylen, "the %s is too long", key);
            return -1;
        }
        strcpy(dst, value);
        return 0;
    }
    if (strcmp(key, "baud") == 0) {
        char *end;
        errno = 0;
        long b = strtol(value, &end, 10);
        if (errno || *end || b <= 0 || b > 10000000) {
            snprintf(why, whylen, "baud = %s: give a positive number (e.g. 19200)", value);
            return -1;
        }
        c->baud = (int)b;
        return 0;
    }
    if (strcmp(key, "bitclock") == 0) {
        if (cli_parse_bitclock(value, &c->bitclock_us) == 0)
            return 0;
        snprintf(why, whylen,
                 "bitclock = %s: give the ISP clock period in microseconds (10) or a "
                 "frequency (125kHz), as -B",
                 value);
        return -1;
    }
    snprintf(why, whylen, "unknown key '%s' (known: programmer, port, baud, bitclock, part)", key);
    return -1;
}

/* One line (modified in place): 0, or -1 with the reason in why. */
static int cli_config_line(struct cli_config *c, char *line, char *why, size_t whylen)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *s = cli_config_trim(line);
    if (!*s)
        return 0;
    char *eq = strchr(s, '=');
    if (!eq) {
        snprintf(why, whylen, "'%s' is not 'key = value'", s);
        return -1;
    }
    *eq = '\0';
    char *key = cli_config_trim(s);
    char *value = cli_config_trim(eq + 1);
    if (!*key || !*value) {
        snprintf(why, whylen, "%s", *key ? "no value after '='" : "no key before '='");
        return -1;
    }
    return cli_config_set(c, key, value, why, whylen);
}

int cli_config_parse(struct cli_config *c, const char *text, const char *path, char *msg,
                     size_t msglen)
{
    unsigned lineno = 0;
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n");
        char line[1024], why[400];
        lineno++;
        if (len >= sizeof line) {
            snprintf(msg, msglen, "%s:%u: the line is too long", path, lineno);
            return -1;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        if (cli_config_line(c, line, why, sizeof why)) {
            snprintf(msg, msglen, "%s:%u: %s", path, lineno, why);
            return -1;
        }
        p += len;
        if (*p == '\n')
            p++;
    }
    return 0;
}

int cli_config_load(struct cli_config *c, char *msg, size_t msglen)
{
    c->loaded = false;
    if (!c->path[0])
        return 0;
    FILE *f = fopen(c->path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        snprintf(msg, msglen, "%s: %s", c->path, strerror(errno));
        return -1;
    }
    char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    bool err = ferror(f) != 0, big = n == sizeof text - 1;
    fclose(f);
    if (err || big) {
        snprintf(msg, msglen, "%s: %s", c->path,
                 err ? "cannot be read" : "too big for a configuration file (64 KiB at most)");
        return -1;
    }
    text[n] = '\0';
    if (memchr(text, '\0', n)) {
        snprintf(msg, msglen, "%s: not a text file", c->path);
        return -1;
    }
    if (cli_config_parse(c, text, c->path, msg, msglen))
        return -1;
    c->loaded = true;
    return 0;
}

void cli_config_apply(const struct cli_config *c, struct cli_opts *o)
{
    bool same_programmer =
        !o->programmer || (c->programmer[0] && strcasecmp(o->programmer, c->programmer) == 0);
    if (!o->programmer && c->programmer[0])
        o->programmer = c->programmer;
    if (!o->part && c->part[0])
        o->part = c->part;
    if (!o->bitclock_us && c->bitclock_us > 0)
        o->bitclock_us = c->bitclock_us;
    if (!same_programmer)
        return;
    if (o->n_ports == 0 && c->port[0] && !o->ports_file) {
        o->port = c->port;
        o->ports[o->n_ports++] = c->port;
    }
    if (!o->baud && c->baud > 0)
        o->baud = c->baud;
}
