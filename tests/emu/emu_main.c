// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ispf-emu: the serial-programmer emulator harness. It owns the byte pipe to the
 * host (a TCP connection for -P net:..., or the far end of an emulated
 * /dev/ttyACM0 made with umockdev), the simulated target chip (src/sim/avrchip),
 * its state file, fault injection on the reply stream, and statistics. The
 * protocol emulators (emu_*.c) only read and answer bytes (tests/emu/emu.h).
 *
 *   ispf-emu --proto arduinoisp --part m32u4 --listen 127.0.0.1:0 --port-file F
 *            [--state FILE | --target-file FILE] [--stats FILE] [--once] [faults...]
 *            [--opt K=V]...
 *   ispf-emu --proto arduinoisp --part m32u4 --tty ttyACM0 [...] -- CMD ARGS...
 *
 * In --tty mode the harness (re-executing itself under umockdev-wrapper when
 * needed) creates the device, runs CMD with a small LD_PRELOAD shim that answers
 * the modem-line ioctls a pty lacks, serves the port until CMD exits, and exits
 * with CMD's exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <umockdev.h>

#include "emu/emu.h"
#include "ispflash/part.h"
#include "sim/avrsocket.h"

#pragma weak emu_stk500v2
#pragma weak emu_buspirate

#define EMU_MAX_OPTS 16
#define EMU_USB_ROOT "/devices/pci0000:00/0000:00:14.0/usb1"
#define EMU_MAX_STATS 96

struct emu_stat {
    char key[32];
    unsigned long val;
};

struct emu_io {
    int fd;
    bool tty;
    bool closed;
    pid_t child;
    int child_status;
    bool child_done;
    uint8_t in[4096];
    size_t inpos, inlen;
    uint8_t *out;
    size_t outlen, outcap;
    size_t cur_sent; /* bytes of the current reply already flushed */
    const struct emu_faults *faults;
    unsigned pace_baud; /* --pace: send no faster than this line speed */
    unsigned split;     /* --split N: each flush in N writes, Nagle left on */
    const char *const *opts;
    size_t n_opts;
    const char *lines_file; /* tty mode: where the shim records DTR/RTS */
    struct avrsocket *sock; /* --target-file: the chip's socket (NULL: none) */
    /* statistics (cumulative over connections) */
    unsigned long long rx, tx;
    unsigned long replies, connections;
    struct emu_stat stats[EMU_MAX_STATS];
    size_t n_stats;
};

static volatile sig_atomic_t emu_stop;

static void emu_on_signal(int sig)
{
    (void)sig;
    emu_stop = 1;
}

static void emu_on_child(int sig)
{
    (void)sig; /* only interrupts poll() */
}

