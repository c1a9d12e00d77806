// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TCP byte stream for -P net:HOST:PORT (ser2net, ESP-link, the test emulators).
 * Non-blocking socket + poll(): every wait has a timeout, and a peer that closes
 * the connection is ISPF_E_DISCONNECTED at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#endif

#define LOG_PREFIX "tcp"
#include "base/clock.h"
#include "ispflash/interrupt.h"
#include "ispflash/log.h"
#include "transport/stream_impl.h"

#define TCP_CONNECT_TIMEOUT_MS 5000
#define TCP_WRITE_TIMEOUT_MS 5000

/*
 * The socket calls that differ between POSIX (Linux, macOS) and Winsock, so the
 * code below has one flow: a socket handle, its last error as an errno value, the
 * close, the switch to non-blocking, the wait.
 */
#ifdef _WIN32
typedef SOCKET tcp_sock;
#define TCP_NO_SOCK INVALID_SOCKET
#define MSG_NOSIGNAL 0 /* Winsock raises no SIGPIPE */

/* The last Winsock error, as the errno value the code below tests. */
static int tcp_errno(void)
{
    switch (WSAGetLastError()) {
    case WSAEWOULDBLOCK:
        return EWOULDBLOCK;
    case WSAEINPROGRESS:
        return EINPROGRESS;
    case WSAEINTR:
        return EINTR;
    case WSAECONNREFUSED:
        return ECONNREFUSED;
    case WSAECONNRESET:
    case WSAECONNABORTED:
        return ECONNRESET;
    case WSAENOTCONN:
    case WSAESHUTDOWN:
        return ENOTCONN;
    case WSAETIMEDOUT:
        return ETIMEDOUT;
    case WSAENETUNREACH:
    case WSAEHOSTUNREACH:
        return EHOSTUNREACH;
    default:
        return EIO;
    }
}

static int tcp_sock_close(tcp_sock fd)
{
    int rc = closesocket(fd);
    WSACleanup(); /* one for the WSAStartup of tcp_socket */
    return rc;
}

static int tcp_nonblock(tcp_sock fd)
{
    u_long on = 1;
    return ioctlsocket(fd, FIONBIO, &on) == 0 ? 0 : -1;
}

/* A new socket. WSAStartup counts its calls: one per socket, undone at its close. */
static tcp_sock tcp_socket(const struct addrinfo *ai)
{
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        errno = EIO;
        return TCP_NO_SOCK;
    }
    tcp_sock fd = WSASocketW(ai->ai_family, ai->ai_socktype, ai->ai_protocol, NULL, 0,
                             WSA_FLAG_NO_HANDLE_INHERIT);
    if (fd == TCP_NO_SOCK) {
        errno = tcp_errno();
        WSACleanup();
    }
    return fd;
}

/* WSAPoll misses a failed connect on older Windows: select, which reports it in
 * the exception set, is used for the one socket instead. Same results as poll.
 * Ctrl-C arrives in another thread (signals.c) and interrupts no wait: the wait
 * goes in 100 ms slices and ends with EINTR once a stop is requested, as poll
 * does on POSIX. */
static int tcp_wait(tcp_sock fd, short events, int timeout_ms)
{
    for (;;) {
        int slice = timeout_ms > 100 ? 100 : timeout_ms;
        fd_set rd, wr, ex;
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        FD_ZERO(&ex);
        if (events & POLLIN)
            FD_SET(fd, &rd);
        if (events & POLLOUT)
            FD_SET(fd, &wr);
        FD_SET(fd, &ex);
        struct timeval tv = {slice / 1000, (slice % 1000) * 1000};
        int n = select(0, &rd, &wr, &ex, &tv);
        if (n == SOCKET_ERROR) {
            errno = tcp_errno();
            return -1;
        }
        if (n > 0 || timeout_ms <= slice)
            return n;
        timeout_ms -= slice;
        if (ispf_interrupted()) {
            errno = EINTR;
            return -1;
        }
    }
}

/* Winsock's address and resolver functions need WSAStartup too. */
static int tcp_getaddrinfo(const char *host, const char *serv, const struct addrinfo *hints,
                           struct addrinfo **res)
{
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        return EAI_FAIL;
    int rc = getaddrinfo(host, serv, hints, res);
    WSACleanup();
    return rc;
}
#else
typedef int tcp_sock;
#define TCP_NO_SOCK (-1)
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SO_NOSIGPIPE on the socket instead (tcp_socket) */
#endif

