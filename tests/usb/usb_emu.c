// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * usb_emu: run a command against an emulated USB programmer.
 *
 *   umockdev-wrapper usb_emu --proto usbtiny|usbasp|avrisp2 --part ID
 *       [--state FILE | --target-file FILE] [--stats FILE] [--opt KEY=VALUE]...
 *       -- COMMAND ARGS...
 *
 * The harness creates a umockdev testbed with the programmer as a USB device
 * (sysfs attributes + binary descriptors + /dev/bus/usb/001/002), attaches an
 * ioctl handler to the node and answers the usbdevfs ioctls the way the kernel
 * would for the device, passing vendor control transfers to the firmware
 * emulator (fw_usbtiny.c, fw_usbasp.c) which drives the shared chip model.
 * A bulk-message firmware (fw_avrisp2.c, the AVRISP mkII) gets a configuration
 * with bulk endpoints 0x02 OUT / 0x82 IN (64-byte packets); bulk URBs
 * (libusb-1.0 and libusb-0.1 both submit them) and the synchronous
 * USBDEVFS_BULK ioctl carry its commands and answers. Its fault numbers count
 * commands (messages) instead of vendor requests.
 * COMMAND (ispflash, avrdude) inherits the umockdev preload and talks to the
 * device through the real libusb (1.0 via URBs, 0.1 via USBDEVFS_CONTROL and
 * read() of the node). When it exits, the chip is saved to --state and the
 * request counts to --stats; usb_emu exits with COMMAND's status.
 * --target-file FILE puts the (first) programmer's target in a socket
 * (src/sim/avrsocket.h): FILE missing = no board, empty = a fresh chip, else a
 * saved chip; COMMAND may take the board away (rm) and put others in (touch)
 * between or during its runs, and the firmware sees each without a restart.
 *
 * Options (--opt): serial=S vendor=S product=S vid=0xV pid=0xP
 *   unwired          no target on the ISP cable
 *   no_erase=1       Chip Erase is accepted but changes nothing (src/sim/avrchip.c)
 *   fuse_stuck=1     fuse writes are accepted but do not take
 *   stuck=ADDR:MASK  flash bits that cannot be programmed
 *   spi_delay_us=N   each ISP instruction takes N us (a slow target: time to Ctrl-C)
 *   max_sck=HZ       the target answers only at SCK <= HZ (a 1 MHz factory-fresh chip)
 *   unplug_after=N   the device disappears at vendor request N (ENODEV from then on)
 *   stall_at=N       vendor request N is stalled (EPIPE)
 *   hang_at=N        vendor request N is never answered (the host must time out);
 *                    bulk firmwares: the firmware locks up at command N (no answers)
 *   ioerr_at=N       vendor request N fails on the wire (EPROTO, a CRC error) and is
 *                    not executed
 *   access=1         the device node cannot be opened (permission denied)
 *   busy=1           CLAIMINTERFACE fails with EBUSY (another program has claimed it)
 *   devices=2        a second identical programmer (serial EMU2, its own chip,
 *                    saved to state2=FILE)
 *   and the firmware's own options (fw_usbasp.c: caps=0, longaddr=0).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <umockdev.h>
#include <unistd.h>

#include "sim/avrchip.h"
#include "sim/avrsocket.h"
#include "ispflash/part.h"
#include "usb/usbemu.h"

#define EMU_MAX_DEVS 2

struct emu_dev {
    struct usbemu emu;
    GMutex lock;
    GQueue pending; /* struct emu_urb*, submitted and not yet reaped */
    char devnode[64];
    uint8_t bus, devnum;
    uint16_t vid, pid;
    char vendor[64], product[64], serial[64];
    uint8_t devdesc[18];
    uint8_t config[32];
    size_t config_len;
    /* Bulk-message firmwares: the command being received, the answer being sent. */
    uint8_t msg[1024];
    size_t msg_len;
    uint8_t ans[512];
    size_t ans_len, ans_off;
    bool zlp_pending; /* an answer that filled its packets ends with a zero-length one */
    unsigned long bulk_urbs, bulk_ioctls; /* how the host sent its bulk transfers */
    unsigned long vendor_requests;        /* for fault numbering */
    unsigned long unplug_after, stall_at, hang_at, ioerr_at;
    bool unplugged;
    struct emu_urb *hung; /* submitted, never completed until the host discards it */
    bool access_denied;
    bool busy; /* CLAIMINTERFACE answers EBUSY */
    const char *state;
    UMockdevIoctlBase *handler;
};

struct emu_urb {
    UMockdevIoctlData *urb; /* ref held */
};

