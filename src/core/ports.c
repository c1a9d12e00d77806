// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Finding the programmer (ispflash/ports.h): the raw enumeration (ispflash/portlist.h)
 * joined with the identity table (ispflash/usbids.h).
 */
#define LOG_PREFIX "ports"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ispflash/log.h"
#include "ispflash/ports.h"

#define PORTS_LIST_TEXT 2048

/* The guess for one device from its identity. */
static void ports_guess(struct ports_entry *e)
{
    const struct portlist_dev *d = &e->dev;
    e->id = d->usb ? usbids_lookup(d->vid, d->pid, d->product) : NULL;
    e->bootloader = usbids_is_bootloader(e->id);
    e->use[0] = '\0';
    if (e->id) {
        snprintf(e->guess, sizeof e->guess, "%s", e->id->what);
        e->advice = e->id->advice;
        e->pgm = e->id->pgm;
    } else if (d->usb) {
        snprintf(e->guess, sizeof e->guess,
                 "unknown USB serial device: if it is an ISP programmer, -c avrisp "
                 "(ArduinoISP), -c stk500v2 or -c buspirate, as its firmware is");
    } else {
        snprintf(e->guess, sizeof e->guess, "a serial port not on USB (built-in or virtual)");
    }
    if (d->serial && d->usb)
        snprintf(e->use, sizeof e->use, "-P %s or -P usb:%04x:%04x%s%s", d->name, d->vid, d->pid,
                 d->serial_no[0] ? ":" : "", d->serial_no);
    else if (d->serial)
        snprintf(e->use, sizeof e->use, "-P %s", d->name);
    else if (e->id && e->id->kind == USBIDS_USB_ISP)
        snprintf(e->use, sizeof e->use, "-P usb%s%s", d->serial_no[0] ? ":" : "", d->serial_no);
}

/* libusb devices worth listing: table rows that are not serial ports. */
static bool ports_usb_wanted(uint16_t vid, uint16_t pid)
{
    for (size_t i = 0; i < usbids_count(); i++) {
        const struct usbids_entry *e = usbids_at(i);
        if (e->vid == vid && e->pid == pid && !e->serial)
            return true;
    }
    return false;
}

/* The serial ports, and with with_usb the USB devices of ports_usb_wanted. */
static int ports_collect(struct ports_list *out, bool with_usb, struct ispf_error *err)
{
    out->v = NULL;
    out->n = 0;
    struct portlist_dev *ser = NULL, *usb = NULL;
    size_t nser = 0, nusb = 0;
    int rc = portlist_serial(&ser, &nser, err);
    if (rc == ISPF_OK && with_usb)
        rc = portlist_usb(ports_usb_wanted, &usb, &nusb, err);
    if (rc == ISPF_OK) {
        out->v = calloc(nser + nusb + 1, sizeof *out->v);
        if (!out->v)
            rc = ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    }
    if (rc == ISPF_OK) {
        for (size_t i = 0; i < nser + nusb; i++) {
            out->v[i].dev = i < nser ? ser[i] : usb[i - nser];
            ports_guess(&out->v[i]);
        }
        out->n = nser + nusb;
    }
    free(ser);
    free(usb);
    return rc;
}

int ports_list(struct ports_list *out, struct ispf_error *err)
{
    return ports_collect(out, true, err);
}

