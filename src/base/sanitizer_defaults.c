/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Linked into every program of a sanitizer build (-DISPF_SANITIZE=ON) and into no other
 * build. The sanitizers exit with 1 by default (ASan, UBSan) or 23 (LeakSanitizer):
 * 1 is also ispflash's documented "other failure", so a test expecting exit 1 would pass
 * on a memory error or a leak. Every sanitizer report ends the program with 86 instead,
 * which is none of the documented codes (docs/ispflash.1, EXIT STATUS; CTest
 * sanitizer_exitcode checks both). An explicit exitcode= in ASAN_OPTIONS, UBSAN_OPTIONS
 * or LSAN_OPTIONS still wins, so .ci/run sets none.
 *
 * A report in a program no test waits for (an emulator or a bridge a test script starts
 * in the background, whose output goes to a log the script deletes) would be lost: every
 * report's summary line is therefore also appended to the file ISPF_SANITIZER_REPORTS
 * names, when it is set (tests/sanitizer.cmake sets one per test, and the CTest
 * sanitizer_reports fails when any was written). The runtime's log_path= cannot do this:
 * it opens its log at start-up, which crashes under umockdev's preload library.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/sanitizer_defaults.h"

const char *__asan_default_options(void)
{
    return "exitcode=" ISPF_SANITIZER_EXITCODE_STR;
}

/* print_summary=1: UBSan prints no summary line by default, and the summary is what
 * reaches __sanitizer_report_error_summary below. */
const char *__ubsan_default_options(void)
{
    return "exitcode=" ISPF_SANITIZER_EXITCODE_STR ":print_summary=1";
}

const char *__lsan_default_options(void)
{
    return "exitcode=" ISPF_SANITIZER_EXITCODE_STR;
}

/* write(2) all of buf, ignoring errors: a report is being made, nothing else can be done. */
static void san_write(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

/* "pid NNN PROG: " into buf (PROG from /proc/self/comm where there is one). */
static size_t san_prefix(char *buf, size_t cap)
{
    char digits[24];
    size_t nd = 0, k = 0;
    for (unsigned long pid = (unsigned long)getpid(); nd == 0 || pid; pid /= 10)
        digits[nd++] = (char)('0' + pid % 10);
    memcpy(buf, "pid ", 4);
    k = 4;
    while (nd > 0)
        buf[k++] = digits[--nd];
    buf[k++] = ' ';
    int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, buf + k, cap - k - 2);
        close(fd);
        if (n > 0)
            k += (size_t)n;
        while (k > 0 && (buf[k - 1] == '\n' || buf[k - 1] == ' '))
            k--;
    }
    buf[k++] = ':';
    buf[k++] = ' ';
    return k;
}

void __sanitizer_report_error_summary(const char *summary)
{
    size_t len = strlen(summary);
    san_write(2, summary, len); /* what the runtime's own version does */
    san_write(2, "\n", 1);
    const char *path = getenv("ISPF_SANITIZER_REPORTS");
    if (!path || !*path)
        return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    char head[64];
    san_write(fd, head, san_prefix(head, sizeof head));
    san_write(fd, summary, len);
    san_write(fd, "\n", 1);
    close(fd);
}