void usbemu_spi(struct usbemu *e, const uint8_t in[4], uint8_t out[4])
{
    e->instructions++;
    if (e->max_sck && e->sck_hz > (double)e->max_sck + 0.5) {
        /* Clocked too fast for the target's CPU clock: MISO is noise. */
        out[0] = 0xFF, out[1] = 0xFF, out[2] = 0xFF, out[3] = 0xFF;
        return;
    }
    avrchip_spi(&e->chip, in, out);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void emu_build_descriptors(struct emu_dev *d)
{
    uint8_t *dd = d->devdesc;
    dd[0] = 18, dd[1] = 1;
    put16(dd + 2, 0x0110);
    dd[4] = 0xFF, dd[5] = 0, dd[6] = 0, dd[7] = 8;
    put16(dd + 8, d->vid);
    put16(dd + 10, d->pid);
    put16(dd + 12, 0x0104);
    dd[14] = 1, dd[15] = 2, dd[16] = d->serial[0] ? 3 : 0, dd[17] = 1;
    static const uint8_t cfg[18] = {9, 2, 18, 0, 1, 1, 0, 0x80, 50, 9, 4, 0, 0, 0, 0xFF, 0, 0, 0};
    /* Bulk firmwares: interface 0 with bulk OUT 0x02 and bulk IN 0x82, 64 bytes. */
    static const uint8_t bulk_cfg[32] = {9,  2, 32, 0,    1, 1,    0, 0x80, 50, 9,    4,
                                         0,  0, 2,  0xFF, 0, 0,    0, 7,    5,  0x02, 2,
                                         64, 0, 0,  7,    5, 0x82, 2, 64,   0,  0};
    if (d->emu.fw->message) {
        memcpy(d->config, bulk_cfg, sizeof bulk_cfg);
        d->config_len = sizeof bulk_cfg;
        put16(dd + 2, 0x0200);
        dd[7] = 64;
    } else {
        memcpy(d->config, cfg, sizeof cfg);
        d->config_len = sizeof cfg;
    }
}

/* Standard requests: descriptors and the few others a host sends. */
static int emu_standard(struct emu_dev *d, const uint8_t setup[8], uint8_t *data)
{
    uint16_t wlen = usbemu_w(setup + 6);
    const uint8_t *src = NULL;
    uint8_t tmp[2 + 2 * 64];
    size_t n = 0;
    if (setup[1] == 6) { /* GET_DESCRIPTOR */
        uint8_t type = setup[3], idx = setup[2];
        if (type == 1) {
            src = d->devdesc, n = sizeof d->devdesc;
        } else if (type == 2) {
            src = d->config, n = d->config_len;
        } else if (type == 3) {
            const char *s = NULL;
            if (idx == 0) {
                tmp[0] = 4, tmp[1] = 3, tmp[2] = 0x09, tmp[3] = 0x04;
                n = 4;
            } else {
                s = idx == 1 ? d->vendor : idx == 2 ? d->product : idx == 3 ? d->serial : NULL;
                if (!s || !s[0])
                    return -EPIPE;
                size_t len = strlen(s);
                tmp[0] = (uint8_t)(2 + 2 * len), tmp[1] = 3;
                for (size_t i = 0; i < len; i++)
                    tmp[2 + 2 * i] = (uint8_t)s[i], tmp[3 + 2 * i] = 0;
                n = 2 + 2 * len;
            }
            src = tmp;
        } else {
            return -EPIPE;
        }
    } else if (setup[1] == 0 && (setup[0] & 0x80)) { /* GET_STATUS */
        tmp[0] = 0, tmp[1] = 0;
        src = tmp, n = 2;
    } else if (setup[1] == 8) { /* GET_CONFIGURATION */
        tmp[0] = 1;
        src = tmp, n = 1;
    } else {
        return 0; /* SET_CONFIGURATION, SET_INTERFACE, ... */
    }
    if (n > wlen)
        n = wlen;
    memcpy(data, src, n);
    return (int)n;
}

/* The link faults by request number (vendor_requests, just counted): -ENODEV from
 * unplug_after on (the device stays gone), -EPIPE at stall_at, -EPROTO at ioerr_at,
 * else 0. */
static int emu_link_fault(struct emu_dev *d)
{
    if (d->unplug_after && d->vendor_requests >= d->unplug_after) {
        d->unplugged = true;
        return -ENODEV;
    }
    if (d->stall_at && d->vendor_requests == d->stall_at)
        return -EPIPE;
    if (d->ioerr_at && d->vendor_requests == d->ioerr_at)
        return -EPROTO;
    return 0;
}

/* One control transfer. Returns IN length (>= 0; 0 for OUT), -EPIPE (stall),
 * -EPROTO (wire error), -ETIMEDOUT (never answered) or -ENODEV (unplugged).
 * data holds wLength bytes. */
static int emu_control(struct emu_dev *d, const uint8_t setup[8], uint8_t *data)
{
    if ((setup[0] & 0x60) == 0)
        return emu_standard(d, setup, data);
    d->vendor_requests++;
    int fault = emu_link_fault(d);
    if (fault)
        return fault;
    if (d->hang_at && d->vendor_requests == d->hang_at)
        return -ETIMEDOUT; /* the caller keeps the URB without completing it */
    struct usbemu *e = &d->emu;
    uint16_t wlen = usbemu_w(setup + 6);
    e->transfers++;
    e->per_request[setup[1]]++;
    int n = e->fw->handle(e, setup, data);
    if (n > 0)
        e->bytes_in += (unsigned long)n;
    if (!(setup[0] & 0x80))
        e->bytes_out += wlen;
    return n;
}

/* A command complete: the faults by its number, else the firmware runs it. Returns
 * 0, or -ENODEV / -EPIPE / -EPROTO for the OUT transfer that completed it
 * (hang_at: the command is swallowed and never answered). */
static int emu_bulk_command(struct emu_dev *d, size_t len)
{
    struct usbemu *e = &d->emu;
    d->vendor_requests++;
    d->msg_len = 0;
    int fault = emu_link_fault(d);
    if (fault)
        return fault;
    if (d->hang_at && d->vendor_requests >= d->hang_at)
        return 0; /* the firmware locked up at command hang_at: nothing answers */
    e->messages++;
    e->per_request[d->msg[0]]++;
    e->bytes_out += len;
    d->ans_len = e->fw->message(e, d->msg, len, d->ans);
    d->ans_off = 0; /* a zero-length packet still pending goes out first */
    e->bytes_in += d->ans_len;
    return 0;
}

/* One bulk transfer of len bytes (buffer data) on endpoint ep. OUT: the bytes
 * join the command being received. IN: as much of the answer as fits; the
 * transfer ends at the answer's last (short or zero-length) packet. Returns the
 * bytes moved, -ETIMEDOUT (nothing to send: the URB stays pending), or -errno. */
static int emu_bulk(struct emu_dev *d, uint8_t ep, uint8_t *data, size_t len)
{
    d->emu.transfers++;
    if (!(ep & 0x80)) {
        if ((ep & 0x7F) != 0x02)
            return -EPIPE;
        if (len == 0)
            return 0;
        size_t take = len < sizeof d->msg - d->msg_len ? len : sizeof d->msg - d->msg_len;
        memcpy(d->msg + d->msg_len, data, take);
        d->msg_len += take;
        size_t need = d->emu.fw->msg_length(d->msg, d->msg_len);
        if (need && d->msg_len >= need) {
            int rc = emu_bulk_command(d, need);
            if (rc < 0)
                return rc;
        }
        return (int)len;
    }
    if (ep != 0x82)
        return -EPIPE;
    size_t left = d->ans_len - d->ans_off;
    if (d->zlp_pending) {
        d->zlp_pending = false;
        return 0;
    }
    if (left == 0)
        return -ETIMEDOUT;
    if (len < left && len % 64 != 0) {
        d->ans_off = d->ans_len; /* babble: the packet did not fit */
        return -EOVERFLOW;
    }
    size_t n = len < left ? len : left;
    memcpy(data, d->ans + d->ans_off, n);
    d->ans_off += n;
    if (d->ans_off == d->ans_len && n % 64 == 0 && n == len)
        d->zlp_pending = true; /* the zero-length packet waits for the next transfer */
    return (int)n;
}

/* Complete a submitted URB after the firmware answered n (bytes, or -errno): unplugged
 * fails the ioctl, a hang keeps the URB pending (DISCARDURB ends it), anything else is
 * queued for reaping with its status and length. An IN answer goes into buffer b at
 * offset boff; an OUT transfer reports out_actual bytes sent. Frees data. */
static void emu_finish_urb(struct emu_dev *d, UMockdevIoctlClient *client, UMockdevIoctlData *u,
                           UMockdevIoctlData *b, gsize boff, bool in, uint8_t *data, int n,
                           int out_actual)
{
    if (n == -ENODEV) {
        g_free(data);
        umockdev_ioctl_client_complete(client, -1, ENODEV);
        return;
    }
    if (n == -ETIMEDOUT) {
        g_free(data);
        d->hung = g_new0(struct emu_urb, 1);
        d->hung->urb = g_object_ref(u);
        umockdev_ioctl_client_complete(client, 0, 0);
        return;
    }
    int status = n < 0 ? n : 0;
    int actual = n < 0 ? 0 : in ? n : out_actual;
    if (in && n > 0)
        umockdev_ioctl_data_update(b, boff, data, n);
    g_free(data);
    umockdev_ioctl_data_update(u, offsetof(struct usbdevfs_urb, status), (guint8 *)&status,
                               sizeof status);
    umockdev_ioctl_data_update(u, offsetof(struct usbdevfs_urb, actual_length), (guint8 *)&actual,
                               sizeof actual);
    struct emu_urb *p = g_new0(struct emu_urb, 1);
    p->urb = g_object_ref(u);
    g_queue_push_tail(&d->pending, p);
    umockdev_ioctl_client_complete(client, 0, 0);
}

/* A bulk URB (SUBMITURB): run it, queue it for reaping (or keep it pending). */
static void emu_submit_bulk(struct emu_dev *d, UMockdevIoctlClient *client, UMockdevIoctlData *u,
                            struct usbdevfs_urb *urb, GError **gerr)
{
    gsize blen = urb->buffer_length > 0 ? (gsize)urb->buffer_length : 0;
    UMockdevIoctlData *b =
        blen ? umockdev_ioctl_data_resolve(u, offsetof(struct usbdevfs_urb, buffer), blen, gerr)
             : NULL;
    if (blen && !b) {
        umockdev_ioctl_client_complete(client, -1, EFAULT);
        return;
    }
    d->bulk_urbs++;
    uint8_t *data = g_malloc0(blen + 1);
    if (b && !(urb->endpoint & 0x80))
        memcpy(data, b->data, blen);
    int n = emu_bulk(d, urb->endpoint, data, blen);
    emu_finish_urb(d, client, u, b, 0, (urb->endpoint & 0x80) != 0, data, n, n);
}

/* USBDEVFS_BULK: a synchronous bulk transfer (nothing to send: ETIMEDOUT at once,
 * which is what the kernel reports after the caller's timeout). */
static void emu_sync_bulk(struct emu_dev *d, UMockdevIoctlClient *client, UMockdevIoctlData *arg,
                          GError **gerr)
{
    UMockdevIoctlData *c =
        umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_bulktransfer), gerr);
    if (!c || !d->emu.fw->message) {
        umockdev_ioctl_client_complete(client, -1, c ? EINVAL : EFAULT);
        return;
    }
    struct usbdevfs_bulktransfer *bt = (struct usbdevfs_bulktransfer *)c->data;
    gsize blen = bt->len;
    UMockdevIoctlData *b = blen ? umockdev_ioctl_data_resolve(
                                      c, offsetof(struct usbdevfs_bulktransfer, data), blen, gerr)
                                : NULL;
    d->bulk_ioctls++;
    uint8_t *data = g_malloc0(blen + 1);
    if (b && !(bt->ep & 0x80))
        memcpy(data, b->data, blen);
    int n = emu_bulk(d, (uint8_t)bt->ep, data, blen);
    if (n >= 0 && (bt->ep & 0x80) && n > 0 && b)
        umockdev_ioctl_data_update(b, 0, data, n);
    g_free(data);
    if (n < 0)
        umockdev_ioctl_client_complete(client, -1, -n);
    else
        umockdev_ioctl_client_complete(client, n, 0);
}

