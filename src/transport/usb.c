// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Thin libusb-1.0 helper (see usb.h). The only file that includes libusb.h; the
 * only place libusb error codes are translated.
 */
#include "transport/usb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef ISPF_HAVE_LIBUSB
#include <libusb.h>
#endif

#define LOG_PREFIX "usb"
#include "ispflash/buildinfo.h"
#include "ispflash/log.h"

void usb_udev_rule(char *buf, size_t size, uint16_t vid, uint16_t pid)
{
    snprintf(buf, size,
             "SUBSYSTEM==\"usb\", ATTR{idVendor}==\"%04x\", ATTR{idProduct}==\"%04x\", "
             "MODE=\"0660\", GROUP=\"plugdev\", TAG+=\"uaccess\"",
             vid, pid);
}

/* The rule files ispflash's rules may be installed as: this build's (ISPF_UDEV_RULES,
 * from CMake's install prefix), then where a package or a hand copy puts them. */
const char *usb_udev_rules_installed(void)
{
    static const char *const paths[] = {
#ifdef ISPF_UDEV_RULES
        ISPF_UDEV_RULES,
#endif
        "/etc/udev/rules.d/60-ispflash.rules",
        "/usr/lib/udev/rules.d/60-ispflash.rules",
        "/lib/udev/rules.d/60-ispflash.rules",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (access(paths[i], F_OK) == 0)
            return paths[i];
    return NULL;
}

const char *buildinfo_libusb(void)
{
#ifdef ISPF_HAVE_LIBUSB
    static char buf[64];
    const struct libusb_version *v = libusb_get_version();
    snprintf(buf, sizeof buf, "libusb %u.%u.%u.%u%s", v->major, v->minor, v->micro, v->nano,
             v->rc ? v->rc : "");
    return buf;
#else
    return "built without libusb";
#endif
}

#ifndef ISPF_HAVE_LIBUSB

/* Built without libusb-1.0: the USB programmers exist in the registry but fail here. */
struct usb_dev {
    int unused;
};

int usb_open(struct usb_dev **out, const struct usb_id *ids, size_t n_ids, const char *port,
             const char *pgm_name, size_t *which, struct ispf_error *err)
{
    (void)ids;
    (void)n_ids;
    (void)port;
    (void)which;
    *out = NULL;
    return ispf_fail(err, ISPF_E_UNSUPPORTED,
                     "%s is a USB programmer, but this ispflash was built without libusb-1.0: "
                     "USB programmers are not available (rebuild with libusb-1.0 installed "
                     "and -DISPF_WITH_LIBUSB=ON; on Windows see docs/windows.md)",
                     pgm_name);
}

void usb_close(struct usb_dev *dev)
{
    (void)dev;
}

int usb_ctrl_in(struct usb_dev *dev, uint8_t request, uint16_t value, uint16_t index, uint8_t *buf,
                uint16_t len, unsigned timeout_ms, const char *what, struct ispf_error *err)
{
    (void)dev, (void)request, (void)value, (void)index, (void)buf, (void)len, (void)timeout_ms;
    return ispf_fail(err, ISPF_E_UNSUPPORTED, "%s: built without libusb-1.0", what);
}

int usb_ctrl_out(struct usb_dev *dev, uint8_t request, uint16_t value, uint16_t index,
                 const uint8_t *buf, uint16_t len, unsigned timeout_ms, const char *what,
                 struct ispf_error *err)
{
    (void)dev, (void)request, (void)value, (void)index, (void)buf, (void)len, (void)timeout_ms;
    return ispf_fail(err, ISPF_E_UNSUPPORTED, "%s: built without libusb-1.0", what);
}

int usb_bulk_out(struct usb_dev *dev, uint8_t ep, const uint8_t *buf, size_t len,
                 unsigned timeout_ms, const char *what, struct ispf_error *err)
{
    (void)dev, (void)ep, (void)buf, (void)len, (void)timeout_ms;
    return ispf_fail(err, ISPF_E_UNSUPPORTED, "%s: built without libusb-1.0", what);
}

int usb_bulk_in(struct usb_dev *dev, uint8_t ep, uint8_t *buf, size_t len, unsigned timeout_ms,
                const char *what, struct ispf_error *err)
{
    (void)dev, (void)ep, (void)buf, (void)len, (void)timeout_ms;
    return ispf_fail(err, ISPF_E_UNSUPPORTED, "%s: built without libusb-1.0", what);
}

void usb_note_written(struct usb_dev *dev, const char *mem, uint32_t addr)
{
    (void)dev, (void)mem, (void)addr;
}

struct usb_counters usb_get_counters(const struct usb_dev *dev)
{
    (void)dev;
    struct usb_counters c = {0, 0, 0};
    return c;
}

const char *usb_describe(const struct usb_dev *dev)
{
    (void)dev;
    return "(no libusb)";
}

int usb_list(bool (*want)(uint16_t vid, uint16_t pid), struct usb_listed **out, size_t *n,
             struct ispf_error *err)
{
    (void)want;
    (void)err;
    *out = NULL;
    *n = 0;
    return ISPF_OK;
}

#else /* ISPF_HAVE_LIBUSB */

#include <libusb.h>

/* Under umockdev (the test suite's emulated devices) the answer to an IN transfer is
 * written into this process's memory by the testbed process, where valgrind cannot see
 * it, while with a real device the kernel's usbdevfs writes it and valgrind knows that
 * ioctl. So an IN transfer's received bytes, and its length, are marked as written,
 * exactly as many as arrived: bytes beyond them stay undefined, and a read of those is
 * still reported (docs/valgrind.md). Outside valgrind a client request does nothing. */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define USB_RECEIVED(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#endif
#endif
#ifndef USB_RECEIVED
#define USB_RECEIVED(p, n) ((void)0)
#endif

#define USB_STR_MAX 128
#define USB_MAX_LISTED 8

struct usb_dev {
    libusb_context *ctx;
    libusb_device_handle *handle;
    char name[48];  /* programmer name for messages */
    char desc[256]; /* "1781:0c9f (bus 1 device 2, serial X)" */
    bool claimed;
    bool gone; /* unplugged: fail further transfers at once */
    bool have_written;
    const char *written_mem;
    uint32_t written_addr;
    struct usb_counters ctr;
};

/* A device seen while searching, for the "several match" / "not found" lists. */
struct usb_seen {
    uint16_t vid, pid;
    uint8_t bus, addr;
    char serial[USB_STR_MAX];
};

static int usb_read_string(libusb_device_handle *h, uint8_t idx, char *out, size_t size)
{
    out[0] = '\0';
    if (idx == 0)
        return 0;
    int n = libusb_get_string_descriptor_ascii(h, idx, (unsigned char *)out, (int)size);
    if (n < 0) {
        out[0] = '\0';
        return n;
    }
    out[n < (int)size ? n : (int)size - 1] = '\0';
    return 0;
}

static const char *usb_ids_text(const struct usb_id *ids, size_t n, char *buf, size_t size)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && pos + 64 < size; i++) {
        pos += (size_t)snprintf(buf + pos, size - pos, "%s%04x:%04x", i ? " or " : "", ids[i].vid,
                                ids[i].pid);
        if (ids[i].vendor || ids[i].product)
            pos += (size_t)snprintf(buf + pos, size - pos, " (\"%s\" \"%s\")",
                                    ids[i].vendor ? ids[i].vendor : "*",
                                    ids[i].product ? ids[i].product : "*");
    }
    return buf;
}

