// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Serial byte stream through libserialport: 8N1, no flow control, DTR and RTS
 * asserted after opening (an ATmega32U4 CDC programmer sends nothing while both
 * are low). Baud rates that reboot common programmers are refused: 1200 (Arduino
 * CDC "touch" into the Caterina bootloader), 134 and 150 (Teensy).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libserialport.h>
#if !defined(_WIN32)
#include <poll.h>
#endif

#define LOG_PREFIX "serial"
#include "base/clock.h"
#include "ispflash/buildinfo.h"
#include "ispflash/interrupt.h"
#include "ispflash/log.h"
#include "transport/stream_impl.h"
#include "transport/usb.h"

#define SERIAL_WRITE_TIMEOUT_MS 5000

struct serial_impl {
    struct sp_port *port;
};

static int serial_baud_ok(const char *port, int baud, struct ispf_error *err)
{
    if (baud == 1200 || baud == 134 || baud == 150)
        return ispf_fail(err, ISPF_E_USAGE,
                         "%s: refusing %d baud: this speed reboots %s into its bootloader; "
                         "ArduinoISP firmware uses 19200",
                         port, baud, baud == 1200 ? "Arduino/Pro Micro boards" : "a Teensy");
    if (baud <= 0)
        return ispf_fail(err, ISPF_E_USAGE, "%s: invalid baud rate %d", port, baud);
    return ISPF_OK;
}

/* Permission denied: the installed udev rules (which give the logged-in user the
 * known ISP programmers' ports), or the group to join. */
static int serial_access_error(const char *port, struct ispf_error *err)
{
    const char *installed = usb_udev_rules_installed();
    if (installed)
        return ispf_fail(err, ISPF_E_ACCESS,
                         "permission denied opening %s. ispflash's udev rules are installed "
                         "(%s) and cover the known ISP programmers and Arduino-class boards: "
                         "unplug and replug it, and check that you are logged in at the seat "
                         "(loginctl); for another adapter add yourself to the group that owns "
                         "the port (usually 'dialout': sudo usermod -aG dialout $USER, then "
                         "log in again)",
                         port, installed);
    return ispf_fail(err, ISPF_E_ACCESS,
                     "permission denied opening %s: add yourself to the group that owns "
                     "it (usually 'dialout': sudo usermod -aG dialout $USER, then log in "
                     "again), or install ispflash's udev rules (contrib/udev/60-ispflash.rules "
                     "to /etc/udev/rules.d/; 'cmake --install' and the .deb do) and replug it",
                     port);
}

const char *buildinfo_libserialport(void)
{
    static char buf[80];
    const char *loaded = sp_get_package_version_string();
    if (loaded && strcmp(loaded, SP_PACKAGE_VERSION_STRING) != 0)
        snprintf(buf, sizeof buf, "libserialport %s (loaded: %s)", SP_PACKAGE_VERSION_STRING,
                 loaded);
    else
        snprintf(buf, sizeof buf, "libserialport %s", SP_PACKAGE_VERSION_STRING);
    return buf;
}

/* Map a failed libserialport open onto our codes, with advice. */
static int serial_open_error(const char *port, int e, struct ispf_error *err)
{
    switch (e) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
        return ispf_fail(err, ISPF_E_NO_DEVICE,
                         "serial port %s does not exist: is the programmer plugged in? "
                         "(on Linux it is usually /dev/ttyACM0 or /dev/ttyUSB0)",
                         port);
    case EACCES:
    case EPERM:
        return serial_access_error(port, err);
    case EBUSY:
        return ispf_fail(err, ISPF_E_ACCESS, "%s is in use by another program", port);
    default:
        return ispf_fail(err, ISPF_E_IO, "cannot open serial port %s: %s", port,
                         e != 0 ? strerror(e) : "unknown error");
    }
}

static int serial_sp_fail(struct stream *s, const char *what, struct ispf_error *err)
{
    char *m = sp_last_error_message();
    int e = sp_last_error_code();
    int code = (e == EIO || e == ENXIO || e == ENODEV) ? ISPF_E_DISCONNECTED : ISPF_E_IO;
    ispf_fail(err, code, "%s: %s failed: %s%s", s->port, what, m ? m : "unknown error",
              code == ISPF_E_DISCONNECTED ? " (was the programmer unplugged?)" : "");
    sp_free_error_message(m);
    return code;
}