/* USBDEVFS_SUBMITURB (libusb-1.0): run the control transfer, queue the URB for reaping. */
static void emu_submit_urb(struct emu_dev *d, UMockdevIoctlClient *client, UMockdevIoctlData *arg,
                           GError **gerr)
{
    UMockdevIoctlData *u = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), gerr);
    if (!u) {
        umockdev_ioctl_client_complete(client, -1, EFAULT);
        return;
    }
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)u->data;
    if (urb->type == USBDEVFS_URB_TYPE_BULK && d->emu.fw->message) {
        emu_submit_bulk(d, client, u, urb, gerr);
        return;
    }
    if (urb->type != USBDEVFS_URB_TYPE_CONTROL || urb->buffer_length < 8) {
        umockdev_ioctl_client_complete(client, -1, EINVAL);
        return;
    }
    UMockdevIoctlData *b = umockdev_ioctl_data_resolve(u, offsetof(struct usbdevfs_urb, buffer),
                                                       (gsize)urb->buffer_length, gerr);
    if (!b) {
        umockdev_ioctl_client_complete(client, -1, EFAULT);
        return;
    }
    uint8_t setup[8];
    memcpy(setup, b->data, 8);
    uint16_t wlen = usbemu_w(setup + 6);
    if ((int)wlen > urb->buffer_length - 8)
        wlen = (uint16_t)(urb->buffer_length - 8);
    uint8_t *data = g_malloc0((gsize)wlen + 8);
    if (!(setup[0] & 0x80))
        memcpy(data, b->data + 8, wlen);
    int n = emu_control(d, setup, data);
    emu_finish_urb(d, client, u, b, 8, (setup[0] & 0x80) != 0, data, n, wlen);
}

