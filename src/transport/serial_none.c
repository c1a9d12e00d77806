// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Built without libserialport (CMake ISPF_WITH_LIBSERIALPORT, docs/windows.md): no
 * serial ports. This file replaces serial.c and the serial half of portlist.c; -P
 * net:HOST:PORT and the dryrun programmer still work.
 */
#include <stddef.h>

#include "ispflash/buildinfo.h"
#include "ispflash/portlist.h"
#include "transport/stream_impl.h"

static int serial_none_open(struct stream *s, const char *port, int baud, struct ispf_error *err)
{
    (void)s;
    (void)baud;
    return ispf_fail(err, ISPF_E_UNSUPPORTED,
                     "%s: this ispflash was built without libserialport: serial ports are not "
                     "available (-P net:HOST:PORT and -c dryrun are; rebuild with libserialport "
                     "for serial programmers)",
                     port);
}

static void serial_none_close(struct stream *s)
{
    (void)s;
}

static int serial_none_write(struct stream *s, const uint8_t *buf, size_t len,
                             struct ispf_error *err)
{
    (void)buf;
    (void)len;
    return ispf_fail(err, ISPF_E_UNSUPPORTED, "%s: built without libserialport", s->port);
}

static int serial_none_read_some(struct stream *s, uint8_t *buf, size_t len, int timeout_ms,
                                 struct ispf_error *err)
{
    (void)buf;
    (void)len;
    (void)timeout_ms;
    return ispf_fail(err, ISPF_E_UNSUPPORTED, "%s: built without libserialport", s->port);
}

const struct stream_ops stream_serial_ops = {
    .name = "serial (not built)",
    .open = serial_none_open,
    .close = serial_none_close,
    .write = serial_none_write,
    .read_some = serial_none_read_some,
    .set_baud = NULL,
    .set_lines = NULL,
};

int portlist_serial(struct portlist_dev **out, size_t *n, struct ispf_error *err)
{
    (void)err;
    *out = NULL;
    *n = 0;
    return ISPF_OK;
}

bool portlist_serial_one(const char *name, struct portlist_dev *out)
{
    (void)name;
    (void)out;
    return false;
}

int stream_serial_touch(const char *port, int baud, struct ispf_error *err)
{
    (void)baud;
    return ispf_fail(err, ISPF_E_UNSUPPORTED,
                     "%s: this ispflash was built without libserialport: -r cannot touch a "
                     "serial port",
                     port);
}

const char *buildinfo_libserialport(void)
{
    return "built without libserialport";
}