void ports_list_free(struct ports_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

bool ports_parse_usb(const char *port, uint16_t *vid, uint16_t *pid, char *serial, size_t size)
{
    if (strncasecmp(port, "usb:", 4) != 0)
        return false;
    const char *p = port + 4;
    unsigned long v[2];
    for (int i = 0; i < 2; i++) {
        char *end;
        if (!isxdigit((unsigned char)p[0]))
            return false;
        v[i] = strtoul(p, &end, 16);
        if (end - p > 4 || v[i] > 0xFFFF || (*end != ':' && *end != '\0') || (i == 0 && !*end))
            return false;
        p = *end ? end + 1 : end;
        if (i == 1 && *end == ':' && *p == '\0')
            return false; /* "usb:V:P:" */
    }
    *vid = (uint16_t)v[0];
    *pid = (uint16_t)v[1];
    snprintf(serial, size, "%s", p);
    return true;
}

/* One line per serial port (or "  (none)"), for messages. */
static const char *ports_text(const struct ports_list *l, char *buf, size_t size)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l->n && pos + 200 < size; i++) {
        const struct ports_entry *e = &l->v[i];
        if (!e->dev.serial)
            continue;
        if (e->dev.usb)
            pos += (size_t)snprintf(buf + pos, size - pos, "\n  %s  usb:%04x:%04x%s%s  %s",
                                    e->dev.name, e->dev.vid, e->dev.pid,
                                    e->dev.serial_no[0] ? ":" : "", e->dev.serial_no, e->guess);
        else
            pos += (size_t)snprintf(buf + pos, size - pos, "\n  %s  %s", e->dev.name, e->guess);
    }
    if (pos == 0)
        snprintf(buf, size, "\n  (no serial port found)");
    return buf;
}

/* The warning for a port that is a board in its bootloader (before anything is sent). */
static void ports_warn_bootloader(const char *name, const struct portlist_dev *d)
{
    const struct usbids_entry *id = d->usb ? usbids_lookup(d->vid, d->pid, d->product) : NULL;
    if (!usbids_is_bootloader(id))
        return;
    log_warn("%s is %04x:%04x, %s: that is a board in its bootloader, the board you want to "
             "flash, not an ISP programmer. Connect the ISP programmer (e.g. a Pro Micro "
             "running QMK's ISP firmware, -c avrisp) to the board's ISP pins and give the "
             "programmer's port (-P ? lists the ports)",
             name, d->vid, d->pid, id->what);
}

/* -P usb:VID:PID[:SERIAL] for a serial programmer. */
static int ports_by_usb(const struct ports_list *l, const char *port, char *buf, size_t size,
                        struct ispf_error *err)
{
    uint16_t vid, pid;
    char want[PORTLIST_STR], text[PORTS_LIST_TEXT];
    if (!ports_parse_usb(port, &vid, &pid, want, sizeof want))
        return ispf_fail(err, ISPF_E_USAGE,
                         "-P %s: for a serial programmer give usb:VID:PID[:SERIAL] with VID "
                         "and PID in hex (e.g. -P usb:16c0:0483), or the port's name; -P ? "
                         "lists the ports",
                         port);
    const struct ports_entry *hit = NULL;
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct portlist_dev *d = &l->v[i].dev;
        if (!d->serial || !d->usb || d->vid != vid || d->pid != pid)
            continue;
        if (want[0] && strcmp(want, d->serial_no) != 0)
            continue;
        hit = &l->v[i];
        n++;
    }
    if (n == 0)
        return ispf_fail(err, ISPF_E_NO_DEVICE,
                         "-P %s: no serial port has USB id %04x:%04x%s%s. Serial ports:%s", port,
                         vid, pid, want[0] ? " and serial number " : "", want,
                         ports_text(l, text, sizeof text));
    if (n > 1)
        return ispf_fail(err, ISPF_E_USAGE,
                         "-P %s: %zu serial ports have USB id %04x:%04x%s; add :SERIAL to "
                         "choose one (or give the port's name if their serial numbers are the "
                         "same):%s",
                         port, n, vid, pid, want[0] ? " and that serial number" : "",
                         ports_text(l, text, sizeof text));
    snprintf(buf, size, "%s", hit->dev.name);
    log_info("-P %s is %s", port, hit->dev.name);
    ports_warn_bootloader(hit->dev.name, &hit->dev);
    return ISPF_OK;
}

/* No -P for a serial programmer: the one plausible port. A port not on USB (a
 * built-in UART, which most PCs have) is never taken without -P, nor one whose
 * identity says it is something else (a bootloader, another kind of programmer). */