/* USBDEVFS_REAPURB[NDELAY]: hand back the oldest completed URB. */
static void emu_reap_urb(struct emu_dev *d, UMockdevIoctlClient *client, UMockdevIoctlData *arg,
                         GError **gerr)
{
    struct emu_urb *p = g_queue_pop_head(&d->pending);
    if (!p) {
        umockdev_ioctl_client_complete(client, -1, EAGAIN);
        return;
    }
    UMockdevIoctlData *ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), gerr);
    if (!ptr) {
        g_object_unref(p->urb);
        g_free(p);
        umockdev_ioctl_client_complete(client, -1, EFAULT);
        return;
    }
    umockdev_ioctl_data_set_ptr(ptr, 0, p->urb);
    g_object_unref(p->urb);
    g_free(p);
    umockdev_ioctl_client_complete(client, 0, 0);
}

/* USBDEVFS_CONTROL (libusb-0.1, avrdude 7.1): a synchronous control transfer. */
static void emu_sync_control(struct emu_dev *d, UMockdevIoctlClient *client, UMockdevIoctlData *arg,
                             GError **gerr)
{
    /* libusb-0.1 (avrdude 7.1): synchronous control transfer. */
    UMockdevIoctlData *c =
        umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_ctrltransfer), gerr);
    if (!c) {
        umockdev_ioctl_client_complete(client, -1, EFAULT);
        return;
    }
    struct usbdevfs_ctrltransfer *ct = (struct usbdevfs_ctrltransfer *)c->data;
    uint8_t setup[8] = {ct->bRequestType, ct->bRequest};
    put16(setup + 2, ct->wValue);
    put16(setup + 4, ct->wIndex);
    put16(setup + 6, ct->wLength);
    uint16_t wlen = ct->wLength;
    UMockdevIoctlData *db = NULL;
    if (wlen)
        db = umockdev_ioctl_data_resolve(c, offsetof(struct usbdevfs_ctrltransfer, data), wlen,
                                         gerr);
    uint8_t *data = g_malloc0((gsize)wlen + 8);
    if (db && !(setup[0] & 0x80))
        memcpy(data, db->data, wlen);
    int n = emu_control(d, setup, data);
    if (n < 0) {
        g_free(data);
        umockdev_ioctl_client_complete(client, -1, -n);
        return;
    }
    if ((setup[0] & 0x80) && n > 0 && db)
        umockdev_ioctl_data_update(db, 0, data, n);
    g_free(data);
    umockdev_ioctl_client_complete(client, (setup[0] & 0x80) ? n : wlen, 0);
}

