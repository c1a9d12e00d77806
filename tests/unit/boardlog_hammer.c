// SPDX-License-Identifier: GPL-2.0-or-later
/* boardlog_hammer LOG ID K: append K records (boards 1..K, programmer "hammer-ID") to LOG
 * and print "ID N" once record N is appended (written and fsync'ed). The message is long
 * (over 4 KiB, more than one page) with commas, quotes and a newline, so a record split or
 * interleaved with another process's is seen by tests/record/boardlog_check.py. The one
 * named "victim" is killed with -9 mid-way; the kernel may stop its write between pages,
 * so its messages have no quote, comma or newline, and a record cut short is one short
 * line that does not disturb the next record. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ispflash/boardlog.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: boardlog_hammer LOG ID K\n");
        return 2;
    }
    struct boardlog *l;
    struct ispf_error err;
    ispf_error_clear(&err);
    if (boardlog_open(&l, argv[1], &err) != ISPF_OK) {
        fprintf(stderr, "boardlog_hammer: %s\n", err.msg);
        return 1;
    }
    long k = strtol(argv[3], NULL, 10);
    char programmer[64], msg[8192];
    snprintf(programmer, sizeof programmer, "hammer-%s", argv[2]);
    struct boardlog_image im = {"flash", "crkbd.hex", {0}, 28672};
    for (long i = 1; i <= k; i++) {
        /* message: see boardlog_check.py, expected_message() */
        bool victim = strcmp(argv[2], "victim") == 0;
        int n = snprintf(msg, sizeof msg,
                         victim ? "board %ld of %s "
                                : "board %ld of %s: \"quoted\", comma,\nsecond line ",
                         i, programmer);
        size_t pad = 4200 + (size_t)(i % 7);
        memset(msg + n, 'x', pad);
        msg[n + pad] = '\0';
        memset(im.sha256, (int)(i & 0xff), sizeof im.sha256);
        struct boardlog_record r = {0};
        r.board = (unsigned)i;
        r.time_ms = boardlog_now_ms();
        r.programmer = programmer;
        r.port = "net:localhost:1";
        r.part = "ATmega32U4";
        r.images = &im;
        r.n_images = 1;
        r.have_serial = true;
        r.serial = (uint64_t)i;
        r.serial_text = "KB-x";
        r.result = i % 3 ? BOARDLOG_PASS : BOARDLOG_FAIL;
        r.exit_code = i % 3 ? 0 : 6;
        r.message = msg;
        r.seconds = 0.25;
        if (boardlog_append(l, &r, &err) != ISPF_OK) {
            fprintf(stderr, "boardlog_hammer: %s\n", err.msg);
            return 1;
        }
        printf("%s %ld\n", argv[2], i);
        fflush(stdout);
    }
    boardlog_close(l);
    return 0;
}