static int ports_auto(const struct ports_list *l, const struct pgm_entry *pe, char *buf,
                      size_t size, struct ispf_error *err)
{
    size_t count[3] = {0, 0, 0}, nusb = 0, nfree = 0;
    const struct ports_entry *best[3] = {NULL, NULL, NULL}, *free_port = NULL;
    for (size_t i = 0; i < l->n; i++) {
        const struct ports_entry *e = &l->v[i];
        if (!e->dev.serial || !e->dev.usb)
            continue;
        int f = usbids_fit(e->id, pe->id);
        count[f]++;
        if (!best[f])
            best[f] = e;
        nusb++;
        if (!e->id) { /* a known identity that does not fit is not taken as a last resort */
            nfree++;
            free_port = e;
        }
    }
    const struct ports_entry *pick = NULL;
    const char *why = NULL;
    char text[PORTS_LIST_TEXT];
    if (count[2] == 1 || (count[2] == 0 && count[1] == 1)) {
        pick = count[2] ? best[2] : best[1];
        why = pick->guess;
    } else if (count[2] == 0 && count[1] == 0 && nfree == 1) {
        pick = free_port;
        why = "the only USB serial port, an unknown device";
    }
    if (pick) {
        snprintf(buf, size, "%s", pick->dev.name);
        log_info("no -P given: using %s (%s)", pick->dev.name, why);
        return ISPF_OK;
    }
    if (nusb == 0)
        return ispf_fail(err, ISPF_E_NO_DEVICE,
                         "no -P given and no USB serial port found: plug in the programmer, or "
                         "give -P PORT (net:HOST:PORT for a network bridge). Serial ports:%s",
                         ports_text(l, text, sizeof text));
    if (count[2] + count[1] > 1)
        return ispf_fail(
            err, ISPF_E_USAGE,
            "no -P given and %zu serial ports could be the programmer for -c %s: choose "
            "one with -P (the name, or usb:VID:PID[:SERIAL]):%s",
            count[2] ? count[2] : count[1], pe->id, ports_text(l, text, sizeof text));
    return ispf_fail(err, ISPF_E_USAGE,
                     "no -P given and no serial port looks like a programmer for -c %s: choose "
                     "with -P:%s",
                     pe->id, ports_text(l, text, sizeof text));
}

/* -c for a bootloader itself (the board's own port is the right one) */
static bool ports_pgm_is_bootloader(const struct pgm_entry *pe)
{
    static const char *const ids[] = {"avr109", "butterfly", "avr911", "arduino"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (strcasecmp(pe->id, ids[i]) == 0)
            return true;
    return false;
}

int ports_resolve(const struct pgm_entry *pe, const char *port, char *buf, size_t size,
                  struct ispf_error *err)
{
    buf[0] = '\0';
    if (!pe || pe->transport != PGM_TRANSPORT_SERIAL)
        return ISPF_OK;
    if (port && strncasecmp(port, "usb", 3) != 0 && ports_pgm_is_bootloader(pe))
        return ISPF_OK; /* a bootloader's own port: no "not a programmer" warning */
    if (port && strncmp(port, "net:", 4) == 0)
        return ISPF_OK;
    bool by_usb = port && strncasecmp(port, "usb", 3) == 0 && (port[3] == ':' || !port[3]);
    if (port && !by_usb) {
        struct portlist_dev d;
        if (portlist_serial_one(port, &d))
            ports_warn_bootloader(port, &d);
        return ISPF_OK;
    }
    struct ports_list l;
    int rc = ports_collect(&l, false, err);
    if (rc == ISPF_OK)
        rc = by_usb ? ports_by_usb(&l, port, buf, size, err) : ports_auto(&l, pe, buf, size, err);
    if (rc == ISPF_OK && !by_usb && buf[0]) {
        for (size_t i = 0; i < l.n; i++)
            if (strcmp(l.v[i].dev.name, buf) == 0)
                ports_warn_bootloader(buf, &l.v[i].dev);
    }
    ports_list_free(&l);
    return rc;
}