static gboolean emu_handle_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client,
                                 gpointer user)
{
    (void)handler;
    struct emu_dev *d = user;
    gulong request = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    GError *gerr = NULL;

    g_mutex_lock(&d->lock);
    if (d->unplugged) {
        g_mutex_unlock(&d->lock);
        umockdev_ioctl_client_complete(client, -1, ENODEV);
        return TRUE;
    }

    if (request == USBDEVFS_GET_CAPABILITIES) {
        UMockdevIoctlData *c = umockdev_ioctl_data_resolve(arg, 0, sizeof(uint32_t), &gerr);
        uint32_t caps = USBDEVFS_CAP_NO_PACKET_SIZE_LIM | USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
        if (c)
            umockdev_ioctl_data_update(c, 0, (guint8 *)&caps, sizeof caps);
        umockdev_ioctl_client_complete(client, 0, 0);
    } else if (request == USBDEVFS_CLAIMINTERFACE && d->busy) {
        umockdev_ioctl_client_complete(client, -1, EBUSY);
    } else if (request == USBDEVFS_CLAIMINTERFACE || request == USBDEVFS_RELEASEINTERFACE ||
               request == USBDEVFS_SETCONFIGURATION || request == USBDEVFS_SETINTERFACE ||
               request == USBDEVFS_CLEAR_HALT || request == USBDEVFS_RESETEP) {
        umockdev_ioctl_client_complete(client, 0, 0);
    } else if (request == (gulong)USBDEVFS_DISCARDURB) {
        /* Cancelling the hung URB: it is reaped with -ENOENT, as the kernel does. */
        if (d->hung) {
            int status = -ENOENT, actual = 0;
            umockdev_ioctl_data_update(d->hung->urb, offsetof(struct usbdevfs_urb, status),
                                       (guint8 *)&status, sizeof status);
            umockdev_ioctl_data_update(d->hung->urb, offsetof(struct usbdevfs_urb, actual_length),
                                       (guint8 *)&actual, sizeof actual);
            g_queue_push_tail(&d->pending, d->hung);
            d->hung = NULL;
            umockdev_ioctl_client_complete(client, 0, 0);
        } else {
            umockdev_ioctl_client_complete(client, -1, EINVAL);
        }
    } else if (request == USBDEVFS_GETDRIVER || request == USBDEVFS_IOCTL) {
        umockdev_ioctl_client_complete(client, -1, ENODATA);
    } else if (request == USBDEVFS_CONNECTINFO) {
        UMockdevIoctlData *c =
            umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_connectinfo), &gerr);
        struct usbdevfs_connectinfo ci = {d->devnum, 1};
        if (c)
            umockdev_ioctl_data_update(c, 0, (guint8 *)&ci, sizeof ci);
        umockdev_ioctl_client_complete(client, 0, 0);
    } else if (request == USBDEVFS_SUBMITURB) {
        emu_submit_urb(d, client, arg, &gerr);
    } else if (request == USBDEVFS_REAPURB || request == USBDEVFS_REAPURBNDELAY) {
        emu_reap_urb(d, client, arg, &gerr);
    } else if (request == USBDEVFS_CONTROL) {
        emu_sync_control(d, client, arg, &gerr);
    } else if (request == USBDEVFS_BULK) {
        emu_sync_bulk(d, client, arg, &gerr);
    } else {
        umockdev_ioctl_client_complete(client, -1, ENOTTY);
    }
    if (gerr)
        g_error_free(gerr);
    g_mutex_unlock(&d->lock);
    return TRUE;
}

/* libusb-0.1 reads the device and configuration descriptors from the node. */
static gboolean emu_handle_read(UMockdevIoctlBase *handler, UMockdevIoctlClient *client,
                                gpointer user)
{
    (void)handler;
    struct emu_dev *d = user;
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    uint8_t all[sizeof d->devdesc + sizeof d->config];
    memcpy(all, d->devdesc, sizeof d->devdesc);
    memcpy(all + sizeof d->devdesc, d->config, d->config_len);
    gsize off = GPOINTER_TO_SIZE(g_object_get_data(G_OBJECT(client), "readpos"));
    gsize want = (gsize)arg->data_len;
    gsize total = sizeof d->devdesc + d->config_len;
    gsize n = off < total ? total - off : 0;
    if (n > want)
        n = want;
    if (n)
        umockdev_ioctl_data_update(arg, 0, all + off, (gint)n);
    g_object_set_data(G_OBJECT(client), "readpos", GSIZE_TO_POINTER(off + n));
    umockdev_ioctl_client_complete(client, (glong)n, 0);
    return TRUE;
}