static int serial_open(struct stream *s, const char *port, int baud, struct ispf_error *err)
{
    int rc = serial_baud_ok(port, baud, err);
    if (rc < 0)
        return rc;
    struct sp_port *sp = NULL;
    errno = 0;
    if (sp_get_port_by_name(port, &sp) != SP_OK) {
        int e = errno != 0 ? errno : ENOENT;
        return serial_open_error(port, e, err);
    }
    if (sp_open(sp, SP_MODE_READ_WRITE) != SP_OK) {
        int e = sp_last_error_code();
        sp_free_port(sp);
        return serial_open_error(port, e, err);
    }
    struct sp_port_config *cfg = NULL;
    if (sp_new_config(&cfg) != SP_OK) {
        sp_close(sp);
        sp_free_port(sp);
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory configuring %s", port);
    }
    /* Speed first, then the lines: a port left at 1200 by another tool must not
     * see DTR drop while at that speed. */
    sp_set_config_baudrate(cfg, baud);
    sp_set_config_bits(cfg, 8);
    sp_set_config_parity(cfg, SP_PARITY_NONE);
    sp_set_config_stopbits(cfg, 1);
    sp_set_config_xon_xoff(cfg, SP_XONXOFF_DISABLED);
    sp_set_config_cts(cfg, SP_CTS_IGNORE);
    sp_set_config_dsr(cfg, SP_DSR_IGNORE);
    sp_set_config_rts(cfg, SP_RTS_ON);
    sp_set_config_dtr(cfg, SP_DTR_ON);
    enum sp_return r = sp_set_config(sp, cfg);
    sp_free_config(cfg);
    if (r != SP_OK) {
        char *m = sp_last_error_message();
        ispf_fail(err, ISPF_E_IO, "cannot configure %s (%d baud 8N1, DTR/RTS on): %s", port, baud,
                  m ? m : "unknown error");
        sp_free_error_message(m);
        sp_close(sp);
        sp_free_port(sp);
        return ISPF_E_IO;
    }
    struct serial_impl *im = calloc(1, sizeof *im);
    if (im == NULL) {
        sp_close(sp);
        sp_free_port(sp);
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    }
    im->port = sp;
    s->impl = im;
    int vid = 0, pid = 0;
    if (sp_get_port_transport(sp) == SP_TRANSPORT_USB &&
        sp_get_port_usb_vid_pid(sp, &vid, &pid) == SP_OK) {
        const char *desc = sp_get_port_description(sp);
        log_dbg("%s: USB %04x:%04x %s, %d baud", port, vid, pid, desc ? desc : "", baud);
    } else {
        log_dbg("%s: %d baud", port, baud);
    }
    return ISPF_OK;
}

static void serial_close(struct stream *s)
{
    struct serial_impl *im = s->impl;
    if (im == NULL)
        return;
    sp_close(im->port);
    sp_free_port(im->port);
    free(im);
    s->impl = NULL;
}

static int serial_write(struct stream *s, const uint8_t *buf, size_t len, struct ispf_error *err)
{
    struct serial_impl *im = s->impl;
    enum sp_return r = sp_blocking_write(im->port, buf, len, SERIAL_WRITE_TIMEOUT_MS);
    if (r < 0)
        return serial_sp_fail(s, "write", err);
    if ((size_t)r < len)
        return ispf_fail(err, ISPF_E_TIMEOUT, "%s: the port accepted only %d of %zu bytes in %d ms",
                         s->port, (int)r, len, SERIAL_WRITE_TIMEOUT_MS);
    return ISPF_OK;
}