static void emu_die(const char *fmt, const char *arg)
{
    fprintf(stderr, "ispf-emu: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

/* ---- the API protocol emulators use (emu.h) ---- */

static void emu_send(struct emu_io *io, const uint8_t *buf, size_t n)
{
    while (n > 0 && !io->closed) {
        size_t piece = n;
        if (io->pace_baud) { /* a slow serial link behind the socket: 10 bits a byte */
            piece = n < 32 ? n : 32;
            long ns = (long)(piece * 10u * 1000000000ull / io->pace_baud);
            struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
            nanosleep(&ts, NULL);
        }
        ssize_t w = write(io->fd, buf, piece);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {.fd = io->fd, .events = POLLOUT};
            poll(&p, 1, 100);
            continue;
        }
        if (w <= 0) {
            io->closed = true;
            return;
        }
        io->tx += (unsigned long long)w;
        buf += w;
        n -= (size_t)w;
    }
}

/* Send what is queued for the current reply, applying this reply's faults. */
static void emu_flush(struct emu_io *io, bool end)
{
    const struct emu_faults *f = io->faults;
    unsigned long nr = io->replies + 1; /* the reply being produced */
    size_t n = io->outlen;
    if (n == 0)
        return;
    if (f->silent || (f->drop_reply && nr == f->drop_reply)) {
        io->outlen = 0;
        io->cur_sent += n;
        return;
    }
    if (f->garble_reply && nr == f->garble_reply && io->cur_sent == 0)
        io->out[0] ^= 0xFF;
    if (end && f->truncate_reply && nr == f->truncate_reply)
        n = (io->cur_sent + n) / 2 > io->cur_sent ? (io->cur_sent + n) / 2 - io->cur_sent : 0;
    if (end && f->extra_reply && nr == f->extra_reply) { /* line noise after the reply */
        static const uint8_t junk[] = {0xA5, 0x5A, 0xC3};
        emu_write(io, junk, sizeof junk);
        n = io->outlen;
    }
    if (io->split > 1 && n > 1) { /* a ser2net-like bridge: the reply in pieces */
        size_t piece = (n + io->split - 1) / io->split;
        for (size_t off = 0; off < n; off += piece)
            emu_send(io, io->out + off, n - off < piece ? n - off : piece);
    } else {
        emu_send(io, io->out, n);
    }
    io->cur_sent += io->outlen;
    io->outlen = 0;
}

void emu_write(struct emu_io *io, const uint8_t *buf, size_t n)
{
    if (io->outlen + n > io->outcap) {
        size_t cap = io->outcap ? io->outcap : 4096;
        while (cap < io->outlen + n)
            cap *= 2;
        uint8_t *p = realloc(io->out, cap);
        if (p == NULL)
            emu_die("%s", "out of memory");
        io->out = p;
        io->outcap = cap;
    }
    memcpy(io->out + io->outlen, buf, n);
    io->outlen += n;
}

void emu_end_reply(struct emu_io *io)
{
    bool any = io->outlen > 0 || io->cur_sent > 0;
    emu_flush(io, true);
    if (any)
        io->replies++;
    io->cur_sent = 0;
}

static bool emu_child_gone(struct emu_io *io)
{
    if (!io->tty || io->child <= 0)
        return false;
    if (!io->child_done) {
        int st;
        pid_t r = waitpid(io->child, &st, WNOHANG);
        if (r == io->child) {
            io->child_done = true;
            io->child_status = st;
        }
    }
    return io->child_done;
}

static long long emu_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next host byte; -1: link closed; -2: deadline_ms (emu_now_ms) passed first
 * (deadline_ms < 0: none). */
static int emu_getc_until(struct emu_io *io, long long deadline_ms)
{
    while (io->inpos >= io->inlen) {
        if (deadline_ms >= 0 && emu_now_ms() >= deadline_ms)
            return -2;
        if (io->closed)
            return -1;
        emu_flush(io, false); /* never wait for input with output still queued */
        if (io->faults->close_after_rx && io->rx >= io->faults->close_after_rx) {
            io->closed = true;
            return -1;
        }
        if (emu_stop || emu_child_gone(io)) {
            io->closed = true;
            return -1;
        }
        struct pollfd p = {.fd = io->fd, .events = POLLIN};
        int wait = 100;
        if (deadline_ms >= 0 && deadline_ms - emu_now_ms() < wait)
            wait = deadline_ms > emu_now_ms() ? (int)(deadline_ms - emu_now_ms()) : 0;
        int r = poll(&p, 1, wait);
        if (r < 0 && errno != EINTR) {
            io->closed = true;
            return -1;
        }
        if (r <= 0)
            continue;
        size_t want = sizeof io->in;
        if (io->faults->close_after_rx) {
            unsigned long long left = io->faults->close_after_rx - io->rx;
            if (left < want)
                want = (size_t)left;
        }
        ssize_t n = read(io->fd, io->in, want);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            if (io->tty) {
                /* pty master: EIO while no client has the port open */
                struct timespec ts = {0, 10000000};
                nanosleep(&ts, NULL);
                continue;
            }
            io->closed = true;
            return -1;
        }
        io->inpos = 0;
        io->inlen = (size_t)n;
        io->rx += (unsigned long long)n;
    }
    return io->in[io->inpos++];
}

int emu_getc(struct emu_io *io)
{
    return emu_getc_until(io, -1);
}

int emu_getc_within(struct emu_io *io, int ms)
{
    return emu_getc_until(io, emu_now_ms() + (ms > 0 ? ms : 0));
}

int emu_read(struct emu_io *io, uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int c = emu_getc(io);
        if (c < 0)
            return -1;
        buf[i] = (uint8_t)c;
    }
    return 0;
}

int emu_dtr(struct emu_io *io)
{
    if (!io->tty || io->lines_file == NULL)
        return 1;
    FILE *f = fopen(io->lines_file, "r");
    if (f == NULL) { /* the client never touched the lines: as the shim starts */
        const char *low = getenv("ISPF_TTYSHIM_LINES_LOW");
        return !(low != NULL && low[0] == '1');
    }
    int dtr = 1, rts = 1;
    if (fscanf(f, "%d %d", &dtr, &rts) != 2)
        dtr = 1;
    fclose(f);
    return dtr;
}

const char *emu_opt(struct emu_io *io, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < io->n_opts; i++)
        if (strncmp(io->opts[i], key, kl) == 0 && io->opts[i][kl] == '=')
            return io->opts[i] + kl + 1;
    return NULL;
}

void emu_stat_add(struct emu_io *io, const char *key, unsigned long n)
{
    for (size_t i = 0; i < io->n_stats; i++)
        if (strcmp(io->stats[i].key, key) == 0) {
            io->stats[i].val += n;
            return;
        }
    if (io->n_stats < EMU_MAX_STATS) {
        snprintf(io->stats[io->n_stats].key, sizeof io->stats[0].key, "%s", key);
        io->stats[io->n_stats++].val = n;
    }
}

int emu_on_tty(struct emu_io *io)
{
    return io->tty;
}

