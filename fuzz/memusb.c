// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A scripted USB device for the USB programmer harnesses (fuzz_pgm.c built with
 * FUZZ_PGM_USB): this file defines every function of src/transport/usb.h, so the
 * library's usb.c is not linked (fuzz/targets.cmake), and the backends' reply
 * handling (usbtiny.c, usbasp.c) runs on replies from the fuzz input, with the virtual
 * clock of memstream.c. usb.c itself (the libusb calls) is not fuzzed.
 *
 * The script is shared with memstream.c (memstream_next_chunk): each IN transfer takes
 * one chunk, a byte L then: L < 0xC0: min((L & 0x3F) + 1, the length asked) reply bytes;
 * 0xC0-0xEF: an I/O error (the backends retry those); 0xF0-0xFD: a timeout; 0xFE: the
 * device is unplugged; 0xFF: a reply of 0 bytes. When the script is used up every
 * transfer times out. OUT transfers always succeed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memstream.h"
#include "transport/usb.h"

struct usb_dev {
    struct usb_counters c;
    char desc[32];
};

int usb_open(struct usb_dev **out, const struct usb_id *ids, size_t n_ids, const char *port,
             const char *pgm_name, size_t *which, struct ispf_error *err)
{
    (void)port, (void)pgm_name;
    if (n_ids == 0)
        return ispf_fail(err, ISPF_E_NO_DEVICE, "no identities");
    struct usb_dev *d = calloc(1, sizeof *d);
    if (!d)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    snprintf(d->desc, sizeof d->desc, "%04x:%04x fuzz", ids[0].vid, ids[0].pid);
    if (which)
        *which = 0;
    *out = d;
    return ISPF_OK;
}

void usb_close(struct usb_dev *dev)
{
    free(dev);
}

int usb_ctrl_in(struct usb_dev *dev, uint8_t request, uint16_t value, uint16_t index, uint8_t *buf,
                uint16_t len, unsigned timeout_ms, const char *what, struct ispf_error *err)
{
    (void)request, (void)value, (void)index;
    dev->c.transfers++;
    uint8_t chunk[64];
    int kind = memstream_next_chunk(chunk, &len, timeout_ms);
    if (kind == MEMSTREAM_DATA) {
        if (len) /* usbasp asks for 0 bytes with buf NULL */
            memcpy(buf, chunk, len);
        dev->c.bytes_in += len;
        return len;
    }
    if (kind == MEMSTREAM_IO)
        return ispf_fail(err, ISPF_E_IO, "%s: USB I/O error (fuzz)", what);
    if (kind == MEMSTREAM_GONE)
        return ispf_fail(err, ISPF_E_DISCONNECTED, "%s: the programmer was unplugged (fuzz)", what);
    if (kind == MEMSTREAM_EMPTY)
        return 0;
    return ispf_fail(err, ISPF_E_TIMEOUT, "%s: no answer within %u ms (fuzz)", what, timeout_ms);
}

int usb_ctrl_out(struct usb_dev *dev, uint8_t request, uint16_t value, uint16_t index,
                 const uint8_t *buf, uint16_t len, unsigned timeout_ms, const char *what,
                 struct ispf_error *err)
{
    (void)request, (void)value, (void)index, (void)buf, (void)timeout_ms, (void)what, (void)err;
    dev->c.transfers++;
    dev->c.bytes_out += len;
    return ISPF_OK;
}

void usb_note_written(struct usb_dev *dev, const char *mem, uint32_t addr)
{
    (void)dev, (void)mem, (void)addr;
}

struct usb_counters usb_get_counters(const struct usb_dev *dev)
{
    return dev->c;
}

const char *usb_describe(const struct usb_dev *dev)
{
    return dev->desc;
}

void usb_udev_rule(char *buf, size_t size, uint16_t vid, uint16_t pid)
{
    snprintf(buf, size, "SUBSYSTEM==\"usb\", ATTR{idVendor}==\"%04x\", ATTR{idProduct}==\"%04x\"",
             vid, pid);
}

int usb_list(bool (*want)(uint16_t vid, uint16_t pid), struct usb_listed **out, size_t *n,
             struct ispf_error *err)
{
    (void)want, (void)err;
    *out = NULL;
    *n = 0;
    return ISPF_OK;
}