static int tcp_errno(void)
{
    return errno;
}

static int tcp_sock_close(tcp_sock fd)
{
    return close(fd);
}

static int tcp_nonblock(tcp_sock fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -1 : 0;
}

/* A new socket, closed on exec (SOCK_CLOEXEC where it exists: no window for a
 * thread's exec between socket and fcntl). */
static tcp_sock tcp_socket(const struct addrinfo *ai)
{
#ifdef SOCK_CLOEXEC
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
#else
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd >= 0)
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
#ifdef SO_NOSIGPIPE
    int one = 1;
    if (fd >= 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    return fd;
}

static int tcp_wait(tcp_sock fd, short events, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    return poll(&pfd, 1, timeout_ms);
}

static int tcp_getaddrinfo(const char *host, const char *serv, const struct addrinfo *hints,
                           struct addrinfo **res)
{
    return getaddrinfo(host, serv, hints, res);
}
#endif

struct tcp_impl {
    tcp_sock fd;
};

/* Split "net:HOST:PORT" (HOST may be [v6addr]) into host and service. */
static int tcp_parse(const char *port, char *host, size_t hostsz, char *serv, size_t servsz,
                     struct ispf_error *err)
{
    const char *p = port + 4; /* after "net:" */
    const char *colon;
    const char *hbeg = p, *hend;
    if (*p == '[') {
        hbeg = p + 1;
        hend = strchr(hbeg, ']');
        if (hend == NULL || hend[1] != ':')
            goto bad;
        colon = hend + 1;
    } else {
        colon = strrchr(p, ':');
        if (colon == NULL)
            goto bad;
        hend = colon;
    }
    size_t hl = (size_t)(hend - hbeg);
    size_t sl = strlen(colon + 1);
    if (hl == 0 || hl >= hostsz || sl == 0 || sl >= servsz)
        goto bad;
    memcpy(host, hbeg, hl);
    host[hl] = '\0';
    memcpy(serv, colon + 1, sl + 1);
    return ISPF_OK;
bad:
    return ispf_fail(err, ISPF_E_USAGE, "bad network port '%s': expected net:HOST:PORT", port);
}

/* Wait until fd is ready for events or deadline (clock_now_ms) passes. EINTR does
 * not restart the full wait: the time left is recomputed. Returns poll's result,
 * 0 on timeout, or -2 when the user asked to stop (interrupt.h). */
static int tcp_poll_until(tcp_sock fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - clock_now_ms();
        if (left < 0)
            left = 0;
        int pr = tcp_wait(fd, events, (int)left);
        if (pr >= 0)
            return pr;
        if (errno != EINTR)
            return -1;
        if (ispf_interrupted())
            return -2;
    }
}

/* Connect to one address before deadline. Returns the socket, or -1 with
 * *saved_errno (ETIMEDOUT when the share of time ran out, EINTR on a request to
 * stop). */
static tcp_sock tcp_connect_one(const struct addrinfo *ai, long long deadline, int *saved_errno)
{
    tcp_sock fd = tcp_socket(ai);
    if (fd == TCP_NO_SOCK) {
        *saved_errno = errno;
        return TCP_NO_SOCK;
    }
    if (tcp_nonblock(fd) < 0) {
        *saved_errno = tcp_errno();
        tcp_sock_close(fd);
        return TCP_NO_SOCK;
    }
    if (connect(fd, ai->ai_addr, (socklen_t)ai->ai_addrlen) < 0) {
        int e = tcp_errno(); /* Winsock: WSAEWOULDBLOCK for "in progress" */
        if (e != EINPROGRESS && e != EINTR && e != EWOULDBLOCK) {
            *saved_errno = e; /* ECONNREFUSED here, or at once below */
            tcp_sock_close(fd);
            return TCP_NO_SOCK;
        }
        int pr = tcp_poll_until(fd, POLLOUT, deadline);
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (pr <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, (void *)&soerr, &sl) < 0 ||
            soerr != 0) {
#ifdef _WIN32
            if (soerr != 0) { /* a WSAE code: as tcp_errno would say it */
                WSASetLastError(soerr);
                soerr = tcp_errno();
            }
#endif
            *saved_errno = pr == 0 ? ETIMEDOUT : pr == -2 ? EINTR : soerr != 0 ? soerr : errno;
            tcp_sock_close(fd);
            return TCP_NO_SOCK;
        }
    }
    /* Our commands leave at once (no Nagle on our side). */
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, (void *)&one, sizeof one);
    return fd;
}