int emu_baud(struct emu_io *io)
{
    if (!io->tty)
        return 0;
    struct termios t;
    if (tcgetattr(io->fd, &t) != 0)
        return 0;
    static const struct {
        speed_t s;
        int b;
    } map[] = {{B1200, 1200},     {B2400, 2400},     {B4800, 4800},       {B9600, 9600},
               {B19200, 19200},   {B38400, 38400},   {B57600, 57600},     {B115200, 115200},
               {B230400, 230400}, {B460800, 460800}, {B1000000, 1000000}, {B134, 134},
               {B150, 150}};
    speed_t s = cfgetospeed(&t);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].s == s)
            return map[i].b;
    return 0;
}

/* ---- harness ---- */

struct emu_args {
    const char *proto, *part, *listen, *port_file, *state, *stats, *tty, *shim;
    const char *target_file; /* --target-file: the board in the socket */
    const char *tty_record;  /* --tty-record FILE: umockdev devices instead of the built-in one */
    const char *opts[EMU_MAX_OPTS];
    size_t n_opts;
    bool once;
    bool touch;           /* --touch: the application's port first, the 1200-baud touch
                           * re-enumerates it as the bootloader's (see emu_touch_loop) */
    const char *boot_tty; /* --boot-tty NAME: the bootloader's node (default: --tty) */
    unsigned touch_delay; /* --touch-delay MS: re-enumeration time (default 300) */
    unsigned lifetime;    /* seconds, 0 = unlimited */
    unsigned pace;        /* --pace BAUD */
    unsigned split;       /* --split N */
    struct emu_faults faults;
    struct avrchip_faults chip_faults;
    char **cmd; /* tty mode: child command */
};

static void emu_write_stats(const struct emu_args *a, const struct emu_io *io,
                            const struct avrchip *chip)
{
    if (a->stats == NULL)
        return;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", a->stats);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        fprintf(stderr, "ispf-emu: cannot write %s: %s\n", tmp, strerror(errno));
        return;
    }
    fprintf(f, "connections %lu\nrx_bytes %llu\ntx_bytes %llu\nreplies %lu\n", io->connections,
            io->rx, io->tx, io->replies);
    fprintf(f,
            "chip_instructions %lu\nchip_page_writes %lu\nchip_erases %lu\n"
            "chip_fuse_writes %lu\n",
            chip->stats.instructions, chip->stats.page_writes, chip->stats.erases,
            chip->stats.fuse_writes);
    if (io->sock)
        fprintf(f,
                "socket_inserts %lu\nsocket_removals %lu\nsocket_saves %lu\n"
                "socket_dropped %lu\nsocket_present %d\n",
                io->sock->stats.inserts, io->sock->stats.removals, io->sock->stats.saves,
                io->sock->stats.dropped, io->sock->present ? 1 : 0);
    for (size_t i = 0; i < io->n_stats; i++)
        fprintf(f, "proto.%s %lu\n", io->stats[i].key, io->stats[i].val);
    fclose(f);
    rename(tmp, a->stats);
}

/* After each client and at exit: the --state file, or the socket's board written
 * back (if changed and still in the socket) and what the socket met meanwhile. */
static void emu_save_state(const struct emu_args *a, struct emu_io *io, const struct avrchip *chip)
{
    struct ispf_error err;
    ispf_error_clear(&err);
    if (io->sock != NULL) {
        if (avrsocket_take_error(io->sock, &err) != ISPF_OK)
            fprintf(stderr, "ispf-emu: %s\n", err.msg);
        ispf_error_clear(&err);
        if (avrsocket_save(io->sock, &err) != ISPF_OK)
            fprintf(stderr, "ispf-emu: %s\n", err.msg);
        return;
    }
    if (a->state == NULL)
        return;
    if (avrchip_save(chip, a->state, &err) != ISPF_OK)
        fprintf(stderr, "ispf-emu: %s\n", err.msg);
}

static const struct emu_proto *emu_find_proto(const char *name)
{
    const struct emu_proto *all[] = {&emu_arduinoisp, &emu_optiboot, &emu_stk500v2, &emu_buspirate,
                                     &emu_caterina};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i] != NULL && strcmp(all[i]->name, name) == 0)
            return all[i];
    return NULL;
}

static unsigned long emu_number(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno != 0 || *end != '\0' || end == s)
        emu_die("bad number for %s", what);
    return v;
}