static void emu_add_device(UMockdevTestbed *tb, struct emu_dev *d)
{
    GString *rec = g_string_new(NULL);
    g_string_append_printf(rec,
                           "P: /devices/pci0000:00/0000:00:14.0/usb%u/%u-%u\n"
                           "N: bus/usb/%03u/%03u\n"
                           "E: DEVNAME=/dev/bus/usb/%03u/%03u\n"
                           "E: DEVTYPE=usb_device\n"
                           "E: SUBSYSTEM=usb\n"
                           "E: BUSNUM=%03u\n"
                           "E: DEVNUM=%03u\n"
                           "E: PRODUCT=%x/%x/104\n"
                           "A: busnum=%u\n"
                           "A: devnum=%u\n"
                           "A: idVendor=%04x\n"
                           "A: idProduct=%04x\n"
                           "A: bcdDevice=0104\n"
                           "A: speed=%s\n"
                           "A: bConfigurationValue=1\n"
                           "A: bNumConfigurations=1\n"
                           "A: bDeviceClass=ff\n"
                           "A: maxchild=0\n"
                           "A: devpath=%u\n"
                           "A: dev=189:%u\n"
                           "A: manufacturer=%s\n"
                           "A: product=%s\n",
                           d->bus, d->bus, d->devnum - 1, d->bus, d->devnum, d->bus, d->devnum,
                           d->bus, d->devnum, d->vid, d->pid, d->bus, d->devnum, d->vid, d->pid,
                           d->emu.fw->message ? "12" : "1.5", d->devnum - 1,
                           (d->bus - 1) * 128 + d->devnum - 1, d->vendor, d->product);
    if (d->serial[0])
        g_string_append_printf(rec, "A: serial=%s\n", d->serial);
    g_string_append(rec, "H: descriptors=");
    for (size_t i = 0; i < sizeof d->devdesc; i++)
        g_string_append_printf(rec, "%02X", d->devdesc[i]);
    for (size_t i = 0; i < d->config_len; i++)
        g_string_append_printf(rec, "%02X", d->config[i]);
    g_string_append(rec, "\n");
    GError *gerr = NULL;
    if (!umockdev_testbed_add_from_string(tb, rec->str, &gerr)) {
        fprintf(stderr, "usb_emu: adding the device failed: %s\n", gerr->message);
        exit(2);
    }
    g_string_free(rec, TRUE);
    snprintf(d->devnode, sizeof d->devnode, "/dev/bus/usb/%03u/%03u", d->bus, d->devnum);
    d->handler = umockdev_ioctl_base_new();
    g_signal_connect(d->handler, "handle-ioctl", G_CALLBACK(emu_handle_ioctl), d);
    g_signal_connect(d->handler, "handle-read", G_CALLBACK(emu_handle_read), d);
    if (!umockdev_testbed_attach_ioctl(tb, d->devnode, d->handler, &gerr)) {
        fprintf(stderr, "usb_emu: attaching the ioctl handler failed: %s\n", gerr->message);
        exit(2);
    }
}

/* Permission denied on open: the node gets mode 000. Root would still open it,
 * so the command runs without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH (dropped from
 * the bounding and inheritable sets before exec). */
static void emu_child_drop_dac(gpointer user)
{
    (void)user;
    if (geteuid() != 0)
        return;
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct c[2];
    if (syscall(SYS_capget, &h, c) == 0) {
        for (int i = 0; i < 2; i++)
            c[i].inheritable = 0;
        c[0].effective &= ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
        syscall(SYS_capset, &h, c);
    }
    if (prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) != 0 ||
        prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0) != 0)
        fprintf(stderr, "usb_emu: cannot drop CAP_DAC_OVERRIDE (%s): access=1 needs it\n",
                strerror(errno));
}

struct emu_run {
    GMainLoop *loop;
    int status;
};

static void emu_child_exited(GPid pid, gint status, gpointer user)
{
    struct emu_run *r = user;
    r->status = status;
    g_spawn_close_pid(pid);
    g_main_loop_quit(r->loop);
}

static int emu_usage(void)
{
    fprintf(stderr, "usage: usb_emu --proto usbtiny|usbasp|avrisp2 --part ID [--state FILE | "
                    "--target-file FILE] [--stats FILE] [--opt KEY=VALUE]... -- COMMAND "
                    "ARGS...\n");
    return 2;
}

static void emu_write_stats(const char *path, struct emu_dev *d)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "usb_emu: cannot write %s\n", path);
        return;
    }
    fprintf(f, "transfers %lu\nbytes_in %lu\nbytes_out %lu\ninstructions %lu\nmessages %lu\n",
            d->emu.transfers, d->emu.bytes_in, d->emu.bytes_out, d->emu.instructions,
            d->emu.messages);
    /* RESET still held by the programmer when the command ended: the session did not
     * leave programming mode (the fault matrix checks it where the link still works). */
    fprintf(f, "ended_reset_held %d\n", d->emu.chip.reset_low ? 1 : 0);
    if (d->emu.fw->message)
        fprintf(f, "bulk_urbs %lu\nbulk_ioctls %lu\n", d->bulk_urbs, d->bulk_ioctls);
    for (int i = 0; i < 256; i++)
        if (d->emu.per_request[i])
            fprintf(f, "request_%d %lu\n", i, d->emu.per_request[i]);
    fclose(f);
}

/* Device k (serial EMU2 for the second) with a fresh chip; false on error. */
static bool emu_init_dev(struct emu_dev *d, int k, const struct usbemu_fw *fw,
                         const struct part *part)
{
    struct ispf_error err;
    g_mutex_init(&d->lock);
    g_queue_init(&d->pending);
    d->emu.fw = fw;
    if (avrchip_init(&d->emu.chip, part, &err)) {
        fprintf(stderr, "usb_emu: %s\n", err.msg);
        return false;
    }
    d->bus = 1;
    d->devnum = (uint8_t)(2 + k);
    d->vid = fw->vid;
    d->pid = fw->pid;
    snprintf(d->vendor, sizeof d->vendor, "%s", fw->vendor);
    snprintf(d->product, sizeof d->product, "%s", fw->product);
    if (k == 1)
        snprintf(d->serial, sizeof d->serial, "EMU2");
    d->emu.sck_hz = 375000;
    return true;
}

