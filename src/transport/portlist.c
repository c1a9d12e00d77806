// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What is plugged in (ispflash/portlist.h): serial ports through libserialport's
 * enumeration, USB devices through the libusb helper (usb.c). Nothing is opened
 * here except USB devices, to read their strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef ISPF_HAVE_LIBSERIALPORT
#include <libserialport.h>
#endif

#include "ispflash/portlist.h"
#include "transport/stream.h"
#include "transport/usb.h"

static void portlist_copy(char *dst, const char *src)
{
    snprintf(dst, PORTLIST_STR, "%s", src ? src : "");
}

/* Without libserialport, serial_none.c has the serial half. */
#ifdef ISPF_HAVE_LIBSERIALPORT
static void portlist_fill(struct sp_port *p, struct portlist_dev *d)
{
    memset(d, 0, sizeof *d);
    d->serial = true;
    d->bus = d->addr = -1;
    portlist_copy(d->name, sp_get_port_name(p));
    portlist_copy(d->description, sp_get_port_description(p));
    int vid = 0, pid = 0;
    if (sp_get_port_transport(p) != SP_TRANSPORT_USB ||
        sp_get_port_usb_vid_pid(p, &vid, &pid) != SP_OK)
        return;
    d->usb = true;
    d->vid = (uint16_t)vid;
    d->pid = (uint16_t)pid;
    int bus = -1, addr = -1;
    if (sp_get_port_usb_bus_address(p, &bus, &addr) == SP_OK) {
        d->bus = bus;
        d->addr = addr;
    }
    portlist_copy(d->serial_no, sp_get_port_usb_serial(p));
    portlist_copy(d->manufacturer, sp_get_port_usb_manufacturer(p));
    portlist_copy(d->product, sp_get_port_usb_product(p));
}

static int portlist_cmp(const void *a, const void *b)
{
    return strcmp(((const struct portlist_dev *)a)->name, ((const struct portlist_dev *)b)->name);
}

int portlist_serial(struct portlist_dev **out, size_t *n, struct ispf_error *err)
{
    *out = NULL;
    *n = 0;
    struct sp_port **ports = NULL;
    if (sp_list_ports(&ports) != SP_OK) {
        /* No /sys/class/tty (a container): no ports, not an error. */
        char *m = sp_last_error_message();
        sp_free_error_message(m);
        return ISPF_OK;
    }
    if (!ports) /* SP_OK without a list: seen while a device re-enumerates (-r) */
        return ISPF_OK;
    size_t cnt = 0;
    while (ports[cnt])
        cnt++;
    struct portlist_dev *v = calloc(cnt ? cnt : 1, sizeof *v);
    if (!v) {
        sp_free_port_list(ports);
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < cnt; i++)
        portlist_fill(ports[i], &v[i]);
    sp_free_port_list(ports);
    qsort(v, cnt, sizeof *v, portlist_cmp);
    *out = v;
    *n = cnt;
    return ISPF_OK;
}

bool portlist_serial_one(const char *name, struct portlist_dev *out)
{
    struct sp_port *p = NULL;
    if (sp_get_port_by_name(name, &p) != SP_OK)
        return false;
    portlist_fill(p, out);
    sp_free_port(p);
    return true;
}

#endif /* ISPF_HAVE_LIBSERIALPORT */

int portlist_usb(bool (*want)(uint16_t vid, uint16_t pid), struct portlist_dev **out, size_t *n,
                 struct ispf_error *err)
{
    *out = NULL;
    *n = 0;
    struct usb_listed *l = NULL;
    size_t cnt = 0;
    int rc = usb_list(want, &l, &cnt, err);
    if (rc)
        return rc;
    struct portlist_dev *v = calloc(cnt ? cnt : 1, sizeof *v);
    if (!v) {
        free(l);
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < cnt; i++) {
        struct portlist_dev *d = &v[i];
        snprintf(d->name, sizeof d->name, "usb bus %u device %u", l[i].bus, l[i].addr);
        d->usb = true;
        d->vid = l[i].vid;
        d->pid = l[i].pid;
        d->bus = l[i].bus;
        d->addr = l[i].addr;
        portlist_copy(d->serial_no, l[i].serial);
        portlist_copy(d->manufacturer, l[i].manufacturer);
        portlist_copy(d->product, l[i].product);
        portlist_copy(d->note, l[i].note);
    }
    free(l);
    *out = v;
    *n = cnt;
    return ISPF_OK;
}

int portlist_touch(const char *port, int baud, struct ispf_error *err)
{
    return stream_serial_touch(port, baud, err);
}