/* The devices seen, one "-P usb:SERIAL (vid:pid bus B device D)" line each. */
static const char *usb_seen_text(const struct usb_seen *seen, size_t n, char *buf, size_t size)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < n && pos + 80 < size; j++)
        pos +=
            (size_t)snprintf(buf + pos, size - pos, "\n  -P usb:%s   (%04x:%04x bus %u device %u)",
                             seen[j].serial[0] ? seen[j].serial : "(no serial)", seen[j].vid,
                             seen[j].pid, seen[j].bus, seen[j].addr);
    return buf;
}

static int usb_access_error(struct ispf_error *err, const char *pgm_name, uint16_t vid,
                            uint16_t pid, uint8_t bus, uint8_t addr)
{
    const char *installed = usb_udev_rules_installed();
    if (installed)
        return ispf_fail(err, ISPF_E_ACCESS,
                         "permission denied opening %s %04x:%04x (/dev/bus/usb/%03u/%03u). "
                         "ispflash's udev rules are installed (%s): unplug and replug the "
                         "programmer (rules apply when it is plugged in), and check that you "
                         "are logged in at the seat (loginctl) or in group plugdev",
                         pgm_name, vid, pid, bus, addr, installed);
    char rule[256];
    usb_udev_rule(rule, sizeof rule, vid, pid);
    return ispf_fail(err, ISPF_E_ACCESS,
                     "permission denied opening %s %04x:%04x (/dev/bus/usb/%03u/%03u). "
                     "Allow your user to use it with this udev rule:\n  %s\n"
                     "(all supported programmers: contrib/udev/60-ispflash.rules, which "
                     "'cmake --install' and the .deb install; by hand: "
                     "'sudo cp contrib/udev/60-ispflash.rules /etc/udev/rules.d/ && "
                     "sudo udevadm control --reload-rules && sudo udevadm trigger', "
                     "then unplug and replug the programmer)",
                     pgm_name, vid, pid, bus, addr, rule);
}