static void emu_usage(void)
{
    fprintf(stderr,
            "usage: ispf-emu --proto NAME --part ID (--listen HOST:PORT | --tty NAME -- CMD...)\n"
            "  --port-file F   write the TCP port chosen for --listen H:0 to F (also stdout)\n"
            "  --state F       chip state file (loaded if it exists, saved after each client)\n"
            "  --target-file F a target socket: F missing = no board (MISO reads 0), empty =\n"
            "                  a fresh chip, else a saved chip; a new F is a new board, looked\n"
            "                  at on each programming-mode entry (not with --state)\n"
            "  --stats F       counters: bytes rx/tx, replies, chip and protocol counters\n"
            "  --once          exit after the first TCP client\n"
            "  --lifetime S    exit after S seconds whatever happens (test guard)\n"
            "  --pace BAUD     send no faster than a serial line at BAUD (a slow bridge)\n"
            "  --split N       send each reply in N writes with Nagle left on (TCP; a\n"
            "                  bridge such as ser2net without TCP_NODELAY)\n"
            "  --opt K=V       protocol option (repeatable)\n"
            "  faults: --drop-reply N --garble-reply N --truncate-reply N --close-after-rx N\n"
            "          --silent --unwired --stuck ADDR:MASK --busy N --extra-reply N\n"
            "          --no-erase (Chip Erase changes nothing) --fuse-stuck (fuse writes\n"
            "          do not take)\n"
            "  --spi-delay-us N  each ISP instruction takes N us (a slow target, so a test\n"
            "                  can take the board away in the middle of a write)\n"
            "  --shim PATH     LD_PRELOAD shim for --tty (default: the built one)\n"
            "  --touch         (--tty) a Pro Micro running its application (1b4f:9206): a\n"
            "                  client that sets 1200 baud and closes the port makes it\n"
            "                  re-enumerate as the bootloader (1b4f:9205), which serves\n"
            "                  --proto until it starts the application again\n"
            "  --boot-tty NAME the bootloader's node with --touch (another name than --tty)\n"
            "  --touch-delay MS  time the re-enumeration takes (default 300)\n"
            "  --tty-record F  umockdev record file with the --tty device (any USB identity)\n"
            "                  and other devices, instead of the built-in 1b4f:9206 one\n");
    exit(2);
}

