// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim for programs talking to an emulated tty (ispf-emu --tty).
 * umockdev's emulated /dev/ttyACM0 is a pty, and a pty answers the modem-line
 * ioctls (TIOCMGET/TIOCMSET/TIOCMBIS/TIOCMBIC) with ENOTTY, which makes
 * libserialport refuse the port. When the real ioctl fails that way, the shim
 * keeps the lines itself (DTR/RTS as set; CTS, DSR and CD always on) and records
 * DTR/RTS in the file named by ISPF_TTYSHIM_LINES for the emulator.
 *
 * isatty(): umockdev's preload answers it for its pty-backed nodes by the device
 * number it emulates, and counts only the classic tty majors (4, 5) as terminals:
 * for /dev/ttyACM0 (166:0) it says "not a tty", and avrdude's ser_open then fails
 * with "cannot set attributes for port /dev/ttyACM0: Inappropriate ioctl for
 * device" (ser_setparams checks isatty first; no ioctl is even tried). Every node
 * ispf-emu --tty makes is a serial port, so the shim answers isatty() by the
 * kernel's own test (TCGETS on the pty) when umockdev says no.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>

typedef int (*shim_ioctl_fn)(int, unsigned long, ...);
typedef int (*shim_isatty_fn)(int);

/* Linux asserts DTR and RTS on open; ISPF_TTYSHIM_LINES_LOW=1 starts with both
 * low (as a port whose lines were left down), so a test can tell that the
 * client asserts them itself. */
static int shim_lines = -1;

static void shim_init(void)
{
    if (shim_lines < 0) {
        const char *low = getenv("ISPF_TTYSHIM_LINES_LOW");
        shim_lines = (low != NULL && low[0] == '1') ? 0 : (TIOCM_DTR | TIOCM_RTS);
    }
}

static void shim_publish(void)
{
    const char *path = getenv("ISPF_TTYSHIM_LINES");
    if (path == NULL)
        return;
    int saved = errno;
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fprintf(f, "%d %d\n", (shim_lines & TIOCM_DTR) != 0, (shim_lines & TIOCM_RTS) != 0);
        fclose(f);
    }
    errno = saved;
}

int ioctl(int fd, unsigned long request, ...)
{
    static shim_ioctl_fn real;
    if (real == NULL)
        real = (shim_ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    int r = real(fd, request, arg);
    if (r == 0 || (errno != ENOTTY && errno != EINVAL))
        return r;
    int *v = arg;
    shim_init();
    switch (request) {
    case TIOCMGET:
        *v = shim_lines | TIOCM_CTS | TIOCM_DSR | TIOCM_CD;
        return 0;
    case TIOCMSET:
        shim_lines = *v & (TIOCM_DTR | TIOCM_RTS);
        shim_publish();
        return 0;
    case TIOCMBIS:
        shim_lines |= *v & (TIOCM_DTR | TIOCM_RTS);
        shim_publish();
        return 0;
    case TIOCMBIC:
        shim_lines &= ~*v;
        shim_publish();
        return 0;
    default:
        return r;
    }
}

int isatty(int fd)
{
    static shim_isatty_fn real;
    if (real == NULL)
        real = (shim_isatty_fn)dlsym(RTLD_NEXT, "isatty");
    int saved = errno;
    if (real(fd) == 1)
        return 1;
    struct termios t;
    if (tcgetattr(fd, &t) == 0) { /* glibc's tcgetattr is the TCGETS syscall itself */
        errno = saved;
        return 1;
    }
    errno = ENOTTY;
    return 0;
}