/* Does the opened device carry the strings ids[i] requires? If not, why (in why). */
static bool usb_strings_match(libusb_device_handle *h, const struct libusb_device_descriptor *d,
                              const struct usb_id *id, char *why, size_t why_size)
{
    char s[USB_STR_MAX];
    if (id->vendor) {
        if (usb_read_string(h, d->iManufacturer, s, sizeof s) < 0 || strcmp(s, id->vendor) != 0) {
            snprintf(why, why_size, "%04x:%04x has manufacturer \"%s\", not \"%s\"", id->vid,
                     id->pid, s, id->vendor);
            log_dbg("%s", why);
            return false;
        }
    }
    if (id->product) {
        if (usb_read_string(h, d->iProduct, s, sizeof s) < 0 || strcmp(s, id->product) != 0) {
            snprintf(why, why_size, "%04x:%04x has product \"%s\", not \"%s\"", id->vid, id->pid, s,
                     id->product);
            log_dbg("%s", why);
            return false;
        }
    }
    return true;
}

static bool usb_port_selects(const char *want, const struct usb_seen *seen)
{
    if (!want)
        return true;
    if (strcmp(seen->serial, want) == 0)
        return true;
    unsigned b, a;
    char extra;
    if (strlen(want) == 9 && want[4] == ':' && strspn(want, "0123456789abcdefABCDEF") == 4 &&
        strspn(want + 5, "0123456789abcdefABCDEF") == 4 && sscanf(want, "%x:%x", &b, &a) == 2)
        return b == seen->vid && a == seen->pid; /* VVVV:PPPP */
    if (sscanf(want, "%u:%u%c", &b, &a, &extra) == 2)
        return b == seen->bus && a == seen->addr;
    return false;
}

/* What the search saw, for the message when nothing suitable was found. */
struct usb_search {
    const char *want; /* serial number or bus:dev, NULL = first match */
    struct usb_seen seen[USB_MAX_LISTED];
    size_t n_seen, n_matching;
    bool access_denied;
    struct usb_seen access_dev;
    int open_errors;
    char open_error_text[128];
    char mismatch[2 * USB_STR_MAX + 64];
};

/* -P: NULL or "usb" = the first match; "usb:X" = serial number or bus:device X. */
static int usb_parse_port(const char *port, const char *pgm_name, const char **want,
                          struct ispf_error *err)
{
    *want = NULL;
    if (!port || strcmp(port, "usb") == 0)
        return ISPF_OK;
    if (strncmp(port, "usb:", 4) != 0 || port[4] == '\0')
        return ispf_fail(err, ISPF_E_USAGE,
                         "-P %s: %s is a USB programmer; use -P usb (the first one found) or "
                         "-P usb:SERIAL (the one with that serial number)",
                         port, pgm_name);
    *want = port + 4;
    return ISPF_OK;
}