static void emu_parse(int argc, char **argv, struct emu_args *a)
{
    enum {
        OPT_PROTO = 256,
        OPT_PART,
        OPT_LISTEN,
        OPT_PORTFILE,
        OPT_STATE,
        OPT_TARGET_FILE,
        OPT_STATS,
        OPT_ONCE,
        OPT_OPT,
        OPT_DROP,
        OPT_GARBLE,
        OPT_TRUNC,
        OPT_CLOSE,
        OPT_SILENT,
        OPT_UNWIRED,
        OPT_STUCK,
        OPT_BUSY,
        OPT_SPI_DELAY,
        OPT_TTY,
        OPT_TOUCH,
        OPT_BOOT_TTY,
        OPT_TOUCH_DELAY,
        OPT_SHIM,
        OPT_TTY_RECORD,
        OPT_LIFETIME,
        OPT_PACE,
        OPT_SPLIT,
        OPT_EXTRA,
        OPT_NO_ERASE,
        OPT_FUSE_STUCK,
    };
    static const struct option lo[] = {
        {"proto", required_argument, 0, OPT_PROTO},
        {"part", required_argument, 0, OPT_PART},
        {"listen", required_argument, 0, OPT_LISTEN},
        {"port-file", required_argument, 0, OPT_PORTFILE},
        {"state", required_argument, 0, OPT_STATE},
        {"target-file", required_argument, 0, OPT_TARGET_FILE},
        {"stats", required_argument, 0, OPT_STATS},
        {"once", no_argument, 0, OPT_ONCE},
        {"opt", required_argument, 0, OPT_OPT},
        {"drop-reply", required_argument, 0, OPT_DROP},
        {"garble-reply", required_argument, 0, OPT_GARBLE},
        {"truncate-reply", required_argument, 0, OPT_TRUNC},
        {"close-after-rx", required_argument, 0, OPT_CLOSE},
        {"silent", no_argument, 0, OPT_SILENT},
        {"unwired", no_argument, 0, OPT_UNWIRED},
        {"stuck", required_argument, 0, OPT_STUCK},
        {"busy", required_argument, 0, OPT_BUSY},
        {"spi-delay-us", required_argument, 0, OPT_SPI_DELAY},
        {"tty", required_argument, 0, OPT_TTY},
        {"touch", no_argument, 0, OPT_TOUCH},
        {"boot-tty", required_argument, 0, OPT_BOOT_TTY},
        {"touch-delay", required_argument, 0, OPT_TOUCH_DELAY},
        {"shim", required_argument, 0, OPT_SHIM},
        {"tty-record", required_argument, 0, OPT_TTY_RECORD},
        {"lifetime", required_argument, 0, OPT_LIFETIME},
        {"pace", required_argument, 0, OPT_PACE},
        {"split", required_argument, 0, OPT_SPLIT},
        {"extra-reply", required_argument, 0, OPT_EXTRA},
        {"no-erase", no_argument, 0, OPT_NO_ERASE},
        {"fuse-stuck", no_argument, 0, OPT_FUSE_STUCK},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    memset(a, 0, sizeof *a);
    a->touch_delay = 300;
    int c;
    while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
        switch (c) {
        case OPT_PROTO:
            a->proto = optarg;
            break;
        case OPT_PART:
            a->part = optarg;
            break;
        case OPT_LISTEN:
            a->listen = optarg;
            break;
        case OPT_PORTFILE:
            a->port_file = optarg;
            break;
        case OPT_STATE:
            a->state = optarg;
            break;
        case OPT_TARGET_FILE:
            a->target_file = optarg;
            break;
        case OPT_STATS:
            a->stats = optarg;
            break;
        case OPT_ONCE:
            a->once = true;
            break;
        case OPT_OPT:
            if (a->n_opts == EMU_MAX_OPTS || strchr(optarg, '=') == NULL)
                emu_die("bad --opt %s (KEY=VALUE, at most 16)", optarg);
            a->opts[a->n_opts++] = optarg;
            break;
        case OPT_DROP:
            a->faults.drop_reply = (unsigned)emu_number(optarg, "--drop-reply");
            break;
        case OPT_GARBLE:
            a->faults.garble_reply = (unsigned)emu_number(optarg, "--garble-reply");
            break;
        case OPT_TRUNC:
            a->faults.truncate_reply = (unsigned)emu_number(optarg, "--truncate-reply");
            break;
        case OPT_CLOSE:
            a->faults.close_after_rx = emu_number(optarg, "--close-after-rx");
            break;
        case OPT_SILENT:
            a->faults.silent = 1;
            break;
        case OPT_UNWIRED:
            a->chip_faults.unwired = true;
            break;
        case OPT_STUCK: {
            char *colon = strchr(optarg, ':');
            if (colon == NULL)
                emu_die("--stuck %s: expected ADDR:MASK", optarg);
            *colon = '\0';
            a->chip_faults.has_stuck = true;
            a->chip_faults.stuck_addr = (uint32_t)emu_number(optarg, "--stuck address");
            a->chip_faults.stuck_mask = (uint8_t)emu_number(colon + 1, "--stuck mask");
            break;
        }
        case OPT_BUSY:
            a->chip_faults.busy_polls = (unsigned)emu_number(optarg, "--busy");
            break;
        case OPT_EXTRA:
            a->faults.extra_reply = (unsigned)emu_number(optarg, "--extra-reply");
            break;
        case OPT_NO_ERASE:
            a->chip_faults.no_erase = true;
            break;
        case OPT_FUSE_STUCK:
            a->chip_faults.fuse_stuck = true;
            break;
        case OPT_SPI_DELAY:
            a->chip_faults.spi_delay_us = (unsigned)emu_number(optarg, "--spi-delay-us");
            break;
        case OPT_TTY:
            a->tty = optarg;
            break;
        case OPT_TOUCH:
            a->touch = true;
            break;
        case OPT_BOOT_TTY:
            a->boot_tty = optarg;
            break;
        case OPT_TOUCH_DELAY:
            a->touch_delay = (unsigned)emu_number(optarg, "--touch-delay");
            break;
        case OPT_TTY_RECORD:
            a->tty_record = optarg;
            break;
        case OPT_SHIM:
            a->shim = optarg;
            break;
        case OPT_LIFETIME:
            a->lifetime = (unsigned)emu_number(optarg, "--lifetime");
            break;
        case OPT_PACE:
            a->pace = (unsigned)emu_number(optarg, "--pace");
            break;
        case OPT_SPLIT:
            a->split = (unsigned)emu_number(optarg, "--split");
            break;
        default:
            emu_usage();
        }
    }
    if (a->proto == NULL || a->part == NULL || (a->listen == NULL) == (a->tty == NULL))
        emu_usage();
    if (a->touch && (a->tty == NULL || a->boot_tty == NULL || strcmp(a->tty, a->boot_tty) == 0))
        emu_die("%s", "--touch needs --tty and a --boot-tty of another name (umockdev cannot "
                      "re-add a removed node under the same name: tests/emu/README.md)");
    if (a->state != NULL && a->target_file != NULL)
        emu_die("%s", "--state and --target-file cannot be used together: --state is one chip "
                      "kept from client to client, --target-file a socket whose board can be "
                      "changed");
    if (a->tty != NULL) {
        if (optind >= argc)
            emu_die("%s", "--tty needs a command to run after --");
        a->cmd = argv + optind;
    } else if (optind < argc) {
        emu_usage();
    }
}

/* ---- TCP mode ---- */

static int emu_listen(const char *spec, int *port_out)
{
    char host[256];
    const char *colon = strrchr(spec, ':');
    if (colon == NULL || (size_t)(colon - spec) >= sizeof host)
        emu_die("--listen %s: expected HOST:PORT", spec);
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
        emu_die("cannot resolve %s", spec);
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 4) < 0)
        emu_die("cannot listen on %s", spec);
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *port_out = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                               : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

static void emu_write_port(const char *path, int port)
{
    printf("%d\n", port);
    fflush(stdout);
    if (path == NULL)
        return;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) != 0)
        emu_die("cannot write %s", path);
}