/* Try every address of res within one overall deadline: each one gets an equal
 * share of the time left, so a silent first address (an IPv6 ::1 dropped by a
 * firewall) cannot use up the time of the next. A refused connection moves on at
 * once. Returns the socket or -1 with *e of the most telling failure. */
static tcp_sock tcp_connect_all(struct addrinfo *res, int *e)
{
    long long deadline = clock_now_ms() + TCP_CONNECT_TIMEOUT_MS;
    int n = 0, worst = 0;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
        n++;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next, n--) {
        long long left = deadline - clock_now_ms();
        if (left <= 0)
            break;
        int one_e = 0;
        tcp_sock fd = tcp_connect_one(ai, clock_now_ms() + left / n, &one_e);
        if (fd != TCP_NO_SOCK)
            return fd;
        if (one_e == EINTR) {
            *e = EINTR;
            return TCP_NO_SOCK;
        }
        /* A refusal says more than a timeout or an unreachable family. */
        if (worst == 0 || one_e == ECONNREFUSED || (worst != ECONNREFUSED && one_e == ETIMEDOUT))
            worst = one_e;
    }
    *e = worst != 0 ? worst : ETIMEDOUT;
    return TCP_NO_SOCK;
}

static int tcp_open(struct stream *s, const char *port, int baud, struct ispf_error *err)
{
    (void)baud;
    char host[256], serv[64];
    int rc = tcp_parse(port, host, sizeof host, serv, sizeof serv, err);
    if (rc < 0)
        return rc;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int gai = tcp_getaddrinfo(host, serv, &hints, &res);
    if (gai != 0)
        return ispf_fail(err, ISPF_E_NO_DEVICE, "%s: cannot resolve '%s' port '%s': %s", port, host,
                         serv, gai_strerror(gai));
    int e = 0;
    tcp_sock fd = tcp_connect_all(res, &e);
    freeaddrinfo(res);
    if (fd == TCP_NO_SOCK) {
        if (e == EINTR)
            return ispf_fail(err, ISPF_E_INTERRUPTED, "interrupted");
        if (e == ETIMEDOUT)
            return ispf_fail(err, ISPF_E_TIMEOUT, "%s: no answer connecting to %s:%s within %d ms",
                             port, host, serv, TCP_CONNECT_TIMEOUT_MS);
        if (e == ECONNREFUSED)
            return ispf_fail(err, ISPF_E_NO_DEVICE,
                             "%s: cannot connect to %s:%s: connection refused, nothing listens "
                             "there (is the bridge or ser2net running, and is the port right?)",
                             port, host, serv);
        return ispf_fail(err, ISPF_E_NO_DEVICE, "%s: cannot connect to %s:%s: %s", port, host, serv,
                         strerror(e));
    }
    struct tcp_impl *t = calloc(1, sizeof *t);
    if (t == NULL) {
        tcp_sock_close(fd);
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    }
    t->fd = fd;
    s->impl = t;
    log_dbg("connected to %s:%s", host, serv);
    return ISPF_OK;
}

static void tcp_close(struct stream *s)
{
    struct tcp_impl *t = s->impl;
    if (t == NULL)
        return;
    tcp_sock_close(t->fd);
    free(t);
    s->impl = NULL;
}

static int tcp_gone(struct stream *s, int e, struct ispf_error *err)
{
    if (e == 0)
        return ispf_fail(err, ISPF_E_DISCONNECTED, "%s: the programmer closed the connection",
                         s->port);
    return ispf_fail(err, ISPF_E_DISCONNECTED, "%s: the connection to the programmer was lost (%s)",
                     s->port, strerror(e));
}