/* Open one device whose VID:PID is id's; returns the handle if its strings match. */
static libusb_device_handle *usb_try_device(libusb_device *ud,
                                            const struct libusb_device_descriptor *d,
                                            const struct usb_id *id, struct usb_seen *s,
                                            struct usb_search *sr)
{
    libusb_device_handle *h = NULL;
    int rc = libusb_open(ud, &h);
    if (rc == LIBUSB_ERROR_ACCESS) {
        log_dbg("%04x:%04x bus %u device %u: permission denied", s->vid, s->pid, s->bus, s->addr);
        if (!sr->access_denied) {
            sr->access_denied = true;
            sr->access_dev = *s;
        }
        return NULL;
    }
    if (rc < 0) {
        sr->open_errors++;
        snprintf(sr->open_error_text, sizeof sr->open_error_text, "%04x:%04x bus %u device %u: %s",
                 s->vid, s->pid, s->bus, s->addr, libusb_strerror(rc));
        log_dbg("%s", sr->open_error_text);
        return NULL;
    }
    if (!usb_strings_match(h, d, id, sr->mismatch, sizeof sr->mismatch)) {
        libusb_close(h);
        return NULL;
    }
    usb_read_string(h, d->iSerialNumber, s->serial, sizeof s->serial);
    return h;
}

/* Walk the bus for ids (in order of preference); the device chosen goes to dev. */
static void usb_find(struct usb_dev *dev, libusb_device **list, ssize_t n, const struct usb_id *ids,
                     size_t n_ids, size_t *which, struct usb_search *sr)
{
    for (size_t i = 0; i < n_ids; i++) {
        for (ssize_t k = 0; k < n; k++) {
            struct libusb_device_descriptor d;
            if (libusb_get_device_descriptor(list[k], &d) < 0)
                continue;
            if (d.idVendor != ids[i].vid || d.idProduct != ids[i].pid)
                continue;
            struct usb_seen s = {d.idVendor, d.idProduct, libusb_get_bus_number(list[k]),
                                 libusb_get_device_address(list[k]), ""};
            libusb_device_handle *h = usb_try_device(list[k], &d, &ids[i], &s, sr);
            if (!h)
                continue;
            sr->n_matching++;
            if (sr->n_seen < USB_MAX_LISTED)
                sr->seen[sr->n_seen++] = s;
            if (dev->handle || !usb_port_selects(sr->want, &s)) {
                libusb_close(h);
                continue;
            }
            dev->handle = h;
            if (which)
                *which = i;
            snprintf(dev->desc, sizeof dev->desc, "%04x:%04x (bus %u device %u%s%s)", s.vid, s.pid,
                     s.bus, s.addr, s.serial[0] ? ", serial " : "", s.serial);
        }
    }
}

/* Nothing suitable was found: say why, most specific reason first. */
static int usb_not_found(const struct usb_search *sr, const struct usb_id *ids, size_t n_ids,
                         const char *pgm_name, struct ispf_error *err)
{
    char idtext[512], found[512];
    const struct usb_seen *a = &sr->access_dev;
    if (sr->access_denied && sr->n_matching == 0)
        return usb_access_error(err, pgm_name, a->vid, a->pid, a->bus, a->addr);
    if (sr->want && sr->n_matching > 0)
        return ispf_fail(err, ISPF_E_NO_DEVICE,
                         "no %s with serial number \"%s\" found; connected %s programmers:%s",
                         pgm_name, sr->want, pgm_name,
                         usb_seen_text(sr->seen, sr->n_seen, found, sizeof found));
    if (sr->open_errors)
        return ispf_fail(err, ISPF_E_IO, "found %s %s but could not open it: %s", pgm_name,
                         usb_ids_text(ids, n_ids, idtext, sizeof idtext), sr->open_error_text);
    if (sr->mismatch[0])
        return ispf_fail(err, ISPF_E_NO_DEVICE,
                         "no %s found (looked for USB %s): %s. If it is a clone with other "
                         "strings, a -c id that does not check them (usbasp-clone) takes it",
                         pgm_name, usb_ids_text(ids, n_ids, idtext, sizeof idtext), sr->mismatch);
    return ispf_fail(err, ISPF_E_NO_DEVICE,
                     "no %s found (looked for USB %s). Is the programmer plugged in? "
                     "(lsusb lists what is connected)",
                     pgm_name, usb_ids_text(ids, n_ids, idtext, sizeof idtext));
}

