// SPDX-License-Identifier: GPL-2.0-or-later
/* See listports.h; the guesses come from core (ispflash/ports.h). */
#include <stdio.h>

#include "help.h"
#include "ispflash/error.h"
#include "ispflash/ports.h"
#include "listports.h"

static void cli_port_entry(const struct ports_entry *e)
{
    const struct portlist_dev *d = &e->dev;
    printf("  %s", d->name);
    if (d->usb) {
        printf("  USB %04x:%04x", d->vid, d->pid);
        if (d->serial_no[0])
            printf("  serial %s", d->serial_no);
        if (d->manufacturer[0] || d->product[0])
            printf("  \"%s\" \"%s\"", d->manufacturer, d->product);
    } else if (d->description[0]) {
        printf("  (%s)", d->description);
    }
    printf("\n      %s", e->guess);
    if (e->pgm)
        printf(": -c %s", e->pgm);
    printf("\n");
    if (e->bootloader)
        printf("      this is a board in its bootloader, not a programmer: %s\n",
               e->advice ? e->advice : "");
    else if (e->advice)
        printf("      %s\n", e->advice);
    if (e->use[0])
        printf("      %s\n", e->use);
    if (d->note[0])
        printf("      (%s)\n", d->note);
}

int cli_list_ports(void)
{
    struct ports_list l;
    struct ispf_error err;
    ispf_error_clear(&err);
    int rc = ports_list(&l, &err);
    if (rc) {
        fprintf(stderr, "ispflash: error: %s\n", err.msg);
        return cli_exit_code(rc);
    }
    size_t nserial = 0;
    for (size_t i = 0; i < l.n; i++)
        nserial += l.v[i].dev.serial;
    printf("Serial ports (for -c avrisp, stk500v1, arduino, stk500v2, buspirate):\n");
    if (nserial == 0)
        printf("  (none found)\n");
    for (size_t i = 0; i < l.n; i++)
        if (l.v[i].dev.serial)
            cli_port_entry(&l.v[i]);
    printf("USB programmers and boards in a USB bootloader:\n");
#ifndef ISPF_HAVE_LIBUSB
    printf("  (not searched: this ispflash was built without libusb-1.0)\n");
#else
    if (nserial == l.n)
        printf("  (none found)\n");
#endif
    for (size_t i = 0; i < l.n; i++)
        if (!l.v[i].dev.serial)
            cli_port_entry(&l.v[i]);
    ports_list_free(&l);
    return 0;
}