/* What main needs from the options besides the devices' own settings. */
struct emu_setup {
    int n_devs;
    const char *state2;
    bool access_denied;
};

static bool emu_device_option(struct emu_dev *devs, const struct usbemu_fw *fw,
                              struct emu_setup *su, const char *key, const char *val);

/* One --opt KEY=VALUE (device options go to the first device); false if unknown. */
static bool emu_option(struct emu_dev *devs, const struct usbemu_fw *fw, struct emu_setup *su,
                       const char *opt)
{
    char key[64];
    const char *eq = strchr(opt, '=');
    const char *val = eq ? eq + 1 : "1";
    size_t kl = eq ? (size_t)(eq - opt) : strlen(opt);
    if (kl >= sizeof key) {
        fprintf(stderr, "usb_emu: option %s is too long\n", opt);
        return false;
    }
    memcpy(key, opt, kl);
    key[kl] = '\0';
    if (!emu_device_option(devs, fw, su, key, val)) {
        fprintf(stderr, "usb_emu: unknown option %s\n", key);
        return false;
    }
    return true;
}

static bool emu_device_option(struct emu_dev *devs, const struct usbemu_fw *fw,
                              struct emu_setup *su, const char *key, const char *val)
{
    struct emu_dev *d = &devs[0];
    if (strcmp(key, "devices") == 0)
        su->n_devs = atoi(val) >= 2 ? 2 : 1;
    else if (strcmp(key, "state2") == 0)
        su->state2 = val;
    else if (strcmp(key, "serial") == 0)
        snprintf(d->serial, sizeof d->serial, "%s", val);
    else if (strcmp(key, "vendor") == 0)
        snprintf(d->vendor, sizeof d->vendor, "%s", val);
    else if (strcmp(key, "product") == 0)
        snprintf(d->product, sizeof d->product, "%s", val);
    else if (strcmp(key, "vid") == 0)
        d->vid = (uint16_t)strtoul(val, NULL, 0);
    else if (strcmp(key, "pid") == 0)
        d->pid = (uint16_t)strtoul(val, NULL, 0);
    else if (strcmp(key, "unwired") == 0)
        d->emu.chip.faults.unwired = true;
    else if (strcmp(key, "no_erase") == 0)
        d->emu.chip.faults.no_erase = true;
    else if (strcmp(key, "fuse_stuck") == 0)
        d->emu.chip.faults.fuse_stuck = true;
    else if (strcmp(key, "stuck") == 0 && strchr(val, ':')) {
        d->emu.chip.faults.has_stuck = true;
        d->emu.chip.faults.stuck_addr = (uint32_t)strtoul(val, NULL, 0);
        d->emu.chip.faults.stuck_mask = (uint8_t)strtoul(strchr(val, ':') + 1, NULL, 0);
    } else if (strcmp(key, "spi_delay_us") == 0)
        d->emu.chip.faults.spi_delay_us = (unsigned)strtoul(val, NULL, 0);
    else if (strcmp(key, "max_sck") == 0)
        d->emu.max_sck = strtoul(val, NULL, 0);
    else if (strcmp(key, "unplug_after") == 0)
        d->unplug_after = strtoul(val, NULL, 0);
    else if (strcmp(key, "stall_at") == 0)
        d->stall_at = strtoul(val, NULL, 0);
    else if (strcmp(key, "ioerr_at") == 0)
        d->ioerr_at = strtoul(val, NULL, 0);
    else if (strcmp(key, "hang_at") == 0)
        d->hang_at = strtoul(val, NULL, 0);
    else if (strcmp(key, "access") == 0)
        su->access_denied = atoi(val) != 0;
    else if (strcmp(key, "busy") == 0)
        d->busy = atoi(val) != 0;
    else {
        bool ok = true;
        for (int k = 0; k < EMU_MAX_DEVS && ok; k++)
            ok = fw->option(&devs[k].emu, key, val);
        return ok;
    }
    return true;
}

/* The testbed with the devices; with access_denied the first one's node is mode 000. */
static UMockdevTestbed *emu_testbed(struct emu_dev *devs, int n_devs, bool access_denied)
{
    UMockdevTestbed *tb = umockdev_testbed_new();
    for (int k = 0; k < n_devs; k++) {
        emu_build_descriptors(&devs[k]);
        emu_add_device(tb, &devs[k]);
    }
    if (access_denied) {
        gchar *root = umockdev_testbed_get_root_dir(tb);
        gchar *node = g_strconcat(root, devs[0].devnode, NULL);
        if (chmod(node, 0) != 0)
            fprintf(stderr, "usb_emu: chmod %s: %s\n", node, strerror(errno));
        g_free(node);
        g_free(root);
    }
    return tb;
}

/* After the command: the chips to their state files, the counts to stats. */
static int emu_save(struct emu_dev *devs, int n_devs, const char *state, const char *state2,
                    const char *stats, struct avrsocket *sock)
{
    struct ispf_error err;
    int rc = 0;
    for (int k = 0; k < n_devs; k++)
        g_mutex_lock(&devs[k].lock);
    if (sock && avrsocket_take_error(sock, &err)) {
        fprintf(stderr, "usb_emu: %s\n", err.msg);
        rc = 2;
    }
    if (sock && avrsocket_close(sock, &err)) {
        fprintf(stderr, "usb_emu: %s\n", err.msg);
        rc = 2;
    }
    if (state && avrchip_save(&devs[0].emu.chip, state, &err)) {
        fprintf(stderr, "usb_emu: %s\n", err.msg);
        rc = 2;
    }
    if (state2 && n_devs > 1 && avrchip_save(&devs[1].emu.chip, state2, &err)) {
        fprintf(stderr, "usb_emu: %s\n", err.msg);
        rc = 2;
    }
    if (stats)
        emu_write_stats(stats, &devs[0]);
    for (int k = 0; k < n_devs; k++)
        g_mutex_unlock(&devs[k].lock);
    return rc;
}