/* Claim interface 0. On failure the message is made before dev is freed. */
static int usb_claim(struct usb_dev *dev, struct ispf_error *err)
{
    libusb_set_auto_detach_kernel_driver(dev->handle, 1);
    int rc = libusb_claim_interface(dev->handle, 0);
    if (rc == 0) {
        dev->claimed = true;
        return ISPF_OK;
    }
    if (rc == LIBUSB_ERROR_BUSY)
        return ispf_fail(err, ISPF_E_IO,
                         "%s %s is in use by another program (another ispflash or avrdude, "
                         "or a driver); close it and try again",
                         dev->name, dev->desc);
    if (rc == LIBUSB_ERROR_NO_DEVICE)
        return ispf_fail(err, ISPF_E_DISCONNECTED, "%s disconnected while opening it", dev->name);
    log_dbg("claiming interface 0 failed (%s); continuing with control transfers",
            libusb_strerror(rc));
    return ISPF_OK;
}

int usb_open(struct usb_dev **out, const struct usb_id *ids, size_t n_ids, const char *port,
             const char *pgm_name, size_t *which, struct ispf_error *err)
{
    *out = NULL;
    struct usb_search sr;
    memset(&sr, 0, sizeof sr);
    int rc = usb_parse_port(port, pgm_name, &sr.want, err);
    if (rc)
        return rc;
    struct usb_dev *dev = calloc(1, sizeof *dev);
    if (!dev)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    snprintf(dev->name, sizeof dev->name, "%s", pgm_name);
    rc = libusb_init(&dev->ctx);
    if (rc < 0) {
        free(dev);
        return ispf_fail(err, ISPF_E_IO, "cannot initialise libusb: %s", libusb_strerror(rc));
    }
    libusb_device **list = NULL;
    ssize_t n = libusb_get_device_list(dev->ctx, &list);
    if (n < 0) {
        usb_close(dev);
        return ispf_fail(err, ISPF_E_IO, "cannot list USB devices: %s", libusb_strerror((int)n));
    }
    usb_find(dev, list, n, ids, n_ids, which, &sr);
    libusb_free_device_list(list, 1);
    if (!dev->handle) {
        usb_close(dev);
        return usb_not_found(&sr, ids, n_ids, pgm_name, err);
    }
    if (!sr.want && sr.n_matching > 1) {
        char found[512];
        log_warn("%zu %s programmers are connected; using the first, %s. Choose one with:%s",
                 sr.n_matching, pgm_name, dev->desc,
                 usb_seen_text(sr.seen, sr.n_seen, found, sizeof found));
    }
    rc = usb_claim(dev, err);
    if (rc) {
        usb_close(dev);
        return rc;
    }
    log_dbg("opened %s %s", pgm_name, dev->desc);
    *out = dev;
    return ISPF_OK;
}

void usb_close(struct usb_dev *dev)
{
    if (!dev)
        return;
    if (dev->handle) {
        if (dev->claimed && !dev->gone)
            libusb_release_interface(dev->handle, 0);
        libusb_close(dev->handle);
    }
    if (dev->ctx)
        libusb_exit(dev->ctx);
    free(dev);
}

static int usb_map_error(struct usb_dev *dev, int rc, const char *what, unsigned timeout_ms,
                         struct ispf_error *err)
{
    switch (rc) {
    case LIBUSB_ERROR_NO_DEVICE:
        dev->gone = true;
        if (dev->have_written)
            return ispf_fail(err, ISPF_E_DISCONNECTED,
                             "%s disconnected during %s (unplugged?); the last address written "
                             "was %s 0x%05x. The target is only partly programmed: reconnect and "
                             "program it again",
                             dev->name, what, dev->written_mem, dev->written_addr);
        return ispf_fail(err, ISPF_E_DISCONNECTED,
                         "%s disconnected during %s (unplugged?); nothing had been written yet",
                         dev->name, what);
    case LIBUSB_ERROR_TIMEOUT:
        return ispf_fail(err, ISPF_E_TIMEOUT, "%s did not answer %s within %u ms", dev->name, what,
                         timeout_ms);
    case LIBUSB_ERROR_PIPE:
        return ispf_fail(err, ISPF_E_PROTOCOL, "%s stalled request %s (the firmware refused it)",
                         dev->name, what);
    case LIBUSB_ERROR_OVERFLOW:
        return ispf_fail(err, ISPF_E_PROTOCOL, "%s sent more data than asked for in %s", dev->name,
                         what);
    case LIBUSB_ERROR_ACCESS:
        return ispf_fail(err, ISPF_E_ACCESS, "%s: permission denied during %s", dev->name, what);
    case LIBUSB_ERROR_NO_MEM:
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory during %s", what);
    default:
        return ispf_fail(err, ISPF_E_IO, "%s: USB error during %s: %s", dev->name, what,
                         libusb_strerror(rc));
    }
}

