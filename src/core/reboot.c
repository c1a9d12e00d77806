// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -r (ispflash/reboot.h): the 1200-baud touch, then the wait for the bootloader's
 * port. The enumeration is the raw one of ispflash/portlist.h, compared with the
 * ports seen before the touch; identities are judged by ispflash/usbids.h.
 */
#define LOG_PREFIX "reboot"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "ispflash/interrupt.h"
#include "ispflash/log.h"
#include "ispflash/portlist.h"
#include "ispflash/reboot.h"
#include "ispflash/usbids.h"

#define REBOOT_POLL_MS 50

static bool reboot_is_boot(const struct portlist_dev *d)
{
    return d->usb && usbids_is_bootloader(usbids_lookup(d->vid, d->pid, d->product));
}

static const struct portlist_dev *reboot_find(const struct portlist_dev *v, size_t n,
                                              const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return &v[i];
    return NULL;
}

/* The bootloader's port among now[], or NULL: a port that is new or changed its
 * identity since before[] and has a bootloader's identity wins; else a new port of
 * unknown identity (or none: no sysfs), or the application's own name back without
 * an identity after it went away. A new port that is known to be something else
 * (another programmer plugged in meanwhile) is never taken. */
static const struct portlist_dev *reboot_pick(const struct portlist_dev *before, size_t nb,
                                              const struct portlist_dev *now, size_t nn,
                                              const char *app, bool app_gone, bool *sure)
{
    *sure = false;
    const struct portlist_dev *other = NULL;
    for (size_t i = 0; i < nn; i++) {
        const struct portlist_dev *d = &now[i], *was = reboot_find(before, nb, d->name);
        bool changed = !was || (d->usb && (!was->usb || was->vid != d->vid || was->pid != d->pid));
        if (strcmp(d->name, app) == 0 && app_gone && !d->usb)
            changed = true; /* without sysfs: the same name back after it went away */
        if (!changed)
            continue; /* a port that lost its identity is going away, not arriving */
        if (reboot_is_boot(d)) {
            *sure = true;
            return d;
        }
        bool known = d->usb && usbids_lookup(d->vid, d->pid, d->product) != NULL;
        if (!known && other == NULL)
            other = d;
    }
    return other;
}

static void reboot_said(const char *what, const struct portlist_dev *d)
{
    const struct usbids_entry *id = d->usb ? usbids_lookup(d->vid, d->pid, d->product) : NULL;
    if (d->usb)
        log_info("-r: %s %s (%04x:%04x %s)", what, d->name, d->vid, d->pid,
                 id ? id->what : (d->product[0] ? d->product : "unknown device"));
    else
        log_info("-r: %s %s (a new port; the system gives no USB identity)", what, d->name);
}

static int reboot_no_port(const char *port, int wait_ms, struct ispf_error *err)
{
    return ispf_fail(
        err, ISPF_E_NO_DEVICE,
        "-r: no bootloader port appeared within %.1f s after the reset touch on %s (1200 baud, "
        "DTR dropped). Caterina's bootloader runs only briefly: 750 ms after a reset on a "
        "Leonardo-type board (Arduino Leonardo/Micro), 8 s on a SparkFun Pro Micro after a "
        "double reset. If the application does not reset on the touch (QMK firmware without "
        "a serial port, a sketch without the Arduino USB core), short RST to GND twice quickly "
        "and run the command again within 8 s, with -P the bootloader's port (-P ? lists the "
        "ports)",
        wait_ms / 1000.0, port);
}

static int reboot_check_args(const struct pgm_entry *pe, const char *port, struct ispf_error *err)
{
    if (pe && pe->transport != PGM_TRANSPORT_SERIAL)
        return ispf_fail(err, ISPF_E_USAGE,
                         "-r resets a board through its serial port; -c %s is not a serial "
                         "programmer",
                         pe->id);
    if (!port || !*port || strncmp(port, "usb", 3) == 0)
        return ispf_fail(err, ISPF_E_USAGE,
                         "-r needs -P with the serial port of the board's application (e.g. "
                         "-P /dev/ttyACM0): that port is reset, then the bootloader's port is "
                         "found");
    if (strncmp(port, "net:", 4) == 0)
        return ispf_fail(err, ISPF_E_USAGE,
                         "-r: %s is a network port; the reset touch needs the board's own USB "
                         "serial port",
                         port);
    return ISPF_OK;
}

/* Poll the ports until the bootloader's appears, the deadline passes or Ctrl-C. */
static int reboot_wait(const struct portlist_dev *before, size_t nb, const char *port, int wait_ms,
                       char *found, size_t size, struct ispf_error *err)
{
    long long deadline = clock_now_ms() + wait_ms;
    bool app_gone = false;
    char seen[PORTLIST_STR] = ""; /* a port without a bootloader's identity: taken once it
                                   * is seen twice the same (its sysfs entry complete) */
    for (;;) {
        if (ispf_interrupted())
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
        struct portlist_dev *now = NULL;
        size_t nn = 0;
        int rc = portlist_serial(&now, &nn, err);
        if (rc)
            return rc;
        if (!reboot_find(now, nn, port))
            app_gone = true;
        bool sure;
        const struct portlist_dev *pick = reboot_pick(before, nb, now, nn, port, app_gone, &sure);
        if (pick && !sure && strcmp(seen, pick->name) != 0) {
            snprintf(seen, sizeof seen, "%s", pick->name);
            pick = NULL;
        }
        if (pick) {
            snprintf(found, size, "%s", pick->name);
            reboot_said("bootloader appeared on", pick);
        }
        free(now);
        if (pick)
            return ISPF_OK;
        if (clock_now_ms() >= deadline)
            return reboot_no_port(port, wait_ms, err);
        clock_sleep_ms(REBOOT_POLL_MS);
    }
}

int reboot_to_bootloader(const struct pgm_entry *pe, const char *port, int wait_ms, char *found,
                         size_t size, struct ispf_error *err)
{
    int rc = reboot_check_args(pe, port, err);
    if (rc)
        return rc;
    struct portlist_dev app;
    if (portlist_serial_one(port, &app) && reboot_is_boot(&app)) {
        snprintf(found, size, "%s", port);
        reboot_said("already a bootloader, no reset needed:", &app);
        return ISPF_OK;
    }
    struct portlist_dev *before = NULL;
    size_t nb = 0;
    rc = portlist_serial(&before, &nb, err);
    if (rc == ISPF_OK)
        rc = portlist_touch(port, 1200, err);
    if (rc == ISPF_OK) {
        log_info("-r: %s reset (1200-baud touch); waiting up to %d s for the bootloader's port",
                 port, wait_ms / 1000);
        rc = reboot_wait(before, nb, port, wait_ms, found, size, err);
    } else if (rc != ISPF_E_INTERRUPTED) {
        ispf_error_prefix(err, "-r");
    }
    free(before);
    return rc;
}