int main(int argc, char **argv)
{
    const char *proto = NULL, *part_id = NULL, *state = NULL, *stats = NULL, *target = NULL;
    const char *opts[64];
    int n_opts = 0, cmd_at = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            cmd_at = i + 1;
            break;
        }
        if (i + 1 >= argc)
            return emu_usage();
        if (strcmp(argv[i], "--proto") == 0)
            proto = argv[++i];
        else if (strcmp(argv[i], "--part") == 0)
            part_id = argv[++i];
        else if (strcmp(argv[i], "--state") == 0)
            state = argv[++i];
        else if (strcmp(argv[i], "--stats") == 0)
            stats = argv[++i];
        else if (strcmp(argv[i], "--target-file") == 0)
            target = argv[++i];
        else if (strcmp(argv[i], "--opt") == 0 && n_opts < 64)
            opts[n_opts++] = argv[++i];
        else
            return emu_usage();
    }
    if (!proto || !part_id || cmd_at < 0 || cmd_at >= argc)
        return emu_usage();
    if (state && target) {
        fprintf(stderr, "usb_emu: --state and --target-file cannot be used together\n");
        return 2;
    }
    const struct usbemu_fw *fw = strcmp(proto, "usbtiny") == 0   ? &usbemu_usbtiny
                                 : strcmp(proto, "usbasp") == 0  ? &usbemu_usbasp
                                 : strcmp(proto, "avrisp2") == 0 ? &usbemu_avrisp2
                                                                 : NULL;
    const struct part *part = part_find(part_id);
    if (!fw || !part) {
        fprintf(stderr, "usb_emu: unknown %s\n", fw ? "part" : "protocol");
        return 2;
    }

    static struct emu_dev devs[EMU_MAX_DEVS];
    struct emu_setup su = {1, NULL, false};
    for (int k = 0; k < EMU_MAX_DEVS; k++)
        if (!emu_init_dev(&devs[k], k, fw, part))
            return 2;
    for (int i = 0; i < n_opts; i++)
        if (!emu_option(devs, fw, &su, opts[i]))
            return 2;
    for (int k = 0; k < EMU_MAX_DEVS && fw->setup; k++)
        fw->setup(&devs[k].emu, devs[k].vendor, devs[k].product, sizeof devs[k].vendor);
    int n_devs = su.n_devs;
    const char *state2 = su.state2;
    bool access_denied = su.access_denied;
    struct ispf_error err;
    if (state && access(state, F_OK) == 0 && avrchip_load(&devs[0].emu.chip, state, &err)) {
        fprintf(stderr, "usb_emu: %s\n", err.msg);
        return 2;
    }
    if (state2 && access(state2, F_OK) == 0 && avrchip_load(&devs[1].emu.chip, state2, &err)) {
        fprintf(stderr, "usb_emu: %s\n", err.msg);
        return 2;
    }
    static struct avrsocket sock; /* the first device's target (its watcher runs under d->lock) */
    if (target && avrsocket_open(&sock, &devs[0].emu.chip, NULL, target, &err)) {
        fprintf(stderr, "usb_emu: %s\n", err.msg);
        return 2;
    }

    /* Kept until exit: it holds the devices the command uses. */
    GError *gerr = NULL;
    UMockdevTestbed *tb = emu_testbed(devs, n_devs, access_denied);
    /* More devices from a umockdev record file (tests/ports: serial ports beside the
     * programmer, seen by enumeration only). */
    const char *extra = getenv("ISPF_USB_EMU_RECORDS");
    if (extra && !umockdev_testbed_add_from_file(tb, extra, &gerr)) {
        fprintf(stderr, "usb_emu: %s: %s\n", extra, gerr->message);
        return 2;
    }

    struct emu_run run = {g_main_loop_new(NULL, FALSE), 0};
    GPid pid;
    if (!g_spawn_async(NULL, argv + cmd_at, NULL,
                       G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                           G_SPAWN_CHILD_INHERITS_STDIN,
                       access_denied ? emu_child_drop_dac : NULL, NULL, &pid, &gerr)) {
        fprintf(stderr, "usb_emu: cannot run %s: %s\n", argv[cmd_at], gerr->message);
        return 2;
    }
    g_child_watch_add(pid, emu_child_exited, &run);
    g_main_loop_run(run.loop);
    g_main_loop_unref(run.loop);

    int rc = emu_save(devs, n_devs, state, state2, stats, target ? &sock : NULL);
    (void)tb;
    if (rc)
        return rc;
    if (WIFEXITED(run.status))
        return WEXITSTATUS(run.status);
    fprintf(stderr, "usb_emu: %s died with signal %d\n", argv[cmd_at],
            WIFSIGNALED(run.status) ? WTERMSIG(run.status) : 0);
    return 128 + (WIFSIGNALED(run.status) ? WTERMSIG(run.status) : 0);
}