int usb_ctrl_in(struct usb_dev *dev, uint8_t request, uint16_t value, uint16_t index, uint8_t *buf,
                uint16_t len, unsigned timeout_ms, const char *what, struct ispf_error *err)
{
    if (dev->gone)
        return usb_map_error(dev, LIBUSB_ERROR_NO_DEVICE, what, timeout_ms, err);
    uint8_t type = LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_VENDOR | LIBUSB_RECIPIENT_DEVICE;
    int rc =
        libusb_control_transfer(dev->handle, type, request, value, index, buf, len, timeout_ms);
    USB_RECEIVED(&rc, sizeof rc);
    dev->ctr.transfers++;
    if (rc < 0)
        return usb_map_error(dev, rc, what, timeout_ms, err);
    USB_RECEIVED(buf, (size_t)rc);
    dev->ctr.bytes_in += (uint64_t)rc;
    if (ispf_log_enabled(ISPF_LOG_WIRE)) {
        ispf_log(ISPF_LOG_WIRE, LOG_PREFIX, "%s: req %u value 0x%04x index 0x%04x len %u", what,
                 request, value, index, len);
        ispf_log_bytes(LOG_PREFIX, "in", buf, (size_t)rc);
    }
    return rc;
}

int usb_ctrl_out(struct usb_dev *dev, uint8_t request, uint16_t value, uint16_t index,
                 const uint8_t *buf, uint16_t len, unsigned timeout_ms, const char *what,
                 struct ispf_error *err)
{
    if (dev->gone)
        return usb_map_error(dev, LIBUSB_ERROR_NO_DEVICE, what, timeout_ms, err);
    uint8_t type = LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_VENDOR | LIBUSB_RECIPIENT_DEVICE;
    if (ispf_log_enabled(ISPF_LOG_WIRE)) {
        ispf_log(ISPF_LOG_WIRE, LOG_PREFIX, "%s: req %u value 0x%04x index 0x%04x len %u", what,
                 request, value, index, len);
        ispf_log_bytes(LOG_PREFIX, "out", buf, len);
    }
    int rc = libusb_control_transfer(dev->handle, type, request, value, index,
                                     (unsigned char *)(uintptr_t)buf, len, timeout_ms);
    dev->ctr.transfers++;
    if (rc < 0)
        return usb_map_error(dev, rc, what, timeout_ms, err);
    dev->ctr.bytes_out += (uint64_t)rc;
    if (rc != len)
        return ispf_fail(err, ISPF_E_PROTOCOL, "%s accepted only %d of %u bytes of %s", dev->name,
                         rc, len, what);
    return ISPF_OK;
}

int usb_bulk_out(struct usb_dev *dev, uint8_t ep, const uint8_t *buf, size_t len,
                 unsigned timeout_ms, const char *what, struct ispf_error *err)
{
    if (dev->gone)
        return usb_map_error(dev, LIBUSB_ERROR_NO_DEVICE, what, timeout_ms, err);
    if (ispf_log_enabled(ISPF_LOG_WIRE)) {
        ispf_log(ISPF_LOG_WIRE, LOG_PREFIX, "%s: bulk OUT ep 0x%02x len %zu", what, ep, len);
        ispf_log_bytes(LOG_PREFIX, "out", buf, len);
    }
    int done = 0;
    int rc = libusb_bulk_transfer(dev->handle, (unsigned char)(ep & 0x7F),
                                  (unsigned char *)(uintptr_t)buf, (int)len, &done, timeout_ms);
    dev->ctr.transfers++;
    dev->ctr.bytes_out += (uint64_t)(done > 0 ? done : 0);
    if (rc < 0)
        return usb_map_error(dev, rc, what, timeout_ms, err);
    if ((size_t)done != len)
        return ispf_fail(err, ISPF_E_PROTOCOL, "%s accepted only %d of %zu bytes of %s", dev->name,
                         done, len, what);
    return ISPF_OK;
}