static int tcp_write(struct stream *s, const uint8_t *buf, size_t len, struct ispf_error *err)
{
    struct tcp_impl *t = s->impl;
    size_t done = 0;
    long long deadline = clock_now_ms() + TCP_WRITE_TIMEOUT_MS;
    while (done < len) {
        size_t chunk = len - done > 65536 ? 65536 : len - done; /* Winsock: an int */
        long n = (long)send(t->fd, (const void *)(buf + done), (int)chunk, MSG_NOSIGNAL);
        int e = n < 0 ? tcp_errno() : 0;
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && e == EINTR)
            continue;
        if (n < 0 && e != EAGAIN && e != EWOULDBLOCK) {
            if (e == EPIPE || e == ECONNRESET || e == ENOTCONN)
                return tcp_gone(s, e, err);
            return ispf_fail(err, ISPF_E_IO, "%s: write failed: %s", s->port, strerror(e));
        }
        long long left = deadline - clock_now_ms();
        if (left <= 0)
            return ispf_fail(err, ISPF_E_TIMEOUT,
                             "%s: the programmer accepted no data for %d ms (%zu of %zu bytes "
                             "sent)",
                             s->port, TCP_WRITE_TIMEOUT_MS, done, len);
        /* A command half sent is finished even after a request to stop. */
        if (tcp_poll_until(t->fd, POLLOUT, deadline) == -1)
            return ispf_fail(err, ISPF_E_IO, "%s: poll failed: %s", s->port, strerror(errno));
    }
    return ISPF_OK;
}

/*
 * No round trip may wait on our delayed ACK. A bridge that leaves Nagle's
 * algorithm on (ser2net forwards bytes as they come off the serial line, so a
 * reply arrives in pieces) holds every piece after the first until we ACK the
 * first one; Linux delays that ACK (~40 ms, "pingpong" mode after we sent a
 * command) hoping to piggyback it on our next data, which we send only after the
 * whole reply: each round trip then costs a delayed-ACK timeout (measured: a
 * 2 KiB Bus Pirate write+verify 24 s instead of 0.4 s).
 * TCP_QUICKACK is not sticky on Linux (the kernel re-enters delayed-ACK mode on
 * its own), so it is re-armed after every read (this sends an ACK that is
 * pending for what just arrived) and before every wait (the next piece is ACKed
 * at once). Measured with ispf-emu --split 2 and tests/tools/bridge.py: either
 * placement alone removes the delay; both are kept, each costs one syscall.
 * Other systems: there is no per-socket equivalent on macOS or the BSDs (the
 * delay there is the sysctl net.inet.tcp.delayed_ack, up to 100 ms); Windows has
 * SIO_TCP_SET_ACK_FREQUENCY (frequency 1) through WSAIoctl. There the fix
 * belongs to the bridge: TCP_NODELAY on its socket (ser2net: "nodelay" option).
 */
static void tcp_quickack(tcp_sock fd)
{
#ifdef TCP_QUICKACK
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
#else
    (void)fd;
#endif
}

static int tcp_read_some(struct stream *s, uint8_t *buf, size_t len, int timeout_ms,
                         struct ispf_error *err)
{
    struct tcp_impl *t = s->impl;
    long long deadline = clock_now_ms() + timeout_ms;
    for (;;) {
        size_t chunk = len > 65536 ? 65536 : len; /* Winsock: an int */
        long n = (long)recv(t->fd, (void *)buf, (int)chunk, 0);
        if (n > 0) {
            tcp_quickack(t->fd);
            return (int)n;
        }
        if (n == 0)
            return tcp_gone(s, 0, err);
        int e = tcp_errno();
        if (e == EINTR)
            continue;
        if (e != EAGAIN && e != EWOULDBLOCK) {
            if (e == ECONNRESET || e == ENOTCONN || e == EPIPE)
                return tcp_gone(s, e, err);
            return ispf_fail(err, ISPF_E_IO, "%s: read failed: %s", s->port, strerror(e));
        }
        if (deadline - clock_now_ms() <= 0)
            return 0;
        tcp_quickack(t->fd);
        int pr = tcp_poll_until(t->fd, POLLIN, deadline);
        if (pr == -2)
            return 0; /* a request to stop: nothing read, the caller decides */
        if (pr < 0)
            return ispf_fail(err, ISPF_E_IO, "%s: poll failed: %s", s->port, strerror(errno));
    }
}

const struct stream_ops stream_tcp_ops = {
    .name = "tcp",
    .open = tcp_open,
    .close = tcp_close,
    .write = tcp_write,
    .read_some = tcp_read_some,
    .set_baud = NULL,
    .set_lines = NULL,
};