static int emu_run_tcp(const struct emu_args *a, const struct emu_proto *proto,
                       struct avrchip *chip, struct emu_io *io)
{
    int port;
    int lfd = emu_listen(a->listen, &port);
    emu_write_port(a->port_file, port);
    while (!emu_stop) {
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        int r = poll(&p, 1, 200);
        if (r <= 0)
            continue;
        int cfd = accept(lfd, NULL, NULL);
        if (cfd < 0)
            continue;
        fcntl(cfd, F_SETFD, FD_CLOEXEC);
        int one = 1;
        if (a->split <= 1) /* --split: Nagle stays on, as on a bridge that never sets it */
            setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        io->fd = cfd;
        io->closed = false;
        io->inpos = io->inlen = 0;
        io->outlen = 0;
        io->cur_sent = 0;
        io->connections++;
        proto->serve(io, chip);
        emu_flush(io, true);
        close(cfd);
        emu_save_state(a, io, chip);
        emu_write_stats(a, io, chip);
        if (a->once)
            break;
    }
    close(lfd);
    return 0;
}

/* ---- tty mode (umockdev) ---- */

/* One USB CDC ACM device at USB port BUS ("1-1") with node /dev/TTY (vid:pid). */
static const char *emu_usb_record(const char *bus, const char *tty, unsigned vid, unsigned pid,
                                  const char *product, unsigned devnum)
{
    static char rec[2048];
    snprintf(rec, sizeof rec,
             "P: " EMU_USB_ROOT "/%s\n"
             "E: SUBSYSTEM=usb\n"
             "E: DEVTYPE=usb_device\n"
             "A: idVendor=%04x\n"
             "A: idProduct=%04x\n"
             "A: manufacturer=ispflash\n"
             "A: product=%s\n"
             "A: serial=ISPF-EMU-1\n"
             "A: busnum=1\n"
             "A: devnum=%u\n"
             "\n"
             "P: " EMU_USB_ROOT "/%s/%s:1.0\n"
             "E: SUBSYSTEM=usb\n"
             "E: DEVTYPE=usb_interface\n"
             "E: DRIVER=cdc_acm\n"
             "A: bInterfaceClass=02\n"
             "A: bInterfaceNumber=00\n"
             "\n"
             "P: " EMU_USB_ROOT "/%s/%s:1.0/tty/%s\n"
             "N: %s\n"
             "E: SUBSYSTEM=tty\n"
             "E: DEVNAME=/dev/%s\n"
             "A: dev=166:%u\n"
             "L: device=../../../%s:1.0\n",
             bus, vid, pid, product, devnum, bus, bus, bus, bus, tty, tty, tty, devnum % 32, bus);
    return rec;
}

static const char *emu_tty_record(const char *tty)
{
    return emu_usb_record("1-1", tty, 0x1b4f, 0x9206, "ArduinoISP emulator", 7);
}