static int serial_read_some(struct stream *s, uint8_t *buf, size_t len, int timeout_ms,
                            struct ispf_error *err)
{
    struct serial_impl *im = s->impl;
#if !defined(_WIN32)
    /* poll() on the descriptor so that a vanished device (hang-up) is an error at
     * once instead of a silent timeout. */
    int fd = -1;
    if (sp_get_port_handle(im->port, &fd) == SP_OK && fd >= 0) {
        long long deadline = clock_now_ms() + timeout_ms;
        for (;;) {
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            long long left = deadline - clock_now_ms();
            int pr = poll(&pfd, 1, left > 0 ? (int)left : 0);
            if (pr < 0 && errno == EINTR) {
                if (ispf_interrupted())
                    return 0; /* nothing read: the caller decides (stream.h) */
                continue;     /* the time left is recomputed from the deadline */
            }
            if (pr < 0)
                return ispf_fail(err, ISPF_E_IO, "%s: poll failed: %s", s->port, strerror(errno));
            if (pr == 0)
                return 0;
            if (pfd.revents & POLLIN) {
                enum sp_return r = sp_nonblocking_read(im->port, buf, len);
                if (r < 0)
                    return serial_sp_fail(s, "read", err);
                if (r > 0)
                    return (int)r;
            }
            if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
                return ispf_fail(err, ISPF_E_DISCONNECTED,
                                 "%s: the programmer went away (port hung up; was it "
                                 "unplugged or reset?)",
                                 s->port);
            if (clock_now_ms() >= deadline)
                return 0;
        }
    }
#endif
    enum sp_return r = timeout_ms > 0
                           ? sp_blocking_read_next(im->port, buf, len, (unsigned)timeout_ms)
                           : sp_nonblocking_read(im->port, buf, len);
    if (r < 0)
        return serial_sp_fail(s, "read", err);
    return (int)r;
}

static int serial_set_baud(struct stream *s, int baud, struct ispf_error *err)
{
    struct serial_impl *im = s->impl;
    int rc = serial_baud_ok(s->port, baud, err);
    if (rc < 0)
        return rc;
    if (sp_set_baudrate(im->port, baud) != SP_OK)
        return serial_sp_fail(s, "setting the baud rate", err);
    log_dbg("%s: %d baud", s->port, baud);
    return ISPF_OK;
}

static int serial_set_lines(struct stream *s, int dtr, int rts, struct ispf_error *err)
{
    struct serial_impl *im = s->impl;
    if (sp_set_dtr(im->port, dtr ? SP_DTR_ON : SP_DTR_OFF) != SP_OK)
        return serial_sp_fail(s, "setting DTR", err);
    if (sp_set_rts(im->port, rts ? SP_RTS_ON : SP_RTS_OFF) != SP_OK)
        return serial_sp_fail(s, "setting RTS", err);
    log_trace("%s: DTR %s, RTS %s", s->port, dtr ? "on" : "off", rts ? "on" : "off");
    return ISPF_OK;
}

/* The "1200-baud touch" (stream.h): the one place that opens a port at a speed
 * serial_baud_ok refuses, on purpose. Speed first, then DTR dropped, then closed:
 * an Arduino 32U4 core / Caterina application sees "1200 baud and DTR low" and
 * reboots into its bootloader. */
int stream_serial_touch(const char *port, int baud, struct ispf_error *err)
{
    struct sp_port *sp = NULL;
    errno = 0;
    if (sp_get_port_by_name(port, &sp) != SP_OK)
        return serial_open_error(port, errno != 0 ? errno : ENOENT, err);
    if (sp_open(sp, SP_MODE_READ_WRITE) != SP_OK) {
        int e = sp_last_error_code();
        sp_free_port(sp);
        return serial_open_error(port, e, err);
    }
    int rc = ISPF_OK;
    if (sp_set_baudrate(sp, baud) != SP_OK || sp_set_dtr(sp, SP_DTR_OFF) != SP_OK) {
        char *m = sp_last_error_message();
        rc = ispf_fail(err, ISPF_E_IO, "%s: cannot set %d baud and drop DTR (the reset touch): %s",
                       port, baud, m ? m : "unknown error");
        sp_free_error_message(m);
    }
    sp_close(sp);
    sp_free_port(sp);
    if (rc == ISPF_OK)
        log_dbg("%s: opened at %d baud, DTR dropped, closed (reset touch)", port, baud);
    return rc;
}

const struct stream_ops stream_serial_ops = {
    .name = "serial",
    .open = serial_open,
    .close = serial_close,
    .write = serial_write,
    .read_some = serial_read_some,
    .set_baud = serial_set_baud,
    .set_lines = serial_set_lines,
};