int usb_bulk_in(struct usb_dev *dev, uint8_t ep, uint8_t *buf, size_t len, unsigned timeout_ms,
                const char *what, struct ispf_error *err)
{
    if (dev->gone)
        return usb_map_error(dev, LIBUSB_ERROR_NO_DEVICE, what, timeout_ms, err);
    int done = 0;
    int rc = libusb_bulk_transfer(dev->handle, (unsigned char)(ep | 0x80), buf, (int)len, &done,
                                  timeout_ms);
    USB_RECEIVED(&rc, sizeof rc);
    USB_RECEIVED(&done, sizeof done);
    dev->ctr.transfers++;
    if (rc < 0)
        return usb_map_error(dev, rc, what, timeout_ms, err);
    if (done < 0 || (size_t)done > len)
        done = 0;
    USB_RECEIVED(buf, (size_t)done);
    dev->ctr.bytes_in += (uint64_t)done;
    if (ispf_log_enabled(ISPF_LOG_WIRE)) {
        ispf_log(ISPF_LOG_WIRE, LOG_PREFIX, "%s: bulk IN ep 0x%02x len %zu", what, ep, len);
        ispf_log_bytes(LOG_PREFIX, "in", buf, (size_t)done);
    }
    return done;
}

void usb_note_written(struct usb_dev *dev, const char *mem, uint32_t addr)
{
    dev->have_written = true;
    dev->written_mem = mem;
    dev->written_addr = addr;
}

struct usb_counters usb_get_counters(const struct usb_dev *dev)
{
    return dev->ctr;
}

const char *usb_describe(const struct usb_dev *dev)
{
    return dev->desc;
}

/* Fill one listed device; its strings if it can be opened. */
static void usb_list_one(libusb_device *ud, const struct libusb_device_descriptor *d,
                         struct usb_listed *l)
{
    memset(l, 0, sizeof *l);
    l->vid = d->idVendor;
    l->pid = d->idProduct;
    l->bus = libusb_get_bus_number(ud);
    l->addr = libusb_get_device_address(ud);
    libusb_device_handle *h = NULL;
    int rc = libusb_open(ud, &h);
    if (rc < 0) {
        snprintf(l->note, sizeof l->note, "strings not read: %s",
                 rc == LIBUSB_ERROR_ACCESS ? "permission denied" : libusb_strerror(rc));
        return;
    }
    usb_read_string(h, d->iManufacturer, l->manufacturer, sizeof l->manufacturer);
    usb_read_string(h, d->iProduct, l->product, sizeof l->product);
    usb_read_string(h, d->iSerialNumber, l->serial, sizeof l->serial);
    libusb_close(h);
}

int usb_list(bool (*want)(uint16_t vid, uint16_t pid), struct usb_listed **out, size_t *n,
             struct ispf_error *err)
{
    *out = NULL;
    *n = 0;
    libusb_context *ctx = NULL;
    int rc = libusb_init(&ctx);
    if (rc < 0)
        return ispf_fail(err, ISPF_E_IO, "cannot initialise libusb: %s", libusb_strerror(rc));
    libusb_device **list = NULL;
    ssize_t cnt = libusb_get_device_list(ctx, &list);
    if (cnt < 0) {
        libusb_exit(ctx);
        return ispf_fail(err, ISPF_E_IO, "cannot list USB devices: %s", libusb_strerror((int)cnt));
    }
    struct usb_listed *v = calloc(cnt > 0 ? (size_t)cnt : 1, sizeof *v);
    if (!v) {
        libusb_free_device_list(list, 1);
        libusb_exit(ctx);
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    }
    size_t k = 0;
    for (ssize_t i = 0; i < cnt; i++) {
        struct libusb_device_descriptor d;
        if (libusb_get_device_descriptor(list[i], &d) < 0 || !want(d.idVendor, d.idProduct))
            continue;
        usb_list_one(list[i], &d, &v[k++]);
    }
    libusb_free_device_list(list, 1);
    libusb_exit(ctx);
    *out = v;
    *n = k;
    return ISPF_OK;
}

#endif /* ISPF_HAVE_LIBUSB */
