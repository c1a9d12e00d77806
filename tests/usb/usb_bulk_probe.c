// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * usb_bulk_probe: talk to the emulated AVRISP mkII (usb_emu --proto avrisp2) with
 * the synchronous USBDEVFS_BULK ioctl, the kernel path no libusb in the tests
 * takes, and check the packet rules of the emulator's bulk endpoints:
 *   - SIGN_ON as one OUT transfer, its 13-byte answer ends with a short packet;
 *   - a command sent as two transfers (64 + rest) is one command;
 *   - an answer of exactly 64 bytes (SPI_MULTI with NumRx 61) read with a
 *     64-byte buffer leaves its zero-length packet for the next IN transfer;
 *   - an IN transfer with no answer pending times out.
 * usage: usb_bulk_probe /dev/bus/usb/001/002   (exit 0 when every check holds)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/usbdevice_fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int bulk(int fd, unsigned ep, unsigned char *buf, unsigned len)
{
    struct usbdevfs_bulktransfer bt = {ep, len, 200, buf};
    return ioctl(fd, USBDEVFS_BULK, &bt);
}

static int check(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAILED", what);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    int fd = open(argv[1], O_RDWR);
    if (fd < 0) {
        perror(argv[1]);
        return 2;
    }
    unsigned iface = 0;
    int bad = check(ioctl(fd, USBDEVFS_CLAIMINTERFACE, &iface) == 0, "claim interface 0");
    unsigned char b[512];
    b[0] = 0x01;
    bad |= check(bulk(fd, 0x02, b, 1) == 1, "SIGN_ON sent");
    int n = bulk(fd, 0x82, b, sizeof b);
    bad |= check(n == 13 && b[1] == 0 && memcmp(b + 3, "AVRISP_MK2", 10) == 0,
                 "SIGN_ON answered AVRISP_MK2 in one short transfer");
    /* SPI_MULTI NumTx 64, NumRx 61, RxStart 0: 68 bytes, sent as 64 + 4. */
    memset(b, 0, 68);
    b[0] = 0x1D, b[1] = 64, b[2] = 61, b[3] = 0;
    b[4] = 0x30; /* read signature byte 0, then zeros */
    bad |= check(bulk(fd, 0x02, b, 64) == 64, "first 64 bytes of SPI_MULTI sent");
    errno = 0;
    n = bulk(fd, 0x82, b + 100, 64);
    bad |= check(n < 0 && errno == ETIMEDOUT, "no answer before the command is complete");
    bad |= check(bulk(fd, 0x02, b + 64, 4) == 4, "last 4 bytes sent");
    n = bulk(fd, 0x82, b + 100, 64);
    bad |= check(n == 64 && b[100] == 0x1D && b[101] == 0 && b[163] == 0,
                 "64-byte answer in a 64-byte transfer");
    n = bulk(fd, 0x82, b + 100, 64);
    bad |= check(n == 0, "then its zero-length packet");
    errno = 0;
    n = bulk(fd, 0x82, b + 100, 64);
    bad |= check(n < 0 && errno == ETIMEDOUT, "then nothing: timeout");
    close(fd);
    return bad;
}