/* The pty master of /dev/NAME in the testbed, raw and non-blocking. */
static int emu_tty_fd(UMockdevTestbed *tb, const char *name)
{
    char node[256];
    snprintf(node, sizeof node, "/dev/%s", name);
    int fd = umockdev_testbed_get_dev_fd(tb, node);
    if (fd < 0)
        emu_die("umockdev gave no pty for %s", node);
    struct termios t;
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(fd, TCSANOW, &t);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void emu_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* --touch: the application's port (1-1, /dev/--tty), plugged in once. */
static void emu_plug_app(UMockdevTestbed *tb, struct emu_io *io, const struct emu_args *a)
{
    GError *gerr = NULL;
    if (!umockdev_testbed_add_from_string(
            tb, emu_usb_record("1-1", a->tty, 0x1b4f, 0x9206, "SparkFun Pro Micro", 7), &gerr))
        emu_die("umockdev: %s", gerr ? gerr->message : "cannot add the device");
    io->fd = emu_tty_fd(tb, a->tty);
}

/* The application's port leaving and coming back: its /sys/class/tty entry, which
 * is what libserialport lists, removed or put back (its node and pty stay). */
static void emu_app_listed(UMockdevTestbed *tb, const struct emu_args *a, bool listed)
{
    char path[4096], target[4096];
    g_autofree gchar *root = umockdev_testbed_get_root_dir(tb); /* ours to free */
    snprintf(path, sizeof path, "%s/sys/class/tty/%s", root, a->tty);
    snprintf(target, sizeof target, "../../devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/tty/%s",
             a->tty);
    if (listed)
        (void)!symlink(target, path);
    else
        unlink(path);
}

/* The bootloader's port, the n-th time: /dev/--boot-tty, then (umockdev cannot
 * re-add a node name it removed) the same name with its number counted up. */
static void emu_plug_boot(UMockdevTestbed *tb, struct emu_io *io, const struct emu_args *a,
                          unsigned n, char *name, size_t size)
{
    size_t len = strlen(a->boot_tty), digits = len;
    while (digits > 0 && a->boot_tty[digits - 1] >= '0' && a->boot_tty[digits - 1] <= '9')
        digits--;
    if (n == 0 || digits == len)
        snprintf(name, size, n ? "%s_%u" : "%s", a->boot_tty, n);
    else
        snprintf(name, size, "%.*s%lu", (int)digits, a->boot_tty,
                 strtoul(a->boot_tty + digits, NULL, 10) + n);
    GError *gerr = NULL;
    if (!umockdev_testbed_add_from_string(
            tb, emu_usb_record("1-2", name, 0x1b4f, 0x9205, "Pro Micro 5V", 8 + n), &gerr))
        emu_die("umockdev: %s", gerr ? gerr->message : "cannot add the device");
    io->fd = emu_tty_fd(tb, name);
    io->closed = false;
    io->inpos = io->inlen = 0;
    io->outlen = 0;
    io->cur_sent = 0;
}

/* The application on the port: it reads and answers nothing, and reboots into the
 * bootloader when a client that set 1200 baud closes the port (the Arduino core's
 * CDC touch). True then; false when the client exited or the emulator stops. */
static bool emu_app_wait_touch(struct emu_io *io)
{
    /* A client's open at 1200 and close take less than a poll here: the pty's speed,
     * which outlives the close and starts at 38400 on a fresh pty, tells it. */
    while (!emu_stop && !emu_child_gone(io)) {
        struct pollfd p = {.fd = io->fd, .events = POLLIN};
        poll(&p, 1, 10);
        if (!(p.revents & POLLHUP)) {
            uint8_t junk[256];
            while (read(io->fd, junk, sizeof junk) > 0) {
            }
            continue;
        }
        if (emu_baud(io) == 1200)
            return true;
        emu_sleep_ms(10);
    }
    return false;
}

/* Unplug the bootloader's port. umockdev_testbed_remove_device (umockdev 0.17)
 * removes the device's sysfs directory, node and udev data but leaves the /sys/bus
 * and /sys/class symlinks it made and /dev/.node/NAME, which make the next add at
 * that path fail an assertion and show libserialport a port without identity: they
 * are removed here too. A removed /dev name cannot be added again (the testbed keeps
 * its pty in an internal table): tests/emu/README.md. */
static void emu_unplug_boot(UMockdevTestbed *tb, const char *name)
{
    umockdev_testbed_remove_device(tb, "/sys" EMU_USB_ROOT "/1-2");
    g_autofree gchar *root = umockdev_testbed_get_root_dir(tb); /* ours to free */
    const char *links[] = {"sys/bus/usb/devices/1-2", "sys/bus/usb/devices/1-2:1.0", NULL};
    char path[4096];
    for (size_t i = 0; links[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", root, links[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/sys/class/tty/%s", root, name);
    unlink(path);
    snprintf(path, sizeof path, "%s/dev/.node/%s", root, name);
    unlink(path);
}

/* --touch: application, touch, bootloader (proto->serve until the application
 * starts again), application... until the client exits. */
static void emu_touch_loop(const struct emu_args *a, const struct emu_proto *proto,
                           struct avrchip *chip, struct emu_io *io, UMockdevTestbed *tb)
{
    int app_fd = io->fd;
    for (unsigned n = 0; emu_app_wait_touch(io); n++) {
        emu_stat_add(io, "touches", 1);
        emu_app_listed(tb, a, false);
        emu_sleep_ms(a->touch_delay);
        char name[128];
        emu_plug_boot(tb, io, a, n, name, sizeof name);
        io->connections++;
        proto->serve(io, chip);
        emu_flush(io, true);
        emu_save_state(a, io, chip);
        emu_write_stats(a, io, chip);
        emu_unplug_boot(tb, name);
        io->fd = app_fd;
        if (emu_stop || emu_child_gone(io))
            break;
        emu_sleep_ms(a->touch_delay);
        struct termios t; /* the application's port back, at its power-on speed */
        if (tcgetattr(app_fd, &t) == 0) {
            cfsetispeed(&t, B9600);
            cfsetospeed(&t, B9600);
            tcsetattr(app_fd, TCSANOW, &t);
        }
        emu_app_listed(tb, a, true);
    }
}

static int emu_run_tty(int argc, char **argv, const struct emu_args *a,
                       const struct emu_proto *proto, struct avrchip *chip, struct emu_io *io)
{
    const char *pre = getenv("LD_PRELOAD");
    if (pre == NULL || strstr(pre, "libumockdev-preload") == NULL) {
        if (getenv("ISPF_EMU_WRAPPED") != NULL)
            emu_die("%s", "umockdev-wrapper did not set up the mock environment");
        setenv("ISPF_EMU_WRAPPED", "1", 1);
        char **nargv = calloc((size_t)argc + 2, sizeof *nargv);
        if (nargv == NULL)
            emu_die("%s", "out of memory");
        nargv[0] = (char *)"umockdev-wrapper";
        for (int i = 0; i < argc; i++)
            nargv[i + 1] = argv[i];
        execvp("umockdev-wrapper", nargv);
        emu_die("cannot run umockdev-wrapper: %s", strerror(errno));
    }
    UMockdevTestbed *tb = umockdev_testbed_new();
    GError *gerr = NULL;
    int fd = -1;
    if (a->touch) {
        emu_plug_app(tb, io, a);
        fd = io->fd;
    } else {
        if (a->tty_record ? !umockdev_testbed_add_from_file(tb, a->tty_record, &gerr)
                          : !umockdev_testbed_add_from_string(tb, emu_tty_record(a->tty), &gerr))
            emu_die("umockdev: %s", gerr ? gerr->message : "cannot add the device");
        fd = emu_tty_fd(tb, a->tty);
    }

    const char *shim = a->shim;
#ifdef ISPF_TTYSHIM_PATH
    if (shim == NULL)
        shim = ISPF_TTYSHIM_PATH;
#endif
    if (shim == NULL)
        emu_die("%s", "no --shim given");
    char lines[4096];
    snprintf(lines, sizeof lines, "%s/ispf-emu-lines.%d",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    io->lines_file = lines;

    pid_t pid = fork();
    if (pid < 0)
        emu_die("fork: %s", strerror(errno));
    if (pid == 0) {
        const char *old = getenv("LD_PRELOAD");
        char pre[8192];
        snprintf(pre, sizeof pre, "%s%s%s", shim, old ? " " : "", old ? old : "");
        setenv("LD_PRELOAD", pre, 1);
        setenv("ISPF_TTYSHIM_LINES", lines, 1);
        unsetenv("ISPF_EMU_WRAPPED");
        close(fd);
        execvp(a->cmd[0], a->cmd);
        fprintf(stderr, "ispf-emu: cannot run %s: %s\n", a->cmd[0], strerror(errno));
        _exit(127);
    }
    io->fd = fd;
    io->tty = true;
    io->child = pid;
    if (a->touch) {
        emu_touch_loop(a, proto, chip, io, tb);
    } else {
        io->connections = 1;
        proto->serve(io, chip);
    }
    fd = io->fd;
    /* The protocol is done (child gone, or a fault closed the link): wait for
     * the child, discarding anything it still sends. */
    while (!emu_child_gone(io)) {
        uint8_t junk[256];
        if (read(fd, junk, sizeof junk) <= 0) {
            struct timespec ts = {0, 20000000};
            nanosleep(&ts, NULL);
        }
        if (emu_stop) {
            kill(pid, SIGTERM);
            waitpid(pid, &io->child_status, 0);
            io->child_done = true;
        }
    }
    unlink(lines);
    emu_save_state(a, io, chip);
    emu_write_stats(a, io, chip);
    g_object_unref(tb);
    int st = io->child_status;
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int main(int argc, char **argv)
{
    struct emu_args a;
    emu_parse(argc, argv, &a);
    const struct emu_proto *proto = emu_find_proto(a.proto);
    if (proto == NULL)
        emu_die("unknown --proto %s", a.proto);
    const struct part *part = part_find(a.part);
    if (part == NULL)
        emu_die("unknown --part %s", a.part);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = emu_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = emu_on_child;
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (a.lifetime)
        alarm(a.lifetime);

    struct avrchip chip;
    struct ispf_error err;
    ispf_error_clear(&err);
    if (avrchip_init(&chip, part, &err) != ISPF_OK)
        emu_die("%s", err.msg);
    struct stat st;
    if (a.state != NULL && stat(a.state, &st) == 0 && avrchip_load(&chip, a.state, &err) != ISPF_OK)
        emu_die("%s", err.msg);
    chip.faults = a.chip_faults;
    struct avrsocket sock;
    if (a.target_file != NULL) {
        if (strcmp(proto->name, "optiboot") == 0 || strcmp(proto->name, "caterina") == 0)
            emu_die("%s", "--target-file: a bootloader runs on the target itself; there is no "
                          "socket to take the board out of");
        if (avrsocket_open(&sock, &chip, NULL, a.target_file, &err) != ISPF_OK)
            emu_die("%s", err.msg);
    }

    struct emu_io io;
    memset(&io, 0, sizeof io);
    io.fd = -1;
    io.faults = &a.faults;
    io.pace_baud = a.pace;
    io.split = a.split;
    io.opts = a.opts;
    io.n_opts = a.n_opts;
    io.sock = a.target_file != NULL ? &sock : NULL;

    int rc =
        a.tty ? emu_run_tty(argc, argv, &a, proto, &chip, &io) : emu_run_tcp(&a, proto, &chip, &io);
    emu_save_state(&a, &io, &chip);
    if (io.sock != NULL)
        avrsocket_close(io.sock, &err);
    emu_write_stats(&a, &io, &chip);
    avrchip_free(&chip);
    free(io.out);
    return rc;
}
